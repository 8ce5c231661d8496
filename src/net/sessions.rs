//! The session directory: who owns each live connection (the BASE event worker, or the
//! PROCESS-mode reactor thread, that holds its socket), in shared memory, so any worker can
//! route `send()` or `close()` to the owner of a session it does not hold, and answer
//! `getClientInfo()`, `exists()` and `bind()` for it.
//!
//! A session id lives in slot `id % capacity`. A new id is claimed only if its slot is free
//! (ids whose slot a long-lived connection still holds are skipped), so a lookup is one load
//! and no lock is ever taken. Capacity is twice the connection limit, so skips are rare.

use std::io;
use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicI32, AtomicI64, AtomicU32, AtomicU64, Ordering::AcqRel, Ordering::Acquire, Ordering::Relaxed, Ordering::Release};

use nix::sys::mman::{mmap_anonymous, munmap, MapFlags, ProtFlags};

use crate::types::{SessionId, WorkerId};

#[repr(C)]
struct Entry {
    /// The session in this slot; 0 = free.
    session: AtomicI64,
    owner: AtomicU32,
    /// The peer's port, and its address (IPv4 mapped into IPv6), written by the owner before
    /// it publishes the session.
    port: AtomicU32,
    addr_hi: AtomicU64,
    addr_lo: AtomicU64,
    /// Unix time of the connect, in milliseconds.
    connected_ms: AtomicU64,
    /// Written by the owner as it reads and writes: unix milliseconds, queued output bytes.
    last_recv_ms: AtomicU64,
    last_send_ms: AtomicU64,
    queued: AtomicU64,
    /// The socket's descriptor in its owner, the listening socket's, and the server port.
    socket_fd: AtomicI32,
    server_fd: AtomicI32,
    server_port: AtomicU32,
    /// The listening port it came in on (its number among the server's ports).
    port_index: AtomicU32,
    /// bind()'s uid; 0 = not bound.
    uid: AtomicU64,
    /// protect(): the heartbeat passes it by.
    protected: AtomicU32,
}

/// Where a connection is served: what its owner tells the directory when it takes it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Local {
    pub socket_fd: i32,
    pub server_fd: i32,
    pub server_port: u16,
    pub port_index: usize,
}

/// An entry being claimed (no session id is negative).
const CLAIMING: i64 = i64::MIN;

fn unix_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

/// What any worker may learn about a live session from the directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    pub owner: WorkerId,
    pub peer: Option<std::net::SocketAddr>,
    pub connected_ms: u64,
    pub last_recv_ms: u64,
    pub last_send_ms: u64,
    pub queued: u64,
    pub local: Local,
    pub uid: u64,
}

pub struct SessionDir {
    base: NonNull<Entry>,
    capacity: usize,
}

impl SessionDir {
    /// Room for `max_connections` live sessions (mapped before any fork).
    pub fn new(max_connections: usize) -> io::Result<SessionDir> {
        let capacity = max_connections.saturating_mul(2).clamp(64, 1 << 22).next_power_of_two();
        let len = NonZeroUsize::new(capacity * std::mem::size_of::<Entry>()).ok_or_else(|| io::Error::other("empty session directory"))?;
        // SAFETY: a fresh anonymous shared mapping aliases nothing; zeroed memory is a valid
        // Entry (all free), and entries are only accessed through atomics.
        let ptr = unsafe { mmap_anonymous(None, len, ProtFlags::PROT_READ | ProtFlags::PROT_WRITE, MapFlags::MAP_SHARED)? };
        Ok(SessionDir { base: ptr.cast(), capacity })
    }

    fn entry(&self, session: SessionId) -> &Entry {
        let i = (session as u64 as usize) & (self.capacity - 1);
        // SAFETY: `i` is below capacity (a power of two mask), and the mapping lives as long
        // as self.
        unsafe { &*self.base.as_ptr().add(i) }
    }

    /// Records `session` as `owner`'s; false when its slot is taken by a live session.
    pub fn claim(&self, session: SessionId, owner: WorkerId) -> bool {
        let e = self.entry(session);
        // Reserved first and published last: nobody sees the session with the previous
        // occupant's owner or flags.
        if e.session.compare_exchange(0, CLAIMING, AcqRel, Relaxed).is_err() {
            return false;
        }
        e.owner.store(owner, Release);
        e.port.store(0, Release);
        e.uid.store(0, Relaxed);
        e.protected.store(0, Relaxed);
        e.queued.store(0, Relaxed);
        e.last_send_ms.store(0, Relaxed);
        // Nothing of the previous occupant shows through before describe()/locate().
        let now = unix_ms();
        e.last_recv_ms.store(now, Relaxed);
        e.connected_ms.store(now, Relaxed);
        e.addr_hi.store(0, Relaxed);
        e.addr_lo.store(0, Relaxed);
        e.socket_fd.store(-1, Relaxed);
        e.server_fd.store(-1, Relaxed);
        e.server_port.store(0, Relaxed);
        e.port_index.store(0, Relaxed);
        e.session.store(session, Release);
        true
    }

