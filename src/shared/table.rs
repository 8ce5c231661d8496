//! `Swoole\Table`: a fixed-size hash table of typed rows in shared memory.
//!
//! Layout of the mapping: a header (row count, free list, statistics), `size` buckets (a
//! robust [`Mutex`] and the index of the chain's first row each), then `capacity` rows. Unlike
//! Swoole, rows are not tied to buckets: every row can serve any bucket's chain, so the table
//! holds exactly `capacity` keys whatever their hashes (Swoole wastes a bucket's own row when
//! no key hashes there and runs out of its small conflict pool early). Rows come from a
//! lock-free free list, so no lock at all guards allocation, and a bucket's lock guards its
//! chain and the rows on it. Rows never handed out are never touched, so a large table costs
//! memory only as it fills.

use std::cell::Cell;
use std::io;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::SeqCst};

use thiserror::Error;

use super::lock::{Acquired, Mutex, Wait};
use super::region::Region;

/// Longest key + 1 (Swoole's `SW_TABLE_KEY_SIZE`).
pub const KEY_SIZE: usize = 64;
/// Swoole's largest table.
pub const MAX_SIZE: u32 = 1 << 31;
const MIN_SIZE: u32 = 64;
const NONE: u32 = 0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Int,
    Float,
    Str,
}

#[derive(Clone, Debug)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
    /// Longest string (strings only; rounded up to a multiple of 8 as Swoole does).
    pub max_len: usize,
    offset: usize,
}

impl Column {
    fn bytes(&self) -> usize {
        match self.ty {
            ColumnType::Int | ColumnType::Float => 8,
            ColumnType::Str => 4 + self.max_len,
        }
    }
}

/// A value to store (strings are cut at the column's size).
#[derive(Clone, Copy, Debug)]
pub enum Value<'a> {
    Int(i64),
    Float(f64),
    Str(&'a [u8]),
}

/// A value read back.
#[derive(Clone, Debug, PartialEq)]
pub enum Owned {
    Int(i64),
    Float(f64),
    Str(Vec<u8>),
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TableError {
    #[error("table is not created or has been destroyed")]
    NotCreated,
    #[error("key length exceeds the limit of {} bytes", KEY_SIZE - 1)]
    KeyTooLong,
    #[error("unable to allocate memory")]
    Full,
    #[error("column[{0}] does not exist")]
    NoColumn(String),
    #[error("can't execute '{0}' on a string type column")]
    StringColumn(&'static str),
}

/// Why `column()` refused a column.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ColumnError {
    #[error("the length of string type values has to be more than zero")]
    EmptyString,
    #[error("unable to add column after table has been created")]
    Created,
    #[error("column {0} already exists")]
    Duplicate(String),
}

#[repr(C)]
struct Header {
    rows: AtomicU32,
    /// Rows handed out at least once; rows above it were never touched.
    high_water: AtomicU32,
    /// Free list of rows given back: row index + 1 in the low half, a tag against ABA above.
    free_top: AtomicU64,
    inserts: AtomicU64,
    updates: AtomicU64,
    deletes: AtomicU64,
    conflicts: AtomicU64,
    max_chain: AtomicU32,
}

#[repr(C)]
struct Bucket {
    lock: Mutex,
    /// First row of the chain, index + 1 (0: empty).
    head: AtomicU32,
}

#[repr(C)]
struct RowHead {
    /// Next row of the chain (or of the free list), index + 1.
    next: AtomicU32,
    key_len: AtomicU32,
    /// Touched only through [`Table::key`] / [`Table::set_key`] (raw pointers: other processes
    /// write it too, so no Rust reference to it may exist).
    key: [u8; KEY_SIZE],
}

const HEADER: usize = 64;
const _: () = assert!(std::mem::size_of::<Header>() <= HEADER);

/// Statistics, as `Swoole\Table::stats()` reports them.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub rows: u64,
    pub conflict_count: u64,
    pub conflict_max_level: u64,
    pub insert_count: u64,
    pub update_count: u64,
    pub delete_count: u64,
    pub available: u64,
    pub total: u64,
}

/// One row read out under its lock, for iteration.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub key: Vec<u8>,
    pub values: Vec<Owned>,
}

