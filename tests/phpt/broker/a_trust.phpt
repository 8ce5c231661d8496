--TEST--
task_broker with a secret: entries the test forges in the task stream (a wrong signature, no fields, a bare serialized object, a wrong key, a reply stream changed after signing) never run and are never unserialized; they are deleted, warned about and counted in task_broker_rejected; a correctly signed one runs; genuine tasks still work
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
require __DIR__ . '/../../include/redis.inc';
$redis = TestRedis::start();
putenv('RS_REDIS=' . $redis->url());
$srv = TestServer::start(<<<'PHP'
class Evil {
    public $x = 1;
    function __wakeup() { rs_note("EVIL __wakeup in " . (getmypid())); }
    function __unserialize(array $d): void { rs_note("EVIL __unserialize"); }
    function __destruct() { rs_note("EVIL __destruct"); }
}
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2, 'task_broker' => getenv('RS_REDIS'), 'task_broker_name' => 'atr', 'task_broker_secret' => 'right-secret']);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'stats') {
        $s->send($fd, json_encode([$s->stats()['task_broker_rejected'], $s->stats()['tasking_num']]) . "\n");
        return;
    }
    rs_note("taskwait " . json_encode($s->taskwait('genuine', 10.0)));
    rs_note("rejected seen by a task worker: " . json_encode($s->taskwait('rejected?', 10.0)));
    $s->task('genuine-async');
    $s->send($fd, "ok\n");
});
$serv->on('Task', function ($s, $id, $src, $data) {
    if ($data === 'rejected?') {
        return $s->stats()['task_broker_rejected'];
    }
    rs_note("Task saw " . (is_object($data) ? get_class($data) : json_encode($data)));
    return is_string($data) ? "$data-result" : null;
});
$serv->on('Finish', function ($s, $id, $data) {
    rs_note("finish " . json_encode($data));
});
rs_ready($serv);
$serv->start();
PHP);
// The group exists once the task workers are reading.
$srv->waitUntil(function () use ($redis) {
    try {
        return count($redis->cmd('XINFO', 'GROUPS', 'atr:tasks')) > 0;
    } catch (RuntimeException $e) {
        return false;
    }
}, 10, 'the consumer group');
$reply = 'atr:results:forger:0:0';
$evil = 'O:4:"Evil":1:{s:1:"x";i:2;}';
$good = a_task_frame(serialize('forged-but-signed'), 900, 0, 0, 129);
$forged = [
    'a frame with a wrong signature' => ['f', a_task_frame(serialize('wrong-signature'), 901, 0, 0, 129), 'r', $reply, 's', random_bytes(32)],
    'no f, r or s' => ['x', 'y'],
    'a bare serialized object, unsigned' => ['f', $evil, 'r', $reply],
    'an object frame signed with another key' => ['f', $f = a_task_frame($evil, 902, 0, 0, 129), 'r', $reply, 's', a_task_signature('wrong-secret', 'atr', $reply, $f)],
    'a frame signed for another queue' => ['f', $f = a_task_frame($evil, 903, 0, 0, 129), 'r', $reply, 's', a_task_signature('right-secret', 'other', $reply, $f)],
    'a signed frame whose reply stream was changed' => ['f', $good, 'r', 'atr:results:thief:0:0', 's', a_task_signature('right-secret', 'atr', $reply, $good)],
    'an object frame with an empty signature' => ['f', $f = a_task_frame($evil, 904, 0, 0, 129), 'r', $reply, 's', ''],
];
foreach ($forged as $what => $fields) {
    $redis->cmd('XADD', 'atr:tasks', '*', ...$fields);
}
// A control: signed with the right secret, the same kind of entry runs.
$redis->cmd('XADD', 'atr:tasks', '*', 'f', $good, 'r', $reply, 's', a_task_signature('right-secret', 'atr', $reply, $good));
$srv->waitNotes('Task saw "forged-but-signed"');
$srv->waitUntil(fn() => $redis->cmd('XLEN', 'atr:tasks') === 0 && $redis->cmd('XPENDING', 'atr:tasks', 'atr:workers')[0] === 0, 10, 'the stream to empty');
echo "forged entries left in the stream: ", count($redis->cmd('XRANGE', 'atr:tasks', '-', '+')), "\n";
$c = $srv->connect();
$deadline = microtime(true) + 10;
do {
    fwrite($c, 'stats');
    $st = rtrim($srv->read($c, 6, 5));
} while ($st !== '[7,0]' && microtime(true) < $deadline && usleep(10000) === null);
echo "event worker stats [task_broker_rejected, tasking_num]: $st\n";
fwrite($c, 'go');
echo $srv->read($c, 3, 15);
fclose($c);
$srv->waitNotes('finish');
echo "exit code: ", $srv->stop(), "\n";
$notes = $srv->notes();
sort($notes);
echo implode("\n", $notes), "\n";
$out = $srv->output();
preg_match_all("/WARNING\tBroker::take\(\): (\d+) entr(?:y|ies) of atr:tasks dropped unread: not signed with this queue's task_broker_secret/", $out, $m);
echo "entries warned about: ", array_sum($m[1]), "\n";
echo "other output: ", trim(preg_replace("/^.*WARNING\tBroker::take\(\): \d+ entr(?:y|ies) of atr:tasks dropped unread.*\n?/m", '', $out)), "\n";
echo "pending: ", $redis->cmd('XPENDING', 'atr:tasks', 'atr:workers')[0], "\n";
echo "queued: ", $redis->cmd('XLEN', 'atr:tasks'), "\n";
?>
--EXPECT--
forged entries left in the stream: 0
event worker stats [task_broker_rejected, tasking_num]: [7,0]
ok
exit code: 0
Task saw "forged-but-signed"
Task saw "genuine"
Task saw "genuine-async"
finish "genuine-async-result"
rejected seen by a task worker: 7
taskwait "genuine-result"
entries warned about: 7
other output: 
pending: 0
queued: 0
