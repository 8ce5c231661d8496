--TEST--
A user process that exits is started again by the manager with the same id and a new pid: exit(3) is reported to onWorkerError (in the manager) as exit code 3 (Swoole: 255), an uncaught exception as PHP's fatal error and exit code 255, a SIGKILL from outside as signal 9; a callback that returns calls no onWorkerError, and one that keeps returning at once is restarted with a doubling backoff (200 ms, 400 ms, ...), not in a tight loop; in every start getWorkerPid(own id) is already its pid
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
/** Notes a start: name, id, pid, whether getWorkerPid(id) already gives the pid, time. */
function started(string $name, Swoole\Process $proc, Swoole\Server $serv): void {
    rs_note(sprintf('start %s %d %d %s %.6f', $name, $proc->id, getmypid(),
        var_export($serv->getWorkerPid($proc->id) === getmypid(), true), microtime(true)));
}
/** True the first time only (over all starts of the process). */
function first(string $name): bool {
    return (bool)@fopen(RS_DIR . "/first-$name", 'x'); // exclusive create: one winner
}
function idle(): void {
    while (true) {
        usleep(20000);
    }
}
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$serv->addProcess(new Swoole\Process(function ($proc) use ($serv) {
    started('returns', $proc, $serv);
}));
$serv->addProcess(new Swoole\Process(function ($proc) use ($serv) {
    started('exits', $proc, $serv);
    if (first('exits')) {
        exit(3);
    }
    idle();
}));
$serv->addProcess(new Swoole\Process(function ($proc) use ($serv) {
    started('throws', $proc, $serv);
    if (first('throws')) {
        throw new RuntimeException('boom in a user process');
    }
    idle();
}));
$serv->addProcess(new Swoole\Process(function ($proc) use ($serv) {
    started('killed', $proc, $serv);
    idle();
}));
$serv->on('WorkerError', function ($s, $id, $pid, $code, $sig) {
    rs_note(sprintf('error %d %d %d %d in manager: %s', $id, $pid, $code, $sig, var_export(getmypid() === $s->manager_pid, true)));
});
$serv->on('Receive', fn($s, $fd, $rid, $data) => null);
$serv->on('Task', fn() => null);
rs_ready($serv);
$serv->start();
PHP);
/** The starts of process `$name`: [[id, pid, getWorkerPid ok, time], ...]. */
$starts = function (string $name, int $n) use ($srv): array {
    return array_map(function ($l) {
        [, , $id, $pid, $ok, $t] = explode(' ', $l);
        return [(int)$id, (int)$pid, $ok, (float)$t];
    }, $srv->waitNotes("start $name ", $n));
};
$errorOf = function (int $pid) use ($srv): string {
    $e = $srv->waitUntil(fn() => preg_grep("/^error \\d+ $pid /", $srv->notes()), 5, "onWorkerError for $pid");
    return preg_replace("/ $pid /", ' PID ', reset($e));
};
$describe = function (array $s): string {
    return sprintf('ids %s, %d different pids', implode(',', array_unique(array_column($s, 0))), count(array_unique(array_column($s, 1))));
};

// exit(3): reported with its code, then started again.
$s = $starts('exits', 2);
echo "exits: ", $errorOf($s[0][1]), "; ", $describe(array_slice($s, 0, 2)), "\n";

// An uncaught exception: PHP's fatal error, exit code 255.
$s = $starts('throws', 2);
echo "throws: ", $errorOf($s[0][1]), "; ", $describe(array_slice($s, 0, 2)), "\n";
$srv->waitOutput('boom in a user process');

// SIGKILL from outside.
$s = $starts('killed', 1);
posix_kill($s[0][1], SIGKILL);
$s = $starts('killed', 2);
echo "killed: ", $errorOf($s[0][1]), "; ", $describe(array_slice($s, 0, 2)), "\n";

// A callback that returns at once, over 1.5 s after its first start (a tight loop would
// start it hundreds of times).
$s = $starts('returns', 1);
$t0 = $s[0][3];
$srv->waitUntil(fn() => microtime(true) > $t0 + 1.6, 5, 'the end of the window');
$s = array_values(array_filter($starts('returns', 1), fn($x) => $x[3] <= $t0 + 1.5));
$n = count($s);
echo "returns: started 2 to 6 times in 1.5 s: ", var_export($n >= 2 && $n <= 6, true), $n >= 2 && $n <= 6 ? '' : " ($n)",
    "; ids ", implode(',', array_unique(array_column($s, 0))), ", a new pid each time: ", var_export(count(array_unique(array_column($s, 1))) === $n, true), "\n";
$gap = $n >= 2 ? $s[1][3] - $s[0][3] : 0;
echo "returns: first restart 0.18 s or more after the first start: ", var_export($gap >= 0.18, true), $gap >= 0.18 ? '' : sprintf(' (%.3f s)', $gap), "\n";
$gaps = [];
for ($i = 2; $i < $n; $i++) {
    $gaps[] = $s[$i][3] - $s[$i - 1][3];
}
$growing = true;
foreach ($gaps as $i => $g) {
    $growing = $growing && $g > ($i === 0 ? $gap : $gaps[$i - 1]);
}
echo "returns: each wait longer than the one before: ", var_export($growing, true), "\n";

echo "exit code: ", $srv->stop(), "\n";
$notes = $srv->notes();
echo "onWorkerError for the process that returns: ", count(preg_grep('/^error 2 /', $notes)), "\n";
echo "onWorkerError calls in all: ", count(preg_grep('/^error /', $notes)), "\n";
$all = preg_grep('/^start /', $notes);
echo "getWorkerPid(own id) is the own pid in every start: ", var_export(!preg_grep('/ false /', $all), true), " (", count($all) >= 7 ? 'at least 7' : count($all), " starts)\n";
$out = $srv->output();
echo "fatal errors: ", substr_count($out, 'Fatal error: Uncaught RuntimeException: boom in a user process'), "\n";
echo preg_match('/Fatal error: Uncaught RuntimeException: boom in a user process in .*\nStack trace:\n#0 \[internal function\]: \{closure\}\(Object\(Swoole\\\\Process\)\)/', $out) ? "the fatal error shows the callback called with the Process\n" : "UNEXPECTED FATAL ERROR FORMAT:\n$out\n";
?>
--EXPECT--
exits: error 3 PID 3 0 in manager: true; ids 3, 2 different pids
throws: error 4 PID 255 0 in manager: true; ids 4, 2 different pids
killed: error 5 PID 0 9 in manager: true; ids 5, 2 different pids
returns: started 2 to 6 times in 1.5 s: true; ids 2, a new pid each time: true
returns: first restart 0.18 s or more after the first start: true
returns: each wait longer than the one before: true
exit code: 0
onWorkerError for the process that returns: 0
onWorkerError calls in all: 3
getWorkerPid(own id) is the own pid in every start: true (at least 7 starts)
fatal errors: 1
the fatal error shows the callback called with the Process
