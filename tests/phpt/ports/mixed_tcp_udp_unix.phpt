--TEST--
One server with two event workers and four ports (TCP primary, a TCP port with its own EOF framing, UDP, unix datagram) serves them all at once: open TCP clients on both TCP ports are answered between datagrams (onReceive's reactor_id is the worker id in either worker); datagrams are served by both event workers, each datagram once; TCP connections of both ports spread over both workers
--EXTENSIONS--
sockets
--FILE--
<?php
require __DIR__ . '/ports.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
$serv->set(['worker_num' => 2]);
$eof = $serv->addListener('127.0.0.1', 0, SWOOLE_SOCK_TCP);
$eof->set(['open_eof_split' => true, 'package_eof' => "\n"]);
$udp = $serv->addListener('127.0.0.1', 0, SWOOLE_SOCK_UDP);
$unix = $serv->addListener(RS_DIR . '/mixed.sock', 0, SWOOLE_SOCK_UNIX_DGRAM);
rs_note('ports: ' . json_encode(['tcp' => $serv->port, 'eof' => $eof->port, 'udp' => $udp->port, 'unix types' => [$unix->type, $unix->port]]));
$serv->on('WorkerStart', fn($s, $id) => rs_note("start $id"));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $rid = $rid === $s->worker_id ? 'reactor_id is the worker id' : "reactor_id $rid in worker $s->worker_id";
    $s->send($fd, '<' . $s->getClientInfo($fd)['server_port'] . ' ' . json_encode($data) . " ($rid) w" . $s->worker_id . '>');
});
$serv->on('Packet', function ($s, $data, $info) {
    rs_note("packet $data w" . $s->worker_id);
    $kind = isset($info['port']) ? 'udp' : 'unix';
    $s->sendto($info['address'], $info['port'] ?? 0, "$data $kind w" . $s->worker_id);
});
rs_ready($serv);
$serv->start();
PHP);
$ports = json_decode(substr($srv->waitNotes('ports: ')[0], 7), true);
echo "unix port: type ", $ports['unix types'][0], ", port ", $ports['unix types'][1], "\n";
$srv->waitNotes('start ', 2);
$unixPath = $srv->dir() . '/mixed.sock';
$udpTo = "127.0.0.1:" . $ports['udp'];
$u = udp_socket();
$x = unix_socket($srv->dir() . '/client.sock');
$sent = [];
$workers = ['udp' => [], 'unix' => [], 'tcp' => [], 'eof' => []];
$strip = fn(array $answers) => array_map(fn($a) => preg_replace('/ w\d$/', '', strtr($a, [$ports['tcp'] => 'TCP', $ports['eof'] => 'EOF'])), $answers);

// Everything at once: two TCP clients stay open while datagrams come and go.
$t = tcp_connect($ports['tcp']);
$e = tcp_connect($ports['eof']);
fwrite($t, 'raw');
fwrite($e, "li");
[$a1] = udp_ask($u, $udpTo, 'u0', 'u0 ', 5, $sent['u0']);
fwrite($e, "ne\nnext");
[$a2] = unix_ask($x, $unixPath, 'x0', 'x0 ', 5, $sent['x0']);
fwrite($e, "\n");
echo "primary TCP: ", implode(' | ', $strip(tcp_answers($t, 1))), "\n";
echo "EOF port: ", implode(' | ', $strip(tcp_answers($e, 2))), "\n";
echo "UDP: ", preg_replace('/ w\d$/', '', (string)$a1), "; unix: ", preg_replace('/ w\d$/', '', (string)$a2), "\n";
fwrite($t, 'again');
echo "primary TCP, still open: ", implode(' | ', $strip(tcp_answers($t, 1))), "\n";

// Datagrams until both workers served each kind, TCP connections until both workers own one on
// each TCP port (the kernel picks who reads and who accepts).
$n = 0;
$badRid = [];
$srv->waitUntil(function () use (&$n, &$sent, &$workers, &$badRid, $u, $x, $udpTo, $unixPath, $ports) {
    $n++;
    if (count($workers['udp']) < 2) {
        [$a] = udp_ask($u, $udpTo, "u$n", "u$n ", 5, $sent["u$n"]);
        preg_match('/ w(\d)$/', (string)$a, $m) && $workers['udp'][$m[1]] = true;
    }
    if (count($workers['unix']) < 2) {
        [$a] = unix_ask($x, $unixPath, "x$n", "x$n ", 5, $sent["x$n"]);
        preg_match('/ w(\d)$/', (string)$a, $m) && $workers['unix'][$m[1]] = true;
    }
    foreach (['tcp' => '', 'eof' => "\n"] as $kind => $end) {
        if (count($workers[$kind]) < 2) {
            $c = tcp_connect($ports[$kind]);
            fwrite($c, "c$n$end");
            $a = tcp_answers($c, 1)[0] ?? '';
            preg_match('/ w(\d)$/', $a, $m) && $workers[$kind][$m[1]] = true;
            str_contains($a, '(reactor_id is the worker id)') || $badRid[] = $a;
            fclose($c);
        }
    }
    return min(array_map('count', $workers)) === 2;
}, 20, "both workers serving every port");
echo "workers serving: ", json_encode(array_map(fn($w) => count($w), $workers)), "\n";
echo "onReceive's reactor_id is the worker id in both workers: ", var_export($badRid === [], true), " ", json_encode($badRid), "\n";
// Each datagram handled once (a resend may be handled again, never more than it was sent).
$handled = array_count_values(array_map(fn($l) => explode(' ', $l)[1], preg_grep('/^packet /', $srv->notes())));
$once = true;
foreach ($sent as $id => $times) {
    if (($handled[$id] ?? 0) < 1 || $handled[$id] > $times) {
        $once = false;
        echo "datagram $id: sent $times, handled ", $handled[$id] ?? 0, "\n";
    }
}
echo "every datagram handled, none twice: ", var_export($once && count($handled) === count($sent), true), "\n";
echo "exit code: ", $srv->stop(), "\n";
echo "unix socket file removed: ", var_export(!file_exists($unixPath), true), "\n";
socket_close($x);
@unlink($srv->dir() . '/client.sock');
?>
--EXPECT--
unix port: type 6, port 0
primary TCP: TCP "raw" (reactor_id is the worker id)
EOF port: EOF "line\n" (reactor_id is the worker id) | EOF "next\n" (reactor_id is the worker id)
UDP: u0 udp; unix: x0 unix
primary TCP, still open: TCP "again" (reactor_id is the worker id)
workers serving: {"udp":2,"unix":2,"tcp":2,"eof":2}
onReceive's reactor_id is the worker id in both workers: true []
every datagram handled, none twice: true
exit code: 0
unix socket file removed: true
