//! A user process (`addProcess()`): forked and supervised by the manager like a worker, but
//! it runs the user's callback instead of a loop of ours. It can message any worker, and it
//! keeps timers: once the callback returns, the process stays up while it has timers and
//! fires them (as Swoole's event loop does after a user process's callback), then exits and
//! is started again. The manager backs off before restarting one that keeps returning at once
//! (Swoole restarts it in a tight loop).

use std::cell::RefCell;
use std::os::fd::BorrowedFd;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Instant;

use nix::poll::{poll, PollFd, PollFlags};
use nix::sys::signal::Signal;

use crate::handler::{Handler, MessageError, Process};
use crate::ipc::channel::Outbox;
use crate::messages;
use crate::shm::Shm;
use crate::signals;
use crate::timer::Timers;
use crate::types::{Payload, WorkerId};

pub struct UserProcess {
    id: WorkerId,
    index: usize,
    shm: Arc<Shm>,
    /// Each event worker's result channel and each task worker's mailbox, for sendMessage().
    events: Vec<Outbox>,
    mailboxes: Vec<Outbox>,
    task_workers: usize,
    timers: Timers,
}

impl UserProcess {
    pub fn new(id: WorkerId, index: usize, shm: Arc<Shm>, events: Vec<Outbox>, mailboxes: Vec<Outbox>, task_workers: usize) -> Self {
        UserProcess { id, index, shm, events, mailboxes, task_workers, timers: Timers::default() }
    }

    pub fn id(&self) -> WorkerId {
        self.id
    }

    pub fn shm(&self) -> &Arc<Shm> {
        &self.shm
    }

    pub fn timers(&mut self) -> &mut Timers {
        &mut self.timers
    }

    /// Sends at once, waiting for room if the channel is full: a user process has no loop
    /// that would flush it later, and may block.
    pub fn send_message(&mut self, dst: WorkerId, data: &Payload) -> Result<(), MessageError> {
        let m = messages::frame(self.id, data)?;
        let out = messages::route(self.id, i64::from(dst), &mut self.events, &mut self.mailboxes, self.task_workers)?;
        out.push(m).map_err(|e| MessageError::Send(dst, e))?;
        // Bounded: a destination that does not read must not hold this process forever.
        let deadline = Instant::now() + std::time::Duration::from_secs(5);
        while !out.is_empty() {
            if Instant::now() >= deadline {
                return Err(MessageError::Send(dst, std::io::Error::from_raw_os_error(libc::ETIMEDOUT)));
            }
            out.flush().map_err(|e| MessageError::Send(dst, e))?;
            if let (false, Some(fd)) = (out.is_empty(), out.fd()) {
                // SAFETY: the channel's fd stays open for the life of this process.
                let mut p = [PollFd::new(unsafe { BorrowedFd::borrow_raw(fd) }, PollFlags::POLLOUT)];
                let _ = poll(&mut p, nix::poll::PollTimeout::from(100u8));
            }
        }
        Ok(())
    }
}

/// Runs user process `p`: its callback, then its timers until none is left or SIGTERM.
/// Returns the exit status.
pub fn run<H: Handler>(p: Rc<RefCell<UserProcess>>, h: &mut H) -> i32 {
    let index = p.borrow().index;
    h.enter(Process::User(p.clone()));
    // The callback runs with SIGTERM's default action, so a user loop that never returns
    // still ends at shutdown, as in Swoole.
    if let Some(code) = h.on_user_process(index) {
        return code;
    }
    let code = 0;
    if p.borrow().timers.is_empty() {
        return code;
    }
    let wake = match signals::install(&[Signal::SIGTERM]) {
        Ok(w) => w,
        Err(_) => return code,
    };
    loop {
        if signals::take().has(Signal::SIGTERM) {
            break;
        }
        let due = p.borrow_mut().timers.next_due();
        let Some(due) = due else { break };
        let left = due.saturating_duration_since(Instant::now());
        if !left.is_zero() {
            // SAFETY: the self-pipe lives until the end of this function.
            let mut fds = [PollFd::new(unsafe { BorrowedFd::borrow_raw(wake.fd()) }, PollFlags::POLLIN)];
            let _ = poll(&mut fds, crate::clock::poll_timeout(Some(left)));
            wake.drain();
            continue;
        }
        let fired = p.borrow_mut().timers.pop_due(Instant::now());
        if let Some(id) = fired {
            h.on_timer(id);
            p.borrow_mut().timers.ran(id);
        }
    }
    code
}
