--TEST--
package_max_length and bad lengths: a header announcing too much, a negative length, a total of 0, or an EOF message reaching the limit without its EOF closes that connection (client sees EOF, Close runs, a WARNING log line with Swoole's errno, session and remote_addr); other clients go on being served
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$code = <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1] + json_decode(getenv('RS_SET'), true));
$serv->on('Connect', fn($s, $fd, $rid) => rs_note("connect $fd"));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    rs_note("receive $fd " . strlen($data));
    $s->send($fd, "ok " . strlen($data) . "\n");
});
$serv->on('Close', fn($s, $fd, $rid) => rs_note("close $fd reactor=$rid worker=" . $s->worker_id));
rs_ready($serv);
$serv->start();
PHP;
$servers = [];
putenv('RS_SET=' . json_encode(['open_length_check' => true, 'package_length_type' => 'l', 'package_max_length' => 1024]));
$servers['l'] = TestServer::start($code);
putenv('RS_SET=' . json_encode(['open_length_check' => true, 'package_length_type' => 'J', 'package_body_offset' => 8, 'package_max_length' => '1K']));
$servers['J'] = TestServer::start($code);
putenv('RS_SET=' . json_encode(['open_length_check' => true, 'package_body_offset' => 0, 'package_max_length' => 1024]));
$servers['N0'] = TestServer::start($code);
putenv('RS_SET=' . json_encode(['open_eof_split' => true, 'package_eof' => "\r\n", 'package_max_length' => 1024]));
$servers['eof'] = TestServer::start($code);

/** Reads until the server closes: true when EOF came (with no data) before the deadline. */
function closed_by_server($c, float $timeout = 5.0): bool
{
    $deadline = microtime(true) + $timeout;
    while (microtime(true) < $deadline) {
        $r = [$c];
        $w = $e = null;
        if (stream_select($r, $w, $e, 0, 50000) > 0) {
            $chunk = fread($c, 65536);
            if ($chunk === '' || $chunk === false) {
                return feof($c);
            }
            echo "unexpected data: ", json_encode($chunk), "\n";
            return false;
        }
    }
    return false;
}

/** The warning lines of the server's log, with the time and pid taken off. */
function warnings(TestServer $srv): array
{
    preg_match_all('/^\[[^\]]+\]\tWARNING\t(.*)$/m', $srv->output(), $m);
    return $m[1];
}

/**
 * `$good` is a client that stays connected and is served between bad ones; `$bad` is sent
 * by a new client, which the server must close with `$line` (the log line, %s = its address).
 */
function bad(string $name, TestServer $srv, $good, string $goodmsg, string $bad, string $line): void
{
    static $sessions = [];
    $sessions[$name] = ($sessions[$name] ?? 1) + 1;
    $session = $sessions[$name];
    $c = $srv->connect();
    $addr = stream_socket_get_name($c, false);
    fwrite($c, $bad);
    $closed = closed_by_server($c);
    fclose($c);
    $close = $srv->waitNotes("close $session ", 1)[0];
    $srv->waitUntil(fn() => warnings($srv), 5.0, 'a warning line');
    $w = warnings($srv);
    $want = sprintf($line, $session, $addr);
    echo "$name: client saw EOF: ", var_export($closed, true), ", $close, log ", $w === [$want] ? 'ok' : 'WRONG: ' . json_encode($w) . ' want ' . json_encode($want), "\n";
    // Nothing of the bad message was delivered, and the other client is still served.
    echo "  receives of the bad session: ", count(array_filter($srv->notes(), fn($l) => str_starts_with($l, "receive $session "))), "\n";
    fwrite($good, $goodmsg);
    echo "  other client: ", json_encode($srv->read($good, strlen("ok " . strlen($goodmsg) . "\n"))), "\n";
    // The log lines of each case are looked at alone.
    file_put_contents($srv->dir() . '/output', '');
}

$good = [];
foreach ($servers as $name => $srv) {
    $good[$name] = $srv->connect();
}
// Length type 'l' (signed 32 bits, host order), body offset 4, limit 1024.
$srv = $servers['l'];
fwrite($good['l'], pack('l', 1020) . str_repeat('a', 1020));
echo "l: exactly the limit: ", json_encode($srv->read($good['l'], 8)), "\n";
bad('l', $srv, $good['l'], pack('l', 3) . 'abc', pack('l', 2000),
    'Worker::receive(): (ERRNO 1201) session#%d: the received packet length 2004 is too large, remote_addr=%s; the connection is closed');
