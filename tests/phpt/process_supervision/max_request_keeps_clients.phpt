--TEST--
PROCESS mode: with max_request 5 the event worker is replaced every 5 requests while one client stays connected; all 23 of its requests are answered, in order, by at least 4 processes, and the client never sees its connection close
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 1, 'max_request' => 5, 'max_request_grace' => 0, 'open_eof_split' => true, 'package_eof' => "\n"]);
$serv->on('WorkerStart', fn($s, $id) => rs_note('start ' . getmypid()));
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->send($fd, rtrim($data) . ' ' . getmypid() . "\n"));
$serv->on('Close', fn($s, $fd) => rs_note("close $fd"));
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('start');
$c = $srv->connect();
$answers = [];
$pids = [];
for ($i = 0; $i < 23; $i++) {
    fwrite($c, "q$i\n");
    $line = fgets($c);
    if ($line === false) {
        echo "no answer to q$i", feof($c) ? ' (EOF)' : '', "\n";
        break;
    }
    [$q, $pid] = explode(' ', rtrim($line));
    $answers[] = $q;
    $pids[$pid] = true;
}
echo "answered in order: ", var_export($answers === array_map(fn($i) => "q$i", range(0, 22)), true), "\n";
echo "processes: ", count($pids) >= 4 ? 'at least 4' : count($pids), "\n";
echo "closed by the server: ", var_export(count(preg_grep('/^close/', $srv->notes())) > 0, true), "\n";
fclose($c);
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
answered in order: true
processes: at least 4
closed by the server: false
exit code: 0
