--TEST--
A fork that fails half-way through start() (fault spawn_fail=3: both task workers started, event worker 0 not) makes start() throw Swoole\Exception; the started workers run WorkerStart and WorkerStop, no ManagerStart runs, no process is left and the System V queue of message_queue_key is removed
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
/** Keys of the System V message queues that exist now (the key column is decimal). */
function queue_keys(): array {
    $keys = [];
    foreach (array_slice(file('/proc/sysvipc/msg') ?: [], 1) as $line) {
        $keys[] = (int)preg_split('/\s+/', trim($line))[0];
    }
    return $keys;
}
// A key no queue has now (one left by a server killed in an earlier run would be taken over
// by design, and could hide a queue this start left behind).
for ($key = 0x52550000 + getmypid() % 65536; in_array($key, queue_keys(), true); $key += 0x01000000);
putenv('RSWOOLE_FAULT=spawn_fail=3');
$srv = TestServer::start(<<<PHP
\$key = $key;
PHP . <<<'PHP'
function queue_exists(int $key): int {
    foreach (array_slice(file('/proc/sysvipc/msg') ?: [], 1) as $line) {
        if ((int)preg_split('/\s+/', trim($line))[0] === $key) {
            return 1;
        }
    }
    return 0;
}
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 2, 'task_ipc_mode' => 2, 'message_queue_key' => $key]);
$serv->on('WorkerStart', fn($s, $id) => rs_note("WorkerStart $id " . ($s->taskworker ? 'task' : 'event') . ', queue exists: ' . queue_exists($key)));
$serv->on('WorkerStop', fn($s, $id) => rs_note("WorkerStop $id"));
$serv->on('ManagerStart', fn($s) => rs_note('ManagerStart'));
$serv->on('ManagerStop', fn($s) => rs_note('ManagerStop'));
$serv->on('Shutdown', fn($s) => rs_note('Shutdown'));
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->send($fd, $data));
$serv->on('Task', fn($s, $id, $src, $data) => $data);
rs_ready($serv);
try {
    $r = $serv->start();
    echo 'start() returned ', var_export($r, true), "\n";
} catch (Swoole\Exception $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}
echo "script goes on in pid ", getmypid(), "\n";
PHP);
putenv('RSWOOLE_FAULT');
echo "exit code: ", $srv->waitExit(), "\n";
$notes = $srv->notes();
sort($notes);
echo implode("\n", $notes), "\n";
echo "queue there after: ", (int)in_array($key, queue_keys(), true), "\n";
$out = $srv->output();
echo str_replace("script goes on in pid $srv->pid\n", "script goes on in the server process\n", $out);
?>
--EXPECTF--
exit code: 0
WorkerStart 2 task, queue exists: 1
WorkerStart 3 task, queue exists: 1
WorkerStop 2
WorkerStop 3
queue there after: 0
[%s $%d.0]	ERROR	Manager::start(): cannot start worker#0: fork() failed: %s; stopping the 2 started
Swoole\Exception: failed to start server. Error: fork() failed: %s
script goes on in the server process
