//! The broker's Redis Streams protocol against a real redis-server, started here on a free
//! loopback port with persistence off and stopped at the end.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rswoole::broker::streams::{Broker, ResultCursor, Taken, Write};
use rswoole::broker::BrokerSettings;

struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    fn start() -> Redis {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (make deps installs it)");
        let r = Redis { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let up = redis::Client::open(r.url().as_str()).and_then(|c| c.get_connection_with_timeout(Duration::from_millis(200))).is_ok();
            if up {
                return r;
            }
            assert!(Instant::now() < deadline, "redis-server did not come up on port {port}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    fn settings(&self, name: &str, secret: Option<&[u8]>) -> BrokerSettings {
        BrokerSettings::new(&self.url(), name, secret).unwrap()
    }

    fn raw(&self) -> redis::Connection {
        redis::Client::open(self.url().as_str()).unwrap().get_connection().unwrap()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const T: Duration = Duration::from_secs(2);

/// A task frame's 24-byte header (kind 1, then src, generation, task id, body length) and body.
fn task_frame(task: i64, body: &[u8]) -> Vec<u8> {
    let mut f = vec![1u8, 0, 0, 0];
    f.extend_from_slice(&0u32.to_le_bytes());
    f.extend_from_slice(&1u32.to_le_bytes());
    f.extend_from_slice(&task.to_le_bytes());
    f.extend_from_slice(&(body.len() as u32).to_le_bytes());
    f.extend_from_slice(body);
    f
}

fn result_of(t: &Taken) -> Write {
    Write { entry: t.entry.clone(), reply_to: t.reply_to.clone(), frame: Some(t.frame.clone()), last: true }
}

#[test]
fn tasks_reach_one_consumer_each_and_results_their_sender() {
    let r = Redis::start();
    let s = r.settings("q1", Some(b"k"));
    let mut sender = Broker::connect(&s, T).unwrap();
    let mut a = Broker::connect(&s, T).unwrap();
    let mut b = Broker::connect(&s, T).unwrap();
    let mut cursor = ResultCursor::default();
    let back = sender.result_stream("hostA:0:1");
    let frames: Vec<Vec<u8>> = (0..1000i64).map(|i| task_frame(i, &i.to_le_bytes())).collect();
    let refs: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
    assert_eq!(sender.send(&back, &refs).unwrap().len(), 1000);
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while seen.len() < 1000 && Instant::now() < deadline {
        for (name, c) in [("a", &mut a), ("b", &mut b)] {
            let got = c.take(name, 64, Duration::from_millis(10)).unwrap();
            let writes: Vec<Write> = got.iter().map(result_of).collect();
            assert!(c.write(name, &writes).unwrap().into_iter().all(|w| w), "a consumer writes for the tasks it holds");
            seen.extend(got.into_iter().map(|t| t.frame));
        }
    }
    seen.sort();
    let mut want = frames.clone();
    want.sort();
    assert_eq!(seen, want, "every task taken exactly once");
    let mut results = Vec::new();
    while results.len() < 1000 {
        let got = sender.results(&back, &mut cursor, 500, Duration::from_millis(100)).unwrap();
        assert!(!got.is_empty(), "results stop at {}", results.len());
        results.extend(got);
    }
    results.sort();
    assert_eq!(results, want, "every result reaches its sender once");
    assert_eq!((sender.pending().unwrap(), sender.queued().unwrap()), (0, 0), "nothing pending, nothing left in the task stream");
    // What was read goes with the next read.
    assert!(sender.results(&back, &mut cursor, 500, Duration::from_millis(10)).unwrap().is_empty());
    let left: u64 = redis::cmd("XLEN").arg(&back).query(&mut r.raw()).unwrap();
    assert_eq!(left, 0, "read results are deleted");
    let ttl: i64 = redis::cmd("TTL").arg(&back).query(&mut r.raw()).unwrap();
    assert!(ttl > 0, "a result stream expires without its reader");
}

#[test]
fn frames_someone_else_wrote_are_dropped_unread() {
    let r = Redis::start();
    let s = r.settings("q2", Some(b"right"));
    let mut worker = Broker::connect(&s, T).unwrap();
    let mut sender = Broker::connect(&s, T).unwrap();
    let mut cursor = ResultCursor::default();
    let back = sender.result_stream("h:0:1");
    let mut raw = r.raw();
    // Unsigned, wrongly signed, and signed under another secret.
    let _: String = redis::cmd("XADD").arg("q2:tasks").arg("*").arg("f").arg("evil").arg("r").arg(&back).query(&mut raw).unwrap();
    let _: String = redis::cmd("XADD").arg("q2:tasks").arg("*").arg("f").arg("evil").arg("r").arg(&back).arg("s").arg("xx").query(&mut raw).unwrap();
    let mut other = Broker::connect(&r.settings("q2", Some(b"wrong")), T).unwrap();
    other.send(&back, &[b"evil".as_slice()]).unwrap();
    // A frame whose reply goes outside this queue's result streams.
    let _: String = redis::cmd("XADD").arg("q2:tasks").arg("*").arg("f").arg("evil").arg("r").arg("elsewhere").query(&mut raw).unwrap();
    // A good frame redirected to another result stream breaks its signature.
    sender.send(&back, &[b"good".as_slice()]).unwrap();
    let got = worker.take("w", 10, Duration::from_millis(100)).unwrap();
    assert_eq!(got.iter().map(|t| t.frame.as_slice()).collect::<Vec<_>>(), vec![b"good".as_slice()]);
    assert_eq!(worker.rejected, 4);
    let mut moved = result_of(&got[0]);
    moved.frame = None;
    assert_eq!(worker.write("w", &[moved]).unwrap(), vec![true]);
    assert_eq!((worker.pending().unwrap(), worker.queued().unwrap()), (0, 0), "rejected entries are acknowledged and deleted");
    // A forged result is not delivered either.
    let _: String = redis::cmd("XADD").arg(&back).arg("*").arg("f").arg("forged").query(&mut raw).unwrap();
    assert!(sender.results(&back, &mut cursor, 10, Duration::from_millis(50)).unwrap().is_empty());
    assert_eq!(sender.rejected, 1);
}

#[test]
fn a_quiet_consumers_tasks_are_reported_lost_once_and_its_late_results_dropped() {
    let r = Redis::start();
    let s = r.settings("q3", None);
    let mut sender = Broker::connect(&s, T).unwrap();
    let mut cursor = ResultCursor::default();
    let back = sender.result_stream("h:0:1");
    let frames: Vec<Vec<u8>> = (0..10i64).map(|i| task_frame(i, b"x")).collect();
    let refs: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
    sender.send(&back, &refs).unwrap();
    let vis = Duration::from_millis(300);
    // Takes them all, then goes quiet (its host died or lost its link).
    let mut quiet = Broker::connect(&s, T).unwrap();
    let held = quiet.take("quiet", 100, Duration::from_millis(100)).unwrap();
    assert_eq!(held.len(), 10);
    let mut claimer = Broker::connect(&s, T).unwrap();
    let mut other = Broker::connect(&s, T).unwrap();
    assert!(claimer.claim("claimer", vis, 100).unwrap().is_empty(), "not before the timeout");
    // A live consumer keeps one of them fresh, however long it runs.
    let kept = Write { frame: None, last: false, ..result_of(&held[0]) };
    let deadline = Instant::now() + Duration::from_millis(450);
    while Instant::now() < deadline {
        assert_eq!(quiet.write("quiet", &[kept.clone()]).unwrap(), vec![true]);
        std::thread::sleep(Duration::from_millis(50));
    }
    let claimed = claimer.claim("claimer", vis, 100).unwrap();
    assert_eq!(claimed.len(), 9, "the nine nobody kept are taken over");
    assert!(other.claim("other", vis, 100).unwrap().is_empty(), "by one claimer only");
    // The claimer reports them lost (its own writes: only while it holds them).
    let reports: Vec<Write> = claimed.iter().map(|t| Write { frame: Some(b"lost".to_vec()), ..result_of(t) }).collect();
    assert!(claimer.write("claimer", &reports).unwrap().into_iter().all(|w| w));
    assert_eq!(sender.results(&back, &mut cursor, 100, Duration::from_millis(100)).unwrap().len(), 9);
    // The quiet consumer comes back: its results for the reported tasks are dropped, the kept
    // one is written.
    let writes: Vec<Write> = held.iter().map(result_of).collect();
    let written = quiet.write("quiet", &writes).unwrap();
    assert_eq!(written, std::iter::once(true).chain(std::iter::repeat_n(false, 9)).collect::<Vec<_>>());
    assert_eq!(sender.results(&back, &mut cursor, 100, Duration::from_millis(100)).unwrap(), vec![frames[0].clone()]);
    assert_eq!((sender.pending().unwrap(), sender.queued().unwrap()), (0, 0));
    assert!(claimer.consumers().unwrap() >= 2);
    assert!(claimer.forget_idle_consumers(Duration::ZERO).unwrap() >= 2, "idle consumers holding nothing are forgotten");
    assert_eq!(claimer.consumers().unwrap(), 0);
}

#[test]
fn the_epoch_changes_only_when_redis_lost_its_data() {
    let r = Redis::start();
    let s = r.settings("q4", None);
    let mut a = Broker::connect(&s, T).unwrap();
    let mut b = Broker::connect(&s, T).unwrap();
    let first = a.epoch("one").unwrap();
    assert_eq!(first, "one");
    assert_eq!(b.epoch("two").unwrap(), "one", "the first epoch stays");
    let _: () = redis::cmd("FLUSHALL").query(&mut r.raw()).unwrap();
    assert_eq!(b.epoch("three").unwrap(), "three", "a Redis without its data has a new one");
}

#[test]
fn an_unreachable_broker_fails_fast() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let s = BrokerSettings::new(&format!("redis://127.0.0.1:{port}/0"), "q", None).unwrap();
    let started = Instant::now();
    assert!(Broker::connect(&s, Duration::from_millis(300)).is_err());
    assert!(started.elapsed() < Duration::from_secs(2));
}
