//! One accepted TCP connection and the bytes still waiting to be written to it.

use std::io::{self, Read, Write};
use std::net::SocketAddr;

use mio::net::TcpStream;

use crate::types::SessionId;

pub struct Connection {
    pub session: SessionId,
    pub stream: TcpStream,
    pub peer: Option<SocketAddr>,
    out: Vec<u8>,
    out_pos: usize,
}

/// What a read pass found.
pub enum ReadOutcome {
    /// Data chunks, in order; the connection stays open.
    Data(Vec<Vec<u8>>),
    /// Data chunks, then the peer closed the connection (None) or reading failed.
    Closed(Vec<Vec<u8>>, Option<io::Error>),
}

const READ_CHUNK: usize = 64 * 1024;

impl Connection {
    pub fn new(session: SessionId, stream: TcpStream) -> Self {
        let peer = stream.peer_addr().ok();
        Connection { session, stream, peer, out: Vec::new(), out_pos: 0 }
    }

    /// Reads until the socket would block (the loop is edge-triggered).
    pub fn read_available(&mut self) -> ReadOutcome {
        let mut chunks = Vec::new();
        loop {
            let mut buf = vec![0u8; READ_CHUNK];
            match self.stream.read(&mut buf) {
                Ok(0) => return ReadOutcome::Closed(chunks, None),
                Ok(n) => {
                    buf.truncate(n);
                    chunks.push(buf);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return ReadOutcome::Data(chunks),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return ReadOutcome::Closed(chunks, Some(e)),
            }
        }
    }

    /// Reads and drops whatever the peer sent that was never served, so closing the socket
    /// sends FIN rather than RST (which could destroy replies the peer has not read yet).
    pub fn discard_input(&mut self) {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match self.stream.read(&mut buf) {
                Ok(n) if n > 0 => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                _ => return,
            }
        }
    }

    /// Writes what the socket takes now and keeps the rest for [`Connection::flush`].
    pub fn send(&mut self, data: &[u8]) -> io::Result<()> {
        if self.pending() == 0 {
            let n = self.write_some(data)?;
            if n < data.len() {
                self.out.clear();
                self.out_pos = 0;
                self.out.extend_from_slice(&data[n..]);
            }
        } else {
            self.out.extend_from_slice(data);
        }
        Ok(())
    }

    /// Bytes accepted by send() but not yet written.
    pub fn pending(&self) -> usize {
        self.out.len() - self.out_pos
    }

    pub fn flush(&mut self) -> io::Result<()> {
        while self.pending() > 0 {
            let n = {
                let (pos, out) = (self.out_pos, std::mem::take(&mut self.out));
                let r = self.write_some(&out[pos..]);
                self.out = out;
                r?
            };
            if n == 0 {
                break;
            }
            self.out_pos += n;
        }
        if self.pending() == 0 {
            self.out.clear();
            self.out_pos = 0;
        }
        Ok(())
    }

    fn write_some(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut done = 0;
        while done < data.len() {
            match self.stream.write(&data[done..]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }
}
