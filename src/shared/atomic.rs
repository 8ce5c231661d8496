//! `Swoole\Atomic` (32-bit, unsigned, with futex wait/wakeup) and `Swoole\Atomic\Long` (64-bit,
//! signed): counters in an anonymous shared mapping of their own, so a fork shares them.

use std::io;
use std::sync::atomic::{AtomicI64, AtomicU32, Ordering::SeqCst};
use std::time::Duration;

use super::region::Region;

/// One shared mapping holding one atomic `T` (zeroed memory is a valid value).
struct SharedCell<T> {
    region: Region,
    _t: std::marker::PhantomData<T>,
}

impl<T> SharedCell<T> {
    fn new() -> io::Result<Self> {
        Ok(SharedCell { region: Region::new(std::mem::size_of::<T>())?, _t: std::marker::PhantomData })
    }

    fn get(&self) -> &T {
        // SAFETY: offset 0 of a page-aligned mapping sized for T; T is an atomic, valid as
        // zeroes and used only through its own methods.
        unsafe { self.region.at(0) }
    }
}

/// `Swoole\Atomic`: an unsigned 32-bit counter (arithmetic wraps, as Swoole's).
pub struct Atomic32 {
    cell: SharedCell<AtomicU32>,
}

impl Atomic32 {
    pub fn new(value: u32) -> io::Result<Self> {
        let a = Atomic32 { cell: SharedCell::new()? };
        a.cell.get().store(value, SeqCst);
        Ok(a)
    }

    /// Adds and returns the new value.
    pub fn add(&self, n: u32) -> u32 {
        self.cell.get().fetch_add(n, SeqCst).wrapping_add(n)
    }

    pub fn sub(&self, n: u32) -> u32 {
        self.cell.get().fetch_sub(n, SeqCst).wrapping_sub(n)
    }

    pub fn get(&self) -> u32 {
        self.cell.get().load(SeqCst)
    }

    pub fn set(&self, v: u32) {
        self.cell.get().store(v, SeqCst)
    }

    pub fn cmpset(&self, cmp: u32, new: u32) -> bool {
        self.cell.get().compare_exchange(cmp, new, SeqCst, SeqCst).is_ok()
    }

    /// Swoole's wait: a value of 1 (a wakeup happened) is taken back to 0 and the call returns
    /// at once; otherwise it sleeps while the value is 0, until a wakeup or `timeout` (None:
    /// no limit). True when woken.
    pub fn wait(&self, timeout: Option<Duration>) -> bool {
        let a = self.cell.get();
        if self.cmpset(1, 0) {
            return true;
        }
        let deadline = timeout.map(crate::clock::after);
        loop {
            let left = match deadline {
                Some(d) => match d.checked_duration_since(std::time::Instant::now()) {
                    Some(l) if !l.is_zero() => Some(l),
                    _ => return self.cmpset(1, 0),
                },
                None => None,
            };
            let ts = left.map(|l| libc::timespec { tv_sec: l.as_secs() as libc::time_t, tv_nsec: l.subsec_nanos() as libc::c_long });
            let tsp = ts.as_ref().map_or(std::ptr::null(), |t| t as *const libc::timespec);
            // SAFETY: futex on a u32 in shared memory that lives as long as self; FUTEX_WAIT
            // (not PRIVATE) because other processes wake it. It only reads the timespec.
            let r = unsafe { libc::syscall(libc::SYS_futex, a.as_ptr(), libc::FUTEX_WAIT, 0u32, tsp, std::ptr::null::<u32>(), 0u32) };
            let errno = if r < 0 { io::Error::last_os_error().raw_os_error() } else { None };
            if self.cmpset(1, 0) {
                return true;
            }
            // A signal ends the wait, as Swoole's (a stopping worker must not sleep through
            // its SIGTERM).
            if errno == Some(libc::EINTR) {
                return false;
            }
            // Neither 0 nor 1 (set() put something else there): as Swoole, no wait at all.
            if errno == Some(libc::EAGAIN) && a.load(SeqCst) != 0 {
                return false;
            }
        }
    }

