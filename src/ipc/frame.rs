//! The one message format between processes: a fixed 24-byte header and a body.
//!
//! Layout: kind (1), flags (1), 2 zero bytes, source worker (u32), generation (u32),
//! task id (i64), body length (u32).
//!
//! Several frames may share one datagram (a flush coalesces queued frames), so a reader walks a
//! datagram with [`Frames`]. Every field is little endian.

use thiserror::Error;

use crate::types::{TaskId, WorkerId};

pub const HEADER_LEN: usize = 24;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// Event worker -> task worker: run this.
    Task = 1,
    /// Task worker -> event worker: one `finish()` or return value of a task.
    Result = 2,
    /// Task worker -> event worker: the task is over; no more results will come.
    Done = 3,
    /// Manager -> event worker: the task will never finish; the body says why.
    Lost = 4,
    /// Event worker -> event worker: send the body to (or, with FLAG_CLOSE, close) a
    /// connection the receiver owns; the task id field holds the session id.
    Forward = 5,
    /// A stopping event worker -> its successor: adopt this connection (its socket rides on
    /// the datagram, FLAG_SOCKET; the body holds its unsent output and unframed input).
    Adopt = 6,
    /// Any worker -> any worker: `sendMessage()`; the body is the message (PipeMessage).
    Message = 7,
    /// PROCESS mode, reactor -> event worker: a connection event (see `reactor::protocol`);
    /// the task id field holds the session id, the generation field the port.
    Connect = 8,
    Data = 9,
    Closed = 10,
    BufferFull = 11,
    BufferEmpty = 12,
    /// PROCESS mode, worker -> reactor: close, pause, resume or protect a connection.
    Control = 13,
    /// PROCESS mode, reactor -> event worker: the connection broke its port's protocol (the
    /// body says how); its Close follows.
    ProtocolError = 14,
    /// Task broker, between a task worker and its bridge thread: the next frame belongs to
    /// the broker entry the body names (see `broker::route`).
    Route = 15,
}

impl Kind {
    fn from_u8(v: u8) -> Option<Kind> {
        Some(match v {
            1 => Kind::Task,
            2 => Kind::Result,
            3 => Kind::Done,
            4 => Kind::Lost,
            5 => Kind::Forward,
            6 => Kind::Adopt,
            7 => Kind::Message,
            8 => Kind::Connect,
            9 => Kind::Data,
            10 => Kind::Closed,
            11 => Kind::BufferFull,
            12 => Kind::BufferEmpty,
            13 => Kind::Control,
            14 => Kind::ProtocolError,
            15 => Kind::Route,
            _ => return None,
        })
    }
}

/// Header flag: the body is PHP `serialize()` output rather than a raw string.
pub const FLAG_SERIALIZED: u8 = 1;
/// Result-frame flag: this result is also the end of its task.
pub const FLAG_LAST: u8 = 2;
/// The body is the length of a payload held in a memfd sent with the datagram.
pub const FLAG_MEMFD: u8 = 4;
/// Task frames: it came through the task broker; its results go back through it.
pub const FLAG_BROKER: u8 = 128;
/// Forward frames: close the connection (the body is empty).
pub const FLAG_CLOSE: u8 = 16;
/// Forward frames: close it with a reset.
pub const FLAG_RESET: u8 = 32;
/// Adopt frames: the first descriptor of the frame is the connection's socket.
pub const FLAG_SOCKET: u8 = 64;
/// The body is the length, pid and descriptor number of a memfd its sender keeps open until
/// the task is over (channels that cannot carry descriptors: System V queues).
pub const FLAG_LENT: u8 = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
    pub kind: Kind,
    pub flags: u8,
    /// Task frames: the sending event worker. Results: the task worker that ran the task.
    pub src: WorkerId,
    /// Incarnation of the event worker that sent the task; results for another incarnation
    /// are not delivered to its successor.
    pub generation: u32,
    pub task_id: TaskId,
    pub len: u32,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum FrameError {
    #[error("truncated frame: {have} bytes, header says {need}")]
    Truncated { have: usize, need: usize },
    #[error("unknown frame kind {0}")]
    UnknownKind(u8),
    #[error("frame body of {0} bytes does not fit a frame")]
    TooLong(usize),
}

impl From<FrameError> for std::io::Error {
    fn from(e: FrameError) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidData, e)
    }
}

