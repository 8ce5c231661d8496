--TEST--
PROCESS mode output back-pressure (socket_buffer_size 1M): to a client that does not read, a worker sending 64 KB chunks gets false with error 1009 and a warning within 200 sends (the reactor publishes its queue asynchronously, so a few sends past the limit may still be taken), memory stays bounded, BufferFull runs once in the fd's worker; when the client reads, every byte of every accepted send arrives in order, BufferEmpty runs once and send() works again
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2, 'socket_buffer_size' => '1M']);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'go') {
        // Each chunk carries its number, so the client can tell the chunks apart.
        $accepted = 0;
        $r = true;
        for ($i = 0; $i < 200; $i++) {
            $r = $s->send($fd, str_pad("[$i]", 64 * 1024, '.'));
            if ($r === false) {
                break;
            }
            $accepted++;
        }
        rs_note("accepted $accepted, then " . var_export($r, true) . " with " . $s->getLastError() . " in worker " . $s->worker_id);
    } elseif ($data === 'again') {
        rs_note('again ' . var_export($s->send($fd, 'A'), true));
    }
});
$serv->on('BufferFull', fn($s, $fd) => rs_note("full $fd in worker " . $s->worker_id));
$serv->on('BufferEmpty', fn($s, $fd) => rs_note("empty $fd in worker " . $s->worker_id));
$serv->on('Close', fn($s, $fd) => rs_note("close $fd"));
rs_ready($serv);
$serv->start();
PHP);
function rss(int $pid): int
{
    return (int)preg_replace('/\D/', '', implode('', preg_grep('/^VmRSS/', file("/proc/$pid/status"))));
}
$before = rss($srv->pid);
$c = $srv->connect();
fwrite($c, 'go');
[$n] = $srv->waitNotes('accepted');
echo preg_replace('/accepted \d+/', 'accepted N', $n), "\n";
$accepted = (int)explode(' ', $n)[1];
// 1 MB is 16 chunks; the kernel's buffers take some more (some MB on loopback), and a few
// may pass before the reactor's count reaches the worker; "then false" says it stopped.
echo "accepted at least 16 sends: ", var_export($accepted >= 16, true), "\n";
echo "master memory grew by less than 100 MB: ", var_export(rss($srv->pid) - $before < 100 * 1024, true), "\n";
echo implode("\n", $srv->waitNotes('full')), "\n";
$want = '';
for ($i = 0; $i < $accepted; $i++) {
    $want .= str_pad("[$i]", 64 * 1024, '.');
}
$got = $srv->read($c, strlen($want), 5.0);
echo "received every accepted byte, in order: ", var_export($got === $want, true), "\n";
echo implode("\n", $srv->waitNotes('empty')), "\n";
fwrite($c, 'again');
echo implode("\n", $srv->waitNotes('again')), "\n";
echo "then: ", $srv->read($c, 1), "\n";
// Nothing more: no refused send was queued after all.
echo "nothing else: ", json_encode($srv->read($c, 1, 0.3)), "\n";
echo "BufferFull in all: ", count(preg_grep('/^full/', $srv->notes())), ", BufferEmpty: ", count(preg_grep('/^empty/', $srv->notes())), "\n";
fclose($c);
$srv->waitNotes('close');
echo "exit code: ", $srv->stop(), "\n";
$out = $srv->output();
// One refused send: one warning (and its log line); the log line comes from the worker ('*').
echo $out;
?>
--EXPECTF--
accepted N, then false with 1009 in worker 1
accepted at least 16 sends: true
master memory grew by less than 100 MB: true
full 1 in worker 1
received every accepted byte, in order: true
empty 1 in worker 1
again true
then: A
nothing else: ""
BufferFull in all: 1, BufferEmpty: 1
exit code: 0
[%s *%d.%d]	WARNING	Server::send(): socket#1 output buffer overflow

Warning: Swoole\Server::send(): socket#1 output buffer overflow in %s on line %d
