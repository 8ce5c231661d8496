--TEST--
PROCESS mode: a request whose callback kills its worker (a fatal error) is run once more by the successor; when it kills that one too it is dropped with a log line and the connection's next requests are served, instead of every successor dying on it in turn
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 1, 'open_eof_split' => true, 'package_eof' => "\n", 'log_file' => RS_DIR . '/server.log']);
$serv->on('WorkerStart', fn($s, $id) => rs_note('start ' . getmypid()));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $line = rtrim($data);
    rs_note("run $line in " . getmypid());
    if ($line === 'boom') {
        // A fatal error (memory_limit): PHP bails out and the worker process ends.
        $blob = str_repeat('x', 1 << 30);
    }
    $s->send($fd, "ok $line\n");
});
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('start');
$c = $srv->connect();
fwrite($c, "first\n");
echo fgets($c);
fwrite($c, "boom\nafter\n");
stream_set_timeout($c, 15);
echo fgets($c);
$runs = array_values(preg_grep('/^run boom/', $srv->notes()));
echo "boom ran ", count($runs), " times, in ", count(array_unique(array_map(fn($l) => explode(' ', $l)[3], $runs))), " processes\n";
echo "processes started: ", count(preg_grep('/^start/', $srv->notes())), "\n";
// Behind a request in the same read, so its reply is still held for the batch when the
// poison request kills the worker: that request is run again, the poison one dropped.
$c2 = $srv->connect();
fwrite($c2, "a\nboom\nb\n");
stream_set_timeout($c2, 15);
echo fgets($c2), fgets($c2);
stream_set_timeout($c2, 0, 300000);
echo "nothing else: ", json_encode(fgets($c2)), "\n";
echo "boom ran ", count(preg_grep('/^run boom/', $srv->notes())), " times in all\n";
fclose($c2);
fclose($c);
echo "exit code: ", $srv->stop(), "\n";
$log = file_get_contents($srv->dir() . '/server.log');
echo preg_match_all('/ERROR\tWorker::link\(\): worker#0: an event \(reactor#0, frame \d\) killed two processes in a row; it is dropped/', $log), "\n";
echo substr_count($srv->output(), "Allowed memory size of"), " fatal errors reported\n";
?>
--EXPECT--
ok first
ok after
boom ran 2 times, in 2 processes
processes started: 3
ok a
ok b
nothing else: false
boom ran 4 times in all
exit code: 0
2
4 fatal errors reported
