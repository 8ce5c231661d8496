--TEST--
open_eof_split: every Receive is exactly one message with its EOF, whether messages come glued in one write, a byte at a time, or with the EOF itself split across writes ("\r\n" and a 5-byte EOF)
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$code = <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'open_eof_split' => true, 'package_eof' => getenv('RS_EOF')]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    rs_note('receive ' . json_encode($data));
    $s->send($fd, "[$data]");
});
rs_ready($serv);
$serv->start();
PHP;
putenv('RS_EOF=' . "\r\n");
$crlf = TestServer::start($code);
putenv('RS_EOF=#END#');
$end = TestServer::start($code);

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

/** Writes every piece as its own TCP segment, then reads the exact reply (and nothing more). */
function exchange(TestServer $srv, $c, array $pieces, string $expect): void
{
    foreach ($pieces as $i => $p) {
        if ($i > 0) {
            usleep(1000);
        }
        fwrite($c, $p);
    }
    $got = $srv->read($c, strlen($expect), 5.0);
    echo json_encode($got), $got === $expect ? " ok\n" : " WRONG, expected " . json_encode($expect) . "\n";
}

echo "-- \\r\\n\n";
$c = connect_nodelay($crlf);
exchange($crlf, $c, ["a\r\nbb\r\nccc\r\n"], "[a\r\n][bb\r\n][ccc\r\n]");
exchange($crlf, $c, str_split("hello\r\n"), "[hello\r\n]");
exchange($crlf, $c, ["xy\r", "\nz\r\n"], "[xy\r\n][z\r\n]");
// An empty message, a lone "\r" and "\n" in the body, and a tail that waits for its EOF.
exchange($crlf, $c, ["\r\nq\rw\nx\r\nta", "il\r\n"], "[\r\n][q\rw\nx\r\n][tail\r\n]");
fclose($c);

echo "-- #END#\n";
$c = connect_nodelay($end);
exchange($end, $c, ["one#END#two#END##END#"], "[one#END#][two#END#][#END#]");
exchange($end, $c, str_split("slow#END#"), "[slow#END#]");
exchange($end, $c, ["sp#EN", "D#n", "ext#", "E", "ND#"], "[sp#END#][next#END#]");
// Prefixes of the EOF inside a message are body, not an end.
exchange($end, $c, ["#E#EN#END#EN", "#END#"], "[#E#EN#END#][EN#END#]");
fclose($c);

echo "exit codes: ", $crlf->stop(), " ", $end->stop(), "\n";
echo count($crlf->notes()), " and ", count($end->notes()), " Receives\n";
echo $crlf->output(), $end->output();
?>
--EXPECT--
-- \r\n
"[a\r\n][bb\r\n][ccc\r\n]" ok
"[hello\r\n]" ok
"[xy\r\n][z\r\n]" ok
"[\r\n][q\rw\nx\r\n][tail\r\n]" ok
-- #END#
"[one#END#][two#END#][#END#]" ok
"[slow#END#]" ok
"[sp#END#][next#END#]" ok
"[#E#EN#END#][EN#END#]" ok
exit codes: 0 0
9 and 8 Receives
