//! The event worker's result demultiplexing, driven frame by frame: which results reach user
//! code after a task was reported lost, or when they come from a previous incarnation.

use std::net::TcpListener;
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

use rswoole::ipc::channel::{try_send, Channel, Outbox};
use rswoole::ipc::frame::{encode, Kind, FLAG_LAST};
use rswoole::shm::Shm;
use rswoole::types::Payload;
use rswoole::handler::EventContext;
use rswoole::task_client::{Backlog, TaskEvent};
use rswoole::transport::socketpair::SocketOut;
use rswoole::worker::{Event, EventWorker, EventWorkerSetup};

fn worker(shm: &Arc<Shm>, results: &Channel, inbox: &Channel) -> EventWorker {
    EventWorker::new(EventWorkerSetup {
        id: 0,
        worker_num: 1,
        shm: shm.clone(),
        listeners: vec![(rswoole::net::stream::StreamListener::Tcp(TcpListener::bind("127.0.0.1:0").unwrap()), Default::default(), 0)],
        dgrams: Vec::new(),
        heartbeat: None,
        sessions: Arc::new(rswoole::net::sessions::SessionDir::new(16).unwrap()),
        peers: Vec::new(),
        mailboxes: Vec::new(),
        results_rx: results.rx.as_raw_fd(),
        max_message: results.max_message,
        tasks: Box::new(SocketOut { outboxes: vec![Outbox::new(&inbox.tx, inbox.max_message, 16)] }),
        max_wait: Duration::from_secs(2),
        backlog: Backlog { max: 100, timeout: Duration::from_secs(1) },
        max_request: 0,
        retry_lost: false,
        fds: Vec::new(),
        reactors: None,
    })
    .unwrap()
}

/// Everything the worker hands to user code until it has stopped.
fn drain(w: &mut EventWorker) -> Vec<String> {
    w.begin_stop();
    let mut seen = Vec::new();
    while let Some(e) = w.next_event().unwrap() {
        seen.push(match e {
            Event::Task(TaskEvent::Finish(id, p)) => format!("finish {id} {}", String::from_utf8_lossy(&p.bytes)),
            Event::Task(TaskEvent::Done(id)) => format!("done {id}"),
            Event::Task(TaskEvent::Lost(l)) => format!("lost {}", l.task_id),
            other => format!("{other:?}"),
        });
    }
    seen
}

fn send(ch: &Channel, kind: Kind, flags: u8, generation: u32, task: i64, body: &[u8]) {
    assert!(try_send(ch.tx.as_raw_fd(), &encode(kind, flags, 1, generation, task, body).unwrap(), &[]).unwrap());
}

#[test]
fn late_results_and_results_of_a_previous_incarnation_never_reach_user_code() {
    let shm = Arc::new(Shm::new(2, 1).unwrap());
    shm.slot(0).unwrap().generation.store(5, Relaxed);
    let (results, inbox) = (Channel::new().unwrap(), Channel::new().unwrap());
    let mut w = worker(&shm, &results, &inbox);
    assert_eq!(w.task(&Payload::raw(b"a".to_vec()), None).unwrap(), 0);
    assert_eq!(w.task(&Payload::raw(b"b".to_vec()), None).unwrap(), 1);
    // Task 0's worker died: the manager's loss report, then (from a successor that also ran
    // it, or any other path) a late result of the same task.
    send(&results, Kind::Lost, 0, 5, 0, b"task#0 was lost");
    send(&results, Kind::Result, FLAG_LAST, 5, 0, b"late");
    // Task 1: a result addressed to the previous process in this slot (same id), then its own.
    send(&results, Kind::Result, FLAG_LAST, 4, 1, b"previous");
    send(&results, Kind::Result, FLAG_LAST, 5, 1, b"mine");
    assert_eq!(drain(&mut w), vec!["lost 0", "finish 1 mine", "done 1"]);
    assert_eq!(shm.header().task_lost_num.load(Relaxed), 1);
}

#[test]
fn a_task_that_ends_without_a_result_is_done_once_and_a_second_loss_report_is_ignored() {
    let shm = Arc::new(Shm::new(2, 1).unwrap());
    let (results, inbox) = (Channel::new().unwrap(), Channel::new().unwrap());
    let mut w = worker(&shm, &results, &inbox);
    let gen = shm.slot(0).unwrap().generation.load(Relaxed);
    assert_eq!(w.task(&Payload::raw(b"a".to_vec()), None).unwrap(), 0);
    assert_eq!(w.task(&Payload::raw(b"b".to_vec()), None).unwrap(), 1);
    send(&results, Kind::Result, 0, gen, 0, b"first");
    send(&results, Kind::Done, 0, gen, 0, b"");
    send(&results, Kind::Lost, 0, gen, 0, b"reported after it finished");
    send(&results, Kind::Lost, 0, gen, 1, b"lost");
    send(&results, Kind::Lost, 0, gen, 1, b"lost again");
    assert_eq!(drain(&mut w), vec!["finish 0 first", "done 0", "lost 1"]);
    assert_eq!(shm.header().task_lost_num.load(Relaxed), 1);
}
