//! The task path's Redis Streams protocol: send tasks, take them as a consumer of the group,
//! write their results (and acknowledge them) only while the writer still holds them, read a
//! sender's results, and report the tasks of consumers that stopped answering.
//!
//! Who holds a task is Redis's pending list: a task is delivered to one consumer; that
//! consumer, while it runs the task, keeps it fresh (`keep`); a task that no one kept for the
//! visibility timeout is taken over by a claimer (`claim`), which reports it lost to its
//! sender. Every write, a result or a loss report, checks in the same script that the writer
//! still holds the task, and the last one acknowledges it: of a late result and a loss report,
//! exactly one reaches the sender, and every one is signed. Many tasks per round trip (pipelines) whenever many are in flight.

use std::time::Duration;

use redis::Value;

use crate::broker::envelope::Signer;
use crate::broker::{BrokerError, BrokerSettings};

/// How long a result stream lives without its reader (a dead sender's results go with it).
pub const RESULT_STREAM_TTL: Duration = Duration::from_secs(3600);
/// A result stream is capped (approximately) at this many entries: its reader deletes what
/// it read, so only a reader that stopped reading ever reaches it.
const RESULT_STREAM_MAX: usize = 100_000;

/// Writes a result for task entry ARGV[3] (and with ARGV[4] = 1 acknowledges and deletes it),
/// or only keeps it (ARGV[5] empty, ARGV[4] = 0: resets its idle time), if consumer ARGV[2]
/// still holds it. Returns 1 when written, 0 when the task is no longer ours (a claimer took
/// it and reported it lost).
const WRITE: &str = r"
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
local e = p[1]
if not e or e[2] ~= ARGV[2] then return 0 end
if ARGV[5] ~= '' then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[7], '*', 'f', ARGV[5], 's', ARGV[6])
  redis.call('EXPIRE', KEYS[2], ARGV[8])
end
if ARGV[4] == '1' then
  redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
  redis.call('XDEL', KEYS[1], ARGV[3])
else
  redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
end
return 1
";

/// Gives task entry ARGV[3] back to the stream if consumer ARGV[2] holds it: a copy goes to
/// the stream's end (its signature covers the frame and the result stream, not the id) and
/// the entry is acknowledged and deleted. Returns 1 when given back.
const GIVE_BACK: &str = r"
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
local e = p[1]
if not e or e[2] ~= ARGV[2] then return 0 end
local r = redis.call('XRANGE', KEYS[1], ARGV[3], ARGV[3])
if r[1] then redis.call('XADD', KEYS[1], '*', unpack(r[1][2])) end
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
redis.call('XDEL', KEYS[1], ARGV[3])
return 1
";

/// Removes the consumers of group ARGV[1] idle for ARGV[2] ms that hold nothing.
const FORGET: &str = r"
local n = 0
for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local name, pending, idle = nil, nil, nil
  for i = 1, #c, 2 do
    if c[i] == 'name' then name = c[i + 1] elseif c[i] == 'pending' then pending = c[i + 1] elseif c[i] == 'idle' then idle = c[i + 1] end
  end
  if name and pending == 0 and idle and idle >= tonumber(ARGV[2]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], name)
    n = n + 1
  end
end
return n
";

/// Where a reader is in its result stream: the last entry read, and those read but not yet
/// deleted (deleted with the next read).
#[derive(Clone, Debug)]
pub struct ResultCursor {
    after: String,
    read: Vec<String>,
}

impl Default for ResultCursor {
    fn default() -> Self {
        ResultCursor { after: "0".into(), read: Vec::new() }
    }
}

/// A task taken from the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Taken {
    /// The stream entry, acknowledged when its last result is written.
    pub entry: String,
    pub frame: Vec<u8>,
    /// The sender's result stream.
    pub reply_to: String,
}

/// One write for a task its writer holds: a result (`frame`), and with `last` the end of
/// the task; no frame and not last only keeps the task (resets its idle time).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write {
    pub entry: String,
    pub reply_to: String,
    pub frame: Option<Vec<u8>>,
    pub last: bool,
}

pub struct Broker {
    con: redis::Connection,
    signer: Signer,
    tasks: String,
    group: String,
    epoch_key: String,
    results_prefix: String,
    write: redis::Script,
    give_back: redis::Script,
    forget: redis::Script,
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
        let (write, give_back, forget) = (redis::Script::new(WRITE), redis::Script::new(GIVE_BACK), redis::Script::new(FORGET));
        for s in [&write, &give_back, &forget] {
            s.load(&mut con)?;
        }
        Ok(Broker {
            con,
            signer: Signer::new(s.secret.as_deref(), &s.name),
            tasks,
            group,
            epoch_key: format!("{}:epoch", s.name),
            results_prefix: result_stream(s, ""),
            write,
            give_back,
            forget,
            rejected: 0,
        })
    }

    /// The result stream of sender `sender` (host, worker id and incarnation, say).
    pub fn result_stream(&self, sender: &str) -> String {
        format!("{}{}", self.results_prefix, sender)
    }
}

