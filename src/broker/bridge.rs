//! The receiving side of the broker, in each task worker: one thread beside its PHP loop,
//! which never calls PHP. It takes one task at a time from the consumer group when the
//! worker has none of the broker's, hands it to the worker through a private socketpair
//! (the worker receives it into its inbox buffer like any task), and writes back what the
//! worker sends for it. Each frame in either direction is preceded by its [`Route`], so
//! this thread keeps no book a kill could tear.
//!
//! While the worker runs a task, this thread keeps the task fresh in Redis, so no claimer
//! takes it however long it runs; and every so often it takes over the tasks of consumers
//! that stopped answering (their processes died, or their host lost its link) and reports
//! them lost to their senders (see `streams`).
//!
//! Stopping: the worker asks it to take no more ([`Bridge::quiesce`]), runs what was handed
//! already, then closes its side of the results socketpair; the thread writes what is left
//! and ends ([`Bridge::finish`]).

use std::collections::{HashMap, VecDeque};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::broker::route::Route;
use crate::broker::sender::{inline_frame, send_blocking, wait_readable, CONNECT_TIMEOUT};
use crate::broker::streams::{Broker, Taken, Write};
use crate::broker::BrokerSettings;
use crate::ipc::channel::{self, recv_buffer, Channel, Message};
use crate::ipc::frame::{self, Frames, Kind, FLAG_BROKER, FLAG_LAST, FLAG_SERIALIZED};
use crate::ipc::payload::{self, Carrier};
use crate::log::Level;
use crate::log_at;
use crate::shm::Shm;
use crate::types::{Payload, WorkerId};

/// Waits between attempts to reach an unreachable broker.
const RETRY: Duration = Duration::from_millis(200);
/// Claims per call: a dead host's tasks are reported in rounds of this many.
const CLAIM_BATCH: usize = 256;
/// A task shorter than this lets the bridge take the next one while it runs.
const SHORT_TASK: Duration = Duration::from_millis(5);
/// A task running this long gives back the next one the bridge took.
const LONG_TASK: Duration = Duration::from_millis(20);

struct BridgeSetup {
    settings: BrokerSettings,
    /// The task worker, and its name in the consumer group (unique per process).
    id: WorkerId,
    consumer: String,
    visibility: Duration,
    /// The worker's private broker inbox (written here) and its results (read here).
    inbox_tx: OwnedFd,
    results_rx: OwnedFd,
    max_message: usize,
    shm: Arc<Shm>,
}

/// What the task worker keeps of its bridge: the handle, the inbox it reads, the results
/// channel it writes (closing it ends the thread).
pub struct WorkerEnds {
    pub bridge: Bridge,
    pub inbox: OwnedFd,
    pub results: OwnedFd,
    pub max_message: usize,
}

/// Starts the bridge of task worker `id` (in that worker's process, after the fork).
pub fn start(settings: BrokerSettings, id: WorkerId, host: &str, visibility: Duration, shm: Arc<Shm>) -> io::Result<WorkerEnds> {
    let inbox = Channel::new()?;
    let results = Channel::new()?;
    let max_message = inbox.max_message.min(results.max_message);
    let bridge = Bridge::start(BridgeSetup {
        settings,
        id,
        consumer: format!("{host}:{id}:{}", std::process::id()),
        visibility,
        inbox_tx: inbox.tx,
        results_rx: results.rx,
        max_message,
        shm,
    })?;
    Ok(WorkerEnds { bridge, inbox: inbox.rx, results: results.tx, max_message })
}

#[derive(Default)]
struct Control {
    /// The worker stops: take no more tasks.
    stop: AtomicBool,
    /// (takes no more, thread ended)
    state: Mutex<(bool, bool)>,
    changed: Condvar,
}

/// The worker's handle on its bridge thread.
pub struct Bridge {
    control: Arc<Control>,
}

