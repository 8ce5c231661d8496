//! Warnings and uncaught exceptions, printed the way PHP (and Swoole) print them.

use std::cell::Cell;
use std::ffi::CString;

use ext_php_rs::ffi::{php_error_docref, zend_object, E_WARNING};
use ext_php_rs::zend::ExecutorGlobals;

const E_ERROR: i32 = 1;
/// Report as fatal without bailing out: the worker goes on with its next event.
const E_DONT_BAIL: i32 = 1 << 15;

extern "C" {
    fn zend_exception_error(ex: *mut zend_object, severity: i32) -> i32;
    fn zend_is_unwind_exit(ex: *const zend_object) -> bool;
}

/// `Warning: Swoole\Server::method(): msg`: the active method names itself.
pub fn warning(msg: &str) {
    let msg = CString::new(msg.replace('\0', "\\0")).unwrap_or_default();
    // SAFETY: both strings are NUL-terminated and the format consumes exactly one argument.
    unsafe { php_error_docref(std::ptr::null(), E_WARNING as i32, c"%s".as_ptr(), msg.as_ptr()) };
}

/// What a callback left behind when it did not return normally.
pub enum Thrown {
    Exception,
    Exit,
}

/// Takes the pending exception (if any) and reports it as "PHP Fatal error: Uncaught ...".
/// `exit()` inside a callback unwinds with a special object: it is not an error, and the
/// worker keeps running, so it is only noted.
pub fn report_pending() -> Option<Thrown> {
    let mut ex = ExecutorGlobals::take_exception()?;
    let ptr: *mut zend_object = &mut *ex;
    // SAFETY: `ptr` points at the exception object we now own (`ex`); zend_is_unwind_exit only
    // reads it.
    if unsafe { zend_is_unwind_exit(ptr) } {
        return Some(Thrown::Exit);
    }
    // zend_exception_error() releases the object itself: our reference goes to it.
    std::mem::forget(ex);
    // SAFETY: a live exception object whose one reference we hand over (see above).
    unsafe { zend_exception_error(ptr, E_ERROR | E_DONT_BAIL) };
    Some(Thrown::Exception)
}

/// `swoole_last_error()` codes set by this extension.
pub const ERR_TASK_DISPATCH_FAIL: i64 = 2002;
/// send() to a session that does not exist (any more).
pub const ERR_SESSION_NOT_EXIST: i64 = 1005;
/// send() to a connection whose queued output is at `socket_buffer_size`.
pub const ERR_OUTPUT_BUFFER_OVERFLOW: i64 = 1009;
/// send() whose write failed: the session is closed.
pub const ERR_SESSION_CLOSED: i64 = 1004;
/// What taskwait()'s timeout leaves, as Swoole ("Socket poll timeout").
pub const ERR_TIMEOUT: i64 = 6002;

thread_local! {
    static LAST_ERROR: Cell<i64> = const { Cell::new(0) };
}

pub fn set_last_error(code: i64) {
    LAST_ERROR.with(|e| e.set(code));
}

pub fn last_error() -> i64 {
    LAST_ERROR.with(Cell::get)
}
