--TEST--
Swoole\Lock is robust: a process SIGKILLed while it holds a mutex, an rwlock's write lock or a read lock does not freeze the others; the next locker gets it within a second or so with a "died holding" warning, also when it was already waiting; a live reader still excludes a writer when another reader died
--SKIPIF--
<?php if (!function_exists('pcntl_fork')) die('skip pcntl_fork is missing'); ?>
--FILE--
<?php
require __DIR__ . '/lock_fork.inc';

$warnings = [];
set_error_handler(function ($no, $str) use (&$warnings) {
    $warnings[] = ($no === E_WARNING ? 'E_WARNING ' : "error $no ") . $str;
    return true;
});
/** The warnings since the last call, one a line ("none" if there were none). */
function warnings(): string
{
    global $warnings;
    $w = $warnings ? implode("\n", $warnings) : 'none';
    $warnings = [];
    return $w;
}

/** A child takes `$lock` with `$op`, says so and SIGKILLs itself while holding it. */
function die_holding(Swoole\Lock $lock, int $op): void
{
    [$pid, $c] = child(function ($s) use ($lock, $op) {
        say($s, 'child holds it: ' . var_export($lock->lock($op), true));
        posix_kill(getmypid(), SIGKILL);
        say($s, 'still alive');
    });
    echo hear($c), "\n";
    echo "child: ", reap($pid), "\n";
}

/** After the holder died: lock() gets it in time, once with a warning, then as usual. */
function take_over(Swoole\Lock $lock, int $op): void
{
    $t = microtime(true);
    $ok = r($lock->lock($op, 5), $lock);
    echo "lock within 5 s: $ok, within 2 s: ", var_export(since($t) < 2, true), "\n";
    echo warnings(), "\n";
    echo "unlock: ", r($lock->unlock(), $lock), "\n";
    echo "again, LOCK_EX|LOCK_NB: ", r($lock->lock(LOCK_EX | LOCK_NB), $lock), ", unlock: ", r($lock->unlock(), $lock), "\n";
    // Another process too finds it free and usable.
    [$pid, $c] = child(function ($s) use ($lock) {
        say($s, 'a new child, LOCK_EX|LOCK_NB: ' . r($lock->lock(LOCK_EX | LOCK_NB), $lock) . ', unlock: ' . r($lock->unlock(), $lock));
    });
    echo hear($c), "\n";
    echo "child: ", reap($pid), "\n";
    echo warnings(), "\n";
}

echo "-- mutex\n";
$m = new Swoole\Lock(SWOOLE_MUTEX);
die_holding($m, LOCK_EX);
take_over($m, LOCK_EX);

echo "-- rwlock, write lock\n";
$rw = new Swoole\Lock(SWOOLE_RWLOCK);
die_holding($rw, LOCK_EX);
take_over($rw, LOCK_EX);

echo "-- rwlock, read lock\n";
$rw2 = new Swoole\Lock(SWOOLE_RWLOCK);
die_holding($rw2, LOCK_SH);
take_over($rw2, LOCK_EX);

echo "-- rwlock, one reader dies while another still reads\n";
$rw3 = new Swoole\Lock(SWOOLE_RWLOCK);
[$live, $lc] = child(function ($s) use ($rw3) {
    say($s, 'live reader holds it: ' . var_export($rw3->lock(LOCK_SH), true));
    hear($s, 10);
    say($s, 'live reader unlock: ' . r($rw3->unlock(), $rw3));
});
echo hear($lc), "\n";
die_holding($rw3, LOCK_SH);
$t = microtime(true);
echo "writer, lock(LOCK_EX, 0.5): ", r($rw3->lock(LOCK_EX, 0.5), $rw3), "\n";
$e = since($t);
echo "waited about 0.5 s: ", var_export($e >= 0.45 && $e < 2.5, true), "\n";
echo "another reader meanwhile, LOCK_SH|LOCK_NB: ", r($rw3->lock(LOCK_SH | LOCK_NB), $rw3), ", unlock: ", r($rw3->unlock(), $rw3), "\n";
say($lc, 'release');
echo hear($lc), "\n";
$t = microtime(true);
echo "writer once the live reader left, lock(LOCK_EX, 5): ", r($rw3->lock(LOCK_EX, 5), $rw3), ", within 2 s: ", var_export(since($t) < 2, true), "\n";
echo "unlock: ", r($rw3->unlock(), $rw3), "\n";
echo "child: ", reap($live), "\n";
$w = explode("\n", warnings());
echo count($w), " warning(s): ", $w[0], "\n";

echo "-- mutex, the holder dies while another process waits for it\n";
$m2 = new Swoole\Lock(SWOOLE_MUTEX);
[$pid, $c] = child(function ($s) use ($m2) {
    say($s, 'child holds it: ' . var_export($m2->lock(), true));
    hear($s, 10);
    usleep(300000);
    posix_kill(getmypid(), SIGKILL);
});
echo hear($c), "\n";
say($c, 'go');
$t = microtime(true);
// Still this process's child: it is a zombie until reaped after this returns.
$ok = r($m2->lock(LOCK_EX, 5), $m2);
$e = since($t);
echo "waiting lock(LOCK_EX, 5): $ok, waited for the holder: ", var_export($e >= 0.2, true), ", within 2.5 s: ", var_export($e < 2.5, true), "\n";
echo warnings(), "\n";
echo "unlock: ", r($m2->unlock(), $m2), "\n";
echo "child: ", reap($pid), "\n";
?>
--EXPECTF--
-- mutex
child holds it: true
child: signal 9
lock within 5 s: true 0, within 2 s: true
E_WARNING Swoole\Lock::lock(): %sdied holding%s
unlock: true 0
again, LOCK_EX|LOCK_NB: true 0, unlock: true 0
a new child, LOCK_EX|LOCK_NB: true 0, unlock: true 0
child: exit 0
none
-- rwlock, write lock
child holds it: true
child: signal 9
lock within 5 s: true 0, within 2 s: true
E_WARNING Swoole\Lock::lock(): %sdied holding%s
unlock: true 0
again, LOCK_EX|LOCK_NB: true 0, unlock: true 0
a new child, LOCK_EX|LOCK_NB: true 0, unlock: true 0
child: exit 0
none
-- rwlock, read lock
child holds it: true
child: signal 9
lock within 5 s: true 0, within 2 s: true
E_WARNING Swoole\Lock::lock(): %sdied holding%s
unlock: true 0
again, LOCK_EX|LOCK_NB: true 0, unlock: true 0
a new child, LOCK_EX|LOCK_NB: true 0, unlock: true 0
child: exit 0
none
-- rwlock, one reader dies while another still reads
live reader holds it: true
child holds it: true
child: signal 9
writer, lock(LOCK_EX, 0.5): false 110
waited about 0.5 s: true
another reader meanwhile, LOCK_SH|LOCK_NB: true 0, unlock: true 0
live reader unlock: true 0
writer once the live reader left, lock(LOCK_EX, 5): true 0, within 2 s: true
unlock: true 0
child: exit 0
1 warning(s): E_WARNING Swoole\Lock::lock(): %sdied holding%s
-- mutex, the holder dies while another process waits for it
child holds it: true
waiting lock(LOCK_EX, 5): true 0, waited for the holder: true, within 2.5 s: true
E_WARNING Swoole\Lock::lock(): %sdied holding%s
unlock: true 0
child: signal 9
