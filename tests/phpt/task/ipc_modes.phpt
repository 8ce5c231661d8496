--TEST--
task_ipc_mode 2 and 3 (SysV queue, addressed or taken by any free worker), with and without message_queue_key: tasks, large payloads, dst, taskwait; the queue is 0600 and gone after stop
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
function queues(): array {
    $rows = [];
    foreach (array_slice(file('/proc/sysvipc/msg') ?: [], 1) as $line) {
        $c = preg_split('/\s+/', trim($line));
        $rows[$c[1]] = ['key' => (int)$c[0], 'perms' => $c[2], 'pids' => [(int)$c[5], (int)$c[6]]];
    }
    return $rows;
}
$before = queues();
foreach ([[2, 0], [3, 0], [2, 0x52530000 + getmypid() % 65536], [3, 0x52540000 + getmypid() % 65536]] as [$mode, $key]) {
    $srv = TestServer::start(<<<PHP
\$mode = $mode;
\$key = $key;
PHP . <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 3, 'task_ipc_mode' => $mode, 'message_queue_key' => $key]);
$serv->on('Receive', function ($s, $fd, $rid, $data) use (&$finished) {
    $big = str_repeat("q\0", 50000);
    $r = $s->taskwait($big, 5.0);
    $where = [];
    foreach ([0, 1, 2, 1] as $dst) {
        $where[] = $s->taskwait('where', 5.0, $dst);
    }
    $multi = $s->taskWaitMulti(['a' => 'x', 'b' => ['y']], 5.0);
    for ($i = 0; $i < 2000; $i++) {
        $s->task($i);
    }
    $st = $s->stats();
    $s->send($fd, json_encode([
        'big' => $r === $big, 'dst' => implode(',', $where), 'multi' => $multi,
        'queue stats' => isset($st['task_queue_num'], $st['task_queue_bytes']),
    ]) . "\n");
});
$finished = 0;
$serv->on('Task', function ($s, $id, $src, $data) {
    if ($data === 'where') {
        return (string)$s->worker_id;
    }
    return is_int($data) ? $data * 2 : $data;
});
$serv->on('Finish', function ($s, $id, $data) use (&$finished) {
    if (++$finished === 2000) {
        $st = $s->stats();
        rs_note("2000 finished; tasking_num {$st['tasking_num']}, task_queue_num {$st['task_queue_num']}, task_queue_bytes {$st['task_queue_bytes']}, idle {$st['task_idle_worker_num']}");
    }
});
rs_ready($serv);
$serv->start();
PHP);
    $c = $srv->connect();
    fwrite($c, 'go');
    $line = '';
    $deadline = microtime(true) + 30;
    while (!str_ends_with($line, "\n") && microtime(true) < $deadline) {
        $line .= $srv->read($c, 1, 30);
    }
    echo "mode $mode", $key ? " with a key" : "", ": ", $line;
    echo $srv->waitNotes('2000 finished', 1, 30)[0], "\n";
    // Ours: new since the test began and last used by a process of this server (other tests
    // running at the same time have queues of their own).
    $pids = $srv->processes();
    $ours = array_filter(array_diff_key(queues(), $before), fn($q) => array_intersect($q['pids'], $pids));
    echo "our queues: ", count($ours), ", perms ", implode(',', array_column($ours, 'perms')), $key ? (", key " . (array_column($ours, 'key') === [$key] ? 'ours' : 'OTHER')) : '', "\n";
    echo "exit code: ", $srv->stop(), "\n";
    echo "queues left: ", count(array_intersect_key(queues(), $ours)), "\n";
    echo $srv->output();
}
?>
--EXPECT--
mode 2: {"big":true,"dst":"1,2,3,2","multi":{"a":"x","b":["y"]},"queue stats":true}
2000 finished; tasking_num 0, task_queue_num 0, task_queue_bytes 0, idle 3
our queues: 1, perms 600
exit code: 0
queues left: 0
mode 3: {"big":true,"dst":"1,2,3,2","multi":{"a":"x","b":["y"]},"queue stats":true}
2000 finished; tasking_num 0, task_queue_num 0, task_queue_bytes 0, idle 3
our queues: 1, perms 600
exit code: 0
queues left: 0
mode 2 with a key: {"big":true,"dst":"1,2,3,2","multi":{"a":"x","b":["y"]},"queue stats":true}
2000 finished; tasking_num 0, task_queue_num 0, task_queue_bytes 0, idle 3
our queues: 1, perms 600, key ours
exit code: 0
queues left: 0
mode 3 with a key: {"big":true,"dst":"1,2,3,2","multi":{"a":"x","b":["y"]},"queue stats":true}
2000 finished; tasking_num 0, task_queue_num 0, task_queue_bytes 0, idle 3
our queues: 1, perms 600, key ours
exit code: 0
queues left: 0
