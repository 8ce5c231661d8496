//! Signals the nginx way: the handler only records the signal and wakes the loop through a
//! self-pipe; each process's loop acts on the recorded set. Every process installs its own
//! pipe after fork, so a signal never wakes another process's loop.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering::SeqCst};

use nix::fcntl::OFlag;
use nix::sys::signal::{self, SaFlags, SigAction, SigHandler, SigSet, Signal};

static PENDING: AtomicU64 = AtomicU64::new(0);
static WAKE_FD: AtomicI32 = AtomicI32::new(-1);

extern "C" fn record(sig: libc::c_int) {
    // SAFETY: errno is thread-local; saving and restoring it keeps the interrupted code intact.
    let errno = unsafe { *libc::__errno_location() };
    PENDING.fetch_or(1u64 << (sig as u64 & 63), SeqCst);
    let fd = WAKE_FD.load(SeqCst);
    if fd >= 0 {
        // SAFETY: write(2) is async-signal-safe; a full pipe already guarantees a wake-up.
        unsafe { libc::write(fd, [1u8].as_ptr().cast(), 1) };
    }
    // SAFETY: restores this thread's errno, saved above.
    unsafe { *libc::__errno_location() = errno };
}

/// The read end of this process's self-pipe.
pub struct Wakeup {
    rx: OwnedFd,
    _tx: OwnedFd,
}

impl Wakeup {
    pub fn fd(&self) -> RawFd {
        self.rx.as_raw_fd()
    }

    /// Empties the pipe after a wake-up.
    pub fn drain(&self) {
        let mut buf = [0u8; 64];
        while let Ok(n) = nix::unistd::read(self.rx.as_raw_fd(), &mut buf) {
            if n < buf.len() {
                break;
            }
        }
    }
}

/// Creates this process's self-pipe and routes `signals` to it. Forgets signals recorded by
/// the process this one was forked from.
pub fn install(signals: &[Signal]) -> io::Result<Wakeup> {
    let (rx, tx) = nix::unistd::pipe2(OFlag::O_CLOEXEC | OFlag::O_NONBLOCK)?;
    PENDING.store(0, SeqCst);
    WAKE_FD.store(tx.as_raw_fd(), SeqCst);
    let action = SigAction::new(SigHandler::Handler(record), SaFlags::SA_RESTART, SigSet::empty());
    for &s in signals {
        // SAFETY: `record` only touches atomics and calls write(2).
        unsafe { signal::sigaction(s, &action)? };
    }
    // A signal held back since the fork (see `hold`) is delivered now, to this handler.
    set_mask(signals, false);
    Ok(Wakeup { rx, _tx: tx })
}

/// Makes `signals` do nothing in this process, with a handler that does nothing rather than
/// SIG_IGN: a caught signal goes back to its default in any program this process execs (a
/// Task callback's `exec()` or `proc_open()`), an ignored one would stay ignored there.
/// SA_RESTART keeps the user's own calls from being cut short, while msgrcv still fails with
/// EINTR on it (signal(7)), which is what wakes a task worker asleep in a queue.
pub fn disarm(signals: &[Signal]) -> io::Result<()> {
    extern "C" fn nothing(_: libc::c_int) {}
    let action = SigAction::new(SigHandler::Handler(nothing), SaFlags::SA_RESTART, SigSet::empty());
    for &s in signals {
        // SAFETY: the handler touches nothing.
        unsafe { signal::sigaction(s, &action)? };
    }
    Ok(())
}

/// A one-shot timer of this process that raises SIGURG: it bounds a blocking msgrcv (which
/// has no descriptor to poll) without touching ITIMER_REAL, so the user's `pcntl_alarm()`
/// keeps working.
pub struct WakeTimer(libc::timer_t);

