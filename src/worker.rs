//! The event worker: one mio loop over the shared listening socket, the connections this
//! process accepted, its task-result channel and its signal pipe.
//!
//! The loop hands out one [`Event`] at a time and holds no borrow while user code runs, so a
//! callback can call `send()`, `close()` or `task()` on this same worker.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io;
use std::net::TcpListener as StdListener;
use std::os::fd::{BorrowedFd, OwnedFd, RawFd};
use std::rc::Rc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use mio::net::TcpListener;
use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use nix::errno::Errno;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::Signal;
use thiserror::Error;

use crate::dispatch;
use crate::handler::{Handler, LostTask, Process};
use crate::ipc::channel::{self, recv_buffer, Outbox};
use crate::ipc::frame::{self, Frames, Kind, FLAG_LAST};
use crate::ipc::frame::HEADER_LEN;
use crate::ipc::payload::{self, Carrier};
use crate::log::Level;
use crate::log_at;
use crate::net::connection::{Connection, ReadOutcome};
use crate::shm::{Shm, WorkerStatus};
use crate::signals::{self, Wakeup};
use crate::types::{Payload, SessionId, TaskId, WorkerId};

const LISTENER: Token = Token(0);
const RESULTS: Token = Token(1);
const WAKE: Token = Token(2);
const TASK_OUT: usize = 16;
/// How often tasks waiting for room in a System V queue are retried.
const QUEUE_RETRY: Duration = Duration::from_millis(1);
const CONN: usize = 1 << 24;

#[derive(Debug)]
pub enum Event {
    Connect(SessionId),
    Receive(SessionId, Vec<u8>),
    Close(SessionId, i32),
    Finish(TaskId, Payload),
    TaskDone(TaskId),
    TaskLost(LostTask),
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
}

#[derive(Debug, Error)]
pub enum SendError {
    #[error("session#{0} does not exist")]
    NoSession(SessionId),
    #[error("send to session#{0} failed: {1}")]
    Io(SessionId, io::Error),
}

/// What an event worker is given by the manager.
pub struct EventWorkerSetup {
    pub id: WorkerId,
    pub worker_num: usize,
    pub shm: Rc<Shm>,
    pub listener: StdListener,
    pub results_rx: RawFd,
    pub max_message: usize,
    /// One per task worker, in task-worker order, then (task_ipc_mode 3) the shared queue's.
    pub task_outboxes: Vec<Outbox>,
    pub task_ipc: TaskIpc,
    pub max_wait: Duration,
    pub backlog: Backlog,
    /// Receive callbacks this process runs before it is replaced; 0 = no limit.
    pub max_request: u64,
    /// Keep each task's payload until it is over, to send it again once if its worker dies.
    pub retry_lost: bool,
    /// The descriptors this process owns (its result channel, the task inboxes), kept open.
    pub fds: Vec<OwnedFd>,
}

/// What the task channels are, as far as a sender cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskIpc {
    /// One socketpair per task worker (task_ipc_mode 1).
    Sockets,
    /// One System V queue, each message for one task worker (mode 2).
    Queue,
    /// One System V queue, taken by whichever task worker is free (mode 3); the last outbox
    /// is the shared one, and a task sent to one worker wakes it (it sleeps on shared tasks).
    SharedQueue,
}

/// How many tasks may wait in an event worker when the task channels are full, and how long
/// task() waits for room beyond that before it gives up.
#[derive(Clone, Copy, Debug)]
pub struct Backlog {
    pub max: usize,
    pub timeout: Duration,
}

/// A task sent by taskwait/taskWaitMulti: its first result goes to the waiting caller, never
/// to Finish or a callback.
enum Wait {
    Pending { result: Option<Payload>, over: bool },
    /// The caller has its answer or gave up: later results of this task are dropped.
    Abandoned,
}

enum State {
    Running,
    Stopping { deadline: Instant },
    Done,
}

