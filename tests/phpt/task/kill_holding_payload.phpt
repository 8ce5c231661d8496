--TEST--
A task worker SIGKILLed while it holds a 16 MB payload leaves no file, shared memory or descriptor behind; the next large tasks round trip
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
function memfds(array $pids): int {
    $n = 0;
    foreach ($pids as $pid) {
        foreach (glob("/proc/$pid/fd/*") ?: [] as $fd) {
            $n += str_contains((string)@readlink($fd), 'memfd:');
        }
    }
    return $n;
}
$before = [glob('/tmp/*'), glob('/dev/shm/*')];
$srv = TestServer::start(<<<'PHP'
ini_set('memory_limit', '1G');
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $s->task(str_repeat($data, 16 << 20), -1, function ($s, $id, $r) use ($fd) {
        $s->send($fd, "back " . strlen($r));
    });
});
$serv->on('Task', function ($s, $id, $src, $data) {
    if ($data[0] === 'k') {
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
$c = $srv->connect();
fwrite($c, 'k');
[$note] = $srv->waitNotes('holding');
echo $note === '' ? '' : preg_replace('/ in \d+$/', '', $note), "\n";
posix_kill((int)substr($note, strrpos($note, ' ') + 1), SIGKILL);
$srv->waitNotes('WorkerError');
echo "descriptors to payload memory in the server: ", memfds($srv->processes()), "\n";
var_dump($srv->request('x', 13, 30));
var_dump($srv->request('y', 13, 30));
echo "descriptors to payload memory in the server: ", memfds($srv->processes()), "\n";
echo "exit code: ", $srv->stop(), "\n";
echo implode("\n", $srv->notes()), "\n";
echo "new files in /tmp: ", count(array_diff(glob('/tmp/*'), $before[0], [$srv->dir()])), ", in /dev/shm: ", count(array_diff(glob('/dev/shm/*'), $before[1])), "\n";
?>
--EXPECTF--
holding 16777216
descriptors to payload memory in the server: 0
string(13) "back 16777216"
string(13) "back 16777216"
descriptors to payload memory in the server: 0
exit code: 0
holding 16777216 in %d
WorkerError 1 signal 9
new files in /tmp: 0, in /dev/shm: 0
