--TEST--
PROCESS mode shutdown: clients that were served and then disconnect just before the server gets SIGTERM leave nothing in the log and get their onClose: over 20 servers, each runs onClose for all 4 clients, stops with exit code 0, prints nothing (no reactor warning about a worker link or a lost event) and leaves no process behind
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$code = <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2]);
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->send($fd, "ok\n"));
$serv->on('Close', fn($s, $fd, $rid) => rs_note("close $fd"));
rs_ready($serv);
$serv->start();
PHP;
$clean = 0;
$other = [];
for ($round = 0; $round < 20; $round++) {
    $srv = TestServer::start($code);
    $cs = [];
    for ($i = 0; $i < 4; $i++) {
        $cs[$i] = $srv->connect();
        fwrite($cs[$i], 'x');
        $srv->read($cs[$i], 3);
    }
    foreach ($cs as $c) {
        fclose($c);
    }
    $exit = $srv->stop();
    $out = $srv->output();
    $closes = count(array_filter($srv->notes(), fn($l) => str_starts_with($l, 'close')));
    if ($closes !== 4) {
        $other[] = "onClose ran $closes times, not 4\n";
    }
    if ($exit === 0 && $out === '' && $closes === 4) {
        $clean++;
    } else {
        $other[] = "exit code $exit, output: " . preg_replace('/^\[[^\]]+\]/m', '[...]', $out);
    }
}
echo "clean stops: $clean of 20\n";
echo implode('', array_unique($other));
?>
--EXPECT--
clean stops: 20 of 20
