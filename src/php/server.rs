//! `Swoole\Server` (also `swoole_server`): argument checks with Swoole's wording, then calls
//! into the core. Methods take `&self` only, because user callbacks call them while start()
//! is still running on the same object.

// Parameter names as in Swoole's stubs (taskWorkerIndex, ...): PHP named arguments see them,
// and the macro turns them into variables of that name.
#![allow(non_snake_case)]

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::Ordering::Relaxed;

use ext_php_rs::boxed::ZBox;
use ext_php_rs::exception::{PhpException, PhpResult};
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendClassObject, ZendHashTable, Zval};
use ext_php_rs::zend::ce;

use crate::config::{Settings, Value};
use crate::handler::Process;
use crate::net::listener;
use crate::php::callbacks::{self, Callbacks};
use crate::php::codec;
use crate::php::errors::{self, warning};
use crate::php::module::register_aliases;
use crate::net::datagram::{DgramSocket, Peer};
use crate::net::listener::Listener;
use crate::php::port::Port;
use crate::php::runtime::{self, PhpHandler};
use crate::{control, pool, stats};
use crate::handler::EventContext;

pub const SWOOLE_BASE: i64 = 1;
pub const SWOOLE_PROCESS: i64 = 2;
pub const SWOOLE_SOCK_TCP: i64 = 1;
pub const SWOOLE_SOCK_TCP6: i64 = 3;
pub const SWOOLE_SOCK_UDP: i64 = 2;
pub const SWOOLE_SOCK_UDP6: i64 = 4;
pub const SWOOLE_SOCK_UNIX_DGRAM: i64 = 6;
pub const SWOOLE_SOCK_UNIX_STREAM: i64 = 5;

fn is_unix(sock_type: i64) -> bool {
    sock_type == SWOOLE_SOCK_UNIX_DGRAM || sock_type == SWOOLE_SOCK_UNIX_STREAM
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Created,
    Running,
    Shutdown,
}

#[php_class]
#[php(name = "Swoole\\Exception")]
#[php(extends(ce = ce::exception, stub = "\\Exception"))]
#[php(modifier = register_aliases)]
#[derive(Default)]
pub struct SwooleException;

#[php_class]
#[php(name = "Swoole\\Server")]
pub struct Server {
    host: String,
    port: i64,
    mode: i64,
    sock_type: i64,
    listener: RefCell<Option<Listener>>,
    settings: RefCell<Settings>,
    setting: RefCell<Option<Zval>>,
    callbacks: RefCell<Callbacks>,
    state: Cell<State>,
    launcher_pid: Cell<i64>,
    /// Swoole\Process objects given to addProcess(), in order.
    processes: RefCell<Vec<Zval>>,
    /// Swoole\Server\Port objects: the server's own first, then addListener()'s.
    ports: RefCell<Vec<Zval>>,
    /// The sockets of addListener(), bound at once as Swoole does.
    extra_listeners: RefCell<Vec<Listener>>,
    /// Unix socket files this server bound, removed when it stops (as Swoole).
    unix_paths: RefCell<Vec<String>>,
}

pub fn swoole_exception(msg: String, code: i32) -> PhpException {
    PhpException::new(msg, code, <SwooleException as ext_php_rs::class::RegisteredClass>::get_metadata().ce())
}

fn bool_zval(b: bool) -> Zval {
    let mut z = Zval::new();
    z.set_bool(b);
    z
}

fn long_zval(v: i64) -> Zval {
    let mut z = Zval::new();
    z.set_long(v);
    z
}

enum BindFailure {
    Type(i64),
    Bind(listener::BindError),
}

fn unsupported_type(t: i64) -> String {
    format!("socket type [{t}] is not supported")
}

/// Binds the listening socket of a port of type `sock_type` (at once, as Swoole does).
fn bind_any(host: &str, port: i64, sock_type: i64) -> Result<Listener, BindFailure> {
    match sock_type {
        SWOOLE_SOCK_TCP | SWOOLE_SOCK_TCP6 => listener::bind(host, port).map(Listener::Stream).map_err(BindFailure::Bind),
        SWOOLE_SOCK_UDP | SWOOLE_SOCK_UDP6 => listener::bind_udp(host, port).map(|u| Listener::Dgram(DgramSocket::Udp(u))).map_err(BindFailure::Bind),
        SWOOLE_SOCK_UNIX_DGRAM => listener::bind_unix_dgram(host).map(|u| Listener::Dgram(DgramSocket::Unix(u))).map_err(BindFailure::Bind),
        SWOOLE_SOCK_UNIX_STREAM => listener::bind_unix_stream(host).map(Listener::UnixStream).map_err(BindFailure::Bind),
        t => Err(BindFailure::Type(t)),
    }
}

/// One set() key, for the server or a port: `package_length_func` keeps its callable in
/// `callbacks` (the core only learns that the port uses one), anything else goes to
/// `settings`. False, with Swoole's warning, when it is refused.
/// How long a task worker's send() or close() waits for room in a reactor link (it has no
/// loop to send it later).
const TASK_SEND_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

pub(crate) fn apply_setting(settings: &mut Settings, callbacks: &mut Callbacks, name: &str, value: &Zval) -> bool {
    if name != "package_length_func" {
        return match settings.apply(name, &to_value(value)) {
            Ok(()) => true,
            Err(e) => {
                warning(&e.to_string());
                false
            }
        };
    }
    if value.is_null() {
        settings.port.package_length_func = false;
    } else if value.is_callable() {
        callbacks.set(callbacks::PACKAGE_LENGTH, value.shallow_clone());
        settings.port.package_length_func = true;
    } else {
        warning(&format!("function '{}' is not callable", describe_callable(value)));
        return false;
    }
    true
}

