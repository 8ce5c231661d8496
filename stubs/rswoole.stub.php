<?php
/**
 * IDE stubs for rswoole: every class, method, property, constant and function the extension
 * registers, with the signatures its reflection reports (`php --re rswoole`).
 *
 * tests/phpt/stubs/stubs_match_reflection.phpt loads this file in a php without the extension
 * and fails on any difference from the extension's reflection: names, parameter names, types,
 * defaults, return types, modifiers and constant values. Change it together with src/php/.
 *
 * Where rswoole differs from Swoole 6.2's own stubs (ext-src/stubs/php_swoole_server.stub.php),
 * this file follows rswoole: e.g. optional int/float/bool parameters are `?type = null`, and
 * the doc comments give the value null stands for.
 */

namespace {
    /** Error code of the last failed call in this process (e.g. 6002: taskwait timed out). */
    function swoole_last_error(): int {}

    const SWOOLE_BASE = 1;
    /** Accepted by the constructor; the server runs as SWOOLE_BASE. */
    const SWOOLE_PROCESS = 2;
    const SWOOLE_SOCK_TCP = 1;
    const SWOOLE_SOCK_UDP = 2;
    const SWOOLE_SOCK_TCP6 = 3;
    const SWOOLE_SOCK_UDP6 = 4;
    const SWOOLE_SOCK_UNIX_STREAM = 5;
    const SWOOLE_SOCK_UNIX_DGRAM = 6;
    const SWOOLE_IPC_UNSOCK = 1;
    const SWOOLE_IPC_MSGQUEUE = 2;
    const SWOOLE_IPC_PREEMPTIVE = 3;
    const SWOOLE_TASK_TMPFILE = 1;
    const SWOOLE_TASK_SERIALIZE = 2;
    const SWOOLE_TASK_NONBLOCK = 4;
    const SWOOLE_TASK_CALLBACK = 8;
    const SWOOLE_TASK_WAITALL = 16;
    const SWOOLE_TASK_COROUTINE = 32;
    const SWOOLE_TASK_PEEK = 64;
    const SWOOLE_TASK_NOREPLY = 128;
    const SWOOLE_WORKER_BUSY = 1;
    const SWOOLE_WORKER_IDLE = 2;
    const SWOOLE_WORKER_EXIT = 3;
    const SWOOLE_LOG_DEBUG = 0;
    const SWOOLE_LOG_TRACE = 1;
    const SWOOLE_LOG_INFO = 2;
    const SWOOLE_LOG_NOTICE = 3;
    const SWOOLE_LOG_WARNING = 4;
    const SWOOLE_LOG_ERROR = 5;
    const SWOOLE_LOG_NONE = 6;
    const SWOOLE_ERROR_SESSION_CLOSED = 1004;
    const SWOOLE_ERROR_SESSION_NOT_EXIST = 1005;
    const SWOOLE_ERROR_OUTPUT_BUFFER_OVERFLOW = 1009;
    const SWOOLE_ERROR_PACKAGE_LENGTH_TOO_LARGE = 1201;
    const SWOOLE_ERROR_TASK_PACKAGE_TOO_BIG = 2001;
    const SWOOLE_ERROR_TASK_DISPATCH_FAIL = 2002;
    const SWOOLE_ERROR_TASK_TIMEOUT = 2003;
    const SWOOLE_DISPATCH_ROUND = 1;
    const SWOOLE_DISPATCH_FDMOD = 2;
    const SWOOLE_DISPATCH_IDLE_WORKER = 3;
    const SWOOLE_DISPATCH_IPMOD = 4;
    const SWOOLE_DISPATCH_UIDMOD = 5;
    const SWOOLE_DISPATCH_STREAM = 7;
    const SWOOLE_DISPATCH_CO_CONN_LB = 8;
    const SWOOLE_DISPATCH_CO_REQ_LB = 9;
    const SWOOLE_DISPATCH_CONCURRENT_LB = 10;
    /** rswoole's own version, not the Swoole version it follows. */
    const SWOOLE_VERSION = '0.1.0';
}

