--TEST--
Misuse of Swoole\Process and addProcess(): a callback that is not callable is a TypeError ("must be a valid callback"), so is addProcess() of anything but a Process; with pipe_type 0 write() and read() warn "no pipe" and return false; in a user process task() and taskwait() are refused with a warning and false, sendMessage() to its own id warns "can't send messages to self", to another user process or any id out of range (also -1) "worker_id[N] is invalid"; an event worker cannot message a user process either, and addProcess() in a running task worker is refused
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
foreach (['no_such_function', 42, null, [new stdClass, 'nope']] as $cb) {
    try {
        new Swoole\Process($cb);
        echo "no exception\n";
    } catch (TypeError $e) {
        echo "TypeError: ", str_contains($e->getMessage(), 'must be a valid callback') ? 'must be a valid callback' : $e->getMessage(), "\n";
    }
}
$p = new Swoole\Process(fn() => null, false, 0);
var_dump($p->pipe, $p->write('x'), $p->read(), $p->read(10));

$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
foreach ([new stdClass, 'a string', null] as $bad) {
    try {
        $serv->addProcess($bad);
        rs_note('bad addProcess: no exception');
    } catch (TypeError $e) {
        rs_note('bad addProcess: TypeError');
    }
}
$serv->addProcess(new Swoole\Process(function (Swoole\Process $proc) use ($serv) {
    rs_note('user ' . json_encode([
        'task' => $serv->task('x'),
        'taskwait' => $serv->taskwait('x', 0.5),
        'to self' => $serv->sendMessage('x', $proc->id),
        'to the other user process' => $serv->sendMessage('x', 3),
        'to 4' => $serv->sendMessage('x', 4),
        'to -1' => $serv->sendMessage('x', -1),
    ]));
    while (true) {
        usleep(20000);
    }
}));
$serv->addProcess(new Swoole\Process(function () {
    while (true) {
        usleep(20000);
    }
}));
$serv->on('PipeMessage', fn($s, $src, $m) => rs_note("MESSAGE to {$s->worker_id} from $src"));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $r = $s->sendMessage('x', 2);
    $s->task('add'); // after the warning above, so the output's order is known
    $s->send($fd, json_encode(['to user process 2' => $r]) . "\n");
});
$serv->on('Task', function ($s, $id, $src, $data) {
    rs_note('task worker addProcess: ' . var_export($s->addProcess(new Swoole\Process(fn() => null)), true));
});
rs_ready($serv);
$serv->start();
PHP);
echo implode("\n", $srv->waitNotes('bad addProcess', 3)), "\n";
echo implode("\n", $srv->waitNotes('user')), "\n";
$c = $srv->connect();
fwrite($c, 'go');
$reply = '';
$deadline = microtime(true) + 5;
while (!str_ends_with($reply, "\n") && microtime(true) < $deadline) {
    $reply .= $srv->read($c, 1, 0.1);
}
fclose($c);
echo "event worker: ", $reply;
echo implode("\n", $srv->waitNotes('task worker')), "\n";
echo "exit code: ", $srv->stop(), "\n";
echo "messages delivered: ", count(preg_grep('/^MESSAGE/', $srv->notes())), "\n";
echo preg_replace('/^.*abnormal exit, status=0, signal=15\n/m', '', $srv->output());
?>
--EXPECTF--
TypeError: must be a valid callback
TypeError: must be a valid callback
TypeError: must be a valid callback
TypeError: must be a valid callback

Warning: Swoole\Process::write(): no pipe, cannot write into pipe in %s on line %d

Warning: Swoole\Process::read(): no pipe, cannot read from pipe in %s on line %d

Warning: Swoole\Process::read(): no pipe, cannot read from pipe in %s on line %d
NULL
bool(false)
bool(false)
bool(false)
bad addProcess: TypeError
bad addProcess: TypeError
bad addProcess: TypeError
user {"task":false,"taskwait":false,"to self":false,"to the other user process":false,"to 4":false,"to -1":false}
event worker: {"to user process 2":false}
task worker addProcess: false
exit code: 0
messages delivered: 0

Warning: Swoole\Server::task(): task() cannot be used in a user process%s in %s on line %d

Warning: Swoole\Server::taskwait(): %s in %s on line %d

Warning: Swoole\Server::sendMessage(): can't send messages to self in %s on line %d

Warning: Swoole\Server::sendMessage(): worker_id[3] is invalid in %s on line %d

Warning: Swoole\Server::sendMessage(): worker_id[4] is invalid in %s on line %d

Warning: Swoole\Server::sendMessage(): worker_id[-1] is invalid in %s on line %d

Warning: Swoole\Server::sendMessage(): worker_id[2] is invalid in %s on line %d

Warning: Swoole\Server::addProcess(): The server is running, unable to add a process in %s on line %d
