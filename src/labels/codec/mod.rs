//! Reading log lines, in one folder: the full reader (serde, every field), the fast reader (the
//! same checks, only what replay needs, borrowed) and the scanner (the writer's own lines
//! without serde). All three accept and refuse exactly the same lines; the property tests in
//! `replay` and `scan` hold them to it.

mod check;
mod full;
mod lite;
mod scan;

pub(crate) use check::{Brief, Checked, check_log, check_log_from};
pub use full::parse_events;
pub(crate) use scan::quick_event;

use super::event::Event;

/// The event of a log line that passed the checks when the log was read (see `replay`): by
/// the quick reader when it has the writer's own shape, else by serde. Panics on a line that
/// did not come from a replayed log.
pub fn parse_line(line: &[u8]) -> Event {
    std::str::from_utf8(line)
        .ok()
        .and_then(quick_event)
        .unwrap_or_else(|| {
            serde_json::from_slice(line).expect("a log line checked when it was read")
        })
}

/// True when the first non-blank line of `bytes` (a file's first bytes are enough) reads as a
/// labels log event: it names an annotator, an item and a task, and has neither a prompt nor
/// candidates. How a command tells a log from a candidate file.
pub fn starts_like_log(bytes: &[u8]) -> bool {
    let first = bytes
        .split(|&b| b == b'\n')
        .find(|l| !l.iter().all(u8::is_ascii_whitespace))
        .unwrap_or_default();
    // Looked for before parsing: opening a big file is meant to take well under a millisecond.
    let has = |key: &[u8]| memchr::memmem::find(first, key).is_some();
    has(b"\"annotator\"")
        && has(b"\"task\"")
        && serde_json::from_slice::<Event>(first).is_ok()
        && serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(first).is_ok_and(
            |m| {
                !m.contains_key("candidates")
                    && !m.contains_key("prompt")
                    && !m.contains_key("messages")
            },
        )
}