pub struct Table {
    size: u32,
    capacity: u32,
    columns: Vec<Column>,
    data_size: usize,
    row_size: usize,
    region: Option<Region>,
    created: bool,
    /// A dead holder whose row lock this process took over, for the caller to report.
    recovered: Cell<Option<u32>>,
}

/// Where a key's row is, found under its bucket's lock.
struct Found {
    prev: Option<u32>,
    row: u32,
}

impl Table {
    /// `size` rounded up to a power of two (at least 64); `conflict` is the share of extra rows
    /// (clamped to 0.2 ..= 1, as Swoole).
    pub fn new(size: i64, conflict: f64) -> Table {
        let size = if size >= i64::from(MAX_SIZE) { MAX_SIZE } else { (size.max(1) as u32).next_power_of_two().max(MIN_SIZE) };
        let conflict = if conflict.is_nan() { 0.2 } else { conflict.clamp(0.2, 1.0) };
        let extra = (f64::from(size) * conflict) as u32;
        Table {
            size,
            capacity: size.saturating_add(extra).min(u32::MAX - 1),
            columns: Vec::new(),
            data_size: 0,
            row_size: std::mem::size_of::<RowHead>(),
            region: None,
            created: false,
            recovered: Cell::new(None),
        }
    }

    pub fn size(&self) -> u32 {
        self.size
    }

