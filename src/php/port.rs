//! `Swoole\Server\Port`: one listening port of a server (`$serv->ports[0]` is the server's
//! own, `addListener()` adds more), with its own `set()` (protocol and limits) and `on()`
//! (callbacks that fall back to the server's, event by event).

use std::cell::{Cell, RefCell};

use ext_php_rs::convert::IntoZval;
use ext_php_rs::prelude::*;
use ext_php_rs::types::{ZendClassObject, ZendHashTable, Zval};

use crate::config::{PortOptions, Settings};
use crate::php::callbacks::{self, Callbacks};
use crate::php::errors::warning;
use crate::php::server::{apply_setting, describe_callable};

#[php_class]
#[php(name = "Swoole\\Server\\Port")]
pub struct Port {
    host: String,
    port: i64,
    sock_type: i64,
    sock: i64,
    /// What set() was given (null until then: the server's settings apply at start).
    setting: RefCell<Option<Zval>>,
    options: RefCell<Option<PortOptions>>,
    callbacks: RefCell<Callbacks>,
    /// The server started: set() and on() are refused from now on.
    started: Cell<bool>,
}

impl Port {
    pub fn new_zval(host: &str, port: i64, sock_type: i64, sock: i64) -> Zval {
        let p = Port {
            host: host.to_string(),
            port,
            sock_type,
            sock,
            setting: RefCell::new(None),
            options: RefCell::new(None),
            callbacks: RefCell::new(Callbacks::default()),
            started: Cell::new(false),
        };
        ZendClassObject::new(p).into_zval(false).unwrap_or_default()
    }

    /// A UDP or unix datagram port (Packet events, not connections).
    pub fn is_dgram(&self) -> bool {
        matches!(self.sock_type, 2 | 4 | 6)
    }

    /// The port's own options (None: it takes the server's).
    pub fn options(&self) -> Option<PortOptions> {
        self.options.borrow().clone()
    }

    /// A copy of its callbacks, for a running server; and from now on it is frozen.
    pub fn start(&self) -> Callbacks {
        self.started.set(true);
        self.callbacks.borrow().snapshot()
    }
}

#[php_impl]
impl Port {
    /// The port's protocol and limits; they replace the server's for this port (`set([])`
    /// leaves it with none, as Swoole).
    pub fn set(&self, settings: &ZendHashTable) {
        if self.started.get() {
            warning("server is running, unable to execute Swoole\\Server\\Port->set");
            return;
        }
        let mut parsed = Settings::default();
        if let Some(old) = self.options.borrow().clone() {
            parsed.port = old;
        }
        let mut merged = self.setting.borrow().as_ref().and_then(|z| z.array().map(|a| a.to_owned())).unwrap_or_else(ZendHashTable::new);
        for (key, value) in settings.iter() {
            let name = key.to_string();
            apply_setting(&mut parsed, &mut self.callbacks.borrow_mut(), &name, value);
            let _ = merged.insert(name.as_str(), value.shallow_clone());
        }
        *self.options.borrow_mut() = Some(parsed.port);
        let mut z = Zval::new();
        z.set_hashtable(merged);
        *self.setting.borrow_mut() = Some(z);
    }

    pub fn on(&self, event_name: String, callback: &Zval) -> bool {
        if self.started.get() {
            warning("server is running, unable to register event callback function");
            return false;
        }
        if !callback.is_callable() {
            warning(&format!("function '{}' is not callable", describe_callable(callback)));
            return false;
        }
        let Some(name) = callbacks::canonical(&event_name) else {
            warning(&format!("unknown event types[{event_name}]"));
            return false;
        };
        self.callbacks.borrow_mut().set(name, callback.shallow_clone());
        true
    }

    /// The callback this port has for `$event_name` (its own, not the server's), or null.
    #[php(name = "getCallback")]
    pub fn get_callback(&self, event_name: String) -> Zval {
        callbacks::canonical(&event_name).and_then(|n| self.callbacks.borrow().get(n).map(Zval::shallow_clone)).unwrap_or_default()
    }

    #[php(getter, name = "host")]
    pub fn host_prop(&self) -> String {
        self.host.clone()
    }

    #[php(getter, name = "port")]
    pub fn port_prop(&self) -> i64 {
        self.port
    }

    #[php(getter, name = "type")]
    pub fn type_prop(&self) -> i64 {
        self.sock_type
    }

    #[php(getter, name = "sock")]
    pub fn sock_prop(&self) -> i64 {
        self.sock
    }

    #[php(getter, name = "setting")]
    pub fn setting_prop(&self) -> Zval {
        self.setting.borrow().as_ref().map(Zval::shallow_clone).unwrap_or_default()
    }
}
