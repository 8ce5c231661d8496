--TEST--
task_broker soak: 100,000 tasks (about 128 in flight) all finish once; afterwards nothing is queued or pending, result streams are empty and expire, no key is left per task, and Redis's memory is about what it was before
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
require __DIR__ . '/../../include/redis.inc';
$redis = TestRedis::start();
putenv('RS_REDIS=' . $redis->url());
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2, 'task_broker' => getenv('RS_REDIS'), 'task_broker_name' => 'abd', 'task_broker_secret' => 'k7']);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'stats') {
        $st = $s->stats();
        $s->send($fd, json_encode([$st['tasking_num'], $st['task_count'], $st['task_lost_num'], $st['task_broker_rejected']]) . "\n");
        return;
    }
    [$total, $inflight] = array_map('intval', explode(' ', $data));
    $GLOBALS['run'] = ['fd' => $fd, 'total' => $total, 'sent' => 0, 'done' => 0, 'refused' => 0, 'seen' => [], 'dup' => 0, 'wrong' => 0, 't' => microtime(true)];
    for ($i = 0; $i < $inflight; $i++) {
        send_one($s);
    }
});
function send_one($s) {
    $r = &$GLOBALS['run'];
    if ($r['sent'] >= $r['total']) {
        return;
    }
    $n = $r['sent']++;
    if ($s->task(['n' => $n, 'pad' => str_repeat('p', $n % 300)]) === false) {
        $r['refused']++;
        $r['done']++;
    }
}
$serv->on('Task', fn($s, $id, $src, $d) => ['n' => $d['n'], 'len' => strlen($d['pad'])]);
$serv->on('Finish', function ($s, $id, $res) {
    $r = &$GLOBALS['run'];
    if (isset($r['seen'][$res['n']])) {
        $r['dup']++;
    }
    $r['seen'][$res['n']] = true;
    if ($res['len'] !== $res['n'] % 300) {
        $r['wrong']++;
    }
    $r['done']++;
    send_one($s);
    if ($r['done'] === $r['total']) {
        $s->send($r['fd'], sprintf("%d finished, %d distinct, %d duplicates, %d wrong, %d refused\n", $r['done'], count($r['seen']), $r['dup'], $r['wrong'], $r['refused']));
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
function at_rest(TestRedis $redis): void {
    $deadline = microtime(true) + 10;
    while (($redis->cmd('XLEN', 'abd:tasks') !== 0 || $redis->cmd('XPENDING', 'abd:tasks', 'abd:workers')[0] !== 0) && microtime(true) < $deadline) {
        usleep(10000);
    }
}
$c = $srv->connect();
// A warm-up, so that what exists at rest exists before the measure.
fwrite($c, '500 64');
echo line($srv, $c, 20), "\n";
at_rest($redis);
$keys_before = $redis->cmd('KEYS', '*');
sort($keys_before);
$before = (int)a_redis_info($redis, 'memory', 'used_memory');
$t = microtime(true);
fwrite($c, '100000 128');
echo line($srv, $c, 120), "\n";
at_rest($redis);
$after = (int)a_redis_info($redis, 'memory', 'used_memory');
$deadline = microtime(true) + 10;
do {
    fwrite($c, 'stats');
    $st = line($srv, $c, 5);
} while ($st !== '[0,100500,0,0]' && microtime(true) < $deadline && usleep(10000) === null);
echo "stats [tasking_num, task_count, task_lost_num, task_broker_rejected]: $st\n";
echo "tasks queued: ", $redis->cmd('XLEN', 'abd:tasks'), ", pending: ", $redis->cmd('XPENDING', 'abd:tasks', 'abd:workers')[0], "\n";
echo "entries added: ", a_redis_entries_added($redis, 'abd:tasks'), "\n";
$results = $redis->cmd('KEYS', 'abd:results:*');
echo "result streams: ", count($results), "\n";
foreach ($results as $k) {
    $ttl = $redis->cmd('TTL', $k);
    echo "  entries ", $redis->cmd('XLEN', $k), ", expires: ", var_export($ttl > 0, true), "\n";
}
$keys_after = $redis->cmd('KEYS', '*');
sort($keys_after);
echo "keys after the run: ", count($keys_after), ", new since the warm-up: ", json_encode(array_values(array_diff($keys_after, $keys_before))), "\n";
$grew = $after - $before;
echo "used_memory grew by less than 5 MB: ", var_export($grew < 5 << 20, true), $grew < 5 << 20 ? '' : " ($grew bytes)", "\n";
fclose($c);
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
500 finished, 500 distinct, 0 duplicates, 0 wrong, 0 refused
100000 finished, 100000 distinct, 0 duplicates, 0 wrong, 0 refused
stats [tasking_num, task_count, task_lost_num, task_broker_rejected]: [0,100500,0,0]
tasks queued: 0, pending: 0
entries added: 100500
result streams: 1
  entries 0, expires: true
keys after the run: 3, new since the warm-up: []
used_memory grew by less than 5 MB: true
exit code: 0
