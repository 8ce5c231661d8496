--TEST--
task_broker: without a secret start() warns exactly once and tasks still work; the broker's password and the secret never show ($serv->setting, print_r, warnings, logs, a failed AUTH); set() refuses bad URLs and names with a warning
--FILE--
<?php
require __DIR__ . '/../../include/server.inc';
require __DIR__ . '/../../include/redis.inc';
$redis = TestRedis::start();

echo "-- set() in this process\n";
ob_start();
$s = new Swoole\Server('127.0.0.1', 0);
var_dump($s->set(['task_worker_num' => 1, 'task_broker' => 'redis://user:hunter2@127.0.0.1:1/0', 'task_broker_secret' => 'topsecret-hmac']));
var_dump($s->setting['task_broker'], $s->setting['task_broker_secret']);
print_r($s);
var_dump($s);
var_export($s->setting);
echo json_encode($s->setting), "\n";
var_dump($s->set(['task_broker' => 'redis://:hunter2@127.0.0.1:1/0']));
var_dump($s->setting['task_broker']);
var_dump($s->set(['task_broker' => 'redis://hunter2@127.0.0.1:1/0']));
var_dump($s->setting['task_broker']);
foreach (['http://x', 'redis://', 'redis://u:hunter2@/0', '127.0.0.1:6379', 'redis://u:hunter2@h:notaport/0'] as $url) {
    var_dump($s->set(['task_broker' => $url]));
}
foreach (['a b', '', 'a:b', str_repeat('n', 129)] as $name) {
    var_dump($s->set(['task_broker_name' => $name]));
}
var_dump($s->set(['task_broker_name' => str_repeat('n', 128)]));
$shown = ob_get_clean();
echo "hunter2 shown: ", var_export(str_contains($shown, 'hunter2'), true), ", secret shown: ", var_export(str_contains($shown, 'topsecret-hmac'), true), ", *** shown: ", substr_count($shown, '***') > 10 ? 'yes' : 'NO', "\n";
// What the user reads: the values shown and the warnings, without the dumps.
foreach (explode("\n", $shown) as $line) {
    if (preg_match('/^(bool\(|string\(\d+\) "redis|string\(3\) "\*|Warning:)/', $line)) {
        echo preg_replace('/ in \S+ on line \d+$/', '', $line), "\n";
    }
}

echo "-- a server without task_broker_secret\n";
putenv('RS_REDIS=' . $redis->url());
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 2, 'task_worker_num' => 2, 'task_broker' => getenv('RS_REDIS'), 'task_broker_name' => 'anos']);
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    $s->send($fd, json_encode($s->taskwait('unsigned', 10.0)));
});
$serv->on('Task', fn($s, $id, $src, $data) => "$data-result");
rs_ready($serv);
$serv->start();
PHP);
var_dump($srv->request('go', 17, 15));
echo "exit code: ", $srv->stop(), "\n";
echo "warnings: ", substr_count($srv->output(), 'task_broker is set without task_broker_secret: anyone who can write to the broker can run code in the task workers'), "\n";
echo preg_replace('/ in \S+ on line \d+$/m', '', trim($srv->output())), "\n";
echo "entries added: ", a_redis_entries_added($redis, 'anos:tasks'), "\n";

echo "-- a server whose broker password Redis refuses\n";
putenv('RS_REDIS=redis://user:hunter2@127.0.0.1:' . $redis->port . '/0');
$srv = TestServer::start(<<<'PHP'
$serv = new Swoole\Server('127.0.0.1', 0);
$serv->set(['worker_num' => 1, 'task_worker_num' => 1, 'task_broker' => getenv('RS_REDIS'), 'task_broker_name' => 'ared', 'task_broker_secret' => 'topsecret-hmac']);
$serv->on('WorkerStart', function ($s, $id) {
    rs_note("worker $id setting " . preg_replace("/:\\d+\\//", ":PORT/", json_encode($s->setting, JSON_UNESCAPED_SLASHES)));
});
$serv->on('Receive', function ($s, $fd, $rid, $data) {
    rs_note("task() " . var_export($s->task('x'), true));
    $s->send($fd, 'ok');
});
$serv->on('Task', fn($s, $id, $src, $data) => 1);
rs_ready($serv);
$serv->start();
PHP);
$srv->waitNotes('worker', 2);
// The task worker tries to reach the broker and logs why it cannot.
$srv->waitOutput('AuthenticationFailed');
var_dump($srv->request('go', 2, 10));
echo "exit code: ", $srv->stop(), "\n";
$all = $srv->output() . implode("\n", $srv->notes());
echo "hunter2 shown: ", var_export(str_contains($all, 'hunter2'), true), ", secret shown: ", var_export(str_contains($all, 'topsecret-hmac'), true), "\n";
$notes = $srv->notes();
sort($notes);
echo implode("\n", $notes), "\n";
echo "task() warning: ", preg_match('/Warning: Swoole\\\\Server::task\(\): the task broker is unreachable: task broker: [^\n]*AuthenticationFailed in /', $srv->output()), "\n";
?>
--EXPECTF--
-- set() in this process
hunter2 shown: false, secret shown: false, *** shown: yes
bool(true)
string(30) "redis://user:***@127.0.0.1:1/0"
string(3) "***"
bool(true)
string(26) "redis://:***@127.0.0.1:1/0"
bool(true)
string(25) "redis://***@127.0.0.1:1/0"
Warning: Swoole\Server::set(): invalid task_broker 'http://x': it must start with redis://
bool(false)
Warning: Swoole\Server::set(): invalid task_broker 'redis://': it names no host
bool(false)
Warning: Swoole\Server::set(): invalid task_broker 'redis://u:***@/0': it names no host
bool(false)
Warning: Swoole\Server::set(): invalid task_broker '127.0.0.1:6379': it must start with redis://
bool(false)
Warning: Swoole\Server::set(): invalid task_broker 'redis://u:***@h:notaport/0': it is not a valid Redis URL
bool(false)
Warning: Swoole\Server::set(): invalid task_broker_name 'a b': it must be 1-128 characters, without spaces or ':'
bool(false)
Warning: Swoole\Server::set(): invalid task_broker_name '': it must be 1-128 characters, without spaces or ':'
bool(false)
Warning: Swoole\Server::set(): invalid task_broker_name 'a:b': it must be 1-128 characters, without spaces or ':'
bool(false)
Warning: Swoole\Server::set(): invalid task_broker_name 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn': it must be 1-128 characters, without spaces or ':'
bool(false)
bool(true)
-- a server without task_broker_secret
string(17) ""unsigned-result""
exit code: 0
warnings: 1
Warning: Swoole\Server::start(): task_broker is set without task_broker_secret: anyone who can write to the broker can run code in the task workers
entries added: 1
-- a server whose broker password Redis refuses
string(2) "ok"
exit code: 0
hunter2 shown: false, secret shown: false
task() false
worker 0 setting {"worker_num":1,"task_worker_num":1,"task_broker":"redis://user:***@127.0.0.1:PORT/0","task_broker_name":"ared","task_broker_secret":"***","max_connection":20000}
worker 1 setting {"worker_num":1,"task_worker_num":1,"task_broker":"redis://user:***@127.0.0.1:PORT/0","task_broker_name":"ared","task_broker_secret":"***","max_connection":20000}
task() warning: 1