/// The result stream of sender `sender` in queue `s`.
pub fn result_stream(s: &BrokerSettings, sender: &str) -> String {
    format!("{}:results:{}", s.name, sender)
}

impl Broker {

    /// The broker's epoch: a token set by the first process that finds none. A Redis that
    /// restarted without its data has a new one, so a sender learns that the tasks it sent
    /// before are gone (where a data-keeping restart or a cut link keeps the old one).
    pub fn epoch(&mut self, fresh: &str) -> Result<String, BrokerError> {
        let (_, epoch): (Value, String) = redis::pipe().cmd("SET").arg(&self.epoch_key).arg(fresh).arg("NX").cmd("GET").arg(&self.epoch_key).query(&mut self.con)?;
        Ok(epoch)
    }

    /// Sends tasks (one round trip for all); returns their entry ids. The signature covers
    /// the frame and where its results go.
    pub fn send(&mut self, reply_to: &str, frames: &[&[u8]]) -> Result<Vec<String>, BrokerError> {
        if frames.is_empty() {
            return Ok(Vec::new());
        }
        let mut p = redis::pipe();
        for f in frames {
            p.cmd("XADD").arg(&self.tasks).arg("*").arg("f").arg(*f).arg("r").arg(reply_to).arg("s").arg(self.signer.sign(&signed(f, reply_to.as_bytes())));
        }
        Ok(p.query(&mut self.con)?)
    }

    /// Up to `count` tasks for consumer `consumer`, waiting up to `block` for the first.
    pub fn take(&mut self, consumer: &str, count: usize, block: Duration) -> Result<Vec<Taken>, BrokerError> {
        self.write_then_take(consumer, &[], count, Some(block)).map(|(_, t)| t)
    }

    /// [`Broker::write`] and then [`Broker::take`] (waiting up to `block`, None: not at all),
    /// in one round trip: a worker that ends a task asks for the next in the same breath.
    pub fn write_then_take(&mut self, consumer: &str, writes: &[Write], count: usize, block: Option<Duration>) -> Result<(Vec<bool>, Vec<Taken>), BrokerError> {
        self.con.set_read_timeout(Some(block.unwrap_or_default().saturating_add(Duration::from_secs(2))))?;
        let mut p = self.write_pipe(consumer, writes);
        p.cmd("XREADGROUP").arg("GROUP").arg(&self.group).arg(consumer).arg("COUNT").arg(count.max(1));
        if let Some(b) = block {
            p.arg("BLOCK").arg(b.as_millis().max(1) as u64);
        }
        p.arg("STREAMS").arg(&self.tasks).arg(">");
        let mut replies = self.query_scripted(&p)?;
        let taken = replies.pop().ok_or(BrokerError::Reply("XREADGROUP"))?;
        let written = replies.into_iter().map(|v| matches!(v, Value::Int(1))).collect();
        let found = read_reply(taken, "XREADGROUP")?;
        Ok((written, self.accept(found)?))
    }

