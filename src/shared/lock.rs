//! Locks that live in shared memory and survive their holder's death.
//!
//! A lock word holds the holder's thread id, so a waiter can tell a busy holder from a dead
//! one: a process SIGKILLed (or OOM-killed) while it holds a `Swoole\Lock` or a table row does
//! not freeze every other process, as a pthread mutex or Swoole's spinlocks would. Waiting is
//! a futex wait on the word, woken by unlock; a waiter also wakes every [`CHECK_EVERY`] to ask
//! whether the holder still exists.
//!
//! Known limit: the holder is named by its thread id only, so if a dead holder's id is reused
//! by a new process before anyone looks, the lock looks held until that process ends.

use std::sync::atomic::{AtomicU32, Ordering::SeqCst};
use std::time::{Duration, Instant};

/// Set in a lock word when someone sleeps on it, so unlock knows to wake them.
const WAITERS: u32 = 1 << 31;
/// How often a sleeping waiter checks whether the holder died.
const CHECK_EVERY: Duration = Duration::from_millis(10);
/// Tries before a waiter sleeps: most critical sections here are a few hundred nanoseconds.
const SPINS: u32 = 100;
/// Readers an [`RwLock`] can hold at once (more wait for a free place).
pub const READER_SLOTS: usize = 64;

/// How long a lock call may wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// Try once (`LOCK_NB`, `trylock`).
    No,
    Until(Instant),
    Forever,
}

impl Wait {
    /// Swoole's timeout in seconds: 0 or less (or NaN) waits without limit.
    pub fn seconds(timeout: f64) -> Wait {
        if timeout > 0.0 {
            Wait::Until(crate::clock::after(crate::clock::seconds(timeout)))
        } else {
            Wait::Forever
        }
    }
}

/// The outcome of a lock call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Acquired {
    Yes,
    /// Taken over from `tid`, which died holding it: what it protected may be half-written.
    Recovered(u32),
    /// Held elsewhere and the call was not to wait (EBUSY).
    Busy,
    TimedOut,
    /// This thread already holds it (EDEADLK): waiting would never end.
    Deadlock,
}

impl Acquired {
    pub fn ok(self) -> bool {
        matches!(self, Acquired::Yes | Acquired::Recovered(_))
    }

    /// The errno Swoole reports for a failure (`errCode`), 0 on success.
    pub fn errno(self) -> i32 {
        match self {
            Acquired::Yes | Acquired::Recovered(_) => 0,
            Acquired::Busy => libc::EBUSY,
            Acquired::TimedOut => libc::ETIMEDOUT,
            Acquired::Deadlock => libc::EDEADLK,
        }
    }
}

pub fn my_tid() -> u32 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() as u32 }
}

/// Whether thread `tid` still runs: gone, or a zombie waiting to be reaped, is dead.
pub fn alive(tid: u32) -> bool {
    let Ok(pid) = i32::try_from(tid) else { return false };
    // SAFETY: signal 0 only checks existence and permission.
    if unsafe { libc::kill(pid, 0) } != 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH) {
        return false;
    }
    // A zombie still answers kill(); its state in /proc says it is dead.
    match std::fs::read_to_string(format!("/proc/{tid}/stat")) {
        Ok(s) => !matches!(s.rsplit_once(')').and_then(|(_, rest)| rest.trim_start().chars().next()), Some('Z' | 'X')),
        Err(_) => true,
    }
}

fn futex_wait(word: &AtomicU32, expected: u32, until: Option<Instant>) {
    let mut left = CHECK_EVERY;
    if let Some(d) = until {
        left = left.min(d.saturating_duration_since(Instant::now()));
        if left.is_zero() {
            return;
        }
    }
    let ts = libc::timespec { tv_sec: left.as_secs() as libc::time_t, tv_nsec: left.subsec_nanos() as libc::c_long };
    // SAFETY: the word is a live u32 in memory shared by the processes that wake it (so not
    // FUTEX_PRIVATE); the kernel only reads the timespec.
    unsafe { libc::syscall(libc::SYS_futex, word.as_ptr(), libc::FUTEX_WAIT, expected, &ts as *const libc::timespec, std::ptr::null::<u32>(), 0u32) };
}

