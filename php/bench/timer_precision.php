<?php
/**
 * Timer precision under load: 1,000 Swoole\Timer ticks of 10 ms in an event worker that
 * serves a TCP echo load at the same time (benches/tcp_load.rs, 16 connections), next to the
 * raw baseline in the same run: a Rust epoll loop doing 1,000 ticks of 10 ms while the same
 * load runs (`tcp_load --ticks`). Reports p50 and p99 lateness. Run with `make bench`.
 */
$tool = __DIR__ . '/../../target/release/tcp_load';
$out = tempnam(sys_get_temp_dir(), 'rstick');
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'log_level' => SWOOLE_LOG_WARNING]);
$serv->on('Receive', fn($s, $fd, $r, $d) => $s->send($fd, $d));
$serv->on('WorkerStart', function ($s) use ($out) {
    $late = [];
    $every = 0.010;
    $due = microtime(true) + $every;
    Swoole\Timer::tick(10, function ($id) use (&$late, &$due, $every, $out, $s) {
        $now = microtime(true);
        $late[] = max(0.0, $now - $due) * 1e6;
        $due += $every;
        if ($due <= $now) {
            $due = $now + $every;
        }
        if (count($late) === 1000) {
            Swoole\Timer::clear($id);
            sort($late);
            file_put_contents($out, sprintf("%.0f %.0f", $late[500], $late[990]));
        }
    });
});
$port = $serv->port;
$pid = pcntl_fork();
if ($pid === 0) {
    $serv->start();
    exit(0);
}
// The load runs until the ticks are done; the raw ticks run beside it.
usleep(200000);
$load = proc_open([$tool, (string)$port, '16', '1000000', '64'], [1 => ['pipe', 'w']], $pipes);
$raw = trim((string)shell_exec(escapeshellarg($tool) . ' --ticks 1000 10'));
$deadline = microtime(true) + 60;
while (filesize($out) === 0 && microtime(true) < $deadline) {
    clearstatcache();
    usleep(100000);
}
proc_terminate($load);
proc_close($load);
posix_kill($pid, SIGTERM);
pcntl_waitpid($pid, $status);
[$p50, $p99] = array_map('floatval', explode(' ', (string)file_get_contents($out)) + [1 => 0]);
[$r50, $r99] = array_map('floatval', explode(' ', $raw) + [1 => 0]);
unlink($out);
printf("Timer::tick(10) under a C=16 echo load: lateness p50 %.0f us, p99 %.0f us (raw epoll ticks beside it: p50 %.0f us, p99 %.0f us)\n", $p50, $p99, $r50, $r99);
