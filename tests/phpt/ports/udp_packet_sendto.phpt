--TEST--
A UDP-only server (SWOOLE_SOCK_UDP, no onReceive): each datagram runs Packet($serv, $data, $clientInfo) with Swoole's keys in Swoole's order (server_socket, dispatch_time, server_port, address, port) and real values; sendto() answers the client from the server's port (true), also with $server_socket, binary and large datagrams intact, each of two clients gets its own answer; sendto() before start, to an invalid address, or through a socket that is not a datagram port is refused with a warning
--FILE--
<?php
require __DIR__ . '/ports.inc';
$srv = TestServer::start(<<<'PHP'
/** Runs `$f` and shows what it returned and the warning it gave, if any. */
function attempt(callable $f): string {
    $warning = null;
    set_error_handler(function ($no, $str) use (&$warning) { $warning = $str; return true; });
    try {
        $r = $f();
    } finally {
        restore_error_handler();
    }
    return var_export($r, true) . ($warning === null ? '' : " ($warning)");
}
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE, SWOOLE_SOCK_UDP);
$serv->set(['worker_num' => 1]);
$p = $serv->ports[0];
rs_note('port: ' . json_encode(['count' => count($serv->ports), 'class' => get_class($p), 'host' => $p->host,
    'same port' => $p->port === $serv->port && $p->port > 0, 'type is UDP' => $p->type === SWOOLE_SOCK_UDP,
    'sock' => is_int($p->sock) && $p->sock > 0]));
rs_note('sendto before start: ' . attempt(fn() => $serv->sendto('127.0.0.1', 9, 'x')));
$serv->on('WorkerStart', fn($s, $id) => rs_note("start $id"));
$serv->on('Packet', function ($s, $data, $info) {
    [$id, $cmd] = explode(' ', $data, 2) + [1 => ''];
    if ($cmd === 'info') {
        $reply = json_encode([
            'keys' => implode(',', array_keys($info)),
            'server_socket is the port sock' => $info['server_socket'] === $s->ports[0]->sock,
            'server_port is ours' => $info['server_port'] === $s->port,
            'address' => $info['address'],
            'port' => $info['port'],
            'dispatch_time is a float' => is_float($info['dispatch_time']),
            'dispatch_time is now' => abs($info['dispatch_time'] - microtime(true)) < 5,
        ]);
        rs_note('sendto: ' . attempt(fn() => $s->sendto($info['address'], $info['port'], "$id $reply")));
    } elseif ($cmd === 'via') {
        rs_note('sendto via server_socket: ' . attempt(fn() => $s->sendto($info['address'], $info['port'], "$id via", $info['server_socket'])));
    } elseif ($cmd === 'misuse') {
        rs_note('bad server_socket: ' . attempt(fn() => $s->sendto($info['address'], $info['port'], 'x', 9999)));
        rs_note('invalid ip: ' . attempt(fn() => $s->sendto('not-an-ip', 9, 'x')));
        $s->sendto($info['address'], $info['port'], "$id misuse done");
    } else {
        // Echo: the id, then the data as it came (binary), so its integrity shows.
        $s->sendto($info['address'], $info['port'], "$id echo " . strlen($cmd) . ' ' . md5($cmd));
    }
});
rs_ready($serv);
$serv->start();
PHP);
echo $srv->waitNotes('port: ')[0], "\n";
echo $srv->waitNotes('sendto before start: ')[0], "\n";
$to = "127.0.0.1:$srv->port";
$c = udp_socket();
[$got, $from] = udp_ask($c, $to, '1 info', '1 {');
$info = json_decode(substr((string)$got, 2), true);
echo "answered from the server's address: ", var_export($from === $to, true), "\n";
foreach ((array)$info as $k => $v) {
    if ($k === 'port') {
        echo "port is the client's: ", var_export("127.0.0.1:$v" === stream_socket_get_name($c, false), true), "\n";
    } else {
        echo "$k: ", json_encode($v), "\n";
    }
}
echo $srv->waitNotes('sendto: ')[0], "\n";
[$got, $from] = udp_ask($c, $to, '2 via', '2 via');
echo "via server_socket: ", var_export($got, true), ", from the server's address: ", var_export($from === $to, true), "\n";
echo $srv->waitNotes('sendto via server_socket: ')[0], "\n";
$binary = str_repeat(implode('', array_map('chr', range(0, 255))), 200);
[$got] = udp_ask($c, $to, "3 $binary", '3 echo');
echo "51200 binary bytes: ", var_export($got === '3 echo ' . strlen($binary) . ' ' . md5($binary), true), "\n";
// Two clients, asking at the same time: each gets its own answer.
$d = udp_socket();
stream_socket_sendto($c, '4 from c', 0, $to);
stream_socket_sendto($d, '5 from d', 0, $to);
[$gc] = udp_ask($c, $to, '4 from c', '4 echo');
[$gd] = udp_ask($d, $to, '5 from d', '5 echo');
echo "two clients: ", var_export([$gc, $gd] === ['4 echo 6 ' . md5('from c'), '5 echo 6 ' . md5('from d')], true), "\n";
[$got] = udp_ask($c, $to, '6 misuse', '6 misuse done');
echo var_export($got, true), "\n";
echo $srv->waitNotes('bad server_socket: ')[0], "\n";
echo $srv->waitNotes('invalid ip: ')[0], "\n";
echo "exit code: ", $srv->stop(), "\n";
echo "worker starts: ", count($srv->waitNotes('start ')), "\n";
?>
--EXPECT--
port: {"count":1,"class":"Swoole\\Server\\Port","host":"127.0.0.1","same port":true,"type is UDP":true,"sock":true}
sendto before start: false (Swoole\Server::sendto(): server is not running)
answered from the server's address: true
keys: "server_socket,dispatch_time,server_port,address,port"
server_socket is the port sock: true
server_port is ours: true
address: "127.0.0.1"
port is the client's: true
dispatch_time is a float: true
dispatch_time is now: true
sendto: true
via server_socket: '2 via', from the server's address: true
sendto via server_socket: true
51200 binary bytes: true
two clients: true
'6 misuse done'
bad server_socket: false (Swoole\Server::sendto(): the server socket 9999 is not a datagram port of this server)
invalid ip: false (Swoole\Server::sendto(): invalid address not-an-ip:9)
exit code: 0
worker starts: 1
