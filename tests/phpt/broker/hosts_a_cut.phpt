--TEST--
task_broker across hosts: the sending host A's link is cut for longer than the visibility timeout while its task worker runs a task; the task it held is reported lost (claimed by B) once A is back, its late result is dropped, nothing is delivered twice and tasks run on both hosts again
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
$net->flag('budget', (string)$phase2);
Flood::waitProgress($net, 1000, 20);
$net->flag('hold', 'A');
[$held] = Flood::waitHolding($net, 1);
$net->cut('A');
unlink($net->dir . '/hold');
$net->flag('release');
$net->waitNotes('released ', 1);
// B's task workers claim the task A's task worker can no longer keep, and report it lost
// (to A's result stream, which A reads once it is back).
$net->waitUntil(fn() => $net->pendingOf('flood', $a) === 0, 15, "B to claim A's tasks");
$net->restore('A');
$net->waitUntil(fn() => Flood::droppedLate($a->output()) >= 1, 15, "A to drop its late result");
$net->flag('budget', (string)$N);
$s = Flood::summary($net);
echo "finished + lost: ", $s['distinct'] + $s['lost'], "\n";
echo "finish callbacks: ", $s['finishes'] === $s['distinct'] ? 'one per task' : "{$s['finishes']} for {$s['distinct']} tasks", ", dups {$s['dups']}, lost twice {$s['lost_twice']}, both finished and lost {$s['both']}, bad ", json_encode($s['bad']), "\n";
echo "the task A held is lost: ", var_export(in_array($held, $s['lost_data'], true), true), ", task_lost_num = lost: ", var_export($s['task_lost_num'] === $s['lost'], true), "\n";
echo "every lost task named in a warning: ", var_export(Flood::warnedLost($a->output()) === $s['lost_ids'], true), "\n";
// The tasks A's task worker held (the one it ran, and any it took to run next) were reported
// lost by B's claimer; it ran them during the cut and Redis refused their results.
$claimed = preg_match_all('/^Warning: .*task#\d+ of worker#0 was lost: the task worker that took it stopped answering/m', $a->output());
echo "late results dropped on A = tasks claimed from it: ", var_export(Flood::droppedLate($a->output()) === $claimed, true), ", claimed 1 or 2: ", var_export($claimed >= 1 && $claimed <= 2, true), "\n";
echo "after the link came back: ", array_sum($s['phase2']), " finished, lost {$s['phase2_lost']}, ran on A: ", var_export($s['phase2']['A'] > 0, true), ", ran on B: ", var_export($s['phase2']['B'] > 0, true), "\n";
echo "task_count {$s['task_count']}, tasking_num {$s['tasking_num']}\n";
echo "pending: ", $net->redis('XPENDING', 'flood:tasks', 'flood:workers')[0], "\n";
echo "exit code A: ", $a->stop(), "\n";
echo "exit code B: ", $b->stop(), "\n";
echo "left in A: ", count($net->pidsIn('A')), ", left in B: ", count($net->pidsIn('B')), "\n";
// task() may refuse while A cannot reach the broker (pump() tries again later): not an anomaly here.
echo "anomalies: ", json_encode(array_values(array_filter(Flood::anomalies($net), fn($l) => !str_starts_with($l, 'refused')))), "\n";
?>
--EXPECT--
finished + lost: 10000
finish callbacks: one per task, dups 0, lost twice 0, both finished and lost 0, bad []
the task A held is lost: true, task_lost_num = lost: true
every lost task named in a warning: true
late results dropped on A = tasks claimed from it: true, claimed 1 or 2: true
after the link came back: 4000 finished, lost 0, ran on A: true, ran on B: true
task_count 10000, tasking_num 0
pending: 0
exit code A: 0
exit code B: 0
left in A: 0, left in B: 0
anomalies: []
