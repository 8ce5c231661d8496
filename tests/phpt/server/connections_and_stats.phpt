--TEST--
Connect/Receive/Close, send() and close(), session ids unique across workers, stats() counters
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2]);
$serv->on('Connect', fn($s, $fd, $rid) => rs_note("connect $fd"));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    rs_note("receive $fd owner_ok=" . (int)($rid === $s->worker_id));
    if ($data === 'stats') {
        $st = $s->stats();
        $s->send($fd, json_encode($st));
        return;
    }
    if ($data === 'bye') {
        $s->send($fd, "closing");
        var_dump($s->close($fd), $s->close($fd));
        return;
    }
    var_dump($s->send($fd, "echo:$data"));
});
$serv->on('Close', fn($s, $fd, $rid) => rs_note("close $fd " . ($rid === -1 ? 'by-server' : 'by-peer')));
rs_ready($serv);
$serv->start();
PHP);
$clients = [];
for ($i = 0; $i < 6; $i++) {
    $clients[] = $c = $srv->connect();
    fwrite($c, "m$i");
    var_dump($srv->read($c, 6) === "echo:m$i");
}
foreach ($clients as $c) {
    fclose($c);
}
$srv->waitNotes('close', 6);
$c = $srv->connect();
fwrite($c, 'bye');
var_dump($srv->read($c, 7));
$srv->waitNotes('close', 7);
$c = $srv->connect();
fwrite($c, 'stats');
$st = json_decode($srv->read($c, 100, 1.0), true);
echo json_encode(array_intersect_key($st, array_flip(['connection_num', 'accept_count', 'close_count', 'worker_num', 'request_count', 'total_recv_bytes']))), "\n";
echo implode(',', array_keys($st)), "\n";
fclose($c);
echo "exit code: ", $srv->stop(), "\n";
$ids = array_map(fn($l) => (int)substr($l, 8), $srv->waitNotes('connect', 8));
sort($ids);
echo implode(',', $ids), "\n";
$n = $srv->notes();
echo count(array_filter($n, fn($l) => str_ends_with($l, 'owner_ok=1'))), " receives on the owning worker\n";
echo implode("\n", array_filter($n, fn($l) => str_contains($l, 'by-server'))), "\n";
echo $srv->output();
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
string(7) "closing"
{"connection_num":1,"accept_count":8,"close_count":7,"worker_num":2,"request_count":8,"total_recv_bytes":20}
start_time,connection_num,abort_count,accept_count,close_count,worker_num,task_worker_num,idle_worker_num,dispatch_count,request_count,total_recv_bytes,total_send_bytes,session_round,worker_request_count
exit code: 0
1,2,3,4,5,6,7,8
8 receives on the owning worker
close 7 by-server
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(false)
