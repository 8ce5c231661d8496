--TEST--
sendMessage() works the same with every task_ipc_mode (1 socketpairs, 2 SysV queue addressed, 3 SysV queue shared): messages to and from task workers, large ones included, arrive whole and in order alongside tasks, whose results still all come back
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
foreach ([1, 2, 3] as $mode) {
    $srv = TestServer::start("\$mode = $mode;\n" . <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2, 'task_ipc_mode' => $mode]);
const N = 50;
/** Message `$i` from `$src`: every 10th is 300 KB. */
function message(int $src, int $i): string {
    return "$src:$i:" . str_repeat(chr(97 + $i % 26), $i % 10 === 5 ? 300000 : 10);
}
function send_burst(Swoole\Server $s, array $dsts): void {
    for ($i = 0; $i < N; $i++) {
        foreach ($dsts as $d) {
            if ($s->sendMessage(message($s->worker_id, $i), $d) !== true) {
                rs_note("FAILED $s->worker_id -> $d #$i");
            }
        }
    }
}
$serv->on('WorkerStart', function ($s, $id) {
    Swoole\Timer::after(1, fn() => rs_note("loop $id"));
});
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    // Tasks and messages interleaved; then the task workers send to each other and to us.
    for ($i = 0; $i < 10; $i++) {
        $s->task("t$i");
        send_burst($s, [1, 2]);
    }
    $s->sendMessage('your turn', 1);
    $s->sendMessage('your turn', 2);
    $s->send($fd, "ok\n");
});
$serv->on('Task', function ($s, $id, $src, $data) {
    return $data;
});
$serv->on('Finish', function ($s, $id, $data) {
    rs_note("finish $data");
});
$next = [];
$serv->on('PipeMessage', function ($s, $src, $msg) use (&$next) {
    if ($msg === 'your turn') {
        send_burst($s, [3 - $s->worker_id, 0]);
        return;
    }
    // Event worker 0 sends 10 bursts, the task workers one.
    $n = $next[$src] ?? 0;
    if ($msg !== message($src, $n % N)) {
        rs_note("OUT OF ORDER at $src -> $s->worker_id: " . substr($msg, 0, 10) . ", expected #$n");
    }
    $next[$src] = $n + 1;
    $want = $src === 0 ? 10 * N : N;
    if ($next[$src] >= $want) {
        rs_note(($next[$src] === $want ? 'all' : 'MORE') . " from $src at $s->worker_id");
    }
});
rs_ready($serv);
$serv->start();
PHP);
    $srv->waitNotes('loop', 3);
    $reply = $srv->request('go', 3, 10);
    $srv->waitNotes('all from', 6);
    $srv->waitNotes('finish', 10);
    echo "mode $mode: exit code ", $srv->stop(), "\n";
    $notes = $srv->notes();
    $all = preg_grep('/^all from/', $notes);
    sort($all);
    echo "reply ", trim($reply), ", tasks finished ", count(preg_grep('/^finish/', $notes)), "\n", implode("\n", $all), "\n";
    echo implode("\n", preg_grep('/^(OUT|FAILED|MORE)/', $notes)), $srv->output();
}
?>
--EXPECT--
mode 1: exit code 0
reply ok, tasks finished 10
all from 0 at 1
all from 0 at 2
all from 1 at 0
all from 1 at 2
all from 2 at 0
all from 2 at 1
mode 2: exit code 0
reply ok, tasks finished 10
all from 0 at 1
all from 0 at 2
all from 1 at 0
all from 1 at 2
all from 2 at 0
all from 2 at 1
mode 3: exit code 0
reply ok, tasks finished 10
all from 0 at 1
all from 0 at 2
all from 1 at 0
all from 1 at 2
all from 2 at 0
all from 2 at 1