pub struct EventWorker {
    id: WorkerId,
    generation: u32,
    worker_num: usize,
    shm: Rc<Shm>,
    poll: Poll,
    events: Events,
    listener: Option<TcpListener>,
    conns: Vec<Option<Connection>>,
    free: Vec<usize>,
    sessions: HashMap<SessionId, usize>,
    results_rx: RawFd,
    recv_buf: Vec<u8>,
    task_out: Vec<Outbox>,
    task_out_watched: Vec<bool>,
    task_workers: usize,
    task_ipc: TaskIpc,
    /// Large payloads lent to task workers through a queue, kept until their task is over.
    lent: HashMap<TaskId, OwnedFd>,
    wake: Wakeup,
    queue: VecDeque<Event>,
    next_task_id: TaskId,
    in_flight: HashSet<TaskId>,
    /// Tasks sent by taskwait/taskWaitMulti that are not over yet.
    waits: HashMap<TaskId, Wait>,
    max_wait: Duration,
    max_request: u64,
    requests: u64,
    retry_lost: bool,
    /// task_retry_lost: payloads of tasks in flight, and whether they were sent again already.
    retained: HashMap<TaskId, (Payload, bool)>,
    backlog: Backlog,
    /// The last wait for room timed out: until the task workers take something, task() fails
    /// at once instead of stalling this worker for the timeout again on every call.
    stalled: bool,
    state: State,
    /// A loop pass failed half-way: the next one looks at every source once.
    resync: bool,
    _fds: Vec<OwnedFd>,
}

impl EventWorker {
    pub fn new(s: EventWorkerSetup) -> io::Result<EventWorker> {
        let wake = signals::install(&[Signal::SIGTERM])?;
        let poll = Poll::new()?;
        s.listener.set_nonblocking(true)?;
        let mut listener = TcpListener::from_std(s.listener);
        poll.registry().register(&mut listener, LISTENER, Interest::READABLE)?;
        poll.registry().register(&mut SourceFd(&s.results_rx), RESULTS, Interest::READABLE)?;
        poll.registry().register(&mut SourceFd(&wake.fd()), WAKE, Interest::READABLE)?;
        let generation = s.shm.slot(s.id).ok_or_else(|| io::Error::other(format!("worker#{} has no slot", s.id)))?.generation.load(Relaxed);
        let n = s.task_outboxes.len();
        let task_workers = if s.task_ipc == TaskIpc::SharedQueue { n.saturating_sub(1) } else { n };
        Ok(EventWorker {
            id: s.id,
            generation,
            worker_num: s.worker_num,
            shm: s.shm,
            poll,
            events: Events::with_capacity(256),
            listener: Some(listener),
            conns: Vec::new(),
            free: Vec::new(),
            sessions: HashMap::new(),
            results_rx: s.results_rx,
            recv_buf: recv_buffer(s.max_message),
            task_out: s.task_outboxes,
            task_out_watched: vec![false; n],
            task_workers,
            task_ipc: s.task_ipc,
            lent: HashMap::new(),
            wake,
            queue: VecDeque::new(),
            next_task_id: 0,
            in_flight: HashSet::new(),
            waits: HashMap::new(),
            max_wait: s.max_wait,
            backlog: s.backlog,
            max_request: s.max_request,
            requests: 0,
            retry_lost: s.retry_lost,
            resync: false,
            _fds: s.fds,
            retained: HashMap::new(),
            stalled: false,
            state: State::Running,
        })
    }

    pub fn id(&self) -> WorkerId {
        self.id
    }

    fn own_slot(&self) -> &crate::shm::WorkerSlot {
        // Checked in new(): this worker's id has a slot.
        self.shm.slot(self.id).expect("own slot checked at start")
    }

    pub fn shm(&self) -> &Rc<Shm> {
        &self.shm
    }

