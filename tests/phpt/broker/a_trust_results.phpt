--TEST--
task_broker with a secret: forged entries in a sender's result stream (an object result under a wrong key, unsigned, an empty signature, an unsigned loss report) are never unserialized nor acted on: counted in task_broker_rejected and warned about; the running task's genuine result still arrives
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
require __DIR__ . '/../../include/redis.inc';
$redis = TestRedis::start();
putenv('RS_REDIS=' . $redis->url());
$srv = TestServer::start(<<<'PHP'
class Evil {
    public $x = 1;
    function __wakeup() { rs_note("EVIL __wakeup"); }
    function __destruct() { rs_note("EVIL __destruct"); }
}
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2, 'task_broker' => getenv('RS_REDIS'), 'task_broker_name' => 'ars', 'task_broker_secret' => 'right-secret']);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'stats') {
        $st = $s->stats();
        $s->send($fd, json_encode([$st['task_lost_num'], $st['task_broker_rejected']]) . "\n");
        return;
    }
    if ($data === 'first') {
        rs_note("first " . $s->taskwait('first', 10));
    } else {
        rs_note("sent $data as task#" . $s->task($data));
    }
    $s->send($fd, "ok\n");
});
$serv->on('Task', function ($s, $id, $src, $data) {
    if ($data === 'slow') {
        $deadline = microtime(true) + 20;
        while (!file_exists(RS_DIR . '/release') && microtime(true) < $deadline) {
            usleep(2000);
        }
    }
    rs_note("task#$id $data returning");
    return "$data-result";
});
$serv->on('Finish', function ($s, $id, $data) {
    rs_note("finish task#$id " . (is_object($data) ? get_class($data) : json_encode($data)));
});
rs_ready($serv);
$serv->start();
PHP);
echo $srv->request('first', 3, 10);
// The event worker's result stream exists once a result went through it.
$keys = $redis->cmd('KEYS', 'ars:results:*');
echo "result streams: ", count($keys), "\n";
$stream = $keys[0];
$generation = (int)substr(strrchr($stream, ':'), 1);
echo $srv->request('slow', 3, 10);
$srv->waitNotes('sent slow');
$c = $srv->connect();
$stats = function (string $want) use ($srv, $c) {
    $deadline = microtime(true) + 5;
    do {
        fwrite($c, 'stats');
        $st = rtrim($srv->read($c, 6, 5));
    } while ($st !== $want && microtime(true) < $deadline && usleep(10000) === null);
    return $st;
};
// Result frames (kind 2, serialized + last) for the running task#1, from src 0 of this generation.
$result = fn(string $body) => pack('CCvVVPV', 2, 3, 0, 0, $generation, 1, strlen($body)) . $body;
$sign = fn(string $key, string $f) => hash_hmac('sha256', pack('V', 3) . 'ars' . $f, $key, true);
$evil = $result('O:4:"Evil":1:{s:1:"x";i:2;}');
$redis->cmd('XADD', $stream, '*', 'f', $evil, 's', $sign('wrong-secret', $evil));
$redis->cmd('XADD', $stream, '*', 'f', $evil);
$redis->cmd('XADD', $stream, '*', 'f', $result(serialize('forged')), 's', '');
echo "stats [task_lost_num, task_broker_rejected] after 3 forged results: ", $stats('[0,3]'), "\n";
// A loss report ('l': the task frame's header) that no claimer wrote.
$redis->cmd('XADD', $stream, '*', 'l', pack('CCvVVPV', 1, 129, 0, 0, $generation, 1, 0));
$srv->waitUntil(fn() => $redis->cmd('XLEN', $stream) === 0, 10, 'the forged loss report to be read');
echo "stats after a forged loss report: ", $stats('[0,4]'), "\n";
touch($srv->dir() . '/release');
$srv->waitNotes('task#1 slow returning');
// Its genuine result arrives (the sender's Finish runs) before the next task is sent.
$srv->waitNotes('finish task#1');
fwrite($c, 'after');
echo $srv->read($c, 3, 10);
$srv->waitNotes('finish task#2');
echo "stats at the end: ", $stats('[0,4]'), "\n";
fclose($c);
echo "exit code: ", $srv->stop(), "\n";
echo implode("\n", $srv->notes()), "\n";
$out = $srv->output();
preg_match_all("/WARNING\tBroker::results\(\): (\d+) result entr(?:y|ies) of ars:results:\S+ dropped unread: not signed with this queue's task_broker_secret/", $out, $m);
echo "result entries warned about: ", array_sum($m[1]), "\n";
echo "other output: ", trim(preg_replace("/^.*WARNING\tBroker::results\(\): \d+ result entr(?:y|ies) of .* dropped unread.*\n?/m", '', $out)), "\n";
?>
--EXPECT--
ok
result streams: 1
ok
stats [task_lost_num, task_broker_rejected] after 3 forged results: [0,3]
stats after a forged loss report: [0,4]
ok
stats at the end: [0,4]
exit code: 0
task#0 first returning
first first-result
sent slow as task#1
task#1 slow returning
finish task#1 "slow-result"
sent after as task#2
task#2 after returning
finish task#2 "after-result"
result entries warned about: 4
other output: 
