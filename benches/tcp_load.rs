//! Load generator for php/bench/tcp_echo.php, and the raw baseline it is measured against.
//!
//! - `tcp_load PORT C N SIZE`: C connections to 127.0.0.1:PORT, each sends a SIZE-byte request
//!   and reads the SIZE-byte reply, N times in a row. Prints requests per second over all
//!   connections and the p50 and p99 round trip in microseconds.
//! - `tcp_load --echo`: a raw epoll echo server (mio, one thread, no PHP) on a free loopback
//!   port; prints the port, then serves until killed.
//! - `tcp_load --ticks N MS`: the raw baseline for php/bench/timer_precision.php: N ticks of
//!   MS milliseconds from an epoll wait (mio), each scheduled from the last one's due time;
//!   prints the p50 and p99 lateness in microseconds.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use mio::net::TcpListener;
use mio::{Events, Interest, Poll, Token};

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some("--echo") {
        return echo();
    }
    if argv.first().map(String::as_str) == Some("--ticks") {
        let n: usize = argv.get(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
        let ms: u64 = argv.get(2).and_then(|a| a.parse().ok()).unwrap_or(10);
        return ticks(n, ms);
    }
    let num = |i: usize, d: usize| argv.get(i).and_then(|a| a.parse().ok()).unwrap_or(d);
    let (port, conns, n, size) = (num(0, 9502) as u16, num(1, 16), num(2, 10_000), num(3, 64));
    let t0 = Instant::now();
    let workers: Vec<_> = (0..conns)
        .map(|_| {
            std::thread::spawn(move || {
                let mut c = TcpStream::connect(("127.0.0.1", port)).expect("connect");
                c.set_nodelay(true).expect("nodelay");
                let req = vec![b'x'; size];
                let mut buf = vec![0u8; size];
                let mut lat = Vec::with_capacity(n);
                for _ in 0..n {
                    let t = Instant::now();
                    c.write_all(&req).expect("write");
                    c.read_exact(&mut buf).expect("read");
                    lat.push(t.elapsed().as_secs_f64() * 1e6);
                }
                lat
            })
        })
        .collect();
    let mut lat: Vec<f64> = workers.into_iter().flat_map(|w| w.join().expect("a load thread")).collect();
    let secs = t0.elapsed().as_secs_f64();
    lat.sort_by(|a, b| a.total_cmp(b));
    let pick = |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)];
    println!("{:.0} {:.1} {:.1}", lat.len() as f64 / secs, pick(0.5), pick(0.99));
}

fn echo() {
    let mut poll = Poll::new().expect("poll");
    let mut listener = TcpListener::bind("127.0.0.1:0".parse().expect("addr")).expect("bind");
    println!("{}", listener.local_addr().expect("addr").port());
    poll.registry().register(&mut listener, Token(0), Interest::READABLE).expect("register");
    let mut conns: Vec<Option<mio::net::TcpStream>> = Vec::new();
    let mut events = Events::with_capacity(256);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        poll.poll(&mut events, None).expect("wait");
        for e in events.iter() {
            if e.token() == Token(0) {
                while let Ok((mut s, _)) = listener.accept() {
                    let _ = s.set_nodelay(true);
                    poll.registry().register(&mut s, Token(conns.len() + 1), Interest::READABLE).expect("register");
                    conns.push(Some(s));
                }
                continue;
            }
            let i = e.token().0 - 1;
            let Some(s) = conns[i].as_mut() else { continue };
            loop {
                match s.read(&mut buf) {
                    Ok(0) => {
                        conns[i] = None;
                        break;
                    }
                    Ok(k) => {
                        // Loopback with small requests: the reply fits the socket buffer.
                        if s.write_all(&buf[..k]).is_err() {
                            conns[i] = None;
                            break;
                        }
                        if k < buf.len() {
                            break;
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(_) => {
                        conns[i] = None;
                        break;
                    }
                }
            }
        }
    }
}

fn ticks(n: usize, ms: u64) {
    let mut poll = Poll::new().expect("poll");
    let mut events = Events::with_capacity(8);
    let every = std::time::Duration::from_millis(ms);
    let mut due = Instant::now() + every;
    let mut late = Vec::with_capacity(n);
    while late.len() < n {
        let now = Instant::now();
        if now < due {
            let _ = poll.poll(&mut events, Some(due - now));
            continue;
        }
        late.push(now.duration_since(due).as_micros() as u64);
        due += every;
        if due <= Instant::now() {
            due = Instant::now() + every;
        }
    }
    late.sort_unstable();
    println!("{} {}", late[late.len() / 2], late[late.len() * 99 / 100]);
}
