//! Datagram ports: UDP (`SWOOLE_SOCK_UDP`, `SWOOLE_SOCK_UDP6`) and unix datagram
//! (`SWOOLE_SOCK_UNIX_DGRAM`) sockets. No connections: each datagram is a Packet event with
//! its sender, and `sendto()` answers. Every event worker watches the same sockets (inherited
//! over fork); whichever reads a datagram first handles it.
//!
//! `sendto()` without a server socket answers from the port that last heard from that
//! address (Swoole always uses the UDP port added last, so a client may get its answer from
//! another port), else from the first port of the address's kind. A unix datagram client that
//! bound no path cannot be answered: its address is reported as '' and sendto() to it is
//! refused (Swoole reports a stale address there and answers the wrong client).

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, RawFd};
use std::path::PathBuf;

use mio::net::{UdpSocket, UnixDatagram};
use mio::{Interest, Registry, Token};
use thiserror::Error;

/// Datagrams one port is read before the others (and the connections) get their turn.
const READ_BUDGET: usize = 64;
/// Senders remembered for answering from the right port (then the memory starts over).
const RECENT_MAX: usize = 4096;
/// The largest datagram (UDP's bound).
const MAX_DATAGRAM: usize = 65536;

/// A datagram socket as the manager hands it to the workers.
pub enum DgramSocket {
    Udp(std::net::UdpSocket),
    Unix(std::os::unix::net::UnixDatagram),
}

/// Who sent a datagram, or whom to send one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Peer {
    Inet(SocketAddr),
    /// A unix datagram client: its bound path, or None when it bound none.
    Unix(Option<PathBuf>),
}

/// One datagram received.
#[derive(Debug)]
pub struct Packet {
    /// The port it came in on (the server's port numbering).
    pub port: usize,
    pub data: Vec<u8>,
    pub from: Peer,
    pub server_fd: RawFd,
    /// The local UDP port (0 for unix sockets).
    pub server_port: u16,
}

#[derive(Debug, Error)]
pub enum SendToError {
    #[error("UDP listener has to be added before executing sendto")]
    NoSocket,
    #[error("the server socket {0} is not a datagram port of this server")]
    BadSocket(i32),
    #[error("the client bound no address: there is nothing to answer to")]
    Unbound,
    #[error("sendto to {0} failed: {1}")]
    Io(String, io::Error),
}

enum Sock {
    Udp(UdpSocket),
    Unix(UnixDatagram),
}

struct Port {
    sock: Sock,
    id: usize,
    fd: RawFd,
    local_port: u16,
}

pub struct DgramPorts {
    ports: Vec<Port>,
    first_token: usize,
    recent: HashMap<Peer, usize>,
    events: VecDeque<Packet>,
    /// Ports whose last read ended on its budget.
    unfinished: Vec<usize>,
    scratch: Vec<u8>,
}

impl DgramPorts {
    /// `sockets`: each with its port id; port `i` of this list is token `first_token + i`.
    pub fn new(sockets: Vec<(DgramSocket, usize)>, registry: &Registry, first_token: usize) -> io::Result<DgramPorts> {
        let mut ports = Vec::new();
        for (i, (s, id)) in sockets.into_iter().enumerate() {
            let token = Token(first_token + i);
            let port = match s {
                DgramSocket::Udp(u) => {
                    u.set_nonblocking(true)?;
                    let local_port = u.local_addr().map_or(0, |a| a.port());
                    let mut sock = UdpSocket::from_std(u);
                    registry.register(&mut sock, token, Interest::READABLE)?;
                    Port { fd: sock.as_raw_fd(), sock: Sock::Udp(sock), id, local_port }
                }
                DgramSocket::Unix(u) => {
                    u.set_nonblocking(true)?;
                    let mut sock = UnixDatagram::from_std(u);
                    registry.register(&mut sock, token, Interest::READABLE)?;
                    Port { fd: sock.as_raw_fd(), sock: Sock::Unix(sock), id, local_port: 0 }
                }
            };
            ports.push(port);
        }
        Ok(DgramPorts { ports, first_token, recent: HashMap::new(), events: VecDeque::new(), unfinished: Vec::new(), scratch: vec![0; MAX_DATAGRAM] })
    }

    pub fn is_empty(&self) -> bool {
        self.ports.is_empty()
    }

    /// The socket a readiness token names, if it is one of ours.
    pub fn index_of(&self, token: Token) -> Option<usize> {
        token.0.checked_sub(self.first_token).filter(|&i| i < self.ports.len())
    }

