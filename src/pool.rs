//! The manager: the process that called start(). It forks the task workers and the event
//! workers, replaces any that die, and runs the shutdown: event workers stop first (so they
//! still receive the results of their tasks), then task workers finish what is queued.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};
use thiserror::Error;

use crate::clock;
use crate::config::{IpcMode, Settings};
use crate::net::listener::Listener;
use crate::net::stream::StreamListener;
use crate::fault::{self, Point};
use crate::handler::{Handler, Process};
use crate::ipc::channel::{Channel, Outbox};
use crate::ipc::frame::{self, Frames, Kind};
use crate::ipc::msgqueue::{self, MsgQueue};
use crate::log::{self, Level, Role};
use crate::log_at;
use crate::shm::{Shm, Taken, WorkerStatus, INBOX_BODY, TASKS_PER_DATAGRAM};
use crate::signals::{self, Wakeup};
use crate::task_client::Backlog;
use crate::task_worker::{self, TaskWorker, TaskWorkerSetup};
use crate::transport::msgqueue::{QueueIn, QueueOut};
use crate::messages::Mailbox;
use crate::user_process::{self, UserProcess};
use crate::transport::socketpair::{SocketIn, SocketOut};
use crate::transport::{TaskIn, TaskOut};
use crate::types::WorkerId;
use crate::reactor::links::LinksSetup;
use crate::worker::{self, EventWorker, EventWorkerSetup};

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

/// Exit status of a worker whose start or event loop failed (its cause is in the log).
pub const EXIT_FAILURE: i32 = 1;
/// Exit status of a process that panicked: a bug, logged with where it happened.
pub const EXIT_PANIC: i32 = 70;

/// The manager's pid in `pid_file` while it runs (the process to signal: SIGTERM, SIGUSR1,
/// SIGUSR2); removed when it returns. Workers leave with _exit and never drop it.
pub struct PidFile(std::path::PathBuf);

