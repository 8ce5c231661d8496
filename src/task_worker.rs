//! The task worker: takes tasks from its own channel one at a time, runs the user's Task
//! callback, and sends results to the event worker that sent each task.
//!
//! Results never block it: a full result channel queues them here and the wait for the next
//! task also waits for that channel to drain, so a slow event worker cannot stall the others.

use std::collections::VecDeque;
use std::io;
use std::os::fd::{BorrowedFd, OwnedFd, RawFd};
use std::rc::Rc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::Signal;
use thiserror::Error;

use crate::handler::{Handler, Process};
use crate::ipc::channel::{self, recv_buffer, Outbox};
use crate::ipc::frame::{self, Frames, Kind, FLAG_LAST};
use crate::ipc::msgqueue::{self, MsgQueue};
use crate::ipc::payload::{self, Carrier};
use crate::log::Level;
use crate::log_at;
use crate::shm::{Shm, WorkerStatus, HELD_PEEKED, HELD_TAKEN};
use crate::signals::{self, Wakeup};
use crate::types::{Payload, TaskInfo, WorkerId};

#[derive(Debug, Error)]
pub enum FinishError {
    #[error("there is no task to finish: finish() can only be called while onTask runs")]
    NoTask,
    #[error("result of task#{0} cannot be packed: {1}")]
    Pack(i64, io::Error),
    #[error("send result of task#{0} failed: {1}")]
    Send(i64, io::Error),
}

/// Where a task worker takes its tasks from.
#[derive(Clone, Copy, Debug)]
pub enum Inbox {
    /// Its own socketpair (task_ipc_mode 1).
    Socket(RawFd),
    /// The System V queue: messages of its own type, and with `shared` (mode 3) first-come
    /// messages of the shared type too.
    Queue { queue: MsgQueue, index: usize, shared: bool },
}

pub struct TaskWorkerSetup {
    pub id: WorkerId,
    pub worker_num: usize,
    pub shm: Rc<Shm>,
    pub inbox: Inbox,
    pub max_message: usize,
    /// One per event worker, indexed by event worker id.
    pub result_outboxes: Vec<Outbox>,
    pub max_wait: Duration,
    /// Tasks this process runs before it exits to be replaced; 0 = no limit.
    pub max_request: u64,
}

/// A task taken from the channel, not started yet.
struct Taken {
    header: frame::Header,
    body: Payload,
    /// Its index in the slot's `held` record.
    held: usize,
    /// Came from the shared queue (mode 3): not counted in this worker's `queued`.
    shared: bool,
}

struct Running {
    info: TaskInfo,
    generation: u32,
}

pub struct TaskWorker {
    id: WorkerId,
    shm: Rc<Shm>,
    inbox: Inbox,
    recv_buf: Vec<u8>,
    results: Vec<Outbox>,
    wake: Wakeup,
    /// Tasks of the last datagram not run yet (a datagram may carry several).
    batch: VecDeque<Taken>,
    running: Option<Running>,
    max_wait: Duration,
    stopping: bool,
    max_request: u64,
    tasks_run: u64,
    /// The last task's frames have not all left yet (see `settle`).
    unsettled: bool,
}

impl TaskWorker {
    pub fn new(s: TaskWorkerSetup) -> io::Result<TaskWorker> {
        let wake = signals::install(&[Signal::SIGTERM])?;
        match s.inbox {
            Inbox::Socket(fd) => set_receive_timeout(fd, Duration::from_secs(1))?,
            // msgrcv is never restarted after a signal handler: these interrupt its sleep.
            Inbox::Queue { .. } => signals::install_waking(&[Signal::SIGALRM, Signal::SIGURG])?,
        }
        Ok(TaskWorker {
            id: s.id,
            shm: s.shm,
            inbox: s.inbox,
            recv_buf: recv_buffer(s.max_message),
            results: s.result_outboxes,
            wake,
            batch: VecDeque::new(),
            running: None,
            max_wait: s.max_wait,
            stopping: false,
            max_request: s.max_request,
            tasks_run: 0,
            unsettled: false,
        })
    }

