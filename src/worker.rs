//! The event worker: one mio loop over its connection table (`net::table`), its task client's
//! result channel and outboxes (`task_client`) and its signal pipe, and the graceful stop.
//!
//! The loop hands out one [`Event`] at a time and holds no borrow while user code runs, so a
//! callback can call `send()`, `close()` or `task()` on this same worker (through
//! [`EventContext`]).

use std::io;
use std::os::fd::{OwnedFd, RawFd};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

use mio::unix::SourceFd;
use mio::{Events, Interest, Poll, Token};
use nix::sys::signal::Signal;

use crate::timer::{TimerId, Timers};
use crate::handler::{EventContext, Handler, MessageError, Process, SendError, TaskError};
use crate::messages;
use crate::log::Level;
use crate::log_at;
use crate::ipc::channel::Outbox;
use crate::ipc::frame::{Kind, FLAG_CLOSE, FLAG_RESET, FLAG_SOCKET};
use crate::ipc::payload::{self, Carrier};
use crate::net::stream::StreamListener;
use crate::net::datagram::{DgramPorts, DgramSocket, Packet, Peer, SendToError};
use crate::net::framing::{Framing, FnFramer};
use crate::net::sessions::SessionDir;
use crate::net::table::{ConnEvent, ConnTable, Handed, PortRules};
use crate::reactor::links::{Links, LinksSetup};
use crate::reactor::protocol::Control;
use crate::shm::{Shm, WorkerSlot, WorkerStatus};
use crate::signals::{self, Wakeup};
use crate::task_client::{Backlog, TaskClient, TaskClientSetup, TaskEvent, UNPOLLABLE_RETRY};
use crate::transport::TaskOut;
use crate::types::{Payload, SessionId, TaskId, WorkerId};

/// Stream port `p` (in this worker's list) is token `LISTENERS + p`, datagram port `p`
/// `DGRAMS + p`.
const LISTENERS: usize = 1 << 23;
const DGRAMS: usize = 1 << 22;
/// Reactor link `r` (PROCESS mode) is token REACTORS + r.
const REACTORS: usize = 1 << 21;
const RESULTS: Token = Token(1);
const WAKE: Token = Token(2);
/// Task outbox `i` has token TASK_OUT + i; connection `i` has CONN + i.
const TASK_OUT: usize = 16;
const CONN: usize = 1 << 24;
/// How long output queued before close() may take to reach a peer that reads slowly.
const CLOSE_GRACE: Duration = Duration::from_secs(30);

/// What the loop hands to user code: something on a connection, a task's outcome, or a
/// timer that is due.
#[derive(Debug)]
pub enum Event {
    /// Something on a connection of port `.1`, served by reactor `.2` (Swoole's
    /// `$reactor_id`: this worker's id in BASE mode, the reactor thread's in PROCESS mode).
    Conn(ConnEvent, usize, i32),
    Task(TaskEvent),
    Timer(TimerId),
    /// A datagram on a UDP or unix datagram port.
    Packet(Packet),
}

/// What an event worker is given by the manager.
pub struct EventWorkerSetup {
    pub id: WorkerId,
    pub worker_num: usize,
    pub shm: Arc<Shm>,
    /// The stream ports, each with its protocol and limits and its number among the
    /// server's ports.
    pub listeners: Vec<(StreamListener, PortRules, usize)>,
    /// The datagram ports, with their numbers.
    pub dgrams: Vec<(DgramSocket, usize)>,
    /// How often the heartbeat looks for idle connections (None: no heartbeat).
    pub heartbeat: Option<Duration>,
    /// Which event worker owns each session.
    pub sessions: Arc<SessionDir>,
    /// Each event worker's result channel (by worker id), to forward send()/close() to the
    /// owner of a connection this worker does not hold.
    pub peers: Vec<Outbox>,
    /// Each task worker's mailbox (empty without a PipeMessage callback).
    pub mailboxes: Vec<Outbox>,
    pub results_rx: RawFd,
    pub max_message: usize,
    /// The way tasks travel to the task workers.
    pub tasks: Box<dyn TaskOut>,
    pub max_wait: Duration,
    pub backlog: Backlog,
    /// Receive callbacks this process runs before it is replaced; 0 = no limit.
    pub max_request: u64,
    /// Keep each task's payload until it is over, to send it again once if its worker dies.
    pub retry_lost: bool,
    /// The descriptors this process owns (its result channel, the task inboxes), kept open.
    pub fds: Vec<OwnedFd>,
    /// PROCESS mode: the links to the master's reactor threads, which own the connections.
    pub reactors: Option<LinksSetup>,
}

