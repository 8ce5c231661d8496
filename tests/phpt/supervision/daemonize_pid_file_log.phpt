--TEST--
daemonize with pid_file and log_file: the launching process returns at once, the pid file names the manager (SIGUSR1/SIGTERM go there), output and server lines go to log_file, a rotated log is followed, the pid file is removed at stop and nothing is left
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$dir = sys_get_temp_dir() . '/rswoole-daemon-' . getmypid() . '-' . bin2hex(random_bytes(4));
mkdir($dir);
$script = "$dir/server.php";
$port_file = "$dir/port";
file_put_contents($script, <<<PHP
<?php
\$serv = new Swoole\Server('127.0.0.1', 0);
\$serv->set(['worker_num' => 1, 'task_worker_num' => 1, 'daemonize' => true,
    'pid_file' => '$dir/server.pid', 'log_file' => '$dir/server.log']);
\$serv->on('WorkerStart', function (\$s, \$id) {
    echo "worker \$id started\\n";
});
\$serv->on('Receive', function (\$s, \$fd, \$rid, \$data) {
    \$s->send(\$fd, \$s->taskwait(\$data, 5.0));
});
\$serv->on('Task', fn(\$s, \$id, \$src, \$d) => strrev(\$d));
file_put_contents('$port_file.tmp', (string)\$serv->port);
rename('$port_file.tmp', '$port_file');
\$serv->start();
PHP);

/** Every process running this test's server script (its directory is unique to this run). */
function daemon_procs(string $script): array {
    $pids = [];
    foreach (glob('/proc/[0-9]*/cmdline') as $f) {
        $args = explode("\0", (string)@file_get_contents($f));
        $pid = (int)basename(dirname($f));
        if ($pid > 1 && $pid !== getmypid() && in_array($script, $args, true)) {
            $pids[] = $pid;
        }
    }
    return $pids;
}
/** The pid in the pid file if it is a number > 1 naming a process of this server, else 0. */
function pid_from_file(string $file, string $script): int {
    $s = @file_get_contents($file);
    if ($s === false || !preg_match('/^\s*([0-9]+)\s*$/', $s, $m)) {
        return 0;
    }
    $pid = (int)$m[1];
    return $pid > 1 && in_array($pid, daemon_procs($script), true) ? $pid : 0;
}
/** Signals only a process of this server, never 0, 1 or a negative pid (a process group). */
function signal_daemon(int $pid, int $sig, string $script): bool {
    if ($pid <= 1 || !in_array($pid, daemon_procs($script), true)) {
        echo "not signalling pid $pid: not a process of this server\n";
        return false;
    }
    return posix_kill($pid, $sig);
}
function wait_for(callable $cond, string $what, float $timeout = 20.0): bool {
    $deadline = microtime(true) + $timeout;
    while (!$cond()) {
        if (microtime(true) > $deadline) {
            echo "timed out waiting for $what\n";
            return false;
        }
        usleep(10000);
    }
    return true;
}
// However the test ends (a failed wait, an exception), whatever it started is ended and its
// directory removed. Nothing but pids found running this run's own script is signalled.
register_shutdown_function(function () use ($dir, $script) {
    $left = daemon_procs($script);
    foreach ($left as $p) {
        posix_kill($p, SIGKILL);
    }
    if ($left) {
        echo "killed what was left: ", count($left), " process(es)\n";
        wait_for(fn() => !daemon_procs($script), 'the killed processes to go', 10);
    }
    exec('rm -rf ' . escapeshellarg($dir));
});

// The launcher must return by itself; it is bounded, and killed if it does not.
$launcher = proc_open([PHP_BINARY, '-n', '-d', 'extension=' . getenv('RSWOOLE_EXT'), '-d', 'extension=posix', $script],
    [0 => ['file', '/dev/null', 'r'], 1 => ['file', "$dir/launcher.out", 'w'], 2 => ['file', "$dir/launcher.out", 'w']], $pipes);
