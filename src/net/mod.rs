//! TCP: the listening socket made by the constructor, one connection, and the table of them
//! that a loop serves.
pub mod connection;
pub mod datagram;
pub mod listener;
pub mod sendfile;
pub mod sessions;
pub mod stream;
pub mod framing;
pub mod table;