fn futex_wake(word: &AtomicU32, n: i32) {
    // SAFETY: as in futex_wait; FUTEX_WAKE reads nothing but the address.
    unsafe { libc::syscall(libc::SYS_futex, word.as_ptr(), libc::FUTEX_WAKE, n, std::ptr::null::<libc::timespec>(), std::ptr::null::<u32>(), 0u32) };
}

fn expired(wait: Wait) -> bool {
    matches!(wait, Wait::Until(d) if Instant::now() >= d)
}

/// An exclusive lock: one word, 0 when free, else the holder's tid (plus [`WAITERS`]).
/// Zeroed memory is a free lock, so it can sit in any zeroed shared mapping.
#[repr(C)]
#[derive(Default)]
pub struct Mutex {
    word: AtomicU32,
}

impl Mutex {
    pub fn lock(&self, wait: Wait) -> Acquired {
        let me = my_tid();
        let mut spins = 0;
        let mut next_check = None::<Instant>;
        // Once this thread has slept, it takes the lock with WAITERS set: others may still sleep.
        let mut contended = 0;
        loop {
            let cur = self.word.load(SeqCst);
            if cur == 0 {
                if self.word.compare_exchange(0, me | contended, SeqCst, SeqCst).is_ok() {
                    return Acquired::Yes;
                }
                continue;
            }
            let owner = cur & !WAITERS;
            if owner == me {
                return Acquired::Deadlock;
            }
            if wait == Wait::No {
                return if alive(owner) { Acquired::Busy } else { self.take_over(cur, me) };
            }
            if spins < SPINS {
                spins += 1;
                std::hint::spin_loop();
                continue;
            }
            let now = Instant::now();
            if next_check.is_none_or(|t| now >= t) {
                next_check = Some(now + CHECK_EVERY);
                if !alive(owner) {
                    match self.take_over(cur, me) {
                        Acquired::Busy => continue,
                        got => return got,
                    }
                }
            }
            if expired(wait) {
                return Acquired::TimedOut;
            }
            if cur & WAITERS == 0 && self.word.compare_exchange(cur, cur | WAITERS, SeqCst, SeqCst).is_err() {
                continue;
            }
            contended = WAITERS;
            futex_wait(&self.word, cur | WAITERS, match wait {
                Wait::Until(d) => Some(d),
                _ => None,
            });
        }
    }

    /// Replaces a dead holder; Busy when the word changed meanwhile (someone else was faster).
    fn take_over(&self, cur: u32, me: u32) -> Acquired {
        match self.word.compare_exchange(cur, me | (cur & WAITERS), SeqCst, SeqCst) {
            Ok(_) => Acquired::Recovered(cur & !WAITERS),
            Err(_) => Acquired::Busy,
        }
    }

    /// False when this thread does not hold it.
    pub fn unlock(&self) -> bool {
        self.release(1)
    }

    /// Frees the lock if this thread holds it, waking up to `wake` sleepers. Only the holder
    /// clears the word (others only add WAITERS, or replace a dead holder), so a swap cannot
    /// lose a waiter that arrived after the ownership check.
    fn release(&self, wake: i32) -> bool {
        if self.word.load(SeqCst) & !WAITERS != my_tid() {
            return false;
        }
        let prev = self.word.swap(0, SeqCst);
        if prev & WAITERS != 0 {
            futex_wake(&self.word, wake);
        }
        true
    }

    pub fn held_by_me(&self) -> bool {
        self.word.load(SeqCst) & !WAITERS == my_tid()
    }

    /// Frees the lock of a holder that died (used by the reader-writer lock for its writer).
    fn clear_dead(&self, cur: u32) -> bool {
        let ok = self.word.compare_exchange(cur, 0, SeqCst, SeqCst).is_ok();
        if ok {
            futex_wake(&self.word, i32::MAX);
        }
        ok
    }
}

/// A reader-writer lock. The writer holds `writer` (a [`Mutex`]) and then waits until no
/// reader is left; each reader holds a slot with its tid, so a dead reader can be found and
/// its slot freed. Writers go first: once one holds `writer`, new readers wait. Zeroed
/// memory is a free lock.
#[repr(C)]
pub struct RwLock {
    writer: Mutex,
    /// Bumped by every reader that leaves, so a waiting writer sleeps on it.
    departures: AtomicU32,
    writer_waiting: AtomicU32,
    readers: [AtomicU32; READER_SLOTS],
}

