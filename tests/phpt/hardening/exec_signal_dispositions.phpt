--TEST--
A program that a worker (Task, Receive) or the manager (ManagerStart) runs gets default signal dispositions: SIGINT, SIGUSR1, SIGUSR2, SIGPIPE and SIGTERM are neither ignored nor blocked in it
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
/** SigIgn/SigBlk of a program this process runs (grep reads its own status). */
function rs_exec_masks(): string {
    return str_replace("\n", ' ', trim((string)shell_exec('grep -E "^Sig(Ign|Blk)" /proc/self/status')));
}
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1]);
$serv->on('ManagerStart', fn($s) => rs_note('manager ' . rs_exec_masks()));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $s->send($fd, json_encode(['event worker' => rs_exec_masks(), 'task worker' => $s->taskwait('masks', 5.0)]) . "\n");
});
$serv->on('Task', fn($s, $id, $src, $data) => rs_exec_masks());
rs_ready($serv);
$serv->start();
PHP);
$c = $srv->connect();
fwrite($c, 'go');
$line = '';
$deadline = microtime(true) + 10;
while (!str_ends_with($line, "\n") && microtime(true) < $deadline) {
    $line .= $srv->read($c, 1, 10);
}
fclose($c);
$seen = json_decode($line, true) ?: [];
$seen['manager'] = substr($srv->waitNotes('manager')[0], 8);
$signals = ['SIGINT' => 2, 'SIGUSR1' => 10, 'SIGUSR2' => 12, 'SIGPIPE' => 13, 'SIGTERM' => 15];
foreach (['task worker', 'event worker', 'manager'] as $who) {
    $s = $seen[$who] ?? '';
    if (!preg_match('/^SigBlk:\s*([0-9a-f]{16}) SigIgn:\s*([0-9a-f]{16})$/', $s, $m)) {
        echo "$who: no masks read: ", json_encode($s), "\n";
        continue;
    }
    foreach (['blocked' => $m[1], 'ignored' => $m[2]] as $what => $hex) {
        $mask = hexdec($hex);
        $bad = array_keys(array_filter($signals, fn($n) => ($mask >> ($n - 1)) & 1));
        echo "a program run by the $who: $what: ", $bad ? implode(', ', $bad) : 'none of them', "\n";
    }
}
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
a program run by the task worker: blocked: none of them
a program run by the task worker: ignored: none of them
a program run by the event worker: blocked: none of them
a program run by the event worker: ignored: none of them
a program run by the manager: blocked: none of them
a program run by the manager: ignored: none of them
exit code: 0
