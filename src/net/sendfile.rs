//! `sendfile()`: the part of a file to send, checked as Swoole checks it (and where Swoole
//! says yes and sends nothing, a clear error).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum FileError {
    #[error("parameter $offset[{0}] must be greater than or equal to 0")]
    NegativeOffset(i64),
    #[error("parameter $length[{0}] must be greater than or equal to 0")]
    NegativeLength(i64),
    #[error("file[{0}] cannot be opened: {1}")]
    Open(String, io::Error),
    #[error("file[{0}] is a directory")]
    Directory(String),
    #[error("file[offset={0}] is empty")]
    Empty(i64),
    #[error("file[{path}] has {size} bytes: offset {offset} + length {length} is past its end")]
    PastEnd { path: String, size: u64, offset: i64, length: i64 },
}

impl FileError {
    /// Swoole's error numbers: 502 (a file that cannot be sent), 9013 (a directory).
    pub fn code(&self) -> i64 {
        match self {
            FileError::Directory(_) => 9013,
            FileError::NegativeOffset(_) | FileError::NegativeLength(_) => 505,
            _ => 502,
        }
    }
}

/// The bytes `offset .. offset + length` of `path` (`length` 0: to the end).
pub fn region(path: &Path, offset: i64, length: i64) -> Result<Vec<u8>, FileError> {
    let shown = path.display().to_string();
    if offset < 0 {
        return Err(FileError::NegativeOffset(offset));
    }
    if length < 0 {
        return Err(FileError::NegativeLength(length));
    }
    let mut f = File::open(path).map_err(|e| FileError::Open(shown.clone(), e))?;
    let meta = f.metadata().map_err(|e| FileError::Open(shown.clone(), e))?;
    if meta.is_dir() {
        return Err(FileError::Directory(shown));
    }
    let size = meta.len();
    if offset as u64 >= size {
        return Err(FileError::Empty(offset));
    }
    let want = if length == 0 { size - offset as u64 } else { length as u64 };
    if offset as u64 + want > size {
        return Err(FileError::PastEnd { path: shown, size, offset, length });
    }
    f.seek(SeekFrom::Start(offset as u64)).map_err(|e| FileError::Open(shown.clone(), e))?;
    let mut out = Vec::with_capacity(want as usize);
    f.take(want).read_to_end(&mut out).map_err(|e| FileError::Open(shown, e))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_their_errors() {
        let p = std::env::temp_dir().join(format!("rswoole-sendfile-{}", std::process::id()));
        std::fs::write(&p, b"0123456789").unwrap();
        assert_eq!(region(&p, 0, 0).unwrap(), b"0123456789");
        assert_eq!(region(&p, 3, 4).unwrap(), b"3456");
        assert_eq!(region(&p, 9, 0).unwrap(), b"9");
        assert_eq!(region(&p, -5, 0).unwrap_err().to_string(), "parameter $offset[-5] must be greater than or equal to 0");
        assert_eq!(region(&p, 10, 0).unwrap_err().to_string(), "file[offset=10] is empty");
        assert!(matches!(region(&p, 8, 5), Err(FileError::PastEnd { size: 10, .. })));
        assert_eq!(region(&std::env::temp_dir(), 0, 0).unwrap_err().code(), 9013);
        assert_eq!(region(Path::new("/no/such/file"), 0, 0).unwrap_err().code(), 502);
        std::fs::remove_file(p).unwrap();
    }
}
