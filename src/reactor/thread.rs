//! One reactor thread of a PROCESS-mode master: a mio loop over its own connection table (the
//! same `net::table` a BASE event worker runs: accepting, framing, limits, heartbeat, output
//! with back-pressure) and its links to the event workers. It turns connection events into
//! frames for the worker `dispatch_mode` picks, and applies what workers send back. It never
//! calls into PHP and shares nothing mutable with other threads but atomics.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicU8, AtomicUsize, Ordering::Acquire, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token, Waker};

use crate::config::DispatchMode;
use crate::handler::SendError;
use crate::ipc::channel::{self, Outbox};
use crate::ipc::frame::Frames;
use crate::log::Level;
use crate::log_at;
use crate::net::sessions::SessionDir;
use crate::net::stream::StreamListener;
use crate::net::table::{ConnEvent, ConnTable, PortRules};
use crate::reactor::dispatch::{Dispatcher, Seen};
use crate::reactor::protocol::{self, Command, Control};
use crate::shm::{Shm, WorkerStatus};
use crate::types::{SessionId, WorkerId};

const WAKER: Token = Token(0);
/// Link to event worker `w` is token LINKS + w; listeners and connections as in a worker.
const LINKS: usize = 16;
const LISTENERS: usize = 1 << 23;
const CONN: usize = 1 << 24;
/// Client bytes dispatched to one worker and not yet taken off its links (in the links'
/// socket buffers, in this process's queues, in memfds), past which the connections whose
/// data would go there are paused until it catches up.
const IN_FLIGHT_LIMIT: u64 = 8 * 1024 * 1024;
/// How often a reactor with paused connections looks whether their worker caught up.
const RESUME_CHECK: Duration = Duration::from_millis(10);
/// Datagrams read from one link per pass before the others have their turn.
const LINK_BUDGET: usize = 256;
const CLOSE_GRACE: Duration = Duration::from_secs(30);

/// What the master asks of its reactor threads.
pub const RUN: u8 = 0;
/// The server is stopping: accept and read nothing new; keep writing the workers' replies.
pub const QUIESCE: u8 = 1;
/// The workers are gone: write what is queued (for a while), close everything, return.
pub const FINISH: u8 = 2;

/// State the reactor threads of one master share.
pub struct Shared {
    /// Round-robin turn over the whole server.
    pub turn: Arc<AtomicUsize>,
    /// Connections placed on each event worker (dispatch_mode 8).
    pub placed: Arc<Vec<AtomicI64>>,
    /// Client bytes dispatched to each event worker (what it took is in its slot).
    pub dispatched: Arc<Vec<AtomicU64>>,
    /// What the master asks (RUN, QUIESCE, FINISH).
    pub phase: Arc<AtomicU8>,
    /// Reactors that have quiesced and handed out every event that came before.
    pub quiesced: Arc<AtomicUsize>,
}

pub struct ReactorSetup {
    pub id: u32,
    pub listeners: Vec<(StreamListener, PortRules, usize)>,
    /// This thread's end of its link to each event worker, by worker id.
    pub links: Vec<OwnedFd>,
    pub max_message: usize,
    pub shm: Arc<Shm>,
    pub dir: Arc<SessionDir>,
    pub mode: DispatchMode,
    /// Connect, Close and buffer events reach the workers (see Settings).
    pub connection_events: bool,
    /// Ports whose messages user code cuts (package_length_func): a connection's data must
    /// reach one worker, whatever the mode.
    pub sticky_ports: Vec<usize>,
    pub heartbeat: Option<Duration>,
    /// How long the last writes may take once the workers are gone.
    pub max_wait: Duration,
    pub shared: Shared,
}

struct Link {
    fd: OwnedFd,
    out: Outbox,
    /// Sessions paused because this worker's queue was over its bound.
    paused: Vec<SessionId>,
    /// The last read ended on its budget: read again before sleeping.
    unfinished: bool,
    /// Its other end is gone for good; nothing is sent or read.
    closed: bool,
}

pub struct Reactor {
    id: u32,
    poll: Poll,
    events: Events,
    conns: ConnTable,
    links: Vec<Link>,
    max_message: usize,
    dispatcher: Dispatcher,
    mode: DispatchMode,
    connection_events: bool,
    sticky_ports: Vec<usize>,
    /// The worker each session's Connect went to (it gets the session's Close, too).
    placed_on: HashMap<SessionId, WorkerId>,
    placed: Arc<Vec<AtomicI64>>,
    dispatched: Arc<Vec<AtomicU64>>,
    phase: Arc<AtomicU8>,
    quiesced: Arc<AtomicUsize>,
    quiet: bool,
    quiesce_counted: bool,
    finish_by: Option<Instant>,
    max_wait: Duration,
    heartbeat: Option<Duration>,
    next_heartbeat: Option<Instant>,
    shm: Arc<Shm>,
    dir: Arc<SessionDir>,
    buf: Vec<u8>,
    fds: VecDeque<OwnedFd>,
}

