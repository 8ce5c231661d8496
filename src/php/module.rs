//! Module entry: classes, constants, the legacy class name, and `php --ri rswoole`.

use std::ffi::CString;

use ext_php_rs::builders::ClassBuilder;
use ext_php_rs::class::RegisteredClass;
use ext_php_rs::ffi::zend_class_entry;
use ext_php_rs::prelude::*;
use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

use crate::php::server::{Server, SwooleException};

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

extern "C" {
    fn zend_register_class_alias_ex(name: *const libc::c_char, len: usize, ce: *mut zend_class_entry, persistent: bool) -> i32;
}

/// Registers `swoole_server` as another name of `Swoole\Server`. Runs as the class-builder hook
/// of `Swoole\Exception`, which is registered after `Swoole\Server`, so that class exists.
pub fn register_aliases(builder: ClassBuilder) -> ClassBuilder {
    let ce = Server::get_metadata().ce() as *const zend_class_entry as *mut zend_class_entry;
    for alias in ["swoole_server"] {
        if let Ok(name) = CString::new(alias) {
            // SAFETY: called during module startup with a registered, persistent class entry;
            // the name is copied by the engine.
            unsafe { zend_register_class_alias_ex(name.as_ptr(), alias.len(), ce, true) };
        }
    }
    builder
}

/// `Swoole\Exception` is a plain `Exception` subclass, as in Swoole: `new Swoole\Exception($m,
/// $code)` and user subclasses with constructors of their own work. ext-php-rs gives every class
/// it registers a constructor that refuses PHP callers and an object factory that ignores the
/// class it is asked for (so `new MySubclass` made a `Swoole\Exception`); the class takes
/// `Exception`'s own instead. Runs at the first request, when every class is registered and no
/// user class has inherited from it yet. The method table keeps ext-php-rs's `__construct`
/// entry (replacing it would make two tables free one function at shutdown); `new` never
/// calls it.
pub extern "C" fn request_startup(_ty: i32, _module: i32) -> i32 {
    static DONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if DONE.swap(true, std::sync::atomic::Ordering::Relaxed) {
        return 0;
    }
    let ce = SwooleException::get_metadata().ce() as *const zend_class_entry as *mut zend_class_entry;
    // SAFETY: both class entries are registered and persistent, and this request has not run
    // any PHP code yet; the class holds no Rust state, so nothing reads its objects as
    // ext-php-rs objects.
    unsafe {
        let parent = ext_php_rs::ffi::zend_ce_exception;
        if !parent.is_null() {
            (*ce).constructor = (*parent).constructor;
            (*ce).__bindgen_anon_2.create_object = (*parent).__bindgen_anon_2.create_object;
        }
    }
    0
}

/// The error code of the last failed call in this process (Swoole's numbering).
#[php_function]
pub fn swoole_last_error() -> i64 {
    crate::php::errors::last_error()
}

pub extern "C" fn module_info(_module: *mut ModuleEntry) {
    info_table_start!();
    info_table_row!("rswoole support", "enabled");
    info_table_row!("Version", VERSION);
    info_table_row!("Git revision", env!("RSWOOLE_GIT_REV"));
    info_table_row!("Server modes", "SWOOLE_BASE (SWOOLE_PROCESS runs as BASE)");
    info_table_end!();
}

pub fn build(module: ModuleBuilder) -> ModuleBuilder {
    let ints: &[(&str, i64)] = &[
        ("SWOOLE_BASE", 1),
        ("SWOOLE_PROCESS", 2),
        ("SWOOLE_SOCK_TCP", 1),
        ("SWOOLE_SOCK_UDP", 2),
        ("SWOOLE_SOCK_TCP6", 3),
        ("SWOOLE_SOCK_UDP6", 4),
        ("SWOOLE_SOCK_UNIX_STREAM", 5),
        ("SWOOLE_SOCK_UNIX_DGRAM", 6),
        ("SWOOLE_IPC_UNSOCK", 1),
        ("SWOOLE_IPC_MSGQUEUE", 2),
        ("SWOOLE_IPC_PREEMPTIVE", 3),
        ("SWOOLE_TASK_TMPFILE", 1),
        ("SWOOLE_TASK_SERIALIZE", 2),
        ("SWOOLE_TASK_NONBLOCK", 4),
        ("SWOOLE_TASK_CALLBACK", 8),
        ("SWOOLE_TASK_WAITALL", 16),
        ("SWOOLE_TASK_COROUTINE", 32),
        ("SWOOLE_TASK_PEEK", 64),
        ("SWOOLE_TASK_NOREPLY", 128),
        ("SWOOLE_WORKER_BUSY", 1),
        ("SWOOLE_WORKER_IDLE", 2),
        ("SWOOLE_WORKER_EXIT", 3),
        ("SWOOLE_LOG_DEBUG", 0),
        ("SWOOLE_LOG_TRACE", 1),
        ("SWOOLE_LOG_INFO", 2),
        ("SWOOLE_LOG_NOTICE", 3),
        ("SWOOLE_LOG_WARNING", 4),
        ("SWOOLE_LOG_ERROR", 5),
        ("SWOOLE_LOG_NONE", 6),
        ("SWOOLE_ERROR_SESSION_CLOSED", 1004),
        ("SWOOLE_ERROR_SESSION_NOT_EXIST", 1005),
        ("SWOOLE_ERROR_OUTPUT_BUFFER_OVERFLOW", 1009),
        ("SWOOLE_ERROR_PACKAGE_LENGTH_TOO_LARGE", 1201),
        ("SWOOLE_ERROR_TASK_PACKAGE_TOO_BIG", 2001),
        ("SWOOLE_ERROR_TASK_DISPATCH_FAIL", 2002),
        ("SWOOLE_ERROR_TASK_TIMEOUT", 2003),
        ("SWOOLE_DISPATCH_ROUND", 1),
        ("SWOOLE_DISPATCH_FDMOD", 2),
        ("SWOOLE_DISPATCH_IDLE_WORKER", 3),
        ("SWOOLE_DISPATCH_IPMOD", 4),
        ("SWOOLE_DISPATCH_UIDMOD", 5),
        ("SWOOLE_DISPATCH_STREAM", 7),
        ("SWOOLE_DISPATCH_CO_CONN_LB", 8),
        ("SWOOLE_DISPATCH_CO_REQ_LB", 9),
        ("SWOOLE_DISPATCH_CONCURRENT_LB", 10),
        ("SWOOLE_MUTEX", 3),
        ("SWOOLE_RWLOCK", 1),
        ("SWOOLE_SPINLOCK", 5),
    ];
    let mut m = module
        .info_function(module_info)
        .request_startup_function(request_startup)
        .class::<Server>()
        .class::<crate::php::atomic::Atomic>()
        .class::<crate::php::atomic::AtomicLong>()
        .class::<crate::php::lock::Lock>()
        .class::<crate::php::table::Table>()
        .class::<crate::php::timer::Timer>()
        .class::<crate::php::process::Process>()
        .class::<crate::php::port::Port>()
        .class::<SwooleException>()
        .function(wrap_function!(swoole_last_error));
    m = crate::php::timer::register_functions(m);
    for &(name, value) in ints {
        m = m.constant((name, value, &[]));
    }
    m.constant(("SWOOLE_VERSION", VERSION, &[]))
}

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    build(module)
}
