//! `task_ipc_mode` 2 and 3: one System V queue for every task. Mode 2 addresses each task to
//! the worker the scheduler chose; mode 3 adds an outbox that whichever task worker is free
//! takes from, and a task sent to one worker alone wakes it (it sleeps on the shared type).
//! A queue carries no descriptors, so large bodies are lent (`Carrier::Lend`).

use std::io;
use std::os::fd::RawFd;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use nix::sys::signal::Signal;

use crate::ipc::channel::Outbox;
use crate::ipc::msgqueue::{self, MsgQueue, QueueSink};
use crate::ipc::payload::Carrier;
use crate::shm::{Shm, WorkerStatus, INBOX_BODY, INBOX_DATAGRAM, TASKS_PER_DATAGRAM};
use crate::signals::{self, WakeTimer};
use crate::transport::{Received, TaskIn, TaskOut};
use crate::types::WorkerId;

/// Longest a task worker sleeps in msgrcv before it looks at its signals again.
const WAIT_BOUND: Duration = Duration::from_secs(1);

pub struct QueueOut {
    outboxes: Vec<Outbox>,
    task_workers: usize,
    /// Mode 3: the last outbox is taken by whichever worker is free.
    preemptive: bool,
    /// Global id of the first task worker (to find its slot).
    first_worker: WorkerId,
}

impl QueueOut {
    pub fn new(queue: MsgQueue, task_workers: usize, preemptive: bool, first_worker: WorkerId) -> QueueOut {
        let max = msgqueue::max_message();
        let to = |mtype| Outbox::with_sink(Box::new(QueueSink::new(queue, mtype)), max, TASKS_PER_DATAGRAM);
        let mut outboxes: Vec<Outbox> = (0..task_workers).map(|i| to(msgqueue::directed(i))).collect();
        if preemptive {
            outboxes.push(to(msgqueue::SHARED));
        }
        QueueOut { outboxes, task_workers, preemptive, first_worker }
    }
}

impl TaskOut for QueueOut {
    fn outboxes(&mut self) -> &mut [Outbox] {
        &mut self.outboxes
    }
    fn outboxes_ref(&self) -> &[Outbox] {
        &self.outboxes
    }
    fn task_workers(&self) -> usize {
        self.task_workers
    }
    fn any_free(&self) -> Option<usize> {
        self.preemptive.then_some(self.task_workers)
    }
    fn carrier(&self) -> Carrier {
        Carrier::Lend
    }

    /// Mode 3: a task worker sleeps on the shared message type; one sent to it alone needs a
    /// nudge (a signal that interrupts its wait) to be seen now. A busy worker looks at its
    /// own messages before its next sleep anyway.
    fn sent_to(&self, idx: usize, shm: &Shm) {
        if !self.preemptive || idx >= self.task_workers {
            return;
        }
        let Some(slot) = shm.slot(self.first_worker + idx as WorkerId) else { return };
        let pid = slot.pid.load(Relaxed);
        if pid > 0 && slot.status() == WorkerStatus::Idle {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), Signal::SIGURG);
        }
    }
}

/// A task worker's view of the queue: messages of its own type, and in mode 3 the shared ones.
pub struct QueueIn {
    queue: MsgQueue,
    index: usize,
    preemptive: bool,
    /// Bounds a blocking msgrcv without ITIMER_REAL (the user's pcntl_alarm stays theirs).
    timer: WakeTimer,
}

impl QueueIn {
    pub fn new(queue: MsgQueue, index: usize, preemptive: bool) -> io::Result<QueueIn> {
        // msgrcv is never restarted after a signal handler: SIGURG interrupts its sleep.
        signals::disarm(&[Signal::SIGURG])?;
        Ok(QueueIn { queue, index, preemptive, timer: WakeTimer::new()? })
    }
}

impl TaskIn for QueueIn {
    fn receive(&mut self, buf: &mut [u8], wait: bool) -> io::Result<Option<Received>> {
        let region = &mut buf[..INBOX_BODY + INBOX_DATAGRAM];
        let own = msgqueue::directed(self.index);
        // Tasks for this worker alone first: nobody else can run them.
        let mut got = None;
        if self.preemptive || !wait {
            got = self.queue.recv(own, region, false)?;
        }
        if got.is_none() && (wait || self.preemptive) {
            let mtype = if self.preemptive { msgqueue::SHARED } else { own };
            if wait {
                self.timer.arm(WAIT_BOUND);
            }
            got = self.queue.recv(mtype, region, wait)?;
            if wait {
                self.timer.arm(Duration::ZERO);
            }
        }
        Ok(got.map(|r| {
            let mut mtype = [0u8; 8];
            mtype.copy_from_slice(&region[..8]);
            Received { end: r.end, shared: i64::from_ne_bytes(mtype) == msgqueue::SHARED, fds: Default::default() }
        }))
    }

    fn fd(&self) -> Option<RawFd> {
        None
    }
}
