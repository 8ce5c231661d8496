//! The raw baseline for php/bench/shared_memory.php: the same operations on the same shared
//! memory (rswoole's own table and atomic, no PHP), from 4 forked processes at once.
//!
//! `shared_raw table|atomic N`: each of 4 processes does N operations (table: a set then a
//! get of one of 1,000 keys with an int and a 32-byte string column; atomic: add(1)); prints
//! the operations per second of all four together.

use std::time::Instant;

use nix::sys::wait::waitpid;
use nix::unistd::{fork, ForkResult};
use rswoole::shared::atomic::Atomic32;
use rswoole::shared::table::{ColumnType, Table, Value};

const PROCS: usize = 4;

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let what = argv.first().map(String::as_str).unwrap_or("table");
    let n: u64 = argv.get(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let mut table = Table::new(4096, 0.2);
    table.add_column("n", ColumnType::Int, 0).expect("column");
    table.add_column("s", ColumnType::Str, 32).expect("column");
    table.create().expect("create");
    let atomic = Atomic32::new(0).expect("atomic");
    let keys: Vec<String> = (0..1000).map(|i| format!("user:{i}")).collect();
    let t = Instant::now();
    let mut kids = Vec::new();
    for p in 0..PROCS {
        // SAFETY: the child only uses memory mapped before the fork, then _exits.
        match unsafe { fork() }.expect("fork") {
            ForkResult::Child => {
                for i in 0..n {
                    if what == "atomic" {
                        atomic.add(1);
                    } else {
                        let k = keys[(i as usize * 7 + p) % keys.len()].as_bytes();
                        let _ = table.set(k, &[(0, Value::Int(i as i64)), (1, Value::Str(b"0123456789abcdef0123456789abcdef"))]);
                        std::hint::black_box(table.get(k).ok());
                    }
                }
                // SAFETY: ends the child without running the parent's destructors.
                unsafe { libc::_exit(0) }
            }
            ForkResult::Parent { child } => kids.push(child),
        }
    }
    for k in kids {
        let _ = waitpid(k, None);
    }
    let ops = if what == "atomic" { n } else { 2 * n } * PROCS as u64;
    println!("{:.0}", ops as f64 / t.elapsed().as_secs_f64());
}
