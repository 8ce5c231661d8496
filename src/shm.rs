//! The shared region: mapped once by the manager before any fork, so every process sees the
//! same counters and worker slots. Only atomics live here; each hot counter has its own cache
//! line so workers bumping different counters do not contend.

use std::io;
use std::num::NonZeroUsize;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicI32, AtomicI64, AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};

use crossbeam_utils::CachePadded;
use nix::sys::mman::{mmap_anonymous, munmap, MapFlags, ProtFlags};

use crate::types::WorkerId;


#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum WorkerStatus {
    /// Slot not running (before the first fork, or between death and respawn).
    Exit = 0,
    Busy = 1,
    Idle = 2,
}

/// Server-wide counters (stats() and the scheduler).
#[repr(C)]
#[derive(Default)]
pub struct Header {
    pub start_time: AtomicI64,
    pub master_pid: AtomicI32,
    pub manager_pid: AtomicI32,
    /// Set once by event worker 0 so `Start` runs only on the first start.
    pub start_fired: AtomicU32,
    pub round_robin: CachePadded<AtomicUsize>,
    pub session_round: CachePadded<AtomicI64>,
    /// Tasks written to a task worker's channel and not yet started (Swoole's meaning).
    pub tasking_num: CachePadded<AtomicI64>,
    pub task_count: CachePadded<AtomicU64>,
    pub task_lost_num: CachePadded<AtomicU64>,
    /// Lost tasks sent again (task_retry_lost); they are no longer counted as lost.
    pub task_retry_num: AtomicU64,
    pub connection_num: CachePadded<AtomicI64>,
    pub accept_count: CachePadded<AtomicU64>,
    pub close_count: CachePadded<AtomicU64>,
    pub abort_count: AtomicU64,
    pub request_count: CachePadded<AtomicU64>,
    pub dispatch_count: CachePadded<AtomicU64>,
    pub total_recv_bytes: CachePadded<AtomicU64>,
    pub total_send_bytes: CachePadded<AtomicU64>,
    /// The System V queue of task_ipc_mode 2/3 (for stats()), -1 without one.
    pub task_queue_id: AtomicI32,
    /// 1 in PROCESS mode: the master (not the manager) is the process to stop.
    pub process_mode: AtomicU32,
    /// PROCESS mode: reactor threads running.
    pub reactor_threads: AtomicU32,
    /// Task broker: entries dropped unread because their signature did not verify.
    pub broker_rejected: AtomicU64,
}

/// One per worker (event workers first, then task workers), indexed by global worker id.
#[repr(C)]
#[derive(Default)]
pub struct WorkerSlot {
    pub pid: AtomicI32,
    pub status: AtomicU32,
    /// Bumped by the manager at every (re)spawn of this slot.
    pub generation: AtomicU32,
    /// Task workers: tasks in this worker's channel, not yet started.
    pub queued: CachePadded<AtomicI64>,
    /// Event workers: Receive callbacks run. Task workers: tasks run. Since the last spawn.
    pub request_count: AtomicU64,
    /// Task workers: the task being run, so the manager can report it if this worker dies.
    pub running: TaskRef,
    /// Task workers: how many frames of the datagram in this worker's inbox buffer it has
    /// begun. The frames after them were taken from the channel but not started: a dead
    /// worker's manager reports them and takes them off `queued` and `tasking_num`.
    pub started: AtomicU32,
    /// Event workers: set by the manager before it stops this worker for a reload (or by the
    /// worker at max_request): its connections go to its successor instead of being closed.
    pub handover: AtomicU32,
    /// Event workers, PROCESS mode: bytes of client data taken off the reactor links (the
    /// reactors bound what is dispatched and not yet taken).
    pub consumed: AtomicU64,
    /// Event workers, PROCESS mode: requests the reactors dispatched to this worker id.
    pub dispatch_count: AtomicU64,
    /// Event workers, PROCESS mode: the frame being run (`started` is where a successor
    /// resumes: every frame before it ran and its replies left).
    pub link_running: AtomicU32,
    /// Event workers, PROCESS mode: the `link_running` mark a successor ran again (an event that
    /// kills its second process too is dropped).
    pub retried: AtomicU32,
}

