--TEST--
SWOOLE_PROCESS: SIGTERM while clients are connected or have just left stops the server cleanly and silently (no warnings about the reactor-worker links), exit code 0, nothing left behind
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
for ($round = 1; $round <= 5; $round++) {
    $srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 3]);
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->send($fd, "ok"));
rs_ready($serv);
$serv->start();
PHP);
    $conns = [];
    for ($i = 0; $i < 6; $i++) {
        $conns[$i] = $srv->connect();
        fwrite($conns[$i], 'x');
        $srv->read($conns[$i], 2);
    }
    // Half of them leave just before the stop, half stay connected.
    for ($i = 0; $i < 3; $i++) {
        fclose($conns[$i]);
    }
    echo "round $round: exit code ", $srv->stop(), "\n";
    echo $srv->output();
}
?>
--EXPECT--
round 1: exit code 0
round 2: exit code 0
round 3: exit code 0
round 4: exit code 0
round 5: exit code 0