    /// The live entry of `session`, if it is its.
    fn live(&self, session: SessionId) -> Option<&Entry> {
        let e = self.entry(session);
        (session > 0 && e.session.load(Acquire) == session).then_some(e)
    }

    /// Notes where the owner serves `session` (its socket, listener, port).
    pub fn locate(&self, session: SessionId, local: Local) {
        let Some(e) = self.live(session) else { return };
        e.socket_fd.store(local.socket_fd, Relaxed);
        e.server_fd.store(local.server_fd, Relaxed);
        e.server_port.store(u32::from(local.server_port), Relaxed);
        e.port_index.store(local.port_index as u32, Relaxed);
    }

    /// The owner read from `session` just now.
    pub fn touch_recv(&self, session: SessionId) {
        if let Some(e) = self.live(session) {
            e.last_recv_ms.store(unix_ms(), Relaxed);
        }
    }

    /// The owner wrote to `session` (or queued for it): `queued` bytes wait now.
    pub fn touch_send(&self, session: SessionId, queued: usize, wrote: bool) {
        if let Some(e) = self.live(session) {
            if wrote {
                e.last_send_ms.store(unix_ms(), Relaxed);
            }
            e.queued.store(queued as u64, Relaxed);
        }
    }

    /// Output bytes `session`'s owner has queued (0 for a session that is gone).
    pub fn queued(&self, session: SessionId) -> usize {
        self.live(session).map_or(0, |e| e.queued.load(Relaxed) as usize)
    }

    /// protect(): recorded by the owner, so heartbeat() from any worker passes it by.
    pub fn set_protected(&self, session: SessionId, on: bool) {
        if let Some(e) = self.live(session) {
            e.protected.store(u32::from(on), Relaxed);
        }
    }

    pub fn is_protected(&self, session: SessionId) -> bool {
        self.live(session).is_some_and(|e| e.protected.load(Relaxed) != 0)
    }

    /// `bind($fd, $uid)`: once per session, as Swoole (a bound session is not bound again).
    pub fn bind(&self, session: SessionId, uid: u64) -> bool {
        uid != 0 && self.live(session).is_some_and(|e| e.uid.compare_exchange(0, uid, AcqRel, Relaxed).is_ok())
    }

    /// The uid bound to `session`; 0 when none.
    pub fn uid(&self, session: SessionId) -> u64 {
        self.live(session).map_or(0, |e| e.uid.load(Acquire))
    }

    /// Notes the peer of a session this worker owns, for getClientInfo() from other workers.
    pub fn describe(&self, session: SessionId, peer: Option<std::net::SocketAddr>) {
        let e = self.entry(session);
        if e.session.load(Acquire) != session {
            return;
        }
        let (ip, port) = match peer {
            Some(std::net::SocketAddr::V4(a)) => (a.ip().to_ipv6_mapped().to_bits(), a.port()),
            Some(std::net::SocketAddr::V6(a)) => (a.ip().to_bits(), a.port()),
            None => (0, 0),
        };
        let now = unix_ms();
        e.last_recv_ms.store(now, Relaxed);
        e.addr_hi.store((ip >> 64) as u64, Relaxed);
        e.addr_lo.store(ip as u64, Relaxed);
        e.connected_ms.store(now, Relaxed);
        // 1 << 16 marks "described" (a port of 0 is possible in principle).
        e.port.store(u32::from(port) | 1 << 16, Release);
    }

    /// What the directory knows of a live session.
    pub fn info(&self, session: SessionId) -> Option<SessionInfo> {
        let owner = self.owner(session)?;
        let e = self.entry(session);
        let port = e.port.load(Acquire);
        let peer = (port & 1 << 16 != 0).then(|| {
            let ip = std::net::Ipv6Addr::from_bits(u128::from(e.addr_hi.load(Relaxed)) << 64 | u128::from(e.addr_lo.load(Relaxed)));
            let ip = ip.to_ipv4_mapped().map_or(std::net::IpAddr::V6(ip), std::net::IpAddr::V4);
            std::net::SocketAddr::new(ip, port as u16)
        });
        let local = Local {
            socket_fd: e.socket_fd.load(Relaxed),
            server_fd: e.server_fd.load(Relaxed),
            server_port: e.server_port.load(Relaxed) as u16,
            port_index: e.port_index.load(Relaxed) as usize,
        };
        let info = SessionInfo {
            owner,
            peer,
            connected_ms: e.connected_ms.load(Relaxed),
            last_recv_ms: e.last_recv_ms.load(Relaxed),
            last_send_ms: e.last_send_ms.load(Relaxed),
            queued: e.queued.load(Relaxed),
            local,
            uid: e.uid.load(Relaxed),
        };
        (self.owner(session) == Some(owner)).then_some(info)
    }

