--TEST--
Swoole\Lock: constants, bad type, mutex/spinlock/rwlock semantics across forked processes (LOCK_NB gives EBUSY, a timeout ETIMEDOUT, timeout <= 0 waits), readers share, a writer excludes readers, unlock by a non-holder is EPERM, relocking a held mutex is EDEADLK, errCode is 0 after each success, legacy methods
--SKIPIF--
<?php if (!function_exists('pcntl_fork')) die('skip pcntl_fork is missing'); ?>
--FILE--
<?php
require __DIR__ . '/lock_fork.inc';

var_dump(SWOOLE_MUTEX, SWOOLE_RWLOCK, SWOOLE_SPINLOCK);
var_dump(Swoole\Lock::MUTEX, Swoole\Lock::RWLOCK, Swoole\Lock::SPINLOCK);
try {
    new Swoole\Lock(99);
    echo "no exception\n";
} catch (Throwable $e) {
    echo get_class($e), ': ', $e->getMessage(), "\n";
}

echo "-- one process, mutex (the default type)\n";
$m = new Swoole\Lock();
echo "unlock when free: ", r($m->unlock(), $m), "\n";
echo "lock: ", r($m->lock(), $m), "\n";
echo "unlock: ", r($m->unlock(), $m), "\n";
echo "trylock: ", r($m->trylock(), $m), "\n";
echo "unlock: ", r($m->unlock(), $m), "\n";
echo "lockwait: ", r($m->lockwait(), $m), "\n";
echo "unlock: ", r($m->unlock(), $m), "\n";
echo "lock LOCK_EX|LOCK_NB: ", r($m->lock(LOCK_EX | LOCK_NB), $m), "\n";
echo "unlock: ", r($m->unlock(), $m), "\n";
echo "lock with a timeout: ", r($m->lock(LOCK_EX, 1.5), $m), "\n";
echo "unlock: ", r($m->unlock(), $m), "\n";

// Relocking a mutex this process holds would wait for ever: it fails at once instead. Done in
// a child, so that a deadlock is a bounded failure of this test.
[$pid, $c] = child(function ($s) use ($m) {
    $m->lock();
    $t = microtime(true);
    $a = r($m->lock(), $m);
    $b = r($m->lock(LOCK_EX, 2), $m);
    $fast = since($t) < 0.5;
    $d = r($m->unlock(), $m);
    say($s, "relock: $a, relock with a timeout: $b, at once: " . var_export($fast, true) . ", unlock: $d");
});
echo hear($c), "\n";
echo "child: ", reap($pid), "\n";

echo "-- mutex held by another process\n";
[$pid, $c] = child(function ($s) use ($m) {
    say($s, 'child locked: ' . r($m->lock(), $m));
    $cmd = hear($s, 10);
    say($s, "child told '$cmd', unlock: " . r($m->unlock(), $m));
});
echo hear($c), "\n";
$t = microtime(true);
echo "LOCK_EX|LOCK_NB: ", r($m->lock(LOCK_EX | LOCK_NB), $m), "\n";
echo "LOCK_SH|LOCK_NB (exclusive on a mutex): ", r($m->lock(LOCK_SH | LOCK_NB), $m), "\n";
echo "trylock: ", r($m->trylock(), $m), "\n";
echo "trylock_read: ", r($m->trylock_read(), $m), "\n";
echo "those returned at once: ", var_export(since($t) < 0.5, true), "\n";
$t = microtime(true);
echo "lock(LOCK_EX, 0.3): ", r($m->lock(LOCK_EX, 0.3), $m), "\n";
$e = since($t);
echo "waited about 0.3 s: ", var_export($e >= 0.28 && $e < 2, true), "\n";
$t = microtime(true);
echo "lockwait(0.3): ", r($m->lockwait(0.3), $m), "\n";
$e = since($t);
echo "waited about 0.3 s: ", var_export($e >= 0.28 && $e < 2, true), "\n";
echo "unlock by a non-holder: ", r($m->unlock(), $m), "\n";
say($c, 'release');
echo hear($c), "\n";
$t = microtime(true);
echo "lock(LOCK_EX, 5) once released: ", r($m->lock(LOCK_EX, 5), $m), ", at once: ", var_export(since($t) < 1, true), "\n";
echo "unlock: ", r($m->unlock(), $m), "\n";
echo "child: ", reap($pid), "\n";

