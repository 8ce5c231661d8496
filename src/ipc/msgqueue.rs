//! System V message queues for task_ipc_mode 2 and 3.
//!
//! One queue carries every task. A message's type says who may take it: [`SHARED`] is taken
//! by whichever task worker asks first (mode 3); `directed(i)` only by task worker `i` (mode 2,
//! and an explicit `$dst_worker_id` in mode 3). Unlike Swoole's, the queue is readable and
//! writable by the server's own user only (0600), and the manager removes it at stop.

use std::io;

/// Message type of tasks any task worker may take.
pub const SHARED: i64 = 1;
/// Message type of the one message that names the queue's owner (the manager's pid and
/// start time), so a second server given the same key can tell a live queue from a stale one.
/// No task worker ever asks for this type.
const OWNER: i64 = i64::MAX;
const OWNER_LEN: usize = 12;

/// Message type of tasks for task worker `index` only.
pub fn directed(index: usize) -> i64 {
    2 + index as i64
}

/// Message size limit of the running kernel (`kernel.msgmax`).
pub fn max_message() -> usize {
    std::fs::read_to_string("/proc/sys/kernel/msgmax").ok().and_then(|s| s.trim().parse().ok()).unwrap_or(8192)
}

/// What `msgctl(IPC_STAT)` says about the queue's backlog.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueStats {
    pub messages: u64,
    pub bytes: u64,
}

/// A queue id. Copyable: every process uses the id the manager created; only the manager
/// removes the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MsgQueue {
    id: i32,
}

/// Capacity we ask for: room for many tasks before senders must keep them in their backlog.
/// Above `kernel.msgmnb` only privileged processes get it; otherwise the default stays.
const WANTED_BYTES: u64 = 8 * 1024 * 1024;

impl MsgQueue {
    /// A fresh queue: private (key 0), or under `key` after removing whatever an earlier
    /// server left there, whose tasks could never report to their dead senders. A queue whose
    /// owner is still running is never touched: that is an error.
    pub fn create(key: i32) -> io::Result<MsgQueue> {
        if key != 0 {
            // SAFETY: msgget only reads its integer arguments.
            let old = unsafe { libc::msgget(key, 0o600) };
            if old >= 0 {
                let old = MsgQueue { id: old };
                if let Some(pid) = old.live_owner()? {
                    return Err(io::Error::new(
                        io::ErrorKind::AddrInUse,
                        format!("message_queue_key {key:#x} is in use by the server with manager pid {pid}"),
                    ));
                }
                old.remove()?;
            }
        }
        let key = if key == 0 { libc::IPC_PRIVATE } else { key };
        // SAFETY: as above.
        let id = unsafe { libc::msgget(key, libc::IPC_CREAT | libc::IPC_EXCL | 0o600) };
        if id < 0 {
            return Err(io::Error::last_os_error());
        }
        let q = MsgQueue { id };
        q.grow();
        let me = owner_record(std::process::id() as i32).ok_or_else(|| io::Error::other("cannot read this process's start time"))?;
        if !q.try_send(OWNER, &me, &mut Vec::new())? {
            return Err(io::Error::other("the new task queue is full"));
        }
        Ok(q)
    }

    /// The pid of the running server that owns this queue, if it still runs. The owner
    /// record is taken to read it and put back when its owner is alive.
    fn live_owner(&self) -> io::Result<Option<i32>> {
        let mut buf = [0u8; 8 + OWNER_LEN];
        let Some(r) = self.recv(OWNER, &mut buf, false)? else { return Ok(None) };
        let rec = &buf[r];
        let pid = i32::from_le_bytes(rec[0..4].try_into().map_err(io::Error::other)?);
        let alive = rec.len() == OWNER_LEN && owner_record(pid).is_some_and(|now| now == rec);
        if alive {
            self.try_send(OWNER, rec, &mut Vec::new())?;
            return Ok(Some(pid));
        }
        Ok(None)
    }

    pub fn id(&self) -> i32 {
        self.id
    }

