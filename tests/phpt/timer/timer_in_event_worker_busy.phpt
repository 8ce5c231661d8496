--TEST--
Timers in an event worker: a tick added in onWorkerStart keeps firing while 4 clients flood the worker with pipelined requests and while a task is in flight; an after() added in onReceive answers its connection later (not early); an after() added in onFinish fires too
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1, 'open_eof_split' => true, 'package_eof' => "\n"]);
$ticks = 0;
$serv->on('WorkerStart', function ($s, $id) use (&$ticks) {
    if (!$s->taskworker) {
        $tid = Swoole\Timer::tick(20, function () use (&$ticks) { $ticks++; });
        rs_note("tick $tid");
    }
});
$serv->on('Receive', function ($s, $fd, $rid, $data) use (&$ticks) {
    $req = rtrim($data, "\n");
    if ($req === 'ping') {
        usleep(300); // some work per request: the worker is never idle during the flood
        $s->send($fd, "$ticks\n");
    } elseif ($req === 'arm') {
        $t = microtime(true);
        $id = Swoole\Timer::after(100, function ($word) use ($s, $fd, $t) {
            $s->send($fd, "$word after " . (microtime(true) - $t >= 0.099 ? 'at least' : 'LESS THAN') . " 100 ms\n");
        }, 'fired');
        $s->send($fd, "armed $id\n");
    } elseif ($req === 'task') {
        $GLOBALS['ticks_at_dispatch'] = $ticks;
        $s->task($fd);
        $s->send($fd, "dispatched\n");
    }
});
$serv->on('Task', function ($s, $id, $src, $fd) {
    usleep(600000);
    return $fd;
});
$serv->on('Finish', function ($s, $task_id, $fd) use (&$ticks) {
    $s->send($fd, "ticks while the task ran: " . ($ticks - $GLOBALS['ticks_at_dispatch'] >= 5 ? 'at least 5' : 'FEWER THAN 5 (' . ($ticks - $GLOBALS['ticks_at_dispatch']) . ')') . "\n");
    Swoole\Timer::after(30, fn() => $s->send($fd, "after from onFinish fired\n"));
});
rs_ready($serv);
$serv->start();
PHP);
echo implode("\n", $srv->waitNotes('tick')), "\n";

/** Reads lines from `$c` until `$n` arrived or the deadline. */
function lines(TestServer $srv, $c, int $n, float $timeout = 5.0): array
{
    $buf = '';
    $deadline = microtime(true) + $timeout;
    while (substr_count($buf, "\n") < $n && microtime(true) < $deadline) {
        $buf .= $srv->read($c, 1, 0.05);
    }
    return explode("\n", rtrim($buf, "\n"));
}

// The flood: 4 connections, each keeping 10 requests in flight, for 1.5 s.
$conns = [];
for ($i = 0; $i < 4; $i++) {
    $conns[$i] = $srv->connect();
    stream_set_blocking($conns[$i], false);
    fwrite($conns[$i], str_repeat("ping\n", 10));
}
$buf = array_fill(0, 4, '');
$replies = 0;
$first = $last = null;
$in_flight = 40;
$end = microtime(true) + 1.5;
$deadline = $end + 10;
// Then no new requests: the ones in flight are read before the connections close.
while ((microtime(true) < $end || $in_flight > 0) && microtime(true) < $deadline) {
    $r = array_values($conns);
    $w = $e = null;
    if (stream_select($r, $w, $e, 0, 50000) < 1) {
        continue;
    }
    foreach ($r as $sock) {
        $i = array_search($sock, $conns, true);
        $chunk = fread($sock, 65536);
        if ($chunk === '' || $chunk === false) {
            echo "connection $i closed\n";
            break 2;
        }
        $buf[$i] .= $chunk;
        while (($p = strpos($buf[$i], "\n")) !== false) {
            $v = (int)substr($buf[$i], 0, $p);
            $buf[$i] = substr($buf[$i], $p + 1);
            $first ??= $v;
            $last = $v;
            $replies++;
            $in_flight--;
            if (microtime(true) < $end) {
                fwrite($sock, "ping\n");
                $in_flight++;
            }
        }
    }
}
foreach ($conns as $c) {
    fclose($c);
}
$details = " ($replies replies, ticks $first -> $last)";
echo "replies missing: $in_flight\n";
echo "flood replies > 1000: ", var_export($replies > 1000, true), $replies > 1000 ? '' : $details, "\n";
echo "ticks during the flood >= 20: ", var_export($last - $first >= 20, true), $last - $first >= 20 ? '' : $details, "\n";

$c = $srv->connect();
fwrite($c, "arm\n");
echo implode("\n", lines($srv, $c, 2)), "\n";
fclose($c);

$c = $srv->connect();
fwrite($c, "task\n");
echo implode("\n", lines($srv, $c, 3)), "\n";
fclose($c);

echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
tick 1
replies missing: 0
flood replies > 1000: true
ticks during the flood >= 20: true
armed 2
fired after at least 100 ms
dispatched
ticks while the task ran: at least 5
after from onFinish fired
exit code: 0
