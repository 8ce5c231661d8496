--TEST--
Every server process holds exactly the descriptors it needs: the manager the listening socket, all 8 channel ends and its self-pipe; an event worker the listening socket, its result channel's reading end, both result channels' writing ends (to forward send()/close() to the owner of a connection), both task channels' writing ends, its own self-pipe and an epoll; a task worker its inbox's reading end, both result channels' writing ends and its own self-pipe
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
/** fd => target of this process, as the test reads them for a worker. */
function rs_fds(): array {
    $r = [];
    foreach (scandir('/proc/self/fd') as $fd) {
        if (preg_match('/^\d+$/', $fd) && ($t = @readlink("/proc/self/fd/$fd")) !== false && !str_starts_with($t, '/proc/')) {
            $r[$fd] = $t;
        }
    }
    return $r;
}
// What the server's process had before rswoole did anything (0, 1, 2 and whatever the test
// runner let it inherit): every worker inherits these too.
rs_note('base ' . json_encode(rs_fds()));
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 2, 'task_ipc_mode' => 1]);
$serv->on('ManagerStart', fn($s) => rs_note('manager ' . getmypid() . ' ' . $s->getManagerPid()));
$serv->on('WorkerStart', fn($s, $id) => rs_note("worker $id " . getmypid() . ' ' . ($s->taskworker ? 'task' : 'event')));
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $s->send($fd, $s->taskwait($data, 5.0));
});
$serv->on('Task', fn($s, $id, $src, $data) => "T$data");
rs_ready($serv);
$serv->start();
PHP);

$base = json_decode(substr($srv->waitNotes('base')[0], 5), true);
[, $mpid, $getManagerPid] = explode(' ', $srv->waitNotes('manager')[0]);
echo "manager is the server process: ", (int)((int)$mpid === $srv->pid && (int)$getManagerPid === $srv->pid), "\n";
$roles = [(int)$mpid => 'manager'];
foreach ($srv->waitNotes('worker', 4) as $l) {
    [, $id, $pid, $kind] = explode(' ', $l);
    $roles[(int)$pid] = "$kind worker $id";
}
uksort($roles, fn($a, $b) => [$roles[$a] !== 'manager', $roles[$a]] <=> [$roles[$b] !== 'manager', $roles[$b]]);
$inServer = $srv->processes();
echo "processes: ", count($inServer), ", all known: ", (int)(array_diff($inServer, array_keys($roles)) === [] && count($inServer) === 5), "\n";

// The listening socket's inode, from the kernel's table of TCP sockets (state 0A: LISTEN).
$listen = null;
foreach (file('/proc/net/tcp') as $line) {
    $c = preg_split('/\s+/', trim($line));
    if (isset($c[9]) && str_ends_with($c[1], sprintf(':%04X', $srv->port)) && $c[3] === '0A') {
        $listen = $c[9];
    }
}
echo "listening inode found: ", (int)($listen !== null), "\n";
// Unix sockets and their types (0005: SOCK_SEQPACKET), by inode.
$unixType = [];
foreach (array_slice(file('/proc/net/unix'), 1) as $line) {
    $c = preg_split('/\s+/', trim($line));
    $unixType[$c[6]] = $c[4];
}

$held = [];
foreach ($roles as $pid => $role) {
    $h = ['listen' => 0, 'sockets' => [], 'pipes' => [], 'epoll' => 0, 'unexpected' => []];
    foreach (glob("/proc/$pid/fd/*") as $f) {
        $fd = basename($f);
        $t = @readlink($f);
        if ($t === false || (isset($base[$fd]) && $base[$fd] === $t)) {
            continue;
        }
        if ($t === "socket:[$listen]") {
            $h['listen']++;
        } elseif (preg_match('/^socket:\[(\d+)\]$/', $t, $m)) {
            $h['sockets'][] = $m[1];
        } elseif (preg_match('/^pipe:\[(\d+)\]$/', $t, $m)) {
            $h['pipes'][] = $m[1];
        } elseif ($t === 'anon_inode:[eventpoll]') {
            $h['epoll']++;
        } else {
            $h['unexpected'][] = "$fd -> $t";
        }
    }
    sort($h['sockets']);
    $held[$role] = $h;
}
foreach ($held as $role => $h) {
    $seq = count(array_filter($h['sockets'], fn($i) => ($unixType[$i] ?? '') === '0005'));
    echo "$role: listening ", $h['listen'], ", other sockets ", count($h['sockets']), " (seqpacket $seq)",
        ", pipe fds ", count($h['pipes']), " (one pipe: ", (int)(count(array_unique($h['pipes'])) === 1), ")",
        ", eventpoll ", $h['epoll'], ", unexpected: ", $h['unexpected'] ? implode(', ', $h['unexpected']) : 'none', "\n";
}