    /// Re-attaches to a queue created by the manager, from its id in shared memory.
    pub fn from_id(id: i32) -> MsgQueue {
        MsgQueue { id }
    }

    fn grow(&self) {
        if let Ok(mut ds) = self.stat_raw() {
            if (ds.msg_qbytes as u64) < WANTED_BYTES {
                ds.msg_qbytes = WANTED_BYTES as _;
                // SAFETY: `ds` is a valid msqid_ds filled by IPC_STAT; failure is harmless.
                unsafe { libc::msgctl(self.id, libc::IPC_SET, &mut ds) };
            }
        }
    }

    fn stat_raw(&self) -> io::Result<libc::msqid_ds> {
        // SAFETY: msqid_ds is plain data; IPC_STAT fills it or fails.
        let mut ds: libc::msqid_ds = unsafe { std::mem::zeroed() };
        if unsafe { libc::msgctl(self.id, libc::IPC_STAT, &mut ds) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(ds)
    }

    pub fn stats(&self) -> io::Result<QueueStats> {
        let ds = self.stat_raw()?;
        // The owner record is not a task.
        Ok(QueueStats {
            messages: (ds.msg_qnum as u64).saturating_sub(1),
            bytes: (ds.__msg_cbytes as u64).saturating_sub(OWNER_LEN as u64),
        })
    }

    /// Sends without blocking. `Ok(false)`: the queue is full, try later.
    pub fn try_send(&self, mtype: i64, body: &[u8], scratch: &mut Vec<u8>) -> io::Result<bool> {
        scratch.clear();
        scratch.extend_from_slice(&mtype.to_ne_bytes());
        scratch.extend_from_slice(body);
        loop {
            // SAFETY: `scratch` is a `long mtype` followed by `body.len()` bytes, as msgsnd expects.
            let r = unsafe { libc::msgsnd(self.id, scratch.as_ptr().cast(), body.len(), libc::IPC_NOWAIT) };
            if r == 0 {
                return Ok(true);
            }
            let e = io::Error::last_os_error();
            match e.raw_os_error() {
                Some(libc::EAGAIN) => return Ok(false),
                Some(libc::EINTR) => continue,
                _ => return Err(e),
            }
        }
    }

    /// Receives one message of type `mtype` into `buf` (which must have 8 spare bytes in
    /// front for the type). Returns the body's range in `buf`; `Ok(None)` when `wait` is false
    /// and nothing is there, or when a signal interrupted the wait.
    pub fn recv(&self, mtype: i64, buf: &mut [u8], wait: bool) -> io::Result<Option<std::ops::Range<usize>>> {
        let flags = if wait { 0 } else { libc::IPC_NOWAIT };
        if buf.len() < 8 {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "a message buffer needs 8 bytes for the type"));
        }
        let room = buf.len() - 8;
        // SAFETY: `buf` holds the 8-byte type and `room` bytes of body.
        let n = unsafe { libc::msgrcv(self.id, buf.as_mut_ptr().cast(), room, mtype as libc::c_long, flags) };
        if n >= 0 {
            return Ok(Some(8..8 + n as usize));
        }
        let e = io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::ENOMSG) | Some(libc::EINTR) => Ok(None),
            _ => Err(e),
        }
    }

    pub fn remove(&self) -> io::Result<()> {
        // SAFETY: IPC_RMID takes no buffer.
        if unsafe { libc::msgctl(self.id, libc::IPC_RMID, std::ptr::null_mut()) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

/// A running process's pid and start time (in clock ticks since boot), None when no such
/// process runs: a pid reused by another process after the owner died does not match.
fn owner_record(pid: i32) -> Option<Vec<u8>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let start: u64 = stat.rsplit_once(')')?.1.split_whitespace().nth(19)?.parse().ok()?;
    let mut rec = pid.to_le_bytes().to_vec();
    rec.extend_from_slice(&start.to_le_bytes());
    Some(rec)
}

/// Tasks of one message type on a queue, as an outbox destination. A queue has no descriptor
/// to poll for room, and carries no descriptors.
pub struct QueueSink {
    pub queue: MsgQueue,
    pub mtype: i64,
    scratch: Vec<u8>,
}

impl QueueSink {
    pub fn new(queue: MsgQueue, mtype: i64) -> QueueSink {
        QueueSink { queue, mtype, scratch: Vec::new() }
    }
}

impl crate::ipc::channel::Sink for QueueSink {
    fn try_send(&mut self, datagram: &[u8], fds: &[std::os::fd::RawFd]) -> io::Result<bool> {
        if !fds.is_empty() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "a message queue cannot carry descriptors"));
        }
        self.queue.try_send(self.mtype, datagram, &mut self.scratch)
    }
    fn fd(&self) -> Option<std::os::fd::RawFd> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directed_and_shared_messages_go_to_their_readers_and_the_queue_is_private() {
        let q = MsgQueue::create(0).unwrap();
        let ds = q.stat_raw().unwrap();
        assert_eq!(ds.msg_perm.mode & 0o777, 0o600);
        let mut scratch = Vec::new();
        assert!(q.try_send(directed(1), b"for one", &mut scratch).unwrap());
        assert!(q.try_send(SHARED, b"anyone", &mut scratch).unwrap());
        assert_eq!(q.stats().unwrap(), QueueStats { messages: 2, bytes: 13 });
        assert!(q.recv(SHARED, &mut [0u8; 7], false).is_err(), "a short buffer is an error, not a write out of bounds");
        let mut buf = vec![0u8; 64];
        assert_eq!(q.recv(directed(0), &mut buf, false).unwrap(), None);
        let r = q.recv(directed(1), &mut buf, false).unwrap().unwrap();
        assert_eq!(&buf[r], b"for one");
        let r = q.recv(SHARED, &mut buf, false).unwrap().unwrap();
        assert_eq!(&buf[r], b"anyone");
        q.remove().unwrap();
        assert!(q.stats().is_err());
    }

    #[test]
    fn a_keyed_queue_left_behind_is_replaced_empty() {
        let key = 0x7253_0000 | (std::process::id() as i32 & 0xffff);
        // A queue whose owner record names a process that is gone (here: none at all).
        // SAFETY: msgget only reads its integer arguments.
        let id = unsafe { libc::msgget(key, libc::IPC_CREAT | 0o600) };
        assert!(id >= 0);
        let stale = MsgQueue { id };
        stale.try_send(SHARED, b"stale", &mut Vec::new()).unwrap();
        let mut gone = owner_record(std::process::id() as i32).unwrap();
        gone[4] ^= 1; // this pid, another start time: the owner died and the pid was reused
        stale.try_send(OWNER, &gone, &mut Vec::new()).unwrap();
        let second = MsgQueue::create(key).unwrap();
        assert_eq!(second.stats().unwrap().messages, 0);
        // Its owner (this process) is alive: a third server must not take it over.
        let e = MsgQueue::create(key).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AddrInUse);
        assert!(e.to_string().contains(&format!("manager pid {}", std::process::id())), "{e}");
        assert_eq!(second.stats().unwrap().messages, 0);
        second.remove().unwrap();
    }

    #[test]
    fn message_types_and_limits() {
        assert_eq!(directed(0), 2);
        assert_eq!(directed(5), 7);
        assert_ne!(directed(0), SHARED);
        let max = max_message();
        let sys: usize = std::fs::read_to_string("/proc/sys/kernel/msgmax").unwrap().trim().parse().unwrap();
        assert_eq!(max, sys);
        let q = MsgQueue::create(0).unwrap();
        let ds = q.stat_raw().unwrap();
        // Grown to the wanted capacity where the kernel lets this process (root in CI).
        assert!(ds.msg_qbytes as u64 >= WANTED_BYTES.min(16384));
        // The owner record names this process and its start time.
        let mut buf = [0u8; 8 + OWNER_LEN];
        let r = q.recv(OWNER, &mut buf, false).unwrap().unwrap();
        assert_eq!(&buf[r], owner_record(std::process::id() as i32).unwrap().as_slice());
        q.remove().unwrap();
    }
}