impl Bridge {
    fn start(s: BridgeSetup) -> io::Result<Bridge> {
        let control = Arc::new(Control::default());
        let t = Thread { s, control: control.clone(), broker: None, pending: Vec::new(), held: HashMap::new(), outstanding: 0, started: None, short: false, next: None, looked: false, last_keep: Instant::now(), last_claim: None, last_forget: Instant::now(), unreachable: false };
        std::thread::Builder::new().name("rswoole-broker-bridge".into()).spawn(move || t.run())?;
        Ok(Bridge { control })
    }

    /// Asks the thread to take no more tasks; true once it said so (anything it took before
    /// is in the worker's broker inbox then), false if it did not within `bound`.
    pub fn quiesce(&self, bound: Duration) -> bool {
        self.control.stop.store(true, Relaxed);
        self.wait_for(bound, |s| s.0)
    }

    /// After the worker closed its end of the results socketpair: waits up to `bound` for
    /// the thread to write what it was sent.
    pub fn finish(&self, bound: Duration) -> bool {
        self.wait_for(bound, |s| s.1)
    }

    fn wait_for(&self, bound: Duration, done: impl Fn(&(bool, bool)) -> bool) -> bool {
        let deadline = Instant::now() + bound;
        let Ok(mut state) = self.control.state.lock() else { return false };
        while !done(&state) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            state = match self.control.changed.wait_timeout(state, left) {
                Ok((s, _)) => s,
                Err(_) => return false,
            };
        }
        true
    }
}

struct Thread {
    s: BridgeSetup,
    control: Arc<Control>,
    broker: Option<Broker>,
    /// Writes not yet made (the broker was unreachable), in order.
    pending: Vec<Write>,
    /// Tasks this process holds (handed to the worker, not ended): kept fresh in Redis.
    held: HashMap<String, String>,
    /// Tasks handed and not ended: a new one is taken only when none is, or (for short
    /// tasks) when one is.
    outstanding: usize,
    /// When the oldest outstanding task was handed over.
    started: Option<Instant>,
    /// The last task took less than SHORT_TASK: the next is taken while one runs and kept
    /// here, handed over the moment the running one ends, so the worker does not wait a round
    /// trip to Redis between two short tasks.
    short: bool,
    /// That next task. Once the running one has run for LONG_TASK it is given back to the
    /// stream, so it never waits behind a long task while a worker elsewhere is idle.
    next: Option<Taken>,
    /// The one look for a next task while this one runs was made.
    looked: bool,
    last_keep: Instant,
    last_claim: Option<Instant>,
    last_forget: Instant,
    /// The last connection attempt failed (logged once per outage).
    unreachable: bool,
}

