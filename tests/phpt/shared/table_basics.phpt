--TEST--
Swoole\Table basics: class shape and constants, sizes, size/memorySize properties, set/get/exists/del/count, rows in column order with declared types, missing and null columns zeroed, partial updates, PHP-cast conversions, string columns rounded up to 8 bytes and cut, binary-safe keys and values, a re-added row starts from zero
--FILE--
<?php
$rc = new ReflectionClass(Swoole\Table::class);
var_dump($rc->isFinal(), $rc->implementsInterface(Iterator::class), $rc->implementsInterface(Countable::class));
var_dump(Swoole\Table::TYPE_INT, Swoole\Table::TYPE_FLOAT, Swoole\Table::TYPE_STRING);
foreach ([1, 63, 64, 65, 100, 1000, 1024, 5000] as $n) {
    echo "new Table($n): getSize() ", (new Swoole\Table($n))->getSize(), "\n";
}

$t = new Swoole\Table(100);
echo "before create: size ", var_export($t->size, true), ", memorySize ", var_export($t->memorySize, true), ", getSize() ", $t->getSize(), "\n";
var_dump($t->column('id', Swoole\Table::TYPE_INT));
var_dump($t->column('score', Swoole\Table::TYPE_FLOAT));
var_dump($t->column('name', Swoole\Table::TYPE_STRING, 5));
var_dump($t->column('note', Swoole\Table::TYPE_STRING, 16));
var_dump($t->create());
echo "after create: size ", var_export($t->size, true), ", memorySize is a positive int: ",
    var_export(is_int($t->memorySize) && $t->memorySize > 0, true),
    ", getMemorySize() is memorySize: ", var_export($t->getMemorySize() === $t->memorySize, true), "\n";
$big = new Swoole\Table(4096);
$big->column('id', Swoole\Table::TYPE_INT);
$big->column('score', Swoole\Table::TYPE_FLOAT);
$big->column('name', Swoole\Table::TYPE_STRING, 5);
$big->column('note', Swoole\Table::TYPE_STRING, 16);
$big->create();
echo "a 4096-row table takes more memory than a 128-row one: ", var_export($big->memorySize > $t->memorySize, true), "\n";

