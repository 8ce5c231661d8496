--TEST--
Swoole\Process without a server: start() forks, returns the child's pid and sets $p->pid; the child runs the callback with its own Process (pid = getmypid(), id null) and exits with the code of exit(N), 0 after a return, 255 after an uncaught exception, $proc->exit(5) gives 5; the pipe works both ways; name() sets /proc/PID/cmdline; Process::wait(true) gives pid, code and signal, wait(false) false while no child is done; Process::kill($pid, 0) is true for a live process and false without a warning for a gone one, kill($pid, SIGTERM) ends it (signal 15); Process::signal() runs its callback on the signal
--FILE--
<?php
/** Polls `$cond` until it is true or 5 s passed. */
function until(callable $cond): bool
{
    $deadline = microtime(true) + 5;
    while (!($ok = $cond()) && microtime(true) < $deadline) {
        usleep(5000);
    }
    return (bool)$ok;
}
/**
 * Waits (5 s at most) until child `$pid` has ended, so that a wait(true) after it cannot
 * block for ever; on a timeout the child is killed and the test fails.
 */
function ended(int $pid): void
{
    $zombie = function () use ($pid) {
        $s = @file_get_contents("/proc/$pid/stat");
        return $s === false || substr($s, strrpos($s, ')') + 2, 1) === 'Z';
    };
    if (!until($zombie)) {
        echo "CHILD $pid DID NOT END\n";
        posix_kill($pid, SIGKILL);
    }
}

$p = new Swoole\Process(function (Swoole\Process $proc) {
    $proc->write(json_encode(['pid is getmypid()' => $proc->pid === getmypid(), 'id' => $proc->id, 'name()' => $proc->name('rs-test-name')]));
    $m = $proc->read();
    if ($m === 'exit 5') {
        $proc->exit(5);
    }
    exit(1);
});
var_dump($p->pid, $p->id);
$pid = $p->start();
echo "start() returned the child's pid, also in \$p->pid: ", var_export(is_int($pid) && $pid > 0 && $pid === $p->pid && $pid !== getmypid(), true), "\n";
echo "child: ", $p->read(), "\n";
$cmdline = (string)@file_get_contents("/proc/$pid/cmdline");
echo "cmdline starts with the name: ", var_export(str_starts_with($cmdline, 'rs-test-name'), true), "\n";
echo "kill(pid, 0) while it runs: ", var_export(Swoole\Process::kill($pid, 0), true), "\n";
echo "wait(false) while it runs: ", var_export(Swoole\Process::wait(false), true), "\n";
echo "write(): ", $p->write('exit 5'), "\n";
ended($pid);
$w = Swoole\Process::wait(true);
echo "after \$proc->exit(5): ", json_encode($w), " (pid is the child's: ", var_export($w['pid'] === $pid, true), ")\n";
echo "kill(pid, 0) once it is gone: ", var_export(Swoole\Process::kill($pid, 0), true), "\n";
echo "wait(false) with no child: ", var_export(Swoole\Process::wait(false), true), "\n";

/** Starts a process running `$fn`; its wait() result with the pid checked. */
function run(callable $fn): string
{
    $p = new Swoole\Process($fn, false, 0);
    $pid = $p->start();
    ended($pid);
    $w = Swoole\Process::wait(true);
    $ok = $w['pid'] === $pid;
    unset($w['pid']);
    return json_encode($w) . ($ok ? '' : ' (WRONG PID)');
}
// (Each run() before its echo: the child's output comes first.)
$r = run(function () { echo "child output\n"; return 7; });
echo "return: $r\n";
$r = run(function () { exit(9); });
echo "exit(9): $r\n";
$r = run(function () { throw new RuntimeException('boom in a child'); });
echo "exception: $r\n";

// SIGTERM ends a child waiting in read().
$p = new Swoole\Process(function (Swoole\Process $proc) {
    $proc->write('ready');
    $proc->read();
    exit(1);
});
$pid = $p->start();
$p->read();
echo "kill(pid, SIGTERM): ", var_export(Swoole\Process::kill($pid, SIGTERM), true), "\n";
ended($pid);
$w = Swoole\Process::wait(true);
echo "then wait(): code ", $w['code'], ", signal ", $w['signal'], ", pid is the child's: ", var_export($w['pid'] === $pid, true), "\n";

// Several children: wait() reaps each once.
$started = [];
foreach ([3, 4] as $code) {
    $started[] = (new Swoole\Process(fn() => exit($code), false, 0))->start();
}
array_map('ended', $started);
$reaped = [Swoole\Process::wait(true), Swoole\Process::wait(true)];
usort($reaped, fn($a, $b) => $a['code'] <=> $b['code']);
echo "two children reaped: codes ", $reaped[0]['code'], ',', $reaped[1]['code'], ", pids match: ",
    var_export(array_column($reaped, 'pid') === $started, true), "\n";

$got = [];
var_dump(Swoole\Process::signal(SIGUSR1, function ($sig) use (&$got) { $got[] = $sig; }));
posix_kill(getmypid(), SIGUSR1);
echo "signal callback ran: ", var_export(until(fn() => $got === [SIGUSR1]), true), "\n";
?>
--EXPECTF--
NULL
NULL
start() returned the child's pid, also in $p->pid: true
child: {"pid is getmypid()":true,"id":null,"name()":true}
cmdline starts with the name: true
kill(pid, 0) while it runs: true
wait(false) while it runs: false
write(): 6
after $proc->exit(5): {"pid":%d,"code":5,"signal":0} (pid is the child's: true)
kill(pid, 0) once it is gone: false
wait(false) with no child: false
child output
return: {"code":0,"signal":0}
exit(9): {"code":9,"signal":0}

Fatal error: Uncaught RuntimeException: boom in a child in %s:%d
Stack trace:
#0 [internal function]: {closure}(Object(Swoole\Process))
#1 %s(%d): Swoole\Process->start()
#2 %s(%d): run(Object(Closure))
#3 {main}
  thrown in %s on line %d
exception: {"code":255,"signal":0}
kill(pid, SIGTERM): true
then wait(): code 0, signal 15, pid is the child's: true
two children reaped: codes 3,4, pids match: true
bool(true)
signal callback ran: true