    pub fn id(&self) -> WorkerId {
        self.id
    }

    pub fn shm(&self) -> &Rc<Shm> {
        &self.shm
    }

    pub fn current_task(&self) -> Option<TaskInfo> {
        self.running.as_ref().map(|r| r.info)
    }

    /// Sends one result of the running task now (`finish()`).
    pub fn finish(&mut self, data: &Payload) -> Result<(), FinishError> {
        let r = self.running.as_ref().ok_or(FinishError::NoTask)?;
        let (info, generation) = (r.info, r.generation);
        self.send_result(info, generation, data, 0)
    }

    fn send_result(&mut self, info: TaskInfo, generation: u32, data: &Payload, extra: u8) -> Result<(), FinishError> {
        let out = self.results.get_mut(info.src_worker as usize).ok_or(FinishError::NoTask)?;
        let f = payload::message(Kind::Result, extra, (self.id, generation, info.id), data, usize::MAX, Carrier::Pass)
            .map_err(|e| FinishError::Pack(info.id, e))?;
        out.push(f).map(|_| ()).map_err(|e| FinishError::Send(info.id, e))
    }

    /// Ends the running task: a returned value is its last result; otherwise a small "done"
    /// message follows, queued so it can share a datagram with whatever goes there next.
    pub fn complete(&mut self, ret: Option<Payload>) {
        let Some(r) = self.running.take() else { return };
        // Idle before the last result leaves: whoever gets the result of the last task sees
        // every task worker idle in stats().
        let slot = self.shm.slot(self.id);
        slot.request_count.fetch_add(1, Relaxed);
        slot.set_status(WorkerStatus::Idle);
        self.tasks_run += 1;
        let sent_last = match ret {
            Some(p) => match self.send_result(r.info, r.generation, &p, FLAG_LAST) {
                Ok(()) => true,
                Err(e) => {
                    log_at!(Level::Warning, "TaskWorker::finish", "{}", e);
                    false
                }
            },
            None => false,
        };
        if !sent_last {
            if let Some(out) = self.results.get_mut(r.info.src_worker as usize) {
                out.push_lazy(frame::encode(Kind::Done, 0, self.id, r.generation, r.info.id, &[]).into());
            }
        }
        // The task stays "running" in the slot until its last frame has left this process:
        // killed before that, it is reported lost instead of vanishing.
        self.unsettled = true;
        self.settle();
    }

    /// Sends what is queued; once nothing is, the last task is off the books. True then.
    fn settle(&mut self) -> bool {
        self.flush_results();
        if !self.results.iter().all(Outbox::is_empty) {
            return false;
        }
        if self.unsettled {
            self.shm.slot(self.id).running.clear();
            self.unsettled = false;
        }
        true
    }

    /// task_max_request reached: this process runs what it has already taken from its channel
    /// and leaves the rest there for its successor.
    fn retiring(&self) -> bool {
        self.max_request > 0 && self.tasks_run >= self.max_request
    }

    /// The next task to run, waiting for one. `None`: asked to stop and nothing is left.
    pub fn next_task(&mut self) -> io::Result<Option<(TaskInfo, Payload)>> {
        loop {
            // No new task while the last one's results wait for room in a full channel: the
            // books stay exact, and a slow event worker slows its task workers down instead of
            // growing their memory.
            if self.unsettled && !self.settle() {
                if self.stopping {
                    // drain_results bounds this wait by max_wait_time.
                    return Ok(None);
                }
                self.wait(false)?;
                continue;
            }
            if let Some(t) = self.batch.pop_front() {
                return Ok(Some(self.begin(t)));
            }
            if signals::take().has(Signal::SIGTERM) {
                self.stopping = true;
            }
            // Stopping (shutdown, reload) or retiring (task_max_request): what this process has
            // taken from its channel is done; the rest stays there for its successor (reload),
            // or was already reported by its senders when they gave up waiting (shutdown).
            if self.stopping || self.retiring() {
                self.flush_results();
                return Ok(None);
            }
            if self.receive()? {
                continue;
            }
            // Nothing to run: let waiting results and done-messages go before sleeping.
            self.flush_results();
            if self.results.iter().all(Outbox::is_empty) {
                // The common case: sleep in recv itself, one syscall per task as a plain
                // socket reader would. With SO_RCVTIMEO set, recv is never restarted after a
                // signal (signal(7)), so SIGTERM wakes it; the timeout bounds the rare race
                // with a signal that lands just before the call.
                self.receive_blocking()?;
            } else {
                self.wait(true)?;
            }
        }
    }

