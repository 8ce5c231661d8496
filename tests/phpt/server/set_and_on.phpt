--TEST--
set() keeps every key and refuses bad values; on() is case-insensitive and checks callables
--FILE--
<?php
$s = new Swoole\Server('127.0.0.1', 0);
var_dump($s->set(['worker_num' => 2, 'task_worker_num' => '3', 'enable_coroutine' => false]));
var_dump($s->setting);
var_dump($s->set(['task_worker_num' => -1]));
var_dump($s->set(['worker_num' => [1]]));
var_dump($s->set(['no_such_option' => 1]));
var_dump($s->setting['task_worker_num'], count($s->setting));
var_dump($s->on('receive', fn() => 1), $s->on('WORKERSTART', 'strlen'), $s->on('Receive', 'no_such_function'));
var_dump($s->on('Bogus', fn() => 1));
?>
--EXPECTF--
bool(true)
array(3) {
  ["worker_num"]=>
  int(2)
  ["task_worker_num"]=>
  string(1) "3"
  ["enable_coroutine"]=>
  bool(false)
}

Warning: Swoole\Server::set(): option [task_worker_num] must not be negative, -1 given in %s on line %d
bool(false)

Warning: Swoole\Server::set(): option [worker_num] expects an integer, array given in %s on line %d
bool(false)

Warning: Swoole\Server::set(): unsupported option [no_such_option] in %s on line %d
bool(false)
int(-1)
int(4)

Warning: Swoole\Server::on(): function 'no_such_function' is not callable in %s on line %d
bool(true)
bool(true)
bool(false)

Warning: Swoole\Server::on(): unknown event types[Bogus] in %s on line %d
bool(false)