namespace Swoole {
    /**
     * Thrown by Server when it cannot bind or start. Only the extension creates it: its
     * constructor takes no arguments and `new Swoole\Exception(...)` throws.
     */
    /** A plain \Exception subclass: `new Swoole\Exception($message, $code)` works. */
    class Exception extends \Exception
    {
    }

    class Server
    {
        /**
         * The settings given to set(), merged; start() adds the defaults it used. Read-only,
         * like every property here: writing one throws.
         * @var array|null
         */
        public $setting = null;
        /** @var string the host given to the constructor */
        public $host = null;
        /** @var int the bound port (the real one when 0 was given) */
        public $port = null;
        /** @var int SWOOLE_BASE or SWOOLE_PROCESS, as given */
        public $mode = null;
        /** @var int the socket type, as given */
        public $type = null;
        /** Every listening port (Swoole\Server\Port), the server's own first. */
        public $ports = null;
        /** @var int BASE mode: event worker 0's pid once it started, before that the launching process's (0 before start()) */
        public $master_pid = null;
        /** @var int the manager's pid while the server runs, else 0 */
        public $manager_pid = null;
        /** @var int this worker's id, -1 outside workers */
        public $worker_id = null;
        /** @var int this worker's pid, 0 outside workers */
        public $worker_pid = null;
        /** @var bool whether this process is a task worker */
        public $taskworker = null;

        /**
         * Every connection of the server (all event workers'): a list of fds, for foreach and
         * count(). Read-only.
         * @var int[]
         */
        public $connections = null;

        /**
         * Binds and listens at once; throws Swoole\Exception when it cannot.
         * @param int $port 0: any free port
         * @param int $mode SWOOLE_BASE (1) or SWOOLE_PROCESS (2)
         * @param int $sock_type SWOOLE_SOCK_TCP (1) or SWOOLE_SOCK_TCP6 (3)
         */
        public function __construct(string $host = '0.0.0.0', int $port = 0, int $mode = 1, int $sock_type = 1) {}

        public function set(array $settings): bool {}

        /**
         * Events: Start, Shutdown, WorkerStart, WorkerStop, WorkerError, ManagerStart,
         * ManagerStop, Connect, Receive, Close, Task, Finish.
         * @param callable $callback
         */
        public function on(string $event_name, mixed $callback): bool {}

        /** Returns true in the launching process after shutdown; never returns in a worker. */
        public function start(): bool {}

        /**
         * @param int $taskWorkerIndex -1: any idle task worker
         * @param callable|null $finishCallback called with the result instead of onFinish
         * @return int|false the task id (may be 0: test with === false)
         */
        public function task(mixed $data, int $taskWorkerIndex = -1, mixed $finishCallback = null): mixed {}

        /**
         * Blocks this event worker until the task's first result, or $timeout seconds
         * (false, swoole_last_error() 6002). $timeout <= 0 waits until the task ends.
         * @param int $taskWorkerIndex -1: any idle task worker
         */
        public function taskwait(mixed $data, float $timeout = 0.5, int $taskWorkerIndex = -1): mixed {}

        /**
         * @param float $timeout for all tasks together
         * @return array|false results keyed like $tasks, in input order; tasks without a
         * result in time are absent. At most 1023 tasks.
         */
        public function taskWaitMulti(array $tasks, float $timeout = 0.5): mixed {}

        public function getLastError(): int {}

        /** Sends the result of the task onTask is running to the worker that sent it. */
        public function finish(mixed $data): bool {}

        /**
         * Sends $message (a string raw, any other value serialized; any size) to event or task
         * worker $dstWorkerId, whose PipeMessage($serv, $src_worker_id, $message) receives it.
         * Uses up no task id. A message waits for the successor of a worker being reloaded.
         */
        public function sendMessage(mixed $message, int $dstWorkerId): bool {}

        /**
         * Adds a user process (before start()): started with the server, restarted when it
         * exits (after a backoff when it keeps exiting at once), stopped at shutdown. Inside it,
         * sendMessage() and timers work; task() is refused (its result would reach no one).
         * @return int|false its index among added processes
         */
        public function addProcess(\Swoole\Process $process): mixed {}

        /**
         * @param string $send_data not empty; a connection of this event worker only
         * @param int $serverSocket accepted; there is one listening port
         */
        public function send(int $fd, mixed $send_data, int $serverSocket = -1): bool {}