    pub fn capacity(&self) -> u32 {
        self.capacity
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn column_index(&self, name: &[u8]) -> Option<usize> {
        self.columns.iter().position(|c| c.name.as_bytes() == name)
    }

    pub fn is_created(&self) -> bool {
        self.created && self.region.is_some()
    }

    pub fn add_column(&mut self, name: &str, ty: ColumnType, size: i64) -> Result<(), ColumnError> {
        if ty == ColumnType::Str && size < 1 {
            return Err(ColumnError::EmptyString);
        }
        if self.created {
            return Err(ColumnError::Created);
        }
        if self.columns.iter().any(|c| c.name == name) {
            return Err(ColumnError::Duplicate(name.to_string()));
        }
        // Strings rounded up to 8 bytes as Swoole; no column larger than a row may be.
        let max_len = if ty == ColumnType::Str { (size.min(i64::from(u32::MAX)) as usize).div_ceil(8) * 8 } else { 0 };
        let col = Column { name: name.to_string(), ty, max_len, offset: self.data_size };
        self.data_size += col.bytes();
        self.columns.push(col);
        Ok(())
    }

    /// Bytes the mapping takes (also before create(): what it will take).
    pub fn memory_size(&self) -> Option<usize> {
        let row_size = (std::mem::size_of::<RowHead>() + self.data_size).div_ceil(8) * 8;
        let buckets = (self.size as usize).checked_mul(std::mem::size_of::<Bucket>())?;
        let rows = (self.capacity as usize).checked_mul(row_size)?;
        HEADER.checked_add(buckets)?.checked_add(rows)
    }

    /// Maps the table's memory. False when it is larger than this machine's memory (a
    /// mapping that large would fail later, when it is touched, not now).
    pub fn create(&mut self) -> io::Result<()> {
        if self.created {
            return Ok(());
        }
        let total = self.memory_size().ok_or_else(|| io::Error::from_raw_os_error(libc::ENOMEM))?;
        // SAFETY: sysconf has no preconditions.
        let phys = unsafe { libc::sysconf(libc::_SC_PHYS_PAGES) }.max(0) as usize * 4096;
        if phys > 0 && total > phys {
            return Err(io::Error::from_raw_os_error(libc::ENOMEM));
        }
        self.row_size = (std::mem::size_of::<RowHead>() + self.data_size).div_ceil(8) * 8;
        self.region = Some(Region::new(total)?);
        self.created = true;
        Ok(())
    }

    /// Unmaps the table in this process (other processes keep their mapping).
    pub fn destroy(&mut self) {
        self.region = None;
    }

    fn region(&self) -> Result<&Region, TableError> {
        self.region.as_ref().ok_or(TableError::NotCreated)
    }

    fn header<'a>(&self, r: &'a Region) -> &'a Header {
        // SAFETY: the header is at offset 0, zero is valid for its atomics.
        unsafe { r.at(0) }
    }

    fn bucket<'a>(&self, r: &'a Region, key: &[u8]) -> &'a Bucket {
        let b = (hash(key) & u64::from(self.size - 1)) as usize;
        // SAFETY: b < size buckets laid out after the header; 8-byte aligned; zero is valid.
        unsafe { r.at(HEADER + b * std::mem::size_of::<Bucket>()) }
    }

    fn row_offset(&self, row: u32) -> usize {
        HEADER + self.size as usize * std::mem::size_of::<Bucket>() + row as usize * self.row_size
    }

    fn row_head<'a>(&self, r: &'a Region, row: u32) -> &'a RowHead {
        // SAFETY: row < capacity, rows are 8-byte multiples after 8-byte aligned buckets.
        unsafe { r.at(self.row_offset(row)) }
    }

    /// The row's column bytes; only to be touched under the row's bucket lock.
    fn data(&self, r: &Region, row: u32) -> *mut u8 {
        // SAFETY: within the mapping: the row's data follows its head.
        unsafe { r.base().add(self.row_offset(row) + std::mem::size_of::<RowHead>()) }
    }

    fn lock<'a>(&self, bucket: &'a Bucket) -> BucketGuard<'a> {
        if let Acquired::Recovered(tid) = bucket.lock.lock(Wait::Forever) {
            self.recovered.set(Some(tid));
        }
        BucketGuard(bucket)
    }

    /// The holder this process took a row lock over from, since the last call.
    pub fn take_recovered(&self) -> Option<u32> {
        self.recovered.take()
    }

    fn key_of(&self, r: &Region, row: u32) -> Vec<u8> {
        self.key(r, row).to_vec()
    }

    /// The row's key; only under its bucket lock (or while the row is ours alone).
    fn key<'a>(&self, r: &'a Region, row: u32) -> &'a [u8] {
        let len = (self.row_head(r, row).key_len.load(SeqCst) as usize).min(KEY_SIZE);
        // SAFETY: the key bytes lie within the row; the bucket lock keeps writers out while
        // the slice lives (callers hold it).
        unsafe { std::slice::from_raw_parts(r.base().add(self.row_offset(row) + std::mem::offset_of!(RowHead, key)), len) }
    }

    fn set_key(&self, r: &Region, row: u32, key: &[u8]) {
        // SAFETY: key.len() < KEY_SIZE (checked by the callers); the row is not yet linked, so
        // no other process reads it.
        unsafe { std::ptr::copy_nonoverlapping(key.as_ptr(), r.base().add(self.row_offset(row) + std::mem::offset_of!(RowHead, key)), key.len()) };
        self.row_head(r, row).key_len.store(key.len() as u32, SeqCst);
    }

    fn find(&self, r: &Region, bucket: &Bucket, key: &[u8]) -> Option<Found> {
        let mut prev = None;
        let mut cur = bucket.head.load(SeqCst);
        let mut steps = 0;
        while cur != NONE && steps <= self.capacity {
            let row = cur - 1;
            let h = self.row_head(r, row);
            if self.key(r, row) == key {
                return Some(Found { prev, row });
            }
            prev = Some(row);
            cur = h.next.load(SeqCst);
            steps += 1;
        }
        None
    }

    fn alloc(&self, r: &Region) -> Option<u32> {
        let h = self.header(r);
        loop {
            let top = h.free_top.load(SeqCst);
            let first = top as u32;
            if first == NONE {
                break;
            }
            let next = self.row_head(r, first - 1).next.load(SeqCst);
            let new = (((top >> 32) + 1) << 32) | u64::from(next);
            if h.free_top.compare_exchange(top, new, SeqCst, SeqCst).is_ok() {
                return Some(first - 1);
            }
        }
        let row = h.high_water.fetch_add(1, SeqCst);
        if row < self.capacity {
            return Some(row);
        }
        h.high_water.fetch_sub(1, SeqCst);
        None
    }

    fn free(&self, r: &Region, row: u32) {
        let h = self.header(r);
        let head = self.row_head(r, row);
        loop {
            let top = h.free_top.load(SeqCst);
            head.next.store(top as u32, SeqCst);
            let new = (((top >> 32) + 1) << 32) | u64::from(row + 1);
            if h.free_top.compare_exchange(top, new, SeqCst, SeqCst).is_ok() {
                return;
            }
        }
    }

    fn check_key(key: &[u8]) -> Result<(), TableError> {
        if key.len() >= KEY_SIZE {
            Err(TableError::KeyTooLong)
        } else {
            Ok(())
        }
    }

    /// The key's row under its lock, made (with zeroed columns) when absent.
    fn row_for_write<'a>(&self, r: &'a Region, key: &[u8]) -> Result<(BucketGuard<'a>, u32), TableError> {
        Self::check_key(key)?;
        let bucket = self.bucket(r, key);
        let guard = self.lock(bucket);
        let h = self.header(r);
        if let Some(f) = self.find(r, bucket, key) {
            h.updates.fetch_add(1, SeqCst);
            return Ok((guard, f.row));
        }
        let row = self.alloc(r).ok_or(TableError::Full)?;
        let head = self.row_head(r, row);
        self.set_key(r, row, key);
        // SAFETY: the row is ours alone until linked below.
        unsafe { std::ptr::write_bytes(self.data(r, row), 0, self.data_size) };
        let first = bucket.head.load(SeqCst);
        head.next.store(first, SeqCst);
        if first != NONE {
            h.conflicts.fetch_add(1, SeqCst);
            let mut depth = 1;
            let mut cur = first;
            while cur != NONE && depth <= self.capacity {
                cur = self.row_head(r, cur - 1).next.load(SeqCst);
                depth += 1;
            }
            h.max_chain.fetch_max(depth - 1, SeqCst);
        }
        // One store links the finished row: a holder dying before it leaves the chain intact.
        bucket.head.store(row + 1, SeqCst);
        h.rows.fetch_add(1, SeqCst);
        h.inserts.fetch_add(1, SeqCst);
        Ok((guard, row))
    }

    fn write(&self, r: &Region, row: u32, col: &Column, v: Value) {
        let p = self.data(r, row);
        // SAFETY: under the bucket lock; offsets and lengths are within the row's data.
        unsafe {
            let at = p.add(col.offset);
            match (col.ty, v) {
                (ColumnType::Int, Value::Int(i)) => at.cast::<i64>().write_unaligned(i),
                (ColumnType::Int, Value::Float(f)) => at.cast::<i64>().write_unaligned(f as i64),
                (ColumnType::Float, Value::Float(f)) => at.cast::<f64>().write_unaligned(f),
                (ColumnType::Float, Value::Int(i)) => at.cast::<f64>().write_unaligned(i as f64),
                (ColumnType::Str, Value::Str(s)) => {
                    let n = s.len().min(col.max_len);
                    at.cast::<u32>().write_unaligned(n as u32);
                    std::ptr::copy_nonoverlapping(s.as_ptr(), at.add(4), n);
                }
                (ColumnType::Str, _) | (_, Value::Str(_)) => {}
            }
        }
    }

    fn read(&self, r: &Region, row: u32, col: &Column) -> Owned {
        let p = self.data(r, row);
        // SAFETY: under the bucket lock; offsets and lengths are within the row's data; a
        // stored length never exceeds the column (min() guards a half-written row).
        unsafe {
            let at = p.add(col.offset);
            match col.ty {
                ColumnType::Int => Owned::Int(at.cast::<i64>().read_unaligned()),
                ColumnType::Float => Owned::Float(at.cast::<f64>().read_unaligned()),
                ColumnType::Str => {
                    let n = (at.cast::<u32>().read_unaligned() as usize).min(col.max_len);
                    Owned::Str(std::slice::from_raw_parts(at.add(4), n).to_vec())
                }
            }
        }
    }

    /// `set()`: a new row gets `values` and zeroes elsewhere, an existing one only `values`
    /// (column index, value).
    pub fn set(&self, key: &[u8], values: &[(usize, Value)]) -> Result<(), TableError> {
        let r = self.region()?;
        let (_guard, row) = self.row_for_write(r, key)?;
        for &(i, v) in values {
            if let Some(col) = self.columns.get(i) {
                self.write(r, row, col, v);
            }
        }
        if crate::fault::hit(crate::fault::Point::TableRowLocked) {
            crate::fault::kill_self();
        }
        Ok(())
    }

    /// `incr()` / `decr()` (`op` names it in errors): adds `by` to a number column, making
    /// the row when absent; the new value.
    pub fn add(&self, key: &[u8], column: &[u8], by: Value, op: &'static str) -> Result<Owned, TableError> {
        let r = self.region()?;
        Self::check_key(key)?;
        let i = self.column_index(column).ok_or_else(|| TableError::NoColumn(String::from_utf8_lossy(column).into_owned()))?;
        let col = &self.columns[i];
        if col.ty == ColumnType::Str {
            return Err(TableError::StringColumn(op));
        }
        let (_guard, row) = self.row_for_write(r, key)?;
        let new = match (self.read(r, row, col), by) {
            (Owned::Int(v), Value::Int(d)) => Owned::Int(v.wrapping_add(d)),
            (Owned::Int(v), Value::Float(d)) => Owned::Int(v.wrapping_add(d as i64)),
            (Owned::Float(v), Value::Float(d)) => Owned::Float(v + d),
            (Owned::Float(v), Value::Int(d)) => Owned::Float(v + d as f64),
            (old, _) => old,
        };
        match &new {
            Owned::Int(v) => self.write(r, row, col, Value::Int(*v)),
            Owned::Float(v) => self.write(r, row, col, Value::Float(*v)),
            Owned::Str(_) => {}
        }
        Ok(new)
    }

    /// Calls `f` with the key's row under its lock; None when absent (or the key too long
    /// to exist).
    pub fn with_row<R>(&self, key: &[u8], f: impl FnOnce(RowRef) -> R) -> Result<Option<R>, TableError> {
        let r = self.region()?;
        if key.len() >= KEY_SIZE {
            return Ok(None);
        }
        let bucket = self.bucket(r, key);
        let _guard = self.lock(bucket);
        Ok(self.find(r, bucket, key).map(|found| f(RowRef { table: self, region: r, row: found.row })))
    }

    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<Owned>>, TableError> {
        self.with_row(key, |row| self.columns.iter().map(|c| row.value(c)).collect())
    }

    pub fn exists(&self, key: &[u8]) -> Result<bool, TableError> {
        Ok(self.with_row(key, |_| ())?.is_some())
    }

    pub fn del(&self, key: &[u8]) -> Result<bool, TableError> {
        let r = self.region()?;
        if key.len() >= KEY_SIZE {
            return Ok(false);
        }
        let bucket = self.bucket(r, key);
        let guard = self.lock(bucket);
        let Some(found) = self.find(r, bucket, key) else { return Ok(false) };
        let next = self.row_head(r, found.row).next.load(SeqCst);
        match found.prev {
            Some(p) => self.row_head(r, p).next.store(next, SeqCst),
            None => bucket.head.store(next, SeqCst),
        }
        drop(guard);
        let h = self.header(r);
        h.rows.fetch_sub(1, SeqCst);
        h.deletes.fetch_add(1, SeqCst);
        self.free(r, found.row);
        Ok(true)
    }

    pub fn count(&self) -> u64 {
        self.region.as_ref().map_or(0, |r| u64::from(self.header(r).rows.load(SeqCst)))
    }

    pub fn stats(&self) -> Option<Stats> {
        let r = self.region.as_ref()?;
        let h = self.header(r);
        let rows = u64::from(h.rows.load(SeqCst));
        Some(Stats {
            rows,
            conflict_count: h.conflicts.load(SeqCst),
            conflict_max_level: u64::from(h.max_chain.load(SeqCst)),
            insert_count: h.inserts.load(SeqCst),
            update_count: h.updates.load(SeqCst),
            delete_count: h.deletes.load(SeqCst),
            available: u64::from(self.capacity).saturating_sub(rows),
            total: u64::from(self.capacity),
        })
    }

    /// Every row of bucket `b` (in chain order), read under the bucket's lock.
    pub fn bucket_rows(&self, b: u32, out: &mut Vec<Snapshot>) -> Result<(), TableError> {
        let r = self.region()?;
        if b >= self.size {
            return Ok(());
        }
        // SAFETY: b < size; as in bucket().
        let bucket: &Bucket = unsafe { r.at(HEADER + b as usize * std::mem::size_of::<Bucket>()) };
        if bucket.head.load(SeqCst) == NONE {
            return Ok(());
        }
        let _guard = self.lock(bucket);
        let mut cur = bucket.head.load(SeqCst);
        let mut steps = 0;
        while cur != NONE && steps <= self.capacity {
            let row = cur - 1;
            out.push(Snapshot { key: self.key_of(r, row), values: self.columns.iter().map(|c| self.read(r, row, c)).collect() });
            cur = self.row_head(r, row).next.load(SeqCst);
            steps += 1;
        }
        Ok(())
    }
}

