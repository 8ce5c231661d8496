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
    let p = u16::try_from(port).map_err(|_| BindError::InvalidPort(port))?;
    let os = |e: io::Error| {
        let code = e.raw_os_error().unwrap_or(0);
        BindError::Os { host: host.into(), port, message: strerror(code), code }
    };
    let addrs: Vec<SocketAddr> = (host, p).to_socket_addrs().map_err(|_| os(io::Error::from_raw_os_error(libc::EINVAL)))?.collect();
    let mut last = io::Error::from_raw_os_error(libc::EADDRNOTAVAIL);
    for a in addrs {
        match TcpListener::bind(a) {
            Ok(l) => return Ok(l),
            Err(e) => last = e,
        }
    }
    Err(os(last))
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
