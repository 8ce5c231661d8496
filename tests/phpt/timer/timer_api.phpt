--TEST--
Swoole\Timer API: before start() and in the manager there is no loop (warning, false, [] and an uninitialized stats()); a worker that never made a timer answers false; tick() passes (id, ...params) again and again, after() passes (...params) once and not early; ids count up from 1; bad intervals warn, bad callbacks throw TypeError, new Swoole\Timer throws; exists/info/list/stats/clear/clearAll report the live timers; a timer cleared in its own callback is gone at once and never runs again
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';

// In the test's own process: no server, no loop.
var_dump(Swoole\Timer::tick(100, fn() => null));
var_dump(Swoole\Timer::after(100, fn() => null));
var_dump(Swoole\Timer::tick(0, fn() => null));
var_dump(Swoole\Timer::after(-1, fn() => null));
var_dump(Swoole\Timer::exists(1), Swoole\Timer::clear(1), Swoole\Timer::clearAll(), Swoole\Timer::info(1));
var_dump(Swoole\Timer::list(), Swoole\Timer::stats());
try {
    Swoole\Timer::tick(10, 'no_such_function_here');
    echo "no TypeError\n";
} catch (TypeError $e) {
    echo "TypeError, valid callback in message: ", var_export(str_contains($e->getMessage(), 'must be a valid callback'), true), "\n";
}
try {
    new Swoole\Timer();
    echo "no Error\n";
} catch (Error $e) {
    echo get_class($e), ": ", $e->getMessage(), "\n";
}

$srv = TestServer::start(<<<'PHP'
/** A note `key json`, one line. */
function n(string $k, $v): void { rs_note("$k " . json_encode($v)); }
set_error_handler(function ($no, $msg) {
    rs_note("warning " . getmypid() . " " . ($no === E_WARNING ? 'E_WARNING' : $no) . " $msg");
    return true;
});
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1]);
$serv->on('ManagerStart', function ($s) {
    n('manager tick', Swoole\Timer::tick(10, fn() => rs_note('MANAGER TICK FIRED')));
    n('manager after', Swoole\Timer::after(10, fn() => rs_note('MANAGER AFTER FIRED')));
    n('manager answers', [Swoole\Timer::exists(1), Swoole\Timer::clear(1), Swoole\Timer::clearAll(),
        Swoole\Timer::info(1), Swoole\Timer::list(), Swoole\Timer::stats()]);
});
$serv->on('WorkerStart', function ($s, $wid) {
    rs_note("worker pid " . getmypid());
    // Rejected timers do not count as this worker having timers.
    n('worker tick(0)', Swoole\Timer::tick(0, fn() => null));
    n('worker after(-5)', Swoole\Timer::after(-5, fn() => null));
    foreach (['no_such_function_here', [new stdClass, 'nope'], 42] as $bad) {
        try {
            Swoole\Timer::after(10, $bad);
            n('worker bad callback', 'accepted');
        } catch (TypeError $e) {
            n('worker bad callback', str_contains($e->getMessage(), 'must be a valid callback'));
        }
    }
    n('no timers yet', [Swoole\Timer::exists(1), Swoole\Timer::clear(1), Swoole\Timer::clearAll(),
        Swoole\Timer::info(1), Swoole\Timer::list(), Swoole\Timer::stats()]);

    $start = microtime(true);
    $runs = 0;
    $tick = Swoole\Timer::tick(20, function (...$args) use (&$runs, $start) {
        $runs++;
        $id = $args[0];
        $info = Swoole\Timer::info($id);
        n("tick run $runs", ['args' => $args, 'exec_count' => $info['exec_count'], 'exists' => Swoole\Timer::exists($id),
            'listed' => in_array($id, Swoole\Timer::list(), true), 'late enough' => microtime(true) - $start >= $runs * 0.02 - 0.002]);
        if ($runs === 3) {
            $cleared = Swoole\Timer::clear($id);
            n('tick cleared itself', ['clear' => $cleared, 'exists' => Swoole\Timer::exists($id),
                'listed' => in_array($id, Swoole\Timer::list(), true), 'info' => Swoole\Timer::info($id),
                'clear again' => Swoole\Timer::clear($id)]);
            // Long enough for several more runs, were the tick still alive.
            $final = Swoole\Timer::after(200, function () use (&$runs, $start) {
                n('final', ['tick runs' => $runs, 'list' => Swoole\Timer::list()]);
                n('clearAll', Swoole\Timer::clearAll());
                n('after clearAll', ['list' => Swoole\Timer::list(), 'stats num' => Swoole\Timer::stats()['num'],
                    'initialized' => Swoole\Timer::stats()['initialized'], 'exists 3' => Swoole\Timer::exists(3),
                    'info 3' => Swoole\Timer::info(3), 'clearAll again' => Swoole\Timer::clearAll()]);
                // Ids go on counting after clearAll().
                n('next id', Swoole\Timer::after(1, fn() => rs_note('done')));
            });
            n('final id', $final);
        }
    }, 'p', ['q' => 1]);
    $after = Swoole\Timer::after(50, function (...$args) use ($start) {
        $me = 2;
        n('after fired', ['args' => $args, 'not early' => microtime(true) - $start >= 0.049,
            'exists' => Swoole\Timer::exists($me), 'listed' => in_array($me, Swoole\Timer::list(), true),
            'info' => Swoole\Timer::info($me)]);
    }, 'x', 'y');
    $far = [Swoole\Timer::after(10000, fn() => rs_note('FAR FIRED')), Swoole\Timer::after(10000, fn() => rs_note('FAR FIRED')),
        Swoole\Timer::tick(10000, fn() => rs_note('FAR FIRED'))];
    n('ids', [$tick, $after, $far]);
    n('clear 4', Swoole\Timer::clear(4));
    n('list', Swoole\Timer::list());
    $info = Swoole\Timer::info($tick);
    $keys = array_keys($info);
    sort($keys);
    n('info keys', $keys);
    n('info', ['interval' => $info['interval'], 'exec_count' => $info['exec_count'], 'removed' => $info['removed'],
        'exec_msec in 0..20' => $info['exec_msec'] >= 0 && $info['exec_msec'] <= 20, 'round int' => is_int($info['round'])]);
    n('info far', ['interval' => Swoole\Timer::info(5)['interval'], 'exec_msec > 9000' => Swoole\Timer::info(5)['exec_msec'] > 9000]);
    n('unknown', ['info' => Swoole\Timer::info(999), 'exists' => Swoole\Timer::exists(999), 'clear' => Swoole\Timer::clear(999)]);
    $st = Swoole\Timer::stats();
    n('stats', ['keys' => array_keys($st), 'initialized' => $st['initialized'], 'num' => $st['num'], 'round int' => is_int($st['round'])]);
    $GLOBALS['round0'] = $st['round'];
});
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    // A request in a worker whose timers are all gone: stats() still answers, the loop went round.
    $st = Swoole\Timer::stats();
    $s->send($fd, json_encode(['initialized' => $st['initialized'], 'num' => $st['num'],
        'round went on' => $st['round'] > $GLOBALS['round0'], 'list' => Swoole\Timer::list()]) . "\n");
});
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('done');
$notes = $srv->notes();
[$pidline] = $srv->waitNotes('worker pid');
$wpid = explode(' ', $pidline)[2];
$show = function (string $prefix) use ($notes, $wpid) {
    foreach ($notes as $l) {
        if (str_starts_with($l, $prefix)) {
            echo str_replace(" $wpid ", ' WORKER ', $l), "\n";
        }
    }
};
// The manager and the worker start in either order: the manager's warnings first, each process's in its order.
$warnings = array_values(preg_grep('/^warning /', $notes));
$warnings = array_map(fn($l) => preg_replace('/^warning (\d+) /', 'warning MANAGER ', str_replace(" $wpid ", ' WORKER ', $l)), $warnings);
usort($warnings, fn($a, $b) => (int)str_contains($b, 'MANAGER') - (int)str_contains($a, 'MANAGER'));
$show('manager');
echo implode("\n", $warnings), "\n";
foreach (['worker ', 'no timers yet', 'ids', 'clear 4', 'list', 'info', 'unknown', 'stats',
          'tick', 'after fired', 'final', 'clearAll', 'after clearAll', 'next id', 'done'] as $p) {
    $show($p);
}
echo "fired but should not: ", count(preg_grep('/FIRED/', $notes)), "\n";
$c = $srv->connect();
fwrite($c, 'stats');
$got = '';
$deadline = microtime(true) + 5;
while (!str_ends_with($got, "\n") && microtime(true) < $deadline) {
    $got .= $srv->read($c, 1, 0.1);
}
fclose($c);
echo $got ?: "(no reply)\n";
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECTF--
Warning: Swoole\Timer::tick(): timers run in the server's event workers and task workers%s in %s on line %d
bool(false)

