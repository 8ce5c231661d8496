--TEST--
Process roles as in Swoole's BASE mode: who runs which event, ids, pids, and a clean stop
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 2]);
$launcher = getmypid();
$serv->on('ManagerStart', function ($s) use ($launcher) {
    rs_note("ManagerStart launcher=" . (int)(getmypid() === $launcher) . " manager_pid=" . (int)($s->manager_pid === $launcher) . " worker_id=$s->worker_id");
});
$serv->on('Start', function ($s) {
    rs_note("Start worker_id=$s->worker_id master_is_me=" . (int)($s->master_pid === getmypid()));
});
$serv->on('WorkerStart', function ($s, $id) {
    rs_note("WorkerStart $id worker_id=$s->worker_id getWorkerId=" . $s->getWorkerId() . " task=" . var_export($s->taskworker, true) . " pid_ok=" . (int)($s->worker_pid === getmypid()) . " manager_ok=" . (int)($s->manager_pid === posix_getppid() && $s->getManagerPid() === posix_getppid()) . " setting=" . $s->setting['worker_num'] . "/" . $s->setting['task_worker_num']);
});
$serv->on('WorkerStop', fn($s, $id) => rs_note("WorkerStop $id"));
$serv->on('ManagerStop', fn($s) => rs_note("ManagerStop"));
$serv->on('Shutdown', fn($s) => rs_note("Shutdown"));
$serv->on('Receive', fn() => null);
$serv->on('Task', fn() => null);
rs_ready($serv);
var_dump($serv->start());
rs_note("after start pid_is_launcher=" . (int)(getmypid() === $launcher));
PHP);
$srv->waitNotes('WorkerStart', 4);
$srv->waitNotes('ManagerStart');
echo "exit code: ", $srv->stop(), "\n";
$notes = $srv->notes();
$order = array_flip($notes);
$starts = array_values(array_filter($notes, fn($l) => !str_starts_with($l, 'WorkerStop') && !str_starts_with($l, 'Manager') && !str_starts_with($l, 'Shutdown') && !str_starts_with($l, 'after')));
sort($starts);
echo implode("\n", $starts), "\n";
$stops = array_filter($notes, fn($l) => str_starts_with($l, 'WorkerStop'));
sort($stops);
echo implode("\n", $stops), "\n";
echo implode("\n", array_slice($notes, -3)), "\n";
echo implode("\n", array_filter($notes, fn($l) => str_starts_with($l, 'ManagerStart'))), "\n";
echo trim($srv->output()), "\n";
?>
--EXPECT--
exit code: 0
Start worker_id=0 master_is_me=1
WorkerStart 0 worker_id=0 getWorkerId=0 task=false pid_ok=1 manager_ok=1 setting=2/2
WorkerStart 1 worker_id=1 getWorkerId=1 task=false pid_ok=1 manager_ok=1 setting=2/2
WorkerStart 2 worker_id=2 getWorkerId=2 task=true pid_ok=1 manager_ok=1 setting=2/2
WorkerStart 3 worker_id=3 getWorkerId=3 task=true pid_ok=1 manager_ok=1 setting=2/2
WorkerStop 0
WorkerStop 1
WorkerStop 2
WorkerStop 3
ManagerStop
Shutdown
after start pid_is_launcher=1
ManagerStart launcher=1 manager_pid=1 worker_id=-1
bool(true)
