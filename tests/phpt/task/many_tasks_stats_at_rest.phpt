--TEST--
2,000 tasks from two event workers all finish exactly once, each in the worker that sent it; stats() is exact at rest
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 3]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'who') {
        $s->send($fd, "$s->worker_id\n");
        return;
    }
    if ($data === 'stats') {
        $st = $s->stats();
        $s->send($fd, json_encode([$st['tasking_num'], $st['task_count'], $st['task_idle_worker_num'], $st['idle_worker_num'], $st['worker_task_backlog']]) . "\n");
        return;
    }
    $n = (int)$data;
    $GLOBALS['left'][$fd] = $n;
    for ($i = 0; $i < $n; $i++) {
        $s->task(['i' => $i, 'fd' => $fd]);
    }
});
$serv->on('Task', fn($s, $id, $src, $d) => "$src:{$d['fd']}:{$d['i']}");
$serv->on('Finish', function ($s, $id, $r) {
    [$src, $fd, $i] = explode(':', $r);
    $GLOBALS['seen'][$fd][$i] = ($GLOBALS['seen'][$fd][$i] ?? 0) + 1;
    $GLOBALS['src'][$fd][$src] = true;
    if (--$GLOBALS['left'][$fd] === 0) {
        $s->send((int)$fd, "worker $s->worker_id: " . count($GLOBALS['seen'][$fd]) . " distinct, max count " . max($GLOBALS['seen'][$fd])
            . ", sent by worker " . implode(',', array_keys($GLOBALS['src'][$fd])) . "\n");
    }
});
rs_ready($serv);
$serv->start();
PHP);
/** Reads one line (up to "\n") or whatever came before the deadline. */
function line(TestServer $srv, $c, float $timeout): string {
    $got = '';
    $deadline = microtime(true) + $timeout;
    while (!str_ends_with($got, "\n") && microtime(true) < $deadline) {
        $got .= $srv->read($c, 1, max(0.01, $deadline - microtime(true)));
        if (feof($c)) {
            break;
        }
    }
    return rtrim($got, "\n");
}
// A connection belongs to the worker that accepted it (its Receive runs there): connect until
// each of the two event workers owns one, so both of them send tasks.
$mine = [];
$srv->waitUntil(function () use ($srv, &$mine) {
    $c = $srv->connect();
    fwrite($c, 'who');
    $id = line($srv, $c, 5);
    if (($id === '0' || $id === '1') && !isset($mine[$id])) {
        $mine[$id] = $c;
    } else {
        fclose($c);
    }
    return count($mine) === 2;
}, 20, 'a connection owned by each event worker');
ksort($mine);
foreach ($mine as $c) {
    fwrite($c, '1000');
}
foreach ($mine as $c) {
    echo line($srv, $c, 30), "\n";
}
// At rest: nothing waiting for a task worker, 2,000 tasks counted, every task worker idle, and
// of the event workers only the one answering is busy; its backlog is empty. A worker marks
// itself idle just after its callback returns, which may be after its reply arrived: poll
// each worker until it sees the rest (bounded), then show what it saw last.
foreach ($mine as $id => $c) {
    $deadline = microtime(true) + 10;
    do {
        fwrite($c, 'stats');
        $last = line($srv, $c, 5);
    } while ($last !== '[0,2000,3,1,0]' && microtime(true) < $deadline && usleep(10000) === null);
    echo "stats in worker $id: $last\n";
}
foreach ($mine as $c) {
    fclose($c);
}
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
worker 0: 1000 distinct, max count 1, sent by worker 0
worker 1: 1000 distinct, max count 1, sent by worker 1
stats in worker 0: [0,2000,3,1,0]
stats in worker 1: [0,2000,3,1,0]
exit code: 0
