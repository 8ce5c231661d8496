--TEST--
Back-pressure: 10,000 tasks to slow task workers wait in a bounded backlog, none is dropped; stuck task workers make task() fail after task_backlog_timeout with a warning, never silently
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2, 'task_backlog' => 100, 'task_backlog_timeout' => 0.3]);
$finished = 0;
$accepted = 0;
$serv->on('Receive', function ($s, $fd, $rid, $data) use (&$finished, &$accepted) {
    if ($data === 'ping') {
        $s->send($fd, 'pong');
        return;
    }
    $payload = str_repeat('p', 10000);
    $n = $data === 'slow' ? 10000 : 3000;
    $peak = 0;
    $refused = 0;
    $accepted = 0;
    $finished = 0;
    for ($i = 0; $i < $n; $i++) {
        if ($s->task("$data:$i:$payload") === false) {
            $refused++;
        } else {
            $accepted++;
        }
        $peak = max($peak, $s->stats()['worker_task_backlog']);
    }
    rs_note("$data: $accepted accepted, $refused refused, backlog peak " . ($peak <= 100 ? "within the bound" : "$peak ABOVE THE BOUND") . ($peak > 0 ? '' : ' (NEVER USED)'));
    if ($data === 'stuck') {
        touch(RS_DIR . '/release');
    }
    $s->send($fd, 'sent');
});
$serv->on('Task', function ($s, $id, $src, $data) {
    if (str_starts_with($data, 'stuck')) {
        $deadline = microtime(true) + 10;
        while (!file_exists(RS_DIR . '/release') && microtime(true) < $deadline) {
            usleep(1000);
        }
    } else {
        usleep(200);
    }
    return strlen($data);
});
$serv->on('Finish', function ($s, $id, $data) use (&$finished, &$accepted) {
    if (++$finished === $accepted) {
        $st = $s->stats();
        rs_note("all $finished finished; tasking_num {$st['tasking_num']}, backlog {$st['worker_task_backlog']}");
    }
});
rs_ready($serv);
$serv->start();
PHP);
var_dump($srv->request('slow', 4, 60));
$srv->waitNotes('all 10000 finished', 1, 60);
var_dump($srv->request('ping', 4));
$c = $srv->connect();
fwrite($c, 'stuck');
var_dump($srv->read($c, 4, 60));
$srv->waitNotes('all', 2, 60);
echo "exit code: ", $srv->stop(), "\n";
$notes = $srv->notes();
echo preg_replace('/\d+ accepted, (\d+) refused/', 'N accepted, M refused', $notes[2]), "\n";
preg_match('/stuck: (\d+) accepted, (\d+) refused/', $notes[2], $m);
echo "stuck: some refused: ", var_export($m[2] > 0, true), ", accepted + refused = ", $m[1] + $m[2], "\n";
echo $notes[0], "\n", $notes[1], "\n";
echo str_replace("all {$m[1]} finished", 'all accepted finished', $notes[3]), "\n";
$warnings = substr_count($srv->output(), 'task backlog is full');
echo "warnings = refused: ", var_export($warnings == $m[2], true), "\n";
?>
--EXPECT--
string(4) "sent"
string(4) "pong"
string(4) "sent"
exit code: 0
stuck: N accepted, M refused, backlog peak within the bound
stuck: some refused: true, accepted + refused = 3000
slow: 10000 accepted, 0 refused, backlog peak within the bound
all 10000 finished; tasking_num 0, backlog 0
all accepted finished; tasking_num 0, backlog 0
warnings = refused: true
