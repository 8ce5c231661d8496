--TEST--
A worker killed with SIGKILL is replaced under the same worker id, WorkerError fires, serving goes on, log_file has Swoole's line
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2, 'log_file' => getenv('RS_DIR') . '/server.log']);
$serv->on('WorkerStart', fn($s, $id) => rs_note("start $id " . getmypid()));
$serv->on('WorkerError', fn($s, $id, $pid, $code, $sig) => rs_note("error $id $pid $code $sig"));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $s->task($data, 1, function ($s, $id, $result) use ($fd) {
        $s->send($fd, $result);
    });
});
$serv->on('Task', fn($s, $id, $src, $data) => "T" . $s->worker_id . ":$data");
rs_ready($serv);
$serv->start();
PHP);
$pids = [];
foreach ($srv->waitNotes('start', 3) as $l) {
    [, $id, $pid] = explode(' ', $l);
    $pids[$id] = (int)$pid;
}
var_dump($srv->request('a', 4));
posix_kill($pids[2], SIGKILL);
posix_kill($pids[0], SIGKILL);
$errors = $srv->waitNotes('error', 2);
sort($errors);
foreach ($errors as $e) {
    [, $id, $pid, $code, $sig] = explode(' ', $e);
    echo "WorkerError id=$id pid_ok=", (int)($pids[$id] === (int)$pid), " code=$code signal=$sig\n";
}
$restarts = array_slice($srv->waitNotes('start', 5), 3);
sort($restarts);
foreach ($restarts as $l) {
    [, $id, $pid] = explode(' ', $l);
    echo "restarted id=$id new_pid=", (int)($pids[$id] !== (int)$pid), "\n";
}
var_dump($srv->request('b', 4));
echo "exit code: ", $srv->stop(), "\n";
$log = file_get_contents($srv->dir() . '/server.log');
foreach ([0, 2] as $id) {
    $pid = $pids[$id];
    echo preg_match("/^\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\\$\\d+\\.0\\]\tWARNING\tManager::wait\\(\\): worker\\(pid=$pid, id=$id\\) abnormal exit, status=0, signal=9$/m", $log), "\n";
}
echo $srv->output();
?>
--EXPECT--
string(4) "T2:a"
WorkerError id=0 pid_ok=1 code=0 signal=9
WorkerError id=2 pid_ok=1 code=0 signal=9
restarted id=0 new_pid=1
restarted id=2 new_pid=1
string(4) "T2:b"
exit code: 0
1
1
