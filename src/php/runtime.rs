//! Per-process runtime of a started server, and the core [`Handler`] that runs PHP callbacks.
//!
//! `start()` is still on the stack while callbacks call `$serv->task()` on the same object, so
//! nothing here lives in the PHP object: the running process is kept in a thread-local, and
//! every access borrows it briefly, never across a call into PHP.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use ext_php_rs::types::Zval;

use crate::handler::{Handler, LostTask, Process};
use crate::log::Level;
use crate::log_at;
use crate::php::callbacks::{invoke, Callbacks};
use crate::php::codec;
use crate::php::errors;
use crate::shm::Shm;
use crate::timer::TimerId;
use crate::types::{Body, Payload, SessionId, TaskId, TaskInfo, WorkerId};

struct Current {
    process: Process,
    /// Per-task callbacks given to task(), kept until the task is over.
    task_callbacks: HashMap<TaskId, Zval>,
    /// What each timer of this process runs: callback, extra arguments, whether it repeats.
    timer_callbacks: HashMap<TimerId, (Zval, Vec<Zval>, bool)>,
}

thread_local! {
    static CURRENT: RefCell<Option<Current>> = const { RefCell::new(None) };
}

pub fn process() -> Option<Process> {
    CURRENT.with(|c| c.borrow().as_ref().map(|c| c.process.clone()))
}

pub fn shm() -> Option<Arc<Shm>> {
    process().map(|p| p.shm())
}

/// Global id of this worker, or None in the manager / before start.
pub fn worker_id() -> Option<WorkerId> {
    process()?.worker_id()
}

pub fn add_task_callback(task: TaskId, cb: Zval) {
    CURRENT.with(|c| {
        if let Some(c) = c.borrow_mut().as_mut() {
            c.task_callbacks.insert(task, cb);
        }
    });
}

fn task_callback(task: TaskId) -> Option<Zval> {
    CURRENT.with(|c| c.borrow().as_ref().and_then(|c| c.task_callbacks.get(&task).map(Zval::shallow_clone)))
}

fn drop_task_callback(task: TaskId) {
    CURRENT.with(|c| {
        let cb = c.borrow_mut().as_mut().and_then(|c| c.task_callbacks.remove(&task));
        drop(cb);
    });
}

pub fn add_timer_callback(timer: TimerId, cb: Zval, params: Vec<Zval>, persistent: bool) {
    CURRENT.with(|c| {
        if let Some(c) = c.borrow_mut().as_mut() {
            c.timer_callbacks.insert(timer, (cb, params, persistent));
        }
    });
}

pub fn drop_timer_callback(timer: TimerId) {
    CURRENT.with(|c| {
        let cb = c.borrow_mut().as_mut().and_then(|c| c.timer_callbacks.remove(&timer));
        drop(cb);
    });
}

pub fn drop_timer_callbacks() {
    CURRENT.with(|c| {
        let old = c.borrow_mut().as_mut().map(|c| std::mem::take(&mut c.timer_callbacks));
        drop(old);
    });
}

fn timer_callback(timer: TimerId) -> Option<(Zval, Vec<Zval>, bool)> {
    CURRENT.with(|c| {
        c.borrow().as_ref().and_then(|c| c.timer_callbacks.get(&timer)).map(|(cb, p, persistent)| (cb.shallow_clone(), p.iter().map(Zval::shallow_clone).collect(), *persistent))
    })
}

/// Forgets the running server: releases every Zval it held before PHP shuts down.
pub fn clear() {
    let old = CURRENT.with(|c| c.borrow_mut().take());
    drop(old);
}

/// Runs the user's callbacks for the core.
pub struct PhpHandler {
    pub server: Zval,
    pub callbacks: Callbacks,
    /// The Swoole\Process objects of addProcess(), and the worker id of the first.
    pub processes: Vec<Zval>,
    pub first_user_id: i64,
    /// Each listening port's own callbacks (the server's fill in what a port lacks).
    pub ports: Vec<Callbacks>,
}

impl PhpHandler {
    fn call(&self, event: &str, args: Vec<&dyn ext_php_rs::convert::IntoZvalDyn>) -> Option<Zval> {
        let cb = self.callbacks.get(event)?;
        invoke(event, cb, args)
    }

