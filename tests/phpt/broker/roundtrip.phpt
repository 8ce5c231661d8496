--TEST--
task_broker: task() through Redis Streams: ids, values of every kind, finish() and return values, per-task callbacks, dst_worker_id stays local
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
require __DIR__ . '/../../include/redis.inc';
$redis = TestRedis::start();
putenv('RS_REDIS=' . $redis->url());
$srv = TestServer::start(<<<'PHP'
class Point { public $x = 1; protected $y = 2; private $z = 3; public function __construct($x = 1) { $this->x = $x; } }
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 3, 'task_broker' => getenv('RS_REDIS'), 'task_broker_name' => 'rt', 'task_broker_secret' => 's3cret']);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $values = ["raw\0bytes", 42, 1.5, true, null, ['a' => [1, 2], 'b' => 'c'], new Point(7), '', str_repeat('x', 300000)];
    foreach ($values as $v) {
        $id = $s->task($v);
        rs_note("sent $id");
    }
    $id = $s->task('to-worker-2', 2);
    rs_note("sent $id dst=2");
    $id = $s->task('with-callback', -1, function ($s, $task_id, $data) {
        rs_note("callback $task_id " . json_encode($data));
    });
    rs_note("sent $id callback");
    $s->send($fd, "ok");
});
$serv->on('Task', function ($s, $task_id, $src, $data) {
    if ($data === 'to-worker-2') {
        return "ran on " . $s->worker_id;
    }
    if ($data === 'with-callback') {
        $s->finish('first');
        return 'second';
    }
    if (is_string($data) && strlen($data) > 1000) {
        return strlen($data) . ' ' . str_repeat('y', 200000);
    }
    $s->finish(['echo' => $data, 'src' => $src]);
});
$serv->on('Finish', function ($s, $task_id, $data) {
    if (is_string($data) && strlen($data) > 1000) {
        rs_note("finish $task_id big " . strlen($data));
        return;
    }
    rs_note("finish $task_id " . (is_array($data) && array_key_exists('echo', $data) ? addcslashes(serialize($data['echo']), "\0") . " src=" . $data['src'] : json_encode($data)));
});
rs_ready($serv);
$serv->start();
PHP);
var_dump($srv->request('go', 2));
$srv->waitNotes('finish', 10);
$srv->waitNotes('callback', 2);
echo "exit code: ", $srv->stop(), "\n";
$notes = $srv->notes();
sort($notes);
echo implode("\n", $notes), "\n";
echo $srv->output();
echo "pending: ", $redis->cmd('XPENDING', 'rt:tasks', 'rt:workers')[0], "\n";
echo "queued: ", $redis->cmd('XLEN', 'rt:tasks'), "\n";
?>
--EXPECTF--
string(2) "ok"
exit code: 0
callback 10 "first"
callback 10 "second"
finish 0 s:9:"raw\000bytes"; src=0
finish 1 i:42; src=0
finish 2 d:1.5; src=0
finish 3 b:1; src=0
finish 4 N; src=0
finish 5 a:2:{s:1:"a";a:2:{i:0;i:1;i:1;i:2;}s:1:"b";s:1:"c";} src=0
finish 6 O:5:"Point":3:{s:1:"x";i:7;s:4:"\000*\000y";i:2;s:8:"\000Point\000z";i:3;} src=0
finish 7 s:0:""; src=0
finish 8 big 200007
finish 9 "ran on 3"
sent 0
sent 1
sent 10 callback
sent 2
sent 3
sent 4
sent 5
sent 6
sent 7
sent 8
sent 9 dst=2
pending: 0
queued: 0
