--TEST--
Swoole\Atomic and Swoole\Atomic\Long created before start() are shared by every process: 4 workers adding at once give the exact sum; cmpset, wrap-around of the 32-bit counter; wait() in a task worker is woken by wakeup() in an event worker, and times out without one
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$a = new Swoole\Atomic();
var_dump($a->add(5), $a->sub(), $a->get(), $a->cmpset(4, 10), $a->cmpset(4, 11), $a->get());
$a->set(-1);
var_dump($a->get(), $a->add(2));
$l = new Swoole\Atomic\Long(PHP_INT_MAX);
var_dump($l->add(), $l->sub(2), $l->cmpset(PHP_INT_MAX - 1, -7), $l->get());
$srv = TestServer::start(<<<'PHP'
$count = new Swoole\Atomic(0);
$long = new Swoole\Atomic\Long(0);
$signal = new Swoole\Atomic(0);
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 2]);
$serv->on('WorkerStart', function ($s, $id) use ($count, $long) {
    for ($i = 0; $i < 5000; $i++) {
        $count->add();
        $long->add(1000000);
    }
    rs_note("added $id");
});
$serv->on('Receive', function ($s, $fd, $rid, $data) use ($count, $long, $signal) {
    if ($data === 'sum') {
        $s->send($fd, $count->get() . ' ' . $long->get());
        return;
    }
    // A task that waits on the shared atomic; this worker wakes it once the task runs.
    $s->task($data, -1, fn($s, $id, $r) => $s->send($fd, $r));
    if ($data === 'wake me') {
        $deadline = microtime(true) + 10;
        while (!file_exists(RS_DIR . '/waiting') && microtime(true) < $deadline) {
            usleep(1000);
        }
        rs_note('wakeup: ' . var_export($signal->wakeup(), true));
    }
});
$serv->on('Task', function ($s, $id, $src, $data) use ($signal) {
    if ($data === 'wake me') {
        touch(RS_DIR . '/waiting');
        return 'woken: ' . var_export($signal->wait(10), true);
    }
    $t = microtime(true);
    $r = $signal->wait(0.2);
    return 'timed out: ' . var_export($r === false && microtime(true) - $t >= 0.15, true);
});
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('added', 4);
echo $srv->request('sum', 15), "\n";
echo $srv->request('wake me', 12), "\n";
echo implode("\n", $srv->waitNotes('wakeup')), "\n";
echo $srv->request('no one', 17), "\n";
echo "exit code: ", $srv->stop(), "\n";
?>
--EXPECT--
int(5)
int(4)
int(4)
bool(true)
bool(false)
int(10)
int(4294967295)
int(1)
int(-9223372036854775808)
int(9223372036854775806)
bool(true)
int(-7)
20000 20000000000
woken: true
wakeup: true
timed out: true
exit code: 0
