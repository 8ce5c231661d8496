//! Plain values shared by every process role. Nothing here knows about PHP.

use std::rc::Rc;

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
    pub bytes: Bytes,
}

/// The bytes of a payload, wherever they already are: large payloads are neither copied out of
/// the sender's own string nor into a buffer on arrival (they are mapped), so each crosses
/// memory once per direction on its way between two PHP strings.
#[derive(Clone)]
pub enum Bytes {
    Owned(Vec<u8>),
    /// Bytes owned by the runtime that made them (a PHP string), kept alive here.
    Shared(Rc<dyn AsRef<[u8]>>),
}

impl Default for Bytes {
    fn default() -> Self {
        Bytes::Owned(Vec::new())
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Owned(v) => v,
            Bytes::Shared(s) => s.as_ref().as_ref(),
        }
    }
}

impl PartialEq for Bytes {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Bytes {}

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.len())
    }
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Self {
        Bytes::Owned(v)
    }
}

impl Payload {
    pub fn raw(bytes: impl Into<Vec<u8>>) -> Self {
        Payload { serialized: false, bytes: Bytes::Owned(bytes.into()) }
    }
    pub fn serialized(bytes: impl Into<Vec<u8>>) -> Self {
        Payload { serialized: true, bytes: Bytes::Owned(bytes.into()) }
    }
}

/// A received body, borrowed from wherever it arrived (the inbox buffer, a mapping) for the
/// one callback that consumes it.
#[derive(Clone, Copy, Debug)]
pub struct Body<'a> {
    pub serialized: bool,
    pub bytes: &'a [u8],
}

/// What a task worker knows about the task it is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskInfo {
    pub id: TaskId,
    /// The event worker that sent it.
    pub src_worker: WorkerId,
}
