--TEST--
PROCESS mode package_length_func: with two workers and four clients writing interleaved, the PHP length function (run in the workers) cuts each connection's stream into whole messages (0 = need more), glued or split, every message of a connection in its one worker (fd % 2); a negative length, one above package_max_length or an exception closes that connection with a log line while the others are served on
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2, 'package_max_length' => 1000, 'package_length_func' => function ($data) {
    global $serv;
    rs_note("func worker=" . $serv->worker_id);
    // "<decimal length>:" then the body: the message is the whole thing.
    $colon = strpos($data, ':');
    if ($colon === false) {
        return strlen($data) > 8 ? -1 : 0;
    }
    $head = substr($data, 0, $colon);
    if ($head === 'boom') {
        throw new RuntimeException('bad header');
    }
    return $colon + 1 + (int)$head;
}]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    rs_note("receive $fd worker={$s->worker_id} $data");
    $s->send($fd, "[$data]");
});
$serv->on('Close', fn($s, $fd, $rid) => rs_note("closed $fd"));
rs_ready($serv);
$serv->start();
PHP);
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
$m = fn(string $body) => strlen($body) . ':' . $body;
// Four clients (fds 1 to 4, workers 1, 0, 1, 0), each with its own messages.
$msgs = [];
$clients = [];
for ($i = 1; $i <= 4; $i++) {
    $clients[$i] = connect_nodelay($srv);
    $msgs[$i] = [$m("c$i-one"), $m(''), $m(str_repeat(chr(96 + $i), 500)), $m("c$i:with:colons"), $m("c$i-last")];
}
// The clients take turns: each writes its stream in pieces of 1, 3, 7, ... bytes, so
// messages are split anywhere (inside the header too) and glued.
$streams = array_map(fn($list) => implode('', $list), $msgs);
$sizes = [1, 3, 7, 2, 64, 5, 300, 11];
$turn = 0;
while (array_filter($streams, fn($s) => $s !== '')) {
    foreach ($streams as $i => &$s) {
        if ($s === '') {
            continue;
        }
        $n = $sizes[$turn++ % count($sizes)];
        fwrite($clients[$i], substr($s, 0, $n));
        $s = (string)substr($s, $n);
        usleep(500);
    }
    unset($s);
}
foreach ($clients as $i => $c) {
    $expect = implode('', array_map(fn($x) => "[$x]", $msgs[$i]));
    $got = $srv->read($c, strlen($expect));
    echo "client $i: ", $got === $expect ? 'every message whole, in order' : 'WRONG: ' . json_encode($got), "\n";
}
// Each connection's messages were cut and received in its one worker.
$workers = [];
foreach ($srv->notes() as $l) {
    if (preg_match('/^receive (\d) worker=(\d) /', $l, $x)) {
        $workers[$x[1]][$x[2]] = true;
    }
}
ksort($workers);
echo "workers of each fd: ", json_encode(array_map(fn($w) => array_keys($w), $workers)), "\n";
$funcs = array_unique(preg_replace('/^func /', '', preg_grep('/^func /', $srv->notes())));
sort($funcs);
echo "the length function ran in: ", implode(', ', $funcs), "\n";
$c = $clients[1];
foreach (['-1' => "123456789", 'too long' => "2000:", 'throws' => "boom:x"] as $what => $bad) {
    $b = $srv->connect();
    fwrite($b, $bad);
    stream_set_timeout($b, 5);
    $r = fread($b, 100);
    echo "$what: closed: ", var_export($r === '' && feof($b), true), "\n";
    fclose($b);
    foreach ([1, 2] as $i) {
        fwrite($clients[$i], "2:ok");
        echo "  client $i: ", $srv->read($clients[$i], 6), "\n";
    }
}
foreach ($clients as $c) {
    fclose($c);
}
$srv->waitNotes('closed', 7);
echo "exit code: ", $srv->stop(), "\n";
$out = $srv->output();
echo "log lines: ", preg_match_all('/\tWARNING\tWorker::receive\(\): \(ERRNO 120\d\) session#[567]: package_length_func: [^\n]*; the connection is closed/', $out), "\n";
echo "uncaught exception reported: ", preg_match('/Uncaught RuntimeException: bad header/', $out), "\n";
?>
--EXPECT--
client 1: every message whole, in order
client 2: every message whole, in order
client 3: every message whole, in order
client 4: every message whole, in order
workers of each fd: {"1":[1],"2":[0],"3":[1],"4":[0]}
the length function ran in: worker=0, worker=1
-1: closed: true
  client 1: [2:ok]
  client 2: [2:ok]
too long: closed: true
  client 1: [2:ok]
  client 2: [2:ok]
throws: closed: true
  client 1: [2:ok]
  client 2: [2:ok]
exit code: 0
log lines: 3
uncaught exception reported: 1
