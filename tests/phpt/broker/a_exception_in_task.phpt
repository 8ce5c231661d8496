--TEST--
task_broker: an exception (or Error) thrown in onTask keeps the task worker and the server up; the sender's other tasks finish; task(), a per-task callback, taskwait() and taskWaitMulti() see the same as without a broker; tasking_num comes back to 0
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
require __DIR__ . '/../../include/redis.inc';
$redis = TestRedis::start();
const SCRIPT = <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$cfg = ['worker_num' => 1, 'task_worker_num' => 2];
if ((string)getenv('RS_REDIS') !== '') {
    $cfg += ['task_broker' => getenv('RS_REDIS'), 'task_broker_name' => 'aexc', 'task_broker_secret' => 'k3'];
}
$serv->set($cfg);
$serv->on('WorkerStart', function ($s, $id) {
    if ($s->taskworker) {
        $GLOBALS['first_pid'] = getmypid();
    }
});
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'stats') {
        $st = $s->stats();
        $s->send($fd, json_encode([$st['tasking_num'], $st['task_count']]) . "\n");
        return;
    }
    foreach (['a', 'throw', 'b', 'error', 'c'] as $d) {
        rs_note("sent $d as task#" . $s->task($d));
    }
    $id = $s->task('throw-cb', -1, function ($s, $id, $data) {
        rs_note("callback task#$id " . json_encode($data));
    });
    rs_note("sent throw-cb as task#$id");
    $t = microtime(true);
    $r = $s->taskwait('throw-wait', 10.0);
    rs_note("taskwait on a throwing task: " . var_export($r, true) . " error " . swoole_last_error() . (microtime(true) - $t < 5 ? " early" : " after the timeout"));
    rs_note("taskWaitMulti: " . json_encode($s->taskWaitMulti(['x', 'throw-multi', 'y'], 10.0)));
    rs_note("after: " . $s->taskwait('d', 10.0));
    $s->send($fd, "sent\n");
});
$serv->on('Task', function ($s, $id, $src, $data) {
    rs_note("task#$id $data runs in pid " . (getmypid() === ($GLOBALS['first_pid'] ?? 0) ? 'unchanged' : 'CHANGED'));
    if (str_starts_with($data, 'throw')) {
        throw new RuntimeException("boom in $data");
    }
    if ($data === 'error') {
        return a_function_that_does_not_exist();
    }
    return "$data result";
});
$serv->on('Finish', function ($s, $id, $data) {
    rs_note("finish task#$id: " . json_encode($data));
});
$serv->on('WorkerError', function ($s, $id) {
    rs_note("WorkerError $id");
});
rs_ready($serv);
$serv->start();
PHP;

/** Runs the script (through the broker at `$url`, or locally for ''); what the user sees. */
function run(string $url): string
{
    putenv("RS_REDIS=$url");
    $srv = TestServer::start(SCRIPT);
    $out = $srv->request('go', 5, 30);
    $srv->waitNotes('finish task#4');
    $srv->waitNotes('after:');
    // The thrown tasks' failure must reach the sender too: nothing stays counted in flight.
    $c = $srv->connect();
    $deadline = microtime(true) + 10;
    do {
        fwrite($c, 'stats');
        $stats = rtrim($srv->read($c, 7, 5));
    } while ($stats !== '[0,11]' && microtime(true) < $deadline && usleep(10000) === null);
    fclose($c);
    $out .= "stats (tasking_num, task_count): $stats\n";
    $out .= "exit code: " . $srv->stop() . "\n";
    $notes = $srv->notes();
    sort($notes);
    $out .= implode("\n", $notes) . "\n";
    // Errors of several processes interleave: their lines are shown sorted, without the time or pid.
    $lines = [];
    foreach (explode("\n", $srv->output()) as $line) {
        if (preg_match('/(Uncaught \w+: .*) in \S+:\d+$|\tWARNING\t(.*)$/', $line, $m)) {
            $lines[] = preg_replace('/\[Worker#\d+\]/', '[Worker#N]', $m[1] ?: $m[2]);
        } elseif (trim($line) !== '' && !preg_match('/^(Stack trace:|#\d|  thrown in|Fatal error: Uncaught)/', $line)) {
            $lines[] = "OTHER: $line";
        }
    }
    sort($lines);
    return $out . implode("\n", $lines) . "\n";
}
$local = run('');
$broker = run($redis->url());
echo $broker;
echo "same as without a broker: ", var_export($broker === $local, true), "\n";
if ($broker !== $local) {
    echo "---- without a broker:\n$local";
}
echo "entries added: ", a_redis_entries_added($redis, 'aexc:tasks'), "\n";
echo "pending: ", $redis->cmd('XPENDING', 'aexc:tasks', 'aexc:workers')[0], "\n";
?>
--EXPECT--
sent
stats (tasking_num, task_count): [0,11]
exit code: 0
after: d result
finish task#0: "a result"
finish task#2: "b result"
finish task#4: "c result"
sent a as task#0
sent b as task#2
sent c as task#4
sent error as task#3
sent throw as task#1
sent throw-cb as task#5
task#0 a runs in pid unchanged
task#1 throw runs in pid unchanged
task#10 d runs in pid unchanged
task#2 b runs in pid unchanged
task#3 error runs in pid unchanged
task#4 c runs in pid unchanged
task#5 throw-cb runs in pid unchanged
task#6 throw-wait runs in pid unchanged
task#7 x runs in pid unchanged
task#8 throw-multi runs in pid unchanged
task#9 y runs in pid unchanged
taskWaitMulti: {"0":"x result","2":"y result"}
taskwait on a throwing task: false error 6002 early
TaskWorker::task(): [Worker#N] the execution of task#1 has failed: the Task callback threw
TaskWorker::task(): [Worker#N] the execution of task#3 has failed: the Task callback threw
TaskWorker::task(): [Worker#N] the execution of task#5 has failed: the Task callback threw
TaskWorker::task(): [Worker#N] the execution of task#6 has failed: the Task callback threw
TaskWorker::task(): [Worker#N] the execution of task#8 has failed: the Task callback threw
Uncaught Error: Call to undefined function a_function_that_does_not_exist()
Uncaught RuntimeException: boom in throw
Uncaught RuntimeException: boom in throw-cb
Uncaught RuntimeException: boom in throw-multi
Uncaught RuntimeException: boom in throw-wait
same as without a broker: true
entries added: 11
pending: 0
