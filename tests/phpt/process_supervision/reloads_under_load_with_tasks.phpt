--TEST--
PROCESS mode: 10 clients send requests that become tasks while 5 reloads (SIGUSR1, reload(), SIGUSR1 to the manager) replace every worker; no connection closes, every request is answered exactly once, and every Finish runs in the process that sent its task (Swoole runs ~5% in the successor)
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2, 'task_worker_num' => 2, 'open_eof_split' => true, 'package_eof' => "\n", 'log_level' => SWOOLE_LOG_WARNING]);
$serv->on('WorkerStart', function ($s, $id) {
    rs_note("start $id");
    if ($id === 0) {
        file_put_contents(RS_DIR . '/manager', (string)$s->manager_pid);
    }
});
$serv->on('PipeMessage', function ($s, $src, $msg) {
    if ($msg === 'reload') {
        rs_note('reload-call ' . (int)$s->reload());
    }
});
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $line = rtrim($data);
    if ($line === 'reload') {
        $s->sendMessage('reload', 1 - $s->worker_id);
        return;
    }
    $s->task(['fd' => $fd, 'line' => $line, 'sender' => getmypid()]);
});
$serv->on('Task', function ($s, $id, $src, $d) {
    usleep(random_int(0, 3000));
    return $d;
});
$serv->on('Finish', function ($s, $id, $d) {
    if ($d['sender'] !== getmypid()) {
        rs_note("WRONG finish of {$d['line']} in " . getmypid() . " sent by {$d['sender']}");
    }
    $s->send($d['fd'], "ok {$d['line']}\n");
});
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('start', 4);
$clients = [];
for ($i = 0; $i < 10; $i++) {
    $clients[$i] = $srv->connect();
    stream_set_blocking($clients[$i], false);
}
$perClient = 60;
$sent = array_fill(0, 10, 0);
$got = array_fill(0, 10, []);
$buf = array_fill(0, 10, '');
$eof = [];
$reloads = 0;
$starts = 4;
$deadline = microtime(true) + 40;
$next_reload = microtime(true) + 0.05;
while (microtime(true) < $deadline) {
    foreach ($clients as $i => $c) {
        // Up to 5 requests in flight per client.
        if ($sent[$i] < $perClient && $sent[$i] - count($got[$i]) < 5) {
            fwrite($c, "$i-{$sent[$i]}\n");
            $sent[$i]++;
        }
        $chunk = fread($c, 65536);
        if ($chunk === '' && feof($c)) {
            $eof[$i] = true;
        }
        $buf[$i] .= (string)$chunk;
        while (($p = strpos($buf[$i], "\n")) !== false) {
            $got[$i][] = substr($buf[$i], 3, $p - 3);
            $buf[$i] = substr($buf[$i], $p + 1);
        }
    }
    // A reload once the previous one has replaced both event workers and both task workers.
    $now_starts = count($srv->notes()) ? count(array_filter($srv->notes(), fn($l) => str_starts_with($l, 'start'))) : 0;
    if ($reloads < 5 && microtime(true) >= $next_reload && $now_starts >= 4 + 4 * $reloads) {
        $reloads++;
        match ($reloads % 3) {
            1 => posix_kill($srv->pid, SIGUSR1),
            2 => fwrite($clients[0], "reload\n"),
            0 => posix_kill((int)file_get_contents($srv->dir() . '/manager'), SIGUSR1),
        };
        $next_reload = microtime(true) + 0.1;
    }
    $done = array_sum(array_map('count', $got)) === 10 * $perClient;
    if ($done && $reloads === 5 && $now_starts >= 24) {
        break;
    }
    usleep(1000);
}
$all_ok = true;
foreach ($got as $i => $lines) {
    $want = array_map(fn($j) => "$i-$j", range(0, $perClient - 1));
    $sorted = $lines;
    sort($sorted);
    sort($want);
    if ($sorted !== $want) {
        $all_ok = false;
        echo "client $i: ", count($lines), " answers, ", count(array_unique($lines)), " distinct\n";
    }
}
echo "every request answered exactly once: ", $all_ok ? 'yes' : 'no', "\n";
echo "reloads: $reloads, worker starts: ", count(array_filter($srv->notes(), fn($l) => str_starts_with($l, 'start'))), "\n";
echo "connections closed by the server: ", count($eof), "\n";
echo "finish in another process: ", count(array_filter($srv->notes(), fn($l) => str_starts_with($l, 'WRONG'))), "\n";
echo "reload() returned: ", implode(',', array_map(fn($l) => substr($l, 12), array_filter($srv->notes(), fn($l) => str_starts_with($l, 'reload-call')))), "\n";
foreach ($clients as $c) {
    fclose($c);
}
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
every request answered exactly once: yes
reloads: 5, worker starts: 24
connections closed by the server: 0
finish in another process: 0
reload() returned: 1,1
exit code: 0
