--TEST--
taskwait()/taskWaitMulti() misuse: task worker, manager, bad dst, no task workers: Swoole's warnings and false, nothing hangs
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2]);
$serv->on('ManagerStart', function ($s) {
    var_dump($s->task('from manager'));
    var_dump($s->taskwait('from manager'));
    var_dump($s->taskWaitMulti(['from manager']));
    rs_note('manager done');
});
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    var_dump($s->taskwait('x', 0.5, 2));
    var_dump($s->taskwait('x', 0.5, 1));
    $s->send($fd, 'done');
});
$serv->on('Task', function ($s, $id, $src, $data) {
    $a = @$s->taskwait('nested');
    $m1 = error_get_last()['message'];
    $b = @$s->taskWaitMulti(['nested']);
    $m2 = error_get_last()['message'];
    rs_note("in task worker: " . var_export($a, true) . " $m1; " . var_export($b, true) . " $m2");
    return "ok from $data";
});
rs_ready($serv);
$serv->start();
PHP);
// The manager's output first, then the event worker's: the request waits for ManagerStart.
$srv->waitNotes('manager done');
var_dump($srv->request('go', 4));
$srv->waitNotes('in task worker');
echo "exit code: ", $srv->stop(), "\n";
echo implode("\n", $srv->waitNotes('in task worker')), "\n";
echo $srv->output();

$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    var_dump($s->taskwait('x'));
    var_dump($s->taskWaitMulti(['x']));
    $s->send($fd, 'done');
});
rs_ready($serv);
$serv->start();
PHP);
var_dump($srv->request('go', 4));
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECTF--
string(4) "done"
exit code: 0
in task worker: false Swoole\Server::taskwait(): taskwait method can only be used in the worker process; false Swoole\Server::taskWaitMulti(): taskWaitMulti method can only be used in the worker process

Warning: Swoole\Server::task(): task method can only be used in the worker process in %s on line %d
bool(false)

Warning: Swoole\Server::taskwait(): taskwait method can only be used in the worker process in %s on line %d
bool(false)

Warning: Swoole\Server::taskWaitMulti(): taskWaitMulti method can only be used in the worker process in %s on line %d
bool(false)

Warning: Swoole\Server::taskwait(): worker_id must be less than task_worker_num[2] in %s on line %d
bool(false)
string(9) "ok from x"
string(4) "done"
exit code: 0

Warning: Swoole\Server::taskwait(): task method can't be executed without task worker in %s on line %d
bool(false)

Warning: Swoole\Server::taskWaitMulti(): task method can't be executed without task worker in %s on line %d
bool(false)
