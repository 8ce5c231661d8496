--TEST--
User processes end with the server however it is stopped: $serv->shutdown() in an event worker, SIGTERM to $serv->manager_pid sent by a user process itself, and SIGTERM to the server while a user process ignores SIGTERM (it is killed after max_wait_time, with a warning); each time the server exits with 0, onWorkerError is not called and no process is left
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$common = <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1, 'max_wait_time' => 1]);
$serv->addProcess(new Swoole\Process(function () {
    rs_note('loop up ' . getmypid());
    while (true) {
        usleep(20000);
    }
}));
$serv->addProcess(new Swoole\Process(function (Swoole\Process $proc) {
    rs_note('reader up ' . getmypid());
    $proc->read();
    rs_note('READ RETURNED');
}));
$serv->on('WorkerError', fn($s, $id, $pid, $code, $sig) => rs_note("WORKERERROR $id $pid $code $sig"));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'shutdown') {
        $s->shutdown();
    }
});
$serv->on('Task', fn() => null);
PHP;
$run = <<<'PHP'
rs_ready($serv);
$serv->start();
rs_note('start() returned');
PHP;
$pids = function (TestServer $srv, array $names): array {
    return array_map(fn($n) => (int)substr($srv->waitNotes("$n up")[0], strlen("$n up ")), $names);
};
$report = function (string $how, TestServer $srv, int $code, array $pids, float $took) {
    $notes = $srv->notes();
    $gone = !array_filter($pids, fn($p) => file_exists("/proc/$p"));
    echo "$how: exit code $code, start() returned: ", count(preg_grep('/^start\(\) returned$/', $notes)),
        ", user processes gone: ", var_export($gone, true),
        ", onWorkerError calls: ", count(preg_grep('/^WORKERERROR/', $notes)),
        ", read() returned: ", count(preg_grep('/^READ RETURNED/', $notes)),
        ", within 4 s: ", var_export($took < 4, true), $took < 4 ? '' : sprintf(' (%.2f s)', $took), "\n";
};

// $serv->shutdown() from an event worker.
$srv = TestServer::start($common . "\n" . $run);
$p = $pids($srv, ['loop', 'reader']);
$t = microtime(true);
$c = $srv->connect();
fwrite($c, 'shutdown');
$code = $srv->waitExit();
$report('shutdown()', $srv, $code, $p, microtime(true) - $t);
echo preg_replace('/^.*abnormal exit, status=0, signal=15\n/m', '', $srv->output());

// A user process stops the server: SIGTERM to the manager.
$srv = TestServer::start($common . "\n" . <<<'PHP'
$serv->addProcess(new Swoole\Process(function () use ($serv) {
    rs_note('stopper up ' . getmypid());
    while (!file_exists(RS_DIR . '/stop')) {
        usleep(5000);
    }
    posix_kill($serv->manager_pid, SIGTERM);
    while (true) {
        usleep(20000);
    }
}));
PHP . "\n" . $run);
$p = $pids($srv, ['loop', 'reader', 'stopper']);
$t = microtime(true);
touch($srv->dir() . '/stop');
$code = $srv->waitExit();
$report('SIGTERM to manager_pid from a user process', $srv, $code, $p, microtime(true) - $t);
echo preg_replace('/^.*abnormal exit, status=0, signal=15\n/m', '', $srv->output());

// A user process that ignores SIGTERM is killed once max_wait_time (1 s) is over.
$srv = TestServer::start($common . "\n" . <<<'PHP'
$serv->addProcess(new Swoole\Process(function () {
    pcntl_signal(SIGTERM, SIG_IGN);
    rs_note('deaf up ' . getmypid());
    while (true) {
        usleep(20000);
    }
}));
PHP . "\n" . $run);
$p = $pids($srv, ['loop', 'reader', 'deaf']);
$t = microtime(true);
$code = $srv->stop();
$took = microtime(true) - $t;
$report('SIGTERM, one user process ignoring it', $srv, $code, $p, $took);
echo "took max_wait_time or more: ", var_export($took >= 0.9, true), $took >= 0.9 ? '' : sprintf(' (%.2f s)', $took), "\n";
echo preg_replace('/^.*abnormal exit, status=0, signal=15\n/m', '', $srv->output());
?>
--EXPECTF--
shutdown(): exit code 0, start() returned: 1, user processes gone: true, onWorkerError calls: 0, read() returned: 0, within 4 s: true
SIGTERM to manager_pid from a user process: exit code 0, start() returned: 1, user processes gone: true, onWorkerError calls: 0, read() returned: 0, within 4 s: true
SIGTERM, one user process ignoring it: exit code 0, start() returned: 1, user processes gone: true, onWorkerError calls: 0, read() returned: 0, within 4 s: true
took max_wait_time or more: true
[%s]	WARNING	Manager::shutdown(): worker exit timeout, forced termination (pid=%d, id=4)
[%s]	WARNING	Manager::wait(): worker(pid=%d, id=4) abnormal exit, status=0, signal=9
