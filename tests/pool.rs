//! A real pool (manager, event workers, task workers) driven by a Rust handler: a client's
//! line becomes a task, the task worker upper-cases it, the result goes back to the client.
//! Runs without the libtest harness because the server forks, which needs a single thread.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::rc::Rc;
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};
use rswoole::config::Settings;
use rswoole::handler::{EventContext, Handler, Process, TaskContext};
use rswoole::pool;
use rswoole::types::{Body, Payload, SessionId, TaskId, TaskInfo};

#[derive(Default)]
struct Upper {
    event: Option<Rc<RefCell<dyn EventContext>>>,
    task: Option<Rc<RefCell<dyn TaskContext>>>,
    reply_to: HashMap<TaskId, SessionId>,
}

impl Handler for Upper {
    fn enter(&mut self, p: Process) {
        match p {
            Process::Event(w) => self.event = Some(w),
            Process::Task(t) => self.task = Some(t),
            Process::Manager { .. } | Process::User(_) => {}
        }
    }

    fn on_receive(&mut self, fd: SessionId, _reactor: i32, _port: usize, data: &[u8]) {
        let w = self.event.as_ref().expect("event worker");
        let id = w.borrow_mut().task(&Payload::raw(data), None).expect("task sent");
        self.reply_to.insert(id, fd);
    }

    fn on_task(&mut self, _task: TaskInfo, data: Body<'_>) -> Option<Payload> {
        // finish() first, then a return value: both must arrive, in order.
        let t = self.task.as_ref().expect("task worker");
        t.borrow_mut().finish(&Payload::raw(data.bytes.to_ascii_uppercase())).expect("finish");
        Some(Payload::raw(b"!".to_vec()))
    }

    fn on_finish(&mut self, task: TaskId, data: Payload) {
        let w = self.event.as_ref().expect("event worker");
        if let Some(&fd) = self.reply_to.get(&task) {
            w.borrow_mut().send(fd, &data.bytes).expect("send");
        }
    }

    fn on_task_done(&mut self, task: TaskId) {
        self.reply_to.remove(&task);
    }
}

fn session_members(sid: Pid) -> Vec<i32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = rest.split(' ').collect();
        if fields[3].parse::<i32>().ok() == Some(sid.as_raw()) {
            out.push(pid);
        }
    }
    out
}

/// Counts every task of a burst until each is finished or reported lost, then answers the
/// client with the books: `finished F lost L tasking T`.
#[derive(Default)]
struct Books {
    event: Option<Rc<RefCell<dyn EventContext>>>,
    client: Option<SessionId>,
    sent: usize,
    finished: usize,
    lost: usize,
    /// Task workers sleep this long per task (a graceful stop must wait for them).
    task_delay: Duration,
    /// Written at WorkerStop: what this event worker saw.
    report: Option<std::path::PathBuf>,
}

impl Books {
    fn maybe_answer(&mut self) {
        let (Some(w), Some(fd)) = (self.event.as_ref(), self.client) else { return };
        if self.finished + self.lost == self.sent && self.sent > 0 {
            let tasking = w.borrow().shm().header().tasking_num.load(std::sync::atomic::Ordering::Relaxed);
            let reply = format!("finished {} lost {} tasking {}", self.finished, self.lost, tasking);
            let _ = w.borrow_mut().send(fd, reply.as_bytes());
            self.client = None;
        }
    }
}

impl Handler for Books {
    fn enter(&mut self, p: Process) {
        if let Process::Event(w) = p {
            self.event = Some(w);
        }
    }

    fn on_receive(&mut self, fd: SessionId, _reactor: i32, _port: usize, data: &[u8]) {
        let n: usize = String::from_utf8_lossy(data).trim().parse().expect("a task count");
        let w = self.event.clone().expect("event worker");
        for i in 0..n {
            w.borrow_mut().task(&Payload::raw(i.to_string()), None).expect("task sent");
        }
        self.sent += n;
        self.client = Some(fd);
        if let Some(path) = &self.report {
            let _ = std::fs::write(path.with_extension("sent"), b"");
        }
    }

    fn on_task(&mut self, _task: TaskInfo, data: Body<'_>) -> Option<Payload> {
        std::thread::sleep(self.task_delay);
        Some(Payload::raw(data.bytes.to_vec()))
    }

    fn on_finish(&mut self, _task: TaskId, _data: Payload) {
        self.finished += 1;
        self.maybe_answer();
    }

    fn on_task_lost(&mut self, _lost: rswoole::handler::LostTask) {
        self.lost += 1;
        self.maybe_answer();
    }

    fn on_worker_stop(&mut self, _worker: u32) {
        if let (Some(path), Some(_)) = (&self.report, &self.event) {
            let _ = std::fs::write(path, format!("sent {} finished {} lost {}", self.sent, self.finished, self.lost));
        }
    }
}

