//! The PHP-facing layer: converts Zvals and calls into the core. Nothing below `php/` decides
//! how the server works; it only translates.
pub mod atomic;
pub mod callbacks;
pub mod codec;
pub mod convert;
pub mod errors;
pub mod lock;
pub mod module;
pub mod port;
pub mod process;
pub mod runtime;
pub mod server;
pub mod table;
pub mod timer;
