--TEST--
SIGTERM with 1,000 slow tasks queued: every task either finished (its Finish ran) or is reported unfinished by id after max_wait_time; then WorkerStop, ManagerStop, Shutdown and exit 0
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2, 'max_wait_time' => 1]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    for ($i = 0; $i < 1000; $i++) {
        if ($s->task("t$i") !== $i) {
            rs_note("task $i not sent");
        }
    }
    $s->send($fd, 'sent');
});
$serv->on('Task', function ($s, $id, $src, $data) {
    usleep(20000);
    return $data;
});
$serv->on('Finish', function ($s, $id, $data) {
    rs_note("finish $id");
});
foreach (['WorkerStop', 'ManagerStop', 'Shutdown'] as $ev) {
    $serv->on($ev, function ($s, $id = null) use ($ev) {
        rs_note("$ev" . ($id === null ? '' : " $id"));
    });
}
rs_ready($serv);
$serv->start();
PHP);
var_dump($srv->request('go', 4));
$srv->waitNotes('finish', 10);
echo "exit code: ", $srv->stop(SIGTERM, 20), "\n";
$notes = $srv->notes();
$finished = [];
foreach ($notes as $n) {
    if (preg_match('/^finish (\d+)$/', $n, $m)) {
        $finished[] = (int)$m[1];
    }
}
preg_match('/worker#0 exit timeout: (\d+) task\(s\) still unfinished, their results are lost: \[([\d, ]*)\]/', $srv->output(), $m);
$reported = $m ? array_map('intval', explode(', ', $m[2])) : [];
echo "finished: ", count($finished) > 0 ? 'some' : 'none', ", reported: ", count($reported) > 0 ? 'some' : 'none', ", count in the log line right: ", var_export($m && (int)$m[1] === count($reported), true), "\n";
$all = array_merge($finished, $reported);
sort($all);
echo "finished + reported = every task exactly once: ", var_export($all === range(0, 999), true), "\n";
// Event worker first, then the task workers (in either order), then the manager.
$rest = array_values(array_filter($notes, fn($n) => !str_starts_with($n, 'finish ')));
$task_workers = array_slice($rest, 1, 2);
sort($task_workers);
echo implode("\n", array_merge([$rest[0]], $task_workers, array_slice($rest, 3))), "\n";
?>
--EXPECT--
string(4) "sent"
exit code: 0
finished: some, reported: some, count in the log line right: true
finished + reported = every task exactly once: true
WorkerStop 0
WorkerStop 1
WorkerStop 2
ManagerStop
Shutdown
