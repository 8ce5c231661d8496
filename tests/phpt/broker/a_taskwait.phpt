--TEST--
task_broker: taskwait() returns the result; on timeout false with error 6002 and the late result is dropped (no Finish, not the next call's answer); results that come during a taskwait are queued; a task that returns nothing ends the wait early
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
require __DIR__ . '/../../include/redis.inc';
$redis = TestRedis::start();
putenv('RS_REDIS=' . $redis->url());
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
// One task worker: the slow task's (late) result is written before anything sent after it runs.
$serv->set(['worker_num' => 1, 'task_worker_num' => 1, 'task_broker' => getenv('RS_REDIS'), 'task_broker_name' => 'atw', 'task_broker_secret' => 'k']);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    switch ($data) {
    case 'basic':
        rs_note("basic " . json_encode($s->taskwait('hello', 10.0)));
        rs_note("array " . json_encode($s->taskwait(['n' => 41], 10.0)));
        break;
    case 'queued':
        // bg runs first; its Finish must wait until this callback returns.
        $s->task('bg');
        rs_note("tw got " . $s->taskwait('tw', 10.0));
        break;
    case 'slow':
        $t = microtime(true);
        $r = $s->taskwait('slow', 0.2);
        $w = microtime(true) - $t;
        rs_note("slow " . var_export($r, true) . " error " . swoole_last_error() . " " . $s->getLastError() . " waited about the timeout: " . var_export($w >= 0.19 && $w < 2, true));
        break;
    case 'after':
        rs_note("after " . var_export($s->taskwait('after', 10.0), true));
        $s->task('plain');
        break;
    case 'noresult':
        $t = microtime(true);
        $r = $s->taskwait('nothing', 30.0);
        rs_note("noresult " . var_export($r, true) . (microtime(true) - $t < 10 ? " before the timeout" : " TIMED OUT"));
        $s->task('plain2');
        break;
    }
    $s->send($fd, "ok");
});
$serv->on('Task', function ($s, $id, $src, $data) {
    if ($data === 'slow') {
        $deadline = microtime(true) + 10;
        while (!file_exists(RS_DIR . '/release') && microtime(true) < $deadline) {
            usleep(2000);
        }
        rs_note("slow task returning");
        return 'late slow result';
    }
    if ($data === 'nothing') {
        return null;
    }
    if (is_array($data)) {
        return ['n' => $data['n'] + 1];
    }
    return "$data-result";
});
$serv->on('Finish', function ($s, $id, $data) {
    rs_note("finish $data");
});
rs_ready($serv);
$serv->start();
PHP);
foreach (['basic', 'queued', 'slow'] as $r) {
    var_dump($srv->request($r, 2, 15));
}
touch($srv->dir() . '/release');
$srv->waitNotes('slow task returning');
var_dump($srv->request('after', 2, 15));
$srv->waitNotes('finish plain-result');
var_dump($srv->request('noresult', 2, 15));
$srv->waitNotes('finish plain2-result');
echo "exit code: ", $srv->stop(), "\n";
echo implode("\n", $srv->notes()), "\n";
echo $srv->output();
echo "pending: ", $redis->cmd('XPENDING', 'atw:tasks', 'atw:workers')[0], "\n";
echo "queued: ", $redis->cmd('XLEN', 'atw:tasks'), "\n";
// Every task went through the broker: 2 basic, bg, tw, slow, after, plain, nothing, plain2.
echo "entries added: ", a_redis_entries_added($redis, 'atw:tasks'), "\n";
?>
--EXPECT--
string(2) "ok"
string(2) "ok"
string(2) "ok"
string(2) "ok"
string(2) "ok"
exit code: 0
basic "hello-result"
array {"n":42}
tw got tw-result
finish bg-result
slow false error 6002 6002 waited about the timeout: true
slow task returning
after 'after-result'
finish plain-result
noresult false before the timeout
finish plain2-result
pending: 0
queued: 0
entries added: 9