    fn begin(&mut self, t: Taken) -> (TaskInfo, Payload) {
        let h = t.header;
        let info = TaskInfo { id: h.task_id, src_worker: h.src };
        let slot = self.shm.slot(self.id);
        slot.set_status(WorkerStatus::Busy);
        // Running first, then off the held list: a death in between reports it once
        // (the manager skips a held entry equal to the running one).
        slot.running.set(h.src, h.generation, h.task_id, t.shared);
        if let Some(r) = slot.held.get(t.held) {
            r.clear();
        }
        self.started(t.shared);
        self.running = Some(Running { info, generation: h.generation });
        (info, t.body)
    }

    /// The task left the queue: Swoole's `tasking_num` counts only tasks not started yet.
    fn started(&self, shared: bool) {
        if !shared {
            self.shm.slot(self.id).queued.fetch_sub(1, Relaxed);
        }
        self.shm.header().tasking_num.fetch_sub(1, Relaxed);
    }

    /// A task whose payload could not be read never runs: its sender hears it was lost.
    fn unreadable(&mut self, h: &frame::Header, held: usize, shared: bool, e: io::Error) {
        let reason = format!("[Worker#{}] the execution of task#{} has failed: {}", self.id, h.task_id, e);
        log_at!(Level::Warning, "TaskWorker::receive", "{}", reason);
        self.started(shared);
        if let Some(r) = self.shm.slot(self.id).held.get(held) {
            r.clear();
        }
        if let Some(out) = self.results.get_mut(h.src as usize) {
            out.push_lazy(frame::encode(Kind::Lost, 0, self.id, h.generation, h.task_id, reason.as_bytes()).into());
        }
    }

    /// Reads one message into the batch. False when there is none.
    fn receive(&mut self) -> io::Result<bool> {
        self.receive_one(false)
    }

    /// Sleeps in the receive call itself, one syscall per task as a plain reader would. Both
    /// recv with SO_RCVTIMEO and msgrcv fail with EINTR on a signal (signal(7)), so SIGTERM
    /// wakes them; a timeout (the receive timeout, or a one-shot alarm for queues) bounds the
    /// rare race with a signal that lands just before the call.
    fn receive_blocking(&mut self) -> io::Result<()> {
        self.shm.slot(self.id).set_status(WorkerStatus::Idle);
        self.receive_one(true).map(|_| ())
    }

    fn receive_one(&mut self, wait: bool) -> io::Result<bool> {
        match self.inbox {
            Inbox::Socket(fd) => {
                // Peek, record what we are about to take, then take it: killed anywhere in
                // between, the manager finds the datagram either still at the head of the
                // channel (the successor runs it) or gone (it reports those tasks lost).
                let n = match channel::peek(fd, &mut self.recv_buf, wait) {
                    Ok(Some(n)) => n,
                    Ok(None) => return Ok(false),
                    Err(e) if wait && e.raw_os_error() == Some(libc::EAGAIN) => return Ok(false),
                    Err(e) => return Err(e),
                };
                // "Peeked" first: a kill while the record is being written must not make the
                // manager take a datagram still in the channel for one this worker took.
                self.shm.slot(self.id).held_state.store(HELD_PEEKED, Relaxed);
                self.record_held(0..n, false);
                let mut fds = VecDeque::new();
                let taken = channel::recv(fd, &mut self.recv_buf, &mut fds, false)?;
                self.shm.slot(self.id).held_state.store(HELD_TAKEN, Relaxed);
                match taken {
                    Some(n) => {
                        self.push_frames(0..n, fds, false);
                        Ok(true)
                    }
                    None => Ok(false),
                }
            }
            Inbox::Queue { queue, index, shared } => {
                // Tasks for this worker alone first: nobody else can run them.
                if let Some(r) = queue.recv(msgqueue::directed(index), &mut self.recv_buf, false)? {
                    self.push_frames(r, VecDeque::new(), false);
                    return Ok(true);
                }
                let mtype = if shared { msgqueue::SHARED } else { msgqueue::directed(index) };
                let got = if wait {
                    let _alarm = Alarm::set(QUEUE_WAIT_BOUND);
                    queue.recv(mtype, &mut self.recv_buf, true)?
                } else if shared {
                    queue.recv(mtype, &mut self.recv_buf, false)?
                } else {
                    None
                };
                match got {
                    Some(r) => {
                        self.push_frames(r, VecDeque::new(), shared);
                        Ok(true)
                    }
                    None => Ok(false),
                }
            }
        }
    }

