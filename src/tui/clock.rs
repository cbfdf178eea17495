//! Time on a task, counted the way a labeler spends it: the clock pauses after a minute without
//! a key (reading the guidelines, a coffee), so `ms` in the log is active time; the wall time
//! is kept apart (`wall_ms`). Times come from the loop's clock through `update`; nothing here
//! reads a clock.

/// No key for this long and the clock stops counting until the next one.
pub const IDLE_MS: u64 = 60_000;

/// The clock of one task (or of a whole session).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TaskClock {
    /// When it started (ms on the loop's clock).
    started: u64,
    /// The last key (or the start).
    last_input: u64,
    /// Active time up to `last_input`.
    active: u64,
    /// Stopped at this time (the "done" screen): it shows what it had then.
    stopped: Option<u64>,
}

impl TaskClock {
    pub fn start(now: u64) -> Self {
        TaskClock {
            started: now,
            last_input: now,
            active: 0,
            stopped: None,
        }
    }

    /// A key at `now`: the time since the last one counts, up to [`IDLE_MS`].
    pub fn input(&mut self, now: u64) {
        if self.stopped.is_some() || now < self.last_input {
            return;
        }
        self.active += (now - self.last_input).min(IDLE_MS);
        self.last_input = now;
    }

    /// Stops the clock at `now` (it keeps the time it has); `resume` goes on from a new key.
    pub fn stop(&mut self, now: u64) {
        if self.stopped.is_none() {
            self.stopped = Some(now);
        }
    }

    /// Starts counting again after [`TaskClock::stop`], from `now`, as if no time had passed.
    pub fn resume(&mut self, now: u64) {
        if let Some(at) = self.stopped.take() {
            self.active += at.saturating_sub(self.last_input).min(IDLE_MS);
            self.last_input = now;
            self.started += now.saturating_sub(at);
        }
    }

    fn at(&self, now: u64) -> u64 {
        self.stopped.unwrap_or(now)
    }

    /// Active milliseconds at `now`.
    pub fn active_ms(&self, now: u64) -> u64 {
        self.active + self.at(now).saturating_sub(self.last_input).min(IDLE_MS)
    }

    /// Wall-clock milliseconds at `now`, idle time included.
    pub fn wall_ms(&self, now: u64) -> u64 {
        self.at(now).saturating_sub(self.started)
    }

    /// True when the clock stands because no key came for [`IDLE_MS`].
    pub fn idle(&self, now: u64) -> bool {
        self.stopped.is_none() && now.saturating_sub(self.last_input) >= IDLE_MS
    }

    pub fn stopped(&self) -> bool {
        self.stopped.is_some()
    }
}

/// Keys typed ahead land on the next task before the labeler has seen it (decisions with
/// `"ms": 0`): decision keys within this long of a new task appearing are ignored.
pub const DEFAULT_TYPEAHEAD_GUARD_MS: u64 = 150;

/// Ignores decision keys that arrive too soon after a new task appeared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeaheadGuard {
    /// The window after a new task (0: off).
    pub ms: u64,
    /// When the task on screen appeared, if it replaced another during the session.
    shown_at: Option<u64>,
}

impl TypeaheadGuard {
    pub fn new(ms: u64) -> Self {
        TypeaheadGuard { ms, shown_at: None }
    }

    /// A new task appeared at `now`.
    pub fn task_shown(&mut self, now: u64) {
        self.shown_at = Some(now);
    }

    /// If a decision key at `now` is to be ignored: how long after the task appeared it came.
    pub fn blocks(&self, now: u64) -> Option<u64> {
        let at = self.shown_at?;
        let since = now.saturating_sub(at);
        (since < self.ms).then_some(since)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_time_stops_counting_after_a_minute_without_a_key() {
        let mut c = TaskClock::start(1_000);
        assert_eq!(c.active_ms(11_000), 10_000);
        assert!(!c.idle(11_000));
        // 45 s reading the guidelines, then 5 min away: the clock stands at one minute.
        assert_eq!(c.active_ms(301_000), IDLE_MS);
        assert!(c.idle(301_000));
        c.input(301_000);
        c.input(305_000);
        assert_eq!(c.active_ms(306_000), IDLE_MS + 5_000);
        assert_eq!(c.wall_ms(306_000), 305_000);
    }

    #[test]
    fn the_guard_holds_only_within_its_window_after_a_new_task() {
        let mut g = TypeaheadGuard::new(150);
        assert_eq!(g.blocks(0), None, "the first task of a session is not new");
        g.task_shown(1_000);
        assert_eq!(g.blocks(1_020), Some(20));
        assert_eq!(g.blocks(1_150), None);
        let mut off = TypeaheadGuard::new(0);
        off.task_shown(1_000);
        assert_eq!(off.blocks(1_000), None);
    }

    #[test]
    fn a_stopped_clock_keeps_its_time() {
        let mut c = TaskClock::start(0);
        c.input(4_000);
        c.stop(5_000);
        assert_eq!(c.active_ms(900_000), 5_000);
        assert_eq!(c.wall_ms(900_000), 5_000);
        assert!(!c.idle(900_000));
        c.resume(900_000);
        assert_eq!(c.active_ms(901_000), 6_000);
        assert_eq!(c.wall_ms(901_000), 6_000);
    }
}
