--TEST--
SWOOLE_PROCESS roles: Start and Shutdown run in the master (the process that called start()), the manager is the master's only child and the workers are the manager's children, master_pid is the master everywhere (ManagerStart and every WorkerStart included), mode is SWOOLE_PROCESS, reactor_id in Receive is a reactor thread id, and the code after start() runs once, in the master
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2, 'task_worker_num' => 1, 'reactor_num' => 2]);
$serv->on('Start', fn($s) => rs_note("Start pid=" . getmypid() . " master_pid=$s->master_pid manager_pid=$s->manager_pid mode=$s->mode"));
$serv->on('ManagerStart', fn($s) => rs_note("ManagerStart pid=" . getmypid() . " ppid=" . posix_getppid() . " master_pid=$s->master_pid manager_pid=$s->manager_pid"));
$serv->on('WorkerStart', fn($s, $id) => rs_note("WorkerStart $id pid=" . getmypid() . " ppid=" . posix_getppid() . " master_pid=$s->master_pid manager_pid=$s->manager_pid task=" . var_export($s->taskworker, true)));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    rs_note("Receive reactor_id=$rid master_pid=$s->master_pid");
    $s->send($fd, "ok");
});
$serv->on('Task', fn() => null);
$serv->on('ManagerStop', fn($s) => rs_note("ManagerStop pid=" . getmypid()));
$serv->on('Shutdown', fn($s) => rs_note("Shutdown pid=" . getmypid()));
rs_ready($serv);
$r = $serv->start();
rs_note("after start pid=" . getmypid() . " returned " . var_export($r, true));
PHP);
$master = $srv->pid;
$srv->waitNotes('WorkerStart', 3);
$srv->waitNotes('ManagerStart');
$start = $srv->waitNotes('Start')[0];
preg_match('/^Start pid=(\d+) master_pid=(\d+) manager_pid=(\d+) mode=(\d+)$/', $start, $m);
echo "Start in the master: ", var_export((int)$m[1] === $master, true), "\n";
echo "Start master_pid: ", var_export((int)$m[2] === $master, true), "\n";
echo "mode is SWOOLE_PROCESS: ", var_export((int)$m[4] === SWOOLE_PROCESS, true), "\n";
$manager = (int)$m[3];
$ppid = function (int $pid): int {
    $s = file_get_contents("/proc/$pid/stat");
    return (int)explode(' ', substr($s, strrpos($s, ')') + 2))[1];
};
echo "manager's parent is the master: ", var_export($ppid($manager) === $master, true), "\n";
$children = array_values(array_filter($srv->processes(), fn($p) => $p !== $master && $ppid($p) === $master));
echo "master's children are [manager]: ", var_export($children === [$manager], true), "\n";
preg_match('/^ManagerStart pid=(\d+) ppid=(\d+) master_pid=(\d+) manager_pid=(\d+)$/', $srv->waitNotes('ManagerStart')[0], $m);
echo "ManagerStart: in manager=", var_export((int)$m[1] === $manager, true), " ppid=master ", var_export((int)$m[2] === $master, true),
    " master_pid ", var_export((int)$m[3] === $master, true), " manager_pid ", var_export((int)$m[4] === $manager, true), "\n";
$ws = $srv->waitNotes('WorkerStart', 3);
sort($ws);
$workers = [];
foreach ($ws as $l) {
    preg_match('/^WorkerStart (\d) pid=(\d+) ppid=(\d+) master_pid=(\d+) manager_pid=(\d+) task=(\w+)$/', $l, $m);
    $workers[] = (int)$m[2];
    echo "WorkerStart $m[1] task=$m[6]: parent is the manager ", var_export((int)$m[3] === $manager && $ppid((int)$m[2]) === $manager, true),
        " master_pid ", var_export((int)$m[4] === $master, true), " manager_pid ", var_export((int)$m[5] === $manager, true), "\n";
}
sort($workers);
$all = array_merge([$master, $manager], $workers);
sort($all);
echo "processes are master, manager and 3 workers: ", var_export($srv->processes() === $all, true), "\n";
// Several connections, so both reactor threads get some (each reactor_id is 0 or 1).
$rids = [];
for ($i = 0; $i < 8; $i++) {
    $c = $srv->connect();
    fwrite($c, 'x');
    echo $srv->read($c, 2) === 'ok' ? '' : "no answer on connection $i\n";
    fclose($c);
}
$master_ok = true;
foreach ($srv->waitNotes('Receive', 8) as $l) {
    preg_match('/^Receive reactor_id=(-?\d+) master_pid=(\d+)$/', $l, $m);
    $rids[] = (int)$m[1];
    $master_ok = $master_ok && (int)$m[2] === $master;
}
echo "master_pid in Receive: ", var_export($master_ok, true), "\n";
echo "reactor ids within 0..1: ", var_export(array_diff(array_unique($rids), [0, 1]) === [], true), "\n";
echo "exit code: ", $srv->stop(), "\n";
$notes = $srv->notes();
foreach (['Shutdown', 'ManagerStop', 'after start'] as $p) {
    $l = array_values(array_filter($notes, fn($n) => str_starts_with($n, $p)));
    echo "$p: count=", count($l), " ", str_replace(["pid=$master", "pid=$manager"], ['pid=MASTER', 'pid=MANAGER'], implode(' | ', $l)), "\n";
}
echo "last note: ", str_replace("pid=$master", 'pid=MASTER', end($notes)), "\n";
echo $srv->output();
?>
--EXPECT--
Start in the master: true
Start master_pid: true
mode is SWOOLE_PROCESS: true
manager's parent is the master: true
master's children are [manager]: true
ManagerStart: in manager=true ppid=master true master_pid true manager_pid true
WorkerStart 0 task=false: parent is the manager true master_pid true manager_pid true
WorkerStart 1 task=false: parent is the manager true master_pid true manager_pid true
WorkerStart 2 task=true: parent is the manager true master_pid true manager_pid true
processes are master, manager and 3 workers: true
master_pid in Receive: true
reactor ids within 0..1: true
exit code: 0
Shutdown: count=1 Shutdown pid=MASTER
ManagerStop: count=1 ManagerStop pid=MANAGER
after start: count=1 after start pid=MASTER returned true
last note: after start pid=MASTER returned true