    pub fn has_unfinished(&self) -> bool {
        !self.unfinished.is_empty()
    }

    pub fn has_events(&self) -> bool {
        !self.events.is_empty()
    }

    pub fn pop_event(&mut self) -> Option<Packet> {
        self.events.pop_front()
    }

    /// Reads the sockets whose last read ended on the budget.
    pub fn read_unfinished(&mut self) {
        for i in std::mem::take(&mut self.unfinished) {
            self.read(i);
        }
    }

    /// Reads what waits on socket `i`, up to the budget.
    pub fn read(&mut self, i: usize) {
        let Some(p) = self.ports.get(i) else { return };
        for n in 0..READ_BUDGET {
            let got = match &p.sock {
                Sock::Udp(s) => s.recv_from(&mut self.scratch).map(|(len, a)| (len, Peer::Inet(a))),
                Sock::Unix(s) => s.recv_from(&mut self.scratch).map(|(len, a)| (len, Peer::Unix(a.as_pathname().map(PathBuf::from)))),
            };
            match got {
                Ok((len, from)) => {
                    if self.recent.len() >= RECENT_MAX {
                        self.recent.clear();
                    }
                    self.recent.insert(from.clone(), i);
                    self.events.push_back(Packet { port: p.id, data: self.scratch[..len].to_vec(), from, server_fd: p.fd, server_port: p.local_port });
                    if n + 1 == READ_BUDGET {
                        self.unfinished.push(i);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    crate::log_at!(crate::log::Level::Warning, "Worker::packet", "recvfrom on port {} failed: {}", p.id, e);
                    return;
                }
            }
        }
    }

    /// Sends `data` to `to`, from the socket `via` (a server socket fd) if given.
    pub fn send_to(&self, to: &Peer, data: &[u8], via: Option<RawFd>) -> Result<(), SendToError> {
        let unix = matches!(to, Peer::Unix(_));
        let port = match via {
            Some(fd) => self.ports.iter().find(|p| p.fd == fd).ok_or(SendToError::BadSocket(fd))?,
            None => {
                let heard = self.recent.get(to).and_then(|&i| self.ports.get(i));
                let v6 = matches!(to, Peer::Inet(SocketAddr::V6(_)));
                let first = self.ports.iter().find(|p| match (&p.sock, unix) {
                    (Sock::Unix(_), true) => true,
                    (Sock::Udp(s), false) => s.local_addr().is_ok_and(|a| a.is_ipv6() == v6),
                    _ => false,
                });
                heard.or(first).ok_or(SendToError::NoSocket)?
            }
        };
        let sent = match (&port.sock, to) {
            (Sock::Udp(s), Peer::Inet(a)) => s.send_to(data, *a).map_err(|e| SendToError::Io(a.to_string(), e)),
            (Sock::Unix(s), Peer::Unix(Some(path))) => s.send_to(data, path).map_err(|e| SendToError::Io(path.display().to_string(), e)),
            (Sock::Unix(_), Peer::Unix(None)) => Err(SendToError::Unbound),
            _ => Err(SendToError::NoSocket),
        };
        sent.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packets_carry_their_sender_and_answers_leave_from_the_port_that_heard() {
        let poll = mio::Poll::new().unwrap();
        let a = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let b = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let (pa, pb) = (a.local_addr().unwrap(), b.local_addr().unwrap());
        let mut d = DgramPorts::new(vec![(DgramSocket::Udp(a), 1), (DgramSocket::Udp(b), 3)], poll.registry(), 100).unwrap();
        let client = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        client.send_to(b"ping", pb).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while !d.has_events() && std::time::Instant::now() < deadline {
            d.read(1);
        }
        let p = d.pop_event().unwrap();
        assert_eq!((p.port, &p.data[..], p.server_port), (3, &b"ping"[..], pb.port()));
        d.send_to(&p.from, b"pong", None).unwrap();
        let mut buf = [0u8; 16];
        let (n, from) = client.recv_from(&mut buf).unwrap();
        // Answered from the port it asked, not from the first one.
        assert_eq!((&buf[..n], from), (&b"pong"[..], pb));
        assert_ne!(from, pa);
        assert!(matches!(d.send_to(&Peer::Unix(None), b"x", None), Err(SendToError::NoSocket)));
        assert!(matches!(d.send_to(&p.from, b"x", Some(-5)), Err(SendToError::BadSocket(-5))));
    }
}
