<?php
/**
 * Swoole\Table set+get and Swoole\Atomic::add per second from 4 processes at once, next to
 * benches/shared_raw.rs doing the same operations on the same kind of shared memory in the
 * same run (so the ratio holds on a noisy machine). Run with `make bench`.
 */
$raw = __DIR__ . '/../../target/release/shared_raw';
const PROCS = 4;

function in_processes(callable $work): float
{
    $t = microtime(true);
    $kids = [];
    for ($p = 0; $p < PROCS; $p++) {
        $pid = pcntl_fork();
        if ($pid === 0) {
            $work($p);
            exit(0);
        }
        $kids[] = $pid;
    }
    foreach ($kids as $k) {
        pcntl_waitpid($k, $status);
    }
    return microtime(true) - $t;
}

$n = (int)($argv[1] ?? 300000);
$table = new Swoole\Table(4096);
$table->column('n', Swoole\Table::TYPE_INT);
$table->column('s', Swoole\Table::TYPE_STRING, 32);
$table->create();
$atomic = new Swoole\Atomic(0);
$keys = [];
for ($i = 0; $i < 1000; $i++) {
    $keys[] = "user:$i";
}
$s = '0123456789abcdef0123456789abcdef';

$secs = in_processes(function ($p) use ($table, $keys, $n, $s) {
    for ($i = 0; $i < $n; $i++) {
        $k = $keys[($i * 7 + $p) % 1000];
        $table->set($k, ['n' => $i, 's' => $s]);
        $table->get($k);
    }
});
$php_table = 2 * $n * PROCS / $secs;
$raw_table = (float)shell_exec(escapeshellarg($raw) . " table $n");

$secs = in_processes(function () use ($atomic, $n) {
    for ($i = 0; $i < $n; $i++) {
        $atomic->add(1);
    }
});
$php_atomic = $n * PROCS / $secs;
$raw_atomic = (float)shell_exec(escapeshellarg($raw) . " atomic $n");
if ($atomic->get() !== $n * PROCS) {
    fwrite(STDERR, "atomic sum wrong: {$atomic->get()}\n");
    exit(1);
}

printf("Table set+get, 4 processes: %.2f M ops/s (raw Rust %.2f M ops/s) ratio %.2f\n", $php_table / 1e6, $raw_table / 1e6, $php_table / $raw_table);
printf("Atomic::add, 4 processes:   %.2f M ops/s (raw Rust %.2f M ops/s) ratio %.2f\n", $php_atomic / 1e6, $raw_atomic / 1e6, $php_atomic / $raw_atomic);
