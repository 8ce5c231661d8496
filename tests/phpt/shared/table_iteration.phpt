--TEST--
Swoole\Table iteration: foreach yields every row once as key => row (also a full table, conflict rows included), the Iterator methods walk the same rows, rewind starts over, deleted rows are skipped, iterator_to_array works
--FILE--
<?php
$t = new Swoole\Table(64);
$t->column('n', Swoole\Table::TYPE_INT);
$t->column('s', Swoole\Table::TYPE_STRING, 16);
$t->create();

/** Walks the table with foreach: [key => row], and how many times a key came twice. */
function walk(Swoole\Table $t): array
{
    $rows = [];
    $twice = 0;
    foreach ($t as $k => $row) {
        $twice += isset($rows[$k]);
        $rows[$k] = $row;
    }
    ksort($rows, SORT_STRING);
    return [$rows, $twice];
}
/** The rows that keys `$ids` were set to. */
function expected(array $ids): array
{
    $rows = [];
    foreach ($ids as $i) {
        $rows["row$i"] = ['n' => $i, 's' => "value $i"];
    }
    ksort($rows, SORT_STRING);
    return $rows;
}

echo "-- empty\n";
[$rows, $twice] = walk($t);
echo count($rows), " rows\n";
$t->rewind();
var_dump($t->valid());

echo "-- full: 76 rows, 12 of them beyond the 64 slots\n";
for ($i = 0; $i < 76; $i++) {
    $t->set("row$i", ['n' => $i, 's' => "value $i"]);
}
[$rows, $twice] = walk($t);
echo count($rows), " distinct keys, $twice twice, as set: ", var_export($rows === expected(range(0, 75)), true), "\n";
$first = null;
foreach ($t as $k => $row) {
    $first = [$k, $row];
    break;
}
var_dump(is_string($first[0]), $first[1] === $t->get($first[0]));

echo "-- the Iterator methods\n";
$manual = [];
$steps = 0;
for ($t->rewind(); $t->valid(); $t->next()) {
    $manual[$t->key()] = $t->current();
    if (++$steps > 1000) {
        break;
    }
}
ksort($manual, SORT_STRING);
echo "$steps steps, same rows as foreach: ", var_export($manual === $rows, true), "\n";
var_dump($t->valid());
// rewind() starts over: a second walk sees them all again.
[$again] = walk($t);
echo "second walk, same rows: ", var_export($again === $rows, true), "\n";
$arr = iterator_to_array($t);
ksort($arr, SORT_STRING);
echo "iterator_to_array: ", count($arr), " rows, same: ", var_export($arr === $rows, true), "\n";

echo "-- after deleting the even rows and changing one\n";
for ($i = 0; $i < 76; $i += 2) {
    $t->del("row$i");
}
$t->set('row1', ['s' => 'changed']);
[$rows, $twice] = walk($t);
$want = expected(range(1, 75, 2));
$want['row1']['s'] = 'changed';
echo count($rows), " rows, $twice twice, as expected: ", var_export($rows === $want, true), "\n";
echo "count() agrees: ", var_export(count($t) === count($rows), true), "\n";

echo "-- and after deleting them all\n";
for ($i = 1; $i < 76; $i += 2) {
    $t->del("row$i");
}
[$rows] = walk($t);
echo count($rows), " rows\n";
?>
--EXPECT--
-- empty
0 rows
bool(false)
-- full: 76 rows, 12 of them beyond the 64 slots
76 distinct keys, 0 twice, as set: true
bool(true)
bool(true)
-- the Iterator methods
76 steps, same rows as foreach: true
bool(false)
second walk, same rows: true
iterator_to_array: 76 rows, same: true
-- after deleting the even rows and changing one
38 rows, 0 twice, as expected: true
count() agrees: true
-- and after deleting them all
0 rows
