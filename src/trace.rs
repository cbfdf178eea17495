//! Phase times of a start, for finding where it goes: with `PREFER_TRACE_START=1`, each
//! [`mark`] records the time since the process started, and [`report`] prints them to stderr
//! once the terminal is restored (printing while the screen is up would draw over it).

use std::sync::Mutex;
use std::time::Instant;

static MARKS: Mutex<Vec<(String, Instant)>> = Mutex::new(Vec::new());
static START: Mutex<Option<Instant>> = Mutex::new(None);

fn on() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("PREFER_TRACE_START").is_some_and(|v| !v.is_empty()))
}

/// The process's start: the first thing `main` does.
pub fn start() {
    if on() {
        *START.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    }
}

/// Records that `phase` is done now (on any thread).
pub fn mark(phase: &str) {
    if on() {
        let now = Instant::now();
        MARKS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((phase.to_string(), now));
    }
}

/// Prints the phases recorded, in the order they happened, as milliseconds since the start.
pub fn report() {
    if !on() {
        return;
    }
    let Some(start) = *START.lock().unwrap_or_else(|e| e.into_inner()) else {
        return;
    };
    let mut marks = std::mem::take(&mut *MARKS.lock().unwrap_or_else(|e| e.into_inner()));
    marks.sort_by_key(|(_, t)| *t);
    for (phase, t) in marks {
        eprintln!(
            "prefer trace: {:8.1} ms  {phase}",
            t.duration_since(start).as_secs_f64() * 1000.0
        );
    }
}
