--TEST--
Values that cannot be serialized: task() throws with nothing sent and no id used; a bad finish() or return value is reported with its task id and the task worker goes on
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
class Refuses { function __serialize(): array { throw new RuntimeException('refusing to serialize'); } }
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    foreach ([function () {}, new Refuses(), ['nested' => [new Refuses()]]] as $bad) {
        try {
            $s->task($bad);
            rs_note("task() did not throw");
        } catch (Throwable $e) {
            rs_note("task() threw " . get_class($e) . ": " . $e->getMessage());
        }
    }
    foreach (['return-closure', 'finish-closure', 'finish-caught', 'fine'] as $d) {
        rs_note("sent $d as task#" . $s->task($d));
    }
    $s->send($fd, 'sent');
});
$serv->on('Task', function ($s, $id, $src, $data) {
    rs_note("task#$id $data runs in pid " . (getmypid() === $GLOBALS['first_pid'] ? 'unchanged' : 'CHANGED'));
    switch ($data) {
    case 'return-closure':
        return function () {};
    case 'finish-closure':
        $s->finish(new Refuses());
        return null;
    case 'finish-caught':
        try {
            $s->finish(function () {});
        } catch (Exception $e) {
            rs_note("finish() threw: " . $e->getMessage());
        }
        return 'caught and went on';
    }
    return "$data result";
});
$serv->on('WorkerStart', function ($s, $id) {
    $GLOBALS['first_pid'] = getmypid();
});
$serv->on('Finish', function ($s, $id, $data) {
    rs_note("finish task#$id: $data");
});
$serv->on('WorkerError', function ($s, $id) {
    rs_note("WorkerError $id");
});
rs_ready($serv);
$serv->start();
PHP);
var_dump($srv->request('go', 4));
$srv->waitNotes('finish task#3');
echo "exit code: ", $srv->stop(), "\n";
$notes = $srv->notes();
sort($notes);
echo implode("\n", $notes), "\n";
foreach (explode("\n", $srv->output()) as $line) {
    if (preg_match('/(Uncaught \w+: [^\n]*?) in |(WARNING\t.*)$/', $line, $m)) {
        echo $m[1] ?: $m[2], "\n";
    }
}
?>
--EXPECTF--
string(4) "sent"
exit code: 0
finish task#2: caught and went on
finish task#3: fine result
finish() threw: Serialization of 'Closure' is not allowed
sent fine as task#3
sent finish-caught as task#2
sent finish-closure as task#1
sent return-closure as task#0
task#0 return-closure runs in pid unchanged
task#1 finish-closure runs in pid unchanged
task#2 finish-caught runs in pid unchanged
task#3 fine runs in pid unchanged
task() threw Exception: Serialization of 'Closure' is not allowed
task() threw RuntimeException: refusing to serialize
task() threw RuntimeException: refusing to serialize
Uncaught Exception: Serialization of 'Closure' is not allowed
WARNING	TaskWorker::task(): [Worker#1] the execution of task#0 has failed: its return value cannot be serialized
Uncaught RuntimeException: refusing to serialize
WARNING	TaskWorker::task(): [Worker#1] the execution of task#1 has failed: the Task callback threw
