//! An event worker's end of its reactor links in PROCESS mode: the connection events the
//! master's reactor threads dispatch to it, and the way back for `send()`, `close()`,
//! `pause()`, `resume()` and `protect()` on any connection of the server.
//!
//! A datagram is only peeked while its events run and taken off the link once they have all
//! returned, and the slot records how many of them did: a worker that dies half-way leaves
//! the rest (the event it was running included) to its successor. Nothing dispatched to a
//! worker is lost with it; an event a callback was running (or one whose replies had not left
//! yet) may run twice, and one that kills two processes in a row is dropped with a log line.

use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::Duration;

use mio::unix::SourceFd;
use mio::{Interest, Registry, Token};

use crate::handler::SendError;
use crate::ipc::channel::{self, Outbox};
use crate::ipc::frame::Frames;
use crate::log::Level;
use crate::log_at;
use crate::net::sessions::SessionDir;
use crate::net::table::{ConnEvent, ConnInfo, PortRules};
use crate::reactor::protocol::{self, Control};
use crate::shm::Shm;
use crate::types::{SessionId, WorkerId};

/// Replies held back for one flush at most (more go out at once).
const BATCH_FRAMES: usize = 64;
/// Output this process queues for one reactor once its link is full, before send() fails.
const OUTBOX_LIMIT: usize = 4 * 1024 * 1024;

pub struct LinksSetup {
    /// This worker's end of its link with each reactor thread, by reactor id.
    pub ends: Vec<OwnedFd>,
    pub max_message: usize,
    /// Each listening port's rules (for send()'s limits and heartbeat()).
    pub rules: Vec<PortRules>,
}

struct End {
    fd: OwnedFd,
    out: Outbox,
    /// May hold a datagram (edge-triggered: true until a peek finds it empty).
    ready: bool,
    /// The master's end is gone.
    closed: bool,
}

pub struct Links {
    id: WorkerId,
    ends: Vec<End>,
    rules: Vec<PortRules>,
    dir: Arc<SessionDir>,
    shm: Arc<Shm>,
    max_message: usize,
    /// Each event with its port and reactor, for a Close the connection's last info, and its
    /// frame's index in the datagram.
    events: VecDeque<(ConnEvent, usize, i32, Option<ConnInfo>, u32)>,
    /// The link whose peeked datagram's events are being handed out, and how many were.
    current: Option<usize>,
    /// Frames of the current datagram whose events have run (all before the one running).
    handed: u32,
    /// Client bytes in the current datagram, counted as consumed once it is taken.
    weight: u64,
    /// What a predecessor that died left of the first datagram of one link.
    skip: Option<Skip>,
    reading: bool,
    next_end: usize,
    just_closed: Option<ConnInfo>,
    buf: Vec<u8>,
    fds: VecDeque<OwnedFd>,
}

/// A mark in an event worker's slot: (link + 1) << 24 | a frame of its current datagram.
fn progress(link: usize, frame: u32) -> u32 {
    ((link as u32 + 1) << 24) | (frame & 0xFF_FFFF)
}

fn unmark(v: u32) -> Option<(usize, u32)> {
    (v >> 24).checked_sub(1).map(|l| (l as usize, v & 0xFF_FFFF))
}

/// The first datagram of `link` as a dead predecessor left it: frames before `done` ran and
/// their replies left; frame `poison` killed two processes and is not run again.
#[derive(Clone, Copy, Debug)]
struct Skip {
    link: usize,
    done: u32,
    poison: Option<u32>,
}

impl Links {
    pub fn new(id: WorkerId, s: LinksSetup, dir: Arc<SessionDir>, shm: Arc<Shm>) -> Links {
        // The marks stay in the slot until this process takes that datagram, so a successor
        // that exits before it does leaves them to the next one.
        let skip = shm.slot(id).and_then(|slot| {
            let (link, done) = unmark(slot.started.load(Relaxed))?;
            let running = slot.link_running.load(Relaxed);
            // The predecessor died running frame `running`. If the process before it died on
            // the same frame (no datagram was taken since), that event kills whoever runs it:
            // it is dropped, so the link goes on rather than crash every successor in turn.
            let poison = match unmark(running) {
                Some((l, f)) if l == link && running != 0 && slot.retried.swap(running, Relaxed) == running => {
                    log_at!(Level::Error, "Worker::link", "worker#{}: an event (reactor#{}, frame {}) killed two processes in a row; it is dropped", id, l, f);
                    Some(f)
                }
                _ => None,
            };
            Some(Skip { link, done, poison })
        });
        Links::build(id, s, dir, shm, skip, true)
    }

