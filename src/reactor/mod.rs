//! SWOOLE_PROCESS mode: the process that called start() becomes the master. It forks the
//! manager (which forks the event and task workers, as in BASE mode) before it starts any
//! thread, then runs `reactor_num` reactor threads that own every stream connection and hand
//! its events to the event workers over one SEQPACKET link per (reactor, worker) pair. PHP runs
//! only on the master's main thread (Start, Shutdown) and in the worker processes.
//!
//! ```text
//! master ── main thread: signals, Start/Shutdown, watches the manager
//!   │        reactor thread 0..R-1: accept, read, frame, heartbeat, write
//!   │              │ link (r, w): events ->, <- send/close/pause
//!   └─ manager ── event worker 0..W-1, task worker 0..T-1, user processes
//! ```
//!
//! The links outlive every worker (the manager keeps their ends for successors), so a worker
//! that crashes or reloads loses no connection and no dispatched event.

pub mod dispatch;
pub mod links;
pub mod protocol;
pub mod thread;

use std::io;
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicU8, AtomicUsize, Ordering::Relaxed, Ordering::Release};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags};
use nix::sys::signal::{kill, SigSet, SigmaskHow, Signal};
use nix::sys::socket::{self, sockopt, AddressFamily, SockFlag, SockType};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};

use crate::config::Settings;
use crate::handler::{Handler, Process};
use crate::log::{self, Level, Role};
use crate::log_at;
use crate::net::framing::Framing;
use crate::net::listener::Listener;
use crate::net::stream::StreamListener;
use crate::pool::{self, PoolError, ReactorEnds, Shared};
use crate::signals;
use thread::{Reactor, ReactorSetup, FINISH, QUIESCE};

/// How the master's life ended.
#[derive(Debug, PartialEq, Eq)]
pub enum MasterEnd {
    /// Shut down as asked (SIGTERM, shutdown()).
    Stopped,
    /// The manager died: its workers were stopped and the server with them.
    ManagerDied,
}

/// Socket buffer each link asks for (both ways); as root the kernel grants it.
const LINK_BUFFER: usize = 4 * 1024 * 1024;
/// Beyond max_wait_time, how long the master waits for workers before it kills them.
const KILL_GRACE: Duration = Duration::from_secs(1);

struct LinkPairs {
    /// By reactor, then worker: the master's ends.
    master: Vec<Vec<OwnedFd>>,
    /// By worker, then reactor.
    workers: Vec<Vec<OwnedFd>>,
    max_message: usize,
}

fn link_pairs(reactors: usize, workers: usize) -> io::Result<LinkPairs> {
    let mut master: Vec<Vec<OwnedFd>> = (0..reactors).map(|_| Vec::new()).collect();
    let mut ends: Vec<Vec<OwnedFd>> = (0..workers).map(|_| Vec::new()).collect();
    let mut max_message = usize::MAX;
    for m in master.iter_mut() {
        for w in ends.iter_mut() {
            let (a, b) = socket::socketpair(AddressFamily::Unix, SockType::SeqPacket, None, SockFlag::SOCK_CLOEXEC)?;
            for end in [&a, &b] {
                if socket::setsockopt(end, sockopt::SndBufForce, &LINK_BUFFER).is_err() {
                    let _ = socket::setsockopt(end, sockopt::SndBuf, &LINK_BUFFER);
                }
                let got = socket::getsockopt(end, sockopt::SndBuf).unwrap_or(212_992);
                max_message = max_message.min(got.saturating_sub(4096).max(16 * 1024));
            }
            m.push(a);
            w.push(b);
        }
    }
    Ok(LinkPairs { master, workers: ends, max_message })
}