/// Forks a server running `handler` in its own session; returns its pid and port.
fn serve<H: Handler>(settings: Settings, mut handler: H, fault: Option<String>) -> (Pid, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let workers = settings.worker_num + settings.task_worker_num;
    // SAFETY: this test process is single-threaded (harness = false).
    let server = match unsafe { fork() }.unwrap() {
        ForkResult::Child => {
            nix::unistd::setsid().unwrap();
            if let Some(f) = fault {
                std::env::set_var("RSWOOLE_FAULT", f);
            }
            let code = match pool::run(&settings, vec![rswoole::net::listener::Listener::Stream(listener)], &mut handler) {
                Ok(()) => 0,
                Err(_) => 1,
            };
            std::process::exit(code);
        }
        ForkResult::Parent { child } => child,
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while session_members(server).len() < workers + 1 {
        assert!(Instant::now() < deadline, "the server did not start {workers} workers");
        std::thread::sleep(Duration::from_millis(5));
    }
    (server, port)
}

/// Stops the server with SIGTERM and checks it exits 0 leaving nothing behind.
fn stop(server: Pid) {
    kill(server, Signal::SIGTERM).unwrap();
    let status = waitpid(server, None).unwrap();
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "server exit: {status:?}");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !session_members(server).is_empty() {
        assert!(Instant::now() < deadline, "processes left behind: {:?}", session_members(server));
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Sends `msg` and reads until `done` says the answer is complete.
fn request(port: u16, msg: &str, done: impl Fn(&str) -> bool) -> String {
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    c.write_all(msg.as_bytes()).unwrap();
    let mut got = String::new();
    let mut buf = [0u8; 256];
    while !done(&got) {
        let n = c.read(&mut buf).unwrap();
        assert!(n > 0, "connection closed early after {got:?}");
        got.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    got
}

/// Polls for `path` to exist (written by the server), up to 10 s.
fn wait_for_file(path: &std::path::Path) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !path.exists() {
        assert!(Instant::now() < deadline, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn settings(workers: usize, task_workers: usize) -> Settings {
    let mut s = Settings::default();
    s.worker_num = workers;
    s.task_worker_num = task_workers;
    s
}

/// A client's line becomes a task; the task worker upper-cases it with finish() and then
/// returns "!": both results arrive, in order.
fn round_trips() -> usize {
    let (server, port) = serve(settings(2, 2), Upper::default(), None);
    for word in ["hello", "task", "pool"] {
        let want = format!("{}!", word.to_uppercase());
        assert_eq!(request(port, word, |got| got.len() >= want.len()), want);
    }
    stop(server);
    4
}

/// The task worker is killed right after it takes its first datagram: exactly the tasks of
/// that datagram are reported lost (at most 16), every other one finishes, and tasking_num
/// is 0 once all are accounted for.
fn kill_after_take() -> usize {
    let flag = std::env::temp_dir().join(format!("rswoole-pool-take-{}", std::process::id()));
    std::fs::write(&flag, b"").unwrap();
    let fault = format!("kill_after_take@{}", flag.display());
    let (server, port) = serve(settings(1, 1), Books::default(), Some(fault));
    let books = request(port, "200", |got| got.split(' ').filter(|w| w.parse::<usize>().is_ok()).count() == 3);
    let n: Vec<usize> = books.split(' ').filter_map(|w| w.parse().ok()).collect();
    assert_eq!(n.len(), 3, "{books}");
    let (finished, lost, tasking) = (n[0], n[1], n[2]);
    assert_eq!(finished + lost, 200, "{books}");
    assert!((1..=16).contains(&lost), "{books}");
    assert_eq!(tasking, 0, "{books}");
    assert!(!flag.exists(), "the fault did not fire");
    stop(server);
    1
}

/// SIGTERM while 40 slow tasks are in flight: the event worker waits for every result and
/// runs every Finish before it stops.
fn graceful_stop_waits_for_results() -> usize {
    let report = std::env::temp_dir().join(format!("rswoole-pool-stop-{}", std::process::id()));
    let _ = std::fs::remove_file(&report);
    let books = Books { task_delay: Duration::from_millis(10), report: Some(report.clone()), ..Books::default() };
    let (server, port) = serve(settings(1, 2), books, None);
    let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
    c.write_all(b"40").unwrap();
    // Stop as soon as the tasks are out (the handler marks it), long before they can be done.
    wait_for_file(&report.with_extension("sent"));
    stop(server);
    let _ = std::fs::remove_file(report.with_extension("sent"));
    let got = std::fs::read_to_string(&report).unwrap_or_default();
    let _ = std::fs::remove_file(&report);
    assert_eq!(got, "sent 40 finished 40 lost 0", "what the stopping event worker saw");
    1
}

fn main() {
    let passed = round_trips() + kill_after_take() + graceful_stop_waits_for_results();
    println!("test result: ok. {passed} passed; 0 failed; 0 ignored; 0 measured; 0 filtered out");
}
