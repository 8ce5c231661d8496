--TEST--
task_broker: taskWaitMulti() results keyed like the input in input order, late ones absent and never delivered, 1023 accepted, 1024 refused, bad values throw with nothing sent
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
require __DIR__ . '/../../include/redis.inc';
$redis = TestRedis::start();
putenv('RS_REDIS=' . $redis->url());
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 3, 'task_broker' => getenv('RS_REDIS'), 'task_broker_name' => 'atwm', 'task_broker_secret' => 'k2']);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'again') {
        $s->task('probe2');
        $s->send($fd, "ok");
        return;
    }
    rs_note("keys " . json_encode($s->taskWaitMulti(['a' => 'x', 5 => 'y', 0 => 'z', 'n' => [1, 2]], 20.0)));
    rs_note("list " . json_encode($s->taskWaitMulti(['p', 'q'], 20.0)));
    // 'slow' cannot end before the release file exists, made only after the call returned.
    $t = microtime(true);
    $r = $s->taskWaitMulti(['fast1', 'slow', 'fast2'], 3.0);
    $waited = microtime(true) - $t;
    rs_note("partial " . json_encode($r) . ", waited the whole timeout: " . var_export($waited >= 2.95, true));
    touch(RS_DIR . '/release');
    $many = $s->taskWaitMulti(array_fill(0, 1023, 'm'), 30.0);
    rs_note("1023: " . count($many) . " results, all right: " . var_export(count(array_filter($many, fn($v) => $v === 'm-result')) === 1023, true)
        . ", in order: " . var_export(array_keys($many) === range(0, 1022), true));
    rs_note("1024: " . var_export($s->taskWaitMulti(array_fill(0, 1024, 'm')), true));
    rs_note("empty: " . var_export($s->taskWaitMulti([]), true) . " error " . swoole_last_error());
    $before = $s->task('probe');
    try {
        $s->taskWaitMulti(['ok', function () {}]);
    } catch (Exception $e) {
        rs_note("closure: " . $e->getMessage());
    }
    $after = $s->task('probe');
    rs_note("no task id used by the refused call: " . var_export($after === $before + 1, true));
    $s->send($fd, "ok");
});
$serv->on('Task', function ($s, $id, $src, $data) {
    if ($data === 'slow') {
        $deadline = microtime(true) + 30;
        while (!file_exists(RS_DIR . '/release') && microtime(true) < $deadline) {
            usleep(2000);
        }
        rs_note("slow task: " . (file_exists(RS_DIR . '/release') ? 'released after the call returned' : 'never released'));
        return 'slow-result';
    }
    return is_array($data) ? array_sum($data) : "$data-result";
});
$serv->on('Finish', function ($s, $id, $data) {
    rs_note("finish $id $data");
});
rs_ready($serv);
$serv->start();
PHP);
var_dump($srv->request('go', 2, 60));
$srv->waitNotes('finish', 2);
$srv->waitNotes('slow task');
// Once nothing is pending, the slow result has been written: a task sent now has its result
// behind it in the same result stream, so a late slow result would surface (as a Finish) first.
$srv->waitUntil(fn() => $redis->cmd('XPENDING', 'atwm:tasks', 'atwm:workers')[0] === 0, 10, 'nothing pending');
var_dump($srv->request('again', 2, 10));
$srv->waitUntil(fn() => preg_grep('/probe2/', $srv->notes()), 10, 'probe2 finished');
echo "exit code: ", $srv->stop(), "\n";
$notes = $srv->notes();
echo implode("\n", array_filter($notes, fn($l) => !str_starts_with($l, 'slow task'))), "\n";
echo implode("\n", array_filter($notes, fn($l) => str_starts_with($l, 'slow task'))), "\n";
echo $srv->output();
echo "queued: ", $redis->cmd('XLEN', 'atwm:tasks'), "\n";
echo "entries added: ", a_redis_entries_added($redis, 'atwm:tasks'), "\n";
?>
--EXPECTF--
string(2) "ok"
string(2) "ok"
exit code: 0
keys {"a":"x-result","5":"y-result","0":"z-result","n":3}
list ["p-result","q-result"]
partial {"0":"fast1-result","2":"fast2-result"}, waited the whole timeout: true
1023: 1023 results, all right: true, in order: true
1024: false
empty: false error 2002
closure: Serialization of 'Closure' is not allowed
no task id used by the refused call: true
finish %d probe-result
finish %d probe-result
finish %d probe2-result
slow task: released after the call returned

Warning: Swoole\Server::taskWaitMulti(): too many concurrent tasks in %s on line %d
queued: 0
entries added: 1035
