--TEST--
task_broker: tasks sent by a server whose task_broker_secret differs from the task host's are never run there: the host drops them unread with a warning and counts them; the sender's taskwait() times out; a task signed with the host's secret still runs on it
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
require __DIR__ . '/../../include/redis.inc';
$redis = TestRedis::start();
putenv('RS_REDIS=' . $redis->url());
// A host with task workers only, and a sender with event workers only, on one queue.
$host = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 0, 'task_worker_num' => 1, 'task_broker' => getenv('RS_REDIS'), 'task_broker_name' => 'aos', 'task_broker_secret' => 'host-secret']);
$serv->on('Receive', function () {});
$serv->on('WorkerStart', function ($s, $id) { rs_note("host worker $id started"); });
$serv->on('Task', function ($s, $id, $src, $data) {
    if ($data === 'rejected?') {
        return $s->stats()['task_broker_rejected'];
    }
    rs_note("HOST Task saw " . json_encode($data));
    return 'host result';
});
rs_ready($serv);
$serv->start();
PHP);
$host->waitNotes('host worker');
$snd = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 0, 'task_broker' => getenv('RS_REDIS'), 'task_broker_name' => 'aos', 'task_broker_secret' => 'sender-secret']);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $t = microtime(true);
    $r = $s->taskwait('tw', 1.0);
    rs_note("taskwait " . var_export($r, true) . " error " . swoole_last_error() . ", waited the timeout: " . var_export(microtime(true) - $t >= 0.95, true));
    rs_note("task() id " . var_export($s->task('async'), true));
    $s->send($fd, "ok");
});
$serv->on('Finish', function ($s, $id, $data) { rs_note("SENDER finish $id " . json_encode($data)); });
rs_ready($serv);
$serv->start();
PHP);
var_dump($snd->request('go', 2, 20));
$host->waitOutput("not signed with this queue's task_broker_secret", 10, 2);
$host->waitUntil(fn() => $redis->cmd('XLEN', 'aos:tasks') === 0 && $redis->cmd('XPENDING', 'aos:tasks', 'aos:workers')[0] === 0, 10, 'the stream to empty');
// Ask the host (with a task signed with its secret) how many it rejected; read the result frame.
$reply = 'aos:results:the-test:0:0';
$f = a_task_frame(serialize('rejected?'), 5, 0, 0, 129);
$redis->cmd('XADD', 'aos:tasks', '*', 'f', $f, 'r', $reply, 's', a_task_signature('host-secret', 'aos', $reply, $f));
$res = $host->waitUntil(fn() => $redis->cmd('XRANGE', $reply, '-', '+'), 10, 'the host to answer');
$fields = $res[0][1];
$frame = $fields[array_search('f', $fields, true) + 1];
$h = unpack('Ckind/Cflags/x2/Vsrc/Vgen/Ptask/Vlen', $frame);
echo "host's task_broker_rejected (task#{$h['task']}): ", var_export(unserialize(substr($frame, 24)), true), "\n";
echo "sender exit code: ", $snd->stop(), "\n";
echo "host exit code: ", $host->stop(), "\n";
echo "sender:\n", implode("\n", $snd->notes()), "\n";
echo "host:\n", implode("\n", $host->notes()), "\n";
preg_match_all("/WARNING\tBroker::take\(\): (\d+) entr(?:y|ies) of aos:tasks dropped unread: not signed with this queue's task_broker_secret/", $host->output(), $m);
echo "entries the host warned about: ", array_sum($m[1]), "\n";
echo "pending: ", $redis->cmd('XPENDING', 'aos:tasks', 'aos:workers')[0], "\n";
echo "queued: ", $redis->cmd('XLEN', 'aos:tasks'), "\n";
?>
--EXPECT--
string(2) "ok"
host's task_broker_rejected (task#5): 2
sender exit code: 0
host exit code: 0
sender:
taskwait false error 6002, waited the timeout: true
task() id 1
host:
host worker 0 started
entries the host warned about: 2
pending: 0
queued: 0
