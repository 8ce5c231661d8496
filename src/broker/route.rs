//! Where a broker task came from and where its results go, carried beside the task through
//! the task worker (a Route frame before the task, and before each of its results), so the
//! bridge thread keeps no book of its own that a kill could tear.

/// A task's stream entry and its sender's result stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    pub entry: String,
    pub reply_to: String,
}

impl Route {
    /// The body of a Route frame: the entry's length (u16), the entry, the result stream.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(2 + self.entry.len() + self.reply_to.len());
        v.extend_from_slice(&(self.entry.len() as u16).to_le_bytes());
        v.extend_from_slice(self.entry.as_bytes());
        v.extend_from_slice(self.reply_to.as_bytes());
        v
    }

    pub fn decode(b: &[u8]) -> Option<Route> {
        let n = u16::from_le_bytes(b.get(..2)?.try_into().ok()?) as usize;
        let entry = std::str::from_utf8(b.get(2..2 + n)?).ok()?;
        let reply_to = std::str::from_utf8(b.get(2 + n..)?).ok()?;
        (!entry.is_empty() && !reply_to.is_empty()).then(|| Route { entry: entry.into(), reply_to: reply_to.into() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_survives_its_encoding_and_garbage_is_refused() {
        let r = Route { entry: "1700000000000-3".into(), reply_to: "shop:results:h-1-2:0:1".into() };
        assert_eq!(Route::decode(&r.encode()), Some(r));
        for bad in [&b""[..], b"\x05\x00abc", b"\x00\x00x", b"\x01\x00a", b"\x01\x00\xffxyz"] {
            assert_eq!(Route::decode(bad), None, "{bad:?}");
        }
    }
}
