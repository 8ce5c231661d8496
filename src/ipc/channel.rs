//! Message channels: one SOCK_SEQPACKET socketpair per receiving process.
//!
//! Many processes write into the same `tx` end (every event worker into a task worker's inbox,
//! every task worker into an event worker's result channel). SEQPACKET keeps each write whole,
//! so writers never interleave, and the channel outlives any one process: the manager creates it
//! before forking and keeps it, so a respawned reader finds the messages its predecessor left.

use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::sys::socket::{self, sockopt, AddressFamily, ControlMessage, MsgFlags, SockFlag, SockType};

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
    /// A connection's socket handed to another process (sent before `fd`).
    pub socket: Option<OwnedFd>,
}

impl From<Vec<u8>> for Message {
    fn from(bytes: Vec<u8>) -> Self {
        Message { bytes, fd: None, socket: None }
    }
}

impl Message {
    /// Its descriptors in the order the receiver takes them: the socket, then the body's.
    fn raw_fds(&self) -> impl Iterator<Item = RawFd> + '_ {
        self.socket.iter().chain(self.fd.iter()).map(AsRawFd::as_raw_fd)
    }

    fn fd_count(&self) -> usize {
        usize::from(self.socket.is_some()) + usize::from(self.fd.is_some())
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
/// `wait`, `Ok(None)` means nothing was there. A datagram that did not fit `buf`, or whose
/// descriptors did not fit, is an error (its descriptors are still taken and closed).
pub fn recv(fd: RawFd, buf: &mut [u8], fds: &mut VecDeque<OwnedFd>, wait: bool) -> io::Result<Option<usize>> {
    recv_as(fd, buf, fds, wait, Receive::Take)
}

/// Copies the next datagram without taking it, with (copies of) its descriptors, without
/// waiting: a reader that may die while it handles the datagram leaves it to its successor.
pub fn peek_with_fds(fd: RawFd, buf: &mut [u8], fds: &mut VecDeque<OwnedFd>) -> io::Result<Option<usize>> {
    recv_as(fd, buf, fds, false, Receive::Peek)
}

/// Drops the next datagram (the one just peeked) and its descriptors, without waiting.
pub fn discard(fd: RawFd) -> io::Result<bool> {
    let mut fds = VecDeque::new();
    recv_as(fd, &mut [0u8; 1], &mut fds, false, Receive::Discard).map(|n| n.is_some())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Receive {
    Take,
    Peek,
    /// Take it and throw it away: its length does not matter.
    Discard,
}

fn recv_as(fd: RawFd, buf: &mut [u8], fds: &mut VecDeque<OwnedFd>, wait: bool, how: Receive) -> io::Result<Option<usize>> {
    let mut flags = libc::MSG_CMSG_CLOEXEC;
    if !wait {
        flags |= libc::MSG_DONTWAIT;
    }
    if how == Receive::Peek {
        flags |= libc::MSG_PEEK;
    }
    // Room for twice what any sender attaches, as u64s for the alignment cmsghdr needs.
    // SAFETY: CMSG_SPACE only computes a size.
    let space_len = unsafe { libc::CMSG_SPACE((2 * MAX_FDS * std::mem::size_of::<RawFd>()) as u32) } as usize;
    let mut space = [0u64; 64];
    let space_len = space_len.min(std::mem::size_of_val(&space));
    loop {
        let mut iov = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
        // SAFETY: msghdr is plain data; zeroed is a valid empty header.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = space.as_mut_ptr().cast();
        msg.msg_controllen = space_len as _;
        // SAFETY: msg points at a live iovec over `buf` and a live control buffer of the
        // length given; the kernel writes only within them.
        let n = unsafe { libc::recvmsg(fd, &mut msg, flags) };
        if n < 0 {
            let e = io::Error::last_os_error();
            match e.raw_os_error() {
                Some(libc::EAGAIN) if !wait => return Ok(None),
                Some(libc::EINTR) if !wait => continue,
                _ => return Err(e),
            }
        }
        // SAFETY: walks the control messages the kernel just wrote into `space`, as described
        // by `msg`; every descriptor in an SCM_RIGHTS message was installed in this process
        // for us, so wrapping it in an OwnedFd (which closes it) is the only owner.
        unsafe {
            let mut c = libc::CMSG_FIRSTHDR(&msg);
            while !c.is_null() {
                if (*c).cmsg_level == libc::SOL_SOCKET && (*c).cmsg_type == libc::SCM_RIGHTS {
                    let data = libc::CMSG_DATA(c).cast::<RawFd>();
                    let count = ((*c).cmsg_len as usize - (data as usize - c as usize)) / std::mem::size_of::<RawFd>();
                    for i in 0..count {
                        fds.push_back(OwnedFd::from_raw_fd(std::ptr::read_unaligned(data.add(i))));
                    }
                }
                c = libc::CMSG_NXTHDR(&msg, c);
            }
        }
        if msg.msg_flags & libc::MSG_CTRUNC != 0 {
            fds.clear();
            return Err(io::Error::other("a message came with more descriptors than any sender attaches; they were closed"));
        }
        if msg.msg_flags & libc::MSG_TRUNC != 0 && how == Receive::Discard {
            fds.clear();
            return Ok(Some(n as usize));
        }
        if msg.msg_flags & libc::MSG_TRUNC != 0 {
            fds.clear();
            return Err(io::Error::other(format!("a message longer than {} bytes was cut short and dropped", buf.len())));
        }
        return Ok(Some(n as usize));
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

/// Where an outbox writes: one destination of a transport.
pub trait Sink: Send {
    /// Sends one datagram (with `fds` attached) without blocking; `Ok(false)`: no room now.
    fn try_send(&mut self, datagram: &[u8], fds: &[RawFd]) -> io::Result<bool>;
    /// The descriptor poll(2) says has room again; None when the destination cannot be polled
    /// (the owner then retries on a short timer).
    fn fd(&self) -> Option<RawFd>;
}

/// A socketpair's writing end: descriptors ride along, and poll() says when it has room.
pub struct SocketSink(pub RawFd);

impl Sink for SocketSink {
    fn try_send(&mut self, datagram: &[u8], fds: &[RawFd]) -> io::Result<bool> {
        try_send(self.0, datagram, fds)
    }
    fn fd(&self) -> Option<RawFd> {
        Some(self.0)
    }
}

/// Frames waiting for one destination, sent in order, never blocking the caller.
///
/// A frame is first tried directly; once the channel is full, later frames queue here (so order
/// is kept) and [`Outbox::flush`] sends them, several per datagram, when the channel has room.
pub struct Outbox {
    sink: Box<dyn Sink>,
    max_message: usize,
    /// Most frames one datagram may carry (see `shm::TASKS_PER_DATAGRAM`).
    max_frames: usize,
    queue: VecDeque<Message>,
    /// Bytes of the frames in `queue` (a memfd body counts as its frame only).
    queued_bytes: usize,
}

impl Outbox {
    pub fn new(tx: &OwnedFd, max_message: usize, max_frames: usize) -> Self {
        Outbox::with_sink(Box::new(SocketSink(tx.as_raw_fd())), max_message, max_frames)
    }

    pub fn with_sink(sink: Box<dyn Sink>, max_message: usize, max_frames: usize) -> Self {
        Outbox { sink, max_message, max_frames: max_frames.max(1), queue: VecDeque::new(), queued_bytes: 0 }
    }

    /// The socket to poll for room; None for a destination that cannot be polled.
    pub fn fd(&self) -> Option<RawFd> {
        self.sink.fd()
    }

    /// Largest frame the destination takes in one message.
    pub fn max_message(&self) -> usize {
        self.max_message
    }

    fn try_send(&mut self, datagram: &[u8], fds: &[RawFd]) -> io::Result<bool> {
        self.sink.try_send(datagram, fds)
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    pub fn queued_frames(&self) -> usize {
        self.queue.len()
    }

    /// Bytes waiting here for room in the channel (a bound for whoever fills it).
    pub fn queued_bytes(&self) -> usize {
        self.queued_bytes
    }

    /// Sends `m` now, behind whatever is queued (coalesced with it), or queues it when the
    /// channel is full. Returns how many frames reached the channel.
    pub fn push(&mut self, m: Message) -> io::Result<usize> {
        if self.queue.is_empty() {
            let fds: Vec<RawFd> = m.raw_fds().collect();
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
        self.queued_bytes += m.bytes.len();
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
            let mut nfds = first.fd_count();
            if size < BATCH_BYTES {
                for m in self.queue.iter().skip(1) {
                    let more_fds = nfds + m.fd_count();
                    if n == self.max_frames || size + m.bytes.len() > BATCH_BYTES.min(self.max_message) || more_fds > MAX_FDS {
                        break;
                    }
                    size += m.bytes.len();
                    nfds = more_fds;
                    n += 1;
                }
            }
            fds.clear();
            fds.extend(self.queue.iter().take(n).flat_map(Message::raw_fds));
            batch.clear();
            for m in self.queue.iter().take(n) {
                batch.extend_from_slice(&m.bytes);
            }
            if !self.try_send(&batch, &fds)? {
                break;
            }
            // Sent descriptors are duplicated into the message; ours close here.
            self.queued_bytes = self.queued_bytes.saturating_sub(batch.len());
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
            let sent = out.push(encode(Kind::Task, 0, 0, 0, pushed, &[7u8; 512]).unwrap().into()).unwrap();
            pushed += 1;
            if sent == 0 {
                break;
            }
        }
        for _ in 0..10 {
            out.push(encode(Kind::Task, 0, 0, 0, pushed, &[7u8; 512]).unwrap().into()).unwrap();
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

    #[test]
    fn too_many_descriptors_are_closed_not_leaked() {
        let ch = Channel::new().unwrap();
        let extra: Vec<OwnedFd> = (0..3 * MAX_FDS).map(|_| nix::unistd::dup(0).map(|f| unsafe { OwnedFd::from_raw_fd(f) }).unwrap()).collect();
        let raw: Vec<RawFd> = extra.iter().map(AsRawFd::as_raw_fd).collect();
        assert!(try_send(ch.tx.as_raw_fd(), b"x", &raw).unwrap());
        drop(extra);
        let before = std::fs::read_dir("/proc/self/fd").unwrap().count();
        let mut fds = VecDeque::new();
        let mut buf = [0u8; 16];
        assert!(recv(ch.rx.as_raw_fd(), &mut buf, &mut fds, false).is_err());
        assert!(fds.is_empty());
        assert_eq!(std::fs::read_dir("/proc/self/fd").unwrap().count(), before, "received descriptors leaked");
    }

    #[test]
    fn a_peeked_datagram_stays_until_it_is_discarded() {
        let ch = Channel::new().unwrap();
        let memfd = nix::unistd::dup(0).map(|f| unsafe { OwnedFd::from_raw_fd(f) }).unwrap();
        assert!(try_send(ch.tx.as_raw_fd(), b"first", &[memfd.as_raw_fd()]).unwrap());
        assert!(try_send(ch.tx.as_raw_fd(), b"second", &[]).unwrap());
        let mut buf = [0u8; 64];
        for _ in 0..2 {
            let mut fds = VecDeque::new();
            let n = peek_with_fds(ch.rx.as_raw_fd(), &mut buf, &mut fds).unwrap().unwrap();
            assert_eq!((&buf[..n], fds.len()), (&b"first"[..], 1));
        }
        assert!(discard(ch.rx.as_raw_fd()).unwrap());
        let n = recv(ch.rx.as_raw_fd(), &mut buf, &mut VecDeque::new(), false).unwrap().unwrap();
        assert_eq!(&buf[..n], b"second");
        assert!(!discard(ch.rx.as_raw_fd()).unwrap());
    }

    #[test]
    fn a_message_too_long_for_the_buffer_is_an_error() {
        let ch = Channel::new().unwrap();
        assert!(try_send(ch.tx.as_raw_fd(), &[1u8; 100], &[]).unwrap());
        let mut buf = [0u8; 10];
        assert!(recv(ch.rx.as_raw_fd(), &mut buf, &mut VecDeque::new(), false).is_err());
    }
}