// A timeout of 0 or less (and no LOCK_NB) waits as long as it takes: the child holds the lock
// for 0.6 s after it is told to go, while this process waits.
foreach (['lock()' => fn() => $m->lock(), 'lock(LOCK_EX, 0)' => fn() => $m->lock(LOCK_EX, 0),
          'lock(LOCK_EX, -1)' => fn() => $m->lock(LOCK_EX, -1)] as $what => $call) {
    [$pid, $c] = child(function ($s) use ($m) {
        say($s, 'locked ' . var_export($m->lock(), true));
        hear($s, 10);
        usleep(600000);
        $m->unlock();
    });
    echo hear($c), "\n";
    say($c, 'go');
    $t = microtime(true);
    $ok = r($call(), $m);
    $e = since($t);
    echo "$what while held: $ok, waited for the holder: ", var_export($e >= 0.3 && $e < 5, true), "\n";
    $m->unlock();
    echo "child: ", reap($pid), "\n";
}

echo "-- spinlock\n";
$sp = new Swoole\Lock(SWOOLE_SPINLOCK);
echo "lock: ", r($sp->lock(), $sp), ", unlock: ", r($sp->unlock(), $sp), "\n";
[$pid, $c] = child(function ($s) use ($sp) {
    say($s, 'child locked: ' . r($sp->lock(), $sp));
    hear($s, 10);
    say($s, 'child unlock: ' . r($sp->unlock(), $sp));
});
echo hear($c), "\n";
echo "LOCK_EX|LOCK_NB: ", r($sp->lock(LOCK_EX | LOCK_NB), $sp), "\n";
$t = microtime(true);
echo "lock(LOCK_EX, 0.3): ", r($sp->lock(LOCK_EX, 0.3), $sp), "\n";
$e = since($t);
echo "waited about 0.3 s: ", var_export($e >= 0.28 && $e < 2, true), "\n";
echo "unlock by a non-holder: ", r($sp->unlock(), $sp), "\n";
say($c, 'release');
echo hear($c), "\n";
echo "lock(LOCK_EX, 5) once released: ", r($sp->lock(LOCK_EX, 5), $sp), "\n";
echo "unlock: ", r($sp->unlock(), $sp), "\n";
echo "child: ", reap($pid), "\n";

echo "-- rwlock: two readers at once\n";
$rw = new Swoole\Lock(SWOOLE_RWLOCK);
$readers = [];
for ($i = 1; $i <= 2; $i++) {
    $readers[] = child(function ($s) use ($rw, $i) {
        say($s, "reader $i holds: " . r($rw->lock(LOCK_SH), $rw));
        hear($s, 10);
        say($s, "reader $i unlock: " . r($rw->unlock(), $rw));
    });
}
// Both say they hold it before either is told to let go: they hold it at the same time.
foreach ($readers as [$pid, $c]) {
    echo hear($c), "\n";
}
$t = microtime(true);
echo "LOCK_EX|LOCK_NB: ", r($rw->lock(LOCK_EX | LOCK_NB), $rw), "\n";
echo "trylock: ", r($rw->trylock(), $rw), "\n";
echo "at once: ", var_export(since($t) < 0.5, true), "\n";
$t = microtime(true);
echo "lock(LOCK_EX, 0.3): ", r($rw->lock(LOCK_EX, 0.3), $rw), "\n";
$e = since($t);
echo "waited about 0.3 s: ", var_export($e >= 0.28 && $e < 2, true), "\n";
echo "unlock by a non-holder: ", r($rw->unlock(), $rw), "\n";
echo "a third reader, LOCK_SH|LOCK_NB: ", r($rw->lock(LOCK_SH | LOCK_NB), $rw), ", unlock: ", r($rw->unlock(), $rw), "\n";
echo "trylock_read: ", r($rw->trylock_read(), $rw), ", unlock: ", r($rw->unlock(), $rw), "\n";
echo "lock_read: ", r($rw->lock_read(), $rw), ", unlock: ", r($rw->unlock(), $rw), "\n";
echo "lock(LOCK_SH, 1): ", r($rw->lock(LOCK_SH, 1), $rw), ", unlock: ", r($rw->unlock(), $rw), "\n";
say($readers[0][1], 'release');
echo hear($readers[0][1]), "\n";
echo "one reader left, LOCK_EX|LOCK_NB: ", r($rw->lock(LOCK_EX | LOCK_NB), $rw), "\n";
say($readers[1][1], 'release');
echo hear($readers[1][1]), "\n";
$t = microtime(true);
echo "no reader left, lock(LOCK_EX, 5): ", r($rw->lock(LOCK_EX, 5), $rw), ", at once: ", var_export(since($t) < 1, true), "\n";
echo "unlock: ", r($rw->unlock(), $rw), "\n";
foreach ($readers as [$pid, $c]) {
    echo "child: ", reap($pid), "\n";
}

