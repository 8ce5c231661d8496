--TEST--
Timers in a task worker: a tick added in the task worker's onWorkerStart fires while no task ever came; an after(100) added in onTask fires after onTask returned, with no new task arriving; a tick added in onTask runs until it clears itself; timer callbacks never run inside onTask: they run between tasks, also around a long task and between 30 queued tasks; the task worker's ids count from 1
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
function n(string $k, $v): void { rs_note("$k " . json_encode($v)); }
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$depth = 0;      // 1 while onTask runs
$max_depth = 0;  // the most seen by a timer callback
$tasks = 0;
$ticks = 0;
$serv->on('WorkerStart', function ($s, $wid) use (&$depth, &$max_depth, &$ticks) {
    if (!$s->taskworker) {
        return;
    }
    n('task worker before timers', Swoole\Timer::stats());
    $id = Swoole\Timer::tick(30, function ($id) use (&$depth, &$max_depth, &$ticks) {
        $max_depth = max($max_depth, $depth);
        $ticks++;
        if ($ticks === 5 || $ticks === 15) {
            n("task tick $ticks", ['id' => $id, 'inside onTask' => $depth > 0]);
        }
    });
    n('task worker tick id', $id);
});
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    // 'batch': 30 tasks of 20 ms each, queued at once.
    foreach ($data === 'batch' ? range(1, 30) : [1] as $_) {
        $s->task([$fd, $data]);
    }
});
$serv->on('Task', function ($s, $task_id, $src, $req) use (&$depth, &$max_depth, &$tasks, &$ticks) {
    [$fd, $cmd] = $req;
    $depth++;
    $tasks++;
    try {
        if ($cmd === 'arm') {
            $t = microtime(true);
            $id = Swoole\Timer::after(100, function ($arg) use (&$depth, &$max_depth, &$tasks, $t) {
                $max_depth = max($max_depth, $depth);
                n('after fired', ['arg' => $arg, 'inside onTask' => $depth > 0, 'tasks run so far' => $tasks,
                    'not early' => microtime(true) - $t >= 0.099]);
            }, 'hello');
            return [$fd, "armed $id"];
        }
        if ($cmd === 'tick') {
            $runs = 0;
            $id = Swoole\Timer::tick(20, function ($id, $a, $b) use (&$runs, &$depth, &$max_depth) {
                $max_depth = max($max_depth, $depth);
                $runs++;
                n("onTask tick run $runs", ['id' => $id, 'args' => [$a, $b], 'inside onTask' => $depth > 0]);
                if ($runs === 3) {
                    n('onTask tick clears itself', Swoole\Timer::clear($id));
                }
            }, 'a', 'b');
            return [$fd, "tick $id"];
        }
        if ($cmd === 'long') {
            $before = $ticks;
            usleep(300000);
            return [$fd, "ticks inside the long task: " . ($ticks - $before)];
        }
        if ($cmd === 'batch') {
            usleep(20000);
            return [$fd, null, $ticks];
        }
        if ($cmd === 'report') {
            return [$fd, json_encode(['max depth in timers' => $max_depth, 'list' => Swoole\Timer::list(),
                'initialized' => Swoole\Timer::stats()['initialized'], 'ticks went on' => $ticks >= 15])];
        }
        return [$fd, "?"];
    } finally {
        $depth--;
    }
});
$batch = [];
$serv->on('Finish', function ($s, $task_id, $res) use (&$batch) {
    if ($res[1] !== null) {
        $s->send($res[0], $res[1] . "\n");
        return;
    }
    $batch[] = $res[2];
    if (count($batch) === 30) {
        $s->send($res[0], 'ticks while 30 queued tasks ran: ' . (max($batch) - min($batch) >= 5 ? 'at least 5' : 'FEWER THAN 5: ' . json_encode($batch)) . "\n");
    }
});
rs_ready($serv);
$serv->start();
PHP);

function ask(TestServer $srv, string $msg): string
{
    $c = $srv->connect();
    fwrite($c, $msg);
    $got = '';
    $deadline = microtime(true) + 5;
    while (!str_ends_with($got, "\n") && microtime(true) < $deadline) {
        $got .= $srv->read($c, 1, 0.05);
    }
    fclose($c);
    return rtrim($got, "\n") ?: '(no reply)';
}

$show = function (array $lines) {
    echo implode("\n", $lines), "\n";
};
$show($srv->waitNotes('task worker'));
// No task has been sent yet: the idle task worker fires its tick.
$show($srv->waitNotes('task tick 5'));
echo ask($srv, 'arm'), "\n";
// Nothing more is sent: the after() fires while the task worker waits for its next task.
$show($srv->waitNotes('after fired'));
echo ask($srv, 'tick'), "\n";
$show($srv->waitNotes('onTask tick clears itself'));
$show(array_values(preg_grep('/^onTask tick run/', $srv->notes())));
echo ask($srv, 'long'), "\n";
echo ask($srv, 'batch'), "\n";
$show($srv->waitNotes('task tick 15'));
echo ask($srv, 'report'), "\n";
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
task worker before timers {"initialized":false,"num":0,"round":0}
task worker tick id 1
task tick 5 {"id":1,"inside onTask":false}
armed 2
after fired {"arg":"hello","inside onTask":false,"tasks run so far":1,"not early":true}
tick 3
onTask tick clears itself true
onTask tick run 1 {"id":3,"args":["a","b"],"inside onTask":false}
onTask tick run 2 {"id":3,"args":["a","b"],"inside onTask":false}
onTask tick run 3 {"id":3,"args":["a","b"],"inside onTask":false}
ticks inside the long task: 0
ticks while 30 queued tasks ran: at least 5
task tick 15 {"id":1,"inside onTask":false}
{"max depth in timers":0,"list":[1],"initialized":true,"ticks went on":true}
exit code: 0
