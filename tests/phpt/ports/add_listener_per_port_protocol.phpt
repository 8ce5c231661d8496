--TEST--
addListener()/listen() before start bind at once and return a Swoole\Server\Port (host, the real port for port 0, type, sock, setting null until set()); $serv->ports lists them, the server's own first; each port frames with its own set(): length check on one, package_length_func on another (that port only), set([]) leaves one raw, and a port never set() takes the server's EOF split; getClientInfo()'s server_port and server_fd are the port's, $reactor_id is the worker id
--FILE--
<?php
require __DIR__ . '/ports.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_BASE);
$serv->set(['worker_num' => 1, 'open_eof_split' => true, 'package_eof' => "\n"]);
$length = $serv->addListener('127.0.0.1', 0, SWOOLE_SOCK_TCP);
$inherits = $serv->addListener('127.0.0.1', 0);
$raw = $serv->listen('127.0.0.1', 0, SWOOLE_SOCK_TCP);
$func = $serv->addListener('127.0.0.1', 0);
$before = ['setting before set()' => $length->setting, 'set() returns' => $length->set(['open_length_check' => true, 'package_length_type' => 'N',
    'package_length_offset' => 0, 'package_body_offset' => 4, 'package_max_length' => 64])];
$raw->set([]);
// "<len>:<body>": the whole package is the header plus len bytes; 0 while the header is incomplete.
$func->set(['open_length_check' => true, 'package_length_func' => function ($data) {
    $p = strpos($data, ':');
    return $p === false ? 0 : $p + 1 + (int)substr($data, 0, $p);
}]);
$ports = $serv->ports;
rs_note('ports: ' . json_encode(array_map(fn($p) => $p->port, $ports)));
rs_note('props: ' . json_encode($before + [
    'count' => count($ports),
    'ports[0] is the server\'s' => $ports[0]->port === $serv->port && $ports[0]->host === '127.0.0.1' && $ports[0]->type === SWOOLE_SOCK_TCP,
    'the same objects' => $ports[1] === $length && $ports[2] === $inherits && $ports[3] === $raw && $ports[4] === $func,
    'classes' => array_unique(array_map('get_class', $ports)),
    'hosts' => array_unique(array_map(fn($p) => $p->host, $ports)),
    'types' => array_unique(array_map(fn($p) => $p->type, $ports)),
    'real distinct ports' => count(array_unique(array_map(fn($p) => $p->port, $ports))) === 5 && min(array_map(fn($p) => $p->port, $ports)) > 0,
    'distinct socks' => count(array_unique(array_map(fn($p) => $p->sock, $ports))) === 5 && min(array_map(fn($p) => $p->sock, $ports)) > 0,
    'setting after set()' => $length->setting,
    'setting after set([])' => $raw->setting,
    'setting never set' => $inherits->setting,
    'each accepts connections before start()' => array_map(function ($p) {
        $c = @stream_socket_client("tcp://127.0.0.1:$p->port", $errno, $errstr, 2);
        return $c !== false && fclose($c);
    }, $ports),
]));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $i = $s->getClientInfo($fd);
    $sock = null;
    foreach ($s->ports as $p) {
        if ($p->port === $i['server_port']) {
            $sock = $p->sock;
        }
    }
    $s->send($fd, '<' . $i['server_port'] . ' ' . bin2hex($data) . ' fd:' . var_export($i['server_fd'] === $sock, true)
        . ' rid:' . var_export($rid === $s->worker_id, true) . '>');
});
rs_ready($serv);
$serv->start();
PHP);
echo $srv->waitNotes('props: ')[0], "\n";
[$primary, $length, $inherits, $raw, $func] = json_decode(substr($srv->waitNotes('ports: ')[0], 7), true);
$names = [$primary => 'primary', $length => 'length', $inherits => 'inherits', $raw => 'raw', $func => 'func'];
$show = function (string $what, $c, int $n) use ($names) {
    $got = array_map(function ($a) use ($names) {
        [$port, $hex, $fd, $rid] = explode(' ', $a);
        return ($names[(int)$port] ?? $port) . ' ' . json_encode(hex2bin($hex)) . " $fd $rid";
    }, tcp_answers($c, $n));
    echo str_pad($what, 44), '=> ', implode(' | ', $got), "\n";
};
$c = tcp_connect($primary);
fwrite($c, "a\nb");
usleep(20000);
fwrite($c, "\nc\n");
$show('primary (server: EOF split)', $c, 3);

$c = tcp_connect($length);
fwrite($c, pack('N', 3) . 'x');
usleep(20000);
fwrite($c, "y\n" . pack('N', 2) . "hi");
$show('length port (N header)', $c, 2);

$c = tcp_connect($inherits);
fwrite($c, "d\ne");
usleep(20000);
fwrite($c, "\n");
$show('never set(): the server\'s EOF split', $c, 2);

$c = tcp_connect($raw);
fwrite($c, 'no newline');
$show('set([]): raw, answered without an EOF', $c, 1);

$c = tcp_connect($func);
fwrite($c, '3:ab');
usleep(20000);
fwrite($c, 'c10:0123456789');
$show('package_length_func', $c, 2);

// The length port's limit is its own: 100 bytes are too many there, not on the func port.
$c = tcp_connect($length);
fwrite($c, pack('N', 100) . str_repeat('z', 100));
echo "length port, 104 bytes over its package_max_length 64: closed: ", var_export(fread($c, 10) === '' && feof($c), true), "\n";
$c = tcp_connect($func);
fwrite($c, '100:' . str_repeat('z', 100));
$got = tcp_answers($c, 1);
echo "func port, the same size: answered: ", var_export(count($got) === 1 && str_starts_with($got[0], "$func " . bin2hex('100:z')), true), "\n";

// The primary port did not pick up the function: "3:abc" there waits for its EOF.
$c = tcp_connect($primary);
fwrite($c, '3:abc');
usleep(20000);
fwrite($c, "\n");
$show('primary, not using the port\'s function', $c, 1);
echo "exit code: ", $srv->stop(), "\n";
?>
--EXPECT--
props: {"setting before set()":null,"set() returns":null,"count":5,"ports[0] is the server's":true,"the same objects":true,"classes":["Swoole\\Server\\Port"],"hosts":["127.0.0.1"],"types":[1],"real distinct ports":true,"distinct socks":true,"setting after set()":{"open_length_check":true,"package_length_type":"N","package_length_offset":0,"package_body_offset":4,"package_max_length":64},"setting after set([])":[],"setting never set":null,"each accepts connections before start()":[true,true,true,true,true]}
primary (server: EOF split)                 => primary "a\n" fd:true rid:true | primary "b\n" fd:true rid:true | primary "c\n" fd:true rid:true
length port (N header)                      => length "\u0000\u0000\u0000\u0003xy\n" fd:true rid:true | length "\u0000\u0000\u0000\u0002hi" fd:true rid:true
never set(): the server's EOF split         => inherits "d\n" fd:true rid:true | inherits "e\n" fd:true rid:true
set([]): raw, answered without an EOF       => raw "no newline" fd:true rid:true
package_length_func                         => func "3:abc" fd:true rid:true | func "10:0123456789" fd:true rid:true
length port, 104 bytes over its package_max_length 64: closed: true
func port, the same size: answered: true
primary, not using the port's function      => primary "3:abc\n" fd:true rid:true
exit code: 0
