//! The sending side of tasks, in any process that sends them (today: event workers): task ids,
//! packing, the books in shared memory, back-pressure, taskwait, and turning the frames that
//! come back on the result channel into events. It runs inside its owner's loop: it never
//! blocks except in `task_wait` and the back-pressure wait, which keep reading results.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io;
use std::os::fd::{BorrowedFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Interest, Registry, Token};
use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags};

use crate::clock;
use crate::dispatch;
use crate::handler::{LostTask, TaskError};
use crate::ipc::channel::{self, recv_buffer, Outbox};
use crate::ipc::frame::{self, Frames, Kind, FLAG_LAST, FLAG_SOCKET, HEADER_LEN};
use crate::ipc::payload::{self, Carrier};
use crate::log::Level;
use crate::log_at;
use crate::shm::Shm;
use crate::transport::TaskOut;
use crate::types::{Payload, TaskId, WorkerId};

/// How often tasks waiting for room in a destination poll(2) cannot watch are retried.
pub const UNPOLLABLE_RETRY: Duration = Duration::from_millis(1);

/// What the result channel brought, for the owner to hand to user code.
#[derive(Debug)]
pub enum TaskEvent {
    /// One result of a task this process sent.
    Finish(TaskId, Payload),
    /// The task is over; no result will follow.
    Done(TaskId),
    /// The task will never finish (its task worker died).
    Lost(LostTask),
    /// Not a task's: a `sendMessage()` from worker `0` to this one (PipeMessage).
    Message(crate::types::WorkerId, Payload),
}

/// How many tasks may wait in the sender when the task channels are full, and how long
/// task() waits for room beyond that before it gives up.
#[derive(Clone, Copy, Debug)]
pub struct Backlog {
    pub max: usize,
    pub timeout: Duration,
}

pub struct TaskClientSetup {
    /// The sender's global worker id and incarnation: results name both.
    pub id: WorkerId,
    pub generation: u32,
    pub worker_num: usize,
    pub shm: Arc<Shm>,
    pub results_rx: RawFd,
    pub max_message: usize,
    pub out: Box<dyn TaskOut>,
    pub backlog: Backlog,
    /// Keep each task's payload until it is over, to send it again once if its worker dies.
    pub retry_lost: bool,
    /// Outbox `i` is registered for room with token `first_token + i`.
    pub first_token: usize,
}

/// A task sent by taskwait/taskWaitMulti: its first result goes to the waiting caller, never
/// to Finish or a callback.
enum Wait {
    Pending { result: Option<Payload>, over: bool },
    /// The caller has its answer or gave up: later results of this task are dropped.
    Abandoned,
}

pub struct TaskClient {
    id: WorkerId,
    generation: u32,
    worker_num: usize,
    shm: Arc<Shm>,
    results_rx: RawFd,
    recv_buf: Vec<u8>,
    out: Box<dyn TaskOut>,
    watched: Vec<bool>,
    first_token: usize,
    /// Large payloads lent to task workers (transports without descriptor passing), kept until
    /// their task is over.
    lent: HashMap<TaskId, OwnedFd>,
    next_task_id: TaskId,
    in_flight: HashSet<TaskId>,
    /// Tasks sent by taskwait/taskWaitMulti that are not over yet.
    waits: HashMap<TaskId, Wait>,
    retry_lost: bool,
    /// task_retry_lost: payloads of tasks in flight, and whether they were sent again already.
    retained: HashMap<TaskId, (Payload, bool)>,
    backlog: Backlog,
    /// The last wait for room timed out: until the task workers take something, task() fails
    /// at once instead of stalling this worker for the timeout again on every call.
    stalled: bool,
    events: VecDeque<TaskEvent>,
    /// Forward frames from other event workers, for the owner's connection table.
    forwarded: VecDeque<(frame::Header, Payload)>,
    /// Connections the previous process in this slot handed over, with their sockets.
    adopted: VecDeque<(frame::Header, OwnedFd, Payload)>,
}

impl TaskClient {
    pub fn new(s: TaskClientSetup) -> TaskClient {
        let n = s.out.outboxes_ref().len();
        TaskClient {
            id: s.id,
            generation: s.generation,
            worker_num: s.worker_num,
            shm: s.shm,
            results_rx: s.results_rx,
            recv_buf: recv_buffer(s.max_message),
            out: s.out,
            watched: vec![false; n],
            first_token: s.first_token,
            lent: HashMap::new(),
            next_task_id: 0,
            in_flight: HashSet::new(),
            waits: HashMap::new(),
            retry_lost: s.retry_lost,
            retained: HashMap::new(),
            backlog: s.backlog,
            stalled: false,
            events: VecDeque::new(),
            forwarded: VecDeque::new(),
            adopted: VecDeque::new(),
        }
    }

