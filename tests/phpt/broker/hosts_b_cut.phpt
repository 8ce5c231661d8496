--TEST--
task_broker across hosts: host B's link is cut for longer than the visibility timeout while each of its task workers runs a task; A hears they are lost (and any B took to run next), B's late results after the link returns are dropped (never delivered twice), and new tasks run again on both hosts; both servers stop cleanly
--SKIPIF--
<?php require __DIR__ . '/../../include/netns.inc'; Netns::skipIf(); ?>
--FILE--
<?php
require __DIR__ . '/../../include/netns.inc';
$N = 10000;
$phase2 = 6000;
$net = Netns::create();
$net->startRedis();
$env = ['RS_N' => (string)$N, 'RS_INFLIGHT' => '256', 'RS_VIS' => '1', 'RS_RETRY' => '0', 'RS_PHASE2' => (string)$phase2];
$b = $net->start('B', Flood::B, $env + ['RS_TASK_US' => '2000']);
$net->waitNotes('start B', 2);
$a = $net->start('A', Flood::A, $env + ['RS_TASK_US' => '500']);
$net->waitNotes('start A', 2);
// Phase 1: tasks 0..5999.
$net->flag('budget', (string)$phase2);
Flood::waitProgress($net, 1000, 20);
$net->flag('hold', 'B');
$held = Flood::waitHolding($net, 2);
$bPids = $b->processes();
$net->cut('B');
// B's task workers end their tasks while the link is down: their results cannot leave.
unlink($net->dir . '/hold');
$net->flag('release');
$net->waitNotes('released ', 2);
// Longer than the visibility timeout: A's task worker takes over every task B held and
// reports it lost.
$net->waitUntil(fn() => $net->pendingOf('flood', $b) === 0, 15, "B's tasks to be claimed");
$net->waitNotes('lost ', 2, 15);
$net->restore('B');
echo "B kept running through the cut: ", var_export($b->processes() === $bPids, true), "\n";
// B's bridges reconnect and write what they kept: Redis refuses all (reported lost already).
$net->waitUntil(fn() => Flood::droppedLate($b->output()) >= 2, 15, "B to drop its late results");
// Phase 2: tasks 6000..9999, sent once the link is back.
$net->flag('budget', (string)$N);
$s = Flood::summary($net);
echo "finished + lost: ", $s['distinct'] + $s['lost'], "\n";
echo "finish callbacks: ", $s['finishes'] === $s['distinct'] ? 'one per task' : "{$s['finishes']} for {$s['distinct']} tasks", ", dups {$s['dups']}, lost twice {$s['lost_twice']}, both finished and lost {$s['both']}, bad ", json_encode($s['bad']), "\n";
sort($s['lost_data'], SORT_NATURAL);
sort($held, SORT_NATURAL);
// Each task worker of B held the task it ran and perhaps the next, taken while it ran; it
// ran both during the cut, and Redis refused both results once the link was back.
$ok = !array_diff($held, $s['lost_data']) && $s['lost'] <= 4;
echo "lost: the tasks B ran among them: ", var_export($ok, true), ", task_lost_num = lost: ", var_export($s['task_lost_num'] === $s['lost'], true), "\n";
echo "late results dropped on B = lost: ", var_export(Flood::droppedLate($b->output()) === $s['lost'], true), "\n";
if (!$ok) {
    echo "lost ", json_encode($s['lost_data']), ", held ", json_encode($held), "\n";
}
echo "every lost task named in a warning: ", var_export(Flood::warnedLost($a->output()) === $s['lost_ids'], true), "\n";
echo "after the link came back: ", array_sum($s['phase2']), " finished, lost {$s['phase2_lost']}, ran on A: ", var_export($s['phase2']['A'] > 0, true), ", ran on B: ", var_export($s['phase2']['B'] > 0, true), "\n";
echo "task_count {$s['task_count']}, tasking_num {$s['tasking_num']}\n";
echo "pending: ", $net->redis('XPENDING', 'flood:tasks', 'flood:workers')[0], "\n";
echo "exit code A: ", $a->stop(), "\n";
echo "exit code B: ", $b->stop(), "\n";
echo "left in A: ", count($net->pidsIn('A')), ", left in B: ", count($net->pidsIn('B')), "\n";
echo "anomalies: ", json_encode(Flood::anomalies($net)), "\n";
?>
--EXPECT--
B kept running through the cut: true
finished + lost: 10000
finish callbacks: one per task, dups 0, lost twice 0, both finished and lost 0, bad []
lost: the tasks B ran among them: true, task_lost_num = lost: true
late results dropped on B = lost: true
every lost task named in a warning: true
after the link came back: 4000 finished, lost 0, ran on A: true, ran on B: true
task_count 10000, tasking_num 0
pending: 0
exit code A: 0
exit code B: 0
left in A: 0, left in B: 0
anomalies: []
