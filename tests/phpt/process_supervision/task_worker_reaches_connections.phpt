--TEST--
PROCESS mode: a task worker reaches every connection through the reactors, as in Swoole: send() from onTask arrives at the client, exists() and getClientInfo() answer, close() closes it (onClose then runs in its event worker with reactor_id -1), and send() to a session that is gone returns false; in BASE mode a task worker's send() still warns
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2, 'task_worker_num' => 1]);
$serv->on('WorkerStart', fn($s, $id) => rs_note("start $id"));
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->task(['fd' => $fd, 'what' => $data]));
$serv->on('Task', function ($s, $id, $src, $d) {
    $fd = $d['fd'];
    if ($d['what'] === 'bye') {
        rs_note('close from task: ' . var_export($s->close($fd), true));
        return null;
    }
    $info = $s->getClientInfo($fd);
    rs_note("task sees fd $fd: exists " . var_export($s->exists($fd), true) . ", remote_port {$info['remote_port']}");
    rs_note('send from task: ' . var_export($s->send($fd, "hello from task worker $s->worker_id"), true));
    rs_note('send to a missing session: ' . var_export($s->send(999, 'x'), true) . ', exists ' . var_export($s->exists(999), true));
    return null;
});
$serv->on('Finish', fn() => null);
$serv->on('Close', fn($s, $fd, $rid) => rs_note("close $fd reactor $rid in worker $s->worker_id"));
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('start', 3);
$c = $srv->connect();
$port = (int)explode(':', stream_socket_get_name($c, false))[1];
fwrite($c, 'hi');
echo $srv->read($c, 26), "\n";
$n = $srv->waitNotes('task sees')[0];
echo str_replace("remote_port $port", 'remote_port OK', $n), "\n";
echo $srv->waitNotes('send from task')[0], "\n";
echo $srv->waitNotes('send to a missing')[0], "\n";
fwrite($c, 'bye');
echo $srv->waitNotes('close from task')[0], "\n";
$rest = $srv->read($c, 1, 5);
echo "client: ", $rest === '' && feof($c) ? 'EOF' : json_encode($rest), "\n";
echo $srv->waitNotes('close 1')[0], "\n";
fclose($c);
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();

$base = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->task($fd));
$serv->on('Task', function ($s, $id, $src, $fd) {
    rs_note('base send from task: ' . var_export($s->send($fd, 'x'), true));
});
$serv->on('Finish', fn() => null);
rs_ready($serv);
$serv->start();
PHP);
$c = $base->connect();
fwrite($c, 'hi');
echo $base->waitNotes('base send')[0], "\n";
fclose($c);
echo "exit code: ", $base->stop(), "\n";
echo $base->output();
?>
--EXPECTF--
hello from task worker 2
task sees fd 1: exists true, remote_port OK
send from task: true
send to a missing session: false, exists false
close from task: true
client: EOF
close 1 reactor -1 in worker 1
exit code: 0
[%s ^%d.0]	NOTICE	Server::send(): session#999 does not exist
base send from task: false
exit code: 0

Warning: Swoole\Server::send(): send() can only be used in an event worker for its own connections (in a task worker: PROCESS mode only) in %s on line %d
