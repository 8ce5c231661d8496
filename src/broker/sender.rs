//! The sending side of the broker, in each event worker: two threads beside its PHP loop,
//! which never call PHP. The out thread takes the task frames the worker's outbox wrote to a
//! socketpair and adds them to the task stream, many per round trip. The in thread reads the
//! worker's own result stream and writes what it finds into the worker's result channel, the
//! same channel local task workers write to, so the task client cannot tell the two apart.
//!
//! What the sender is told when the broker fails: a task that could not be added is reported
//! lost at once (and task() refuses new ones while the broker is unreachable, see
//! [`Health`]); a task that was added before Redis restarted without its data is reported lost
//! when the in thread finds a new epoch. A cut link alone loses nothing.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

use crate::broker::streams::{self, Broker};
use crate::broker::{BrokerError, BrokerSettings};
use crate::ipc::channel::{self, recv_buffer, Message};
use crate::ipc::frame::{self, Frames, Header, Kind, FLAG_LAST, FLAG_SERIALIZED};
use crate::ipc::payload::{self, Carrier};
use crate::log::Level;
use crate::log_at;
use crate::shm::Shm;
use crate::types::{Payload, TaskId, WorkerId};

/// Connecting, and every command, gives up after this.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// A reader's longest wait in XREAD before it looks again (and renews its stream's life).
const READ_BLOCK: Duration = Duration::from_secs(1);
/// Most tasks in one round trip.
const SEND_BATCH: usize = 512;
const SEND_BATCH_BYTES: usize = 8 << 20;
/// Waits between attempts to reach an unreachable broker.
const RETRY: Duration = Duration::from_millis(200);

/// Whether the broker answers, as the worker's threads last saw it: task() refuses new
/// tasks while it does not, instead of queueing them for a broker that may never return.
#[derive(Default)]
pub struct Health {
    out_down: AtomicBool,
    in_down: AtomicBool,
    why: Mutex<String>,
}

impl Health {
    /// Why new tasks are refused now, if they are.
    pub fn unavailable(&self) -> Option<String> {
        if !self.out_down.load(Relaxed) && !self.in_down.load(Relaxed) {
            return None;
        }
        Some(format!("the task broker is unreachable: {}", self.last_error()))
    }

    /// What the last failed attempt said.
    fn last_error(&self) -> String {
        self.why.lock().map(|w| w.clone()).unwrap_or_default()
    }

    fn set(&self, flag: &AtomicBool, why: Option<&BrokerError>) {
        if let Some(e) = why {
            if let Ok(mut w) = self.why.lock() {
                *w = e.to_string();
            }
        }
        flag.store(why.is_some(), Relaxed);
    }
}

pub struct SenderSetup {
    pub settings: BrokerSettings,
    /// This event worker, and the name of its result stream's sender part.
    pub id: WorkerId,
    pub sender: String,
    /// What the worker's broker outbox writes.
    pub tasks_rx: OwnedFd,
    /// The worker's result channel (the process keeps it open for its whole life).
    pub results_tx: RawFd,
    pub results_max: usize,
    pub shm: Arc<Shm>,
}

/// Tasks this process added to the broker and has not heard the end of, with the broker
/// epoch each was added under.
type Outstanding = Arc<Mutex<HashMap<TaskId, String>>>;

/// Starts both threads; returns what task() consults.
pub fn start(s: SenderSetup) -> io::Result<Arc<Health>> {
    let health = Arc::new(Health::default());
    let outstanding: Outstanding = Arc::default();
    let reader = Reader {
        settings: s.settings.clone(),
        sender: s.sender.clone(),
        results_tx: s.results_tx,
        results_max: s.results_max,
        health: health.clone(),
        outstanding: outstanding.clone(),
        shm: s.shm.clone(),
    };
    let out = Out {
        settings: s.settings,
        id: s.id,
        sender: s.sender,
        tasks_rx: s.tasks_rx,
        results_tx: s.results_tx,
        results_max: s.results_max,
        shm: s.shm,
        health: health.clone(),
        outstanding,
    };
    std::thread::Builder::new().name("rswoole-broker-out".into()).spawn(move || out.run())?;
    std::thread::Builder::new().name("rswoole-broker-in".into()).spawn(move || reader.run())?;
    Ok(health)
}