        /**
         * This event worker's connections idle past heartbeat_idle_time, closed unless
         * $ifCloseConnection is false.
         * @return array|false false when no heartbeat is configured
         */
        public function heartbeat(bool $ifCloseConnection = true): mixed {}

        /** Whether $fd is an open connection of this event worker. */
        public function exists(int $fd): bool {}

        /** The older name of exists(). */
        public function exist(int $fd): bool {}

        /**
         * Binds connection $fd to $uid, once (dispatch_mode 5 routes its data to worker
         * $uid % worker_num from then on); false if it is gone or already bound.
         */
        public function bind(int $fd, int $uid): bool {}

        /**
         * Swoole's keys (server_port, server_fd, socket_fd, socket_type, remote_port,
         * remote_ip, reactor_id, connect_time, last_time, last_recv_time, last_send_time,
         * last_dispatch_time, close_errno, recv_queued_bytes, send_queued_bytes) for a
         * connection of this event worker; for another worker's, what the shared directory
         * knows (peer, connect time, reactor_id = its owner; the fds and times 0 or -1).
         * @return array|false
         */
        public function getClientInfo(int $fd, int $reactor_id = -1, bool $ignoreError = false): mixed {}

        /** The older name of getClientInfo(). */
        public function connection_info(int $fd, int $reactor_id = -1, bool $ignoreError = false): mixed {}

        /**
         * The server's connections (every event worker's) after session $start_fd, in order.
         * @return array|false false when $find_count is above 100
         */
        public function getClientList(int $start_fd = 0, int $find_count = 10): mixed {}

        /** The older name of getClientList(). */
        public function connection_list(int $start_fd = 0, int $find_count = 10): mixed {}

        /** Stops reading a connection of this event worker until resume(). */
        public function pause(int $fd): bool {}

        public function resume(int $fd): bool {}

        /** Exempts a connection of this event worker from the heartbeat (or no longer). */
        public function protect(int $fd, bool $is_protected = true): bool {}

        /**
         * Sends part of a file ($length 0: to its end) to a connection of this event worker.
         * An offset or length past the end of the file is an error (Swoole says true and
         * sends nothing).
         */
        public function sendfile(int $fd, string $filename, int $offset = 0, int $length = 0): bool {}

        /**
         * Queued output is written first, then the socket closes; with $reset the peer gets
         * RST at once and the queued output is dropped.
         */
        public function close(int $fd, bool $reset = false): bool {}

        /**
         * Replaces the workers one at a time (all, or only the task workers) while the server
         * serves; no task or result is lost. Same as SIGUSR1 / SIGUSR2 to the manager.
         */
        public function reload(bool $only_reload_taskworker = false): bool {}

        public function shutdown(): bool {}

        /** @return array|false false when the server is not running */
        public function stats(): mixed {}

        /** @return int|false false outside workers */
        public function getWorkerId(): mixed {}

        /**
         * Listens on one more TCP port (bound now): its Port, whose set() and on() apply to
         * that port alone (callbacks it lacks are the server's; without set() it takes the
         * server's settings at start). False with a warning when it cannot be bound.
         * @return \Swoole\Server\Port|false
         */
        public function addListener(string $host, int $port, int $sock_type = 1): mixed {}

        /**
         * One datagram to $ip:$port (a unix datagram client: $ip is its path) from a datagram
         * port: $server_socket if given, else the one that last heard from that address, else
         * the first of its kind. Event workers only.
         */
        public function sendto(string $ip, int $port, mixed $data, int $server_socket = -1): bool {}

        /** @return \Swoole\Server\Port|false the other name of addListener() */
        public function listen(string $host, int $port, int $sock_type = 1): mixed {}

        /** The pid of worker $worker_id (event, task or user process; -1: this one). @return int|false */
        public function getWorkerPid(int $worker_id = -1): mixed {}

        public function getMasterPid(): int {}

        public function getManagerPid(): int {}
    }
}

namespace Swoole {
    /**
     * An unsigned 32-bit counter shared by every process of a server (create it before
     * start()). Arithmetic wraps, as Swoole's.
     */
    class Atomic
    {
        public function __construct(int $value = 0) {}

