<?php
/**
 * Task benchmarks, each next to a raw socketpair baseline (benches/raw_roundtrip.rs) measured
 * in the same run, so the ratios hold on a noisy machine. Run with `make bench`.
 *
 * 1. Round trips per second of small tasks with K = 1 and 64 in flight (4 task workers).
 * 2. taskwait() latency: median and p99 over 20,000 calls, against a raw ping-pong.
 * 3. 100 KB and 1 MB payloads sent to a task worker and back (the Task callback returns its
 *    data): tasks/s and MB/s with the payload counted once, against a raw round trip of the
 *    same size.
 */
$raw = __DIR__ . '/../../target/release/raw_roundtrip';

/** Runs a one-event-worker server whose WorkerStart calls `$bench($serv, $done)`. */
function pin(int $cpu): void
{
    shell_exec("taskset -pc $cpu " . getmypid() . " >/dev/null 2>&1");
}

function run_server(int $task_workers, callable $bench, ?callable $finish = null, ?callable $on_start = null): array
{
    $out = tempnam(sys_get_temp_dir(), 'rsbench');
    $serv = new Swoole\Server('127.0.0.1', 0);
    $serv->set(['worker_num' => 1, 'task_worker_num' => $task_workers, 'log_level' => SWOOLE_LOG_WARNING]);
    $serv->on('Receive', fn() => null);
    $done = function (array $result) use ($out, $serv) {
        file_put_contents($out, json_encode($result));
        $serv->shutdown();
    };
    $serv->on('WorkerStart', function ($s, $id) use ($bench, $done, $on_start) {
        if ($on_start) {
            $on_start($s);
        }
        if (!$s->taskworker) {
            $bench($s, $done);
        }
    });
    $serv->on('Task', fn($s, $id, $src, $data) => $data);
    $serv->on('Finish', $finish ?? fn() => null);
    $serv->start();
    $result = json_decode((string)file_get_contents($out), true);
    unlink($out);
    return $result;
}

/** K tasks of `$payload` in flight until `$n` have come back. */
function pipelined(string $payload, int $k, int $n, int $task_workers): array
{
    $state = ['sent' => 0, 'done' => 0, 't0' => 0];
    $send = function ($s) use (&$state, $payload) {
        $state['sent']++;
        $s->task($payload);
    };
    $done_cb = null;
    return run_server($task_workers, function ($s, $done) use (&$state, &$done_cb, $send, $k, $n) {
        $done_cb = $done;
        $state['t0'] = hrtime(true);
        for ($i = 0; $i < min($k, $n); $i++) {
            $send($s);
        }
    }, function ($s, $id, $data) use (&$state, &$done_cb, $send, $n, $payload) {
        if (strlen($data) !== strlen($payload)) {
            throw new RuntimeException("short result");
        }
        if (++$state['done'] === $n) {
            $secs = (hrtime(true) - $state['t0']) / 1e9;
            $done_cb(['rate' => $n / $secs, 'mbs' => $n * strlen($payload) / $secs / 1e6]);
        } elseif ($state['sent'] < $n) {
            $send($s);
        }
    });
}

function raw(string $args): array
{
    global $raw;
    return array_map('floatval', explode(' ', trim((string)shell_exec(escapeshellarg($raw) . ' ' . $args))));
}

echo "1. small tasks, round trips per second (4 task workers)\n";
printf("   %-8s %12s %12s %7s\n", "K", "rswoole/s", "raw/s", "ratio");
$n = 100000;
foreach ([1, 64] as $k) {
    $ours = pipelined('0123456789abcdef', $k, $n, 4)['rate'];
    [$base] = raw("$k $n");
    printf("   %-8d %12.0f %12.0f %7.2f\n", $k, $ours, $base, $ours / $base);
}

echo "2. taskwait() round trip, microseconds (1 task worker; event worker on CPU 0, task worker on CPU 0 or 1)\n";
printf("   %-14s %10s %10s %7s\n", "", "rswoole", "raw", "ratio");
$calls = 20000;
foreach (['same', 'cross'] as $placement) {
    $tw = run_server(1, function ($s, $done) use ($calls) {
        $lat = [];
        for ($i = 0; $i < $calls; $i++) {
            $t = hrtime(true);
            if ($s->taskwait('0123456789abcdef', 5.0) === false) {
                throw new RuntimeException("taskwait failed");
            }
            $lat[] = (hrtime(true) - $t) / 1e3;
        }
        sort($lat);
        $done(['median' => $lat[intdiv($calls, 2)], 'p99' => $lat[intdiv($calls * 99, 100)]]);
    }, null, fn($s) => pin($s->taskworker && $placement === 'cross' ? 1 : 0));
    [$rmed, $rp99] = raw("--latency $calls $placement");
    printf("   %-14s %10.1f %10.1f %7.2f\n", "$placement median", $tw['median'], $rmed, $tw['median'] / $rmed);
    printf("   %-14s %10.1f %10.1f %7.2f\n", "$placement p99", $tw['p99'], $rp99, $tw['p99'] / $rp99);
}

echo "3. large payloads there and back (payload counted once)\n";
printf("   %-22s %10s %10s %10s %10s %7s\n", "", "tasks/s", "MB/s", "raw/s", "raw MB/s", "ratio");
foreach ([[100 * 1024, 10000], [1024 * 1024, 2000]] as [$size, $count]) {
    $payload = str_repeat('x', $size);
    [$rrate, $rmbs] = raw("--bytes $size $count");
    foreach ([[1, 1], [4, 2]] as [$k, $workers]) {
        $r = pipelined($payload, $k, $count, $workers);
        printf("   %-22s %10.0f %10.0f %10.0f %10.0f %7.2f\n", sprintf("%d KB, K=%d, %d tw", $size / 1024, $k, $workers), $r['rate'], $r['mbs'], $rrate, $rmbs, $r['mbs'] / $rmbs);
    }
}
