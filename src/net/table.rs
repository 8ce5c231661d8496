//! The connection table: the sockets one loop serves (session id -> connection), accepting,
//! reading, writing and closing them, and the events that result. It knows nothing of tasks
//! or of which process or thread owns it, so a BASE event worker and a PROCESS-mode reactor
//! thread can run the same table.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;

use crate::net::stream::{Acceptor, Stream, StreamListener};
use mio::{Interest, Registry, Token};

use crate::handler::SendError;
use crate::log::Level;
use crate::log_at;
use crate::net::connection::{Connection, ReadEnd, ReadRules};
use crate::net::framing::Framing;
use crate::net::sessions::SessionDir;
use crate::shm::Shm;
use crate::types::SessionId;

/// What happened on the table's connections, in order.
#[derive(Debug)]
pub enum ConnEvent {
    Connect(SessionId),
    Receive(SessionId, Vec<u8>),
    /// The connection is gone; the id is Swoole's `$reactor_id` (-1: the server closed it).
    Close(SessionId, i32),
    /// Its queued output reached the high watermark (once until it drains).
    BufferFull(SessionId),
    /// Its queued output drained after a BufferFull.
    BufferEmpty(SessionId),
    /// Its input broke the port's protocol; its Close follows.
    ProtocolError(SessionId, String),
}

/// A connection handed to the successor of a reloading worker.
pub struct Handed {
    pub session: SessionId,
    pub fd: std::os::fd::OwnedFd,
    pub pending: Vec<u8>,
    pub input: Vec<u8>,
    pub protected: bool,
    pub port: usize,
}

/// What `getClientInfo()` tells about one connection.
#[derive(Clone, Debug, PartialEq)]
pub struct ConnInfo {
    pub session: SessionId,
    pub reactor_id: i32,
    pub remote: Option<std::net::SocketAddr>,
    pub server_port: u16,
    pub server_fd: i32,
    pub socket_fd: i32,
    /// Unix times in seconds.
    pub connect_time: f64,
    pub last_recv_time: f64,
    pub last_send_time: f64,
    pub send_queued_bytes: usize,
    pub recv_queued_bytes: usize,
    /// bind()'s uid (0: not bound).
    pub uid: u64,
}

impl ConnInfo {
    /// What the session directory tells of a connection another worker or thread serves.
    pub fn from_directory(fd: SessionId, i: &crate::net::sessions::SessionInfo) -> ConnInfo {
        ConnInfo {
            session: fd,
            reactor_id: i.owner as i32,
            remote: i.peer,
            server_port: i.local.server_port,
            server_fd: i.local.server_fd,
            socket_fd: i.local.socket_fd,
            connect_time: i.connected_ms as f64 / 1000.0,
            last_recv_time: i.last_recv_ms as f64 / 1000.0,
            last_send_time: i.last_send_ms as f64 / 1000.0,
            send_queued_bytes: i.queued as usize,
            recv_queued_bytes: 0,
            uid: i.uid,
        }
    }
}

/// How a port serves its connections: the protocol and the limits (Swoole's port options).
#[derive(Clone, Debug)]
pub struct PortRules {
    pub framing: Framing,
    /// `package_max_length`.
    pub max_package: usize,
    /// `socket_buffer_size`: the most output queued for one connection; a send() past it fails.
    pub output_limit: usize,
    /// BufferFull fires when the queue reaches this (80 % of the limit, as Swoole).
    pub high_watermark: usize,
    /// The largest payload one send() takes (`buffer_output_size`).
    pub max_send: usize,
    pub nodelay: bool,
    /// `max_connection`: the most connections the whole server holds at once (a count, not
    /// an fd number as in Swoole).
    pub max_connections: usize,
    /// `heartbeat_idle_time`: a connection that received nothing for this long is closed.
    pub idle_time: Option<std::time::Duration>,
}

