<?php
/**
 * Task round trips per second: one event worker keeps K tasks in flight (K = 1 and 64) until
 * N small tasks have finished through 4 task workers, next to the raw socketpair baseline
 * (benches/raw_roundtrip.rs) measured in the same run. Run with `make bench`.
 */
$n = (int)($argv[1] ?? 100000);
$raw = __DIR__ . '/../../target/release/raw_roundtrip';

function rswoole_rate(int $k, int $n): float
{
    $out = tempnam(sys_get_temp_dir(), 'rsbench');
    $serv = new Swoole\Server('127.0.0.1', 0);
    $serv->set(['worker_num' => 1, 'task_worker_num' => 4, 'log_level' => SWOOLE_LOG_WARNING]);
    $serv->on('Receive', fn() => null);
    $state = ['sent' => 0, 'done' => 0, 't0' => 0];
    $serv->on('WorkerStart', function ($s, $id) use (&$state, $k, $n) {
        if ($s->taskworker) {
            return;
        }
        $state['t0'] = hrtime(true);
        for ($i = 0; $i < $k; $i++, $state['sent']++) {
            $s->task('0123456789abcdef');
        }
    });
    $serv->on('Task', fn($s, $id, $src, $data) => $data);
    $serv->on('Finish', function ($s, $id, $data) use (&$state, $n, $out) {
        if (++$state['done'] === $n) {
            $secs = (hrtime(true) - $state['t0']) / 1e9;
            file_put_contents($out, (string)($n / $secs));
            $s->shutdown();
        } elseif ($state['sent'] < $n) {
            $state['sent']++;
            $s->task('0123456789abcdef');
        }
    });
    $serv->start();
    $rate = (float)file_get_contents($out);
    unlink($out);
    return $rate;
}

printf("%-6s %14s %14s %7s\n", "K", "rswoole/s", "raw/s", "ratio");
foreach ([1, 64] as $k) {
    $ours = rswoole_rate($k, $n);
    $base = (float)trim((string)shell_exec(escapeshellarg($raw) . " $k $n"));
    printf("%-6d %14.0f %14.0f %7.2f\n", $k, $ours, $base, $base > 0 ? $ours / $base : 0);
}
