--TEST--
2,000 tasks from two event workers all finish exactly once; stats() is exact at rest
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 3]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'stats') {
        $st = $s->stats();
        $s->send($fd, json_encode([$st['tasking_num'], $st['task_count'], $st['task_idle_worker_num'], $st['idle_worker_num']]));
        return;
    }
    $n = (int)$data;
    $GLOBALS['left'][$fd] = $n;
    for ($i = 0; $i < $n; $i++) {
        $s->task(['i' => $i, 'fd' => $fd]);
    }
});
$serv->on('Task', fn($s, $id, $src, $d) => "{$d['fd']}:{$d['i']}");
$serv->on('Finish', function ($s, $id, $r) {
    [$fd, $i] = explode(':', $r);
    $GLOBALS['seen'][$fd][$i] = ($GLOBALS['seen'][$fd][$i] ?? 0) + 1;
    if (--$GLOBALS['left'][$fd] === 0) {
        $s->send((int)$fd, count($GLOBALS['seen'][$fd]) . " distinct, max count " . max($GLOBALS['seen'][$fd]));
    }
});
rs_ready($serv);
$serv->start();
PHP);
$a = $srv->connect();
$b = $srv->connect();
fwrite($a, '1000');
fwrite($b, '1000');
$ra = $srv->read($a, 24, 20);
$rb = $srv->read($b, 24, 20);
echo $ra === $rb ? "same" : "differ", "\n";
$got = [$ra, $rb];
sort($got);
echo implode("\n", $got), "\n";
$rest = $srv->waitUntil(function () use ($srv) {
    $r = $srv->request('stats', 10, 1);
    return str_starts_with($r, '[0,2000,3,') ? $r : false;
}, 10, 'stats at rest');
echo $rest, "\n";
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECTF--
%s
1000 distinct, max count 1
1000 distinct, max count 1
[0,2000,3,%d]
exit code: 0