    pub fn results_fd(&self) -> RawFd {
        self.results_rx
    }

    /// Events read but not handed out yet (a pass that queued some must not sleep).
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    pub fn pop_event(&mut self) -> Option<TaskEvent> {
        self.events.pop_front()
    }

    /// No task of this process is in flight.
    pub fn idle(&self) -> bool {
        self.in_flight.is_empty()
    }

    /// Every task this process sent has left it.
    pub fn all_sent(&self) -> bool {
        self.out.outboxes_ref().iter().all(Outbox::is_empty)
    }

    /// The outbox a writable token names, if it is one of ours.
    pub fn outbox_of(&self, token: Token) -> Option<usize> {
        token.0.checked_sub(self.first_token).filter(|&i| i < self.watched.len())
    }

    /// Tasks waiting in this process for room in a task worker's channel.
    pub fn backlog_len(&self) -> usize {
        self.out.outboxes_ref().iter().map(Outbox::queued_frames).sum()
    }

    /// Whether tasks wait for room in a destination poll() cannot watch: the owner's loop
    /// then retries on a short timer (UNPOLLABLE_RETRY).
    pub fn needs_retry_timer(&self) -> bool {
        self.out.outboxes_ref().iter().any(|o| o.fd().is_none() && !o.is_empty())
    }

    /// Sends a task; `dst` is a task-worker index, None lets the scheduler choose.
    pub fn task(&mut self, registry: &Registry, data: &Payload, dst: Option<usize>) -> Result<TaskId, TaskError> {
        if crate::fault::hit(crate::fault::Point::PanicInTaskSend) {
            panic!("deliberate fault panic_in_task_send");
        }
        let n = self.out.task_workers();
        if n == 0 && (dst.is_some() || self.out.any_free().is_none()) {
            return Err(TaskError::NoTaskWorker);
        }
        if dst.is_none() {
            // A broker that does not answer refuses at once: the caller is never made to wait
            // for one that may not come back.
            if let Some(why) = self.out.unavailable() {
                return Err(TaskError::Unavailable(why));
            }
            if let Some(max) = self.out.max_body().filter(|&m| data.bytes.len() > m) {
                return Err(TaskError::TooLarge(data.bytes.len(), max));
            }
        }
        if self.backlog_len() >= self.backlog.max {
            self.wait_for_room(registry)?;
        }
        let idx = match (dst, self.out.any_free()) {
            (Some(i), _) => i.min(n - 1),
            (None, Some(shared)) => shared,
            (None, None) => {
                let outs = self.out.outboxes_ref();
                dispatch::choose_in(&self.shm, self.worker_num as u32, n, |i| outs[i].queued_frames())
            }
        };
        let id = self.next_task_id;
        self.send_task(registry, id, data, idx)?;
        if self.retry_lost {
            self.retained.insert(id, (data.clone(), false));
        }
        self.next_task_id += 1;
        self.in_flight.insert(id);
        Ok(id)
    }

    /// Packs task `id` and hands it to outbox `idx` (a task worker, or the "any free" one).
    fn send_task(&mut self, registry: &Registry, id: TaskId, data: &Payload, idx: usize) -> Result<(), TaskError> {
        let carrier = self.out.carrier();
        let inline_max = match carrier {
            Carrier::Pass => usize::MAX,
            Carrier::Lend => self.out.outboxes_ref()[idx].max_message().saturating_sub(HEADER_LEN),
        };
        let mut f = payload::message(Kind::Task, 0, (self.id, self.generation, id), data, inline_max, carrier).map_err(TaskError::Pack)?;
        let lent = if carrier == Carrier::Lend { f.fd.take() } else { None };
        self.send_tasks(registry, idx, 1, |out| out.push(f)).map_err(|source| TaskError::Send {
            bytes: data.bytes.len(),
            worker: (self.worker_num + idx) as WorkerId,
            source,
        })?;
        if let Some(fd) = lent {
            self.lent.insert(id, fd);
        }
        self.out.sent_to(idx, &self.shm);
        Ok(())
    }