impl Thread {
    fn run(mut self) {
        let mut buf = recv_buffer(self.s.max_message);
        let keep_every = self.s.visibility / 3;
        let claim_every = self.s.visibility / 2;
        // A wait in XREADGROUP is short next to the visibility timeout, so the keeping and the
        // claiming are never late by much, and a stop waits for little.
        let block = (self.s.visibility / 4).clamp(Duration::from_millis(50), Duration::from_millis(500));
        let forget_after = (self.s.visibility * 10).max(Duration::from_secs(10));
        let mut closed = false;
        loop {
            if self.broker.is_none() && !self.connect() {
                if closed && self.pending.is_empty() {
                    break;
                }
                self.said_stopped_if_asked();
                std::thread::sleep(RETRY);
                if !closed {
                    closed = self.read_worker(&mut buf, Duration::ZERO);
                }
                continue;
            }
            if !closed {
                closed = self.read_worker(&mut buf, Duration::ZERO);
            }
            if self.last_keep.elapsed() >= keep_every {
                self.keep_held();
            }
            if self.last_claim.is_none_or(|t| t.elapsed() >= claim_every) {
                self.claim_lost();
            }
            if self.last_forget.elapsed() >= forget_after {
                self.forget_idle(forget_after);
            }
            if closed {
                if self.next.is_some() {
                    self.give_back();
                }
                self.write_pending();
                if self.pending.is_empty() && self.next.is_none() {
                    break;
                }
                continue;
            }
            let stopping = self.control.stop.load(Relaxed);
            let running_long = self.started.is_some_and(|t| t.elapsed() >= LONG_TASK);
            if self.next.is_some() && (stopping || running_long) {
                self.give_back();
            }
            if stopping {
                self.write_pending();
                self.said_stopped_if_asked();
            } else if self.outstanding == 0 && self.next.is_some() {
                if let Some(t) = self.next.take() {
                    self.hand(t);
                }
                self.write_pending();
                continue;
            } else if self.outstanding == 0 {
                // The last task's results and the request for the next, in one round trip.
                // Asked to stop during the wait: what it brought was handed, so the worker
                // sees it when it looks after the answer.
                self.write_and_take(Some(block));
                continue;
            } else if self.outstanding == 1 && self.short && !self.looked && !running_long {
                self.looked = true;
                self.write_and_take(None);
            } else {
                self.write_pending();
            }
            if self.broker.is_none() {
                continue;
            }
            // Wait for the worker's frames, bounded by the next keeping or claiming.
            let next = keep_every.saturating_sub(self.last_keep.elapsed()).min(Duration::from_millis(200));
            closed = self.read_worker(&mut buf, next);
        }
        if let Ok(mut s) = self.control.state.lock() {
            *s = (true, true);
            self.control.changed.notify_all();
        }
    }

    fn said_stopped_if_asked(&self) {
        if !self.control.stop.load(Relaxed) {
            return;
        }
        if let Ok(mut s) = self.control.state.lock() {
            if !s.0 {
                s.0 = true;
                self.control.changed.notify_all();
            }
        }
    }

    fn connect(&mut self) -> bool {
        match Broker::connect(&self.s.settings, CONNECT_TIMEOUT) {
            Ok(b) => {
                if std::mem::take(&mut self.unreachable) {
                    log_at!(Level::Notice, "Broker::bridge", "task worker#{}: the task broker answers again", self.s.id);
                }
                self.broker = Some(b);
                true
            }
            Err(e) => {
                // Once per outage, not at every retry.
                if !std::mem::replace(&mut self.unreachable, true) {
                    log_at!(Level::Warning, "Broker::bridge", "task worker#{}: {}; retrying every {:?}", self.s.id, e, RETRY);
                }
                false
            }
        }
    }

    fn failed(&mut self, what: &str, e: crate::broker::BrokerError) {
        log_at!(Level::Warning, "Broker::bridge", "task worker#{}: {} failed: {}", self.s.id, what, e);
        self.broker = None;
    }

    /// Writes what is pending, then takes a task (waiting up to `block`) and hands it to the
    /// worker.
    fn write_and_take(&mut self, block: Option<Duration>) {
        let Some(b) = self.broker.as_mut() else { return };
        let got = b.write_then_take(&self.s.consumer, &self.pending, 1, block);
        let rejected = std::mem::take(&mut b.rejected);
        if rejected > 0 {
            self.s.shm.header().broker_rejected.fetch_add(rejected, Relaxed);
        }
        match got {
            Ok((written, tasks)) => {
                self.written(&written);
                for t in tasks {
                    if self.outstanding == 0 {
                        self.hand(t);
                    } else {
                        // Kept fresh like a held task until it is handed over or given back.
                        self.held.insert(t.entry.clone(), t.reply_to.clone());
                        self.next = Some(t);
                    }
                }
            }
            Err(e) => self.failed("taking a task", e),
        }
    }

    /// The task kept for next goes back to the stream for any worker (a copy at its end).
    fn give_back(&mut self) {
        let Some(t) = self.next.take() else { return };
        self.held.remove(&t.entry);
        let Some(b) = self.broker.as_mut() else {
            // Unreachable broker: it stays pending here until a claim reports it.
            return;
        };
        if let Err(e) = b.give_back(&self.s.consumer, &t.entry) {
            self.failed("giving a task back", e);
        }
    }

