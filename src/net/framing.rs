//! Where one message ends in a connection's input: Swoole's EOF and length protocols as pure
//! functions over bytes, so a BASE event worker and a PROCESS reactor thread frame alike and
//! `cargo test` checks every case.

use thiserror::Error;

/// How a port's byte stream is cut into messages (Receive events).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum Framing {
    /// No protocol: whatever one read brings is one Receive.
    #[default]
    Raw,
    /// `open_eof_check` / `open_eof_split`: messages end with `eof` (1 to 8 bytes). With
    /// `split` each Receive is one message; without, a Receive is everything up to the last
    /// complete message in the input (it may hold several).
    Eof { eof: Vec<u8>, split: bool },
    /// `open_length_check`: a length field of `kind` at `offset`; a message is
    /// `body_offset + length` bytes.
    Length { kind: LengthType, offset: usize, body_offset: usize },
    /// `package_length_func`: user code says where a message ends. The connection table
    /// hands the bytes on as they come (as `Raw`); whoever may call user code frames them
    /// with a [`FnFramer`].
    Func,
}

/// `package_length_type`: a `pack()` letter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LengthType {
    I8,
    U8,
    I16Host,
    U16Host,
    U16Be,
    U16Le,
    I32Host,
    U32Host,
    U32Be,
    U32Le,
    I64Host,
    U64Host,
    U64Be,
    U64Le,
}

impl LengthType {
    /// The type for a `pack()` letter (only the first character counts, as in Swoole).
    pub fn from_pack(s: &str) -> Option<LengthType> {
        Some(match s.chars().next()? {
            'c' => LengthType::I8,
            'C' => LengthType::U8,
            's' => LengthType::I16Host,
            'S' => LengthType::U16Host,
            'n' => LengthType::U16Be,
            'v' => LengthType::U16Le,
            'l' => LengthType::I32Host,
            'L' => LengthType::U32Host,
            'N' => LengthType::U32Be,
            'V' => LengthType::U32Le,
            'q' => LengthType::I64Host,
            'Q' => LengthType::U64Host,
            'J' => LengthType::U64Be,
            'P' => LengthType::U64Le,
            _ => return None,
        })
    }

    pub fn size(self) -> usize {
        match self {
            LengthType::I8 | LengthType::U8 => 1,
            LengthType::I16Host | LengthType::U16Host | LengthType::U16Be | LengthType::U16Le => 2,
            LengthType::I32Host | LengthType::U32Host | LengthType::U32Be | LengthType::U32Le => 4,
            _ => 8,
        }
    }

    /// The field's value; 64-bit values of 2^63 and more read as negative, as in Swoole.
    fn read(self, b: &[u8]) -> i64 {
        let a2 = || [b[0], b[1]];
        let a4 = || [b[0], b[1], b[2], b[3]];
        let a8 = || [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]];
        match self {
            LengthType::I8 => i64::from(b[0] as i8),
            LengthType::U8 => i64::from(b[0]),
            LengthType::I16Host => i64::from(i16::from_ne_bytes(a2())),
            LengthType::U16Host => i64::from(u16::from_ne_bytes(a2())),
            LengthType::U16Be => i64::from(u16::from_be_bytes(a2())),
            LengthType::U16Le => i64::from(u16::from_le_bytes(a2())),
            LengthType::I32Host => i64::from(i32::from_ne_bytes(a4())),
            LengthType::U32Host => i64::from(u32::from_ne_bytes(a4())),
            LengthType::U32Be => i64::from(u32::from_be_bytes(a4())),
            LengthType::U32Le => i64::from(u32::from_le_bytes(a4())),
            LengthType::I64Host => i64::from_ne_bytes(a8()),
            LengthType::U64Host => u64::from_ne_bytes(a8()) as i64,
            LengthType::U64Be => u64::from_be_bytes(a8()) as i64,
            LengthType::U64Le => u64::from_le_bytes(a8()) as i64,
        }
    }
}

