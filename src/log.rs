//! Server log lines in Swoole's format:
//! `[2026-11-26 17:00:00 *1234.0]\tWARNING\twhere(): message`.
//! The marker says which role wrote it: `#` master, `$` manager, `*` event worker, `^` task worker.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::os::fd::{IntoRawFd, RawFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicI64, AtomicU8, Ordering::Relaxed};
use std::sync::Mutex;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug = 0,
    Trace = 1,
    Info = 2,
    Notice = 3,
    Warning = 4,
    Error = 5,
    None = 6,
}

impl Level {
    pub fn from_int(n: i64) -> Level {
        match n {
            i64::MIN..=0 => Level::Debug,
            1 => Level::Trace,
            2 => Level::Info,
            3 => Level::Notice,
            4 => Level::Warning,
            5 => Level::Error,
            _ => Level::None,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Trace => "TRACE",
            Level::Info => "INFO",
            Level::Notice => "NOTICE",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
            Level::None => "NONE",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Other = b'%' as isize,
    /// PROCESS mode's master and its reactor threads.
    Master = b'#' as isize,
    Manager = b'$' as isize,
    EventWorker = b'*' as isize,
    TaskWorker = b'^' as isize,
    UserProcess = b'@' as isize,
}

static LEVEL: AtomicU8 = AtomicU8::new(Level::Info as u8);
static FD: AtomicI32 = AtomicI32::new(2);
static ROLE: AtomicU8 = AtomicU8::new(b'%');

pub fn set_level(l: Level) {
    LEVEL.store(l as u8, Relaxed);
}

pub fn set_role(r: Role) {
    ROLE.store(r as u8, Relaxed);
}

/// The log file's path, so every process can reopen it after logrotate moved it.
static PATH: Mutex<Option<PathBuf>> = Mutex::new(None);
/// Second of the last check whether the path still names the open file.
static CHECKED: AtomicI64 = AtomicI64::new(0);

/// Sends log lines to `path` (appending) instead of stderr.
pub fn open_file(path: &Path) -> io::Result<()> {
    let f = OpenOptions::new().create(true).append(true).open(path)?;
    let old = FD.swap(f.into_raw_fd(), Relaxed);
    if old > 2 {
        // SAFETY: `old` was a file this module opened and nothing else holds it.
        unsafe { libc::close(old) };
    }
    if let Ok(mut p) = PATH.lock() {
        *p = Some(path.to_path_buf());
    }
    if STDIO.load(Relaxed) {
        redirect_stdio();
    }
    Ok(())
}

/// A daemon's stdout and stderr go to the log file, and follow it when it is reopened.
static STDIO: AtomicBool = AtomicBool::new(false);

pub fn redirect_stdio() {
    STDIO.store(true, Relaxed);
    let fd = FD.load(Relaxed);
    if fd > 2 {
        // SAFETY: dup2 onto the standard descriptors, which this process owns.
        unsafe {
            libc::dup2(fd, 1);
            libc::dup2(fd, 2);
        }
    }
}

/// Reopens the log file when its path no longer names the file we write (moved or removed
/// by logrotate), at most once a second: no signal is needed to follow a rotation.
fn follow_rotation() {
    // SAFETY: time(NULL) only reads the clock.
    let now = unsafe { libc::time(std::ptr::null_mut()) } as i64;
    if CHECKED.swap(now, Relaxed) == now {
        return;
    }
    let Some(path) = PATH.lock().ok().and_then(|p| p.clone()) else { return };
    let same = match (std::fs::metadata(&path), nix::sys::stat::fstat(FD.load(Relaxed))) {
        (Ok(m), Ok(st)) => m.ino() == st.st_ino && m.dev() == st.st_dev,
        _ => false,
    };
    if !same {
        let _ = open_file(&path);
    }
}

pub fn enabled(level: Level) -> bool {
    level as u8 >= LEVEL.load(Relaxed) && level != Level::None
}

pub fn log(level: Level, func: &str, msg: &str) {
    if !enabled(level) {
        return;
    }
    let line = format!(
        "[{} {}{}.0]\t{}\t{}(): {}\n",
        timestamp(),
        ROLE.load(Relaxed) as char,
        std::process::id(),
        level.name(),
        func,
        msg
    );
    follow_rotation();
    write_fd(FD.load(Relaxed), line.as_bytes());
}

fn write_fd(fd: RawFd, bytes: &[u8]) {
    // SAFETY: borrowing the raw fd for one write; ManuallyDrop keeps it open.
    let mut f = std::mem::ManuallyDrop::new(unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(fd) });
    let _ = f.write_all(bytes);
}

fn timestamp() -> String {
    // SAFETY: time(NULL) only reads the clock; tm is plain data for which zeroes are valid;
    // localtime_r (the thread-safe form) writes only into our tm.
    let tm = unsafe {
        let now = libc::time(std::ptr::null_mut());
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&now, &mut tm);
        tm
    };
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    )
}

#[macro_export]
macro_rules! log_at {
    ($level:expr, $func:expr, $($arg:tt)*) => {
        if $crate::log::enabled($level) {
            $crate::log::log($level, $func, &format!($($arg)*))
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_filter_and_parse() {
        assert_eq!(Level::from_int(4), Level::Warning);
        assert_eq!(Level::from_int(-3), Level::Debug);
        assert!(Level::Error > Level::Info);
        assert_eq!(timestamp().len(), 19);
    }
}