/// A fresh epoch token, offered to the broker in case it has none.
pub fn fresh_token() -> String {
    use std::hash::{BuildHasher, RandomState};
    format!("{:016x}{:08x}", RandomState::new().hash_one(Instant::now()), std::process::id())
}

struct Out {
    settings: BrokerSettings,
    id: WorkerId,
    sender: String,
    tasks_rx: OwnedFd,
    results_tx: RawFd,
    results_max: usize,
    shm: Arc<Shm>,
    health: Arc<Health>,
    outstanding: Outstanding,
}

/// One task on its way to the broker: its id, its generation, its frame with the body inline.
struct Outgoing {
    task: TaskId,
    generation: u32,
    frame: Vec<u8>,
}

impl Out {
    fn run(self) {
        let mut broker: Option<(Broker, String)> = None;
        let reply_to = streams::result_stream(&self.settings, &self.sender);
        let mut buf = recv_buffer(self.results_max);
        let mut last_try: Option<Instant> = None;
        loop {
            // While the broker is away, look for it again now and then even with nothing to send,
            // so task() works again as soon as it is back.
            let wait = if broker.is_none() { Some(RETRY) } else { None };
            let batch = match self.collect(&mut buf, wait) {
                Ok(b) => b,
                Err(e) => {
                    log_at!(Level::Error, "Broker::send", "worker#{}: the task channel to the broker thread failed: {}", self.id, e);
                    return;
                }
            };
            if broker.is_none() && last_try.is_none_or(|t| t.elapsed() >= RETRY) {
                last_try = Some(Instant::now());
                broker = self.connect().ok();
            }
            if batch.is_empty() {
                continue;
            }
            let n = batch.len() as i64;
            let frames: Vec<&[u8]> = batch.iter().map(|t| t.frame.as_slice()).collect();
            let mut sent = match &mut broker {
                Some(b) => self.send(b, &reply_to, &batch, &frames),
                None => Err(self.connect_error()),
            };
            if sent.is_err() && broker.is_some() {
                // A connection that broke while idle (a restart of Redis, a cut link) is found
                // out by this send: one more try, on a new connection.
                broker = None;
                sent = match self.connect() {
                    Ok(mut b) => {
                        let r = self.send(&mut b, &reply_to, &batch, &frames);
                        broker = Some(b);
                        r
                    }
                    Err(e) => Err(e),
                };
            }
            // Counted in tasking_num from the push until they left this host.
            self.shm.header().tasking_num.fetch_sub(n, Relaxed);
            if let Err(e) = sent {
                self.health.set(&self.health.out_down, Some(&e));
                broker = None;
                if let Ok(mut o) = self.outstanding.lock() {
                    for t in &batch {
                        o.remove(&t.task);
                    }
                }
                // The reason is the error itself: a task added whose reply was lost (a timeout)
                // may still run, but its result is no longer awaited (README: Delivery).
                let why = format!("the task broker is unreachable: {e}");
                for t in batch {
                    let reason = format!("task#{} of worker#{} was lost: {}", t.task, self.id, why);
                    let lost = lost_frame(self.id, t.generation, t.task, &reason);
                    if let Err(e) = send_blocking(self.results_tx, &lost.into()) {
                        log_at!(Level::Warning, "Broker::send", "worker#{}: cannot report task#{} lost: {}", self.id, t.task, e);
                    }
                }
            }
        }
    }

    /// A new connection and the broker's epoch; task() is refused while there is none.
    fn connect(&self) -> Result<(Broker, String), BrokerError> {
        let c = Broker::connect(&self.settings, CONNECT_TIMEOUT).and_then(|mut b| b.epoch(&fresh_token()).map(|e| (b, e)));
        self.health.set(&self.health.out_down, c.as_ref().err());
        c
    }

    /// Why there is no connection (the last attempt's error), for a task that cannot go.
    fn connect_error(&self) -> BrokerError {
        BrokerError::Unreachable(self.health.last_error())
    }

