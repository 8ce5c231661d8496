--TEST--
PROCESS mode: a reload signal that arrives while a reload is under way is not ignored (Swoole ignores it): a worker already replaced by the first reload is replaced again, so every worker running afterwards started after the last signal; clients stay connected throughout
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 3, 'reactor_num' => 1, 'log_level' => SWOOLE_LOG_WARNING]);
$serv->on('WorkerStart', fn($s, $id) => rs_note("start $id " . getmypid() . ' ' . microtime(true)));
// A slow stop keeps the first reload under way long enough for the second signal.
$serv->on('WorkerStop', function ($s, $id) {
    rs_note("stop $id");
    usleep(300000);
});
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->send($fd, "w$s->worker_id"));
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('start', 3);
$c = $srv->connect();
fwrite($c, 'x');
$srv->read($c, 2);
posix_kill($srv->pid, SIGUSR1);
// Worker 0 has been replaced and worker 1 is stopping: the first reload is half-way.
$srv->waitUntil(fn() => count(preg_grep('/^start 0 /', $srv->notes())) >= 2 && count(preg_grep('/^stop 1$/', $srv->notes())) >= 1, 10, 'the first reload to be half-way');
$t2 = microtime(true);
posix_kill($srv->pid, SIGUSR1);
// Settled: each slot's latest process started after the second signal.
$latest = function () use ($srv) {
    $l = [];
    foreach ($srv->notes() as $n) {
        if (preg_match('/^start (\d) (\d+) ([\d.]+)$/', $n, $m)) {
            $l[(int)$m[1]] = (float)$m[3];
        }
    }
    ksort($l);
    return $l;
};
$srv->waitUntil(fn() => count(array_filter($latest(), fn($t) => $t > $t2)) === 3, 15, 'every worker to start after the second signal');
echo "every worker started after the last signal: yes\n";
echo "worker 0 started ", count(preg_grep('/^start 0 /', $srv->notes())), " times\n";
fwrite($c, 'y');
echo "client still served: ", preg_match('/^w\d$/', $srv->read($c, 2)), "\n";
fclose($c);
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
every worker started after the last signal: yes
worker 0 started 3 times
client still served: 1
exit code: 0