fn to_value(z: &Zval) -> Value {
    if let Some(l) = z.long() {
        Value::Int(l)
    } else if let Some(b) = z.bool() {
        Value::Bool(b)
    } else if let Some(d) = z.double() {
        Value::Float(d)
    } else if let Some(s) = z.zend_str() {
        Value::Str(String::from_utf8_lossy(s.as_bytes()).into_owned())
    } else if z.is_null() {
        Value::Null
    } else if z.is_array() {
        Value::Other("array")
    } else if z.is_object() {
        Value::Other("object")
    } else {
        Value::Other("resource")
    }
}

pub(crate) fn describe_callable(z: &Zval) -> String {
    if let Some(s) = z.zend_str() {
        return String::from_utf8_lossy(s.as_bytes()).into_owned();
    }
    if let Some(a) = z.array() {
        let parts: Vec<String> = a
            .values()
            .map(|v| match (v.zend_str(), v.object()) {
                (Some(s), _) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
                // As Swoole: an object names its class.
                (None, Some(o)) => o.get_class_name().unwrap_or_else(|_| "object".into()),
                (None, None) => v.get_type().to_string(),
            })
            .collect();
        return parts.join("::");
    }
    z.get_type().to_string()
}

#[php_impl]
impl Server {
    #[php(defaults(host = "\"0.0.0.0\"", port = 0, mode = 1, sock_type = 1))]
    pub fn __construct(host: String, port: i64, mode: i64, sock_type: i64) -> PhpResult<Self> {
        if mode != SWOOLE_BASE && mode != SWOOLE_PROCESS {
            return Err(PhpException::new(format!("invalid $mode parameters {mode}"), 0, ce::error()));
        }
        let l = bind_any(&host, port, sock_type).map_err(|e| match e {
            BindFailure::Type(t) => swoole_exception(unsupported_type(t), 0),
            BindFailure::Bind(e) => {
                let msg = match &e {
                    listener::BindError::InvalidPort(_) => "Server invalid listen port".to_string(),
                    other => other.to_string(),
                };
                swoole_exception(msg, e.code())
            }
        })?;
        let unix_paths = RefCell::new(if is_unix(sock_type) { vec![host.clone()] } else { Vec::new() });
        let real_port = if is_unix(sock_type) { 0 } else { i64::from(l.port()) };
        let primary = Port::new_zval(&host, real_port, sock_type, i64::from(l.raw_fd()));
        Ok(Server {
            host,
            port: real_port,
            mode,
            sock_type,
            listener: RefCell::new(Some(l)),
            settings: RefCell::new(Settings::default()),
            setting: RefCell::new(None),
            callbacks: RefCell::new(Callbacks::default()),
            state: Cell::new(State::Created),
            launcher_pid: Cell::new(0),
            processes: RefCell::new(Vec::new()),
            ports: RefCell::new(vec![primary]),
            extra_listeners: RefCell::new(Vec::new()),
            unix_paths,
        })
    }

    pub fn set(&self, settings: &ZendHashTable) -> bool {
        if self.state.get() != State::Created {
            warning("server is running, unable to execute Swoole\\Server->set");
            return false;
        }
        let mut merged = self.setting_copy();
        let mut ok = true;
        for (key, value) in settings.iter() {
            let name = key.to_string();
            ok &= apply_setting(&mut self.settings.borrow_mut(), &mut self.callbacks.borrow_mut(), &name, value);
            if name == "log_file" {
                if let Some(p) = self.settings.borrow().log_file.clone() {
                    if let Err(e) = crate::log::open_file(&p) {
                        warning(&format!("cannot open log_file '{}': {}", p.display(), e));
                        ok = false;
                    }
                }
            }
            // $serv->setting never shows the broker's password or the frames' secret.
            match name.as_str() {
                "task_broker" => {
                    let shown = value.str().map(crate::broker::redacted).unwrap_or_default();
                    let _ = merged.insert(name.as_str(), shown);
                }
                "task_broker_secret" => {
                    let _ = merged.insert(name.as_str(), if value.coerce_to_bool() { "***" } else { "" });
                }
                _ => {
                    let _ = merged.insert(name.as_str(), value.shallow_clone());
                }
            }
        }
        crate::log::set_level(self.settings.borrow().log_level);
        self.store_setting(merged);
        ok
    }

    pub fn on(&self, event_name: String, callback: &Zval) -> bool {
        let event = event_name;
        if self.state.get() != State::Created {
            warning("server is running, unable to register event callback function");
            return false;
        }
        if !callback.is_callable() {
            warning(&format!("function '{}' is not callable", describe_callable(callback)));
            return false;
        }
        let Some(name) = callbacks::canonical(&event) else {
            warning(&format!("unknown event types[{event}]"));
            return false;
        };
        self.callbacks.borrow_mut().set(name, callback.shallow_clone());
        true
    }

