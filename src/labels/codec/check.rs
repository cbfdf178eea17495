//! Checking a log with the fast reader: each line checked exactly as the full reader checks it
//! (the same JSON types for every field, the same [`Event::check`] rules), keeping only what
//! replay needs, borrowed from the log's bytes: the task, skip/retract, the `item_hash`, the
//! role and the line's byte range. Pieces of the log are checked on all cores while the
//! calling thread takes the pieces before them, in log order.

use std::borrow::Cow;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use super::lite::{Lite, S};
use super::scan;
use crate::labels::error::{LogError, damaged};
use crate::labels::event::{Event, TaskKind};

/// A string of a checked line: a byte range of its piece, or (when it had escapes) one of the
/// piece's own strings. Eight bytes instead of a `Cow`'s 24: the main thread reads a million
/// of these while replaying.
#[derive(Clone, Copy)]
struct Str(u32, u32);

/// [`Str::0`] of a string kept in [`Piece::owned`].
const OWNED: u32 = u32::MAX;

/// What replay needs of one checked line.
struct Line {
    item: Str,
    item_hash: Option<Str>,
    annotator: Str,
    role: Option<Str>,
    pair: Option<(Str, Str)>,
    kind: TaskKind,
    skip: bool,
    retract: bool,
    uid: Option<u32>,
    repeat: bool,
    /// Byte range of the line in the log.
    start: u64,
    len: u32,
}

/// The checked lines of one piece of the log.
struct Piece<'a> {
    bytes: &'a [u8],
    /// The piece as text, when all of it is valid UTF-8 (else each line is checked alone).
    text: Option<&'a str>,
    lines: Vec<Line>,
    owned: Vec<String>,
    /// Lines in the piece, blank ones included.
    count: usize,
}

impl<'a> Piece<'a> {
    fn keep(&mut self, base: usize, s: &S<'a>) -> Str {
        match &s.0 {
            Cow::Borrowed(b) => Str((b.as_ptr() as usize - base) as u32, b.len() as u32),
            Cow::Owned(o) => {
                self.owned.push(o.clone());
                Str(OWNED, (self.owned.len() - 1) as u32)
            }
        }
    }

    fn get(&self, s: Str) -> &str {
        if s.0 == OWNED {
            return &self.owned[s.1 as usize];
        }
        let range = s.0 as usize..s.0 as usize + s.1 as usize;
        match self.text {
            Some(text) => &text[range],
            // A borrowed string of a line that passed `from_utf8`, cut at its quotes.
            None => std::str::from_utf8(&self.bytes[range]).unwrap_or_default(),
        }
    }
}