/// Names one task in a slot: who sent it (which incarnation) and its id.
#[repr(C)]
#[derive(Default)]
pub struct TaskRef {
    /// Source event worker id + 1; 0 = empty.
    src: AtomicU32,
    generation: AtomicU32,
    task: AtomicI64,
    /// Bit 0: taken from the shared queue (mode 3), not counted in the worker's `queued`.
    /// Bit 1: a broker task (its sender is told of a loss through the broker).
    shared: AtomicU32,
}

/// A task a dead task worker had taken: who sent it, which incarnation, its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taken {
    pub src: WorkerId,
    pub generation: u32,
    pub task: i64,
    pub shared: bool,
    /// Came through the task broker: the broker, not the manager, reports its loss.
    pub broker: bool,
}

impl TaskRef {
    pub fn set(&self, src: WorkerId, generation: u32, task: i64, shared: bool, broker: bool) {
        self.task.store(task, Relaxed);
        self.generation.store(generation, Relaxed);
        self.shared.store(u32::from(shared) | u32::from(broker) << 1, Relaxed);
        self.src.store(src + 1, Relaxed);
    }

    pub fn clear(&self) {
        self.src.store(0, Relaxed);
    }

    /// What the slot names, leaving it as it is.
    pub fn peek(&self) -> Option<Taken> {
        match self.src.load(Relaxed) {
            0 => None,
            s => Some(Taken {
                src: s - 1,
                generation: self.generation.load(Relaxed),
                task: self.task.load(Relaxed),
                shared: self.shared.load(Relaxed) & 1 != 0,
                broker: self.shared.load(Relaxed) & 2 != 0,
            }),
        }
    }

    /// Empties the slot and returns what it named (read by the manager once the worker that
    /// wrote it is dead, so no write races the read).
    pub fn take(&self) -> Option<Taken> {
        let t = self.peek();
        self.clear();
        t
    }
}

impl WorkerSlot {
    pub fn status(&self) -> WorkerStatus {
        match self.status.load(Relaxed) {
            1 => WorkerStatus::Busy,
            2 => WorkerStatus::Idle,
            _ => WorkerStatus::Exit,
        }
    }
    pub fn set_status(&self, s: WorkerStatus) {
        self.status.store(s as u32, Relaxed);
    }
}

// Slots follow the header directly: the header's size must keep them aligned.
const _: () = assert!(std::mem::size_of::<Header>() % std::mem::align_of::<WorkerSlot>() == 0);
const _: () = assert!(std::mem::align_of::<Header>() >= std::mem::align_of::<WorkerSlot>());

/// Most tasks one datagram to a task worker carries: a kill loses (reports) at most these,
/// and a burst spreads over the task workers instead of landing in one worker's batch.
pub const TASKS_PER_DATAGRAM: usize = 16;

/// Largest datagram a task worker receives: a task frame's inline body is at most 64 KiB minus
/// its header, and a flush coalesces frames up to 64 KiB (`ipc::channel`).
pub const INBOX_DATAGRAM: usize = 64 * 1024;
/// A task worker's inbox buffer: the 8-byte message type (System V queues write it in front of
/// the body; socketpairs leave it 0), then the datagram, then zeroes.
pub const INBOX_LEN: usize = 8 + INBOX_DATAGRAM + 4096 - 8;
/// Where the datagram starts in an inbox buffer.
pub const INBOX_BODY: usize = 8;

pub struct Shm {
    base: NonNull<u8>,
    len: usize,
    workers: usize,
    /// One inbox buffer per task worker, in a mapping of its own (page aligned).
    inboxes: Option<(NonNull<u8>, usize)>,
    inbox_count: usize,
}

fn map_shared(len: usize) -> io::Result<NonNull<u8>> {
    let nz = NonZeroUsize::new(len).ok_or_else(|| io::Error::other("empty shared region"))?;
    // SAFETY: a fresh anonymous mapping aliases nothing.
    let ptr = unsafe { mmap_anonymous(None, nz, ProtFlags::PROT_READ | ProtFlags::PROT_WRITE, MapFlags::MAP_SHARED)? };
    Ok(ptr.cast())
}

