--TEST--
A Swoole\Lock created before start() is one lock for the event worker and the task worker: a mutex and a read lock held in one are seen held in the other, and free once unlocked
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$mutex = new Swoole\Lock(SWOOLE_MUTEX);
$rw = new Swoole\Lock(SWOOLE_RWLOCK);
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$serv->on('Receive', function ($s, $fd, $rid, $data) use ($mutex, $rw) {
    $held = var_export($mutex->lock(), true) . ' ' . var_export($rw->lock(LOCK_SH), true);
    $s->task('try', -1, function ($s, $id, $while) use ($fd, $mutex, $rw, $held) {
        $freed = var_export($mutex->unlock(), true) . ' ' . var_export($rw->unlock(), true);
        $s->task('try', -1, function ($s, $id, $after) use ($fd, $held, $while, $freed) {
            $s->send($fd, "event worker locks: $held | task worker: $while | event worker unlocks: $freed | task worker: $after\n");
        });
    });
});
$serv->on('Task', function ($s, $id, $src, $data) use ($mutex, $rw) {
    $m = $mutex->lock(LOCK_EX | LOCK_NB);
    $me = $mutex->errCode;
    if ($m) {
        $mutex->unlock();
    }
    $r = $rw->lock(LOCK_SH | LOCK_NB);
    if ($r) {
        $rw->unlock();
    }
    $w = $rw->lock(LOCK_EX | LOCK_NB);
    $we = $rw->errCode;
    if ($w) {
        $rw->unlock();
    }
    return 'mutex ' . var_export($m, true) . " $me, read " . var_export($r, true) . ', write ' . var_export($w, true) . " $we";
});
rs_ready($serv);
$serv->start();
PHP);
$c = $srv->connect();
fwrite($c, 'go');
$got = '';
$deadline = microtime(true) + 10;
while (!str_ends_with($got, "\n") && microtime(true) < $deadline) {
    $got .= $srv->read($c, 1, $deadline - microtime(true));
}
fclose($c);
echo str_replace(' | ', "\n", $got);
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
event worker locks: true true
task worker: mutex false 16, read true, write false 16
event worker unlocks: true true
task worker: mutex true 0, read true, write true 0
exit code: 0
