//! The seam between the PHP-free core and whoever runs user code (the PHP layer, or a Rust
//! handler in tests). The core calls [`Handler`] at the points of a server's life; user code
//! reaches back into its process only through the small contexts below: what an event
//! callback may do ([`EventContext`]) and what a task callback may do ([`TaskContext`]).

use std::cell::RefCell;
use std::io;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;

use crate::shm::Shm;
use crate::timer::{TimerId, Timers};
use crate::types::{Body, Payload, SessionId, TaskId, TaskInfo, WorkerId};

/// What a callback in an event worker may do.
pub trait EventContext {
    fn id(&self) -> WorkerId;
    fn shm(&self) -> &Arc<Shm>;
    /// This process's timers (fired by its loop).
    fn timers(&mut self) -> &mut Timers;
    /// `sendMessage()`: `data` to worker `dst` (event or task), its PipeMessage.
    fn send_message(&mut self, dst: WorkerId, data: &Payload) -> Result<(), MessageError>;
    /// `sendto()`: one datagram to `to`, from the server socket `via` if given.
    fn send_to(&mut self, to: &crate::net::datagram::Peer, data: &[u8], via: Option<std::os::fd::RawFd>) -> Result<(), crate::net::datagram::SendToError>;
    /// Queues `data` for connection `fd`; what the socket does not take now is written later.
    fn send(&mut self, fd: SessionId, data: &[u8]) -> Result<(), SendError>;
    /// Closes connection `fd` from the server side; its Close event comes next. Queued output
    /// is written first, unless `reset` (then the peer gets RST).
    fn close(&mut self, fd: SessionId, reset: bool) -> bool;
    /// Sends a task; `dst` is a task-worker index, None lets the scheduler choose.
    fn task(&mut self, data: &Payload, dst: Option<usize>) -> Result<TaskId, TaskError>;
    /// Sends each payload and blocks until every task gave its first result or ended, or
    /// until `timeout` (None: until they end). Element i: task i's first result, if any.
    fn task_wait(&mut self, items: &[(Payload, Option<usize>)], timeout: Option<Duration>) -> Vec<Result<Option<Payload>, TaskError>>;
    /// Tasks waiting in this process for room in the task workers' channels.
    fn task_backlog(&self) -> usize;
    /// `heartbeat()`: this worker's connections idle past the heartbeat's idle time (closed
    /// when `close`); None without a heartbeat.
    fn heartbeat(&mut self, close: bool) -> Option<Vec<SessionId>>;
    /// `protect()`: exempts connection `fd` from the heartbeat (or no longer).
    fn protect(&mut self, fd: SessionId, on: bool) -> bool;
    /// Whether `fd` is a connection of this worker.
    fn exists(&self, fd: SessionId) -> bool;
    /// `getClientInfo()` for a connection of this worker.
    fn client_info(&self, fd: SessionId) -> Option<crate::net::table::ConnInfo>;
    /// `pause()` (true) / `resume()` (false) reading connection `fd`.
    fn set_paused(&mut self, fd: SessionId, paused: bool) -> bool;
    /// The server's live connections (every worker's) above `after`, in order, at most `max`.
    fn client_list(&self, after: SessionId, max: usize) -> Vec<SessionId>;
    /// `bind($fd, $uid)`: once per connection (dispatch_mode 5 routes by it).
    fn bind(&mut self, fd: SessionId, uid: u64) -> bool;
}

/// What a callback in a task worker may do.
pub trait TaskContext {
    fn id(&self) -> WorkerId;
    fn shm(&self) -> &Arc<Shm>;
    /// This process's timers (fired between tasks).
    fn timers(&mut self) -> &mut Timers;
    fn send_message(&mut self, dst: WorkerId, data: &Payload) -> Result<(), MessageError>;
    /// The task being run, if Task is running.
    fn current_task(&self) -> Option<TaskInfo>;
    /// Sends one result of the running task now (`finish()`).
    fn finish(&mut self, data: &Payload) -> Result<(), FinishError>;
    /// PROCESS mode: `send()`/`close()`/`exists()`/`getClientInfo()` on any connection (None:
    /// not in this mode, as in BASE mode, where task workers hold no connection).
    fn connections(&mut self) -> Option<&mut crate::reactor::links::Links> {
        None
    }
}

/// The process the handler now runs in, and what its callbacks may reach.
#[derive(Clone)]
pub enum Process {
    Manager { shm: Arc<Shm> },
    Event(Rc<RefCell<dyn EventContext>>),
    Task(Rc<RefCell<dyn TaskContext>>),
    /// A process added with addProcess().
    User(Rc<RefCell<crate::user_process::UserProcess>>),
}

impl Process {
    pub fn shm(&self) -> Arc<Shm> {
        match self {
            Process::Manager { shm } => shm.clone(),
            Process::Event(w) => w.borrow().shm().clone(),
            Process::Task(t) => t.borrow().shm().clone(),
            Process::User(u) => u.borrow().shm().clone(),
        }
    }

    /// `sendMessage()` from this process; None in the manager.
    pub fn send_message(&self, dst: WorkerId, data: &Payload) -> Option<Result<(), MessageError>> {
        match self {
            Process::Manager { .. } => None,
            Process::Event(w) => Some(w.borrow_mut().send_message(dst, data)),
            Process::Task(t) => Some(t.borrow_mut().send_message(dst, data)),
            Process::User(u) => Some(u.borrow_mut().send_message(dst, data)),
        }
    }

    /// Runs `f` on this process's timers; None where no loop fires them (the manager).
    pub fn with_timers<R>(&self, f: impl FnOnce(&mut Timers) -> R) -> Option<R> {
        match self {
            Process::Manager { .. } => None,
            Process::Event(w) => Some(f(w.borrow_mut().timers())),
            Process::Task(t) => Some(f(t.borrow_mut().timers())),
            Process::User(u) => Some(f(u.borrow_mut().timers())),
        }
    }

