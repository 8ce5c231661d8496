--TEST--
task_retry_lost (opt-in): a task whose task worker is SIGKILLed runs once more on another task worker; its Finish runs once; stats count it as retried, not lost
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2, 'task_retry_lost' => true]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'stats') {
        $st = $s->stats();
        $s->send($fd, "lost {$st['task_lost_num']} retried {$st['task_retry_num']} tasking {$st['tasking_num']}");
        return;
    }
    $s->task(['job' => 'mail'], 0, function ($s, $id, $r) {
        rs_note("callback task#$id: $r");
    });
    $s->send($fd, 'sent');
});
$serv->on('Task', function ($s, $id, $src, $data) {
    rs_note("task#$id runs on worker {$s->worker_id}");
    if (!file_exists(RS_DIR . '/killed')) {
        rs_note("holding in " . getmypid());
        $deadline = microtime(true) + 10;
        while (microtime(true) < $deadline) {
            usleep(5000);
        }
    }
    return "sent {$data['job']}";
});
rs_ready($serv);
$serv->start();
PHP);
var_dump($srv->request('go', 4));
[$note] = $srv->waitNotes('holding');
touch($srv->dir() . '/killed');
posix_kill((int)substr($note, strlen('holding in ')), SIGKILL);
$srv->waitNotes('callback');
var_dump($srv->request('stats', 26));
echo "exit code: ", $srv->stop(), "\n";
echo implode("\n", array_filter($srv->notes(), fn($n) => !str_starts_with($n, 'holding'))), "\n";
$out = $srv->output();
echo "reported by the manager: ", preg_match('/task worker#1 \(pid \d+\) died holding task#0 of worker#0 \(running\); its sender is told/', $out), "\n";
echo "logged as lost: ", preg_match('/was lost/', $out), "\n";
echo "sent again: ", preg_match('/task#0 of worker#0 is sent again, to task worker#2/', $out), "\n";
echo "warning to PHP: ", substr_count($out, 'Warning:'), "\n";
?>
--EXPECT--
string(4) "sent"
string(26) "lost 0 retried 1 tasking 0"
exit code: 0
task#0 runs on worker 1
task#0 runs on worker 2
callback task#0: sent mail
reported by the manager: 1
logged as lost: 0
sent again: 1
warning to PHP: 0
