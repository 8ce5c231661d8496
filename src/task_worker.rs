//! The task worker: takes tasks from its own channel one at a time, runs the user's Task
//! callback, and sends results to the event worker that sent each task.
//!
//! Results never block it: a full result channel queues them here and the wait for the next
//! task also waits for that channel to drain, so a slow event worker cannot stall the others.
//!
//! Every datagram is received straight into this worker's inbox buffer in shared memory
//! (`shm::Inbox`), so what it took is recorded by the receive itself: one system call to take
//! tasks, one to send a result, and the books stay exact under SIGKILL. The buffer is all
//! zeroes before each receive; the slot's `started` counts the frames begun. A worker killed
//! anywhere leaves either zeroes (nothing taken: the datagram is still in the channel, for
//! its successor) or the datagram, whose frames from `started` on the manager reports lost.

use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::Signal;

use crate::fault::{self, Point};
use crate::handler::{FinishError, Handler, MessageError, Process, TaskContext};
use crate::messages::{self, Mailbox};
use crate::ipc::channel::Outbox;
use crate::broker::bridge::{Bridge, WorkerEnds};
use crate::ipc::frame::{self, Frames, Kind, FLAG_BROKER, FLAG_LAST, FLAG_SERIALIZED, HEADER_LEN};
use crate::ipc::payload::{self, BodyRef, Carrier};
use crate::log::Level;
use crate::log_at;
use crate::shm::{self, Shm, WorkerSlot, WorkerStatus, INBOX_BODY};
use crate::signals::{self, Wakeup};
use crate::transport::socketpair::SocketIn;
use crate::transport::TaskIn;
use crate::timer::{TimerId, Timers};
use crate::types::{Body, Bytes, Payload, TaskInfo, WorkerId};

pub struct TaskWorkerSetup {
    pub id: WorkerId,
    pub worker_num: usize,
    pub shm: Arc<Shm>,
    /// Where its tasks come from.
    pub inbox: Box<dyn TaskIn>,
    /// One per event worker, indexed by event worker id.
    pub result_outboxes: Vec<Outbox>,
    /// Its own mailbox (with a PipeMessage callback), and the way to every task worker's.
    pub mailbox: Option<Mailbox>,
    pub mailboxes: Vec<Outbox>,
    pub max_wait: Duration,
    /// Tasks this process runs before it exits to be replaced; 0 = no limit.
    pub max_request: u64,
    /// The descriptors this process owns (its inbox, the result channels), kept open here.
    pub fds: Vec<OwnedFd>,
    /// PROCESS mode: the way to the reactors, for send() and close() on any connection.
    pub reactors: Option<(crate::reactor::links::LinksSetup, Arc<crate::net::sessions::SessionDir>)>,
    /// With a task broker: this worker's ends of its bridge thread.
    pub broker: Option<WorkerEnds>,
}

/// Longest a stopping worker waits for its bridge thread to say it takes no more tasks.
const QUIESCE_BOUND: Duration = Duration::from_secs(3);

/// A task worker's side of its bridge thread (see `broker::bridge`).
struct BrokerSide {
    bridge: Bridge,
    /// Where the bridge hands tasks (received like any task, into the inbox buffer).
    inbox: SocketIn,
    _inbox_fd: OwnedFd,
    /// Results of broker tasks, each after its Route frame.
    out: Outbox,
    /// Closed when the worker has sent all it will: the bridge then writes the rest and ends.
    out_fd: Option<OwnedFd>,
    /// The bridge was told to take no more.
    quiet: bool,
}

/// What a task worker does next, between tasks: run a task, a timer that is due, or a
/// message from another worker.
pub enum Work {
    Task(Task),
    Timer(TimerId),
    Message(WorkerId, Payload),
}

/// A task ready to run, as `next_task` hands it out.

pub struct Task {
    pub info: TaskInfo,
    pub serialized: bool,
    body: TaskBody,
}

/// Where a task's body is: still in the inbox buffer, or in its own mapping (a memfd).
enum TaskBody {
    Inbox(std::ops::Range<usize>),
    Held(Bytes),
}

struct Running {
    info: TaskInfo,
    generation: u32,
    /// A broker task's Route body: its results go back through the bridge.
    route: Option<Vec<u8>>,
}