bad('l', $srv, $good['l'], pack('l', 1) . 'z', pack('l', -5),
    'Worker::receive(): (ERRNO 1204) session#%d: received 4 bytes of malformed data, remote_addr=%s; the connection is closed');
// Type 'J' (64 bits big endian), body offset 8, limit '1K': 2^63 is negative, as in Swoole.
$srv = $servers['J'];
bad('J', $srv, $good['J'], pack('J', 1016) . str_repeat('j', 1016), pack('J', PHP_INT_MIN),
    'Worker::receive(): (ERRNO 1204) session#%d: received 8 bytes of malformed data, remote_addr=%s; the connection is closed');
bad('J', $srv, $good['J'], pack('J', 0), pack('J', 1017) . 'abc',
    'Worker::receive(): (ERRNO 1201) session#%d: the received packet length 1025 is too large, remote_addr=%s; the connection is closed');
// Type 'N', body offset 0: the length counts the header too, so 0 is no length at all.
$srv = $servers['N0'];
fwrite($good['N0'], pack('N', 8) . 'abcd');
echo "N0: length 8 with body offset 0: ", json_encode($srv->read($good['N0'], 5)), "\n";
bad('N0', $srv, $good['N0'], pack('N', 5) . 'e', pack('N', 0),
    'Worker::receive(): (ERRNO 1202) session#%d: bad request, no length found in 4 bytes, remote_addr=%s; the connection is closed');
// EOF split, limit 1024: a message of exactly 1024 bytes with its EOF is fine; 1024 bytes
// (or more) without one close the connection.
$srv = $servers['eof'];
fwrite($good['eof'], str_repeat('e', 1022) . "\r\n");
echo "eof: exactly the limit: ", json_encode($srv->read($good['eof'], 8)), "\n";
bad('eof', $srv, $good['eof'], "hi\r\n", str_repeat('x', 1024),
    'Worker::receive(): (ERRNO 1201) session#%d: The received data packet is too large, length=1024, remote_addr=%s; the connection is closed');
// 2000 bytes in one write: the length is what had come when the limit was seen.
$c = $srv->connect();
fwrite($c, str_repeat('y', 2000));
echo "eof: 2000 bytes without EOF closed: ", var_export(closed_by_server($c), true), "\n";
fclose($c);
$srv->waitNotes('close 3 ', 1);
$srv->waitUntil(fn() => warnings($srv), 5.0, 'a warning line');
echo preg_replace('/remote_addr=127\.0\.0\.1:\d+;/', 'remote_addr=127.0.0.1:PORT;', implode("\n", warnings($srv))), "\n";
fwrite($good['eof'], "still\r\n");
echo "  other client: ", json_encode($srv->read($good['eof'], 5)), "\n";
file_put_contents($srv->dir() . '/output', '');

foreach ($good as $c) {
    fclose($c);
}
foreach ($servers as $name => $srv) {
    echo "$name: exit code ", $srv->stop(), "\n";
    echo $srv->output();
}
?>
--EXPECTF--
l: exactly the limit: "ok 1024\n"
l: client saw EOF: true, close 2 reactor=0 worker=0, log ok
  receives of the bad session: 0
  other client: "ok 7\n"
l: client saw EOF: true, close 3 reactor=0 worker=0, log ok
  receives of the bad session: 0
  other client: "ok 5\n"
J: client saw EOF: true, close 2 reactor=0 worker=0, log ok
  receives of the bad session: 0
  other client: "ok 1024\n"
J: client saw EOF: true, close 3 reactor=0 worker=0, log ok
  receives of the bad session: 0
  other client: "ok 8\n"
N0: length 8 with body offset 0: "ok 8\n"
N0: client saw EOF: true, close 2 reactor=0 worker=0, log ok
  receives of the bad session: 0
  other client: "ok 5\n"
eof: exactly the limit: "ok 1024\n"
eof: client saw EOF: true, close 2 reactor=0 worker=0, log ok
  receives of the bad session: 0
  other client: "ok 4\n"
eof: 2000 bytes without EOF closed: true
Worker::receive(): (ERRNO 1201) session#3: The received data packet is too large, length=%d, remote_addr=127.0.0.1:PORT; the connection is closed
  other client: "ok 7\n"
l: exit code 0
J: exit code 0
N0: exit code 0
eof: exit code 0
