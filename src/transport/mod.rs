//! How tasks travel from event workers to task workers: one seam, [`TaskOut`] on the sending
//! side and [`TaskIn`] on the receiving side, with a socketpair per task worker
//! (`task_ipc_mode` 1) and a System V queue (modes 2 and 3) behind it. Results always come back
//! over the senders' own socketpairs (`ipc::channel`).
//!
//! The sending side is a set of outboxes (one per task worker, and for a transport that can
//! hand a task to whichever worker is free, one more), so the task client keeps its books per
//! outbox whatever carries them. The receiving side receives one datagram at a time straight
//! into the worker's inbox buffer in shared memory, which is what keeps the books exact when a
//! task worker is killed (see `task_worker`).

pub mod broker;
pub mod msgqueue;
pub mod socketpair;

use std::collections::VecDeque;
use std::io;
use std::os::fd::{OwnedFd, RawFd};

use crate::ipc::channel::Outbox;
use crate::ipc::payload::Carrier;
use crate::shm::Shm;

/// The sending side, held by each event worker.
pub trait TaskOut {
    /// One outbox per task worker, in task-worker order, then the "any free worker" one if
    /// [`TaskOut::any_free`] names it.
    fn outboxes(&mut self) -> &mut [Outbox];
    fn outboxes_ref(&self) -> &[Outbox];
    /// How many task workers there are.
    fn task_workers(&self) -> usize;
    /// The outbox that any free task worker takes from, if this transport has one; without
    /// it the scheduler chooses a worker for each task.
    fn any_free(&self) -> Option<usize>;
    /// How bodies too large for a frame travel.
    fn carrier(&self) -> Carrier;
    /// A task was just handed to outbox `idx` (a transport may have to wake its worker).
    fn sent_to(&self, _idx: usize, _shm: &Shm) {}
    /// Why the "any free worker" outbox takes no task now (a broker that does not answer).
    fn unavailable(&self) -> Option<String> {
        None
    }
    /// Largest body the "any free worker" outbox carries, if it has a bound.
    fn max_body(&self) -> Option<usize> {
        None
    }
}

/// One datagram received into an inbox buffer.
pub struct Received {
    /// Where the datagram ends in the buffer (it starts at `shm::INBOX_BODY`).
    pub end: usize,
    /// Taken from the "any free worker" outbox: counted in no worker's `queued`.
    pub shared: bool,
    /// Descriptors that came with it, one per memfd body, in frame order.
    pub fds: VecDeque<OwnedFd>,
}

/// The receiving side, held by each task worker.
pub trait TaskIn {
    /// Receives one datagram into `buf`, an inbox buffer (`shm::INBOX_LEN` bytes: the message
    /// type, then the datagram). `None`: nothing came (no wait, a signal, or the bound on
    /// the wait). With `wait` the call sleeps in the kernel, the one system call per task.
    fn receive(&mut self, buf: &mut [u8], wait: bool) -> io::Result<Option<Received>>;
    /// A descriptor poll(2) reports readable when a task waits; None when the transport cannot
    /// be polled (the worker then looks again after a short sleep).
    fn fd(&self) -> Option<RawFd>;
}
