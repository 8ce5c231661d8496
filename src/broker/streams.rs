//! The task path's Redis Streams protocol: send tasks, take them as a consumer of the group,
//! write their results and acknowledge them in one transaction, read a sender's results, and
//! claim the tasks of a consumer that died. Many tasks per round trip (pipelines) whenever
//! many are in flight.

use std::time::Duration;

use redis::Value;

use crate::broker::envelope::Signer;
use crate::broker::{BrokerError, BrokerSettings};

/// How long a result stream lives without its reader (a dead sender's results go with it).
pub const RESULT_STREAM_TTL: Duration = Duration::from_secs(3600);
/// A result stream is capped (approximately) at this many entries: its reader deletes what
/// it read, so only a reader that stopped reading ever reaches it.
const RESULT_STREAM_MAX: usize = 100_000;

/// A task taken from the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    /// The stream entry, acknowledged when its results are written.
    pub entry: String,
    pub frame: Vec<u8>,
    /// The sender's result stream.
    pub reply_to: String,
}

/// One result for a sender.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    pub reply_to: String,
    pub frame: Vec<u8>,
}

pub struct Broker {
    con: redis::Connection,
    signer: Signer,
    tasks: String,
    group: String,
    results_prefix: String,
    /// Entries dropped unread: no frame, or a signature that does not verify.
    pub rejected: u64,
}

impl Broker {
    /// Connects (bounded by `timeout`) and makes sure the task stream and its group exist.
    pub fn connect(s: &BrokerSettings, timeout: Duration) -> Result<Broker, BrokerError> {
        let client = redis::Client::open(s.url.as_str())?;
        let mut con = client.get_connection_with_timeout(timeout)?;
        con.set_write_timeout(Some(timeout))?;
        con.set_read_timeout(Some(timeout))?;
        let tasks = format!("{}:tasks", s.name);
        let group = format!("{}:workers", s.name);
        // From the start of the stream: tasks sent before any task worker ran are served.
        let created: Result<Value, redis::RedisError> = redis::cmd("XGROUP").arg("CREATE").arg(&tasks).arg(&group).arg("0").arg("MKSTREAM").query(&mut con);
        if let Err(e) = created {
            if e.code() != Some("BUSYGROUP") {
                return Err(e.into());
            }
        }
        Ok(Broker { con, signer: Signer::new(s.secret.as_deref(), &s.name), tasks, group, results_prefix: format!("{}:results:", s.name), rejected: 0 })
    }

    /// The result stream of sender `sender` (host, worker id and incarnation, say).
    pub fn result_stream(&self, sender: &str) -> String {
        format!("{}{}", self.results_prefix, sender)
    }

    /// Sends tasks (one round trip for all); returns their entry ids.
    pub fn send(&mut self, reply_to: &str, frames: &[&[u8]]) -> Result<Vec<String>, BrokerError> {
        if frames.is_empty() {
            return Ok(Vec::new());
        }
        let mut p = redis::pipe();
        for f in frames {
            p.cmd("XADD").arg(&self.tasks).arg("*").arg("f").arg(*f).arg("r").arg(reply_to).arg("s").arg(self.signer.sign(f));
        }
        Ok(p.query(&mut self.con)?)
    }

    /// Up to `count` tasks for consumer `consumer`, waiting up to `block` for the first.
    pub fn take(&mut self, consumer: &str, count: usize, block: Duration) -> Result<Vec<Taken>, BrokerError> {
        let ms = block.as_millis().max(1) as u64;
        self.con.set_read_timeout(Some(block.saturating_add(Duration::from_secs(2))))?;
        let v: Value = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg(&self.group)
            .arg(consumer)
            .arg("COUNT")
            .arg(count.max(1))
            .arg("BLOCK")
            .arg(ms)
            .arg("STREAMS")
            .arg(&self.tasks)
            .arg(">")
            .query(&mut self.con)?;
        let found = read_reply(v, "XREADGROUP")?;
        self.accept(found)
    }

    /// Tasks pending for longer than `min_idle` with consumers that stopped (died, lost their
    /// link): taken over by `consumer`, to be run again or reported lost. A live consumer
    /// running a task longer than that must keep it (`XCLAIM ... JUSTID` to itself) or it is
    /// claimed too; the transport that runs tasks is to do so.
    ///
    /// Redis scans a bounded part of the pending list per call: this follows its cursor over
    /// the whole list (bounded by `count` claimed entries).
    pub fn claim_stale(&mut self, consumer: &str, min_idle: Duration, count: usize) -> Result<Vec<Taken>, BrokerError> {
        let mut cursor = "0-0".to_string();
        let mut found = Vec::new();
        loop {
            let v: Value = redis::cmd("XAUTOCLAIM")
                .arg(&self.tasks)
                .arg(&self.group)
                .arg(consumer)
                .arg(min_idle.as_millis() as u64)
                .arg(&cursor)
                .arg("COUNT")
                .arg(count.saturating_sub(found.len()).max(1))
                .query(&mut self.con)?;
            let Value::Array(parts) = v else { return Err(BrokerError::Reply("XAUTOCLAIM")) };
            let mut parts = parts.into_iter();
            let next = parts.next().and_then(bytes).map(|b| String::from_utf8_lossy(&b).into_owned()).ok_or(BrokerError::Reply("XAUTOCLAIM"))?;
            found.extend(parts.next().map(entries).unwrap_or_default());
            if next == "0-0" || found.len() >= count {
                break;
            }
            cursor = next;
        }
        self.accept(found)
    }

