--TEST--
Output back-pressure: with socket_buffer_size 1M a client that does not read makes send() fail with 1009 and a warning once the queue is at the limit (the send that crosses it is still taken whole), BufferFull fires once, memory stays bounded; when the client reads, every accepted byte arrives, BufferEmpty fires once and send() works again; buffer_output_size refuses one send() above it
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'socket_buffer_size' => '1M', 'buffer_output_size' => 3 * 1024 * 1024]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'go') {
        $accepted = 0;
        $chunk = str_repeat('x', 256 * 1024);
        for ($i = 0; $i < 100; $i++) {
            if (!$s->send($fd, $chunk)) {
                break;
            }
            $accepted++;
        }
        $too_big = @$s->send($fd, str_repeat('y', 4 * 1024 * 1024));
        rs_note("accepted $accepted, then false with " . $s->getLastError() . "; 4 MB at once: " . var_export($too_big, true) . " " . error_get_last()['message']);
    } elseif ($data === 'again') {
        rs_note('again ' . var_export($s->send($fd, 'A'), true));
    }
});
$serv->on('BufferFull', fn($s, $fd) => rs_note("full $fd"));
$serv->on('BufferEmpty', fn($s, $fd) => rs_note("empty $fd"));
$serv->on('WorkerStart', fn($s, $id) => rs_note("worker " . getmypid()));
rs_ready($serv);
$serv->start();
PHP);
[$w] = $srv->waitNotes('worker');
$pid = (int)explode(' ', $w)[1];
$c = $srv->connect();
fwrite($c, 'go');
[$n] = $srv->waitNotes('accepted');
echo preg_replace('/accepted \d+/', 'accepted N', $n), "\n";
$accepted = (int)explode(' ', $n)[1];
// The kernel's buffers take some, the rest waits in the worker, bounded by the limit.
echo "accepted far fewer than 100 sends: ", var_export($accepted >= 4 && $accepted < 60, true), "\n";
$rss = (int)preg_replace('/\D/', '', implode('', preg_grep('/^VmRSS/', file("/proc/$pid/status"))));
echo "worker memory bounded (< 200 MB): ", var_export($rss < 200 * 1024, true), "\n";
echo "BufferFull so far: ", count($srv->waitNotes('full')), "\n";
$want = $accepted * 256 * 1024;
$got = 0;
$deadline = microtime(true) + 20;
while ($got < $want && microtime(true) < $deadline) {
    $chunk = $srv->read($c, 1, 0.2);
    $got += strlen($chunk);
    $got += strlen((string)fread($c, 1 << 20));
}
echo "received every accepted byte: ", var_export($got === $want, true), "\n";
echo implode("\n", $srv->waitNotes('empty')), "\n";
fwrite($c, 'again');
echo implode("\n", $srv->waitNotes('again')), "\n";
echo "A: ", $srv->read($c, 1), "\n";
echo "BufferFull in all: ", count(preg_grep('/^full/', $srv->notes())), ", BufferEmpty: ", count(preg_grep('/^empty/', $srv->notes())), "\n";
fclose($c);
echo "exit code: ", $srv->stop(), "\n";
echo "warning: ", preg_match('/Warning: Swoole\\\\Server::send\(\): socket#1 output buffer overflow/', $srv->output()), "\n";
?>
--EXPECT--
accepted N, then false with 1009; 4 MB at once: false Swoole\Server::send(): The length of data [4194304] exceeds the output buffer size[3145728], please use the sendfile, chunked transfer mode or adjust the output_buffer_size
accepted far fewer than 100 sends: true
worker memory bounded (< 200 MB): true
BufferFull so far: 1
received every accepted byte: true
empty 1
again true
A: A
BufferFull in all: 1, BufferEmpty: 1
exit code: 0
warning: 1
