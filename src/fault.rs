//! Deliberate faults, for tests that must hit one exact point of the process model (a task
//! worker killed right after it took a datagram, a fork that fails half-way through start(),
//! a panic between two counter updates). Off unless `RSWOOLE_FAULT` is set; read once.
//!
//! `RSWOOLE_FAULT=point[=N][@flag],...`: `point` fires at every hit, `=N` only at the Nth hit
//! in a process, `@flag` only while the file `flag` exists and this process is the one that
//! removes it, which makes a fault fire once across all processes (a respawned worker does not
//! fire it again).

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::OnceLock;

/// The points the core can fail at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Point {
    /// An event worker's start fails with EMFILE.
    WorkerStartEmfile,
    /// fork() fails when the manager spawns a worker.
    SpawnFail,
    /// A panic between the two counter updates of a task send.
    PanicInTaskSend,
    /// A task worker SIGKILLs itself right before it takes its next datagram.
    KillBeforeTake,
    /// A task worker SIGKILLs itself right after it took a datagram, before any task began.
    KillAfterTake,
    /// One pass of an event worker's loop fails with ENOBUFS.
    EventLoopEnobufs,
    /// A process SIGKILLs itself inside `Swoole\Table::set()`, holding the row's lock.
    TableRowLocked,
}

const POINTS: [(&str, Point); 7] = [
    ("table_row_locked", Point::TableRowLocked),
    ("event_loop_enobufs", Point::EventLoopEnobufs),
    ("worker_start_emfile", Point::WorkerStartEmfile),
    ("spawn_fail", Point::SpawnFail),
    ("panic_in_task_send", Point::PanicInTaskSend),
    ("kill_before_take", Point::KillBeforeTake),
    ("kill_after_take", Point::KillAfterTake),
];

struct Rule {
    point: Point,
    nth: Option<u32>,
    flag: Option<String>,
    hits: AtomicU32,
}

fn rules() -> &'static [Rule] {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES.get_or_init(|| std::env::var("RSWOOLE_FAULT").map(|s| parse(&s)).unwrap_or_default())
}

fn parse(spec: &str) -> Vec<Rule> {
    spec.split(',')
        .filter_map(|item| {
            let (rest, flag) = match item.split_once('@') {
                Some((r, f)) => (r, Some(f.to_string())),
                None => (item, None),
            };
            let (name, nth) = match rest.split_once('=') {
                Some((n, k)) => (n, k.parse().ok()),
                None => (rest, None),
            };
            let point = POINTS.iter().find(|(n, _)| *n == name.trim())?.1;
            Some(Rule { point, nth, flag, hits: AtomicU32::new(0) })
        })
        .collect()
}

/// Reads the setting now, in the manager before any fork, so every worker inherits it.
pub fn init() {
    let _ = rules();
}

/// Whether the fault at `point` fires now.
pub fn hit(point: Point) -> bool {
    rules().iter().any(|r| r.point == point && fires(r))
}

/// Counts a hit of `r`'s point and says whether the rule fires at it.
fn fires(r: &Rule) -> bool {
    let n = r.hits.fetch_add(1, Relaxed) + 1;
    if r.nth.is_some_and(|k| k != n) {
        return false;
    }
    r.flag.as_ref().is_none_or(|f| std::fs::remove_file(f).is_ok())
}

/// Ends this process the hard way, as SIGKILL from outside would.
pub fn kill_self() -> ! {
    let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGKILL);
    // SAFETY: unreachable in practice (SIGKILL cannot be caught); _exit ends the process.
    unsafe { libc::_exit(137) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_with_counts_and_flags() {
        let r = parse("spawn_fail=3,kill_after_take@/tmp/x,nonsense,panic_in_task_send");
        assert_eq!(r.len(), 3);
        assert_eq!((r[0].point, r[0].nth, r[0].flag.as_deref()), (Point::SpawnFail, Some(3), None));
        assert_eq!((r[1].point, r[1].nth, r[1].flag.as_deref()), (Point::KillAfterTake, None, Some("/tmp/x")));
        assert_eq!(r[2].point, Point::PanicInTaskSend);
    }

    #[test]
    fn a_rule_fires_at_its_hit_and_a_flag_makes_it_fire_once() {
        let flag = std::env::temp_dir().join(format!("rswoole-fault-{}", std::process::id()));
        let rules = parse(&format!("spawn_fail=2,kill_after_take@{}", flag.display()));
        let fires = |p| rules.iter().any(|r| r.point == p && fires(r));
        assert!(!fires(Point::SpawnFail), "first hit");
        assert!(fires(Point::SpawnFail), "second hit");
        assert!(!fires(Point::SpawnFail), "third hit");
        assert!(!fires(Point::KillAfterTake), "no flag file");
        std::fs::write(&flag, b"").unwrap();
        assert!(fires(Point::KillAfterTake));
        assert!(!flag.exists());
        assert!(!fires(Point::KillAfterTake), "the flag was used up");
        assert!(!fires(Point::PanicInTaskSend), "not configured");
        // Unset: nothing fires.
        assert!(!hit(Point::SpawnFail));
    }
}
