--TEST--
The pipe of an added Swoole\Process: an event worker writes with $p->write() (the bytes written) and the user process reads with $process->read(), one message per read on SOCK_DGRAM (read() reads up to 8192 bytes, read($n) up to $n), and answers with $process->write(), read by $p->read() in the worker; SOCK_STREAM is a byte stream; the pipe outlives a restart of the user process (a message written while it is down reaches its successor); with pipe_type 0, $p->pipe is null and write()/read() warn "no pipe" and return false on both sides
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
/** Sends `$msg` and returns the reply line (without its newline). */
function ask(TestServer $srv, string $msg): string
{
    $c = $srv->connect();
    fwrite($c, $msg);
    $got = '';
    $deadline = microtime(true) + 5;
    while (!str_ends_with($got, "\n") && microtime(true) < $deadline) {
        $got .= $srv->read($c, 1, 0.1);
    }
    fclose($c);
    return rtrim($got, "\n");
}
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1]);
$dgram = new Swoole\Process(function (Swoole\Process $proc) {
    rs_note('dgram up ' . getmypid());
    while (true) {
        $m = $proc->read();
        if ($m === 'small') {
            $m = $proc->read(3);
        }
        $proc->write(sprintf('%d:%d:%s', getmypid(), strlen($m), substr($m, 0, 13)));
        if ($m === 'restart') {
            return; // started again; the pipe stays
        }
    }
});
$stream = new Swoole\Process(function (Swoole\Process $proc) {
    rs_note('stream up');
    // Three writes of 3 bytes read 2 bytes at a time: no message boundaries.
    $all = '';
    $reads = 0;
    while (strlen($all) < 9) {
        $all .= $proc->read(2);
        $reads++;
    }
    $proc->write($all . ($reads >= 5 ? ' in 5 or more reads' : " in $reads reads"));
    while (true) {
        usleep(20000);
    }
}, false, 1 /* SOCK_STREAM */);
$none = new Swoole\Process(function (Swoole\Process $proc) {
    rs_note('none ' . json_encode(['pipe' => $proc->pipe, 'write' => $proc->write('x'), 'read' => $proc->read()]));
    while (true) {
        usleep(20000);
    }
}, false, 0);
foreach ([$dgram, $stream, $none] as $p) {
    $serv->addProcess($p);
}
rs_note('pipes ' . json_encode([is_int($dgram->pipe), is_int($stream->pipe), $none->pipe]));
$serv->on('Receive', function ($s, $fd, $rid, $data) use ($dgram, $stream, $none) {
    $r = [];
    switch ($data) {
        case 'dgram':
            // Three messages at once, then three answers.
            $r['write'] = [$dgram->write('a'), $dgram->write('bb'), $dgram->write(str_repeat('x', 10000))];
            $r['read'] = [$dgram->read(), $dgram->read(), $dgram->read()];
            $dgram->write('small');
            $dgram->write('abcdef');
            $r['read(3)'] = $dgram->read();
            break;
        case 'restart':
            $dgram->write('restart');
            $r['bye'] = $dgram->read();
            // Written while the process is down or starting again.
            $dgram->write('after restart');
            $r['successor'] = $dgram->read();
            break;
        case 'stream':
            $r['write'] = [$stream->write('abc'), $stream->write('def'), $stream->write('ghi')];
            $r['read'] = $stream->read();
            break;
        case 'none':
            $r = ['pipe' => $none->pipe, 'write' => $none->write('x'), 'read' => $none->read()];
            break;
    }
    $s->send($fd, json_encode($r) . "\n");
});
rs_ready($serv);
$serv->start();
PHP);
echo implode("\n", $srv->waitNotes('pipes')), "\n";
$pid = (int)substr($srv->waitNotes('dgram up')[0], 9);
$srv->waitNotes('stream up');
echo implode("\n", $srv->waitNotes('none')), "\n";
$hidePid = fn(string $s) => str_replace("$pid:", 'PID:', $s);

echo "dgram: ", $hidePid(ask($srv, 'dgram')), "\n";
$r = json_decode(ask($srv, 'restart'), true);
[$newPid] = explode(':', $r['successor'] ?? '');
echo "restart: ", $hidePid($r['bye']), ", then the successor (a new pid: ", var_export((int)$newPid !== $pid && (int)$newPid > 0, true),
    ") got ", substr($r['successor'] ?? '', strlen($newPid)), "\n";
echo "stream: ", ask($srv, 'stream'), "\n";
echo "none: ", ask($srv, 'none'), "\n";

// The dgram process waits in read() again: SIGTERM ends it.
echo "exit code: ", $srv->stop(), "\n";
echo preg_replace('/^.*abnormal exit, status=0, signal=15\n/m', '', $srv->output());
?>
--EXPECTF--
pipes [true,true,null]
none {"pipe":null,"write":false,"read":false}
dgram: {"write":[1,2,10000],"read":["PID:1:a","PID:2:bb","PID:8192:xxxxxxxxxxxxx"],"read(3)":"PID:3:abc"}
restart: PID:7:restart, then the successor (a new pid: true) got :13:after restart
stream: {"write":[3,3,3],"read":"abcdefghi in 5 or more reads"}
none: {"pipe":null,"write":false,"read":false}
exit code: 0

Warning: Swoole\Process::write(): no pipe, cannot write into pipe in %s on line %d

Warning: Swoole\Process::read(): no pipe, cannot read from pipe in %s on line %d

Warning: Swoole\Process::write(): no pipe, cannot write into pipe in %s on line %d

Warning: Swoole\Process::read(): no pipe, cannot read from pipe in %s on line %d
