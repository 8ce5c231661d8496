--TEST--
A Swoole\Table created before start() is the same memory in the master (rows set before start()), the manager, both event workers and both task workers: 4 processes incrementing one row 5000 times each give exactly 20000, 800 rows inserted at once by 4 processes are all there, a set() in one process is seen by get() and foreach in another
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
/** Sends `$msg` and returns the one-line reply (without its newline). */
function ask(TestServer $srv, string $msg, float $timeout = 10.0): string
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
/** Entries of `$dir` whose name the server could have made. */
function ours(string $dir): array
{
    return array_values(preg_grep('/swoole|table|rswoole/i', scandir($dir) ?: []));
}
$shm_before = ours('/dev/shm');
$srv = TestServer::start(<<<'PHP'
$table = new Swoole\Table(1024);
$table->column('n', Swoole\Table::TYPE_INT);
$table->column('f', Swoole\Table::TYPE_FLOAT);
$table->column('s', Swoole\Table::TYPE_STRING, 64);
$table->create();
$table->set('master', ['n' => getmypid(), 's' => 'set before start']);
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 2]);
$serv->on('ManagerStart', function ($s) use ($table) {
    $table->set('manager', ['n' => getmypid(), 's' => 'set by the manager']);
    rs_note('manager ' . getmypid() . ' saw: ' . $table->get('master', 's'));
});
$serv->on('ManagerStop', function ($s) use ($table) {
    // What the workers wrote after they started, seen by the manager.
    rs_note('manager at stop: hits ' . $table->get('hits', 'n') . ', reply ' . $table->get('reply', 's') . ', count ' . count($table));
});
$serv->on('WorkerStart', function ($s, $id) use ($table) {
    for ($i = 0; $i < 5000; $i++) {
        $table->incr('hits', 'n');
        $table->incr('hits', 'f', 0.5);
        if ($i % 25 === 0) {
            $table->set("w$id-" . ($i / 25), ['n' => $id, 'f' => $i, 's' => "worker $id row $i"]);
        }
    }
    rs_note("added $id");
});
$serv->on('Receive', function ($s, $fd, $rid, $data) use ($table) {
    if ($data === 'sum') {
        $s->send($fd, $table->get('hits', 'n') . ' ' . var_export($table->get('hits', 'f'), true) . "\n");
    } elseif ($data === 'rows') {
        // Every row the 4 workers inserted, as this event worker sees it with foreach.
        $seen = $wrong = 0;
        foreach ($table as $k => $row) {
            if (preg_match('/^w(\d)-(\d+)$/', $k, $m)) {
                $seen++;
                $i = $m[2] * 25;
                $wrong += $row !== ['n' => (int)$m[1], 'f' => (float)$i, 's' => "worker $m[1] row $i"];
            }
        }
        $s->send($fd, "count " . count($table) . ", worker rows $seen, wrong $wrong\n");
    } elseif ($data === 'early') {
        $s->send($fd, json_encode([$table->get('master'), $table->get('manager')]) . "\n");
    } elseif (str_starts_with($data, 'put ')) {
        // This event worker writes a row, a task worker reads it and writes one back.
        $table->set('msg', ['n' => getmypid(), 's' => substr($data, 4)]);
        $s->task('read msg', -1, function ($s, $id, $r) use ($fd, $table) {
            $reply = $table->get('reply');
            $r = json_decode($r, true);
            $s->send($fd, json_encode([
                'task worker read' => $r['msg']['s'],
                'written by this event worker' => $r['msg']['n'] === getmypid(),
                'task worker is another process' => $r['pid'] !== getmypid(),
                'event worker read back' => $reply['s'],
                'written by that task worker' => $reply['n'] === $r['pid'],
            ]) . "\n");
        });
    }
});
$serv->on('Task', function ($s, $id, $src, $data) use ($table) {
    $msg = $table->get('msg');
    $table->set('reply', ['n' => getmypid(), 's' => 'seen: ' . $msg['s']]);
    return json_encode(['msg' => $msg, 'pid' => getmypid()]);
});
$serv->on('Finish', function () {});
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('added', 4);
[$m] = $srv->waitNotes('manager ');
echo preg_replace('/^manager \d+/', 'manager', $m), "\n";
$manager = (int)explode(' ', $m)[1];
echo ask($srv, 'sum'), "\n";
echo ask($srv, 'rows'), "\n";
// Each of the two event workers answers some of these.
for ($i = 0; $i < 4; $i++) {
    echo ask($srv, 'rows'), "\n";
}
[$master, $mgr] = json_decode(ask($srv, 'early'), true);
echo "master's row: {$master['s']}, by the master: ", var_export($master['n'] === $srv->pid, true), "\n";
echo "manager's row: {$mgr['s']}, by the manager: ", var_export($mgr['n'] === $manager, true), "\n";
foreach (['hello', 'again'] as $word) {
    foreach (json_decode(ask($srv, "put $word"), true) ?? ['(no reply)' => null] as $k => $v) {
        echo "$k: ", var_export($v, true), "\n";
    }
}
echo "exit code: ", $srv->stop(), "\n";
echo implode("\n", $srv->waitNotes('manager at stop', 1, 1)), "\n";
echo $srv->output();
echo "new in /dev/shm: ", ($new = array_diff(ours('/dev/shm'), $shm_before)) ? implode(',', $new) : 'nothing', "\n";
?>
--EXPECT--
manager saw: set before start
20000 10000.0
count 803, worker rows 800, wrong 0
count 803, worker rows 800, wrong 0
count 803, worker rows 800, wrong 0
count 803, worker rows 800, wrong 0
count 803, worker rows 800, wrong 0
master's row: set before start, by the master: true
manager's row: set by the manager, by the manager: true
task worker read: 'hello'
written by this event worker: true
task worker is another process: true
event worker read back: 'seen: hello'
written by that task worker: true
task worker read: 'again'
written by this event worker: true
task worker is another process: true
event worker read back: 'seen: again'
written by that task worker: true
exit code: 0
manager at stop: hits 20000, reply seen: again, count 805
new in /dev/shm: nothing
