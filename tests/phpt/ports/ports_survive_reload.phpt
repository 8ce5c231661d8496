--TEST--
A reload (SIGUSR1 to the manager) of two event workers keeps every port served: TCP clients connected to an added port (on both workers) and to the primary port stay connected and are answered by the successors with each port's own protocol (length check on the added port, EOF split on the primary), the datagram ports (UDP, unix) are served by the successors, and new connections on every port too
--EXTENSIONS--
sockets
--FILE--
<?php
require __DIR__ . '/ports.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
$serv->set(['worker_num' => 2, 'open_eof_split' => true, 'package_eof' => "\n"]);
$length = $serv->addListener('127.0.0.1', 0);
$length->set(['open_length_check' => true, 'package_length_type' => 'N', 'package_length_offset' => 0, 'package_body_offset' => 4]);
$udp = $serv->addListener('127.0.0.1', 0, SWOOLE_SOCK_UDP);
$serv->addListener(RS_DIR . '/reload.sock', 0, SWOOLE_SOCK_UNIX_DGRAM);
rs_note('ports: ' . json_encode([$serv->port, $length->port, $udp->port]));
$serv->on('WorkerStart', fn($s, $id) => rs_note("start $id " . getmypid()));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $s->send($fd, '<' . $s->getClientInfo($fd)['server_port'] . ' ' . bin2hex($data) . ' ' . getmypid() . '>');
});
$serv->on('Packet', function ($s, $data, $info) {
    $s->sendto($info['address'], $info['port'] ?? 0, "$data by " . getmypid());
});
rs_ready($serv);
$serv->start();
PHP);
[$primary, $lengthPort, $udpPort] = json_decode(substr($srv->waitNotes('ports: ')[0], 7), true);
$pidsOf = fn(array $starts) => array_map(fn($l) => (int)explode(' ', $l)[2], $starts);
$old = $pidsOf($srv->waitNotes('start ', 2));
$frame = fn(string $body) => pack('N', strlen($body)) . $body;
/** Asks on `$c` (split over two writes), waits for `$n` answers; the first as [its port, its body, its pid], then the others. */
$ask = function ($c, string $msg, int $n = 1) {
    fwrite($c, substr($msg, 0, 3));
    usleep(20000);
    fwrite($c, substr($msg, 3));
    $answers = array_pad(tcp_answers($c, $n), $n, '');
    return array_merge(...array_map(function ($a) {
        $parts = explode(' ', $a);
        return count($parts) === 3 ? [(int)$parts[0], hex2bin($parts[1]), (int)$parts[2]] : [0, "no answer ($a)", 0];
    }, $answers));
};
// Clients on the length port until both workers own one (the kernel picks who accepts).
$clients = [];
$by = [];
$srv->waitUntil(function () use (&$clients, &$by, $ask, $frame, $lengthPort) {
    $c = tcp_connect($lengthPort);
    $i = count($clients);
    [$port, $body, $pid] = $ask($c, $frame("hello $i"));
    $clients[] = $c;
    $by[$pid] = true;
    return count($by) === 2;
}, 10, "a client of the length port on each worker");
$p = tcp_connect($primary);
[, $body, $primaryPid] = $ask($p, "before\n");
echo "before the reload: ", count($clients), " length-port clients on both workers: ", var_export(count($by) === 2, true),
    ", primary answered: ", json_encode($body), "\n";

posix_kill($srv->pid, SIGUSR1);
$new = array_slice($pidsOf($srv->waitNotes('start ', 4)), 2);
// Every old worker gone, so only successors can answer.
$srv->waitUntil(fn() => !array_filter($old, fn($pid) => file_exists("/proc/$pid")), 10, "the old workers to exit");
echo "successors: ", count($new), ", new processes: ", var_export(!array_intersect($new, $old), true), "\n";

$results = [];
foreach ($clients as $i => $c) {
    [$port, $body, $pid, $port2, $body2, $pid2] = $ask($c, $frame("after $i") . $frame("and $i"), 2);
    $results[] = [$port, $port2] === [$lengthPort, $lengthPort] && [$body, $body2] === [$frame("after $i"), $frame("and $i")]
        && in_array($pid, $new, true) && $pid2 === $pid;
}
echo "every length-port client answered by a successor, framed by length: ", json_encode($results), "\n";
[$port, $body, $pid, , $body2] = $ask($p, "after\nand\n", 2);
echo "primary client: ", json_encode([$body, $body2]), ", port ", var_export($port === $primary, true), ", by a successor: ", var_export(in_array($pid, $new, true), true), "\n";

$u = udp_socket();
[$got] = udp_ask($u, "127.0.0.1:$udpPort", 'udp after', 'udp after by');
echo "UDP: served by a successor: ", var_export(in_array((int)substr((string)$got, 13), $new, true), true), "\n";
$x = unix_socket($srv->dir() . '/client.sock');
[$got] = unix_ask($x, $srv->dir() . '/reload.sock', 'unix after', 'unix after by');
echo "unix: served by a successor: ", var_export(in_array((int)substr((string)$got, 14), $new, true), true), "\n";
[, $body] = $ask(tcp_connect($lengthPort), $frame('new client'));
echo "new length-port client: ", var_export($body === $frame('new client'), true), "\n";
[, $body] = $ask(tcp_connect($primary), "new client\n");
echo "new primary client: ", json_encode($body), "\n";
echo "exit code: ", $srv->stop(), "\n";
socket_close($x);
@unlink($srv->dir() . '/client.sock');
?>
--EXPECTF--
before the reload: %d length-port clients on both workers: true, primary answered: "before\n"
successors: 2, new processes: true
every length-port client answered by a successor, framed by length: [true%r(,true)*%r]
primary client: ["after\n","and\n"], port true, by a successor: true
UDP: served by a successor: true
unix: served by a successor: true
new length-port client: true
new primary client: "new client\n"
exit code: 0
