--TEST--
taskwait(): result or false with error 6002 on timeout, late results dropped, dst honoured, other results queued meanwhile
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    switch ($data) {
    case 'basic':
        rs_note("basic " . json_encode($s->taskwait('hello', 5.0)));
        rs_note("array " . json_encode($s->taskwait(['n' => 41], 5.0)));
        rs_note("dst " . $s->taskwait('where', 5.0, 1));
        rs_note("dst " . $s->taskwait('where', 5.0, 0));
        break;
    case 'queued':
        // bg runs first on task worker 0; its Finish must wait until this callback returns.
        $s->task('bg', 0);
        rs_note("tw got " . $s->taskwait('tw', 5.0, 0));
        break;
    case 'slow':
        $t = microtime(true);
        $r = $s->taskwait('slow', 0.05);
        rs_note("slow " . var_export($r, true) . " error " . swoole_last_error() . " " . $s->getLastError());
        break;
    case 'after':
        rs_note("after " . $s->taskwait('after', 5.0));
        break;
    case 'noresult':
        $t = microtime(true);
        $r = $s->taskwait('nothing', 30.0);
        rs_note("noresult " . var_export($r, true) . (microtime(true) - $t < 10 ? " before the timeout" : " TIMED OUT"));
        $s->task('plain');
        break;
    }
    $s->send($fd, "ok");
});
$serv->on('Task', function ($s, $id, $src, $data) {
    if ($data === 'slow') {
        // Outlives the caller's timeout; its result must never surface anywhere.
        $deadline = microtime(true) + 10;
        while (!file_exists(RS_DIR . '/release') && microtime(true) < $deadline) {
            usleep(2000);
        }
        rs_note("slow task returning");
        return 'late slow result';
    }
    if ($data === 'where') {
        return "ran on " . $s->worker_id;
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
    var_dump($srv->request($r, 2));
}
touch($srv->dir() . '/release');
$srv->waitNotes('slow task returning');
var_dump($srv->request('after', 2));
var_dump($srv->request('noresult', 2));
$srv->waitNotes('finish plain-result');
echo "exit code: ", $srv->stop(), "\n";
echo implode("\n", $srv->notes()), "\n";
echo $srv->output();
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
dst ran on 2
dst ran on 1
tw got tw-result
finish bg-result
slow false error 6002 6002
slow task returning
after after-result
noresult false before the timeout
finish plain-result
