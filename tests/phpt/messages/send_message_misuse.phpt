--TEST--
sendMessage() misuse: Swoole's warnings and false, in Swoole's order (server is not running: before start(), in the manager, after start() returned; onPipeMessage is null, even to itself or to an invalid id; can't send messages to self, from an event or a task worker; worker_id[N] is invalid below 0 and from worker_num + task_worker_num up); a closure or an object holding one throws to the caller; none of these sends anything, and a valid message sent after them is the only one that arrives
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$serv = new Swoole\Server('127.0.0.1', 0);
var_dump($serv->sendMessage('x', 1));
$serv->on('PipeMessage', function () {});
var_dump($serv->sendMessage('x', 1));
var_dump($serv->sendMessage('x', -1));
echo "--- no PipeMessage callback\n";
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    var_dump($s->sendMessage('x', 1), $s->sendMessage('x', 0), $s->sendMessage('x', 7), $s->sendMessage(function () {}, 1));
    $s->task('go', -1, fn($s, $id, $r) => $s->send($fd, $r));
});
$serv->on('Task', function ($s, $id, $src, $data) {
    var_dump($s->sendMessage('x', 0), $s->sendMessage('x', 1));
    return 'done';
});
rs_ready($serv);
$serv->start();
PHP);
var_dump($srv->request('go', 4));
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
echo "--- with a PipeMessage callback\n";
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 1]);
$serv->on('ManagerStart', function ($s) {
    echo "in the manager:\n";
    var_dump($s->sendMessage('x', 0));
    rs_note('manager done');
});
$serv->on('WorkerStart', function ($s, $id) {
    // Noted from the loop, once it has made its first pass.
    Swoole\Timer::after(1, fn() => rs_note("loop $id"));
});
$serv->on('PipeMessage', function ($s, $src, $msg) {
    rs_note("pipe $src -> $s->worker_id: " . json_encode($msg));
    if ($msg === 'your turn') {
        echo "task worker:\n";
        var_dump($s->sendMessage('x', 2));
        foreach ([-1, 3] as $dst) {
            var_dump($s->sendMessage('x', $dst));
        }
        try {
            $s->sendMessage(fn() => 1, 0);
        } catch (Throwable $e) {
            echo get_class($e), ": ", $e->getMessage(), "\n";
        }
        var_dump($s->sendMessage('valid from the task worker', 0));
    }
});
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $me = $s->worker_id;
    echo "event worker:\n";
    var_dump($s->sendMessage('x', $me));
    foreach ([-1, -100, 3, 4, PHP_INT_MAX, PHP_INT_MIN] as $dst) {
        var_dump($s->sendMessage('x', $dst));
    }
    // The checks come before the message is serialized.
    var_dump($s->sendMessage(fn() => 0, $me), $s->sendMessage(fn() => 0, 3));
    foreach ([function () {}, ['list', [fn() => 1]], new class { public $f; function __construct() { $this->f = fn() => 2; } }, new class {}] as $bad) {
        try {
            var_dump($s->sendMessage($bad, 1 - $me));
        } catch (Throwable $e) {
            echo get_class($e), ": ", $e->getMessage(), "\n";
        }
    }
    var_dump($s->sendMessage('valid from the event worker', 1 - $me));
    // Noted, not printed: the task worker prints as soon as the message reaches it.
    rs_note('your turn sent: ' . json_encode($s->sendMessage('your turn', 2)));
    $s->send($fd, 'done');
});
$serv->on('Task', function () {});
rs_ready($serv);
$serv->start();
echo "after start() returned:\n";
var_dump($serv->sendMessage('x', 0));
PHP);
$srv->waitNotes('manager done');
$srv->waitNotes('loop', 3);
var_dump($srv->request('go', 4));
$srv->waitNotes('pipe', 3);
echo "exit code: ", $srv->stop(), "\n";
$notes = array_map(fn($l) => preg_replace('/^pipe (\d) -> (\d)/', 'pipe', $l), array_filter($srv->notes(), fn($l) => !str_starts_with($l, 'loop')));
sort($notes);
echo implode("\n", $notes), "\n";
echo $srv->output();
?>
--EXPECTF--

Warning: Swoole\Server::sendMessage(): server is not running in %s on line %d
bool(false)

Warning: Swoole\Server::sendMessage(): server is not running in %s on line %d
bool(false)

Warning: Swoole\Server::sendMessage(): server is not running in %s on line %d
bool(false)
--- no PipeMessage callback
string(4) "done"
exit code: 0

Warning: Swoole\Server::sendMessage(): onPipeMessage is null, can't use sendMessage in %s on line %d

Warning: Swoole\Server::sendMessage(): onPipeMessage is null, can't use sendMessage in %s on line %d

Warning: Swoole\Server::sendMessage(): onPipeMessage is null, can't use sendMessage in %s on line %d

Warning: Swoole\Server::sendMessage(): onPipeMessage is null, can't use sendMessage in %s on line %d
bool(false)
bool(false)
bool(false)
bool(false)

Warning: Swoole\Server::sendMessage(): onPipeMessage is null, can't use sendMessage in %s on line %d

Warning: Swoole\Server::sendMessage(): onPipeMessage is null, can't use sendMessage in %s on line %d
bool(false)
bool(false)
--- with a PipeMessage callback
string(4) "done"
exit code: 0
manager done
pipe: "valid from the event worker"
pipe: "valid from the task worker"
pipe: "your turn"
your turn sent: true
in the manager:

Warning: Swoole\Server::sendMessage(): server is not running in %s on line %d
bool(false)
event worker:

Warning: Swoole\Server::sendMessage(): can't send messages to self in %s on line %d
bool(false)

Warning: Swoole\Server::sendMessage(): worker_id[-1] is invalid in %s on line %d
bool(false)

Warning: Swoole\Server::sendMessage(): worker_id[-100] is invalid in %s on line %d
bool(false)

Warning: Swoole\Server::sendMessage(): worker_id[3] is invalid in %s on line %d
bool(false)

Warning: Swoole\Server::sendMessage(): worker_id[4] is invalid in %s on line %d
bool(false)

Warning: Swoole\Server::sendMessage(): worker_id[9223372036854775807] is invalid in %s on line %d
bool(false)

Warning: Swoole\Server::sendMessage(): worker_id[-9223372036854775808] is invalid in %s on line %d
bool(false)

Warning: Swoole\Server::sendMessage(): can't send messages to self in %s on line %d

Warning: Swoole\Server::sendMessage(): worker_id[3] is invalid in %s on line %d
bool(false)
bool(false)
Exception: Serialization of 'Closure' is not allowed
Exception: Serialization of 'Closure' is not allowed
Exception: Serialization of 'class@anonymous' is not allowed
Exception: Serialization of 'class@anonymous' is not allowed
bool(true)
task worker:

Warning: Swoole\Server::sendMessage(): can't send messages to self in %s on line %d
bool(false)

Warning: Swoole\Server::sendMessage(): worker_id[-1] is invalid in %s on line %d
bool(false)

Warning: Swoole\Server::sendMessage(): worker_id[3] is invalid in %s on line %d
bool(false)
Exception: Serialization of 'Closure' is not allowed
bool(true)
after start() returned:

Warning: Swoole\Server::sendMessage(): server is not running in %s on line %d
bool(false)
