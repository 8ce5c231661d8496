--TEST--
SWOOLE_PROCESS dispatch_mode 3 (and 7, 9, 10, which behave as 3): while one worker is busy in a callback, every message goes to the idle worker, messages of one connection included
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$code = <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2, 'dispatch_mode' => MODE]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'block') {
        rs_note("blocking in $s->worker_id");
        $deadline = microtime(true) + 5;
        while (!file_exists(RS_DIR . '/release') && microtime(true) < $deadline) {
            usleep(2000);
        }
        $s->send($fd, "released $s->worker_id\n");
        return;
    }
    $s->send($fd, "$s->worker_id\n");
});
$serv->on('WorkerStart', fn($s, $id) => rs_note("pid $id " . getmypid()));
rs_ready($serv);
$serv->start();
PHP;
foreach ([3, 7, 9, 10] as $mode) {
    $srv = TestServer::start(str_replace('MODE', (string)$mode, $code));
    $a = $srv->connect();
    $b = $srv->connect();
    fwrite($a, 'block');
    $busy = (int)substr($srv->waitNotes('blocking')[0], strlen('blocking in '));
    $pids = [];
    foreach ($srv->waitNotes('pid', 2) as $l) {
        [, $id, $pid] = explode(' ', $l);
        $pids[(int)$id] = (int)$pid;
    }
    // Both connections ask one at a time; connection a's answers come from the idle worker
    // while its first message is still being handled. A worker answers before its callback
    // returns: before each message, wait until the other worker is back in its event loop
    // (blocked in epoll_wait), as in Swoole only a worker between callbacks counts as idle.
    $got = [];
    foreach ([$b, $b, $a, $b, $a, $b] as $c) {
        $srv->waitUntil(fn() => str_contains((string)@file_get_contents('/proc/' . $pids[1 - $busy] . '/wchan'), 'epoll_wait'), 5, 'the idle worker to wait for events');
        fwrite($c, 'x');
        $got[] = (int)stream_get_line($c, 100, "\n");
    }
    echo "mode $mode: the busy worker got none of the six messages: ", var_export(array_unique($got) === [1 - $busy], true), "\n";
    touch($srv->dir() . '/release');
    echo "mode $mode: a's first message answered after the release: ", str_replace((string)$busy, 'BUSY', (string)stream_get_line($a, 100, "\n")), "\n";
    fclose($a);
    fclose($b);
    echo "exit code: ", $srv->stop(), "\n";
    echo $srv->output();
}
?>
--EXPECT--
mode 3: the busy worker got none of the six messages: true
mode 3: a's first message answered after the release: released BUSY
exit code: 0
mode 7: the busy worker got none of the six messages: true
mode 7: a's first message answered after the release: released BUSY
exit code: 0
mode 9: the busy worker got none of the six messages: true
mode 9: a's first message answered after the release: released BUSY
exit code: 0
mode 10: the busy worker got none of the six messages: true
mode 10: a's first message answered after the release: released BUSY
exit code: 0
