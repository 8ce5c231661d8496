--TEST--
A panic inside the core (fault panic_in_task_send) ends that event worker with status 70 and a "panicked" log line; WorkerError fires with exit code 70, signal 0; a new event worker under the same id serves the next request and its task round trips; tasking_num is 0 at rest
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
/** Sends `$data` and reads one line of answer (bounded by `$timeout`). */
function request_line(TestServer $srv, string $data, float $timeout = 10.0): string {
    $c = $srv->connect();
    fwrite($c, $data);
    $line = '';
    $deadline = microtime(true) + $timeout;
    while (!str_ends_with($line, "\n") && microtime(true) < $deadline) {
        $line .= $srv->read($c, 1, max(0.01, $deadline - microtime(true)));
    }
    fclose($c);
    return $line;
}
// The fault fires once, in whichever process removes this file first.
$flag = tempnam(sys_get_temp_dir(), 'rswoole-panic-flag-');
register_shutdown_function(fn() => @unlink($flag)); // also when the test fails half-way
putenv("RSWOOLE_FAULT=panic_in_task_send@$flag");
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$serv->on('WorkerStart', fn($s, $id) => rs_note("start $id " . getmypid()));
$serv->on('WorkerError', fn($s, $id, $pid, $code, $sig) => rs_note("error $id $pid $code $sig"));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'stats') {
        $st = $s->stats();
        $s->send($fd, "tasking_num {$st['tasking_num']}, task_lost_num {$st['task_lost_num']}\n");
        return;
    }
    rs_note("receive $data " . getmypid());
    $id = $s->task($data, -1, function ($s, $id, $r) use ($fd) {
        $s->send($fd, "$r via " . getmypid() . "\n");
    });
    rs_note("task() returned " . var_export($id, true));
});
$serv->on('Task', fn($s, $id, $src, $data) => "T:$data");
rs_ready($serv);
$serv->start();
PHP);
putenv('RSWOOLE_FAULT');
$pids = [];
foreach ($srv->waitNotes('start', 2) as $l) {
    [, $id, $pid] = explode(' ', $l);
    $pids[$id] = (int)$pid;
}
// The first request's task() panics: the connection ends without an answer.
echo "first answer: ", json_encode($srv->request('one', 100, 10)), "\n";
echo "flag removed by the process that fired: ", (int)!file_exists($flag), "\n";
[, $id, $pid, $code, $sig] = explode(' ', $srv->waitNotes('error')[0]);
echo "WorkerError id=$id code=$code signal=$sig, the old pid: ", (int)((int)$pid === $pids[0]), "\n";
$restart = $srv->waitNotes('start 0', 2)[1];
$newPid = (int)explode(' ', $restart)[2];
echo "new event worker: ", (int)($newPid !== $pids[0] && $newPid > 0), "\n";
echo "second answer: ", str_replace((string)$newPid, 'NEWPID', request_line($srv, 'two'));
echo "stats: ", request_line($srv, 'stats');
echo "exit code: ", $srv->stop(), "\n";
foreach ($srv->notes() as $n) {
    if (str_starts_with($n, 'receive') || str_starts_with($n, 'task()')) {
        echo str_replace([(string)$pids[0], (string)$newPid], ['OLDPID', 'NEWPID'], $n), "\n";
    }
}
$out = $srv->output();
$old = $pids[0];
echo "panicked line: ", preg_match("/^\\[[^\\]]+ \\*$old\\.0\\]\tERROR\tServer::panic\\(\\): worker#0 \\(pid $old\\) panicked, exiting: [^\\n]*deliberate fault panic_in_task_send/m", $out), "\n";
echo "abnormal exit line: ", preg_match("/Manager::wait\\(\\): worker\\(pid=$old, id=0\\) abnormal exit, status=70, signal=0$/m", $out), "\n";
echo "panics in all: ", substr_count($out, 'panicked, exiting'), "\n";
?>
--EXPECT--
first answer: ""
flag removed by the process that fired: 1
WorkerError id=0 code=70 signal=0, the old pid: 1
new event worker: 1
second answer: T:two via NEWPID
stats: tasking_num 0, task_lost_num 0
exit code: 0
receive one OLDPID
receive two NEWPID
task() returned 0
panicked line: 1
abnormal exit line: 1
panics in all: 1