impl Shm {
    /// The region for `workers` slots (event workers, task workers, then user processes), and
    /// an inbox buffer for each of `task_workers`.
    pub fn new(workers: usize, task_workers: usize) -> io::Result<Shm> {
        let len = std::mem::size_of::<Header>() + workers * std::mem::size_of::<WorkerSlot>();
        // Zeroed memory is a valid value of every atomic in Header and WorkerSlot, and both are
        // repr(C) with no padding invariants.
        let base = map_shared(len)?;
        let inboxes = match task_workers {
            0 => None,
            n => {
                let bytes = n.checked_mul(INBOX_LEN).ok_or_else(|| io::Error::other("too many task workers"))?;
                Some((map_shared(bytes)?, bytes))
            }
        };
        Ok(Shm { base, len, workers, inboxes, inbox_count: task_workers })
    }

    /// Task worker `index`'s inbox buffer (see `task_worker`): written by the kernel when that
    /// worker receives a datagram, read by that worker, and by the manager once it is dead.
    pub fn inbox(&self, index: usize) -> Option<Inbox> {
        let (base, _) = self.inboxes?;
        (index < self.inbox_count).then(|| {
            // SAFETY: index < inbox_count, so the buffer lies inside the mapping.
            Inbox { ptr: unsafe { NonNull::new_unchecked(base.as_ptr().add(index * INBOX_LEN)) } }
        })
    }

    pub fn header(&self) -> &Header {
        // SAFETY: the mapping starts with a Header, lives as long as self, and is only accessed
        // through atomics, so shared references across processes are sound.
        unsafe { &*self.base.as_ptr().cast::<Header>() }
    }

    /// Worker `id`'s slot; None for an id this server does not have.
    pub fn slot(&self, id: WorkerId) -> Option<&WorkerSlot> {
        let i = id as usize;
        if i >= self.workers {
            return None;
        }
        // SAFETY: slots follow the header, `i` is below `workers` (checked above), and the
        // alignment of WorkerSlot divides the header size (checked at compile time).
        Some(unsafe {
            let first = self.base.as_ptr().add(std::mem::size_of::<Header>()).cast::<WorkerSlot>();
            &*first.add(i)
        })
    }

    pub fn workers(&self) -> usize {
        self.workers
    }
}

/// A task worker's inbox buffer in shared memory, INBOX_LEN bytes. Raw on purpose: the kernel
/// writes it (recvmsg, msgrcv), so no Rust reference may be held across a receive.
#[derive(Clone, Copy)]
pub struct Inbox {
    ptr: NonNull<u8>,
}

impl Inbox {
    /// # Safety
    /// No other reference into this buffer may be alive in this process while the returned
    /// one is, and no other process may use it (only its task worker does, while it lives).
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn bytes_mut<'a>(self) -> &'a mut [u8] {
        std::slice::from_raw_parts_mut(self.ptr.as_ptr(), INBOX_LEN)
    }

    /// # Safety
    /// No `bytes_mut` borrow may be alive, and nothing may write the buffer (receive into it)
    /// while the returned slice is used.
    pub unsafe fn bytes<'a>(self) -> &'a [u8] {
        std::slice::from_raw_parts(self.ptr.as_ptr(), INBOX_LEN)
    }
}

// SAFETY: the region holds only atomics (reached through shared references) and the inbox
// buffers, whose raw access is unsafe and documented; a reactor thread reads the counters.
unsafe impl Send for Shm {}
// SAFETY: as for Send: every shared access goes through atomics.
unsafe impl Sync for Shm {}