echo "-- a full row\n";
var_dump($t->set('a', ['id' => 1, 'score' => 2.5, 'name' => 'ann', 'note' => 'first']));
var_dump($t->get('a'));
echo "-- given in another order, read in column order\n";
var_dump($t->set('b', ['note' => 'second', 'name' => 'bob', 'score' => -0.125, 'id' => -2]));
var_dump($t->get('b'));
echo "-- a new row: missing and null columns are zero\n";
var_dump($t->set('c', ['name' => 'cy', 'score' => null]));
var_dump($t->get('c'));
var_dump($t->set('empty', []));
var_dump($t->get('empty'));
echo "-- an existing row: only the columns given change\n";
var_dump($t->set('a', ['score' => 9.75]));
var_dump($t->get('a'));
var_dump($t->set('a', ['note' => null, 'id' => 11]));
var_dump($t->get('a'));
echo "-- unknown keys are ignored\n";
var_dump($t->set('d', ['id' => 4, 'bogus' => 'x', 7 => 'numeric key']));
var_dump($t->get('d'));
echo "-- values are converted like PHP casts, silently\n";
var_dump($t->set('e', ['id' => '12abc', 'score' => 7, 'name' => 123, 'note' => 1.5]));
var_dump($t->get('e'));
var_dump($t->set('e', ['id' => 1.9, 'score' => '3.25xyz', 'name' => true, 'note' => false]));
var_dump($t->get('e'));
var_dump($t->set('e', ['id' => -1.9, 'score' => '', 'name' => null]));
var_dump($t->get('e'));
var_dump($t->set('ints', ['id' => PHP_INT_MAX, 'score' => 0.1]), $t->get('ints', 'id') === PHP_INT_MAX, $t->get('ints', 'score') === 0.1);
var_dump($t->set('ints', ['id' => PHP_INT_MIN, 'score' => -1e300]), $t->get('ints', 'id') === PHP_INT_MIN, $t->get('ints', 'score') === -1e300);
echo "-- a size-5 string column keeps 8 bytes, a size-16 one 16; longer values are cut\n";
var_dump($t->set('s', ['name' => 'abcdefgh', 'note' => '0123456789abcdef']));
var_dump($t->get('s', 'name'), $t->get('s', 'note'));
var_dump($t->set('s', ['name' => 'abcdefghijkl', 'note' => str_repeat('x', 100)]));
var_dump($t->get('s', 'name'), $t->get('s', 'note'));
var_dump($t->set('s', ['name' => 'ab']));
var_dump($t->get('s', 'name'));
echo "-- binary-safe values and keys\n";
var_dump($t->set('bin', ['note' => "x\0y\0"]));
var_dump(bin2hex($t->get('bin', 'note')));
var_dump($t->set("k\0one", ['id' => 1]), $t->set("k\0two", ['id' => 2]), $t->set('k', ['id' => 3]), $t->set('K', ['id' => 4]));
var_dump($t->get("k\0one", 'id'), $t->get("k\0two", 'id'), $t->get('k', 'id'), $t->get('K', 'id'), $t->exists("k\0"));
echo "-- get a field, missing keys and fields\n";
var_dump($t->get('a', 'score'), $t->get('a', 'name'), $t->get('a', 'id'));
var_dump($t->get('a', 'nope'), $t->get('zz'), $t->get('zz', 'id'));
var_dump($t->get('a', null) === $t->get('a'));
echo "-- exists, del, count\n";
var_dump($t->exists('a'), $t->exists('zz'), $t->exists('A'));
$rows = ['a', 'b', 'c', 'empty', 'd', 'e', 'ints', 's', 'bin', "k\0one", "k\0two", 'k', 'K'];
echo "count() ", $t->count(), ", count(\$t) ", count($t), ", count(\$t, COUNT_RECURSIVE) ", count($t, COUNT_RECURSIVE), ", rows set ", count($rows), "\n";
// Swoole's count() takes a mode: COUNT_RECURSIVE counts every field. (PHP's count() calls it
// without one, so count($t, COUNT_RECURSIVE) is the number of rows.)
echo "\$t->count(COUNT_RECURSIVE) ", $t->count(COUNT_RECURSIVE), "\n";
var_dump($t->del('c'), $t->del('c'), $t->del('never'));
var_dump($t->exists('c'), $t->get('c'), $t->get('c', 'name'));
echo "count() ", $t->count(), ", count(\$t) ", count($t), ", count(COUNT_RECURSIVE) ", $t->count(COUNT_RECURSIVE), "\n";
echo "-- a deleted key set again is a new row: nothing of the old one is left\n";
var_dump($t->set('c', ['id' => 30]));
var_dump($t->get('c'));
echo "count() ", count($t), "\n";
echo "-- two tables are separate\n";
$u = new Swoole\Table(64);
$u->column('id', Swoole\Table::TYPE_INT);
$u->create();
var_dump($u->exists('a'), count($u), $u->set('a', ['id' => 99]), $t->get('a', 'id'), $u->get('a'));
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
int(1)
int(2)
int(3)
new Table(1): getSize() 64
new Table(63): getSize() 64
new Table(64): getSize() 64
new Table(65): getSize() 128
new Table(100): getSize() 128
new Table(1000): getSize() 1024
new Table(1024): getSize() 1024
new Table(5000): getSize() 8192
before create: size NULL, memorySize NULL, getSize() 128
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
after create: size 128, memorySize is a positive int: true, getMemorySize() is memorySize: true
a 4096-row table takes more memory than a 128-row one: true
-- a full row
bool(true)
array(4) {
  ["id"]=>
  int(1)
  ["score"]=>
  float(2.5)
  ["name"]=>
  string(3) "ann"
  ["note"]=>
  string(5) "first"
}
-- given in another order, read in column order
bool(true)
array(4) {
  ["id"]=>
  int(-2)
  ["score"]=>
  float(-0.125)
  ["name"]=>
  string(3) "bob"
  ["note"]=>
  string(6) "second"
}
-- a new row: missing and null columns are zero
bool(true)
array(4) {
  ["id"]=>
  int(0)
  ["score"]=>
  float(0)
  ["name"]=>
  string(2) "cy"
  ["note"]=>
  string(0) ""
}
bool(true)
array(4) {
  ["id"]=>
  int(0)
  ["score"]=>
  float(0)
  ["name"]=>
  string(0) ""
  ["note"]=>
  string(0) ""
}
-- an existing row: only the columns given change
bool(true)
array(4) {
  ["id"]=>
  int(1)
  ["score"]=>
  float(9.75)
  ["name"]=>
  string(3) "ann"
  ["note"]=>
  string(5) "first"
}
bool(true)
array(4) {
  ["id"]=>
  int(11)
  ["score"]=>
  float(9.75)
  ["name"]=>
  string(3) "ann"
  ["note"]=>
  string(0) ""
}
-- unknown keys are ignored
bool(true)
array(4) {
  ["id"]=>
  int(4)
  ["score"]=>
  float(0)
  ["name"]=>
  string(0) ""
  ["note"]=>
  string(0) ""
}
-- values are converted like PHP casts, silently
bool(true)
array(4) {
  ["id"]=>
  int(12)
  ["score"]=>
  float(7)
  ["name"]=>
  string(3) "123"
  ["note"]=>
  string(3) "1.5"
}
bool(true)
array(4) {
  ["id"]=>
  int(1)
  ["score"]=>
  float(3.25)
  ["name"]=>
  string(1) "1"
  ["note"]=>
  string(0) ""
}
bool(true)
array(4) {
  ["id"]=>
  int(-1)
  ["score"]=>
  float(0)
  ["name"]=>
  string(0) ""
  ["note"]=>
  string(0) ""
}
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
-- a size-5 string column keeps 8 bytes, a size-16 one 16; longer values are cut
bool(true)
string(8) "abcdefgh"
string(16) "0123456789abcdef"
bool(true)
string(8) "abcdefgh"
string(16) "xxxxxxxxxxxxxxxx"
bool(true)
string(2) "ab"
-- binary-safe values and keys
bool(true)
string(8) "78007900"
bool(true)
bool(true)
bool(true)
bool(true)
int(1)
int(2)
int(3)
int(4)
bool(false)
-- get a field, missing keys and fields
float(9.75)
string(3) "ann"
int(11)
bool(false)
bool(false)
bool(false)
bool(true)
-- exists, del, count
bool(true)
bool(false)
bool(false)
count() 13, count($t) 13, count($t, COUNT_RECURSIVE) 13, rows set 13
$t->count(COUNT_RECURSIVE) 52
bool(true)
bool(false)
bool(false)
bool(false)
bool(false)
bool(false)
count() 12, count($t) 12, count(COUNT_RECURSIVE) 48
-- a deleted key set again is a new row: nothing of the old one is left
bool(true)
array(4) {
  ["id"]=>
  int(30)
  ["score"]=>
  float(0)
  ["name"]=>
  string(0) ""
  ["note"]=>
  string(0) ""
}
count() 13
-- two tables are separate
bool(false)
int(0)
bool(true)
int(11)
array(1) {
  ["id"]=>
  int(99)
}
