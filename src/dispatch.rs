//! Choosing the task worker for a task sent with `$dst_worker_id = -1`.
//!
//! Swoole probes round robin for a worker whose status is idle, where "busy" means only "inside
//! onTask", so bursts pile onto one worker. Here idle also requires an empty queue, and when
//! nobody is idle the least loaded worker wins instead of an arbitrary one.

use std::sync::atomic::Ordering::Relaxed;

use crate::shm::{Shm, WorkerStatus};

/// Load of one task worker as the scheduler sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Load {
    pub busy: bool,
    pub queued: i64,
}

impl Load {
    fn idle(&self) -> bool {
        !self.busy && self.queued <= 0
    }
    fn weight(&self) -> i64 {
        self.queued.max(0) + i64::from(self.busy)
    }
}

/// Index (0-based among task workers) of the worker to use, starting the probe at `start`.
pub fn choose(start: usize, loads: impl Fn(usize) -> Load, n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let mut best = start % n;
    let mut best_weight = i64::MAX;
    for k in 0..n {
        let i = (start + k) % n;
        let l = loads(i);
        if l.idle() {
            return i;
        }
        if l.weight() < best_weight {
            best = i;
            best_weight = l.weight();
        }
    }
    best
}

/// The scheduler over the shared region: task workers are slots `first..first + n`.
pub fn choose_in(shm: &Shm, first: u32, n: usize, local_backlog: impl Fn(usize) -> usize) -> usize {
    let start = shm.header().round_robin.fetch_add(1, Relaxed);
    choose(
        start,
        |i| {
            // A slot the server does not have is never chosen over a real one.
            let Some(slot) = shm.slot(first + i as u32) else { return Load { busy: true, queued: i64::MAX / 2 } };
            Load {
                busy: slot.status() == WorkerStatus::Busy,
                queued: slot.queued.load(Relaxed) + local_backlog(i) as i64,
            }
        },
        n,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shm::Shm;

    fn loads(v: &[(bool, i64)]) -> impl Fn(usize) -> Load + '_ {
        move |i| Load { busy: v[i].0, queued: v[i].1 }
    }

    #[test]
    fn round_robin_over_idle_workers() {
        let v = [(false, 0); 4];
        let picks: Vec<_> = (0..6).map(|s| choose(s, loads(&v), 4)).collect();
        assert_eq!(picks, vec![0, 1, 2, 3, 0, 1]);
    }

    #[test]
    fn skips_busy_and_queued_workers() {
        let v = [(true, 0), (false, 2), (false, 0), (true, 1)];
        assert_eq!(choose(0, loads(&v), 4), 2);
        assert_eq!(choose(3, loads(&v), 4), 2);
    }

    #[test]
    fn without_an_idle_worker_the_least_loaded_wins() {
        let v = [(true, 5), (true, 0), (false, 3), (true, 2)];
        assert_eq!(choose(0, loads(&v), 4), 1);
        assert_eq!(choose(2, loads(&v), 4), 1);
    }

    #[test]
    fn idle_and_weight_of_a_load() {
        assert!(Load { busy: false, queued: 0 }.idle());
        assert!(!Load { busy: false, queued: 1 }.idle());
        assert!(!Load { busy: true, queued: 0 }.idle());
        assert_eq!(Load { busy: true, queued: 3 }.weight(), 4);
        assert_eq!(Load { busy: false, queued: -2 }.weight(), 0);
        // Ties keep the first probed worker; the probe wraps around.
        let v = [(true, 1), (true, 1), (true, 1)];
        assert_eq!(choose(1, loads(&v), 3), 1);
        assert_eq!(choose(5, loads(&v), 3), 2);
        assert_eq!(choose(7, loads(&[(true, 0)]), 0), 0);
    }

    #[test]
    fn the_shared_scheduler_reads_the_task_workers_slots_and_the_local_backlog() {
        // Two event workers (slots 0, 1), then three task workers (slots 2, 3, 4).
        let shm = Shm::new(5, 3).unwrap();
        for i in 2..5 {
            shm.slot(i).unwrap().set_status(WorkerStatus::Idle);
        }
        shm.slot(2).unwrap().set_status(WorkerStatus::Busy);
        shm.slot(3).unwrap().queued.store(2, Relaxed);
        // Worker 2 (index 0) busy, worker 3 (index 1) has a queue: index 2 is the idle one.
        assert_eq!(choose_in(&shm, 2, 3, |_| 0), 2);
        assert_eq!(choose_in(&shm, 2, 3, |_| 0), 2);
        // Tasks waiting in this process count as load too.
        assert_eq!(choose_in(&shm, 2, 3, |i| if i == 2 { 5 } else { 0 }), 0);
        // Everyone busy: the least loaded wins.
        shm.slot(4).unwrap().set_status(WorkerStatus::Busy);
        shm.slot(2).unwrap().queued.store(4, Relaxed);
        assert_eq!(choose_in(&shm, 2, 3, |_| 0), 2);
        // Slots the server does not have are never chosen.
        assert_eq!(choose_in(&shm, 4, 3, |_| 0), 0);
    }
}