    /// Writes the tasks of a datagram into the slot's `held` record.
    fn record_held(&self, range: std::ops::Range<usize>, shared: bool) {
        let slot = self.shm.slot(self.id);
        let tasks = Frames::new(&self.recv_buf[range]).filter_map(Result::ok).filter(|(h, _)| h.kind == Kind::Task);
        for (r, (h, _)) in slot.held.iter().zip(tasks) {
            r.set(h.src, h.generation, h.task_id, shared);
        }
    }

    fn push_frames(&mut self, range: std::ops::Range<usize>, mut fds: VecDeque<OwnedFd>, shared: bool) {
        if matches!(self.inbox, Inbox::Queue { .. }) {
            // Recorded before anything slow (reading a memfd). A queue cannot be peeked, so a
            // kill between msgrcv and here loses these tasks without a report (documented).
            self.record_held(range.clone(), shared);
            self.shm.slot(self.id).held_state.store(HELD_TAKEN, Relaxed);
        }
        let buf = std::mem::take(&mut self.recv_buf);
        let mut held = 0;
        for f in Frames::new(&buf[range]) {
            match f {
                Ok((h, body)) if h.kind == Kind::Task => {
                    match payload::body(&h, body, &mut fds) {
                        Ok(p) => self.batch.push_back(Taken { header: h, body: p, held, shared }),
                        Err(e) => self.unreadable(&h, held, shared, e),
                    }
                    held += 1;
                }
                Ok((h, _)) => log_at!(Level::Warning, "TaskWorker::receive", "unexpected {:?} frame", h.kind),
                Err(e) => log_at!(Level::Warning, "TaskWorker::receive", "bad task packet: {}", e),
            }
        }
        self.recv_buf = buf;
    }

    fn flush_results(&mut self) {
        for out in &mut self.results {
            if let Err(e) = out.flush() {
                log_at!(Level::Warning, "TaskWorker::finish", "send result to worker failed: {}", e);
            }
        }
    }

    /// Sleeps until a task arrives, a signal lands or a full result channel has room again.
    /// `for_tasks`: also wake for a new task (otherwise only for room or a signal).
    fn wait(&mut self, for_tasks: bool) -> io::Result<()> {
        self.shm.slot(self.id).set_status(WorkerStatus::Idle);
        let wake = (self.wake.fd(), PollFlags::POLLIN);
        let woken = match self.inbox {
            Inbox::Socket(fd) if for_tasks => self.poll_with_results(&[wake, (fd, PollFlags::POLLIN)], PollTimeout::NONE)?,
            Inbox::Socket(_) => self.poll_with_results(&[wake], PollTimeout::NONE)?,
            // A queue cannot be polled: look again soon.
            Inbox::Queue { .. } => self.poll_with_results(&[wake], PollTimeout::from(1u8))?,
        };
        if woken[0] {
            self.wake.drain();
        }
        if signals::take().has(Signal::SIGTERM) {
            self.stopping = true;
        }
        Ok(())
    }

