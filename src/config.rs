//! `set()` options, parsed once into typed settings. The PHP layer turns each array value into
//! a [`Value`]; everything here is plain Rust so the rules are unit-tested without PHP.

use std::path::PathBuf;
use std::time::Duration;

use thiserror::Error;

use crate::log::Level;
use crate::net::framing::{Framing, LengthType};
use crate::net::table::PortRules;

/// A PHP value as far as settings care.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// Arrays, objects, resources: never valid for an option; the name is for the message.
    Other(&'static str),
}

impl Value {
    fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::Other(t) => t,
        }
    }

    /// PHP's loose reading of an integer option: ints, integral floats, numeric strings, bools.
    fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(i64::from(*b)),
            Value::Float(f) if f.fract() == 0.0 && f.is_finite() => Some(*f as i64),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    fn as_float(&self) -> Option<f64> {
        match self {
            Value::Float(f) if f.is_finite() => Some(*f),
            Value::Str(s) => s.trim().parse().ok().filter(|f: &f64| f.is_finite()),
            other => other.as_int().map(|i| i as f64),
        }
    }

    fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Int(i) => Some(*i != 0),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IpcMode {
    /// 1, SWOOLE_IPC_UNSOCK: a socketpair per task worker.
    UnixSocket,
    /// 2, SWOOLE_IPC_MSGQUEUE: one System V queue, each task addressed to one worker.
    MsgQueue,
    /// 3, SWOOLE_IPC_PREEMPTIVE: one System V queue, tasks taken by whichever worker is free.
    Preemptive,
}

/// How a PROCESS-mode reactor picks the event worker for a connection's events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DispatchMode {
    /// 1: each event to the next worker in turn.
    RoundRobin,
    /// 2 (the default): the session id modulo worker_num (Swoole hashes its socket fd).
    FdMod,
    /// 3 (and 7, 9, 10, which need coroutines in Swoole): an idle worker, else the next one.
    Idle,
    /// 4: the client's IP address modulo worker_num.
    IpMod,
    /// 5: the uid given by bind() modulo worker_num; the session id before bind().
    Uid,
    /// 8: the worker with the fewest connections, chosen at connect, then kept.
    LeastConnections,
}

impl DispatchMode {
    /// Swoole's number for it.
    pub fn from_int(n: i64) -> Option<DispatchMode> {
        Some(match n {
            1 => DispatchMode::RoundRobin,
            2 => DispatchMode::FdMod,
            3 | 7 | 9 | 10 => DispatchMode::Idle,
            4 => DispatchMode::IpMod,
            5 => DispatchMode::Uid,
            8 => DispatchMode::LeastConnections,
            _ => return None,
        })
    }

