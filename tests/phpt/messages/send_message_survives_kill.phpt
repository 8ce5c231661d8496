--TEST--
Messages in the channel of a worker that dies wait for its successor: the receiver is busy (so it has read none of them) when it is killed with SIGKILL, or force-killed by a reload it does not finish within max_wait_time; 100 sent while it is busy and 100 while it is dead or its successor is still in onWorkerStart are all delivered by the successor, exactly once, in order. Task worker and event worker destinations
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
/** The successor of worker `$dst` (in its onWorkerStart) waits until the test has had messages sent. */
const SERVER_PRELUDE = <<<'PHP'
function successor_waits(int $id, int $dst): void {
    if ($id === $dst && file_exists(RS_DIR . '/killed')) {
        rs_note('successor waiting');
        $deadline = microtime(true) + 8;
        while (!file_exists(RS_DIR . '/sent-b') && microtime(true) < $deadline) {
            usleep(1000);
        }
    }
}
function busy(): void {
    rs_note('busy ' . getmypid());
    $deadline = microtime(true) + 8;
    while (!file_exists(RS_DIR . '/release') && microtime(true) < $deadline) {
        usleep(1000);
    }
}
PHP;
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
/** The server's output, log lines without their time, in a fixed order (processes race). */
function show_output(TestServer $srv): void
{
    $lines = preg_replace('/^\[[^\]]*\]\t/', '', array_filter(explode("\n", $srv->output()), 'strlen'));
    $lines = preg_grep('/^INFO\tManager::reload/', $lines, PREG_GREP_INVERT);
    sort($lines);
    echo $lines ? implode("\n", $lines) . "\n" : '';
}
function report(TestServer $srv, int $dst, array $before_stop): void
{
    $starts = [];
    foreach ($srv->notes() as $l) {
        if (preg_match("/^start $dst (\\d+)$/", $l, $m)) {
            $starts[] = (int)$m[1];
        }
    }
    $got = $pids = [];
    foreach ($srv->notes() as $l) {
        if (preg_match('/^got (\S+) (\d+)$/', $l, $m)) {
            $got[] = $m[1];
            $pids[(int)$m[2]] = true;
        }
    }
    $want = [];
    foreach (['a', 'b'] as $p) {
        for ($i = 0; $i < 100; $i++) {
            $want[] = "$p$i";
        }
    }
    echo "worker $dst replaced: ", var_export(count($starts) === 2 && $starts[0] !== $starts[1], true), "\n";
    echo "messages delivered: ", count($got), ", distinct: ", count(array_unique($got)), ", in the order sent: ", var_export($got === $want, true), "\n";
    echo "all by the successor: ", var_export(array_keys($pids) === [$starts[1] ?? 0], true), "\n";
    $early = count(preg_grep('/^got /', $before_stop));
    echo "all delivered before the stop: ", $early === count($got) ? 'true' : "no, $early", "\n";
}

