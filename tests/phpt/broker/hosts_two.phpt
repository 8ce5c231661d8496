--TEST--
task_broker across hosts: host A (an event worker and a task worker) and host B (task workers only) share a queue on a Redis in a third host; every task's result comes back to A, both hosts run some
--SKIPIF--
<?php require __DIR__ . '/../../include/netns.inc'; Netns::skipIf(); ?>
--FILE--
<?php
require __DIR__ . '/../../include/netns.inc';
$net = Netns::create();
$net->startRedis();
$common = <<<'PHP'
function broker(array $more): array {
    return $more + ['task_broker' => getenv('RS_BROKER'), 'task_broker_name' => 'two', 'task_broker_secret' => 'k', 'task_broker_visibility_timeout' => 2];
}
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->on('WorkerStart', function ($s, $wid) {
    rs_note("start " . RS_HOST . " $wid");
    if (RS_HOST !== 'A' || $wid !== 0) {
        return;
    }
    Swoole\Timer::tick(5, function ($tid) use ($s) {
        if (rs_flag('go') === null) {
            return;
        }
        Swoole\Timer::clear($tid);
        for ($i = 0; $i < 200; $i++) {
            $id = $s->task("d$i");
            if ($id === false) {
                rs_note("refused $i");
            } else {
                $GLOBALS['sent'][$id] = "d$i";
            }
        }
    });
});
$serv->on('Receive', function () {});
$serv->on('Task', function ($s, $id, $src, $data) {
    usleep(1000);
    return RS_HOST . ' ' . $data;
});
$serv->on('Finish', function ($s, $id, $data) {
    static $n = 0;
    $want = $GLOBALS['sent'][$id] ?? '?';
    $ok = preg_match('/^([AB]) (d\d+)$/', $data, $m) && $m[2] === $want;
    rs_note("finish $id " . ($ok ? "ok " . $m[1] : "BAD " . json_encode($data) . " for $want"));
    if (++$n === 200) {
        rs_note("stats " . json_encode($s->stats()));
    }
});
PHP;
$b = $net->start('B', $common . '$serv->set(broker(["worker_num" => 0, "task_worker_num" => 2])); $serv->start();');
$net->waitNotes('start B', 2);
$a = $net->start('A', $common . '$serv->set(broker(["worker_num" => 1, "task_worker_num" => 1])); $serv->start();');
$net->waitNotes('start A', 2);
$net->flag('go');
$fin = $net->waitNotes('finish ', 200, 30);
[$stats] = $net->waitNotes('stats ', 1);
$stats = json_decode(substr($stats, 6), true);
$ids = array_map(fn($l) => (int)explode(' ', $l)[1], $fin);
$ok = array_filter($fin, fn($l) => str_contains($l, ' ok '));
$onA = count(array_filter($fin, fn($l) => str_ends_with($l, ' ok A')));
$onB = count(array_filter($fin, fn($l) => str_ends_with($l, ' ok B')));
echo "finishes: ", count($fin), ", distinct ids: ", count(array_unique($ids)), ", correct: ", count($ok), "\n";
echo "ran on A: ", var_export($onA > 0, true), ", ran on B: ", var_export($onB > 0, true), ", A+B: ", $onA + $onB, "\n";
echo "task_count {$stats['task_count']}, task_lost_num {$stats['task_lost_num']}, task_retry_num {$stats['task_retry_num']}, tasking_num {$stats['tasking_num']}\n";
echo "pending: ", $net->redis('XPENDING', 'two:tasks', 'two:workers')[0], "\n";
echo "exit code A: ", $a->stop(), "\n";
echo "exit code B: ", $b->stop(), "\n";
echo "left in A: ", count($net->pidsIn('A')), ", left in B: ", count($net->pidsIn('B')), "\n";
foreach ($net->notes() as $l) {
    if (!preg_match('/^(start|finish \d+ ok|stats)/', $l)) {
        echo "note: $l\n";
    }
}
foreach (['A' => $a, 'B' => $b] as $h => $s) {
    foreach (explode("\n", $s->output()) as $l) {
        if (preg_match('/warning|error|fatal/i', $l)) {
            echo "$h: $l\n";
        }
    }
}
?>
--EXPECT--
finishes: 200, distinct ids: 200, correct: 200
ran on A: true, ran on B: true, A+B: 200
task_count 200, task_lost_num 0, task_retry_num 0, tasking_num 0
pending: 0
exit code A: 0
exit code B: 0
left in A: 0, left in B: 0