/// Why a connection's input cannot be framed: the connection is closed, with this logged.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum FramingError {
    /// EOF protocol: `max` bytes came without an EOF.
    #[error("The received data packet is too large, length={0}")]
    NoEofWithin(usize),
    /// Length protocol: the header announces more than `package_max_length`.
    #[error("the received packet length {0} is too large")]
    TooLong(i64),
    #[error("received {0} bytes of malformed data")]
    Negative(usize),
    #[error("bad request, no length found in {0} bytes")]
    ZeroLength(usize),
}

impl FramingError {
    /// Swoole's error number for the log line.
    pub fn code(&self) -> i32 {
        match self {
            FramingError::NoEofWithin(_) | FramingError::TooLong(_) => 1201,
            FramingError::ZeroLength(_) => 1202,
            FramingError::Negative(_) => 1204,
        }
    }
}

impl Framing {
    /// The length of the next Receive at the front of `input`; None: more bytes are needed.
    /// `max` is `package_max_length`.
    pub fn next(&self, input: &[u8], max: usize) -> Result<Option<usize>, FramingError> {
        self.next_after(input, max, 0)
    }

    /// As `next`, knowing that the first `searched` bytes of `input` hold no EOF: only what
    /// came since is searched, so a message arriving a byte at a time costs linear time.
    pub fn next_after(&self, input: &[u8], max: usize, searched: usize) -> Result<Option<usize>, FramingError> {
        match self {
            Framing::Raw | Framing::Func => Ok((!input.is_empty()).then_some(input.len())),
            Framing::Eof { eof, split } => {
                let from = searched.saturating_sub(eof.len().saturating_sub(1)).min(input.len());
                let region = &input[from..];
                let found = if *split { find(region, eof) } else { rfind(region, eof) }.map(|at| from + at);
                match found {
                    // A message of exactly `max` bytes with its EOF is accepted (Swoole checks
                    // the EOF first).
                    Some(at) if !*split || at + eof.len() <= max => Ok(Some(at + eof.len())),
                    Some(_) => Err(FramingError::NoEofWithin(max)),
                    None if input.len() >= max => Err(FramingError::NoEofWithin(input.len())),
                    None => Ok(None),
                }
            }
            Framing::Length { kind, offset, body_offset } => {
                let Some(field) = input.get(*offset..*offset + kind.size()) else { return Ok(None) };
                let len = kind.read(field);
                if len < 0 {
                    return Err(FramingError::Negative(input.len()));
                }
                let total = (*body_offset as i64).saturating_add(len);
                if total == 0 {
                    return Err(FramingError::ZeroLength(input.len()));
                }
                if total as u64 > max as u64 {
                    return Err(FramingError::TooLong(total));
                }
                let total = total as usize;
                Ok((input.len() >= total).then_some(total))
            }
        }
    }

    /// Bytes go on as they were read (no protocol here).
    pub fn is_raw(&self) -> bool {
        matches!(self, Framing::Raw | Framing::Func)
    }
}

/// Frames connections with a length function (`package_length_func`): it gets the pending
/// bytes and returns the message's total length, 0 for "need more", a negative value (or
/// None: it failed, e.g. threw) for an error.
#[derive(Default)]
pub struct FnFramer {
    pending: std::collections::HashMap<crate::types::SessionId, Vec<u8>>,
}

impl FnFramer {
    /// Adds `data` to `fd`'s pending bytes and returns the whole messages now there, or the
    /// error that must close the connection.
    pub fn feed(
        &mut self,
        fd: crate::types::SessionId,
        data: &[u8],
        max: usize,
        mut length: impl FnMut(&[u8]) -> Option<i64>,
    ) -> Result<Vec<Vec<u8>>, FramingError> {
        let buf = self.pending.entry(fd).or_default();
        buf.extend_from_slice(data);
        let mut out = Vec::new();
        let mut at = 0;
        let result = loop {
            let rest = &buf[at..];
            if rest.is_empty() {
                break Ok(());
            }
            match length(rest) {
                None => break Err(FramingError::Negative(rest.len())),
                Some(n) if n < 0 => break Err(FramingError::Negative(rest.len())),
                Some(0) if rest.len() >= max => break Err(FramingError::NoEofWithin(rest.len())),
                Some(0) => break Ok(()),
                Some(n) if n as u64 > max as u64 => break Err(FramingError::TooLong(n)),
                Some(n) if (n as usize) > rest.len() => break Ok(()),
                Some(n) => {
                    out.push(rest[..n as usize].to_vec());
                    at += n as usize;
                }
            }
        };
        buf.drain(..at);
        match result {
            Ok(()) => Ok(out),
            Err(e) => {
                self.pending.remove(&fd);
                Err(e)
            }
        }
    }

