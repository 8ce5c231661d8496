--TEST--
PROCESS mode abuse, at the reactor threads: 10,000 connections opened and closed in a loop, a flood of 1-byte writes, a peer that half-closes, garbage to a length-framed port: no crash, every byte counted, a long-lived client served throughout, connection_num and the master's and the worker's descriptors back where they were, the master's memory bounded; garbage is logged by the reactor and raises the PHP warning in the worker, as in BASE mode
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 1]);
$bytes = 0;
$serv->on('WorkerStart', fn($s, $id) => rs_note("worker " . getmypid()));
$serv->on('Receive', function ($s, $fd, $rid, $data) use (&$bytes) {
    if (str_starts_with($data, 'stats')) {
        $st = $s->stats();
        $s->send($fd, json_encode(['conn' => $st['connection_num'], 'bytes' => $bytes]) . "\n");
        return;
    }
    if ($data === 'ping') {
        $s->send($fd, 'pong');
        return;
    }
    $bytes += strlen($data);
});
rs_ready($serv);
$serv->start();
PHP);
[$w] = $srv->waitNotes('worker');
$pid = (int)explode(' ', $w)[1];
$master = $srv->pid;
$fds = fn() => count(scandir("/proc/$pid/fd")) - 2;
$mfds = fn() => count(scandir("/proc/$master/fd")) - 2;
$rss = fn() => (int)preg_replace('/\D/', '', preg_grep('/^VmRSS/', file("/proc/$master/status"))[array_key_first(preg_grep('/^VmRSS/', file("/proc/$master/status")))]);
$keeper = $srv->connect();
$ping = function () use ($srv, $keeper) {
    fwrite($keeper, 'ping');
    return $srv->read($keeper, 4);
};
echo "keeper: ", $ping(), "\n";
$fds_before = $fds();
$mfds_before = $mfds();
$rss_before = $rss();
// 1. Churn.
$opened = 0;
$deadline = microtime(true) + 60;
for ($i = 0; $i < 10000 && microtime(true) < $deadline; $i++) {
    $c = @stream_socket_client("tcp://127.0.0.1:$srv->port", $errno, $errstr, 5);
    if ($c) {
        $opened++;
        fclose($c);
    }
    if ($i % 2500 === 0 && $ping() !== 'pong') {
        echo "keeper not served during the churn\n";
    }
}
echo "churn: $opened of 10000 connections opened and closed\n";
// 2. A flood of 1-byte writes.
$f = $srv->connect();
$sent = 0;
for ($i = 0; $i < 50000; $i++) {
    $sent += fwrite($f, 'x');
}
echo "keeper during the flood: ", $ping(), "\n";
$srv->waitUntil(function () use ($srv, $keeper, $sent) {
    fwrite($keeper, 'stats');
    $st = json_decode($srv->read($keeper, 1, 1.0) . stream_get_line($keeper, 1024, "\n"), true);
    return ($st['bytes'] ?? 0) === $sent;
}, 20, "every flooded byte counted");
echo "flood: all $sent bytes counted\n";
fclose($f);
// 3. A peer that half-closes after its request.
$h = $srv->connect();
fwrite($h, 'ping');
stream_socket_shutdown($h, STREAM_SHUT_WR);
stream_set_timeout($h, 5);
$got = '';
while (!feof($h) && ($chunk = fread($h, 100)) !== false && $chunk !== '') {
    $got .= $chunk;
}
echo "half-closed peer: read ended, got ", var_export($got === '' || $got === 'pong', true), "\n";
fclose($h);
echo "keeper after all: ", $ping(), "\n";
$srv->waitUntil(function () use ($srv, $keeper, &$st) {
    fwrite($keeper, 'stats');
    $st = json_decode($srv->read($keeper, 1, 1.0) . stream_get_line($keeper, 1024, "\n"), true);
    return ($st['conn'] ?? 0) === 1;
}, 10, "connection_num back to 1");
echo "connection_num: {$st['conn']}\n";
$srv->waitUntil(fn() => $fds() === $fds_before, 10, "worker fds back to " . $fds_before);
echo "worker descriptors as before: true\n";
$srv->waitUntil(fn() => $mfds() === $mfds_before, 10, "master fds back to " . $mfds_before);
echo "master descriptors as before: true\n";
echo "memory grew by less than 64 MB: ", var_export($rss() - $rss_before < 64 * 1024, true), "\n";
fclose($keeper);
echo "exit code: ", $srv->stop(), "\n";
$srv2 = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 1, 'open_length_check' => true, 'package_max_length' => 4096]);
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->send($fd, 'ok:' . strlen($data)));
$serv->on('Close', fn($s, $fd, $rid) => rs_note("closed $fd"));
rs_ready($serv);
$serv->start();
PHP);
// 4. Garbage headers: each connection is closed, a well-formed client is served after them.
foreach (["GET / HTTP/1.1\r\nHost: x\r\n\r\n", "\xff\xff\xff\xff" . str_repeat('z', 100), "\x7f\x00\x00\x00"] as $i => $junk) {
    $g = $srv2->connect();
    fwrite($g, $junk);
    stream_set_timeout($g, 5);
    $r = fread($g, 100);
    echo "garbage $i: closed by the server: ", var_export(feof($g) || $r === '', true), "\n";
    fclose($g);
}
echo "good client: ", $srv2->request(pack('N', 3) . 'abc', 4), "\n";
echo "exit code: ", $srv2->stop(), "\n";
echo "log lines for the garbage: ", preg_match_all('/Worker::receive\(\): \(ERRNO 120\d\)/', $srv2->output()), "\n";
echo "PHP warnings for the garbage: ", preg_match_all('/^Warning: /m', $srv2->output()), "\n";
?>
--EXPECT--
keeper: pong
churn: 10000 of 10000 connections opened and closed
keeper during the flood: pong
flood: all 50000 bytes counted
half-closed peer: read ended, got true
keeper after all: pong
connection_num: 1
worker descriptors as before: true
master descriptors as before: true
memory grew by less than 64 MB: true
exit code: 0
garbage 0: closed by the server: true
garbage 1: closed by the server: true
garbage 2: closed by the server: true
good client: ok:7
exit code: 0
log lines for the garbage: 3
PHP warnings for the garbage: 3
