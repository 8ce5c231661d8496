//! PHP's own scalar conversions, for methods that take loosely typed values as Swoole does
//! (`zval_get_long()` and friends), and a string argument that also takes ints: table keys
//! are often connection ids.

use std::borrow::Cow;

use ext_php_rs::convert::FromZval;
use ext_php_rs::ffi::zval;
use ext_php_rs::flags::DataType;
use ext_php_rs::types::{ZendStr, Zval};

extern "C" {
    fn zval_get_long_func(op: *mut zval, is_strict: bool) -> i64;
    fn zval_get_double_func(op: *mut zval) -> f64;
    fn zval_try_get_string_func(op: *mut zval) -> *mut ext_php_rs::ffi::zend_string;
}

/// `(int) $v`, without warnings for numeric-leading strings ('12abc' is 12).
pub fn long(v: &Zval) -> i64 {
    if let Some(l) = v.long() {
        return l;
    }
    // SAFETY: the engine only reads the zval (the pointer is cast from a shared reference
    // because the C signature is not const-correct).
    unsafe { zval_get_long_func(v as *const Zval as *mut zval, false) }
}

/// `(float) $v`.
pub fn double(v: &Zval) -> f64 {
    if let Some(d) = v.double() {
        return d;
    }
    // SAFETY: as in long().
    unsafe { zval_get_double_func(v as *const Zval as *mut zval) }
}

/// `(string) $v`; None when the conversion threw (the exception is pending).
pub fn string(v: &Zval) -> Option<Cow<'_, [u8]>> {
    if let Some(s) = v.zend_str() {
        return Some(Cow::Borrowed(s.as_bytes()));
    }
    // SAFETY: as in long(); the result is a new reference we own and release below.
    let p = unsafe { zval_try_get_string_func(v as *const Zval as *mut zval) };
    if p.is_null() {
        return None;
    }
    // SAFETY: a live zend_string whose one reference we hold; ZBox releases it.
    let owned = unsafe { ext_php_rs::boxed::ZBox::from_raw(p as *mut ZendStr) };
    Some(Cow::Owned(owned.as_bytes().to_vec()))
}

/// A `string` parameter that takes any bytes (not only UTF-8) and coerces ints, floats and
/// bools as PHP's non-strict mode does; arrays, objects and null are a TypeError.
pub struct Bytes<'a>(pub Cow<'a, [u8]>);

impl<'a> FromZval<'a> for Bytes<'a> {
    const TYPE: DataType = DataType::String;

    fn from_zval(z: &'a Zval) -> Option<Self> {
        if let Some(s) = z.zend_str() {
            return Some(Bytes(Cow::Borrowed(s.as_bytes())));
        }
        if z.is_long() || z.is_double() || z.is_bool() {
            return string(z).map(|s| Bytes(Cow::Owned(s.into_owned())));
        }
        None
    }
}
