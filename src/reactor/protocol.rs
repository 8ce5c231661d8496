//! What crosses a reactor link (one SEQPACKET socketpair per reactor thread and event worker):
//! connection events one way, data to send and control requests the other. Only bytes cross
//! it, in the frames every channel uses (`ipc::frame`): the task id field carries the session,
//! the generation field the listening port, the source field the reactor or the worker.

use std::collections::VecDeque;
use std::io;
use std::os::fd::OwnedFd;

use crate::ipc::channel::Message;
use crate::ipc::frame::{self, Header, Kind};
use crate::ipc::payload::{self, Carrier};
use crate::net::table::{ConnEvent, ConnInfo};
use crate::types::{Payload, SessionId};

/// A worker's request about a connection a reactor owns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    Close,
    /// Close with a reset (the queued output is dropped).
    Reset,
    Pause,
    Resume,
    Protect,
    Unprotect,
}

impl Control {
    fn code(self) -> u8 {
        match self {
            Control::Close => 1,
            Control::Reset => 2,
            Control::Pause => 3,
            Control::Resume => 4,
            Control::Protect => 5,
            Control::Unprotect => 6,
        }
    }

    fn from_code(c: u8) -> Option<Control> {
        Some(match c {
            1 => Control::Close,
            2 => Control::Reset,
            3 => Control::Pause,
            4 => Control::Resume,
            5 => Control::Protect,
            6 => Control::Unprotect,
            _ => return None,
        })
    }
}

/// What a reactor reads from a link.
#[derive(Debug)]
pub enum Command {
    Send(SessionId, Payload),
    Control(SessionId, Control),
}

/// A connection event for a worker; a Close carries what getClientInfo() answers in onClose.
pub fn event(e: ConnEvent, port: usize, reactor: u32, closed: Option<&ConnInfo>, max_message: usize) -> io::Result<Message> {
    let ids = |s: SessionId| (reactor, port as u32, s);
    let plain = |kind, s| frame::encode(kind, 0, reactor, port as u32, s, b"").map(Message::from).map_err(io::Error::from);
    match e {
        ConnEvent::Connect(s) => plain(Kind::Connect, s),
        ConnEvent::Receive(s, data) => payload::message_inline_up_to(Kind::Data, 0, ids(s), &Payload::raw(data), max_message, Carrier::Pass),
        ConnEvent::Close(s, reactor_id) => {
            let mut body = reactor_id.to_le_bytes().to_vec();
            if let Some(i) = closed {
                encode_info(i, &mut body);
            }
            frame::encode(Kind::Closed, 0, reactor, port as u32, s, &body).map(Message::from).map_err(io::Error::from)
        }
        ConnEvent::BufferFull(s) => plain(Kind::BufferFull, s),
        ConnEvent::BufferEmpty(s) => plain(Kind::BufferEmpty, s),
        ConnEvent::ProtocolError(s, why) => frame::encode(Kind::ProtocolError, 0, reactor, port as u32, s, why.as_bytes()).map(Message::from).map_err(io::Error::from),
    }
}

/// A frame from a reactor as the event and port it stands for, and, for a Close, the
/// connection's last info.
pub fn decode_event(h: &Header, body: &[u8], fds: &mut VecDeque<OwnedFd>) -> io::Result<(ConnEvent, usize, Option<ConnInfo>)> {
    let (s, port) = (h.task_id, h.generation as usize);
    let e = match h.kind {
        Kind::Connect => ConnEvent::Connect(s),
        Kind::Data => ConnEvent::Receive(s, payload::body(h, body, fds)?.bytes.to_vec()),
        Kind::Closed => {
            let reactor_id = body.get(..4).map_or(-1, |b| i32::from_le_bytes([b[0], b[1], b[2], b[3]]));
            let info = body.get(4..).and_then(|b| decode_info(s, b));
            return Ok((ConnEvent::Close(s, reactor_id), port, info));
        }
        Kind::BufferFull => ConnEvent::BufferFull(s),
        Kind::BufferEmpty => ConnEvent::BufferEmpty(s),
        Kind::ProtocolError => ConnEvent::ProtocolError(s, String::from_utf8_lossy(body).into_owned()),
        k => return Err(io::Error::other(format!("a {k:?} frame on a reactor link"))),
    };
    Ok((e, port, None))
}

/// `send()` of `data` to `fd`, from worker `src`.
pub fn send(src: u32, fd: SessionId, data: &[u8], max_message: usize) -> io::Result<Message> {
    payload::message_inline_up_to(Kind::Forward, 0, (src, 0, fd), &Payload::raw(data.to_vec()), max_message, Carrier::Pass)
}

pub fn control(src: u32, fd: SessionId, c: Control) -> io::Result<Message> {
    frame::encode(Kind::Control, 0, src, 0, fd, &[c.code()]).map(Message::from).map_err(io::Error::from)
}

/// A frame from a worker as the request it stands for.
pub fn decode_command(h: &Header, body: &[u8], fds: &mut VecDeque<OwnedFd>) -> io::Result<Command> {
    match h.kind {
        Kind::Forward => Ok(Command::Send(h.task_id, payload::body(h, body, fds)?)),
        Kind::Control => {
            let c = body.first().copied().and_then(Control::from_code).ok_or_else(|| io::Error::other("unknown control request"))?;
            Ok(Command::Control(h.task_id, c))
        }
        k => Err(io::Error::other(format!("a {k:?} frame from a worker on a reactor link"))),
    }
}

