--TEST--
task_broker across hosts, task_retry_lost: every process of host B is killed at once while each of its task workers runs a task of a flood of 10000 from host A; the tasks it held (the two it ran, and any it took to run next) are sent once more and run on A, every task finishes exactly once, none is lost
--SKIPIF--
<?php require __DIR__ . '/../../include/netns.inc'; Netns::skipIf(); ?>
--FILE--
<?php
require __DIR__ . '/../../include/netns.inc';
$N = 10000;
$net = Netns::create();
$net->startRedis();
$env = ['RS_N' => (string)$N, 'RS_INFLIGHT' => '256', 'RS_VIS' => '1', 'RS_RETRY' => '1'];
$b = $net->start('B', Flood::B, $env + ['RS_TASK_US' => '2000']);
$net->waitNotes('start B', 2);
$a = $net->start('A', Flood::A, $env + ['RS_TASK_US' => '500']);
$net->waitNotes('start A', 2);
$net->flag('budget', (string)$N);
Flood::waitProgress($net, 1000, 20);
// Both task workers of B inside a task: B holds two tasks when it dies.
$net->flag('hold', 'B');
$held = Flood::waitHolding($net, 2);
$net->flag('watch', implode(',', $held));
$b->kill();
echo "left in B after the kill: ", count($net->pidsIn('B')), "\n";
$s = Flood::summary($net);
echo "finished: {$s['distinct']}, finish callbacks: {$s['finishes']}, dups {$s['dups']}, lost {$s['lost']}, bad ", json_encode($s['bad']), "\n";
// task_count counts every send: a task sent again counts twice.
echo "task_lost_num {$s['task_lost_num']}, task_retry_num 2 to 4: ", var_export($s['task_retry_num'] >= 2 && $s['task_retry_num'] <= 4, true), ", task_count - task_retry_num: ", $s['task_count'] - $s['task_retry_num'], ", tasking_num {$s['tasking_num']}\n";
$out = $a->output();
preg_match_all('/task#(\d+) of worker#0 is sent again/', $out, $m);
echo "tasks sent again = task_retry_num: ", var_export(count(array_unique($m[1])) === $s['task_retry_num'], true), "\n";
echo "where the tasks B held ran: ", json_encode($s['watched']), "\n";
echo "lost warnings: ", count(Flood::warnedLost($out)), "\n";
echo "pending: ", $net->redis('XPENDING', 'flood:tasks', 'flood:workers')[0], "\n";
echo "exit code A: ", $a->stop(), "\n";
echo "left in A: ", count($net->pidsIn('A')), "\n";
echo "anomalies: ", json_encode(Flood::anomalies($net)), "\n";
?>
--EXPECTF--
left in B after the kill: 0
finished: 10000, finish callbacks: 10000, dups 0, lost 0, bad []
task_lost_num 0, task_retry_num 2 to 4: true, task_count - task_retry_num: 10000, tasking_num 0
tasks sent again = task_retry_num: true
where the tasks B held ran: {"%s":"A","%s":"A"}
lost warnings: 0
pending: 0
exit code A: 0
left in A: 0
anomalies: []
