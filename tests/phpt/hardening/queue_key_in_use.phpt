--TEST--
A message_queue_key whose queue belongs to a running server is refused: the second server's start() throws naming the first's manager pid, the first keeps working and stops cleanly, and after that a third server with the key starts on a queue created afresh
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
/** msqid of the System V queue with `$key` (the key column is decimal), or null. */
function queue_id(int $key): ?int {
    foreach (array_slice(file('/proc/sysvipc/msg') ?: [], 1) as $line) {
        $c = preg_split('/\s+/', trim($line));
        if ((int)$c[0] === $key) {
            return (int)$c[1];
        }
    }
    return null;
}
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
// A key no queue has now (one left by a server killed in an earlier run would be taken over
// by design, which is not what this test is about).
for ($key = 0x52560000 + getmypid() % 65536; queue_id($key) !== null; $key += 0x01000000);
$code = "\$key = $key;\n" . <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1, 'task_ipc_mode' => 2, 'message_queue_key' => $key]);
$serv->on('ManagerStart', fn($s) => rs_note('ManagerStart ' . $s->getManagerPid()));
$serv->on('WorkerStart', fn($s, $id) => rs_note("WorkerStart $id"));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $s->send($fd, var_export($s->taskwait($data, 5.0), true) . "\n");
});
$serv->on('Task', fn($s, $id, $src, $data) => "T:$data");
rs_ready($serv);
try {
    $r = $serv->start();
    echo 'start() returned ', var_export($r, true), "\n";
} catch (Swoole\Exception $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
PHP;
$first = TestServer::start($code);
$manager = (int)explode(' ', $first->waitNotes('ManagerStart')[0])[1];
$first->waitNotes('WorkerStart', 2);
echo "first: manager pid is its pid: ", (int)($manager === $first->pid), "\n";
echo "first: ", request_line($first, 'a');
$qid = queue_id($key);
echo "first: queue exists: ", (int)($qid !== null), "\n";

$second = TestServer::start($code);
echo "second: exit code: ", $second->waitExit(), "\n";
echo "second: ", str_replace(['0x' . dechex($key), " $manager\n"], ['KEY', " FIRST_MANAGER_PID\n"], $second->output());
echo "second: ran ", count($second->notes()), " callbacks\n";
echo "first: queue unchanged: ", (int)(queue_id($key) === $qid), "\n";

echo "first: ", request_line($first, 'b');
echo "first: exit code: ", $first->stop(), "\n";
echo "first: ", $first->output();
echo "queue after the first stopped: ", var_export(queue_id($key), true), "\n";

$third = TestServer::start($code);
$third->waitNotes('WorkerStart', 2);
echo "third: ", request_line($third, 'c');
$qid3 = queue_id($key);
echo "third: queue created afresh: ", (int)($qid3 !== null && $qid3 !== $qid), "\n";
echo "third: exit code: ", $third->stop(), "\n";
echo "third: ", $third->output();
echo "queue at the end: ", var_export(queue_id($key), true), "\n";
?>
--EXPECT--
first: manager pid is its pid: 1
first: 'T:a'
first: queue exists: 1
second: exit code: 0
second: Swoole\Exception: failed to start server. Error: failed to create the task message queue: message_queue_key KEY is in use by the server with manager pid FIRST_MANAGER_PID
second: ran 0 callbacks
first: queue unchanged: 1
first: 'T:b'
first: exit code: 0
first: start() returned true
queue after the first stopped: NULL
third: 'T:c'
third: queue created afresh: 1
third: exit code: 0
third: start() returned true
queue at the end: NULL
