--TEST--
task_broker: task workers reloaded twice (SIGUSR2) while 3,000 tasks go through the broker: every task finishes exactly once, none is lost or run twice, nothing is left pending
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
require __DIR__ . '/../../include/redis.inc';
$redis = TestRedis::start();
putenv('RS_REDIS=' . $redis->url());
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 3, 'task_broker' => getenv('RS_REDIS'), 'task_broker_name' => 'rl',
    'task_broker_secret' => 'k', 'log_file' => RS_DIR . '/log']);
const N = 3000;
$state = ['sent' => 0, 'done' => 0, 'seen' => []];
$send = function ($s) use (&$state) {
    $s->task($state['sent']++);
};
$serv->on('WorkerStart', function ($s, $id) use (&$state, $send) {
    if ($id === 0) {
        rs_note("manager " . $s->manager_pid);
        for ($i = 0; $i < 64; $i++) {
            $send($s);
        }
    }
});
$serv->on('Receive', fn() => null);
$serv->on('Task', function ($s, $task_id, $src, $data) {
    usleep(500);
    return $data;
});
$serv->on('Finish', function ($s, $task_id, $data) use (&$state, $send) {
    if (isset($state['seen'][$data])) {
        rs_note("twice $data");
    }
    $state['seen'][$data] = true;
    $state['done']++;
    if ($state['done'] % 500 === 0) {
        rs_note("progress {$state['done']}");
    }
    if ($state['sent'] < N) {
        $send($s);
    } elseif ($state['done'] === N) {
        $st = $s->stats();
        rs_note("all done: " . count($state['seen']) . " distinct, lost {$st['task_lost_num']}, task_count {$st['task_count']}");
    }
});
rs_ready($serv);
$serv->start();
PHP);
$manager = (int)substr($srv->waitNotes('manager')[0], 8);
$srv->waitNotes('progress', 1, 30);
posix_kill($manager, SIGUSR2);
$srv->waitNotes('progress', 3, 30);
posix_kill($manager, SIGUSR2);
$srv->waitNotes('all done', 1, 60);
echo implode("\n", array_filter($srv->notes(), fn($n) => str_starts_with($n, 'all done') || str_starts_with($n, 'twice'))), "\n";
echo "exit code: ", $srv->stop(), "\n";
echo "pending: ", $redis->cmd('XPENDING', 'rl:tasks', 'rl:workers')[0], ", queued: ", $redis->cmd('XLEN', 'rl:tasks'), "\n";
$log = (string)file_get_contents($srv->dir() . '/log');
echo "reloads logged: ", substr_count($log, 'reload') >= 2 ? 'yes' : "no\n$log", "\n";
echo "losses logged: ", substr_count($log, 'lost'), "\n";
?>
--EXPECT--
all done: 3000 distinct, lost 0, task_count 3000
exit code: 0
pending: 0, queued: 0
reloads logged: yes
losses logged: 0
