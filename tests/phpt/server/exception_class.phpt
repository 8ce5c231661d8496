--TEST--
Swoole\Exception is a plain Exception subclass: it can be constructed and thrown from PHP, and user subclasses keep their class and constructor
--FILE--
<?php
try {
    throw new Swoole\Exception('boom', 7);
} catch (Swoole\Exception $e) {
    var_dump(get_class($e), $e->getMessage(), $e->getCode(), $e instanceof Exception);
}
class AppError extends Swoole\Exception
{
    public function __construct(string $what)
    {
        parent::__construct("app: $what", 42);
    }
}
$e = new AppError('x');
var_dump(get_class($e), $e->getMessage(), $e->getCode());
class Plain extends Swoole\Exception {}
var_dump(get_class(new Plain('p', 2)), (new Plain('p', 2))->getCode());
try {
    new Swoole\Server('127.0.0.1', 70000);
} catch (Swoole\Exception $e) {
    var_dump(get_class($e), $e->getCode());
}
?>
--EXPECT--
string(16) "Swoole\Exception"
string(4) "boom"
int(7)
bool(true)
string(8) "AppError"
string(6) "app: x"
int(42)
string(5) "Plain"
int(2)
string(16) "Swoole\Exception"
int(9004)