    /// task_retry_lost: a task whose worker died gets one more run, on the next task worker
    /// (the dead one's successor when it is the only one). Its results come as if nothing
    /// happened; the books move it from lost to retried.
    fn retry(&mut self, registry: &Registry, id: TaskId, dead: WorkerId) -> bool {
        let data = match self.retained.get_mut(&id) {
            Some((data, retried @ false)) => {
                *retried = true;
                data.clone()
            }
            _ => return false,
        };
        let n = self.out.task_workers();
        if let (Some(_), Some(why)) = (self.out.any_free(), self.out.unavailable()) {
            log_at!(Level::Warning, "Worker::retry", "task#{} of worker#{} cannot be sent again: {}", id, self.id, why);
            return false;
        }
        let idx = self.out.any_free().unwrap_or_else(|| (dead as usize).saturating_sub(self.worker_num).wrapping_add(1) % n.max(1));
        match self.send_task(registry, id, &data, idx) {
            Ok(()) => {
                self.shm.header().task_retry_num.fetch_add(1, Relaxed);
                log_at!(Level::Warning, "Worker::retry", "task#{} of worker#{} is sent again, to task worker#{}", id, self.id, self.worker_num + idx.min(n.saturating_sub(1)));
                true
            }
            Err(e) => {
                log_at!(Level::Warning, "Worker::retry", "task#{} of worker#{} cannot be sent again: {}", id, self.id, e);
                false
            }
        }
    }

    pub fn flush_all(&mut self, registry: &Registry) -> io::Result<()> {
        for idx in 0..self.out.outboxes_ref().len() {
            if !self.out.outboxes_ref()[idx].is_empty() {
                self.send_tasks(registry, idx, 0, Outbox::flush)?;
            }
        }
        Ok(())
    }

    /// Outbox `idx` has room again.
    pub fn on_writable(&mut self, registry: &Registry, idx: usize) -> io::Result<()> {
        if self.out.outboxes_ref().get(idx).is_some_and(|o| !o.is_empty()) {
            self.send_tasks(registry, idx, 0, Outbox::flush)?;
        }
        Ok(())
    }

    /// Runs a push (`new_frames` = 1) or flush (0) on outbox `idx`, keeping the shared
    /// counters exact: every frame that may leave is counted before it can reach the task
    /// worker (which uncounts it when it starts the task), and whatever is still in the local
    /// queue afterwards is uncounted again. Tasks in the "any free" outbox belong to no worker
    /// until one takes them: they count in `tasking_num` only.
    fn send_tasks(&mut self, registry: &Registry, idx: usize, new_frames: i64, op: impl FnOnce(&mut Outbox) -> io::Result<usize>) -> io::Result<()> {
        let shm = self.shm.clone();
        let slot = if idx < self.out.task_workers() { shm.slot((self.worker_num + idx) as WorkerId) } else { None };
        let h = shm.header();
        let may_send = self.out.outboxes_ref()[idx].queued_frames() as i64 + new_frames;
        if let Some(s) = slot {
            s.queued.fetch_add(may_send, Relaxed);
        }
        h.tasking_num.fetch_add(may_send, Relaxed);
        let result = op(&mut self.out.outboxes()[idx]);
        let outbox = &self.out.outboxes_ref()[idx];
        let left = outbox.queued_frames() as i64;
        if left > 0 {
            if let Some(s) = slot {
                s.queued.fetch_sub(left, Relaxed);
            }
            h.tasking_num.fetch_sub(left, Relaxed);
        }
        h.task_count.fetch_add((may_send - left).max(0) as u64, Relaxed);
        if left > 0 && !self.watched[idx] {
            if let Some(fd) = outbox.fd() {
                registry.register(&mut SourceFd(&fd), Token(self.first_token + idx), Interest::WRITABLE)?;
                self.watched[idx] = true;
            }
        }
        result.map(|_| ())
    }