impl Drop for Shm {
    fn drop(&mut self) {
        // SAFETY: base/len (and the inbox mapping) are the mappings made in new(); no
        // reference outlives self.
        unsafe {
            let _ = munmap(self.base.cast(), self.len);
            if let Some((p, len)) = self.inboxes {
                let _ = munmap(p.cast(), len);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::wait::waitpid;
    use nix::unistd::{fork, ForkResult};

    #[test]
    fn layout_keeps_slots_aligned_and_apart() {
        let shm = Shm::new(3, 2).unwrap();
        let a = shm.slot(0).unwrap() as *const _ as usize;
        let b = shm.slot(1).unwrap() as *const _ as usize;
        assert!(b - a >= 64);
        assert_eq!(shm.slot(2).unwrap().status(), WorkerStatus::Exit);
        assert!(shm.slot(3).is_none(), "a bad id is an error, not another worker's slot");
        assert!(shm.inbox(1).is_some() && shm.inbox(2).is_none());
    }

    #[test]
    fn a_child_process_writes_are_seen_by_the_parent() {
        let shm = Shm::new(2, 1).unwrap();
        // SAFETY: the child only touches atomics and exits with _exit.
        match unsafe { fork() }.unwrap() {
            ForkResult::Child => {
                shm.header().task_count.fetch_add(41, Relaxed);
                shm.slot(1).unwrap().queued.fetch_add(1, Relaxed);
                // SAFETY: no other reference to the inbox exists in this child.
                unsafe { shm.inbox(0).unwrap().bytes_mut()[INBOX_BODY] = 7 };
                unsafe { libc::_exit(0) };
            }
            ForkResult::Parent { child } => {
                waitpid(child, None).unwrap();
                assert_eq!(shm.header().task_count.load(Relaxed), 41);
                assert_eq!(shm.slot(1).unwrap().queued.load(Relaxed), 1);
                // SAFETY: the only writer has exited.
                assert_eq!(unsafe { shm.inbox(0).unwrap().bytes() }[INBOX_BODY], 7);
            }
        }
    }

    #[test]
    fn a_task_ref_names_one_task_until_cleared() {
        let shm = Shm::new(2, 1).unwrap();
        let slot = shm.slot(1).unwrap();
        assert_eq!(slot.running.peek(), None);
        slot.running.set(0, 7, 42, true, false);
        let t = Taken { src: 0, generation: 7, task: 42, shared: true, broker: false };
        assert_eq!(slot.running.peek(), Some(t));
        assert_eq!(slot.running.take(), Some(t));
        assert_eq!(slot.running.peek(), None);
        slot.running.set(3, 1, -1, false, true);
        assert_eq!(slot.running.peek(), Some(Taken { src: 3, generation: 1, task: -1, shared: false, broker: true }));
        slot.running.clear();
        assert_eq!(slot.running.take(), None);
        for s in [WorkerStatus::Busy, WorkerStatus::Idle, WorkerStatus::Exit] {
            slot.set_status(s);
            assert_eq!(slot.status(), s);
        }
        assert_eq!(shm.workers(), 2);
    }

    #[test]
    fn inbox_buffers_are_page_aligned_apart_and_zeroed() {
        let shm = Shm::new(4, 3).unwrap();
        let base = |i| unsafe { shm.inbox(i).unwrap().bytes() }.as_ptr() as usize;
        assert_eq!(base(0) % 4096, 0);
        assert_eq!(base(1) - base(0), INBOX_LEN);
        assert_eq!(base(2) - base(1), INBOX_LEN);
        assert_eq!(INBOX_LEN % 4096, 0);
        assert!(INBOX_LEN >= INBOX_BODY + INBOX_DATAGRAM);
        // SAFETY: nothing else refers to the buffers in this test.
        unsafe {
            assert_eq!(shm.inbox(2).unwrap().bytes().len(), INBOX_LEN);
            assert!(shm.inbox(2).unwrap().bytes().iter().all(|b| *b == 0));
            shm.inbox(2).unwrap().bytes_mut()[INBOX_LEN - 1] = 1;
        }
        let header = std::mem::size_of::<Header>();
        let slot = std::mem::size_of::<WorkerSlot>();
        assert_eq!(shm.slot(3).unwrap() as *const _ as usize - shm.slot(0).unwrap() as *const _ as usize, 3 * slot);
        assert_eq!(shm.slot(0).unwrap() as *const _ as usize - shm.header() as *const _ as usize, header);
        assert!(Shm::new(1, 0).unwrap().inbox(0).is_none());
    }
}
