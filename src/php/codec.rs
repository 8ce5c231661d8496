//! PHP value <-> task payload: strings travel raw, anything else through PHP's own
//! `serialize()`, so every value (objects, enums, references) arrives exactly as PHP would
//! restore it.

use std::cell::RefCell;

use ext_php_rs::types::{ZendStr, Zval};
use ext_php_rs::zend::Function;

use std::rc::Rc;

use crate::types::{Body, Bytes, Payload};

thread_local! {
    static SERIALIZE: RefCell<Option<Function>> = const { RefCell::new(None) };
    static UNSERIALIZE: RefCell<Option<Function>> = const { RefCell::new(None) };
}

/// The serialization failed and its exception is pending: return to PHP so it is thrown.
#[derive(Debug)]
pub struct Pending;

fn call(cache: &'static std::thread::LocalKey<RefCell<Option<Function>>>, name: &str, arg: &Zval) -> Result<Zval, Pending> {
    // Taken out of the cache for the call: a __serialize() that calls task() re-enters here.
    let f = cache.with(|c| c.borrow_mut().take()).or_else(|| Function::try_from_function(name)).ok_or(Pending)?;
    let r = f.try_call(vec![arg]).map_err(|_| Pending);
    cache.with(|c| *c.borrow_mut() = Some(f));
    r
}

/// A PHP string lent to the core without copying: the payload keeps a reference to it.
struct PhpString(Zval);

impl AsRef<[u8]> for PhpString {
    fn as_ref(&self) -> &[u8] {
        self.0.zend_str().map(|s| s.as_bytes()).unwrap_or_default()
    }
}

pub fn pack(value: &Zval) -> Result<Payload, Pending> {
    let (serialized, s) = if value.zend_str().is_some() {
        (false, value.shallow_clone())
    } else {
        let out = call(&SERIALIZE, "serialize", value)?;
        if out.zend_str().is_none() {
            return Err(Pending);
        }
        (true, out)
    };
    Ok(Payload { serialized, bytes: Bytes::Shared(Rc::new(PhpString(s))) })
}

pub fn string(bytes: &[u8]) -> Zval {
    let mut z = Zval::new();
    z.set_zend_string(ZendStr::new(bytes, false));
    z
}

pub fn unpack(p: &Payload) -> Result<Zval, Pending> {
    unpack_body(Body { serialized: p.serialized, bytes: &p.bytes })
}

/// The PHP value of a received body: its bytes are copied once, into the PHP string.
pub fn unpack_body(b: Body<'_>) -> Result<Zval, Pending> {
    let s = string(b.bytes);
    if !b.serialized {
        return Ok(s);
    }
    call(&UNSERIALIZE, "unserialize", &s)
}
