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
use rswoole::handler::{Handler, Process};
use rswoole::pool;
use rswoole::task_worker::TaskWorker;
use rswoole::types::{Body, Payload, SessionId, TaskId, TaskInfo};
use rswoole::worker::EventWorker;

#[derive(Default)]
struct Upper {
    event: Option<Rc<RefCell<EventWorker>>>,
    task: Option<Rc<RefCell<TaskWorker>>>,
    reply_to: HashMap<TaskId, SessionId>,
}

impl Handler for Upper {
    fn enter(&mut self, p: Process) {
        match p {
            Process::Event(w) => self.event = Some(w),
            Process::Task(t) => self.task = Some(t),
            Process::Manager { .. } => {}
        }
    }

    fn on_receive(&mut self, fd: SessionId, _reactor: i32, data: &[u8]) {
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

fn main() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // SAFETY: this test process is single-threaded (harness = false).
    let server = match unsafe { fork() }.unwrap() {
        ForkResult::Child => {
            nix::unistd::setsid().unwrap();
            let mut settings = Settings::default();
            settings.worker_num = 2;
            settings.task_worker_num = 2;
            let code = match pool::run(&settings, listener, &mut Upper::default()) {
                Ok(()) => 0,
                Err(_) => 1,
            };
            std::process::exit(code);
        }
        ForkResult::Parent { child } => child,
    };

    let deadline = Instant::now() + Duration::from_secs(10);
    while session_members(server).len() < 5 {
        assert!(Instant::now() < deadline, "the server did not start 4 workers");
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut passed = 0;
    for word in ["hello", "task", "pool"] {
        let mut c = TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        c.write_all(word.as_bytes()).unwrap();
        let want = format!("{}!", word.to_uppercase());
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        while got.len() < want.len() {
            let n = c.read(&mut buf).unwrap();
            assert!(n > 0, "connection closed early");
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(String::from_utf8(got).unwrap(), want);
        passed += 1;
    }

    kill(server, Signal::SIGTERM).unwrap();
    let status = waitpid(server, None).unwrap();
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "server exit: {status:?}");
    let deadline = Instant::now() + Duration::from_secs(5);
    while !session_members(server).is_empty() {
        assert!(Instant::now() < deadline, "processes left behind: {:?}", session_members(server));
        std::thread::sleep(Duration::from_millis(5));
    }
    println!("test result: ok. {} passed; 0 failed; 0 ignored; 0 measured; 0 filtered out", passed + 1);
}
