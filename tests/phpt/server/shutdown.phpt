--TEST--
$serv->shutdown() from a worker and SIGINT (Ctrl-C) both stop every process; start() returns true
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$code = <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 2]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'shutdown') {
        var_dump($s->shutdown());
    }
});
$serv->on('Task', fn() => null);
$serv->on('WorkerStop', fn($s, $id) => rs_note("stop $id"));
rs_ready($serv);
var_dump($serv->start());
PHP;
$srv = TestServer::start($code);
$srv->waitUntil(fn() => count($srv->processes()) === 5, 10, "5 processes");
$c = $srv->connect();
fwrite($c, 'shutdown');
echo "exit code: ", $srv->waitExit(), "\n";
echo count($srv->notes()), " WorkerStop\n";
echo $srv->output();

$srv = TestServer::start($code);
$srv->waitUntil(fn() => count($srv->processes()) === 5, 10, "5 processes");
// Ctrl-C reaches the whole process group.
posix_kill(-$srv->pid, SIGINT);
echo "exit code: ", $srv->waitExit(), "\n";
echo count($srv->notes()), " WorkerStop\n";
echo $srv->output();
?>
--EXPECT--
exit code: 0
4 WorkerStop
bool(true)
bool(true)
exit code: 0
4 WorkerStop
bool(true)
