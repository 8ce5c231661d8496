--TEST--
SWOOLE_PROCESS dispatch: with dispatch_mode 2 (the default) connection $fd is served by worker $fd % worker_num for all its messages; with dispatch_mode 1 consecutive messages of one connection go to the workers in turn
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$code = <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 3] + MODE);
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->send($fd, "$fd $s->worker_id\n"));
rs_ready($serv);
$serv->start();
PHP;
function ask(TestServer $srv, $c): array
{
    fwrite($c, 'x');
    $line = stream_get_line($c, 100, "\n");
    return array_map('intval', explode(' ', (string)$line)) + [1 => -1];
}
// Mode 2 (the default, and set explicitly).
foreach (['[]', "['dispatch_mode' => 2]"] as $mode) {
    $srv = TestServer::start(str_replace('MODE', $mode, $code));
    $conns = [];
    for ($i = 0; $i < 5; $i++) {
        $conns[] = $srv->connect();
    }
    $bad = [];
    $fds = [];
    for ($round = 0; $round < 3; $round++) {
        foreach ($conns as $c) {
            [$fd, $w] = ask($srv, $c);
            $fds[$fd] = true;
            if ($w !== $fd % 3) {
                $bad[] = "fd $fd answered by worker $w";
            }
        }
    }
    echo "mode $mode: ", count($fds), " connections, 15 answers, wrong worker: ", json_encode($bad), "\n";
    foreach ($conns as $c) {
        fclose($c);
    }
    echo "exit code: ", $srv->stop(), "\n";
    echo $srv->output();
}
// Mode 1: one connection, nine messages one after another.
$srv = TestServer::start(str_replace('MODE', "['dispatch_mode' => 1]", $code));
$c = $srv->connect();
$ws = [];
for ($i = 0; $i < 9; $i++) {
    $ws[] = ask($srv, $c)[1];
}
$per = array_count_values($ws);
ksort($per);
$turns = true;
for ($i = 1; $i < 9; $i++) {
    $turns = $turns && $ws[$i] === ($ws[$i - 1] + 1) % 3;
}
echo "mode 1: each next message goes to the next worker: ", var_export($turns, true), " (", json_encode($per), " per worker)\n";
// A second connection also gets all three workers.
$d = $srv->connect();
$ws2 = [ask($srv, $d)[1], ask($srv, $d)[1], ask($srv, $d)[1]];
sort($ws2);
echo "mode 1: a second connection's three messages: ", json_encode($ws2), "\n";
fclose($c);
fclose($d);
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
mode []: 5 connections, 15 answers, wrong worker: []
exit code: 0
mode ['dispatch_mode' => 2]: 5 connections, 15 answers, wrong worker: []
exit code: 0
mode 1: each next message goes to the next worker: true ([3,3,3] per worker)
mode 1: a second connection's three messages: [0,1,2]
exit code: 0