impl Default for PortRules {
    fn default() -> Self {
        PortRules {
            framing: Framing::Raw,
            max_package: 2 * 1024 * 1024,
            output_limit: 8 * 1024 * 1024,
            high_watermark: 8 * 1024 * 1024 / 10 * 8,
            max_send: u32::MAX as usize,
            nodelay: true,
            max_connections: 100_000,
            idle_time: None,
        }
    }
}

/// One read buffer per loop: 64 KB, allocated once, reused for every read.
const READ_BUFFER: usize = 64 * 1024;
/// Reads one connection gets per pass before the others have their turn.
const READ_BUDGET: usize = 16;

/// One listening port of the table, with its own protocol and limits.
struct Port {
    listener: Option<Acceptor>,
    unix: bool,
    /// Its number among the server's ports (datagram ports are numbered too).
    id: usize,
    rules: PortRules,
    /// Its address and descriptor, kept for getClientInfo() after accepting stopped.
    local_port: u16,
    fd: i32,
}

pub struct ConnTable {
    /// `$reactor_id` of this table's events (the owning worker's id).
    reactor_id: i32,
    shm: Arc<Shm>,
    /// Which worker owns each live session, shared by every event worker.
    dir: Arc<SessionDir>,
    /// Port `p` is registered with token `first_listener_token + p`.
    ports: Vec<Port>,
    first_listener_token: usize,
    /// The port of each session, kept until its Close event is handed out.
    port_of: HashMap<SessionId, usize>,
    /// What getClientInfo() said of each connection as it closed, until its Close is handed
    /// out; then the one whose Close runs now (Swoole answers getClientInfo() in onClose).
    closed_info: HashMap<SessionId, ConnInfo>,
    just_closed: Option<ConnInfo>,
    /// Connection `i` is registered with token `first_token + i`.
    first_token: usize,
    conns: Vec<Option<Connection>>,
    free: Vec<usize>,
    sessions: HashMap<SessionId, usize>,
    events: VecDeque<ConnEvent>,
    scratch: Vec<u8>,
    /// Connections whose last pass ended on its budget: read again before the next wait.
    unfinished: VecDeque<usize>,
    /// Connections closed by the server whose queued output is still going out.
    closing: Vec<usize>,
}

impl ConnTable {
    #[allow(clippy::too_many_arguments)]
    /// `listeners`: each with its rules and its number among the server's ports.
    pub fn new(
        listeners: Vec<(StreamListener, PortRules, usize)>,
        registry: &Registry,
        first_listener_token: usize,
        first_token: usize,
        reactor_id: i32,
        shm: Arc<Shm>,
        dir: Arc<SessionDir>,
    ) -> io::Result<ConnTable> {
        use std::os::fd::AsRawFd;
        let mut ports = Vec::with_capacity(listeners.len());
        for (i, (l, rules, id)) in listeners.into_iter().enumerate() {
            let mut listener = Acceptor::from_std(l)?;
            let local_port = listener.local_port();
            registry.register(&mut listener, Token(first_listener_token + i), Interest::READABLE)?;
            let fd = listener.as_raw_fd();
            let unix = listener.is_unix();
            ports.push(Port { listener: Some(listener), unix, id, rules, local_port, fd });
        }
        Ok(ConnTable {
            reactor_id,
            shm,
            dir,
            ports,
            first_listener_token,
            port_of: HashMap::new(),
            closed_info: HashMap::new(),
            just_closed: None,
            first_token,
            conns: Vec::new(),
            free: Vec::new(),
            sessions: HashMap::new(),
            events: VecDeque::new(),
            scratch: vec![0u8; READ_BUFFER],
            unfinished: VecDeque::new(),
            closing: Vec::new(),
        })
    }

    /// Some connection still has data to read from its last pass: the loop must not sleep.
    pub fn has_unfinished(&self) -> bool {
        !self.unfinished.is_empty()
    }

    /// Queues connection `i` for another pass, once: a flooding connection queued again by
    /// every pass would get a budget per copy and starve the others.
    fn mark_unfinished(&mut self, i: usize) {
        if !self.unfinished.contains(&i) {
            self.unfinished.push_back(i);
        }
    }