/// The datagram in the inbox buffer that this worker is working through.
#[derive(Default)]
struct Batch {
    /// Next frame's offset in the buffer, and the datagram's end.
    cursor: usize,
    end: usize,
    /// Frames begun so far (mirrored in the slot's `started`).
    index: u32,
    /// Taken from mode 3's shared queue: not counted in this worker's `queued`.
    shared: bool,
    /// Descriptors that came with it, one per memfd body, in frame order.
    fds: VecDeque<OwnedFd>,
    /// The Route frame read just before a broker task.
    route: Option<Vec<u8>>,
}

pub struct TaskWorker {
    id: WorkerId,
    shm: Arc<Shm>,
    inbox: Box<dyn TaskIn>,
    buf: shm::Inbox,
    results: Vec<Outbox>,
    mailbox: Option<Mailbox>,
    mailboxes: Vec<Outbox>,
    wake: Wakeup,
    batch: Batch,
    running: Option<Running>,
    max_wait: Duration,
    stopping: bool,
    timers: Timers,
    /// Timers due by this instant fire before the next task; it moves on when a task or a
    /// message was handed out (not a timer), so each timer fires at most once between two
    /// tasks and a slow tick cannot starve them.
    pass_now: Instant,
    refresh_pass: bool,
    max_request: u64,
    tasks_run: u64,
    /// The last task's frames have not all left yet (see `settle`).
    unsettled: bool,
    _fds: Vec<OwnedFd>,
    links: Option<crate::reactor::links::Links>,
    broker: Option<BrokerSide>,
}

impl TaskWorker {
    pub fn new(s: TaskWorkerSetup) -> io::Result<TaskWorker> {
        let index = (s.id as usize).checked_sub(s.worker_num).ok_or_else(|| io::Error::other("not a task worker id"))?;
        let buf = s.shm.inbox(index).ok_or_else(|| io::Error::other(format!("task worker#{} has no inbox buffer", s.id)))?;
        s.shm.slot(s.id).ok_or_else(|| io::Error::other(format!("task worker#{} has no slot", s.id)))?;
        let wake = signals::install(&[Signal::SIGTERM])?;
        let links = s.reactors.map(|(setup, dir)| crate::reactor::links::Links::sender(s.id, setup, dir, s.shm.clone()));
        let broker = match s.broker {
            Some(ends) => Some(BrokerSide {
                bridge: ends.bridge,
                inbox: SocketIn::new(ends.inbox.as_raw_fd())?,
                _inbox_fd: ends.inbox,
                out: Outbox::new(&ends.results, ends.max_message, usize::MAX),
                out_fd: Some(ends.results),
                quiet: false,
            }),
            None => None,
        };
        // SAFETY: nothing else in this process refers to the buffer yet. Touching every page
        // now means a later receive never faults on it: a fault interrupted by SIGKILL during
        // the kernel's copy could lose a dequeued datagram without a record.
        unsafe { buf.bytes_mut().fill(0) };
        Ok(TaskWorker {
            id: s.id,
            shm: s.shm,
            inbox: s.inbox,
            buf,
            results: s.result_outboxes,
            mailbox: s.mailbox,
            mailboxes: s.mailboxes,
            wake,
            batch: Batch::default(),
            running: None,
            max_wait: s.max_wait,
            stopping: false,
            timers: Timers::default(),
            pass_now: Instant::now(),
            refresh_pass: false,
            max_request: s.max_request,
            tasks_run: 0,
            unsettled: false,
            _fds: s.fds,
            links,
            broker,
        })
    }

    fn slot(&self) -> &WorkerSlot {
        // Checked in new(): this worker's id has a slot.
        self.shm.slot(self.id).expect("own slot checked at start")
    }

    fn send_result(&mut self, info: TaskInfo, generation: u32, route: Option<&[u8]>, data: &Payload, extra: u8) -> Result<(), FinishError> {
        let f = payload::message(Kind::Result, extra, (self.id, generation, info.id), data, usize::MAX, Carrier::Pass)
            .map_err(|e| FinishError::Pack(info.id, e))?;
        let out = self.reply_outbox(info.src_worker, generation, info.id, route).ok_or(FinishError::NoTask)?;
        out.push(f).map(|_| ()).map_err(|e| FinishError::Send(info.id, e))
    }

    /// Where frames for task `task` of `to` go: `to`'s result channel, or for a broker task
    /// the bridge, after the task's Route frame.
    fn reply_outbox(&mut self, to: WorkerId, generation: u32, task: i64, route: Option<&[u8]>) -> Option<&mut Outbox> {
        match (route, self.broker.as_mut()) {
            (Some(r), Some(b)) => {
                let f = frame::encode(Kind::Route, 0, self.id, generation, task, r).ok()?;
                b.out.push_lazy(f.into());
                Some(&mut b.out)
            }
            (Some(_), None) => None,
            (None, _) => self.results.get_mut(to as usize),
        }
    }