impl Default for RwLock {
    fn default() -> Self {
        RwLock {
            writer: Mutex::default(),
            departures: AtomicU32::new(0),
            writer_waiting: AtomicU32::new(0),
            readers: std::array::from_fn(|_| AtomicU32::new(0)),
        }
    }
}

impl RwLock {
    pub fn write(&self, wait: Wait) -> Acquired {
        self.write_noting(wait, &mut None)
    }

    /// write(), also noting in `took_over` a dead reader whose place it freed when the call
    /// then fails (a live reader still held it): the death is reported all the same.
    pub fn write_noting(&self, wait: Wait, took_over: &mut Option<u32>) -> Acquired {
        let me = my_tid();
        if self.readers.iter().any(|r| r.load(SeqCst) == me) {
            return Acquired::Deadlock;
        }
        let got = self.writer.lock(wait);
        if !got.ok() {
            return got;
        }
        let mut recovered = got;
        let mut checked_at = None::<Instant>;
        loop {
            let seen = self.departures.load(SeqCst);
            let now = Instant::now();
            let check = checked_at.is_none_or(|t| now >= t);
            if check {
                checked_at = Some(now + CHECK_EVERY);
            }
            let mut busy = false;
            for slot in &self.readers {
                let r = slot.load(SeqCst);
                if r == 0 {
                    continue;
                }
                if check && !alive(r) && slot.compare_exchange(r, 0, SeqCst, SeqCst).is_ok() {
                    recovered = Acquired::Recovered(r);
                    *took_over = Some(r);
                    continue;
                }
                busy = true;
            }
            if !busy {
                return recovered;
            }
            if wait == Wait::No || expired(wait) {
                // Readers and writers may both sleep on the writer word: wake them all.
                self.writer.release(i32::MAX);
                return if wait == Wait::No { Acquired::Busy } else { Acquired::TimedOut };
            }
            self.writer_waiting.store(1, SeqCst);
            futex_wait(&self.departures, seen, match wait {
                Wait::Until(d) => Some(d),
                _ => None,
            });
            self.writer_waiting.store(0, SeqCst);
        }
    }

    pub fn read(&self, wait: Wait) -> Acquired {
        self.read_noting(wait, &mut None)
    }

    /// read(), noting a dead holder it cleared even when the call then fails.
    pub fn read_noting(&self, wait: Wait, took_over: &mut Option<u32>) -> Acquired {
        let me = my_tid();
        if self.writer.held_by_me() {
            return Acquired::Deadlock;
        }
        let mut recovered = Acquired::Yes;
        let mut spins = 0;
        let mut checked_at = None::<Instant>;
        loop {
            let w = self.writer.word.load(SeqCst);
            // A nested read lock goes in even past a waiting writer: that writer waits for
            // this thread's first one, so making it wait would deadlock both.
            let nested = self.readers.iter().any(|s| s.load(SeqCst) == me);
            if w == 0 || nested {
                if let Some(slot) = self.readers.iter().find(|s| s.compare_exchange(0, me, SeqCst, SeqCst).is_ok()) {
                    // Dekker with write(): it takes `writer` then scans the slots, we take a
                    // slot then look at `writer`; with SeqCst one of us sees the other.
                    if nested || self.writer.word.load(SeqCst) == 0 {
                        return recovered;
                    }
                    slot.store(0, SeqCst);
                    self.departed();
                }
            }
            if wait == Wait::No {
                // A writer that died holding it must not make every trylock fail forever.
                let owner = w & !WAITERS;
                if owner != 0 && !alive(owner) && self.writer.clear_dead(w) {
                    *took_over = Some(owner);
                    recovered = Acquired::Recovered(owner);
                    continue;
                }
                return Acquired::Busy;
            }
            if spins < SPINS {
                spins += 1;
                std::hint::spin_loop();
                continue;
            }
            let now = Instant::now();
            if checked_at.is_none_or(|t| now >= t) {
                checked_at = Some(now + CHECK_EVERY);
                let owner = w & !WAITERS;
                if owner != 0 && !alive(owner) && self.writer.clear_dead(w) {
                    recovered = Acquired::Recovered(owner);
                    *took_over = Some(owner);
                    continue;
                }
                for slot in &self.readers {
                    let r = slot.load(SeqCst);
                    if r != 0 && !alive(r) && slot.compare_exchange(r, 0, SeqCst, SeqCst).is_ok() {
                        recovered = Acquired::Recovered(r);
                        *took_over = Some(r);
                    }
                }
            }
            if expired(wait) {
                return Acquired::TimedOut;
            }
            if w == 0 {
                // No writer but every slot taken: sleep until a reader leaves.
                let seen = self.departures.load(SeqCst);
                futex_wait(&self.departures, seen, match wait {
                    Wait::Until(d) => Some(d),
                    _ => None,
                });
                continue;
            }
            if w & WAITERS == 0 && self.writer.word.compare_exchange(w, w | WAITERS, SeqCst, SeqCst).is_err() {
                continue;
            }
            futex_wait(&self.writer.word, w | WAITERS, match wait {
                Wait::Until(d) => Some(d),
                _ => None,
            });
        }
    }

