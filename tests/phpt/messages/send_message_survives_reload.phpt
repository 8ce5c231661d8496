--TEST--
Messages to a worker that is being reloaded wait for it: 100 sent while it is busy (a), 100 after the reload began while it is still busy (b), 100 while its successor is still in onWorkerStart (c) are all delivered exactly once and in order, by the old process or (c: necessarily) its successor. Task worker destination (busy in a long onTask; $serv->reload(true) reloads the task workers); event worker destination (busy in a long PipeMessage; SIGUSR1 to the manager reloads all workers, the sender too)
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
/** Sends a one-line request and returns the reply line. */
function ask(TestServer $srv, string $msg): string
{
    $c = $srv->connect();
    fwrite($c, "$msg\n");
    $got = '';
    $deadline = microtime(true) + 10;
    while (!str_ends_with($got, "\n") && microtime(true) < $deadline) {
        $got .= $srv->read($c, 1, 0.1);
    }
    fclose($c);
    return rtrim($got, "\n");
}
/** What the receiver `$dst` got (notes "got <msg> <pid>"), and by which processes. */
function report(TestServer $srv, int $dst, int $n, array $before_stop): void
{
    $starts = [];
    foreach ($srv->notes() as $l) {
        if (preg_match("/^start $dst (\\d+)$/", $l, $m)) {
            $starts[] = (int)$m[1];
        }
    }
    [$busy] = $srv->waitNotes('busy');
    $old = (int)explode(' ', $busy)[1];
    $got = $pids = [];
    foreach ($srv->notes() as $l) {
        if (preg_match('/^got (\S+) (\d+)$/', $l, $m)) {
            $got[] = $m[1];
            $pids[(int)$m[2]] = true;
        }
    }
    $want = $by_successor = [];
    foreach ($srv->notes() as $l) {
        if (preg_match('/^got (c\d+) (\d+)$/', $l, $m)) {
            $by_successor[] = (int)$m[2] === ($starts[1] ?? 0);
        }
    }
    foreach (['a', 'b', 'c'] as $p) {
        for ($i = 0; $i < $n; $i++) {
            $want[] = "$p$i";
        }
    }
    echo "worker $dst replaced: ", var_export(count($starts) === 2 && $starts[0] === $old && $starts[1] !== $old, true), "\n";
    echo "messages delivered: ", count($got), ", distinct: ", count(array_unique($got)), ", in the order sent: ", var_export($got === $want, true), "\n";
    echo "each by the old process or its successor: ", var_export(!array_diff(array_keys($pids), $starts), true), "\n";
    echo "c by the successor: ", var_export(count($by_successor) === $n && !in_array(false, $by_successor, true), true), "\n";
    $early = count(preg_grep('/^got /', $before_stop));
    echo "all delivered before the stop: ", $early === count($got) ? 'true' : "no, $early", "\n";
}

echo "--- task worker destination, reload(true)\n";
$srv = TestServer::start(<<<'PHP'
/** In worker `$dst`'s successor: waits until the test has had messages sent (c). */
function successor_waits(int $id, int $dst): void {
    if ($id === $dst && file_exists(RS_DIR . '/release')) {
        rs_note('successor waiting');
        $deadline = microtime(true) + 8;
        while (!file_exists(RS_DIR . '/sent-c') && microtime(true) < $deadline) {
            usleep(1000);
        }
    }
}
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2, 'max_wait_time' => 10]);
$serv->on('WorkerStart', function ($s, $id) {
    rs_note("start $id " . getmypid());
    Swoole\Timer::after(1, fn() => rs_note("loop $id"));
    successor_waits($id, 1);
});
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $data = trim($data);
    if ($data === 'busy') {
        $s->send($fd, 'task ' . var_export($s->task('busy', 0), true) . "\n");
    } elseif ($data === 'reload') {
        $s->send($fd, 'reload ' . var_export($s->reload(true), true) . "\n");
    } else {
        // "a", "b" or "c": 100 messages to task worker 1
        $ok = 0;
        for ($i = 0; $i < 100; $i++) {
            $ok += $s->sendMessage("$data$i", 1);
        }
        $s->send($fd, "sent $ok\n");
    }
});
$serv->on('Task', function ($s, $id, $src, $data) {
    rs_note('busy ' . getmypid());
    $deadline = microtime(true) + 8;
    while (!file_exists(RS_DIR . '/release') && microtime(true) < $deadline) {
        usleep(1000);
    }
    return 'released';
});
$serv->on('Finish', function ($s, $id, $data) {
    rs_note("finish $data");
});
$serv->on('PipeMessage', function ($s, $src, $msg) {
    rs_note("got $msg " . getmypid());
});
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('loop', 3);
echo ask($srv, 'busy'), "\n";
$srv->waitNotes('busy');
echo ask($srv, 'a'), "\n";
echo ask($srv, 'reload'), "\n";
$srv->waitOutput('reloading task workers');
// Task worker 1 is the first to be reloaded: it has been told to stop, and is still busy.
echo ask($srv, 'b'), "\n";
touch($srv->dir() . '/release');
echo implode("\n", $srv->waitNotes('finish')), "\n";
$srv->waitNotes('successor waiting');
echo ask($srv, 'c'), "\n";
touch($srv->dir() . '/sent-c');
try {
    $srv->waitNotes('got', 300, 5);
    $srv->waitNotes('start', 5);
} catch (RuntimeException $e) {
}
$before_stop = $srv->notes();
echo "exit code: ", $srv->stop(), "\n";
report($srv, 1, 100, $before_stop);
echo preg_replace('/^\[[^\n]*INFO\tManager::reload[^\n]*\n/m', '', $srv->output());

