--TEST--
An event worker that can never start (fault worker_start_emfile, every time) is respawned with a backoff that doubles (200, 400, 800, 1600 ms), never in a fork loop; WorkerError fires with exit code 1 each time; SIGTERM still stops the server cleanly
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
putenv('RSWOOLE_FAULT=worker_start_emfile');
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$serv->on('WorkerStart', fn($s, $id) => rs_note("start $id " . getmypid()));
$serv->on('WorkerError', fn($s, $id, $pid, $code, $sig) => rs_note(sprintf("error %d %d %d %d %.6f", $id, $pid, $code, $sig, microtime(true))));
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->send($fd, $data));
$serv->on('Task', fn($s, $id, $src, $data) => $data);
rs_ready($serv);
$serv->start();
rs_note('start() returned');
PHP);
putenv('RSWOOLE_FAULT');
$srv->waitOutput('worker#0 failed 4 times in a row, respawning it in 1600ms', 10);
// Right when the 4th failure is logged the 5th start is 1.6 s away: no more than 5 can be seen.
$out = $srv->output();
$failedStarts = substr_count($out, 'worker#0 failed: Too many open files (os error 24)');
echo "failed starts when the 1600ms line appeared: ", ($failedStarts >= 4 && $failedStarts <= 5) ? "4 or 5" : "$failedStarts (WRONG)", "\n";
preg_match_all('/worker#0 failed (\d+) times in a row, respawning it in (\d+)ms/', $out, $m, PREG_SET_ORDER);
foreach (array_slice($m, 0, 3) as [, $n, $ms]) {
    echo "failed $n times in a row: next try in {$ms}ms\n";
}
$errors = $srv->waitNotes('error', 4);
$pids = [];
$times = [];
foreach (array_slice($errors, 0, 4) as $i => $e) {
    [, $id, $pid, $code, $sig, $t] = explode(' ', $e);
    echo "WorkerError id=$id code=$code signal=$sig\n";
    $pids[] = $pid;
    $times[] = (float)$t;
}
echo "4 different processes: ", count(array_unique($pids)), "\n";
// Each start comes at least the backoff after the failure before it.
foreach ([200, 400, 800] as $i => $ms) {
    $gap = ($times[$i + 1] - $times[$i]) * 1000;
    echo "gap after failure ", $i + 1, ": ", $gap >= $ms - 20 ? "at least {$ms}ms" : sprintf("%.0fms (TOO SHORT)", $gap), "\n";
}
echo "exit code: ", $srv->stop(), "\n";
$notes = $srv->notes();
echo "WorkerStart ran: ", count(array_filter($notes, fn($l) => str_starts_with($l, 'start 0'))), "\n";
echo "task worker started: ", count(array_filter($notes, fn($l) => str_starts_with($l, 'start 1'))), "\n";
echo "start() returned: ", count(array_filter($notes, fn($l) => $l === 'start() returned')), "\n";
$out = $srv->output();
$failedStarts = substr_count($out, 'worker#0 failed: Too many open files (os error 24)');
echo "abnormal exits logged for each failed start: ", (int)(preg_match_all('/worker\(pid=\d+, id=0\) abnormal exit, status=1, signal=0$/m', $out) === $failedStarts), "\n";
echo "panics: ", substr_count($out, 'panicked'), "\n";
?>
--EXPECT--
failed starts when the 1600ms line appeared: 4 or 5
failed 2 times in a row: next try in 400ms
failed 3 times in a row: next try in 800ms
failed 4 times in a row: next try in 1600ms
WorkerError id=0 code=1 signal=0
WorkerError id=0 code=1 signal=0
WorkerError id=0 code=1 signal=0
WorkerError id=0 code=1 signal=0
4 different processes: 4
gap after failure 1: at least 200ms
gap after failure 2: at least 400ms
gap after failure 3: at least 800ms
exit code: 0
WorkerStart ran: 0
task worker started: 1
start() returned: 1
abnormal exits logged for each failed start: 1
panics: 0
