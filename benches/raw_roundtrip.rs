//! The raw baselines for php/bench/task_roundtrip.php, over AF_UNIX socketpairs:
//!
//! - `raw_roundtrip [K] [N]`: one process keeps K 16-byte messages in flight to 4 forked
//!   children (SOCK_SEQPACKET, rswoole's transport), each echoes, until N round trips are done.
//!   Prints round trips per second.
//! - `raw_roundtrip --latency N [same|cross]`: N sequential 16-byte ping-pongs with one child,
//!   both pinned to CPU 0 or to CPUs 0 and 1; prints the median and p99 round trip in
//!   microseconds.
//! - `raw_roundtrip --bytes SIZE N`: N sequential round trips of SIZE bytes with one child
//!   over a SOCK_STREAM socketpair; prints round trips per second and MB/s (payload counted
//!   once, as for tasks).

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::Instant;

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::socket::{recv, send, socketpair, AddressFamily, MsgFlags, SockFlag, SockType};
use nix::sys::wait::waitpid;
use nix::unistd::{fork, ForkResult};

const CHILDREN: usize = 4;

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, d: usize| argv.get(i).and_then(|a| a.parse().ok()).unwrap_or(d);
    match argv.first().map(String::as_str) {
        Some("--latency") => return latency(num(1, 20_000), argv.get(2).map(String::as_str) == Some("cross")),
        Some("--bytes") => return bulk(num(1, 1 << 20), num(2, 2_000)),
        _ => {}
    }
    let args: Vec<usize> = argv.iter().filter_map(|a| a.parse().ok()).collect();
    let k = args.first().copied().unwrap_or(64);
    let n = args.get(1).copied().unwrap_or(100_000);
    let mut parents: Vec<OwnedFd> = Vec::new();
    let mut pids = Vec::new();
    for _ in 0..CHILDREN {
        let (a, b) = socketpair(AddressFamily::Unix, SockType::SeqPacket, None, SockFlag::empty()).expect("socketpair");
        // SAFETY: single-threaded benchmark; the child only echoes and exits.
        match unsafe { fork() }.expect("fork") {
            ForkResult::Child => {
                drop(a);
                let mut buf = [0u8; 64];
                while let Ok(len) = recv(b.as_raw_fd(), &mut buf, MsgFlags::empty()) {
                    if len == 0 || send(b.as_raw_fd(), &buf[..len], MsgFlags::empty()).is_err() {
                        break;
                    }
                }
                std::process::exit(0);
            }
            ForkResult::Parent { child } => {
                drop(b);
                parents.push(a);
                pids.push(child);
            }
        }
    }
    let msg = [7u8; 16];
    let mut buf = [0u8; 64];
    let start = Instant::now();
    let mut sent = 0;
    for i in 0..k.min(n) {
        send(parents[i % CHILDREN].as_raw_fd(), &msg, MsgFlags::empty()).expect("send");
        sent += 1;
    }
    let mut done = 0;
    while done < n {
        let mut fds: Vec<PollFd> = parents.iter().map(|p| PollFd::new(p.as_fd(), PollFlags::POLLIN)).collect();
        poll(&mut fds, PollTimeout::NONE).expect("poll");
        let ready: Vec<usize> =
            fds.iter().enumerate().filter(|(_, f)| f.revents().is_some_and(|r| r.contains(PollFlags::POLLIN))).map(|(i, _)| i).collect();
        drop(fds);
        for i in ready {
            while recv(parents[i].as_raw_fd(), &mut buf, MsgFlags::MSG_DONTWAIT).is_ok() {
                done += 1;
                if sent < n {
                    send(parents[sent % CHILDREN].as_raw_fd(), &msg, MsgFlags::empty()).expect("send");
                    sent += 1;
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    drop(parents);
    for p in pids {
        let _ = waitpid(p, None);
    }
    println!("{:.0}", n as f64 / secs);
}

/// Forks one echo child on a fresh socketpair of `kind`; returns the parent's end and the pid.
fn echo_child(kind: SockType, size: usize, cpu: usize) -> (OwnedFd, nix::unistd::Pid) {
    let (a, b) = socketpair(AddressFamily::Unix, kind, None, SockFlag::empty()).expect("socketpair");
    // SAFETY: single-threaded benchmark; the child only echoes and exits.
    match unsafe { fork() }.expect("fork") {
        ForkResult::Child => {
            drop(a);
            if cpu != usize::MAX {
                pin(cpu);
            }
            let mut f = std::fs::File::from(b);
            let mut buf = vec![0u8; size];
            use std::io::{Read, Write};
            while f.read_exact(&mut buf).is_ok() {
                if f.write_all(&buf).is_err() {
                    break;
                }
            }
            std::process::exit(0);
        }
        ForkResult::Parent { child } => (a, child),
    }
}

/// Pins the calling process to one CPU.
fn pin(cpu: usize) {
    // SAFETY: cpu_set_t is plain data; sched_setaffinity reads it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

/// `cross`: parent on CPU 0, child on CPU 1 (every round trip wakes the other core);
/// otherwise both on CPU 0.
fn latency(n: usize, cross: bool) {
    pin(0);
    let (a, pid) = echo_child(SockType::SeqPacket, 16, if cross { 1 } else { 0 });
    let mut f = std::fs::File::from(a);
    let msg = [7u8; 16];
    let mut buf = [0u8; 16];
    let mut rtts = Vec::with_capacity(n);
    use std::io::{Read, Write};
    for _ in 0..n {
        let t = Instant::now();
        f.write_all(&msg).expect("send");
        f.read_exact(&mut buf).expect("recv");
        rtts.push(t.elapsed().as_secs_f64() * 1e6);
    }
    drop(f);
    let _ = waitpid(pid, None);
    rtts.sort_by(|x, y| x.total_cmp(y));
    println!("{:.2} {:.2}", rtts[n / 2], rtts[n * 99 / 100]);
}

fn bulk(size: usize, n: usize) {
    let (a, pid) = echo_child(SockType::Stream, size, usize::MAX);
    let mut f = std::fs::File::from(a);
    let msg = vec![7u8; size];
    let mut buf = vec![0u8; size];
    use std::io::{Read, Write};
    let start = Instant::now();
    for _ in 0..n {
        f.write_all(&msg).expect("send");
        f.read_exact(&mut buf).expect("recv");
    }
    let secs = start.elapsed().as_secs_f64();
    drop(f);
    let _ = waitpid(pid, None);
    println!("{:.0} {:.0}", n as f64 / secs, (n * size) as f64 / secs / 1e6);
}