    /// A task worker's way to the reactors: it sends on event worker 0's links (the kernel
    /// keeps each write whole) and never reads them.
    pub fn sender(id: WorkerId, s: LinksSetup, dir: Arc<SessionDir>, shm: Arc<Shm>) -> Links {
        Links::build(id, s, dir, shm, None, false)
    }

    fn build(id: WorkerId, s: LinksSetup, dir: Arc<SessionDir>, shm: Arc<Shm>, skip: Option<Skip>, reading: bool) -> Links {
        let ends = s.ends.into_iter().map(|fd| End { out: Outbox::new(&fd, s.max_message, usize::MAX), fd, ready: true, closed: false }).collect();
        Links {
            id,
            ends,
            rules: s.rules,
            dir,
            shm,
            max_message: s.max_message,
            events: VecDeque::new(),
            current: None,
            handed: 0,
            weight: 0,
            next_end: skip.map_or(0, |k| k.link),
            skip,
            reading,
            just_closed: None,
            buf: channel::recv_buffer(s.max_message),
            fds: VecDeque::new(),
        }
    }

    pub fn register(&self, registry: &Registry, first_token: usize) -> io::Result<()> {
        for (r, e) in self.ends.iter().enumerate() {
            registry.register(&mut SourceFd(&e.fd.as_raw_fd()), Token(first_token + r), Interest::READABLE | Interest::WRITABLE)?;
        }
        Ok(())
    }

    /// Events taken from the links and not yet handed out.
    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    pub fn count(&self) -> usize {
        self.ends.len()
    }

    pub fn on_ready(&mut self, r: usize, readable: bool, writable: bool) {
        let Some(e) = self.ends.get_mut(r) else { return };
        if readable {
            e.ready = true;
        }
        if writable && !e.out.is_empty() {
            if let Err(err) = e.out.flush() {
                log_at!(Level::Warning, "Worker::link", "writing to reactor#{} failed: {}", r, err);
            }
            if self.ends.iter().all(|e| e.out.is_empty()) {
                self.mark_progress();
            }
        }
    }

    /// No more events are taken from the links (a stopping worker leaves them to its
    /// successor); those already taken are still handed out.
    pub fn stop_reading(&mut self) {
        self.reading = false;
    }

    /// The loop must not sleep: events are queued, or a link may hold more.
    pub fn busy(&self) -> bool {
        // A datagram waiting for its replies to leave waits for the link's room, not a pass.
        !self.events.is_empty() || (self.reading && self.current.is_none() && self.ends.iter().any(|e| e.ready && !e.closed))
    }

