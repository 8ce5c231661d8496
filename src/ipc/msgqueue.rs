//! System V message queues for task_ipc_mode 2 and 3.
//!
//! One queue carries every task. A message's type says who may take it: [`SHARED`] is taken
//! by whichever task worker asks first (mode 3); `directed(i)` only by task worker `i` (mode 2,
//! and an explicit `$dst_worker_id` in mode 3). Unlike Swoole's, the queue is readable and
//! writable by the server's own user only (0600), and the manager removes it at stop.

use std::io;

/// Message type of tasks any task worker may take.
pub const SHARED: i64 = 1;

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
    /// server left there, whose tasks could never report to their dead senders.
    pub fn create(key: i32) -> io::Result<MsgQueue> {
        if key != 0 {
            // SAFETY: msgget only reads its integer arguments.
            let old = unsafe { libc::msgget(key, 0o600) };
            if old >= 0 {
                MsgQueue { id: old }.remove()?;
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
        Ok(q)
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
        Ok(QueueStats { messages: ds.msg_qnum as u64, bytes: ds.__msg_cbytes as u64 })
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
        let room = buf.len().saturating_sub(8);
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
        let first = MsgQueue::create(key).unwrap();
        first.try_send(SHARED, b"stale", &mut Vec::new()).unwrap();
        let second = MsgQueue::create(key).unwrap();
        assert_eq!(second.stats().unwrap().messages, 0);
        assert!(first.stats().is_err() || first == second);
        second.remove().unwrap();
    }
}
