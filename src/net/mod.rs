//! TCP: the listening socket made by the constructor and the connections event workers own.
pub mod connection;
pub mod listener;
