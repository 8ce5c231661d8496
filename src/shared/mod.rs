//! State shared by every process of a server: created before start() (before any fork), so
//! each worker, task worker and the manager see the same memory.
pub mod atomic;
pub mod lock;
pub mod region;
pub mod table;
