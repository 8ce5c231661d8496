--TEST--
Swoole\Table limits: exactly size + size * conflict_proportion rows whatever the keys (proportion clamped to [0.2, 1]), the next new key is refused with Swoole's warning while updates still work, deleted rows are reusable, stats(); keys of 64 bytes or more refused (not cut); bad column() calls; use before create() and after destroy() throws
--FILE--
<?php
/** A table of `$size` rows with one int column, created. */
function table(int $size, ?float $proportion = null): Swoole\Table
{
    $t = $proportion === null ? new Swoole\Table($size) : new Swoole\Table($size, $proportion);
    $t->column('v', Swoole\Table::TYPE_INT);
    $t->create();
    return $t;
}
/** Sets new keys until one is refused (at most `$max`); returns how many were stored. */
function fill(Swoole\Table $t, callable $key, int $max): int
{
    for ($i = 0; $i < $max; $i++) {
        if (!@$t->set($key($i), ['v' => $i])) {
            break;
        }
    }
    return $i;
}

echo "-- new Table(64) holds 76 rows\n";
$t = table(64);
$stored = 0;
for ($i = 0; $i < 76; $i++) {
    $stored += $t->set("key-$i", ['v' => $i]);
}
echo "stored $stored, count ", count($t), "\n";
var_dump($t->set('one-too-many', ['v' => 1]));
var_dump($t->exists('one-too-many'), count($t));
var_dump($t->incr('another-new-one', 'v'));
var_dump($t->exists('another-new-one'), count($t));
echo "updates still work when full: ";
var_dump($t->set('key-5', ['v' => 500]), $t->get('key-5', 'v'), $t->incr('key-6', 'v', 10), $t->decr('key-7', 'v'));
$bad = 0;
for ($i = 0; $i < 76; $i++) {
    $want = [5 => 500, 6 => 16, 7 => 6][$i] ?? $i;
    $bad += $t->get("key-$i", 'v') !== $want;
}
echo "rows with a wrong value: $bad\n";
$s = $t->stats();
echo implode(',', array_keys($s)), "\n";
echo "all ints: ", var_export(count(array_filter($s, 'is_int')) === count($s), true), "\n";
echo "full: num {$s['num']}, available_slice_num {$s['available_slice_num']}, total_slice_num {$s['total_slice_num']}\n";
echo "-- a deleted row's place is free again\n";
var_dump($t->del('key-0'));
var_dump($t->set('newcomer', ['v' => 1]));
var_dump($t->set('one-too-many', ['v' => 1]));
for ($i = 1; $i < 76; $i++) {
    $t->del("key-$i");
}
$t->del('newcomer');
$s = $t->stats();
echo "empty: count ", count($t), ", num {$s['num']}, available_slice_num {$s['available_slice_num']}, total_slice_num {$s['total_slice_num']}\n";
echo "refilled with other keys: ", fill($t, fn($i) => "other-$i", 100), "\n";
$s = $t->stats();
echo "full again: num {$s['num']}, available_slice_num {$s['available_slice_num']}\n";

echo "-- the capacity does not depend on the keys\n";
foreach (['decimal' => fn($i) => (string)$i, 'md5' => fn($i) => md5((string)$i),
          'long common prefix' => fn($i) => str_repeat('p', 50) . $i, 'one byte' => fn($i) => chr($i)] as $what => $key) {
    $u = table(64);
    echo "$what: ", fill($u, $key, 100), "\n";
}
echo "-- conflict_proportion\n";
foreach ([[64, 0.5], [64, 1.0], [64, 0.0], [64, 0.1], [64, 5.0], [100, 0.25], [1000, 0.2]] as [$size, $p]) {
    $u = table($size, $p);
    $n = fill($u, fn($i) => "k$i", 2000);
    echo "new Table($size, $p): getSize() {$u->getSize()}, stored $n, total_slice_num {$u->stats()['total_slice_num']}\n";
}

echo "-- keys of 64 bytes or more are refused, not cut\n";
$k63 = str_repeat('k', 63);
$k64 = str_repeat('k', 64);
$t = table(64);
var_dump($t->set($k63, ['v' => 63]), $t->get($k63, 'v'), $t->exists($k63));
var_dump($t->set($k64, ['v' => 64]));
var_dump($t->incr($k64, 'v'));
var_dump($t->decr($k64, 'v'));
var_dump($t->set(str_repeat('z', 1000), ['v' => 1]));
// Without a warning:
var_dump($t->get($k64), $t->get($k64, 'v'), $t->exists($k64), $t->del($k64));
echo "the 63-byte key is untouched: ", $t->get($k63, 'v'), ", count ", count($t), "\n";
var_dump($t->incr($k63, 'v'), $t->del($k63), $t->exists($k63));

