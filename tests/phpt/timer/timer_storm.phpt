--TEST--
Timer storms in one event worker: 10,000 after() timers of 1..50 ms (consecutive ids) all fire exactly once and none early; 1,000 ticks of 5..15 ms that clear themselves on their 3rd run all run exactly 3 times; 10,000 tick+clear pairs whose callbacks each hold 1 KB leave list() empty and memory bounded (the callbacks are freed); the worker serves connections afterwards
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1]);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    if ($data === 'ping') {
        $s->send($fd, "pong\n");
        return;
    }
    $say = fn(string $k, $v) => $s->send($fd, "$k " . json_encode($v) . "\n");
    // 1. 10,000 one-shot timers.
    $n = 10000;
    $fired = array_fill(0, $n, 0);
    $early = 0;
    $count = 0;
    $ids = [];
    for ($i = 0; $i < $n; $i++) {
        $ms = 1 + $i % 50;
        $at = microtime(true);
        $ids[] = Swoole\Timer::after($ms, function ($i, $ms) use (&$fired, &$early, &$count, $at, $n, $say, &$ids) {
            $fired[$i]++;
            $early += microtime(true) - $at < $ms / 1000 - 0.001;
            if (++$count < $n) {
                return;
            }
            // All fired once; wait a little more in case any fires again.
            Swoole\Timer::after(100, function () use (&$fired, &$early, $say, $ids, $n) {
                $say('afters', ['ids consecutive' => $ids === range($ids[0], $ids[0] + $n - 1),
                    'fired' => array_sum($fired), 'not exactly once' => count(array_filter($fired, fn($f) => $f !== 1)),
                    'early' => $early, 'list' => Swoole\Timer::list(), 'num' => Swoole\Timer::stats()['num']]);
                ticks($say);
            });
        }, $i, $ms);
    }
    $say('afters pending', ['num' => Swoole\Timer::stats()['num'], 'listed' => count(Swoole\Timer::list())]);
});

/** 2. 1,000 ticks that clear themselves on their 3rd run. */
function ticks(callable $say): void
{
    $runs = [];
    $done = 0;
    for ($i = 0; $i < 1000; $i++) {
        Swoole\Timer::tick(5 + $i % 11, function ($id) use (&$runs, &$done, $say) {
            $runs[$id] = ($runs[$id] ?? 0) + 1;
            if ($runs[$id] === 3) {
                Swoole\Timer::clear($id);
                if (++$done === 1000) {
                    Swoole\Timer::after(100, function () use (&$runs, $say) {
                        $say('ticks', ['ticks' => count($runs), 'not exactly 3 runs' => count(array_filter($runs, fn($r) => $r !== 3)),
                            'list' => Swoole\Timer::list()]);
                        pairs($say);
                    });
                }
            }
        });
    }
}

/** 3. 10,000 tick+clear pairs. */
function pairs(callable $say): void
{
    $make = function (int $i) {
        $payload = str_repeat(chr(65 + $i % 26), 1024) . $i;
        return Swoole\Timer::tick(1000, function () use ($payload) { rs_note('PAIR TICK FIRED ' . strlen($payload)); });
    };
    // A first round warms up whatever grows once (hash tables, allocator pools).
    for ($i = 0; $i < 1000; $i++) {
        Swoole\Timer::clear($make($i));
    }
    gc_collect_cycles();
    $before = memory_get_usage();
    $cleared = 0;
    for ($i = 0; $i < 10000; $i++) {
        $cleared += Swoole\Timer::clear($make($i));
    }
    gc_collect_cycles();
    $grew = memory_get_usage() - $before;
    $say('pairs', ['cleared' => $cleared, 'list' => Swoole\Timer::list(), 'num' => Swoole\Timer::stats()['num'],
        'memory grew under 2 MB' => $grew < 2 * 1024 * 1024 ?: $grew]);
}
rs_ready($serv);
$serv->start();
PHP);
$c = $srv->connect();
fwrite($c, 'storm');
$got = '';
$deadline = microtime(true) + 9;
while (substr_count($got, "\n") < 4 && microtime(true) < $deadline) {
    $got .= $srv->read($c, 1, 0.05);
}
fclose($c);
echo $got;
echo $srv->request('ping', 5);
echo "pair ticks fired: ", count(preg_grep('/PAIR TICK FIRED/', $srv->notes())), "\n";
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
afters pending {"num":10000,"listed":10000}
afters {"ids consecutive":true,"fired":10000,"not exactly once":0,"early":0,"list":[],"num":0}
ticks {"ticks":1000,"not exactly 3 runs":0,"list":[]}
pairs {"cleared":10000,"list":[],"num":0,"memory grew under 2 MB":true}
pong
pair ticks fired: 0
exit code: 0
