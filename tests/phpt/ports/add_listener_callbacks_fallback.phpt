--TEST--
Port callbacks: $port->on() returns true; each event of a connection (Connect, Receive, Close) or datagram (Packet) on a port runs the port's own callback when it has one, else the server's, event by event; getCallback() returns the port's own callback whatever the case of the event name, null for an event it has none for
--FILE--
<?php
require __DIR__ . '/ports.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
$serv->set(['worker_num' => 1]);
$onlyReceive = $serv->addListener('127.0.0.1', 0);
$all = $serv->addListener('127.0.0.1', 0);
$udpServer = $serv->addListener('127.0.0.1', 0, SWOOLE_SOCK_UDP);
$udpOwn = $serv->addListener('127.0.0.1', 0, SWOOLE_SOCK_UDP);
$names = [$serv->port => 'primary', $onlyReceive->port => 'only-receive', $all->port => 'all-own', $udpServer->port => 'udp-server', $udpOwn->port => 'udp-own'];
rs_note('ports: ' . json_encode(array_flip($names)));
$note = function (string $who, string $event) use ($names) {
    return function ($s, ...$args) use ($who, $event, $names) {
        if ($event === 'Packet') {
            [$data, $info] = $args;
            $s->sendto($info['address'], $info['port'], "$data: Packet by $who on " . $names[$info['server_port']]);
            return;
        }
        // The port a connection came in on, remembered at Connect (whichever callback ran).
        $fd = $args[0];
        $port = $GLOBALS['portOf'][$fd] ??= $names[$s->getClientInfo($fd)['server_port']] ?? '?';
        rs_note("$event by $who on $port");
        if ($event === 'Receive') {
            $s->send($fd, "<Receive by $who>");
        }
    };
};
foreach (['Connect', 'Receive', 'Close', 'Packet'] as $e) {
    $serv->on($e, $note('server', $e));
}
$r = $note('port', 'Receive');
$results = ['only Receive' => $onlyReceive->on('Receive', $r)];
foreach (['connect', 'RECEIVE', 'Close'] as $e) {
    $results["all-own $e"] = $all->on($e, $note('port', ucfirst(strtolower($e))));
}
$own = $note('port', 'Packet');
$results['udp Packet'] = $udpOwn->on('packet', $own);
rs_note('on: ' . json_encode($results));
rs_note('getCallback: ' . json_encode([
    'receive' => $onlyReceive->getCallback('receive') === $r,
    'Receive' => $onlyReceive->getCallback('Receive') === $r,
    'RECEIVE' => $onlyReceive->getCallback('RECEIVE') === $r,
    'connect (none of its own)' => $onlyReceive->getCallback('connect'),
    'Packet' => $udpOwn->getCallback('Packet') === $own,
    'udp-server Packet (none of its own)' => $udpServer->getCallback('Packet'),
    'unknown event' => $onlyReceive->getCallback('nosuchevent'),
]));
rs_ready($serv);
$serv->start();
PHP);
echo $srv->waitNotes('on: ')[0], "\n";
echo $srv->waitNotes('getCallback: ')[0], "\n";
$ports = json_decode(substr($srv->waitNotes('ports: ')[0], 7), true);
foreach (['primary', 'only-receive', 'all-own'] as $name) {
    $before = count($srv->notes());
    $closes = count(preg_grep('/^Close by/', $srv->notes()));
    $c = tcp_connect($ports[$name]);
    fwrite($c, 'hi');
    $answer = tcp_answers($c, 1);
    fclose($c);
    $srv->waitNotes('Close by', $closes + 1);
    echo "$name: answer ", json_encode($answer), "; events: ", implode(', ', array_slice($srv->notes(), $before)), "\n";
}
foreach (['udp-server', 'udp-own'] as $name) {
    $u = udp_socket();
    [$got] = udp_ask($u, "127.0.0.1:" . $ports[$name], "hello $name", "hello $name:");
    echo "$name: ", var_export($got, true), "\n";
}
echo "exit code: ", $srv->stop(), "\n";
?>
--EXPECT--
on: {"only Receive":true,"all-own connect":true,"all-own RECEIVE":true,"all-own Close":true,"udp Packet":true}
getCallback: {"receive":true,"Receive":true,"RECEIVE":true,"connect (none of its own)":null,"Packet":true,"udp-server Packet (none of its own)":null,"unknown event":null}
primary: answer ["Receive by server"]; events: Connect by server on primary, Receive by server on primary, Close by server on primary
only-receive: answer ["Receive by port"]; events: Connect by server on only-receive, Receive by port on only-receive, Close by server on only-receive
all-own: answer ["Receive by port"]; events: Connect by port on all-own, Receive by port on all-own, Close by port on all-own
udp-server: 'hello udp-server: Packet by server on udp-server'
udp-own: 'hello udp-own: Packet by port on udp-own'
exit code: 0
