--TEST--
max_request: an event worker is replaced after that many requests (plus no grace at 5) under the same id; every request is answered, no task result is lost
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1, 'max_request' => 5]);
$serv->on('WorkerStart', fn($s, $id) => rs_note("start $id"));
$serv->on('WorkerStop', fn($s, $id) => rs_note("stop $id"));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $s->task($data, -1, function ($s, $id, $r) use ($fd) {
        $s->send($fd, sprintf('%s from %07d', $r, getmypid()));
    });
});
$serv->on('Task', fn($s, $id, $src, $data) => strtoupper($data));
rs_ready($serv);
$serv->start();
PHP);
$pids = [];
$answers = 0;
for ($i = 0; $i < 20; $i++) {
    // Each request on its own connection: a retiring worker closes its connections.
    $r = $srv->request(sprintf("req%02d", $i), 18);
    if (preg_match('/^REQ(\d\d) from (\d+)$/', $r, $m) && (int)$m[1] === $i) {
        $answers++;
        $pids[(int)$m[2]] = true;
    } else {
        echo "request $i: '$r'\n";
    }
}
echo "answers: $answers, event worker processes: ", count($pids), "\n";
$srv->waitNotes('start 0', 5);
echo "exit code: ", $srv->stop(), "\n";
$n = array_count_values($srv->notes());
echo "event worker starts: {$n['start 0']}, stops: {$n['stop 0']}; task worker starts: {$n['start 1']}\n";
echo $srv->output();
?>
--EXPECT--
answers: 20, event worker processes: 4
exit code: 0
event worker starts: 5, stops: 5; task worker starts: 1
