//! Task and result bodies of any size. Small ones travel inside their frame; larger ones in an
//! anonymous memory file (memfd) whose descriptor rides on the same datagram. Nothing touches a
//! file system, and a process that dies holding one leaves nothing behind: the kernel frees the
//! memory with the last descriptor, wherever it was (a process, or a datagram never read).

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, OwnedFd};

use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::rc::Rc;

use nix::fcntl::{fcntl, FcntlArg, SealFlag};
use nix::sys::memfd::{memfd_create, MemFdCreateFlag};
use nix::sys::mman::{mmap, munmap, MapFlags, ProtFlags};

use crate::ipc::channel::Message;
use crate::ipc::frame::{self, Header, Kind, FLAG_LENT, FLAG_MEMFD, FLAG_SERIALIZED, HEADER_LEN};
use crate::types::{Bytes, Payload, TaskId, WorkerId};

/// Bodies up to this size travel inline: below it a memfd costs more than the copy it saves.
pub const INLINE_MAX: usize = 64 * 1024 - HEADER_LEN;

/// How a channel carries bodies too large for one of its messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Carrier {
    /// Socketpairs: the memfd itself rides on the datagram (SCM_RIGHTS).
    Pass,
    /// System V queues: the sender keeps the memfd open until the task is over and the frame
    /// names it; the reader opens `/proc/<pid>/fd/<n>`.
    Lend,
}

/// Builds the frame for `data`; a body above `inline_max` (or INLINE_MAX) goes into a memfd,
/// returned in the message's `fd` (for `Lend`, the caller keeps it until the task is over).
pub fn message(kind: Kind, flags: u8, ids: (WorkerId, u32, TaskId), data: &Payload, inline_max: usize, carrier: Carrier) -> io::Result<Message> {
    build(kind, flags, ids, data, inline_max.min(INLINE_MAX), carrier)
}

/// As [`message`], inline whenever the whole frame fits `max_message`: for a channel whose
/// reader copies anyway (a reactor link), and whose socket buffer then counts every byte in
/// flight.
pub fn message_inline_up_to(kind: Kind, flags: u8, ids: (WorkerId, u32, TaskId), data: &Payload, max_message: usize, carrier: Carrier) -> io::Result<Message> {
    build(kind, flags, ids, data, max_message.saturating_sub(HEADER_LEN), carrier)
}

/// The frame, with a body up to `body_max` inline, a larger one in a memfd.
fn build(kind: Kind, flags: u8, ids: (WorkerId, u32, TaskId), data: &Payload, body_max: usize, carrier: Carrier) -> io::Result<Message> {
    let (src, generation, task_id) = ids;
    let flags = flags | if data.serialized { FLAG_SERIALIZED } else { 0 };
    if data.bytes.len() <= body_max {
        return Ok(frame::encode(kind, flags, src, generation, task_id, &data.bytes)?.into());
    }
    let fd = memfd_create(c"rswoole-payload", MemFdCreateFlag::MFD_CLOEXEC | MemFdCreateFlag::MFD_ALLOW_SEALING)?;
    let mut file = File::from(fd);
    file.write_all(&data.bytes)?;
    // Sealed before it is lent: the receiver maps it, and nobody (the sender included) can
    // change or shrink it under that mapping.
    fcntl(file.as_raw_fd(), FcntlArg::F_ADD_SEALS(SEALS | SealFlag::F_SEAL_GROW | SealFlag::F_SEAL_SEAL))?;
    let fd: OwnedFd = file.into();
    let mut body = (data.bytes.len() as u64).to_le_bytes().to_vec();
    let flag = match carrier {
        Carrier::Pass => FLAG_MEMFD,
        Carrier::Lend => {
            body.extend_from_slice(&(std::process::id() as i32).to_le_bytes());
            body.extend_from_slice(&fd.as_raw_fd().to_le_bytes());
            FLAG_LENT
        }
    };
    Ok(Message { bytes: frame::encode(kind, flags | flag, src, generation, task_id, &body)?, fd: Some(fd), socket: None })
}

/// The seals a received payload must carry before it is mapped.
const SEALS: SealFlag = SealFlag::F_SEAL_WRITE.union(SealFlag::F_SEAL_SHRINK);

/// A received body: still where it arrived (inside the datagram), or in its own mapping.
pub enum BodyRef<'a> {
    Inline(&'a [u8]),
    Held(Bytes),
}

/// The body of a received frame, as an owned payload.
pub fn body(h: &Header, inline: &[u8], fds: &mut VecDeque<OwnedFd>) -> io::Result<Payload> {
    let serialized = h.flags & FLAG_SERIALIZED != 0;
    let bytes = match body_ref(h, inline, fds)? {
        BodyRef::Inline(b) => b.to_vec().into(),
        BodyRef::Held(b) => b,
    };
    Ok(Payload { serialized, bytes })
}

