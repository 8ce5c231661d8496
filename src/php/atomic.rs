//! `Swoole\Atomic` and `Swoole\Atomic\Long`: values converted, the counters live in the core
//! (`shared::atomic`). Created before start(), they are shared by every process of the server.

use ext_php_rs::exception::{PhpException, PhpResult};
use ext_php_rs::prelude::*;

use crate::shared::atomic::{Atomic32, Atomic64};

fn no_memory(e: std::io::Error) -> PhpException {
    PhpException::from(format!("cannot create a shared counter: {e}"))
}

#[php_class]
#[php(name = "Swoole\\Atomic")]
pub struct Atomic {
    inner: Atomic32,
}

#[php_impl]
impl Atomic {
    #[php(defaults(value = 0))]
    pub fn __construct(value: i64) -> PhpResult<Self> {
        // As Swoole: the value is an unsigned 32-bit integer (PHP ints wrap into it).
        Ok(Atomic { inner: Atomic32::new(value as u32).map_err(no_memory)? })
    }

    #[php(defaults(add_value = 1))]
    pub fn add(&self, add_value: i64) -> i64 {
        i64::from(self.inner.add(add_value as u32))
    }

    #[php(defaults(sub_value = 1))]
    pub fn sub(&self, sub_value: i64) -> i64 {
        i64::from(self.inner.sub(sub_value as u32))
    }

    pub fn get(&self) -> i64 {
        i64::from(self.inner.get())
    }

    pub fn set(&self, value: i64) {
        self.inner.set(value as u32)
    }

    pub fn cmpset(&self, cmp_value: i64, new_value: i64) -> bool {
        self.inner.cmpset(cmp_value as u32, new_value as u32)
    }

    /// Sleeps until wakeup() (true) or `$timeout` seconds (false; a timeout of 0 or less
    /// waits without limit).
    #[php(defaults(timeout = 1.0))]
    pub fn wait(&self, timeout: f64) -> bool {
        let limit = (timeout > 0.0 && !timeout.is_nan()).then(|| crate::clock::seconds(timeout.min(f64::MAX)));
        self.inner.wait(limit)
    }

    #[php(defaults(count = 1))]
    pub fn wakeup(&self, count: i64) -> bool {
        self.inner.wakeup(count.clamp(1, i64::from(i32::MAX)) as i32)
    }
}

#[php_class]
#[php(name = "Swoole\\Atomic\\Long")]
pub struct AtomicLong {
    inner: Atomic64,
}

#[php_impl]
impl AtomicLong {
    #[php(defaults(value = 0))]
    pub fn __construct(value: i64) -> PhpResult<Self> {
        Ok(AtomicLong { inner: Atomic64::new(value).map_err(no_memory)? })
    }

    #[php(defaults(add_value = 1))]
    pub fn add(&self, add_value: i64) -> i64 {
        self.inner.add(add_value)
    }

    #[php(defaults(sub_value = 1))]
    pub fn sub(&self, sub_value: i64) -> i64 {
        self.inner.sub(sub_value)
    }

    pub fn get(&self) -> i64 {
        self.inner.get()
    }

    pub fn set(&self, value: i64) {
        self.inner.set(value)
    }

    pub fn cmpset(&self, cmp_value: i64, new_value: i64) -> bool {
        self.inner.cmpset(cmp_value, new_value)
    }
}