// Nobody shares a self-pipe.
$pipes = array_map(fn($h) => $h['pipes'][0] ?? '', $held);
echo "self-pipes distinct: ", (int)(count(array_unique($pipes)) === count($pipes)), "\n";

// Who holds which channel end.
$m = $held['manager']['sockets'];
$ev = [$held['event worker 0']['sockets'], $held['event worker 1']['sockets']];
$tw = [$held['task worker 2']['sockets'], $held['task worker 3']['sockets']];
$all = array_merge(...$ev, ...$tw);
echo "every worker's channel end is also the manager's: ", (int)(array_diff($all, $m) === []), "\n";
// Ends both task workers hold: the result channels' writing ends (2); the event workers hold
// them too, to forward send()/close() to each other.
$resultTx = array_values(array_intersect($tw[0], $tw[1]));
echo "ends shared by the task workers: ", count($resultTx), ", held by both event workers: ", count(array_intersect($resultTx, $ev[0], $ev[1])), "\n";
// Ends both event workers hold: those, and the task channels' writing ends (2), which no task
// worker holds.
$shared = array_values(array_intersect($ev[0], $ev[1]));
$taskTx = array_values(array_diff($shared, $resultTx));
echo "ends shared by the event workers: ", count($shared), ", task channels' writing ends among them: ", count($taskTx),
    ", held by a task worker: ", count(array_intersect($taskTx, array_merge(...$tw))), "\n";
// Each event worker's own end: its result channel's reading end.
$resultRx = [array_values(array_diff($ev[0], $shared)), array_values(array_diff($ev[1], $shared))];
echo "event workers' own ends: ", count($resultRx[0]), " + ", count($resultRx[1]), ", distinct: ", (int)($resultRx[0] !== $resultRx[1]),
    ", held by a task worker: ", count(array_intersect(array_merge(...$resultRx), array_merge(...$tw))), "\n";
$inboxRx = [array_values(array_diff($tw[0], $resultTx)), array_values(array_diff($tw[1], $resultTx))];
echo "task workers' own ends: ", count($inboxRx[0]), " + ", count($inboxRx[1]), ", distinct: ", (int)($inboxRx[0] !== $inboxRx[1]), "\n";
$parts = array_merge($taskTx, $resultRx[0], $resultRx[1], $resultTx, $inboxRx[0], $inboxRx[1]);
sort($parts);
echo "the 8 ends partition the manager's channel sockets: ", (int)($parts === $m && count(array_unique($parts)) === 8), "\n";

// (After the count: a connection's socket is no channel.)
echo "task round trip: ", $srv->request('x', 2), "\n";
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
manager is the server process: 1
processes: 5, all known: 1
listening inode found: 1
manager: listening 1, other sockets 8 (seqpacket 8), pipe fds 2 (one pipe: 1), eventpoll 0, unexpected: none
event worker 0: listening 1, other sockets 5 (seqpacket 5), pipe fds 2 (one pipe: 1), eventpoll 1, unexpected: none
event worker 1: listening 1, other sockets 5 (seqpacket 5), pipe fds 2 (one pipe: 1), eventpoll 1, unexpected: none
task worker 2: listening 0, other sockets 3 (seqpacket 3), pipe fds 2 (one pipe: 1), eventpoll 0, unexpected: none
task worker 3: listening 0, other sockets 3 (seqpacket 3), pipe fds 2 (one pipe: 1), eventpoll 0, unexpected: none
self-pipes distinct: 1
every worker's channel end is also the manager's: 1
ends shared by the task workers: 2, held by both event workers: 2
ends shared by the event workers: 4, task channels' writing ends among them: 2, held by a task worker: 0
event workers' own ends: 1 + 1, distinct: 1, held by a task worker: 0
task workers' own ends: 1 + 1, distinct: 1
the 8 ends partition the manager's channel sockets: 1
task round trip: Tx
exit code: 0