    fn departed(&self) {
        self.departures.fetch_add(1, SeqCst);
        if self.writer_waiting.load(SeqCst) != 0 {
            futex_wake(&self.departures, i32::MAX);
        }
    }

    /// Releases this thread's write lock, or else one of its read locks; false when it holds
    /// neither.
    pub fn unlock(&self) -> bool {
        if self.writer.held_by_me() {
            // Readers and writers may both sleep on it: wake them all.
            return self.writer.release(i32::MAX);
        }
        let me = my_tid();
        match self.readers.iter().find(|s| s.load(SeqCst) == me) {
            Some(slot) => {
                slot.store(0, SeqCst);
                self.departed();
                true
            }
            None => false,
        }
    }
}

/// `Swoole\Lock`: a mutex or a reader-writer lock in a shared mapping of its own.
pub struct SharedLock {
    rw: bool,
    region: super::region::Region,
}

impl SharedLock {
    pub fn new(rw: bool) -> std::io::Result<Self> {
        let len = if rw { std::mem::size_of::<RwLock>() } else { std::mem::size_of::<Mutex>() };
        Ok(SharedLock { rw, region: super::region::Region::new(len)? })
    }

    fn mutex(&self) -> &Mutex {
        // SAFETY: offset 0 of a zeroed page-aligned mapping sized for the lock (see new()).
        unsafe { self.region.at(0) }
    }

    fn rwlock(&self) -> &RwLock {
        // SAFETY: as in mutex(); made with RwLock's size when `rw`.
        unsafe { self.region.at(0) }
    }

    /// `shared` asks for a read lock (a mutex has only exclusive ones). The second value
    /// names a dead holder this call took a place over from, also when the call failed.
    pub fn lock(&self, shared: bool, wait: Wait) -> (Acquired, Option<u32>) {
        let mut took_over = None;
        let got = match (self.rw, shared) {
            (false, _) => self.mutex().lock(wait),
            (true, false) => self.rwlock().write_noting(wait, &mut took_over),
            (true, true) => self.rwlock().read_noting(wait, &mut took_over),
        };
        if let Acquired::Recovered(tid) = got {
            took_over = Some(tid);
        }
        (got, took_over)
    }