/// The body of a received frame without copying it: inline, or mapped from the next
/// descriptor of its datagram (or, for a lent one, from its sender's descriptor).
pub fn body_ref<'a>(h: &Header, inline: &'a [u8], fds: &mut VecDeque<OwnedFd>) -> io::Result<BodyRef<'a>> {
    if h.flags & FLAG_LENT != 0 {
        let field = |r: std::ops::Range<usize>| inline.get(r).ok_or_else(|| io::Error::other("bad lent payload reference"));
        let len = u64::from_le_bytes(field(0..8)?.try_into().map_err(io::Error::other)?) as usize;
        let pid = i32::from_le_bytes(field(8..12)?.try_into().map_err(io::Error::other)?);
        let fd = i32::from_le_bytes(field(12..16)?.try_into().map_err(io::Error::other)?);
        let file = File::open(format!("/proc/{pid}/fd/{fd}"))
            .map_err(|e| io::Error::new(e.kind(), format!("task#{}: its payload is gone with its sender: {e}", h.task_id)))?;
        return Ok(BodyRef::Held(map(file.into(), len)?));
    }
    if h.flags & FLAG_MEMFD == 0 {
        return Ok(BodyRef::Inline(inline));
    }
    let fd = fds.pop_front().ok_or_else(|| io::Error::other(format!("task#{}: its payload descriptor is missing", h.task_id)))?;
    let len: [u8; 8] = inline.try_into().map_err(|_| io::Error::other("bad payload length"))?;
    Ok(BodyRef::Held(map(fd, u64::from_le_bytes(len) as usize)?))
}

/// A received memfd, mapped read-only: its bytes are copied once, by whoever consumes them.
struct Mapping {
    ptr: NonNull<u8>,
    len: usize,
}

impl AsRef<[u8]> for Mapping {
    fn as_ref(&self) -> &[u8] {
        // SAFETY: a private read-only mapping of `len` bytes that lives as long as self; the
        // file is sealed against writes and shrinking (checked in map()), so its bytes stay.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: ptr/len are the mapping made in map(); nothing borrows it past self.
        let _ = unsafe { munmap(self.ptr.cast(), self.len) };
    }
}

