--TEST--
Bad framing settings: Swoole's warning texts, set() returns false, and the setting in effect keeps its previous value (a server started afterwards still frames with the good one)
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$s = new Swoole\Server('127.0.0.1', 0);
var_dump($s->set(['package_eof' => '']));
var_dump($s->set(['package_eof' => '123456789']));
var_dump($s->set(['package_eof' => '12345678']));
var_dump($s->set(['package_length_type' => 'x']));
var_dump($s->set(['package_length_type' => '']));
var_dump($s->set(['package_length_offset' => 9000]));
var_dump($s->set(['package_length_offset' => 8153]));
var_dump($s->set(['package_length_offset' => 8152]));
var_dump($s->set(['package_body_offset' => 9000]));
var_dump($s->set(['package_body_start' => 9000]));
var_dump($s->set(['package_body_offset' => 8152]));

echo "-- the previous values stay in effect\n";
$code = <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
ob_start();
$ok = [];
foreach (json_decode(getenv('RS_SETS'), true) as $set) {
    $ok[] = var_export($serv->set($set), true);
}
$warnings = ob_get_clean();
rs_note('set ' . implode(',', $ok));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    rs_note('receive ' . json_encode($data));
    $s->send($fd, "[$data]");
});
rs_ready($serv);
echo $warnings;
$serv->start();
PHP;
putenv('RS_SETS=' . json_encode([
    ['worker_num' => 1, 'open_eof_split' => true, 'package_eof' => '#'],
    ['package_eof' => ''],
    ['package_eof' => '123456789'],
]));
$eof = TestServer::start($code);
putenv('RS_SETS=' . json_encode([
    ['worker_num' => 1, 'open_length_check' => true, 'package_length_type' => 'n', 'package_length_offset' => 1, 'package_body_offset' => 3],
    ['package_length_type' => 'x'],
    ['package_length_offset' => 9000],
    ['package_body_offset' => 9000],
]));
$len = TestServer::start($code);

$c = $eof->connect();
fwrite($c, "a#bc#");
echo json_encode($eof->read($c, 8)), "\n";
fclose($c);
$c = $len->connect();
// Header: one byte, then the length big endian ('n'), then the body at offset 3.
$msgs = "H" . pack('n', 2) . "xy" . "I" . pack('n', 0);
fwrite($c, $msgs);
echo json_encode($len->read($c, strlen("[$msgs]") + 2)), "\n";
fclose($c);
foreach (['eof' => $eof, 'len' => $len] as $name => $srv) {
    echo "$name: exit code ", $srv->stop(), "\n";
    echo implode("\n", $srv->notes()), "\n";
    echo $srv->output();
}
?>
--EXPECTF--
Warning: Swoole\Server::set(): package_eof cannot be an empty string in %s on line %d
bool(false)

Warning: Swoole\Server::set(): package_eof max length is 8 in %s on line %d
bool(false)
bool(true)

Warning: Swoole\Server::set(): unknown package_length_type, see pack(). Link: https://php.net/pack in %s on line %d
bool(false)

Warning: Swoole\Server::set(): unknown package_length_type, see pack(). Link: https://php.net/pack in %s on line %d
bool(false)

Warning: Swoole\Server::set(): 'package_length_offset' value is too large in %s on line %d
bool(false)

Warning: Swoole\Server::set(): 'package_length_offset' value is too large in %s on line %d
bool(false)
bool(true)

Warning: Swoole\Server::set(): 'package_body_offset' value is too large in %s on line %d
bool(false)

Warning: Swoole\Server::set(): 'package_body_offset' value is too large in %s on line %d
bool(false)
bool(true)
-- the previous values stay in effect
"[a#][bc#]"
"[H\u0000\u0002xy][I\u0000\u0000]"
eof: exit code 0
set true,false,false
receive "a#"
receive "bc#"

Warning: Swoole\Server::set(): package_eof cannot be an empty string in %s on line %d

Warning: Swoole\Server::set(): package_eof max length is 8 in %s on line %d
len: exit code 0
set true,false,false,false
receive "H\u0000\u0002xy"
receive "I\u0000\u0000"

Warning: Swoole\Server::set(): unknown package_length_type, see pack(). Link: https://php.net/pack in %s on line %d

Warning: Swoole\Server::set(): 'package_length_offset' value is too large in %s on line %d

Warning: Swoole\Server::set(): 'package_body_offset' value is too large in %s on line %d
