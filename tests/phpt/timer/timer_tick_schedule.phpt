--TEST--
A tick keeps its schedule from when it was due: a 30 ms tick whose callback itself takes 15 ms still runs every ~30 ms on average (no drift), never early; a 50 ms tick whose run blocks the worker for 400 ms runs once right after and then 50 ms apart (the missed runs are skipped, not fired in a burst)
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
function n(string $k, $v): void { rs_note("$k " . json_encode($v)); }
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1]);
$serv->on('WorkerStart', function ($s, $wid) {
    $times = [];
    Swoole\Timer::tick(50, function ($id) use (&$times) {
        $times[] = microtime(true);
        $run = count($times);
        if ($run === 3) {
            usleep(400000); // the worker is blocked through 8 due times
        }
        if ($run < 7) {
            return;
        }
        Swoole\Timer::clear($id);
        $gap = fn($k) => round(($times[$k] - $times[$k - 1]) * 1000);
        n('blocked', ['run 4 came after the block' => $gap(3) >= 400,
            'gaps after it >= 40 ms' => min($gap(4), $gap(5), $gap(6)) >= 40 ?: [$gap(4), $gap(5), $gap(6)]]);
        // Then: a 30 ms tick whose callback works 15 ms.
        $t = [];
        Swoole\Timer::tick(30, function ($id) use (&$t) {
            $t[] = $now = microtime(true);
            while (microtime(true) < $now + 0.015) {
            }
            if (count($t) === 21) {
                Swoole\Timer::clear($id);
                $mean = ($t[20] - $t[0]) / 20 * 1000;
                n('busy callback', ['mean period under 38 ms' => $mean < 38 ?: round($mean, 1),
                    'mean period over 27 ms' => $mean > 27 ?: round($mean, 1)]);
                n('done', Swoole\Timer::list());
            }
        });
    });
});
$serv->on('Receive', fn() => null);
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('done');
echo implode("\n", $srv->notes()), "\n";
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECT--
blocked {"run 4 came after the block":true,"gaps after it >= 40 ms":true}
busy callback {"mean period under 38 ms":true,"mean period over 27 ms":true}
done []
exit code: 0