    pub fn start(self_: &mut ZendClassObject<Server>) -> PhpResult<bool> {
        let mut server = Zval::new();
        server.set_object(self_.get_mut_zend_obj());
        let this: &Server = self_;
        match this.state.get() {
            State::Running => {
                warning("The server is running, unable to execute Swoole\\Server->start()");
                return Ok(false);
            }
            State::Shutdown => {
                warning("The server have been shutdown, unable to execute Swoole\\Server->start()");
                return Ok(false);
            }
            State::Created => {}
        }
        let mut settings = this.settings.borrow().clone();
        settings.resolve();
        this.settings.borrow_mut().worker_num = settings.worker_num;
        // A host that only adds task workers to a broker has no connections to serve.
        settings.process_mode = this.mode == SWOOLE_PROCESS && settings.worker_num > 0;
        if settings.task_broker_url.is_some() && settings.task_broker_secret.is_none() {
            warning("task_broker is set without task_broker_secret: anyone who can write to the broker can run code in the task workers");
        }
        let callbacks = this.callbacks.borrow().snapshot();
        settings.pipe_messages = callbacks.has("PipeMessage");
        let processes: Vec<Zval> = this.processes.borrow().iter().map(Zval::shallow_clone).collect();
        settings.user_processes = processes.len();
        // Each port's options: its own set(), else the server's (Swoole: "use
        // swoole_server->setting"); and its callbacks, frozen from now on.
        let mut port_callbacks = Vec::new();
        for (i, z) in this.ports.borrow().iter().enumerate() {
            let Some(p) = <&Port as ext_php_rs::convert::FromZval>::from_zval(z) else { continue };
            let own = p.options();
            if i == 0 {
                if let Some(o) = own {
                    settings.port = o;
                }
            } else {
                settings.extra_ports.push(own.unwrap_or_else(|| settings.port.clone()));
            }
            port_callbacks.push(p.start());
        }
        // Each stream port needs a Receive callback and each datagram port a Packet one (its
        // own or the server's).
        let kinds: Vec<bool> = this.ports.borrow().iter().map(|z| <&Port as ext_php_rs::convert::FromZval>::from_zval(z).is_some_and(|p| p.is_dgram())).collect();
        // A host that only adds task workers to a broker serves no port.
        let serves = settings.worker_num > 0;
        if serves && kinds.iter().zip(&port_callbacks).any(|(&dgram, c)| dgram && !c.has("Packet") && !callbacks.has("Packet")) {
            return Err(swoole_exception("failed to start server. Error: require onPacket callback".into(), 9015));
        }
        if serves && kinds.iter().zip(&port_callbacks).any(|(&dgram, c)| !dgram && !c.has("Receive") && !callbacks.has("Receive")) {
            return Err(swoole_exception("failed to start server. Error: require onReceive callback".into(), 9015));
        }
        if settings.task_worker_num > 0 && !callbacks.has("Task") {
            return Err(swoole_exception("failed to start server. Error: require 'onTask' callback".into(), 9015));
        }
        if !settings.delivers_connection_events() {
            // Swoole drops these callbacks and tells only its logger; the application is told.
            for event in ["Connect", "Close", "BufferFull", "BufferEmpty"] {
                if callbacks.has(event) {
                    warning(&format!("cannot set 'on{event}' event when using dispatch_mode={} (set enable_unsafe_event to receive it anyway)", settings.dispatch_mode_number));
                }
            }
        }
        this.fill_setting_defaults(&settings);
        let Some(listener) = this.listener.borrow_mut().take() else {
            return Err(swoole_exception("failed to start server. Error: the listening socket is gone".into(), 0));
        };
        let mut listeners = vec![listener];
        listeners.append(&mut this.extra_listeners.borrow_mut());
        if settings.daemonize {
            control::daemonize(settings.log_file.as_deref()).map_err(|e| swoole_exception(format!("failed to daemonize: {e}"), 0))?;
        }
        this.launcher_pid.set(std::process::id() as i64);
        this.state.set(State::Running);
        let first_user_id = (settings.worker_num + settings.task_worker_num) as i64;
        let mut handler = PhpHandler { server, callbacks, processes, first_user_id, ports: port_callbacks };
        let result = if settings.process_mode {
            crate::reactor::run_master(&settings, listeners, &mut handler).map(|end| {
                let died = end == crate::reactor::MasterEnd::ManagerDied;
                if died {
                    warning("the manager process died; its workers were stopped and the server with them");
                }
                !died
            })
        } else {
            pool::run(&settings, listeners, &mut handler).map(|_| true)
        };
        drop(handler);
        runtime::clear();
        for path in this.unix_paths.borrow().iter() {
            let _ = std::fs::remove_file(path);
        }
        this.state.set(State::Shutdown);
        result.map_err(|e| swoole_exception(format!("failed to start server. Error: {e}"), 0))
    }

    #[php(defaults(taskWorkerIndex = -1))]
    pub fn task(&self, data: &Zval, taskWorkerIndex: i64, finishCallback: Option<&Zval>) -> Zval {
        let (dst, callback) = (taskWorkerIndex, finishCallback);
        let Some(process) = runtime::process() else {
            warning("server is not running");
            return bool_zval(false);
        };
        if !self.check_task_target(dst) {
            return bool_zval(false);
        }
        let w = match process {
            Process::Event(w) => w,
            Process::Task(_) => {
                warning("Server->task() cannot use in the task-worker");
                return bool_zval(false);
            }
            Process::Manager { .. } => {
                warning("task method can only be used in the worker process");
                return bool_zval(false);
            }
            Process::User(_) => {
                // Swoole returns an id there and loses the result; refusing says so.
                warning("task() cannot be used in a user process: its result would reach no callback (use sendMessage() to an event worker)");
                return bool_zval(false);
            }
        };
        let callback = callback.filter(|c| c.coerce_to_bool());
        if let Some(cb) = callback {
            if !cb.is_callable() {
                warning(&format!("function '{}' is not callable", describe_callable(cb)));
                return bool_zval(false);
            }
        }
        let Ok(payload) = codec::pack(data) else {
            // The serialization exception is pending and reaches the caller.
            return Zval::new();
        };
        let sent = w.borrow_mut().task(&payload, (dst >= 0).then_some(dst as usize));
        match sent {
            Ok(id) => {
                if let Some(cb) = callback {
                    runtime::add_task_callback(id, cb.shallow_clone());
                }
                long_zval(id)
            }
            Err(e) => {
                errors::set_last_error(errors::ERR_TASK_DISPATCH_FAIL);
                warning(&e.to_string());
                bool_zval(false)
            }
        }
    }

