--TEST--
Two UDP ports (the server's and one from addListener): sendto() without $server_socket answers from the port that last heard from that client, so a client of the first port gets its answer from the first port (Swoole: always from the UDP port added last) and a client talking to both gets each answer from the port it asked; with $server_socket the answer leaves from that socket, even the other port's; Packet uses the port's own callback where it has one, else the server's; clientInfo's server_port and server_socket name the port that received
--FILE--
<?php
require __DIR__ . '/ports.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE, SWOOLE_SOCK_UDP);
$serv->set(['worker_num' => 1]);
$second = $serv->addListener('127.0.0.1', 0, SWOOLE_SOCK_UDP);
rs_note('ports: ' . json_encode(['first' => $serv->port, 'second' => $second->port, 'second type' => $second->type,
    'different' => $second->port !== $serv->port && $second->port > 0, 'count' => count($serv->ports)]));
$answer = function (string $who) {
    return function ($s, $data, $info) use ($who) {
        [$id, $cmd] = explode(' ', $data, 2) + [1 => ''];
        // The socket of the other port, for answering through it.
        $other = $s->ports[0]->sock === $info['server_socket'] ? $s->ports[1]->sock : $s->ports[0]->sock;
        $ports = array_map(fn($p) => [$p->port, $p->sock], $s->ports);
        $tag = "$id $who heard on " . $info['server_port'] . ' socket-matches:' . var_export(in_array([$info['server_port'], $info['server_socket']], $ports, true), true);
        $ok = match ($cmd) {
            'plain' => $s->sendto($info['address'], $info['port'], $tag),
            'own-socket' => $s->sendto($info['address'], $info['port'], $tag, $info['server_socket']),
            'other-socket' => $s->sendto($info['address'], $info['port'], $tag, $other),
        };
        rs_note("sent $id " . var_export($ok, true));
    };
};
$serv->on('Packet', $answer('server callback'));
$second->on('Packet', $answer('second port callback'));
rs_ready($serv);
$serv->start();
PHP);
$ports = json_decode(substr($srv->waitNotes('ports: ')[0], 7), true);
echo "second port: type ", $ports['second type'], ", a real port of its own: ", var_export($ports['different'], true), ", ports: ", $ports['count'], "\n";
$first = "127.0.0.1:" . $ports['first'];
$second = "127.0.0.1:" . $ports['second'];
$name = fn(string $addr) => [$first => 'first', $second => 'second'][$addr] ?? "elsewhere ($addr)";
$show = function (string $what, array $answer) use ($name, $ports) {
    [$data, $from] = $answer;
    $data = strtr((string)$data, [(string)$ports['first'] => 'FIRST', (string)$ports['second'] => 'SECOND']);
    echo str_pad($what, 48), "=> ", $data === '' ? 'no answer' : $data, ", from the ", $from === null ? '-' : $name($from), " port\n";
};
$a = udp_socket();
$show('client A asks the first port', udp_ask($a, $first, 'q1 plain', 'q1 '));
$b = udp_socket();
$show('client B asks the second port', udp_ask($b, $second, 'q2 plain', 'q2 '));
$show('client A asks the first port again', udp_ask($a, $first, 'q3 plain', 'q3 '));
// One client, both ports, in turn: each answer from the port it asked.
$show('client A asks the second port', udp_ask($a, $second, 'q4 plain', 'q4 '));
$show('client A asks the first port', udp_ask($a, $first, 'q5 plain', 'q5 '));
$show('client A asks the second port', udp_ask($a, $second, 'q6 plain', 'q6 '));
$show('first port, own server_socket', udp_ask($b, $first, 'q7 own-socket', 'q7 '));
$show('first port, the second port\'s server_socket', udp_ask($b, $first, 'q8 other-socket', 'q8 '));
$show('second port, the first port\'s server_socket', udp_ask($b, $second, 'q9 other-socket', 'q9 '));
echo "every sendto returned true: ", var_export(count($srv->waitNotes('sent q', 9)) >= 9 && !preg_grep('/false$/', notes_with($srv, 'sent ')), true), "\n";
echo "exit code: ", $srv->stop(), "\n";
?>
--EXPECT--
second port: type 2, a real port of its own: true, ports: 2
client A asks the first port                    => q1 server callback heard on FIRST socket-matches:true, from the first port
client B asks the second port                   => q2 second port callback heard on SECOND socket-matches:true, from the second port
client A asks the first port again              => q3 server callback heard on FIRST socket-matches:true, from the first port
client A asks the second port                   => q4 second port callback heard on SECOND socket-matches:true, from the second port
client A asks the first port                    => q5 server callback heard on FIRST socket-matches:true, from the first port
client A asks the second port                   => q6 second port callback heard on SECOND socket-matches:true, from the second port
first port, own server_socket                   => q7 server callback heard on FIRST socket-matches:true, from the first port
first port, the second port's server_socket     => q8 server callback heard on FIRST socket-matches:true, from the second port
second port, the first port's server_socket     => q9 second port callback heard on SECOND socket-matches:true, from the first port
every sendto returned true: true
exit code: 0