fn encode_info(i: &ConnInfo, out: &mut Vec<u8>) {
    out.extend_from_slice(&i.reactor_id.to_le_bytes());
    out.extend_from_slice(&i.server_port.to_le_bytes());
    out.extend_from_slice(&i.server_fd.to_le_bytes());
    out.extend_from_slice(&i.socket_fd.to_le_bytes());
    for t in [i.connect_time, i.last_recv_time, i.last_send_time] {
        out.extend_from_slice(&t.to_le_bytes());
    }
    out.extend_from_slice(&i.uid.to_le_bytes());
    if let Some(a) = i.remote {
        out.extend_from_slice(a.to_string().as_bytes());
    }
}

fn decode_info(session: SessionId, b: &[u8]) -> Option<ConnInfo> {
    let i32_at = |o: usize| b.get(o..o + 4).map(|x| i32::from_le_bytes([x[0], x[1], x[2], x[3]]));
    let f64_at = |o: usize| b.get(o..o + 8).and_then(|x| x.try_into().ok()).map(f64::from_le_bytes);
    let server_port = b.get(4..6).map(|x| u16::from_le_bytes([x[0], x[1]]))?;
    Some(ConnInfo {
        session,
        reactor_id: i32_at(0)?,
        server_port,
        server_fd: i32_at(6)?,
        socket_fd: i32_at(10)?,
        connect_time: f64_at(14)?,
        last_recv_time: f64_at(22)?,
        last_send_time: f64_at(30)?,
        uid: b.get(38..46).and_then(|x| x.try_into().ok()).map_or(0, u64::from_le_bytes),
        remote: std::str::from_utf8(b.get(46..)?).ok().and_then(|s| s.parse().ok()),
        send_queued_bytes: 0,
        recv_queued_bytes: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::frame::Frames;

    fn one(m: &Message) -> (Header, Vec<u8>) {
        let (h, b) = Frames::new(&m.bytes).next().unwrap().unwrap();
        (h, b.to_vec())
    }

    #[test]
    fn events_cross_with_their_session_port_and_close_info() {
        let m = event(ConnEvent::Receive(7, b"hello".to_vec()), 2, 1, None, 1 << 16).unwrap();
        let (h, b) = one(&m);
        match decode_event(&h, &b, &mut VecDeque::new()).unwrap() {
            (ConnEvent::Receive(7, d), 2, None) => assert_eq!(d, b"hello"),
            other => panic!("{other:?}"),
        }
        let info = ConnInfo {
            session: 9,
            reactor_id: 1,
            remote: Some("127.0.0.1:5000".parse().unwrap()),
            server_port: 9501,
            server_fd: 4,
            socket_fd: 30,
            connect_time: 1.5,
            last_recv_time: 2.5,
            last_send_time: 0.0,
            send_queued_bytes: 0,
            recv_queued_bytes: 0,
            uid: 77,
        };
        let m = event(ConnEvent::Close(9, -1), 0, 1, Some(&info), 1 << 16).unwrap();
        let (h, b) = one(&m);
        match decode_event(&h, &b, &mut VecDeque::new()).unwrap() {
            (ConnEvent::Close(9, -1), 0, Some(got)) => assert_eq!(got, info),
            other => panic!("{other:?}"),
        }
        let (h, b) = one(&event(ConnEvent::ProtocolError(1, "bad length".into()), 3, 0, None, 1 << 16).unwrap());
        assert!(matches!(decode_event(&h, &b, &mut VecDeque::new()).unwrap(), (ConnEvent::ProtocolError(1, why), 3, None) if why == "bad length"));
    }

    #[test]
    fn a_large_receive_travels_in_a_memfd() {
        let data = vec![5u8; 300_000];
        let mut m = event(ConnEvent::Receive(3, data.clone()), 0, 0, None, 1 << 16).unwrap();
        assert!(m.fd.is_some(), "above the link's message size");
        let small = event(ConnEvent::Receive(3, vec![1u8; 65_000]), 0, 0, None, 1 << 17).unwrap();
        assert!(small.fd.is_none(), "a read's worth travels inline");
        let (h, b) = one(&m);
        let mut fds: VecDeque<OwnedFd> = m.fd.take().into_iter().collect();
        match decode_event(&h, &b, &mut fds).unwrap() {
            (ConnEvent::Receive(3, d), 0, None) => assert_eq!(d, data),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn commands_round_trip_and_garbage_is_refused() {
        let (h, b) = one(&send(1, 5, b"reply", 1 << 16).unwrap());
        match decode_command(&h, &b, &mut VecDeque::new()).unwrap() {
            Command::Send(5, p) => assert_eq!(&p.bytes[..], b"reply"),
            other => panic!("{other:?}"),
        }
        for c in [Control::Close, Control::Reset, Control::Pause, Control::Resume, Control::Protect, Control::Unprotect] {
            let (h, b) = one(&control(0, 8, c).unwrap());
            assert!(matches!(decode_command(&h, &b, &mut VecDeque::new()).unwrap(), Command::Control(8, got) if got == c));
        }
        let (h, _) = one(&control(0, 8, Control::Close).unwrap());
        assert!(decode_command(&h, &[99], &mut VecDeque::new()).is_err());
        let (h, b) = one(&event(ConnEvent::Connect(1), 0, 0, None, 1 << 16).unwrap());
        assert!(decode_command(&h, &b, &mut VecDeque::new()).is_err());
    }
}
