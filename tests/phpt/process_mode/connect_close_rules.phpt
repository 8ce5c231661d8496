--TEST--
SWOOLE_PROCESS Connect/Close delivery: with dispatch_mode 3 start() warns once for each of onConnect, onClose, onBufferFull, onBufferEmpty and Connect/Close never run while Receive does; with enable_unsafe_event they run; with dispatch_mode 2 a connection's Connect, Receive and Close all run in one worker
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$code = <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 3] + SETTINGS);
$serv->on('Connect', fn($s, $fd) => rs_note("connect $fd $s->worker_id"));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    rs_note("receive $fd $s->worker_id");
    $s->send($fd, "ok\n");
});
$serv->on('Close', fn($s, $fd) => rs_note("close $fd $s->worker_id"));
$serv->on('BufferFull', fn() => null);
$serv->on('BufferEmpty', fn() => null);
rs_ready($serv);
$serv->start();
PHP;
function clients(TestServer $srv, int $n): void
{
    // One at a time: each connects, asks, and leaves; the next round trip comes after the
    // previous close was read by the server.
    for ($i = 0; $i < $n; $i++) {
        $c = $srv->connect();
        fwrite($c, 'x');
        if (stream_get_line($c, 10, "\n") !== 'ok') {
            echo "no answer\n";
        }
        fclose($c);
    }
}
function kinds(array $notes): string
{
    $count = [];
    foreach ($notes as $l) {
        $k = explode(' ', $l)[0];
        $count[$k] = ($count[$k] ?? 0) + 1;
    }
    ksort($count);
    return json_encode($count);
}

echo "-- dispatch_mode 3\n";
$srv = TestServer::start(str_replace('SETTINGS', "['dispatch_mode' => 3]", $code));
clients($srv, 4);
$srv->waitNotes('receive', 4);
// A last round trip: a Close of the fourth connection would have been handed out by now.
$c = $srv->connect();
fwrite($c, 'x');
stream_get_line($c, 10, "\n");
echo "exit code: ", $srv->stop(), "\n";
echo "events: ", kinds($srv->notes()), "\n";
echo $srv->output();

echo "-- dispatch_mode 3 with enable_unsafe_event\n";
$srv = TestServer::start(str_replace('SETTINGS', "['dispatch_mode' => 3, 'enable_unsafe_event' => true]", $code));
clients($srv, 4);
$srv->waitNotes('close', 4);
echo "exit code: ", $srv->stop(), "\n";
echo "events: ", kinds($srv->notes()), "\n";
echo $srv->output();

echo "-- dispatch_mode 2\n";
$srv = TestServer::start(str_replace('SETTINGS', "['dispatch_mode' => 2]", $code));
clients($srv, 6);
$srv->waitNotes('close', 6);
echo "exit code: ", $srv->stop(), "\n";
$where = [];
foreach ($srv->notes() as $l) {
    [$k, $fd, $w] = explode(' ', $l);
    $where[$fd][$k] = (int)$w;
}
ksort($where);
foreach ($where as $fd => $ks) {
    echo "fd $fd: ", json_encode($ks), "\n";
}
echo $srv->output();
?>
--EXPECTF--
-- dispatch_mode 3
exit code: 0
events: {"receive":5}

Warning: Swoole\Server::start(): cannot set 'onConnect' event when using dispatch_mode=3 (set enable_unsafe_event to receive it anyway) in %s on line %d

Warning: Swoole\Server::start(): cannot set 'onClose' event when using dispatch_mode=3 (set enable_unsafe_event to receive it anyway) in %s on line %d

Warning: Swoole\Server::start(): cannot set 'onBufferFull' event when using dispatch_mode=3 (set enable_unsafe_event to receive it anyway) in %s on line %d

Warning: Swoole\Server::start(): cannot set 'onBufferEmpty' event when using dispatch_mode=3 (set enable_unsafe_event to receive it anyway) in %s on line %d
-- dispatch_mode 3 with enable_unsafe_event
exit code: 0
events: {"close":4,"connect":4,"receive":4}
-- dispatch_mode 2
exit code: 0
fd 1: {"connect":1,"receive":1,"close":1}
fd 2: {"connect":2,"receive":2,"close":2}
fd 3: {"connect":0,"receive":0,"close":0}
fd 4: {"connect":1,"receive":1,"close":1}
fd 5: {"connect":2,"receive":2,"close":2}
fd 6: {"connect":0,"receive":0,"close":0}
