--TEST--
task() and finish() misuse: Swoole's warnings, false, no task id used up, nothing crashes
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    var_dump($s->task('x', 2));
    var_dump($s->task('x', -1, 'no_such_function'));
    var_dump($s->task('x', -1, [new stdClass, 'nope']));
    try {
        $s->task(function () {});
    } catch (Throwable $e) {
        echo get_class($e), ": ", $e->getMessage(), "\n";
    }
    var_dump($s->finish('x'));
    var_dump($s->task('x', -5));
    $s->send($fd, 'done');
});
$serv->on('Task', function ($s, $id, $src, $data) {
    $r = @$s->task('nested');
    rs_note("nested task: " . var_export($r, true) . ", " . error_get_last()['message']);
    return null;
});
$serv->on('WorkerStart', function ($s, $id) {
    if ($s->taskworker) {
        var_dump($s->finish('too early'));
        rs_note('task worker ready');
    }
});
rs_ready($serv);
$serv->start();
PHP);
// Both task workers' output first, then the event worker's.
$srv->waitNotes('task worker ready', 2);
var_dump($srv->request('go', 4));
echo implode("\n", $srv->waitNotes('nested task')), "\n";
echo "exit code: ", $srv->stop(), "\n";
$out = $srv->output();
echo substr_count($out, "Server::finish() can only be used while onTask runs"), " early finish warnings\n";
// The two task workers print their warning and bool(false) at the same time: their lines may
// interleave, so both kinds are counted and removed one by one.
$out = preg_replace('/\nWarning: [^\n]*can only be used while onTask runs[^\n]*\n/', '', $out, -1, $warned);
$out = preg_replace('/^bool\(false\)\n/m', '', $out, $warned, $falses);
echo "$falses early finish results false\n";
echo $out;
?>
--EXPECTF--
string(4) "done"
nested task: false, Swoole\Server::task(): Server->task() cannot use in the task-worker
exit code: 0
2 early finish warnings
2 early finish results false

Warning: Swoole\Server::task(): worker_id must be less than task_worker_num[2] in %s on line %d
bool(false)

Warning: Swoole\Server::task(): function 'no_such_function' is not callable in %s on line %d
bool(false)

Warning: Swoole\Server::task(): function 'stdClass::nope' is not callable in %s on line %d
bool(false)
Exception: Serialization of 'Closure' is not allowed

Warning: Swoole\Server::finish(): Server::finish() can only be used in the task worker process in %s on line %d
bool(false)
int(0)
