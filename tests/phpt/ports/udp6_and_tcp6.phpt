--TEST--
IPv6: a SWOOLE_SOCK_TCP6 server on ::1 serves TCP over IPv6 (getClientInfo's remote_ip is ::1), a SWOOLE_SOCK_UDP6 port on ::1 gets Packet with address ::1 and answers from its own address; next to a UDP (IPv4) port, each client is answered from the port of its own family; a UDP6-only server gets the same clientInfo keys as UDP
--SKIPIF--
<?php
foreach (['tcp', 'udp'] as $t) {
    $s = @stream_socket_server("$t://[::1]:0", $errno, $errstr, $t === 'udp' ? STREAM_SERVER_BIND : STREAM_SERVER_BIND | STREAM_SERVER_LISTEN);
    if (!$s) {
        die("skip $t on ::1 is unavailable here: $errstr");
    }
}
?>
--FILE--
<?php
require __DIR__ . '/ports.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('::1', 0, SWOOLE_BASE, SWOOLE_SOCK_TCP6);
$serv->set(['worker_num' => 1]);
$udp6 = $serv->addListener('::1', 0, SWOOLE_SOCK_UDP6);
$udp4 = $serv->addListener('127.0.0.1', 0, SWOOLE_SOCK_UDP);
rs_note('ports: ' . json_encode(array_map(fn($p) => [$p->host, $p->port, $p->type], $serv->ports)));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $i = $s->getClientInfo($fd);
    $s->send($fd, '<' . json_encode([$data, $i['remote_ip'], $i['server_port'] === $s->port]) . '>');
});
$serv->on('Packet', function ($s, $data, $info) {
    // Answered without naming a socket: the port of the client's family that heard it.
    $s->sendto($info['address'], $info['port'], json_encode([$data, $info['address'], $info['server_port']]));
});
rs_ready($serv);
$serv->start();
PHP);
$ports = json_decode(substr($srv->waitNotes('ports: ')[0], 7), true);
[$tcp6, $udp6, $udp4] = array_column($ports, 1);
echo "ports (host, type): ", json_encode(array_map(fn($p) => [$p[0], $p[2]], $ports)), ", real ports: ", var_export(min($tcp6, $udp6, $udp4) > 0, true), "\n";
$c = tcp_connect($tcp6, '::1');
fwrite($c, 'over tcp6');
echo "tcp6: ", json_encode(json_decode(tcp_answers($c, 1)[0] ?? 'null')), "\n";
$u6 = udp_socket('::1');
[$got, $from] = udp_ask($u6, "[::1]:$udp6", 'over udp6', 'over udp6');
echo "udp6: ", json_encode(json_decode((string)$got), true) === json_encode(['over udp6', '::1', $udp6]) ? 'address ::1, server_port its own' : var_export($got, true),
    ", answered from ", $from === "[::1]:$udp6" ? 'the udp6 port' : var_export($from, true), "\n";
$u4 = udp_socket('127.0.0.1');
[$got, $from] = udp_ask($u4, "127.0.0.1:$udp4", 'over udp4', 'over udp4');
echo "udp4: ", json_encode(json_decode((string)$got), true) === json_encode(['over udp4', '127.0.0.1', $udp4]) ? 'address 127.0.0.1, server_port its own' : var_export($got, true),
    ", answered from ", $from === "127.0.0.1:$udp4" ? 'the udp4 port' : var_export($from, true), "\n";
[$got, $from] = udp_ask($u6, "[::1]:$udp6", 'again udp6', 'again udp6');
echo "udp6 again: answered from ", $from === "[::1]:$udp6" ? 'the udp6 port' : var_export($from, true), "\n";
echo "exit code: ", $srv->stop(), "\n";

// A UDP6-only server.
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('::1', 0, SWOOLE_BASE, SWOOLE_SOCK_UDP6);
$serv->set(['worker_num' => 1]);
$serv->on('Packet', function ($s, $data, $info) {
    $s->sendto($info['address'], $info['port'], json_encode([$data, implode(',', array_keys($info)), $info['address'],
        $info['server_port'] === $s->port, $info['server_socket'] === $s->ports[0]->sock, $s->ports[0]->type]));
});
rs_ready($serv);
$serv->start();
PHP);
$u = udp_socket('::1');
[$got, $from] = udp_ask($u, "[::1]:$srv->port", 'udp6 only', 'udp6 only');
echo "UDP6-only server: $got, from its port: ", var_export($from === "[::1]:$srv->port", true), "\n";
echo "exit code: ", $srv->stop(), "\n";
?>
--EXPECT--
ports (host, type): [["::1",3],["::1",4],["127.0.0.1",2]], real ports: true
tcp6: ["over tcp6","::1",true]
udp6: address ::1, server_port its own, answered from the udp6 port
udp4: address 127.0.0.1, server_port its own, answered from the udp4 port
udp6 again: answered from the udp6 port
exit code: 0
UDP6-only server: ["udp6 only","server_socket,dispatch_time,server_port,address,port","::1",true,true,4], from its port: true
exit code: 0