    /// Sends a task and blocks this worker until its first result, or `$timeout` seconds
    /// (then false, swoole_last_error() 6002). A timeout of 0 or less waits until the task ends.
    #[php(defaults(timeout = 0.5, taskWorkerIndex = -1))]
    pub fn taskwait(&self, data: &Zval, timeout: f64, taskWorkerIndex: i64) -> Zval {
        let dst = taskWorkerIndex;
        let Some(w) = self.waiting_sender("taskwait", |s| s.check_task_target(dst)) else {
            return bool_zval(false);
        };
        let Ok(payload) = codec::pack(data) else {
            return Zval::new();
        };
        let item = (payload, (dst >= 0).then_some(dst as usize));
        let answer = w.borrow_mut().task_wait(std::slice::from_ref(&item), wait_timeout(timeout)).pop();
        match answer {
            Some(Ok(Some(result))) => codec::unpack(&result).unwrap_or_else(|_| bool_zval(false)),
            Some(Ok(None)) => {
                errors::set_last_error(errors::ERR_TIMEOUT);
                bool_zval(false)
            }
            Some(Err(e)) => {
                errors::set_last_error(errors::ERR_TASK_DISPATCH_FAIL);
                warning(&e.to_string());
                bool_zval(false)
            }
            None => bool_zval(false),
        }
    }

    /// Sends every element as a task and waits for all of them, up to `$timeout` seconds in
    /// total. The answer has the input's keys, in the input's order; a task that gave no result
    /// in time is absent, one that could not be sent is false.
    #[php(name = "taskWaitMulti")]
    #[php(defaults(timeout = 0.5))]
    pub fn task_wait_multi(&self, tasks: &ZendHashTable, timeout: f64) -> Zval {
        let Some(w) = self.waiting_sender("taskWaitMulti", |s| s.check_task_target(-1)) else {
            return bool_zval(false);
        };
        if tasks.len() >= MAX_CONCURRENT_TASKS {
            warning("too many concurrent tasks");
            return bool_zval(false);
        }
        if tasks.len() == 0 {
            errors::set_last_error(errors::ERR_TASK_DISPATCH_FAIL);
            return bool_zval(false);
        }
        // Everything is packed before anything is sent: a value that cannot be serialized
        // throws with no task sent.
        let mut keys = Vec::with_capacity(tasks.len());
        let mut items = Vec::with_capacity(tasks.len());
        for (key, value) in tasks.iter() {
            let Ok(payload) = codec::pack(value) else {
                return Zval::new();
            };
            keys.push(key);
            items.push((payload, None));
        }
        let answers = w.borrow_mut().task_wait(&items, wait_timeout(timeout));
        let mut out = ZendHashTable::new();
        for (key, answer) in keys.into_iter().zip(answers) {
            let value = match answer {
                Ok(Some(result)) => codec::unpack(&result).unwrap_or_else(|_| bool_zval(false)),
                Ok(None) => continue,
                Err(e) => {
                    errors::set_last_error(errors::ERR_TASK_DISPATCH_FAIL);
                    warning(&e.to_string());
                    bool_zval(false)
                }
            };
            let _ = out.insert(key, value);
        }
        let mut z = Zval::new();
        z.set_hashtable(out);
        z
    }

    #[php(name = "getLastError")]
    pub fn get_last_error(&self) -> i64 {
        errors::last_error()
    }

    /// Listens on one more TCP port (bound now, as Swoole does): its `Swoole\Server\Port`,
    /// or false when it cannot be bound.
    #[php(name = "addListener")]
    #[php(defaults(sock_type = 1))]
    pub fn add_listener(&self, host: String, port: i64, sock_type: i64) -> Zval {
        if self.state.get() != State::Created {
            warning("server is running, unable to add a listener");
            return bool_zval(false);
        }
        match bind_any(&host, port, sock_type) {
            Ok(l) => {
                let real_port = if is_unix(sock_type) { 0 } else { i64::from(l.port()) };
                let z = Port::new_zval(&host, real_port, sock_type, i64::from(l.raw_fd()));
                if is_unix(sock_type) {
                    self.unix_paths.borrow_mut().push(host.clone());
                }
                self.extra_listeners.borrow_mut().push(l);
                self.ports.borrow_mut().push(z.shallow_clone());
                z
            }
            Err(BindFailure::Type(t)) => {
                warning(&unsupported_type(t));
                bool_zval(false)
            }
            Err(BindFailure::Bind(e)) => {
                // Swoole tells only its logger; the caller sees why too.
                warning(&e.to_string());
                bool_zval(false)
            }
        }
    }

    /// Sends one datagram to `$ip:$port` (a unix datagram socket: `$ip` is its path) from a
    /// datagram port of this server: `$server_socket` if given, else the one that last heard
    /// from that address, else the first of its kind.
    #[php(defaults(server_socket = -1))]
    pub fn sendto(&self, ip: String, port: i64, data: &Zval, server_socket: i64) -> bool {
        let Some(process) = runtime::process() else {
            warning("server is not running");
            return false;
        };
        let Process::Event(w) = process else {
            warning("sendto() can only be used in event workers");
            return false;
        };
        let peer = if ip.starts_with('/') || ip.is_empty() {
            Peer::Unix((!ip.is_empty()).then(|| std::path::PathBuf::from(&ip)))
        } else {
            let parsed = ip.parse::<std::net::IpAddr>().ok().zip(u16::try_from(port).ok());
            let Some((addr, p)) = parsed else {
                warning(&format!("invalid address {ip}:{port}"));
                return false;
            };
            Peer::Inet(std::net::SocketAddr::new(addr, p))
        };
        let bytes = crate::php::convert::string(data).map(|c| c.into_owned()).unwrap_or_default();
        let via = (server_socket >= 0).then_some(server_socket as i32);
        let sent = w.borrow_mut().send_to(&peer, &bytes, via);
        match sent {
            Ok(()) => true,
            Err(e) => {
                warning(&e.to_string());
                false
            }
        }
    }

