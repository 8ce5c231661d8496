--TEST--
PROCESS mode framing: with open_eof_split and with open_length_check ('N', length at offset 0, body at 4) the reactor threads hand the worker one whole message per Receive, whether messages come glued in one write, a byte at a time, or split inside the EOF or the length header
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$code = <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2] + json_decode(getenv('RS_SET'), true));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    rs_note("receive $fd " . bin2hex($data));
    $s->send($fd, bin2hex($data) . "\n");
});
$serv->on('Close', fn($s, $fd, $rid) => rs_note("close $fd"));
rs_ready($serv);
$serv->start();
PHP;
putenv('RS_SET=' . json_encode(['open_eof_split' => true, 'package_eof' => "\r\n"]));
$eof = TestServer::start($code);
putenv('RS_SET=' . json_encode(['open_eof_split' => true, 'package_eof' => '#END#']));
$end = TestServer::start($code);
putenv('RS_SET=' . json_encode(['open_length_check' => true, 'package_length_type' => 'N',
    'package_length_offset' => 0, 'package_body_offset' => 4]));
$len = TestServer::start($code);

/** A client without Nagle's delay: each small write leaves at once, as a segment of its own. */
function connect_nodelay(TestServer $srv)
{
    $ctx = stream_context_create(['socket' => ['tcp_nodelay' => true]]);
    $c = stream_socket_client("tcp://127.0.0.1:$srv->port", $errno, $errstr, 5, STREAM_CLIENT_CONNECT, $ctx);
    if (!$c) {
        throw new RuntimeException("connect failed: $errstr");
    }
    return $c;
}

/**
 * Writes every piece as its own segment, then reads the replies: each message must come back
 * as one Receive, in order, and the Receives the worker saw on this fd must be exactly those.
 */
function exchange(string $name, TestServer $srv, $c, int $fd, array $pieces, array $msgs): void
{
    $before = count(array_filter($srv->notes(), fn($l) => str_starts_with($l, "receive $fd ")));
    foreach ($pieces as $i => $p) {
        if ($i > 0) {
            usleep(1000);
        }
        fwrite($c, $p);
    }
    $expect = implode('', array_map(fn($m) => bin2hex($m) . "\n", $msgs));
    $got = $srv->read($c, strlen($expect), 5.0);
    $notes = array_slice(array_values(array_filter($srv->notes(), fn($l) => str_starts_with($l, "receive $fd "))), $before);
    $want = array_map(fn($m) => "receive $fd " . bin2hex($m), $msgs);
    echo "$name: ", $got === $expect && $notes === $want ? 'ok' : "WRONG\n  got " . json_encode($got) . "\n  notes " . json_encode($notes), "\n";
}

// Two clients per server: fd 1 and fd 2 go to different workers (dispatch_mode 2).
echo "-- EOF \\r\\n\n";
$a = connect_nodelay($eof);
$b = connect_nodelay($eof);
exchange('glued', $eof, $a, 1, ["one\r\ntwo\r\nthree\r\n"], ["one\r\n", "two\r\n", "three\r\n"]);
exchange('a byte at a time', $eof, $b, 2, str_split("hello\r\n"), ["hello\r\n"]);
exchange('EOF split over two writes', $eof, $a, 1, ["five\r", "\nsix\r\n"], ["five\r\n", "six\r\n"]);
exchange('empty message, tail waits', $eof, $b, 2, ["\r\nq\rw\nx\r\nta", "il\r\n"], ["\r\n", "q\rw\nx\r\n", "tail\r\n"]);
$big = str_repeat('B', 100000) . "\r\n";
exchange('100 KB message and a small one glued', $eof, $a, 1, [$big . "s\r\n"], [$big, "s\r\n"]);
fclose($a);
fclose($b);

echo "-- EOF #END#\n";
$a = connect_nodelay($end);
exchange('glued', $end, $a, 1, ["one#END#two#END##END#"], ["one#END#", "two#END#", "#END#"]);
exchange('split inside the EOF', $end, $a, 1, ["sp#EN", "D#n", "ext#", "E", "ND#"], ["sp#END#", "next#END#"]);
exchange('EOF prefixes in the body', $end, $a, 1, ["#E#EN#END#EN", "#END#"], ["#E#EN#END#", "EN#END#"]);
fclose($a);

echo "-- length N/0/4\n";
$a = connect_nodelay($len);
$b = connect_nodelay($len);
$m = fn(string $body) => pack('N', strlen($body)) . $body;
$msgs = [$m('xyz'), $m(''), $m(str_repeat('b', 100))];
exchange('glued', $len, $a, 1, [implode('', $msgs)], $msgs);
$all = implode('', $msgs);
exchange('cut inside a header', $len, $b, 2, [substr($all, 0, strlen($msgs[0]) + 2), substr($all, strlen($msgs[0]) + 2, 3), substr($all, strlen($msgs[0]) + 5)], $msgs);
exchange('two bytes at a time', $len, $a, 1, str_split($m('hello') . $m('world!'), 2), [$m('hello'), $m('world!')]);
$huge = $m(str_repeat('z', 70000));
exchange('70 KB body split after its header', $len, $b, 2, [substr($huge, 0, 4), substr($huge, 4, 30000), substr($huge, 30004) . $m("\r\n\0")], [$huge, $m("\r\n\0")]);
fclose($a);
fclose($b);

foreach (['eof' => [$eof, 2], 'end' => [$end, 1], 'len' => [$len, 2]] as $name => [$srv, $n]) {
    // Every client has left and its Close has run: then the server is stopped.
    $srv->waitNotes('close', $n);
    echo "$name: exit code ", $srv->stop(), "\n";
    echo $srv->output();
}
?>
--EXPECT--
-- EOF \r\n
glued: ok
a byte at a time: ok
EOF split over two writes: ok
empty message, tail waits: ok
100 KB message and a small one glued: ok
-- EOF #END#
glued: ok
split inside the EOF: ok
EOF prefixes in the body: ok
-- length N/0/4
glued: ok
cut inside a header: ok
two bytes at a time: ok
70 KB body split after its header: ok
eof: exit code 0
end: exit code 0
len: exit code 0
