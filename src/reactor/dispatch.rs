//! `dispatch_mode`: which event worker gets a connection's next event. Pure over what it is
//! given (the session, the peer, its uid, which workers are idle and how many connections each
//! holds), so every mode is unit-tested without processes.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Arc;

use crate::config::DispatchMode;
use crate::types::{SessionId, WorkerId};

/// What the dispatcher may look at for one event.
pub struct Seen<'a> {
    pub session: SessionId,
    pub peer: Option<SocketAddr>,
    /// bind()'s uid, 0 when unbound.
    pub uid: u64,
    /// The worker its Connect went to, for the modes that keep a connection on one worker.
    pub assigned: Option<WorkerId>,
    pub idle: &'a dyn Fn(WorkerId) -> bool,
    pub connections: &'a dyn Fn(WorkerId) -> i64,
}

pub struct Dispatcher {
    mode: DispatchMode,
    workers: usize,
    /// Shared by every reactor thread, so round robin is one turn over the whole server.
    turn: Arc<AtomicUsize>,
}

impl Dispatcher {
    pub fn new(mode: DispatchMode, workers: usize, turn: Arc<AtomicUsize>) -> Dispatcher {
        Dispatcher { mode, workers: workers.max(1), turn }
    }

    fn modulo(&self, n: u64) -> WorkerId {
        (n % self.workers as u64) as WorkerId
    }

    /// By session id: how every mode places what must stay on one worker.
    pub fn by_session(&self, s: SessionId) -> WorkerId {
        self.modulo(s.unsigned_abs())
    }

    /// The worker for a new connection (its Connect, and in the sticky modes all that follows).
    pub fn for_connect(&self, e: &Seen<'_>) -> WorkerId {
        match self.mode {
            DispatchMode::LeastConnections => {
                (0..self.workers as WorkerId).min_by_key(|&w| ((e.connections)(w), w)).unwrap_or(0)
            }
            _ => self.for_data(e),
        }
    }

    /// The worker for data (and, in the modes that allow it, Close and buffer events).
    pub fn for_data(&self, e: &Seen<'_>) -> WorkerId {
        match self.mode {
            DispatchMode::RoundRobin => self.modulo(self.turn.fetch_add(1, Relaxed) as u64),
            DispatchMode::FdMod => self.by_session(e.session),
            DispatchMode::Idle => self.idle_worker(e.idle),
            // At connect by the peer's address; after it, where the connect went.
            DispatchMode::IpMod => match e.peer.map(|a| a.ip()) {
                Some(IpAddr::V4(a)) => self.modulo(u64::from(u32::from(a))),
                Some(IpAddr::V6(a)) => {
                    let b = a.to_bits();
                    self.modulo((b >> 64) as u64 ^ b as u64)
                }
                None => e.assigned.unwrap_or_else(|| self.by_session(e.session)),
            },
            DispatchMode::Uid if e.uid != 0 => self.modulo(e.uid),
            DispatchMode::Uid => self.by_session(e.session),
            DispatchMode::LeastConnections => e.assigned.unwrap_or_else(|| self.by_session(e.session)),
        }
    }

    /// The first idle worker from the next turn on (one try per worker and one more, as
    /// Swoole); when none is idle, the last one tried.
    fn idle_worker(&self, idle: &dyn Fn(WorkerId) -> bool) -> WorkerId {
        let mut w = 0;
        for _ in 0..=self.workers {
            w = self.modulo(self.turn.fetch_add(1, Relaxed) as u64);
            if idle(w) {
                return w;
            }
        }
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(session: SessionId) -> Seen<'static> {
        Seen { session, peer: None, uid: 0, assigned: None, idle: &|_| true, connections: &|_| 0 }
    }

    fn d(mode: DispatchMode, workers: usize) -> Dispatcher {
        Dispatcher::new(mode, workers, Arc::new(AtomicUsize::new(0)))
    }

    #[test]
    fn fd_mod_is_the_session_modulo_the_workers() {
        let d = d(DispatchMode::FdMod, 3);
        let got: Vec<_> = (1..=6).map(|s| d.for_data(&seen(s))).collect();
        assert_eq!(got, vec![1, 2, 0, 1, 2, 0]);
        assert_eq!(d.for_connect(&seen(4)), d.for_data(&seen(4)));
    }

    #[test]
    fn round_robin_takes_turns_across_sessions() {
        let d = d(DispatchMode::RoundRobin, 3);
        let got: Vec<_> = (0..6).map(|_| d.for_data(&seen(1))).collect();
        assert_eq!(got, vec![0, 1, 2, 0, 1, 2]);
    }

    #[test]
    fn idle_mode_skips_busy_workers_and_falls_back_when_all_are_busy() {
        let d = d(DispatchMode::Idle, 3);
        let only_2 = |w: WorkerId| w == 2;
        for _ in 0..5 {
            assert_eq!(d.for_data(&Seen { idle: &only_2, ..seen(1) }), 2);
        }
        let none = |_: WorkerId| false;
        let w = d.for_data(&Seen { idle: &none, ..seen(1) });
        assert!(w < 3);
    }

    #[test]
    fn ip_mod_is_the_ipv4_address_modulo_the_workers() {
        let d = d(DispatchMode::IpMod, 3);
        let at = |ip: &str| d.for_data(&Seen { peer: Some(format!("{ip}:1000").parse().unwrap()), ..seen(1) });
        // As observed in Swoole: .1, .2 and .3 go to workers 2, 0 and 1.
        assert_eq!((at("127.0.0.1"), at("127.0.0.2"), at("127.0.0.3")), (2, 0, 1));
        let v6 = d.for_data(&Seen { peer: Some("[::1]:5".parse().unwrap()), ..seen(1) });
        assert_eq!(v6, d.for_data(&Seen { peer: Some("[::1]:6".parse().unwrap()), ..seen(2) }), "by address, not port or session");
    }

    #[test]
    fn uid_mode_follows_bind_and_the_session_before() {
        let d = d(DispatchMode::Uid, 4);
        assert_eq!(d.for_data(&seen(6)), 2);
        assert_eq!(d.for_data(&Seen { uid: 9, ..seen(6) }), 1);
    }

    #[test]
    fn least_connections_picks_the_emptiest_worker_once_and_keeps_it() {
        let d = d(DispatchMode::LeastConnections, 3);
        let counts = |w: WorkerId| [5i64, 2, 2][w as usize];
        assert_eq!(d.for_connect(&Seen { connections: &counts, ..seen(1) }), 1);
        assert_eq!(d.for_data(&Seen { assigned: Some(1), ..seen(2) }), 1);
    }
}
