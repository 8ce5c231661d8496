//! The listening socket. The constructor binds and listens at once (as Swoole binds at
//! construction), so a bad address fails where the user wrote it; workers inherit the socket.

use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum BindError {
    #[error("invalid port [{0}]")]
    InvalidPort(i64),
    #[error("failed to listen server port[{host}:{port}], Error: {message}[{code}]")]
    Os { host: String, port: i64, message: String, code: i32 },
}

impl BindError {
    /// The exception code Swoole uses: errno, or 9004 for a port out of range.
    pub fn code(&self) -> i32 {
        match self {
            BindError::InvalidPort(_) => 9004,
            BindError::Os { code, .. } => *code,
        }
    }
}

pub fn bind(host: &str, port: i64) -> Result<TcpListener, BindError> {
    bind_inet(host, port, TcpListener::bind)
}

/// Resolves `host:port` and binds the first address that takes it (`bind` makes the socket).
fn bind_inet<T>(host: &str, port: i64, bind: impl Fn(SocketAddr) -> io::Result<T>) -> Result<T, BindError> {
    let p = u16::try_from(port).map_err(|_| BindError::InvalidPort(port))?;
    let os = |e: io::Error| os_error(host, port, e);
    let addrs: Vec<SocketAddr> = (host, p).to_socket_addrs().map_err(|_| os(io::Error::from_raw_os_error(libc::EINVAL)))?.collect();
    let mut last = io::Error::from_raw_os_error(libc::EADDRNOTAVAIL);
    for a in addrs {
        match bind(a) {
            Ok(l) => return Ok(l),
            Err(e) => last = e,
        }
    }
    Err(os(last))
}

fn os_error(host: &str, port: i64, e: io::Error) -> BindError {
    let code = e.raw_os_error().unwrap_or(0);
    BindError::Os { host: host.into(), port, message: strerror(code), code }
}

/// A bound socket the server listens on: a stream port (TCP) or a datagram port (UDP, unix
/// datagram).
pub enum Listener {
    Stream(TcpListener),
    UnixStream(std::os::unix::net::UnixListener),
    Dgram(crate::net::datagram::DgramSocket),
    /// PROCESS mode: a stream port the master's reactor threads serve (workers skip it).
    InMaster,
}

impl Listener {
    pub fn raw_fd(&self) -> i32 {
        use std::os::fd::AsRawFd;
        match self {
            Listener::Stream(l) => l.as_raw_fd(),
            Listener::UnixStream(l) => l.as_raw_fd(),
            Listener::Dgram(crate::net::datagram::DgramSocket::Udp(u)) => u.as_raw_fd(),
            Listener::Dgram(crate::net::datagram::DgramSocket::Unix(u)) => u.as_raw_fd(),
            Listener::InMaster => -1,
        }
    }

    /// The bound port (0 for unix sockets).
    pub fn port(&self) -> u16 {
        match self {
            Listener::Stream(l) => l.local_addr().map_or(0, |a| a.port()),
            Listener::Dgram(crate::net::datagram::DgramSocket::Udp(u)) => u.local_addr().map_or(0, |a| a.port()),
            Listener::Dgram(crate::net::datagram::DgramSocket::Unix(_)) | Listener::UnixStream(_) | Listener::InMaster => 0,
        }
    }
}

pub fn bind_udp(host: &str, port: i64) -> Result<std::net::UdpSocket, BindError> {
    bind_inet(host, port, std::net::UdpSocket::bind)
}

/// Binds a unix socket at `path` (`bind` makes it). A file already there is replaced only when
/// it is a socket nobody serves (`connect` to it is refused: a server that died without
/// cleaning up); a live one is EADDRINUSE, as in Swoole (which also refuses a stale one, so a
/// crash blocks the next start).
fn bind_unix<T>(path: &str, connect: impl Fn(&str) -> io::Result<()>, bind: impl Fn(&str) -> io::Result<T>) -> Result<T, BindError> {
    use std::os::unix::fs::FileTypeExt;
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket())
        && connect(path).is_err_and(|e| e.raw_os_error() == Some(libc::ECONNREFUSED))
    {
        let _ = std::fs::remove_file(path);
    }
    bind(path).map_err(|e| os_error(path, 0, e))
}

pub fn bind_unix_dgram(path: &str) -> Result<std::os::unix::net::UnixDatagram, BindError> {
    use std::os::unix::net::UnixDatagram;
    bind_unix(path, |p| UnixDatagram::unbound()?.connect(p), |p| UnixDatagram::bind(p))
}

pub fn bind_unix_stream(path: &str) -> Result<std::os::unix::net::UnixListener, BindError> {
    use std::os::unix::net::{UnixListener, UnixStream};
    bind_unix(path, |p| UnixStream::connect(p).map(drop), |p| UnixListener::bind(p))
}

/// Sets the listening queue's length (Swoole's `backlog`): listen(2) on a socket that already
/// listens only changes it.
pub fn set_backlog(l: &TcpListener, backlog: i32) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: listen on a socket this process owns; it reads nothing else.
    if unsafe { libc::listen(l.as_raw_fd(), backlog) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

fn strerror(code: i32) -> String {
    // The message alone, without std's " (os error N)" suffix, to match Swoole's wording.
    let s = io::Error::from_raw_os_error(code).to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_zero_gets_a_real_port_and_a_taken_port_fails_with_errno() {
        let l = bind("127.0.0.1", 0).unwrap();
        let port = l.local_addr().unwrap().port();
        assert!(port > 0);
        let e = bind("127.0.0.1", port as i64).unwrap_err();
        assert_eq!(e.code(), 98);
        assert_eq!(
            e.to_string(),
            format!("failed to listen server port[127.0.0.1:{port}], Error: Address already in use[98]")
        );
        assert_eq!(bind("127.0.0.1", 70000).unwrap_err().code(), 9004);
    }
}
