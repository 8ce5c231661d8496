<?php
/**
 * TCP benchmarks, each next to a raw epoll echo server in Rust (no PHP) measured in the same
 * run: C connections doing request/response (64-byte messages) against
 *   (a) rswoole echo: Receive sends the data back,
 *   (b) rswoole request -> task -> Finish -> reply (2 task workers),
 * in BASE mode (1 and 2 event workers) and in PROCESS mode (2 event workers, reactor
 * threads in the master), and (c) the raw echo server (`tcp_load --echo`), measured right
 * before each. Run with `make bench`.
 */
$tool = __DIR__ . '/../../target/release/tcp_load';

function load(int $port, int $c, int $n): array
{
    global $tool;
    return array_map('floatval', explode(' ', trim((string)shell_exec(escapeshellarg($tool) . " $port $c $n 64"))));
}

/** Starts a server script in the background; returns [proc, port]. */
function serve(string $code): array
{
    $dir = sys_get_temp_dir() . '/rswoole-bench-' . getmypid() . '-' . bin2hex(random_bytes(3));
    mkdir($dir);
    file_put_contents("$dir/server.php", "<?php\n" . $code);
    $ext = getenv('RSWOOLE_EXT') ?: realpath(__DIR__ . '/../../modules/rswoole.so');
    $proc = proc_open([PHP_BINARY, '-n', '-d', "extension=$ext", '-d', 'extension=posix', "$dir/server.php"],
        [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$dir/out", 'a'], 2 => ['file', "$dir/out", 'a']], $pipes, null, ['BENCH_DIR' => $dir]);
    $deadline = microtime(true) + 10;
    while (!is_file("$dir/port") && microtime(true) < $deadline) {
        usleep(10000);
    }
    return [$proc, (int)file_get_contents("$dir/port"), $dir];
}

function stop(array $s): void
{
    [$proc, , $dir] = $s;
    $pid = proc_get_status($proc)['pid'];
    posix_kill($pid, SIGTERM);
    $deadline = microtime(true) + 10;
    while (proc_get_status($proc)['running'] && microtime(true) < $deadline) {
        usleep(10000);
    }
    proc_close($proc);
    array_map('unlink', glob("$dir/*"));
    rmdir($dir);
}

/** A server script: echo, or request -> task -> reply, in BASE or PROCESS mode. */
function script(string $mode, int $workers, bool $task): string
{
    $code = "\$serv = new Swoole\\Server('127.0.0.1', 0, $mode);\n" . <<<'PHP'
file_put_contents(getenv('BENCH_DIR') . '/port.tmp', (string)$serv->port);
rename(getenv('BENCH_DIR') . '/port.tmp', getenv('BENCH_DIR') . '/port');
PHP;
    if ($task) {
        return $code . "\n\$serv->set(['worker_num' => $workers, 'task_worker_num' => 2, 'log_level' => SWOOLE_LOG_WARNING]);\n" . <<<'PHP'
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->task($data, -1, fn($s, $id, $r) => $s->send($fd, $r)));
$serv->on('Task', fn($s, $id, $src, $data) => $data);
$serv->start();
PHP;
    }
    return $code . "\n\$serv->set(['worker_num' => $workers, 'log_level' => SWOOLE_LOG_WARNING]);\n" . <<<'PHP'
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->send($fd, $data));
$serv->start();
PHP;
}
$configs = [
    'BASE echo, 1 worker' => script('SWOOLE_BASE', 1, false),
    'BASE echo, 2 workers' => script('SWOOLE_BASE', 2, false),
    'PROCESS echo, 2 workers' => script('SWOOLE_PROCESS', 2, false),
    'BASE req->task->reply, 1 w' => script('SWOOLE_BASE', 1, true),
    'BASE req->task->reply, 2 w' => script('SWOOLE_BASE', 2, true),
    'PROCESS req->task->reply, 2 w' => script('SWOOLE_PROCESS', 2, true),
];

$raw = proc_open([$tool, '--echo'], [1 => ['pipe', 'w']], $rawpipes);
$rawport = (int)fgets($rawpipes[1]);

echo "TCP request/response, 64-byte messages (ratio: to the raw epoll echo server, measured just before)\n";
printf("   %-36s %10s %10s %10s %8s %10s\n", "", "req/s", "p50 us", "raw req/s", "ratio", "p50 ratio");
foreach ([[1, 20000], [16, 5000]] as [$c, $n]) {
    foreach ($configs as $name => $code) {
        [$base, $bp50] = load($rawport, $c, $n);
        $s = serve($code);
        load($s[1], $c, (int)($n / 10));
        [$rate, $p50] = load($s[1], $c, $n);
        stop($s);
        printf("   %-36s %10.0f %10.1f %10.0f %8.2f %10.2f\n", "$name, C=$c", $rate, $p50, $base, $rate / $base, $p50 / $bp50);
    }
}
proc_terminate($raw);
proc_close($raw);
