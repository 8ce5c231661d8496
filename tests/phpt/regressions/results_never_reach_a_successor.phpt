--TEST--
Regression (incarnation check): a result of a task sent by an event worker that was then SIGKILLed is dropped, never delivered to its successor's Finish, even though the successor's own first task has the same id
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2]);
$serv->on('WorkerStart', function ($s, $id) {
    if (!$s->taskworker) {
        rs_note("start " . getmypid());
    }
});
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $id = $s->task($data);
    rs_note("sent " . getmypid() . " $id $data");
    $s->send($fd, 'ok');
});
$serv->on('Task', function ($s, $id, $src, $data) {
    // 'old' is held until its sender is dead and the successor's own task 0 ('mine', on the
    // other task worker) is in flight; 'mine' until the old result has come and gone.
    $flag = ['old' => 'release', 'mine' => 'release2'][$data] ?? null;
    if ($flag) {
        rs_note("running $data");
        $deadline = microtime(true) + 20;
        while (!file_exists(RS_DIR . "/$flag") && microtime(true) < $deadline) {
            usleep(2000);
        }
    }
    return "result-of-$data";
});
$serv->on('Finish', fn($s, $id, $data) => rs_note("finish " . getmypid() . " $id $data"));
rs_ready($serv);
$serv->start();
PHP);
[$first] = $srv->waitNotes('start', 1);
$old = (int)explode(' ', $first)[1];
var_dump($srv->request('old', 2));
$srv->waitNotes('sent', 1);
posix_kill($old, SIGKILL);
$starts = $srv->waitNotes('start', 2);
$new = (int)explode(' ', $starts[1])[1];
echo "successor is another process: ", var_export($new !== $old, true), "\n";
// The successor's first task gets id 0 too: the old task's late result carries the same id.
var_dump($srv->request('mine', 2));
$srv->waitNotes('running', 2);
touch($srv->dir() . '/release');
$srv->waitOutput('dropped a result of task#0 sent by a previous worker#0 process');
touch($srv->dir() . '/release2');
$srv->waitNotes('finish', 1);
var_dump($srv->request('after', 2));
$srv->waitNotes('finish', 2);
echo "exit code: ", $srv->stop(), "\n";
foreach ($srv->notes() as $n) {
    if (str_starts_with($n, 'finish')) {
        [, $pid, $id, $data] = explode(' ', $n);
        echo "finish in ", $pid == $new ? 'successor' : "pid $pid", ": task $id $data\n";
    }
}
?>
--EXPECT--
string(2) "ok"
successor is another process: true
string(2) "ok"
string(2) "ok"
exit code: 0
finish in successor: task 0 result-of-mine
finish in successor: task 1 result-of-after
