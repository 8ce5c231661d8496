--TEST--
A result with neither a per-task callback nor Finish gives Swoole's "require 'onFinish' callback" warning
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$serv->on('Receive', fn($s, $fd) => $s->task('x'));
$serv->on('Task', fn($s, $id, $src, $data) => "result");
rs_ready($serv);
$serv->start();
PHP);
fwrite($c = $srv->connect(), "go");
$srv->waitOutput("require 'onFinish' callback");
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECTF--
exit code: 0

Warning: %s: require 'onFinish' callback in %s
