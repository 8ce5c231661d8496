--TEST--
Messages from one sender to one receiver arrive in the order sent: 1000 numbered messages on each route (event->event, event->task, task->task, task->event), sent back to back (2000 per sender) with large (memfd-carried) messages mixed in, arrive 0..999 exactly once; the senders' bursts to different receivers interleave freely
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
ini_set('memory_limit', '512M');
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 2]);
const N = 1000;
/** Message `$i`: mostly small, every 97th 200 KB, every 250th (from 125) 2 MB. */
function message(int $i): string {
    $pad = $i % 97 === 0 ? 200 << 10 : ($i % 250 === 125 ? 2 << 20 : 0);
    return "$i:" . str_repeat(chr(65 + $i % 26), $pad);
}
$serv->on('WorkerStart', function ($s, $id) {
    // Noted from the loop, once it has made its first pass.
    Swoole\Timer::after(1, fn() => rs_note("loop $id"));
});
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    // The go from the test: this event worker sends to the other one and to task worker 2,
    // and has task worker 2 send to task worker 3 and to this event worker.
    $me = $s->worker_id;
    $s->task("go $me", 0);
    $fails = 0;
    for ($i = 0; $i < N; $i++) {
        $fails += !$s->sendMessage(message($i), 1 - $me);
        $fails += !$s->sendMessage(message($i), 2);
    }
    $s->send($fd, "sent by $me, failed $fails\n");
});
$serv->on('Task', function ($s, $id, $src, $data) {
    $fails = 0;
    for ($i = 0; $i < N; $i++) {
        $fails += !$s->sendMessage(message($i), 3);
        $fails += !$s->sendMessage(message($i), $src);
    }
    rs_note("task worker sent, failed $fails");
    return 'ok';
});
$serv->on('Finish', function () {});
$next = [];
$serv->on('PipeMessage', function ($s, $src, $msg) use (&$next) {
    $n = (int)$msg;
    $want = $next[$src] ?? 0;
    if ($n !== $want || $msg !== message($n)) {
        rs_note("OUT OF ORDER at $src -> $s->worker_id: got " . substr($msg, 0, 8) . ' (' . strlen($msg) . " bytes), expected $want");
    }
    $next[$src] = $n + 1;
    if ($n === N - 1) {
        rs_note("last from $src at $s->worker_id");
    }
});
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('loop', 4);
$c = $srv->connect();
fwrite($c, 'go');
$reply = '';
$deadline = microtime(true) + 10;
while (!str_ends_with($reply, "\n") && microtime(true) < $deadline) {
    $reply .= $srv->read($c, 1, 0.1);
}
echo preg_replace('/by \d/', 'by R', $reply);
$r = (int)substr($reply, 8, 1);
echo implode("\n", $srv->waitNotes('task worker sent')), "\n";
$last = $srv->waitNotes('last from', 4, 20);
echo "exit code: ", $srv->stop(), "\n";
$name = fn($id) => $id == $r ? 'R' : ($id == 1 - $r ? 'O' : $id);
$lines = array_map(fn($l) => preg_replace_callback('/\d+/', fn($m) => $name((int)$m[0]), $l), $last);
sort($lines);
echo implode("\n", $lines), "\n";
echo implode("\n", array_filter($srv->notes(), fn($l) => str_starts_with($l, 'OUT') || str_starts_with($l, 'last'))) === implode("\n", $last) ? "nothing out of order, nothing more\n" : "OUT OF ORDER OR MORE:\n" . implode("\n", array_slice(array_filter($srv->notes(), fn($l) => str_starts_with($l, 'OUT')), 0, 10)) . "\n";
echo $srv->output();
?>
--EXPECT--
sent by R, failed 0
task worker sent, failed 0
exit code: 0
last from 2 at 3
last from 2 at R
last from R at 2
last from R at O
nothing out of order, nothing more
