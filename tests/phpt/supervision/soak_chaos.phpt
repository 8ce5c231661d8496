--TEST--
Soak: 100,000 tasks while a chaos loop SIGKILLs a random task worker every 100 ms: sent = finished + reported lost, tasking_num 0, no zombie, every process has as many fds as after start
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
function fds(int $pid): int {
    return count(glob("/proc/$pid/fd/*") ?: []);
}
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 3]);
$sent = 0;
$finished = 0;
$serv->on('WorkerStart', fn($s, $id) => rs_note("start $id " . getmypid()));
$serv->on('Receive', function ($s, $fd, $rid, $data) use (&$sent, &$finished) {
    if ($data === 'go') {
        for ($i = 0; $i < 100000; $i++) {
            if ($s->task($i) !== false) {
                $sent++;
            }
        }
        $s->send($fd, "sent $sent\n");
        return;
    }
    $st = $s->stats();
    $s->send($fd, json_encode(['sent' => $sent, 'finished' => $finished, 'lost' => $st['task_lost_num'],
        'tasking_num' => $st['tasking_num'], 'idle' => $st['task_idle_worker_num']]) . "\n");
});
$serv->on('Task', fn($s, $id, $src, $n) => $n);
$serv->on('Finish', function () use (&$finished) {
    $finished++;
});
rs_ready($serv);
$serv->start();
PHP);
$pids = function () use ($srv) {
    $by_id = [];
    foreach ($srv->notes() as $n) {
        [, $id, $pid] = explode(' ', $n);
        $by_id[(int)$id] = (int)$pid;
    }
    return $by_id;
};
$srv->waitUntil(fn() => count($pids()) === 4, 10, "4 workers");
$base = ['manager' => fds($srv->pid)];
foreach ($pids() as $id => $pid) {
    $base[$id] = fds($pid);
}
$line = function ($c, float $timeout) {
    $deadline = microtime(true) + $timeout;
    $got = '';
    while (!str_ends_with($got, "\n") && microtime(true) < $deadline) {
        $r = [$c];
        $w = $e = null;
        if (stream_select($r, $w, $e, 0, 20000) > 0) {
            $chunk = fread($c, 4096);
            if ($chunk === '' || $chunk === false) {
                break;
            }
            $got .= $chunk;
        }
    }
    return trim($got);
};
$c = $srv->connect();
stream_set_blocking($c, false);
fwrite($c, 'go');
$kills = 0;
$reply = '';
$st = [];
$accounted = fn($st) => $st && $st['finished'] + $st['lost'] === $st['sent'] && $st['sent'] === 100000;
// Chaos until the last task is finished or reported: a kill every 100 ms.
$deadline = microtime(true) + 40;
while (microtime(true) < $deadline) {
    $victims = array_filter($pids(), fn($id) => $id >= 1, ARRAY_FILTER_USE_KEY);
    if ($victims && posix_kill($victims[array_rand($victims)], SIGKILL)) {
        $kills++;
    }
    $t = microtime(true) + 0.1;
    if ($reply === '') {
        $reply = $line($c, 0.1);
    } else {
        fwrite($c, 'stats');
        $st = json_decode($line($c, 5), true) ?: [];
        if ($accounted($st) && $kills >= 5) {
            break;
        }
    }
    while (microtime(true) < $t) {
        usleep(5000);
    }
}
echo $reply === 'sent 100000' ? "100000 sent" : "sent: '$reply'", "; chaos kills: ", $kills >= 5 ? 'at least 5' : $kills, "\n";
// Then the books must balance and stay balanced once the replaced workers are idle.
$srv->waitUntil(function () use ($c, $line, &$st) {
    fwrite($c, 'stats');
    $st = json_decode($line($c, 5), true) ?: [];
    return $st && $st['tasking_num'] === 0 && $st['idle'] === 3;
}, 10, "task workers idle");
echo "sent = finished + lost: ", var_export($accounted($st), true), "; tasking_num {$st['tasking_num']}; idle task workers {$st['idle']}\n";
fclose($c);
// A worker killed by the last chaos round is a zombie until the manager reaps it: wait for it.
$zombies = [];
$srv->waitUntil(function () use ($srv, &$zombies) {
    $zombies = array_filter($srv->processes(), fn($p) => preg_match('/\) Z /', (string)@file_get_contents("/proc/$p/stat")));
    return !$zombies;
}, 10, "no zombie");
echo "zombies: ", count($zombies), "\n";
$now = [];
$srv->waitUntil(function () use ($srv, $pids, $base, &$now) {
    $now = ['manager' => fds($srv->pid)];
    foreach ($pids() as $id => $pid) {
        $now[$id] = fds($pid);
    }
    return $now == $base;
}, 10, "fd counts back to the start");
echo "fds as after start: ", var_export($now == $base, true), "\n";
echo "exit code: ", $srv->stop(), "\n";
$warned = preg_match_all('/^Warning: Swoole\\\\Server::start\(\): task#\d+ of worker#0 was lost/m', $srv->output());
echo "every lost task reported to its sender: ", var_export($warned === $st['lost'], true), "\n";
// The log names exactly the lost tasks: a task whose result got out before its worker died
// is not logged as lost (the sender, which alone knows, logs each loss it counts).
$logged = preg_match_all('/^\[[^\n]*WARNING\tWorker::task\(\): task#(\d+) of worker#0 was lost/m', $srv->output(), $m);
echo "the log names exactly the lost tasks: ", var_export($logged === $st['lost'] && count(array_unique($m[1])) === $logged, true), "\n";
echo "no other line calls a task lost: ", var_export(preg_match_all('/was lost/', $srv->output()) === 2 * $st['lost'], true), "\n";
$out = preg_replace('/^\[[^\n]*(WARNING\tManager::wait|NOTICE\tManager::wait|WARNING\tWorker::task)\(\): [^\n]*\n/m', '', $srv->output());
$out = preg_replace('/^\nWarning: Swoole\\\\Server::start\(\): task#\d+ of worker#0 was lost[^\n]*\n/m', '', $out);
echo $out;
?>
--EXPECT--
100000 sent; chaos kills: at least 5
sent = finished + lost: true; tasking_num 0; idle task workers 3
zombies: 0
fds as after start: true
exit code: 0
every lost task reported to its sender: true
the log names exactly the lost tasks: true
no other line calls a task lost: true
