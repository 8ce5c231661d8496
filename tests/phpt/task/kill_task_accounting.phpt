--TEST--
A task worker SIGKILLed in the middle of a batch: its running and not-started tasks are reported lost, the rest finish, and the counters are exact at rest
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2]);
$finished = 0;
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    for ($i = 0; $i < 30000; $i++) {
        if ($s->task((string)$i, 0) === false) {
            rs_note("task $i refused");
        }
    }
    touch(RS_DIR . '/flooded');
    $s->send($fd, 'sent');
});
$serv->on('Task', function ($s, $id, $src, $data) {
    // Task 0 holds the worker until every task is queued, so the later ones travel in
    // batches; task 25000 (inside one) blocks until the test kills this worker.
    $until = $data === '0' ? 'flooded' : ($data === '25000' ? 'never' : null);
    if ($until) {
        if ($until === 'never') {
            rs_note("blocking in " . getmypid());
        }
        $deadline = microtime(true) + 20;
        while (!file_exists(RS_DIR . "/$until") && microtime(true) < $deadline) {
            usleep(1000);
        }
    }
    return $data;
});
$serv->on('Finish', function ($s, $id, $data) use (&$finished) {
    $finished++;
    $st = $s->stats();
    if ($finished + $st['task_lost_num'] === 30000) {
        rs_note("finished $finished, lost {$st['task_lost_num']}, tasking_num {$st['tasking_num']}, idle task workers {$st['task_idle_worker_num']}");
    }
});
rs_ready($serv);
$serv->start();
PHP);
var_dump($srv->request('go', 4, 60));
[$note] = $srv->waitNotes('blocking', 1, 60);
posix_kill((int)substr($note, strlen('blocking in ')), SIGKILL);
[$done] = $srv->waitNotes('finished', 1, 60);
echo "exit code: ", $srv->stop(), "\n";
preg_match('/finished (\d+), lost (\d+), (.*)/', $done, $m);
echo "lost between 1 and 16: ", var_export($m[2] >= 1 && $m[2] <= 16, true), "; ", $m[3], "\n";
$out = $srv->output();
echo "lost warnings in the event worker = lost: ", var_export(preg_match_all('/Warning: Swoole\\\\Server::start\(\): task#\d+ of worker#0 was lost/', $out) == $m[2], true), "\n";
echo "running task reported: ", substr_count($out, "task#25000 of worker#0 was lost: task worker#1"), "\n";
?>
--EXPECT--
string(4) "sent"
exit code: 0
lost between 1 and 16: true; tasking_num 0, idle task workers 2
lost warnings in the event worker = lost: true
running task reported: 2