    /// Sends a task; `dst` is a task-worker index, None lets the scheduler choose.
    pub fn task(&mut self, data: &Payload, dst: Option<usize>) -> Result<TaskId, TaskError> {
        if crate::fault::hit(crate::fault::Point::PanicInTaskSend) {
            panic!("deliberate fault panic_in_task_send");
        }
        let n = self.task_workers;
        if n == 0 {
            return Err(TaskError::NoTaskWorker);
        }
        if matches!(self.state, State::Done) {
            return Err(TaskError::Stopping);
        }
        if self.backlog_len() >= self.backlog.max {
            self.wait_for_room()?;
        }
        let idx = match dst {
            Some(i) => i.min(n - 1),
            None if self.task_ipc == TaskIpc::SharedQueue => n,
            None => {
                let outs = &self.task_out;
                dispatch::choose_in(&self.shm, self.worker_num as u32, n, |i| outs[i].queued_frames())
            }
        };
        let id = self.next_task_id;
        self.send_task(id, data, idx)?;
        if self.retry_lost {
            self.retained.insert(id, (data.clone(), false));
        }
        self.next_task_id += 1;
        self.in_flight.insert(id);
        Ok(id)
    }

    /// Packs task `id` and hands it to outbox `idx` (a task worker, or mode 3's shared queue).
    fn send_task(&mut self, id: TaskId, data: &Payload, idx: usize) -> Result<(), TaskError> {
        let (carrier, inline_max) = match self.task_ipc {
            TaskIpc::Sockets => (Carrier::Pass, usize::MAX),
            _ => (Carrier::Lend, self.task_out[idx].max_message().saturating_sub(HEADER_LEN)),
        };
        let mut f = payload::message(Kind::Task, 0, (self.id, self.generation, id), data, inline_max, carrier).map_err(TaskError::Pack)?;
        let lent = if carrier == Carrier::Lend { f.fd.take() } else { None };
        self.send_tasks(idx, 1, |out| out.push(f)).map_err(|source| TaskError::Send {
            bytes: data.bytes.len(),
            worker: (self.worker_num + idx) as WorkerId,
            source,
        })?;
        if let Some(fd) = lent {
            self.lent.insert(id, fd);
        }
        if self.task_ipc == TaskIpc::SharedQueue && idx < self.task_workers {
            self.wake_task_worker(idx);
        }
        Ok(())
    }

    /// task_retry_lost: a task whose worker died gets one more run, on the next task worker
    /// (the dead one's successor when it is the only one). Its results come as if nothing
    /// happened; the books move it from lost to retried.
    fn retry(&mut self, id: TaskId, dead: WorkerId) -> bool {
        let data = match self.retained.get_mut(&id) {
            Some((data, retried @ false)) => {
                *retried = true;
                data.clone()
            }
            _ => return false,
        };
        let n = self.task_workers;
        let idx = match self.task_ipc {
            TaskIpc::SharedQueue => n,
            _ => (dead as usize).saturating_sub(self.worker_num).wrapping_add(1) % n.max(1),
        };
        match self.send_task(id, &data, idx) {
            Ok(()) => {
                let h = self.shm.header();
                h.task_retry_num.fetch_add(1, Relaxed);
                log_at!(Level::Warning, "Worker::retry", "task#{} of worker#{} is sent again, to task worker#{}", id, self.id, self.worker_num + idx.min(n.saturating_sub(1)));
                true
            }
            Err(e) => {
                log_at!(Level::Warning, "Worker::retry", "task#{} of worker#{} cannot be sent again: {}", id, self.id, e);
                false
            }
        }
    }

