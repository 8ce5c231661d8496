<?php
/**
 * Tasks through the task broker (Redis Streams), next to benches/broker_raw.rs, a plain Redis
 * client doing the same XADD / XREADGROUP / reply / XACK cycle against the same Redis in the
 * same run, so the ratio holds on a noisy machine. Starts its own redis-server on a free port.
 * Run with `make bench`.
 *
 * 1. Small tasks with 64 in flight, 4 task workers: tasks/s, against the raw client with 4
 *    consumers.
 * 2. Two hosts: tasks that take 2 ms each (usleep), one host with 2 task workers against that
 *    host plus a second one (worker_num 0, 2 more task workers) on the same queue.
 */
$raw = __DIR__ . '/../../target/release/broker_raw';

$probe = stream_socket_server('tcp://127.0.0.1:0');
$port = (int)substr(strrchr(stream_socket_get_name($probe, false), ':'), 1);
fclose($probe);
$redis = proc_open(['redis-server', '--port', "$port", '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
$url = "redis://127.0.0.1:$port/0";
for ($i = 0; $i < 200 && !@fsockopen('127.0.0.1', $port); $i++) {
    usleep(20000);
}

/** A server with `$task_workers` task workers on queue `$name`; with `$bench`, one event worker runs it. */
function server(string $url, string $name, int $task_workers, ?callable $bench, int $work_us, ?string $out): void
{
    $serv = new Swoole\Server('127.0.0.1', 0);
    $serv->set(['worker_num' => $bench ? 1 : 0, 'task_worker_num' => $task_workers, 'log_level' => SWOOLE_LOG_WARNING,
        'task_broker' => $url, 'task_broker_name' => $name, 'task_broker_secret' => 'bench']);
    $serv->on('Receive', fn() => null);
    $state = ['sent' => 0, 'done' => 0, 't0' => 0];
    $serv->on('WorkerStart', function ($s) use ($bench) {
        if (!$s->taskworker && $bench) {
            $bench($s);
        }
    });
    $serv->on('Task', function ($s, $id, $src, $data) use ($work_us) {
        if ($work_us) {
            usleep($work_us);
        }
        return $data;
    });
    $serv->on('Finish', function ($s) use (&$state, $bench) {
        $bench($s, true);
    });
    $serv->start();
}

/** Tasks/s with `$k` in flight until `$n` came back; `$helpers` more hosts of `$helper_tw` task workers. */
function through_broker(string $url, int $n, int $k, int $task_workers, int $work_us, int $helpers = 0, int $helper_tw = 0): float
{
    $name = 'bench' . getmypid() . mt_rand();
    $out = tempnam(sys_get_temp_dir(), 'rsbench');
    $kids = [];
    for ($h = 0; $h < $helpers; $h++) {
        $pid = pcntl_fork();
        if ($pid === 0) {
            server($url, $name, $helper_tw, null, $work_us, null);
            exit(0);
        }
        $kids[] = $pid;
    }
    $pid = pcntl_fork();
    if ($pid === 0) {
        $state = ['sent' => 0, 'done' => 0, 't0' => 0];
        $bench = function ($s, $finished = false) use (&$state, $n, $k, $out) {
            if (!$finished) {
                $state['t0'] = hrtime(true);
                for ($i = 0; $i < $k; $i++, $state['sent']++) {
                    $s->task('0123456789abcdef');
                }
                return;
            }
            if (++$state['done'] === $n) {
                file_put_contents($out, (string)($n / ((hrtime(true) - $state['t0']) / 1e9)));
                $s->shutdown();
            } elseif ($state['sent'] < $n) {
                $state['sent']++;
                $s->task('0123456789abcdef');
            }
        };
        server($url, $name, $task_workers, $bench, $work_us, $out);
        exit(0);
    }
    pcntl_waitpid($pid, $st);
    foreach ($kids as $kid) {
        posix_kill($kid, SIGTERM);
        pcntl_waitpid($kid, $st);
    }
    $rate = (float)file_get_contents($out);
    unlink($out);
    return $rate;
}

echo "1. small tasks through the broker, 64 in flight, 4 task workers\n";
printf("   %12s %12s %7s\n", "rswoole/s", "raw/s", "ratio");
$n = 20000;
$ours = through_broker($url, $n, 64, 4, 0);
$base = (float)shell_exec(escapeshellarg($raw) . " " . escapeshellarg($url) . " $n 64 4");
printf("   %12.0f %12.0f %7.2f\n", $ours, $base, $ours / $base);

echo "2. tasks of 2 ms, 64 in flight: one host with 2 task workers, then two hosts with 2 each\n";
$one = through_broker($url, 4000, 64, 2, 2000);
$two = through_broker($url, 4000, 64, 2, 2000, 1, 2);
printf("   one host %8.0f/s   two hosts %8.0f/s   ratio %5.2f\n", $one, $two, $two / $one);

proc_terminate($redis);
proc_close($redis);