    /// Adds `batch` (whose frames are `frames`) to the task stream, each recorded as
    /// outstanding under the epoch it was added in.
    fn send(&self, broker: &mut (Broker, String), reply_to: &str, batch: &[Outgoing], frames: &[&[u8]]) -> Result<(), BrokerError> {
        let (b, epoch) = broker;
        if let Ok(mut o) = self.outstanding.lock() {
            o.extend(batch.iter().map(|t| (t.task, epoch.clone())));
        }
        b.send(reply_to, frames).map(|_| ())
    }

    /// The tasks waiting on the socketpair (waiting up to `wait` for the first, None: until
    /// one comes), bodies inline.
    fn collect(&self, buf: &mut [u8], wait: Option<Duration>) -> io::Result<Vec<Outgoing>> {
        let fd = self.tasks_rx.as_raw_fd();
        let mut out = Vec::new();
        if !wait_readable(fd, wait.map_or(PollTimeout::NONE, |w| crate::clock::poll_timeout(Some(w))))? {
            return Ok(out);
        }
        let mut bytes = 0;
        let mut fds = VecDeque::new();
        while out.len() < SEND_BATCH && bytes < SEND_BATCH_BYTES {
            let Some(n) = channel::recv(fd, buf, &mut fds, false)? else { break };
            if n == 0 {
                return Err(io::Error::from(io::ErrorKind::UnexpectedEof));
            }
            for f in Frames::new(&buf[..n]) {
                let Ok((h, body)) = f else { break };
                if h.kind != Kind::Task {
                    continue;
                }
                match payload::body(&h, body, &mut fds) {
                    Ok(p) => match inline_frame(&h, &p) {
                        Ok(frame) => {
                            bytes += frame.len();
                            out.push(Outgoing { task: h.task_id, generation: h.generation, frame });
                        }
                        Err(e) => log_at!(Level::Warning, "Broker::send", "task#{} cannot be packed: {}", h.task_id, e),
                    },
                    Err(e) => log_at!(Level::Warning, "Broker::send", "task#{} cannot be read: {}", h.task_id, e),
                }
            }
            fds.clear();
        }
        Ok(out)
    }
}

struct Reader {
    settings: BrokerSettings,
    sender: String,
    results_tx: RawFd,
    results_max: usize,
    health: Arc<Health>,
    outstanding: Outstanding,
    shm: Arc<Shm>,
}

impl Reader {
    fn run(self) {
        let stream = streams::result_stream(&self.settings, &self.sender);
        let mut cursor = streams::ResultCursor::default();
        let mut broker: Option<Broker> = None;
        loop {
            let b = match &mut broker {
                Some(b) => b,
                None => match Broker::connect(&self.settings, CONNECT_TIMEOUT).and_then(|mut b| b.epoch(&fresh_token()).map(|e| (b, e))) {
                    Ok((b, epoch)) => {
                        self.health.set(&self.health.in_down, None);
                        self.lost_with_old_epochs(&epoch);
                        broker.insert(b)
                    }
                    Err(e) => {
                        self.health.set(&self.health.in_down, Some(&e));
                        std::thread::sleep(RETRY);
                        continue;
                    }
                },
            };
            match b.results(&stream, &mut cursor, 512, READ_BLOCK) {
                Ok(found) => {
                    let rejected = std::mem::take(&mut b.rejected);
                    if rejected > 0 {
                        self.shm.header().broker_rejected.fetch_add(rejected, Relaxed);
                        log_at!(Level::Warning, "Broker::results", "{} result entr{} of {} dropped unread: not signed with this queue's task_broker_secret", rejected, if rejected == 1 { "y" } else { "ies" }, stream);
                    }
                    for f in found {
                        self.deliver(f);
                    }
                }
                Err(e) => {
                    self.health.set(&self.health.in_down, Some(&e));
                    broker = None;
                    std::thread::sleep(RETRY);
                }
            }
        }
    }

    /// Redis came back without its data (a new epoch): every task added under an older one
    /// is gone and will never end.
    fn lost_with_old_epochs(&self, epoch: &str) {
        let gone: Vec<TaskId> = match self.outstanding.lock() {
            Ok(mut o) => {
                let gone: Vec<TaskId> = o.iter().filter(|(_, e)| e.as_str() != epoch).map(|(t, _)| *t).collect();
                for t in &gone {
                    o.remove(t);
                }
                gone
            }
            Err(_) => return,
        };
        if gone.is_empty() {
            return;
        }
        log_at!(Level::Warning, "Broker::results", "the task broker restarted without its data: {} task(s) sent before are lost", gone.len());
        let (id, generation) = self.sender_ids();
        for t in gone {
            let reason = format!("task#{t} of worker#{id} was lost: the task broker restarted without its data");
            if let Err(e) = send_blocking(self.results_tx, &lost_frame(id, generation, t, &reason).into()) {
                log_at!(Level::Warning, "Broker::results", "cannot report task#{} lost: {}", t, e);
            }
        }
    }

