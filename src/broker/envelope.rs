//! Signed frames: what goes into the broker is a frame (`ipc::frame`) and an HMAC-SHA256 of
//! it under the application's secret and queue name, so a task worker never unserializes a
//! frame that someone else wrote to the stream, or that was meant for another queue.

use hmac::{KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = hmac::Hmac<Sha256>;

/// Signs and checks frames for one queue.
#[derive(Clone)]
pub struct Signer {
    /// None: frames are not signed, and anything is accepted (start() warns about it).
    key: Option<Vec<u8>>,
    name: Vec<u8>,
}

impl std::fmt::Debug for Signer {
    // Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer").field("signed", &self.key.is_some()).field("name", &String::from_utf8_lossy(&self.name)).finish()
    }
}

impl Signer {
    pub fn new(secret: Option<&[u8]>, name: &str) -> Signer {
        Signer { key: secret.filter(|s| !s.is_empty()).map(<[u8]>::to_vec), name: name.as_bytes().to_vec() }
    }

    pub fn signs(&self) -> bool {
        self.key.is_some()
    }

    fn mac(&self, key: &[u8], frame: &[u8]) -> HmacSha256 {
        // HMAC takes keys of any length: new_from_slice cannot fail.
        let mut m = <HmacSha256 as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        m.update(&(self.name.len() as u32).to_le_bytes());
        m.update(&self.name);
        m.update(frame);
        m
    }

    /// The signature stored beside `frame` (empty without a secret).
    pub fn sign(&self, frame: &[u8]) -> Vec<u8> {
        match &self.key {
            Some(k) => self.mac(k, frame).finalize().into_bytes().to_vec(),
            None => Vec::new(),
        }
    }

    /// Whether `signature` is `frame`'s under this queue's secret (in constant time).
    pub fn verify(&self, frame: &[u8], signature: &[u8]) -> bool {
        match &self.key {
            Some(k) => self.mac(k, frame).verify_slice(signature).is_ok(),
            None => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_verifies_only_under_its_secret_and_queue() {
        let s = Signer::new(Some(b"secret"), "shop");
        let sig = s.sign(b"frame");
        assert_eq!(sig.len(), 32);
        assert!(s.verify(b"frame", &sig));
        assert!(!s.verify(b"frame!", &sig), "another frame");
        assert!(!s.verify(b"frame", &sig[..31]), "a cut signature");
        assert!(!s.verify(b"frame", b""), "no signature");
        assert!(!Signer::new(Some(b"other"), "shop").verify(b"frame", &sig), "another secret");
        assert!(!Signer::new(Some(b"secret"), "shop2").verify(b"frame", &sig), "another queue");
        let open = Signer::new(None, "shop");
        assert!(!open.signs() && open.sign(b"x").is_empty() && open.verify(b"x", b""));
        assert!(!Signer::new(Some(b""), "shop").signs(), "an empty secret is no secret");
        assert!(!format!("{s:?}").contains("secret"), "Debug never shows the secret");
    }
}
