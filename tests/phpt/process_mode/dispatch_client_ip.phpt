--TEST--
SWOOLE_PROCESS dispatch_mode 4: a connection is served by worker ip2long(client address) % worker_num, for all its messages and its Connect and Close
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 3, 'dispatch_mode' => 4]);
$serv->on('Connect', fn($s, $fd) => rs_note("connect $fd " . $s->getClientInfo($fd)['remote_ip'] . " $s->worker_id"));
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->send($fd, $s->getClientInfo($fd)['remote_ip'] . " $s->worker_id\n"));
$serv->on('Close', fn($s, $fd) => rs_note("close $fd " . $s->getClientInfo($fd)['remote_ip'] . " $s->worker_id"));
rs_ready($serv);
$serv->start();
PHP);
foreach (['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.2'] as $ip) {
    $c = stream_socket_client("tcp://127.0.0.1:$srv->port", $errno, $errstr, 5, STREAM_CLIENT_CONNECT,
        stream_context_create(['socket' => ['bindto' => "$ip:0"]]));
    stream_set_timeout($c, 5);
    $answers = [];
    for ($i = 0; $i < 3; $i++) {
        fwrite($c, 'x');
        $answers[] = stream_get_line($c, 100, "\n");
    }
    fclose($c);
    echo "from $ip (", ip2long($ip) % 3, " expected): ", implode(', ', array_unique($answers)), "\n";
}
$connects = $srv->waitNotes('connect', 4);
$closes = $srv->waitNotes('close', 4);
// Connect and Close of each connection ran where its data did.
foreach ($connects as $l) {
    [, $fd, $ip, $w] = explode(' ', $l);
    $close = preg_grep("/^close $fd /", $closes);
    echo "fd $fd: Connect in worker $w, Close in ", implode(',', array_map(fn($l) => explode(' ', $l)[3], $close)), " ($ip)\n";
}
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
from 127.0.0.1 (2 expected): 127.0.0.1 2
from 127.0.0.2 (0 expected): 127.0.0.2 0
from 127.0.0.3 (1 expected): 127.0.0.3 1
from 127.0.0.2 (0 expected): 127.0.0.2 0
fd 1: Connect in worker 2, Close in 2 (127.0.0.1)
fd 2: Connect in worker 0, Close in 0 (127.0.0.2)
fd 3: Connect in worker 1, Close in 1 (127.0.0.3)
fd 4: Connect in worker 0, Close in 0 (127.0.0.2)
exit code: 0