    /// The modes that keep a connection on one worker, so its Connect and Close may be
    /// delivered (Swoole's rule: 2, 4 and 8; everything else needs enable_unsafe_event).
    pub fn keeps_connection_on_one_worker(self) -> bool {
        matches!(self, DispatchMode::FdMod | DispatchMode::IpMod | DispatchMode::LeastConnections)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// SWOOLE_PROCESS: a master whose reactor threads own the connections (set by start()).
    pub process_mode: bool,
    /// PROCESS mode: how events are spread over the event workers, and Swoole's number.
    pub dispatch_mode: DispatchMode,
    pub dispatch_mode_number: i64,
    /// PROCESS mode: reactor threads; 0 = one per CPU (at most 8), never more than workers.
    pub reactor_num: usize,
    /// PROCESS mode: deliver Connect/Close also in the modes that spread a connection's
    /// events over several workers.
    pub enable_unsafe_event: bool,
    /// Event workers; 0 in set() means "one per CPU".
    pub worker_num: usize,
    pub task_worker_num: usize,
    pub task_ipc_mode: IpcMode,
    /// System V key of the task queue (modes 2 and 3); 0 = a private queue.
    pub message_queue_key: i32,
    pub log_file: Option<PathBuf>,
    pub log_level: Level,
    /// How long a stopping worker may take to finish its work before it is killed.
    pub max_wait_time: Duration,
    /// Receive callbacks an event worker runs before it is replaced; 0 = never.
    pub max_request: u64,
    pub max_request_grace: Option<u64>,
    /// Tasks a task worker runs before it is replaced; 0 = never.
    pub task_max_request: u64,
    /// Send a task whose task worker died once more, to another task worker (ours, opt-in:
    /// the task may have had effects before its worker died).
    pub task_retry_lost: bool,
    /// A PipeMessage callback is set: task workers get a mailbox for `sendMessage()` (event
    /// workers take messages on their result channel anyway).
    pub pipe_messages: bool,
    /// Processes added with addProcess(), run after the workers (ids from worker_num +
    /// task_worker_num on).
    pub user_processes: usize,
    /// Up to this many extra tasks, chosen at random per process, so workers started together
    /// are not all replaced at once. None: Swoole's default (half of task_max_request above 10).
    pub task_max_request_grace: Option<u64>,
    /// Accepted and checked as in Swoole; large payloads never touch it (they travel in memfds).
    pub task_tmpdir: PathBuf,
    /// Manager pid written here at start, removed at stop.
    pub pid_file: Option<PathBuf>,
    /// start() detaches: the calling process returns to the shell, the server runs on.
    pub daemonize: bool,
    /// Tasks an event worker keeps when the task channels are full, before task() waits.
    pub task_backlog: usize,
    /// How long task() waits for room when the backlog is full, then it fails.
    pub task_backlog_timeout: Duration,
    /// `task_broker`, `task_broker_name`, `task_broker_secret` (issue #12): tasks through
    /// Redis Streams instead of the local channels. Kept as given; checked together by
    /// [`Settings::broker`].
    pub task_broker_url: Option<String>,
    pub task_broker_name: String,
    pub task_broker_secret: Option<Vec<u8>>,
    /// A task whose task worker stopped answering for this long (its host died or lost its
    /// link) is claimed by another and reported lost to its sender (or run again).
    pub task_broker_visibility_timeout: Duration,
    /// set() was given `worker_num => 0`: one event worker per CPU, except on a broker host,
    /// where it means none (a host that only adds task workers).
    pub worker_num_zero: bool,
    /// The listening port's protocol and limits (Swoole's port options, given to set()).
    pub port: PortOptions,
    /// Ports added with addListener(), in order, each with its own options.
    pub extra_ports: Vec<PortOptions>,
}

/// Port options as set() gives them; [`PortOptions::rules`] makes them what a connection
/// table uses.
#[derive(Clone, Debug, PartialEq)]
pub struct PortOptions {
    pub open_eof_check: bool,
    pub open_eof_split: bool,
    pub package_eof: Vec<u8>,
    pub open_length_check: bool,
    pub package_length_type: LengthType,
    pub package_length_offset: usize,
    pub package_body_offset: usize,
    pub package_max_length: usize,
    pub socket_buffer_size: usize,
    pub buffer_high_watermark: Option<usize>,
    /// `buffer_output_size` / `output_buffer_size`: the largest payload one send() takes.
    pub output_buffer_size: usize,
    pub open_tcp_nodelay: bool,
    /// None: Swoole's default, min(100000, RLIMIT_NOFILE).
    pub max_connection: Option<usize>,
    /// listen(2)'s queue, set at start.
    pub backlog: i32,
    /// A `package_length_func` was given (the callable itself stays with the PHP layer).
    pub package_length_func: bool,
    /// Seconds between heartbeat checks; 0 = none (derived from the idle time if only that
    /// is given).
    pub heartbeat_check_interval: u32,
    /// Seconds without data after which a connection is closed; None = 2 x the interval.
    pub heartbeat_idle_time: Option<u32>,
}

impl Default for PortOptions {
    fn default() -> Self {
        PortOptions {
            open_eof_check: false,
            open_eof_split: false,
            package_eof: b"\r\n\r\n".to_vec(),
            open_length_check: false,
            package_length_type: LengthType::U32Be,
            package_length_offset: 0,
            package_body_offset: 4,
            package_max_length: 2 * 1024 * 1024,
            socket_buffer_size: 8 * 1024 * 1024,
            buffer_high_watermark: None,
            output_buffer_size: u32::MAX as usize,
            open_tcp_nodelay: true,
            max_connection: None,
            backlog: 512,
            package_length_func: false,
            heartbeat_check_interval: 0,
            heartbeat_idle_time: None,
        }
    }
}

impl PortOptions {
    /// The length protocol wins when both are on (its messages cannot be told by an EOF).
    pub fn rules(&self) -> PortRules {
        let framing = if self.package_length_func {
            Framing::Func
        } else if self.open_length_check {
            Framing::Length { kind: self.package_length_type, offset: self.package_length_offset, body_offset: self.package_body_offset }
        } else if self.open_eof_check || self.open_eof_split {
            Framing::Eof { eof: self.package_eof.clone(), split: self.open_eof_split }
        } else {
            Framing::Raw
        };
        let limit = self.socket_buffer_size;
        PortRules {
            framing,
            max_package: self.package_max_length,
            output_limit: limit,
            high_watermark: self.buffer_high_watermark.unwrap_or(limit / 10 * 8).min(limit),
            max_send: self.output_buffer_size,
            nodelay: self.open_tcp_nodelay,
            max_connections: self.max_connection.unwrap_or_else(default_max_connection),
            idle_time: self.heartbeat().map(|(_, idle)| Duration::from_secs(u64::from(idle))),
        }
    }

    /// The heartbeat as Swoole derives it: (check interval, idle time) in seconds. The idle
    /// time defaults to twice the interval; an idle time alone gives an interval of half of it
    /// (at least 1), and an interval longer than that is lowered to it.
    pub fn heartbeat(&self) -> Option<(u32, u32)> {
        match (self.heartbeat_check_interval, self.heartbeat_idle_time) {
            (0, None | Some(0)) => None,
            (interval, None) => Some((interval, interval.saturating_mul(2))),
            (interval, Some(idle)) => {
                let half = (idle / 2).max(1);
                Some((if interval == 0 { half } else { interval.min(half) }, idle))
            }
        }
    }
}

/// Swoole's default connection limit: min(100000, the open-files limit).
fn default_max_connection() -> usize {
    let mut r = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit fills the struct we pass.
    let soft = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) } == 0 { r.rlim_cur as usize } else { 1024 };
    soft.clamp(1, 100_000)
}

/// The most connections Swoole's session table holds (SW_SESSION_LIST_SIZE).
const MAX_CONNECTION: i64 = 1 << 20;

