//! Phase times of a start, for finding where it goes: with `PREFER_TRACE_START=1`, each
//! [`mark`] records the time since the process started, with the CPU time the whole process
//! and the marking thread have used by then (on a busy machine the wall times stretch, the CPU
//! times much less: they are what to compare between two builds), and [`report`] prints them
//! to stderr once the terminal is restored (printing while the screen is up would draw over
//! it).

use std::sync::Mutex;
use std::time::Instant;

/// A phase, when it ended, and the process's and the thread's CPU time by then.
type Mark = (String, Instant, f64, f64);

static MARKS: Mutex<Vec<Mark>> = Mutex::new(Vec::new());
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
        let (process, thread) = cpu_now();
        MARKS.lock().unwrap_or_else(|e| e.into_inner()).push((
            phase.to_string(),
            now,
            process,
            thread,
        ));
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
    marks.sort_by_key(|m| m.1);
    for (phase, t, process, thread) in marks {
        eprintln!(
            "prefer trace: {:8.1} ms  (cpu {process:7.1} ms, this thread {thread:7.1} ms)  {phase}",
            t.duration_since(start).as_secs_f64() * 1000.0
        );
    }
}

/// The CPU time the process and the calling thread have used, in milliseconds.
#[cfg(unix)]
fn cpu_now() -> (f64, f64) {
    (
        cpu_ms(libc::CLOCK_PROCESS_CPUTIME_ID),
        cpu_ms(libc::CLOCK_THREAD_CPUTIME_ID),
    )
}

#[cfg(not(unix))]
fn cpu_now() -> (f64, f64) {
    (f64::NAN, f64::NAN)
}

#[cfg(unix)]
fn cpu_ms(clock: libc::clockid_t) -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    if unsafe { libc::clock_gettime(clock, &mut ts) } != 0 {
        return f64::NAN;
    }
    ts.tv_sec as f64 * 1000.0 + ts.tv_nsec as f64 / 1e6
}