impl Reactor {
    /// Built in the master's main thread (so a failure is reported before anything runs);
    /// the waker lets the master interrupt its wait.
    pub fn new(s: ReactorSetup) -> io::Result<(Reactor, Arc<Waker>)> {
        let poll = Poll::new()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let conns = ConnTable::new(s.listeners, poll.registry(), LISTENERS, CONN, s.id as i32, s.shm.clone(), s.dir.clone())?;
        let mut links = Vec::with_capacity(s.links.len());
        for (w, fd) in s.links.into_iter().enumerate() {
            poll.registry().register(&mut SourceFd(&fd.as_raw_fd()), Token(LINKS + w), Interest::READABLE | Interest::WRITABLE)?;
            let out = Outbox::new(&fd, s.max_message, usize::MAX);
            links.push(Link { fd, out, paused: Vec::new(), unfinished: true, closed: false });
        }
        let workers = links.len();
        let reactor = Reactor {
            id: s.id,
            poll,
            events: Events::with_capacity(256),
            conns,
            links,
            max_message: s.max_message,
            dispatcher: Dispatcher::new(s.mode, workers, s.shared.turn),
            mode: s.mode,
            connection_events: s.connection_events,
            sticky_ports: s.sticky_ports,
            placed_on: HashMap::new(),
            placed: s.shared.placed,
            dispatched: s.shared.dispatched,
            phase: s.shared.phase,
            quiesced: s.shared.quiesced,
            quiet: false,
            quiesce_counted: false,
            finish_by: None,
            max_wait: s.max_wait,
            heartbeat: s.heartbeat,
            next_heartbeat: s.heartbeat.map(crate::clock::after),
            shm: s.shm,
            dir: s.dir,
            buf: channel::recv_buffer(s.max_message),
            fds: VecDeque::new(),
        };
        Ok((reactor, waker))
    }

