--TEST--
A transient error in an event worker's loop (fault event_loop_enobufs at the 2nd pass) is logged as "(transient, retrying)" and the same worker goes on: no WorkerError, no restart, the same pid answers every later request and its tasks round trip
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
putenv('RSWOOLE_FAULT=event_loop_enobufs=2');
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$serv->on('WorkerStart', fn($s, $id) => rs_note("start $id " . getmypid()));
$serv->on('WorkerError', fn($s, $id, $pid, $code, $sig) => rs_note("error $id $pid $code $sig"));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $s->send($fd, getmypid() . ' ' . $s->taskwait($data, 5.0) . "\n");
});
$serv->on('Task', fn($s, $id, $src, $data) => "T:$data");
rs_ready($serv);
$serv->start();
PHP);
putenv('RSWOOLE_FAULT');
$pid = null;
foreach ($srv->waitNotes('start', 2) as $l) {
    [, $id, $p] = explode(' ', $l);
    if ($id === '0') {
        $pid = (int)$p;
    }
}
$answers = [request_line($srv, 'r0', 5.0)];
$srv->waitOutput('(transient, retrying)');
for ($i = 1; $i <= 5; $i++) {
    $answers[] = $a = request_line($srv, "r$i", 5.0);
    if (!str_starts_with($a, "$pid ")) {
        break;
    }
}
foreach ($answers as $a) {
    [$p, $r] = explode(' ', rtrim($a, "\n")) + [1 => ''];
    echo "answer $r from ", (int)$p === $pid ? "the first event worker" : "pid $p (NOT the first event worker)", "\n";
}
$out = $srv->output();
echo "transient lines: ", preg_match_all('/\tWARNING\tWorker::loop\(\): worker#0 event loop: No buffer space available \(os error 105\) \(transient, retrying\)$/m', $out), "\n";
echo "exit code: ", $srv->stop(), "\n";
$notes = $srv->notes();
echo "WorkerError: ", count(array_filter($notes, fn($l) => str_starts_with($l, 'error'))), "\n";
echo "event worker starts: ", count(array_filter($notes, fn($l) => str_starts_with($l, 'start 0'))), "\n";
$out = $srv->output();
echo "abnormal exits: ", substr_count($out, 'abnormal exit'), ", loop failures: ", substr_count($out, 'event loop failed'), "\n";
?>
--EXPECT--
answer T:r0 from the first event worker
answer T:r1 from the first event worker
answer T:r2 from the first event worker
answer T:r3 from the first event worker
answer T:r4 from the first event worker
answer T:r5 from the first event worker
transient lines: 1
exit code: 0
WorkerError: 0
event worker starts: 1
abnormal exits: 0, loop failures: 0
