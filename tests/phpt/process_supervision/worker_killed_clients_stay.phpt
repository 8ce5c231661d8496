--TEST--
PROCESS mode: an event worker SIGKILLed while clients are connected closes no connection; lines pipelined right after the kill are answered in order by its successor, and the request the dead worker was running is run again by the successor (never silently dropped)
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2, 'open_eof_split' => true, 'package_eof' => "\n", 'log_file' => RS_DIR . '/server.log']);
$serv->on('WorkerStart', fn($s, $id) => rs_note("start $id " . getmypid()));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $line = rtrim($data);
    if ($line === 'slow') {
        rs_note("slow-begin " . getmypid());
        // Runs until the test kills this worker (bounded, so a broken test cannot hang).
        $deadline = microtime(true) + 10;
        while (!file_exists(RS_DIR . '/release') && microtime(true) < $deadline) {
            usleep(2000);
            if (count(array_filter(file(RS_DIR . '/notes'), fn($l) => str_starts_with($l, 'start 0'))) > 1) {
                break;
            }
        }
    }
    $s->send($fd, "$line by " . getmypid() . "\n");
});
rs_ready($serv);
$serv->start();
PHP);
$pids = [];
foreach ($srv->waitNotes('start', 2) as $l) {
    [, $id, $pid] = explode(' ', $l);
    $pids[(int)$id] = (int)$pid;
}
// Four clients: with dispatch_mode 2, fds 2 and 4 go to worker 0, 1 and 3 to worker 1.
$clients = [];
for ($i = 1; $i <= 4; $i++) {
    $clients[$i] = $srv->connect();
    fwrite($clients[$i], "hello $i\n");
    echo "client $i: ", preg_replace('/by \d+/', 'by pid', rtrim((string)fgets($clients[$i]))), "\n";
}
// Client 2 (worker 0) starts a request that is running when the worker dies.
fwrite($clients[2], "slow\n");
$srv->waitNotes('slow-begin', 1);
posix_kill($pids[0], SIGKILL);
// Right after the kill, every client pipelines three lines.
foreach ($clients as $i => $c) {
    fwrite($c, "a$i\nb$i\nc$i\n");
}
$successor = (int)explode(' ', $srv->waitNotes('start 0', 2)[1])[2];
foreach ($clients as $i => $c) {
    $want = $i === 2 ? 4 : 3;
    $lines = [];
    $deadline = microtime(true) + 5;
    while (count($lines) < $want && microtime(true) < $deadline) {
        $l = fgets($c);
        if ($l === false) {
            if (feof($c)) {
                echo "client $i: EOF\n";
                break;
            }
            continue;
        }
        $lines[] = rtrim($l);
    }
    $by = array_map(function ($l) use ($successor, $pids) {
        [$what, , $pid] = explode(' ', $l);
        $who = (int)$pid === $successor ? 'successor' : ((int)$pid === $pids[1] ? 'worker1' : "pid $pid");
        return "$what/$who";
    }, $lines);
    echo "client $i: ", implode(' ', $by), "\n";
}
foreach ($clients as $c) {
    fclose($c);
}
echo "exit code: ", $srv->stop(), "\n";
$log = file_get_contents($srv->dir() . '/server.log');
echo preg_match("/WARNING\tManager::wait\\(\\): worker\\(pid={$pids[0]}, id=0\\) abnormal exit, status=0, signal=9/", $log), "\n";
?>
--EXPECT--
client 1: hello 1 by pid
client 2: hello 2 by pid
client 3: hello 3 by pid
client 4: hello 4 by pid
client 1: a1/worker1 b1/worker1 c1/worker1
client 2: slow/successor a2/successor b2/successor c2/successor
client 3: a3/worker1 b3/worker1 c3/worker1
client 4: a4/successor b4/successor c4/successor
exit code: 0
1
