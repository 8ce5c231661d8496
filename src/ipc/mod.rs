//! Inter-process messaging: the frame format and the channels that carry it.
pub mod channel;
pub mod frame;
pub mod msgqueue;
pub mod payload;