fn map(fd: OwnedFd, len: usize) -> io::Result<Bytes> {
    let seals = fcntl(fd.as_raw_fd(), FcntlArg::F_GET_SEALS).map(SealFlag::from_bits_truncate).unwrap_or(SealFlag::empty());
    if !seals.contains(SEALS) {
        return Err(io::Error::new(io::ErrorKind::PermissionDenied, "payload file is not sealed against writes"));
    }
    let Some(size) = NonZeroUsize::new(len) else { return Ok(Bytes::default()) };
    let real = nix::sys::stat::fstat(fd.as_raw_fd())?.st_size;
    if (real as u64) < len as u64 {
        return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "payload shorter than announced"));
    }
    // SAFETY: mapping a file we hold read-only and private; the descriptor may close after.
    let ptr = unsafe { mmap(None, size, ProtFlags::PROT_READ, MapFlags::MAP_PRIVATE, &fd, 0)? };
    Ok(Bytes::Shared(Rc::new(Mapping { ptr: ptr.cast(), len })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::channel::{recv, recv_buffer, Channel, Outbox};
    use crate::ipc::frame::{Frames, FLAG_LAST};

    const FLAG_LAST_FOR_TEST: u8 = FLAG_LAST;

    #[test]
    fn small_and_large_bodies_arrive_whole_through_a_channel() {
        let ch = Channel::new().unwrap();
        let mut out = Outbox::new(&ch.tx, ch.max_message, 16);
        let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        let sent = [Payload::raw(b"small\0".to_vec()), Payload::serialized(big.clone()), Payload::raw(Vec::new())];
        for (i, p) in sent.iter().enumerate() {
            out.push_lazy(message(Kind::Task, 0, (1, 0, i as i64), p, usize::MAX, Carrier::Pass).unwrap());
        }
        out.flush().unwrap();
        let mut buf = recv_buffer(ch.max_message);
        let mut fds = VecDeque::new();
        let n = recv(ch.rx.as_raw_fd(), &mut buf, &mut fds, false).unwrap().unwrap();
        assert_eq!(fds.len(), 1);
        let got: Vec<Payload> = Frames::new(&buf[..n]).map(|f| f.unwrap()).map(|(h, b)| body(&h, b, &mut fds).unwrap()).collect();
        assert_eq!(got, sent);
    }

    #[test]
    fn a_missing_descriptor_is_an_error() {
        let m = message(Kind::Task, 0, (1, 0, 0), &Payload::raw(vec![1u8; INLINE_MAX + 1]), usize::MAX, Carrier::Pass).unwrap();
        let (h, b) = Frames::new(&m.bytes).next().unwrap().unwrap();
        assert!(body(&h, b, &mut VecDeque::new()).is_err());
    }

    #[test]
    fn a_lent_payload_is_read_through_proc_while_its_sender_keeps_it() {
        let big = vec![7u8; 10_000];
        let m = message(Kind::Task, 0, (1, 0, 3), &Payload::raw(big.clone()), 8000, Carrier::Lend).unwrap();
        assert!(m.bytes.len() < 100);
        let (h, b) = Frames::new(&m.bytes).next().unwrap().unwrap();
        assert_eq!(*body(&h, b, &mut VecDeque::new()).unwrap().bytes, big[..]);
    }

    #[test]
    fn a_lent_payload_is_sealed_and_an_unsealed_one_is_refused() {
        let m = message(Kind::Task, 0, (1, 0, 0), &Payload::raw(vec![1u8; INLINE_MAX + 1]), usize::MAX, Carrier::Pass).unwrap();
        let fd = m.fd.unwrap();
        let mut f = File::from(fd.try_clone().unwrap());
        assert!(f.write_all(b"changed").is_err(), "the sender can still write a lent payload");
        assert!(nix::unistd::ftruncate(&fd, 1).is_err(), "the sender can still shrink a lent payload");
        let plain = memfd_create(c"unsealed", MemFdCreateFlag::MFD_CLOEXEC).unwrap();
        let mut pf = File::from(plain);
        pf.write_all(&[0u8; 16]).unwrap();
        let (h, b) = Frames::new(&m.bytes).next().unwrap().unwrap();
        let mut fds: VecDeque<OwnedFd> = VecDeque::from([OwnedFd::from(pf)]);
        let e = body(&h, b, &mut fds).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::PermissionDenied);
    }

    #[test]
    fn the_inline_bound_and_flags_are_exact() {
        assert_eq!(INLINE_MAX, 64 * 1024 - HEADER_LEN);
        let at = message(Kind::Task, FLAG_LAST_FOR_TEST, (1, 2, 3), &Payload::serialized(vec![1u8; INLINE_MAX]), usize::MAX, Carrier::Pass).unwrap();
        assert!(at.fd.is_none());
        let (h, _) = Frames::new(&at.bytes).next().unwrap().unwrap();
        assert_eq!(h.flags, FLAG_LAST_FOR_TEST | FLAG_SERIALIZED);
        let over = message(Kind::Task, FLAG_LAST_FOR_TEST, (1, 2, 3), &Payload::serialized(vec![1u8; INLINE_MAX + 1]), usize::MAX, Carrier::Pass).unwrap();
        let (h, _) = Frames::new(&over.bytes).next().unwrap().unwrap();
        assert_eq!(h.flags, FLAG_LAST_FOR_TEST | FLAG_SERIALIZED | FLAG_MEMFD);
        let lent = message(Kind::Task, 0, (1, 2, 3), &Payload::raw(vec![1u8; 100]), 50, Carrier::Lend).unwrap();
        let (h, _) = Frames::new(&lent.bytes).next().unwrap().unwrap();
        assert_eq!(h.flags, FLAG_LENT);
    }

    #[test]
    fn a_payload_shorter_than_announced_is_an_error() {
        let m = message(Kind::Task, 0, (1, 0, 0), &Payload::raw(vec![1u8; INLINE_MAX + 10]), usize::MAX, Carrier::Pass).unwrap();
        let (h, _) = Frames::new(&m.bytes).next().unwrap().unwrap();
        let claim = ((INLINE_MAX + 11) as u64).to_le_bytes();
        let mut fds: VecDeque<OwnedFd> = VecDeque::from([m.fd.unwrap()]);
        assert_eq!(body_ref(&h, &claim, &mut fds).err().map(|e| e.kind()), Some(io::ErrorKind::UnexpectedEof));
        let mut fds: VecDeque<OwnedFd> = VecDeque::new();
        let exact = message(Kind::Task, 0, (1, 0, 0), &Payload::raw(vec![9u8; INLINE_MAX + 10]), usize::MAX, Carrier::Pass).unwrap();
        fds.push_back(exact.fd.unwrap());
        let (h, b) = Frames::new(&exact.bytes).next().unwrap().unwrap();
        assert_eq!(body(&h, b, &mut fds).unwrap().bytes.len(), INLINE_MAX + 10);
    }
}
