--TEST--
A user's pcntl_alarm() in a task worker fires in task_ipc_mode 2 and 3 (the worker's own timer no longer takes ITIMER_REAL), and the task workers go on serving
--SKIPIF--
<?php
if (!function_exists('pcntl_alarm') || !function_exists('pcntl_async_signals')) {
    die('skip this PHP has no pcntl (pcntl_alarm, pcntl_async_signals)');
}
?>
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
foreach ([2, 3] as $mode) {
    $srv = TestServer::start("\$mode = $mode;\n" . <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2, 'task_ipc_mode' => $mode]);
$serv->on('WorkerStart', function ($s, $id) {
    if ($s->taskworker) {
        pcntl_async_signals(true);
        pcntl_signal(SIGALRM, fn() => rs_note('alarm ' . getmypid()));
        pcntl_alarm(1);
        rs_note("task worker $id " . getmypid());
    }
});
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    // One task for each task worker, so PHP runs in both.
    $s->send($fd, $s->taskwait($data, 2.0, 0) . ' ' . $s->taskwait($data, 2.0, 1) . "\n");
});
$serv->on('Task', fn($s, $id, $src, $data) => "$data@" . $s->worker_id);
rs_ready($serv);
$serv->start();
PHP);
    $pids = [];
    foreach ($srv->waitNotes('task worker', 2) as $l) {
        [, , $id, $pid] = explode(' ', $l);
        $pids[$pid] = $id;
    }
    $alarmed = fn() => array_unique(array_map(fn($l) => substr($l, 6), array_filter($srv->notes(), fn($l) => str_starts_with($l, 'alarm '))));
    $answers = [];
    $deadline = microtime(true) + 4.0;
    $i = 0;
    while (count($alarmed()) < 2 && microtime(true) < $deadline) {
        $answers[request_line($srv, 'r' . $i++)] = true;
        usleep(100000);
    }
    $got = $alarmed();
    sort($got);
    echo "mode $mode: alarm ran in ", count($got), " task workers, all ours: ", (int)(array_diff($got, array_keys($pids)) === []), "\n";
    // Every answer so far had both tasks round trip; and one more after the alarms.
    $ok = array_filter(array_keys($answers), fn($a) => preg_match('/^r\d+@1 r\d+@2\n$/', $a));
    echo "mode $mode: answers ", count($answers) > 0 && count($ok) === count($answers) ? 'all complete' : 'INCOMPLETE: ' . json_encode(array_keys($answers)), "\n";
    echo "mode $mode: after the alarms: ", request_line($srv, 'last');
    echo "mode $mode: exit code: ", $srv->stop(), "\n";
    echo $srv->output();
}
?>
--EXPECT--
mode 2: alarm ran in 2 task workers, all ours: 1
mode 2: answers all complete
mode 2: after the alarms: last@1 last@2
mode 2: exit code: 0
mode 3: alarm ran in 2 task workers, all ours: 1
mode 3: answers all complete
mode 3: after the alarms: last@1 last@2
mode 3: exit code: 0