    /// This sender's worker id and generation, from its name (`host:id:generation`).
    fn sender_ids(&self) -> (WorkerId, u32) {
        let mut parts = self.sender.rsplit(':');
        let generation = parts.next().and_then(|g| g.parse().ok()).unwrap_or(0);
        let id = parts.next().and_then(|i| i.parse().ok()).unwrap_or(0);
        (id, generation)
    }

    /// Passes a result frame on to the worker's result channel (a large body in a memfd).
    fn deliver(&self, f: Vec<u8>) {
        let Some((h, body)) = Frames::new(&f).next().and_then(Result::ok) else { return };
        if !matches!(h.kind, Kind::Result | Kind::Done | Kind::Lost) {
            return;
        }
        let last = h.kind != Kind::Result || h.flags & FLAG_LAST != 0;
        if last {
            if let Ok(mut o) = self.outstanding.lock() {
                o.remove(&h.task_id);
            }
        }
        let data = Payload { serialized: h.flags & FLAG_SERIALIZED != 0, bytes: body.to_vec().into() };
        let max = self.results_max.saturating_sub(frame::HEADER_LEN);
        let m = match payload::message(h.kind, h.flags & FLAG_LAST, (h.src, h.generation, h.task_id), &data, max, Carrier::Pass) {
            Ok(m) => m,
            Err(e) => {
                log_at!(Level::Warning, "Broker::results", "a result of task#{} cannot be passed on: {}", h.task_id, e);
                lost_frame(h.src, h.generation, h.task_id, &format!("task#{} was lost: its result cannot be passed on: {e}", h.task_id)).into()
            }
        };
        if let Err(e) = send_blocking(self.results_tx, &m) {
            log_at!(Level::Warning, "Broker::results", "cannot pass a result on to the worker: {}", e);
        }
    }
}

/// `h`'s frame with `p` inline (a memfd body read into it).
pub fn inline_frame(h: &Header, p: &Payload) -> io::Result<Vec<u8>> {
    let flags = (h.flags & !(frame::FLAG_MEMFD | frame::FLAG_LENT | FLAG_SERIALIZED)) | if p.serialized { FLAG_SERIALIZED } else { 0 };
    Ok(frame::encode(h.kind, flags, h.src, h.generation, h.task_id, &p.bytes)?)
}

fn lost_frame(src: WorkerId, generation: u32, task: TaskId, reason: &str) -> Vec<u8> {
    // A reason is far below a frame's limit.
    frame::encode(Kind::Lost, 0, src, generation, task, reason.as_bytes()).unwrap_or_default()
}

/// Whether `fd` became readable within `timeout`.
pub fn wait_readable(fd: RawFd, timeout: PollTimeout) -> io::Result<bool> {
    // SAFETY: the caller keeps fd open across the call; the borrow ends with poll().
    let mut p = [PollFd::new(unsafe { BorrowedFd::borrow_raw(fd) }, PollFlags::POLLIN)];
    match poll(&mut p, timeout) {
        Ok(n) => Ok(n > 0),
        Err(nix::errno::Errno::EINTR) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Sends `m` on a SEQPACKET socket, waiting for room as long as it takes: a thread's send,
/// never the PHP loop's.
pub fn send_blocking(fd: RawFd, m: &Message) -> io::Result<()> {
    let fds: Vec<RawFd> = m.fd.iter().map(AsRawFd::as_raw_fd).collect();
    while !channel::try_send(fd, &m.bytes, &fds)? {
        // SAFETY: the caller keeps fd open across the call; the borrow ends with poll().
        let mut p = [PollFd::new(unsafe { BorrowedFd::borrow_raw(fd) }, PollFlags::POLLOUT)];
        match poll(&mut p, PollTimeout::from(1000u16)) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
