--TEST--
daemonize with pid_file and log_file: the launching process returns at once, the pid file names the manager (SIGUSR1/SIGTERM go there), output and server lines go to log_file, a rotated log is followed, the pid file is removed at stop and nothing is left
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$dir = sys_get_temp_dir() . '/rswoole-daemon-' . getmypid();
@mkdir($dir);
$port_file = "$dir/port";
file_put_contents("$dir/server.php", <<<PHP
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
file_put_contents('$port_file', (string)\$serv->port);
\$serv->start();
PHP);
$t = microtime(true);
exec(escapeshellarg(PHP_BINARY) . ' -n -d extension=' . escapeshellarg(getenv('RSWOOLE_EXT')) . ' -d extension=posix ' . escapeshellarg("$dir/server.php"), $out, $code);
echo "launcher returned $code\n";
$wait = function (callable $cond, string $what) {
    $deadline = microtime(true) + 20;
    while (!$cond()) {
        if (microtime(true) > $deadline) {
            echo "timed out waiting for $what\n";
            return false;
        }
        usleep(10000);
    }
    return true;
};
$wait(fn() => is_file("$dir/server.pid") && is_file($port_file) && TestServer::listening((int)file_get_contents($port_file)), "the daemon");
$pid = (int)file_get_contents("$dir/server.pid");
$port = (int)file_get_contents($port_file);
$ask = function (string $msg) use ($port) {
    $c = stream_socket_client("tcp://127.0.0.1:$port", $e, $s, 5);
    fwrite($c, $msg);
    stream_set_timeout($c, 10);
    return fread($c, 100);
};
echo "reply: ", $ask('olleh'), "\n";
echo "pid file names a manager in its own session: ", var_export(posix_getsid($pid) === $pid, true), "\n";
// Rotate the log as logrotate does, then make the server write a line (a reload logs one).
rename("$dir/server.log", "$dir/server.log.1");
posix_kill($pid, SIGUSR1);
// The reload is over when both fresh workers have written to the new log.
$wait(fn() => is_file("$dir/server.log") && substr_count(file_get_contents("$dir/server.log"), 'started') === 2, "the reload");
echo "reply after reload: ", $ask('dlrow'), "\n";
posix_kill($pid, SIGTERM);
$wait(fn() => !file_exists("/proc/$pid"), "the manager to exit");
$left = array_filter(glob('/proc/[0-9]*/stat'), function ($f) use ($pid) {
    $s = @file_get_contents($f);
    return $s !== false && (int)explode(' ', substr($s, strrpos($s, ')') + 2))[3] === $pid;
});
echo "processes left: ", count($left), "\n";
echo "pid file removed: ", var_export(!file_exists("$dir/server.pid"), true), "\n";
$old = file_get_contents("$dir/server.log.1");
echo "echo output in the first log: ", substr_count($old, 'started'), "\n";
echo "workers restarted into the new log: ", substr_count(file_get_contents("$dir/server.log"), 'started'), "\n";
array_map('unlink', glob("$dir/*"));
rmdir($dir);
?>
--EXPECT--
launcher returned 0
reply: hello
pid file names a manager in its own session: true
reply after reload: world
processes left: 0
pid file removed: true
echo output in the first log: 2
workers restarted into the new log: 2