    /// Checks each entry's signature; the rest are acknowledged and deleted unread (counted).
    fn accept(&mut self, found: Vec<Entry>) -> Result<Vec<Taken>, BrokerError> {
        let mut good = Vec::new();
        let mut bad = Vec::new();
        for (entry, fields) in found {
            let field = |name: &[u8]| field(&fields, name);
            match (field(b"f"), field(b"r"), field(b"s")) {
                (Some(frame), Some(reply_to), sig) if self.signer.verify(&frame, sig.as_deref().unwrap_or_default()) && reply_to.starts_with(self.results_prefix.as_bytes()) => {
                    good.push(Taken { entry, frame, reply_to: String::from_utf8_lossy(&reply_to).into_owned() });
                }
                _ => bad.push(entry),
            }
        }
        if !bad.is_empty() {
            self.rejected += bad.len() as u64;
            crate::log_at!(
                crate::log::Level::Warning,
                "Broker::take",
                "{} entr{} of {} dropped unread: not signed with this queue's task_broker_secret",
                bad.len(),
                if bad.len() == 1 { "y" } else { "ies" },
                self.tasks
            );
            let mut p = redis::pipe();
            p.cmd("XACK").arg(&self.tasks).arg(&self.group).arg(&bad).ignore();
            p.cmd("XDEL").arg(&self.tasks).arg(&bad).ignore();
            p.query::<()>(&mut self.con)?;
        }
        Ok(good)
    }

    /// Writes results and acknowledges (and deletes) the tasks they end, in one MULTI/EXEC:
    /// nothing of it is seen half-done. (Redis does not roll back a command that fails inside
    /// it, e.g. a reply key of the wrong type, and a connection lost after EXEC leaves the
    /// outcome unknown: an error here does not prove nothing was written.)
    pub fn finish(&mut self, replies: &[Reply], done: &[String]) -> Result<(), BrokerError> {
        let mut p = redis::pipe();
        p.atomic();
        for r in replies {
            p.cmd("XADD").arg(&r.reply_to).arg("MAXLEN").arg("~").arg(RESULT_STREAM_MAX).arg("*").arg("f").arg(&r.frame).arg("s").arg(self.signer.sign(&r.frame)).ignore();
        }
        let mut streams: Vec<&str> = replies.iter().map(|r| r.reply_to.as_str()).collect();
        streams.sort_unstable();
        streams.dedup();
        for s in streams {
            p.cmd("EXPIRE").arg(s).arg(RESULT_STREAM_TTL.as_secs()).ignore();
        }
        if !done.is_empty() {
            p.cmd("XACK").arg(&self.tasks).arg(&self.group).arg(done).ignore();
            p.cmd("XDEL").arg(&self.tasks).arg(done).ignore();
        }
        p.query::<()>(&mut self.con)?;
        Ok(())
    }

    /// Results in `stream` after entry `after` ("0" for all), waiting up to `block`; what is
    /// read is deleted (the stream is this reader's alone) and the stream's life renewed.
    /// Entries that do not verify are dropped (counted).
    pub fn results(&mut self, stream: &str, after: &str, count: usize, block: Duration) -> Result<Vec<(String, Vec<u8>)>, BrokerError> {
        self.con.set_read_timeout(Some(block.saturating_add(Duration::from_secs(2))))?;
        let v: Value = redis::cmd("XREAD").arg("COUNT").arg(count.max(1)).arg("BLOCK").arg(block.as_millis().max(1) as u64).arg("STREAMS").arg(stream).arg(after).query(&mut self.con)?;
        let found = read_reply(v, "XREAD")?;
        if found.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<&String> = found.iter().map(|(id, _)| id).collect();
        let mut p = redis::pipe();
        p.cmd("XDEL").arg(stream).arg(&ids).ignore();
        p.cmd("EXPIRE").arg(stream).arg(RESULT_STREAM_TTL.as_secs()).ignore();
        p.query::<()>(&mut self.con)?;
        let mut out = Vec::with_capacity(found.len());
        for (id, fields) in found {
            let field = |name: &[u8]| field(&fields, name);
            match (field(b"f"), field(b"s")) {
                (Some(frame), sig) if self.signer.verify(&frame, sig.as_deref().unwrap_or_default()) => out.push((id, frame)),
                _ => self.rejected += 1,
            }
        }
        Ok(out)
    }

