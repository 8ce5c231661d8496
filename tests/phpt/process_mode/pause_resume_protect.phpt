--TEST--
SWOOLE_PROCESS: pause() from a worker that does not own the connection stops delivery of the client's data (nothing is lost) until resume(); protect() from another worker keeps an idle connection from the heartbeat that closes the others
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$code = <<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2, 'reactor_num' => 1] + SETTINGS);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    rs_note("receive fd=$fd worker=$s->worker_id $data");
    [$cmd, $t] = explode(' ', $data) + [1 => 0];
    $r = match ($cmd) {
        'pause' => var_export($s->pause((int)$t), true),
        'resume' => var_export($s->resume((int)$t), true),
        'protect' => var_export($s->protect((int)$t), true),
        default => "fd=$fd worker=$s->worker_id",
    };
    $s->send($fd, "$r\n");
});
$serv->on('Close', fn($s, $fd, $rid) => rs_note("close fd=$fd worker=$s->worker_id"));
rs_ready($serv);
$serv->start();
PHP;
$ask = function ($c, string $what): string {
    fwrite($c, $what);
    return (string)stream_get_line($c, 500, "\n");
};

echo "-- pause/resume\n";
$srv = TestServer::start(str_replace('SETTINGS', '[]', $code));
// By fd % 2: fd 1 and 3 are served by worker 1, fd 2 and 4 by worker 0.
$c = [];
for ($i = 1; $i <= 4; $i++) {
    $c[$i] = $srv->connect();
    echo $ask($c[$i], 'who'), "\n";
}
echo "pause 2 from worker 1: ", $ask($c[1], 'pause 2'), "\n";
fwrite($c[2], 'while-paused');
// A round trip through the same reactor and the same worker: had the paused client's data
// been read, worker 0 would have been handed it first.
echo $ask($c[4], 'who'), "\n";
echo $ask($c[3], 'who'), "\n";
echo "delivered while paused: ", count(preg_grep('/while-paused/', $srv->notes())), "\n";
echo "resume 2 from worker 1: ", $ask($c[1], 'resume 2'), "\n";
echo $srv->waitNotes('receive fd=2 worker=0 while-paused')[0], "\n";
echo "the paused client's data is answered: ", stream_get_line($c[2], 100, "\n"), "\n";
foreach ($c as $x) {
    fclose($x);
}
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();

echo "-- protect\n";
$srv = TestServer::start(str_replace('SETTINGS', "['heartbeat_check_interval' => 1, 'heartbeat_idle_time' => 1]", $code));
$c = [];
for ($i = 1; $i <= 3; $i++) {
    $c[$i] = $srv->connect();
}
// fd 2 (worker 0's) talks first, is protected by worker 1, fd 3 talks last.
echo $ask($c[2], 'who'), "\n";
echo "protect 2 from worker 1: ", $ask($c[1], 'protect 2'), "\n";
echo $ask($c[3], 'who'), "\n";
// The heartbeat closes fd 3, idle for less time than fd 2.
echo "fd 3 closed by the heartbeat: ", var_export($srv->read($c[3], 1, 5) === '' && feof($c[3]), true), "\n";
echo "fd 2 still served: ", $ask($c[2], 'who'), "\n";
$closed = array_map(fn($l) => substr($l, 0, 10), $srv->waitNotes('close', 2));
sort($closed);
echo "closed: ", implode(', ', $closed), "\n";
foreach ($c as $x) {
    fclose($x);
}
echo "exit code: ", $srv->stop(), "\n";
echo $srv->output();
?>
--EXPECTF--
-- pause/resume
fd=1 worker=1
fd=2 worker=0
fd=3 worker=1
fd=4 worker=0
pause 2 from worker 1: true
fd=4 worker=0
fd=3 worker=1
delivered while paused: 0
resume 2 from worker 1: true
receive fd=2 worker=0 while-paused
the paused client's data is answered: fd=2 worker=0
exit code: 0
-- protect
fd=2 worker=0
protect 2 from worker 1: true
fd=3 worker=1
fd 3 closed by the heartbeat: true
fd 2 still served: fd=2 worker=0
closed: close fd=1, close fd=3
exit code: 0
[%s]	INFO	Worker::heartbeat(): session#1 idle past its port's heartbeat_idle_time: closed
[%s]	INFO	Worker::heartbeat(): session#3 idle past its port's heartbeat_idle_time: closed