    /// Mode 3: a task worker sleeps on the shared message type; one sent to it alone needs a
    /// nudge (a signal that interrupts its wait) to be seen now.
    fn wake_task_worker(&self, idx: usize) {
        let Some(slot) = self.shm.slot((self.worker_num + idx) as WorkerId) else { return };
        let pid = slot.pid.load(Relaxed);
        // A busy worker looks at its own messages before its next sleep anyway.
        if pid > 0 && slot.status() == WorkerStatus::Idle {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), Signal::SIGURG);
        }
    }

    /// Whether a queue (which poll() cannot watch) has tasks waiting for room: the loop then
    /// retries on a short timer.
    fn queue_backlog(&self) -> bool {
        self.task_out.iter().any(|o| o.fd().is_none() && !o.is_empty())
    }

    fn flush_all_tasks(&mut self) -> io::Result<()> {
        for idx in 0..self.task_out.len() {
            if !self.task_out[idx].is_empty() {
                self.send_tasks(idx, 0, Outbox::flush)?;
            }
        }
        Ok(())
    }

    /// Runs a push (`new_frames` = 1) or flush (0) on task worker `idx`'s outbox, keeping the
    /// shared counters exact: every frame that may leave is counted before it can reach the
    /// task worker (which uncounts it when it starts the task), and whatever is still in the
    /// local queue afterwards is uncounted again.
    /// Shared-queue tasks (mode 3) belong to no worker until one takes them: they count in
    /// `tasking_num` only.
    fn send_tasks(&mut self, idx: usize, new_frames: i64, op: impl FnOnce(&mut Outbox) -> io::Result<usize>) -> io::Result<()> {
        let shm = self.shm.clone();
        let slot = if idx < self.task_workers { shm.slot((self.worker_num + idx) as WorkerId) } else { None };
        let h = shm.header();
        let may_send = self.task_out[idx].queued_frames() as i64 + new_frames;
        if let Some(s) = slot {
            s.queued.fetch_add(may_send, Relaxed);
        }
        h.tasking_num.fetch_add(may_send, Relaxed);
        let result = op(&mut self.task_out[idx]);
        let left = self.task_out[idx].queued_frames() as i64;
        if left > 0 {
            if let Some(s) = slot {
                s.queued.fetch_sub(left, Relaxed);
            }
            h.tasking_num.fetch_sub(left, Relaxed);
        }
        h.task_count.fetch_add((may_send - left).max(0) as u64, Relaxed);
        if left > 0 && !self.task_out_watched[idx] {
            if let Some(fd) = self.task_out[idx].fd() {
                self.poll.registry().register(&mut SourceFd(&fd), Token(TASK_OUT + idx), Interest::WRITABLE)?;
                self.task_out_watched[idx] = true;
            }
        }
        result.map(|_| ())
    }

    /// taskwait / taskWaitMulti: sends each payload, then blocks this worker until every task
    /// has given its first result or ended, or until `timeout` (None: until they end). Results
    /// of other tasks read meanwhile are queued and delivered after the current callback.
    /// Element i is the first result of task i, None if it gave none in time.
    pub fn task_wait(&mut self, items: &[(Payload, Option<usize>)], timeout: Option<Duration>) -> Vec<Result<Option<Payload>, TaskError>> {
        let deadline = timeout.map(crate::clock::after);
        let sent: Vec<Result<TaskId, TaskError>> = items
            .iter()
            .map(|(data, dst)| {
                let id = self.task(data, *dst)?;
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
            if let Err(e) = self.wait_for_results(left) {
                log_at!(Level::Warning, "Worker::taskwait", "waiting for task results failed: {}", e);
                break;
            }
        }
        sent.into_iter().map(|r| r.map(|id| self.take_wait(id))).collect()
    }

    /// Tasks waiting in this process for room in a task worker's channel.
    pub fn backlog_len(&self) -> usize {
        self.task_out.iter().map(Outbox::queued_frames).sum()
    }

    /// Back-pressure: blocks (reading results meanwhile, so no task worker can block on us)
    /// until the backlog is below its bound, or fails after the backlog timeout.
    fn wait_for_room(&mut self) -> Result<(), TaskError> {
        if self.stalled {
            if let Err(e) = self.flush_all_tasks() {
                log_at!(Level::Warning, "Worker::task", "sending queued tasks failed: {}", e);
            }
            let n = self.backlog_len();
            if n >= self.backlog.max {
                return Err(TaskError::Backlog(n, self.backlog.timeout));
            }
            self.stalled = false;
            return Ok(());
        }
        let deadline = crate::clock::after(self.backlog.timeout);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if let Err(e) = self.wait_for_results(Some(left)) {
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
    /// Uses its own poll(2) so the main loop's edge-triggered registrations are left alone.
    fn wait_for_results(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        self.flush_all_tasks()?;
        let timeout = if self.queue_backlog() { Some(timeout.map_or(QUEUE_RETRY, |t| t.min(QUEUE_RETRY))) } else { timeout };
        let outs = self.task_out.iter().filter(|o| !o.is_empty()).filter_map(|o| o.fd()).map(|fd| (fd, PollFlags::POLLOUT));
        let fds: Vec<(RawFd, PollFlags)> = std::iter::once((self.results_rx, PollFlags::POLLIN)).chain(outs).collect();
        // SAFETY: these fds stay open for the life of this worker; the borrows end with poll().
        let mut pfds: Vec<PollFd> = fds.iter().map(|&(fd, ev)| PollFd::new(unsafe { BorrowedFd::borrow_raw(fd) }, ev)).collect();
        let ms = timeout.map_or(-1, |t| i32::try_from(t.as_millis().max(1)).unwrap_or(i32::MAX));
        match poll(&mut pfds, PollTimeout::try_from(ms).unwrap_or(PollTimeout::NONE)) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
        self.read_results()
    }

    /// Queues `data` for connection `fd`; what the socket does not take now is written later.
    pub fn send(&mut self, fd: SessionId, data: &[u8]) -> Result<(), SendError> {
        let &i = self.sessions.get(&fd).ok_or(SendError::NoSession(fd))?;
        let conn = self.conns[i].as_mut().ok_or(SendError::NoSession(fd))?;
        conn.send(data).map_err(|e| SendError::Io(fd, e))?;
        self.shm.header().total_send_bytes.fetch_add(data.len() as u64, Relaxed);
        Ok(())
    }

    /// Closes connection `fd` from the server side; its Close event comes next.
    pub fn close(&mut self, fd: SessionId) -> bool {
        let Some(i) = self.sessions.get(&fd).copied() else { return false };
        self.drop_connection(i);
        self.queue.retain(|e| !matches!(e, Event::Receive(s, _) if *s == fd));
        self.queue.push_front(Event::Close(fd, -1));
        true
    }

    /// The next event to hand to user code, waiting for one if needed. `None`: the worker has
    /// stopped and drained, and should exit.
    pub fn next_event(&mut self) -> io::Result<Option<Event>> {
        loop {
            if let Some(e) = self.queue.pop_front() {
                self.own_slot().set_status(WorkerStatus::Busy);
                return Ok(Some(e));
            }
            match self.state {
                State::Done => return Ok(None),
                State::Stopping { deadline } => {
                    let finished = self.in_flight.is_empty() && self.all_output_written();
                    if finished || Instant::now() >= deadline {
                        if !finished {
                            self.give_up_waiting();
                        }
                        self.close_all();
                        self.state = State::Done;
                        continue;
                    }
                }
                State::Running => {}
            }
            self.own_slot().set_status(WorkerStatus::Idle);
            self.poll_once()?;
        }
    }

    fn poll_once(&mut self) -> io::Result<()> {
        if crate::fault::hit(crate::fault::Point::EventLoopEnobufs) {
            return Err(io::Error::from_raw_os_error(libc::ENOBUFS));
        }
        if self.resync {
            // The last pass failed half-way: readiness edges it did not act on will not come
            // again (the loop is edge-triggered), so look at everything once.
            self.resync = false;
            self.read_results()?;
            self.flush_all_tasks()?;
            for i in 0..self.conns.len() {
                self.on_connection(i, true, true);
            }
        }
        let mut timeout = match self.state {
            State::Stopping { deadline } => {
                Some(deadline.saturating_duration_since(Instant::now()).min(Duration::from_millis(50)))
            }
            _ => None,
        };
        if self.queue_backlog() {
            self.flush_all_tasks()?;
            timeout = Some(timeout.map_or(QUEUE_RETRY, |t| t.min(QUEUE_RETRY)));
        }
        if let Err(e) = self.poll.poll(&mut self.events, timeout) {
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
        let tokens: Vec<(Token, bool, bool)> =
            self.events.iter().map(|e| (e.token(), e.is_readable() || e.is_read_closed() || e.is_error(), e.is_writable())).collect();
        // Every event is acted on even when one fails, and the first error is returned after.
        let mut failed = Ok(());
        for (token, readable, writable) in tokens {
            let r = match token {
                WAKE => {
                    self.on_signal();
                    Ok(())
                }
                LISTENER => {
                    self.accept_all();
                    Ok(())
                }
                RESULTS => self.read_results(),
                Token(t) if (TASK_OUT..CONN).contains(&t) => {
                    let idx = t - TASK_OUT;
                    if idx < self.task_out.len() && !self.task_out[idx].is_empty() {
                        self.send_tasks(idx, 0, Outbox::flush)
                    } else {
                        Ok(())
                    }
                }
                Token(t) => {
                    self.on_connection(t - CONN, readable, writable);
                    Ok(())
                }
            };
            if let Err(e) = r {
                self.resync = true;
                if failed.is_ok() {
                    failed = Err(e);
                }
            }
        }
        failed
    }

    fn on_signal(&mut self) {
        self.wake.drain();
        if signals::take().has(Signal::SIGTERM) {
            self.begin_stop();
        }
    }

    pub fn begin_stop(&mut self) {
        if !matches!(self.state, State::Running) {
            return;
        }
        // Stop taking new connections and new requests; keep reading task results so every
        // Finish of a task this worker sent still runs here.
        if let Some(mut l) = self.listener.take() {
            let _ = self.poll.registry().deregister(&mut l);
        }
        self.state = State::Stopping { deadline: crate::clock::after(self.max_wait) };
    }

    /// The last step of a stop: every connection still open is closed, and its Close runs.
    /// Requests never read are drained first, so the peer sees an orderly close (not a reset)
    /// and knows they were not served.
    fn close_all(&mut self) {
        let open: Vec<(usize, SessionId)> = self.conns.iter().enumerate().filter_map(|(i, c)| c.as_ref().map(|c| (i, c.session))).collect();
        for (i, session) in open {
            if let Some(c) = self.conns[i].as_mut() {
                c.discard_input();
            }
            self.drop_connection(i);
            self.queue.push_back(Event::Close(session, self.id as i32));
        }
    }

    fn give_up_waiting(&mut self) {
        if !self.in_flight.is_empty() {
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

    fn all_output_written(&mut self) -> bool {
        let mut done = true;
        for c in self.conns.iter_mut().flatten() {
            let _ = c.flush();
            done &= c.pending() == 0;
        }
        done && self.task_out.iter().all(|o| o.is_empty())
    }

    fn accept_all(&mut self) {
        loop {
            let Some(l) = self.listener.as_ref() else { return };
            match l.accept() {
                Ok((stream, _)) => self.add_connection(stream),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    // EMFILE and friends: count it and keep serving what we have.
                    self.shm.header().abort_count.fetch_add(1, Relaxed);
                    log_at!(Level::Warning, "Worker::accept", "accept() failed: {}", e);
                    return;
                }
            }
        }
    }

    fn add_connection(&mut self, mut stream: mio::net::TcpStream) {
        let h = self.shm.header();
        let session = h.session_round.fetch_add(1, Relaxed) + 1;
        let i = self.free.pop().unwrap_or_else(|| {
            self.conns.push(None);
            self.conns.len() - 1
        });
        if let Err(e) = self.poll.registry().register(&mut stream, Token(CONN + i), Interest::READABLE | Interest::WRITABLE) {
            log_at!(Level::Warning, "Worker::accept", "cannot watch session#{}: {}", session, e);
            self.free.push(i);
            h.abort_count.fetch_add(1, Relaxed);
            return;
        }
        let _ = stream.set_nodelay(true);
        self.conns[i] = Some(Connection::new(session, stream));
        self.sessions.insert(session, i);
        h.accept_count.fetch_add(1, Relaxed);
        h.connection_num.fetch_add(1, Relaxed);
        self.queue.push_back(Event::Connect(session));
    }

    fn drop_connection(&mut self, i: usize) {
        if let Some(mut c) = self.conns.get_mut(i).and_then(Option::take) {
            let _ = self.poll.registry().deregister(&mut c.stream);
            self.sessions.remove(&c.session);
            self.free.push(i);
            let h = self.shm.header();
            h.close_count.fetch_add(1, Relaxed);
            h.connection_num.fetch_sub(1, Relaxed);
        }
    }

    fn on_connection(&mut self, i: usize, readable: bool, writable: bool) {
        let stopping = !matches!(self.state, State::Running);
        let Some(conn) = self.conns.get_mut(i).and_then(Option::as_mut) else { return };
        let session = conn.session;
        if writable {
            if let Err(e) = conn.flush() {
                log_io_error(session, "write", &e);
                self.drop_connection(i);
                self.queue.push_back(Event::Close(session, self.id as i32));
                return;
            }
        }
        // A stopping worker leaves new requests unread: it only finishes what it started.
        if !readable || stopping {
            return;
        }
        let (chunks, closed) = match conn.read_available() {
            ReadOutcome::Data(c) => (c, false),
            ReadOutcome::Closed(c, err) => {
                if let Some(e) = err {
                    log_io_error(session, "read", &e);
                }
                (c, true)
            }
        };
        let h = self.shm.header();
        for c in chunks {
            h.total_recv_bytes.fetch_add(c.len() as u64, Relaxed);
            self.queue.push_back(Event::Receive(session, c));
        }
        if closed {
            self.drop_connection(i);
            self.queue.push_back(Event::Close(session, self.id as i32));
        }
    }

    fn read_results(&mut self) -> io::Result<()> {
        let mut fds = VecDeque::new();
        while let Some(n) = channel::recv(self.results_rx, &mut self.recv_buf, &mut fds, false)? {
            let buf = std::mem::take(&mut self.recv_buf);
            for f in Frames::new(&buf[..n]) {
                match f {
                    Ok((h, b)) => match payload::body(&h, b, &mut fds) {
                        Ok(body) => self.on_result_frame(h, body),
                        // Its task still ends: it is reported lost, not left in flight.
                        Err(e) => {
                            let why = format!("task#{} of worker#{} was lost: its result cannot be read: {}", h.task_id, self.id, e);
                            log_at!(Level::Warning, "Worker::read_results", "{}", why);
                            self.on_result_frame(frame::Header { kind: Kind::Lost, ..h }, Payload::raw(why.into_bytes()));
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

    fn on_result_frame(&mut self, h: frame::Header, body: Payload) {
        if h.generation != self.generation {
            // Sent by a previous process in this slot: its callbacks died with it.
            log_at!(
                Level::Notice,
                "Worker::read_results",
                "dropped a result of task#{} sent by a previous worker#{} process",
                h.task_id,
                self.id
            );
            return;
        }
        match h.kind {
            // A result after its task was reported lost (its worker died just after sending
            // it) must not surface: the loss was already told and counted.
            Kind::Result if !self.in_flight.contains(&h.task_id) => {}
            Kind::Result => {
                let p = body;
                match self.waits.get_mut(&h.task_id) {
                    Some(Wait::Pending { result: r @ None, .. }) => *r = Some(p),
                    Some(_) => {}
                    None => self.queue.push_back(Event::Finish(h.task_id, p)),
                }
                if h.flags & FLAG_LAST != 0 {
                    self.task_over(h.task_id, false);
                }
            }
            Kind::Done => self.task_over(h.task_id, false),
            Kind::Lost => {
                if self.in_flight.contains(&h.task_id) && self.retry_lost && self.retry(h.task_id, h.src) {
                    return;
                }
                if self.in_flight.contains(&h.task_id) {
                    self.shm.header().task_lost_num.fetch_add(1, Relaxed);
                    let reason = String::from_utf8_lossy(&body.bytes).into_owned();
                    self.queue.push_back(Event::TaskLost(LostTask { task_id: h.task_id, reason }));
                    self.task_over(h.task_id, true);
                }
            }
            Kind::Task => {}
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
            None if !lost => self.queue.push_back(Event::TaskDone(id)),
            None => {}
        }
    }

    fn count_request(&mut self) {
        let h = self.shm.header();
        h.request_count.fetch_add(1, Relaxed);
        h.dispatch_count.fetch_add(1, Relaxed);
        self.own_slot().request_count.fetch_add(1, Relaxed);
        self.requests += 1;
        if self.max_request > 0 && self.requests >= self.max_request {
            // Requests already read still run; then the graceful stop, and a successor.
            self.begin_stop();
        }
    }
}

/// A connection closed because reading or writing failed: a reset by the peer is ordinary
/// (a notice), anything else is worth a warning.
fn log_io_error(session: SessionId, what: &str, e: &io::Error) {
    let ordinary = matches!(e.raw_os_error(), Some(libc::ECONNRESET | libc::EPIPE | libc::ETIMEDOUT));
    let level = if ordinary { Level::Notice } else { Level::Warning };
    log_at!(level, "Worker::connection", "session#{} closed: {} failed: {}", session, what, e);
}

/// Errors the loop retries: the kernel was short of memory or buffers for a moment.
fn transient(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::EINTR | libc::EAGAIN | libc::ENOBUFS | libc::ENOMEM))
}

/// Transient errors in a row after which the loop gives up (the process exits with a failure
/// status, so the manager reports it and respawns it after a backoff).
const TRANSIENT_LIMIT: u32 = 50;

/// Runs an event worker until it has stopped, calling `h` for every event.
pub fn run<H: Handler>(w: Rc<std::cell::RefCell<EventWorker>>, h: &mut H) -> io::Result<()> {
    let (id, shm) = {
        let b = w.borrow();
        (b.id, b.shm.clone())
    };
    h.enter(Process::Event(w.clone()));
    if id == 0 {
        shm.header().master_pid.store(std::process::id() as i32, Relaxed);
        if shm.header().start_fired.swap(1, Relaxed) == 0 {
            h.on_start();
        }
    }
    h.on_worker_start(id);
    let mut errors_in_a_row = 0;
    let result = loop {
        let next = w.borrow_mut().next_event();
        let ev = match next {
            Ok(Some(ev)) => ev,
            Ok(None) => break Ok(()),
            Err(e) if transient(&e) && errors_in_a_row < TRANSIENT_LIMIT => {
                errors_in_a_row += 1;
                log_at!(Level::Warning, "Worker::loop", "worker#{} event loop: {} (transient, retrying)", id, e);
                std::thread::sleep(Duration::from_millis(u64::from(errors_in_a_row)));
                continue;
            }
            Err(e) => {
                log_at!(Level::Error, "Worker::loop", "worker#{} event loop failed: {}", id, e);
                break Err(e);
            }
        };
        errors_in_a_row = 0;
        match ev {
            Event::Connect(fd) => h.on_connect(fd, id as i32),
            Event::Receive(fd, data) => {
                // close() drops queued Receive events of its session, so this one is live.
                w.borrow_mut().count_request();
                h.on_receive(fd, id as i32, &data);
            }
            Event::Close(fd, reactor) => h.on_close(fd, reactor),
            Event::Finish(task, data) => h.on_finish(task, data),
            Event::TaskDone(task) => h.on_task_done(task),
            Event::TaskLost(lost) => h.on_task_lost(lost),
        }
    };
    if let Some(slot) = shm.slot(id) {
        slot.set_status(WorkerStatus::Exit);
    }
    h.on_worker_stop(id);
    result
}