/// Largest header offset Swoole accepts for the length protocol.
const MAX_PACKAGE_OFFSET: i64 = 8152;

/// A size as php.ini writes it: an integer, or a string with a K, M or G suffix.
fn size_of(v: &Value) -> Option<i64> {
    if let Value::Str(s) = v {
        let t = s.trim();
        let (num, mul) = match t.chars().last()? {
            'k' | 'K' => (&t[..t.len() - 1], 1i64 << 10),
            'm' | 'M' => (&t[..t.len() - 1], 1 << 20),
            'g' | 'G' => (&t[..t.len() - 1], 1 << 30),
            _ => (t, 1),
        };
        return num.trim().parse::<i64>().ok().map(|n| n.saturating_mul(mul));
    }
    v.as_int()
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            process_mode: false,
            dispatch_mode: DispatchMode::FdMod,
            dispatch_mode_number: 2,
            reactor_num: 0,
            enable_unsafe_event: false,
            worker_num: cpu_count(),
            task_worker_num: 0,
            task_ipc_mode: IpcMode::UnixSocket,
            message_queue_key: 0,
            log_file: None,
            log_level: Level::Info,
            max_wait_time: Duration::from_secs(3),
            max_request: 0,
            max_request_grace: None,
            task_max_request: 0,
            task_retry_lost: false,
            pipe_messages: false,
            user_processes: 0,
            task_max_request_grace: None,
            task_tmpdir: PathBuf::from("/tmp"),
            pid_file: None,
            daemonize: false,
            task_backlog: 65536,
            task_backlog_timeout: Duration::from_secs(3),
            task_broker_url: None,
            task_broker_name: "rswoole".into(),
            task_broker_secret: None,
            task_broker_visibility_timeout: Duration::from_secs(30),
            worker_num_zero: false,
            port: PortOptions::default(),
            extra_ports: Vec::new(),
        }
    }
}

