//! The manager: the process that called start(). It forks the task workers and the event
//! workers, replaces any that die, and runs the shutdown: event workers stop first (so they
//! still receive the results of their tasks), then task workers finish what is queued.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::TcpListener;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::rc::Rc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};
use thiserror::Error;

use crate::config::{IpcMode, Settings};
use crate::handler::{Handler, Process};
use crate::ipc::channel::{self, Channel, Outbox, Sink};
use crate::ipc::msgqueue::{self, MsgQueue};
use crate::ipc::frame::{self, Kind};
use crate::log::{self, Level, Role};
use crate::log_at;
use crate::shm::{Shm, Taken, TaskRef, WorkerStatus, HELD_PEEKED, TASKS_PER_DATAGRAM};
use crate::signals;
use crate::task_worker::{self, Inbox, TaskWorker, TaskWorkerSetup};
use crate::types::WorkerId;
use crate::worker::{self, Backlog, EventWorker, EventWorkerSetup, TaskIpc};

#[derive(Debug, Error)]
pub enum PoolError {
    #[error("failed to create the shared memory: {0}")]
    Shm(io::Error),
    #[error("failed to create IPC channels: {0}")]
    Channel(io::Error),
    #[error("failed to install signal handlers: {0}")]
    Signals(io::Error),
    #[error("fork() failed: {0}")]
    Fork(nix::Error),
    #[error("failed to create the task message queue: {0}")]
    Queue(io::Error),
}

/// The manager's pid in `pid_file` while it runs (the process to signal: SIGTERM, SIGUSR1,
/// SIGUSR2); removed when it returns. Workers leave with _exit and never drop it.
struct PidFile(std::path::PathBuf);

impl PidFile {
    fn write(path: &std::path::Path) -> Option<PidFile> {
        match std::fs::write(path, format!("{}", std::process::id())) {
            Ok(()) => Some(PidFile(path.to_path_buf())),
            Err(e) => {
                log_at!(Level::Warning, "Manager::start", "cannot write pid_file '{}': {}", path.display(), e);
                None
            }
        }
    }
}

impl Drop for PidFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Removes the task queue when the manager is done with it (workers leave with _exit and
/// never drop it).
struct QueueGuard(MsgQueue);

impl Drop for QueueGuard {
    fn drop(&mut self) {
        if let Err(e) = self.0.remove() {
            log_at!(Level::Warning, "Manager::stop", "failed to remove the task queue: {}", e);
        }
    }
}

/// A worker that died within this time of its spawn is respawned only after it, so a worker
/// that crashes on start cannot spin the CPU.
const RESPAWN_BACKOFF: Duration = Duration::from_millis(200);
/// Extra time the manager gives workers beyond max_wait_time before it kills them.
const KILL_GRACE: Duration = Duration::from_millis(1000);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    Running,
    StoppingEventWorkers,
    StoppingTaskWorkers,
    Stopped,
}

struct Child {
    id: WorkerId,
    spawned: Instant,
}

pub struct Pool<'a> {
    settings: &'a Settings,
    listener: &'a TcpListener,
    shm: Rc<Shm>,
    /// Task workers' socketpairs (task_ipc_mode 1).
    inboxes: Vec<Channel>,
    /// The task queue (modes 2 and 3), removed when the manager returns.
    queue: Option<QueueGuard>,
    results: Vec<Channel>,
    /// Lost-task notices to each event worker, kept until its channel has room.
    notices: Vec<Outbox>,
    children: HashMap<Pid, Child>,
    respawn_due: Vec<(WorkerId, Instant)>,
    phase: Phase,
    phase_deadline: Option<Instant>,
    /// Workers still to be replaced by a reload, one at a time.
    reload_queue: VecDeque<WorkerId>,
    /// The worker being replaced now: its pid and when it gets killed if it has not exited.
    reloading: Option<(Pid, Instant)>,
}