    /// Gives every connection whose pass ended on its budget another pass.
    pub fn read_unfinished(&mut self, registry: &Registry, reading: bool) {
        for _ in 0..self.unfinished.len() {
            let Some(i) = self.unfinished.pop_front() else { break };
            self.on_ready(registry, i, true, false, false, reading);
        }
    }

    /// The connection a readiness token names, if it is one of ours.
    pub fn index_of(&self, token: Token) -> Option<usize> {
        token.0.checked_sub(self.first_token)
    }

    /// Events queued but not handed out yet.
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    /// The port a readiness token names, if it is one of our listeners.
    pub fn port_of_token(&self, token: Token) -> Option<usize> {
        token.0.checked_sub(self.first_listener_token).filter(|&p| p < self.ports.len())
    }

    /// The next event and the port of its connection (a Close is the last word of one).
    pub fn pop_event(&mut self) -> Option<(ConnEvent, usize)> {
        let e = self.events.pop_front()?;
        self.just_closed = match &e {
            ConnEvent::Close(s, _) => self.closed_info.remove(s),
            _ => None,
        };
        let port = match &e {
            ConnEvent::Close(s, _) => self.port_of.remove(s),
            ConnEvent::Connect(s) | ConnEvent::Receive(s, _) | ConnEvent::BufferFull(s) | ConnEvent::BufferEmpty(s) | ConnEvent::ProtocolError(s, _) => {
                self.port_of.get(s).copied()
            }
        };
        let local = port.unwrap_or(0);
        Some((e, self.ports.get(local).map_or(local, |p| p.id)))
    }

    /// The port connection `fd` came in on.
    pub fn port(&self, fd: SessionId) -> Option<usize> {
        self.port_of.get(&fd).copied()
    }

    fn rules_of(&self, i: usize) -> &PortRules {
        let p = self.conns.get(i).and_then(Option::as_ref).map_or(0, |c| c.port);
        &self.ports[p.min(self.ports.len() - 1)].rules
    }

    /// Slots in the table (some may be free): every index below it may be looked at.
    pub fn slots(&self) -> usize {
        self.conns.len()
    }

    /// No new connections from now on.
    pub fn stop_accepting(&mut self, registry: &Registry) {
        for p in &mut self.ports {
            if let Some(mut l) = p.listener.take() {
                let _ = registry.deregister(&mut l);
            }
        }
    }