    /// Swoole's other name of addListener().
    #[php(defaults(sock_type = 1))]
    pub fn listen(&self, host: String, port: i64, sock_type: i64) -> Zval {
        self.add_listener(host, port, sock_type)
    }

    /// Every listening port: the server's own first.
    #[php(getter, name = "ports")]
    pub fn ports_prop(&self) -> Zval {
        let mut a = ZendHashTable::new();
        for p in self.ports.borrow().iter() {
            let _ = a.push(p.shallow_clone());
        }
        let mut z = Zval::new();
        z.set_hashtable(a);
        z
    }

    /// Adds a user process, started with the server (and restarted when it exits); its index
    /// among added processes.
    #[php(name = "addProcess")]
    pub fn add_process(&self, process: &mut ext_php_rs::types::ZendClassObject<crate::php::process::Process>) -> Zval {
        if self.state.get() != State::Created {
            warning("The server is running, unable to add a process");
            return bool_zval(false);
        }
        let index = self.processes.borrow().len() as i64;
        process.set_id(index);
        let mut z = Zval::new();
        z.set_object(&mut process.std);
        self.processes.borrow_mut().push(z);
        long_zval(index)
    }

    /// Sends `$message` (a string raw, anything else serialized) to worker `$dstWorkerId`
    /// (event or task), whose PipeMessage receives it.
    #[php(name = "sendMessage")]
    pub fn send_message(&self, message: &Zval, dstWorkerId: i64) -> bool {
        let Some(process) = runtime::process() else {
            warning("server is not running");
            return false;
        };
        if !self.callbacks.borrow().has("PipeMessage") {
            warning("onPipeMessage is null, can't use sendMessage");
            return false;
        }
        let me = match &process {
            Process::User(u) => i64::from(u.borrow().id()),
            p => p.worker_id().map_or(-1, i64::from),
        };
        if dstWorkerId == me {
            warning("can't send messages to self");
            return false;
        }
        let total = process.shm().workers();
        if dstWorkerId < 0 || dstWorkerId >= total as i64 {
            warning(&format!("worker_id[{dstWorkerId}] is invalid"));
            return false;
        }
        // A closure throws here, to the caller, as in Swoole; nothing is sent.
        let Ok(payload) = codec::pack(message) else {
            return false;
        };
        match process.send_message(dstWorkerId as crate::types::WorkerId, &payload) {
            Some(Ok(())) => true,
            Some(Err(e)) => {
                warning(&e.to_string());
                false
            }
            None => {
                // The manager runs no worker loop: for messages, the server is not running there.
                warning("server is not running");
                false
            }
        }
    }

    pub fn finish(&self, data: &Zval) -> bool {
        let Some(process) = runtime::process() else {
            warning("server is not running");
            return false;
        };
        let Process::Task(tw) = process else {
            warning("Server::finish() can only be used in the task worker process");
            return false;
        };
        if tw.borrow().current_task().is_none() {
            warning("Server::finish() can only be used while onTask runs");
            return false;
        }
        let Ok(payload) = codec::pack(data) else {
            return false;
        };
        let r = tw.borrow_mut().finish(&payload);
        match r {
            Ok(()) => true,
            Err(e) => {
                warning(&e.to_string());
                false
            }
        }
    }

    #[php(defaults(serverSocket = -1))]
    pub fn send(&self, fd: i64, send_data: &Zval, serverSocket: i64) -> bool {
        // One listening port so far: which one the data leaves from does not matter yet.
        let (data, _) = (send_data, serverSocket);
        let Some(process) = runtime::process() else {
            warning("server is not running");
            return false;
        };
        let bytes = match data.zend_str() {
            Some(s) => s.as_bytes().to_vec(),
            None => match codec::pack(data) {
                Ok(p) if !p.serialized => p.bytes.to_vec(),
                _ => {
                    warning("the data sent must be a string");
                    return false;
                }
            },
        };
        if bytes.is_empty() {
            warning("the data sent must not be empty");
            return false;
        }
        if fd <= 0 {
            warning(&format!("invalid fd[{fd}]"));
            return false;
        }
        let r = match process {
            Process::Event(w) => w.borrow_mut().send(fd, &bytes),
            // PROCESS mode: a task worker reaches every connection through the reactors.
            Process::Task(t) => {
                let mut t = t.borrow_mut();
                match t.connections() {
                    Some(l) => l.send(fd, &bytes).map(|()| {
                        if !l.flush_blocking(TASK_SEND_WAIT) {
                            crate::log_at!(crate::log::Level::Warning, "Server::send", "session#{}: the reactor did not take the data for {:?}; it is still queued", fd, TASK_SEND_WAIT);
                        }
                    }),
                    None => {
                        warning("send() can only be used in an event worker for its own connections (in a task worker: PROCESS mode only)");
                        return false;
                    }
                }
            }
            _ => {
                warning("send() can only be used in an event worker for its own connections");
                return false;
            }
        };
        match r {
            Ok(()) => true,
            // As Swoole: a session that is gone is an ordinary outcome of a broadcast, so
            // only getLastError() and the log say it; a failed write is a warning.
            Err(e @ crate::handler::SendError::NoSession(_)) => {
                errors::set_last_error(errors::ERR_SESSION_NOT_EXIST);
                crate::log_at!(crate::log::Level::Notice, "Server::send", "{}", e);
                false
            }
            // The peer does not read: the caller sees it (Swoole tells only its logger).
            Err(e @ (crate::handler::SendError::Overflow(_) | crate::handler::SendError::TooLarge(..))) => {
                errors::set_last_error(errors::ERR_OUTPUT_BUFFER_OVERFLOW);
                crate::log_at!(crate::log::Level::Warning, "Server::send", "{}", e);
                warning(&e.to_string());
                false
            }
            Err(e) => {
                errors::set_last_error(errors::ERR_SESSION_CLOSED);
                warning(&e.to_string());
                false
            }
        }
    }