/// Runs the whole server in this process (which becomes the manager) until it has shut down.
/// Returns only in the manager; worker processes exit inside.
pub fn run<H: Handler>(settings: &Settings, listener: &TcpListener, h: &mut H) -> Result<(), PoolError> {
    let total = settings.worker_num + settings.task_worker_num;
    let shm = Rc::new(Shm::new(total).map_err(PoolError::Shm)?);
    let hdr = shm.header();
    // SAFETY: time(NULL) only reads the clock.
    hdr.start_time.store(unsafe { libc::time(std::ptr::null_mut()) } as i64, Relaxed);
    hdr.manager_pid.store(std::process::id() as i32, Relaxed);
    let mk = |n| (0..n).map(|_| Channel::new()).collect::<io::Result<Vec<_>>>().map_err(PoolError::Channel);
    let uses_queue = settings.task_ipc_mode != IpcMode::UnixSocket && settings.task_worker_num > 0;
    let queue = if uses_queue { Some(QueueGuard(MsgQueue::create(settings.message_queue_key).map_err(PoolError::Queue)?)) } else { None };
    hdr.task_queue_id.store(queue.as_ref().map_or(-1, |q| q.0.id()), Relaxed);
    let mut pool = Pool {
        settings,
        listener,
        inboxes: mk(if uses_queue { 0 } else { settings.task_worker_num })?,
        queue,
        results: mk(settings.worker_num)?,
        notices: Vec::new(),
        shm,
        children: HashMap::new(),
        respawn_due: Vec::new(),
        phase: Phase::Running,
        phase_deadline: None,
        reload_queue: VecDeque::new(),
        reloading: None,
    };
    pool.notices = pool.results.iter().map(|c| Outbox::new(&c.tx, c.max_message, usize::MAX)).collect();
    log::set_role(Role::Manager);
    signals::ignore(&[Signal::SIGPIPE]);
    let wake = signals::install(&[Signal::SIGTERM, Signal::SIGINT, Signal::SIGCHLD, Signal::SIGUSR1, Signal::SIGUSR2])
        .map_err(PoolError::Signals)?;
    let _pid_file = settings.pid_file.as_deref().and_then(PidFile::write);
    h.enter(Process::Manager { shm: pool.shm.clone() });
    // Task workers first, as Swoole does: an event worker's first task finds them running.
    for id in settings.worker_num..total {
        pool.spawn(id as WorkerId, h)?;
    }
    for id in 0..settings.worker_num {
        pool.spawn(id as WorkerId, h)?;
    }
    h.on_manager_start();
    while pool.phase != Phase::Stopped {
        pool.wait_for_signal(&wake);
        let got = signals::take();
        if got.has(Signal::SIGTERM) || got.has(Signal::SIGINT) {
            pool.begin_shutdown();
        }
        if got.has(Signal::SIGUSR1) || got.has(Signal::SIGUSR2) {
            pool.schedule_reload(got.has(Signal::SIGUSR1));
        }
        pool.reap(h);
        pool.respawn_due_workers(h)?;
        pool.advance_reload();
        pool.advance_shutdown();
    }
    signals::restore_default(&[Signal::SIGTERM, Signal::SIGINT, Signal::SIGCHLD, Signal::SIGUSR1, Signal::SIGUSR2]);
    h.on_manager_stop();
    h.on_shutdown();
    Ok(())
}

