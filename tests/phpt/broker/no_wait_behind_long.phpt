--TEST--
task_broker: a task never waits behind a long one while another task worker is free (the task a worker took ahead during a short run is given back once the run turns long)
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
require __DIR__ . '/../../include/redis.inc';
$redis = TestRedis::start();
putenv('RS_REDIS=' . $redis->url());
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2, 'task_broker' => getenv('RS_REDIS'), 'task_broker_name' => 'nwl', 'task_broker_secret' => 'k']);
$warm = 0;
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    // Short tasks first, so both workers take ahead; then a long one and quick ones behind it.
    for ($i = 0; $i < 200; $i++) {
        $s->task("warm");
    }
    $s->send($fd, 'ok');
});
$serv->on('Task', function ($s, $task_id, $src, $data) {
    if ($data === 'long') {
        usleep(1500000);
    }
    return $data;
});
$serv->on('Finish', function ($s, $task_id, $data) use (&$warm) {
    if ($data === 'warm' && ++$warm === 200) {
        $s->task('long');
        for ($i = 0; $i < 6; $i++) {
            $s->task("quick");
        }
        return;
    }
    if ($data !== 'warm') {
        rs_note("finish $data");
    }
});
rs_ready($serv);
$serv->start();
PHP);
$srv->request('go', 2);
$srv->waitNotes('finish', 7, 20);
echo implode("\n", $srv->notes()), "\n";
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
finish quick
finish quick
finish quick
finish quick
finish quick
finish quick
finish long
exit code: 0
