--TEST--
PROCESS mode heartbeat (check interval 1 s, idle time 2 s): the reactor closes a connection idle for heartbeat_idle_time (the client reads EOF, Close runs in the fd's worker with the owning reactor's id, not -1, an INFO log line from the master) while one sending every 300 ms and a protect()ed one stay open; heartbeat(false) and heartbeat() from a worker neither list nor close the active and protected ones; once unprotected, the silent one is closed too
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2, 'heartbeat_check_interval' => 1, 'heartbeat_idle_time' => 2]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    // The reactor thread that owns the connection: its Close must carry that id.
    rs_note("owner $fd " . $s->getClientInfo($fd)['reactor_id']);
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
$serv->on('Close', fn($s, $fd, $rid) => rs_note("close $fd $rid worker=" . $s->worker_id));
rs_ready($serv);
$serv->start();
PHP);
/** The Close notes so far, with each reactor id shown as OWNER when it is the owning reactor's. */
function closes(TestServer $srv): string
{
    $owner = [];
    foreach ($srv->notes() as $l) {
        if (preg_match('/^owner (\d+) (-?\d+)$/', $l, $m)) {
            $owner[$m[1]] = $m[2];
        }
    }
    $out = [];
    foreach ($srv->notes() as $l) {
        if (preg_match('/^close (\d+) (-?\d+) (.*)$/', $l, $m)) {
            $ok = isset($owner[$m[1]]) && $owner[$m[1]] === $m[2] && in_array($m[2], ['0', '1'], true);
            $out[] = "close $m[1] " . ($ok ? 'OWNER' : $m[2]) . " $m[3]";
        }
    }
    return implode(', ', $out);
}
function ping(TestServer $srv, $c): string
{
    fwrite($c, 'ping');
    return $srv->read($c, 2, 0.3);
}

$idle = $srv->connect();       // fd 1 (worker 1): says one thing, then nothing
fwrite($idle, 'hi');
echo $srv->read($idle, 2), "\n";
$active = $srv->connect();     // fd 2 (worker 0): keeps talking
$guarded = $srv->connect();    // fd 3 (worker 1): protected, then silent
fwrite($guarded, 'protect me');
echo "protect: ", $srv->read($guarded, 4), "\n";
// The idle one is closed within about 3 s; the active one pings every 300 ms meanwhile.
$srv->waitUntil(function () use ($srv, $active) {
    ping($srv, $active);
    return str_contains(closes($srv), 'close 1 ');
}, 10, "the idle connection to be closed");
stream_set_timeout($idle, 5);
echo "idle client reads: ", var_export(fread($idle, 10), true), ", eof: ", var_export(feof($idle), true), "\n";
// One more check interval (and a margin) for the protected one, silent for over 2 s by then.
$until = microtime(true) + 1.3;
$answers = [];
while (microtime(true) < $until) {
    $answers[] = ping($srv, $active);
}
echo "active client answered every ping: ", var_export(array_unique($answers) === ['ok'], true), "\n";
echo "closes so far: ", closes($srv), "\n";
// Nothing is idle (fd 2 talks, fd 3 is protected): heartbeat(false) and heartbeat() from a
// worker list nothing and close nothing.
fwrite($active, 'list');
echo "heartbeat(false): ", $srv->read($active, 2), "\n";
fwrite($active, 'sweep');
echo "heartbeat(): ", $srv->read($active, 2), "\n";
echo "protected client still served: ", ping($srv, $guarded), "\n";
echo "closes so far: ", closes($srv), "\n";
// No longer protected: the heartbeat closes fd 3 once it has been quiet long enough.
fwrite($guarded, 'unprotect me');
echo "unprotect: ", $srv->read($guarded, 4), "\n";
$srv->waitUntil(function () use ($srv, $active) {
    ping($srv, $active);
    return str_contains(closes($srv), 'close 3 ');
}, 10, "fd 3 to be closed");
stream_set_timeout($guarded, 5);
echo "unprotected client reads: ", var_export(fread($guarded, 10), true), ", eof: ", var_export(feof($guarded), true), "\n";
echo "active client: ", ping($srv, $active), "\n";
fclose($active);
$srv->waitUntil(fn() => str_contains(closes($srv), 'close 2 '), 10, "fd 2's Close");
echo "closes: ", closes($srv), "\n";
echo "exit code: ", $srv->stop(), "\n";
echo str_replace("#$srv->pid.", '#MASTER.', $srv->output());
?>
--EXPECTF--
ok
protect: true
idle client reads: '', eof: true
active client answered every ping: true
closes so far: close 1 OWNER worker=1
heartbeat(false): []
heartbeat(): []
protected client still served: ok
closes so far: close 1 OWNER worker=1
unprotect: true
unprotected client reads: '', eof: true
active client: ok
closes: close 1 OWNER worker=1, close 3 OWNER worker=1, close 2 OWNER worker=0
exit code: 0
[%s #MASTER.%d]	INFO	Worker::heartbeat(): session#1 idle past its port's heartbeat_idle_time: closed
[%s #MASTER.%d]	INFO	Worker::heartbeat(): session#3 idle past its port's heartbeat_idle_time: closed