impl Pool<'_> {
    fn is_event_worker(&self, id: WorkerId) -> bool {
        (id as usize) < self.settings.worker_num
    }

    fn spawn<H: Handler>(&mut self, id: WorkerId, h: &mut H) -> Result<(), PoolError> {
        let slot = self.shm.slot(id);
        slot.generation.fetch_add(1, Relaxed);
        slot.request_count.store(0, Relaxed);
        slot.set_status(WorkerStatus::Idle);
        let manager = nix::unistd::getpid();
        signals::hold(&[Signal::SIGTERM]);
        // SAFETY: the manager is single-threaded (no thread is ever started before fork).
        let forked = unsafe { fork() };
        if !matches!(forked, Ok(ForkResult::Child)) {
            signals::release(&[Signal::SIGTERM]);
        }
        match forked.map_err(PoolError::Fork)? {
            ForkResult::Parent { child } => {
                slot.pid.store(child.as_raw(), Relaxed);
                self.children.insert(child, Child { id, spawned: Instant::now() });
                Ok(())
            }
            ForkResult::Child => {
                let code = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.run_child(id, manager, h))) {
                    Ok(()) => 0,
                    Err(_) => 70,
                };
                // SAFETY: a worker never returns into the user's script; _exit skips PHP's
                // shutdown, which belongs to the manager.
                unsafe { libc::_exit(code) }
            }
        }
    }

    fn run_child<H: Handler>(&mut self, id: WorkerId, manager: Pid, h: &mut H) {
        // If the manager dies, stop too instead of serving as an orphan.
        let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGTERM);
        if nix::unistd::getppid() != manager {
            return;
        }
        // Ctrl-C reaches the whole process group; the manager alone decides how to stop.
        signals::ignore(&[Signal::SIGINT, Signal::SIGUSR1, Signal::SIGUSR2, Signal::SIGPIPE]);
        signals::restore_default(&[Signal::SIGCHLD]);
        self.shm.slot(id).pid.store(std::process::id() as i32, Relaxed);
        let max_wait = Duration::from_secs_f64(self.settings.max_wait_time);
        let result = if self.is_event_worker(id) {
            log::set_role(Role::EventWorker);
            self.run_event_worker(id, max_wait, h)
        } else {
            log::set_role(Role::TaskWorker);
            self.run_task_worker(id, max_wait, h)
        };
        if let Err(e) = result {
            log_at!(Level::Error, "Manager::spawn", "worker#{} failed to start: {}", id, e);
        }
        h.on_exit();
    }

    fn run_event_worker<H: Handler>(&mut self, id: WorkerId, max_wait: Duration, h: &mut H) -> io::Result<()> {
        let listener = self.listener.try_clone()?;
        let setup = EventWorkerSetup {
            id,
            worker_num: self.settings.worker_num,
            shm: self.shm.clone(),
            listener,
            results_rx: self.results[id as usize].rx.as_raw_fd(),
            max_message: self.results[id as usize].max_message,
            task_outboxes: self.task_outboxes(),
            task_ipc: match self.settings.task_ipc_mode {
                IpcMode::UnixSocket => TaskIpc::Sockets,
                IpcMode::MsgQueue => TaskIpc::Queue,
                IpcMode::Preemptive => TaskIpc::SharedQueue,
            },
            max_wait,
            backlog: Backlog {
                max: self.settings.task_backlog,
                timeout: Duration::from_secs_f64(self.settings.task_backlog_timeout),
            },
            max_request: self.settings.worker_lifetime(random_u64()),
            retry_lost: self.settings.task_retry_lost,
        };
        let w = Rc::new(RefCell::new(EventWorker::new(setup)?));
        worker::run(w, h);
        Ok(())
    }

    /// An event worker's way to each task worker, and (mode 3) to whichever is free.
    fn task_outboxes(&self) -> Vec<Outbox> {
        let Some(q) = &self.queue else {
            return self.inboxes.iter().map(|c| Outbox::new(&c.tx, c.max_message, TASKS_PER_DATAGRAM)).collect();
        };
        let max = msgqueue::max_message();
        let to = |mtype| Outbox::with_sink(Sink::Queue(q.0, mtype), max, TASKS_PER_DATAGRAM);
        let mut v: Vec<Outbox> = (0..self.settings.task_worker_num).map(|i| to(msgqueue::directed(i))).collect();
        if self.settings.task_ipc_mode == IpcMode::Preemptive {
            v.push(to(msgqueue::SHARED));
        }
        v
    }

    fn run_task_worker<H: Handler>(&mut self, id: WorkerId, max_wait: Duration, h: &mut H) -> io::Result<()> {
        let index = id as usize - self.settings.worker_num;
        let setup = TaskWorkerSetup {
            id,
            worker_num: self.settings.worker_num,
            shm: self.shm.clone(),
            inbox: match (&self.queue, self.inboxes.get(index)) {
                (Some(q), _) => Inbox::Queue { queue: q.0, index, shared: self.settings.task_ipc_mode == IpcMode::Preemptive },
                (None, Some(c)) => Inbox::Socket(c.rx.as_raw_fd()),
                (None, None) => return Err(io::Error::other("no task channel for this worker")),
            },
            max_message: match self.inboxes.get(index) {
                Some(c) => c.max_message,
                None => msgqueue::max_message(),
            },
            result_outboxes: self.results.iter().map(|c| Outbox::new(&c.tx, c.max_message, usize::MAX)).collect(),
            max_wait,
            max_request: self.settings.task_worker_lifetime(random_u64()),
        };
        let tw = Rc::new(RefCell::new(TaskWorker::new(setup)?));
        task_worker::run(tw, h);
        Ok(())
    }

    fn wait_for_signal(&mut self, wake: &signals::Wakeup) {
        let now = Instant::now();
        let next = self.respawn_due.iter().map(|(_, t)| *t).chain(self.phase_deadline).chain(self.reloading.map(|(_, t)| t)).min();
        let timeout = match next {
            Some(t) => {
                let ms = t.saturating_duration_since(now).as_millis().min(60_000) as i32;
                PollTimeout::try_from(ms.max(1)).unwrap_or(PollTimeout::MAX)
            }
            None => PollTimeout::NONE,
        };
        let waiting = self.notices.iter().filter(|o| !o.is_empty()).filter_map(Outbox::fd).map(|fd| (fd, PollFlags::POLLOUT));
        let raw: Vec<(i32, PollFlags)> = std::iter::once((wake.fd(), PollFlags::POLLIN)).chain(waiting).collect();
        // SAFETY: the pipe lives as long as `wake`, the channels as long as the pool; the
        // borrows end with poll().
        let mut fds: Vec<PollFd> = raw.iter().map(|&(fd, ev)| PollFd::new(unsafe { BorrowedFd::borrow_raw(fd) }, ev)).collect();
        let _ = poll(&mut fds, timeout);
        wake.drain();
        for out in &mut self.notices {
            if let Err(e) = out.flush() {
                log_at!(Level::Warning, "Manager::wait", "could not send a lost-task notice: {}", e);
            }
        }
    }

    fn reap<H: Handler>(&mut self, h: &mut H) {
        loop {
            let (pid, code, sig) = match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::Exited(pid, code)) => (pid, code, 0),
                Ok(WaitStatus::Signaled(pid, s, _)) => (pid, 0, s as i32),
                Ok(WaitStatus::StillAlive) | Err(_) => return,
                Ok(_) => continue,
            };
            let Some(child) = self.children.remove(&pid) else {
                log_at!(Level::Warning, "Manager::wait", "Unknown type child process [{}] exited", pid);
                continue;
            };
            let slot = self.shm.slot(child.id);
            slot.set_status(WorkerStatus::Exit);
            slot.pid.store(0, Relaxed);
            self.report_lost_tasks(child.id, pid, code, sig);
            if code != 0 || sig != 0 {
                log_at!(
                    Level::Warning,
                    "Manager::wait",
                    "worker(pid={}, id={}) abnormal exit, status={}, signal={}",
                    pid,
                    child.id,
                    code,
                    sig
                );
                if self.phase == Phase::Running {
                    h.on_worker_error(child.id, pid.as_raw(), code, sig);
                }
            }
            if self.phase == Phase::Running {
                // A clean exit (max_request) is replaced at once; a crash only after the backoff.
                let due = if code == 0 && sig == 0 { Instant::now() } else { child.spawned + RESPAWN_BACKOFF };
                self.respawn_due.push((child.id, due.max(Instant::now())));
            }
        }
    }

    /// A task worker died: the task it was running and those it had taken from its channel
    /// but not started will never finish. Tell each sender, so its books balance and its
    /// callback is released, count them, and take the unstarted ones off the queue counters.
    fn report_lost_tasks(&mut self, id: WorkerId, pid: Pid, code: i32, sig: i32) {
        if self.is_event_worker(id) {
            return;
        }
        let shm = self.shm.clone();
        let slot = shm.slot(id);
        let running = slot.running.take();
        if let Some(t) = running {
            self.report_lost(id, pid, code, sig, t, "was lost");
        }
        // Peeked but maybe not taken: if that datagram still heads the channel, its tasks are
        // still queued there for the successor, not lost.
        let still_queued = slot.held_state.swap(0, Relaxed) == HELD_PEEKED && self.heads_channel(id, &slot.held[0]);
        for held in &slot.held {
            let Some(t) = held.take() else { continue };
            if still_queued {
                continue;
            }
            if Some(t) == running {
                continue;
            }
            if !t.shared {
                slot.queued.fetch_sub(1, Relaxed);
            }
            self.shm.header().tasking_num.fetch_sub(1, Relaxed);
            self.report_lost(id, pid, code, sig, t, "was lost before it started");
        }
    }

    /// Whether the datagram at the head of task worker `id`'s channel starts with task `first`.
    fn heads_channel(&self, id: WorkerId, first: &TaskRef) -> bool {
        let Some(ch) = self.inboxes.get(id as usize - self.settings.worker_num) else { return false };
        let Some(want) = first.peek() else { return false };
        let mut buf = vec![0u8; frame::HEADER_LEN];
        // A short buffer truncates the copy; the first header is all we need.
        match channel::peek(ch.rx.as_raw_fd(), &mut buf, false) {
            Ok(Some(_)) => frame::Header::decode(&buf).is_ok_and(|h| {
                h.kind == Kind::Task && (h.src, h.generation, h.task_id) == (want.src, want.generation, want.task)
            }),
            _ => false,
        }
    }

    /// The sender counts the loss when it reads this (it alone knows whether the task's
    /// result got out before its worker died). A full channel keeps the notice queued here.
    fn report_lost(&mut self, id: WorkerId, pid: Pid, code: i32, sig: i32, t: Taken, what: &str) {
        let Taken { src, generation, task, .. } = t;
        let reason = format!(
            "task#{} of worker#{} {}: task worker#{} (pid {}) exited with status {}, signal {}",
            task, src, what, id, pid, code, sig
        );
        log_at!(Level::Warning, "Manager::wait", "{}", reason);
        if let Some(out) = self.notices.get_mut(src as usize) {
            let f = frame::encode(Kind::Lost, 0, id, generation, task, reason.as_bytes());
            if let Err(e) = out.push(f.into()) {
                log_at!(Level::Warning, "Manager::wait", "could not tell worker#{} that task#{} was lost: {}", src, task, e);
            }
        }
    }

    fn respawn_due_workers<H: Handler>(&mut self, h: &mut H) -> Result<(), PoolError> {
        if self.phase != Phase::Running {
            self.respawn_due.clear();
            return Ok(());
        }
        let now = Instant::now();
        let (due, later): (Vec<_>, Vec<_>) = self.respawn_due.drain(..).partition(|(_, t)| *t <= now);
        self.respawn_due = later;
        for (id, _) in due {
            // A failed fork (out of memory, pid limit) must not end the manager under its
            // running workers: try again after the backoff.
            if let Err(e) = self.spawn(id, h) {
                log_at!(Level::Error, "Manager::spawn", "cannot respawn worker#{}: {}", id, e);
                self.respawn_due.push((id, Instant::now() + RESPAWN_BACKOFF));
            }
        }
        Ok(())
    }

    /// SIGUSR1 (all workers) or SIGUSR2 (task workers only): replace them one by one. Each
    /// gets the graceful stop: an event worker stops accepting and reading, receives the
    /// results of every task it sent, runs their Finish, closes its connections and exits; a
    /// task worker finishes what it has taken and leaves its channel to its successor.
    fn schedule_reload(&mut self, all: bool) {
        if self.phase != Phase::Running {
            return;
        }
        let total = (self.settings.worker_num + self.settings.task_worker_num) as WorkerId;
        let first = if all { 0 } else { self.settings.worker_num as WorkerId };
        log_at!(Level::Info, "Manager::reload", "reloading {} workers", if all { "all" } else { "task" });
        for id in first..total {
            if !self.reload_queue.contains(&id) {
                self.reload_queue.push_back(id);
            }
        }
    }

    fn advance_reload(&mut self) {
        if self.phase != Phase::Running {
            self.reload_queue.clear();
            self.reloading = None;
            return;
        }
        if let Some((pid, deadline)) = self.reloading {
            if self.children.contains_key(&pid) {
                if Instant::now() >= deadline {
                    log_at!(Level::Warning, "Manager::reload", "worker exit timeout, forced termination (pid={})", pid);
                    let _ = kill(pid, Signal::SIGKILL);
                    self.reloading = Some((pid, Instant::now() + KILL_GRACE));
                }
                return;
            }
            self.reloading = None;
        }
        // The next one only after the last one's successor is running.
        if !self.respawn_due.is_empty() {
            return;
        }
        while let Some(id) = self.reload_queue.pop_front() {
            let Some(pid) = self.children.iter().find(|(_, c)| c.id == id).map(|(p, _)| *p) else { continue };
            let _ = kill(pid, Signal::SIGTERM);
            let wait = Duration::from_secs_f64(self.settings.max_wait_time) + KILL_GRACE;
            self.reloading = Some((pid, Instant::now() + wait));
            return;
        }
    }

    fn begin_shutdown(&mut self) {
        if self.phase == Phase::Running {
            self.respawn_due.clear();
            self.enter_phase(Phase::StoppingEventWorkers);
        }
    }

    fn enter_phase(&mut self, phase: Phase) {
        self.phase = phase;
        let wait = Duration::from_secs_f64(self.settings.max_wait_time) + KILL_GRACE;
        self.phase_deadline = Some(Instant::now() + wait);
        let event_phase = phase == Phase::StoppingEventWorkers;
        for (pid, c) in &self.children {
            if self.is_event_worker(c.id) == event_phase {
                let _ = kill(*pid, Signal::SIGTERM);
            }
        }
    }

    fn advance_shutdown(&mut self) {
        let event_phase = match self.phase {
            Phase::StoppingEventWorkers => true,
            Phase::StoppingTaskWorkers => false,
            _ => return,
        };
        let left: Vec<(Pid, WorkerId)> =
            self.children.iter().filter(|(_, c)| self.is_event_worker(c.id) == event_phase).map(|(p, c)| (*p, c.id)).collect();
        if left.is_empty() {
            if event_phase {
                self.enter_phase(Phase::StoppingTaskWorkers);
                self.advance_shutdown();
            } else {
                self.phase = Phase::Stopped;
                self.phase_deadline = None;
            }
            return;
        }
        if self.phase_deadline.is_some_and(|d| Instant::now() >= d) {
            for (pid, id) in left {
                log_at!(Level::Warning, "Manager::shutdown", "worker exit timeout, forced termination (pid={}, id={})", pid, id);
                let _ = kill(pid, Signal::SIGKILL);
            }
            // Wait for the kills to be reaped; give up only if they never are.
            self.phase_deadline = Some(Instant::now() + KILL_GRACE);
        }
    }
}

/// Enough randomness to spread worker restarts: std's per-process hash keys.
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::process::id())
}