impl WakeTimer {
    pub fn new() -> io::Result<WakeTimer> {
        // SAFETY: sigevent is plain data; zeroed is valid, and we set what SIGEV_SIGNAL needs.
        let mut ev: libc::sigevent = unsafe { std::mem::zeroed() };
        ev.sigev_notify = libc::SIGEV_SIGNAL;
        ev.sigev_signo = libc::SIGURG;
        let mut id: libc::timer_t = std::ptr::null_mut();
        // SAFETY: both pointers are to live locals; the kernel fills `id`.
        if unsafe { libc::timer_create(libc::CLOCK_MONOTONIC, &mut ev, &mut id) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(WakeTimer(id))
    }

    /// Arms the timer to fire once after `after` (zero disarms it).
    pub fn arm(&self, after: std::time::Duration) {
        let spec = libc::itimerspec {
            it_interval: libc::timespec { tv_sec: 0, tv_nsec: 0 },
            it_value: libc::timespec { tv_sec: after.as_secs() as libc::time_t, tv_nsec: after.subsec_nanos() as libc::c_long },
        };
        // SAFETY: a timer this value owns; `spec` is read only.
        unsafe { libc::timer_settime(self.0, 0, &spec, std::ptr::null_mut()) };
    }
}

impl Drop for WakeTimer {
    fn drop(&mut self) {
        // SAFETY: deletes the timer this value created.
        unsafe { libc::timer_delete(self.0) };
    }
}

/// Blocks `signals` (true) or lets them through again (false) in this process.
fn set_mask(signals: &[Signal], block: bool) {
    let mut set = SigSet::empty();
    for &s in signals {
        set.add(s);
    }
    let how = if block { signal::SigmaskHow::SIG_BLOCK } else { signal::SigmaskHow::SIG_UNBLOCK };
    let _ = signal::sigprocmask(how, Some(&set), None);
}

/// Holds `signals` back across a fork: a child that gets one before it has installed its own
/// handler (which resets the pending set it inherited) would otherwise lose it. The parent
/// calls `release` after the fork; the child's `install` releases them.
pub fn hold(signals: &[Signal]) {
    set_mask(signals, true);
}

pub fn release(signals: &[Signal]) {
    set_mask(signals, false);
}

pub fn restore_default(signals: &[Signal]) {
    for &s in signals {
        // SAFETY: SIG_DFL installs no code.
        let _ = unsafe { signal::signal(s, SigHandler::SigDfl) };
    }
}

/// Signals recorded since the last call.
pub fn take() -> Pending {
    Pending(PENDING.swap(0, SeqCst))
}

#[derive(Clone, Copy, Debug, Default)]
pub struct Pending(u64);

impl Pending {
    pub fn has(&self, s: Signal) -> bool {
        self.0 & (1u64 << (s as i32 as u64 & 63)) != 0
    }
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signal_is_recorded_and_wakes_the_pipe() {
        let w = install(&[Signal::SIGUSR2]).unwrap();
        signal::raise(Signal::SIGUSR2).unwrap();
        let p = take();
        assert!(p.has(Signal::SIGUSR2));
        assert!(!p.has(Signal::SIGTERM));
        let mut b = [0u8; 4];
        assert_eq!(nix::unistd::read(w.fd(), &mut b).unwrap(), 1);
        assert!(take().is_empty());
        restore_default(&[Signal::SIGUSR2]);
    }

    #[test]
    fn disarmed_signals_are_not_ignored_in_programs_we_start() {
        disarm(&[Signal::SIGUSR1]).unwrap();
        signal::raise(Signal::SIGUSR1).unwrap();
        let out = std::process::Command::new("grep").args(["SigIgn", "/proc/self/status"]).output().unwrap();
        let mask = u64::from_str_radix(String::from_utf8_lossy(&out.stdout).split_whitespace().nth(1).unwrap(), 16).unwrap();
        assert_eq!(mask & (1 << (libc::SIGUSR1 - 1)), 0);
        restore_default(&[Signal::SIGUSR1]);
    }
}