/// Checks the lines of one piece (starting at byte `offset` of the log). An error gives the
/// line within the piece (from 1) and the message [`super::parse_events`] gives for it.
fn check_piece(bytes: &[u8], offset: usize) -> Result<Piece<'_>, (usize, String)> {
    let mut piece = Piece {
        bytes,
        text: std::str::from_utf8(bytes).ok(),
        lines: Vec::with_capacity(bytes.len() / 160),
        owned: Vec::new(),
        count: 0,
    };
    let base = bytes.as_ptr() as usize;
    let mut at = 0;
    let mut n = 0;
    while at < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |k| at + k);
        let raw = &bytes[at..end];
        let start = at;
        at = end + 1;
        n += 1;
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let text = match piece.text {
            Some(t) => &t[start..end],
            None => std::str::from_utf8(raw).map_err(|_| (n, "invalid UTF-8".to_string()))?,
        };
        // The writer's own lines are read without serde; the rest (and any line the quick
        // reader is unsure of) by serde.
        let lite = scan::quick_line(text).or_else(|| serde_json::from_str::<Lite>(text).ok());
        match lite {
            Some(lite) if lite.passes_check() => {
                let line = Line {
                    item: piece.keep(base, &lite.item),
                    item_hash: lite.item_hash.as_ref().map(|h| piece.keep(base, h)),
                    annotator: piece.keep(base, &lite.annotator),
                    role: lite.role.as_ref().map(|r| piece.keep(base, r)),
                    // An edit is keyed by its source, kept as the pair (source, source).
                    pair: match (&lite.pair, &lite.source) {
                        (_, Some(s)) if lite.task == TaskKind::Edit => {
                            let s = piece.keep(base, s);
                            Some((s, s))
                        }
                        // A best-worst tuple is keyed by its name the same way.
                        _ if lite.task == TaskKind::BestWorst => lite.tuple.as_ref().map(|t| {
                            let t = piece.keep(base, t);
                            (t, t)
                        }),
                        (Some([a, b]), _) => Some((piece.keep(base, a), piece.keep(base, b))),
                        _ => None,
                    },
                    kind: lite.task,
                    skip: lite.skip,
                    retract: lite.retract,
                    uid: lite.uid,
                    repeat: lite.repeat,
                    start: (offset + start) as u64,
                    len: raw.len() as u32,
                };
                piece.lines.push(line);
            }
            // The full parse says what is wrong, in the same words as a full read.
            _ => {
                let what = match serde_json::from_str::<Event>(text) {
                    Err(e) => e.to_string(),
                    Ok(e) => match e.check() {
                        Err(e) => e,
                        Ok(()) => "the line passes a full read but not the quick check".into(),
                    },
                };
                return Err((n, what));
            }
        }
    }
    piece.count = n;
    Ok(piece)
}

/// What replay needs of one event read from a log: its task, what it does, and its line.
#[derive(Debug)]
pub(crate) struct Brief<'a> {
    pub item: &'a str,
    pub item_hash: Option<&'a str>,
    pub kind: TaskKind,
    pub pair: Option<(&'a str, &'a str)>,
    pub skip: bool,
    pub retract: bool,
    /// A hidden repeat's event (see [`Event::repeat`]).
    pub repeat: bool,
    /// Byte range of the event's line in the log.
    pub start: u64,
    pub len: u32,
}

/// What [`check_log`] hands on for each accepted line, borrowing from the log.
pub(crate) struct Checked<'a> {
    pub brief: Brief<'a>,
    pub annotator: &'a str,
    /// The line's `role`.
    pub role: Option<&'a str>,
    /// The line's `uid`.
    pub uid: Option<u32>,
}

