--TEST--
Every payload kind arrives in Task identical and comes back through finish() the same way, 8 KB to 64 MB included
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
ini_set('memory_limit', '2G');
enum Suit: string { case Hearts = 'H'; case Spades = 'S'; }
enum Plain { case One; }
class Props { public $a = 1; protected $b = [2]; private $c = 'three'; function __construct($a = 1) { $this->a = $a; } }
class Custom {
    public $v;
    function __construct($v = null) { $this->v = $v; }
    function __serialize(): array { return ['v' => $this->v, 'extra' => 1]; }
    function __unserialize(array $d): void { $this->v = $d['v']; }
}
class Sleepy {
    public $keep = 'k'; public $drop = 'd'; public $woke = false;
    function __sleep() { return ['keep']; }
    function __wakeup() { $this->woke = true; }
}
function values(): array {
    $shared = 'shared';
    $withRef = [&$shared, &$shared, 'x'];
    $sleepy = new Sleepy();
    $sleepy->drop = 'not sent'; // __sleep leaves it out: the class default comes back
    $sleepy->woke = true;
    return [
        "nul\0in\0the\0middle", '', str_repeat('8', 8192), str_repeat("1m\0", 349526), str_repeat("abc\0", 16 << 20),
        0, -1, PHP_INT_MAX, PHP_INT_MIN, 1.5, NAN, INF, -INF, -0.0, true, false, null,
        [], [1, [2, [3, ['four' => 4]]]], ['k' => 'v', 10 => 'ten'], $withRef,
        new Props(9), new Custom(['deep' => true]), $sleepy, Suit::Spades, Plain::One,
        new DateTimeImmutable('2026-11-26 12:34:56.789', new DateTimeZone('Europe/Paris')), new ArrayObject(['a' => 1, 'b' => [2]]),
    ];
}
function same($got, $want): bool {
    if ($want instanceof Sleepy) {
        return $got instanceof Sleepy && $got->keep === 'k' && $got->drop === 'd' && $got->woke === true;
    }
    if (is_float($want)) {
        return is_float($got) && (is_nan($want) ? is_nan($got) : $got === $want && fdiv(1, $got) === fdiv(1, $want));
    }
    if (is_object($want) && !($want instanceof UnitEnum)) {
        return is_object($got) && get_class($got) === get_class($want) && $got == $want;
    }
    if (is_array($want) && count($want) === 3 && isset($want[1]) && $want[1] === 'shared') {
        // The first two elements must still be one reference.
        $got[0] = 'changed';
        return $got[1] === 'changed' && $got[2] === 'x';
    }
    return $got === $want;
}
function describe($v): string {
    return is_string($v) ? 'string(' . strlen($v) . ')' : (is_object($v) ? get_class($v) : get_debug_type($v) . (is_scalar($v) ? ' ' . var_export($v, true) : ''));
}
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 2]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    foreach (values() as $i => $v) {
        if ($s->task($v) !== $i) {
            rs_note("task $i not sent");
        }
    }
    $s->send($fd, 'sent');
});
$serv->on('Task', function ($s, $id, $src, $data) {
    $want = values()[$id];
    rs_note(sprintf("task %02d %s: %s", $id, describe($want), same($data, $want) ? 'same' : 'DIFFERENT ' . describe($data)));
    $s->finish($data);
});
$serv->on('Finish', function ($s, $id, $data) {
    $want = values()[$id];
    rs_note(sprintf("back %02d %s: %s", $id, describe($want), same($data, $want) ? 'same' : 'DIFFERENT ' . describe($data)));
});
rs_ready($serv);
$serv->start();
PHP);
var_dump($srv->request('go', 4, 60));
$srv->waitNotes('back', 28, 60);
echo "exit code: ", $srv->stop(), "\n";
$notes = $srv->notes();
sort($notes);
echo implode("\n", $notes), "\n";
echo $srv->output();
$left = glob(sys_get_temp_dir() . '/swoole.task.*');
echo "files left in /tmp: ", count($left), "\n";
?>
--EXPECT--
string(4) "sent"
exit code: 0
back 00 string(17): same
back 01 string(0): same
back 02 string(8192): same
back 03 string(1048578): same
back 04 string(67108864): same
back 05 int 0: same
back 06 int -1: same
back 07 int 9223372036854775807: same
back 08 int -9223372036854775807-1: same
back 09 float 1.5: same
back 10 float NAN: same
back 11 float INF: same
back 12 float -INF: same
back 13 float -0.0: same
back 14 bool true: same
back 15 bool false: same
back 16 null: same
back 17 array: same
back 18 array: same
back 19 array: same
back 20 array: same
back 21 Props: same
back 22 Custom: same
back 23 Sleepy: same
back 24 Suit: same
back 25 Plain: same
back 26 DateTimeImmutable: same
back 27 ArrayObject: same
task 00 string(17): same
task 01 string(0): same
task 02 string(8192): same
task 03 string(1048578): same
task 04 string(67108864): same
task 05 int 0: same
task 06 int -1: same
task 07 int 9223372036854775807: same
task 08 int -9223372036854775807-1: same
task 09 float 1.5: same
task 10 float NAN: same
task 11 float INF: same
task 12 float -INF: same
task 13 float -0.0: same
task 14 bool true: same
task 15 bool false: same
task 16 null: same
task 17 array: same
task 18 array: same
task 19 array: same
task 20 array: same
task 21 Props: same
task 22 Custom: same
task 23 Sleepy: same
task 24 Suit: same
task 25 Plain: same
task 26 DateTimeImmutable: same
task 27 ArrayObject: same
files left in /tmp: 0
