--TEST--
sendMessage() uses up no task id (better than Swoole, whose every message takes one): after task() got id 0, 16 messages (to a task worker and to the other event worker) and some failed calls, the next task() gets id 1 and the one after id 2; onTask and onFinish see the same ids, and all 16 messages arrive
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 1]);
$serv->on('WorkerStart', function ($s, $id) {
    // Noted from the loop, once it has made its first pass.
    Swoole\Timer::after(1, fn() => rs_note("loop $id"));
});
$serv->on('PipeMessage', function ($s, $src, $msg) {
    rs_note("pipe $src -> $s->worker_id " . json_encode($msg));
});
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $me = $s->worker_id;
    $ids = [$s->task('first')];
    for ($i = 0; $i < 16; $i++) {
        $ok[] = $s->sendMessage(['n' => $i], $i % 2 ? 2 : 1 - $me);
    }
    @$s->sendMessage('x', $me);
    @$s->sendMessage('x', 9);
    try {
        $s->sendMessage(fn() => 1, 2);
    } catch (Exception $e) {
    }
    $ids[] = $s->task('second');
    $ids[] = $s->task('third');
    $s->send($fd, json_encode(['ids' => $ids, 'sent' => $ok]));
});
$serv->on('Task', function ($s, $id, $src, $data) {
    rs_note("task $data $id");
    return $data;
});
$serv->on('Finish', function ($s, $id, $data) {
    rs_note("finish $data $id");
});
rs_ready($serv);
$serv->start();
PHP);
// Every worker running first (send_message_before_start.phpt is about the other case).
$srv->waitNotes('loop', 3);
$c = $srv->connect();
fwrite($c, 'go');
$reply = '';
$deadline = microtime(true) + 5;
while (!json_decode($reply) && microtime(true) < $deadline) {
    $reply .= $srv->read($c, 1, 0.1);
}
$r = json_decode($reply, true);
echo "task ids: ", json_encode($r['ids'] ?? $reply), "\n";
echo "sendMessage() returned: ", json_encode(array_count_values(array_map('json_encode', $r['sent'] ?? []))), "\n";
$srv->waitNotes('pipe', 16);
$srv->waitNotes('finish', 3);
echo "exit code: ", $srv->stop(), "\n";
$notes = $srv->notes();
sort($notes, SORT_NATURAL);
echo implode("\n", array_filter($notes, fn($l) => !str_starts_with($l, 'pipe') && !str_starts_with($l, 'loop'))), "\n";
$pipe = array_filter($notes, fn($l) => str_starts_with($l, "pipe"));
echo "messages arrived: ", count($pipe), ", distinct: ", count(array_unique(array_map(fn($l) => substr($l, strrpos($l, " ")), $pipe))), "\n";
echo $srv->output();
?>
--EXPECT--
task ids: [0,1,2]
sendMessage() returned: {"true":16}
exit code: 0
finish first 0
finish second 1
finish third 2
task first 0
task second 1
task third 2
messages arrived: 16, distinct: 16
