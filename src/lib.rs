//! rswoole: Swoole's multi-process TCP server and task workers for PHP.
//!
//! The process model is the file tree: `pool` (the manager), `worker` (event workers),
//! `task_worker`, `dispatch`, `ipc`, `shm`, `net`. None of it knows PHP; `php/` is the thin
//! layer that turns Zvals into calls on that core.

pub mod broker;
pub mod clock;
pub mod config;
pub mod control;
pub mod dispatch;
pub mod fault;
pub mod handler;
pub mod ipc;
pub mod log;
pub mod messages;
pub mod net;
#[cfg(feature = "php")]
pub mod php;
pub mod pool;
pub mod reactor;
pub mod shared;
pub mod shm;
pub mod signals;
pub mod stats;
pub mod task_client;
pub mod task_worker;
pub mod timer;
pub mod transport;
pub mod types;
pub mod user_process;
pub mod worker;