    /// Ends the running task: a returned value is its last result; otherwise a small "done"
    /// message follows, queued so it can share a datagram with whatever goes there next.
    pub fn complete(&mut self, ret: Option<Payload>) {
        let Some(r) = self.running.take() else { return };
        // Idle before the last result leaves: whoever gets the result of the last task sees
        // every task worker idle in stats().
        let slot = self.slot();
        slot.request_count.fetch_add(1, Relaxed);
        slot.set_status(WorkerStatus::Idle);
        self.tasks_run += 1;
        let sent_last = match ret {
            Some(p) => match self.send_result(r.info, r.generation, r.route.as_deref(), &p, FLAG_LAST) {
                Ok(()) => true,
                Err(e) => {
                    log_at!(Level::Warning, "TaskWorker::finish", "{}", e);
                    false
                }
            },
            None => false,
        };
        if !sent_last {
            self.push_notice(r.info.src_worker, Kind::Done, r.generation, r.info.id, b"", false, r.route.as_deref());
        }
        // The task stays "running" in the slot until its last frame has left this process:
        // killed before that, it is reported lost instead of vanishing.
        self.unsettled = true;
        self.settle();
    }

    /// Queues a small frame for event worker `to` (sent now with `now`, else with the next
    /// push or flush, sharing its datagram).
    #[allow(clippy::too_many_arguments)]
    fn push_notice(&mut self, to: WorkerId, kind: Kind, generation: u32, task: i64, body: &[u8], now: bool, route: Option<&[u8]>) {
        let id = self.id;
        let Some(out) = self.reply_outbox(to, generation, task, route) else {
            log_at!(Level::Warning, "TaskWorker::finish", "task#{} names worker#{}, which does not exist", task, to);
            return;
        };
        let sent = frame::encode(kind, 0, id, generation, task, body).map_err(io::Error::from).and_then(|f| {
            if now {
                out.push(f.into()).map(|_| ())
            } else {
                out.push_lazy(f.into());
                Ok(())
            }
        });
        if let Err(e) = sent {
            log_at!(Level::Warning, "TaskWorker::finish", "cannot tell worker#{} about task#{}: {}", to, task, e);
        }
    }