        /** @return int the new value */
        public function add(int $add_value = 1): int {}

        /** @return int the new value */
        public function sub(int $sub_value = 1): int {}

        public function get(): int {}

        public function set(int $value): void {}

        public function cmpset(int $cmp_value, int $new_value): bool {}

        /**
         * Sleeps while the value is 0 until wakeup() (true) or $timeout seconds (false); a
         * timeout of 0 or less waits without limit. A value of 1 (a wakeup already happened)
         * returns true at once; any other value returns false at once.
         */
        public function wait(float $timeout = 1.0): bool {}

        /** Sets a value of 0 to 1 and wakes up to $count waiters; false when it was not 0. */
        public function wakeup(int $count = 1): bool {}
    }
}

namespace Swoole\Server {
    /** One listening port of a server ($serv->ports[0] is the server's own). Not constructible. */
    class Port
    {
        public $host;
        public $port;
        public $type;
        /** The listening socket's descriptor. */
        public $sock;
        /** What set() was given, or null. */
        public $setting;

        public function __construct() {}

        /** The port's protocol and limits, replacing the server's for this port. */
        public function set(array $settings): void {}

        /** @param callable $callback */
        public function on(string $event_name, mixed $callback): bool {}

        /** This port's own callback for the event, or null. */
        public function getCallback(string $event_name): mixed {}
    }
}

namespace Swoole\Atomic {
    /** A signed 64-bit counter shared by every process of a server. */
    class Long
    {
        public function __construct(int $value = 0) {}

        public function add(int $add_value = 1): int {}

        public function sub(int $sub_value = 1): int {}

        public function get(): int {}

        public function set(int $value): void {}

        public function cmpset(int $cmp_value, int $new_value): bool {}
    }
}

namespace Swoole {
    /**
     * A mutex or reader-writer lock shared by every process of a server (create it before
     * start()). Robust: when a process dies holding it, the next lock() takes it over (with a
     * warning) instead of waiting forever.
     */
    class Lock
    {
        public const MUTEX = 3;
        public const RWLOCK = 1;
        /** The same lock as MUTEX (it spins before it sleeps). */
        public const SPINLOCK = 5;

        /** The errno of the last call; 0 after a success. */
        public $errCode;

        public function __construct(int $type = 3) {}

        /**
         * LOCK_EX, or LOCK_SH for a read lock of an RWLOCK; | LOCK_NB not to wait (errCode 16);
         * a timeout in seconds (errCode 110 when it passes; 0 or less: no limit). Locking again a
         * lock this process holds fails at once with errCode 35 instead of deadlocking.
         */
        public function lock(int $operation = 2, float $timeout = -1.0): bool {}

        /** False (errCode 1) when this process holds no lock on it. */
        public function unlock(): bool {}

        /** Swoole 4's names, kept for older scripts. */
        public function trylock(): bool {}

        public function lock_read(): bool {}

        public function trylock_read(): bool {}

        /** Waits at most $timeout seconds (a timeout of 0 or less tries once). */
        public function lockwait(float $timeout = 1.0): bool {}
    }

    /**
     * A hash table of typed rows in shared memory (create() it before start()). It holds
     * exactly size + size * conflict_proportion rows whatever the keys' hashes.
     */
    final class Table implements \Iterator, \Countable
    {
        public const TYPE_INT = 1;
        public const TYPE_FLOAT = 2;
        public const TYPE_STRING = 3;

        /** null until create(), then the number of buckets. */
        public $size;
        /** null until create(), then the bytes of shared memory. */
        public $memorySize;

        public function __construct(int $table_size, float $conflict_proportion = 0.2) {}

        public function column(string $name, int $type, int $size = 0): bool {}

        public function create(): bool {}

        public function destroy(): bool {}

        public function set(string $key, array $value): bool {}

        /** @return array|string|int|float|false the row, one field, or false */
        public function get(string $key, ?string $field = null): mixed {}

        public function exists(string $key): bool {}

        public function del(string $key): bool {}

        /** @param int|float $incrby @return int|float|false the new value */
        public function incr(string $key, string $column, mixed $incrby = null): mixed {}

        /** @param int|float $incrby @return int|float|false the new value */
        public function decr(string $key, string $column, mixed $incrby = null): mixed {}

