--TEST--
task_max_request: task workers are replaced under the same ids and none of 2,000 tasks is lost or run twice
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2, 'task_max_request' => 10]);
$finished = [];
$pids = [];
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    for ($i = 0; $i < 2000; $i++) {
        if ($s->task($i) === false) {
            rs_note("task $i refused");
        }
    }
    $s->send($fd, 'sent');
});
$serv->on('Task', function ($s, $id, $src, $n) {
    return [$n, getmypid(), $s->worker_id];
});
$serv->on('Finish', function ($s, $id, $r) use (&$finished, &$pids) {
    [$n, $pid, $wid] = $r;
    $finished[$n] = ($finished[$n] ?? 0) + 1;
    $pids[$pid] = $wid;
    if (array_sum($finished) === 2000) {
        $twice = count(array_filter($finished, fn($c) => $c !== 1));
        rs_note("finished: " . count($finished) . " distinct, $twice more than once");
        $ids = array_unique(array_values($pids));
        sort($ids);
        rs_note("worker ids: " . implode(',', $ids) . "; more than 100 processes: " . var_export(count($pids) > 100, true));
        $st = $s->stats();
        rs_note("at rest: tasking_num {$st['tasking_num']}, task_count {$st['task_count']}");
    }
});
rs_ready($serv);
$serv->start();
PHP);
var_dump($srv->request('go', 4));
$srv->waitNotes('at rest', 1, 60);
echo "exit code: ", $srv->stop(), "\n";
echo implode("\n", $srv->notes()), "\n";
echo $srv->output();
?>
--EXPECT--
string(4) "sent"
exit code: 0
finished: 2000 distinct, 0 more than once
worker ids: 1,2; more than 100 processes: true
at rest: tasking_num 0, task_count 2000
