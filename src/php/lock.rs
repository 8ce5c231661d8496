//! `Swoole\Lock`: arguments converted, the lock itself is `shared::lock` (robust: a holder
//! that dies does not freeze the others). Created before start(), it is shared by every
//! process of the server.

use ext_php_rs::exception::PhpResult;
use ext_php_rs::prelude::*;

use crate::php::errors::warning;
use crate::php::server::swoole_exception;
use crate::shared::lock::{Acquired, SharedLock, Wait};

const RWLOCK: i64 = 1;
const MUTEX: i64 = 3;
const SPINLOCK: i64 = 5;
/// flock()'s constants, as Swoole's `lock($operation)` takes them.
const LOCK_SH: i64 = 1;
const LOCK_NB: i64 = 4;

#[php_class]
#[php(name = "Swoole\\Lock")]
pub struct Lock {
    inner: SharedLock,
    /// The errno of the last call: 0 after a success (Swoole leaves a stale one).
    #[php(prop, name = "errCode")]
    err_code: i64,
}

impl Lock {
    fn finish(&mut self, (got, took_over): (Acquired, Option<u32>)) -> bool {
        if let Some(tid) = took_over {
            warning(&format!("process {tid} died holding this lock; the lock was taken over (what it protected may be half-written)"));
        }
        self.err_code = i64::from(got.errno());
        got.ok()
    }
}

#[php_impl]
impl Lock {
    pub const MUTEX: i64 = MUTEX;
    pub const RWLOCK: i64 = RWLOCK;
    pub const SPINLOCK: i64 = SPINLOCK;

    #[php(defaults(r#type = 3))]
    pub fn __construct(r#type: i64) -> PhpResult<Self> {
        let rw = match r#type {
            RWLOCK => true,
            // A spinlock is the mutex: it spins before it sleeps anyway.
            MUTEX | SPINLOCK => false,
            t => return Err(swoole_exception(format!("lock type[{t}] is not supported"), 0)),
        };
        let inner = SharedLock::new(rw).map_err(|e| swoole_exception(format!("global memory allocation failure: {e}"), 1))?;
        Ok(Lock { inner, err_code: 0 })
    }

    /// `LOCK_EX` or `LOCK_SH` (a read lock of an RWLOCK), `| LOCK_NB` not to wait; a timeout
    /// in seconds (0 or less: no limit).
    #[php(defaults(operation = 2, timeout = -1.0))]
    pub fn lock(&mut self, operation: i64, timeout: f64) -> bool {
        let wait = if operation & LOCK_NB != 0 { Wait::No } else { Wait::seconds(timeout) };
        let got = self.inner.lock(operation & 3 == LOCK_SH, wait);
        self.finish(got)
    }

    pub fn unlock(&mut self) -> bool {
        let ok = self.inner.unlock();
        self.err_code = if ok { 0 } else { i64::from(libc::EPERM) };
        ok
    }

    /// Swoole 4's names, still called by older scripts.
    pub fn trylock(&mut self) -> bool {
        let got = self.inner.lock(false, Wait::No);
        self.finish(got)
    }

    #[php(name = "lock_read")]
    pub fn lock_read(&mut self) -> bool {
        let got = self.inner.lock(true, Wait::Forever);
        self.finish(got)
    }

    #[php(name = "trylock_read")]
    pub fn trylock_read(&mut self) -> bool {
        let got = self.inner.lock(true, Wait::No);
        self.finish(got)
    }

    #[php(defaults(timeout = 1.0))]
    pub fn lockwait(&mut self, timeout: f64) -> bool {
        // lockwait() always has a limit: a timeout of 0 or less tries once.
        let wait = if timeout > 0.0 { Wait::seconds(timeout) } else { Wait::No };
        let got = self.inner.lock(false, wait);
        self.finish(got)
    }
}
