//! The raw baseline for php/bench/broker.php: a plain Redis client doing what a task costs
//! through the broker, with nothing of rswoole in it. One sender keeps K tasks in flight:
//! XADD to a stream, read results with XREAD (and delete them); W consumer threads each loop
//! XREADGROUP COUNT 1, then XADD the reply and XACK + XDEL the task in one MULTI.
//!
//! `broker_raw URL N K W` prints tasks per second.

use std::time::{Duration, Instant};

use redis::Value;

fn main() {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let url = argv.first().cloned().unwrap_or_else(|| "redis://127.0.0.1:6379/0".into());
    let num = |i: usize, d: usize| argv.get(i).and_then(|a| a.parse().ok()).unwrap_or(d);
    let (n, k, w) = (num(1, 20_000), num(2, 64), num(3, 4));
    let client = redis::Client::open(url.as_str()).expect("a redis:// URL");
    let mut con = client.get_connection().expect("redis is up");
    let tasks = format!("raw:{}:tasks", std::process::id());
    let replies = format!("raw:{}:replies", std::process::id());
    let _: Value = redis::cmd("XGROUP").arg("CREATE").arg(&tasks).arg("g").arg("0").arg("MKSTREAM").query(&mut con).expect("XGROUP");
    let body = vec![b'x'; 64];
    let mut workers = Vec::new();
    for i in 0..w {
        let (client, tasks, replies) = (client.clone(), tasks.clone(), replies.clone());
        workers.push(std::thread::spawn(move || consume(&client, &tasks, &replies, &format!("c{i}"))));
    }
    let started = Instant::now();
    let (mut sent, mut done) = (0usize, 0usize);
    while done < n {
        let room = (k - (sent - done)).min(n - sent);
        if room > 0 {
            let mut p = redis::pipe();
            for _ in 0..room {
                p.cmd("XADD").arg(&tasks).arg("*").arg("f").arg(&body).ignore();
            }
            p.query::<()>(&mut con).expect("XADD");
            sent += room;
        }
        let v: Value = redis::cmd("XREAD").arg("COUNT").arg(512).arg("BLOCK").arg(1000).arg("STREAMS").arg(&replies).arg("0").query(&mut con).expect("XREAD");
        let ids = ids_of(v);
        if !ids.is_empty() {
            let _: () = redis::cmd("XDEL").arg(&replies).arg(&ids).query(&mut con).expect("XDEL");
            done += ids.len();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!("{:.0}", n as f64 / secs);
    let _: () = redis::cmd("DEL").arg(&tasks).arg(&replies).query(&mut con).expect("DEL");
    // The consumers block in XREADGROUP on a stream that is gone: the process ends them.
    drop(workers);
    std::process::exit(0);
}

fn consume(client: &redis::Client, tasks: &str, replies: &str, name: &str) {
    let Ok(mut con) = client.get_connection() else { return };
    loop {
        let Ok(v) = redis::cmd("XREADGROUP").arg("GROUP").arg("g").arg(name).arg("COUNT").arg(1).arg("BLOCK").arg(1000).arg("STREAMS").arg(tasks).arg(">").query::<Value>(&mut con) else { return };
        for id in ids_of(v) {
            let mut p = redis::pipe();
            p.atomic();
            p.cmd("XADD").arg(replies).arg("*").arg("f").arg("result").ignore();
            p.cmd("XACK").arg(tasks).arg("g").arg(&id).ignore();
            p.cmd("XDEL").arg(tasks).arg(&id).ignore();
            if p.query::<()>(&mut con).is_err() {
                return;
            }
        }
        std::thread::sleep(Duration::ZERO);
    }
}

/// The entry ids in an XREAD / XREADGROUP reply.
fn ids_of(v: Value) -> Vec<String> {
    let Value::Array(streams) = v else { return Vec::new() };
    let mut ids = Vec::new();
    for s in streams {
        let Value::Array(mut kv) = s else { continue };
        let Some(Value::Array(entries)) = kv.pop() else { continue };
        for e in entries {
            if let Value::Array(parts) = e {
                if let Some(Value::BulkString(id)) = parts.into_iter().next() {
                    ids.push(String::from_utf8_lossy(&id).into_owned());
                }
            }
        }
    }
    ids
}
