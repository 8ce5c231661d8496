--TEST--
open_eof_check without split: a Receive holds everything up to the last complete EOF that has arrived (several messages at once, always ending with the EOF); an incomplete tail waits for more
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'open_eof_check' => true, 'package_eof' => "\n"]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    rs_note('receive ' . json_encode($data));
    $s->send($fd, "[$data]");
});
rs_ready($serv);
$serv->start();
PHP);
$c = $srv->connect();

/** Writes `$data`, then waits until the server has run its `$n`-th Receive. */
function step(TestServer $srv, $c, string $data, int $n): void
{
    fwrite($c, $data);
    $srv->waitNotes('receive', $n);
}

step($srv, $c, "a\nb\nc", 1);
step($srv, $c, "d\n", 2);
// A message written a byte at a time is one Receive once its EOF came.
foreach (str_split("slow") as $ch) {
    fwrite($c, $ch);
    usleep(1000);
}
step($srv, $c, "\n", 3);
// Two complete messages and a tail, then the tail's end plus one more whole message.
step($srv, $c, "e\nf\ng", 4);
step($srv, $c, "h\ni\n", 5);
$replies = "[a\nb\n][cd\n][slow\n][e\nf\n][gh\ni\n]";
$got = $srv->read($c, strlen($replies));
var_dump($got === $replies);
fclose($c);
echo "exit code: ", $srv->stop(), "\n";
echo implode("\n", $srv->notes()), "\n";
echo $srv->output();
?>
--EXPECT--
bool(true)
exit code: 0
receive "a\nb\n"
receive "cd\n"
receive "slow\n"
receive "e\nf\n"
receive "gh\ni\n"
