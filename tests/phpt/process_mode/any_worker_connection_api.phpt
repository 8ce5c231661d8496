--TEST--
SWOOLE_PROCESS: a worker can use another worker's connection: send() reaches the client, exists() and getClientInfo() answer, close() closes it (the client sees EOF, Close runs in the owner with reactor_id -1 and getClientInfo() still answers there), and afterwards send()/exists()/getClientInfo() say false
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2, 'dispatch_mode' => 2]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $args = explode(' ', $data);
    $t = (int)($args[1] ?? 0);
    $r = match ($args[0]) {
        'who' => "fd=$fd worker=$s->worker_id",
        'send' => json_encode($s->send($t, "from worker $s->worker_id\n")),
        'exists' => json_encode($s->exists($t)),
        'info' => json_encode(($i = $s->getClientInfo($t)) ? [$i['remote_ip'], $i['remote_port'], $i['server_port'] === $s->port, in_array($i['reactor_id'], [0, 1], true), $i['socket_fd'] > 0] : $i),
        'list' => json_encode([in_array($t, $s->getClientList(0, 100) ?: [], true), in_array($t, iterator_to_array($s->connections), true)]),
        'close' => json_encode($s->close($t)),
    };
    $s->send($fd, "worker $s->worker_id: $r\n");
});
$serv->on('Close', function ($s, $fd, $rid) {
    $i = $s->getClientInfo($fd);
    rs_note("close fd=$fd worker=$s->worker_id reactor_id=$rid info=" . json_encode($i ? [$i['remote_ip'], $i['remote_port']] : $i));
});
rs_ready($serv);
$serv->start();
PHP);
$ask = function ($c, string $what): string {
    fwrite($c, $what);
    return (string)stream_get_line($c, 500, "\n");
};
// fd 1 is served by worker 1 (1 % 2), fd 2 by worker 0.
$ctl = $srv->connect();
echo $ask($ctl, 'who'), "\n";
$target = $srv->connect();
echo $ask($target, 'who'), "\n";
$port = (int)substr(strrchr(stream_socket_get_name($target, false), ':'), 1);
echo $ask($ctl, 'send 2'), "\n";
echo "target got: ", stream_get_line($target, 100, "\n"), "\n";
echo $ask($ctl, 'exists 2'), "\n";
echo str_replace((string)$port, 'CLIENT_PORT', $ask($ctl, 'info 2')), "\n";
echo $ask($ctl, 'list 2'), "\n";
echo $ask($ctl, 'close 2'), "\n";
echo "target reads: ", var_export($srv->read($target, 1), true), ", eof: ", var_export(feof($target), true), "\n";
echo str_replace((string)$port, 'CLIENT_PORT', $srv->waitNotes('close fd=2')[0]), "\n";
echo $ask($ctl, 'send 2'), "\n";
echo $ask($ctl, 'exists 2'), "\n";
echo $ask($ctl, 'info 2'), "\n";
echo $ask($ctl, 'list 2'), "\n";
// For contrast: a client's own close gives Close its reactor's id.
$other = $srv->connect();
echo $ask($other, 'who'), "\n";
fclose($other);
$l = $srv->waitNotes('close fd=3')[0];
echo "client-side close: ", preg_match('/^close fd=3 worker=1 reactor_id=[01] info=\["127\.0\.0\.1",\d+\]$/', $l) ? 'ok' : $l, "\n";
fclose($ctl);
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECTF--
worker 1: fd=1 worker=1
worker 0: fd=2 worker=0
worker 1: true
target got: from worker 1
worker 1: true
worker 1: ["127.0.0.1",CLIENT_PORT,true,true,true]
worker 1: [true,true]
worker 1: true
target reads: '', eof: true
close fd=2 worker=0 reactor_id=-1 info=["127.0.0.1",CLIENT_PORT]
worker 1: false
worker 1: false
worker 1: false
worker 1: [false,false]
worker 1: fd=3 worker=1
client-side close: ok
exit code: 0
%sNOTICE	Server::send(): session#2 does not exist
