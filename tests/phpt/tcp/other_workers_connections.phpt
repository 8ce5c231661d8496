--TEST--
send(), close() and exists() on a connection another event worker owns are forwarded to the owner: a broadcast from one worker reaches every client (Swoole BASE forwards too, but its exists() and getClientInfo() say false and foreach skips it); getClientList() and $serv->connections list every worker's connections; a forwarded close() closes it and Close runs in the owner
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'who') {
        $s->send($fd, "fd=$fd worker=" . $s->getWorkerId() . "\n");
        return;
    }
    [$cmd, $arg] = explode(' ', $data, 2) + [1 => ''];
    if ($cmd === 'broadcast') {
        $fds = array_map('intval', explode(',', $arg));
        $sent = array_map(fn($to) => $s->send($to, "from worker " . $s->getWorkerId() . " to $to\n"), $fds);
        rs_note("broadcast by " . $s->getWorkerId() . ": " . json_encode($sent) . " exists: " . json_encode(array_map(fn($f) => $s->exists($f), $fds)));
    } elseif ($cmd === 'list') {
        [$mine, $other] = array_map('intval', explode(',', $arg));
        $info = $s->getClientInfo($other);
        $all = [];
        foreach ($s->connections as $c) {
            $all[] = $c;
        }
        rs_note("list by " . $s->getWorkerId() . ": " . json_encode([
            'getClientList has both' => count(array_intersect([$mine, $other], $s->getClientList(0, 100))) === 2,
            'getClientList after the first' => !in_array(min($mine, $other), $s->getClientList(min($mine, $other), 100), true),
            'connections has both' => count(array_intersect([$mine, $other], $all)) === 2,
            'count(connections)' => count($s->connections) === count($all),
            'other info' => [$info['reactor_id'], $info['remote_ip'], $info['server_port'] === $s->port, abs($info['connect_time'] - time()) < 10],
            'own info fd' => $s->getClientInfo($mine)['socket_fd'] > 0,
            'find_count 101' => @$s->getClientList(0, 101),
        ]));
    } elseif ($cmd === 'close') {
        rs_note("close by " . $s->getWorkerId() . ": " . var_export($s->close((int)$arg), true));
    }
});
$serv->on('Close', fn($s, $fd, $rid) => rs_note("closed $fd in worker " . $s->getWorkerId()));
rs_ready($serv);
$serv->start();
PHP);
// Connect until both event workers own a client (the kernel picks who accepts).
$by = [];
$conns = [];
$srv->waitUntil(function () use ($srv, &$by, &$conns) {
    $c = $srv->connect();
    fwrite($c, 'who');
    $line = stream_get_line($c, 100, "\n");
    if (preg_match('/fd=(\d+) worker=(\d)/', (string)$line, $m)) {
        $conns[(int)$m[1]] = $c;
        $by[(int)$m[2]] ??= (int)$m[1];
    }
    return count($by) === 2;
}, 20, "a client on each event worker");
[$a, $b] = [$by[0], $by[1]];
echo "clients on two workers: ", var_export($a !== $b, true), "\n";
// Worker 0's client asks for a broadcast to both.
fwrite($conns[$a], "broadcast $a,$b");
foreach ([$a => 'its own', $b => "the other worker's"] as $fd => $what) {
    stream_set_timeout($conns[$fd], 5);
    echo "$what client got: ", str_replace([(string)$a, (string)$b], ['A', 'B'], (string)stream_get_line($conns[$fd], 100, "\n")), "\n";
}
echo $srv->waitNotes('broadcast')[0], "\n";
fwrite($conns[$a], "list $a,$b");
echo $srv->waitNotes('list by')[0], "\n";
// Worker 1's client closes worker 0's client.
fwrite($conns[$b], "close $a");
echo $srv->waitNotes('close by')[0], "\n";
stream_set_timeout($conns[$a], 5);
echo "closed client reads: ", var_export(fread($conns[$a], 10), true), ", eof: ", var_export(feof($conns[$a]), true), "\n";
echo "closed in worker ", implode(',', array_map(fn($n) => substr($n, strrpos($n, ' ') + 1), preg_grep("/^closed $a /", $srv->waitNotes('closed')))), "\n";
foreach ($conns as $c) {
    fclose($c);
}
echo "exit code: ", $srv->stop(), "\n";
?>
--EXPECT--
clients on two workers: true
its own client got: from worker 0 to A
the other worker's client got: from worker 0 to B
broadcast by 0: [true,true] exists: [true,true]
list by 0: {"getClientList has both":true,"getClientList after the first":true,"connections has both":true,"count(connections)":true,"other info":[1,"127.0.0.1",true,true],"own info fd":true,"find_count 101":false}
close by 1: true
closed client reads: '', eof: true
closed in worker 0
exit code: 0