echo "-- bad columns\n";
$t = new Swoole\Table(64);
var_dump($t->column('s', Swoole\Table::TYPE_STRING));
var_dump($t->column('s', Swoole\Table::TYPE_STRING, -1));
var_dump($t->column('s', Swoole\Table::TYPE_STRING, 1));
// Without a warning:
var_dump($t->column('s', Swoole\Table::TYPE_INT), $t->column('x', 99), $t->column('y', 0));
var_dump($t->create());
var_dump($t->column('late', Swoole\Table::TYPE_INT));
var_dump($t->set('r', ['s' => 'hello', 'x' => 5, 'y' => 6, 'late' => 7]));
var_dump($t->get('r'), $t->get('r', 'late'));

echo "-- use before create() and after destroy()\n";
$t = new Swoole\Table(64);
$t->column('v', Swoole\Table::TYPE_INT);
$calls = [
    'set' => fn() => $t->set('a', ['v' => 1]),
    'get' => fn() => $t->get('a'),
    'exists' => fn() => $t->exists('a'),
    'del' => fn() => $t->del('a'),
    'incr' => fn() => $t->incr('a', 'v'),
    'decr' => fn() => $t->decr('a', 'v'),
    'foreach' => function () use ($t) {
        foreach ($t as $row) {
        }
    },
];
$try = function () use ($calls) {
    foreach ($calls as $name => $call) {
        try {
            $call();
            echo "$name: no error\n";
        } catch (Throwable $e) {
            echo "$name: ", get_class($e), ': ', $e->getMessage(), "\n";
        }
    }
};
$try();
var_dump($t->create(), $t->set('a', ['v' => 1]), $t->get('a', 'v'));
var_dump($t->destroy());
$try();
?>
--EXPECTF--
-- new Table(64) holds 76 rows
stored 76, count 76

Warning: Swoole\Table::set(): failed to set('one-too-many'), unable to allocate memory in %s on line %d
bool(false)
bool(false)
int(76)

Warning: Swoole\Table::incr(): %Sunable to allocate memory in %s on line %d
bool(false)
bool(false)
int(76)
updates still work when full: bool(true)
int(500)
int(16)
int(6)
rows with a wrong value: 0
num,conflict_count,conflict_max_level,insert_count,update_count,delete_count,available_slice_num,total_slice_num
all ints: true
full: num 76, available_slice_num 0, total_slice_num 76
-- a deleted row's place is free again
bool(true)
bool(true)

Warning: Swoole\Table::set(): failed to set('one-too-many'), unable to allocate memory in %s on line %d
bool(false)
empty: count 0, num 0, available_slice_num 76, total_slice_num 76
refilled with other keys: 76
full again: num 76, available_slice_num 0
-- the capacity does not depend on the keys
decimal: 76
md5: 76
long common prefix: 76
one byte: 76
-- conflict_proportion
new Table(64, 0.5): getSize() 64, stored 96, total_slice_num 96
new Table(64, 1): getSize() 64, stored 128, total_slice_num 128
new Table(64, 0): getSize() 64, stored 76, total_slice_num 76
new Table(64, 0.1): getSize() 64, stored 76, total_slice_num 76
new Table(64, 5): getSize() 64, stored 128, total_slice_num 128
new Table(100, 0.25): getSize() 128, stored 160, total_slice_num 160
new Table(1000, 0.2): getSize() 1024, stored 1228, total_slice_num 1228
-- keys of 64 bytes or more are refused, not cut
bool(true)
int(63)
bool(true)

Warning: Swoole\Table::set(): key length exceeds the limit of 63 bytes in %s on line %d
bool(false)

Warning: Swoole\Table::incr(): key length exceeds the limit of 63 bytes in %s on line %d
bool(false)

Warning: Swoole\Table::decr(): key length exceeds the limit of 63 bytes in %s on line %d
bool(false)

Warning: Swoole\Table::set(): key length exceeds the limit of 63 bytes in %s on line %d
bool(false)
bool(false)
bool(false)
bool(false)
bool(false)
the 63-byte key is untouched: 63, count 1
int(64)
bool(true)
bool(false)
-- bad columns

Warning: Swoole\Table::column(): the length of string type values has to be more than zero in %s on line %d
bool(false)

Warning: Swoole\Table::column(): the length of string type values has to be more than zero in %s on line %d
bool(false)
bool(true)
bool(false)
bool(false)
bool(false)
bool(true)

Warning: Swoole\Table::column(): unable to add column after table has been created in %s on line %d
bool(false)
bool(true)
array(1) {
  ["s"]=>
  string(5) "hello"
}
bool(false)
-- use before create() and after destroy()
set: Error: table is not created or has been destroyed
get: Error: table is not created or has been destroyed
exists: Error: table is not created or has been destroyed
del: Error: table is not created or has been destroyed
incr: Error: table is not created or has been destroyed
decr: Error: table is not created or has been destroyed
foreach: Error: table is not created or has been destroyed
bool(true)
bool(true)
int(1)
bool(true)
set: Error: table is not created or has been destroyed
get: Error: table is not created or has been destroyed
exists: Error: table is not created or has been destroyed
del: Error: table is not created or has been destroyed
incr: Error: table is not created or has been destroyed
decr: Error: table is not created or has been destroyed
foreach: Error: table is not created or has been destroyed
