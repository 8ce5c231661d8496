--TEST--
Connection API for the worker's own connections: exists()/exist(), getClientInfo()/connection_info() with Swoole's keys and real values, false for unknown fds; pause() stops reading (data waits, nothing is lost) and resume() delivers what came meanwhile
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'info') {
        $i = $s->getClientInfo($fd);
        $keys = array_keys($i);
        sort($keys);
        $checks = [
            'keys' => implode(',', $keys),
            'same as connection_info' => array_keys($s->connection_info($fd)) == array_keys($i),
            'remote_ip' => $i['remote_ip'],
            'server_port is ours' => $i['server_port'] === $s->port,
            'reactor_id' => $i['reactor_id'],
            'socket_type' => $i['socket_type'],
            'connect_time recent' => abs($i['connect_time'] - time()) <= 5,
            'last_recv_time is a float' => is_float($i['last_recv_time']),
            'exists' => $s->exists($fd) && $s->exist($fd),
            'unknown fd' => [$s->exists(999), $s->getClientInfo(999)],
        ];
        $s->send($fd, json_encode($checks));
        return;
    }
    if (str_starts_with($data, 'resume ')) {
        rs_note('resumed ' . var_export($s->resume((int)substr($data, 7)), true));
        return;
    }
    if ($data === 'pause') {
        rs_note('paused ' . var_export($s->pause($fd), true) . ' ' . var_export($s->pause($fd), true));
        return;
    }
    rs_note("receive $data");
});
rs_ready($serv);
$serv->start();
PHP);
$c = $srv->connect();
fwrite($c, 'info');
$got = '';
$srv->waitUntil(function () use ($srv, $c, &$got) {
    $got .= $srv->read($c, 1, 0.2);
    return json_decode($got, true);
}, 10, "the info answer");
foreach (json_decode($got, true) as $k => $v) {
    echo "$k: ", json_encode($v), "\n";
}
$p = $srv->connect();
fwrite($p, 'pause');
$srv->waitNotes('paused');
fwrite($p, 'while paused');
// Give a paused reader every chance to read it by mistake: a full round trip on another
// connection goes through the same loop.
fwrite($c, 'info');
$srv->read($c, strlen($got));
echo "received while paused: ", count(preg_grep('/^receive while paused/', $srv->notes())), "\n";
$r = $srv->connect();
fwrite($r, 'resume 2');
echo implode("\n", $srv->waitNotes('resumed')), "\n";
$srv->waitNotes('receive while paused');
echo "received after resume(): ", count(preg_grep('/^receive while paused$/', $srv->notes())), "\n";
echo implode("\n", $srv->waitNotes('paused')), "\n";
echo "exit code: ", $srv->stop(), "\n";
?>
--EXPECT--
keys: "close_errno,connect_time,last_dispatch_time,last_recv_time,last_send_time,last_time,reactor_id,recv_queued_bytes,remote_ip,remote_port,send_queued_bytes,server_fd,server_port,socket_fd,socket_type"
same as connection_info: true
remote_ip: "127.0.0.1"
server_port is ours: true
reactor_id: 0
socket_type: 1
connect_time recent: true
last_recv_time is a float: true
exists: true
unknown fd: [false,false]
received while paused: 0
resumed true
received after resume(): 1
paused true true
exit code: 0
