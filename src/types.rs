//! Plain values shared by every process role. Nothing here knows about PHP.

/// Global worker id: event workers are `0..worker_num`, task workers follow them.
pub type WorkerId = u32;
/// Connection id as PHP sees it (`$fd`): unique across the whole server, from 1.
pub type SessionId = i64;
/// Task id as returned by `task()`: a per-process counter from 0.
pub type TaskId = i64;

/// A task or result body. Strings travel raw; other PHP values travel as `serialize()` output,
/// and the flag tells the receiver which one it got.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Payload {
    pub serialized: bool,
    pub bytes: Vec<u8>,
}

impl Payload {
    pub fn raw(bytes: impl Into<Vec<u8>>) -> Self {
        Payload { serialized: false, bytes: bytes.into() }
    }
    pub fn serialized(bytes: impl Into<Vec<u8>>) -> Self {
        Payload { serialized: true, bytes: bytes.into() }
    }
}

/// What a task worker knows about the task it is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskInfo {
    pub id: TaskId,
    /// The event worker that sent it.
    pub src_worker: WorkerId,
}
