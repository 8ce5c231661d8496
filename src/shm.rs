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
}

/// Most tasks one datagram to a task worker may carry (its slot records them, see below).
pub const TASKS_PER_DATAGRAM: usize = 16;

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
    /// Task workers: tasks taken from the channel (one datagram) and not started yet. A dead
    /// worker's manager reports them and takes them off `queued` and `tasking_num`.
    pub held: [TaskRef; TASKS_PER_DATAGRAM],
    /// Whether the `held` datagram was only peeked at (HELD_PEEKED: it may still be in the
    /// channel) or taken out of it (HELD_TAKEN).
    pub held_state: AtomicU32,
}

pub const HELD_PEEKED: u32 = 1;
pub const HELD_TAKEN: u32 = 2;

/// Names one task in a slot: who sent it (which incarnation) and its id.
#[repr(C)]
#[derive(Default)]
pub struct TaskRef {
    /// Source event worker id + 1; 0 = empty.
    src: AtomicU32,
    generation: AtomicU32,
    task: AtomicI64,
    /// Taken from the shared queue (mode 3): not counted in the worker's `queued`.
    shared: AtomicU32,
}

/// A task a dead task worker had taken: who sent it, which incarnation, its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Taken {
    pub src: WorkerId,
    pub generation: u32,
    pub task: i64,
    pub shared: bool,
}

impl TaskRef {
    pub fn set(&self, src: WorkerId, generation: u32, task: i64, shared: bool) {
        self.task.store(task, Relaxed);
        self.generation.store(generation, Relaxed);
        self.shared.store(u32::from(shared), Relaxed);
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
                shared: self.shared.load(Relaxed) != 0,
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

pub struct Shm {
    base: NonNull<u8>,
    len: usize,
    workers: usize,
}

impl Shm {
    pub fn new(workers: usize) -> io::Result<Shm> {
        let len = std::mem::size_of::<Header>() + workers * std::mem::size_of::<WorkerSlot>();
        let nz = NonZeroUsize::new(len).ok_or_else(|| io::Error::other("empty shared region"))?;
        // SAFETY: a fresh anonymous mapping aliases nothing; zeroed memory is a valid value of
        // every atomic in Header and WorkerSlot, and both are repr(C) with no padding invariants.
        let ptr = unsafe {
            mmap_anonymous(None, nz, ProtFlags::PROT_READ | ProtFlags::PROT_WRITE, MapFlags::MAP_SHARED)?
        };
        Ok(Shm { base: ptr.cast(), len, workers })
    }

    pub fn header(&self) -> &Header {
        // SAFETY: the mapping starts with a Header, lives as long as self, and is only accessed
        // through atomics, so shared references across processes are sound.
        unsafe { &*self.base.as_ptr().cast::<Header>() }
    }

    pub fn slot(&self, id: WorkerId) -> &WorkerSlot {
        let i = (id as usize).min(self.workers.saturating_sub(1));
        // SAFETY: slots follow the header, `i` is within `workers` (clamped above), and the
        // alignment of WorkerSlot divides the header size (both are cache-line aligned).
        unsafe {
            let first = self.base.as_ptr().add(std::mem::size_of::<Header>()).cast::<WorkerSlot>();
            &*first.add(i)
        }
    }
}

impl Drop for Shm {
    fn drop(&mut self) {
        // SAFETY: base/len describe the mapping made in new(); no reference outlives self.
        let _ = unsafe { munmap(self.base.cast(), self.len) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::wait::waitpid;
    use nix::unistd::{fork, ForkResult};

    #[test]
    fn layout_keeps_slots_aligned_and_apart() {
        assert_eq!(std::mem::size_of::<Header>() % std::mem::align_of::<WorkerSlot>(), 0);
        let shm = Shm::new(3).unwrap();
        let a = shm.slot(0) as *const _ as usize;
        let b = shm.slot(1) as *const _ as usize;
        assert!(b - a >= 64);
        assert_eq!(shm.slot(2).status(), WorkerStatus::Exit);
    }

    #[test]
    fn a_child_process_writes_are_seen_by_the_parent() {
        let shm = Shm::new(2).unwrap();
        // SAFETY: the child only touches atomics and exits with _exit.
        match unsafe { fork() }.unwrap() {
            ForkResult::Child => {
                shm.header().task_count.fetch_add(41, Relaxed);
                shm.slot(1).queued.fetch_add(1, Relaxed);
                unsafe { libc::_exit(0) };
            }
            ForkResult::Parent { child } => {
                waitpid(child, None).unwrap();
                assert_eq!(shm.header().task_count.load(Relaxed), 41);
                assert_eq!(shm.slot(1).queued.load(Relaxed), 1);
            }
        }
    }
}