    /// Tasks delivered and not yet acknowledged.
    pub fn pending(&mut self) -> Result<u64, BrokerError> {
        let v: Value = redis::cmd("XPENDING").arg(&self.tasks).arg(&self.group).query(&mut self.con)?;
        match v {
            Value::Array(parts) => match parts.first() {
                Some(Value::Int(n)) => Ok(*n as u64),
                _ => Err(BrokerError::Reply("XPENDING")),
            },
            _ => Err(BrokerError::Reply("XPENDING")),
        }
    }

    /// Entries in the task stream (sent, not yet finished).
    pub fn queued(&mut self) -> Result<u64, BrokerError> {
        Ok(redis::cmd("XLEN").arg(&self.tasks).query(&mut self.con)?)
    }

    /// Removes consumers idle for longer than `idle` that hold no pending task (abandoned
    /// consumers, e.g. of hosts that went away); returns how many. (A consumer that takes a
    /// task between the check and the removal loses it to the stream's pending list until a
    /// claim: callers pass an `idle` far above any live consumer's wait.)
    pub fn forget_idle_consumers(&mut self, idle: Duration) -> Result<usize, BrokerError> {
        let v: Value = redis::cmd("XINFO").arg("CONSUMERS").arg(&self.tasks).arg(&self.group).query(&mut self.con)?;
        let Value::Array(consumers) = v else { return Err(BrokerError::Reply("XINFO CONSUMERS")) };
        let mut gone = 0;
        for c in consumers {
            let fields = pairs(c);
            let text = |k: &[u8]| field(&fields, k);
            let int = |k: &[u8]| text(k).and_then(|v| String::from_utf8(v).ok()).and_then(|s| s.parse::<u64>().ok());
            let (Some(name), Some(pending), Some(idle_ms)) = (text(b"name"), int(b"pending"), int(b"idle")) else { continue };
            if pending == 0 && idle_ms >= idle.as_millis() as u64 {
                let _: Value = redis::cmd("XGROUP").arg("DELCONSUMER").arg(&self.tasks).arg(&self.group).arg(name).query(&mut self.con)?;
                gone += 1;
            }
        }
        Ok(gone)
    }
}

/// An entry id and its fields.
type Entry = (String, Vec<(Vec<u8>, Vec<u8>)>);

/// XREAD / XREADGROUP's reply (nil when the wait ended empty) as the entries of its stream.
fn read_reply(v: Value, cmd: &'static str) -> Result<Vec<Entry>, BrokerError> {
    Ok(match v {
        Value::Nil => Vec::new(),
        Value::Array(streams) => streams
            .into_iter()
            .filter_map(|s| match s {
                Value::Array(mut kv) if kv.len() == 2 => kv.pop(),
                _ => None,
            })
            .flat_map(entries)
            .collect(),
        Value::Map(streams) => streams.into_iter().flat_map(|(_, e)| entries(e)).collect(),
        _ => return Err(BrokerError::Reply(cmd)),
    })
}

fn field(fields: &[(Vec<u8>, Vec<u8>)], name: &[u8]) -> Option<Vec<u8>> {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}

/// `[[id, [field, value, ...]], ...]` as (id, fields).
fn entries(v: Value) -> Vec<Entry> {
    let Value::Array(list) = v else { return Vec::new() };
    list.into_iter()
        .filter_map(|e| {
            let Value::Array(mut parts) = e else { return None };
            if parts.len() != 2 {
                return None;
            }
            let fields = parts.pop().map(pairs)?;
            let id = bytes(parts.pop()?)?;
            Some((String::from_utf8_lossy(&id).into_owned(), fields))
        })
        .collect()
}

/// A flat `[k, v, k, v...]` array (or a map) as pairs of bytes.
fn pairs(v: Value) -> Vec<(Vec<u8>, Vec<u8>)> {
    match v {
        Value::Array(flat) => {
            let mut out = Vec::with_capacity(flat.len() / 2);
            let mut it = flat.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                if let (Some(k), Some(v)) = (bytes(k), bytes(v)) {
                    out.push((k, v));
                }
            }
            out
        }
        Value::Map(m) => m.into_iter().filter_map(|(k, v)| Some((bytes(k)?, bytes(v)?))).collect(),
        _ => Vec::new(),
    }
}

fn bytes(v: Value) -> Option<Vec<u8>> {
    match v {
        Value::BulkString(b) => Some(b),
        Value::SimpleString(s) => Some(s.into_bytes()),
        Value::Int(n) => Some(n.to_string().into_bytes()),
        _ => None,
    }
}