    /// Sends part of a file (`$length` 0: to its end) to connection `$fd` of this event
    /// worker, through its output queue and its limit.
    #[php(defaults(offset = 0, length = 0))]
    pub fn sendfile(&self, fd: i64, filename: String, offset: i64, length: i64) -> bool {
        let Some(process) = runtime::process() else {
            warning("server is not running");
            return false;
        };
        let Process::Event(w) = process else {
            warning("sendfile() can only be used in an event worker for its own connections");
            return false;
        };
        let bytes = match crate::net::sendfile::region(std::path::Path::new(&filename), offset, length) {
            Ok(b) => b,
            Err(e) => {
                errors::set_last_error(e.code());
                warning(&e.to_string());
                return false;
            }
        };
        let r = w.borrow_mut().send(fd, &bytes);
        match r {
            Ok(()) => true,
            Err(e) => {
                errors::set_last_error(match e {
                    crate::handler::SendError::NoSession(_) => errors::ERR_SESSION_NOT_EXIST,
                    crate::handler::SendError::Overflow(_) | crate::handler::SendError::TooLarge(..) => errors::ERR_OUTPUT_BUFFER_OVERFLOW,
                    crate::handler::SendError::Io(..) => errors::ERR_SESSION_CLOSED,
                });
                warning(&e.to_string());
                false
            }
        }
    }

    #[php(defaults(reset = false))]
    pub fn close(&self, fd: i64, reset: bool) -> bool {
        match runtime::process() {
            Some(Process::Event(w)) => w.borrow_mut().close(fd, reset),
            Some(Process::Task(t)) => {
                let mut t = t.borrow_mut();
                let Some(l) = t.connections() else { return false };
                let c = if reset { crate::reactor::protocol::Control::Reset } else { crate::reactor::protocol::Control::Close };
                l.control(fd, c) && l.flush_blocking(TASK_SEND_WAIT)
            }
            Some(_) => false,
            None => {
                warning("server is not running");
                false
            }
        }
    }

    /// The connections of this event worker idle past `heartbeat_idle_time`, closed (Close
    /// with reactor id -1) unless `$ifCloseConnection` is false; false without a heartbeat.
    #[php(defaults(ifCloseConnection = true))]
    pub fn heartbeat(&self, ifCloseConnection: bool) -> Zval {
        let Some(process) = runtime::process() else {
            warning("server is not running");
            return bool_zval(false);
        };
        let Process::Event(w) = process else { return bool_zval(false) };
        let found = w.borrow_mut().heartbeat(ifCloseConnection);
        match found {
            Some(fds) => {
                let mut a = ZendHashTable::new();
                for fd in fds {
                    let _ = a.push(fd);
                }
                let mut z = Zval::new();
                z.set_hashtable(a);
                z
            }
            None => bool_zval(false),
        }
    }

    /// Whether `$fd` is an open connection of this event worker.
    pub fn exists(&self, fd: i64) -> bool {
        match runtime::process() {
            Some(Process::Event(w)) => w.borrow().exists(fd),
            Some(Process::Task(t)) => t.borrow_mut().connections().is_some_and(|l| l.exists(fd)),
            _ => false,
        }
    }

    /// Binds connection `$fd` to `$uid` (dispatch_mode 5 sends its data to worker
    /// `$uid % worker_num` from now on); false if it is gone or bound already.
    pub fn bind(&self, fd: i64, uid: i64) -> bool {
        match runtime::process() {
            Some(Process::Event(w)) => uid > 0 && w.borrow_mut().bind(fd, uid as u64),
            Some(_) => false,
            None => {
                warning("server is not running");
                false
            }
        }
    }

    /// Swoole's older name of exists().
    pub fn exist(&self, fd: i64) -> bool {
        self.exists(fd)
    }

