//! Acting on a running server from any of its processes, and detaching it from the terminal.

use std::io;
use std::path::Path;
use std::sync::atomic::Ordering::Relaxed;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::shm::Shm;

/// Asks the manager to replace the workers one by one: all of them, or the task workers.
pub fn reload(shm: &Shm, only_task_workers: bool) -> bool {
    signal_manager(shm, if only_task_workers { Signal::SIGUSR2 } else { Signal::SIGUSR1 })
}

/// Asks for the graceful shutdown: the manager's in BASE mode; in PROCESS mode the master's,
/// which stops its reactors from taking new work before it stops the manager.
pub fn shutdown(shm: &Shm) -> bool {
    let h = shm.header();
    if h.process_mode.load(Relaxed) == 1 {
        let pid = h.master_pid.load(Relaxed);
        return pid > 1 && kill(Pid::from_raw(pid), Signal::SIGTERM).is_ok();
    }
    signal_manager(shm, Signal::SIGTERM)
}

fn signal_manager(shm: &Shm, sig: Signal) -> bool {
    let pid = shm.header().manager_pid.load(Relaxed);
    // Never 0 or -1: those would signal a whole process group, or every process we may.
    pid > 1 && kill(Pid::from_raw(pid), sig).is_ok()
}

/// Detaches as Swoole's `daemonize`: the calling process exits, the server goes on in a new
/// session, its output in `log_file` if there is one, else nowhere. The working directory
/// stays (Swoole's chdir("/") breaks relative paths in user code).
pub fn daemonize(log_file: Option<&Path>) -> io::Result<()> {
    // SAFETY: flushing C stdio before the fork so nothing is written twice.
    unsafe { libc::fflush(std::ptr::null_mut()) };
    nix::unistd::daemon(true, false)?;
    if log_file.is_some() {
        crate::log::redirect_stdio();
    }
    Ok(())
}
