--TEST--
Reload under load: 20 clients whose requests become tasks while 5 reloads (SIGUSR1, SIGUSR2, reload()) replace every worker; every request is answered exactly once and run exactly once, on the same connection: no client is disconnected, none resends (the reloading event worker hands its connections to its successor)
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 2, 'max_wait_time' => 10]);
$buffers = [];
$serv->on('WorkerStart', function ($s, $id) {
    rs_note("start $id");
});
$serv->on('Receive', function ($s, $fd, $rid, $data) use (&$buffers) {
    $buffers[$fd] = ($buffers[$fd] ?? '') . $data;
    while (($p = strpos($buffers[$fd], "\n")) !== false) {
        $req = substr($buffers[$fd], 0, $p);
        $buffers[$fd] = substr($buffers[$fd], $p + 1);
        if ($req === 'reload') {
            $s->reload();
            continue;
        }
        $s->task($req, -1, function ($s, $id, $result) use ($fd) {
            $s->send($fd, "$result\n");
        });
    }
});
$serv->on('Close', function ($s, $fd) use (&$buffers) {
    unset($buffers[$fd]);
});
$serv->on('Task', function ($s, $id, $src, $req) {
    rs_note("ran $req");
    usleep(2000);
    return "done $req";
});
rs_ready($serv);
$serv->start();
PHP);
$clients = 20;
$per_client = 50;
$conns = [];
$next = array_fill(0, $clients, 0);
$answers = [];
$reconnects = 0;
$send = function (int $c) use (&$conns, &$next, $srv) {
    if (!isset($conns[$c])) {
        $conns[$c] = $srv->connect();
        stream_set_blocking($conns[$c], false);
    }
    fwrite($conns[$c], "c$c-{$next[$c]}\n");
};
for ($c = 0; $c < $clients; $c++) {
    $send($c);
}
$buf = array_fill(0, $clients, '');
// Reloads: two SIGUSR1 (all), one SIGUSR2 (task workers), two reload() calls from a client.
$reloads = [SIGUSR1, SIGUSR2, 'call', SIGUSR1, 'call'];
$done_reloads = 0;
$starts_expected = 4;
$deadline = microtime(true) + 120;
while (microtime(true) < $deadline) {
    $finished = count(array_filter($next, fn($n) => $n >= $per_client));
    $starts = count(array_filter($srv->notes(), fn($l) => str_starts_with($l, 'start ')));
    if ($done_reloads < count($reloads) && $starts >= $starts_expected) {
        $r = $reloads[$done_reloads++];
        if ($r === 'call') {
            $x = $srv->connect();
            fwrite($x, "reload\n");
            fclose($x);
            $starts_expected += 4;
        } else {
            posix_kill($srv->pid, $r);
            $starts_expected += $r === SIGUSR1 ? 4 : 2;
        }
    }
    if ($finished === $clients && $done_reloads === count($reloads) && $starts >= $starts_expected) {
        break;
    }
    $read = array_values($conns);
    if (!$read) {
        usleep(1000);
        continue;
    }
    $w = $e = null;
    if (stream_select($read, $w, $e, 0, 20000) < 1) {
        continue;
    }
    foreach ($read as $sock) {
        $c = array_search($sock, $conns, true);
        $chunk = fread($sock, 65536);
        if ($chunk === '' || $chunk === false) {
            // A connection closed under the client (the old behaviour): count it, and ask again
            // so the run can end; the expected output says this never happens.
            fclose($sock);
            unset($conns[$c]);
            $buf[$c] = '';
            $reconnects++;
            if ($next[$c] < $per_client) {
                $send($c);
            }
            continue;
        }
        $buf[$c] .= $chunk;
        while (($p = strpos($buf[$c], "\n")) !== false) {
            $line = substr($buf[$c], 0, $p);
            $buf[$c] = substr($buf[$c], $p + 1);
            $answers[] = $line;
            if ($line === "done c$c-{$next[$c]}") {
                $next[$c]++;
                if ($next[$c] < $per_client) {
                    $send($c);
                }
            }
        }
    }
}
echo "reloads done: $done_reloads, worker starts: $starts (expected $starts_expected)\n";
echo "answers: ", count($answers), ", distinct: ", count(array_unique($answers)), ", every request answered: ", var_export(array_sum($next) === $clients * $per_client, true), "\n";
echo "connections closed by reloading workers: $reconnects\n";
echo "exit code: ", $srv->stop(), "\n";
$ran = array_filter($srv->notes(), fn($l) => str_starts_with($l, 'ran '));
echo "tasks run: ", count($ran), ", distinct: ", count(array_unique($ran)), "\n";
echo "reload log lines: ", preg_match_all('/INFO\tManager::reload\(\): reloading (all|task) workers/', $srv->output()), "\n";
echo preg_replace('/^\[[^\n]*INFO\tManager::reload[^\n]*\n/m', '', $srv->output());
?>
--EXPECT--
reloads done: 5, worker starts: 22 (expected 22)
answers: 1000, distinct: 1000, every request answered: true
connections closed by reloading workers: 0
exit code: 0
tasks run: 1000, distinct: 1000
reload log lines: 5
