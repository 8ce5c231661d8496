//! `stats()`: the server's counters as Swoole names them, read from the shared region.

use std::sync::atomic::Ordering::Relaxed;

use crate::ipc::msgqueue::MsgQueue;
use crate::shm::{Shm, WorkerStatus};
use crate::types::WorkerId;

/// Who asks: the worker's own id and, in an event worker, its task backlog.
#[derive(Clone, Copy, Debug, Default)]
pub struct Asker {
    pub worker: Option<WorkerId>,
    pub task_backlog: Option<usize>,
    /// Tasks go through a broker (task workers may be on other hosts).
    pub broker: bool,
}

/// Every stats() row, in Swoole's order, with rswoole's additions after Swoole's keys.
pub fn rows(shm: &Shm, worker_num: usize, task_worker_num: usize, asker: Asker) -> Vec<(&'static str, i64)> {
    let h = shm.header();
    let (w, t) = (worker_num as WorkerId, task_worker_num as WorkerId);
    let idle = |range: std::ops::Range<WorkerId>| range.filter_map(|i| shm.slot(i)).filter(|s| s.status() == WorkerStatus::Idle).count() as i64;
    let mut rows = vec![
        ("start_time", h.start_time.load(Relaxed)),
        ("connection_num", h.connection_num.load(Relaxed).max(0)),
        ("abort_count", h.abort_count.load(Relaxed) as i64),
        ("accept_count", h.accept_count.load(Relaxed) as i64),
        ("close_count", h.close_count.load(Relaxed) as i64),
        ("worker_num", w as i64),
        ("task_worker_num", t as i64),
        ("idle_worker_num", idle(0..w)),
        ("dispatch_count", h.dispatch_count.load(Relaxed) as i64),
        ("request_count", h.request_count.load(Relaxed) as i64),
        ("total_recv_bytes", h.total_recv_bytes.load(Relaxed) as i64),
        ("total_send_bytes", h.total_send_bytes.load(Relaxed) as i64),
        ("session_round", h.session_round.load(Relaxed)),
    ];
    let process_mode = h.process_mode.load(Relaxed) == 1;
    if let Some(slot) = asker.worker.and_then(|id| shm.slot(id)) {
        rows.push(("worker_request_count", slot.request_count.load(Relaxed) as i64));
        if process_mode && asker.worker.is_some_and(|id| id < w) {
            rows.push(("worker_dispatch_count", slot.dispatch_count.load(Relaxed) as i64));
        }
    }
    if process_mode {
        rows.push(("reactor_num", i64::from(h.reactor_threads.load(Relaxed))));
    }
    if t > 0 || asker.broker {
        rows.push(("task_idle_worker_num", idle(w..w + t)));
        rows.push(("tasking_num", h.tasking_num.load(Relaxed).max(0)));
        rows.push(("task_count", h.task_count.load(Relaxed) as i64));
        rows.push(("task_lost_num", h.task_lost_num.load(Relaxed) as i64));
        rows.push(("task_retry_num", h.task_retry_num.load(Relaxed) as i64));
        let qid = h.task_queue_id.load(Relaxed);
        if qid >= 0 {
            let q = MsgQueue::from_id(qid).stats().unwrap_or_default();
            rows.push(("task_queue_num", q.messages as i64));
            rows.push(("task_queue_bytes", q.bytes as i64));
        }
        if let Some(n) = asker.task_backlog {
            rows.push(("worker_task_backlog", n as i64));
        }
        if asker.broker {
            rows.push(("task_broker_rejected", h.broker_rejected.load(Relaxed) as i64));
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_rows_only_with_task_workers() {
        let shm = Shm::new(3, 1).unwrap();
        shm.slot(0).unwrap().set_status(WorkerStatus::Idle);
        shm.header().tasking_num.store(-2, Relaxed);
        let r = rows(&shm, 2, 1, Asker { worker: Some(0), task_backlog: Some(4), broker: false });
        let get = |k| r.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
        assert_eq!(get("idle_worker_num"), Some(1));
        assert_eq!(get("tasking_num"), Some(0), "never negative");
        assert_eq!(get("worker_task_backlog"), Some(4));
        let r = rows(&shm, 3, 0, Asker::default());
        assert!(!r.iter().any(|(n, _)| *n == "tasking_num" || *n == "worker_request_count" || *n == "reactor_num"));
        shm.header().process_mode.store(1, Relaxed);
        shm.header().reactor_threads.store(2, Relaxed);
        shm.slot(0).unwrap().dispatch_count.store(5, Relaxed);
        let r = rows(&shm, 2, 1, Asker { worker: Some(0), task_backlog: None, broker: false });
        let get = |k| r.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
        assert_eq!((get("reactor_num"), get("worker_dispatch_count")), (Some(2), Some(5)));
    }

    #[test]
    fn idle_counts_and_queue_rows() {
        let shm = Shm::new(4, 2).unwrap();
        shm.slot(0).unwrap().set_status(WorkerStatus::Idle);
        shm.slot(1).unwrap().set_status(WorkerStatus::Busy);
        shm.slot(2).unwrap().set_status(WorkerStatus::Idle);
        shm.slot(3).unwrap().set_status(WorkerStatus::Idle);
        shm.slot(1).unwrap().request_count.store(9, Relaxed);
        shm.header().task_queue_id.store(-1, Relaxed);
        let r = rows(&shm, 2, 2, Asker { worker: Some(1), task_backlog: None, broker: false });
        let get = |k| r.iter().find(|(n, _)| *n == k).map(|(_, v)| *v);
        assert_eq!(get("idle_worker_num"), Some(1));
        assert_eq!(get("task_idle_worker_num"), Some(2));
        assert_eq!(get("worker_request_count"), Some(9));
        assert_eq!(get("task_queue_num"), None);
        assert_eq!(get("worker_task_backlog"), None);
        let q = MsgQueue::create(0).unwrap();
        shm.header().task_queue_id.store(q.id(), Relaxed);
        let r = rows(&shm, 2, 2, Asker::default());
        assert_eq!(r.iter().find(|(n, _)| *n == "task_queue_num").map(|(_, v)| *v), Some(0));
        q.remove().unwrap();
    }
}