    /// Swoole's wakeup: a value of 0 becomes 1 and up to `count` waiters wake; false when the
    /// value was not 0.
    pub fn wakeup(&self, count: i32) -> bool {
        if !self.cmpset(0, 1) {
            return false;
        }
        // SAFETY: as in wait(); FUTEX_WAKE reads nothing but the address.
        unsafe { libc::syscall(libc::SYS_futex, self.cell.get().as_ptr(), libc::FUTEX_WAKE, count.max(1), std::ptr::null::<libc::timespec>(), std::ptr::null::<u32>(), 0u32) };
        true
    }
}

/// `Swoole\Atomic\Long`: a signed 64-bit counter.
pub struct Atomic64 {
    cell: SharedCell<AtomicI64>,
}

impl Atomic64 {
    pub fn new(value: i64) -> io::Result<Self> {
        let a = Atomic64 { cell: SharedCell::new()? };
        a.cell.get().store(value, SeqCst);
        Ok(a)
    }

    pub fn add(&self, n: i64) -> i64 {
        self.cell.get().fetch_add(n, SeqCst).wrapping_add(n)
    }

    pub fn sub(&self, n: i64) -> i64 {
        self.cell.get().fetch_sub(n, SeqCst).wrapping_sub(n)
    }

    pub fn get(&self) -> i64 {
        self.cell.get().load(SeqCst)
    }

    pub fn set(&self, v: i64) {
        self.cell.get().store(v, SeqCst)
    }

    pub fn cmpset(&self, cmp: i64, new: i64) -> bool {
        self.cell.get().compare_exchange(cmp, new, SeqCst, SeqCst).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::wait::waitpid;
    use nix::unistd::{fork, ForkResult};

    #[test]
    fn arithmetic_wraps_like_swoole() {
        let a = Atomic32::new(u32::MAX).unwrap();
        assert_eq!(a.add(2), 1);
        assert_eq!(a.sub(3), u32::MAX - 1);
        assert!(a.cmpset(u32::MAX - 1, 7));
        assert!(!a.cmpset(0, 8));
        assert_eq!(a.get(), 7);
        let l = Atomic64::new(-5).unwrap();
        assert_eq!(l.add(10), 5);
        assert_eq!(l.sub(20), -15);
        l.set(i64::MAX);
        assert_eq!(l.add(1), i64::MIN);
        assert!(l.cmpset(i64::MIN, 0) && l.get() == 0);
    }

    #[test]
    fn wait_and_wakeup_across_processes() {
        let a = Atomic32::new(0).unwrap();
        assert!(!a.wait(Some(Duration::from_millis(20))), "nobody woke it");
        assert!(a.wakeup(1));
        assert!(!a.wakeup(1), "already 1");
        assert!(a.wait(Some(Duration::from_millis(20))), "a wakeup before the wait is kept");
        assert_eq!(a.get(), 0);
        a.set(9);
        let t = std::time::Instant::now();
        assert!(!a.wait(Some(Duration::from_secs(5))), "neither 0 nor 1: no wait");
        assert!(t.elapsed() < Duration::from_secs(4));
        a.set(0);
        let counter = Atomic64::new(0).unwrap();
        // SAFETY: the child only uses the shared cells and _exits.
        match unsafe { fork() }.unwrap() {
            ForkResult::Child => {
                let ok = a.wait(Some(Duration::from_secs(10)));
                counter.add(if ok { 1 } else { 100 });
                unsafe { libc::_exit(0) }
            }
            ForkResult::Parent { child } => {
                // Whether the child is asleep yet or not, the wakeup reaches it (one that comes
                // first is kept).
                assert!(a.wakeup(1));
                waitpid(child, None).unwrap();
                assert_eq!(counter.get(), 1);
            }
        }
    }
}