impl PidFile {
    pub fn write(path: &std::path::Path) -> Option<PidFile> {
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

/// A worker that failed is respawned after this, doubled for each failure in a row (a worker
/// that cannot start, e.g. EMFILE, must not become a fork loop), up to RESPAWN_BACKOFF_MAX.
const RESPAWN_BACKOFF: Duration = Duration::from_millis(200);
const RESPAWN_BACKOFF_MAX: Duration = Duration::from_secs(10);
/// A worker that lived this long before it failed starts a new series of backoffs.
const HEALTHY_LIFE: Duration = Duration::from_secs(10);
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
    /// Inherited by event workers; every other child closes it.
    /// The listening sockets: the server's, then those of addListener().
    listeners: Vec<Listener>,
    /// The manager's self-pipe (children close it and make their own).
    wake: Option<Wakeup>,
    shm: Arc<Shm>,
    /// Task workers' socketpairs (task_ipc_mode 1).
    inboxes: Vec<Channel>,
    /// The task queue (modes 2 and 3), removed when the manager returns.
    queue: Option<QueueGuard>,
    results: Vec<Channel>,
    /// Task workers' mailboxes for `sendMessage()` (only with a PipeMessage callback).
    mailboxes: Vec<Channel>,
    /// Lost-task notices to each event worker, kept until its channel has room.
    notices: Vec<Outbox>,
    children: HashMap<Pid, Child>,
    respawn_due: Vec<(WorkerId, Instant)>,
    /// Failures in a row of each worker slot, for the respawn backoff.
    failures: Vec<u32>,
    phase: Phase,
    phase_deadline: Option<Instant>,
    /// Which event worker owns each live session (shared with the event workers).
    sessions: Arc<crate::net::sessions::SessionDir>,
    /// PROCESS mode: the event workers' ends of the reactor links (kept for successors).
    reactors: Option<ReactorEnds>,
    /// Workers still to be replaced by a reload, one at a time.
    reload_queue: VecDeque<WorkerId>,
    /// The worker being replaced now: its pid and when it gets killed if it has not exited.
    reloading: Option<(Pid, Instant)>,
}

/// What every process of one server shares, mapped before the first fork.
pub struct Shared {
    pub shm: Arc<Shm>,
    /// Which event worker (BASE) or reactor thread (PROCESS) owns each live session.
    pub sessions: Arc<crate::net::sessions::SessionDir>,
}

impl Shared {
    pub fn new(settings: &Settings) -> Result<Shared, PoolError> {
        let total = settings.worker_num + settings.task_worker_num + settings.user_processes;
        let shm = Arc::new(Shm::new(total, settings.task_worker_num).map_err(PoolError::Shm)?);
        // SAFETY: time(NULL) only reads the clock.
        shm.header().start_time.store(unsafe { libc::time(std::ptr::null_mut()) } as i64, Relaxed);
        let sessions = Arc::new(crate::net::sessions::SessionDir::new(settings.port.rules().max_connections).map_err(PoolError::Shm)?);
        Ok(Shared { shm, sessions })
    }
}

/// PROCESS mode: each event worker's ends of its links to the reactor threads.
pub struct ReactorEnds {
    /// By worker id, then reactor id.
    pub ends: Vec<Vec<OwnedFd>>,
    pub max_message: usize,
}

/// listen(2)'s backlog of each stream port, as set() asked.
pub fn set_backlogs(settings: &Settings, listeners: &[Listener]) {
    for (l, opts) in listeners.iter().zip(std::iter::once(&settings.port).chain(&settings.extra_ports)) {
        let Listener::Stream(l) = l else { continue };
        if let Err(e) = crate::net::listener::set_backlog(l, opts.backlog) {
            log_at!(Level::Warning, "Manager::start", "cannot set the listen backlog to {}: {}", opts.backlog, e);
        }
    }
}

/// Runs the whole server in this process (which becomes the manager) until it has shut down:
/// BASE mode. Returns only in the manager; worker processes exit inside.
pub fn run<H: Handler>(settings: &Settings, listeners: Vec<Listener>, h: &mut H) -> Result<(), PoolError> {
    fault::init();
    set_backlogs(settings, &listeners);
    let shared = Shared::new(settings)?;
    run_manager(settings, listeners, shared, None, h)?;
    h.on_shutdown();
    Ok(())
}

/// The manager's life: fork the workers, supervise them, stop them. In PROCESS mode
/// (`reactors` given) the stream ports are the master's and event workers reach the
/// connections through their reactor links.
pub fn run_manager<H: Handler>(settings: &Settings, listeners: Vec<Listener>, shared: Shared, reactors: Option<ReactorEnds>, h: &mut H) -> Result<(), PoolError> {
    let Shared { shm, sessions } = shared;
    let hdr = shm.header();
    hdr.manager_pid.store(std::process::id() as i32, Relaxed);
    let mk = |n| (0..n).map(|_| Channel::new()).collect::<io::Result<Vec<_>>>().map_err(PoolError::Channel);
    let uses_queue = settings.task_ipc_mode != IpcMode::UnixSocket && settings.task_worker_num > 0;
    let queue = if uses_queue { Some(QueueGuard(MsgQueue::create(settings.message_queue_key).map_err(PoolError::Queue)?)) } else { None };
    hdr.task_queue_id.store(queue.as_ref().map_or(-1, |q| q.0.id()), Relaxed);
    let total = settings.worker_num + settings.task_worker_num + settings.user_processes;
    // A host that only adds task workers to a broker accepts nothing.
    let listeners = if settings.worker_num == 0 { Vec::new() } else { listeners };
    let mut pool = Pool {
        sessions,
        settings,
        listeners,
        reactors,
        wake: None,
        inboxes: mk(if uses_queue { 0 } else { settings.task_worker_num })?,
        queue,
        results: mk(settings.worker_num)?,
        mailboxes: mk(if settings.pipe_messages { settings.task_worker_num } else { 0 })?,
        notices: Vec::new(),
        shm,
        children: HashMap::new(),
        respawn_due: Vec::new(),
        failures: vec![0; total],
        phase: Phase::Running,
        phase_deadline: None,
        reload_queue: VecDeque::new(),
        reloading: None,
    };
    pool.notices = pool.results.iter().map(|c| Outbox::new(&c.tx, c.max_message, usize::MAX)).collect();
    log::set_role(Role::Manager);
    let previous_hook = exit_on_panic("manager".into());
    let signals = [Signal::SIGTERM, Signal::SIGINT, Signal::SIGCHLD, Signal::SIGUSR1, Signal::SIGUSR2];
    let started = pool.start(&signals, h);
    if started.is_ok() {
        h.on_manager_start();
        pool.supervise(h);
    }
    signals::restore_default(&signals);
    let _ = std::panic::take_hook();
    std::panic::set_hook(previous_hook);
    started?;
    h.on_manager_stop();
    Ok(())
}

/// From now on a panic in this process is logged and ends it (status 70), as a fatal error
/// does: unwinding into PHP would let it go on with half-updated books. Returns the hook
/// that was there before.
fn exit_on_panic(role: String) -> Box<dyn Fn(&std::panic::PanicHookInfo<'_>) + Sync + Send + 'static> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // One log line: the panic's location and message, without its line breaks.
        let what = info.to_string().replace('\n', " ");
        log_at!(Level::Error, "Server::panic", "{} (pid {}) panicked, exiting: {}", role, std::process::id(), what);
        // SAFETY: ends the process at once; nothing may unwind past this point.
        unsafe {
            libc::fflush(std::ptr::null_mut());
            libc::_exit(EXIT_PANIC)
        }
    }));
    previous
}

