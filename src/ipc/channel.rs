//! Message channels: one SOCK_SEQPACKET socketpair per receiving process.
//!
//! Many processes write into the same `tx` end (every event worker into a task worker's inbox,
//! every task worker into an event worker's result channel). SEQPACKET keeps each write whole,
//! so writers never interleave, and the channel outlives any one process: the manager creates it
//! before forking and keeps it, so a respawned reader finds the messages its predecessor left.

use std::collections::VecDeque;
use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use nix::errno::Errno;
use crate::ipc::msgqueue::MsgQueue;
use nix::sys::socket::{self, sockopt, AddressFamily, ControlMessage, ControlMessageOwned, MsgFlags, SockFlag, SockType};

/// Largest datagram a flush builds by coalescing queued frames.
const BATCH_BYTES: usize = 64 * 1024;
/// Socket buffer we ask for; as root the kernel grants it, otherwise it caps at wmem_max.
const WANTED_SNDBUF: usize = 8 * 1024 * 1024;

pub struct Channel {
    /// Read by the owner only.
    pub rx: OwnedFd,
    /// Shared by every writer.
    pub tx: OwnedFd,
    /// Largest single message the kernel accepts on `tx`.
    pub max_message: usize,
}

impl Channel {
    pub fn new() -> io::Result<Channel> {
        let (tx, rx) = socket::socketpair(
            AddressFamily::Unix,
            SockType::SeqPacket,
            None,
            SockFlag::SOCK_CLOEXEC,
        )?;
        // A bigger buffer lets more tasks queue in the kernel before writers must queue in user
        // space, and raises the largest message. Failing to grow it is not an error.
        if socket::setsockopt(&tx, sockopt::SndBufForce, &WANTED_SNDBUF).is_err() {
            let _ = socket::setsockopt(&tx, sockopt::SndBuf, &WANTED_SNDBUF);
        }
        let sndbuf = socket::getsockopt(&tx, sockopt::SndBuf).unwrap_or(212_992);
        // The kernel charges an skb's overhead against the buffer too.
        let max_message = sndbuf.saturating_sub(4096).max(16 * 1024);
        Ok(Channel { rx, tx, max_message })
    }
}

/// Most descriptors one datagram carries; a flush starts a new datagram beyond it.
const MAX_FDS: usize = 8;

/// One frame on its way out, with the descriptor its body travels in, if any.
pub struct Message {
    pub bytes: Vec<u8>,
    pub fd: Option<OwnedFd>,
}

impl From<Vec<u8>> for Message {
    fn from(bytes: Vec<u8>) -> Self {
        Message { bytes, fd: None }
    }
}

