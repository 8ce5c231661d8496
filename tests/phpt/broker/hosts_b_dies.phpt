--TEST--
task_broker across hosts: every process of host B (task workers only) is killed at once while each of its task workers runs a task of a flood of 10000 from host A; each task either finishes once on A or is reported lost to it (those B held: the two it ran, and any it took to run next), named in a warning and counted
--SKIPIF--
<?php require __DIR__ . '/../../include/netns.inc'; Netns::skipIf(); ?>
--FILE--
<?php
require __DIR__ . '/../../include/netns.inc';
$N = 10000;
$net = Netns::create();
$net->startRedis();
$env = ['RS_N' => (string)$N, 'RS_INFLIGHT' => '256', 'RS_VIS' => '1', 'RS_RETRY' => '0'];
$b = $net->start('B', Flood::B, $env + ['RS_TASK_US' => '2000']);
$net->waitNotes('start B', 2);
$a = $net->start('A', Flood::A, $env + ['RS_TASK_US' => '500']);
$net->waitNotes('start A', 2);
$net->flag('budget', (string)$N);
Flood::waitProgress($net, 1000, 20);
// Both task workers of B inside a task: B holds two tasks when it dies.
$net->flag('hold', 'B');
$held = Flood::waitHolding($net, 2);
$b->kill();
echo "left in B after the kill: ", count($net->pidsIn('B')), "\n";
$s = Flood::summary($net);
echo "finished + lost: ", $s['distinct'] + $s['lost'], "\n";
echo "finish callbacks: ", $s['finishes'] === $s['distinct'] ? 'one per task' : "{$s['finishes']} for {$s['distinct']} tasks", ", dups {$s['dups']}, lost twice {$s['lost_twice']}, both finished and lost {$s['both']}, bad ", json_encode($s['bad']), "\n";
sort($s['lost_data'], SORT_NATURAL);
sort($held, SORT_NATURAL);
// Each task worker of B held the task it ran and perhaps the next, taken while it ran.
$ok = !array_diff($held, $s['lost_data']) && $s['lost'] <= 4;
echo "lost: the tasks B ran among them: ", var_export($ok, true), ", task_lost_num = lost: ", var_export($s['task_lost_num'] === $s['lost'], true), ", task_retry_num {$s['task_retry_num']}\n";
if (!$ok) {
    echo "lost ", json_encode($s['lost_data']), ", held ", json_encode($held), "\n";
}
echo "ran on B before it died: ", var_export($s['hosts']['B'] >= 20, true), "\n";
echo "task_count {$s['task_count']}, tasking_num {$s['tasking_num']}\n";
$warned = Flood::warnedLost($a->output());
echo "every lost task named in a warning: ", var_export($warned === $s['lost_ids'], true), "\n";
if ($warned !== $s['lost_ids']) {
    echo "warned ", json_encode($warned), " lost ", json_encode($s['lost_ids']), "\n";
}
echo "pending: ", $net->redis('XPENDING', 'flood:tasks', 'flood:workers')[0], "\n";
echo "exit code A: ", $a->stop(), "\n";
echo "left in A: ", count($net->pidsIn('A')), "\n";
echo "anomalies: ", json_encode(Flood::anomalies($net)), "\n";
?>
--EXPECT--
left in B after the kill: 0
finished + lost: 10000
finish callbacks: one per task, dups 0, lost twice 0, both finished and lost 0, bad []
lost: the tasks B ran among them: true, task_lost_num = lost: true, task_retry_num 0
ran on B before it died: true
task_count 10000, tasking_num 0
every lost task named in a warning: true
pending: 0
exit code A: 0
left in A: 0
anomalies: []