impl Pool<'_> {
    fn is_event_worker(&self, id: WorkerId) -> bool {
        (id as usize) < self.settings.worker_num
    }

    fn is_user_process(&self, id: WorkerId) -> bool {
        (id as usize) >= self.settings.worker_num + self.settings.task_worker_num
    }

    /// Stopped in the first phase of a shutdown: event workers and user processes (task
    /// workers last, so the event workers' tasks still run).
    fn stops_first(&self, id: WorkerId) -> bool {
        self.is_event_worker(id) || self.is_user_process(id)
    }

    /// Installs the manager's signals and forks every worker: task workers first, as Swoole
    /// does, so an event worker's first task finds them running. A fork that fails half-way
    /// stops what was started, so start() fails with nothing left behind.
    fn start<H: Handler>(&mut self, signals: &[Signal], h: &mut H) -> Result<(), PoolError> {
        if let Err(e) = signals::disarm(&[Signal::SIGPIPE]) {
            log_at!(Level::Warning, "Manager::start", "cannot disarm SIGPIPE: {}", e);
        }
        self.wake = Some(signals::install(signals).map_err(PoolError::Signals)?);
        h.enter(Process::Manager { shm: self.shm.clone() });
        let (w, t, u) = (self.settings.worker_num, self.settings.task_worker_num, self.settings.user_processes);
        for id in (w..w + t).chain(0..w).chain(w + t..w + t + u) {
            if let Err(e) = self.spawn(id as WorkerId, h) {
                log_at!(Level::Error, "Manager::start", "cannot start worker#{}: {}; stopping the {} started", id, e, self.children.len());
                self.stop_started();
                return Err(e);
            }
        }
        Ok(())
    }

    /// The manager's loop: signals, deaths, respawns, reloads, the shutdown's phases.
    fn supervise<H: Handler>(&mut self, h: &mut H) {
        // PROCESS mode: the master's pid goes there (it is the process to signal).
        let pid_file = if self.settings.process_mode { None } else { self.settings.pid_file.as_deref() };
        let _pid_file = pid_file.and_then(PidFile::write);
        while self.phase != Phase::Stopped {
            self.wait_for_signal();
            let got = signals::take();
            if got.has(Signal::SIGTERM) || got.has(Signal::SIGINT) {
                self.begin_shutdown();
            }
            if got.has(Signal::SIGUSR1) || got.has(Signal::SIGUSR2) {
                self.schedule_reload(got.has(Signal::SIGUSR1));
            }
            self.reap(h);
            self.respawn_due_workers(h);
            self.advance_reload();
            self.advance_shutdown();
        }
    }

    /// A partial start: every child already forked is told to stop, then killed if it has not
    /// after the usual grace, and reaped.
    fn stop_started(&mut self) {
        self.phase = Phase::Stopped;
        for pid in self.children.keys() {
            let _ = kill(*pid, Signal::SIGTERM);
        }
        let deadline = clock::after(self.settings.max_wait_time + KILL_GRACE);
        let mut killed = false;
        while !self.children.is_empty() {
            match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) => {
                    if Instant::now() >= deadline && !killed {
                        for pid in self.children.keys() {
                            let _ = kill(*pid, Signal::SIGKILL);
                        }
                        killed = true;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Ok(st) => {
                    if let Some(pid) = st.pid() {
                        self.children.remove(&pid);
                    }
                }
                Err(_) => break,
            }
        }
    }

    fn spawn<H: Handler>(&mut self, id: WorkerId, h: &mut H) -> Result<(), PoolError> {
        let shm = self.shm.clone();
        let slot = shm.slot(id).ok_or(PoolError::Fork(nix::errno::Errno::EINVAL))?;
        if fault::hit(Point::SpawnFail) {
            return Err(PoolError::Fork(nix::errno::Errno::EAGAIN));
        }
        slot.generation.fetch_add(1, Relaxed);
        slot.request_count.store(0, Relaxed);
        slot.handover.store(0, Relaxed);
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
                drop(exit_on_panic(format!("worker#{id}")));
                let code = self.run_child(id, manager, h);
                // SAFETY: a worker never returns into the user's script; _exit skips PHP's
                // shutdown, which belongs to the manager.
                unsafe { libc::_exit(code) }
            }
        }
    }

    /// The life of a forked worker; returns its exit status.
    fn run_child<H: Handler>(&mut self, id: WorkerId, manager: Pid, h: &mut H) -> i32 {
        // If the manager dies, stop too instead of serving as an orphan.
        let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGTERM);
        if nix::unistd::getppid() != manager {
            return 0;
        }
        // Ctrl-C reaches the whole process group; the manager alone decides how to stop.
        if let Err(e) = signals::disarm(&[Signal::SIGINT, Signal::SIGUSR1, Signal::SIGUSR2, Signal::SIGPIPE]) {
            log_at!(Level::Warning, "Manager::spawn", "worker#{}: cannot disarm signals: {}", id, e);
        }
        signals::restore_default(&[Signal::SIGCHLD]);
        // The manager's self-pipe is its own; this process makes its own.
        self.wake = None;
        if let Some(slot) = self.shm.slot(id) {
            slot.pid.store(std::process::id() as i32, Relaxed);
        }
        let result = if self.is_user_process(id) {
            log::set_role(Role::UserProcess);
            let code = self.run_user_process(id, h);
            h.on_exit();
            return code;
        } else if self.is_event_worker(id) {
            log::set_role(Role::EventWorker);
            self.run_event_worker(id, h)
        } else {
            log::set_role(Role::TaskWorker);
            self.run_task_worker(id, h)
        };
        h.on_exit();
        match result {
            Ok(()) => 0,
            Err(e) => {
                log_at!(Level::Error, "Manager::spawn", "worker#{} failed: {}", id, e);
                EXIT_FAILURE
            }
        }
    }

    /// Every channel end this child needs, and nothing else: the rest are closed here.
    /// Event worker `id` keeps its result channel's reading end, every result channel's
    /// writing end (to forward send() and close() to the owner of a connection) and every
    /// task inbox's writing end; task worker `index` keeps its inbox's reading end and every
    /// result channel's writing end.
    fn keep_channels(&mut self, id: WorkerId) -> Vec<OwnedFd> {
        let event = self.is_event_worker(id);
        let own = if event { id as usize } else { id as usize - self.settings.worker_num };
        let mut keep = Vec::new();
        for (i, c) in std::mem::take(&mut self.results).into_iter().enumerate() {
            // Event workers write to each other's result channels too (forwarded send()/close()).
            if event && i == own {
                keep.push(c.rx);
            }
            keep.push(c.tx);
        }
        // Everyone may message a task worker; each reads only its own mailbox.
        for (i, c) in std::mem::take(&mut self.mailboxes).into_iter().enumerate() {
            if !event && i == own {
                keep.push(c.rx);
            }
            keep.push(c.tx);
        }
        for (i, c) in std::mem::take(&mut self.inboxes).into_iter().enumerate() {
            match event {
                true => keep.push(c.tx),
                false if i == own => keep.push(c.rx),
                false => {}
            }
        }
        self.notices.clear();
        // Each event worker took its own reactor-link ends already; nobody keeps the others'.
        self.reactors = None;
        keep
    }

    fn run_event_worker<H: Handler>(&mut self, id: WorkerId, h: &mut H) -> io::Result<()> {
        if fault::hit(Point::WorkerStartEmfile) {
            return Err(io::Error::from_raw_os_error(libc::EMFILE));
        }
        let sockets = std::mem::take(&mut self.listeners);
        if sockets.is_empty() {
            return Err(io::Error::other("no listening socket"));
        }
        let options = std::iter::once(&self.settings.port).chain(&self.settings.extra_ports);
        let (mut listeners, mut dgrams) = (Vec::new(), Vec::new());
        for (id, (l, opts)) in sockets.into_iter().zip(options).enumerate() {
            match l {
                Listener::Stream(t) => listeners.push((StreamListener::Tcp(t), opts.rules(), id)),
                Listener::UnixStream(u) => listeners.push((StreamListener::Unix(u), opts.rules(), id)),
                Listener::Dgram(d) => dgrams.push((d, id)),
                Listener::InMaster => {}
            }
        }
        let reactors = match &mut self.reactors {
            Some(r) => Some(LinksSetup {
                ends: r.ends.get_mut(id as usize).map(std::mem::take).ok_or_else(|| io::Error::other("no reactor links for this worker"))?,
                max_message: r.max_message,
                rules: std::iter::once(&self.settings.port).chain(&self.settings.extra_ports).map(|p| p.rules()).collect(),
            }),
            None => None,
        };
        let results = self.results.get(id as usize).ok_or_else(|| io::Error::other("no result channel for this worker"))?;
        let (results_rx, results_tx, max_message) = (results.rx.as_raw_fd(), results.tx.as_raw_fd(), results.max_message);
        let tasks = match self.settings.broker() {
            Some(b) => self.broker_out(id, b, results_tx, max_message)?,
            None => self.task_out(),
        };
        let setup = EventWorkerSetup {
            id,
            worker_num: self.settings.worker_num,
            shm: self.shm.clone(),
            listeners,
            dgrams,
            // The shortest check interval of any port: each port's own idle time applies.
            heartbeat: std::iter::once(&self.settings.port)
                .chain(&self.settings.extra_ports)
                .filter_map(|p| p.heartbeat().map(|(every, _)| every))
                .min()
                .map(|every| Duration::from_secs(u64::from(every))),
            sessions: self.sessions.clone(),
            peers: self.results.iter().map(|c| Outbox::new(&c.tx, c.max_message, usize::MAX)).collect(),
            mailboxes: self.mailbox_outboxes(),
            results_rx,
            max_message,
            tasks,
            max_wait: self.settings.max_wait_time,
            backlog: Backlog { max: self.settings.task_backlog, timeout: self.settings.task_backlog_timeout },
            max_request: self.settings.worker_lifetime(random_u64()),
            retry_lost: self.settings.task_retry_lost,
            fds: self.keep_channels(id),
            reactors,
        };
        let w = Rc::new(RefCell::new(EventWorker::new(setup)?));
        worker::run(w, h)
    }

    /// PROCESS mode: event worker 0's ends of the reactor links, for a task worker's send().
    fn reactor_sender(&mut self) -> Option<(LinksSetup, Arc<crate::net::sessions::SessionDir>)> {
        let r = self.reactors.as_mut()?;
        let ends = r.ends.first_mut().map(std::mem::take)?;
        let rules = std::iter::once(&self.settings.port).chain(&self.settings.extra_ports).map(|p| p.rules()).collect();
        Some((LinksSetup { ends, max_message: r.max_message, rules }, self.sessions.clone()))
    }

    /// The way to each task worker's mailbox.
    fn mailbox_outboxes(&self) -> Vec<Outbox> {
        self.mailboxes.iter().map(|c| Outbox::new(&c.tx, c.max_message, usize::MAX)).collect()
    }

    /// An event worker's way to each task worker, and (mode 3) to whichever is free.
    fn task_out(&self) -> Box<dyn TaskOut> {
        match &self.queue {
            Some(q) => Box::new(QueueOut::new(
                q.0,
                self.settings.task_worker_num,
                self.settings.task_ipc_mode == IpcMode::Preemptive,
                self.settings.worker_num as WorkerId,
            )),
            None => Box::new(SocketOut {
                outboxes: self.inboxes.iter().map(|c| Outbox::new(&c.tx, c.max_message, TASKS_PER_DATAGRAM)).collect(),
            }),
        }
    }

    /// With a task broker: the local task workers' outboxes (for tasks given a
    /// `$dst_worker_id`), and one to this worker's broker threads, started here.
    fn broker_out(&self, id: WorkerId, settings: crate::broker::BrokerSettings, results_tx: std::os::fd::RawFd, results_max: usize) -> io::Result<Box<dyn TaskOut>> {
        let generation = self.shm.slot(id).map_or(0, |s| s.generation.load(Relaxed));
        let to_threads = Channel::new()?;
        let health = crate::broker::sender::start(crate::broker::sender::SenderSetup {
            settings,
            id,
            sender: format!("{}:{}:{}", self.host_id(), id, generation),
            tasks_rx: to_threads.rx,
            results_tx,
            results_max,
            shm: self.shm.clone(),
        })?;
        let local = self.inboxes.iter().map(|c| Outbox::new(&c.tx, c.max_message, TASKS_PER_DATAGRAM)).collect();
        let broker = Outbox::new(&to_threads.tx, to_threads.max_message, TASKS_PER_DATAGRAM);
        Ok(Box::new(crate::transport::broker::BrokerOut::new(local, broker, to_threads.tx, health)))
    }

    /// This server's name among the broker's hosts.
    fn host_id(&self) -> String {
        let h = self.shm.header();
        crate::broker::host_id(h.manager_pid.load(Relaxed), h.start_time.load(Relaxed))
    }

    fn run_user_process<H: Handler>(&mut self, id: WorkerId, h: &mut H) -> i32 {
        self.listeners.clear();
        // Held around fork; the user's code gets SIGTERM's default action.
        signals::restore_default(&[Signal::SIGTERM]);
        signals::release(&[Signal::SIGTERM]);
        let index = id as usize - self.settings.worker_num - self.settings.task_worker_num;
        let events = self.results.iter().map(|c| Outbox::new(&c.tx, c.max_message, usize::MAX)).collect();
        let mailboxes = self.mailbox_outboxes();
        let _fds = self.keep_channels(id);
        let p = UserProcess::new(id, index, self.shm.clone(), events, mailboxes, self.settings.task_worker_num);
        user_process::run(Rc::new(RefCell::new(p)), h)
    }

    fn run_task_worker<H: Handler>(&mut self, id: WorkerId, h: &mut H) -> io::Result<()> {
        // A task worker accepts nothing.
        self.listeners.clear();
        let index = id as usize - self.settings.worker_num;
        let inbox: Box<dyn TaskIn> = match (&self.queue, self.inboxes.get(index)) {
            (Some(q), _) => Box::new(QueueIn::new(q.0, index, self.settings.task_ipc_mode == IpcMode::Preemptive)?),
            (None, Some(c)) => Box::new(SocketIn::new(c.rx.as_raw_fd())?),
            (None, None) => return Err(io::Error::other("no task channel for this worker")),
        };
        let result_outboxes = self.results.iter().map(|c| Outbox::new(&c.tx, c.max_message, usize::MAX)).collect();
        let mailbox = self.mailboxes.get(index).map(|c| Mailbox::new(&c.rx, c.max_message));
        let mailboxes = self.mailbox_outboxes();
        let broker = match self.settings.broker() {
            Some(b) => Some(crate::broker::bridge::start(b, id, &self.host_id(), self.settings.task_broker_visibility_timeout, self.shm.clone())?),
            None => None,
        };
        let setup = TaskWorkerSetup {
            id,
            worker_num: self.settings.worker_num,
            shm: self.shm.clone(),
            inbox,
            result_outboxes,
            mailbox,
            mailboxes,
            max_wait: self.settings.max_wait_time,
            max_request: self.settings.task_worker_lifetime(random_u64()),
            reactors: self.reactor_sender(),
            fds: self.keep_channels(id),
            broker,
        };
        let tw = Rc::new(RefCell::new(TaskWorker::new(setup)?));
        task_worker::run(tw, h)
    }

    fn wait_for_signal(&mut self) {
        let next = self.respawn_due.iter().map(|(_, t)| *t).chain(self.phase_deadline).chain(self.reloading.map(|(_, t)| t)).min();
        let timeout = clock::poll_timeout(next.map(|t| t.saturating_duration_since(Instant::now()).min(Duration::from_secs(60))));
        let Some(wake) = &self.wake else { return };
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
            if let Some(slot) = self.shm.slot(child.id) {
                slot.set_status(WorkerStatus::Exit);
                slot.pid.store(0, Relaxed);
            }
            self.report_lost_tasks(child.id, pid, code, sig);
            let failed = code != 0 || sig != 0;
            // A user process that keeps returning at once is backed off like a failing one.
            let quick = self.is_user_process(child.id) && child.spawned.elapsed() < HEALTHY_LIFE;
            // A user process ends by SIGTERM's default action at shutdown: that is its stop.
            let stopped = self.phase != Phase::Running && self.is_user_process(child.id) && sig == Signal::SIGTERM as i32;
            if failed && !stopped {
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
                let delay = self.respawn_delay(child.id, failed || quick, child.spawned.elapsed());
                let streak = self.failures.get(child.id as usize).copied().unwrap_or(0);
                if streak > 1 {
                    log_at!(
                        Level::Warning,
                        "Manager::wait",
                        "worker#{} {} {} times in a row, respawning it in {}ms",
                        child.id,
                        if failed { "failed" } else { "ended early" },
                        streak,
                        delay.as_millis()
                    );
                }
                self.respawn_due.push((child.id, clock::after(delay)));
            }
        }
    }

    /// A clean exit (max_request, reload) is replaced at once; a failure after a backoff
    /// that doubles with every failure in a row of that worker, so a worker that cannot
    /// start (EMFILE, a crash in WorkerStart) never turns into a fork loop.
    fn respawn_delay(&mut self, id: WorkerId, failed: bool, lived: Duration) -> Duration {
        let Some(streak) = self.failures.get_mut(id as usize) else { return RESPAWN_BACKOFF };
        if !failed || lived >= HEALTHY_LIFE {
            *streak = 0;
        }
        if !failed {
            return Duration::ZERO;
        }
        let delay = RESPAWN_BACKOFF.saturating_mul(1u32 << (*streak).min(16)).min(RESPAWN_BACKOFF_MAX);
        *streak = streak.saturating_add(1);
        delay
    }

    /// A task worker died: the task it was running and those it had taken from its channel
    /// but not started will never finish. Tell each sender, so its books balance and its
    /// callback is released, count them, and take the unstarted ones off the queue counters.
    ///
    /// What it had taken is in its inbox buffer (see `task_worker`): zeroes if it was killed
    /// before a receive completed (the datagram is still in the channel, for the successor),
    /// else the datagram, whose frames from the slot's `started` on never began.
    fn report_lost_tasks(&mut self, id: WorkerId, pid: Pid, code: i32, sig: i32) {
        if self.is_user_process(id) {
            return;
        }
        if self.is_event_worker(id) {
            // A worker that died took its connections with it; one that exited cleanly closed
            // them or handed them to its successor (same id, so the directory stays right).
            // (In PROCESS mode the connections are the master's and outlive any worker.)
            if (code != 0 || sig != 0) && !self.settings.process_mode {
                self.sessions.release_all_of(id);
            }
            return;
        }
        let shm = self.shm.clone();
        let Some(slot) = shm.slot(id) else { return };
        let running = slot.running.take();
        if let Some(t) = running {
            self.report_lost(id, pid, code, sig, t, "was lost");
        }
        let started = slot.started.swap(0, Relaxed) as usize;
        let Some(inbox) = shm.inbox(id as usize - self.settings.worker_num) else { return };
        // SAFETY: the worker that owned the buffer is dead and its successor not yet forked:
        // nobody else touches it now.
        let buf = unsafe { inbox.bytes_mut() };
        let shared = i64::from_ne_bytes(buf[..8].try_into().unwrap_or_default()) == msgqueue::SHARED;
        let mut end = INBOX_BODY;
        let mut not_started = Vec::new();
        for (i, f) in Frames::new(&buf[INBOX_BODY..]).enumerate() {
            // The datagram ends where the zeroes begin (kind 0 is no frame).
            let Ok((h, body)) = f else { break };
            end += frame::HEADER_LEN + body.len();
            if i < started || h.kind != Kind::Task {
                continue;
            }
            let broker = h.flags & frame::FLAG_BROKER != 0;
            let t = Taken { src: h.src, generation: h.generation, task: h.task_id, shared, broker };
            if Some(t) != running {
                not_started.push(t);
            }
        }
        buf[..end].fill(0);
        for t in not_started {
            if !t.shared {
                slot.queued.fetch_sub(1, Relaxed);
            }
            self.shm.header().tasking_num.fetch_sub(1, Relaxed);
            self.report_lost(id, pid, code, sig, t, "was lost before it started");
        }
    }

    /// The sender counts the loss when it reads this (it alone knows whether the task's
    /// result got out before its worker died). A full channel keeps the notice queued here.
    fn report_lost(&mut self, id: WorkerId, pid: Pid, code: i32, sig: i32, t: Taken, what: &str) {
        let Taken { src, generation, task, broker, .. } = t;
        if broker {
            // Its sender is on any host: the broker reports it, once the task has been
            // pending for task_broker_visibility_timeout without a live worker keeping it.
            log_at!(Level::Notice, "Manager::wait", "task worker#{} (pid {}) died holding broker task#{} of worker#{}; the broker reports it", id, pid, task, src);
            return;
        }
        let reason = format!(
            "task#{} of worker#{} {}: task worker#{} (pid {}) exited with status {}, signal {}",
            task, src, what, id, pid, code, sig
        );
        // Only the sender knows whether the task's result got out before the death (then the
        // task is not lost): the sender logs the loss when it counts one, so the log names
        // exactly the lost tasks.
        log_at!(
            Level::Notice,
            "Manager::wait",
            "task worker#{} (pid {}) died holding task#{} of worker#{} ({}); its sender is told",
            id,
            pid,
            task,
            src,
            if what == "was lost" { "running" } else { "not started" }
        );
        let Some(out) = self.notices.get_mut(src as usize) else { return };
        let sent = frame::encode(Kind::Lost, 0, id, generation, task, reason.as_bytes()).map_err(io::Error::from).and_then(|f| out.push(f.into()));
        if let Err(e) = sent {
            log_at!(Level::Warning, "Manager::wait", "could not tell worker#{} that task#{} was lost: {}", src, task, e);
        }
    }

    fn respawn_due_workers<H: Handler>(&mut self, h: &mut H) {
        if self.phase != Phase::Running {
            self.respawn_due.clear();
            return;
        }
        let now = Instant::now();
        let (due, later): (Vec<_>, Vec<_>) = self.respawn_due.drain(..).partition(|(_, t)| *t <= now);
        self.respawn_due = later;
        for (id, _) in due {
            // A failed fork (out of memory, pid limit) must not end the manager under its
            // running workers: try again after the backoff.
            if let Err(e) = self.spawn(id, h) {
                let delay = self.respawn_delay(id, true, Duration::ZERO);
                log_at!(Level::Error, "Manager::spawn", "cannot respawn worker#{}: {}; next try in {}ms", id, e, delay.as_millis());
                self.respawn_due.push((id, clock::after(delay)));
            }
        }
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
        // (User processes are not reloaded: one in its respawn backoff does not hold it up.)
        if self.respawn_due.iter().any(|(id, _)| !self.is_user_process(*id)) {
            return;
        }
        while let Some(id) = self.reload_queue.pop_front() {
            let Some(pid) = self.children.iter().find(|(_, c)| c.id == id).map(|(p, _)| *p) else { continue };
            // A reloaded event worker hands its connections to its successor.
            if let Some(slot) = self.shm.slot(id) {
                slot.handover.store(u32::from(self.is_event_worker(id)), Relaxed);
            }
            let _ = kill(pid, Signal::SIGTERM);
            self.reloading = Some((pid, clock::after(self.settings.max_wait_time.saturating_add(KILL_GRACE))));
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
        self.phase_deadline = Some(clock::after(self.settings.max_wait_time.saturating_add(KILL_GRACE)));
        let event_phase = phase == Phase::StoppingEventWorkers;
        for (pid, c) in &self.children {
            if self.stops_first(c.id) == event_phase {
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
            self.children.iter().filter(|(_, c)| self.stops_first(c.id) == event_phase).map(|(p, c)| (*p, c.id)).collect();
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
