--TEST--
Unix datagram server (SWOOLE_SOCK_UNIX_DGRAM, host = a socket path): Packet's clientInfo has server_socket, dispatch_time, server_port 0 and address (the client's bound path), no port; sendto(path, 0, ...) answers a bound client; a client that bound no path gets address '' and sendto('', ...) is refused with a warning (Swoole answers a stale address); a stale socket file left by a dead process is replaced at bind (Swoole refuses); a live server's path cannot be bound again, and trying leaves it serving; the file exists while the server runs and is removed when it stops
--EXTENSIONS--
sockets
--FILE--
<?php
require __DIR__ . '/ports.inc';
$dir = sys_get_temp_dir() . '/rswoole-udg-' . getmypid() . '-' . bin2hex(random_bytes(3));
mkdir($dir);
$path = "$dir/srv.sock";
// A stale socket file: bound, then closed without unlinking (as a process that died).
$stale = stream_socket_server("udg://$path", $errno, $errstr, STREAM_SERVER_BIND);
fclose($stale);
clearstatcache();
echo "stale socket file left: ", var_export(@filetype($path), true), "\n";

$code = <<<'PHP'
$serv = new Swoole\Server(SOCKET_PATH, 0, SWOOLE_BASE, SWOOLE_SOCK_UNIX_DGRAM);
$serv->set(['worker_num' => 1]);
$p = $serv->ports[0];
rs_note('port: ' . json_encode(['host is the path' => $p->host === SOCKET_PATH, 'port' => $p->port, 'server port' => $serv->port,
    'type' => $p->type, 'sock' => $p->sock > 0]));
$serv->on('Packet', function ($s, $data, $info) {
    $facts = [$data, implode(',', array_keys($info)), $info['server_port'], $info['server_socket'] === $s->ports[0]->sock,
        is_float($info['dispatch_time']) && abs($info['dispatch_time'] - microtime(true)) < 5];
    if ($info['address'] === '') {
        $warning = null;
        set_error_handler(function ($no, $str) use (&$warning) { $warning = $str; return true; });
        $r = $s->sendto('', 0, 'to nobody');
        restore_error_handler();
        rs_note('unbound: ' . json_encode($facts) . ' sendto: ' . var_export($r, true) . " ($warning)");
        return;
    }
    $ok = $s->sendto($info['address'], 0, json_encode(array_merge($facts, [$info['address']])));
    rs_note('sendto: ' . var_export($ok, true));
});
// The port is 0 here: tell the test it is ready in a way it can read.
file_put_contents(RS_DIR . '/port', 'unix');
$serv->start();
PHP;
$srv = TestServer::start("define('SOCKET_PATH', " . var_export($path, true) . ");\n" . $code);
echo $srv->waitNotes('port: ')[0], "\n";
$client = unix_socket("$dir/client.sock");
[$got, $from] = unix_ask($client, $path, 'hello', '"hello"');
$facts = json_decode((string)$got, true);
if (is_array($facts) && end($facts) === "$dir/client.sock") {
    $facts[array_key_last($facts)] = 'the client path';
}
echo "bound client: ", json_encode($facts), ", answered from ", $from === $path ? 'the server path' : var_export($from, true), "\n";
echo $srv->waitNotes('sendto: ')[0], "\n";
echo "socket file while serving: ", var_export(filetype($path), true), "\n";

$unbound = stream_socket_client("udg://$path", $errno, $errstr, 5);
fwrite($unbound, 'from an unbound client');
echo $srv->waitNotes('unbound: ')[0], "\n";

echo "second server on the live path: ";
try {
    new Swoole\Server($path, 0, SWOOLE_BASE, SWOOLE_SOCK_UNIX_DGRAM);
    echo "constructed\n";
} catch (Swoole\Exception $e) {
    echo get_class($e), ': ', str_replace($path, 'PATH', $e->getMessage()), "\n";
}
$other = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
set_error_handler(function ($no, $str) use ($path) {
    echo "warning: ", str_replace($path, 'PATH', $str), "\n";
    return true;
});
$r = $other->addListener($path, 0, SWOOLE_SOCK_UNIX_DGRAM);
echo "addListener on the live path: ", var_export($r, true), "\n";
restore_error_handler();
clearstatcache();
echo "socket file after the attempts: ", var_export(@filetype($path), true), "\n";
[$got] = unix_ask($client, $path, 'still there', '"still there"');
echo "still serving: ", var_export($got !== null, true), "\n";

echo "exit code: ", $srv->stop(), "\n";
clearstatcache();
echo "socket file after stop: ", var_export(file_exists($path), true), "\n";
socket_close($client);
fclose($unbound);
@unlink("$dir/client.sock");
@rmdir($dir);
?>
--EXPECT--
stale socket file left: 'socket'
port: {"host is the path":true,"port":0,"server port":0,"type":6,"sock":true}
bound client: ["hello","server_socket,dispatch_time,server_port,address",0,true,true,"the client path"], answered from the server path
sendto: true
socket file while serving: 'socket'
unbound: ["from an unbound client","server_socket,dispatch_time,server_port,address",0,true,true] sendto: false (Swoole\Server::sendto(): the client bound no address: there is nothing to answer to)
second server on the live path: Swoole\Exception: failed to listen server port[PATH:0], Error: Address already in use[98]
warning: Swoole\Server::addListener(): failed to listen server port[PATH:0], Error: Address already in use[98]
addListener on the live path: false
socket file after the attempts: 'socket'
still serving: true
exit code: 0
socket file after stop: false
