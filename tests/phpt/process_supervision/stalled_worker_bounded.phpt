--TEST--
PROCESS mode: a worker that stops reading its pipe while a client floods it: the reactor's queue for it stays bounded (the client is paused, a log line says why), the master's memory stays bounded, other workers' clients are served meanwhile, and once the worker reads again every byte the client got accepted arrives
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2, 'reactor_num' => 1]);
$serv->on('WorkerStart', fn($s, $id) => rs_note("start $id"));
$total = 0;
$serv->on('Receive', function ($s, $fd, $rid, $data) use (&$total) {
    if ($data === 'block') {
        rs_note("blocked in worker $s->worker_id");
        $deadline = microtime(true) + 20;
        while (!file_exists(RS_DIR . '/release') && microtime(true) < $deadline) {
            usleep(5000);
        }
        return;
    }
    if ($data === 'ping') {
        $s->send($fd, "pong from $s->worker_id");
        return;
    }
    $total += strlen($data);
    file_put_contents(RS_DIR . '/total', (string)$total);
});
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('start', 2);
// Sessions 1..3: with dispatch_mode 2, sessions 2 goes to worker 0, 1 and 3 to worker 1.
$c1 = $srv->connect();
$blocker = $srv->connect();
$c3 = $srv->connect();
fwrite($blocker, 'block');
echo $srv->waitNotes('blocked')[0], "\n";
fclose($c3);
$c3 = null;
$flood = $srv->connect();
// Session 4 goes to worker 0 too: it floods the stuck worker.
stream_set_blocking($flood, false);
$chunk = str_repeat('x', 1 << 20);
$accepted = 0;
$deadline = microtime(true) + 4;
$stalled_since = null;
while (microtime(true) < $deadline && $accepted < 400 << 20) {
    $n = fwrite($flood, $chunk);
    if ($n > 0) {
        $accepted += $n;
        $stalled_since = null;
    } else {
        $stalled_since ??= microtime(true);
        if (microtime(true) - $stalled_since > 1.0) {
            break;
        }
        usleep(2000);
    }
}
echo "flood accepted under 100 MB: ", $accepted < 100 << 20 ? 'yes' : "no ($accepted)", "\n";
$status = file_get_contents("/proc/$srv->pid/status");
preg_match('/VmRSS:\s+(\d+) kB/', $status, $m);
echo "master RSS under 150 MB: ", (int)$m[1] < 150 * 1024 ? 'yes' : "no ({$m[1]} kB)", "\n";
fwrite($c1, 'ping');
echo $srv->read($c1, 11), "\n";
touch($srv->dir() . '/release');
$srv->waitUntil(fn() => (int)@file_get_contents($srv->dir() . '/total') === $accepted, 20, "the worker to receive all $accepted bytes");
echo "every accepted byte arrived\n";
echo "log says why: ", substr_count($srv->output(), "worker#0 is not reading its pipe") >= 1 ? 'yes' : 'no', "\n";
fclose($c1);
fclose($blocker);
fclose($flood);
echo "exit code: ", $srv->stop(), "\n";
?>
--EXPECT--
blocked in worker 0
flood accepted under 100 MB: yes
master RSS under 150 MB: yes
pong from 1
every accepted byte arrived
log says why: yes
exit code: 0
