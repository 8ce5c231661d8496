--TEST--
Heartbeat: a connection idle for heartbeat_idle_time is closed (Close runs, the client reads EOF) while an active one and a protect()ed one stay; heartbeat(false) lists idle connections without closing them, heartbeat() closes them (reactor_id -1); without a heartbeat it is false
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'heartbeat_check_interval' => 1, 'heartbeat_idle_time' => 2]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'protect me' || $data === 'unprotect me') {
        $s->send($fd, var_export($s->protect($fd, $data === 'protect me'), true));
        return;
    }
    if ($data === 'list') {
        $s->send($fd, json_encode($s->heartbeat(false)));
        return;
    }
    if ($data === 'sweep') {
        $s->send($fd, json_encode($s->heartbeat()));
        return;
    }
    $s->send($fd, 'ok');
});
$serv->on('Close', fn($s, $fd, $rid) => rs_note("close $fd $rid"));
rs_ready($serv);
$serv->start();
PHP);
$idle = $srv->connect();       // fd 1: says one thing, then nothing
fwrite($idle, 'hi');
echo $srv->read($idle, 2), "\n";
$active = $srv->connect();     // fd 2: keeps talking
$guarded = $srv->connect();    // fd 3: protected, then silent
fwrite($guarded, 'protect me');
echo "protect: ", $srv->read($guarded, 4), "\n";
// The idle one is closed by the heartbeat within about 3 s; keep the active one busy meanwhile.
$closed = $srv->waitUntil(function () use ($srv, $active) {
    fwrite($active, 'ping');
    $srv->read($active, 2, 1.0);
    return in_array('close 1 0', $srv->notes(), true);
}, 10, "the idle connection to be closed");
stream_set_timeout($idle, 5);
echo "idle client reads: ", var_export(fread($idle, 10), true), ", eof: ", var_export(feof($idle), true), "\n";
fwrite($active, 'ping');
echo "active client still served: ", $srv->read($active, 2), "\n";
echo "closes so far: ", implode(', ', $srv->notes()), "\n";
// Nothing is idle now (fd 2 talks, fd 3 is protected): heartbeat(false) and heartbeat() list
// nothing and close nothing. (Catching a connection between going idle and the next automatic
// check would race the timer, which runs at least every idle/2.)
$late = $srv->connect();       // fd 4
fwrite($active, 'ping');
$srv->read($active, 2);
fwrite($late, 'list');
echo "heartbeat(false): ", $srv->read($late, 2), "\n";
fwrite($late, 'sweep');
echo "heartbeat(): ", $srv->read($late, 2), "\n";
fwrite($active, 'ping');
echo "still open: ", $srv->read($active, 2), "\n";
// No longer protected: the heartbeat closes fd 3 once it has been quiet long enough.
fwrite($guarded, 'unprotect me');
echo "unprotect: ", $srv->read($guarded, 4), "\n";
$srv->waitUntil(function () use ($srv, $active, $late) {
    fwrite($active, 'ping');
    fwrite($late, 'ping');
    $srv->read($active, 2, 0.5);
    $srv->read($late, 2, 0.5);
    return in_array('close 3 0', $srv->notes(), true);
}, 10, "fd 3 to be closed");
echo "closes: ", implode(', ', $srv->notes()), "\n";
fclose($late);
echo "exit code: ", $srv->stop(), "\n";
$srv2 = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1]);
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->send($fd, var_export($s->heartbeat(), true)));
rs_ready($serv);
$serv->start();
PHP);
echo "without a heartbeat: ", $srv2->request('x', 5), "\n";
echo "exit code: ", $srv2->stop(), "\n";
?>
--EXPECT--
ok
protect: true
idle client reads: '', eof: true
active client still served: ok
closes so far: close 1 0
heartbeat(false): []
heartbeat(): []
still open: ok
unprotect: true
closes: close 1 0, close 3 0
exit code: 0
without a heartbeat: false
exit code: 0
