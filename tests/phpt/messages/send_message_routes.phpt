--TEST--
sendMessage() between every kind of worker (event->event, event->task, task->task, task->event), from onWorkerStart, onReceive, onTask, onFinish and a timer: each message runs PipeMessage($serv, $src_worker_id, $message) once, in the destination worker's own process ($serv->worker_id and $serv->taskworker are the destination's), and sendMessage() returns true
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 2]);
/** Sends `$msg` from this worker to each of `$dsts`; notes any call that does not return true. */
function send_all(Swoole\Server $s, string $ctx, array $dsts): void {
    foreach ($dsts as $d) {
        $r = $s->sendMessage("$ctx from $s->worker_id", $d);
        if ($r !== true) {
            rs_note("FAILED $ctx $s->worker_id -> $d: " . var_export($r, true));
        }
    }
}
$serv->on('WorkerStart', function ($s, $id) {
    rs_note("start $id " . getmypid());
    // A ring through all four workers: 0 -> 1 (event -> event), 1 -> 2 (event -> task),
    // 2 -> 3 (task -> task), 3 -> 0 (task -> event). The destination may not have started yet.
    send_all($s, 'WorkerStart', [($id + 1) % 4]);
});
$serv->on('PipeMessage', function ($s, $src, $msg) {
    if (!is_int($src) || !is_string($msg) || func_num_args() !== 3) {
        rs_note('BAD ARGUMENTS ' . json_encode(func_get_args()));
    }
    rs_note(sprintf('pipe dst=%d src=%d task=%s pid=%d msg=%s', $s->worker_id, $src, var_export($s->taskworker, true), getmypid(), $msg));
});
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $me = $s->worker_id;
    send_all($s, 'Receive', [1 - $me, 2, 3]);
    $s->task('go', 0); // task worker 0 is worker id 2
    Swoole\Timer::after(1, function () use ($s, $me) {
        send_all($s, 'Timer', [1 - $me, 2, 3]);
    });
    $s->send($fd, "worker $me");
});
$serv->on('Task', function ($s, $id, $src, $data) {
    send_all($s, 'Task', [0, 1, 3]);
    return 'done';
});
$serv->on('Finish', function ($s, $id, $data) {
    send_all($s, 'Finish', [1 - $s->worker_id, 2, 3]);
});
rs_ready($serv);
$serv->start();
PHP);
$starts = $srv->waitNotes('start', 4);
$pids = [];
foreach ($starts as $l) {
    [, $id, $pid] = explode(' ', $l);
    $pids[$id] = (int)$pid;
}
// The event worker that takes the connection is "R", the other one "O".
$reply = $srv->request('go', 8);
echo "$reply\n";
$r = (int)substr($reply, -1);
$name = fn(int $id) => match ($id) { $r => 'R', 1 - $r => 'O', default => (string)$id };
// 4 in the ring, then 3 each from Receive, Task, Finish and Timer.
$srv->waitNotes('pipe', 16);
echo "exit code: ", $srv->stop(), "\n";
$ring = $after = [];
foreach ($srv->notes() as $l) {
    if (str_starts_with($l, 'FAILED') || str_starts_with($l, 'BAD')) {
        echo "$l\n";
    }
    if (!preg_match('/^pipe dst=(\d+) src=(\d+) task=(\w+) pid=(\d+) msg=(\w+) from (\d+)$/', $l, $m)) {
        continue;
    }
    [, $dst, $src, $task, $pid, $ctx, $from] = $m;
    $where = ($pids[$dst] ?? null) === (int)$pid ? "in worker $dst's process" : "IN PROCESS $pid";
    $ok = $src === $from ? '' : " (src says $src, sent by $from)";
    if ($ctx === 'WorkerStart') {
        $ring[] = "$ctx: $src -> $dst, taskworker $task, $where$ok";
    } else {
        $after[] = "$ctx: {$name((int)$src)} -> {$name((int)$dst)}, taskworker $task, " . ($where === "in worker $dst's process" ? 'in its process' : $where) . $ok;
    }
}
sort($ring);
sort($after);
echo implode("\n", $ring), "\n", implode("\n", $after), "\n";
echo $srv->output();
?>
--EXPECTF--
worker %d
exit code: 0
WorkerStart: 0 -> 1, taskworker false, in worker 1's process
WorkerStart: 1 -> 2, taskworker true, in worker 2's process
WorkerStart: 2 -> 3, taskworker true, in worker 3's process
WorkerStart: 3 -> 0, taskworker false, in worker 0's process
Finish: R -> 2, taskworker true, in its process
Finish: R -> 3, taskworker true, in its process
Finish: R -> O, taskworker false, in its process
Receive: R -> 2, taskworker true, in its process
Receive: R -> 3, taskworker true, in its process
Receive: R -> O, taskworker false, in its process
Task: 2 -> 3, taskworker true, in its process
Task: 2 -> O, taskworker false, in its process
Task: 2 -> R, taskworker false, in its process
Timer: R -> 2, taskworker true, in its process
Timer: R -> 3, taskworker true, in its process
Timer: R -> O, taskworker false, in its process
