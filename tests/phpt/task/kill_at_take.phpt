--TEST--
A task worker killed right before it takes a datagram loses nothing (the datagram stays for its successor, nothing is reported); killed right after, the tasks it took are reported lost by id, never run, and the books balance
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$dir = sys_get_temp_dir() . '/rswoole-take-' . getmypid();
@mkdir($dir);
putenv("RSWOOLE_FAULT=kill_before_take@$dir/before,kill_after_take@$dir/after");
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1, 'log_file' => RS_DIR . '/server.log']);
$serv->on('WorkerError', fn($s, $id, $pid, $code, $sig) => rs_note("error $id $code $sig"));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    foreach (explode(',', $data) as $t) {
        rs_note("sent " . $s->task($t) . " $t");
    }
    $s->send($fd, 'ok');
});
$serv->on('Task', function ($s, $id, $src, $data) {
    rs_note("ran $id $data");
    return $data;
});
$serv->on('Finish', function ($s, $id, $data) {
    $st = $s->stats();
    rs_note("finish $id $data lost={$st['task_lost_num']} tasking={$st['tasking_num']}");
});
rs_ready($serv);
$serv->start();
PHP);
putenv('RSWOOLE_FAULT');
var_dump($srv->request('A', 2));
$srv->waitNotes('finish', 1);
// Armed while the worker sleeps in its receive: B is taken and runs, and the kill comes at the
// next receive, when nothing is taken.
touch("$dir/before");
var_dump($srv->request('B', 2));
$srv->waitNotes('finish', 2);
$srv->waitNotes('error', 1);
var_dump($srv->request('C', 2));
$srv->waitNotes('finish', 3);
// Armed now: the successor's next receive takes D1 (maybe more) and dies before running it.
touch("$dir/after");
var_dump($srv->request('D1,D2,D3', 2));
$srv->waitNotes('error', 2);
$srv->waitUntil(function () use ($srv) {
    $lost = substr_count($srv->output(), 'was lost before it started');
    $done = count(array_filter($srv->notes(), fn($n) => preg_match('/^finish \d+ D/', $n)));
    return $lost >= 1 && $lost + $done === 3;
}, 10, "D1..D3 finished or reported");
var_dump($srv->request('E', 2));
$srv->waitUntil(fn() => preg_grep('/^finish \d+ E /', $srv->notes()), 10, "E's Finish");
echo "exit code: ", $srv->stop(), "\n";
$notes = $srv->notes();
echo implode("\n", array_filter($notes, fn($n) => str_starts_with($n, 'error'))), "\n";
$sent = [];
foreach ($notes as $n) {
    if (preg_match('/^sent (\d+) (\w+)/', $n, $m)) {
        $sent[$m[1]] = $m[2];
    }
}
$log = file_get_contents($srv->dir() . '/server.log');
preg_match_all('/task#(\d+) of worker#0 was lost before it started/', $log, $m);
$lost = $m[1];
$ran = array_map(fn($n) => explode(' ', $n)[2], array_filter($notes, fn($n) => str_starts_with($n, 'ran')));
$finished = array_map(fn($n) => explode(' ', $n)[2], array_filter($notes, fn($n) => str_starts_with($n, 'finish')));
echo "lost: ", implode(',', array_map(fn($id) => $sent[$id], $lost)), "\n";
echo "a lost task ran: ", var_export((bool)array_intersect(array_map(fn($id) => $sent[$id], $lost), $ran), true), "\n";
echo "every other task ran once and finished once: ", var_export(array_count_values($finished) === array_fill_keys(array_diff(array_values($sent), array_map(fn($id) => $sent[$id], $lost)), 1) && count($ran) === count(array_unique($ran)), true), "\n";
echo "other 'was lost' lines: ", preg_match_all('/was lost(?! before it started)/', $log), "\n";
$last = end($notes);
echo "last Finish sees: ", substr($last, strpos($last, 'lost=')), " (lost ", count($lost), ")\n";
echo "warnings to the sender: ", substr_count($srv->output(), 'was lost before it started'), "\n";
@rmdir($dir);
?>
--EXPECTF--
string(2) "ok"
string(2) "ok"
string(2) "ok"
string(2) "ok"
string(2) "ok"
exit code: 0
error 1 0 9
error 1 0 9
lost: D%s
a lost task ran: false
every other task ran once and finished once: true
other 'was lost' lines: 0
last Finish sees: lost=%d tasking=0 (lost %d)
warnings to the sender: %d
