--TEST--
A task worker SIGKILLed while it holds a 16 MB payload leaves no file, shared memory or descriptor behind; the next large tasks round trip
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
/** What each process of the server holds of payload memory: memfd descriptors and mappings. */
function payload_holders(array $pids): array {
    $held = [];
    foreach ($pids as $pid) {
        $n = 0;
        foreach (glob("/proc/$pid/fd/*") ?: [] as $fd) {
            $n += str_contains((string)@readlink($fd), '/memfd:rswoole-payload');
        }
        foreach (@file("/proc/$pid/maps") ?: [] as $line) {
            $n += str_contains($line, '/memfd:rswoole-payload');
        }
        if ($n > 0) {
            $held[$pid] = $n;
        }
    }
    return $held;
}
/** Waits until no process of the server holds payload memory; returns who still does. */
function wait_released(TestServer $srv, float $timeout): string {
    $deadline = microtime(true) + $timeout;
    while (($held = payload_holders($srv->processes())) && microtime(true) < $deadline) {
        usleep(10000);
    }
    return $held ? json_encode($held) : 'none';
}
/** Entries of `$dir` whose name the server could have made (not a diff of everything there). */
function ours(string $dir): array {
    return array_values(preg_grep('/swoole|payload|memfd/i', scandir($dir) ?: []));
}
$shm_before = ours('/dev/shm');
$srv = TestServer::start(<<<'PHP'
ini_set('memory_limit', '1G');
// The server's own temporary directory, fresh: TMPDIR for every process and task_tmpdir.
$tmp = RS_DIR . '/tmp';
mkdir($tmp);
putenv("TMPDIR=$tmp");
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1, 'task_tmpdir' => $tmp]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $s->task(str_repeat($data, 16 << 20), -1, function ($s, $id, $r) use ($fd) {
        $s->send($fd, "back " . strlen($r));
    });
});
$serv->on('Task', function ($s, $id, $src, $data) {
    if ($data[0] === 'k') {
        rs_note("tmp in task worker " . sys_get_temp_dir() . " " . $s->setting['task_tmpdir']);
        rs_note("holding " . strlen($data) . " in " . getmypid());
        $deadline = microtime(true) + 10;
        while (microtime(true) < $deadline) {
            usleep(10000);
        }
    }
    return $data;
});
$serv->on('Finish', function () {});
$serv->on('WorkerError', function ($s, $id, $pid, $code, $sig) {
    rs_note("WorkerError $id signal $sig");
});
rs_ready($serv);
$serv->start();
PHP);
$tmp = $srv->dir() . '/tmp';
$c = $srv->connect();
fwrite($c, 'k');
[$note] = $srv->waitNotes('holding');
[$where] = $srv->waitNotes('tmp in task worker');
echo "task worker's temp dirs are the server's own: ", var_export($where === "tmp in task worker $tmp $tmp", true), "\n";
echo preg_replace('/ in \d+$/', '', $note), "\n";
$holder = (int)substr($note, strrpos($note, ' ') + 1);
// The check below sees payload memory where it is: the task worker holds this one.
echo "the holding task worker holds payload memory: ", var_export(isset(payload_holders([$holder])[$holder]), true), "\n";
var_dump($holder > 1 && in_array($holder, $srv->processes(), true) && posix_kill($holder, SIGKILL));
$srv->waitNotes('WorkerError');
// The task has ended for its sender when the sender hears it was lost.
$srv->waitOutput('Warning: Swoole\Server::start(): task#0 of worker#0 was lost');
echo "holding payload memory after the kill: ", wait_released($srv, 10), "\n";
var_dump($srv->request('x', 13, 30));
var_dump($srv->request('y', 13, 30));
echo "holding payload memory after two more: ", wait_released($srv, 10), "\n";
echo "exit code: ", $srv->stop(), "\n";
echo implode("\n", $srv->notes()), "\n";
// Lines of several processes: sorted by what follows the time and pid, so the order they
// were written in does not matter.
$out = array_filter(explode("\n", $srv->output()), 'strlen');
$key = fn($l) => preg_replace('/^\[[^\]]*\]\t/', '', $l);
usort($out, fn($a, $b) => strcmp($key($a), $key($b)));
echo implode("\n", $out), "\n";
$left = array_diff(scandir($tmp) ?: ['(missing)'], ['.', '..']);
echo "left in the server's temp dir: ", $left ? implode(',', $left) : 'nothing', "\n";
echo "new in /dev/shm: ", ($new = array_diff(ours('/dev/shm'), $shm_before)) ? implode(',', $new) : 'nothing', "\n";
// The helper removes only plain files of its directory.
exec('rm -rf ' . escapeshellarg($tmp));
?>
--EXPECTF--
task worker's temp dirs are the server's own: true
holding 16777216
the holding task worker holds payload memory: true
bool(true)
holding payload memory after the kill: none
string(13) "back 16777216"
string(13) "back 16777216"
holding payload memory after two more: none
exit code: 0
tmp in task worker %s
holding 16777216 in %d
WorkerError 1 signal 9
[%s]	NOTICE	Manager::wait(): task worker#1 (pid %d) died holding task#0 of worker#0 (running); its sender is told
[%s]	WARNING	Manager::wait(): worker(pid=%d, id=1) abnormal exit, status=0, signal=9
[%s]	WARNING	Worker::task(): task#0 of worker#0 was lost: task worker#1 (pid %d) exited with status 0, signal 9
Warning: Swoole\Server::start(): task#0 of worker#0 was lost: task worker#1 (pid %d) exited with status 0, signal 9 in %s on line %d
left in the server's temp dir: nothing
new in /dev/shm: nothing
