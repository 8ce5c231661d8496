--TEST--
open_length_check: for every package_length_type letter (length at offset 2 after two bytes of other header), and with the defaults (pack('N', len) . body), each Receive is exactly one message, header included, whether messages come glued or split
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$code = <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1] + json_decode(getenv('RS_SET'), true));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    rs_note('receive ' . bin2hex($data));
    $s->send($fd, bin2hex($data) . "\n");
});
rs_ready($serv);
$serv->start();
PHP;
$letters = str_split('cCsSnvlLNVqQJP');
$size = ['c' => 1, 'C' => 1, 's' => 2, 'S' => 2, 'n' => 2, 'v' => 2, 'l' => 4, 'L' => 4, 'N' => 4, 'V' => 4, 'q' => 8, 'Q' => 8, 'J' => 8, 'P' => 8];
// Every server at once (each is a process tree of its own), then every client.
$servers = [];
foreach ($letters as $i => $l) {
    // package_body_start is Swoole's other name for package_body_offset: half use each.
    $body_key = $i % 2 ? 'package_body_start' : 'package_body_offset';
    putenv('RS_SET=' . json_encode(['open_length_check' => true, 'package_length_type' => $l,
        'package_length_offset' => 2, $body_key => 2 + $size[$l]]));
    $servers[$l] = TestServer::start($code);
}
putenv('RS_SET=' . json_encode(['open_length_check' => true]));
$servers['defaults'] = TestServer::start($code);
// Four more header bytes between the length and the body: the length counts the body only.
putenv('RS_SET=' . json_encode(['open_length_check' => true, 'package_length_type' => 'n', 'package_body_offset' => 6]));
$servers['gap'] = TestServer::start($code);

/** Sends the first pieces glued, waits for `$before` Receives, then the rest in small writes. */
function check(string $name, TestServer $srv, array $msgs, int $cut, int $before): void
{
    $all = implode('', $msgs);
    $c = $srv->connect();
    fwrite($c, substr($all, 0, $cut));
    $srv->waitNotes('receive', $before);
    foreach (str_split(substr($all, $cut), 2) as $i => $piece) {
        if ($i > 0 && $i < 4) {
            usleep(1000);
        }
        fwrite($c, $piece);
    }
    $expect = implode('', array_map(fn($m) => bin2hex($m) . "\n", $msgs));
    $got = $srv->read($c, strlen($expect));
    fclose($c);
    $notes = $srv->notes();
    $want = array_map(fn($m) => 'receive ' . bin2hex($m), $msgs);
    $ok = $got === $expect && $notes === $want;
    echo "$name: ", $ok ? 'ok' : "WRONG\n  got " . json_encode($got) . "\n  notes " . json_encode($notes), "\n";
}

foreach ($letters as $l) {
    $m = fn(string $body) => "hd" . pack($l, strlen($body)) . $body;
    $msgs = [$m('xyz'), $m(''), $m(str_repeat('b', 100))];
    // The cut falls inside the third message's header (inside its length field from 's' on).
    check($l, $servers[$l], $msgs, strlen($msgs[0]) + strlen($msgs[1]) + 3, 2);
}
$msgs = [pack('N', 5) . 'hello', pack('N', 0), pack('N', 70000) . str_repeat('z', 70000), pack('N', 3) . "\r\n\0"];
// The 70,000-byte body is more than one read; the last message is split after its header.
check('defaults', $servers['defaults'], $msgs, strlen($msgs[0] . $msgs[1] . $msgs[2]) + 4, 3);
$msgs = ["\x00\x03ABCDxyz", "\x00\x00EFGH", "\x00\x01IJKL!"];
check('gap', $servers['gap'], $msgs, strlen($msgs[0] . $msgs[1]) + 5, 2);

foreach ($servers as $name => $srv) {
    $code = $srv->stop();
    $out = $srv->output();
    if ($code !== 0 || $out !== '') {
        echo "$name: exit code $code, output:\n$out\n";
    }
}
echo "stopped\n";
?>
--EXPECT--
c: ok
C: ok
s: ok
S: ok
n: ok
v: ok
l: ok
L: ok
N: ok
V: ok
q: ok
Q: ok
J: ok
P: ok
defaults: ok
gap: ok
stopped
