--TEST--
Inside a user process sendMessage() reaches an event worker and a task worker (PipeMessage gets src = the user process id; an array arrives as an array), also from its timers; Swoole\Timer::tick/after work there, and when the callback returns with timers pending the process stays up and fires them, exits once none is left and is started again (without onWorkerError); with a timer that never comes due it stays up until SIGTERM, which stops it at once
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$serv->addProcess(new Swoole\Process(function (Swoole\Process $proc) use ($serv) {
    $pid = getmypid();
    $run = @fopen(RS_DIR . '/first', 'x') ? 1 : 2; // exclusive create: the first run only
    rs_note("start $run $pid");
    rs_note("sent $run " . json_encode([$serv->sendMessage("hello from $run", 0), $serv->sendMessage(['run' => $run, 'to' => 'task'], 1)]));
    $n = 0;
    $ticks = $run === 1 ? 3 : 5;
    Swoole\Timer::tick(20, function ($id) use (&$n, $serv, $run, $pid, $ticks) {
        $n++;
        rs_note("tick $run $n $pid");
        $serv->sendMessage("tick $run $n", 0);
        if ($n === $ticks) {
            Swoole\Timer::clear($id);
            rs_note("cleared $run $pid");
        }
    });
    if ($run === 1) {
        Swoole\Timer::after(50, fn($a, $b) => rs_note("after $run $pid $a $b"), 'x', 'y');
    } else {
        // Never comes due: the process stays up until the server stops.
        Swoole\Timer::after(60000, fn() => rs_note("LATE AFTER $pid"));
    }
    rs_note("returning $run $pid");
}));
$serv->on('PipeMessage', function ($s, $src, $msg) {
    rs_note(sprintf('message to %d (%s) from %d: %s', $s->worker_id, $s->taskworker ? 'task worker' : 'event worker', $src, json_encode($msg)));
});
$serv->on('WorkerError', fn($s, $id, $pid, $code, $sig) => rs_note("WORKERERROR $id $pid $code $sig"));
$serv->on('Receive', fn($s, $fd, $rid, $data) => null);
$serv->on('Task', fn() => null);
rs_ready($serv);
$serv->start();
PHP);
$strip = fn(array $lines) => array_map(fn($l) => preg_replace('/ \d{2,}\b/', ' PID', $l), $lines);

// The first run: its callback returns before its timers fire; they fire in the same process.
$pid1 = (int)explode(' ', $srv->waitNotes('start 1')[0])[2];
$srv->waitNotes('cleared 1');
$srv->waitNotes('after 1');
$srv->waitNotes('message to 0 (event worker) from 2: "tick 1 3"');
$first = array_values(array_filter($srv->notes(), fn($l) => preg_match('/^(start|sent|tick|returning|after|cleared) 1 /', $l)));
// The after(50) falls between the ticks; its place among them is not checked.
echo implode("\n", $strip(array_values(preg_grep('/^after /', $first, PREG_GREP_INVERT)))), "\n";
echo implode("\n", $strip(preg_grep('/^after /', $first))), "\n";
echo "timers fired in the first process: ", var_export(count(preg_grep("/^(tick|after) 1 .*\\b$pid1\\b/", $first)) === 4, true), "\n";
$returned = array_search("returning 1 $pid1", $first);
echo "all of them after the callback returned: ", var_export($returned !== false && !preg_grep('/^(tick|after) /', array_slice($first, 0, $returned)), true), "\n";

// With no timer left it exited and was started again.
$pid2 = (int)explode(' ', $srv->waitNotes('start 2')[0])[2];
echo "started again with a new pid: ", var_export($pid2 !== $pid1, true), "\n";
echo "the first process is gone: ", var_export($srv->waitUntil(fn() => !file_exists("/proc/$pid1"), 5, "$pid1 to go"), true), "\n";

// The second run keeps an after(60000): still up well after its last tick.
$srv->waitNotes('cleared 2');
$t = microtime(true);
$alive = true;
while (microtime(true) < $t + 0.6) {
    $alive = $alive && posix_kill($pid2, 0) && count($srv->waitNotes('start')) === 2;
    usleep(20000);
}
echo "with a pending timer it stays up after its last tick: ", var_export($alive, true), "\n";

$run1 = $srv->waitNotes('message', 5);
// Each destination gets its messages in order; between the two, order is not defined.
$run1 = array_filter($run1, fn($m) => preg_match('/hello from 1|"run":1|tick 1 /', $m));
usort($run1, fn($a, $b) => str_contains($a, 'task worker') <=> str_contains($b, 'task worker')); // stable
echo implode("\n", $run1), "\n";
$run2 = $srv->waitUntil(function () use ($srv) {
    $m = preg_grep('/^message .*(hello from 2|"run":2|tick 2 )/', $srv->notes());
    return count($m) >= 7 ? $m : false;
}, 5, '7 messages from the second run');
echo "messages from the second run: ", count($run2), ", all from id 2: ", var_export(count(preg_grep('/ from 2: /', $run2)) === 7, true), "\n";

$t = microtime(true);
echo "exit code: ", $srv->stop(), "\n";
$took = microtime(true) - $t;
echo "stopped within 2.5 s: ", var_export($took < 2.5, true), $took < 2.5 ? '' : sprintf(' (%.2f s)', $took), "\n";
echo "starts: ", count($srv->waitNotes('start')), ", onWorkerError calls: ", count(preg_grep('/^WORKERERROR/', $srv->notes())), ", late timers: ", count(preg_grep('/^LATE/', $srv->notes())), "\n";
?>
--EXPECT--
start 1 PID
sent 1 [true,true]
returning 1 PID
tick 1 1 PID
tick 1 2 PID
tick 1 3 PID
cleared 1 PID
after 1 PID x y
timers fired in the first process: true
all of them after the callback returned: true
started again with a new pid: true
the first process is gone: true
with a pending timer it stays up after its last tick: true
message to 0 (event worker) from 2: "hello from 1"
message to 0 (event worker) from 2: "tick 1 1"
message to 0 (event worker) from 2: "tick 1 2"
message to 0 (event worker) from 2: "tick 1 3"
message to 1 (task worker) from 2: {"run":1,"to":"task"}
messages from the second run: 7, all from id 2: true
exit code: 0
stopped within 2.5 s: true
starts: 2, onWorkerError calls: 0, late timers: 0
