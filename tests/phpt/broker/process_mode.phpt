--TEST--
task_broker in SWOOLE_PROCESS mode: tasks from two event workers behind the reactors go through the broker and come back to the worker that sent them; a worker_num 0 host with SWOOLE_PROCESS runs as a task-only host
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
require __DIR__ . '/../../include/redis.inc';
$redis = TestRedis::start();
putenv('RS_REDIS=' . $redis->url());
$helper = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 0, 'task_worker_num' => 2, 'task_broker' => getenv('RS_REDIS'), 'task_broker_name' => 'pm', 'task_broker_secret' => 'k']);
$serv->on('WorkerStart', function ($s, $id) { rs_note("helper worker $id " . ($s->taskworker ? 'task' : 'event')); });
$serv->on('Task', fn($s, $task_id, $src, $data) => "helper:$data");
rs_ready($serv);
$serv->start();
PHP);
$helper->waitNotes('helper worker', 2);
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2, 'task_worker_num' => 1, 'task_broker' => getenv('RS_REDIS'), 'task_broker_name' => 'pm', 'task_broker_secret' => 'k']);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $me = $s->worker_id;
    $GLOBALS['left'] = 50;
    for ($i = 0; $i < 50; $i++) {
        $s->task("$me-$i", -1, function ($s, $task_id, $result) use ($me, $fd) {
            if ($s->worker_id !== $me) {
                rs_note("wrong worker");
            }
            [$where] = explode(':', $result);
            rs_note("done by $where");
            // Results come in any order (two hosts run them).
            if (--$GLOBALS['left'] === 0) {
                $s->send($fd, "ok$me");
            }
        });
    }
});
$serv->on('Task', fn($s, $task_id, $src, $data) => "main:$data");
rs_ready($serv);
$serv->start();
PHP);
$c1 = $srv->connect();
$c2 = $srv->connect();
fwrite($c1, 'a');
fwrite($c2, 'b');
$r = [$srv->read($c1, 3, 15), $srv->read($c2, 3, 15)];
sort($r);
echo implode(' ', $r), "\n";
$notes = $srv->notes();
echo "results: ", count(array_filter($notes, fn($n) => str_starts_with($n, 'done by'))), "\n";
echo "wrong worker: ", count(array_filter($notes, fn($n) => $n === 'wrong worker')), "\n";
echo "ran on the task-only host: ", in_array('done by helper', $notes) ? 'yes' : 'no', "\n";
$h = array_unique($helper->notes());
sort($h);
echo implode("\n", $h), "\n";
echo "exit codes: ", $srv->stop(), " ", $helper->stop(), "\n";
echo $srv->output(), $helper->output();
?>
--EXPECT--
ok0 ok1
results: 100
wrong worker: 0
ran on the task-only host: yes
helper worker 0 task
helper worker 1 task
exit codes: 0 0
