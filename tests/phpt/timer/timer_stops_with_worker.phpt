--TEST--
Timers end with their worker: with a pending 10 ms tick and an after(60000) in every event and task worker, a reload (SIGUSR1) replaces the workers at once (well under Swoole's max_wait_time of 3 s), the new workers start with no timers and ids from 1 again; $serv->shutdown() and SIGTERM ($srv->stop()) stop the server at once too; no timer fires after onWorkerStop ran, nor while a stopping event worker waits for a task in flight
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$code = <<<'PHP'
function n(string $k, $v): void { rs_note("$k " . json_encode($v)); }
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$stopped = false;
$serv->on('WorkerStart', function ($s, $wid) use (&$stopped) {
    $pid = getmypid();
    $before = ['list' => Swoole\Timer::list(), 'initialized' => Swoole\Timer::stats()['initialized']];
    $tick = Swoole\Timer::tick(10, function () use (&$stopped, $pid) {
        if ($stopped) {
            rs_note("LATE TICK in $pid");
        }
    });
    $after = Swoole\Timer::after(60000, fn() => rs_note("LATE AFTER in $pid"));
    rs_note("start $wid $pid " . json_encode(['before' => $before, 'ids' => [$tick, $after]]));
});
$serv->on('WorkerStop', function ($s, $wid) use (&$stopped) {
    $stopped = true;
    rs_note("stop $wid " . getmypid());
});
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'shutdown') {
        $s->shutdown();
    }
});
$serv->on('Task', fn() => null);
rs_ready($serv);
$serv->start();
PHP;

/** The 'start' notes without their pids, sorted by worker id. */
function starts(array $lines): array
{
    $out = array_map(fn($l) => preg_replace('/^start (\d+) \d+ /', 'start $1 ', $l), $lines);
    sort($out);
    return $out;
}
$late = fn(TestServer $srv) => count(preg_grep('/LATE/', $srv->notes()));

$srv = TestServer::start($code);
echo implode("\n", starts($srv->waitNotes('start', 2))), "\n";
$t = microtime(true);
posix_kill($srv->pid, SIGUSR1);
$srv->waitNotes('start', 4);
$took = microtime(true) - $t;
echo "reload under 2.5 s: ", var_export($took < 2.5, true), $took < 2.5 ? '' : sprintf(' (%.2f s)', $took), "\n";
$all = $srv->waitNotes('start', 4);
echo implode("\n", starts(array_slice($all, 2))), "\n";
echo "old workers stopped: ", count($srv->waitNotes('stop', 2)), "\n";
$c = $srv->connect();
$t = microtime(true);
fwrite($c, 'shutdown');
$code_ = $srv->waitExit();
$took = microtime(true) - $t;
echo "exit code: $code_\n";
echo "shutdown() under 2.5 s: ", var_export($took < 2.5, true), $took < 2.5 ? '' : sprintf(' (%.2f s)', $took), "\n";
echo "stops: ", count($srv->waitNotes('stop', 4)), ", timers fired after onWorkerStop: ", $late($srv), "\n";
echo $srv->output();

$srv = TestServer::start($code);
$srv->waitNotes('start', 2);
$t = microtime(true);
$code_ = $srv->stop();
$took = microtime(true) - $t;
echo "exit code: $code_\n";
echo "SIGTERM under 2.5 s: ", var_export($took < 2.5, true), $took < 2.5 ? '' : sprintf(' (%.2f s)', $took), "\n";
echo "stops: ", count($srv->waitNotes('stop', 2)), ", timers fired after onWorkerStop: ", $late($srv), "\n";
echo $srv->output();

// A stop that lasts: the event worker waits for the result of a task in flight (its onFinish
// still runs), and its 10 ms tick fires no more meanwhile.
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$serv->on('WorkerStart', function ($s, $wid) {
    if (!$s->taskworker) {
        Swoole\Timer::tick(10, function () {
            if (file_exists(RS_DIR . '/armed')) {
                rs_note(sprintf('tick %.6f', microtime(true)));
            }
        });
    }
});
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    touch(RS_DIR . '/armed');
    $s->task('slow');
});
$serv->on('Task', function ($s, $id, $src, $data) {
    rs_note('task started');
    usleep(600000);
    return 'done';
});
$serv->on('Finish', fn($s, $id, $r) => rs_note(sprintf('finish %.6f', microtime(true))));
$serv->on('WorkerStop', fn($s, $wid) => rs_note(sprintf('stop %d %.6f', $wid, microtime(true))));
rs_ready($serv);
$serv->start();
PHP);
$c = $srv->connect();
fwrite($c, 'slow');
$srv->waitNotes('task started');
$srv->waitNotes('tick', 3);
$t = microtime(true);
echo "exit code: ", $srv->stop(), "\n";
$times = fn(string $p) => array_map(fn($l) => (float)substr($l, strrpos($l, ' ') + 1), preg_grep("/^$p /", $srv->notes()));
$finish = $times('finish');
echo "onFinish ran during the stop, 0.2 s or more after SIGTERM: ", var_export(count($finish) === 1 && $finish[array_key_first($finish)] > $t + 0.2, true), "\n";
echo "ticks 0.2 s or more after SIGTERM: ", count(array_filter($times('tick'), fn($x) => $x > $t + 0.2)), "\n";
echo "stops: ", count($times('stop 0')) + count($times('stop 1')), "\n";
echo $srv->output();
?>
--EXPECTF--
start 0 {"before":{"list":[],"initialized":false},"ids":[1,2]}
start 1 {"before":{"list":[],"initialized":false},"ids":[1,2]}
reload under 2.5 s: true
start 0 {"before":{"list":[],"initialized":false},"ids":[1,2]}
start 1 {"before":{"list":[],"initialized":false},"ids":[1,2]}
old workers stopped: 2
exit code: 0
shutdown() under 2.5 s: true
stops: 4, timers fired after onWorkerStop: 0
[%s]	INFO	Manager::reload(): reloading all workers
exit code: 0
SIGTERM under 2.5 s: true
stops: 2, timers fired after onWorkerStop: 0
exit code: 0
onFinish ran during the stop, 0.2 s or more after SIGTERM: true
ticks 0.2 s or more after SIGTERM: 0
stops: 2