#[derive(Debug, Error, PartialEq)]
pub enum ConfigError {
    #[error("unsupported option [{0}]")]
    Unsupported(String),
    #[error("option [{key}] expects {expected}, {given} given")]
    Type { key: String, expected: &'static str, given: &'static str },
    #[error("option [{key}] {rule}, {value} given")]
    Range { key: String, rule: &'static str, value: String },
    /// A check Swoole has, in Swoole's words.
    #[error("{0}")]
    Swoole(&'static str),
    /// task_broker / task_broker_name (the message never shows a password).
    #[error("{0}")]
    Broker(String),
}

/// Options that Swoole has but that mean nothing for this server model; accepted silently.
const ACCEPTED_WITHOUT_EFFECT: &[&str] = &[
    "enable_coroutine",
    "task_enable_coroutine",
    "hook_flags",
];

/// Longest duration a setting may ask for: Swoole keeps seconds in a uint32.
const MAX_SECONDS: f64 = u32::MAX as f64;
/// Largest task backlog per event worker (a bound on its memory, not a target).
const MAX_TASK_BACKLOG: i64 = 1 << 30;

/// The most processes of one kind, as in Swoole (CPU count x 1000).
fn max_processes() -> usize {
    cpu_count() * 1000
}

pub fn cpu_count() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

/// A limit plus a random share of its grace (Swoole's default grace: half a limit above 10).
fn lifetime(limit: u64, grace: Option<u64>, random: u64) -> u64 {
    if limit == 0 {
        return 0;
    }
    let grace = grace.unwrap_or(if limit > 10 { limit / 2 } else { 0 });
    limit.saturating_add(if grace > 0 { 1 + random % grace } else { 0 })
}

impl Settings {
    /// The reactor threads a PROCESS-mode master runs: reactor_num (0: one per CPU, at most
    /// 8, as Swoole), never more than the event workers.
    pub fn reactor_threads(&self) -> usize {
        let n = if self.reactor_num == 0 { cpu_count().min(8) } else { self.reactor_num };
        n.min(self.worker_num).max(1)
    }

    /// The task broker, if one is set.
    pub fn broker(&self) -> Option<crate::broker::BrokerSettings> {
        let url = self.task_broker_url.as_deref()?;
        // Both parts were checked when set() took them.
        crate::broker::BrokerSettings::new(url, &self.task_broker_name, self.task_broker_secret.as_deref()).ok()
    }

    /// What start() runs with: on a broker host, `worker_num => 0` means no event worker.
    pub fn resolve(&mut self) {
        if self.worker_num_zero && self.task_broker_url.is_some() {
            self.worker_num = 0;
        }
    }

    /// Whether Connect/Close (and BufferFull/BufferEmpty) reach user code: always in BASE
    /// mode; in PROCESS mode only where a connection stays on one worker, as Swoole.
    pub fn delivers_connection_events(&self) -> bool {
        !self.process_mode || self.enable_unsafe_event || self.dispatch_mode.keeps_connection_on_one_worker()
    }

    /// The task count after which one task worker process is replaced (0 = never), with its
    /// random share of the grace drawn from `random`.
    pub fn task_worker_lifetime(&self, random: u64) -> u64 {
        lifetime(self.task_max_request, self.task_max_request_grace, random)
    }

    /// The same for an event worker (max_request, max_request_grace).
    pub fn worker_lifetime(&self, random: u64) -> u64 {
        lifetime(self.max_request, self.max_request_grace, random)
    }

    /// Applies one option. On error the setting keeps its previous value.
    pub fn apply(&mut self, key: &str, v: &Value) -> Result<(), ConfigError> {
        let type_err = |expected| ConfigError::Type { key: key.into(), expected, given: v.type_name() };
        let range = |rule, value: String| ConfigError::Range { key: key.into(), rule, value };
        match key {
            "worker_num" | "task_worker_num" => {
                let n = v.as_int().ok_or_else(|| type_err("an integer"))?;
                if n < 0 {
                    return Err(range("must not be negative", n.to_string()));
                }
                if n as usize > max_processes() {
                    return Err(range("is above the limit of CPU count x 1000", n.to_string()));
                }
                if key == "worker_num" {
                    self.worker_num = if n == 0 { cpu_count() } else { n as usize };
                    self.worker_num_zero = n == 0;
                } else {
                    self.task_worker_num = n as usize;
                }
            }
            "task_ipc_mode" => {
                self.task_ipc_mode = match v.as_int().ok_or_else(|| type_err("an integer"))? {
                    1 => IpcMode::UnixSocket,
                    2 => IpcMode::MsgQueue,
                    3 => IpcMode::Preemptive,
                    n => return Err(range("must be 1 (SWOOLE_IPC_UNSOCK), 2 (SWOOLE_IPC_MSGQUEUE) or 3 (SWOOLE_IPC_PREEMPTIVE)", n.to_string())),
                }
            }
            "message_queue_key" => {
                let n = v.as_int().ok_or_else(|| type_err("an integer"))?;
                self.message_queue_key = i32::try_from(n).map_err(|_| range("must fit a 32-bit key_t", n.to_string()))?;
            }
            "log_file" => match v {
                Value::Str(s) if !s.is_empty() => self.log_file = Some(PathBuf::from(s)),
                Value::Null => self.log_file = None,
                _ => return Err(type_err("a non-empty string")),
            },
            "pid_file" => match v {
                Value::Str(s) if !s.is_empty() => self.pid_file = Some(PathBuf::from(s)),
                Value::Null => self.pid_file = None,
                _ => return Err(type_err("a non-empty string")),
            },
            "daemonize" => self.daemonize = v.as_bool().ok_or_else(|| type_err("a bool"))?,
            "log_level" => {
                let n = v.as_int().ok_or_else(|| type_err("an integer"))?;
                self.log_level = Level::from_int(n.clamp(0, 6));
            }
            "task_max_request" | "task_max_request_grace" | "max_request" | "max_request_grace" => {
                let n = v.as_int().ok_or_else(|| type_err("an integer"))?;
                if n < 0 {
                    return Err(range("must not be negative", n.to_string()));
                }
                let n = n as u64;
                match key {
                    "task_max_request" => self.task_max_request = n,
                    "task_max_request_grace" => self.task_max_request_grace = Some(n),
                    "max_request" => self.max_request = n,
                    _ => self.max_request_grace = Some(n),
                }
            }
            "task_tmpdir" => {
                let Value::Str(dir) = v else { return Err(type_err("a string")) };
                // Swoole only logs these problems and set() still succeeds; so do we.
                if !dir.starts_with('/') {
                    crate::log_at!(Level::Warning, "Server::set", "wrong absolute path '{}'", dir);
                } else if dir.len() + "/swoole.task.XXXXXX".len() >= 256 {
                    crate::log_at!(Level::Warning, "Server::set", "task tmp_dir is too large, the max size is '255'");
                } else if std::fs::create_dir_all(dir).is_err() {
                    crate::log_at!(Level::Warning, "Server::set", "create task tmp dir('{}') failed", dir);
                } else {
                    self.task_tmpdir = PathBuf::from(dir);
                }
            }
            "task_retry_lost" => self.task_retry_lost = v.as_bool().ok_or_else(|| type_err("a bool"))?,
            "task_backlog" => {
                let n = v.as_int().ok_or_else(|| type_err("an integer"))?;
                if !(1..=MAX_TASK_BACKLOG).contains(&n) {
                    return Err(range("must be between 1 and 1073741824", n.to_string()));
                }
                self.task_backlog = n as usize;
            }
            "max_wait_time" | "task_backlog_timeout" => {
                let f = v.as_float().ok_or_else(|| type_err("a number"))?;
                if f < 0.0 {
                    return Err(range("must not be negative", f.to_string()));
                }
                // As Swoole, a huge value is clamped (to its uint32 seconds), never refused.
                let d = crate::clock::seconds(f.min(MAX_SECONDS));
                if key == "max_wait_time" {
                    self.max_wait_time = d;
                } else {
                    self.task_backlog_timeout = d;
                }
            }
            "task_broker" => {
                self.task_broker_url = match v {
                    Value::Null => None,
                    Value::Str(url) if url.is_empty() => None,
                    Value::Str(url) => {
                        crate::broker::BrokerSettings::new(url, &self.task_broker_name, None).map_err(|e| ConfigError::Broker(e.to_string()))?;
                        Some(url.clone())
                    }
                    _ => return Err(type_err("a redis:// URL")),
                }
            }
            "task_broker_name" => {
                let Value::Str(name) = v else { return Err(type_err("a string")) };
                crate::broker::BrokerSettings::new("redis://localhost", name, None).map_err(|e| ConfigError::Broker(e.to_string()))?;
                self.task_broker_name = name.clone();
            }
            "task_broker_secret" => {
                self.task_broker_secret = match v {
                    Value::Null | Value::Bool(false) => None,
                    Value::Str(s) if s.is_empty() => None,
                    Value::Str(s) => Some(s.as_bytes().to_vec()),
                    _ => return Err(type_err("a string")),
                }
            }
            "task_broker_visibility_timeout" => {
                let f = v.as_float().ok_or_else(|| type_err("a number"))?;
                if !(0.1..=86400.0).contains(&f) {
                    return Err(range("must be between 0.1 and 86400 seconds", f.to_string()));
                }
                self.task_broker_visibility_timeout = crate::clock::seconds(f);
            }
            "open_eof_check" | "open_eof_split" | "open_length_check" | "open_tcp_nodelay" => {
                let b = v.as_bool().ok_or_else(|| type_err("a bool"))?;
                let p = &mut self.port;
                *match key {
                    "open_eof_check" => &mut p.open_eof_check,
                    "open_eof_split" => &mut p.open_eof_split,
                    "open_length_check" => &mut p.open_length_check,
                    _ => &mut p.open_tcp_nodelay,
                } = b;
            }
            "max_connection" | "max_conn" => {
                let n = v.as_int().ok_or_else(|| type_err("an integer"))?;
                if n < 0 {
                    return Err(range("must not be negative", n.to_string()));
                }
                if n > MAX_CONNECTION {
                    return Err(range("is above the limit of 1048576 (SW_SESSION_LIST_SIZE)", n.to_string()));
                }
                // As Swoole: 0 is the default.
                self.port.max_connection = (n > 0).then_some(n as usize);
            }
            "heartbeat_check_interval" | "heartbeat_idle_time" => {
                let n = v.as_int().ok_or_else(|| type_err("an integer"))?;
                // As Swoole: clamped into 0..65535 seconds.
                let n = n.clamp(0, 65535) as u32;
                if key == "heartbeat_check_interval" {
                    self.port.heartbeat_check_interval = n;
                } else {
                    self.port.heartbeat_idle_time = Some(n);
                }
            }
            "backlog" => {
                let n = v.as_int().ok_or_else(|| type_err("an integer"))?;
                // As Swoole: clamped into 0..65535.
                self.port.backlog = n.clamp(0, 65535) as i32;
            }
            "package_eof" => {
                let Value::Str(eof) = v else { return Err(type_err("a string")) };
                if eof.is_empty() {
                    return Err(ConfigError::Swoole("package_eof cannot be an empty string"));
                }
                if eof.len() > 8 {
                    return Err(ConfigError::Swoole("package_eof max length is 8"));
                }
                self.port.package_eof = eof.clone().into_bytes();
            }
            "package_length_type" => {
                let Value::Str(t) = v else { return Err(type_err("a string")) };
                self.port.package_length_type =
                    LengthType::from_pack(t).ok_or(ConfigError::Swoole("unknown package_length_type, see pack(). Link: https://php.net/pack"))?;
            }
            "package_length_offset" | "package_body_offset" | "package_body_start" => {
                let n = v.as_int().ok_or_else(|| type_err("an integer"))?;
                if n < 0 {
                    return Err(range("must not be negative", n.to_string()));
                }
                if n > MAX_PACKAGE_OFFSET {
                    return Err(ConfigError::Swoole(if key == "package_length_offset" {
                        "'package_length_offset' value is too large"
                    } else {
                        "'package_body_offset' value is too large"
                    }));
                }
                if key == "package_length_offset" {
                    self.port.package_length_offset = n as usize;
                } else {
                    self.port.package_body_offset = n as usize;
                }
            }
            "package_max_length" | "socket_buffer_size" | "buffer_high_watermark" | "buffer_output_size" | "output_buffer_size" => {
                let n = size_of(v).ok_or_else(|| type_err("a size (an integer, or a string such as '2M')"))?;
                match key {
                    // Swoole raises values below 64 KB silently; a small limit is taken as given.
                    "package_max_length" if n < 1 => return Err(range("must be at least 1", n.to_string())),
                    "package_max_length" => self.port.package_max_length = n.min(i64::from(u32::MAX)) as usize,
                    // As Swoole: 0 or less means no limit.
                    "socket_buffer_size" => self.port.socket_buffer_size = if n <= 0 { i32::MAX as usize } else { n as usize },
                    "buffer_high_watermark" => self.port.buffer_high_watermark = Some(n.max(0) as usize),
                    // The largest one send() may queue (Swoole checks it only in PROCESS mode).
                    _ => self.port.output_buffer_size = if n <= 0 { u32::MAX as usize } else { n as usize },
                }
            }
            "dispatch_mode" => {
                let n = v.as_int().ok_or_else(|| type_err("an integer"))?;
                self.dispatch_mode = DispatchMode::from_int(n).ok_or_else(|| range("must be 1-5 or 7-10", n.to_string()))?;
                self.dispatch_mode_number = n;
            }
            "reactor_num" => {
                let n = v.as_int().ok_or_else(|| type_err("an integer"))?;
                if !(0..=max_processes() as i64).contains(&n) {
                    return Err(range("must be between 0 and CPU count x 1000", n.to_string()));
                }
                self.reactor_num = n as usize;
            }
            "enable_unsafe_event" => self.enable_unsafe_event = v.as_bool().ok_or_else(|| type_err("a bool"))?,
            k if ACCEPTED_WITHOUT_EFFECT.contains(&k) => {
                if k == "enable_coroutine" && v.as_bool().is_none() {
                    return Err(type_err("a bool"));
                }
            }
            _ => return Err(ConfigError::Unsupported(key.into())),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_machine() {
        let s = Settings::default();
        assert_eq!(s.worker_num, cpu_count());
        assert_eq!(s.task_worker_num, 0);
        assert_eq!(s.max_wait_time, Duration::from_secs(3));
    }

    #[test]
    fn integers_are_read_loosely_like_php() {
        let mut s = Settings::default();
        s.apply("worker_num", &Value::Str("3".into())).unwrap();
        s.apply("task_worker_num", &Value::Float(4.0)).unwrap();
        assert_eq!((s.worker_num, s.task_worker_num), (3, 4));
        s.apply("worker_num", &Value::Int(0)).unwrap();
        assert_eq!(s.worker_num, cpu_count());
    }

    #[test]
    fn bad_values_are_refused_and_leave_the_setting_alone() {
        let mut s = Settings::default();
        s.apply("task_worker_num", &Value::Int(2)).unwrap();
        assert!(matches!(s.apply("task_worker_num", &Value::Int(-1)), Err(ConfigError::Range { .. })));
        assert_eq!(
            s.apply("task_worker_num", &Value::Other("array")).unwrap_err().to_string(),
            "option [task_worker_num] expects an integer, array given"
        );
        assert_eq!(s.task_worker_num, 2);
        assert_eq!(s.apply("no_such", &Value::Int(1)).unwrap_err().to_string(), "unsupported option [no_such]");
        assert!(s.apply("task_ipc_mode", &Value::Int(4)).is_err());
        s.apply("task_ipc_mode", &Value::Int(3)).unwrap();
        assert_eq!(s.task_ipc_mode, IpcMode::Preemptive);
    }

    #[test]
    fn task_max_request_with_swooles_grace() {
        let mut s = Settings::default();
        assert_eq!(s.task_worker_lifetime(7), 0);
        s.apply("task_max_request", &Value::Int(10)).unwrap();
        assert_eq!(s.task_worker_lifetime(7), 10);
        s.apply("task_max_request", &Value::Int(100)).unwrap();
        assert!((101..=150).contains(&s.task_worker_lifetime(7)));
        assert_eq!(s.task_worker_lifetime(49), 150);
        s.apply("task_max_request_grace", &Value::Int(0)).unwrap();
        assert_eq!(s.task_worker_lifetime(7), 100);
    }

    #[test]
    fn task_tmpdir_is_checked_like_swoole_and_created() {
        let mut s = Settings::default();
        s.apply("task_tmpdir", &Value::Str("relative/dir".into())).unwrap();
        assert_eq!(s.task_tmpdir, PathBuf::from("/tmp"));
        s.apply("task_tmpdir", &Value::Str(format!("/{}", "x".repeat(300)))).unwrap();
        assert_eq!(s.task_tmpdir, PathBuf::from("/tmp"));
        let dir = std::env::temp_dir().join(format!("rswoole-tmpdir-{}/a/b", std::process::id()));
        s.apply("task_tmpdir", &Value::Str(dir.display().to_string())).unwrap();
        assert!(dir.is_dir());
        assert_eq!(s.task_tmpdir, dir);
        let _ = std::fs::remove_dir_all(dir.parent().unwrap().parent().unwrap());
    }

    #[test]
    fn log_settings() {
        let mut s = Settings::default();
        s.apply("log_file", &Value::Str("/tmp/x.log".into())).unwrap();
        s.apply("log_level", &Value::Int(99)).unwrap();
        assert_eq!(s.log_file, Some(PathBuf::from("/tmp/x.log")));
        assert_eq!(s.log_level, Level::None);
        assert!(s.apply("log_file", &Value::Int(1)).is_err());
    }

    #[test]
    fn huge_and_hostile_numbers_never_overflow() {
        let mut s = Settings::default();
        s.apply("max_wait_time", &Value::Int(i64::MAX)).unwrap();
        assert_eq!(s.max_wait_time, Duration::from_secs(u32::MAX as u64));
        assert!(crate::clock::after(s.max_wait_time) > std::time::Instant::now());
        s.apply("task_backlog_timeout", &Value::Float(1e300)).unwrap();
        assert_eq!(s.task_backlog_timeout, Duration::from_secs(u32::MAX as u64));
        assert!(s.apply("max_wait_time", &Value::Float(-1.0)).is_err());
        assert!(s.apply("max_wait_time", &Value::Str("nan".into())).is_err());
        s.apply("max_wait_time", &Value::Float(0.5)).unwrap();
        assert_eq!(s.max_wait_time, Duration::from_millis(500));
        assert!(s.apply("task_backlog", &Value::Int(i64::MAX)).is_err());
        s.apply("task_max_request", &Value::Int(i64::MAX)).unwrap();
        assert!(s.task_worker_lifetime(u64::MAX) >= i64::MAX as u64);
        s.apply("max_request", &Value::Int(i64::MAX)).unwrap();
        s.apply("max_request_grace", &Value::Int(i64::MAX)).unwrap();
        assert!(s.worker_lifetime(u64::MAX - 2) > i64::MAX as u64);
        assert!(s.apply("worker_num", &Value::Int(i64::MAX)).is_err());
        assert!(s.apply("message_queue_key", &Value::Int(i64::MIN)).is_err());
    }

    #[test]
    fn php_values_are_read_as_php_would() {
        assert_eq!(Value::Bool(true).as_int(), Some(1));
        assert_eq!(Value::Float(2.5).as_int(), None);
        assert_eq!(Value::Float(f64::INFINITY).as_int(), None);
        assert_eq!(Value::Float(f64::NAN).as_float(), None);
        assert_eq!(Value::Float(f64::INFINITY).as_float(), None);
        assert_eq!(Value::Bool(false).as_bool(), Some(false));
        assert_eq!(Value::Int(2).as_bool(), Some(true));
        assert_eq!(Value::Int(0).as_bool(), Some(false));
        assert_eq!(Value::Str("1".into()).as_bool(), None);
    }

    #[test]
    fn every_option_lands_in_its_setting() {
        let mut s = Settings::default();
        s.apply("message_queue_key", &Value::Int(0x1234)).unwrap();
        s.apply("pid_file", &Value::Str("/tmp/p".into())).unwrap();
        s.apply("daemonize", &Value::Bool(true)).unwrap();
        s.apply("task_retry_lost", &Value::Int(1)).unwrap();
        s.apply("task_backlog", &Value::Int(1)).unwrap();
        s.apply("task_backlog_timeout", &Value::Float(0.25)).unwrap();
        assert_eq!(s.message_queue_key, 0x1234);
        assert_eq!(s.pid_file, Some(PathBuf::from("/tmp/p")));
        assert!(s.daemonize && s.task_retry_lost);
        assert_eq!(s.task_backlog, 1);
        assert_eq!(s.task_backlog_timeout, Duration::from_millis(250));
        assert!(s.apply("task_backlog", &Value::Int(0)).is_err());
        s.apply("task_backlog", &Value::Int(1 << 30)).unwrap();
        assert!(s.apply("task_backlog", &Value::Int((1 << 30) + 1)).is_err());
        s.apply("pid_file", &Value::Null).unwrap();
        assert_eq!(s.pid_file, None);
        assert!(s.apply("pid_file", &Value::Str(String::new())).is_err());
        s.apply("log_file", &Value::Null).unwrap();
        assert_eq!(s.log_file, None);
        assert!(s.apply("log_file", &Value::Str(String::new())).is_err());
        for k in ACCEPTED_WITHOUT_EFFECT {
            s.apply(k, &Value::Bool(true)).unwrap();
        }
        assert!(s.apply("enable_coroutine", &Value::Str("yes".into())).is_err());
        assert!(s.apply("dispatch_mode", &Value::Str("anything".into())).is_err());
        assert!(s.apply("dispatch_mode", &Value::Int(6)).is_err());
        s.apply("dispatch_mode", &Value::Int(7)).unwrap();
        assert_eq!((s.dispatch_mode, s.dispatch_mode_number), (DispatchMode::Idle, 7));
        s.apply("reactor_num", &Value::Int(0)).unwrap();
        assert!(s.apply("reactor_num", &Value::Int(-1)).is_err());
        let max = (cpu_count() * 1000) as i64;
        s.apply("task_worker_num", &Value::Int(max)).unwrap();
        assert_eq!(s.task_worker_num, max as usize);
        assert!(s.apply("task_worker_num", &Value::Int(max + 1)).is_err());
        assert!(s.apply("max_request", &Value::Int(-1)).is_err());
        s.apply("max_request_grace", &Value::Int(0)).unwrap();
        assert_eq!(s.max_request_grace, Some(0));
        assert!(cpu_count() >= 1 && cpu_count() == std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    }

    #[test]
    fn default_grace_is_half_the_limit() {
        assert_eq!(lifetime(100, None, 49), 150);
        assert_eq!(lifetime(100, None, 50), 101);
        assert_eq!(lifetime(10, None, 3), 10);
        assert_eq!(lifetime(11, None, 4), 11 + 1 + 4 % 5);
        assert_eq!(lifetime(0, Some(5), 3), 0);
    }

    #[test]
    fn port_options_become_framing_and_limits() {
        let mut s = Settings::default();
        assert_eq!(s.port.rules().framing, Framing::Raw);
        assert_eq!(s.port.rules().high_watermark, 8 * 1024 * 1024 / 10 * 8);
        s.apply("open_eof_split", &Value::Bool(true)).unwrap();
        s.apply("package_eof", &Value::Str("\n".into())).unwrap();
        assert_eq!(s.port.rules().framing, Framing::Eof { eof: b"\n".to_vec(), split: true });
        s.apply("open_length_check", &Value::Bool(true)).unwrap();
        s.apply("package_length_type", &Value::Str("n".into())).unwrap();
        s.apply("package_length_offset", &Value::Int(2)).unwrap();
        s.apply("package_body_start", &Value::Int(4)).unwrap();
        assert_eq!(s.port.rules().framing, Framing::Length { kind: LengthType::U16Be, offset: 2, body_offset: 4 });
        s.apply("package_max_length", &Value::Str("64K".into())).unwrap();
        assert_eq!(s.port.rules().max_package, 65536);
        s.apply("socket_buffer_size", &Value::Int(0)).unwrap();
        assert_eq!(s.port.rules().output_limit, i32::MAX as usize);
        s.apply("socket_buffer_size", &Value::Str("1m".into())).unwrap();
        s.apply("buffer_high_watermark", &Value::Int(5 << 20)).unwrap();
        assert_eq!((s.port.rules().output_limit, s.port.rules().high_watermark), (1 << 20, 1 << 20));
        let err = |k: &str, v: Value| s.clone().apply(k, &v).unwrap_err().to_string();
        assert_eq!(err("package_eof", Value::Str(String::new())), "package_eof cannot be an empty string");
        assert_eq!(err("package_eof", Value::Str("123456789".into())), "package_eof max length is 8");
        assert_eq!(err("package_length_type", Value::Str("i".into())), "unknown package_length_type, see pack(). Link: https://php.net/pack");
        assert_eq!(err("package_length_offset", Value::Int(8153)), "'package_length_offset' value is too large");
        assert_eq!(err("package_body_offset", Value::Int(9000)), "'package_body_offset' value is too large");
        assert!(s.clone().apply("package_max_length", &Value::Int(0)).is_err());
        assert!(s.clone().apply("package_max_length", &Value::Str("lots".into())).is_err());
        s.apply("open_tcp_nodelay", &Value::Bool(false)).unwrap();
        assert!(!s.port.rules().nodelay);
    }

    #[test]
    fn connection_limit_and_backlog() {
        let mut s = Settings::default();
        assert_eq!(s.port.rules().max_connections, default_max_connection());
        assert!(default_max_connection() <= 100_000);
        s.apply("max_conn", &Value::Int(3)).unwrap();
        assert_eq!(s.port.rules().max_connections, 3);
        s.apply("max_connection", &Value::Int(0)).unwrap();
        assert_eq!(s.port.rules().max_connections, default_max_connection());
        assert!(s.apply("max_connection", &Value::Int(-1)).is_err());
        assert!(s.apply("max_connection", &Value::Int((1 << 20) + 1)).is_err());
        s.apply("max_connection", &Value::Int(1 << 20)).unwrap();
        s.apply("backlog", &Value::Int(100_000)).unwrap();
        assert_eq!(s.port.backlog, 65535);
        s.apply("backlog", &Value::Int(-5)).unwrap();
        assert_eq!(s.port.backlog, 0);
        s.apply("backlog", &Value::Int(7)).unwrap();
        assert_eq!(s.port.backlog, 7);
    }

    #[test]
    fn heartbeat_as_swoole_derives_it() {
        let mut p = PortOptions::default();
        assert_eq!(p.heartbeat(), None);
        p.heartbeat_check_interval = 5;
        assert_eq!(p.heartbeat(), Some((5, 10)));
        p.heartbeat_idle_time = Some(4);
        assert_eq!(p.heartbeat(), Some((2, 4)), "an interval above idle/2 is lowered");
        p.heartbeat_check_interval = 0;
        p.heartbeat_idle_time = Some(1);
        assert_eq!(p.heartbeat(), Some((1, 1)));
        assert_eq!(p.rules().idle_time, Some(Duration::from_secs(1)));
        let mut s = Settings::default();
        s.apply("heartbeat_check_interval", &Value::Int(1_000_000)).unwrap();
        assert_eq!(s.port.heartbeat_check_interval, 65535);
    }

    #[test]
    fn broker_options_are_checked_and_worker_num_zero_means_none_only_with_a_broker() {
        let mut s = Settings::default();
        assert!(matches!(s.apply("task_broker", &Value::Str("http://x".into())), Err(ConfigError::Broker(_))));
        let e = s.apply("task_broker", &Value::Str("redis://u:hunter2@".into())).unwrap_err().to_string();
        assert!(!e.contains("hunter2"), "{e}");
        assert!(s.apply("task_broker_name", &Value::Str("a b".into())).is_err());
        assert!(s.apply("task_broker_visibility_timeout", &Value::Float(0.01)).is_err());
        assert!(s.broker().is_none());
        s.apply("worker_num", &Value::Int(0)).unwrap();
        s.resolve();
        assert_eq!(s.worker_num, cpu_count(), "without a broker 0 is one per CPU, as Swoole");
        s.apply("task_broker", &Value::Str("redis://10.0.0.5:6379/0".into())).unwrap();
        s.apply("task_broker_name", &Value::Str("shop".into())).unwrap();
        s.apply("task_broker_secret", &Value::Str("k".into())).unwrap();
        s.apply("task_broker_visibility_timeout", &Value::Float(1.5)).unwrap();
        let b = s.broker().unwrap();
        assert_eq!((b.name.as_str(), b.secret.as_deref()), ("shop", Some(&b"k"[..])));
        assert_eq!(s.task_broker_visibility_timeout, Duration::from_millis(1500));
        s.resolve();
        assert_eq!(s.worker_num, 0, "a host that only adds task workers");
        s.apply("task_broker", &Value::Null).unwrap();
        assert!(s.broker().is_none());
    }
}
