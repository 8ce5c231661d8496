--TEST--
PROCESS mode $reactor_id (worker_num 4, reactor_num 2): Connect, Receive and Close of a connection all get the id of the reactor thread that owns it, the one getClientInfo() reports, always below reactor_num, whichever worker (fd % 4) runs the callback
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 4, 'reactor_num' => 2]);
$info = fn($s, $fd) => $s->getClientInfo($fd)['reactor_id'] ?? 'none';
$serv->on('Connect', fn($s, $fd, $rid) => rs_note("connect $fd $rid " . $info($s, $fd) . " worker=" . $s->worker_id));
$serv->on('Receive', function ($s, $fd, $rid, $data) use ($info) {
    rs_note("receive $fd $rid " . $info($s, $fd) . " worker=" . $s->worker_id);
    $s->send($fd, 'ok');
});
$serv->on('Close', fn($s, $fd, $rid) => rs_note("close $fd $rid " . $info($s, $fd) . " worker=" . $s->worker_id));
rs_ready($serv);
$serv->start();
PHP);
$clients = [];
for ($i = 1; $i <= 8; $i++) {
    $clients[$i] = $srv->connect();
    fwrite($clients[$i], 'hi');
    $srv->read($clients[$i], 2);
}
foreach ($clients as $c) {
    fclose($c);
}
$srv->waitNotes('close', 8);
$by_fd = [];
foreach ($srv->notes() as $l) {
    [$event, $fd, $rid, $info, $worker] = explode(' ', $l);
    $by_fd[$fd][$event] = [$rid, $info, $worker];
}
ksort($by_fd);
foreach ($by_fd as $fd => $ev) {
    $ids = [$ev['connect'][0], $ev['connect'][1], $ev['receive'][0], $ev['receive'][1], $ev['close'][0], $ev['close'][1]];
    $agree = count(array_unique($ids)) === 1 && in_array($ids[0], ['0', '1'], true);
    echo "fd $fd ({$ev['receive'][2]}): ", $agree ? 'one reactor id, below 2' : 'WRONG: connect/info ' . implode('/', $ev['connect']) . ', receive/info ' . implode('/', $ev['receive']) . ', close/info ' . implode('/', $ev['close']), "\n";
}
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
fd 1 (worker=1): one reactor id, below 2
fd 2 (worker=2): one reactor id, below 2
fd 3 (worker=3): one reactor id, below 2
fd 4 (worker=0): one reactor id, below 2
fd 5 (worker=1): one reactor id, below 2
fd 6 (worker=2): one reactor id, below 2
fd 7 (worker=3): one reactor id, below 2
fd 8 (worker=0): one reactor id, below 2
exit code: 0
