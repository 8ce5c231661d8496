//! One accepted connection (TCP or unix stream): its input (framed into messages by the port's protocol) and
//! the bytes still waiting to be written to it, bounded.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::time::Instant;

use crate::net::stream::Stream;

use crate::net::framing::{Framing, FramingError};
use crate::types::SessionId;

pub struct Connection {
    pub session: SessionId,
    /// The listening port it came in on (index in the table's ports).
    pub port: usize,
    pub stream: Stream,
    pub peer: Option<SocketAddr>,
    out: Vec<u8>,
    out_pos: usize,
    /// Framed ports: bytes read but not yet a whole message, from `in_pos` on.
    input: Vec<u8>,
    in_pos: usize,
    /// Leading bytes of the pending input already searched for an EOF (none there).
    searched: usize,
    /// BufferFull fired and BufferEmpty has not yet.
    full: bool,
    /// When data last came in (the heartbeat closes connections idle for too long).
    pub last_recv: Instant,
    /// `protect()`: the heartbeat leaves this connection alone.
    pub protected: bool,
    /// `pause()`: not read until `resume()`.
    pub paused: bool,
    /// Not read for back-pressure (a PROCESS-mode reactor whose worker lags), apart from a
    /// user's pause().
    pub held: bool,
    pub connected_at: Instant,
    pub last_send: Option<Instant>,
    /// close() was called with output still queued: it is written out first (since then).
    pub closing: Option<Instant>,
}

/// Why a read pass ended.
#[derive(Debug)]
pub enum ReadEnd {
    /// Everything the socket had was read.
    Drained,
    /// The pass used its budget: the socket may still have data (look again soon).
    Budget,
    /// The peer closed (None) or reading failed.
    Closed(Option<io::Error>),
    /// The input broke the port's protocol: the connection must be closed.
    Framing(FramingError),
}

/// What one read pass found: whole messages in order, then why it ended.
pub struct ReadPass {
    pub messages: Vec<Vec<u8>>,
    pub bytes: usize,
    pub end: ReadEnd,
}

/// How reads are done: the loop's one buffer, the port's protocol and limits.
pub struct ReadRules<'a> {
    pub scratch: &'a mut [u8],
    pub framing: &'a Framing,
    pub max_package: usize,
    /// Most reads one pass makes, so one busy connection cannot starve the others.
    pub budget: usize,
    /// The peer's FIN (or an error) is known to be there: read on to it even after a short
    /// read, since no new readiness event will come for it.
    pub peer_closed: bool,
}

impl Connection {
    pub fn new(session: SessionId, stream: Stream) -> Self {
        let peer = stream.peer_addr();
        Connection {
            session,
            port: 0,
            stream,
            peer,
            out: Vec::new(),
            out_pos: 0,
            input: Vec::new(),
            in_pos: 0,
            searched: 0,
            full: false,
            last_recv: Instant::now(),
            protected: false,
            paused: false,
            held: false,
            connected_at: Instant::now(),
            last_send: None,
            closing: None,
        }
    }

    /// Reads what the socket has, up to the budget, into one reused buffer; a read that comes
    /// back short ends the pass (the loop is edge-triggered: new data brings a new event), so
    /// a request costs one read, not a second one that ends in EAGAIN.
    pub fn read(&mut self, r: ReadRules<'_>) -> ReadPass {
        let mut pass = ReadPass { messages: Vec::new(), bytes: 0, end: ReadEnd::Drained };
        for _ in 0..r.budget.max(1) {
            let n = match self.stream.read(r.scratch) {
                Ok(0) => {
                    pass.end = ReadEnd::Closed(None);
                    return pass;
                }
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return pass,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    pass.end = ReadEnd::Closed(Some(e));
                    return pass;
                }
            };
            pass.bytes += n;
            self.last_recv = Instant::now();
            if let Err(e) = self.take_messages(&r.scratch[..n], r.framing, r.max_package, &mut pass.messages) {
                pass.end = ReadEnd::Framing(e);
                return pass;
            }
            if n < r.scratch.len() && !r.peer_closed {
                return pass;
            }
        }
        pass.end = ReadEnd::Budget;
        pass
    }

    fn take_messages(&mut self, data: &[u8], framing: &Framing, max: usize, out: &mut Vec<Vec<u8>>) -> Result<(), FramingError> {
        if framing.is_raw() {
            out.push(data.to_vec());
            return Ok(());
        }
        self.input.extend_from_slice(data);
        loop {
            let pending = &self.input[self.in_pos..];
            match framing.next_after(pending, max, self.searched)? {
                Some(len) => {
                    out.push(pending[..len].to_vec());
                    self.in_pos += len;
                    self.searched = 0;
                }
                None => {
                    self.searched = pending.len();
                    break;
                }
            }
        }
        // Keep the pending bytes at the front, without moving them on every message.
        if self.in_pos == self.input.len() {
            self.input.clear();
            self.in_pos = 0;
        } else if self.in_pos > self.input.len() / 2 {
            self.input.drain(..self.in_pos);
            self.in_pos = 0;
        }
        Ok(())
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

    /// What a successor needs besides the socket: the output not written yet and the input
    /// not framed yet.
    pub fn take_state(&mut self) -> (Vec<u8>, Vec<u8>) {
        let out = self.out.split_off(self.out_pos);
        self.out.clear();
        self.out_pos = 0;
        let input = self.input.split_off(self.in_pos);
        self.input.clear();
        self.in_pos = 0;
        (out, input)
    }

    /// A connection handed over by the previous process in this slot.
    pub fn adopt(session: SessionId, stream: Stream, out: Vec<u8>, input: Vec<u8>) -> Self {
        let mut c = Connection::new(session, stream);
        c.out = out;
        c.input = input;
        c
    }

    /// Makes the next close send RST (SO_LINGER 0) and drops the queued output.
    pub fn reset_on_close(&mut self) {
        let l = libc::linger { l_onoff: 1, l_linger: 0 };
        // SAFETY: setsockopt reads `l` for a socket this connection owns.
        unsafe {
            libc::setsockopt(
                std::os::fd::AsRawFd::as_raw_fd(&self.stream),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                (&l as *const libc::linger).cast(),
                std::mem::size_of::<libc::linger>() as libc::socklen_t,
            );
        }
        self.out.clear();
        self.out_pos = 0;
    }

    /// Bytes read but not yet a whole message.
    pub fn input_pending(&self) -> usize {
        self.input.len() - self.in_pos
    }

    /// Writes what the socket takes now and keeps the rest for [`Connection::flush`].
    pub fn send(&mut self, data: &[u8]) -> io::Result<()> {
        self.last_send = Some(Instant::now());
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

    /// Marks the output as over its high watermark; true the first time (BufferFull fires).
    pub fn mark_full(&mut self) -> bool {
        !std::mem::replace(&mut self.full, true)
    }

    /// The output drained after a BufferFull: true once (BufferEmpty fires).
    pub fn take_emptied(&mut self) -> bool {
        if self.full && self.pending() == 0 {
            self.full = false;
            return true;
        }
        false
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
