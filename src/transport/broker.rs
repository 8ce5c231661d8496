//! With `task_broker`: the event worker's outboxes are the local task workers' socketpairs
//! (for a task given a `$dst_worker_id`, which runs on this host as without a broker) and one
//! more that whichever task worker is free takes from, on any host: a socketpair to the
//! worker's broker thread (`broker::sender`), which adds its tasks to the broker's stream.

use std::os::fd::OwnedFd;
use std::sync::Arc;

use crate::broker::sender::Health;
use crate::ipc::channel::Outbox;
use crate::ipc::payload::Carrier;
use crate::transport::TaskOut;

pub struct BrokerOut {
    /// The local task workers', then the broker thread's.
    outboxes: Vec<Outbox>,
    health: Arc<Health>,
    /// The socketpair end the broker outbox writes to, open as long as the outbox.
    _to_threads: OwnedFd,
}

impl BrokerOut {
    /// `to_threads` is the end of the broker threads' socketpair that `broker` writes to.
    pub fn new(local: Vec<Outbox>, broker: Outbox, to_threads: OwnedFd, health: Arc<Health>) -> BrokerOut {
        let mut outboxes = local;
        outboxes.push(broker);
        BrokerOut { outboxes, health, _to_threads: to_threads }
    }
}

impl TaskOut for BrokerOut {
    fn outboxes(&mut self) -> &mut [Outbox] {
        &mut self.outboxes
    }
    fn outboxes_ref(&self) -> &[Outbox] {
        &self.outboxes
    }
    fn task_workers(&self) -> usize {
        self.outboxes.len() - 1
    }
    fn any_free(&self) -> Option<usize> {
        Some(self.outboxes.len() - 1)
    }
    fn carrier(&self) -> Carrier {
        Carrier::Pass
    }
    fn unavailable(&self) -> Option<String> {
        self.health.unavailable()
    }
    fn max_body(&self) -> Option<usize> {
        Some(crate::broker::MAX_BODY)
    }
}
