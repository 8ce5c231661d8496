--TEST--
PROCESS mode max_connection 2: a third concurrent client is accepted by the kernel and closed at once by the reactor (it reads EOF, abort_count counts it, a WARNING log line from the master, no Connect or Close runs for it), the first two are served on by their two workers; one leaving makes room for a new client
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2, 'max_connection' => 2]);
$serv->on('Connect', fn($s, $fd, $rid) => rs_note("connect $fd"));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'stats') {
        $st = $s->stats();
        $s->send($fd, "conn={$st['connection_num']} abort={$st['abort_count']} setting={$s->setting['max_connection']}");
        return;
    }
    $s->send($fd, "echo:$data worker={$s->worker_id}");
});
$serv->on('Close', fn($s, $fd, $rid) => rs_note("close $fd"));
rs_ready($serv);
$serv->start();
PHP);
$clients = [];
for ($i = 0; $i < 2; $i++) {
    $clients[$i] = $srv->connect();
    fwrite($clients[$i], "c$i");
    echo $srv->read($clients[$i], 16), "\n";
}
$extra = $srv->connect();
stream_set_timeout($extra, 10);
echo "third client reads: ", var_export(fread($extra, 10), true), ", at eof: ", var_export(feof($extra), true), "\n";
fclose($extra);
foreach ($clients as $i => $c) {
    fwrite($c, "again$i");
    echo $srv->read($c, 20), "\n";
}
fwrite($clients[0], 'stats');
echo $srv->read($clients[0], 24), "\n";
// A second one over the limit, while both are still there.
$extra = $srv->connect();
stream_set_timeout($extra, 10);
echo "fourth client reads: ", var_export(fread($extra, 10), true), ", at eof: ", var_export(feof($extra), true), "\n";
fclose($extra);
fclose($clients[1]);
$srv->waitNotes('close 2', 1);
// The count drops as the reactor takes the connection off, so a retry may be needed.
$got = $srv->waitUntil(function () use ($srv) {
    $c = $srv->connect();
    fwrite($c, 'new');
    $got = $srv->read($c, 19, 1.0);
    if ($got === '') {
        fclose($c);
        return false;
    }
    return [$c, $got];
}, 10, "room for a new client");
[$new, $answer] = $got;
echo "a new client: ", preg_replace('/worker=\d/', 'worker=W', $answer), "\n";
fwrite($clients[0], 'stats');
echo $srv->read($clients[0], 24), "\n";
fclose($new);
fclose($clients[0]);
$srv->waitNotes('close', 3);
$notes = $srv->notes();
sort($notes);
echo implode(', ', $notes), "\n";
echo "exit code: ", $srv->stop(), "\n";
echo str_replace("#$srv->pid.", '#MASTER.', $srv->output());
?>
--EXPECTF--
echo:c0 worker=1
echo:c1 worker=0
third client reads: '', at eof: true
echo:again0 worker=1
echo:again1 worker=0
conn=2 abort=1 setting=2
fourth client reads: '', at eof: true
a new client: echo:new worker=W
conn=2 abort=2 setting=2
close 1, close 2, close %d, connect 1, connect 2, connect %d
exit code: 0
[%s #MASTER.%d]	WARNING	Worker::accept(): Too many connections [now: 2], max_connection=2
[%s #MASTER.%d]	WARNING	Worker::accept(): Too many connections [now: 2], max_connection=2