foreach (['SIGKILL', 'reload with max_wait_time 1'] as $how) {
    echo "--- task worker destination, $how\n";
    $srv = TestServer::start(SERVER_PRELUDE . <<<'PHP'

$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1, 'max_wait_time' => 1]);
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
        $ok = 0;
        for ($i = 0; $i < 100; $i++) {
            $ok += $s->sendMessage("$data$i", 1);
        }
        $s->send($fd, "sent $ok\n");
    }
});
$serv->on('Task', function ($s, $id, $src, $data) {
    busy();
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
    $srv->waitNotes('loop', 2);
    echo ask($srv, 'busy'), "\n";
    [$busy] = $srv->waitNotes('busy');
    echo ask($srv, 'a'), "\n";
    touch($srv->dir() . '/killed');
    if ($how === 'SIGKILL') {
        posix_kill((int)explode(' ', $busy)[1], SIGKILL);
    } else {
        echo ask($srv, 'reload'), "\n";
    }
    $srv->waitNotes('successor waiting');
    echo ask($srv, 'b'), "\n";
    touch($srv->dir() . '/sent-b');
    try {
        $srv->waitNotes('got', 200, 3);
    } catch (RuntimeException $e) {
    }
    $before_stop = $srv->notes();
    touch($srv->dir() . '/release');
    echo "exit code: ", $srv->stop(), "\n";
    report($srv, 1, $before_stop);
    echo "finished: ", count(preg_grep('/^finish/', $srv->notes())), "\n";
    show_output($srv);
}

foreach (['SIGKILL', 'reload with max_wait_time 1'] as $how) {
    echo "--- event worker destination, $how\n";
    $srv = TestServer::start(SERVER_PRELUDE . <<<'PHP'

$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'max_wait_time' => 1]);
$serv->on('WorkerStart', function ($s, $id) {
    rs_note("start $id " . getmypid());
    Swoole\Timer::after(1, fn() => rs_note("loop $id"));
    successor_waits($id, 0);
    if ($id !== 1) {
        return;
    }
    // Event worker 1 sends to event worker 0 when the test says so (each step once).
    Swoole\Timer::tick(5, function () use ($s) {
        foreach (['busy', 'a', 'b', 'reload'] as $step) {
            if (file_exists(RS_DIR . "/step-$step") && !file_exists(RS_DIR . "/done-$step")) {
                touch(RS_DIR . "/done-$step");
                if ($step === 'busy') {
                    $s->sendMessage('busy', 0);
                } elseif ($step === 'reload') {
                    rs_note('reload ' . var_export($s->reload(false), true));
                } else {
                    $ok = 0;
                    for ($i = 0; $i < 100; $i++) {
                        $ok += $s->sendMessage("$step$i", 0);
                    }
                    rs_note("sent $step $ok");
                    if ($step === 'b') {
                        touch(RS_DIR . '/sent-b');
                    }
                }
            }
        }
    });
});
$serv->on('PipeMessage', function ($s, $src, $msg) {
    if ($msg === 'busy') {
        busy();
        return;
    }
    rs_note("got $msg " . getmypid());
});
$serv->on('Receive', function () {});
rs_ready($serv);
$serv->start();
PHP);
    $srv->waitNotes('loop', 2);
    touch($srv->dir() . '/step-busy');
    [$busy] = $srv->waitNotes('busy');
    touch($srv->dir() . '/step-a');
    echo implode("\n", $srv->waitNotes('sent a')), "\n";
    touch($srv->dir() . '/killed');
    if ($how === 'SIGKILL') {
        posix_kill((int)explode(' ', $busy)[1], SIGKILL);
    } else {
        touch($srv->dir() . '/step-reload');
        echo implode("\n", $srv->waitNotes('reload')), "\n";
    }
    $srv->waitNotes('successor waiting');
    touch($srv->dir() . '/step-b');
    echo implode("\n", $srv->waitNotes('sent b')), "\n";
    try {
        $srv->waitNotes('got', 200, 3);
    } catch (RuntimeException $e) {
    }
    $before_stop = $srv->notes();
    touch($srv->dir() . '/release');
    echo "exit code: ", $srv->stop(), "\n";
    report($srv, 0, $before_stop);
    show_output($srv);
}
?>
--EXPECTF--
--- task worker destination, SIGKILL
task 0
sent 100
sent 100
exit code: 0
worker 1 replaced: true
messages delivered: 200, distinct: 200, in the order sent: true
all by the successor: true
all delivered before the stop: true
finished: 0
NOTICE	Manager::wait(): task worker#1 (pid %d) died holding task#0 of worker#0 (running); its sender is told
WARNING	Manager::wait(): worker(pid=%d, id=1) abnormal exit, status=0, signal=9
WARNING	Worker::task(): task#0 of worker#0 was lost: task worker#1 (pid %d) exited with status 0, signal 9
Warning: Swoole\Server::start(): task#0 of worker#0 was lost: task worker#1 (pid %d) exited with status 0, signal 9 in %s on line %d
--- task worker destination, reload with max_wait_time 1
task 0
sent 100
reload true
sent 100
exit code: 0
worker 1 replaced: true
messages delivered: 200, distinct: 200, in the order sent: true
all by the successor: true
all delivered before the stop: true
finished: 0
NOTICE	Manager::wait(): task worker#1 (pid %d) died holding task#0 of worker#0 (running); its sender is told
WARNING	Manager::reload(): worker exit timeout, forced termination (pid=%d)
WARNING	Manager::wait(): worker(pid=%d, id=1) abnormal exit, status=0, signal=9
WARNING	Worker::task(): task#0 of worker#0 was lost: task worker#1 (pid %d) exited with status 0, signal 9
Warning: Swoole\Server::start(): task#0 of worker#0 was lost: task worker#1 (pid %d) exited with status 0, signal 9 in %s on line %d
--- event worker destination, SIGKILL
sent a 100
sent b 100
exit code: 0
worker 0 replaced: true
messages delivered: 200, distinct: 200, in the order sent: true
all by the successor: true
all delivered before the stop: true
WARNING	Manager::wait(): worker(pid=%d, id=0) abnormal exit, status=0, signal=9
--- event worker destination, reload with max_wait_time 1
sent a 100
reload true
sent b 100
exit code: 0
worker 0 replaced: true
messages delivered: 200, distinct: 200, in the order sent: true
all by the successor: true
all delivered before the stop: true
WARNING	Manager::reload(): worker exit timeout, forced termination (pid=%d)
WARNING	Manager::wait(): worker(pid=%d, id=0) abnormal exit, status=0, signal=9