/// The graceful stop: Running -> Stopping (no new connections or requests; the results of
/// every task sent still arrive and their Finish runs) -> Done once nothing is in flight and
/// all output is written, or at the deadline (then the unfinished tasks are named in the log).
enum State {
    Running,
    Stopping { deadline: Instant },
    Done,
}

pub struct EventWorker {
    id: WorkerId,
    shm: Arc<Shm>,
    poll: Poll,
    events: Events,
    conns: ConnTable,
    dgrams: DgramPorts,
    tasks: TaskClient,
    wake: Wakeup,
    max_wait: Duration,
    max_request: u64,
    requests: u64,
    state: State,
    /// A loop pass failed half-way: the next one looks at every source once.
    resync: bool,
    heartbeat: Option<Duration>,
    next_heartbeat: Option<Instant>,
    timers: Timers,
    /// When the last poll returned: a pass fires the timers due by then, so a tick whose
    /// callback outlasts its interval fires once per pass instead of starving the loop.
    pass_now: Instant,
    /// `package_length_func`: messages are cut by user code, in the run loop (never inside
    /// this loop, which runs with the worker borrowed); the most a message may be.
    length_func_max: Vec<Option<usize>>,
    sessions: Arc<SessionDir>,
    peers: Vec<Outbox>,
    mailboxes: Vec<Outbox>,
    task_workers: usize,
    /// PROCESS mode: the connections are the master's, reached through these.
    links: Option<Links>,
    _fds: Vec<OwnedFd>,
}

impl EventWorker {
    pub fn new(s: EventWorkerSetup) -> io::Result<EventWorker> {
        let generation = s.shm.slot(s.id).ok_or_else(|| io::Error::other(format!("worker#{} has no slot", s.id)))?.generation.load(Relaxed);
        let wake = signals::install(&[Signal::SIGTERM])?;
        let poll = Poll::new()?;
        let ports = s.listeners.iter().map(|(_, _, id)| id + 1).chain(s.dgrams.iter().map(|(_, id)| id + 1)).max().unwrap_or(0);
        let ports = ports.max(s.reactors.as_ref().map_or(0, |r| r.rules.len()));
        let mut length_func_max = vec![None; ports];
        for (_, r, id) in &s.listeners {
            length_func_max[*id] = (r.framing == Framing::Func).then_some(r.max_package);
        }
        // PROCESS mode: the reactors pass such a port's bytes on raw; they are cut here.
        for (id, r) in s.reactors.iter().flat_map(|l| l.rules.iter().enumerate()) {
            if r.framing == Framing::Func {
                length_func_max[id] = Some(r.max_package);
            }
        }
        let dgrams = DgramPorts::new(s.dgrams, poll.registry(), DGRAMS)?;
        let conns = ConnTable::new(s.listeners, poll.registry(), LISTENERS, CONN, s.id as i32, s.shm.clone(), s.sessions.clone())?;
        poll.registry().register(&mut SourceFd(&s.results_rx), RESULTS, Interest::READABLE)?;
        poll.registry().register(&mut SourceFd(&wake.fd()), WAKE, Interest::READABLE)?;
        let task_workers = s.tasks.task_workers();
        let links = s.reactors.map(|r| Links::new(s.id, r, s.sessions.clone(), s.shm.clone()));
        if let Some(l) = &links {
            l.register(poll.registry(), REACTORS)?;
        }
        let tasks = TaskClient::new(TaskClientSetup {
            id: s.id,
            generation,
            worker_num: s.worker_num,
            shm: s.shm.clone(),
            results_rx: s.results_rx,
            max_message: s.max_message,
            out: s.tasks,
            backlog: s.backlog,
            retry_lost: s.retry_lost,
            first_token: TASK_OUT,
        });
        Ok(EventWorker {
            id: s.id,
            shm: s.shm,
            poll,
            events: Events::with_capacity(256),
            conns,
            dgrams,
            tasks,
            wake,
            max_wait: s.max_wait,
            max_request: s.max_request,
            requests: 0,
            state: State::Running,
            // One look at everything first: connections a predecessor handed over may wait in
            // the result channel already.
            resync: true,
            heartbeat: s.heartbeat,
            next_heartbeat: s.heartbeat.map(crate::clock::after),
            timers: Timers::default(),
            pass_now: Instant::now(),
            length_func_max,
            sessions: s.sessions,
            peers: s.peers,
            mailboxes: s.mailboxes,
            task_workers,
            links,
            _fds: s.fds,
        })
    }

