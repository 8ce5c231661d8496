--TEST--
addProcess(): before start() it returns the index among added processes and sets $process->id; the manager forks each user process, whose callback gets the Process with id worker_num + task_worker_num + index and its own pid, sees worker_id -1, getWorkerId() false, worker_pid 0, getWorkerPid() false, getWorkerPid(own id) its own pid and manager_pid its parent; event workers see $p->pid null but getWorkerPid(id) the user process's pid; addProcess() on a running server is refused with a warning; a reload does not restart user processes; $srv->stop() ends them (an endless loop, a blocking read()) without onWorkerError, without an abnormal-exit warning, and leaves nothing behind
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
/** Sends `$msg` and returns the reply line (without its newline). */
function ask(TestServer $srv, string $msg): string
{
    $c = $srv->connect();
    fwrite($c, $msg);
    $got = '';
    $deadline = microtime(true) + 5;
    while (!str_ends_with($got, "\n") && microtime(true) < $deadline) {
        $got .= $srv->read($c, 1, 0.1);
    }
    fclose($c);
    return rtrim($got, "\n");
}
$srv = TestServer::start(<<<'PHP'
function report(string $name, Swoole\Process $proc, Swoole\Server $serv): void {
    rs_note("$name " . json_encode([
        'id' => $proc->id,
        '$proc->pid is getmypid()' => $proc->pid === getmypid(),
        'worker_id' => $serv->worker_id,
        'getWorkerId()' => $serv->getWorkerId(),
        'worker_pid' => $serv->worker_pid,
        'getWorkerPid()' => $serv->getWorkerPid(),
        'getWorkerPid(id) is getmypid()' => $serv->getWorkerPid($proc->id) === getmypid(),
        'manager_pid is the parent' => $serv->manager_pid === posix_getppid(),
    ]));
    rs_note("pid $name " . getmypid());
}
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 1]);
$loop = new Swoole\Process(function (Swoole\Process $proc) use ($serv) {
    report('loop', $proc, $serv);
    // Never returns: only SIGTERM's default action ends it.
    while (true) {
        usleep(20000);
    }
});
$reader = new Swoole\Process(function (Swoole\Process $proc) use ($serv) {
    report('reader', $proc, $serv);
    $r = $proc->read(); // nothing is ever written
    rs_note('READ RETURNED ' . var_export($r, true));
    while (true) {
        usleep(20000);
    }
});
$before = ['pid' => $loop->pid, 'id' => $loop->id, 'pipe is an int' => is_int($loop->pipe)];
$added = [$serv->addProcess($loop), $serv->addProcess($reader)];
rs_note('before ' . json_encode($before + ['addProcess' => $added, 'ids' => [$loop->id, $reader->id]]));
$serv->on('WorkerStart', fn($s, $id) => rs_note("workerstart $id"));
$serv->on('WorkerError', fn($s, $id, $pid, $code, $sig) => rs_note("WORKERERROR $id $pid $code $sig"));
$serv->on('Receive', function ($s, $fd, $rid, $data) use ($loop, $reader) {
    if ($data === 'add') {
        $r = $s->addProcess(new Swoole\Process(fn() => null));
        $s->send($fd, 'addProcess while running: ' . var_export($r, true) . "\n");
        return;
    }
    $s->send($fd, json_encode(['$p->pid' => [$loop->pid, $reader->pid], 'getWorkerPid' => [$s->getWorkerPid(3), $s->getWorkerPid(4)]]) . "\n");
});
$serv->on('Task', fn() => null);
rs_ready($serv);
$serv->start();
PHP);
echo implode("\n", $srv->waitNotes('before')), "\n";
echo implode("\n", $srv->waitNotes('loop')), "\n";
echo implode("\n", $srv->waitNotes('reader')), "\n";
$pid = fn(string $name) => (int)substr($srv->waitNotes("pid $name")[0], strlen("pid $name "));
$pids = [$pid('loop'), $pid('reader')];
echo "user processes are in the server's session: ", var_export(!array_diff($pids, $srv->processes()), true), "\n";

$r = json_decode(ask($srv, 'pids'), true);
echo "event worker: \$p->pid ", json_encode($r['$p->pid']), ", getWorkerPid(3), getWorkerPid(4) are the user processes' pids: ",
    var_export($r['getWorkerPid'] === $pids, true), "\n";
echo ask($srv, 'add'), "\n";

// A reload replaces the event and task workers only.
$srv->waitNotes('workerstart', 3);
posix_kill($srv->pid, SIGUSR1);
$srv->waitNotes('workerstart', 6);
$srv->waitOutput('reloading all workers');
$r = json_decode(ask($srv, 'pids'), true);
echo "after the reload, getWorkerPid() gives the same user process pids: ", var_export($r['getWorkerPid'] === $pids, true), "\n";
echo "both still alive: ", var_export(posix_kill($pids[0], 0) && posix_kill($pids[1], 0), true), "\n";

echo "exit code: ", $srv->stop(), "\n";
echo "user process starts: loop ", count($srv->waitNotes('loop')), ", reader ", count($srv->waitNotes('reader')), "\n";
echo "onWorkerError calls: ", count(preg_grep('/^WORKERERROR/', $srv->notes())), "\n";
echo "read() returned: ", count(preg_grep('/^READ RETURNED/', $srv->notes())), "\n";
echo $srv->output();
?>
--EXPECTF--
before {"pid":null,"id":null,"pipe is an int":true,"addProcess":[0,1],"ids":[0,1]}
loop {"id":3,"$proc->pid is getmypid()":true,"worker_id":-1,"getWorkerId()":false,"worker_pid":0,"getWorkerPid()":false,"getWorkerPid(id) is getmypid()":true,"manager_pid is the parent":true}
reader {"id":4,"$proc->pid is getmypid()":true,"worker_id":-1,"getWorkerId()":false,"worker_pid":0,"getWorkerPid()":false,"getWorkerPid(id) is getmypid()":true,"manager_pid is the parent":true}
user processes are in the server's session: true
event worker: $p->pid [null,null], getWorkerPid(3), getWorkerPid(4) are the user processes' pids: true
addProcess while running: false
after the reload, getWorkerPid() gives the same user process pids: true
both still alive: true
exit code: 0
user process starts: loop 1, reader 1
onWorkerError calls: 0
read() returned: 0

Warning: Swoole\Server::addProcess(): The server is running, unable to add a process in %s on line %d
[%s]	INFO	Manager::reload(): reloading all workers