    /// Live sessions above `after`, in order, at most `max` (a scan of the directory).
    pub fn list(&self, after: SessionId, max: usize) -> Vec<SessionId> {
        let mut all: Vec<SessionId> = (0..self.capacity)
            // SAFETY: as in entry().
            .map(|i| unsafe { &*self.base.as_ptr().add(i) }.session.load(Acquire))
            .filter(|&s| s > after.max(0))
            .collect();
        all.sort_unstable();
        all.truncate(max);
        all
    }

    /// How many sessions are live.
    pub fn count(&self) -> usize {
        // SAFETY: as in entry().
        (0..self.capacity).filter(|&i| unsafe { &*self.base.as_ptr().add(i) }.session.load(Acquire) > 0).count()
    }

    pub fn release(&self, session: SessionId) {
        let _ = self.entry(session).session.compare_exchange(session, 0, AcqRel, Relaxed);
    }

    /// The event worker that owns `session`, if it is live.
    pub fn owner(&self, session: SessionId) -> Option<WorkerId> {
        if session <= 0 {
            return None;
        }
        let e = self.entry(session);
        (e.session.load(Acquire) == session).then(|| e.owner.load(Acquire))
    }

    /// A dead worker's sessions are gone with it (its successor starts with none).
    pub fn release_all_of(&self, owner: WorkerId) {
        for i in 0..self.capacity {
            // SAFETY: as in entry().
            let e = unsafe { &*self.base.as_ptr().add(i) };
            let s = e.session.load(Acquire);
            if s > 0 && e.owner.load(Acquire) == owner {
                let _ = e.session.compare_exchange(s, 0, AcqRel, Relaxed);
            }
        }
    }

    /// How many ids a claim may skip before the directory counts as full.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

// SAFETY: every entry is read and written through atomics only, from any thread or process.
unsafe impl Send for SessionDir {}
// SAFETY: as for Send.
unsafe impl Sync for SessionDir {}

impl Drop for SessionDir {
    fn drop(&mut self) {
        // SAFETY: the mapping made in new(); nothing refers to it past self.
        let _ = unsafe { munmap(self.base.cast(), self.capacity * std::mem::size_of::<Entry>()) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_lookups_and_releases() {
        let d = SessionDir::new(10).unwrap();
        assert_eq!(d.capacity(), 64);
        assert!(d.claim(1, 0));
        assert!(d.claim(2, 1));
        assert_eq!(d.owner(1), Some(0));
        assert_eq!(d.owner(2), Some(1));
        assert_eq!(d.owner(3), None);
        // 65 shares 1's slot while 1 lives.
        assert!(!d.claim(65, 1));
        assert_eq!(d.owner(65), None);
        d.release(1);
        assert!(d.claim(65, 1));
        assert_eq!(d.owner(1), None);
        assert_eq!(d.list(0, 10), vec![2, 65]);
        assert_eq!(d.list(2, 10), vec![65]);
        assert_eq!(d.list(0, 1), vec![2]);
        assert_eq!(d.count(), 2);
        let peer: std::net::SocketAddr = "127.0.0.1:4242".parse().unwrap();
        d.describe(2, Some(peer));
        let i = d.info(2).unwrap();
        assert_eq!((i.owner, i.peer), (1, Some(peer)));
        assert!(i.connected_ms > 0);
        assert_eq!(d.info(65).unwrap().peer, None);
        let v6: std::net::SocketAddr = "[::1]:80".parse().unwrap();
        d.describe(65, Some(v6));
        assert_eq!(d.info(65).unwrap().peer, Some(v6));
        let local = Local { socket_fd: 9, server_fd: 3, server_port: 9501, port_index: 1 };
        d.locate(2, local);
        assert_eq!(d.info(2).unwrap().local, local);
        assert!(!d.bind(2, 0));
        assert!(d.bind(2, 42));
        assert!(!d.bind(2, 43), "a bound session is not bound again");
        assert_eq!(d.uid(2), 42);
        assert!(!d.bind(3, 1), "no such session");
        d.touch_send(2, 100, true);
        assert_eq!(d.queued(2), 100);
        assert!(d.info(2).unwrap().last_send_ms > 0);
        d.release_all_of(1);
        assert_eq!((d.owner(2), d.owner(65)), (None, None));
        assert_eq!((d.uid(2), d.queued(2)), (0, 0));
        assert_eq!(d.count(), 0);
        assert_eq!(d.owner(0), None);
        assert_eq!(d.owner(-3), None);
    }
}