    /// Accepts every connection waiting on port `port`.
    pub fn accept_all(&mut self, registry: &Registry, port: usize) {
        loop {
            let Some(l) = self.ports.get(port).and_then(|p| p.listener.as_ref()) else { return };
            match l.accept() {
                Ok(stream) => self.add(registry, stream, port),
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

    fn add(&mut self, registry: &Registry, mut stream: Stream, port: usize) {
        let shm = self.shm.clone();
        let h = shm.header();
        // Counted before it is taken, so event workers accepting at once never overshoot; the
        // limit is a count over the whole server (the server's max_connection unless this port
        // set its own).
        let now = h.connection_num.fetch_add(1, Relaxed);
        let max = self.ports[port].rules.max_connections;
        if now >= max as i64 {
            h.connection_num.fetch_sub(1, Relaxed);
            h.abort_count.fetch_add(1, Relaxed);
            log_at!(Level::Warning, "Worker::accept", "Too many connections [now: {}], max_connection={}", now, max);
            return;
        }
        // The next id whose directory slot is free (a long-lived connection may hold one).
        let mut session = 0;
        for _ in 0..self.dir.capacity() {
            let s = h.session_round.fetch_add(1, Relaxed) + 1;
            if self.dir.claim(s, self.reactor_id as u32) {
                session = s;
                break;
            }
        }
        if session == 0 {
            h.connection_num.fetch_sub(1, Relaxed);
            h.abort_count.fetch_add(1, Relaxed);
            log_at!(Level::Warning, "Worker::accept", "the session directory is full: connection refused");
            return;
        }
        let Some(i) = self.place(registry, &mut stream, session) else {
            self.dir.release(session);
            h.abort_count.fetch_add(1, Relaxed);
            h.connection_num.fetch_sub(1, Relaxed);
            return;
        };
        if self.ports[port].rules.nodelay {
            let _ = stream.set_nodelay(true);
        }
        let mut conn = Connection::new(session, stream);
        conn.port = port;
        self.dir.describe(session, conn.peer);
        self.locate(session, &conn, port);
        self.conns[i] = Some(conn);
        self.sessions.insert(session, i);
        self.port_of.insert(session, port);
        h.accept_count.fetch_add(1, Relaxed);
        self.events.push_back(ConnEvent::Connect(session));
    }

    /// Tells the directory where `session` is served, for getClientInfo() from elsewhere.
    fn locate(&self, session: SessionId, conn: &Connection, port: usize) {
        use std::os::fd::AsRawFd;
        let p = &self.ports[port.min(self.ports.len() - 1)];
        let local = crate::net::sessions::Local { socket_fd: conn.stream.as_raw_fd(), server_fd: p.fd, server_port: p.local_port, port_index: p.id };
        self.dir.locate(session, local);
    }

    /// Watches `stream` in a free slot of the table; None (logged) when it cannot be watched.
    fn place(&mut self, registry: &Registry, stream: &mut Stream, session: SessionId) -> Option<usize> {
        let i = self.free.pop().unwrap_or_else(|| {
            self.conns.push(None);
            self.conns.len() - 1
        });
        match registry.register(stream, Token(self.first_token + i), Interest::READABLE | Interest::WRITABLE) {
            Ok(()) => Some(i),
            Err(e) => {
                log_at!(Level::Warning, "Worker::accept", "cannot watch session#{}: {}", session, e);
                self.free.push(i);
                None
            }
        }
    }

    fn remove(&mut self, registry: &Registry, i: usize) {
        if let Some(session) = self.conns.get(i).and_then(Option::as_ref).map(|c| c.session) {
            self.keep_closed_info(session);
        }
        if let Some(mut c) = self.conns.get_mut(i).and_then(Option::take) {
            let _ = registry.deregister(&mut c.stream);
            self.sessions.remove(&c.session);
            self.dir.release(c.session);
            self.unfinished.retain(|&u| u != i);
            self.free.push(i);
            let h = self.shm.header();
            h.close_count.fetch_add(1, Relaxed);
            h.connection_num.fetch_sub(1, Relaxed);
        }
    }

    /// Connection `i` is ready. `peer_closed`: the event says the peer closed (or failed), so
    /// reading goes on to that end. `reading`: new requests are read (a stopping worker only
    /// finishes what it started, and leaves new requests unread).
    pub fn on_ready(&mut self, registry: &Registry, i: usize, readable: bool, writable: bool, peer_closed: bool, reading: bool) {
        let Some(conn) = self.conns.get_mut(i).and_then(Option::as_mut) else { return };
        let session = conn.session;
        if conn.closing.is_some() {
            // Closed by the server: only its output is still going out.
            if !writable {
                return;
            }
            let done = conn.flush().is_err() || conn.pending() == 0;
            if done {
                self.forget(registry, i);
            }
            return;
        }
        if writable {
            let before = conn.pending();
            if let Err(e) = conn.flush() {
                log_io_error(session, "write", &e);
                self.remove(registry, i);
                self.events.push_back(ConnEvent::Close(session, self.reactor_id));
                return;
            }
            if before > 0 {
                self.dir.touch_send(session, conn.pending(), false);
            }
            if conn.take_emptied() {
                self.events.push_back(ConnEvent::BufferEmpty(session));
            }
        }
        if !readable || !reading || conn.paused || conn.held {
            return;
        }
        let port = &self.ports[conn.port.min(self.ports.len() - 1)].rules;
        let rules = ReadRules {
            scratch: &mut self.scratch,
            framing: &port.framing,
            max_package: port.max_package,
            budget: READ_BUDGET,
            peer_closed,
        };
        let pass = conn.read(rules);
        let peer = conn.peer;
        if pass.bytes > 0 {
            self.dir.touch_recv(session);
        }
        self.shm.header().total_recv_bytes.fetch_add(pass.bytes as u64, Relaxed);
        for m in pass.messages {
            self.events.push_back(ConnEvent::Receive(session, m));
        }
        match pass.end {
            ReadEnd::Drained => {}
            ReadEnd::Budget => self.mark_unfinished(i),
            ReadEnd::Closed(err) => {
                if let Some(e) = err {
                    log_io_error(session, "read", &e);
                }
                self.remove(registry, i);
                self.events.push_back(ConnEvent::Close(session, self.reactor_id));
            }
            ReadEnd::Framing(e) => {
                let addr = peer.map_or_else(|| "unknown".into(), |a| a.to_string());
                let why = format!("(ERRNO {}) session#{}: {}, remote_addr={}; the connection is closed", e.code(), session, e, addr);
                log_at!(Level::Warning, "Worker::receive", "{}", why);
                self.remove(registry, i);
                self.events.push_back(ConnEvent::ProtocolError(session, why));
                self.events.push_back(ConnEvent::Close(session, self.reactor_id));
            }
        }
    }

    /// Queues `data` for `fd`. As Swoole, the limit is checked before appending: the send that
    /// crosses it is still queued whole, the next one fails until the queue is back under it.
    pub fn send(&mut self, fd: SessionId, data: &[u8]) -> Result<(), SendError> {
        self.queue_output(fd, data, true)
    }

    /// Queues `data` that a worker's send() already accepted against the limits (PROCESS
    /// mode, where the worker checks them): refusing it now would lose it silently.
    pub fn send_accepted(&mut self, fd: SessionId, data: &[u8]) -> Result<(), SendError> {
        self.queue_output(fd, data, false)
    }

    fn queue_output(&mut self, fd: SessionId, data: &[u8], check_limits: bool) -> Result<(), SendError> {
        let &i = self.sessions.get(&fd).ok_or(SendError::NoSession(fd))?;
        let (max_send, output_limit, high_watermark) = {
            let r = self.rules_of(i);
            (r.max_send, r.output_limit, r.high_watermark)
        };
        let conn = self.conns[i].as_mut().ok_or(SendError::NoSession(fd))?;
        if check_limits && data.len() > max_send {
            return Err(SendError::TooLarge(data.len(), max_send));
        }
        if check_limits && conn.pending() >= output_limit {
            return Err(SendError::Overflow(fd));
        }
        conn.send(data).map_err(|e| SendError::Io(fd, e))?;
        self.dir.touch_send(fd, conn.pending(), true);
        if conn.pending() >= high_watermark && conn.mark_full() {
            self.events.push_back(ConnEvent::BufferFull(fd));
        }
        self.shm.header().total_send_bytes.fetch_add(data.len() as u64, Relaxed);
        Ok(())
    }

    /// Closes `fd` from the server side: its queued Receive events are dropped (they must not
    /// run for a closed connection) and its Close comes next, with reactor id -1. Output
    /// already queued is still written (then the socket closes), unless `reset`: then the
    /// peer gets RST and the queued output is dropped (Swoole compiles the reset out).
    pub fn close(&mut self, registry: &Registry, fd: SessionId, reset: bool) -> bool {
        let Some(i) = self.sessions.get(&fd).copied() else { return false };
        self.events.retain(|e| !matches!(e, ConnEvent::Receive(s, _) if *s == fd));
        // Its Close comes next, but never before an event of it still queued (its Connect).
        let queued = self.events.iter().any(|e| match e {
            ConnEvent::Connect(s) | ConnEvent::BufferFull(s) | ConnEvent::BufferEmpty(s) | ConnEvent::ProtocolError(s, _) => *s == fd,
            ConnEvent::Receive(..) | ConnEvent::Close(..) => false,
        });
        if queued {
            self.events.push_back(ConnEvent::Close(fd, -1));
        } else {
            self.events.push_front(ConnEvent::Close(fd, -1));
        }
        self.keep_closed_info(fd);
        let Some(c) = self.conns[i].as_mut() else { return false };
        if reset {
            c.reset_on_close();
        }
        if c.pending() == 0 {
            self.remove(registry, i);
            return true;
        }
        // The session is gone for user code now; the socket stays until its output is out.
        c.closing = Some(std::time::Instant::now());
        self.closing.push(i);
        self.sessions.remove(&fd);
        self.dir.release(fd);
        let h = self.shm.header();
        h.close_count.fetch_add(1, Relaxed);
        h.connection_num.fetch_sub(1, Relaxed);
        true
    }

    /// Closing connections whose output is out, or that waited longer than `grace` for a
    /// peer that does not read, are closed for good. True while some are still draining.
    pub fn sweep_closing(&mut self, registry: &Registry, grace: std::time::Duration) -> bool {
        if self.closing.is_empty() {
            return false;
        }
        for i in std::mem::take(&mut self.closing) {
            let Some(c) = self.conns.get_mut(i).and_then(Option::as_mut) else { continue };
            let Some(since) = c.closing else { continue };
            let _ = c.flush();
            if c.pending() == 0 || since.elapsed() >= grace {
                if c.pending() > 0 {
                    log_at!(Level::Notice, "Worker::close", "session#{}: {} bytes of output dropped, the peer did not read them", c.session, c.pending());
                }
                self.forget(registry, i);
            } else {
                self.closing.push(i);
            }
        }
        !self.closing.is_empty()
    }

    /// Drops slot `i` whose session and counters were already given up by close().
    fn forget(&mut self, registry: &Registry, i: usize) {
        if let Some(mut c) = self.conns.get_mut(i).and_then(Option::take) {
            let _ = registry.deregister(&mut c.stream);
            self.unfinished.retain(|&u| u != i);
            self.closing.retain(|&u| u != i);
            self.free.push(i);
        }
    }

    /// The last step of a reload: every open connection is taken out of this table, not
    /// closed, with what its successor needs (socket, unsent output, unframed input); it stays
    /// counted and in the session directory under this worker's id, which the successor has.
    pub fn hand_over(&mut self, registry: &Registry) -> Vec<Handed> {
        for i in std::mem::take(&mut self.closing) {
            self.forget(registry, i);
        }
        let mut out = Vec::new();
        for i in 0..self.conns.len() {
            let Some(mut c) = self.conns[i].take() else { continue };
            let _ = c.flush();
            let _ = registry.deregister(&mut c.stream);
            self.sessions.remove(&c.session);
            self.free.push(i);
            let (pending, input) = c.take_state();
            let session = c.session;
            let (protected, port) = (c.protected, c.port);
            self.port_of.remove(&session);
            let fd: std::os::fd::OwnedFd = c.stream.into();
            out.push(Handed { session, fd, pending, input, protected, port });
        }
        self.unfinished.clear();
        out
    }

    /// Takes in a connection handed over by the previous process in this slot: no Connect
    /// (the client is long connected); anything that came meanwhile is read next.
    pub fn adopt(&mut self, registry: &Registry, handed: Handed) {
        let Handed { session, fd, pending: out, input, protected, port } = handed;
        let port = port.min(self.ports.len() - 1);
        let unix = self.ports.get(port).is_some_and(|p| p.unix);
        let mut stream = match Stream::from_fd(fd, unix) {
            Ok(s) => s,
            Err(e) => {
                log_at!(Level::Warning, "Worker::adopt", "session#{}: {}", session, e);
                self.dir.release(session);
                let h = self.shm.header();
                h.connection_num.fetch_sub(1, Relaxed);
                h.close_count.fetch_add(1, Relaxed);
                return;
            }
        };
        let Some(i) = self.place(registry, &mut stream, session) else {
            self.dir.release(session);
            let h = self.shm.header();
            h.connection_num.fetch_sub(1, Relaxed);
            h.close_count.fetch_add(1, Relaxed);
            return;
        };
        let mut c = Connection::adopt(session, stream, out, input);
        c.protected = protected;
        self.dir.set_protected(session, protected);
        c.port = port;
        self.locate(session, &c, port);
        self.conns[i] = Some(c);
        self.sessions.insert(session, i);
        self.port_of.insert(session, port);
        self.mark_unfinished(i);
    }

    /// The last step of a stop: every connection still open is closed, and its Close runs.
    /// Requests never read are drained first, so the peer sees an orderly close (not a reset)
    /// and knows they were not served.
    pub fn close_all(&mut self, registry: &Registry) {
        for i in std::mem::take(&mut self.closing) {
            self.forget(registry, i);
        }
        let open: Vec<(usize, SessionId)> = self.conns.iter().enumerate().filter_map(|(i, c)| c.as_ref().map(|c| (i, c.session))).collect();
        for (i, session) in open {
            if let Some(c) = self.conns[i].as_mut() {
                c.discard_input();
            }
            self.remove(registry, i);
            self.events.push_back(ConnEvent::Close(session, self.reactor_id));
        }
        self.unfinished.clear();
    }

    pub fn exists(&self, fd: SessionId) -> bool {
        self.sessions.contains_key(&fd)
    }

    fn keep_closed_info(&mut self, fd: SessionId) {
        if let Some(i) = self.info(fd) {
            self.closed_info.insert(fd, i);
        }
    }

    /// `getClientInfo($fd)` for a connection of this table, also in its onClose.
    pub fn info(&self, fd: SessionId) -> Option<ConnInfo> {
        match self.sessions.get(&fd) {
            Some(&i) => self.live_info(i),
            None => self.just_closed.as_ref().filter(|c| c.session == fd).cloned(),
        }
    }

    fn live_info(&self, i: usize) -> Option<ConnInfo> {
        use std::os::fd::AsRawFd;
        let c = self.conns.get(i)?.as_ref()?;
        let fd = c.session;
        // Instants to unix times, from one reading of each clock.
        let (now, unix) = (std::time::Instant::now(), std::time::SystemTime::now());
        let unix_now = unix.duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
        let at = |t: std::time::Instant| unix_now - now.saturating_duration_since(t).as_secs_f64();
        let port = &self.ports[c.port.min(self.ports.len() - 1)];
        Some(ConnInfo {
            session: fd,
            reactor_id: self.reactor_id,
            remote: c.peer,
            server_port: port.local_port,
            server_fd: port.fd,
            socket_fd: c.stream.as_raw_fd(),
            connect_time: at(c.connected_at),
            last_recv_time: at(c.last_recv),
            last_send_time: c.last_send.map_or(0.0, at),
            send_queued_bytes: c.pending(),
            recv_queued_bytes: c.input_pending(),
            uid: self.dir.uid(fd),
        })
    }

    /// What the session directory tells of another worker's connection (the rest is known
    /// only to its owner).
    pub fn foreign_info(&self, fd: SessionId) -> Option<ConnInfo> {
        self.dir.info(fd).map(|i| ConnInfo::from_directory(fd, &i))
    }

    pub fn directory(&self) -> &SessionDir {
        &self.dir
    }

    /// `pause($fd)` stops reading `fd` (its data waits in the kernel, the peer is slowed by
    /// TCP); `resume($fd)` reads it again, starting with what came meanwhile.
    pub fn set_paused(&mut self, registry: &Registry, fd: SessionId, paused: bool) -> bool {
        self.set_reading(registry, fd, |c| &mut c.paused, paused)
    }

    /// Back-pressure's own pause (a PROCESS-mode reactor holding a client whose worker lags),
    /// apart from the user's: either one stops reading, and lifting one leaves the other.
    pub fn hold(&mut self, registry: &Registry, fd: SessionId, held: bool) -> bool {
        self.set_reading(registry, fd, |c| &mut c.held, held)
    }

    fn set_reading(&mut self, registry: &Registry, fd: SessionId, flag: impl Fn(&mut Connection) -> &mut bool, on: bool) -> bool {
        let Some(&i) = self.sessions.get(&fd) else { return false };
        let Some(c) = self.conns[i].as_mut() else { return false };
        let was = c.paused || c.held;
        *flag(c) = on;
        let now = c.paused || c.held;
        if was == now {
            return true;
        }
        let interest = if now { Interest::WRITABLE } else { Interest::READABLE | Interest::WRITABLE };
        if let Err(e) = registry.reregister(&mut c.stream, Token(self.first_token + i), interest) {
            log_at!(Level::Warning, "Worker::pause", "session#{}: cannot change what is watched: {}", fd, e);
            return false;
        }
        if !now {
            self.mark_unfinished(i);
        }
        true
    }

    /// `protect($fd, $on)`: the heartbeat skips a protected connection.
    pub fn protect(&mut self, fd: SessionId, on: bool) -> bool {
        let Some(&i) = self.sessions.get(&fd) else { return false };
        match self.conns[i].as_mut() {
            Some(c) => {
                c.protected = on;
                self.dir.set_protected(fd, on);
                true
            }
            None => false,
        }
    }

    /// Connections that received nothing for their port's idle time (or `idle_time`, when
    /// given) and are not protected, oldest first.
    pub fn idle_sessions(&self, idle_time: Option<std::time::Duration>) -> Vec<SessionId> {
        let now = std::time::Instant::now();
        let ports = &self.ports;
        let limit = |c: &Connection| idle_time.or_else(|| ports.get(c.port).and_then(|p| p.rules.idle_time));
        let mut idle: Vec<(std::time::Instant, SessionId)> = self
            .conns
            .iter()
            .flatten()
            .filter(|c| c.closing.is_none() && !c.protected && limit(c).is_some_and(|t| now.saturating_duration_since(c.last_recv) >= t))
            .map(|c| (c.last_recv, c.session))
            .collect();
        idle.sort_unstable();
        idle.into_iter().map(|(_, s)| s).collect()
    }

    /// The heartbeat's check: closes every idle connection (Close with this table's reactor
    /// id, as Swoole's timer does) and returns them.
    pub fn close_idle(&mut self, registry: &Registry) -> Vec<SessionId> {
        let idle = self.idle_sessions(None);
        for &fd in &idle {
            if let Some(i) = self.sessions.get(&fd).copied() {
                log_at!(Level::Info, "Worker::heartbeat", "session#{} idle past its port's heartbeat_idle_time: closed", fd);
                self.remove(registry, i);
                self.events.retain(|e| !matches!(e, ConnEvent::Receive(s, _) if *s == fd));
                self.events.push_back(ConnEvent::Close(fd, self.reactor_id));
            }
        }
        idle
    }

    /// The first port's idle time (the server's `heartbeat_idle_time`).
    pub fn idle_time(&self) -> Option<std::time::Duration> {
        self.ports.first().and_then(|p| p.rules.idle_time)
    }

    /// Writes what it can of every connection's queued output; true when nothing is left.
    pub fn flush_all(&mut self) -> bool {
        let mut done = true;
        for c in self.conns.iter_mut().flatten() {
            let _ = c.flush();
            done &= c.pending() == 0;
        }
        done
    }
}

/// A connection closed because reading or writing failed: a reset by the peer is ordinary
/// (a notice), anything else is worth a warning.
fn log_io_error(session: SessionId, what: &str, e: &io::Error) {
    let ordinary = matches!(e.raw_os_error(), Some(libc::ECONNRESET | libc::EPIPE | libc::ETIMEDOUT));
    let level = if ordinary { Level::Notice } else { Level::Warning };
    log_at!(level, "Worker::connection", "session#{} closed: {} failed: {}", session, what, e);
}
