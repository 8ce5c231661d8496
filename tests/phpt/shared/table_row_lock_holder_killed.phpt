--TEST--
Swoole\Table row locks are robust: a task worker SIGKILLed while it holds a row's lock in set() (RSWOOLE_FAULT=table_row_locked with a flag file), on an existing row and on a new one, does not freeze the event worker: its get() and set() of the same key return within 5 s with the values written before the kill and one "died holding" warning; the restarted task worker uses the rows as usual
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
/** Sends `$msg` and returns the one-line reply (without its newline). */
function ask(TestServer $srv, string $msg, float $timeout = 15.0): string
{
    $c = $srv->connect();
    fwrite($c, $msg);
    $got = '';
    $deadline = microtime(true) + $timeout;
    while (!str_ends_with($got, "\n") && microtime(true) < $deadline) {
        $got .= $srv->read($c, 1, max(0.01, $deadline - microtime(true)));
    }
    fclose($c);
    return str_ends_with($got, "\n") ? substr($got, 0, -1) : "(no full reply: '$got')";
}
$srv = TestServer::start(<<<'PHP'
// The fault fires only in the process that removes the flag file, whether the extension reads
// RSWOOLE_FAULT once at start or at each set(): every worker clears the variable when it starts,
// and the task worker to kill sets it again and makes the flag right before its set().
$fault = 'table_row_locked@' . RS_DIR . '/row_fault';
putenv("RSWOOLE_FAULT=$fault");
$table = new Swoole\Table(64);
$table->column('v', Swoole\Table::TYPE_INT);
$table->column('who', Swoole\Table::TYPE_STRING, 16);
$table->create();
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$serv->on('WorkerStart', function ($s, $id) use ($table) {
    putenv('RSWOOLE_FAULT');
    if ($id === 0) {
        $table->set('k', ['v' => 1, 'who' => 'event worker']);
    }
});
$serv->on('Receive', function ($s, $fd, $rid, $data) use ($table) {
    [$cmd, $key] = explode(' ', $data);
    if ($cmd === 'kill') {
        $s->task($data);
        $s->send($fd, "task sent\n");
    } elseif ($cmd === 'get') {
        // The first to touch the row after its holder died: takes the lock over.
        $t = microtime(true);
        $row = $table->get($key);
        $got = microtime(true) - $t < 5;
        $t = microtime(true);
        $set = $table->set($key, ['v' => 3, 'who' => 'event worker']);
        $set = var_export($set, true) . ' ' . var_export(microtime(true) - $t < 5, true);
        $s->send($fd, "get within 5 s: " . var_export($got, true) . ' ' . json_encode($row)
            . ", set within 5 s: $set, now " . json_encode($table->get($key)) . ", count " . count($table) . "\n");
    } elseif ($cmd === 'task') {
        $s->task($data, -1, fn($s, $id, $r) => $s->send($fd, "$r\n"));
    }
});
$serv->on('Task', function ($s, $id, $src, $data) use ($table, $fault) {
    [$cmd, $key] = explode(' ', $data);
    if ($cmd === 'kill') {
        rs_note("task worker " . getmypid() . " sets '$key' with the fault on");
        putenv("RSWOOLE_FAULT=$fault");
        touch(RS_DIR . '/row_fault');
        $table->set($key, ['v' => 2, 'who' => 'killed']);
        putenv('RSWOOLE_FAULT');
        rs_note("task worker still alive after set('$key')");
        return null;
    }
    $t = microtime(true);
    $v = $table->incr($key, 'v', 10);
    $ok = $table->set($key, ['who' => 'new task worker']);
    return "new task worker: incr " . var_export($v, true) . ', set ' . var_export($ok, true)
        . ', within 5 s: ' . var_export(microtime(true) - $t < 5, true) . ', row ' . json_encode($table->get($key));
});
$serv->on('Finish', function () {});
$serv->on('WorkerError', function ($s, $id, $pid, $code, $sig) {
    rs_note("WorkerError $id pid $pid signal $sig");
});
rs_ready($serv);
$serv->start();
PHP);
foreach (['k' => 'an existing row', 'fresh' => 'a new row'] as $key => $what) {
    echo "-- $what\n";
    echo ask($srv, "kill $key"), "\n";
    $n = $key === 'k' ? 1 : 2;
    $note = $srv->waitNotes('task worker ', $n)[$n - 1];
    $victim = (int)explode(' ', $note)[2];
    echo preg_replace('/^task worker \d+/', 'task worker', $note), "\n";
    $err = $srv->waitNotes('WorkerError', $n)[$n - 1];
    echo "WorkerError of that task worker: ", var_export($err === "WorkerError 1 pid $victim signal 9", true), "\n";
    echo ask($srv, "get $key"), "\n";
    echo ask($srv, "task $key"), "\n";
}
echo ask($srv, 'get other'), "\n";
echo "exit code: ", $srv->stop(), "\n";
$notes = $srv->notes();
echo "still alive after a set with the fault on: ", count(preg_grep('/still alive/', $notes)), "\n";
// The takeovers as the takers' warnings (the log lines of the kills are not compared).
$taken = preg_grep('/^Warning: .*died holding/', explode("\n", $srv->output()));
echo count($taken), " takeover warnings\n", implode("\n", $taken), "\n";
?>
--EXPECTF--
-- an existing row
task sent
task worker sets 'k' with the fault on
WorkerError of that task worker: true
get within 5 s: true {"v":2,"who":"killed"}, set within 5 s: true true, now {"v":3,"who":"event worker"}, count 1
new task worker: incr 13, set true, within 5 s: true, row {"v":13,"who":"new task worker"}
-- a new row
task sent
task worker sets 'fresh' with the fault on
WorkerError of that task worker: true
get within 5 s: true {"v":2,"who":"killed"}, set within 5 s: true true, now {"v":3,"who":"event worker"}, count 2
new task worker: incr 13, set true, within 5 s: true, row {"v":13,"who":"new task worker"}
get within 5 s: true false, set within 5 s: true true, now {"v":3,"who":"event worker"}, count 3
exit code: 0
still alive after a set with the fault on: 0
2 takeover warnings
Warning: Swoole\Table::%s(): %sdied holding%s in %s on line %d
Warning: Swoole\Table::%s(): %sdied holding%s in %s on line %d
