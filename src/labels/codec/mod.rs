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

#[cfg(test)]
mod tests {
    use super::starts_like_log;

    #[test]
    fn a_log_is_told_from_a_candidate_file_by_its_first_line() {
        let event =
            r#"{"v":1,"annotator":"ann","item":"q1","task":"pair","pair":["a","b"],"choice":"a"}"#;
        assert!(starts_like_log(event.as_bytes()));
        // Blank lines first are passed over; only the first line counts.
        assert!(starts_like_log(
            format!("\n  \n\t\n{event}\nnot json").as_bytes()
        ));
        assert!(!starts_like_log(format!("not json\n{event}").as_bytes()));
        for not_a_log in [
            "",
            "\n \n",
            // A candidate line, even one with the log's fields.
            r#"{"id":"q1","prompt":"p","candidates":["a","b"]}"#,
            r#"{"v":1,"annotator":"ann","item":"q1","task":"pair","pair":["a","b"],"prompt":"p"}"#,
            r#"{"v":1,"annotator":"ann","item":"q1","task":"pair","pair":["a","b"],"candidates":[]}"#,
            r#"{"v":1,"annotator":"ann","item":"q1","task":"pair","pair":["a","b"],"messages":[]}"#,
            // The keys only as text, or an event missing a field it needs.
            r#"{"v":1,"who":"\"annotator\"","item":"q1","task":"pair"}"#,
            r#"{"v":1,"annotator":"ann","item":"q1","kind":"\"task\""}"#,
            r#"{"v":1,"annotator":"ann","task":"pair"}"#,
            // Both keys, but not JSON.
            r#"{"annotator" "task"}"#,
        ] {
            assert!(!starts_like_log(not_a_log.as_bytes()), "{not_a_log:?}");
        }
    }
}