/// A row seen under its lock.
pub struct RowRef<'a> {
    table: &'a Table,
    region: &'a Region,
    row: u32,
}

impl RowRef<'_> {
    pub fn value(&self, col: &Column) -> Owned {
        self.table.read(self.region, self.row, col)
    }
}

struct BucketGuard<'a>(&'a Bucket);

impl Drop for BucketGuard<'_> {
    fn drop(&mut self) {
        self.0.lock.unlock();
    }
}

/// A walk over a table in bucket order, one bucket read (under its lock) at a time.
#[derive(Default)]
pub struct Cursor {
    next_bucket: u32,
    buf: std::collections::VecDeque<Snapshot>,
}

impl Cursor {
    pub fn rewind(&mut self, t: &Table) -> Result<(), TableError> {
        self.next_bucket = 0;
        self.buf.clear();
        self.fill(t)
    }

    pub fn next(&mut self, t: &Table) -> Result<(), TableError> {
        self.buf.pop_front();
        self.fill(t)
    }

    pub fn current(&self) -> Option<&Snapshot> {
        self.buf.front()
    }

    fn fill(&mut self, t: &Table) -> Result<(), TableError> {
        let mut v = Vec::new();
        while self.buf.is_empty() && self.next_bucket < t.size() {
            v.clear();
            t.bucket_rows(self.next_bucket, &mut v)?;
            self.buf.extend(v.drain(..));
            self.next_bucket += 1;
        }
        Ok(())
    }
}

