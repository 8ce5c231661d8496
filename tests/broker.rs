//! The broker's Redis Streams protocol against a real redis-server, started here on a free
//! loopback port with persistence off and stopped at the end.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rswoole::broker::streams::{Broker, Reply};
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

#[test]
fn tasks_reach_one_consumer_each_and_results_their_sender() {
    let r = Redis::start();
    let s = r.settings("q1", Some(b"k"));
    let mut sender = Broker::connect(&s, T).unwrap();
    let mut a = Broker::connect(&s, T).unwrap();
    let mut b = Broker::connect(&s, T).unwrap();
    let back = sender.result_stream("hostA:0:1");
    let frames: Vec<Vec<u8>> = (0..1000u32).map(|i| i.to_le_bytes().to_vec()).collect();
    let refs: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
    assert_eq!(sender.send(&back, &refs).unwrap().len(), 1000);
    let mut seen = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while seen.len() < 1000 && Instant::now() < deadline {
        for (name, c) in [("a", &mut a), ("b", &mut b)] {
            let got = c.take(name, 64, Duration::from_millis(10)).unwrap();
            let replies: Vec<Reply> = got.iter().map(|t| Reply { reply_to: t.reply_to.clone(), frame: t.frame.clone() }).collect();
            let done: Vec<String> = got.iter().map(|t| t.entry.clone()).collect();
            c.finish(&replies, &done).unwrap();
            seen.extend(got.into_iter().map(|t| t.frame));
        }
    }
    seen.sort();
    let mut want = frames.clone();
    want.sort();
    assert_eq!(seen, want, "every task taken exactly once");
    let mut results = Vec::new();
    let mut after = "0".to_string();
    while results.len() < 1000 {
        let got = sender.results(&back, &after, 500, Duration::from_millis(100)).unwrap();
        assert!(!got.is_empty(), "results stop at {}", results.len());
        after = got.last().unwrap().0.clone();
        results.extend(got.into_iter().map(|(_, f)| f));
    }
    results.sort();
    assert_eq!(results, want, "every result reaches its sender once");
    assert_eq!((sender.pending().unwrap(), sender.queued().unwrap()), (0, 0), "nothing pending, nothing left in the task stream");
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
    let back = sender.result_stream("h:0:1");
    let mut raw = r.raw();
    // Unsigned, wrongly signed, and signed under another secret.
    let _: String = redis::cmd("XADD").arg("q2:tasks").arg("*").arg("f").arg("evil").arg("r").arg(&back).query(&mut raw).unwrap();
    let _: String = redis::cmd("XADD").arg("q2:tasks").arg("*").arg("f").arg("evil").arg("r").arg(&back).arg("s").arg("xx").query(&mut raw).unwrap();
    let mut other = Broker::connect(&r.settings("q2", Some(b"wrong")), T).unwrap();
    other.send(&back, &[b"evil".as_slice()]).unwrap();
    // A frame whose reply goes outside this queue's result streams.
    let _: String = redis::cmd("XADD").arg("q2:tasks").arg("*").arg("f").arg("evil").arg("r").arg("elsewhere").query(&mut raw).unwrap();
    sender.send(&back, &[b"good".as_slice()]).unwrap();
    let got = worker.take("w", 10, Duration::from_millis(100)).unwrap();
    assert_eq!(got.iter().map(|t| t.frame.as_slice()).collect::<Vec<_>>(), vec![b"good".as_slice()]);
    assert_eq!(worker.rejected, 4);
    worker.finish(&[], &[got[0].entry.clone()]).unwrap();
    assert_eq!((worker.pending().unwrap(), worker.queued().unwrap()), (0, 0), "rejected entries are acknowledged and deleted");
    // A forged result is not delivered either.
    let _: String = redis::cmd("XADD").arg(&back).arg("*").arg("f").arg("forged").query(&mut raw).unwrap();
    assert!(sender.results(&back, "0", 10, Duration::from_millis(50)).unwrap().is_empty());
    assert_eq!(sender.rejected, 1);
}

#[test]
fn a_dead_consumers_tasks_are_claimed_after_the_visibility_timeout() {
    let r = Redis::start();
    let s = r.settings("q3", None);
    let mut sender = Broker::connect(&s, T).unwrap();
    let back = sender.result_stream("h:0:1");
    let frames: Vec<Vec<u8>> = (0..10u8).map(|i| vec![i]).collect();
    let refs: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
    sender.send(&back, &refs).unwrap();
    {
        // Takes them all and dies without a word.
        let mut doomed = Broker::connect(&s, T).unwrap();
        assert_eq!(doomed.take("doomed", 100, Duration::from_millis(100)).unwrap().len(), 10);
    }
    let mut survivor = Broker::connect(&s, T).unwrap();
    assert!(survivor.claim_stale("survivor", Duration::from_millis(300), 100).unwrap().is_empty(), "not before the timeout");
    std::thread::sleep(Duration::from_millis(350));
    let claimed = survivor.claim_stale("survivor", Duration::from_millis(300), 100).unwrap();
    let mut got: Vec<Vec<u8>> = claimed.iter().map(|t| t.frame.clone()).collect();
    got.sort();
    assert_eq!(got, frames);
    assert!(claimed.iter().all(|t| t.reply_to == back));
    let done: Vec<String> = claimed.iter().map(|t| t.entry.clone()).collect();
    survivor.finish(&[], &done).unwrap();
    assert_eq!(survivor.pending().unwrap(), 0);
    assert_eq!(survivor.forget_idle_consumers(Duration::ZERO).unwrap(), 2, "the dead consumer and the idle survivor are forgotten");
}

#[test]
fn an_unreachable_broker_fails_fast() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let s = BrokerSettings::new(&format!("redis://127.0.0.1:{port}/0"), "q", None).unwrap();
    let started = Instant::now();
    assert!(Broker::connect(&s, Duration::from_millis(300)).is_err());
    assert!(started.elapsed() < Duration::from_secs(2));
}
