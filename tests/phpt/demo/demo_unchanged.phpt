--TEST--
php/demo.php runs unchanged: one message travels event worker -> task worker -> event worker
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
$srv = TestServer::startFile(__DIR__ . '/../../../php/demo.php', 9502);
$c = $srv->connect();
fwrite($c, "hello");
$srv->waitOutput('Finish: Async -> OK');
fclose($c);
echo "exit code: ", $srv->stop(), "\n";
$lines = explode("\n", trim($srv->output()));
var_dump($lines[array_key_last($lines)] === 'AsyncTask[0] Finish: Async -> OK');
sort($lines);
echo implode("\n", $lines), "\n";
?>
--EXPECT--
exit code: 0
bool(true)
AsyncTask[0] Finish: Async -> OK
Dispath AsyncTask: id=0
New AsyncTask[id=0]
