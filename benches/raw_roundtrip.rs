//! The raw baseline for php/bench/task_roundtrip.php: one process keeps K 16-byte messages in
//! flight to 4 forked children over AF_UNIX SOCK_SEQPACKET socketpairs (the transport rswoole
//! uses), each child echoes, until N round trips are done. Prints round trips per second.
//! Usage: raw_roundtrip [K] [N]

use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::time::Instant;

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::socket::{recv, send, socketpair, AddressFamily, MsgFlags, SockFlag, SockType};
use nix::sys::wait::waitpid;
use nix::unistd::{fork, ForkResult};

const CHILDREN: usize = 4;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
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
