--TEST--
PROCESS mode: SIGTERM to the master while tasks are queued drains as in BASE mode: every task finishes, every reply reaches its client before the connection closes, Shutdown runs in the master, every process exits and the master ends with no thread left
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2, 'task_worker_num' => 1, 'max_wait_time' => 10]);
$serv->on('WorkerStart', fn($s, $id) => rs_note("start $id"));
$serv->on('WorkerStop', fn($s, $id) => rs_note("stop $id"));
$serv->on('Shutdown', fn($s) => rs_note('shutdown ' . getmypid() . ' threads ' . count(glob('/proc/' . getmypid() . '/task/*'))));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    rs_note("received $data");
    $s->task($data, -1, fn($s, $id, $r) => $s->send($fd, "done:$r"));
});
$serv->on('Task', function ($s, $id, $src, $d) {
    usleep(300000);
    return $d;
});
rs_ready($serv);
$serv->start();
rs_note('after start ' . getmypid());
PHP);
$srv->waitNotes('start', 3);
$clients = [];
for ($i = 0; $i < 6; $i++) {
    $clients[$i] = $srv->connect();
    fwrite($clients[$i], "r$i");
}
$srv->waitNotes('received', 6);
posix_kill($srv->pid, SIGTERM);
foreach ($clients as $i => $c) {
    $got = $srv->read($c, 7, 10);
    $more = $srv->read($c, 1, 10);
    echo "client $i: $got, then ", feof($c) ? 'EOF' : 'still open', "\n";
}
echo "exit code: ", $srv->waitExit(), "\n";
$notes = $srv->notes();
$stops = array_values(array_filter($notes, fn($l) => str_starts_with($l, 'stop')));
sort($stops);
echo implode("\n", $stops), "\n";
// The master's own thread only: the reactor threads have been joined.
echo implode("\n", str_replace((string)$srv->pid, 'MASTER', array_values(array_filter($notes, fn($l) => str_starts_with($l, 'shutdown') || str_starts_with($l, 'after'))))), "\n";
echo $srv->output();
?>
--EXPECT--
client 0: done:r0, then EOF
client 1: done:r1, then EOF
client 2: done:r2, then EOF
client 3: done:r3, then EOF
client 4: done:r4, then EOF
client 5: done:r5, then EOF
exit code: 0
stop 0
stop 1
stop 2
shutdown MASTER threads 1
after start MASTER