$code = null;
wait_for(function () use ($launcher, &$code) {
    $st = proc_get_status($launcher);
    if ($st['running']) {
        return false;
    }
    $code = $st['exitcode'];
    return true;
}, 'the launcher to return');
if ($code === null) {
    $lp = proc_get_status($launcher)['pid'];
    if ($lp > 1) {
        posix_kill($lp, SIGKILL);
    }
}
proc_close($launcher);
echo "launcher returned ", var_export($code, true), "\n";

$pid = 0;
$port = 0;
$gone = false;
$started = wait_for(function () use ($dir, $script, $port_file, &$pid, &$port, &$gone) {
    $pid = pid_from_file("$dir/server.pid", $script);
    $port = (int)@file_get_contents($port_file);
    // The launcher has returned: if nothing runs the script any more, nothing will start.
    $gone = !daemon_procs($script);
    return ($pid > 1 && $port > 0 && TestServer::listening($port)) || $gone;
}, 'the daemon') && !$gone;
if (!$started) {
    echo "the daemon did not start; pid file: ", var_export(@file_get_contents("$dir/server.pid"), true),
        "; log:\n", @file_get_contents("$dir/server.log"), @file_get_contents("$dir/launcher.out");
    exit(1);
}
$ask = function (string $msg) use ($port): string {
    $c = @stream_socket_client("tcp://127.0.0.1:$port", $e, $s, 5);
    if (!$c) {
        return "(connect failed: $s)";
    }
    fwrite($c, $msg);
    $got = '';
    $deadline = microtime(true) + 10;
    while (strlen($got) < strlen($msg) && microtime(true) < $deadline) {
        $r = [$c];
        $w = $x = null;
        if (stream_select($r, $w, $x, 0, 50000) > 0) {
            $chunk = fread($c, 100);
            if ($chunk === '' || $chunk === false) {
                break;
            }
            $got .= $chunk;
        }
    }
    fclose($c);
    return $got;
};
echo "reply: ", $ask('olleh'), "\n";
echo "pid file names a manager in its own session: ", var_export(posix_getsid($pid) === $pid, true), "\n";
// Rotate the log as logrotate does, then make the server write a line (a reload logs one).
rename("$dir/server.log", "$dir/server.log.1");
signal_daemon($pid, SIGUSR1, $script);
// The reload is over when both fresh workers have written to the new log.
wait_for(fn() => substr_count((string)@file_get_contents("$dir/server.log"), 'started') === 2, "the reload");
echo "reply after reload: ", $ask('dlrow'), "\n";
signal_daemon($pid, SIGTERM, $script);
wait_for(fn() => !file_exists("/proc/$pid"), "the manager to exit");
// Left: anything in the manager's session, or still running the script (wherever it went).
$left = array_filter(glob('/proc/[0-9]*/stat'), function ($f) use ($pid) {
    $s = @file_get_contents($f);
    return $s !== false && (int)explode(' ', substr($s, strrpos($s, ')') + 2))[3] === $pid;
});
$left = array_unique(array_merge(array_map(fn($f) => (int)basename(dirname($f)), $left), daemon_procs($script)));
echo "processes left: ", count($left), "\n";
echo "pid file removed: ", var_export(!file_exists("$dir/server.pid"), true), "\n";
echo "launcher printed: ", var_export(file_get_contents("$dir/launcher.out"), true), "\n";
echo "echo output in the first log: ", substr_count((string)@file_get_contents("$dir/server.log.1"), 'started'), "\n";
echo "workers restarted into the new log: ", substr_count((string)@file_get_contents("$dir/server.log"), 'started'), "\n";
?>
--EXPECT--
launcher returned 0
reply: hello
pid file names a manager in its own session: true
reply after reload: world
processes left: 0
pid file removed: true
launcher printed: ''
echo output in the first log: 2
workers restarted into the new log: 2