echo "-- rwlock: a writer excludes readers and writers\n";
[$pid, $c] = child(function ($s) use ($rw) {
    say($s, 'writer holds: ' . r($rw->lock(LOCK_EX), $rw));
    hear($s, 10);
    usleep(600000);
    say($s, 'writer unlock: ' . r($rw->unlock(), $rw));
});
echo hear($c), "\n";
$t = microtime(true);
echo "LOCK_SH|LOCK_NB: ", r($rw->lock(LOCK_SH | LOCK_NB), $rw), "\n";
echo "trylock_read: ", r($rw->trylock_read(), $rw), "\n";
echo "LOCK_EX|LOCK_NB: ", r($rw->lock(LOCK_EX | LOCK_NB), $rw), "\n";
echo "at once: ", var_export(since($t) < 0.5, true), "\n";
$t = microtime(true);
echo "lock(LOCK_SH, 0.3): ", r($rw->lock(LOCK_SH, 0.3), $rw), "\n";
$e = since($t);
echo "waited about 0.3 s: ", var_export($e >= 0.28 && $e < 2, true), "\n";
say($c, 'go');
$t = microtime(true);
echo "lock_read while the writer holds it: ", r($rw->lock_read(), $rw), "\n";
$e = since($t);
echo "waited for the writer: ", var_export($e >= 0.3 && $e < 5, true), "\n";
echo hear($c), "\n";
echo "unlock: ", r($rw->unlock(), $rw), "\n";
echo "child: ", reap($pid), "\n";
?>
--EXPECT--
int(3)
int(1)
int(5)
int(3)
int(1)
int(5)
Swoole\Exception: lock type[99] is not supported
-- one process, mutex (the default type)
unlock when free: false 1
lock: true 0
unlock: true 0
trylock: true 0
unlock: true 0
lockwait: true 0
unlock: true 0
lock LOCK_EX|LOCK_NB: true 0
unlock: true 0
lock with a timeout: true 0
unlock: true 0
relock: false 35, relock with a timeout: false 35, at once: true, unlock: true 0
child: exit 0
-- mutex held by another process
child locked: true 0
LOCK_EX|LOCK_NB: false 16
LOCK_SH|LOCK_NB (exclusive on a mutex): false 16
trylock: false 16
trylock_read: false 16
those returned at once: true
lock(LOCK_EX, 0.3): false 110
waited about 0.3 s: true
lockwait(0.3): false 110
waited about 0.3 s: true
unlock by a non-holder: false 1
child told 'release', unlock: true 0
lock(LOCK_EX, 5) once released: true 0, at once: true
unlock: true 0
child: exit 0
locked true
lock() while held: true 0, waited for the holder: true
child: exit 0
locked true
lock(LOCK_EX, 0) while held: true 0, waited for the holder: true
child: exit 0
locked true
lock(LOCK_EX, -1) while held: true 0, waited for the holder: true
child: exit 0
-- spinlock
lock: true 0, unlock: true 0
child locked: true 0
LOCK_EX|LOCK_NB: false 16
lock(LOCK_EX, 0.3): false 110
waited about 0.3 s: true
unlock by a non-holder: false 1
child unlock: true 0
lock(LOCK_EX, 5) once released: true 0
unlock: true 0
child: exit 0
-- rwlock: two readers at once
reader 1 holds: true 0
reader 2 holds: true 0
LOCK_EX|LOCK_NB: false 16
trylock: false 16
at once: true
lock(LOCK_EX, 0.3): false 110
waited about 0.3 s: true
unlock by a non-holder: false 1
a third reader, LOCK_SH|LOCK_NB: true 0, unlock: true 0
trylock_read: true 0, unlock: true 0
lock_read: true 0, unlock: true 0
lock(LOCK_SH, 1): true 0, unlock: true 0
reader 1 unlock: true 0
one reader left, LOCK_EX|LOCK_NB: false 16
reader 2 unlock: true 0
no reader left, lock(LOCK_EX, 5): true 0, at once: true
unlock: true 0
child: exit 0
child: exit 0
-- rwlock: a writer excludes readers and writers
writer holds: true 0
LOCK_SH|LOCK_NB: false 16
trylock_read: false 16
LOCK_EX|LOCK_NB: false 16
at once: true
lock(LOCK_SH, 0.3): false 110
waited about 0.3 s: true
lock_read while the writer holds it: true 0
waited for the writer: true
writer unlock: true 0
unlock: true 0
child: exit 0