    fn own_slot(&self) -> &WorkerSlot {
        // Checked in new(): this worker's id has a slot.
        self.shm.slot(self.id).expect("own slot checked at start")
    }

    /// The next event to hand to user code, waiting for one if needed. `None`: the worker has
    /// stopped and drained, and should exit.
    pub fn next_event(&mut self) -> io::Result<Option<Event>> {
        loop {
            if let Some(e) = self.pop_event() {
                self.own_slot().set_status(WorkerStatus::Busy);
                return Ok(Some(e));
            }
            match self.state {
                State::Done => return Ok(None),
                State::Stopping { deadline } => {
                    // A reload hands the connections (and their unsent output) to the
                    // successor: no need to wait for slow readers.
                    let handover = self.own_slot().handover.load(Relaxed) != 0;
                    let output_done = handover || self.conns.flush_all();
                    // Forwarded sends and messages still queued for a full peer channel go too.
                    let peers_done = !self.flush_peers() && self.links.as_mut().is_none_or(|l| l.all_sent() && !l.busy());
                    let finished = self.tasks.idle() && self.tasks.all_sent() && output_done && peers_done;
                    if finished || Instant::now() >= deadline {
                        if !finished {
                            self.tasks.give_up();
                        }
                        if handover {
                            self.hand_over();
                        } else {
                            self.conns.close_all(self.poll.registry());
                        }
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

    fn pop_event(&mut self) -> Option<Event> {
        let (links, own) = (&mut self.links, self.id as i32);
        self.conns
            .pop_event()
            .map(|(e, port)| (e, port, own))
            .or_else(|| links.as_mut().and_then(Links::pop_event))
            .map(|(e, port, reactor)| Event::Conn(e, port, reactor))
            .or_else(|| self.tasks.pop_event().map(Event::Task))
            .or_else(|| {
            // Datagrams already read are served, also by a stopping worker.
            if let Some(p) = self.dgrams.pop_event() {
                return Some(Event::Packet(p));
            }
            // Timers come after the events a pass gathered, so they fire once per pass,
            // however busy the connections are; a stopping worker fires none.
            if !matches!(self.state, State::Running) {
                return None;
            }
            self.timers.pop_due(self.pass_now).map(Event::Timer)
        })
    }

    fn poll_once(&mut self) -> io::Result<()> {
        if crate::fault::hit(crate::fault::Point::EventLoopEnobufs) {
            return Err(io::Error::from_raw_os_error(libc::ENOBUFS));
        }
        let reading = matches!(self.state, State::Running);
        if let Some(l) = &mut self.links {
            // Replies held back while events were queued go before this pass may sleep.
            l.all_sent();
        }
        if self.resync {
            // The last pass failed half-way: readiness edges it did not act on will not come
            // again (the loop is edge-triggered), so look at everything once.
            self.resync = false;
            self.tasks.read_results(self.poll.registry())?;
            self.tasks.flush_all(self.poll.registry())?;
            for i in 0..self.conns.slots() {
                self.conns.on_ready(self.poll.registry(), i, true, true, true, reading);
            }
        }
        // Anything a read of the result channel left queued (here, or in a taskwait) is acted
        // on before this pass may sleep: no new readiness event would come for it.
        self.adopt_connections();
        self.apply_forwarded();
        let mut timeout = match self.state {
            State::Stopping { deadline } => Some(deadline.saturating_duration_since(Instant::now()).min(Duration::from_millis(50))),
            _ => None,
        };
        if self.tasks.needs_retry_timer() {
            self.tasks.flush_all(self.poll.registry())?;
            timeout = Some(timeout.map_or(UNPOLLABLE_RETRY, |t| t.min(UNPOLLABLE_RETRY)));
        }
        // Connections closed with output still queued get it written, for a while.
        if self.conns.sweep_closing(self.poll.registry(), CLOSE_GRACE) {
            timeout = Some(timeout.map_or(Duration::from_secs(1), |t| t.min(Duration::from_secs(1))));
        }
        // Forwarded operations waiting for room in a peer's channel: look again soon.
        if self.flush_peers() {
            timeout = Some(timeout.map_or(UNPOLLABLE_RETRY, |t| t.min(UNPOLLABLE_RETRY)));
        }
        if let Some(due) = self.next_heartbeat {
            let left = due.saturating_duration_since(Instant::now());
            timeout = Some(timeout.map_or(left, |t| t.min(left)));
        }
        if matches!(self.state, State::Running) {
            timeout = self.timers.sleep_limit(timeout);
        }
        self.timers.next_round();
        // A connection that used its read budget has more to read: look, but do not sleep.
        let unfinished = self.conns.has_unfinished();
        // Nor while this pass queued events (the first pass reads whatever waited in the
        // result channel: its readiness edge is used up, so nothing would wake the poll).
        let dgrams_unfinished = self.dgrams.has_unfinished() && reading;
        let links_busy = self.links.as_ref().is_some_and(Links::busy);
        if unfinished || dgrams_unfinished || links_busy || self.tasks.has_events() || self.conns.has_events() || self.dgrams.has_events() {
            timeout = Some(Duration::ZERO);
        }
        let polled = self.poll.poll(&mut self.events, timeout);
        self.pass_now = Instant::now();
        if let Err(e) = polled {
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
        if unfinished {
            self.conns.read_unfinished(self.poll.registry(), reading);
        }
        if dgrams_unfinished && reading {
            self.dgrams.read_unfinished();
        }
        if let (Some(due), Some(every)) = (self.next_heartbeat, self.heartbeat) {
            if Instant::now() >= due {
                self.conns.close_idle(self.poll.registry());
                self.next_heartbeat = Some(crate::clock::after(every));
            }
        }
        let ready: Vec<(Token, bool, bool, bool)> = self
            .events
            .iter()
            .map(|e| (e.token(), e.is_readable() || e.is_read_closed() || e.is_error(), e.is_writable(), e.is_read_closed() || e.is_error()))
            .collect();
        // Every event is acted on even when one fails, and the first error is returned after.
        let mut failed = Ok(());
        for (token, readable, writable, peer_closed) in ready {
            let registry = self.poll.registry();
            let r = match token {
                WAKE => {
                    self.on_signal();
                    Ok(())
                }
                RESULTS => self.tasks.read_results(registry),
                t if self.dgrams.index_of(t).is_some() => {
                    // A stopping worker leaves datagrams to the workers still running.
                    if let (Some(i), true) = (self.dgrams.index_of(t), reading) {
                        self.dgrams.read(i);
                    }
                    Ok(())
                }
                Token(t) if (REACTORS..REACTORS + self.links.as_ref().map_or(0, Links::count)).contains(&t) => {
                    if let Some(l) = &mut self.links {
                        l.on_ready(t - REACTORS, readable, writable);
                    }
                    Ok(())
                }
                t if self.conns.port_of_token(t).is_some() => {
                    if let Some(p) = self.conns.port_of_token(t) {
                        self.conns.accept_all(registry, p);
                    }
                    Ok(())
                }
                t => match (self.tasks.outbox_of(t), self.conns.index_of(t)) {
                    (Some(idx), _) if t.0 < CONN => self.tasks.on_writable(registry, idx),
                    (_, Some(i)) => {
                        self.conns.on_ready(registry, i, readable, writable, peer_closed, reading);
                        Ok(())
                    }
                    _ => Ok(()),
                },
            };
            if let Err(e) = r {
                self.resync = true;
                if failed.is_ok() {
                    failed = Err(e);
                }
            }
        }
        self.adopt_connections();
        self.apply_forwarded();
        failed
    }

    /// Reload: every open connection goes to this slot's successor through this slot's own
    /// result channel (the manager keeps it open across the swap), with its unsent output and
    /// unframed input; the client sees nothing.
    fn hand_over(&mut self) {
        let conns = self.conns.hand_over(self.poll.registry());
        let n = conns.len();
        for c in conns {
            let (session, fd) = (c.session, c.fd);
            let mut body = vec![u8::from(c.protected)];
            body.extend_from_slice(&(c.pending.len() as u64).to_le_bytes());
            body.extend_from_slice(&c.pending);
            body.extend_from_slice(&c.input);
            // The frame's generation field carries the port (an Adopt frame has no task).
            let sent = payload::message(Kind::Adopt, FLAG_SOCKET, (self.id, c.port as u32, session), &Payload::raw(body), usize::MAX, Carrier::Pass)
                .and_then(|mut m| {
                    m.socket = Some(fd);
                    let own = self.peers.get_mut(self.id as usize).ok_or_else(|| io::Error::other("no channel of its own"))?;
                    own.push(m).map(|_| ())
                });
            if let Err(e) = sent {
                log_at!(Level::Warning, "Worker::reload", "session#{} could not be handed over: {}", session, e);
            }
        }
        // What did not fit the channel yet goes before this process exits.
        let deadline = crate::clock::after(self.max_wait);
        while self.flush_peers() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        if n > 0 {
            log_at!(Level::Debug, "Worker::reload", "worker#{} handed {} connection(s) to its successor", self.id, n);
        }
    }

    /// Takes in the connections the previous process in this slot handed over.
    fn adopt_connections(&mut self) {
        while let Some((h, fd, body)) = self.tasks.pop_adopted() {
            let b = &body.bytes[..];
            if b.len() < 9 {
                log_at!(Level::Warning, "Worker::adopt", "session#{}: bad handover record", h.task_id);
                continue;
            }
            let mut len = [0u8; 8];
            len.copy_from_slice(&b[1..9]);
            let out_len = (u64::from_le_bytes(len) as usize).min(b.len() - 9);
            let (out, input) = b[9..].split_at(out_len);
            let handed = Handed { session: h.task_id, fd, pending: out.to_vec(), input: input.to_vec(), protected: b[0] != 0, port: h.generation as usize };
            self.conns.adopt(self.poll.registry(), handed);
        }
    }

    /// Sends what waits for the other event workers; true while some still waits.
    fn flush_peers(&mut self) -> bool {
        let mut waiting = false;
        for o in self.peers.iter_mut().chain(self.mailboxes.iter_mut()) {
            if !o.is_empty() {
                if let Err(e) = o.flush() {
                    log_at!(Level::Warning, "Worker::forward", "forwarding to another worker failed: {}", e);
                }
                waiting |= !o.is_empty();
            }
        }
        waiting
    }

    /// Hands `send()`/`close()` for a connection another event worker owns to that worker.
    fn forward(&mut self, owner: WorkerId, fd: SessionId, flags: u8, data: &[u8]) -> Result<(), SendError> {
        let io = |e| SendError::Io(fd, e);
        let m = payload::message(Kind::Forward, flags, (self.id, 0, fd), &Payload::raw(data.to_vec()), usize::MAX, Carrier::Pass).map_err(io)?;
        let out = self.peers.get_mut(owner as usize).ok_or(SendError::NoSession(fd))?;
        out.push(m).map_err(io)?;
        Ok(())
    }

    /// Applies what other event workers forwarded for this worker's connections.
    fn apply_forwarded(&mut self) {
        while let Some((h, body)) = self.tasks.pop_forwarded() {
            let fd = h.task_id;
            let registry = self.poll.registry();
            if h.flags & FLAG_CLOSE != 0 {
                self.conns.close(registry, fd, h.flags & FLAG_RESET != 0);
                continue;
            }
            match self.conns.send(fd, &body.bytes) {
                Ok(()) => {}
                // Closed meanwhile: as for a local send to a session that is gone.
                Err(SendError::NoSession(_)) => log_at!(Level::Notice, "Worker::forward", "session#{} is gone; data from worker#{} dropped", fd, h.src),
                Err(e) => log_at!(Level::Warning, "Worker::forward", "{} (forwarded by worker#{})", e, h.src),
            }
        }
    }

    /// The event worker that owns `fd`, if it is another one.
    fn foreign_owner(&self, fd: SessionId) -> Option<WorkerId> {
        self.sessions.owner(fd).filter(|&o| o != self.id)
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
        self.conns.stop_accepting(self.poll.registry());
        // A reloading worker leaves its links to its successor; one stopping with the server
        // serves what was dispatched to it before the reactors stopped reading (they send no
        // more requests, only the Close of clients that leave meanwhile).
        let handover = self.own_slot().handover.load(Relaxed) != 0;
        if let (Some(l), true) = (&mut self.links, handover) {
            l.stop_reading();
        }
        // Timers end with the stop (Swoole lets pending timers hold the worker until
        // max_wait_time).
        self.timers.clear_all();
        self.state = State::Stopping { deadline: crate::clock::after(self.max_wait) };
    }

    fn count_request(&mut self) {
        let h = self.shm.header();
        h.request_count.fetch_add(1, Relaxed);
        // In PROCESS mode the reactors count what they dispatch.
        if self.links.is_none() {
            h.dispatch_count.fetch_add(1, Relaxed);
        }
        self.own_slot().request_count.fetch_add(1, Relaxed);
        self.requests += 1;
        if self.max_request > 0 && self.requests >= self.max_request {
            // Requests already read still run; then the graceful stop, and a successor, which
            // takes over the connections.
            self.own_slot().handover.store(1, Relaxed);
            self.begin_stop();
        }
    }
}

impl EventContext for EventWorker {
    fn timers(&mut self) -> &mut Timers {
        &mut self.timers
    }

    fn send_to(&mut self, to: &Peer, data: &[u8], via: Option<RawFd>) -> Result<(), SendToError> {
        self.dgrams.send_to(to, data, via)?;
        self.shm.header().total_send_bytes.fetch_add(data.len() as u64, Relaxed);
        Ok(())
    }

    fn send_message(&mut self, dst: WorkerId, data: &Payload) -> Result<(), MessageError> {
        let m = messages::frame(self.id, data)?;
        let out = messages::route(self.id, i64::from(dst), &mut self.peers, &mut self.mailboxes, self.task_workers)?;
        out.push(m).map(|_| ()).map_err(|e| MessageError::Send(dst, e))
    }

    fn id(&self) -> WorkerId {
        self.id
    }

    fn shm(&self) -> &Arc<Shm> {
        &self.shm
    }

    fn send(&mut self, fd: SessionId, data: &[u8]) -> Result<(), SendError> {
        if let Some(l) = &mut self.links {
            // While more events wait (a burst of requests or task results), the replies wait
            // for the loop's next poll and leave together.
            let batch = l.has_events() || self.tasks.has_events();
            return l.send_batched(fd, data, batch);
        }
        match self.conns.send(fd, data) {
            Err(SendError::NoSession(_)) => match self.foreign_owner(fd) {
                Some(owner) => self.forward(owner, fd, 0, data),
                None => Err(SendError::NoSession(fd)),
            },
            r => r,
        }
    }

    fn close(&mut self, fd: SessionId, reset: bool) -> bool {
        if let Some(l) = &mut self.links {
            return l.control(fd, if reset { Control::Reset } else { Control::Close });
        }
        if !self.conns.exists(fd) {
            if let Some(owner) = self.foreign_owner(fd) {
                return self.forward(owner, fd, FLAG_CLOSE | if reset { FLAG_RESET } else { 0 }, b"").is_ok();
            }
        }
        self.conns.close(self.poll.registry(), fd, reset)
    }

    fn task(&mut self, data: &Payload, dst: Option<usize>) -> Result<TaskId, TaskError> {
        if matches!(self.state, State::Done) {
            return Err(TaskError::Stopping);
        }
        self.tasks.task(self.poll.registry(), data, dst)
    }

    fn task_wait(&mut self, items: &[(Payload, Option<usize>)], timeout: Option<Duration>) -> Vec<Result<Option<Payload>, TaskError>> {
        if matches!(self.state, State::Done) {
            return items.iter().map(|_| Err(TaskError::Stopping)).collect();
        }
        self.tasks.task_wait(self.poll.registry(), items, timeout)
    }

    fn task_backlog(&self) -> usize {
        self.tasks.backlog_len()
    }

    fn heartbeat(&mut self, close: bool) -> Option<Vec<SessionId>> {
        if let Some(l) = &mut self.links {
            let idle = l.idle_sessions(l.idle_time()?);
            if close {
                for &fd in &idle {
                    l.control(fd, Control::Close);
                }
            }
            return Some(idle);
        }
        let idle_time = self.conns.idle_time()?;
        let idle = self.conns.idle_sessions(Some(idle_time));
        if close {
            for &fd in &idle {
                self.conns.close(self.poll.registry(), fd, false);
            }
        }
        Some(idle)
    }

    fn protect(&mut self, fd: SessionId, on: bool) -> bool {
        if let Some(l) = &mut self.links {
            return l.control(fd, if on { Control::Protect } else { Control::Unprotect });
        }
        self.conns.protect(fd, on)
    }

    fn exists(&self, fd: SessionId) -> bool {
        if let Some(l) = &self.links {
            return l.exists(fd);
        }
        self.conns.exists(fd) || self.foreign_owner(fd).is_some()
    }

    fn client_info(&self, fd: SessionId) -> Option<crate::net::table::ConnInfo> {
        if let Some(l) = &self.links {
            return l.info(fd);
        }
        self.conns.info(fd).or_else(|| self.foreign_owner(fd).and_then(|_| self.conns.foreign_info(fd)))
    }

    fn bind(&mut self, fd: SessionId, uid: u64) -> bool {
        self.sessions.bind(fd, uid)
    }

    fn client_list(&self, after: SessionId, max: usize) -> Vec<SessionId> {
        self.conns.directory().list(after, max)
    }

    fn set_paused(&mut self, fd: SessionId, paused: bool) -> bool {
        if let Some(l) = &mut self.links {
            return l.control(fd, if paused { Control::Pause } else { Control::Resume });
        }
        self.conns.set_paused(self.poll.registry(), fd, paused)
    }
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
    // PROCESS mode: the master runs Start, and knew its pid before any worker existed.
    let base = w.borrow().links.is_none();
    if id == 0 && base {
        shm.header().master_pid.store(std::process::id() as i32, Relaxed);
        if shm.header().start_fired.swap(1, Relaxed) == 0 {
            h.on_start();
        }
    }
    h.on_worker_start(id);
    let length_func_max = w.borrow().length_func_max.clone();
    let mut framer = FnFramer::default();
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
            Event::Conn(ConnEvent::Connect(fd), port, reactor) => h.on_connect(fd, reactor, port),
            Event::Conn(ConnEvent::Receive(fd, data), port, reactor) => match length_func_max.get(port).copied().flatten() {
                None => {
                    // close() drops queued Receive events of its session, so this one is live.
                    w.borrow_mut().count_request();
                    h.on_receive(fd, reactor, port, &data);
                }
                Some(max) => match framer.feed(fd, &data, max, |b| h.package_length(port, b)) {
                    Ok(messages) => {
                        for m in messages {
                            // A callback may have closed it since the last message.
                            if !w.borrow().exists(fd) {
                                break;
                            }
                            w.borrow_mut().count_request();
                            h.on_receive(fd, reactor, port, &m);
                        }
                    }
                    Err(e) => {
                        let why = format!("(ERRNO {}) session#{}: package_length_func: {}; the connection is closed", e.code(), fd, e);
                        log_at!(Level::Warning, "Worker::receive", "{}", why);
                        h.on_protocol_error(fd, &why);
                        w.borrow_mut().close(fd, false);
                    }
                },
            },
            Event::Conn(ConnEvent::Close(fd, reactor), port, _) => {
                framer.forget(fd);
                h.on_close(fd, reactor, port)
            }
            Event::Conn(ConnEvent::BufferFull(fd), port, _) => h.on_buffer_full(fd, port),
            Event::Conn(ConnEvent::BufferEmpty(fd), port, _) => h.on_buffer_empty(fd, port),
            Event::Conn(ConnEvent::ProtocolError(fd, why), ..) => h.on_protocol_error(fd, &why),
            Event::Task(TaskEvent::Finish(task, data)) => h.on_finish(task, data),
            Event::Task(TaskEvent::Done(task)) => h.on_task_done(task),
            Event::Task(TaskEvent::Lost(lost)) => h.on_task_lost(lost),
            Event::Task(TaskEvent::Message(src, data)) => h.on_pipe_message(src, data),
            Event::Timer(timer) => {
                h.on_timer(timer);
                w.borrow_mut().timers.ran(timer);
            }
            Event::Packet(p) => {
                w.borrow_mut().count_request();
                h.on_packet(&p);
            }
        }
    };
    if let Some(slot) = shm.slot(id) {
        slot.set_status(WorkerStatus::Exit);
    }
    h.on_worker_stop(id);
    result
}
