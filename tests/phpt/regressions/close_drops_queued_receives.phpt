--TEST--
Regression (close() purges queued Receive events): data read in one pass becomes several queued Receive events; close($fd) in the first one means no further Receive runs for that fd, and Close runs once with reactor_id -1
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'hold') {
        // Keeps the only event worker busy while the second client's data piles up unread.
        rs_note("holding");
        $deadline = microtime(true) + 20;
        while (!file_exists(RS_DIR . '/release') && microtime(true) < $deadline) {
            usleep(2000);
        }
        $s->send($fd, 'held');
        return;
    }
    rs_note("receive $fd " . strlen($data));
    var_dump($s->close($fd));
});
$serv->on('Close', fn($s, $fd, $rid) => rs_note("close $fd $rid"));
rs_ready($serv);
$serv->start();
PHP);
$a = $srv->connect();
fwrite($a, 'hold');
$srv->waitNotes('holding', 1);
$b = $srv->connect();
$size = 120 * 1024;
fwrite($b, str_repeat('x', $size));
// Wait until all of it sits in the server side's receive queue (/proc/net/tcp rx_queue), so
// the worker reads it in one pass of at least two chunks.
$srv->waitUntil(function () use ($srv, $size) {
    foreach (@file('/proc/net/tcp') ?: [] as $line) {
        $cols = preg_split('/\s+/', trim($line));
        if (isset($cols[4]) && str_ends_with($cols[1], sprintf(':%04X', $srv->port)) && $cols[3] === '01') {
            [, $rx] = explode(':', $cols[4]);
            if (hexdec($rx) === $size) {
                return true;
            }
        }
    }
    return false;
}, 10, "all data in the receive queue");
touch($srv->dir() . '/release');
echo $srv->read($a, 4), "\n";
fclose($a);
$srv->waitNotes('close', 2);
echo "exit code: ", $srv->stop(), "\n";
$notes = $srv->notes();
echo "Receive runs for the closed fd: ", count(array_filter($notes, fn($n) => str_starts_with($n, 'receive'))), "\n";
// The two closes race (the first client closes as soon as it has its answer): sorted.
$closes = array_values(array_filter($notes, fn($n) => str_starts_with($n, 'close')));
sort($closes);
echo implode("\n", $closes), "\n";
$out = $srv->output();
echo "close() returned true: ", substr_count($out, 'bool(true)'), "\n";
?>
--EXPECT--
held
exit code: 0
Receive runs for the closed fd: 1
close 1 0
close 2 -1
close() returned true: 1
