--TEST--
sendMessage() payloads, on each route (event->event, event->task, task->task, task->event): a string arrives raw and byte for byte (so 'a:0:{}' and 'N;' stay strings), any other value is serialized and arrives equal (ints, floats incl. NAN/-0.0, bools, null, nested arrays with references, objects, enums); 1 MB, 5 MB and 20 MB messages arrive whole, and no temp file is left in task_tmpdir or /tmp
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$tmp_before = glob(sys_get_temp_dir() . '/swoole.task*') ?: [];
$srv = TestServer::start(<<<'PHP'
ini_set('memory_limit', '1G');
enum Suit: string { case Hearts = 'H'; case Spades = 'S'; }
class Props { public $a = 1; protected $b = [2]; private $c = 'three'; function __construct($a = 1) { $this->a = $a; } }
function values(): array {
    $shared = 'shared';
    return [
        'a:0:{}', 'N;', 'i:5;', '', "nul\0in\0the\0middle", str_repeat('8', 8191), str_repeat('x', 8192),
        str_repeat("1m\0", 349526), str_repeat("5mb\xff", 5 << 18), random_bytes(20 << 20),
        0, -1, PHP_INT_MAX, PHP_INT_MIN, 1.5, -0.0, NAN, INF, true, false, null,
        [], [1, [2, [3, ['four' => 4]]]], ['k' => 'v', 10 => 'ten'], [&$shared, &$shared, 'x'],
        range(0, 99999), new Props(9), (object)['o' => new ArrayObject([1, 2])], Suit::Spades,
    ];
}
/** A short name for a value, for the notes. */
function label($v): string {
    if (is_string($v)) {
        return strlen($v) > 20 ? 'string(' . strlen($v) . ')' : 'string ' . var_export($v, true);
    }
    if (is_array($v)) {
        return 'array(' . count($v) . ')';
    }
    return get_debug_type($v) . (is_scalar($v) || $v === null ? ' ' . (is_float($v) && is_nan($v) ? 'NAN' : var_export($v, true)) : '');
}
/** What a value is, and for a string its md5, to compare what was sent with what arrived. */
function describe($v): string {
    if (is_string($v)) {
        return 'string(' . strlen($v) . ') ' . md5($v);
    }
    if (is_float($v)) {
        return 'float ' . (is_nan($v) ? 'NAN' : var_export($v, true));
    }
    if (is_array($v) && count($v) === 3 && ($v[2] ?? null) === 'x') {
        return 'refs ' . serialize($v); // R:2; if the first two are still one reference
    }
    return get_debug_type($v) . ' ' . md5(serialize($v));
}
// The routes: from worker => to worker (2 and 3 are the task workers).
const ROUTES = [0 => [1, 2], 2 => [3, 1]];
$serv = new Swoole\Server('127.0.0.1', 0);
mkdir(RS_DIR . '/tmpdir');
$serv->set(['worker_num' => 2, 'task_worker_num' => 2, 'task_tmpdir' => RS_DIR . '/tmpdir']);
$serv->on('WorkerStart', function ($s, $id) {
    if ($id === 1) {
        // Event worker 1 is in its loop (send_message_before_start.phpt is about the other case).
        Swoole\Timer::after(1, fn() => touch(RS_DIR . '/loop-1'));
    }
    $deadline = microtime(true) + 5;
    while (isset(ROUTES[$id]) && !file_exists(RS_DIR . '/loop-1') && microtime(true) < $deadline) {
        usleep(1000);
    }
    foreach (ROUTES[$id] ?? [] as $dst) {
        $vals = values();
        $sent = array_map(fn($v) => [label($v), describe($v)], $vals);
        file_put_contents(RS_DIR . "/sent-$id-$dst", json_encode($sent));
        foreach ($vals as $i => $v) {
            if ($s->sendMessage($v, $dst) !== true) {
                rs_note("FAILED $id -> $dst #$i");
            }
        }
    }
});
$count = [];
$serv->on('PipeMessage', function ($s, $src, $msg) use (&$count) {
    $i = $count[$src] = ($count[$src] ?? -1) + 1;
    [$label, $want] = json_decode(file_get_contents(RS_DIR . "/sent-$src-$s->worker_id"), true)[$i] ?? ['(not sent)', ''];
    $got = describe($msg);
    rs_note(sprintf("got %d -> %d #%02d %s: %s", $src, $s->worker_id, $i, $label, $got === $want ? 'same' : "DIFFERENT $got"));
    if ($i === 28) { // the last one
        rs_note("tmpdir $src -> $s->worker_id: " . json_encode(array_diff(scandir(RS_DIR . '/tmpdir'), ['.', '..'])));
    }
});
$serv->on('Receive', function () {});
$serv->on('Task', function () {});
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('got', 4 * 29, 30);
$srv->waitNotes('tmpdir', 4);
echo "exit code: ", $srv->stop(), "\n";
$notes = $srv->notes();
sort($notes);
echo implode("\n", $notes), "\n";
echo $srv->output();
$tmpdir = $srv->dir() . '/tmpdir';
echo "files left in task_tmpdir: ", json_encode(array_values(array_diff(scandir($tmpdir) ?: [], ['.', '..']))), "\n";
array_map('unlink', glob("$tmpdir/*") ?: []);
rmdir($tmpdir);
echo "files left in /tmp: ", json_encode(array_values(array_diff(glob(sys_get_temp_dir() . '/swoole.task*') ?: [], $tmp_before))), "\n";
?>
--EXPECT--
exit code: 0
got 0 -> 1 #00 string 'a:0:{}': same
got 0 -> 1 #01 string 'N;': same
got 0 -> 1 #02 string 'i:5;': same
got 0 -> 1 #03 string '': same
got 0 -> 1 #04 string 'nul' . "\0" . 'in' . "\0" . 'the' . "\0" . 'middle': same
got 0 -> 1 #05 string(8191): same
got 0 -> 1 #06 string(8192): same
got 0 -> 1 #07 string(1048578): same
got 0 -> 1 #08 string(5242880): same
got 0 -> 1 #09 string(20971520): same
got 0 -> 1 #10 int 0: same
got 0 -> 1 #11 int -1: same
got 0 -> 1 #12 int 9223372036854775807: same
got 0 -> 1 #13 int -9223372036854775807-1: same
got 0 -> 1 #14 float 1.5: same
got 0 -> 1 #15 float -0.0: same
got 0 -> 1 #16 float NAN: same
got 0 -> 1 #17 float INF: same
got 0 -> 1 #18 bool true: same
got 0 -> 1 #19 bool false: same
got 0 -> 1 #20 null NULL: same
got 0 -> 1 #21 array(0): same
got 0 -> 1 #22 array(2): same
got 0 -> 1 #23 array(2): same
got 0 -> 1 #24 array(3): same
got 0 -> 1 #25 array(100000): same
got 0 -> 1 #26 Props: same
got 0 -> 1 #27 stdClass: same
got 0 -> 1 #28 Suit: same
got 0 -> 2 #00 string 'a:0:{}': same
got 0 -> 2 #01 string 'N;': same
got 0 -> 2 #02 string 'i:5;': same
got 0 -> 2 #03 string '': same
got 0 -> 2 #04 string 'nul' . "\0" . 'in' . "\0" . 'the' . "\0" . 'middle': same
got 0 -> 2 #05 string(8191): same
got 0 -> 2 #06 string(8192): same
got 0 -> 2 #07 string(1048578): same
got 0 -> 2 #08 string(5242880): same
got 0 -> 2 #09 string(20971520): same
got 0 -> 2 #10 int 0: same
got 0 -> 2 #11 int -1: same
got 0 -> 2 #12 int 9223372036854775807: same
got 0 -> 2 #13 int -9223372036854775807-1: same
got 0 -> 2 #14 float 1.5: same
got 0 -> 2 #15 float -0.0: same
got 0 -> 2 #16 float NAN: same
got 0 -> 2 #17 float INF: same
got 0 -> 2 #18 bool true: same
got 0 -> 2 #19 bool false: same
got 0 -> 2 #20 null NULL: same
got 0 -> 2 #21 array(0): same
got 0 -> 2 #22 array(2): same
got 0 -> 2 #23 array(2): same
got 0 -> 2 #24 array(3): same
got 0 -> 2 #25 array(100000): same
got 0 -> 2 #26 Props: same
got 0 -> 2 #27 stdClass: same
got 0 -> 2 #28 Suit: same
got 2 -> 1 #00 string 'a:0:{}': same
got 2 -> 1 #01 string 'N;': same
got 2 -> 1 #02 string 'i:5;': same
got 2 -> 1 #03 string '': same
got 2 -> 1 #04 string 'nul' . "\0" . 'in' . "\0" . 'the' . "\0" . 'middle': same
got 2 -> 1 #05 string(8191): same
got 2 -> 1 #06 string(8192): same
got 2 -> 1 #07 string(1048578): same
got 2 -> 1 #08 string(5242880): same
got 2 -> 1 #09 string(20971520): same
got 2 -> 1 #10 int 0: same
got 2 -> 1 #11 int -1: same
got 2 -> 1 #12 int 9223372036854775807: same
got 2 -> 1 #13 int -9223372036854775807-1: same
got 2 -> 1 #14 float 1.5: same
got 2 -> 1 #15 float -0.0: same
got 2 -> 1 #16 float NAN: same
got 2 -> 1 #17 float INF: same
got 2 -> 1 #18 bool true: same
got 2 -> 1 #19 bool false: same
got 2 -> 1 #20 null NULL: same
got 2 -> 1 #21 array(0): same
got 2 -> 1 #22 array(2): same
got 2 -> 1 #23 array(2): same
got 2 -> 1 #24 array(3): same
got 2 -> 1 #25 array(100000): same
got 2 -> 1 #26 Props: same
got 2 -> 1 #27 stdClass: same
got 2 -> 1 #28 Suit: same
got 2 -> 3 #00 string 'a:0:{}': same
got 2 -> 3 #01 string 'N;': same
got 2 -> 3 #02 string 'i:5;': same
got 2 -> 3 #03 string '': same
got 2 -> 3 #04 string 'nul' . "\0" . 'in' . "\0" . 'the' . "\0" . 'middle': same
got 2 -> 3 #05 string(8191): same
got 2 -> 3 #06 string(8192): same
got 2 -> 3 #07 string(1048578): same
got 2 -> 3 #08 string(5242880): same
got 2 -> 3 #09 string(20971520): same
got 2 -> 3 #10 int 0: same
got 2 -> 3 #11 int -1: same
got 2 -> 3 #12 int 9223372036854775807: same
got 2 -> 3 #13 int -9223372036854775807-1: same
got 2 -> 3 #14 float 1.5: same
got 2 -> 3 #15 float -0.0: same
got 2 -> 3 #16 float NAN: same
got 2 -> 3 #17 float INF: same
got 2 -> 3 #18 bool true: same
got 2 -> 3 #19 bool false: same
got 2 -> 3 #20 null NULL: same
got 2 -> 3 #21 array(0): same
got 2 -> 3 #22 array(2): same
got 2 -> 3 #23 array(2): same
got 2 -> 3 #24 array(3): same
got 2 -> 3 #25 array(100000): same
got 2 -> 3 #26 Props: same
got 2 -> 3 #27 stdClass: same
got 2 -> 3 #28 Suit: same
tmpdir 0 -> 1: []
tmpdir 0 -> 2: []
tmpdir 2 -> 1: []
tmpdir 2 -> 3: []
files left in task_tmpdir: []
files left in /tmp: []
