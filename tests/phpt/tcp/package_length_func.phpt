--TEST--
package_length_func: a PHP callable cuts the stream into messages (0 = need more), glued or split; a negative length, a length above package_max_length or an exception thrown in it closes that connection with a log line (Swoole leaves it hanging), and other clients are served on
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
var_dump($serv->set(['worker_num' => 1, 'package_max_length' => 1000, 'package_length_func' => function ($data) {
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
}]));
var_dump(@$serv->set(['package_length_func' => 'no_such_function']), error_get_last()['message']);
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->send($fd, "[$data]"));
$serv->on('Close', fn($s, $fd, $rid) => rs_note("closed $fd"));
rs_ready($serv);
$serv->start();
PHP);
$c = $srv->connect();
fwrite($c, "3:abc5:hello2:");
echo $srv->read($c, 16), "\n";
fwrite($c, "x");
usleep(20000);
fwrite($c, "y");
echo $srv->read($c, 6), "\n";
foreach (['-1' => "123456789", 'too long' => "2000:", 'throws' => "boom:x"] as $what => $bad) {
    $b = $srv->connect();
    fwrite($b, $bad);
    stream_set_timeout($b, 5);
    $r = fread($b, 100);
    echo "$what: closed: ", var_export($r === '' && feof($b), true), "\n";
    fclose($b);
    fwrite($c, "2:ok");
    echo "other client: ", $srv->read($c, 6), "\n";
}
fclose($c);
echo "exit code: ", $srv->stop(), "\n";
$out = $srv->output();
echo "log lines: ", preg_match_all('/Worker::receive\(\): \(ERRNO 120\d\) session#\d+: package_length_func: [^\n]*; the connection is closed/', $out), "\n";
echo "uncaught exception reported: ", preg_match('/Uncaught RuntimeException: bad header/', $out), "\n";
echo "PHP warnings: ", preg_match_all('/^Warning: Swoole\\\\Server::start\(\): \(ERRNO 120\d\) session#\d+: package_length_func: /m', $out), "\n";
echo implode("\n", preg_grep('/^(bool|string)\(/', explode("\n", $out))), "\n";
?>
--EXPECTF--
[3:abc][5:hello]
[2:xy]
-1: closed: true
other client: [2:ok]
too long: closed: true
other client: [2:ok]
throws: closed: true
other client: [2:ok]
exit code: 0
log lines: 3
uncaught exception reported: 1
PHP warnings: 3
bool(true)
bool(false)
string(%d) "Swoole\Server::set(): function 'no_such_function' is not callable"
