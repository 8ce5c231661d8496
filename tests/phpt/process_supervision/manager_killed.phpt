--TEST--
PROCESS mode: when the manager is SIGKILLed the master notices, logs it, stops the orphaned workers (each runs WorkerStop), closes the clients, runs onShutdown and start() returns false with a warning; no process or thread is left
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
$serv->set(['worker_num' => 2, 'task_worker_num' => 1, 'log_file' => RS_DIR . '/server.log']);
$serv->on('ManagerStart', fn($s) => rs_note('manager ' . getmypid()));
$serv->on('WorkerStart', fn($s, $id) => rs_note("start $id"));
$serv->on('WorkerStop', fn($s, $id) => rs_note("stop $id"));
$serv->on('Shutdown', fn($s) => rs_note('shutdown ' . getmypid()));
$serv->on('Receive', fn($s, $fd, $rid, $data) => $s->send($fd, "echo:$data"));
$serv->on('Task', fn($s, $id, $src, $d) => $d);
rs_ready($serv);
$r = $serv->start();
rs_note('start() returned ' . var_export($r, true));
PHP);
$manager = (int)substr($srv->waitNotes('manager')[0], 8);
$srv->waitNotes('start', 3);
$c = $srv->connect();
fwrite($c, 'ping');
var_dump($srv->read($c, 9));
posix_kill($manager, SIGKILL);
$srv->waitNotes('start() returned', 1, 15);
// The client is closed by the server.
$rest = $srv->read($c, 1, 5);
var_dump($rest, feof($c));
$notes = $srv->notes();
$stops = array_values(array_filter($notes, fn($l) => str_starts_with($l, 'stop')));
sort($stops);
echo implode("\n", $stops), "\n";
echo count(array_filter($notes, fn($l) => $l === "shutdown $srv->pid")), " shutdown in the master\n";
echo end($notes), "\n";
echo "exit code: ", $srv->waitExit(), "\n";
$log = file_get_contents($srv->dir() . '/server.log');
echo preg_match("/ERROR\tMaster::wait\\(\\): the manager \\(pid $manager\\) exited unexpectedly/", $log), "\n";
echo $srv->output();
?>
--EXPECTF--
string(9) "echo:ping"
string(0) ""
bool(true)
stop 0
stop 1
stop 2
1 shutdown in the master
start() returned false
exit code: 0
1

Warning: Swoole\Server::start(): the manager process died; its workers were stopped and the server with them in %s on line %d
