--TEST--
Unix stream server (SWOOLE_SOCK_UNIX_STREAM, host = a socket path) and a TCP port beside it: the unix port serves connections with its own EOF framing, keeps them across a reload (answered by the successor), and its socket file is removed at stop; getClientInfo($fd) still answers in onClose (peer close and server close), as Swoole's does
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$dir = sys_get_temp_dir() . '/rswoole-ust-' . getmypid() . '-' . bin2hex(random_bytes(3));
mkdir($dir);
$path = "$dir/srv.sock";
$code = <<<'PHP'
$serv = new Swoole\Server(SOCKET_PATH, 0, SWOOLE_BASE, SWOOLE_SOCK_UNIX_STREAM);
$serv->set(['worker_num' => 1, 'open_eof_split' => true, 'package_eof' => "\n"]);
$tcp = $serv->addListener('127.0.0.1', 0, SWOOLE_SOCK_TCP);
$tcp->set([]);
$serv->on('WorkerStart', fn($s, $id) => rs_note('start ' . getmypid()));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if (trim($data) === 'close me') {
        $s->close($fd);
        return;
    }
    $s->send($fd, getmypid() . ':' . trim($data) . "\n");
});
$serv->on('Close', function ($s, $fd, $rid) {
    $i = $s->getClientInfo($fd);
    rs_note("close rid=$rid info=" . ($i ? "server_port {$i['server_port']}" : 'false'));
});
file_put_contents(RS_DIR . '/port', (string)$tcp->port);
$serv->start();
PHP;
$srv = TestServer::start("const SOCKET_PATH = " . var_export($path, true) . ";\n" . $code);
$first = (int)substr($srv->waitNotes('start', 1)[0], 6);
echo "socket file while running: ", filetype($path), "\n";
$c = stream_socket_client("unix://$path", $errno, $errstr, 5);
stream_set_timeout($c, 5);
fwrite($c, "a\nb\n");
$l1 = fgets($c);
$l2 = fgets($c);
echo "two framed answers from the worker: ", var_export($l1 === "$first:a\n" && $l2 === "$first:b\n", true), "\n";
posix_kill($srv->pid, SIGUSR1);
$notes = $srv->waitNotes('start', 2);
$second = (int)substr($notes[1], 6);
// The old worker is gone once its successor started (reloads go one at a time).
fwrite($c, "after reload\n");
echo "answered by the successor on the same connection: ", var_export(fgets($c) === "$second:after reload\n" && $second !== $first, true), "\n";
fclose($c);
echo implode("\n", $srv->waitNotes('close', 1)), "\n";
$t = stream_socket_client("tcp://127.0.0.1:{$srv->port}", $errno, $errstr, 5);
fwrite($t, "close me");
echo implode("\n", array_slice($srv->waitNotes('close', 2), 1)) === "close rid=-1 info=server_port {$srv->port}" ? "server close: info in onClose\n" : "server close: wrong\n";
fclose($t);
echo "exit code: ", $srv->stop(), "\n";
clearstatcache();
echo "socket file after stop: ", var_export(file_exists($path), true), "\n";
rmdir($dir);
?>
--EXPECT--
socket file while running: socket
two framed answers from the worker: true
answered by the successor on the same connection: true
close rid=0 info=server_port 0
server close: info in onClose
exit code: 0
socket file after stop: false