    /// Swoole's keys for a connection of this event worker; false for any other fd.
    #[php(name = "getClientInfo")]
    #[php(defaults(reactor_id = -1, ignoreError = false))]
    pub fn get_client_info(&self, fd: i64, reactor_id: i64, ignoreError: bool) -> Zval {
        let _ = (reactor_id, ignoreError);
        let info = match runtime::process() {
            Some(Process::Event(w)) => w.borrow().client_info(fd),
            Some(Process::Task(t)) => t.borrow_mut().connections().and_then(|l| l.info(fd)),
            _ => None,
        };
        let Some(i) = info else { return bool_zval(false) };
        let mut a = ZendHashTable::new();
        let (ip, port) = i.remote.map_or((String::new(), 0), |r| (r.ip().to_string(), i64::from(r.port())));
        let _ = a.insert("server_port", i64::from(i.server_port));
        let _ = a.insert("server_fd", i64::from(i.server_fd));
        let _ = a.insert("socket_fd", i64::from(i.socket_fd));
        let _ = a.insert("socket_type", if matches!(i.remote, Some(std::net::SocketAddr::V6(_))) { SWOOLE_SOCK_TCP6 } else { SWOOLE_SOCK_TCP });
        let _ = a.insert("remote_port", port);
        let _ = a.insert("remote_ip", ip);
        let _ = a.insert("reactor_id", i64::from(i.reactor_id));
        let _ = a.insert("connect_time", i.connect_time as i64);
        let _ = a.insert("last_time", i.last_recv_time as i64);
        let _ = a.insert("last_recv_time", i.last_recv_time);
        let _ = a.insert("last_send_time", i.last_send_time);
        let _ = a.insert("last_dispatch_time", i.last_recv_time);
        let _ = a.insert("close_errno", 0i64);
        let _ = a.insert("recv_queued_bytes", i.recv_queued_bytes as i64);
        let _ = a.insert("send_queued_bytes", i.send_queued_bytes as i64);
        if self.settings.borrow().dispatch_mode == crate::config::DispatchMode::Uid {
            let _ = a.insert("uid", i.uid as i64);
        }
        let mut z = Zval::new();
        z.set_hashtable(a);
        z
    }

    /// The server's connections (every event worker's) after session `$start_fd`, in order, at
    /// most `$find_count` (100 at most, as Swoole).
    #[php(name = "getClientList")]
    #[php(defaults(start_fd = 0, find_count = 10))]
    pub fn get_client_list(&self, start_fd: i64, find_count: i64) -> Zval {
        if find_count > MAX_FIND_COUNT {
            warning(&format!("swoole connection list max_find_count={MAX_FIND_COUNT}"));
            return bool_zval(false);
        }
        let Some(Process::Event(w)) = runtime::process() else { return bool_zval(false) };
        let fds = w.borrow().client_list(start_fd, find_count.max(0) as usize);
        list_zval(fds)
    }

    /// Swoole's older name of getClientList().
    #[php(name = "connection_list")]
    #[php(defaults(start_fd = 0, find_count = 10))]
    pub fn connection_list(&self, start_fd: i64, find_count: i64) -> Zval {
        self.get_client_list(start_fd, find_count)
    }

    /// Every connection of the server (all event workers'), for `foreach` and `count()`: a
    /// list of fds (Swoole gives an iterator object; it iterates and counts the same).
    #[php(getter, name = "connections")]
    pub fn connections(&self) -> Zval {
        match runtime::process() {
            Some(Process::Event(w)) => {
                let fds = w.borrow().client_list(0, usize::MAX);
                list_zval(fds)
            }
            _ => list_zval(Vec::new()),
        }
    }

    /// Swoole's older name of getClientInfo().
    #[php(name = "connection_info")]
    #[php(defaults(reactor_id = -1, ignoreError = false))]
    pub fn connection_info(&self, fd: i64, reactor_id: i64, ignoreError: bool) -> Zval {
        self.get_client_info(fd, reactor_id, ignoreError)
    }

    /// Stops reading connection `$fd` of this event worker until resume().
    pub fn pause(&self, fd: i64) -> bool {
        matches!(runtime::process(), Some(Process::Event(w)) if w.borrow_mut().set_paused(fd, true))
    }

    pub fn resume(&self, fd: i64) -> bool {
        matches!(runtime::process(), Some(Process::Event(w)) if w.borrow_mut().set_paused(fd, false))
    }

    /// Exempts connection `$fd` of this event worker from the heartbeat (or no longer).
    #[php(defaults(is_protected = true))]
    pub fn protect(&self, fd: i64, is_protected: bool) -> bool {
        match runtime::process() {
            Some(Process::Event(w)) => w.borrow_mut().protect(fd, is_protected),
            Some(_) => false,
            None => {
                warning("server is not running");
                false
            }
        }
    }

    /// Replaces the workers one by one (all, or only the task workers) while the server keeps
    /// serving; no task or result is lost across the switch.
    #[php(defaults(only_reload_taskworker = false))]
    pub fn reload(&self, only_reload_taskworker: bool) -> bool {
        let Some(shm) = runtime::shm() else {
            warning("server is not running");
            return false;
        };
        control::reload(&shm, only_reload_taskworker)
    }

    pub fn shutdown(&self) -> bool {
        runtime::shm().is_some_and(|shm| control::shutdown(&shm))
    }

    pub fn stats(&self) -> Zval {
        let Some(shm) = runtime::shm() else {
            warning("server is not running");
            return bool_zval(false);
        };
        let s = self.settings.borrow();
        let task_backlog = match runtime::process() {
            Some(Process::Event(w)) => Some(w.borrow().task_backlog()),
            _ => None,
        };
        let asker = stats::Asker { worker: runtime::worker_id(), task_backlog, broker: s.task_broker_url.is_some() };
        let mut a = ZendHashTable::new();
        for (k, v) in stats::rows(&shm, s.worker_num, s.task_worker_num, asker) {
            let _ = a.insert(k, v);
        }
        let mut z = Zval::new();
        z.set_hashtable(a);
        z
    }

    /// The pid of worker `$worker_id` (event, task or user process; -1: this worker), or
    /// false when there is none. A just-started user process asking for itself gets its pid
    /// (the child writes it, not only the manager after fork()).
    #[php(name = "getWorkerPid")]
    #[php(defaults(worker_id = -1))]
    pub fn get_worker_pid(&self, worker_id: i64) -> Zval {
        let Some(shm) = runtime::shm() else { return bool_zval(false) };
        let id = if worker_id < 0 { runtime::worker_id().map(i64::from) } else { Some(worker_id) };
        let pid = id.and_then(|i| u32::try_from(i).ok()).and_then(|i| shm.slot(i)).map(|s| s.pid.load(Relaxed)).filter(|p| *p > 0);
        match pid {
            Some(p) => long_zval(i64::from(p)),
            None => bool_zval(false),
        }
    }

