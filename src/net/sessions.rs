//! The session directory: which event worker owns each live connection, in shared memory, so
//! any worker can forward `send()` or `close()` to the owner of a session it does not hold.
//!
//! A session id lives in slot `id % capacity`. A new id is claimed only if its slot is free
//! (ids whose slot a long-lived connection still holds are skipped), so a lookup is one load
//! and no lock is ever taken. Capacity is twice the connection limit, so skips are rare.

use std::io;
use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering::AcqRel, Ordering::Acquire, Ordering::Relaxed, Ordering::Release};

use nix::sys::mman::{mmap_anonymous, munmap, MapFlags, ProtFlags};

use crate::types::{SessionId, WorkerId};

#[repr(C)]
struct Entry {
    /// The session in this slot; 0 = free.
    session: AtomicI64,
    owner: AtomicU32,
    _pad: u32,
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
        if e.session.compare_exchange(0, session, AcqRel, Relaxed).is_err() {
            return false;
        }
        e.owner.store(owner, Release);
        true
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
            if s != 0 && e.owner.load(Acquire) == owner {
                let _ = e.session.compare_exchange(s, 0, AcqRel, Relaxed);
            }
        }
    }

    /// How many ids a claim may skip before the directory counts as full.
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

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
        d.release_all_of(1);
        assert_eq!((d.owner(2), d.owner(65)), (None, None));
        assert_eq!(d.owner(0), None);
        assert_eq!(d.owner(-3), None);
    }
}