    /// The connection is gone: its pending bytes with it.
    pub fn forget(&mut self, fd: crate::types::SessionId) {
        self.pending.remove(&fd);
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(f: &Framing, mut input: &[u8], max: usize) -> (Vec<Vec<u8>>, Vec<u8>) {
        let mut out = Vec::new();
        while let Some(n) = f.next(input, max).unwrap() {
            out.push(input[..n].to_vec());
            input = &input[n..];
        }
        (out, input.to_vec())
    }

    #[test]
    fn eof_split_cuts_every_message_and_keeps_the_rest() {
        let f = Framing::Eof { eof: b"\r\n\r\n".to_vec(), split: true };
        let (msgs, rest) = all(&f, b"a\r\n\r\nbb\r\n\r\n\r\n\r\nc\r\n", 1 << 20);
        assert_eq!(msgs, vec![b"a\r\n\r\n".to_vec(), b"bb\r\n\r\n".to_vec(), b"\r\n\r\n".to_vec()]);
        assert_eq!(rest, b"c\r\n");
    }

    #[test]
    fn eof_check_delivers_up_to_the_last_eof_whatever_the_reads() {
        let f = Framing::Eof { eof: b"\n".to_vec(), split: false };
        let (msgs, rest) = all(&f, b"one\ntwo\nthr", 1 << 20);
        assert_eq!(msgs, vec![b"one\ntwo\n".to_vec()]);
        assert_eq!(rest, b"thr");
    }

    #[test]
    fn eof_limits() {
        let f = Framing::Eof { eof: b"\n".to_vec(), split: true };
        assert_eq!(f.next(b"abc\n", 4), Ok(Some(4)), "exactly the limit with its EOF");
        assert_eq!(f.next(b"abcd", 4), Err(FramingError::NoEofWithin(4)));
        assert_eq!(f.next(b"abcd\n", 4), Err(FramingError::NoEofWithin(4)));
        assert_eq!(f.next(b"abc", 4), Ok(None));
        assert_eq!(f.next(b"", 4), Ok(None));
    }

    #[test]
    fn length_framing_for_every_pack_type() {
        for (letter, field) in [
            ('c', vec![3u8]),
            ('C', vec![3]),
            ('s', 3i16.to_ne_bytes().to_vec()),
            ('S', 3u16.to_ne_bytes().to_vec()),
            ('n', 3u16.to_be_bytes().to_vec()),
            ('v', 3u16.to_le_bytes().to_vec()),
            ('l', 3i32.to_ne_bytes().to_vec()),
            ('L', 3u32.to_ne_bytes().to_vec()),
            ('N', 3u32.to_be_bytes().to_vec()),
            ('V', 3u32.to_le_bytes().to_vec()),
            ('q', 3i64.to_ne_bytes().to_vec()),
            ('Q', 3u64.to_ne_bytes().to_vec()),
            ('J', 3u64.to_be_bytes().to_vec()),
            ('P', 3u64.to_le_bytes().to_vec()),
        ] {
            let kind = LengthType::from_pack(&letter.to_string()).unwrap();
            assert_eq!(kind.size(), field.len(), "{letter}");
            // Two bytes of other header first, then the length, then the body.
            let f = Framing::Length { kind, offset: 2, body_offset: 2 + field.len() };
            let mut one = b"hd".to_vec();
            one.extend(&field);
            one.extend(b"xyz");
            let mut two = one.clone();
            two.extend(&one);
            two.extend(&one[..3]);
            let (msgs, rest) = all(&f, &two, 1 << 20);
            assert_eq!(msgs, vec![one.clone(), one.clone()], "{letter}");
            assert_eq!(rest, one[..3].to_vec(), "{letter}");
        }
        assert_eq!(LengthType::from_pack("NN"), Some(LengthType::U32Be));
        assert_eq!(LengthType::from_pack("i"), None);
        assert_eq!(LengthType::from_pack(""), None);
    }

    #[test]
    fn bad_lengths_are_errors() {
        let f = Framing::Length { kind: LengthType::I32Host, offset: 0, body_offset: 4 };
        assert_eq!(f.next(&(-1i32).to_ne_bytes(), 1 << 20), Err(FramingError::Negative(4)));
        let f = Framing::Length { kind: LengthType::U64Be, offset: 0, body_offset: 8 };
        assert_eq!(f.next(&(1u64 << 63).to_be_bytes(), 1 << 20), Err(FramingError::Negative(8)));
        let f = Framing::Length { kind: LengthType::U32Be, offset: 0, body_offset: 4 };
        assert_eq!(f.next(&100u32.to_be_bytes(), 100), Err(FramingError::TooLong(104)));
        assert_eq!(f.next(&96u32.to_be_bytes(), 100), Ok(None), "exactly the limit: wait for the body");
        let f = Framing::Length { kind: LengthType::U32Be, offset: 0, body_offset: 0 };
        assert_eq!(f.next(&0u32.to_be_bytes(), 100), Err(FramingError::ZeroLength(4)));
        assert_eq!(f.next(&[0, 0], 100), Ok(None), "the length field is not complete yet");
    }

    #[test]
    fn a_search_resumes_where_the_last_one_stopped_without_missing_a_straddling_eof() {
        let f = Framing::Eof { eof: b"\r\n".to_vec(), split: true };
        assert_eq!(f.next_after(b"abc\r", 1 << 20, 0), Ok(None));
        assert_eq!(f.next_after(b"abc\r\nrest", 1 << 20, 4), Ok(Some(5)), "EOF split over two reads");
        let f = Framing::Eof { eof: b"\n".to_vec(), split: false };
        assert_eq!(f.next_after(b"a\nb\nc", 1 << 20, 0), Ok(Some(4)));
    }

    #[test]
    fn a_length_function_frames_what_it_is_given() {
        let mut f = FnFramer::default();
        // A 1-byte length prefix: total = 1 + first byte.
        let len = |b: &[u8]| Some(if b.len() < 1 { 0 } else { 1 + i64::from(b[0]) });
        assert_eq!(f.feed(1, b"\x02ab\x01", 100, len).unwrap(), vec![b"\x02ab".to_vec()]);
        assert_eq!(f.feed(1, b"c\x03xy", 100, len).unwrap(), vec![b"\x01c".to_vec()]);
        assert_eq!(f.feed(1, b"z", 100, len).unwrap(), vec![b"\x03xyz".to_vec()]);
        assert_eq!(f.feed(2, b"abc", 100, |_| Some(-1)), Err(FramingError::Negative(3)));
        assert_eq!(f.feed(3, b"abc", 100, |_| None), Err(FramingError::Negative(3)));
        assert_eq!(f.feed(4, b"abc", 2, |_| Some(0)), Err(FramingError::NoEofWithin(3)));
        assert_eq!(f.feed(5, b"abc", 2, |_| Some(3)), Err(FramingError::TooLong(3)));
        f.forget(1);
        assert!(f.pending.is_empty() || f.pending.values().all(Vec::is_empty));
    }

    #[test]
    fn raw_is_whatever_came() {
        assert_eq!(Framing::Raw.next(b"abc", 1), Ok(Some(3)));
        assert_eq!(Framing::Raw.next(b"", 1), Ok(None));
        assert_eq!(FramingError::Negative(1).code(), 1204);
    }
}
