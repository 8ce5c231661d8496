--TEST--
close($fd) after a large send() writes all the queued output before the socket closes; close($fd, true) resets the connection (the client sees ECONNRESET); sendfile() sends a file's region and refuses offsets and lengths past its end (Swoole says true and sends nothing)
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $file = RS_DIR . '/file.txt';
    switch ($data) {
        case 'big then close':
            $s->send($fd, str_repeat('b', 8 * 1024 * 1024));
            rs_note('close ' . var_export($s->close($fd), true) . ' exists after: ' . var_export($s->exists($fd), true));
            break;
        case 'reset':
            $s->send($fd, str_repeat('r', 8 * 1024 * 1024));
            rs_note('reset ' . var_export($s->close($fd, true), true));
            break;
        case 'file':
            file_put_contents($file, '0123456789');
            $ok = [$s->sendfile($fd, $file), $s->sendfile($fd, $file, 2, 3), $s->sendfile($fd, $file, 8)];
            rs_note('sendfile ' . json_encode($ok));
            $bad = [@$s->sendfile($fd, $file, 8, 5), error_get_last()['message'], $s->getLastError(),
                @$s->sendfile($fd, $file, 10), error_get_last()['message'],
                @$s->sendfile($fd, $file, -5), error_get_last()['message'],
                @$s->sendfile($fd, RS_DIR . '/missing'), $s->getLastError(),
                @$s->sendfile($fd, RS_DIR), $s->getLastError()];
            rs_note('bad ' . json_encode($bad));
            break;
    }
});
$serv->on('Close', fn($s, $fd, $rid) => rs_note("closed $fd $rid"));
rs_ready($serv);
$serv->start();
PHP);
$c = $srv->connect();
fwrite($c, 'big then close');
[$n] = $srv->waitNotes('close');
echo "$n\n";
// Read only now: all 8 MB were queued when close() returned, and all of them arrive.
$got = 0;
stream_set_timeout($c, 20);
while (!feof($c) && ($chunk = fread($c, 1 << 16)) !== false && $chunk !== '') {
    $got += strlen($chunk);
}
echo "received after close(): $got, then EOF: ", var_export(feof($c), true), "\n";
fclose($c);
$r = $srv->connect();
fwrite($r, 'reset');
$srv->waitNotes('reset');
$err = null;
set_error_handler(function ($no, $msg) use (&$err) { $err = $msg; return true; });
stream_set_timeout($r, 10);
$read = 0;
while (($chunk = fread($r, 1 << 16)) !== false && $chunk !== '') {
    $read += strlen($chunk);
}
restore_error_handler();
// A reset drops what was still queued: the read ends (EOF or ECONNRESET, as the kernel has it)
// well before the 8 MB a graceful close delivers.
echo "reset: the read ended, with fewer than 8 MB: ", var_export($read < 8 * 1024 * 1024, true), ", error if any: ", $err === null || str_contains($err, 'errno=104') ? 'none or ECONNRESET' : $err, "\n";
fclose($r);
$f = $srv->connect();
fwrite($f, 'file');
echo implode("\n", $srv->waitNotes('sendfile')), "\n";
echo "file bytes: ", $srv->read($f, 15), "\n";
foreach ($srv->waitNotes('bad') as $b) {
    echo $b, "\n";
}
fclose($f);
$srv->waitNotes('closed', 3);
echo "exit code: ", $srv->stop(), "\n";
echo implode("\n", array_filter($srv->notes(), fn($n) => str_starts_with($n, 'closed'))), "\n";
?>
--EXPECTF--
close true exists after: false
received after close(): 8388608, then EOF: true
reset: the read ended, with fewer than 8 MB: true, error if any: none or ECONNRESET
sendfile [true,true,true]
file bytes: 012345678923489
bad [false,"Swoole\\Server::sendfile(): file[%s\/file.txt] has 10 bytes: offset 8 + length 5 is past its end",502,false,"Swoole\\Server::sendfile(): file[offset=10] is empty",false,"Swoole\\Server::sendfile(): parameter $offset[-5] must be greater than or equal to 0",false,502,false,9013]
exit code: 0
closed 1 -1
closed 2 -1
closed 3 0
