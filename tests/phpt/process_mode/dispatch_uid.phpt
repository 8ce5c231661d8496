--TEST--
SWOOLE_PROCESS dispatch_mode 5: before bind() a connection is served by worker $fd % worker_num; after $serv->bind($fd, 7) (true once, false the second time) by worker 7 % worker_num, and getClientInfo() has 'uid' => 7 (0 before bind()) both in the worker that bound it and in the one serving it now
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 3, 'dispatch_mode' => 5]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $info = $s->getClientInfo($fd);
    $reply = "$fd $s->worker_id uid=" . var_export($info['uid'] ?? null, true);
    if ($data === 'bind') {
        $reply .= " bind=" . var_export($s->bind($fd, 7), true) . " again=" . var_export($s->bind($fd, 7), true)
            . " other=" . var_export($s->bind($fd, 8), true) . " uid_now=" . var_export($s->getClientInfo($fd)['uid'] ?? null, true);
    }
    $s->send($fd, "$reply\n");
});
rs_ready($serv);
$serv->start();
PHP);
$conns = [];
for ($i = 0; $i < 3; $i++) {
    $conns[] = $srv->connect();
}
$ask = function ($c, $what) {
    fwrite($c, $what);
    return (string)stream_get_line($c, 200, "\n");
};
foreach ($conns as $c) {
    echo "before: ", $ask($c, 'x'), "\n";
}
foreach ($conns as $c) {
    echo "bind: ", $ask($c, 'bind'), "\n";
}
foreach ($conns as $c) {
    echo "after: ", $ask($c, 'x'), " / ", $ask($c, 'x'), "\n";
}
foreach ($conns as $c) {
    fclose($c);
}
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
before: 1 1 uid=0
before: 2 2 uid=0
before: 3 0 uid=0
bind: 1 1 uid=0 bind=true again=false other=false uid_now=7
bind: 2 2 uid=0 bind=true again=false other=false uid_now=7
bind: 3 0 uid=0 bind=true again=false other=false uid_now=7
after: 1 1 uid=7 / 1 1 uid=7
after: 2 1 uid=7 / 2 1 uid=7
after: 3 1 uid=7 / 3 1 uid=7
exit code: 0
