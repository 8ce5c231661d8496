--TEST--
Swoole\Table incr()/decr(): new values returned with the column's type, a missing key created zeroed, other columns untouched, Swoole's warnings and false (and no row) for an unknown column or a string column
--FILE--
<?php
$t = new Swoole\Table(64);
$t->column('i', Swoole\Table::TYPE_INT);
$t->column('f', Swoole\Table::TYPE_FLOAT);
$t->column('s', Swoole\Table::TYPE_STRING, 8);
$t->create();
echo "-- a missing key is created with zeroed columns\n";
var_dump($t->incr('k', 'i'));
var_dump($t->get('k'));
var_dump($t->decr('new', 'f', 2));
var_dump($t->get('new'));
echo "count ", count($t), "\n";
echo "-- int column\n";
var_dump($t->incr('k', 'i', 10), $t->decr('k', 'i'), $t->decr('k', 'i', 15), $t->incr('k', 'i', -5), $t->decr('k', 'i', -3));
var_dump($t->incr('k', 'i', 2.9), $t->decr('k', 'i', '4'), $t->get('k', 'i'));
echo "-- float column\n";
var_dump($t->incr('k', 'f', 1.5), $t->incr('k', 'f'), $t->decr('k', 'f', 0.25), $t->decr('k', 'f'), $t->incr('k', 'f', 3), $t->get('k', 'f'));
echo "-- other columns are left as they are\n";
var_dump($t->set('m', ['i' => 100, 'f' => 0.5, 's' => 'keep']));
var_dump($t->incr('m', 'i', 5), $t->decr('m', 'f', 2));
var_dump($t->get('m'));
echo "-- an unknown column\n";
var_dump($t->incr('k', 'nope'));
var_dump($t->decr('k', 'nope', 2));
var_dump($t->incr('ghost', 'nope'));
var_dump($t->exists('ghost'));
echo "-- a string column\n";
var_dump($t->incr('m', 's'));
var_dump($t->decr('m', 's', 1));
var_dump($t->incr('ghost', 's'));
var_dump($t->decr('ghost', 's'));
var_dump($t->exists('ghost'), $t->get('m', 's'), $t->get('k'));
echo "count ", count($t), "\n";
?>
--EXPECTF--
-- a missing key is created with zeroed columns
int(1)
array(3) {
  ["i"]=>
  int(1)
  ["f"]=>
  float(0)
  ["s"]=>
  string(0) ""
}
float(-2)
array(3) {
  ["i"]=>
  int(0)
  ["f"]=>
  float(-2)
  ["s"]=>
  string(0) ""
}
count 2
-- int column
int(11)
int(10)
int(-5)
int(-10)
int(-7)
int(-5)
int(-9)
int(-9)
-- float column
float(1.5)
float(2.5)
float(2.25)
float(1.25)
float(4.25)
float(4.25)
-- other columns are left as they are
bool(true)
int(105)
float(-1.5)
array(3) {
  ["i"]=>
  int(105)
  ["f"]=>
  float(-1.5)
  ["s"]=>
  string(4) "keep"
}
-- an unknown column

Warning: Swoole\Table::incr(): column[nope] does not exist in %s on line %d
bool(false)

Warning: Swoole\Table::decr(): column[nope] does not exist in %s on line %d
bool(false)

Warning: Swoole\Table::incr(): column[nope] does not exist in %s on line %d
bool(false)
bool(false)
-- a string column

Warning: Swoole\Table::incr(): can't execute 'incr' on a string type column in %s on line %d
bool(false)

Warning: Swoole\Table::decr(): can't execute 'decr' on a string type column in %s on line %d
bool(false)

Warning: Swoole\Table::incr(): can't execute 'incr' on a string type column in %s on line %d
bool(false)

Warning: Swoole\Table::decr(): can't execute 'decr' on a string type column in %s on line %d
bool(false)
bool(false)
string(4) "keep"
array(3) {
  ["i"]=>
  int(-9)
  ["f"]=>
  float(4.25)
  ["s"]=>
  string(0) ""
}
count 3
