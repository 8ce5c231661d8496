--TEST--
max_connection counts connections across the whole server (not fd numbers): with 3, a fourth client is closed at once (abort_count, a log line) while two event workers serve the three; one leaving makes room again; backlog reaches listen(2)
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'max_connection' => 3, 'backlog' => 7]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'stats') {
        $st = $s->stats();
        $s->send($fd, "conn={$st['connection_num']} abort={$st['abort_count']} setting={$s->setting['max_connection']}");
        return;
    }
    $s->send($fd, "echo:$data");
});
rs_ready($serv);
$serv->start();
PHP);
$ss = shell_exec("ss -ltnH 'sport = :{$srv->port}'");
echo "listen backlog: ", preg_split('/\s+/', trim((string)$ss))[2] ?? '?', "\n";
$clients = [];
for ($i = 0; $i < 3; $i++) {
    $clients[$i] = $srv->connect();
    fwrite($clients[$i], "c$i");
    echo $srv->read($clients[$i], 7), "\n";
}
$extra = $srv->connect();
// Accepted by the kernel, then closed by the server: the client reads EOF.
stream_set_blocking($extra, true);
stream_set_timeout($extra, 10);
echo "fourth client reads: ", var_export(fread($extra, 10), true), ", at eof: ", var_export(feof($extra), true), "\n";
fclose($extra);
fwrite($clients[0], 'stats');
echo $srv->read($clients[0], 33), "\n";
fclose($clients[2]);
$srv->waitUntil(function () use ($srv) {
    $c = $srv->connect();
    fwrite($c, 'again');
    $got = $srv->read($c, 11, 1.0);
    fclose($c);
    return $got === 'echo:again';
}, 10, "room for a new client");
echo "a new client is served\n";
foreach ([0, 1] as $i) {
    fclose($clients[$i]);
}
echo "exit code: ", $srv->stop(), "\n";
echo "log: ", preg_match('/WARNING\tWorker::accept\(\): Too many connections \[now: 3\], max_connection=3/', $srv->output()), "\n";
?>
--EXPECT--
listen backlog: 7
echo:c0
echo:c1
echo:c2
fourth client reads: '', at eof: true
conn=3 abort=1 setting=3
a new client is served
exit code: 0
log: 1
