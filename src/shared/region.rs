//! One anonymous shared mapping, made before fork so every process of the server sees the
//! same bytes. Zeroed when made: the types placed in it (atomics, locks, table rows) are all
//! valid as zeroes.

use std::io;
use std::num::NonZeroUsize;
use std::ptr::NonNull;

use nix::sys::mman::{mmap_anonymous, munmap, MapFlags, ProtFlags};

pub struct Region {
    ptr: NonNull<u8>,
    len: usize,
}

impl Region {
    pub fn new(len: usize) -> io::Result<Self> {
        let size = NonZeroUsize::new(len.max(1)).ok_or_else(|| io::Error::other("empty region"))?;
        // SAFETY: a fresh anonymous shared mapping aliases nothing; it is zeroed and page
        // aligned.
        let p = unsafe { mmap_anonymous(None, size, ProtFlags::PROT_READ | ProtFlags::PROT_WRITE, MapFlags::MAP_SHARED)? };
        Ok(Region { ptr: p.cast(), len: size.get() })
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    pub fn base(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// A shared reference to the `T` at `offset`.
    ///
    /// # Safety
    /// `offset` must be aligned for `T` and `offset + size_of::<T>()` within the region; `T`
    /// must be valid as zeroes (or initialised before) and used only through interior
    /// mutability (atomics), since other processes write the same memory.
    pub unsafe fn at<T>(&self, offset: usize) -> &T {
        debug_assert!(offset + std::mem::size_of::<T>() <= self.len && offset % std::mem::align_of::<T>() == 0);
        // SAFETY: the caller's contract above.
        unsafe { &*(self.ptr.as_ptr().add(offset) as *const T) }
    }
}

impl Drop for Region {
    fn drop(&mut self) {
        // SAFETY: the mapping made in new(); nothing refers to it past self.
        let _ = unsafe { munmap(self.ptr.cast(), self.len) };
    }
}