echo "--- event worker destination, SIGUSR1\n";
$srv = TestServer::start(<<<'PHP'
/** In worker `$dst`'s successor: waits until the test has had messages sent (c). */
function successor_waits(int $id, int $dst): void {
    if ($id === $dst && file_exists(RS_DIR . '/release')) {
        rs_note('successor waiting');
        $deadline = microtime(true) + 8;
        while (!file_exists(RS_DIR . '/sent-c') && microtime(true) < $deadline) {
            usleep(1000);
        }
    }
}
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 1, 'max_wait_time' => 10]);
$serv->on('WorkerStart', function ($s, $id) {
    rs_note("start $id " . getmypid());
    Swoole\Timer::after(1, fn() => rs_note("loop $id"));
    successor_waits($id, 0);
    if ($id !== 1) {
        return;
    }
    // Event worker 1 sends to event worker 0 when the test says so (each step once, whichever
    // process runs worker 1 then).
    Swoole\Timer::tick(5, function () use ($s) {
        foreach (['busy', 'a', 'b', 'c'] as $step) {
            if (file_exists(RS_DIR . "/step-$step") && !file_exists(RS_DIR . "/done-$step")) {
                touch(RS_DIR . "/done-$step");
                if ($step === 'busy') {
                    $s->sendMessage('busy', 0);
                    continue;
                }
                $ok = 0;
                for ($i = 0; $i < 100; $i++) {
                    $ok += $s->sendMessage("$step$i", 0);
                }
                rs_note("sent $step $ok");
                if ($step === 'c') {
                    touch(RS_DIR . '/sent-c');
                }
            }
        }
    });
});
$serv->on('PipeMessage', function ($s, $src, $msg) {
    if ($msg === 'busy') {
        rs_note('busy ' . getmypid());
        $deadline = microtime(true) + 8;
        while (!file_exists(RS_DIR . '/release') && microtime(true) < $deadline) {
            usleep(1000);
        }
        return;
    }
    rs_note("got $msg " . getmypid());
});
$serv->on('Receive', function () {});
$serv->on('Task', function () {});
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('loop', 3);
touch($srv->dir() . '/step-busy');
$srv->waitNotes('busy');
touch($srv->dir() . '/step-a');
echo implode("\n", $srv->waitNotes('sent a')), "\n";
posix_kill($srv->pid, SIGUSR1);
$srv->waitOutput('reloading all workers');
// Event worker 0 is the first to be reloaded: it has been told to stop, and is still busy.
touch($srv->dir() . '/step-b');
echo implode("\n", $srv->waitNotes('sent b')), "\n";
touch($srv->dir() . '/release');
$srv->waitNotes('successor waiting');
touch($srv->dir() . '/step-c');
echo implode("\n", $srv->waitNotes('sent c')), "\n";
try {
    $srv->waitNotes('got', 300, 5);
    $srv->waitNotes('start', 6);
} catch (RuntimeException $e) {
}
$before_stop = $srv->notes();
echo "exit code: ", $srv->stop(), "\n";
report($srv, 0, 100, $before_stop);
echo preg_replace('/^\[[^\n]*INFO\tManager::reload[^\n]*\n/m', '', $srv->output());
?>
--EXPECT--
--- task worker destination, reload(true)
task 0
sent 100
reload true
sent 100
finish released
sent 100
exit code: 0
worker 1 replaced: true
messages delivered: 300, distinct: 300, in the order sent: true
each by the old process or its successor: true
c by the successor: true
all delivered before the stop: true
--- event worker destination, SIGUSR1
sent a 100
sent b 100
sent c 100
exit code: 0
worker 0 replaced: true
messages delivered: 300, distinct: 300, in the order sent: true
each by the old process or its successor: true
c by the successor: true
all delivered before the stop: true