/// Runs a PROCESS-mode server until it has shut down. Returns only in the master.
pub fn run_master<H: Handler>(settings: &Settings, listeners: Vec<Listener>, h: &mut H) -> Result<MasterEnd, PoolError> {
    crate::fault::init();
    pool::set_backlogs(settings, &listeners);
    let shared = Shared::new(settings)?;
    let shm = shared.shm.clone();
    let sessions = shared.sessions.clone();
    // Known before any other process exists: every process reads the right master pid.
    shm.header().master_pid.store(std::process::id() as i32, Relaxed);
    shm.header().process_mode.store(1, Relaxed);
    let reactor_num = settings.reactor_threads();
    let pairs = link_pairs(reactor_num, settings.worker_num).map_err(PoolError::Channel)?;
    let signals_wanted = [Signal::SIGTERM, Signal::SIGINT, Signal::SIGCHLD, Signal::SIGUSR1, Signal::SIGUSR2];
    // Held across the fork: each side installs its own handlers and pipe, and a signal that
    // comes meanwhile waits for them instead of killing (or being lost by) either.
    signals::hold(&signals_wanted);
    if let Err(e) = signals::disarm(&[Signal::SIGPIPE]) {
        log_at!(Level::Warning, "Master::start", "cannot disarm SIGPIPE: {}", e);
    }
    // Workers orphaned by a dying manager become the master's children, so it can wait for
    // them (they stop on their own: their parent-death signal is SIGTERM).
    // SAFETY: prctl with PR_SET_CHILD_SUBREAPER takes one integer argument.
    unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) };
    let LinkPairs { master: master_ends, workers: worker_ends, max_message } = pairs;
    // SAFETY: no thread has been started yet in this process (the reactors start below).
    let forked = unsafe { fork() };
    let forked = match forked {
        Ok(f) => f,
        Err(e) => {
            signals::release(&signals_wanted);
            return Err(PoolError::Fork(e));
        }
    };
    let manager = match forked {
        ForkResult::Child => {
            drop(master_ends);
            let _ = nix::sys::prctl::set_pdeathsig(Signal::SIGTERM);
            let listeners = listeners.into_iter().map(|l| match l {
                Listener::Stream(_) | Listener::UnixStream(_) => Listener::InMaster,
                other => other,
            });
            let ends = ReactorEnds { ends: worker_ends, max_message };
            let code = match pool::run_manager(settings, listeners.collect(), Shared { shm, sessions }, Some(ends), h) {
                Ok(()) => 0,
                Err(e) => {
                    log_at!(Level::Error, "Manager::start", "{}", e);
                    pool::EXIT_FAILURE
                }
            };
            h.on_exit();
            // SAFETY: the manager never returns into the user's script.
            unsafe { libc::_exit(code) }
        }
        ForkResult::Parent { child } => child,
    };
    drop(worker_ends);
    log::set_role(Role::Master);
    let wake = match signals::install(&signals_wanted) {
        Ok(w) => w,
        Err(e) => {
            // The manager is running: stop it rather than leave it behind.
            let _ = kill(manager, Signal::SIGTERM);
            let _ = waitpid(manager, None);
            return Err(PoolError::Signals(e));
        }
    };
    shm.header().manager_pid.store(manager.as_raw(), Relaxed);
    let mut master = Master { settings, manager, manager_alive: true, stopping: false, died: false, children_deadline: None, phase: Arc::new(AtomicU8::new(thread::RUN)), quiesced: Arc::new(AtomicUsize::new(0)), wakers: Vec::new(), threads: Vec::new() };
    if let Err(e) = master.start_reactors(listeners, master_ends, max_message, &shm, &sessions) {
        log_at!(Level::Error, "Master::start", "cannot start the reactor threads: {}; stopping", e);
        master.begin_stop();
    }
    let _pid_file = settings.pid_file.as_deref().and_then(pool::PidFile::write);
    h.enter(Process::Manager { shm: shm.clone() });
    h.on_start();
    master.supervise(&wake);
    signals::restore_default(&signals_wanted);
    h.on_shutdown();
    Ok(if master.died { MasterEnd::ManagerDied } else { MasterEnd::Stopped })
}

