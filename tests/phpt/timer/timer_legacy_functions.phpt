--TEST--
The legacy swoole_timer_* functions behave like Swoole\Timer and share its timers: no loop before start() (warning and false), bad intervals warn, bad callbacks throw TypeError; in a worker swoole_timer_tick passes (id, ...params) until swoole_timer_clear, swoole_timer_after passes (...params) once; exists/info/list/stats/clear_all; an id made by one API is seen and cleared by the other
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
var_dump(swoole_timer_tick(100, fn() => null));
var_dump(swoole_timer_after(100, fn() => null));
var_dump(swoole_timer_after(0, fn() => null));
var_dump(swoole_timer_exists(1), swoole_timer_clear(1), swoole_timer_clear_all(), swoole_timer_info(1), swoole_timer_list(), swoole_timer_stats());
try {
    swoole_timer_after(10, 'no_such_function_here');
    echo "no TypeError\n";
} catch (TypeError $e) {
    echo "TypeError, valid callback in message: ", var_export(str_contains($e->getMessage(), 'must be a valid callback'), true), "\n";
}

$srv = TestServer::start(<<<'PHP'
function n(string $k, $v): void { rs_note("$k " . json_encode($v)); }
set_error_handler(function ($no, $msg) {
    rs_note("warning $msg");
    return true;
});
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1]);
$serv->on('WorkerStart', function ($s, $wid) {
    n('tick(-1)', swoole_timer_tick(-1, fn() => null));
    n('before any timer', [swoole_timer_exists(1), swoole_timer_clear(1), swoole_timer_clear_all(), swoole_timer_info(1),
        swoole_timer_list(), swoole_timer_stats()]);
    $start = microtime(true);
    $runs = 0;
    $t = swoole_timer_tick(15, function (...$args) use (&$runs) {
        $runs++;
        n("tick run $runs", ['args' => $args, 'exec_count' => swoole_timer_info($args[0])['exec_count']]);
        if ($runs === 3) {
            n('clear in own callback', [swoole_timer_clear($args[0]), swoole_timer_exists($args[0]), in_array($args[0], swoole_timer_list(), true)]);
        }
    }, 'a', 2);
    $a = swoole_timer_after(40, function (...$args) use ($start) {
        n('after fired', ['args' => $args, 'not early' => microtime(true) - $start >= 0.039, 'listed' => in_array(2, swoole_timer_list(), true), 'exists' => swoole_timer_exists(2)]);
    }, 'b', 3);
    // Made with Swoole\Timer, seen and cleared with the functions, and the other way round.
    $m = Swoole\Timer::after(5000, fn() => rs_note('MUST NOT FIRE'));
    $f = swoole_timer_after(5000, fn() => rs_note('MUST NOT FIRE'));
    n('ids', [$t, $a, $m, $f]);
    n('list', [swoole_timer_list(), Swoole\Timer::list()]);
    n('exists across', [swoole_timer_exists($m), Swoole\Timer::exists($f)]);
    $info = swoole_timer_info($t);
    n('info', [$info['interval'], $info['exec_count'], $info['removed'], $info == Swoole\Timer::info($t) || abs($info['exec_msec'] - Swoole\Timer::info($t)['exec_msec']) <= 1]);
    n('unknown info', swoole_timer_info(999));
    $st = swoole_timer_stats();
    n('stats', [$st['initialized'], $st['num'], is_int($st['round'])]);
    n('clear across', [swoole_timer_clear($m), Swoole\Timer::clear($f), swoole_timer_list()]);
    swoole_timer_after(300, function () use (&$runs) {
        n('later', ['tick runs' => $runs, 'list' => swoole_timer_list()]);
        swoole_timer_after(10000, fn() => rs_note('MUST NOT FIRE'));
        swoole_timer_tick(10000, fn() => rs_note('MUST NOT FIRE'));
        n('clear_all', [swoole_timer_list(), swoole_timer_clear_all(), swoole_timer_list(), swoole_timer_stats()['num']]);
        n('done', swoole_timer_after(1, fn() => null));
    });
});
$serv->on('Receive', fn() => null);
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('done');
// The tick's runs and the after() interleave as the machine allows: each timer's lines in order.
$notes = $srv->notes();
foreach (['warning', 'tick(-1)', 'before', 'ids', 'list', 'exists', 'info', 'unknown', 'stats', 'clear across',
          'tick run', 'clear in own', 'after fired', 'later', 'clear_all', 'done', 'MUST'] as $p) {
    foreach ($notes as $l) {
        if (str_starts_with($l, $p)) {
            echo $l, "\n";
        }
    }
}
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECTF--
Warning: swoole_timer_tick(): timers run in the server's event workers and task workers%s in %s on line %d
bool(false)

Warning: swoole_timer_after(): timers run in the server's event workers and task workers%s in %s on line %d
bool(false)

Warning: swoole_timer_after(): Timer must be greater than or equal to 1 in %s on line %d
bool(false)
bool(false)
bool(false)
bool(false)
bool(false)
array(0) {
}
array(3) {
  ["initialized"]=>
  bool(false)
  ["num"]=>
  int(0)
  ["round"]=>
  int(0)
}
TypeError, valid callback in message: true
warning swoole_timer_tick(): Timer must be greater than or equal to 1
tick(-1) false
before any timer [false,false,false,false,[],{"initialized":false,"num":0,"round":0}]
ids [1,2,3,4]
list [[1,2,3,4],[1,2,3,4]]
exists across [true,true]
info [15,0,false,true]
unknown info null
stats [true,4,true]
clear across [true,true,[1,2]]
tick run 1 {"args":[1,"a",2],"exec_count":0}
tick run 2 {"args":[1,"a",2],"exec_count":1}
tick run 3 {"args":[1,"a",2],"exec_count":2}
clear in own callback [true,false,false]
after fired {"args":["b",3],"not early":true,"listed":false,"exists":false}
later {"tick runs":3,"list":[]}
clear_all [[6,7],true,[],0]
done 8
exit code: 0