/// Checks complete log bytes line by line exactly as [`super::parse_events`] does (the same
/// lines are accepted, the first bad line is the same error) on all cores, and calls `f` for
/// each accepted line in log order on this thread. Returns the number of events.
pub(crate) fn check_log(
    path: &Path,
    bytes: &[u8],
    f: impl FnMut(&Checked<'_>),
) -> Result<usize, LogError> {
    check_log_from(path, bytes, (0, 0), f).map(|(events, _)| events)
}

/// [`check_log`] of the lines after the first `from.0` bytes (which hold `from.1` lines, blank
/// ones included): byte ranges and the line number of an error are the whole log's. Returns
/// the number of events checked and of the log's lines (blank ones included) up to its end.
pub(crate) fn check_log_from(
    path: &Path,
    bytes: &[u8],
    (from, lines_before_from): (usize, usize),
    f: impl FnMut(&Checked<'_>),
) -> Result<(usize, usize), LogError> {
    check_log_at(path, &bytes[from..], (from, lines_before_from), f)
}

/// [`check_log_from`] given only the bytes after the first `from.0` (`tail`), as when the
/// first ones are not read (see `LogBytes::deferred`).
pub(crate) fn check_log_at(
    path: &Path,
    tail: &[u8],
    (from, lines_before_from): (usize, usize),
    mut f: impl FnMut(&Checked<'_>),
) -> Result<(usize, usize), LogError> {
    const PIECE: usize = 1 << 20;
    let threads = crate::par::cores();
    // Ranges within `tail`; the pieces' byte positions are the whole log's.
    let pieces: Vec<(usize, usize)> = crate::par::line_pieces(tail, PIECE)
        .into_iter()
        .map(|r| (r.start, r.end))
        .collect();
    let mut apply = |p: &Piece<'_>| {
        for l in &p.lines {
            f(&Checked {
                brief: Brief {
                    item: p.get(l.item),
                    item_hash: l.item_hash.map(|h| p.get(h)),
                    kind: l.kind,
                    pair: l.pair.map(|(a, b)| (p.get(a), p.get(b))),
                    skip: l.skip,
                    retract: l.retract,
                    repeat: l.repeat,
                    start: l.start,
                    len: l.len,
                },
                annotator: p.get(l.annotator),
                role: l.role.map(|r| p.get(r)),
                uid: l.uid,
            });
        }
        p.lines.len()
    };
    if threads == 1 || pieces.len() < 4 {
        let mut events = 0;
        let mut lines_before = lines_before_from;
        for &(s, e) in &pieces {
            let piece = check_piece(&tail[s..e], from + s)
                .map_err(|(line, what)| damaged(path, lines_before + line, what))?;
            events += apply(&piece);
            lines_before += piece.count;
        }
        return Ok((events, lines_before));
    }
    // Workers check pieces; this thread applies them in order as they come in.
    let next = AtomicUsize::new(0);
    let pieces = &pieces;
    std::thread::scope(|s| {
        let (tx, rx) = mpsc::channel();
        for _ in 0..threads {
            let tx = tx.clone();
            let next = &next;
            s.spawn(move || {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(s, e)) = pieces.get(k) else { break };
                    let r = check_piece(&tail[s..e], from + s);
                    let failed = r.is_err();
                    if tx.send((k, r)).is_err() || failed {
                        // Later pieces are not needed once one has failed.
                        next.store(pieces.len(), Ordering::Relaxed);
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut waiting = std::collections::BTreeMap::new();
        let mut want = 0;
        let mut events = 0;
        let mut lines_before = lines_before_from;
        for (k, r) in rx {
            waiting.insert(k, r);
            while let Some(r) = waiting.remove(&want) {
                match r {
                    Ok(piece) => {
                        events += apply(&piece);
                        lines_before += piece.count;
                    }
                    Err((line, what)) => {
                        next.store(pieces.len(), Ordering::Relaxed);
                        return Err(damaged(path, lines_before + line, what));
                    }
                }
                want += 1;
            }
        }
        Ok((events, lines_before))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A log of `n` pair decisions on items `q0`, `q1`, ... with a blank line after every
    /// hundredth, and where each decision's line starts: (byte, line number from 0, blank
    /// lines counted).
    fn log_of(n: usize) -> (String, Vec<(usize, usize)>) {
        let mut log = String::new();
        let mut starts = Vec::new();
        let mut lines = 0;
        for i in 0..n {
            starts.push((log.len(), lines));
            log.push_str(&format!(
                r#"{{"v":1,"at":"2026-01-01T00:00:00.000Z","annotator":"a","item":"q{i}","item_hash":"h","task":"pair","pair":["c0","c1"],"choice":"c0","ms":{i}}}"#
            ));
            log.push('\n');
            lines += 1;
            if i % 100 == 99 {
                log.push_str(" \n");
                lines += 1;
            }
        }
        (log, starts)
    }

    /// Each line handed on: its item and the text of its byte range.
    type Seen<'a> = Vec<(String, &'a str)>;

    /// What `check_log_from` hands on after `from`, and what it returns, or its error.
    fn checked(log: &str, from: (usize, usize)) -> (Seen<'_>, Result<(usize, usize), String>) {
        let mut seen = Vec::new();
        let r = check_log_from(Path::new("x.jsonl"), log.as_bytes(), from, |c| {
            let (start, len) = (c.brief.start as usize, c.brief.len as usize);
            seen.push((c.brief.item.to_string(), &log[start..start + len]));
        })
        .map_err(|e| e.to_string());
        (seen, r)
    }

    /// One piece; three pieces (checked on this thread); many (checked on all cores, when
    /// there are several): every line is handed on once, in log order, with its byte range in
    /// the whole log, and the count of events and of lines (blank ones included) is the log's,
    /// from its start or from a line after it.
    #[test]
    fn lines_are_handed_on_in_order_with_their_ranges_in_the_whole_log() {
        for n in [1000, 17_000, 36_000] {
            let (log, starts) = log_of(n);
            let lines: Vec<&str> = log.lines().collect();
            // Pieces are of 1 MiB: 1, 3 and more than 4 of them.
            match n {
                1000 => assert!(log.len() < 1 << 20),
                17_000 => assert!((2 << 20..3 << 20).contains(&log.len())),
                _ => assert!(log.len() > 4 << 20),
            }
            let events = check_log(Path::new("x.jsonl"), log.as_bytes(), |_| {}).unwrap();
            assert_eq!(events, n);
            for k in [0, 1, n / 3, n - 1] {
                let (seen, r) = checked(&log, starts[k]);
                assert_eq!(r, Ok((n - k, lines.len())), "n {n}, from event {k}");
                assert_eq!(seen.len(), n - k);
                for (i, (item, line)) in seen.iter().enumerate() {
                    assert_eq!(*item, format!("q{}", k + i));
                    assert_eq!(*line, lines[starts[k + i].1]);
                }
            }
            // A damaged line is named by its line in the whole log, from the start or after.
            let bad_at = starts[n * 2 / 3].1;
            let mut bad = lines.clone();
            bad[bad_at] = "{oops";
            let bad = bad.join("\n") + "\n";
            for k in [0, n / 3] {
                let (_, r) = checked(&bad, starts[k]);
                let err = r.unwrap_err();
                assert!(
                    err.contains(&format!("x.jsonl:{}: damaged", bad_at + 1)),
                    "{err}"
                );
            }
        }
    }

    /// Each line is handed on with its task's key as a full read keys it (`Event::key`): a
    /// pair by its pair, an edit by its source, a best-worst tuple by its name, whatever other
    /// fields a line edited by hand carries (the writer gives a pair only to pair tasks, a
    /// source only to edits).
    #[test]
    fn lines_are_handed_on_with_the_key_of_their_task() {
        let line = |task: &str, rest: &str| {
            format!(r#"{{"v":1,"annotator":"a","item":"q\u00e9","task":"{task}",{rest}}}"#)
        };
        let log = [
            line("pair", r#""pair":["c1","c0"],"choice":"c0""#),
            line("pair", r#""pair":["c1","c0"],"choice":"c0","source":"c1""#),
            line("edit", r#""source":"c1","text":"Better.""#),
            line("edit", r#""source":"c1","pair":["c1","c0"],"retract":true"#),
            line(
                "best-worst",
                r#""best":"c0","worst":"c2","tuple":"c0,c1,c2""#,
            ),
            line(
                "best-worst",
                r#""best":"c0","worst":"c2","pair":["c1","c0"]"#,
            ),
            line("best-worst", r#""skip":true,"source":"c1""#),
        ]
        .join("\n");
        let mut seen = Vec::new();
        check_log(Path::new("x.jsonl"), log.as_bytes(), |c| {
            let b = &c.brief;
            seen.push((
                b.item.to_string(),
                b.kind,
                b.pair.map(|(x, y)| format!("{x} {y}")),
            ));
        })
        .unwrap();
        let s = |p: &str| Some(p.to_string());
        let expected = [
            (TaskKind::Pair, s("c1 c0")),
            (TaskKind::Pair, s("c1 c0")),
            (TaskKind::Edit, s("c1 c1")),
            (TaskKind::Edit, s("c1 c1")),
            (TaskKind::BestWorst, s("c0,c1,c2 c0,c1,c2")),
            (TaskKind::BestWorst, None),
            (TaskKind::BestWorst, None),
        ];
        let expected: Vec<_> = expected
            .into_iter()
            .map(|(kind, pair)| ("q\u{e9}".to_string(), kind, pair))
            .collect();
        assert_eq!(seen, expected);
    }
}
