//! The event table set by `on()`, and calling a PHP callable safely: an exception is reported
//! and the worker goes on; a fatal error (a bailout, e.g. memory_limit) ends this worker
//! process so the manager replaces it with a clean one.

use ext_php_rs::convert::IntoZvalDyn;
use ext_php_rs::types::Zval;
use ext_php_rs::zend::{try_catch, ExecutorGlobals};

use crate::log::Level;
use crate::log_at;
use crate::php::errors::{self, Thrown};

/// Events as `on()` accepts them (case-insensitive), in Swoole's spelling.
pub const EVENTS: &[&str] = &[
    "Start",
    "Shutdown",
    "WorkerStart",
    "WorkerStop",
    "WorkerError",
    "ManagerStart",
    "ManagerStop",
    "Connect",
    "Receive",
    "Close",
    "BufferFull",
    "BufferEmpty",
    "Task",
    "Finish",
    "PipeMessage",
    "Packet",
];

/// Where set()'s `package_length_func` is kept in the table (on() cannot name it).
pub const PACKAGE_LENGTH: &str = "package_length_func";

/// The canonical name of an event, or None if unknown.
pub fn canonical(name: &str) -> Option<&'static str> {
    EVENTS.iter().copied().find(|e| e.eq_ignore_ascii_case(name))
}

#[derive(Default)]
pub struct Callbacks {
    table: Vec<(&'static str, Zval)>,
}

impl Callbacks {
    pub fn set(&mut self, event: &'static str, cb: Zval) {
        self.table.retain(|(e, _)| *e != event);
        self.table.push((event, cb));
    }

    pub fn get(&self, event: &str) -> Option<&Zval> {
        self.table.iter().find(|(e, _)| *e == event).map(|(_, z)| z)
    }

    pub fn has(&self, event: &str) -> bool {
        self.get(event).is_some()
    }

    /// Copies for a running server (each holds its own reference).
    pub fn snapshot(&self) -> Callbacks {
        Callbacks { table: self.table.iter().map(|(e, z)| (*e, z.shallow_clone())).collect() }
    }
}

/// Calls `cb` with `args`. Returns its value, or None when it threw (reported here).
pub fn invoke(event: &str, cb: &Zval, args: Vec<&dyn IntoZvalDyn>) -> Option<Zval> {
    // A fatal error unwinds like exit() but leaves exit status 255: that tells them apart.
    ExecutorGlobals::get_mut().exit_status = 0;
    let result = try_catch(std::panic::AssertUnwindSafe(|| cb.try_call(args)));
    match result {
        Ok(Ok(v)) => Some(v),
        Ok(Err(_)) => {
            match errors::report_pending() {
                Some(Thrown::Exit) if ExecutorGlobals::get().exit_status == 255 => fatal(event),
                Some(Thrown::Exit) => {
                    log_at!(Level::Notice, "Server::callback", "exit() was called in the {} callback; the worker goes on", event)
                }
                Some(Thrown::Exception) => {}
                None => errors::warning(&format!("the {event} callback could not be called")),
            }
            None
        }
        Err(_) => fatal(event),
    }
}

/// Runs a process's whole life in `cb` (a user process, a standalone Swoole\Process): None
/// when it returned, else the exit status it asked for: exit()'s, or 255 after an uncaught
/// exception (reported), as the PHP CLI would exit.
pub fn run_to_exit(event: &str, cb: &Zval, args: Vec<&dyn IntoZvalDyn>) -> Option<i32> {
    ExecutorGlobals::get_mut().exit_status = 0;
    let result = try_catch(std::panic::AssertUnwindSafe(|| cb.try_call(args)));
    match result {
        Ok(Ok(_)) => None,
        Ok(Err(_)) => match errors::report_pending() {
            Some(Thrown::Exit) => Some(ExecutorGlobals::get().exit_status),
            Some(Thrown::Exception) | None => Some(255),
        },
        Err(_) => fatal(event),
    }
}

/// PHP already printed the fatal error. Its engine state is not trusted after one, so this
/// process ends with status 255 and the manager starts a fresh one (WorkerError fires there).
fn fatal(event: &str) -> ! {
    log_at!(Level::Error, "Server::callback", "fatal error in the {} callback, worker exits", event);
    // SAFETY: leaving the process is the point; nothing after this may touch PHP.
    unsafe {
        ext_php_rs::ffi::php_output_end_all();
        libc::fflush(std::ptr::null_mut());
        libc::_exit(255)
    }
}