    /// A connection event of port `port`: the port's callback, else the server's.
    fn call_port(&self, port: usize, event: &str, args: Vec<&dyn ext_php_rs::convert::IntoZvalDyn>) -> Option<Zval> {
        let cb = self.ports.get(port).and_then(|p| p.get(event)).or_else(|| self.callbacks.get(event))?;
        invoke(event, cb, args)
    }

    fn call_server_only(&self, event: &str) {
        self.call(event, vec![&self.server]);
    }
}

impl Handler for PhpHandler {
    fn enter(&mut self, process: Process) {
        let old = CURRENT.with(|c| c.borrow_mut().replace(Current { process, task_callbacks: HashMap::new(), timer_callbacks: HashMap::new() }));
        drop(old);
    }

    fn on_manager_start(&mut self) {
        self.call_server_only("ManagerStart");
    }

    fn on_manager_stop(&mut self) {
        self.call_server_only("ManagerStop");
    }

    fn on_start(&mut self) {
        self.call_server_only("Start");
    }

    fn on_shutdown(&mut self) {
        self.call_server_only("Shutdown");
    }

    fn on_worker_start(&mut self, worker: WorkerId) {
        self.call("WorkerStart", vec![&self.server, &(worker as i64)]);
    }

    fn on_worker_stop(&mut self, worker: WorkerId) {
        self.call("WorkerStop", vec![&self.server, &(worker as i64)]);
    }

    fn on_worker_error(&mut self, worker: WorkerId, pid: i32, exit_code: i32, signal: i32) {
        self.call(
            "WorkerError",
            vec![&self.server, &(worker as i64), &(pid as i64), &(exit_code as i64), &(signal as i64)],
        );
    }

    fn on_connect(&mut self, fd: SessionId, reactor_id: i32, port: usize) {
        self.call_port(port, "Connect", vec![&self.server, &fd, &(reactor_id as i64)]);
    }

    fn on_receive(&mut self, fd: SessionId, reactor_id: i32, port: usize, data: &[u8]) {
        let data = codec::string(data);
        self.call_port(port, "Receive", vec![&self.server, &fd, &(reactor_id as i64), &data]);
    }

    fn on_close(&mut self, fd: SessionId, reactor_id: i32, port: usize) {
        self.call_port(port, "Close", vec![&self.server, &fd, &(reactor_id as i64)]);
    }

    fn package_length(&mut self, port: usize, data: &[u8]) -> Option<i64> {
        let key = crate::php::callbacks::PACKAGE_LENGTH;
        let cb = self.ports.get(port).and_then(|p| p.get(key)).or_else(|| self.callbacks.get(key))?;
        let ret = invoke("package_length_func", cb, vec![&codec::string(data)])?;
        // As zval_get_long: numbers as they are, numeric strings read, anything else 0.
        Some(match (ret.long(), ret.double(), ret.bool(), ret.zend_str()) {
            (Some(l), _, _, _) => l,
            (_, Some(d), _, _) => d as i64,
            (_, _, Some(b), _) => i64::from(b),
            (_, _, _, Some(s)) => String::from_utf8_lossy(s.as_bytes()).trim().parse().unwrap_or(0),
            _ => 0,
        })
    }

    fn on_protocol_error(&mut self, _fd: SessionId, why: &str) {
        // Swoole tells only its logger; the application sees it too.
        errors::warning(why);
    }

    fn on_buffer_full(&mut self, fd: SessionId, port: usize) {
        self.call_port(port, "BufferFull", vec![&self.server, &fd]);
    }

    fn on_buffer_empty(&mut self, fd: SessionId, port: usize) {
        self.call_port(port, "BufferEmpty", vec![&self.server, &fd]);
    }

    fn on_task(&mut self, task: TaskInfo, data: Body<'_>) -> Option<Payload> {
        let me = worker_id().unwrap_or_default();
        let failed = |why: &str| log_at!(Level::Warning, "TaskWorker::task", "[Worker#{}] the execution of task#{} has failed: {}", me, task.id, why);
        let data = match codec::unpack_body(data) {
            Ok(d) => d,
            Err(_) => {
                errors::report_pending();
                failed("its data cannot be unserialized");
                return None;
            }
        };
        let Some(ret) = self.call("Task", vec![&self.server, &task.id, &(task.src_worker as i64), &data]) else {
            failed("the Task callback threw");
            return None;
        };
        if ret.is_null() {
            return None;
        }
        match codec::pack(&ret) {
            Ok(p) => Some(p),
            Err(_) => {
                errors::report_pending();
                failed("its return value cannot be serialized");
                None
            }
        }
    }

