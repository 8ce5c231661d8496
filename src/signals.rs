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

/// Installs a handler that does nothing: for waking a worker asleep in msgrcv, which has no
/// descriptor to poll. msgrcv fails with EINTR on any handled signal even with SA_RESTART
/// (signal(7)), while SA_RESTART keeps the user's own calls in onTask from being cut short.
pub fn install_waking(signals: &[Signal]) -> io::Result<()> {
    extern "C" fn nothing(_: libc::c_int) {}
    let action = SigAction::new(SigHandler::Handler(nothing), SaFlags::SA_RESTART, SigSet::empty());
    for &s in signals {
        // SAFETY: the handler touches nothing.
        unsafe { signal::sigaction(s, &action)? };
    }
    Ok(())
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

pub fn ignore(signals: &[Signal]) {
    for &s in signals {
        // SAFETY: SIG_IGN installs no code.
        let _ = unsafe { signal::signal(s, SigHandler::SigIgn) };
    }
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
}