    /// Runs `p`, loading the scripts again if someone flushed them since they were loaded.
    fn query_scripted(&mut self, p: &redis::Pipeline) -> Result<Vec<Value>, BrokerError> {
        match p.query::<Vec<Value>>(&mut self.con) {
            Ok(v) => Ok(v),
            Err(e) if e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) => {
                for s in [&self.write, &self.give_back, &self.forget] {
                    s.load(&mut self.con)?;
                }
                Ok(p.query(&mut self.con)?)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Checks each entry's signature; the rest are acknowledged and deleted unread (counted).
    fn accept(&mut self, found: Vec<Entry>) -> Result<Vec<Taken>, BrokerError> {
        let mut good = Vec::new();
        let mut bad = Vec::new();
        for (entry, fields) in found {
            let field = |name: &[u8]| field(&fields, name);
            match (field(b"f"), field(b"r"), field(b"s")) {
                (Some(frame), Some(reply_to), sig)
                    if reply_to.starts_with(self.results_prefix.as_bytes()) && self.signer.verify(&signed(&frame, &reply_to), sig.as_deref().unwrap_or_default()) =>
                {
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

    /// Writes (one round trip for all) what `consumer` has for tasks it holds; for each, true
    /// when it was written, false when the task is no longer ours (reported lost already, or
    /// taken over): a late result is dropped, never delivered beside its loss report.
    pub fn write(&mut self, consumer: &str, writes: &[Write]) -> Result<Vec<bool>, BrokerError> {
        if writes.is_empty() {
            return Ok(Vec::new());
        }
        let p = self.write_pipe(consumer, writes);
        Ok(self.query_scripted(&p)?.into_iter().map(|v| matches!(v, Value::Int(1))).collect())
    }

    fn write_pipe(&self, consumer: &str, writes: &[Write]) -> redis::Pipeline {
        let mut p = redis::pipe();
        for w in writes {
            let frame = w.frame.as_deref().unwrap_or_default();
            let sig = if frame.is_empty() { Vec::new() } else { self.signer.sign(frame) };
            let mut inv = self.write.key(&self.tasks);
            inv.key(&w.reply_to)
                .arg(&self.group)
                .arg(consumer)
                .arg(&w.entry)
                .arg(if w.last { "1" } else { "0" })
                .arg(frame)
                .arg(sig)
                .arg(RESULT_STREAM_MAX)
                .arg(RESULT_STREAM_TTL.as_secs());
            p.invoke_script(&inv);
        }
        p
    }

    /// Puts a task `consumer` took but will not run back in the stream, for any worker; false
    /// when it is no longer this consumer's.
    pub fn give_back(&mut self, consumer: &str, entry: &str) -> Result<bool, BrokerError> {
        let n: i64 = self.give_back.key(&self.tasks).arg(&self.group).arg(consumer).arg(entry).invoke(&mut self.con)?;
        Ok(n == 1)
    }

    /// Tasks that went quiet (pending longer than `visibility` with no one keeping them: their
    /// worker died or lost its link), taken over by `consumer`, which is to report them lost
    /// (a [`Write`] of a Lost frame, `last`). A claimer that dies before it does leaves them
    /// to the next claim. Follows XAUTOCLAIM's cursor, up to `count` entries.
    pub fn claim(&mut self, consumer: &str, visibility: Duration, count: usize) -> Result<Vec<Taken>, BrokerError> {
        let mut cursor = "0-0".to_string();
        let mut found = Vec::new();
        loop {
            let v: Value = redis::cmd("XAUTOCLAIM")
                .arg(&self.tasks)
                .arg(&self.group)
                .arg(consumer)
                .arg(visibility.as_millis() as u64)
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

    /// The frames (results, ends, loss reports) waiting in `stream` after `cursor`, waiting
    /// up to `block`. The stream is this reader's alone: what it read before is deleted in the
    /// same round trip, and the stream's life renewed. Reading after the last id read (not
    /// from what is left) means a reply lost with a broken connection is never delivered
    /// twice. Frames that do not verify are dropped (counted).
    pub fn results(&mut self, stream: &str, cursor: &mut ResultCursor, count: usize, block: Duration) -> Result<Vec<Vec<u8>>, BrokerError> {
        self.con.set_read_timeout(Some(block.saturating_add(Duration::from_secs(2))))?;
        let mut p = redis::pipe();
        if !cursor.read.is_empty() {
            p.cmd("XDEL").arg(stream).arg(&cursor.read).ignore();
        }
        p.cmd("EXPIRE").arg(stream).arg(RESULT_STREAM_TTL.as_secs()).ignore();
        p.cmd("XREAD").arg("COUNT").arg(count.max(1)).arg("BLOCK").arg(block.as_millis().max(1) as u64).arg("STREAMS").arg(stream).arg(&cursor.after);
        let (v,): (Value,) = p.query(&mut self.con)?;
        cursor.read.clear();
        let found = read_reply(v, "XREAD")?;
        let mut out = Vec::with_capacity(found.len());
        for (id, fields) in found {
            let field = |name: &[u8]| field(&fields, name);
            match (field(b"f"), field(b"s")) {
                (Some(frame), sig) if self.signer.verify(&frame, sig.as_deref().unwrap_or_default()) => out.push(frame),
                _ => self.rejected += 1,
            }
            cursor.after.clone_from(&id);
            cursor.read.push(id);
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
    /// consumers, e.g. of processes or hosts that went away); returns how many. One script:
    /// a consumer cannot take a task between the check and its removal.
    pub fn forget_idle_consumers(&mut self, idle: Duration) -> Result<u64, BrokerError> {
        Ok(self.forget.key(&self.tasks).arg(&self.group).arg(idle.as_millis() as u64).invoke(&mut self.con)?)
    }

    /// Consumers in the group (for tests and stats).
    pub fn consumers(&mut self) -> Result<usize, BrokerError> {
        let v: Value = redis::cmd("XINFO").arg("CONSUMERS").arg(&self.tasks).arg(&self.group).query(&mut self.con)?;
        match v {
            Value::Array(c) => Ok(c.len()),
            _ => Err(BrokerError::Reply("XINFO CONSUMERS")),
        }
    }
}

/// What a task's signature covers: the frame and the stream its results go to.
fn signed(frame: &[u8], reply_to: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(frame.len() + reply_to.len() + 4);
    v.extend_from_slice(&(reply_to.len() as u32).to_le_bytes());
    v.extend_from_slice(reply_to);
    v.extend_from_slice(frame);
    v
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
