//! `Swoole\Timer` and the legacy `swoole_timer_*` functions: argument checks and Swoole's
//! wording here; the timers themselves are the running process's (`crate::timer`), fired by
//! its loop, and their callbacks are kept by the runtime.

use std::time::Duration;

use ext_php_rs::exception::{PhpException, PhpResult};
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendHashTable, Zval};
use ext_php_rs::zend::ce;

use crate::php::errors::warning;
use crate::php::runtime;
use crate::timer::TimerId;

fn false_zval() -> Zval {
    let mut z = Zval::new();
    z.set_bool(false);
    z
}

fn long_zval(v: i64) -> Zval {
    let mut z = Zval::new();
    z.set_long(v);
    z
}

fn array_zval(a: ext_php_rs::boxed::ZBox<ZendHashTable>) -> Zval {
    let mut z = Zval::new();
    z.set_hashtable(a);
    z
}

fn add(ms: i64, callback: &Zval, params: &[&Zval], persistent: bool) -> PhpResult<Zval> {
    if !callback.is_callable() {
        return Err(PhpException::new("Argument #2 ($callback) must be a valid callback".into(), 0, ce::type_error()));
    }
    if ms < 1 {
        warning("Timer must be greater than or equal to 1");
        return Ok(false_zval());
    }
    let Some(process) = runtime::process() else {
        warning("timers run in the server's event workers and task workers (from onWorkerStart on)");
        return Ok(false_zval());
    };
    let after = Duration::from_millis(ms.unsigned_abs());
    let Some(id) = process.with_timers(|t| t.add(after, persistent)) else {
        warning("timers run in the server's event workers and task workers, not in the manager");
        return Ok(false_zval());
    };
    runtime::add_timer_callback(id, callback.shallow_clone(), params.iter().map(|p| p.shallow_clone()).collect(), persistent);
    Ok(long_zval(id))
}

/// Runs `f` on this process's timers; None when it has none (Swoole: "timer not available").
fn with<R>(f: impl FnOnce(&mut crate::timer::Timers) -> R) -> Option<R> {
    runtime::process()?.with_timers(|t| t.used().then(|| f(t)))?
}

fn clear(id: TimerId) -> bool {
    let found = with(|t| t.clear(id)).unwrap_or(false);
    if found {
        runtime::drop_timer_callback(id);
    }
    found
}

fn clear_all() -> bool {
    match with(|t| t.clear_all()) {
        Some(_) => {
            runtime::drop_timer_callbacks();
            true
        }
        None => false,
    }
}

fn exists(id: TimerId) -> bool {
    with(|t| t.exists(id)).unwrap_or(false)
}

fn info(id: TimerId) -> Zval {
    let Some(found) = with(|t| t.info(id)) else { return false_zval() };
    let Some(i) = found else { return Zval::new() };
    let mut a = ZendHashTable::new();
    for (k, v) in [("exec_msec", i.exec_msec), ("exec_count", i.exec_count), ("interval", i.interval), ("round", i.round)] {
        let _ = a.insert(k, i64::try_from(v).unwrap_or(i64::MAX));
    }
    let _ = a.insert("removed", false);
    array_zval(a)
}

fn list() -> Zval {
    let ids = with(|t| t.list()).unwrap_or_default();
    let mut a = ZendHashTable::new();
    for id in ids {
        let _ = a.push(id);
    }
    array_zval(a)
}

fn stats() -> Zval {
    let (used, num, round) = with(|t| (true, t.len(), t.round())).unwrap_or((false, 0, 0));
    let mut a = ZendHashTable::new();
    let _ = a.insert("initialized", used);
    let _ = a.insert("num", num as i64);
    let _ = a.insert("round", i64::try_from(round).unwrap_or(i64::MAX));
    array_zval(a)
}

#[php_class]
#[php(name = "Swoole\\Timer")]
pub struct Timer;

#[php_impl]
impl Timer {
    pub fn __construct() -> PhpResult<Self> {
        Err(PhpException::new("The object of Swoole\\Timer can not be created for security reasons".into(), 0, ce::error()))
    }

    /// Calls `$callback($timer_id, ...$params)` every `$ms` milliseconds.
    pub fn tick(ms: i64, callback: &Zval, params: &[&Zval]) -> PhpResult<Zval> {
        add(ms, callback, params, true)
    }

    /// Calls `$callback(...$params)` once, in `$ms` milliseconds.
    pub fn after(ms: i64, callback: &Zval, params: &[&Zval]) -> PhpResult<Zval> {
        add(ms, callback, params, false)
    }

    pub fn clear(timer_id: i64) -> bool {
        clear(timer_id)
    }

    #[php(name = "clearAll")]
    pub fn clear_all() -> bool {
        clear_all()
    }

    pub fn exists(timer_id: i64) -> bool {
        exists(timer_id)
    }

    pub fn info(timer_id: i64) -> Zval {
        info(timer_id)
    }

    pub fn list() -> Zval {
        list()
    }

    pub fn stats() -> Zval {
        stats()
    }
}

#[php_function]
pub fn swoole_timer_tick(ms: i64, callback: &Zval, params: &[&Zval]) -> PhpResult<Zval> {
    add(ms, callback, params, true)
}

#[php_function]
pub fn swoole_timer_after(ms: i64, callback: &Zval, params: &[&Zval]) -> PhpResult<Zval> {
    add(ms, callback, params, false)
}

#[php_function]
pub fn swoole_timer_clear(timer_id: i64) -> bool {
    clear(timer_id)
}

#[php_function]
pub fn swoole_timer_clear_all() -> bool {
    clear_all()
}

#[php_function]
pub fn swoole_timer_exists(timer_id: i64) -> bool {
    exists(timer_id)
}

#[php_function]
pub fn swoole_timer_info(timer_id: i64) -> Zval {
    info(timer_id)
}

#[php_function]
pub fn swoole_timer_list() -> Zval {
    list()
}

#[php_function]
pub fn swoole_timer_stats() -> Zval {
    stats()
}

/// The legacy functions, registered by the module.
pub fn register_functions(m: ext_php_rs::builders::ModuleBuilder<'_>) -> ext_php_rs::builders::ModuleBuilder<'_> {
    m.function(wrap_function!(swoole_timer_tick))
        .function(wrap_function!(swoole_timer_after))
        .function(wrap_function!(swoole_timer_clear))
        .function(wrap_function!(swoole_timer_clear_all))
        .function(wrap_function!(swoole_timer_exists))
        .function(wrap_function!(swoole_timer_info))
        .function(wrap_function!(swoole_timer_list))
        .function(wrap_function!(swoole_timer_stats))
}