    #[php(name = "getWorkerId")]
    pub fn get_worker_id(&self) -> Zval {
        match runtime::worker_id() {
            Some(id) => long_zval(id as i64),
            None => bool_zval(false),
        }
    }

    #[php(name = "getMasterPid")]
    pub fn get_master_pid(&self) -> i64 {
        self.master_pid()
    }

    #[php(name = "getManagerPid")]
    pub fn get_manager_pid(&self) -> i64 {
        self.manager_pid()
    }

    #[php(getter, name = "setting")]
    pub fn setting(&self) -> Zval {
        self.setting.borrow().as_ref().map(Zval::shallow_clone).unwrap_or_default()
    }

    #[php(getter, name = "host")]
    pub fn host(&self) -> String {
        self.host.clone()
    }

    #[php(getter, name = "port")]
    pub fn port(&self) -> i64 {
        self.port
    }

    #[php(getter, name = "mode")]
    pub fn mode(&self) -> i64 {
        self.mode
    }

    #[php(getter, name = "type")]
    pub fn sock_type(&self) -> i64 {
        self.sock_type
    }

    /// BASE mode, as Swoole: event worker 0's pid once it has started, the launching process
    /// before that.
    #[php(getter, name = "master_pid")]
    pub fn master_pid(&self) -> i64 {
        match runtime::shm() {
            Some(shm) => match shm.header().master_pid.load(Relaxed) {
                0 => self.launcher_pid.get(),
                pid => pid as i64,
            },
            None => self.launcher_pid.get(),
        }
    }

    #[php(getter, name = "manager_pid")]
    pub fn manager_pid(&self) -> i64 {
        runtime::shm().map(|s| s.header().manager_pid.load(Relaxed) as i64).unwrap_or(0)
    }

    #[php(getter, name = "worker_id")]
    pub fn worker_id(&self) -> i64 {
        runtime::worker_id().map(|i| i as i64).unwrap_or(-1)
    }

    #[php(getter, name = "worker_pid")]
    pub fn worker_pid(&self) -> i64 {
        if runtime::worker_id().is_some() {
            std::process::id() as i64
        } else {
            0
        }
    }

    #[php(getter, name = "taskworker")]
    pub fn taskworker(&self) -> bool {
        matches!(runtime::process(), Some(Process::Task(_)))
    }
}

/// Swoole's limit for one getClientList() call.
const MAX_FIND_COUNT: i64 = 100;

fn list_zval(v: Vec<i64>) -> Zval {
    let mut a = ZendHashTable::new();
    for x in v {
        let _ = a.push(x);
    }
    let mut z = Zval::new();
    z.set_hashtable(a);
    z
}

/// Swoole's limit for one taskWaitMulti() call (it refuses 1024 and more).
const MAX_CONCURRENT_TASKS: usize = 1024;

fn wait_timeout(t: f64) -> Option<std::time::Duration> {
    // A huge timeout is a long one, never a panic (clock::seconds saturates).
    (t > 0.0 && !t.is_nan()).then(|| crate::clock::seconds(t.min(f64::MAX)))
}

impl Server {
    /// task()'s checks on the task workers and `$dst_worker_id`, in Swoole's order.
    fn check_task_target(&self, dst: i64) -> bool {
        let tw_num = self.settings.borrow().task_worker_num as i64;
        // Through a broker, task workers on other hosts may run it.
        let remote = dst < 0 && self.settings.borrow().task_broker_url.is_some();
        if tw_num == 0 && !remote {
            warning("task method can't be executed without task worker");
            return false;
        }
        if dst >= 0 && dst >= tw_num {
            warning(&format!("worker_id must be less than task_worker_num[{tw_num}]"));
            return false;
        }
        true
    }

    /// The event worker that may block in taskwait()/taskWaitMulti(), after their checks.
    fn waiting_sender(&self, method: &str, check: impl FnOnce(&Server) -> bool) -> Option<Rc<RefCell<dyn EventContext>>> {
        let Some(process) = runtime::process() else {
            warning("server is not running");
            return None;
        };
        let Process::Event(w) = process else {
            warning(&format!("{method} method can only be used in the worker process"));
            return None;
        };
        check(self).then_some(w)
    }

    /// As Swoole, start() adds the effective process counts to `$serv->setting` if absent.
    fn fill_setting_defaults(&self, s: &Settings) {
        let mut arr = self.setting_copy();
        let defaults = [
            ("worker_num", s.worker_num as i64),
            ("task_worker_num", s.task_worker_num as i64),
            ("max_connection", s.port.rules().max_connections as i64),
        ];
        for (k, v) in defaults {
            if arr.get(k).is_none() {
                let _ = arr.insert(k, v);
            }
        }
        self.store_setting(arr);
    }

    /// A copy of `$serv->setting` to change (arrays are values in PHP).
    fn setting_copy(&self) -> ZBox<ZendHashTable> {
        self.setting.borrow().as_ref().and_then(|z| z.array().map(|a| a.to_owned())).unwrap_or_else(ZendHashTable::new)
    }

    fn store_setting(&self, arr: ZBox<ZendHashTable>) {
        let mut z = Zval::new();
        z.set_hashtable(arr);
        *self.setting.borrow_mut() = Some(z);
    }
}
