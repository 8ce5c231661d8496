//! The seam between the PHP-free core and whoever runs user code (the PHP layer, or a Rust
//! handler in tests). The core calls these at the points of a server's life; the handler
//! reaches back into the running process through the [`Process`] it was given in `enter`.

use std::cell::RefCell;
use std::rc::Rc;

use crate::shm::Shm;
use crate::task_worker::TaskWorker;
use crate::types::{Body, Payload, SessionId, TaskId, TaskInfo, WorkerId};
use crate::worker::EventWorker;

/// The process the handler now runs in. Event and task workers are shared with the handler so
/// user code can call `send()`, `task()` or `finish()` while the core loop is between events.
#[derive(Clone)]
pub enum Process {
    Manager { shm: Rc<Shm> },
    Event(Rc<RefCell<EventWorker>>),
    Task(Rc<RefCell<TaskWorker>>),
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

    fn on_connect(&mut self, fd: SessionId, reactor_id: i32) {}
    fn on_receive(&mut self, fd: SessionId, reactor_id: i32, data: &[u8]) {}
    fn on_close(&mut self, fd: SessionId, reactor_id: i32) {}

    /// Task worker: run one task. A returned payload is sent back as a result.
    fn on_task(&mut self, task: TaskInfo, data: Body<'_>) -> Option<Payload>;
    /// Event worker: one result of a task this process sent.
    fn on_finish(&mut self, task_id: TaskId, data: Payload) {}
    /// Event worker: a task this process sent is over; no result will follow.
    fn on_task_done(&mut self, task_id: TaskId) {}
    /// Event worker: a task this process sent was lost (its task worker died running it).
    fn on_task_lost(&mut self, lost: LostTask) {}

    /// Last call in a worker process, right before it exits: flush output here.
    fn on_exit(&mut self) {}
}
