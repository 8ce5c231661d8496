--TEST--
An exception thrown in a timer callback is reported as PHP's uncaught fatal error, but the worker goes on: the throwing tick itself and the other timers keep firing, connections are still served and tasks still run, and the worker is not restarted (same pid, one onWorkerStart); the same in a task worker
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$serv->on('WorkerStart', function ($s, $wid) {
    $who = $s->taskworker ? 'task' : 'event';
    rs_note("start $who " . getmypid());
    $runs = 0;
    // Throws on its 2nd run, then goes on.
    Swoole\Timer::tick(20, function ($id) use (&$runs, $who) {
        $runs++;
        if ($runs === 2) {
            throw new Exception("boom in $who tick");
        }
        if ($runs === 6) {
            rs_note("$who throwing tick ran 6 times");
        }
    });
    Swoole\Timer::after(30, function () use ($who) {
        throw new RuntimeException("boom in $who after");
    });
    $other = 0;
    Swoole\Timer::tick(25, function ($id) use (&$other, $who) {
        if (++$other === 6) {
            rs_note("$who other tick ran 6 times");
            Swoole\Timer::clear($id);
        }
    });
});
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $s->task($fd);
});
$serv->on('Task', function ($s, $id, $src, $fd) {
    return [$fd, getmypid()];
});
$serv->on('Finish', function ($s, $id, $r) {
    $s->send($r[0], getmypid() . ' ' . $r[1] . "\n");
});
$serv->on('WorkerError', fn($s, $wid, $pid, $code, $sig) => rs_note("WorkerError $wid $code $sig"));
rs_ready($serv);
$serv->start();
PHP);
$pids = [];
foreach ($srv->waitNotes('start', 2) as $l) {
    [, $who, $pid] = explode(' ', $l);
    $pids[$who] = $pid;
}
foreach (['event', 'task'] as $who) {
    $srv->waitOutput("boom in $who tick");
    $srv->waitOutput("boom in $who after");
    echo implode("\n", $srv->waitNotes("$who throwing tick ran 6 times")), "\n";
    echo implode("\n", $srv->waitNotes("$who other tick ran 6 times")), "\n";
}
$c = $srv->connect();
fwrite($c, 'hello');
$got = '';
$deadline = microtime(true) + 5;
while (!str_ends_with($got, "\n") && microtime(true) < $deadline) {
    $got .= $srv->read($c, 1, 0.05);
}
fclose($c);
echo "served by the same event and task workers: ", var_export($got === "{$pids['event']} {$pids['task']}\n", true), "\n";
echo "worker starts: ", count(preg_grep('/^start /', $srv->notes())), ", WorkerError: ", count(preg_grep('/^WorkerError/', $srv->notes())), "\n";
echo "exit code: ", $srv->stop(), "\n";
// Each process's two reports, in the order they happened (the processes interleave).
$out = $srv->output();
preg_match_all('/^(PHP )?Fatal error: +Uncaught (\w+): boom in (event|task) (tick|after) in [^\n]*$/m', $out, $m, PREG_SET_ORDER);
$lines = array_map(fn($x) => "$x[3]: Fatal error: Uncaught $x[2]: boom in $x[3] $x[4]", $m);
sort($lines);
echo implode("\n", $lines), "\n";
echo "fatal errors reported: ", substr_count($out, 'Fatal error'), "\n";
echo "output without them is empty: ", var_export(trim(preg_replace('/(PHP )?Fatal error: +Uncaught .*?thrown in [^\n]* on line \d+/s', '', $out)) === '', true), "\n";
?>
--EXPECT--
event throwing tick ran 6 times
event other tick ran 6 times
task throwing tick ran 6 times
task other tick ran 6 times
served by the same event and task workers: true
worker starts: 2, WorkerError: 0
exit code: 0
event: Fatal error: Uncaught Exception: boom in event tick
event: Fatal error: Uncaught RuntimeException: boom in event after
task: Fatal error: Uncaught Exception: boom in task tick
task: Fatal error: Uncaught RuntimeException: boom in task after
fatal errors reported: 4
output without them is empty: true
