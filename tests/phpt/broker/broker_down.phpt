--TEST--
task_broker: while Redis is down task() fails at once with a warning and error 2002; when it comes back empty, the task it held is reported lost, and tasks work again without a restart
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
require __DIR__ . '/../../include/redis.inc';
$redis = TestRedis::start();
putenv('RS_REDIS=' . $redis->url());
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1, 'task_broker' => getenv('RS_REDIS'), 'task_broker_name' => 'down',
    'task_broker_secret' => 'k', 'task_backlog_timeout' => 0.5, 'log_file' => RS_DIR . '/log']);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'slow') {
        rs_note("sent slow " . $s->task('slow'));
        $s->send($fd, 'ok');
        return;
    }
    // Retries task() until it answers as asked ("refused" or "accepted"), within 10 s.
    $want = $data;
    $slowest = 0.0;
    $deadline = microtime(true) + 10;
    while (microtime(true) < $deadline) {
        $t = microtime(true);
        $r = @$s->task('probe');
        $slowest = max($slowest, microtime(true) - $t);
        if (($r === false) === ($want === 'refused')) {
            break;
        }
        usleep(20000);
    }
    if ($r === false) {
        rs_note("refused: error " . swoole_last_error() . ": " . error_get_last()['message']);
    } else {
        rs_note("accepted again: task " . $r);
    }
    rs_note(sprintf("no task() call took over the backlog timeout: %s", $slowest < 0.5 ? 'yes' : "no ($slowest)"));
    $s->send($fd, 'ok');
});
$serv->on('Task', function ($s, $task_id, $src, $data) {
    if ($data === 'slow') {
        rs_note("started slow");
        usleep(1500000);
    }
    return "done $data";
});
$serv->on('Finish', function ($s, $task_id, $data) {
    rs_note("finish $task_id $data");
    if ($data === 'done probe') {
        rs_note("lost so far: " . $s->stats()['task_lost_num']);
    }
});
rs_ready($serv);
$serv->start();
PHP);
$srv->request('slow', 2);
$srv->waitNotes('started slow');
$redis->stop();
$srv->request('refused', 2, 15);
echo implode("\n", array_filter($srv->notes(), fn($n) => str_starts_with($n, 'refused') || str_starts_with($n, 'no task'))), "\n";
$redis->launch();
$srv->waitUntil(fn() => str_contains($srv->output(), 'restarted without its data'), 10, 'the loss report');
$srv->request('accepted', 2, 15);
$srv->waitNotes('lost so far');
echo "exit code: ", $srv->stop(), "\n";
$notes = $srv->notes();
echo implode("\n", array_filter($notes, fn($n) => !str_starts_with($n, 'refused') && !str_starts_with($n, 'no task') && !str_starts_with($n, 'sent slow'))), "\n";
echo $srv->output();
?>
--EXPECTF--
refused: error 2002: Swoole\Server::task(): the task broker is unreachable: %s
no task() call took over the backlog timeout: yes
exit code: 0
started slow
accepted again: task %d
finish %d done probe
lost so far: %d
%A
Warning: Swoole\Server::start(): task#0 of worker#0 was lost: the task broker restarted without its data in %s
