--TEST--
Constructor: binds at once, real port for 0, one class under two names, Swoole's errors
--FILE--
<?php
var_dump(SWOOLE_BASE, SWOOLE_PROCESS, SWOOLE_SOCK_TCP, SWOOLE_SOCK_TCP6);
$s = new swoole_server('127.0.0.1', 0);
var_dump(get_class($s), $s instanceof Swoole\Server, $s->port > 0, $s->host, $s->mode, $s->type);
var_dump($s->setting, $s->worker_id, $s->taskworker, $s->manager_pid, $s->getManagerPid());
var_dump((new ReflectionClass('swoole_server'))->getName());
$port = $s->port;
try {
    new Swoole\Server('127.0.0.1', $port);
} catch (Swoole\Exception $e) {
    var_dump($e->getMessage() === "failed to listen server port[127.0.0.1:$port], Error: Address already in use[98]", $e->getCode());
}
try {
    new Swoole\Server('127.0.0.1', 70000);
} catch (Swoole\Exception $e) {
    var_dump($e->getMessage(), $e->getCode());
}
try {
    new Swoole\Server('127.0.0.1', 0, 9);
} catch (Error $e) {
    var_dump(get_class($e), $e->getMessage());
}
// Every parameter has Swoole's default: all interfaces, any free port.
$any = new Swoole\Server();
var_dump($any->host, $any->port > 0, $any->mode === SWOOLE_BASE, $any->type === SWOOLE_SOCK_TCP);
unset($any);
?>
--EXPECT--
int(1)
int(2)
int(1)
int(3)
string(13) "Swoole\Server"
bool(true)
bool(true)
string(9) "127.0.0.1"
int(1)
int(1)
NULL
int(-1)
bool(false)
int(0)
int(0)
string(13) "Swoole\Server"
bool(true)
int(98)
string(26) "Server invalid listen port"
int(9004)
string(5) "Error"
string(26) "invalid $mode parameters 9"
string(7) "0.0.0.0"
bool(true)
bool(true)
bool(true)
