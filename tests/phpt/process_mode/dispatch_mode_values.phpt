--TEST--
dispatch_mode accepts 1-5 and 7-10; 0, 6, 11, -1 and a non-numeric string make set() warn and return false
--FILE--
<?php
$s = new Swoole\Server('127.0.0.1', 0, SWOOLE_PROCESS);
foreach ([1, 2, 3, 4, 5, 7, 8, 9, 10, '3'] as $m) {
    echo json_encode($m), ": ", var_export($s->set(['dispatch_mode' => $m]), true), "\n";
}
foreach ([0, 6, 11, -1, 'x'] as $m) {
    echo json_encode($m), ": ";
    var_dump($s->set(['dispatch_mode' => $m]));
}
?>
--EXPECTF--
1: true
2: true
3: true
4: true
5: true
7: true
8: true
9: true
10: true
"3": true
0: 
Warning: Swoole\Server::set(): option [dispatch_mode] must be 1-5 or 7-10, 0 given in %s on line %d
bool(false)
6: 
Warning: Swoole\Server::set(): option [dispatch_mode] must be 1-5 or 7-10, 6 given in %s on line %d
bool(false)
11: 
Warning: Swoole\Server::set(): option [dispatch_mode] must be 1-5 or 7-10, 11 given in %s on line %d
bool(false)
-1: 
Warning: Swoole\Server::set(): option [dispatch_mode] must be 1-5 or 7-10, -1 given in %s on line %d
bool(false)
"x": 
Warning: Swoole\Server::set(): option [dispatch_mode] expects an integer, string given in %s on line %d
bool(false)
