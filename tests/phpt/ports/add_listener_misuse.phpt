--TEST--
Misuse of listeners: addListener()/listen() on a port in use (another TCP or UDP socket's, the server's own) is false with a warning naming "Address already in use[98]"; an unknown socket type (7) is refused (addListener: warning and false; the constructor: Swoole\Exception); new Swoole\Server\Port throws; Port::on() with a non-callable or an unknown event is false with Swoole's warnings; a UDP port with no Packet callback anywhere makes start() throw "require onPacket callback"; after start, addListener(), Port::set() and Port::on() are refused with a warning and the port keeps its protocol and callbacks
--FILE--
<?php
require __DIR__ . '/ports.inc';
function attempt(callable $f): string
{
    $warning = null;
    set_error_handler(function ($no, $str) use (&$warning) {
        $warning = ($no === E_WARNING ? 'E_WARNING ' : "level $no ") . $str;
        return true;
    });
    try {
        $r = $f();
        $shown = is_object($r) ? get_class($r) : var_export($r, true);
    } catch (Throwable $e) {
        $shown = get_class($e) . ': ' . $e->getMessage();
    } finally {
        restore_error_handler();
    }
    return $shown . ($warning === null ? '' : " ($warning)");
}
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
$taken = stream_socket_server('tcp://127.0.0.1:0');
$takenPort = (int)substr(strrchr(stream_socket_get_name($taken, false), ':'), 1);
$show = fn(string $s) => strtr($s, [":$takenPort]" => ':TAKEN]', ":$serv->port]" => ':SERVER]']);
echo "addListener on a port in use: ", $show(attempt(fn() => $serv->addListener('127.0.0.1', $takenPort))), "\n";
echo "listen on a port in use: ", $show(attempt(fn() => $serv->listen('127.0.0.1', $takenPort, SWOOLE_SOCK_TCP))), "\n";
$takenUdp = stream_socket_server('udp://127.0.0.1:0', $errno, $errstr, STREAM_SERVER_BIND);
$takenUdpPort = (int)substr(strrchr(stream_socket_get_name($takenUdp, false), ':'), 1);
echo "addListener UDP on a UDP port in use: ", strtr(attempt(fn() => $serv->addListener('127.0.0.1', $takenUdpPort, SWOOLE_SOCK_UDP)), [":$takenUdpPort]" => ':TAKEN]']), "\n";
echo "addListener on the server's own port: ", $show(attempt(fn() => $serv->addListener('127.0.0.1', $serv->port))), "\n";
echo "ports after the failures: ", count($serv->ports), "\n";
echo "addListener type 7: ", attempt(fn() => $serv->addListener('127.0.0.1', 0, 7)), "\n";
echo "new Server type 7: ", attempt(fn() => new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE, 7)), "\n";
echo "no socket file left: ", var_export(!file_exists(sys_get_temp_dir() . '/rswoole-never.sock'), true), "\n";
echo "new Swoole\\Server\\Port throws: ", var_export(attempt(fn() => new Swoole\Server\Port()) !== 'Swoole\Server\Port', true), "\n";
$port = $serv->addListener('127.0.0.1', 0);
echo "addListener: ", get_class($port), "\n";
echo "on(non-callable): ", attempt(fn() => $port->on('Receive', 'no_such_function')), "\n";
echo "on(unknown event): ", attempt(fn() => $port->on('Bogus', fn() => null)), "\n";
echo "getCallback after the failures: ", var_export($port->getCallback('Receive'), true), "\n";
echo "sendto before start: ", attempt(fn() => $serv->sendto('127.0.0.1', 9, 'x')), "\n";

$udp = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE, SWOOLE_SOCK_UDP);
$udp->set(['worker_num' => 1]);
echo "UDP server without Packet: start(): ", attempt(fn() => $udp->start()), "\n";
$tcp = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
$tcp->set(['worker_num' => 1]);
$tcp->on('Receive', fn() => null);
$tcp->addListener('127.0.0.1', 0, SWOOLE_SOCK_UDP);
echo "TCP server with a UDP port, no Packet: start(): ", attempt(fn() => $tcp->start()), "\n";

$srv = TestServer::start(<<<'PHP'
function attempt(callable $f): string {
    $warning = null;
    set_error_handler(function ($no, $str) use (&$warning) { $warning = $str; return true; });
    try {
        $r = $f();
    } finally {
        restore_error_handler();
    }
    return var_export(is_object($r) ? get_class($r) : $r, true) . ($warning === null ? ' (no warning)' : ' (warned)');
}
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
$serv->set(['worker_num' => 1]);
$port = $serv->addListener('127.0.0.1', 0);
$port->set(['open_eof_split' => true, 'package_eof' => "\n"]);
$port->on('Receive', fn($s, $fd, $rid, $data) => $s->send($fd, '<port ' . json_encode($data) . '>'));
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->send($fd, '<server ' . json_encode($data) . '>'));
$serv->on('WorkerStart', function ($s) use ($port) {
    rs_note('port: ' . $port->port);
    rs_note('after start: addListener ' . attempt(fn() => $s->addListener('127.0.0.1', 0)));
    rs_note('after start: Port::set ' . attempt(fn() => $port->set([])));
    rs_note('after start: Port::on ' . attempt(fn() => $port->on('Receive', fn($s, $fd) => $s->send($fd, '<replaced>'))));
    rs_note('after start: ports ' . count($s->ports));
});
rs_ready($serv);
$serv->start();
PHP);
echo implode("\n", $srv->waitNotes('after start: ', 4)), "\n";
$c = tcp_connect((int)substr($srv->waitNotes('port: ')[0], 6));
fwrite($c, "a\nb");
usleep(20000);
fwrite($c, "\n");
echo "the port still frames and answers with its own: ", implode(' | ', tcp_answers($c, 2)), "\n";
echo "exit code: ", $srv->stop(), "\n";
?>
--EXPECT--
addListener on a port in use: false (E_WARNING Swoole\Server::addListener(): failed to listen server port[127.0.0.1:TAKEN], Error: Address already in use[98])
listen on a port in use: false (E_WARNING Swoole\Server::listen(): failed to listen server port[127.0.0.1:TAKEN], Error: Address already in use[98])
addListener UDP on a UDP port in use: false (E_WARNING Swoole\Server::addListener(): failed to listen server port[127.0.0.1:TAKEN], Error: Address already in use[98])
addListener on the server's own port: false (E_WARNING Swoole\Server::addListener(): failed to listen server port[127.0.0.1:SERVER], Error: Address already in use[98])
ports after the failures: 1
addListener type 7: false (E_WARNING Swoole\Server::addListener(): socket type [7] is not supported)
new Server type 7: Swoole\Exception: socket type [7] is not supported
no socket file left: true
new Swoole\Server\Port throws: true
addListener: Swoole\Server\Port
on(non-callable): false (E_WARNING Swoole\Server\Port::on(): function 'no_such_function' is not callable)
on(unknown event): false (E_WARNING Swoole\Server\Port::on(): unknown event types[Bogus])
getCallback after the failures: NULL
sendto before start: false (E_WARNING Swoole\Server::sendto(): server is not running)
UDP server without Packet: start(): Swoole\Exception: failed to start server. Error: require onPacket callback
TCP server with a UDP port, no Packet: start(): Swoole\Exception: failed to start server. Error: require onPacket callback
after start: addListener false (warned)
after start: Port::set NULL (warned)
after start: Port::on false (warned)
after start: ports 2
the port still frames and answers with its own: port "a\n" | port "b\n"
exit code: 0