    /// The thread's life: serve until the master says FINISH and the last output is out.
    pub fn run(mut self) {
        loop {
            match self.phase.load(Acquire) {
                RUN => {}
                QUIESCE => self.quiesce(),
                _ => {
                    self.quiesce();
                    if self.finish_by.is_none() {
                        // Every worker is gone: what they wrote last is all in the links.
                        for w in 0..self.links.len() {
                            self.links[w].unfinished = true;
                            while self.links[w].unfinished && !self.links[w].closed {
                                self.read_link(w);
                            }
                        }
                    }
                    let by = *self.finish_by.get_or_insert_with(|| crate::clock::after(self.max_wait));
                    if self.conns.flush_all() || Instant::now() >= by {
                        // The workers are gone: nobody runs these Close events.
                        self.conns.close_all(self.poll.registry());
                        while self.conns.pop_event().is_some() {}
                        return;
                    }
                }
            }
            if let Err(e) = self.pass() {
                log_at!(Level::Error, "Reactor::loop", "reactor#{} poll failed: {}", self.id, e);
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }

    /// The server begins to stop: no new connections; what already came in (a client's
    /// data, its close) is handed out by one more pass before the master tells the workers
    /// to stop, so they serve it.
    fn quiesce(&mut self) {
        if !self.quiet {
            self.conns.stop_accepting(self.poll.registry());
            if let Err(e) = self.pass_with(Some(Duration::ZERO)) {
                log_at!(Level::Warning, "Reactor::stop", "reactor#{}: {}", self.id, e);
            }
            self.quiet = true;
        }
        // Counted once all of it is in the links, where the workers read it before they stop.
        if !self.quiesce_counted && self.links.iter().all(|l| l.out.is_empty() || l.closed) {
            self.quiesce_counted = true;
            self.quiesced.fetch_add(1, Relaxed);
        }
    }

    fn pass(&mut self) -> io::Result<()> {
        self.pass_with(None)
    }

    /// One loop pass; `timeout` bounds its wait (None: until something happens).
    fn pass_with(&mut self, limit: Option<Duration>) -> io::Result<()> {
        let mut timeout = limit;
        if let Some(due) = self.next_heartbeat {
            let left = due.saturating_duration_since(Instant::now());
            timeout = Some(timeout.map_or(left, |t: Duration| t.min(left)));
        }
        let draining = self.quiet && !self.quiesce_counted;
        if self.conns.sweep_closing(self.poll.registry(), CLOSE_GRACE) || self.finish_by.is_some() || draining {
            timeout = Some(timeout.map_or(Duration::from_millis(50), |t: Duration| t.min(Duration::from_millis(50))));
        }
        if self.links.iter().any(|l| !l.paused.is_empty()) {
            timeout = Some(timeout.map_or(RESUME_CHECK, |t: Duration| t.min(RESUME_CHECK)));
        }
        let unfinished = self.conns.has_unfinished() || self.links.iter().any(|l| l.unfinished);
        if unfinished || self.conns.has_events() {
            timeout = Some(Duration::ZERO);
        }
        match self.poll.poll(&mut self.events, timeout) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
        // Clients are still read while the server stops, so their Close reaches the workers;
        // what they send meanwhile is not served (dispatch_events).
        let reading = true;
        let ready: Vec<(Token, bool, bool, bool)> = self
            .events
            .iter()
            .map(|e| (e.token(), e.is_readable() || e.is_read_closed() || e.is_error(), e.is_writable(), e.is_read_closed() || e.is_error()))
            .collect();
        for (token, readable, writable, peer_closed) in ready {
            let registry = self.poll.registry();
            match token {
                WAKER => {}
                t if self.conns.port_of_token(t).is_some() => {
                    if let (Some(p), false) = (self.conns.port_of_token(t), self.quiet) {
                        self.conns.accept_all(registry, p);
                    }
                }
                Token(t) if t >= CONN => {
                    if let Some(i) = self.conns.index_of(Token(t)) {
                        self.conns.on_ready(registry, i, readable, writable, peer_closed, reading);
                    }
                }
                Token(t) if t >= LINKS && t - LINKS < self.links.len() => {
                    let w = t - LINKS;
                    if writable {
                        self.flush_link(w);
                    }
                    if readable && !self.links[w].closed {
                        self.links[w].unfinished = true;
                    }
                }
                _ => {}
            }
        }
        self.resume_caught_up();
        self.conns.read_unfinished(self.poll.registry(), reading);
        for w in 0..self.links.len() {
            if self.links[w].unfinished {
                self.read_link(w);
            }
        }
        if let (Some(due), Some(every)) = (self.next_heartbeat, self.heartbeat) {
            if Instant::now() >= due {
                self.conns.close_idle(self.poll.registry());
                self.next_heartbeat = Some(crate::clock::after(every));
            }
        }
        self.dispatch_events();
        for w in 0..self.links.len() {
            if !self.links[w].out.is_empty() && !self.links[w].closed {
                self.flush_link(w);
            }
        }
        Ok(())
    }

    /// Hands every queued connection event to its worker.
    fn dispatch_events(&mut self) {
        while let Some((e, port)) = self.conns.pop_event() {
            match e {
                ConnEvent::Connect(s) => {
                    let peer = self.dir.info(s).and_then(|i| i.peer);
                    let w = self.pick(s, peer, None);
                    self.placed_on.insert(s, w);
                    if let Some(n) = self.placed.get(w as usize) {
                        n.fetch_add(1, Relaxed);
                    }
                    if self.connection_events {
                        self.deliver(w, ConnEvent::Connect(s), port, None);
                    }
                }
                ConnEvent::Receive(s, _) if self.quiet => {
                    // The workers are stopping: what a client sends now is not served (its
                    // Close, when it leaves, still reaches its worker).
                    log_at!(Level::Notice, "Reactor::dispatch", "session#{}: data received after the shutdown began is not served", s);
                }
                ConnEvent::Receive(s, data) => {
                    let placed = self.placed_on.get(&s).copied();
                    let w = if self.sticky_ports.contains(&port) { placed.unwrap_or_else(|| self.dispatcher.by_session(s)) } else { self.pick(s, None, placed) };
                    self.deliver(w, ConnEvent::Receive(s, data), port, None);
                }
                ConnEvent::Close(s, r) => {
                    let w = self.placed_on.remove(&s);
                    if let Some(n) = w.and_then(|w| self.placed.get(w as usize)) {
                        n.fetch_sub(1, Relaxed);
                    }
                    for l in &mut self.links {
                        l.paused.retain(|&p| p != s);
                    }
                    if self.connection_events {
                        // Its getClientInfo() in onClose: what the table kept as it closed.
                        let info = self.conns.info(s);
                        let w = w.unwrap_or_else(|| self.dispatcher.by_session(s));
                        self.deliver(w, ConnEvent::Close(s, r), port, info.as_ref());
                    }
                }
                ConnEvent::BufferFull(s) | ConnEvent::BufferEmpty(s) if self.connection_events => {
                    let w = self.placed_on.get(&s).copied().unwrap_or_else(|| self.dispatcher.by_session(s));
                    self.deliver(w, e, port, None);
                }
                ConnEvent::ProtocolError(s, why) => {
                    // The worker raises it as a PHP warning, as in BASE mode (its Close follows).
                    let w = self.placed_on.get(&s).copied().unwrap_or_else(|| self.dispatcher.by_session(s));
                    self.deliver(w, ConnEvent::ProtocolError(s, why), port, None);
                }
                ConnEvent::BufferFull(_) | ConnEvent::BufferEmpty(_) => {}
            }
        }
    }

    /// The worker for session `s`'s next event, by dispatch_mode.
    fn pick(&self, s: SessionId, peer: Option<std::net::SocketAddr>, placed: Option<WorkerId>) -> WorkerId {
        let shm = &self.shm;
        let idle = |w: WorkerId| shm.slot(w).is_some_and(|slot| slot.status() == WorkerStatus::Idle);
        let placed_counts = &self.placed;
        let connections = |w: WorkerId| placed_counts.get(w as usize).map_or(0, |n| n.load(Relaxed));
        let uid = if self.mode == DispatchMode::Uid { self.dir.uid(s) } else { 0 };
        let seen = Seen { session: s, peer, uid, assigned: placed, idle: &idle, connections: &connections };
        if placed.is_none() {
            self.dispatcher.for_connect(&seen)
        } else {
            self.dispatcher.for_data(&seen)
        }
    }

    /// Queues one event for worker `w`. Data for a worker whose queue is over its bound
    /// pauses the connection it came from, until the worker catches up.
    fn deliver(&mut self, w: WorkerId, e: ConnEvent, port: usize, closed: Option<&crate::net::table::ConnInfo>) {
        let from = match &e {
            ConnEvent::Receive(s, d) => Some((*s, d.len() as u64)),
            _ => None,
        };
        let stopping = self.quiet || self.phase.load(Acquire) != RUN;
        let Some(link) = self.links.get_mut(w as usize).filter(|l| !l.closed) else {
            // After the shutdown began, a worker that has exited leaves nobody to tell.
            let level = if stopping { Level::Debug } else { Level::Warning };
            log_at!(level, "Reactor::dispatch", "reactor#{}: an event for worker#{} is lost: its link is closed", self.id, w);
            return;
        };
        // Sent with the rest of this pass's events for that worker, several to a datagram.
        let sent = protocol::event(e, port, self.id, closed, self.max_message).map(|m| link.out.push_lazy(m));
        if let Err(e) = sent {
            let level = if stopping { Level::Debug } else { Level::Warning };
            log_at!(level, "Reactor::dispatch", "reactor#{}: an event for worker#{} is lost: {}", self.id, w, e);
            return;
        }
        if let (Some((_, len)), Some(n)) = (from, self.dispatched.get(w as usize)) {
            // Counted before the flush that sends it: the worker may take it at once.
            n.fetch_add(len, Relaxed);
            self.shm.header().dispatch_count.fetch_add(1, Relaxed);
            if let Some(slot) = self.shm.slot(w) {
                slot.dispatch_count.fetch_add(1, Relaxed);
            }
        }
        let Some((s, _)) = from else { return };
        let in_flight = self.in_flight(w as usize);
        if in_flight <= IN_FLIGHT_LIMIT {
            return;
        }
        if self.links[w as usize].paused.is_empty() {
            log_at!(
                Level::Warning,
                "Reactor::dispatch",
                "worker#{} is not reading its pipe ({} bytes wait for it): reactor#{} pauses its clients until it does",
                w,
                in_flight,
                self.id
            );
        }
        // This client, and every other one whose data goes to that worker (where it is known:
        // the modes that keep a connection on one worker), so none adds more than one read.
        let mut sessions = vec![s];
        if self.mode.keeps_connection_on_one_worker() || self.mode == DispatchMode::Uid {
            sessions.extend(self.placed_on.iter().filter(|(&o, &pw)| pw == w && o != s).map(|(&o, _)| o));
        }
        for o in sessions {
            // Held apart from a user's pause(): resuming one does not undo the other.
            if self.conns.hold(self.poll.registry(), o, true) {
                self.links[w as usize].paused.push(o);
            }
        }
    }

    /// Client bytes dispatched to worker `w` that it has not taken yet.
    fn in_flight(&self, w: usize) -> u64 {
        let sent = self.dispatched.get(w).map_or(0, |n| n.load(Relaxed));
        sent.saturating_sub(self.shm.slot(w as WorkerId).map_or(0, |slot| slot.consumed.load(Relaxed)))
    }

    /// Resumes the connections paused for a worker that has caught up.
    fn resume_caught_up(&mut self) {
        for w in 0..self.links.len() {
            if self.links[w].paused.is_empty() || self.in_flight(w) > IN_FLIGHT_LIMIT / 2 {
                continue;
            }
            for s in std::mem::take(&mut self.links[w].paused) {
                self.conns.hold(self.poll.registry(), s, false);
            }
        }
    }

    fn flush_link(&mut self, w: usize) {
        let link = &mut self.links[w];
        if let Err(e) = link.out.flush() {
            log_at!(Level::Warning, "Reactor::dispatch", "reactor#{}: writing to worker#{} failed: {}", self.id, w, e);
        }
    }

    /// Applies what worker `w`'s process (or another, through this link) asked.
    fn read_link(&mut self, w: usize) {
        self.links[w].unfinished = false;
        for _ in 0..LINK_BUDGET {
            let fd = self.links[w].fd.as_raw_fd();
            let n = match channel::recv(fd, &mut self.buf, &mut self.fds, false) {
                Ok(Some(n)) if n > 0 => n,
                Ok(None) => return,
                Ok(Some(_)) => return self.link_closed(w),
                Err(e) if e.raw_os_error() == Some(libc::ECONNRESET) => return self.link_closed(w),
                Err(e) if e.raw_os_error().is_some() => {
                    // Transient (ENOBUFS, ENOMEM...): the next readiness tries again.
                    log_at!(Level::Warning, "Reactor::link", "reactor#{}: reading worker#{}'s link failed: {}", self.id, w, e);
                    return;
                }
                Err(e) => {
                    // One bad datagram (cut short, too many descriptors): it is gone.
                    log_at!(Level::Warning, "Reactor::link", "reactor#{}: reading worker#{}'s link failed: {}", self.id, w, e);
                    continue;
                }
            };
            let datagram = std::mem::take(&mut self.buf);
            for f in Frames::new(&datagram[..n]) {
                match f.map_err(io::Error::from).and_then(|(h, body)| protocol::decode_command(&h, body, &mut self.fds).map(|c| (h.src, c))) {
                    Ok((src, c)) => self.apply(src, c),
                    Err(e) => log_at!(Level::Warning, "Reactor::link", "reactor#{}: a bad frame from worker#{}: {}", self.id, w, e),
                }
            }
            self.buf = datagram;
            self.fds.clear();
        }
        self.links[w].unfinished = true;
    }

    /// Nobody holds the other end any more (the manager and its workers are gone): the link
    /// is left alone from now on.
    fn link_closed(&mut self, w: usize) {
        let fd = self.links[w].fd.as_raw_fd();
        let _ = self.poll.registry().deregister(&mut SourceFd(&fd));
        self.links[w].unfinished = false;
        self.links[w].closed = true;
        if !self.quiet {
            log_at!(Level::Warning, "Reactor::link", "reactor#{}: worker#{}'s link was closed", self.id, w);
        }
    }

    fn apply(&mut self, src: u32, c: Command) {
        let registry = self.poll.registry();
        match c {
            Command::Send(fd, p) => match self.conns.send_accepted(fd, &p.bytes) {
                Ok(()) => {}
                Err(SendError::NoSession(_)) => log_at!(Level::Notice, "Reactor::send", "session#{} is gone; data from worker#{} dropped", fd, src),
                Err(e) => log_at!(Level::Warning, "Reactor::send", "{} (data from worker#{} dropped)", e, src),
            },
            Command::Control(fd, Control::Close) => {
                self.conns.close(registry, fd, false);
            }
            Command::Control(fd, Control::Reset) => {
                self.conns.close(registry, fd, true);
            }
            Command::Control(fd, Control::Pause) => {
                self.conns.set_paused(registry, fd, true);
            }
            Command::Control(fd, Control::Resume) => {
                self.conns.set_paused(registry, fd, false);
            }
            Command::Control(fd, Control::Protect) => {
                self.conns.protect(fd, true);
            }
            Command::Control(fd, Control::Unprotect) => {
                self.conns.protect(fd, false);
            }
        }
    }
}