        /** COUNT_RECURSIVE counts every field (rows * columns). */
        public function count(int $mode = 0): int {}

        public function getSize(): int {}

        public function getMemorySize(): int {}

        /** @return array|false */
        public function stats(): mixed {}

        public function rewind(): void {}

        public function next(): void {}

        public function current(): mixed {}

        public function key(): mixed {}

        public function valid(): bool {}
    }
}

namespace Swoole {
    /**
     * Timers of the process that adds them (an event worker or a task worker, from
     * onWorkerStart on), fired by its loop: between events, and in a task worker between
     * tasks. They end when the worker stops. Not constructible.
     */
    class Timer
    {
        public function __construct() {}

        /**
         * Calls $callback($timer_id, ...$params) every $ms milliseconds.
         * @param callable $callback
         * @return int|false the timer id
         */
        public static function tick(int $ms, mixed $callback, mixed ...$params): mixed {}

        /**
         * Calls $callback(...$params) once, in $ms milliseconds.
         * @param callable $callback
         * @return int|false the timer id
         */
        public static function after(int $ms, mixed $callback, mixed ...$params): mixed {}

        public static function clear(int $timer_id): bool {}

        public static function clearAll(): bool {}

        public static function exists(int $timer_id): bool {}

        /** @return array|null|false exec_msec, exec_count, interval, round, removed */
        public static function info(int $timer_id): mixed {}

        /** @return int[] the live timer ids, in creation order */
        public static function list(): mixed {}

        /** @return array initialized, num, round */
        public static function stats(): mixed {}
    }
}

namespace Swoole {
    /**
     * A process: for Server::addProcess() (started with the server, restarted when it exits,
     * stopped at shutdown) or started alone with start(). With a pipe (SOCK_DGRAM by default,
     * SOCK_STREAM = 1, none = 0), write() and read() talk to the other side.
     */
    class Process
    {
        /** Its pid once started (null in other processes of a server: use getWorkerPid()). */
        public $pid;
        /** Its index among added processes; its worker id inside it once the server runs. */
        public $id;
        /** The parent's end of the pipe. */
        public $pipe;

        /** @param callable $callback called as $callback(Swoole\Process $process) */
        public function __construct(mixed $callback, bool $redirect_stdin_and_stdout = false, int $pipe_type = 2, bool $enable_coroutine = false) {}

        /** Forks and runs the callback in the child; the child's pid. @return int|false */
        public function start(): mixed {}

        /** @return int|false the bytes written */
        public function write(mixed $data): mixed {}

        /** Waits for data: one message on a datagram pipe. @return string|false */
        public function read(int $size = 8192): mixed {}

        public function close(int $which = 0): bool {}

        /** Ends this process with $exit_code (its output flushed). */
        public function exit(int $exit_code = 0): void {}

        /** Sets the process title, as cli_set_process_title(). */
        public function name(string $process_name): bool {}

        public static function kill(int $pid, int $signal_no = 15): bool {}

        /** @return array|false ['pid' => int, 'code' => int, 'signal' => int] */
        public static function wait(bool $blocking = true): mixed {}

        /** Runs $callback($signal_no) on the signal (PHP async signals); null: default action. */
        public static function signal(int $signal_no, mixed $callback = null): bool {}
    }
}

namespace {
    const SWOOLE_MUTEX = 3;
    const SWOOLE_RWLOCK = 1;
    const SWOOLE_SPINLOCK = 5;

    /** Legacy names of Swoole\Timer's methods. */
    function swoole_timer_tick(int $ms, mixed $callback, mixed ...$params): mixed {}
    function swoole_timer_after(int $ms, mixed $callback, mixed ...$params): mixed {}
    function swoole_timer_clear(int $timer_id): bool {}
    function swoole_timer_clear_all(): bool {}
    function swoole_timer_exists(int $timer_id): bool {}
    function swoole_timer_info(int $timer_id): mixed {}
    function swoole_timer_list(): mixed {}
    function swoole_timer_stats(): mixed {}

    /** The legacy name: another name of Swoole\Server, not a subclass. */
    class_alias(\Swoole\Server::class, 'swoole_server');
}
