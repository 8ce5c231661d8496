//! `Swoole\Timer`: the timers of one process, fired by its own loop (the event worker's poll,
//! the task worker's wait between tasks), never from a signal handler. This module only keeps
//! the books (ids, due times, counts); what a timer runs is the caller's business.
//!
//! A tick is rescheduled from when it was due, not from when it ran, so a busy loop does not
//! make it drift; when it falls a whole interval behind it skips ahead instead of firing in a
//! burst. A cleared timer disappears at once, also from inside its own callback (Swoole keeps
//! it in `list()` until the callback returns).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::{Duration, Instant};

pub type TimerId = i64;

struct Entry {
    interval: Duration,
    persistent: bool,
    due: Instant,
    /// Runs completed (Swoole counts a run once its callback returned).
    exec_count: u64,
    /// The loop round this timer was added in.
    round: u64,
}

/// What `Swoole\Timer::info()` reports.
#[derive(Debug, PartialEq, Eq)]
pub struct Info {
    /// Milliseconds until it is due (0 when due now).
    pub exec_msec: u64,
    pub exec_count: u64,
    pub interval: u64,
    pub round: u64,
}

#[derive(Default)]
pub struct Timers {
    next_id: TimerId,
    live: HashMap<TimerId, Entry>,
    /// Due times; an entry whose timer was cleared or rescheduled is skipped when it surfaces.
    queue: BinaryHeap<Reverse<(Instant, TimerId)>>,
    round: u64,
    used: bool,
}

impl Timers {
    /// Whether this process ever had a timer (Swoole answers false to clear()/exists() then).
    pub fn used(&self) -> bool {
        self.used
    }

    /// A timer due in `after` (at least 1 ms); `persistent` ones repeat every `after`.
    pub fn add(&mut self, after: Duration, persistent: bool) -> TimerId {
        self.used = true;
        self.next_id += 1;
        let id = self.next_id;
        let after = after.max(Duration::from_millis(1));
        let due = crate::clock::after(after);
        self.live.insert(id, Entry { interval: after, persistent, due, exec_count: 0, round: self.round });
        self.queue.push(Reverse((due, id)));
        id
    }

    pub fn clear(&mut self, id: TimerId) -> bool {
        let found = self.live.remove(&id).is_some();
        self.compact();
        found
    }

    pub fn clear_all(&mut self) -> usize {
        let n = self.live.len();
        self.live.clear();
        self.queue.clear();
        n
    }

    pub fn exists(&self, id: TimerId) -> bool {
        self.live.contains_key(&id)
    }

    pub fn len(&self) -> usize {
        self.live.len()
    }

    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    pub fn round(&self) -> u64 {
        self.round
    }

    /// Ids in creation order.
    pub fn list(&self) -> Vec<TimerId> {
        let mut ids: Vec<TimerId> = self.live.keys().copied().collect();
        ids.sort_unstable();
        ids
    }

    pub fn info(&self, id: TimerId) -> Option<Info> {
        let e = self.live.get(&id)?;
        Some(Info {
            exec_msec: e.due.saturating_duration_since(Instant::now()).as_millis() as u64,
            exec_count: e.exec_count,
            interval: e.interval.as_millis() as u64,
            round: e.round,
        })
    }

    /// When the next timer is due, if any.
    pub fn next_due(&mut self) -> Option<Instant> {
        while let Some(&Reverse((due, id))) = self.queue.peek() {
            if self.live.get(&id).is_some_and(|e| e.due == due) {
                return Some(due);
            }
            self.queue.pop();
        }
        None
    }

    /// How long a loop may sleep before the next timer: `limit` when none is sooner.
    pub fn sleep_limit(&mut self, limit: Option<Duration>) -> Option<Duration> {
        match self.next_due() {
            None => limit,
            Some(due) => {
                // Round up: waking a little early would only mean another pass.
                let left = due.saturating_duration_since(Instant::now());
                Some(limit.map_or(left, |l| l.min(left)))
            }
        }
    }

    /// The next timer due by `now`: a one-shot one leaves the set, a tick is rescheduled.
    pub fn pop_due(&mut self, now: Instant) -> Option<TimerId> {
        let due = self.next_due()?;
        if due > now {
            return None;
        }
        let Reverse((_, id)) = self.queue.pop()?;
        self.fire(id, due, now);
        Some(id)
    }

    fn fire(&mut self, id: TimerId, due: Instant, now: Instant) {
        let Some(e) = self.live.get_mut(&id) else { return };
        if !e.persistent {
            self.live.remove(&id);
            return;
        }
        let mut next = due + e.interval;
        if next <= now {
            // A whole interval behind: skip the missed runs rather than fire them in a row.
            next = now + e.interval;
        }
        e.due = next;
        self.queue.push(Reverse((next, id)));
    }

    /// A run of `id` returned (for `exec_count`), and the loop round moves on.
    pub fn ran(&mut self, id: TimerId) {
        if let Some(e) = self.live.get_mut(&id) {
            e.exec_count += 1;
        }
    }

    /// Counts one pass of the owning loop (`Timer::stats()['round']`).
    pub fn next_round(&mut self) {
        self.round += 1;
    }

    /// Drops stale queue entries once they outnumber the live timers, so adding and clearing
    /// far-off timers in a loop cannot grow the queue without bound.
    fn compact(&mut self) {
        if self.queue.len() > 2 * self.live.len() + 64 {
            let live = &self.live;
            self.queue.retain(|Reverse((due, id))| live.get(id).is_some_and(|e| e.due == *due));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_fires_once_tick_repeats_and_clear_removes_at_once() {
        let mut t = Timers::default();
        assert!(!t.used());
        let a = t.add(Duration::from_millis(5), false);
        let b = t.add(Duration::from_millis(10), true);
        assert_eq!((a, b), (1, 2));
        assert_eq!(t.list(), vec![1, 2]);
        let now = Instant::now();
        assert_eq!(t.pop_due(now), None);
        let later = now + Duration::from_millis(11);
        assert_eq!(t.pop_due(later), Some(a));
        assert!(!t.exists(a));
        assert_eq!(t.pop_due(later), Some(b));
        assert_eq!(t.pop_due(later), None);
        t.ran(b);
        assert_eq!(t.info(b).unwrap().exec_count, 1);
        assert_eq!(t.pop_due(later + Duration::from_millis(20)), Some(b));
        assert!(t.clear(b));
        assert!(!t.clear(b));
        assert_eq!(t.list(), Vec::<TimerId>::new());
        assert_eq!(t.next_due(), None);
    }

    #[test]
    fn a_late_tick_skips_instead_of_bursting() {
        let mut t = Timers::default();
        let id = t.add(Duration::from_millis(10), true);
        let late = Instant::now() + Duration::from_millis(100);
        assert_eq!(t.pop_due(late), Some(id));
        assert_eq!(t.pop_due(late), None);
        assert!(t.next_due().unwrap() >= late + Duration::from_millis(10));
    }

    #[test]
    fn a_timer_storm_stays_bounded() {
        let mut t = Timers::default();
        for _ in 0..10_000 {
            let id = t.add(Duration::from_secs(60), false);
            t.clear(id);
        }
        assert!(t.queue.len() <= 64 + 1);
        for _ in 0..10_000 {
            t.add(Duration::from_millis(1), false);
        }
        let far = Instant::now() + Duration::from_secs(1);
        let mut fired = 0;
        while t.pop_due(far).is_some() {
            fired += 1;
        }
        assert_eq!(fired, 10_000);
        assert!(t.is_empty());
    }
}
