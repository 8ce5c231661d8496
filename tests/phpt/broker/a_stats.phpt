--TEST--
task_broker: 2,000 tasks from two event workers all finish exactly once in the worker that sent them; at rest stats() shows task_count 2000, tasking_num 0, task_lost_num 0, task_broker_rejected 0; nothing pending or queued in Redis
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
require __DIR__ . '/../../include/redis.inc';
$redis = TestRedis::start();
putenv('RS_REDIS=' . $redis->url());
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 3, 'task_broker' => getenv('RS_REDIS'), 'task_broker_name' => 'ast', 'task_broker_secret' => 'k4']);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'who') {
        $s->send($fd, "$s->worker_id\n");
        return;
    }
    if ($data === 'stats') {
        $st = $s->stats();
        $keys = ['tasking_num', 'task_count', 'task_lost_num', 'task_broker_rejected', 'task_retry_num', 'task_idle_worker_num', 'idle_worker_num', 'worker_task_backlog'];
        $s->send($fd, json_encode(array_map(fn($k) => $st[$k] ?? 'absent', $keys)) . "\n");
        return;
    }
    $n = (int)$data;
    $GLOBALS['left'][$fd] = $n;
    for ($i = 0; $i < $n; $i++) {
        if ($s->task(['i' => $i, 'fd' => $fd]) === false) {
            rs_note("task $i refused");
        }
    }
});
$serv->on('Task', fn($s, $id, $src, $d) => "$src:{$d['fd']}:{$d['i']}");
$serv->on('Finish', function ($s, $id, $r) {
    [$src, $fd, $i] = explode(':', $r);
    $GLOBALS['seen'][$fd][$i] = ($GLOBALS['seen'][$fd][$i] ?? 0) + 1;
    $GLOBALS['src'][$fd][$src] = true;
    if (--$GLOBALS['left'][$fd] === 0) {
        $s->send((int)$fd, "worker $s->worker_id: " . count($GLOBALS['seen'][$fd]) . " distinct, max count " . max($GLOBALS['seen'][$fd])
            . ", sent by worker " . implode(',', array_keys($GLOBALS['src'][$fd])) . "\n");
    }
});
rs_ready($serv);
$serv->start();
PHP);
function line(TestServer $srv, $c, float $timeout): string {
    $got = '';
    $deadline = microtime(true) + $timeout;
    while (!str_ends_with($got, "\n") && microtime(true) < $deadline) {
        $got .= $srv->read($c, 1, max(0.01, $deadline - microtime(true)));
        if (feof($c)) {
            break;
        }
    }
    return rtrim($got, "\n");
}
$mine = [];
$srv->waitUntil(function () use ($srv, &$mine) {
    $c = $srv->connect();
    fwrite($c, 'who');
    $id = line($srv, $c, 5);
    if (($id === '0' || $id === '1') && !isset($mine[$id])) {
        $mine[$id] = $c;
    } else {
        fclose($c);
    }
    return count($mine) === 2;
}, 20, 'a connection owned by each event worker');
ksort($mine);
foreach ($mine as $c) {
    fwrite($c, '1000');
}
foreach ($mine as $c) {
    echo line($srv, $c, 60), "\n";
}
echo "stats: [tasking_num, task_count, task_lost_num, task_broker_rejected, task_retry_num, task_idle_worker_num, idle_worker_num, worker_task_backlog]\n";
foreach ($mine as $id => $c) {
    $deadline = microtime(true) + 10;
    do {
        fwrite($c, 'stats');
        $last = line($srv, $c, 5);
    } while ($last !== '[0,2000,0,0,0,3,1,0]' && microtime(true) < $deadline && usleep(10000) === null);
    echo "stats in worker $id: $last\n";
}
$deadline = microtime(true) + 10;
while (($pending = $redis->cmd('XPENDING', 'ast:tasks', 'ast:workers')[0]) !== 0 && microtime(true) < $deadline) {
    usleep(10000);
}
echo "pending while running: $pending\n";
echo "queued while running: ", $redis->cmd('XLEN', 'ast:tasks'), "\n";
foreach ($mine as $c) {
    fclose($c);
}
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
echo "pending: ", $redis->cmd('XPENDING', 'ast:tasks', 'ast:workers')[0], "\n";
echo "queued: ", $redis->cmd('XLEN', 'ast:tasks'), "\n";
echo "entries added: ", a_redis_entries_added($redis, 'ast:tasks'), "\n";
?>
--EXPECT--
worker 0: 1000 distinct, max count 1, sent by worker 0
worker 1: 1000 distinct, max count 1, sent by worker 1
stats: [tasking_num, task_count, task_lost_num, task_broker_rejected, task_retry_num, task_idle_worker_num, idle_worker_num, worker_task_backlog]
stats in worker 0: [0,2000,0,0,0,3,1,0]
stats in worker 1: [0,2000,0,0,0,3,1,0]
pending while running: 0
queued while running: 0
exit code: 0
pending: 0
queued: 0
entries added: 2000
