--TEST--
Workers that crash (SIGSEGV, an exhausted memory_limit) are replaced under the same id with WorkerError($serv, $id, $pid, $exit_code, $signal); exit() in a callback is reported and the worker goes on; a task on a crashed task worker is reported by id
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
ini_set('memory_limit', '32M');
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$serv->on('WorkerStart', fn($s, $id) => rs_note("start $id " . getmypid()));
$serv->on('WorkerError', fn($s, $id, $pid, $code, $sig) => rs_note("WorkerError id=$id code=$code signal=$sig pid " . ($pid > 0 ? 'given' : 'MISSING')));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    switch ($data) {
    case 'segv':
        posix_kill(getmypid(), SIGSEGV);
        break;
    case 'oom':
        $a = [];
        while (true) {
            $a[] = str_repeat('x', 1 << 20);
        }
    case 'exit':
        $s->send($fd, 'bye');
        exit(3);
    case 'task-segv':
    case 'task-oom':
        $s->task($data, -1, function ($s, $id, $r) use ($fd) {
            $s->send($fd, "unexpected $r");
        });
        $s->send($fd, 'sent');
        break;
    default:
        $s->send($fd, "pid " . getmypid());
    }
});
$serv->on('Task', function ($s, $id, $src, $data) {
    if ($data === 'task-segv') {
        posix_kill(getmypid(), SIGSEGV);
    }
    $a = [];
    while (true) {
        $a[] = str_repeat('x', 1 << 20);
    }
});
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('start', 2);
$first = $srv->request('ping', 10);
foreach (['segv', 'oom'] as $i => $crash) {
    $c = $srv->connect();
    fwrite($c, $crash);
    $srv->waitNotes('WorkerError', $i + 1);
    $srv->waitNotes('start 0', $i + 2);
    echo "$crash: ", $srv->request('ping', 10) !== $first ? "replaced, serving" : "NOT REPLACED", "\n";
    $first = $srv->request('ping', 10);
}
var_dump($srv->request('exit', 3));
echo "after exit(): ", $srv->request('ping', 10) === $first ? "same process, serving" : "REPLACED", "\n";
foreach (['task-segv', 'task-oom'] as $i => $crash) {
    var_dump($srv->request($crash, 4));
    $srv->waitNotes('WorkerError', $i + 3);
    $srv->waitNotes('start 1', $i + 2);
}
$srv->waitOutput('was lost', 10, 2);
echo "exit code: ", $srv->stop(), "\n";
foreach ($srv->notes() as $n) {
    if (str_starts_with($n, 'WorkerError')) {
        echo $n, "\n";
    }
}
$out = $srv->output();
echo "memory fatal errors: ", substr_count($out, 'Allowed memory size of'), "\n";
echo "exit() noted: ", substr_count($out, 'exit() was called in the Receive callback'), "\n";
echo "lost tasks named: ", preg_match_all('/task#[01] of worker#0 was lost: task worker#1 \(pid \d+\) exited with status (0|255), signal (11|0)/', $out), "\n";
?>
--EXPECT--
segv: replaced, serving
oom: replaced, serving
string(3) "bye"
after exit(): same process, serving
string(4) "sent"
string(4) "sent"
exit code: 0
WorkerError id=0 code=0 signal=11 pid given
WorkerError id=0 code=255 signal=0 pid given
WorkerError id=1 code=0 signal=11 pid given
WorkerError id=1 code=255 signal=0 pid given
memory fatal errors: 2
exit() noted: 1
lost tasks named: 4