/// FNV-1a: the same in every process (no per-process seed), good enough for short keys.
fn hash(key: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in key {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^ (h >> 29)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(size: i64) -> Table {
        let mut t = Table::new(size, 0.2);
        t.add_column("n", ColumnType::Int, 0).unwrap();
        t.add_column("f", ColumnType::Float, 0).unwrap();
        t.add_column("s", ColumnType::Str, 5).unwrap();
        t.create().unwrap();
        t
    }

    #[test]
    fn sizes_round_as_swoole() {
        assert_eq!(Table::new(1, 0.2).size(), 64);
        assert_eq!(Table::new(100, 0.2).size(), 128);
        assert_eq!(Table::new(64, 0.2).capacity(), 76);
        assert_eq!(Table::new(64, 5.0).capacity(), 128);
        assert_eq!(Table::new(i64::MAX, 0.2).size(), MAX_SIZE);
        let mut t = Table::new(64, 0.2);
        assert_eq!(t.add_column("s", ColumnType::Str, 0), Err(ColumnError::EmptyString));
        t.add_column("s", ColumnType::Str, 5).unwrap();
        assert_eq!(t.columns()[0].max_len, 8);
        assert_eq!(t.add_column("s", ColumnType::Int, 0), Err(ColumnError::Duplicate("s".into())));
    }

    #[test]
    fn set_get_update_del() {
        let t = table(64);
        t.set(b"a", &[(0, Value::Int(7)), (2, Value::Str(b"hello world"))]).unwrap();
        assert_eq!(t.get(b"a").unwrap(), Some(vec![Owned::Int(7), Owned::Float(0.0), Owned::Str(b"hello wo".to_vec())]));
        t.set(b"a", &[(1, Value::Float(1.5))]).unwrap();
        assert_eq!(t.get(b"a").unwrap(), Some(vec![Owned::Int(7), Owned::Float(1.5), Owned::Str(b"hello wo".to_vec())]));
        assert_eq!(t.add(b"a", b"n", Value::Int(-10), "decr").unwrap(), Owned::Int(-3));
        assert_eq!(t.add(b"new", b"f", Value::Int(2), "incr").unwrap(), Owned::Float(2.0));
        assert_eq!(t.add(b"a", b"s", Value::Int(1), "incr"), Err(TableError::StringColumn("incr")));
        assert_eq!(t.add(b"zz", b"x", Value::Int(1), "incr"), Err(TableError::NoColumn("x".into())));
        assert!(!t.exists(b"zz").unwrap());
        assert_eq!(t.count(), 2);
        assert!(t.del(b"a").unwrap());
        assert!(!t.del(b"a").unwrap());
        assert_eq!(t.get(b"a").unwrap(), None);
        assert_eq!(t.count(), 1);
        let long = [b'k'; 64];
        assert_eq!(t.set(&long, &[]), Err(TableError::KeyTooLong));
        t.set(&long[..63], &[]).unwrap();
        assert!(t.exists(&long[..63]).unwrap());
    }

    #[test]
    fn holds_exactly_its_capacity_and_reuses_rows() {
        let t = table(64);
        for i in 0..76 {
            t.set(format!("key{i}").as_bytes(), &[(0, Value::Int(i))]).unwrap();
        }
        assert_eq!(t.set(b"one more", &[]), Err(TableError::Full));
        t.set(b"key5", &[(0, Value::Int(-5))]).unwrap();
        for i in 0..76 {
            let want = if i == 5 { -5 } else { i };
            assert_eq!(t.get(format!("key{i}").as_bytes()).unwrap().unwrap()[0], Owned::Int(want));
        }
        assert!(t.del(b"key3").unwrap());
        t.set(b"one more", &[]).unwrap();
        assert_eq!(t.set(b"two more", &[]), Err(TableError::Full));
        let s = t.stats().unwrap();
        assert_eq!((s.rows, s.total, s.available, s.delete_count), (76, 76, 0, 1));
        let mut c = Cursor::default();
        c.rewind(&t).unwrap();
        let mut keys = Vec::new();
        while let Some(s) = c.current() {
            keys.push(String::from_utf8(s.key.clone()).unwrap());
            c.next(&t).unwrap();
        }
        keys.sort();
        assert_eq!(keys.len(), 76);
        assert!(keys.contains(&"one more".to_string()) && !keys.contains(&"key3".to_string()));
    }

    #[test]
    fn not_created_and_destroyed() {
        let mut t = Table::new(64, 0.2);
        assert_eq!(t.get(b"a"), Err(TableError::NotCreated));
        t.create().unwrap();
        t.set(b"a", &[]).unwrap();
        t.destroy();
        assert_eq!(t.set(b"a", &[]), Err(TableError::NotCreated));
        assert_eq!(t.count(), 0);
    }

    #[test]
    fn huge_table_is_refused_not_mapped() {
        let mut t = Table::new(i64::from(MAX_SIZE), 1.0);
        t.add_column("s", ColumnType::Str, 1 << 20).unwrap();
        assert!(t.create().is_err());
    }

    #[test]
    fn processes_share_rows() {
        let t = table(1024);
        let mut kids = Vec::new();
        for _ in 0..4 {
            // SAFETY: the child only uses the table and _exits.
            match unsafe { nix::unistd::fork() }.unwrap() {
                nix::unistd::ForkResult::Child => {
                    for i in 0..2000 {
                        t.add(b"sum", b"n", Value::Int(1), "incr").unwrap();
                        t.set(format!("k{}", i % 300).as_bytes(), &[(0, Value::Int(i))]).unwrap();
                    }
                    // SAFETY: ends the child without the harness.
                    unsafe { libc::_exit(0) }
                }
                nix::unistd::ForkResult::Parent { child } => kids.push(child),
            }
        }
        for k in kids {
            nix::sys::wait::waitpid(k, None).unwrap();
        }
        assert_eq!(t.get(b"sum").unwrap().unwrap()[0], Owned::Int(8000));
        assert_eq!(t.count(), 301);
    }
}
