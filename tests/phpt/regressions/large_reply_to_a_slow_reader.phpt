--TEST--
Regression (send keeps what the socket did not take): a 16 MB reply to a client that reads nothing until send() has returned arrives whole and in order
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $reply = '';
    for ($i = 0; $i < 16 * 1024; $i++) {
        $reply .= str_pad((string)$i, 1024, '.');
    }
    rs_note("send " . var_export($s->send($fd, $reply), true) . " " . md5($reply));
});
rs_ready($serv);
$serv->start();
PHP);
$c = $srv->connect();
fwrite($c, 'go');
// Nothing is read until send() returned: far more than the kernel buffers was left to the server.
[$note] = $srv->waitNotes('send', 1);
[, $ok, $md5] = explode(' ', $note);
echo "send returned $ok\n";
$got = $srv->read($c, 16 * 1024 * 1024, 30);
echo "received ", strlen($got), " bytes, same bytes: ", var_export(md5($got) === $md5, true), "\n";
fclose($c);
echo "exit code: ", $srv->stop(), "\n";
?>
--EXPECT--
send returned true
received 16777216 bytes, same bytes: true
exit code: 0
