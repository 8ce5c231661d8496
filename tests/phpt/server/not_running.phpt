--TEST--
Before start(): task, stats, finish and send warn "server is not running" and return false
--FILE--
<?php
$s = new Swoole\Server('127.0.0.1', 0);
$s->set(['task_worker_num' => 1]);
var_dump($s->task('x'), $s->stats(), $s->finish('x'), $s->send(1, 'x'), $s->getWorkerId(), $s->shutdown());
?>
--EXPECTF--
Warning: Swoole\Server::task(): server is not running in %s on line %d

Warning: Swoole\Server::stats(): server is not running in %s on line %d

Warning: Swoole\Server::finish(): server is not running in %s on line %d

Warning: Swoole\Server::send(): server is not running in %s on line %d
bool(false)
bool(false)
bool(false)
bool(false)
bool(false)
bool(false)