    /// Waits (at most `limit`) until every request to the reactors has reached its link:
    /// for a task worker, which has no loop to flush them later.
    pub fn flush_blocking(&mut self, limit: Duration) -> bool {
        let deadline = crate::clock::after(limit);
        while !self.all_sent() {
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    }

    /// Whether every request to the reactors has reached its link.
    pub fn all_sent(&mut self) -> bool {
        let mut done = true;
        let mut flushed = false;
        for (r, e) in self.ends.iter_mut().enumerate() {
            if !e.out.is_empty() {
                flushed = true;
                if let Err(err) = e.out.flush() {
                    log_at!(Level::Warning, "Worker::link", "writing to reactor#{} failed: {}", r, err);
                }
                done &= e.out.is_empty();
            }
        }
        if done && flushed {
            // The replies of every event before the running one have left.
            self.mark_progress();
        }
        done
    }

    /// The next event and its port. The previous one's callback has returned by now.
    pub fn pop_event(&mut self) -> Option<(ConnEvent, usize, i32)> {
        if self.events.is_empty() {
            // Its replies must leave before the datagram does: while a link is full they
            // wait, and so does the datagram (the loop waits for the link to take them).
            if self.current.is_some() && !self.settle() {
                return None;
            }
            if self.reading {
                self.fill();
            }
        }
        let (e, port, reactor, info, index) = self.events.pop_front()?;
        self.handed = index;
        if let (Some(link), Some(slot)) = (self.current, self.shm.slot(self.id)) {
            slot.link_running.store(progress(link, index), Relaxed);
        }
        // Everything before this frame has run; it counts as done for a successor only once
        // the replies it made are out of this process (held back for a batch, they would die
        // with it): until then the successor runs those events again.
        if self.ends.iter().all(|e| e.out.is_empty()) {
            self.mark_progress();
        }
        self.just_closed = info;
        Some((e, port, reactor))
    }

    fn mark_progress(&self) {
        if let (Some(link), Some(slot)) = (self.current, self.shm.slot(self.id)) {
            slot.started.store(progress(link, self.handed), Relaxed);
        }
    }

    /// Every event of the current datagram has run: once their replies have left (false
    /// while they cannot), the datagram is taken off its link.
    fn settle(&mut self) -> bool {
        let Some(r) = self.current else { return true };
        // A death after the datagram went would lose replies with no event left to run again.
        if !self.all_sent() {
            return false;
        }
        self.current = None;
        let slot = self.shm.slot(self.id);
        // Cleared before the datagram goes: a death in between makes the successor run its
        // events again (at least once), never skip events of the next one.
        if let Some(slot) = slot {
            slot.started.store(0, Relaxed);
            slot.link_running.store(0, Relaxed);
            slot.retried.store(0, Relaxed);
        }
        if let Err(e) = channel::discard(self.ends[r].fd.as_raw_fd()) {
            log_at!(Level::Warning, "Worker::link", "worker#{}: taking a datagram off reactor#{}'s link failed: {}", self.id, r, e);
        }
        if let Some(slot) = slot {
            slot.consumed.fetch_add(std::mem::take(&mut self.weight), Relaxed);
        }
        self.handed = 0;
        true
    }

    /// Peeks the next datagram of a ready link, links taking turns.
    fn fill(&mut self) {
        let n = self.ends.len();
        for _ in 0..n * 2 {
            if !self.events.is_empty() {
                return;
            }
            let r = self.next_end % n.max(1);
            self.next_end = self.next_end.wrapping_add(1);
            if !self.ends.get(r).is_some_and(|e| e.ready && !e.closed) {
                continue;
            }
            self.fds.clear();
            let got = channel::peek_with_fds(self.ends[r].fd.as_raw_fd(), &mut self.buf, &mut self.fds);
            let len = match got {
                Ok(Some(len)) if len > 0 => len,
                Ok(None) => {
                    self.ends[r].ready = false;
                    continue;
                }
                Ok(Some(_)) => {
                    // End of file: the master is gone (this worker is told to stop by then).
                    self.ends[r].ready = false;
                    self.ends[r].closed = true;
                    continue;
                }
                Err(e) => {
                    // Cut short or garbled: it can never be read whole, so it goes (and with
                    // it what a predecessor left of it).
                    log_at!(Level::Warning, "Worker::link", "worker#{}: a datagram from reactor#{} is dropped: {}", self.id, r, e);
                    let _ = channel::discard(self.ends[r].fd.as_raw_fd());
                    if self.skip.is_some_and(|k| k.link == r) {
                        self.skip = None;
                    }
                    continue;
                }
            };
            let skip = match self.skip.take() {
                Some(k) if k.link == r => Some(k),
                other => {
                    self.skip = other;
                    None
                }
            };
            let (done, poison) = skip.map_or((0, None), |k| (k.done as usize, k.poison.map(|p| p as usize)));
            let datagram = std::mem::take(&mut self.buf);
            for (i, f) in Frames::new(&datagram[..len]).enumerate() {
                let decoded = f.map_err(io::Error::from).and_then(|(h, body)| protocol::decode_event(&h, body, &mut self.fds).map(|e| (e, h.src as i32)));
                if let Ok(((ConnEvent::Receive(_, d), ..), _)) = &decoded {
                    self.weight += d.len() as u64;
                }
                match decoded {
                    Ok(_) if i < done || Some(i) == poison => {}
                    Ok(((e, port, info), reactor)) => self.events.push_back((e, port, reactor, info, i as u32)),
                    Err(e) => log_at!(Level::Warning, "Worker::link", "worker#{}: a bad frame from reactor#{}: {}", self.id, r, e),
                }
            }
            self.buf = datagram;
            self.current = Some(r);
            self.handed = done as u32;
            if self.events.is_empty() && !self.settle() {
                return;
            }
        }
    }

    fn end_of(&mut self, fd: SessionId) -> Option<&mut End> {
        let owner = self.dir.owner(fd)? as usize;
        self.ends.get_mut(owner)
    }

    fn rules_of(&self, fd: SessionId) -> Option<&PortRules> {
        if self.rules.len() == 1 {
            return self.rules.first();
        }
        let port = self.dir.info(fd).map_or(0, |i| i.local.port_index);
        self.rules.get(port).or_else(|| self.rules.first())
    }

    /// `send()`: the limits are checked here, against the output the reactor last said it
    /// holds for the connection (in the directory), and the reactor queues whatever was
    /// accepted here, so nothing accepted is lost. What passes the limit meanwhile is bounded
    /// by the link's socket buffer and OUTBOX_LIMIT.
    pub fn send(&mut self, fd: SessionId, data: &[u8]) -> Result<(), SendError> {
        let batch = !self.events.is_empty();
        self.send_batched(fd, data, batch)
    }

    /// As send(); with `batch`, the data waits (bounded) for the next flush: the caller has
    /// more events to run and flushes before it sleeps, so many replies share a datagram.
    pub fn send_batched(&mut self, fd: SessionId, data: &[u8], batch: bool) -> Result<(), SendError> {
        let (max_send, limit) = self.rules_of(fd).map_or((usize::MAX, usize::MAX), |r| (r.max_send, r.output_limit));
        if data.len() > max_send {
            return Err(SendError::TooLarge(data.len(), max_send));
        }
        if self.dir.queued(fd) >= limit {
            return Err(SendError::Overflow(fd));
        }
        let (id, max) = (self.id, self.max_message);
        let end = self.end_of(fd).ok_or(SendError::NoSession(fd))?;
        // The link itself is full and this process holds more for it: the reactor does not
        // keep up, and this queue must not grow without bound.
        if end.out.queued_bytes() >= OUTBOX_LIMIT {
            return Err(SendError::Overflow(fd));
        }
        let m = protocol::send(id, fd, data, max).map_err(|e| SendError::Io(fd, e))?;
        if batch && end.out.queued_frames() < BATCH_FRAMES {
            end.out.push_lazy(m);
        } else {
            end.out.push(m).map_err(|e| SendError::Io(fd, e))?;
        }
        Ok(())
    }

    /// A close, pause, resume or protect request; false when the session is gone.
    pub fn control(&mut self, fd: SessionId, c: Control) -> bool {
        if matches!(c, Control::Close | Control::Reset) {
            // As in BASE mode: what a closed connection sent is not handed out any more.
            self.events.retain(|(e, ..)| !matches!(e, ConnEvent::Receive(s, _) if *s == fd));
        }
        let id = self.id;
        let Some(end) = self.end_of(fd) else { return false };
        match protocol::control(id, fd, c).and_then(|m| end.out.push(m)) {
            Ok(_) => true,
            Err(e) => {
                log_at!(Level::Warning, "Worker::link", "session#{}: {:?} could not be sent to its reactor: {}", fd, c, e);
                false
            }
        }
    }

    pub fn exists(&self, fd: SessionId) -> bool {
        self.dir.owner(fd).is_some()
    }

    /// getClientInfo(): from the directory; in onClose, what the reactor sent with the Close.
    pub fn info(&self, fd: SessionId) -> Option<ConnInfo> {
        match self.dir.info(fd) {
            Some(i) => Some(ConnInfo::from_directory(fd, &i)),
            None => self.just_closed.as_ref().filter(|c| c.session == fd).cloned(),
        }
    }

    /// The first port's heartbeat_idle_time (the server's).
    pub fn idle_time(&self) -> Option<Duration> {
        self.rules.first().and_then(|r| r.idle_time)
    }

    /// Every connection of the server that received nothing for `idle_time`, oldest first.
    pub fn idle_sessions(&self, idle_time: Duration) -> Vec<SessionId> {
        let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        let limit = idle_time.as_millis() as u64;
        let mut idle: Vec<(u64, SessionId)> = self
            .dir
            .list(0, usize::MAX)
            .into_iter()
            .filter(|&s| !self.dir.is_protected(s))
            .filter_map(|s| self.dir.info(s).map(|i| (i.last_recv_ms, s)))
            .filter(|(last, _)| now_ms.saturating_sub(*last) >= limit)
            .collect();
        idle.sort_unstable();
        idle.into_iter().map(|(_, s)| s).collect()
    }
}
