--TEST--
PROCESS mode package limits: a length header above package_max_length, a negative length, a total of 0, or an EOF message reaching the limit without its EOF closes that connection in the reactor (client sees EOF, Close runs in the fd's worker with the reactor's id, a WARNING log line from the master with Swoole's errno, session and remote_addr and the same PHP warning in the fd's worker as in BASE mode, nothing delivered); other clients go on being served
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$code = <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2] + json_decode(getenv('RS_SET'), true));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    // With the reactor thread that owns the connection (the $reactor_id its Close must have).
    rs_note("receive $fd " . strlen($data) . " owner=" . $s->getClientInfo($fd)['reactor_id']);
    $s->send($fd, "ok " . strlen($data) . "\n");
});
$serv->on('Close', fn($s, $fd, $rid) => rs_note("close $fd reactor=$rid worker=" . $s->worker_id));
rs_ready($serv);
$serv->start();
PHP;
$servers = [];
putenv('RS_SET=' . json_encode(['open_length_check' => true, 'package_length_type' => 'l', 'package_max_length' => 1024]));
$servers['l'] = TestServer::start($code);
putenv('RS_SET=' . json_encode(['open_length_check' => true, 'package_length_type' => 'N', 'package_max_length' => 1024]));
$servers['N'] = TestServer::start($code);
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

/** The server's log lines that are warnings, with the time taken off (the role and pid kept). */
function warnings(TestServer $srv): array
{
    preg_match_all('/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (#\d+)\.\d+\]\tWARNING\t(.*)$/m', $srv->output(), $m, PREG_SET_ORDER);
    return array_map(fn($x) => str_replace('#' . $srv->pid, '#MASTER', $x[1]) . ' ' . $x[2], $m);
}

/**
 * `$good` are clients that stay connected (one per worker) and are served after each bad one;
 * `$bad` is sent by a new client, which the server must close with `$line` (the log line,
 * %d = its session, %s = its address).
 */
function bad(string $name, TestServer $srv, array $good, string $goodmsg, string $bad, string $line): void
{
    static $sessions = [];
    $sessions[$name] = ($sessions[$name] ?? 2) + 1;
    $session = $sessions[$name];
    $c = $srv->connect();
    $addr = stream_socket_get_name($c, false);
    // First a good message: its Receive tells which reactor thread owns the connection.
    fwrite($c, $goodmsg);
    $hello = $srv->read($c, strlen("ok " . strlen($goodmsg) . "\n"));
    [$receive] = $srv->waitNotes("receive $session ", 1);
    fwrite($c, $bad);
    $closed = closed_by_server($c);
    fclose($c);
    $close = $srv->waitNotes("close $session ", 1)[0];
    // Whichever reactor thread accepted the connection owns it and reports its Close.
    $rid = explode('=', $receive)[1];
    $close = in_array($rid, ['0', '1'], true) ? str_replace(" reactor=$rid ", ' reactor=OWNER ', $close) : "$close ($receive)";
    $srv->waitUntil(fn() => warnings($srv), 5.0, 'a warning line');
    $w = warnings($srv);
    $want = '#MASTER ' . sprintf($line, $session, $addr);
    echo "$name: first answer ", json_encode($hello), ", client saw EOF: ", var_export($closed, true), ", $close, log ", $w === [$want] ? 'ok' : 'WRONG: ' . json_encode($w) . ' want ' . json_encode($want), "\n";
    echo "  receives of the bad session (the good message only): ", count(array_filter($srv->notes(), fn($l) => str_starts_with($l, "receive $session "))), "\n";
    $answers = [];
    foreach ($good as $g) {
        fwrite($g, $goodmsg);
        $answers[] = $srv->read($g, strlen("ok " . strlen($goodmsg) . "\n"));
    }
    echo "  other clients: ", json_encode($answers), "\n";
    // The log line, and the same PHP warning in the fd's worker as in BASE mode; nothing else.
    $warning = 'Warning: Swoole\\Server::start(): ' . substr(sprintf($line, $session, $addr), strlen('Worker::receive(): ')) . ' in ';
    $other = array_filter(explode("\n", $srv->output()), fn($l) => $l !== '' && !preg_match('/^\[[^\]]+\]\tWARNING\t/', $l));
    $warned = array_filter($other, fn($l) => str_starts_with($l, $warning));
    if (count($warned) !== 1) {
        echo "  PHP warning WRONG: want one '$warning...'\n";
    }
    $other = array_diff($other, $warned);
    if ($other) {
        echo "  other output: ", json_encode(array_values($other)), "\n";
    }
    // The log lines of each case are looked at alone.
    file_put_contents($srv->dir() . '/output', '');
}