    fn on_finish(&mut self, task_id: TaskId, data: Payload) {
        let data = match codec::unpack(&data) {
            Ok(d) => d,
            Err(_) => {
                errors::report_pending();
                return;
            }
        };
        if let Some(cb) = task_callback(task_id) {
            invoke("Finish", &cb, vec![&self.server, &task_id, &data]);
        } else if self.callbacks.has("Finish") {
            self.call("Finish", vec![&self.server, &task_id, &data]);
        } else {
            errors::warning("require 'onFinish' callback");
        }
    }

    fn on_task_done(&mut self, task_id: TaskId) {
        drop_task_callback(task_id);
    }

    fn on_task_lost(&mut self, lost: LostTask) {
        drop_task_callback(lost.task_id);
        errors::warning(&lost.reason);
    }

    fn on_user_process(&mut self, index: usize) -> Option<i32> {
        let Some(mut z) = self.processes.get(index).map(Zval::shallow_clone) else { return Some(1) };
        let cb = {
            let Some(obj) = z.object_mut() else { return Some(1) };
            let Some(p) = ext_php_rs::types::ZendClassObject::<crate::php::process::Process>::from_zend_obj_mut(obj) else { return Some(1) };
            p.enter_child(Some(self.first_user_id + index as i64));
            p.callback()
        };
        crate::php::callbacks::run_to_exit("Process", &cb, vec![&z])
    }

    fn on_packet(&mut self, p: &crate::net::datagram::Packet) {
        use crate::net::datagram::Peer;
        let mut info = ext_php_rs::types::ZendHashTable::new();
        let _ = info.insert("server_socket", i64::from(p.server_fd));
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
        let _ = info.insert("dispatch_time", now);
        let _ = info.insert("server_port", i64::from(p.server_port));
        match &p.from {
            Peer::Inet(a) => {
                let _ = info.insert("address", a.ip().to_string());
                let _ = info.insert("port", i64::from(a.port()));
            }
            // An unbound unix client has no address: '' (Swoole reports stale memory there).
            Peer::Unix(path) => {
                let _ = info.insert("address", path.as_ref().map_or(String::new(), |p| p.display().to_string()));
            }
        }
        let mut info_z = Zval::new();
        info_z.set_hashtable(info);
        let data = codec::string(&p.data);
        self.call_port(p.port, "Packet", vec![&self.server, &data, &info_z]);
    }

    fn on_pipe_message(&mut self, src: WorkerId, data: Payload) {
        let message = match codec::unpack(&data) {
            Ok(m) => m,
            Err(_) => {
                errors::report_pending();
                return;
            }
        };
        self.call("PipeMessage", vec![&self.server, &(src as i64), &message]);
    }

    fn on_timer(&mut self, timer: TimerId) {
        let Some((cb, params, persistent)) = timer_callback(timer) else { return };
        if !persistent {
            drop_timer_callback(timer);
        }
        let mut args: Vec<&dyn ext_php_rs::convert::IntoZvalDyn> = Vec::with_capacity(params.len() + 1);
        if persistent {
            args.push(&timer);
        }
        args.extend(params.iter().map(|p| p as &dyn ext_php_rs::convert::IntoZvalDyn));
        invoke("Timer", &cb, args);
        // A tick gone from the set (it cleared itself, or the worker stopped) frees its callback.
        let gone = process().and_then(|p| p.with_timers(|t| !t.exists(timer))).unwrap_or(true);
        if persistent && gone {
            drop_timer_callback(timer);
        }
    }

    fn on_exit(&mut self) {
        // SAFETY: ends PHP's output buffers and flushes C stdio before the worker _exit()s.
        unsafe {
            ext_php_rs::ffi::php_output_end_all();
            libc::fflush(std::ptr::null_mut());
        }
    }
}