impl Header {
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        out.push(self.kind as u8);
        out.push(self.flags);
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&self.src.to_le_bytes());
        out.extend_from_slice(&self.generation.to_le_bytes());
        out.extend_from_slice(&self.task_id.to_le_bytes());
        out.extend_from_slice(&self.len.to_le_bytes());
    }

    pub fn decode(b: &[u8]) -> Result<Header, FrameError> {
        if b.len() < HEADER_LEN {
            return Err(FrameError::Truncated { have: b.len(), need: HEADER_LEN });
        }
        let kind = Kind::from_u8(b[0]).ok_or(FrameError::UnknownKind(b[0]))?;
        let u32_at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let mut id = [0u8; 8];
        id.copy_from_slice(&b[12..20]);
        Ok(Header { kind, flags: b[1], src: u32_at(4), generation: u32_at(8), task_id: i64::from_le_bytes(id), len: u32_at(20) })
    }
}

/// Builds one frame (header and body) in a fresh buffer.
pub fn encode(kind: Kind, flags: u8, src: WorkerId, generation: u32, task_id: TaskId, body: &[u8]) -> Result<Vec<u8>, FrameError> {
    let len = u32::try_from(body.len()).map_err(|_| FrameError::TooLong(body.len()))?;
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    Header { kind, flags, src, generation, task_id, len }.encode_into(&mut out);
    out.extend_from_slice(body);
    Ok(out)
}

/// Walks the frames of one datagram.
pub struct Frames<'a> {
    rest: &'a [u8],
}

impl<'a> Frames<'a> {
    pub fn new(datagram: &'a [u8]) -> Self {
        Frames { rest: datagram }
    }
}

impl<'a> Iterator for Frames<'a> {
    type Item = Result<(Header, &'a [u8]), FrameError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let header = match Header::decode(self.rest) {
            Ok(h) => h,
            Err(e) => {
                self.rest = &[];
                return Some(Err(e));
            }
        };
        let end = HEADER_LEN + header.len as usize;
        if self.rest.len() < end {
            let have = self.rest.len();
            self.rest = &[];
            return Some(Err(FrameError::Truncated { have, need: end }));
        }
        let body = &self.rest[HEADER_LEN..end];
        self.rest = &self.rest[end..];
        Some(Ok((header, body)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_of_one_frame_keeps_every_field() {
        let f = encode(Kind::Result, FLAG_SERIALIZED, 5, 7, -3, b"a\0b").unwrap();
        assert_eq!(f.len(), HEADER_LEN + 3);
        let mut it = Frames::new(&f);
        let (h, body) = it.next().unwrap().unwrap();
        assert_eq!(h, Header { kind: Kind::Result, flags: FLAG_SERIALIZED, src: 5, generation: 7, task_id: -3, len: 3 });
        assert_eq!(body, b"a\0b");
        assert!(it.next().is_none());
    }

    #[test]
    fn several_frames_share_a_datagram() {
        let mut dgram = encode(Kind::Task, 0, 1, 0, 0, b"x").unwrap();
        dgram.extend(encode(Kind::Done, 0, 2, 0, 9, b"").unwrap());
        let kinds: Vec<_> = Frames::new(&dgram).map(|r| r.unwrap().0.kind).collect();
        assert_eq!(kinds, vec![Kind::Task, Kind::Done]);
    }

    #[test]
    fn a_short_datagram_is_an_error_not_a_panic() {
        let f = encode(Kind::Task, 0, 1, 0, 0, b"hello").unwrap();
        let got: Vec<_> = Frames::new(&f[..HEADER_LEN + 2]).collect();
        assert_eq!(got, vec![Err(FrameError::Truncated { have: HEADER_LEN + 2, need: HEADER_LEN + 5 })]);
        assert_eq!(Frames::new(&[99u8; HEADER_LEN]).next(), Some(Err(FrameError::UnknownKind(99))));
    }

    #[test]
    fn worker_ids_above_u16_survive_the_trip() {
        let f = encode(Kind::Task, 0, 70_000, 3, 1, b"").unwrap();
        assert_eq!(Frames::new(&f).next().unwrap().unwrap().0.src, 70_000);
        assert_eq!(HEADER_LEN, f.len());
    }

    #[test]
    fn every_kind_decodes_to_itself() {
        let all = [Kind::Task, Kind::Result, Kind::Done, Kind::Lost, Kind::Forward, Kind::Adopt, Kind::Message, Kind::Connect, Kind::Data, Kind::Closed, Kind::BufferFull, Kind::BufferEmpty, Kind::Control, Kind::ProtocolError, Kind::Route];
        for k in all {
            assert_eq!(Kind::from_u8(k as u8), Some(k));
        }
        assert_eq!(Kind::from_u8(0), None);
        assert_eq!(Kind::from_u8(16), None);
    }
}