    /// The writes just made: those not made are no longer this worker's to make.
    fn written(&mut self, done: &[bool]) {
        for (w, ok) in self.pending.iter().zip(done) {
            if !ok && w.frame.is_some() {
                log_at!(
                    Level::Notice,
                    "Broker::bridge",
                    "task worker#{}: a result for {} was dropped: the task is no longer this worker's (it was reported lost)",
                    self.s.id,
                    w.entry
                );
            }
        }
        self.pending.clear();
    }

    fn hand(&mut self, t: Taken) {
        self.held.remove(&t.entry);
        let route = Route { entry: t.entry.clone(), reply_to: t.reply_to.clone() };
        let Some((h, body)) = Frames::new(&t.frame).next().and_then(Result::ok).filter(|(h, _)| h.kind == Kind::Task) else {
            log_at!(Level::Warning, "Broker::bridge", "entry {} holds no task frame; dropped", t.entry);
            self.pending.push(Write { entry: t.entry, reply_to: t.reply_to, frame: None, last: true });
            return;
        };
        let data = Payload { serialized: h.flags & FLAG_SERIALIZED != 0, bytes: body.to_vec().into() };
        let max = self.s.max_message.saturating_sub(frame::HEADER_LEN * 2 + route.encode().len());
        let task = match payload::message(Kind::Task, FLAG_BROKER, (h.src, h.generation, h.task_id), &data, max, Carrier::Pass) {
            Ok(m) => m,
            Err(e) => {
                log_at!(Level::Warning, "Broker::bridge", "task#{} of worker#{} cannot be handed over: {}", h.task_id, h.src, e);
                return;
            }
        };
        let Ok(mut bytes) = frame::encode(Kind::Route, 0, self.s.id, h.generation, h.task_id, &route.encode()) else { return };
        bytes.extend_from_slice(&task.bytes);
        let m = Message { bytes, fd: task.fd, socket: None };
        // Counted as any task in a worker's channel (the worker uncounts it as it starts it).
        let shm = &self.s.shm;
        if let Some(slot) = shm.slot(self.s.id) {
            slot.queued.fetch_add(1, Relaxed);
        }
        shm.header().tasking_num.fetch_add(1, Relaxed);
        match send_blocking(self.s.inbox_tx.as_raw_fd(), &m) {
            Ok(()) => {
                self.held.insert(t.entry, t.reply_to);
                self.outstanding += 1;
                self.started.get_or_insert_with(Instant::now);
            }
            Err(e) => {
                if let Some(slot) = shm.slot(self.s.id) {
                    slot.queued.fetch_sub(1, Relaxed);
                }
                shm.header().tasking_num.fetch_sub(1, Relaxed);
                log_at!(Level::Warning, "Broker::bridge", "task#{} cannot be handed to task worker#{}: {}", h.task_id, self.s.id, e);
            }
        }
    }