    pub fn unlock(&self) -> bool {
        if self.rw {
            self.rwlock().unlock()
        } else {
            self.mutex().unlock()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shared::region::Region;

    fn fork_and<F: FnOnce()>(f: F) -> nix::unistd::Pid {
        // SAFETY: the test process forks; the child runs only f and _exit.
        match unsafe { nix::unistd::fork() }.expect("fork") {
            nix::unistd::ForkResult::Child => {
                f();
                // SAFETY: ends the child without running the parent's destructors or harness.
                unsafe { libc::_exit(0) }
            }
            nix::unistd::ForkResult::Parent { child } => child,
        }
    }

    fn reap(pid: nix::unistd::Pid) {
        nix::sys::wait::waitpid(pid, None).expect("waitpid");
    }

    #[test]
    fn mutex_excludes_and_reports_misuse() {
        let m = Mutex::default();
        assert_eq!(m.lock(Wait::Forever), Acquired::Yes);
        assert_eq!(m.lock(Wait::No), Acquired::Deadlock);
        assert!(m.unlock());
        assert!(!m.unlock());
        assert_eq!(m.lock(Wait::No), Acquired::Yes);
        assert!(m.unlock());
    }

    #[test]
    fn dead_holder_is_taken_over() {
        let region = Region::new(std::mem::size_of::<Mutex>()).expect("map");
        // SAFETY: a zeroed, page-aligned shared region is a free Mutex.
        let m: &Mutex = unsafe { region.at(0) };
        let child = fork_and(|| {
            m.lock(Wait::Forever);
            // SAFETY: dies holding the lock, as a SIGKILLed worker would.
            unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
        });
        reap(child);
        assert_eq!(m.lock(Wait::Until(Instant::now() + Duration::from_secs(5))), Acquired::Recovered(child.as_raw() as u32));
        assert!(m.unlock());
    }

    #[test]
    fn busy_holder_times_out_then_hands_over() {
        let region = Region::new(std::mem::size_of::<Mutex>() + 4).expect("map");
        // SAFETY: zeroed shared memory is a free Mutex and a zero flag.
        let m: &Mutex = unsafe { region.at(0) };
        let flag: &AtomicU32 = unsafe { region.at(4) };
        let child = fork_and(|| {
            m.lock(Wait::Forever);
            flag.store(1, SeqCst);
            while flag.load(SeqCst) != 2 {
                std::thread::sleep(Duration::from_millis(1));
            }
            m.unlock();
        });
        while flag.load(SeqCst) != 1 {
            std::thread::yield_now();
        }
        assert_eq!(m.lock(Wait::No), Acquired::Busy);
        assert_eq!(m.lock(Wait::Until(Instant::now() + Duration::from_millis(30))), Acquired::TimedOut);
        flag.store(2, SeqCst);
        let t = Instant::now();
        assert_eq!(m.lock(Wait::Forever), Acquired::Yes);
        // Woken by the unlock, not by the periodic check.
        assert!(t.elapsed() < Duration::from_secs(2));
        m.unlock();
        reap(child);
    }

    #[test]
    fn readers_share_writers_exclude_and_dead_readers_are_freed() {
        let region = Region::new(std::mem::size_of::<RwLock>()).expect("map");
        // SAFETY: zeroed shared memory is a free RwLock.
        let l: &RwLock = unsafe { region.at(0) };
        assert_eq!(l.read(Wait::No), Acquired::Yes);
        assert_eq!(l.write(Wait::No), Acquired::Deadlock);
        let child = fork_and(|| {
            let ok = l.write(Wait::No) == Acquired::Busy && l.read(Wait::No) == Acquired::Yes;
            if !ok {
                // SAFETY: reports failure through the exit status.
                unsafe { libc::_exit(3) };
            }
            // Dies holding a read lock.
            // SAFETY: as a SIGKILLed worker would.
            unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
        });
        let status = nix::sys::wait::waitpid(child, None).expect("waitpid");
        assert!(matches!(status, nix::sys::wait::WaitStatus::Signaled(_, nix::sys::signal::Signal::SIGKILL, _)), "{status:?}");
        assert!(l.unlock());
        assert_eq!(l.write(Wait::Until(Instant::now() + Duration::from_secs(5))), Acquired::Recovered(child.as_raw() as u32));
        assert_eq!(l.read(Wait::No), Acquired::Deadlock);
        assert!(l.unlock());
        assert!(!l.unlock());
        assert_eq!(l.read(Wait::No), Acquired::Yes);
        assert!(l.unlock());
    }

    #[test]
    fn dead_writer_lets_readers_in() {
        let region = Region::new(std::mem::size_of::<RwLock>()).expect("map");
        // SAFETY: zeroed shared memory is a free RwLock.
        let l: &RwLock = unsafe { region.at(0) };
        let child = fork_and(|| {
            l.write(Wait::Forever);
            // SAFETY: dies holding the write lock.
            unsafe { libc::kill(libc::getpid(), libc::SIGKILL) };
        });
        reap(child);
        assert_eq!(l.read(Wait::Until(Instant::now() + Duration::from_secs(5))), Acquired::Recovered(child.as_raw() as u32));
        assert!(l.unlock());
    }
}
