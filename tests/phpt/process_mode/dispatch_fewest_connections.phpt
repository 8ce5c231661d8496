--TEST--
SWOOLE_PROCESS dispatch_mode 8: a new connection goes to the worker with the fewest connections and stays there (Connect, every message and Close); a worker whose connection closed gets the next one
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 3, 'dispatch_mode' => 8]);
$serv->on('Connect', fn($s, $fd) => rs_note("connect $fd $s->worker_id"));
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->send($fd, "$s->worker_id\n"));
$serv->on('Close', fn($s, $fd) => rs_note("close $fd $s->worker_id"));
rs_ready($serv);
$serv->start();
PHP);
$ask = function ($c) {
    $got = [];
    for ($i = 0; $i < 3; $i++) {
        fwrite($c, 'x');
        $got[] = (int)stream_get_line($c, 100, "\n");
    }
    return $got;
};
$conns = [];
$workers = [];
for ($i = 1; $i <= 3; $i++) {
    $conns[$i] = $srv->connect();
    $got = $ask($conns[$i]);
    echo "connection $i: its three messages in one worker: ", var_export(count(array_unique($got)) === 1, true), "\n";
    $workers[$i] = $got[0];
}
$sorted = $workers;
sort($sorted);
echo "three connections in three workers: ", json_encode($sorted), "\n";
// Connection 2 leaves: its worker now has the fewest.
fclose($conns[2]);
$srv->waitNotes('close', 1);
$conns[4] = $srv->connect();
$got = $ask($conns[4]);
echo "connection 4 goes to connection 2's worker: ", var_export($got === array_fill(0, 3, $workers[2]), true), "\n";
// Every worker has one again; connections 1 and 3 stay where they were.
echo "connections 1 and 3 stay: ", var_export($ask($conns[1])[0] === $workers[1] && $ask($conns[3])[0] === $workers[3], true), "\n";
$workers[4] = $workers[2];
foreach ([1, 3, 4] as $i) {
    fclose($conns[$i]);
}
$connects = $srv->waitNotes('connect', 4);
$closes = $srv->waitNotes('close', 4);
$ok = true;
foreach ($connects as $n => $l) {
    [, $fd, $w] = explode(' ', $l);
    $ok = $ok && (int)$w === $workers[(int)$fd] && preg_grep("/^close $fd $w$/", $closes);
}
echo "Connect and Close of each ran in its worker: ", var_export($ok, true), "\n";
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
connection 1: its three messages in one worker: true
connection 2: its three messages in one worker: true
connection 3: its three messages in one worker: true
three connections in three workers: [0,1,2]
connection 4 goes to connection 2's worker: true
connections 1 and 3 stay: true
Connect and Close of each ran in its worker: true
exit code: 0