    /// Reads what the worker sent (waiting up to `wait` for it). True when the worker closed
    /// its end: it is stopping and sent all it will.
    fn read_worker(&mut self, buf: &mut [u8], wait: Duration) -> bool {
        let fd: RawFd = self.s.results_rx.as_raw_fd();
        if !wait.is_zero() && !wait_readable(fd, crate::clock::poll_timeout(Some(wait))).unwrap_or(false) {
            return false;
        }
        let mut fds = VecDeque::new();
        let mut route: Option<Route> = None;
        loop {
            let n = match channel::recv(fd, buf, &mut fds, false) {
                Ok(Some(0)) => return true,
                Ok(Some(n)) => n,
                Ok(None) => return false,
                Err(e) => {
                    log_at!(Level::Warning, "Broker::bridge", "task worker#{}: reading its results failed: {}", self.s.id, e);
                    return true;
                }
            };
            for f in Frames::new(&buf[..n]) {
                let Ok((h, body)) = f else { break };
                if h.kind == Kind::Route {
                    route = Route::decode(body);
                    continue;
                }
                let Some(r) = route.take() else {
                    log_at!(Level::Warning, "Broker::bridge", "a {:?} frame of task#{} came without its route; dropped", h.kind, h.task_id);
                    continue;
                };
                let last = h.kind != Kind::Result || h.flags & FLAG_LAST != 0;
                let frame = match payload::body(&h, body, &mut fds).and_then(|p| inline_frame(&h, &p)) {
                    Ok(f) => f,
                    Err(e) => {
                        let why = format!("task#{} was lost: its result cannot be read: {}", h.task_id, e);
                        frame::encode(Kind::Lost, 0, h.src, h.generation, h.task_id, why.as_bytes()).unwrap_or_default()
                    }
                };
                if last && self.held.remove(&r.entry).is_some() {
                    self.outstanding = self.outstanding.saturating_sub(1);
                    let took = self.started.take().map_or(Duration::MAX, |t| t.elapsed());
                    // Two outstanding: the second began about now.
                    self.short = took < SHORT_TASK * (1 + self.outstanding as u32);
                    self.started = (self.outstanding > 0).then(Instant::now);
                    self.looked = false;
                }
                self.pending.push(Write { entry: r.entry, reply_to: r.reply_to, frame: Some(frame), last });
            }
            fds.clear();
        }
    }

    fn write_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let Some(b) = self.broker.as_mut() else { return };
        match b.write(&self.s.consumer, &self.pending) {
            Ok(done) => self.written(&done),
            Err(e) => self.failed("writing results", e),
        }
    }

    fn keep_held(&mut self) {
        self.last_keep = Instant::now();
        if self.held.is_empty() {
            return;
        }
        let keeps: Vec<Write> = self.held.iter().map(|(e, r)| Write { entry: e.clone(), reply_to: r.clone(), frame: None, last: false }).collect();
        let Some(b) = self.broker.as_mut() else { return };
        if let Err(e) = b.write(&self.s.consumer, &keeps) {
            self.failed("keeping tasks", e);
        }
    }

    /// Takes over the tasks of consumers that went quiet and reports each lost to its sender
    /// (a signed Lost frame, written only while this consumer still holds the task).
    fn claim_lost(&mut self) {
        self.last_claim = Some(Instant::now());
        let Some(b) = self.broker.as_mut() else { return };
        let claimed = match b.claim(&self.s.consumer, self.s.visibility, CLAIM_BATCH) {
            Ok(c) => c,
            Err(e) => return self.failed("claiming stale tasks", e),
        };
        if claimed.is_empty() {
            return;
        }
        log_at!(Level::Warning, "Broker::claim", "task worker#{}: {} task(s) of workers that stopped answering are reported lost to their senders", self.s.id, claimed.len());
        for t in claimed {
            let frame = Frames::new(&t.frame).next().and_then(Result::ok).map(|(h, _)| {
                let why = format!(
                    "task#{} of worker#{} was lost: the task worker that took it stopped answering for {:?} (task_broker_visibility_timeout): it died or lost its link",
                    h.task_id, h.src, self.s.visibility
                );
                frame::encode(Kind::Lost, 0, h.src, h.generation, h.task_id, why.as_bytes()).unwrap_or_default()
            });
            self.pending.push(Write { entry: t.entry, reply_to: t.reply_to, frame, last: true });
        }
        self.write_pending();
    }

    fn forget_idle(&mut self, idle: Duration) {
        self.last_forget = Instant::now();
        let Some(b) = self.broker.as_mut() else { return };
        if let Err(e) = b.forget_idle_consumers(idle) {
            self.failed("removing idle consumers", e);
        }
    }
}
