//! The task broker (issue #12): tasks and their results through Redis Streams, so task workers
//! on many hosts can serve event workers on many hosts.
//!
//! - One task stream per queue, `<name>:tasks`, read by one consumer group,
//!   `<name>:workers`: each task is delivered to one task worker, stays pending until its
//!   results are written, and is claimed by another worker if its own dies
//!   ([`streams::Broker::claim_stale`]).
//! - One result stream per sending process, `<name>:results:<sender>`, where the sender names
//!   the host, the worker id and its incarnation: results go back to the very process that
//!   sent the task, never to a successor. A result stream expires when its reader stops
//!   refreshing it, so a dead sender leaves nothing behind.
//! - Every entry is a frame (`ipc::frame`) and its signature ([`envelope::Signer`]).
//!
//! `streams` speaks the protocol; `sender` (in event workers) and `bridge` (in task workers)
//! run it on threads beside the PHP loop, which never call PHP; `transport::broker` is the
//! seam the task client sees.

pub mod bridge;
pub mod envelope;
pub mod route;
pub mod sender;
pub mod streams;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum BrokerError {
    #[error("invalid task_broker '{0}': {1}")]
    Url(String, &'static str),
    #[error("invalid task_broker_name '{0}': it must be 1-128 characters, without spaces or ':'")]
    Name(String),
    #[error("task broker: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("task broker: unexpected reply to {0}")]
    Reply(&'static str),
    /// No connection now; the text is why the last attempt failed.
    #[error("{0}")]
    Unreachable(String),
}

/// `task_broker`, `task_broker_name` and `task_broker_secret`, checked.
#[derive(Clone, PartialEq, Eq)]
pub struct BrokerSettings {
    /// `redis://[user:password@]host[:port][/db]`.
    pub url: String,
    pub name: String,
    pub secret: Option<Vec<u8>>,
}

impl std::fmt::Debug for BrokerSettings {
    // Passwords and the secret never reach a log line or a dump.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerSettings").field("url", &redacted(&self.url)).field("name", &self.name).field("signed", &self.secret.is_some()).finish()
    }
}

impl BrokerSettings {
    /// Checks the URL's shape (the connection is made at start) and the name.
    pub fn new(url: &str, name: &str, secret: Option<&[u8]>) -> Result<BrokerSettings, BrokerError> {
        let bad = |why| BrokerError::Url(redacted(url), why);
        let rest = url.strip_prefix("redis://").ok_or_else(|| bad("it must start with redis://"))?;
        let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
        let host = host.split('/').next().unwrap_or_default();
        if host.is_empty() {
            return Err(bad("it names no host"));
        }
        if name.is_empty() || name.len() > 128 || name.contains(|c: char| c.is_whitespace() || c == ':') {
            return Err(BrokerError::Name(name.into()));
        }
        redis::Client::open(url).map_err(|_| bad("it is not a valid Redis URL"))?;
        Ok(BrokerSettings { url: url.into(), name: name.into(), secret: secret.filter(|s| !s.is_empty()).map(<[u8]>::to_vec) })
    }
}

/// This server's name among the broker's hosts: the host name, the manager's pid and the
/// server's start time, so two servers on one host, or one started again, never share a
/// result stream or a consumer.
pub fn host_id(manager_pid: i32, start_time: i64) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let host: String = host.trim().chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' }).collect();
    format!("{}-{}-{}", if host.is_empty() { "host" } else { &host }, manager_pid, start_time)
}

/// Largest task or result body the broker carries: Redis's limit for one string
/// (proto-max-bulk-len, 512 MB by default), less the frame's header and some room.
pub const MAX_BODY: usize = (512 << 20) - 4096;

/// `url` with any password replaced by `***`.
pub fn redacted(url: &str) -> String {
    let Some(rest) = url.strip_prefix("redis://") else { return url.into() };
    match rest.rsplit_once('@') {
        Some((cred, host)) => match cred.split_once(':') {
            Some((user, _)) => format!("redis://{user}:***@{host}"),
            None => format!("redis://***@{host}"),
        },
        None => url.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_passwords_never_shown() {
        assert!(BrokerSettings::new("redis://127.0.0.1:6379/0", "shop", None).is_ok());
        assert!(BrokerSettings::new("redis://u:pw@10.0.0.5:6379/2", "shop", Some(b"s")).is_ok());
        for bad in ["http://x", "redis://", "redis://u:p@/0", "10.0.0.5:6379"] {
            assert!(BrokerSettings::new(bad, "shop", None).is_err(), "{bad}");
        }
        for bad in ["", "a b", "a:b"] {
            assert!(BrokerSettings::new("redis://h", bad, None).is_err(), "{bad:?}");
        }
        assert_eq!(redacted("redis://u:pw@h:1/0"), "redis://u:***@h:1/0");
        assert_eq!(redacted("redis://pw@h"), "redis://***@h");
        assert_eq!(redacted("redis://h:1"), "redis://h:1");
        let s = BrokerSettings::new("redis://u:topsecret@h:1/0", "shop", Some(b"hmac-key")).unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("topsecret") && !shown.contains("hmac-key"), "{shown}");
        let e = BrokerSettings::new("redis://u:topsecret@", "shop", None).unwrap_err().to_string();
        assert!(!e.contains("topsecret"), "{e}");
    }
}
