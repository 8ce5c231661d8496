--TEST--
Huge durations are clamped, never a panic: max_wait_time PHP_INT_MAX and task_backlog_timeout 1e300 are accepted, taskwait()/taskWaitMulti() with 1e300 or INF return the result, and SIGTERM still stops the server normally (WorkerStop, ManagerStop, Shutdown, start() returns true, exit code 0)
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
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
rs_note('set max_wait_time: ' . var_export($serv->set(['worker_num' => 1, 'task_worker_num' => 1, 'max_wait_time' => PHP_INT_MAX]), true));
rs_note('set task_backlog_timeout: ' . var_export($serv->set(['task_backlog_timeout' => 1e300]), true));
$serv->on('WorkerStart', fn($s, $id) => rs_note("WorkerStart $id"));
$serv->on('WorkerStop', fn($s, $id) => rs_note("WorkerStop $id"));
$serv->on('ManagerStop', fn($s) => rs_note('ManagerStop'));
$serv->on('Shutdown', fn($s) => rs_note('Shutdown'));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $a = $s->taskwait("$data-1e300", 1e300);
    $b = $s->taskwait("$data-INF", INF);
    $m = $s->taskWaitMulti(['k' => "$data-multi"], 1e300);
    $s->task("$data-async", -1, function ($s, $id, $r) use ($fd, $a, $b, $m) {
        $s->send($fd, json_encode([$a, $b, $m, $r]) . "\n");
    });
});
$serv->on('Task', fn($s, $id, $src, $data) => "done:$data");
rs_ready($serv);
$r = $serv->start();
echo 'start() returned ', var_export($r, true), "\n";
PHP);
foreach ($srv->waitNotes('set', 2) as $l) {
    echo $l, "\n";
}
$srv->waitNotes('WorkerStart', 2);
echo request_line($srv, 'q');
echo "exit code: ", $srv->stop(SIGTERM, 20), "\n";
$notes = $srv->notes();
$stops = array_values(array_filter($notes, fn($l) => str_starts_with($l, 'WorkerStop')));
sort($stops);
echo implode("\n", $stops), "\n";
echo implode("\n", array_values(array_filter($notes, fn($l) => in_array($l, ['ManagerStop', 'Shutdown'], true)))), "\n";
echo $srv->output();
?>
--EXPECT--
set max_wait_time: true
set task_backlog_timeout: true
["done:q-1e300","done:q-INF",{"k":"done:q-multi"},"done:q-async"]
exit code: 0
WorkerStop 0
WorkerStop 1
ManagerStop
Shutdown
start() returned true
