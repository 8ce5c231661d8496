//! `sendMessage()` between workers. A message to an event worker travels on that worker's
//! result channel (every worker can already write there); a message to a task worker goes to
//! its mailbox, a socketpair of its own made only when a PipeMessage callback is set, so task
//! workers without one keep their one-system-call-per-task receive. Both channels belong to the
//! worker *id*, not the process: what a worker leaves unread when it is reloaded or dies waits
//! for its successor. Large messages ride in memfds as task payloads do, so there is no size
//! cliff and no temp file. Unlike Swoole, a message uses up no task id.

use std::collections::VecDeque;
use std::io;
use std::os::fd::{OwnedFd, RawFd};

use crate::handler::MessageError;
use crate::ipc::channel::{self, Message, Outbox};
use crate::ipc::frame::{Frames, Kind};
use crate::ipc::payload::{self, Carrier};
use crate::types::{Payload, WorkerId};

/// The frame of one message from `src`.
pub fn frame(src: WorkerId, data: &Payload) -> Result<Message, MessageError> {
    payload::message(Kind::Message, 0, (src, 0, 0), data, usize::MAX, Carrier::Pass).map_err(MessageError::Pack)
}

/// Where a message from `me` to `dst` goes: event worker `dst`'s result channel (`events`,
/// by event worker id) or task worker `dst`'s mailbox (`mailboxes`, by task worker index).
pub fn route<'a>(me: WorkerId, dst: i64, events: &'a mut [Outbox], mailboxes: &'a mut [Outbox], task_workers: usize) -> Result<&'a mut Outbox, MessageError> {
    if dst == i64::from(me) {
        return Err(MessageError::ToSelf);
    }
    let worker_num = events.len();
    let d = usize::try_from(dst).map_err(|_| MessageError::Invalid(dst))?;
    if d < worker_num {
        return Ok(&mut events[d]);
    }
    if d < worker_num + task_workers {
        return mailboxes.get_mut(d - worker_num).ok_or(MessageError::Invalid(dst));
    }
    Err(MessageError::Invalid(dst))
}

/// A task worker's receiving end of its mailbox.
pub struct Mailbox {
    rx: RawFd,
    buf: Vec<u8>,
    pending: VecDeque<(WorkerId, Payload)>,
}

impl Mailbox {
    /// `rx` stays open for the life of the worker (it is among the descriptors it keeps).
    pub fn new(rx: &OwnedFd, max_message: usize) -> Mailbox {
        use std::os::fd::AsRawFd;
        Mailbox { rx: rx.as_raw_fd(), buf: channel::recv_buffer(max_message), pending: VecDeque::new() }
    }

    pub fn fd(&self) -> RawFd {
        self.rx
    }

    /// The next message, reading one datagram when none is left from the last; never waits.
    pub fn next(&mut self) -> io::Result<Option<(WorkerId, Payload)>> {
        if let Some(m) = self.pending.pop_front() {
            return Ok(Some(m));
        }
        let mut fds: VecDeque<OwnedFd> = VecDeque::new();
        let n = match channel::recv(self.rx, &mut self.buf, &mut fds, false) {
            Ok(Some(n)) => n,
            Ok(None) => return Ok(None),
            Err(e) if matches!(e.raw_os_error(), Some(libc::EAGAIN | libc::EINTR)) => return Ok(None),
            Err(e) => return Err(e),
        };
        for f in Frames::new(&self.buf[..n]) {
            let (h, b) = f?;
            if h.kind == Kind::Message {
                self.pending.push_back((h.src, payload::body(&h, b, &mut fds)?));
            }
        }
        Ok(self.pending.pop_front())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::channel::Channel;

    #[test]
    fn routes_by_worker_id_and_refuses_self_and_strangers() {
        let chans: Vec<Channel> = (0..4).map(|_| Channel::new().unwrap()).collect();
        let mut events: Vec<Outbox> = chans[..2].iter().map(|c| Outbox::new(&c.tx, c.max_message, 1)).collect();
        let mut mail: Vec<Outbox> = chans[2..].iter().map(|c| Outbox::new(&c.tx, c.max_message, 1)).collect();
        assert!(matches!(route(1, 1, &mut events, &mut mail, 2), Err(MessageError::ToSelf)));
        assert!(matches!(route(1, 4, &mut events, &mut mail, 2), Err(MessageError::Invalid(4))));
        assert!(matches!(route(1, -1, &mut events, &mut mail, 2), Err(MessageError::Invalid(-1))));
        // Task worker 3 (index 1) gets it in its mailbox, whole, with the sender's id.
        let m = frame(0, &Payload::raw(b"hello".to_vec())).unwrap();
        let out = route(0, 3, &mut events, &mut mail, 2).unwrap();
        out.push(m).unwrap();
        out.flush().unwrap();
        let mut mb = Mailbox::new(&chans[3].rx, chans[3].max_message);
        let (src, p) = mb.next().unwrap().unwrap();
        assert_eq!((src, &p.bytes[..]), (0, &b"hello"[..]));
        assert!(mb.next().unwrap().is_none());
    }
}
