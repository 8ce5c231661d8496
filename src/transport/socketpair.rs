//! `task_ipc_mode` 1: one SOCK_SEQPACKET socketpair per task worker. Descriptors (memfd
//! bodies) ride on the datagrams; the sender chooses the worker.

use std::collections::VecDeque;
use std::io;
use std::os::fd::{BorrowedFd, RawFd};

use crate::ipc::channel::{self, Outbox};
use crate::ipc::payload::Carrier;
use crate::log::Level;
use crate::log_at;
use crate::shm::{INBOX_BODY, INBOX_DATAGRAM};
use crate::transport::{Received, TaskIn, TaskOut};

pub struct SocketOut {
    pub outboxes: Vec<Outbox>,
}

impl TaskOut for SocketOut {
    fn outboxes(&mut self) -> &mut [Outbox] {
        &mut self.outboxes
    }
    fn outboxes_ref(&self) -> &[Outbox] {
        &self.outboxes
    }
    fn task_workers(&self) -> usize {
        self.outboxes.len()
    }
    fn any_free(&self) -> Option<usize> {
        None
    }
    fn carrier(&self) -> Carrier {
        Carrier::Pass
    }
}

/// A task worker's own socketpair end.
pub struct SocketIn {
    fd: RawFd,
}

impl SocketIn {
    /// `fd` stays open for the life of the worker. The receive timeout bounds the rare race
    /// with a SIGTERM that lands just before the worker goes to sleep in recv.
    pub fn new(fd: RawFd) -> io::Result<SocketIn> {
        // SAFETY: borrowing an fd the worker keeps open for its whole life.
        let b = unsafe { BorrowedFd::borrow_raw(fd) };
        let tv = nix::sys::time::TimeVal::new(1, 0);
        nix::sys::socket::setsockopt(&b, nix::sys::socket::sockopt::ReceiveTimeout, &tv)?;
        Ok(SocketIn { fd })
    }
}

impl TaskIn for SocketIn {
    fn receive(&mut self, buf: &mut [u8], wait: bool) -> io::Result<Option<Received>> {
        let mut fds = VecDeque::new();
        // recv with SO_RCVTIMEO is never restarted after a signal (signal(7)): SIGTERM wakes it.
        match channel::recv(self.fd, &mut buf[INBOX_BODY..INBOX_BODY + INBOX_DATAGRAM], &mut fds, wait) {
            Ok(Some(n)) => Ok(Some(Received { end: INBOX_BODY + n, shared: false, fds })),
            Ok(None) => Ok(None),
            Err(e) if matches!(e.raw_os_error(), Some(libc::EAGAIN | libc::EINTR)) => Ok(None),
            Err(e) if e.raw_os_error().is_none() => {
                // A datagram no sender of ours makes (too long, too many descriptors): dropped
                // whole, its descriptors closed, nothing recorded.
                log_at!(Level::Warning, "TaskWorker::receive", "{}", e);
                buf.fill(0);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    fn fd(&self) -> Option<RawFd> {
        Some(self.fd)
    }
}