    /// taskwait / taskWaitMulti: sends each payload, then blocks until every task has given
    /// its first result or ended, or until `timeout` (None: until they end). Results of other
    /// tasks read meanwhile are queued and delivered after the current callback.
    pub fn task_wait(&mut self, registry: &Registry, items: &[(Payload, Option<usize>)], timeout: Option<Duration>) -> Vec<Result<Option<Payload>, TaskError>> {
        let deadline = timeout.map(clock::after);
        let sent: Vec<Result<TaskId, TaskError>> = items
            .iter()
            .map(|(data, dst)| {
                let id = self.task(registry, data, *dst)?;
                self.waits.insert(id, Wait::Pending { result: None, over: false });
                Ok(id)
            })
            .collect();
        let ids: Vec<TaskId> = sent.iter().filter_map(|r| r.as_ref().ok().copied()).collect();
        while !ids.iter().all(|id| self.wait_answered(*id)) {
            let left = match deadline {
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    Some(l) if !l.is_zero() => Some(l),
                    _ => break,
                },
                None => None,
            };
            if let Err(e) = self.wait_for_results(registry, left) {
                log_at!(Level::Warning, "Worker::taskwait", "waiting for task results failed: {}", e);
                break;
            }
        }
        sent.into_iter().map(|r| r.map(|id| self.take_wait(id))).collect()
    }

    /// Back-pressure: blocks (reading results meanwhile, so no task worker can block on us)
    /// until the backlog is below its bound, or fails after the backlog timeout.
    fn wait_for_room(&mut self, registry: &Registry) -> Result<(), TaskError> {
        if self.stalled {
            if let Err(e) = self.flush_all(registry) {
                log_at!(Level::Warning, "Worker::task", "sending queued tasks failed: {}", e);
            }
            let n = self.backlog_len();
            if n >= self.backlog.max {
                return Err(TaskError::Backlog(n, self.backlog.timeout));
            }
            self.stalled = false;
            return Ok(());
        }
        let deadline = clock::after(self.backlog.timeout);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if let Err(e) = self.wait_for_results(registry, Some(left)) {
                log_at!(Level::Warning, "Worker::task", "waiting for room in the task channels failed: {}", e);
            }
            let n = self.backlog_len();
            if n < self.backlog.max {
                return Ok(());
            }
            if left.is_zero() {
                self.stalled = true;
                return Err(TaskError::Backlog(n, self.backlog.timeout));
            }
        }
    }

    fn wait_answered(&self, id: TaskId) -> bool {
        !matches!(self.waits.get(&id), Some(Wait::Pending { result: None, over: false }))
    }

    fn take_wait(&mut self, id: TaskId) -> Option<Payload> {
        match self.waits.remove(&id) {
            Some(Wait::Pending { result, over }) => {
                if !over {
                    self.waits.insert(id, Wait::Abandoned);
                }
                result
            }
            _ => None,
        }
    }

    /// One blocking step of a wait: lets queued tasks out and reads whatever results came in.
    /// Uses its own poll(2) so the owner's edge-triggered registrations are left alone.
    fn wait_for_results(&mut self, registry: &Registry, timeout: Option<Duration>) -> io::Result<()> {
        self.flush_all(registry)?;
        let timeout = if self.needs_retry_timer() { Some(timeout.map_or(UNPOLLABLE_RETRY, |t| t.min(UNPOLLABLE_RETRY))) } else { timeout };
        let outs = self.out.outboxes_ref().iter().filter(|o| !o.is_empty()).filter_map(|o| o.fd()).map(|fd| (fd, PollFlags::POLLOUT));
        let fds: Vec<(RawFd, PollFlags)> = std::iter::once((self.results_rx, PollFlags::POLLIN)).chain(outs).collect();
        // SAFETY: these fds stay open for the life of this process; the borrows end with poll().
        let mut pfds: Vec<PollFd> = fds.iter().map(|&(fd, ev)| PollFd::new(unsafe { BorrowedFd::borrow_raw(fd) }, ev)).collect();
        match poll(&mut pfds, clock::poll_timeout(timeout)) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
        self.read_results(registry)
    }

    /// Reads every datagram waiting on the result channel.
    pub fn read_results(&mut self, registry: &Registry) -> io::Result<()> {
        let mut fds = VecDeque::new();
        while let Some(n) = channel::recv(self.results_rx, &mut self.recv_buf, &mut fds, false)? {
            let buf = std::mem::take(&mut self.recv_buf);
            for f in Frames::new(&buf[..n]) {
                match f {
                    Ok((h, b)) if h.kind == Kind::Adopt => {
                        // The socket first, then (for a large body) its memfd.
                        let socket = if h.flags & FLAG_SOCKET != 0 { fds.pop_front() } else { None };
                        match (socket, payload::body(&h, b, &mut fds)) {
                            (Some(sock), Ok(body)) => self.adopted.push_back((h, sock, body)),
                            (_, Err(e)) => log_at!(Level::Warning, "Worker::read_results", "session#{} handed over without its state: {}", h.task_id, e),
                            (None, _) => log_at!(Level::Warning, "Worker::read_results", "session#{} handed over without its socket", h.task_id),
                        }
                    }
                    Ok((h, b)) => match payload::body(&h, b, &mut fds) {
                        Ok(body) => self.on_result_frame(registry, h, body),
                        // Its task still ends: it is reported lost, not left in flight.
                        Err(e) => {
                            let why = format!("task#{} of worker#{} was lost: its result cannot be read: {}", h.task_id, self.id, e);
                            log_at!(Level::Warning, "Worker::read_results", "{}", why);
                            self.on_result_frame(registry, frame::Header { kind: Kind::Lost, ..h }, Payload::raw(why.into_bytes()));
                        }
                    },
                    Err(e) => log_at!(Level::Warning, "Worker::read_results", "bad frame on worker#{}: {}", self.id, e),
                }
            }
            self.recv_buf = buf;
            fds.clear();
        }
        Ok(())
    }

    /// A connection the previous process in this slot handed over.
    pub fn pop_adopted(&mut self) -> Option<(frame::Header, OwnedFd, Payload)> {
        self.adopted.pop_front()
    }

    /// A send() or close() another event worker forwarded for a connection this one owns.
    pub fn pop_forwarded(&mut self) -> Option<(frame::Header, Payload)> {
        self.forwarded.pop_front()
    }

    fn on_result_frame(&mut self, registry: &Registry, h: frame::Header, body: Payload) {
        if h.kind == Kind::Forward {
            // Not a task's: addressed to a connection, whoever runs this slot now.
            self.forwarded.push_back((h, body));
            return;
        }
        if h.kind == Kind::Message {
            // Addressed to the worker id, whoever runs it now: a successor gets what its
            // predecessor left unread.
            self.events.push_back(TaskEvent::Message(h.src, body));
            return;
        }
        if h.generation != self.generation {
            // Sent by a previous process in this slot: its callbacks died with it.
            log_at!(Level::Notice, "Worker::read_results", "dropped a result of task#{} sent by a previous worker#{} process", h.task_id, self.id);
            return;
        }
        match h.kind {
            // A result after its task was reported lost (its worker died just after sending
            // it) must not surface: the loss was already told and counted.
            Kind::Result if !self.in_flight.contains(&h.task_id) => {}
            Kind::Result => {
                match self.waits.get_mut(&h.task_id) {
                    Some(Wait::Pending { result: r @ None, .. }) => *r = Some(body),
                    Some(_) => {}
                    None => self.events.push_back(TaskEvent::Finish(h.task_id, body)),
                }
                if h.flags & FLAG_LAST != 0 {
                    self.task_over(h.task_id, false);
                }
            }
            Kind::Done => self.task_over(h.task_id, false),
            Kind::Lost => {
                if !self.in_flight.contains(&h.task_id) {
                    return;
                }
                if self.retry_lost && self.retry(registry, h.task_id, h.src) {
                    return;
                }
                self.shm.header().task_lost_num.fetch_add(1, Relaxed);
                let reason = String::from_utf8_lossy(&body.bytes).into_owned();
                log_at!(Level::Warning, "Worker::task", "{}", reason);
                self.events.push_back(TaskEvent::Lost(LostTask { task_id: h.task_id, reason }));
                self.task_over(h.task_id, true);
            }
            _ => {}
        }
    }

    /// No more results will come for `id`.
    fn task_over(&mut self, id: TaskId, lost: bool) {
        if !self.in_flight.remove(&id) {
            return;
        }
        self.lent.remove(&id);
        self.retained.remove(&id);
        match self.waits.get_mut(&id) {
            Some(Wait::Pending { over, .. }) => *over = true,
            Some(Wait::Abandoned) => {
                self.waits.remove(&id);
            }
            None if !lost => self.events.push_back(TaskEvent::Done(id)),
            None => {}
        }
    }

    /// A stopping sender gives up on the tasks still in flight: they are counted lost and
    /// named in one log line.
    pub fn give_up(&mut self) {
        if self.in_flight.is_empty() {
            return;
        }
        self.shm.header().task_lost_num.fetch_add(self.in_flight.len() as u64, Relaxed);
        let mut ids: Vec<_> = self.in_flight.iter().copied().collect();
        ids.sort_unstable();
        log_at!(
            Level::Warning,
            "Worker::stop",
            "worker#{} exit timeout: {} task(s) still unfinished, their results are lost: {:?}",
            self.id,
            ids.len(),
            ids
        );
    }
}