    /// The global worker id; None in the manager and in user processes (Swoole: -1).
    pub fn worker_id(&self) -> Option<WorkerId> {
        match self {
            Process::Manager { .. } | Process::User(_) => None,
            Process::Event(w) => Some(w.borrow().id()),
            Process::Task(t) => Some(t.borrow().id()),
        }
    }
}

#[derive(Debug, Error)]
pub enum SendError {
    #[error("session#{0} does not exist")]
    NoSession(SessionId),
    #[error("send to session#{0} failed: {1}")]
    Io(SessionId, io::Error),
    /// The connection's queued output is at `socket_buffer_size` (the peer does not read).
    #[error("socket#{0} output buffer overflow")]
    Overflow(SessionId),
    #[error("The length of data [{0}] exceeds the output buffer size[{1}], please use the sendfile, chunked transfer mode or adjust the output_buffer_size")]
    TooLarge(usize, usize),
}

#[derive(Debug, Error)]
pub enum TaskError {
    #[error("task method can't be executed without task worker")]
    NoTaskWorker,
    #[error("task pack failed: {0}")]
    Pack(io::Error),
    #[error("the server is shutting down")]
    Stopping,
    #[error("task backlog is full: {0} tasks have waited {1:?} for room in the task workers' channels")]
    Backlog(usize, Duration),
    #[error("send {bytes} bytes to worker#{worker} failed: {source}")]
    Send { bytes: usize, worker: WorkerId, source: io::Error },
    /// The task broker does not answer (the message says since when and why).
    #[error("{0}")]
    Unavailable(String),
    #[error("task payload of {0} bytes is above the task broker's limit of {1} bytes")]
    TooLarge(usize, usize),
}

#[derive(Debug, Error)]
pub enum MessageError {
    #[error("can't send messages to self")]
    ToSelf,
    #[error("worker_id[{0}] is invalid")]
    Invalid(i64),
    #[error("message pack failed: {0}")]
    Pack(io::Error),
    #[error("send message to worker#{0} failed: {1}")]
    Send(WorkerId, io::Error),
}

#[derive(Debug, Error)]
pub enum FinishError {
    #[error("there is no task to finish: finish() can only be called while onTask runs")]
    NoTask,
    #[error("result of task#{0} cannot be packed: {1}")]
    Pack(i64, io::Error),
    #[error("send result of task#{0} failed: {1}")]
    Send(i64, io::Error),
}

/// How a task ended when it never produced its results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LostTask {
    pub task_id: TaskId,
    pub reason: String,
}

#[allow(unused_variables)]
pub trait Handler {
    /// Called first in every process role, before any other callback there.
    fn enter(&mut self, process: Process);

    fn on_manager_start(&mut self) {}
    fn on_manager_stop(&mut self) {}
    /// Event worker 0, on the first start of the server only.
    fn on_start(&mut self) {}
    fn on_shutdown(&mut self) {}
    fn on_worker_start(&mut self, worker: WorkerId) {}
    fn on_worker_stop(&mut self, worker: WorkerId) {}
    /// In the manager, after a worker died abnormally.
    fn on_worker_error(&mut self, worker: WorkerId, pid: i32, exit_code: i32, signal: i32) {}

    /// Connection events name the listening port the connection came in on (0: the
    /// server's own, then the added ones in order).
    fn on_connect(&mut self, fd: SessionId, reactor_id: i32, port: usize) {}
    fn on_receive(&mut self, fd: SessionId, reactor_id: i32, port: usize, data: &[u8]) {}
    fn on_close(&mut self, fd: SessionId, reactor_id: i32, port: usize) {}
    /// The connection's queued output reached the high watermark.
    fn on_buffer_full(&mut self, fd: SessionId, port: usize) {}
    /// It drained again after a BufferFull.
    fn on_buffer_empty(&mut self, fd: SessionId, port: usize) {}
    /// Connection `fd` broke its port's protocol and is being closed (its Close follows).
    fn on_protocol_error(&mut self, fd: SessionId, why: &str) {}
    /// A datagram on a UDP or unix datagram port.
    fn on_packet(&mut self, packet: &crate::net::datagram::Packet) {}
    /// `package_length_func`: the total length of the message at the front of `data`, 0 when
    /// more bytes are needed, negative (or None: it failed) for a protocol error.
    fn package_length(&mut self, port: usize, data: &[u8]) -> Option<i64> {
        None
    }

    /// Task worker: run one task. A returned payload is sent back as a result.
    fn on_task(&mut self, task: TaskInfo, data: Body<'_>) -> Option<Payload>;
    /// Event worker: one result of a task this process sent.
    fn on_finish(&mut self, task_id: TaskId, data: Payload) {}
    /// Event worker: a task this process sent is over; no result will follow.
    fn on_task_done(&mut self, task_id: TaskId) {}
    /// Event worker: a task this process sent was lost (its task worker died running it).
    fn on_task_lost(&mut self, lost: LostTask) {}

    /// User process `index` (of those added): runs its callback. Some(status) when the
    /// callback ended the process (exit(), an uncaught exception); None when it returned.
    fn on_user_process(&mut self, index: usize) -> Option<i32> {
        None
    }

    /// `sendMessage()` from worker `src` to this one.
    fn on_pipe_message(&mut self, src: WorkerId, data: Payload) {}

    /// Timer `timer` of this process is due (a one-shot timer is already gone from the set).
    fn on_timer(&mut self, timer: TimerId) {}

    /// Last call in a worker process, right before it exits: flush output here.
    fn on_exit(&mut self) {}
}
