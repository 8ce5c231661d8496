--TEST--
An exception thrown in a callback is reported as PHP's uncaught fatal error and the worker goes on
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'throw') {
        throw new RuntimeException("boom in Receive");
    }
    $s->task($data);
    $s->send($fd, "ok:" . getmypid());
});
$serv->on('Task', function ($s, $id, $src, $data) {
    if ($data === 'task-throw') {
        throw new LogicException("boom in Task");
    }
    return "done $data";
});
$serv->on('Finish', fn($s, $id, $data) => rs_note("finish $data"));
rs_ready($serv);
$serv->start();
PHP);
$c = $srv->connect();
fwrite($c, 'throw');
$srv->waitOutput('boom in Receive');
$a = $srv->request('task-throw', 10);
$srv->waitOutput('boom in Task');
$b = $srv->request('fine', 10);
$srv->waitNotes('finish done fine');
var_dump($a === $b);
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECTF--
bool(true)
exit code: 0

Fatal error: Uncaught RuntimeException: boom in Receive in %s:%d
Stack trace:
#0 [internal function]: {closure}(Object(Swoole\Server), 1, 0, 'throw')
#1 %s(%d): Swoole\Server->start()
#2 {main}
  thrown in %s on line %d

Fatal error: Uncaught LogicException: boom in Task in %s:%d
Stack trace:
#0 [internal function]: {closure}(Object(Swoole\Server), 0, 0, 'task-throw')
#1 %s(%d): Swoole\Server->start()
#2 {main}
  thrown in %s on line %d
[%s]	WARNING	TaskWorker::task(): [Worker#1] the execution of task#0 has failed: the Task callback threw