    /// Sends what is queued; once nothing is, the last task is off the books. True then.
    fn settle(&mut self) -> bool {
        self.flush_results();
        if !self.results.iter().chain(self.broker.as_ref().map(|b| &b.out)).all(Outbox::is_empty) {
            return false;
        }
        if self.unsettled {
            self.slot().running.clear();
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
    pub fn next_task(&mut self) -> io::Result<Option<Work>> {
        // Only a process with timers needs the clock here (one task, one reading at most).
        if std::mem::take(&mut self.refresh_pass) && !self.timers.is_empty() {
            self.pass_now = Instant::now();
        }
        loop {
            if self.stopping {
                self.timers.clear_all();
            } else if let Some(id) = self.timers.pop_due(self.pass_now) {
                return Ok(Some(Work::Timer(id)));
            }
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
            if let Some(t) = self.next_in_batch() {
                self.refresh_pass = true;
                return Ok(Some(Work::Task(t)));
            }
            if !self.stopping {
                if let Some((src, data)) = self.next_message() {
                    self.refresh_pass = true;
                    return Ok(Some(Work::Message(src, data)));
                }
            }
            if signals::take().has(Signal::SIGTERM) {
                self.stopping = true;
            }
            // Stopping (shutdown, reload) or retiring (task_max_request): what this process has
            // taken from its channel is done; the rest stays there for its successor (reload),
            // or was already reported by its senders when they gave up waiting (shutdown).
            if self.stopping || self.retiring() {
                // Broker tasks the bridge handed over before it was told to stop are run first.
                if self.last_broker_tasks()? {
                    continue;
                }
                self.flush_results();
                return Ok(None);
            }
            // Let waiting results and done-messages go before sleeping.
            self.flush_results();
            if self.results.iter().chain(&self.mailboxes).all(Outbox::is_empty) && self.timers.is_empty() && self.mailbox.is_none() && self.broker.is_none() {
                // The common case: sleep in the receive itself, one system call per task as a
                // plain reader would. It fails with EINTR on a signal, so SIGTERM wakes it; a
                // timeout bounds the rare race with a signal landing just before the call.
                self.slot().set_status(WorkerStatus::Idle);
                self.receive(true)?;
            } else {
                self.wait(true)?;
                self.receive(false)?;
            }
        }
    }

    /// Begins the next frame of the datagram in the inbox buffer, if any is left.
    fn next_in_batch(&mut self) -> Option<Task> {
        while self.batch.cursor < self.batch.end {
            // SAFETY: the buffer is written only by receive(), which runs only once this batch
            // is over; every slice of it handed out (a task body) is dropped before then.
            let buf = unsafe { self.buf.bytes() };
            let at = self.batch.cursor;
            let (h, len) = match Frames::new(&buf[at..self.batch.end]).next() {
                Some(Ok((h, body))) => (h, body.len()),
                Some(Err(e)) => {
                    log_at!(Level::Warning, "TaskWorker::receive", "bad task packet: {}", e);
                    self.batch.cursor = self.batch.end;
                    break;
                }
                None => break,
            };
            self.batch.cursor = at + HEADER_LEN + len;
            let index = self.batch.index;
            self.batch.index += 1;
            if h.kind == Kind::Route {
                self.batch.route = Some(buf[at + HEADER_LEN..at + HEADER_LEN + len].to_vec());
                self.slot().started.store(self.batch.index, Relaxed);
                continue;
            }
            if h.kind != Kind::Task {
                log_at!(Level::Warning, "TaskWorker::receive", "unexpected {:?} frame", h.kind);
                self.slot().started.store(self.batch.index, Relaxed);
                continue;
            }
            let route = match (h.flags & FLAG_BROKER != 0, self.batch.route.take()) {
                (false, _) => None,
                (true, Some(r)) => Some(r),
                (true, None) => {
                    log_at!(Level::Warning, "TaskWorker::receive", "broker task#{} of worker#{} came without its route; dropped", h.task_id, h.src);
                    self.slot().started.store(self.batch.index, Relaxed);
                    self.started(self.batch.shared);
                    continue;
                }
            };
            let inline = at + HEADER_LEN..at + HEADER_LEN + len;
            let body = match payload::body_ref(&h, &buf[inline.clone()], &mut self.batch.fds) {
                Ok(BodyRef::Inline(_)) => TaskBody::Inbox(inline),
                Ok(BodyRef::Held(b)) => TaskBody::Held(b),
                Err(e) => {
                    self.unreadable(&h, e, route.as_deref());
                    continue;
                }
            };
            let info = TaskInfo { id: h.task_id, src_worker: h.src };
            let slot = self.slot();
            slot.set_status(WorkerStatus::Busy);
            // Running first, then counted as begun: a death in between reports it once (the
            // manager skips a not-begun frame equal to the running task).
            slot.running.set(h.src, h.generation, h.task_id, self.batch.shared, route.is_some());
            slot.started.store(index + 1, Relaxed);
            self.started(self.batch.shared);
            self.running = Some(Running { info, generation: h.generation, route });
            return Some(Task { info, serialized: h.flags & FLAG_SERIALIZED != 0, body });
        }
        if self.batch.end > 0 {
            self.clear_batch();
        }
        None
    }

    /// The batch is over: its bytes are zeroed (the next receive starts from zeroes, so a
    /// kill before it leaves nothing that looks taken), its record reset.
    fn clear_batch(&mut self) {
        let end = self.batch.end;
        // SAFETY: no slice of the buffer is alive (the batch's bodies were all consumed).
        unsafe { self.buf.bytes_mut()[..end].fill(0) };
        self.slot().started.store(0, Relaxed);
        self.batch = Batch::default();
    }

    /// The task left the queue: Swoole's `tasking_num` counts only tasks not started yet.
    fn started(&self, shared: bool) {
        if !shared {
            self.slot().queued.fetch_sub(1, Relaxed);
        }
        self.shm.header().tasking_num.fetch_sub(1, Relaxed);
    }

    /// A task whose payload could not be read never runs: its sender hears it was lost (told
    /// before it counts as begun, so a kill in between reports it twice, never not at all).
    fn unreadable(&mut self, h: &frame::Header, e: io::Error, route: Option<&[u8]>) {
        let reason = format!("[Worker#{}] the execution of task#{} has failed: {}", self.id, h.task_id, e);
        log_at!(Level::Warning, "TaskWorker::receive", "{}", reason);
        self.push_notice(h.src, Kind::Lost, h.generation, h.task_id, reason.as_bytes(), true, route);
        self.slot().started.store(self.batch.index, Relaxed);
        self.started(self.batch.shared);
    }

    /// Receives one datagram into the inbox buffer. False when there was none (or a signal
    /// or the receive timeout ended the wait).
    fn receive(&mut self, wait: bool) -> io::Result<bool> {
        self.receive_from(wait, true)
    }

    /// As `receive`: the broker's inbox first (without waiting), then, with `local`, this
    /// worker's own channel.
    fn receive_from(&mut self, wait: bool, local: bool) -> io::Result<bool> {
        if fault::hit(Point::KillBeforeTake) {
            fault::kill_self();
        }
        // SAFETY: the batch is over (next_task only receives then), so no slice of the buffer
        // is alive; the kernel writes into it, the same bytes the manager reads after a death.
        let buf = unsafe { self.buf.bytes_mut() };
        let from_broker = match self.broker.as_mut() {
            Some(b) => b.inbox.receive(buf, false)?,
            None => None,
        };
        let got = match from_broker {
            Some(g) => g,
            None if local => match self.inbox.receive(buf, wait)? {
                Some(g) => g,
                None => return Ok(false),
            },
            None => return Ok(false),
        };
        if fault::hit(Point::KillAfterTake) {
            fault::kill_self();
        }
        self.batch = Batch { cursor: INBOX_BODY, end: got.end, index: 0, shared: got.shared, fds: got.fds, route: None };
        Ok(true)
    }

    /// Stopping: tells the bridge to take no more tasks (once), then takes what it handed
    /// over before that. True when a datagram came (its tasks run before the stop).
    fn last_broker_tasks(&mut self) -> io::Result<bool> {
        let Some(b) = self.broker.as_mut() else { return Ok(false) };
        if !b.quiet {
            b.quiet = true;
            if !b.bridge.quiesce(QUIESCE_BOUND) {
                log_at!(Level::Warning, "TaskWorker::stop", "task worker#{}: its broker thread did not stop taking tasks within {:?}", self.id, QUIESCE_BOUND);
            }
        }
        self.receive_from(false, false)
    }

    /// At exit, after the last results left: the bridge writes them to the broker, then ends.
    fn finish_broker(&mut self) {
        let Some(b) = self.broker.as_mut() else { return };
        b.out_fd = None;
        if !b.bridge.finish(self.max_wait) {
            log_at!(Level::Warning, "TaskWorker::stop", "task worker#{}: its last broker results were not written within {:?}", self.id, self.max_wait);
        }
    }

    /// The next message in this worker's mailbox, if one waits (never while stopping: what is
    /// left stays for the successor).
    fn next_message(&mut self) -> Option<(WorkerId, Payload)> {
        let mb = self.mailbox.as_mut()?;
        match mb.next() {
            Ok(m) => m,
            Err(e) => {
                log_at!(Level::Warning, "TaskWorker::message", "task worker#{}: unreadable message dropped: {}", self.id, e);
                None
            }
        }
    }

    fn flush_results(&mut self) {
        for out in self.results.iter_mut().chain(self.broker.as_mut().map(|b| &mut b.out)).chain(self.mailboxes.iter_mut()) {
            if let Err(e) = out.flush() {
                log_at!(Level::Warning, "TaskWorker::finish", "send result to worker failed: {}", e);
            }
        }
    }

    /// Sleeps until a task arrives, a signal lands or a full result channel has room again.
    /// `for_tasks`: also wake for a new task (otherwise only for room or a signal).
    fn wait(&mut self, for_tasks: bool) -> io::Result<()> {
        self.slot().set_status(WorkerStatus::Idle);
        let wake = (self.wake.fd(), PollFlags::POLLIN);
        // A timer bounds the sleep (none fire while stopping).
        self.timers.next_round();
        let limit = if self.stopping { PollTimeout::NONE } else { crate::clock::poll_timeout(self.timers.sleep_limit(None)) };
        let mut fds = vec![wake];
        if for_tasks {
            fds.extend(self.inbox.fd().map(|fd| (fd, PollFlags::POLLIN)));
            fds.extend(self.broker.as_ref().and_then(|b| b.inbox.fd()).map(|fd| (fd, PollFlags::POLLIN)));
            fds.extend(self.mailbox.as_ref().filter(|_| !self.stopping).map(|m| (m.fd(), PollFlags::POLLIN)));
        }
        // An inbox that cannot be polled: look again soon.
        let limit = if self.inbox.fd().is_none() { PollTimeout::from(1u8) } else { limit };
        let woken = self.poll_with_results(&fds, limit)?;
        self.pass_now = Instant::now();
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
        let waiting = self
            .results
            .iter()
            .chain(self.broker.as_ref().map(|b| &b.out))
            .chain(&self.mailboxes)
            .filter(|o| !o.is_empty())
            .filter_map(|o| o.fd())
            .map(|fd| (fd, PollFlags::POLLOUT));
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
        let deadline = crate::clock::after(self.max_wait);
        loop {
            // Messages still queued for a full mailbox leave too.
            self.flush_results();
            if self.settle() && self.mailboxes.iter().all(Outbox::is_empty) {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                let lost: usize = self.results.iter().map(|o| o.queued_frames()).sum();
                log_at!(Level::Warning, "TaskWorker::stop", "task worker#{} exit timeout: {} result message(s) lost", self.id, lost);
                return;
            }
            if let Err(e) = self.poll_with_results(&[], crate::clock::poll_timeout(Some(left))) {
                log_at!(Level::Warning, "TaskWorker::stop", "waiting to send results failed: {}", e);
                return;
            }
        }
    }
}

impl TaskContext for TaskWorker {
    fn id(&self) -> WorkerId {
        self.id
    }

    fn connections(&mut self) -> Option<&mut crate::reactor::links::Links> {
        self.links.as_mut()
    }

    fn shm(&self) -> &Arc<Shm> {
        &self.shm
    }

    fn timers(&mut self) -> &mut Timers {
        &mut self.timers
    }

    fn send_message(&mut self, dst: WorkerId, data: &Payload) -> Result<(), MessageError> {
        let m = messages::frame(self.id, data)?;
        let task_workers = self.shm.workers().saturating_sub(self.results.len());
        let out = messages::route(self.id, i64::from(dst), &mut self.results, &mut self.mailboxes, task_workers)?;
        out.push(m).map(|_| ()).map_err(|e| MessageError::Send(dst, e))?;
        // Sent now if the channel has room; otherwise the next loop pass flushes it.
        let _ = out.flush();
        Ok(())
    }

    fn current_task(&self) -> Option<TaskInfo> {
        self.running.as_ref().map(|r| r.info)
    }

    fn finish(&mut self, data: &Payload) -> Result<(), FinishError> {
        let r = self.running.as_ref().ok_or(FinishError::NoTask)?;
        let (info, generation, route) = (r.info, r.generation, r.route.clone());
        self.send_result(info, generation, route.as_deref(), data, 0)
    }
}

/// Runs a task worker until it is told to stop and its channel is empty.
pub fn run<H: Handler>(tw: Rc<std::cell::RefCell<TaskWorker>>, h: &mut H) -> io::Result<()> {
    let (id, buf) = {
        let t = tw.borrow();
        (t.id, t.buf)
    };
    h.enter(Process::Task(tw.clone()));
    h.on_worker_start(id);
    let result = loop {
        let next = tw.borrow_mut().next_task();
        match next {
            Ok(Some(Work::Message(src, data))) => h.on_pipe_message(src, data),
            Ok(Some(Work::Timer(timer))) => {
                h.on_timer(timer);
                tw.borrow_mut().timers.ran(timer);
            }
            Ok(Some(Work::Task(task))) => {
                let ret = {
                    let bytes: &[u8] = match &task.body {
                        // SAFETY: the inbox is written only by the next receive, which cannot
                        // run before this slice is dropped (end of this block).
                        TaskBody::Inbox(r) => unsafe { &buf.bytes()[r.clone()] },
                        TaskBody::Held(b) => b,
                    };
                    h.on_task(task.info, Body { serialized: task.serialized, bytes })
                };
                tw.borrow_mut().complete(ret);
            }
            Ok(None) => break Ok(()),
            Err(e) => {
                log_at!(Level::Error, "TaskWorker::loop", "task worker#{} loop failed: {}", id, e);
                break Err(e);
            }
        }
    };
    tw.borrow_mut().drain_results();
    tw.borrow_mut().finish_broker();
    let shm = tw.borrow().shm.clone();
    if let Some(slot) = shm.slot(id) {
        slot.set_status(WorkerStatus::Exit);
    }
    h.on_worker_stop(id);
    // PROCESS mode: what send() queued for a reactor leaves before this process does.
    let max_wait = tw.borrow().max_wait;
    if let Some(l) = tw.borrow_mut().links.as_mut() {
        if !l.flush_blocking(max_wait) {
            log_at!(Level::Warning, "Worker::stop", "task worker#{}: output for a reactor could not be written before it exited", id);
        }
    }
    result
}