Warning: Swoole\Timer::after(): timers run in the server's event workers and task workers%s in %s on line %d
bool(false)

Warning: Swoole\Timer::tick(): Timer must be greater than or equal to 1 in %s on line %d
bool(false)

Warning: Swoole\Timer::after(): Timer must be greater than or equal to 1 in %s on line %d
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
Error: The object of Swoole\Timer can not be created for security reasons
manager tick false
manager after false
manager answers [false,false,false,false,[],{"initialized":false,"num":0,"round":0}]
warning MANAGER E_WARNING Swoole\Timer::tick(): timers run in the server's event workers and task workers%s
warning MANAGER E_WARNING Swoole\Timer::after(): timers run in the server's event workers and task workers%s
warning WORKER E_WARNING Swoole\Timer::tick(): Timer must be greater than or equal to 1
warning WORKER E_WARNING Swoole\Timer::after(): Timer must be greater than or equal to 1
worker pid %d
worker tick(0) false
worker after(-5) false
worker bad callback true
worker bad callback true
worker bad callback true
no timers yet [false,false,false,false,[],{"initialized":false,"num":0,"round":0}]
ids [1,2,[3,4,5]]
clear 4 true
list [1,2,3,5]
info keys ["exec_count","exec_msec","interval","removed","round"]
info {"interval":20,"exec_count":0,"removed":false,"exec_msec in 0..20":true,"round int":true}
info far {"interval":10000,"exec_msec > 9000":true}
unknown {"info":null,"exists":false,"clear":false}
stats {"keys":["initialized","num","round"],"initialized":true,"num":4,"round int":true}
tick run 1 {"args":[1,"p",{"q":1}],"exec_count":0,"exists":true,"listed":true,"late enough":true}
tick run 2 {"args":[1,"p",{"q":1}],"exec_count":1,"exists":true,"listed":true,"late enough":true}
tick run 3 {"args":[1,"p",{"q":1}],"exec_count":2,"exists":true,"listed":true,"late enough":true}
tick cleared itself {"clear":true,"exists":false,"listed":false,"info":null,"clear again":false}
after fired {"args":["x","y"],"not early":true,"exists":false,"listed":false,"info":null}
final id 6
final {"tick runs":3,"list":[3,5]}
clearAll true
after clearAll {"list":[],"stats num":0,"initialized":true,"exists 3":false,"info 3":null,"clearAll again":true}
next id 7
done
fired but should not: 0
{"initialized":true,"num":0,"round went on":true,"list":[]}
exit code: 0
