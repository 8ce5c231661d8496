//! Deadlines and poll timeouts that cannot overflow: settings are bounded when parsed, and
//! everything derived from them here saturates, so no user value can make a worker panic.

use std::time::{Duration, Instant};

use nix::poll::PollTimeout;

/// Longest wait we ever arm (Swoole keeps seconds in a uint32): far enough to mean "forever",
/// small enough for any clock.
const FOREVER: Duration = Duration::from_secs(u32::MAX as u64);

/// The instant `d` from now; a huge `d` gives a far-away instant instead of a panic.
pub fn after(d: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(d.min(FOREVER)).unwrap_or(now + Duration::from_secs(3600))
}

/// A poll(2) timeout for `d` (None: wait without limit), rounded up to whole milliseconds so
/// a short wait never becomes a busy loop.
pub fn poll_timeout(d: Option<Duration>) -> PollTimeout {
    match d {
        None => PollTimeout::NONE,
        Some(d) => {
            let ms = d.as_micros().div_ceil(1000);
            PollTimeout::try_from(i32::try_from(ms).unwrap_or(i32::MAX)).unwrap_or(PollTimeout::MAX)
        }
    }
}

/// Seconds from a setting (already checked to be finite and non-negative) as a Duration.
pub fn seconds(s: f64) -> Duration {
    if s.is_finite() && s > 0.0 {
        Duration::try_from_secs_f64(s).unwrap_or(FOREVER).min(FOREVER)
    } else {
        Duration::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_values_saturate_instead_of_panicking() {
        assert!(after(Duration::MAX) > Instant::now());
        assert_eq!(seconds(f64::MAX), FOREVER);
        assert_eq!(seconds(1e300), FOREVER);
        assert_eq!(seconds(-1.0), Duration::ZERO);
        assert_eq!(seconds(f64::NAN), Duration::ZERO);
        assert_eq!(seconds(0.25), Duration::from_millis(250));
        assert_eq!(poll_timeout(Some(Duration::MAX)), PollTimeout::MAX);
        assert_eq!(poll_timeout(Some(Duration::from_micros(10))), PollTimeout::try_from(1).unwrap());
        assert_eq!(poll_timeout(Some(Duration::ZERO)), PollTimeout::ZERO);
        assert_eq!(poll_timeout(None), PollTimeout::NONE);
    }

    #[test]
    fn deadlines_lie_ahead_by_what_was_asked() {
        let before = Instant::now();
        let d = after(Duration::from_secs(5));
        assert!(d >= before + Duration::from_secs(5) && d < Instant::now() + Duration::from_secs(6));
        assert_eq!(seconds(0.0), Duration::ZERO);
        assert_eq!(seconds(1e-9), Duration::from_nanos(1));
    }
}