struct Master<'a> {
    settings: &'a Settings,
    manager: Pid,
    manager_alive: bool,
    stopping: bool,
    died: bool,
    /// When the workers orphaned by a dead manager get killed if still there.
    children_deadline: Option<Instant>,
    phase: Arc<AtomicU8>,
    quiesced: Arc<AtomicUsize>,
    wakers: Vec<Arc<mio::Waker>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Master<'_> {
    fn start_reactors(
        &mut self,
        listeners: Vec<Listener>,
        ends: Vec<Vec<OwnedFd>>,
        max_message: usize,
        shm: &Arc<crate::shm::Shm>,
        sessions: &Arc<crate::net::sessions::SessionDir>,
    ) -> io::Result<()> {
        let s = self.settings;
        let options: Vec<_> = std::iter::once(&s.port).chain(&s.extra_ports).collect();
        let mut streams = Vec::new();
        for (id, l) in listeners.into_iter().enumerate() {
            let rules = options.get(id).map(|o| o.rules()).unwrap_or_default();
            match l {
                Listener::Stream(t) => streams.push((StreamListener::Tcp(t), rules, id)),
                Listener::UnixStream(u) => streams.push((StreamListener::Unix(u), rules, id)),
                // Datagram ports are served by the event workers themselves.
                Listener::Dgram(_) | Listener::InMaster => {}
            }
        }
        let sticky_ports = streams.iter().filter(|(_, r, _)| r.framing == Framing::Func).map(|(_, _, id)| *id).collect::<Vec<_>>();
        let heartbeat = options.iter().filter_map(|p| p.heartbeat().map(|(every, _)| every)).min().map(|every| Duration::from_secs(u64::from(every)));
        let turn = Arc::new(AtomicUsize::new(0));
        let placed = Arc::new((0..s.worker_num).map(|_| AtomicI64::new(0)).collect::<Vec<_>>());
        // A worker's slot has counted what its predecessors took since the server started.
        let dispatched = Arc::new((0..s.worker_num).map(|w| AtomicU64::new(shm.slot(w as u32).map_or(0, |slot| slot.consumed.load(Relaxed)))).collect::<Vec<_>>());
        let mut reactors = Vec::new();
        for (r, links) in ends.into_iter().enumerate() {
            let mut mine = Vec::new();
            for (l, rules, id) in &streams {
                mine.push((clone_listener(l)?, rules.clone(), *id));
            }
            let setup = ReactorSetup {
                id: r as u32,
                listeners: mine,
                links,
                max_message,
                shm: shm.clone(),
                dir: sessions.clone(),
                mode: s.dispatch_mode,
                connection_events: s.delivers_connection_events(),
                sticky_ports: sticky_ports.clone(),
                heartbeat,
                max_wait: s.max_wait_time,
                shared: thread::Shared { turn: turn.clone(), placed: placed.clone(), dispatched: dispatched.clone(), phase: self.phase.clone(), quiesced: self.quiesced.clone() },
            };
            let (reactor, waker) = Reactor::new(setup)?;
            shm.header().reactor_threads.fetch_add(1, Relaxed);
            reactors.push(reactor);
            self.wakers.push(waker);
        }
        drop(streams);
        // Signals are the main thread's: a reactor thread never runs a handler (threads
        // inherit the mask they are started with).
        let mut old = SigSet::empty();
        let blocked = nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&SigSet::all()), Some(&mut old)).is_ok();
        let mut spawned = Ok(());
        for (r, reactor) in reactors.into_iter().enumerate() {
            match std::thread::Builder::new().name(format!("reactor#{r}")).spawn(move || reactor.run()) {
                Ok(t) => self.threads.push(t),
                Err(e) => {
                    spawned = Err(e);
                    break;
                }
            }
        }
        if blocked {
            let _ = nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&old), None);
        }
        spawned
    }

    /// The master's loop: signals to pass on, the manager's death, the shutdown.
    fn supervise(&mut self, wake: &signals::Wakeup) {
        loop {
            self.wait(wake);
            let got = signals::take();
            if got.has(Signal::SIGTERM) || got.has(Signal::SIGINT) {
                self.begin_stop();
            }
            for sig in [Signal::SIGUSR1, Signal::SIGUSR2] {
                if got.has(sig) && self.manager_alive && !self.stopping {
                    let _ = kill(self.manager, sig);
                }
            }
            self.reap();
            if !self.manager_alive && self.no_children_left() {
                break;
            }
        }
        self.phase.store(FINISH, Release);
        self.wake_reactors();
        for t in self.threads.drain(..) {
            if t.join().is_err() {
                log_at!(Level::Error, "Master::stop", "a reactor thread panicked");
            }
        }
    }

    fn wait(&self, wake: &signals::Wakeup) {
        use std::os::fd::BorrowedFd;
        // SAFETY: the pipe lives as long as `wake`; the borrow ends with poll().
        let mut fds = [PollFd::new(unsafe { BorrowedFd::borrow_raw(wake.fd()) }, PollFlags::POLLIN)];
        let _ = poll(&mut fds, crate::clock::poll_timeout(Some(Duration::from_millis(200))));
        wake.drain();
    }

    fn begin_stop(&mut self) {
        if self.stopping {
            return;
        }
        self.stopping = true;
        // No new connections or requests: the workers are about to stop reading.
        self.phase.store(QUIESCE, Release);
        self.wake_reactors();
        // Every event that came before the stop reaches the workers before they stop.
        let deadline = crate::clock::after(Duration::from_secs(1));
        while self.quiesced.load(Relaxed) < self.threads.len() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        if self.manager_alive {
            let _ = kill(self.manager, Signal::SIGTERM);
        }
    }

    fn wake_reactors(&self) {
        for w in &self.wakers {
            let _ = w.wake();
        }
    }

    fn reap(&mut self) {
        loop {
            match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::StillAlive) | Err(_) => return,
                Ok(st) if st.pid() == Some(self.manager) => {
                    self.manager_alive = false;
                    if !self.stopping {
                        self.died = true;
                        log_at!(
                            Level::Error,
                            "Master::wait",
                            "the manager (pid {}) exited unexpectedly ({:?}); its workers are stopped and the server stops with them",
                            self.manager,
                            st
                        );
                        self.begin_stop();
                    }
                    self.children_deadline = Some(crate::clock::after(self.settings.max_wait_time.saturating_add(KILL_GRACE)));
                }
                Ok(_) => {}
            }
        }
    }

    /// True once every process the manager left behind is gone (killed at the deadline).
    fn no_children_left(&mut self) -> bool {
        match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
            Err(nix::errno::Errno::ECHILD) => return true,
            Ok(WaitStatus::StillAlive) => {}
            Ok(_) | Err(_) => return false,
        }
        if self.children_deadline.is_some_and(|d| Instant::now() >= d) {
            log_at!(Level::Warning, "Master::stop", "workers of the dead manager did not stop in time: killed");
            for pid in children_of(std::process::id()) {
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            }
            self.children_deadline = Some(Instant::now() + KILL_GRACE);
        }
        false
    }
}

/// This process's children, from /proc (orphaned workers the master adopted).
fn children_of(pid: u32) -> Vec<i32> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|p| {
            std::fs::read_to_string(format!("/proc/{p}/stat"))
                .ok()
                .and_then(|s| s.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().nth(1).map(str::to_owned)))
                .flatten()
                .is_some_and(|ppid| ppid == pid.to_string())
        })
        .collect()
}

fn clone_listener(l: &StreamListener) -> io::Result<StreamListener> {
    Ok(match l {
        StreamListener::Tcp(t) => StreamListener::Tcp(t.try_clone()?),
        StreamListener::Unix(u) => StreamListener::Unix(u.try_clone()?),
    })
}