/// Sends one datagram (with `fds` attached) without blocking. `Ok(false)`: the channel is
/// full, or holds as many descriptors in flight as the kernel allows; try later.
pub fn try_send(fd: RawFd, datagram: &[u8], fds: &[RawFd]) -> io::Result<bool> {
    let iov = [IoSlice::new(datagram)];
    let rights = [ControlMessage::ScmRights(fds)];
    let cmsgs: &[ControlMessage] = if fds.is_empty() { &[] } else { &rights };
    loop {
        match socket::sendmsg::<()>(fd, &iov, cmsgs, MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_NOSIGNAL, None) {
            Ok(_) => return Ok(true),
            Err(Errno::EAGAIN) => return Ok(false),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// Receives one datagram; descriptors that came with it are appended to `fds`. Without
/// `wait`, `Ok(None)` means nothing was there.
pub fn recv(fd: RawFd, buf: &mut [u8], fds: &mut VecDeque<OwnedFd>, wait: bool) -> io::Result<Option<usize>> {
    let mut flags = MsgFlags::MSG_CMSG_CLOEXEC;
    if !wait {
        flags |= MsgFlags::MSG_DONTWAIT;
    }
    let mut space = nix::cmsg_space!([RawFd; MAX_FDS]);
    loop {
        let mut iov = [IoSliceMut::new(buf)];
        let msg = match socket::recvmsg::<()>(fd, &mut iov, Some(&mut space), flags) {
            Ok(m) => m,
            Err(Errno::EAGAIN) if !wait => return Ok(None),
            Err(Errno::EINTR) if !wait => continue,
            Err(e) => return Err(e.into()),
        };
        let n = msg.bytes;
        if let Ok(cmsgs) = msg.cmsgs() {
            for c in cmsgs {
                if let ControlMessageOwned::ScmRights(got) = c {
                    // SAFETY: the kernel just installed these descriptors in this process for us.
                    fds.extend(got.into_iter().map(|f| unsafe { OwnedFd::from_raw_fd(f) }));
                }
            }
        }
        return Ok(Some(n));
    }
}

/// Copies the next datagram without taking it (descriptors stay with it). `Ok(None)`: none
/// there (or, with `wait`, a signal interrupted the wait).
pub fn peek(fd: RawFd, buf: &mut [u8], wait: bool) -> io::Result<Option<usize>> {
    let mut flags = MsgFlags::MSG_PEEK;
    if !wait {
        flags |= MsgFlags::MSG_DONTWAIT;
    }
    loop {
        match socket::recv(fd, buf, flags) {
            Ok(n) => return Ok(Some(n)),
            Err(Errno::EAGAIN) => return Ok(None),
            Err(Errno::EINTR) if !wait => continue,
            Err(Errno::EINTR) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
    }
}

/// The receive buffer size that fits any message of `channels`.
pub fn recv_buffer(max_message: usize) -> Vec<u8> {
    vec![0u8; max_message.max(BATCH_BYTES) + 64]
}

/// Where an outbox writes.
#[derive(Clone, Copy, Debug)]
pub enum Sink {
    /// A socketpair's writing end: descriptors can ride along, and poll() says when it has room.
    Socket(RawFd),
    /// A System V queue and the message type to send with: no descriptors, no readiness
    /// notification (the owner retries on a short timer).
    Queue(MsgQueue, i64),
}

/// Frames waiting for one destination, sent in order, never blocking the caller.
///
/// A frame is first tried directly; once the channel is full, later frames queue here (so order
/// is kept) and [`Outbox::flush`] sends them, several per datagram, when the channel has room.
pub struct Outbox {
    sink: Sink,
    max_message: usize,
    /// Most frames one datagram may carry: a task worker records the tasks of a datagram in
    /// its fixed-size shared slot, so their number is bounded.
    max_frames: usize,
    queue: VecDeque<Message>,
    scratch: Vec<u8>,
}

impl Outbox {
    pub fn new(tx: &OwnedFd, max_message: usize, max_frames: usize) -> Self {
        Outbox::with_sink(Sink::Socket(tx.as_raw_fd()), max_message, max_frames)
    }

    pub fn with_sink(sink: Sink, max_message: usize, max_frames: usize) -> Self {
        Outbox { sink, max_message, max_frames: max_frames.max(1), queue: VecDeque::new(), scratch: Vec::new() }
    }

    /// The socket to poll for room; None for a queue.
    pub fn fd(&self) -> Option<RawFd> {
        match self.sink {
            Sink::Socket(fd) => Some(fd),
            Sink::Queue(..) => None,
        }
    }

    /// Largest frame the destination takes in one message.
    pub fn max_message(&self) -> usize {
        self.max_message
    }

    fn try_send(&mut self, datagram: &[u8], fds: &[RawFd]) -> io::Result<bool> {
        match self.sink {
            Sink::Socket(fd) => try_send(fd, datagram, fds),
            Sink::Queue(q, mtype) => q.try_send(mtype, datagram, &mut self.scratch),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    pub fn queued_frames(&self) -> usize {
        self.queue.len()
    }

    /// Sends `m` now, behind whatever is queued (coalesced with it), or queues it when the
    /// channel is full. Returns how many frames reached the channel.
    pub fn push(&mut self, m: Message) -> io::Result<usize> {
        if self.queue.is_empty() {
            let fds: Vec<RawFd> = m.fd.iter().map(AsRawFd::as_raw_fd).collect();
            if self.try_send(&m.bytes, &fds)? {
                return Ok(1);
            }
        }
        self.push_lazy(m);
        self.flush()
    }

    /// Queues `m` without sending: it leaves with the next push or flush. For messages
    /// nobody waits on, so they can share a datagram with the next one.
    pub fn push_lazy(&mut self, m: Message) {
        self.queue.push_back(m);
    }

    /// Moves queued frames into the channel until it is full. Returns how many were sent.
    pub fn flush(&mut self) -> io::Result<usize> {
        let mut sent = 0;
        let mut batch = Vec::new();
        let mut fds = Vec::new();
        while let Some(first) = self.queue.front() {
            // Coalesce small frames; a big one goes alone.
            let mut n = 1;
            let mut size = first.bytes.len();
            let mut nfds = usize::from(first.fd.is_some());
            if size < BATCH_BYTES {
                for m in self.queue.iter().skip(1) {
                    let more_fds = nfds + usize::from(m.fd.is_some());
                    if n == self.max_frames || size + m.bytes.len() > BATCH_BYTES.min(self.max_message) || more_fds > MAX_FDS {
                        break;
                    }
                    size += m.bytes.len();
                    nfds = more_fds;
                    n += 1;
                }
            }
            fds.clear();
            fds.extend(self.queue.iter().take(n).filter_map(|m| m.fd.as_ref().map(AsRawFd::as_raw_fd)));
            batch.clear();
            for m in self.queue.iter().take(n) {
                batch.extend_from_slice(&m.bytes);
            }
            if !self.try_send(&batch, &fds)? {
                break;
            }
            // Sent descriptors are duplicated into the message; ours close here.
            self.queue.drain(..n);
            sent += n;
        }
        Ok(sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::frame::{encode, Frames, Kind};

    #[test]
    fn queued_frames_are_coalesced_and_arrive_in_order() {
        let ch = Channel::new().unwrap();
        let mut out = Outbox::new(&ch.tx, ch.max_message, usize::MAX);
        // Fill the channel until it refuses, then queue a few more.
        let mut pushed = 0i64;
        loop {
            let sent = out.push(encode(Kind::Task, 0, 0, 0, pushed, &[7u8; 512]).into()).unwrap();
            pushed += 1;
            if sent == 0 {
                break;
            }
        }
        for _ in 0..10 {
            out.push(encode(Kind::Task, 0, 0, 0, pushed, &[7u8; 512]).into()).unwrap();
            pushed += 1;
        }
        assert_eq!(out.queued_frames(), 11);
        let mut buf = recv_buffer(ch.max_message);
        let mut next = 0i64;
        let mut datagrams_for_queued = 0;
        while next < pushed {
            out.flush().unwrap();
            let n = recv(ch.rx.as_raw_fd(), &mut buf, &mut VecDeque::new(), false).unwrap().expect("a datagram");
            let ids: Vec<i64> = Frames::new(&buf[..n]).map(|f| f.unwrap().0.task_id).collect();
            if ids[0] >= pushed - 11 {
                datagrams_for_queued += 1;
            }
            for id in ids {
                assert_eq!(id, next);
                next += 1;
            }
        }
        assert!(out.is_empty());
        assert!(datagrams_for_queued < 11, "queued frames were not coalesced");
    }
}
