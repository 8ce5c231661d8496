--TEST--
Output back-pressure (socket_buffer_size '1M'): to a client that does not read, send() is refused with 1009 and a warning once the queue is over the limit (the crossing send still accepted whole), BufferFull fires once, BufferEmpty once after the client read everything, send() works again; send() to a missing fd is 1005 without a warning
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'socket_buffer_size' => '1M']);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'missing') {
        $r = $s->send(9999, 'x');
        rs_note("missing " . var_export($r, true) . " " . $s->getLastError() . " " . swoole_last_error());
        $s->send($fd, 'done');
        return;
    }
    // 'go' and 'again': fill the queue until send() refuses (at most 100 tries).
    $accepted = 0;
    $r = true;
    for ($i = 0; $i < 100 && ($r = $s->send($fd, str_repeat('x', 256 * 1024))); $i++) {
        $accepted++;
    }
    rs_note("sent $data $accepted " . var_export($r, true) . " " . $s->getLastError() . " " . swoole_last_error());
    // Once the limit is crossed every further send is refused, small ones too.
    $r = $s->send($fd, 'y');
    rs_note("small " . var_export($r, true) . " " . $s->getLastError());
});
$serv->on('BufferFull', fn($s, $fd) => rs_note("full $fd"));
$serv->on('BufferEmpty', fn($s, $fd) => rs_note("empty $fd"));
rs_ready($serv);
$serv->start();
PHP);
$c = $srv->connect();
foreach (['go', 'again'] as $round => $word) {
    fwrite($c, $word);
    [$sent] = $srv->waitNotes("sent $word", 1);
    $srv->waitNotes('full', $round + 1);
    [, , $accepted, $r, $err, $last] = explode(' ', $sent);
    $accepted = (int)$accepted;
    echo "$word: refused with ", "$r $err $last", "; accepted at least 5 (the crossing one too): ", var_export($accepted >= 5, true),
        ", bounded: ", var_export($accepted <= 40, true), "\n";
    $got = $srv->read($c, $accepted * 256 * 1024, 20.0);
    echo "  received all: ", var_export($got === str_repeat('x', $accepted * 256 * 1024), true), "\n";
    $srv->waitNotes('empty', $round + 1);
    // Nothing else came: the refused sends were not queued.
    fwrite($c, 'missing');
    echo "  then: ", json_encode($srv->read($c, 4)), "\n";
}
fclose($c);
echo "exit code: ", $srv->stop(), "\n";
// The order of events: each BufferFull after the Receive that crossed the watermark, each
// BufferEmpty after the client read everything, once each.
echo implode("\n", array_map(fn($l) => preg_replace('/^sent (\w+) \d+/', 'sent $1 N', $l), $srv->notes())), "\n";
$out = $srv->output();
echo substr_count($out, "Warning: Swoole\\Server::send(): socket#1 output buffer overflow in"), " PHP warnings, ",
    preg_match_all('/^\[[^\]]+\]\tWARNING\tServer::send\(\): socket#1 output buffer overflow$/m', $out), " log lines, ",
    substr_count($out, 'Warning: '), " PHP warnings in all\n";
?>
--EXPECT--
go: refused with false 1009 1009; accepted at least 5 (the crossing one too): true, bounded: true
  received all: true
  then: "done"
again: refused with false 1009 1009; accepted at least 5 (the crossing one too): true, bounded: true
  received all: true
  then: "done"
exit code: 0
sent go N false 1009 1009
small false 1009
full 1
empty 1
missing false 1005 1005
sent again N false 1009 1009
small false 1009
full 1
empty 1
missing false 1005 1005
4 PHP warnings, 4 log lines, 4 PHP warnings in all