    /// Polls `fds` plus every result channel that has frames waiting (for room to write).
    /// Returns, for each of `fds`, whether it became readable.
    fn poll_with_results(&self, fds: &[(RawFd, PollFlags)], timeout: PollTimeout) -> io::Result<Vec<bool>> {
        let waiting = self.results.iter().filter(|o| !o.is_empty()).filter_map(|o| o.fd()).map(|fd| (fd, PollFlags::POLLOUT));
        // SAFETY: every fd here stays open for the life of this worker; the borrows end with poll().
        let mut pfds: Vec<PollFd> =
            fds.iter().copied().chain(waiting).map(|(fd, ev)| PollFd::new(unsafe { BorrowedFd::borrow_raw(fd) }, ev)).collect();
        match poll(&mut pfds, timeout) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
        Ok(pfds[..fds.len()].iter().map(|p| p.revents().is_some_and(|r| r.contains(PollFlags::POLLIN))).collect())
    }

    /// Before exit: results still queued get until the deadline to leave.
    fn drain_results(&mut self) {
        let deadline = Instant::now() + self.max_wait;
        loop {
            if self.settle() {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                let lost: usize = self.results.iter().map(|o| o.queued_frames()).sum();
                log_at!(Level::Warning, "TaskWorker::stop", "task worker#{} exit timeout: {} result message(s) lost", self.id, lost);
                return;
            }
            let ms = i32::try_from(left.as_millis()).unwrap_or(i32::MAX).max(1);
            let timeout = PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX);
            if let Err(e) = self.poll_with_results(&[], timeout) {
                log_at!(Level::Warning, "TaskWorker::stop", "waiting to send results failed: {}", e);
                return;
            }
        }
    }
}

/// Longest a task worker sleeps in msgrcv before it looks at its signals again.
const QUEUE_WAIT_BOUND: Duration = Duration::from_secs(1);

/// A one-shot SIGALRM that interrupts a blocking msgrcv; cancelled when dropped.
struct Alarm;

impl Alarm {
    fn set(after: Duration) -> Alarm {
        arm(after);
        Alarm
    }
}

impl Drop for Alarm {
    fn drop(&mut self) {
        arm(Duration::ZERO);
    }
}

fn arm(after: Duration) {
    let t = libc::itimerval {
        it_interval: libc::timeval { tv_sec: 0, tv_usec: 0 },
        it_value: libc::timeval { tv_sec: after.as_secs() as libc::time_t, tv_usec: after.subsec_micros() as libc::suseconds_t },
    };
    // SAFETY: setitimer reads `t` and writes nothing (null old value).
    unsafe { libc::setitimer(libc::ITIMER_REAL, &t, std::ptr::null_mut()) };
}

fn set_receive_timeout(fd: RawFd, t: Duration) -> io::Result<()> {
    // SAFETY: borrowing an fd this worker keeps open for its whole life.
    let b = unsafe { BorrowedFd::borrow_raw(fd) };
    let tv = nix::sys::time::TimeVal::new(t.as_secs() as i64, t.subsec_micros() as i64);
    nix::sys::socket::setsockopt(&b, nix::sys::socket::sockopt::ReceiveTimeout, &tv).map_err(io::Error::from)
}

/// Runs a task worker until it is told to stop and its channel is empty.
pub fn run<H: Handler>(tw: Rc<std::cell::RefCell<TaskWorker>>, h: &mut H) {
    let id = tw.borrow().id;
    h.enter(Process::Task(tw.clone()));
    h.on_worker_start(id);
    loop {
        let next = tw.borrow_mut().next_task();
        match next {
            Ok(Some((info, data))) => {
                let ret = h.on_task(info, data);
                tw.borrow_mut().complete(ret);
            }
            Ok(None) => break,
            Err(e) => {
                log_at!(Level::Error, "TaskWorker::loop", "task worker#{} loop failed: {}", id, e);
                break;
            }
        }
    }
    tw.borrow_mut().drain_results();
    let shm = tw.borrow().shm.clone();
    shm.slot(id).set_status(WorkerStatus::Exit);
    h.on_worker_stop(id);
}