$good = [];
foreach ($servers as $name => $srv) {
    // fd 1 and fd 2: one for each worker.
    $good[$name] = [$srv->connect(), $srv->connect()];
}
$srv = $servers['l'];
fwrite($good['l'][0], pack('l', 1020) . str_repeat('a', 1020));
echo "l: exactly the limit: ", json_encode($srv->read($good['l'][0], 8)), "\n";
bad('l', $srv, $good['l'], pack('l', 3) . 'abc', pack('l', 2000),
    'Worker::receive(): (ERRNO 1201) session#%d: the received packet length 2004 is too large, remote_addr=%s; the connection is closed');
bad('l', $srv, $good['l'], pack('l', 1) . 'z', pack('l', -5),
    'Worker::receive(): (ERRNO 1204) session#%d: received 4 bytes of malformed data, remote_addr=%s; the connection is closed');
// A header above the limit that comes with a body, in one write.
bad('l', $srv, $good['l'], pack('l', 0), pack('l', 1021) . str_repeat('b', 1021),
    'Worker::receive(): (ERRNO 1201) session#%d: the received packet length 1025 is too large, remote_addr=%s; the connection is closed');
$srv = $servers['N'];
bad('N', $srv, $good['N'], pack('N', 2) . 'hi', pack('N', 0xFFFFFFFF),
    'Worker::receive(): (ERRNO 1201) session#%d: the received packet length 4294967299 is too large, remote_addr=%s; the connection is closed');
$srv = $servers['N0'];
fwrite($good['N0'][1], pack('N', 8) . 'abcd');
echo "N0: length 8 with body offset 0: ", json_encode($srv->read($good['N0'][1], 5)), "\n";
bad('N0', $srv, $good['N0'], pack('N', 5) . 'e', pack('N', 0),
    'Worker::receive(): (ERRNO 1202) session#%d: bad request, no length found in 4 bytes, remote_addr=%s; the connection is closed');
$srv = $servers['eof'];
fwrite($good['eof'][0], str_repeat('e', 1022) . "\r\n");
echo "eof: exactly the limit: ", json_encode($srv->read($good['eof'][0], 8)), "\n";
bad('eof', $srv, $good['eof'], "hi\r\n", str_repeat('x', 1024),
    'Worker::receive(): (ERRNO 1201) session#%d: The received data packet is too large, length=1024, remote_addr=%s; the connection is closed');

// The good clients leave: each Close runs (in the fd's worker) before the server is stopped.
foreach ($good as $name => $cs) {
    foreach ($cs as $c) {
        fclose($c);
    }
    $closes = array_merge($servers[$name]->waitNotes('close 1 '), $servers[$name]->waitNotes('close 2 '));
    echo "$name: ", implode(', ', array_map(fn($l) => preg_replace('/ reactor=[01] /', ' reactor=R ', $l), $closes)), "\n";
}
foreach ($servers as $name => $srv) {
    echo "$name: exit code ", $srv->stop(), "\n";
    echo $srv->output();
}
?>
--EXPECT--
l: exactly the limit: "ok 1024\n"
l: first answer "ok 7\n", client saw EOF: true, close 3 reactor=OWNER worker=1, log ok
  receives of the bad session (the good message only): 1
  other clients: ["ok 7\n","ok 7\n"]
l: first answer "ok 5\n", client saw EOF: true, close 4 reactor=OWNER worker=0, log ok
  receives of the bad session (the good message only): 1
  other clients: ["ok 5\n","ok 5\n"]
l: first answer "ok 4\n", client saw EOF: true, close 5 reactor=OWNER worker=1, log ok
  receives of the bad session (the good message only): 1
  other clients: ["ok 4\n","ok 4\n"]
N: first answer "ok 6\n", client saw EOF: true, close 3 reactor=OWNER worker=1, log ok
  receives of the bad session (the good message only): 1
  other clients: ["ok 6\n","ok 6\n"]
N0: length 8 with body offset 0: "ok 8\n"
N0: first answer "ok 5\n", client saw EOF: true, close 3 reactor=OWNER worker=1, log ok
  receives of the bad session (the good message only): 1
  other clients: ["ok 5\n","ok 5\n"]
eof: exactly the limit: "ok 1024\n"
eof: first answer "ok 4\n", client saw EOF: true, close 3 reactor=OWNER worker=1, log ok
  receives of the bad session (the good message only): 1
  other clients: ["ok 4\n","ok 4\n"]
l: close 1 reactor=R worker=1, close 2 reactor=R worker=0
N: close 1 reactor=R worker=1, close 2 reactor=R worker=0
N0: close 1 reactor=R worker=1, close 2 reactor=R worker=0
eof: close 1 reactor=R worker=1, close 2 reactor=R worker=0
l: exit code 0
N: exit code 0
N0: exit code 0
eof: exit code 0
