--TEST--
EOF and length framing: open_eof_split gives one message per Receive whether glued in one write or split over many (an EOF split over two writes too), open_eof_check a Receive up to the last complete EOF, open_length_check every package_length_type with offsets; a length above package_max_length, a negative or zero length, and no EOF within the limit close that connection with a log line
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
function serve(array $set): TestServer
{
    $code = '$serv = new Swoole\Server("127.0.0.1", 0);' . "\n"
        . '$serv->set(' . var_export($set + ['worker_num' => 1], true) . ');' . "\n"
        . '$serv->on("Receive", fn($s, $fd, $rid, $data) => $s->send($fd, "<" . bin2hex($data) . ">"));' . "\n"
        . '$serv->on("Close", fn($s, $fd, $rid) => rs_note("closed $fd"));' . "\n"
        . 'rs_ready($serv);' . "\n" . '$serv->start();';
    return TestServer::start($code);
}
/** Reads answers until `$n` messages came, shows them decoded. */
function answers(TestServer $srv, $c, int $n): string
{
    $got = '';
    $srv->waitUntil(function () use ($srv, $c, $n, &$got) {
        $got .= $srv->read($c, 1, 0.1);
        return substr_count($got, '>') >= $n;
    }, 10, "$n answers");
    preg_match_all('/<([0-9a-f]*)>/', $got, $m);
    return implode(' | ', array_map(fn($h) => addcslashes(hex2bin($h), "\0..\37"), $m[1]));
}
function drip($c, string $data): void
{
    foreach (str_split($data) as $byte) {
        fwrite($c, $byte);
        usleep(1000);
    }
}

$srv = serve(['open_eof_split' => true, 'package_eof' => "\r\n"]);
$c = $srv->connect();
fwrite($c, "one\r\ntwo\r\nthree\r\n");
echo "split, glued: ", answers($srv, $c, 3), "\n";
drip($c, "four\r\n");
echo "split, a byte at a time: ", answers($srv, $c, 1), "\n";
fwrite($c, "five\r");
usleep(20000);
fwrite($c, "\nsix\r\n");
echo "split, EOF over two writes: ", answers($srv, $c, 2), "\n";
$srv->stop();

$srv = serve(['open_eof_split' => true, 'package_eof' => '#END#', 'package_max_length' => 100]);
$c = $srv->connect();
fwrite($c, "a#END#b#EN");
usleep(20000);
fwrite($c, "D#");
echo "multi-byte EOF: ", answers($srv, $c, 2), "\n";
$d = $srv->connect();
fwrite($d, str_repeat('z', 150));
stream_set_timeout($d, 5);
echo "no EOF within 100 bytes: closed: ", var_export(fread($d, 10) === '' && feof($d), true), "\n";
fwrite($c, "still#END#");
echo "the other client: ", answers($srv, $c, 1), "\n";
$srv->stop();
echo "log: ", preg_match('/\(ERRNO 1201\) session#2: The received data packet is too large, length=\d+, remote_addr=127\.0\.0\.1:\d+; the connection is closed/', $srv->output()), "\n";

$srv = serve(['open_eof_check' => true, 'package_eof' => "\n"]);
$c = $srv->connect();
fwrite($c, "a\nb\nc");
echo "check: ", answers($srv, $c, 1), "\n";
fwrite($c, "d\n");
echo "check, the rest: ", answers($srv, $c, 1), "\n";
$srv->stop();

// Every length type, with 2 bytes of header before the length field.
$types = ['c', 'C', 's', 'S', 'n', 'v', 'l', 'L', 'N', 'V', 'q', 'Q', 'J', 'P'];
$sizes = ['c' => 1, 'C' => 1, 's' => 2, 'S' => 2, 'n' => 2, 'v' => 2, 'l' => 4, 'L' => 4, 'N' => 4, 'V' => 4, 'q' => 8, 'Q' => 8, 'J' => 8, 'P' => 8];
$ok = [];
foreach (array_chunk($types, 7) as $chunk) {
    foreach ($chunk as $t) {
        $srv = serve(['open_length_check' => true, 'package_length_type' => $t, 'package_length_offset' => 2, 'package_body_offset' => 2 + $sizes[$t]]);
        $c = $srv->connect();
        $msg = fn(string $body) => 'hd' . pack($t, strlen($body)) . $body;
        $all = $msg('xyz') . $msg('') . $msg('hello');
        fwrite($c, substr($all, 0, -3));
        usleep(20000);
        fwrite($c, substr($all, -3));
        $want = implode(' | ', array_map(fn($m) => addcslashes($m, "\0..\37"), [$msg('xyz'), $msg(''), $msg('hello')]));
        $ok[$t] = answers($srv, $c, 3) === $want;
        $srv->stop();
    }
}
echo "every length type, glued and split: ", json_encode($ok), "\n";

$srv = serve(['open_length_check' => true, 'package_max_length' => 1024]);
$c = $srv->connect();
fwrite($c, pack('N', 3) . 'abc');
echo "defaults (N, offset 0, body 4): ", answers($srv, $c, 1), "\n";
$bad = [pack('N', 2000) => 1201, pack('N', 0xFFFFFFFF) => 1201];
foreach ($bad as $header => $errno) {
    $b = $srv->connect();
    fwrite($b, $header);
    stream_set_timeout($b, 5);
    echo "header ", bin2hex($header), ": closed: ", var_export(fread($b, 10) === '' && feof($b), true), "\n";
}
fwrite($c, pack('N', 2) . 'ok');
echo "the other client: ", answers($srv, $c, 1), "\n";
$srv->stop();
echo "log: ", preg_match_all('/WARNING\tWorker::receive\(\): \(ERRNO 1201\) session#\d+: the received packet length \d+ is too large, remote_addr=127\.0\.0\.1:\d+/', $srv->output()), "\n";
echo "PHP warnings: ", preg_match_all('/^Warning: Swoole\\\\Server::start\(\): \(ERRNO 1201\) session#\d+: the received packet length/m', $srv->output()), "\n";
foreach ([['l', -5, 1204, 'received \d+ bytes of malformed data'], ['N', 0, 1202, 'bad request, no length found in \d+ bytes']] as [$t, $len, $errno, $text]) {
    $srv = serve(['open_length_check' => true, 'package_length_type' => $t, 'package_body_offset' => 0]);
    $b = $srv->connect();
    fwrite($b, pack($t, $len) . 'x');
    stream_set_timeout($b, 5);
    echo "length $len ($t): closed: ", var_export(fread($b, 10) === '' && feof($b), true);
    $srv->stop();
    echo ", log: ", preg_match("/\\(ERRNO $errno\\) session#1: $text/", $srv->output()), "\n";
}
?>
--EXPECT--
split, glued: one\r\n | two\r\n | three\r\n
split, a byte at a time: four\r\n
split, EOF over two writes: five\r\n | six\r\n
multi-byte EOF: a#END# | b#END#
no EOF within 100 bytes: closed: true
the other client: still#END#
log: 1
check: a\nb\n
check, the rest: cd\n
every length type, glued and split: {"c":true,"C":true,"s":true,"S":true,"n":true,"v":true,"l":true,"L":true,"N":true,"V":true,"q":true,"Q":true,"J":true,"P":true}
defaults (N, offset 0, body 4): \000\000\000\003abc
header 000007d0: closed: true
header ffffffff: closed: true
the other client: \000\000\000\002ok
log: 2
PHP warnings: 2
length -5 (l): closed: true, log: 1
length 0 (N): closed: true, log: 1
