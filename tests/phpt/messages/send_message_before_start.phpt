--TEST--
Messages that reach a worker before its loop runs (sent while it is still in onWorkerStart) are delivered, in order, without any later traffic to wake it: to an event worker (from an event worker and from a task worker) and to a task worker (likewise)
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 2]);
// Workers 0 (event) and 2 (task) send; workers 1 (event) and 3 (task) start late.
$serv->on('WorkerStart', function ($s, $id) {
    if ($id === 0 || $id === 2) {
        foreach ([1, 3] as $dst) {
            for ($i = 0; $i < 5; $i++) {
                $ok = $s->sendMessage("m$i", $dst);
                rs_note("sent $id -> $dst m$i: " . var_export($ok, true));
            }
        }
        touch(RS_DIR . "/sent-$id");
        return;
    }
    $deadline = microtime(true) + 5;
    while (!(file_exists(RS_DIR . '/sent-0') && file_exists(RS_DIR . '/sent-2')) && microtime(true) < $deadline) {
        usleep(1000);
    }
    rs_note("late $id started");
});
$serv->on('PipeMessage', function ($s, $src, $msg) {
    rs_note("pipe $src -> $s->worker_id $msg");
});
$serv->on('Receive', function () {});
$serv->on('Task', function () {});
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('late', 2);
try {
    $srv->waitNotes('pipe', 20, 5);
} catch (RuntimeException $e) {
}
$early = [];
foreach ($srv->notes() as $l) {
    if (preg_match('/^pipe (\d -> \d)/', $l, $m)) {
        $early[$m[1]] = ($early[$m[1]] ?? 0) + 1;
    }
}
ksort($early);
echo "delivered before the stop (5 s at most): ", json_encode($early), "\n";
echo "exit code: ", $srv->stop(), "\n";
// In the order each receiver ran them.
$notes = array_values(array_filter($srv->notes(), fn($l) => !str_starts_with($l, 'late')));
usort($notes, fn($a, $b) => strcmp(substr($a, 0, 12), substr($b, 0, 12)));
echo implode("\n", $notes), "\n";
echo $srv->output();
?>
--EXPECT--
delivered before the stop (5 s at most): {"0 -> 1":5,"0 -> 3":5,"2 -> 1":5,"2 -> 3":5}
exit code: 0
pipe 0 -> 1 m0
pipe 0 -> 1 m1
pipe 0 -> 1 m2
pipe 0 -> 1 m3
pipe 0 -> 1 m4
pipe 0 -> 3 m0
pipe 0 -> 3 m1
pipe 0 -> 3 m2
pipe 0 -> 3 m3
pipe 0 -> 3 m4
pipe 2 -> 1 m0
pipe 2 -> 1 m1
pipe 2 -> 1 m2
pipe 2 -> 1 m3
pipe 2 -> 1 m4
pipe 2 -> 3 m0
pipe 2 -> 3 m1
pipe 2 -> 3 m2
pipe 2 -> 3 m3
pipe 2 -> 3 m4
sent 0 -> 1 m0: true
sent 0 -> 1 m1: true
sent 0 -> 1 m2: true
sent 0 -> 1 m3: true
sent 0 -> 1 m4: true
sent 0 -> 3 m0: true
sent 0 -> 3 m1: true
sent 0 -> 3 m2: true
sent 0 -> 3 m3: true
sent 0 -> 3 m4: true
sent 2 -> 1 m0: true
sent 2 -> 1 m1: true
sent 2 -> 1 m2: true
sent 2 -> 1 m3: true
sent 2 -> 1 m4: true
sent 2 -> 3 m0: true
sent 2 -> 3 m1: true
sent 2 -> 3 m2: true
sent 2 -> 3 m3: true
sent 2 -> 3 m4: true
