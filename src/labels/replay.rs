//! Resume from a big log without building every event: each line is checked exactly as
//! [`super::parse_events`] checks it (the same JSON types for every field, the same
//! [`Event::check`] rules), but only what replay needs is kept, borrowed from the log's bytes:
//! the task, skip/retract, the `item_hash`, and the line's byte range. The full event is
//! parsed from that range when someone asks for it. Pieces of the log are checked on all cores
//! while the calling thread replays the pieces before them, in log order.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

mod scan;

pub(super) use scan::quick_event;

use super::decisions::{Brief, Decisions};
use super::event::{Event, TaskKind};
use super::log::{LogError, damaged};

/// A string field: borrowed from the line unless it holds escapes.
#[derive(Debug)]
struct S<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for S<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = S<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(S(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(S(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(S(Cow::Owned(v)))
            }
        }
        d.deserialize_string(V(PhantomData))
    }
}

/// A string field replay does not need: checked to be a string, not kept.
#[derive(Default)]
struct Text;

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Text, E> {
                Ok(Text)
            }
        }
        d.deserialize_string(V)
    }
}

/// A list whose elements are checked as `T` and dropped (what `Vec<T>` accepts).
struct Seq<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Seq<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Seq<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Seq<T>, A::Error> {
                while a.next_element::<T>()?.is_some() {}
                Ok(Seq(PhantomData))
            }
        }
        d.deserialize_seq(V(PhantomData))
    }
}

/// An object whose entries are checked as `K: V` and dropped (what `BTreeMap<K, V>` accepts).
struct Map<K, V>(PhantomData<(K, V)>);

impl<'de, K: Deserialize<'de>, W: Deserialize<'de>> Deserialize<'de> for Map<K, W> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<K, W>(PhantomData<(K, W)>);
        impl<'de, K: Deserialize<'de>, W: Deserialize<'de>> Visitor<'de> for V<K, W> {
            type Value = Map<K, W>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Map<K, W>, A::Error> {
                while a.next_entry::<K, W>()?.is_some() {}
                Ok(Map(PhantomData))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// [`Event`], field for field with the same types and defaults, keeping only what replay and
/// [`Event::check`] look at.
#[derive(Deserialize)]
#[allow(dead_code)]
struct Lite<'a> {
    v: u32,
    #[serde(default)]
    at: Text,
    #[serde(borrow)]
    annotator: S<'a>,
    #[serde(borrow)]
    item: S<'a>,
    #[serde(default, borrow)]
    item_hash: Option<S<'a>>,
    task: TaskKind,
    #[serde(default)]
    shown: Option<Seq<Text>>,
    #[serde(default)]
    ranking: Option<Seq<Seq<Text>>>,
    #[serde(default, borrow)]
    pair: Option<[S<'a>; 2]>,
    #[serde(default, borrow)]
    choice: Option<S<'a>>,
    #[serde(default)]
    ratings: Option<Map<Text, u32>>,
    #[serde(default)]
    scale: Option<u32>,
    #[serde(default)]
    skip: bool,
    #[serde(default)]
    retract: bool,
    #[serde(default)]
    ms: Option<u64>,
    #[serde(default, borrow)]
    role: Option<S<'a>>,
    #[serde(default)]
    strength: Option<u8>,
    #[serde(default)]
    flags: Option<Map<Text, Seq<Text>>>,
    #[serde(default)]
    rationale: Option<Text>,
    #[serde(default)]
    aspects: Option<Map<Text, Map<Text, u32>>>,
    #[serde(default)]
    uid: Option<u32>,
}

impl Lite<'_> {
    /// True when [`Event::check`] would pass the full event.
    fn passes_check(&self) -> bool {
        if self.item.0.is_empty() || (self.task == TaskKind::Pair && self.pair.is_none()) {
            return false;
        }
        if self.skip && self.retract {
            return false;
        }
        let verdict = self.retract
            || self.skip
            || match self.task {
                TaskKind::Pair => self.choice.is_some(),
                TaskKind::Rank => self.ranking.is_some(),
                TaskKind::Rate => self.ratings.is_some(),
            };
        if !verdict {
            return false;
        }
        match (&self.pair, &self.choice) {
            (Some([l, r]), Some(c)) => {
                let c = &*c.0;
                c == l.0 || c == r.0 || c == "tie" || c == "both_bad"
            }
            _ => true,
        }
    }
}

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
                    pair: lite
                        .pair
                        .as_ref()
                        .map(|[a, b]| (piece.keep(base, a), piece.keep(base, b))),
                    kind: lite.task,
                    skip: lite.skip,
                    retract: lite.retract,
                    uid: lite.uid,
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

/// Replays complete log bytes (see [`super::parse_events`]: the same lines are accepted, and
/// the first bad line is the same error) into `d`. Returns the number of events.
pub(crate) fn replay_into(
    d: &mut Decisions,
    path: &Path,
    bytes: Arc<Vec<u8>>,
) -> Result<usize, LogError> {
    let log = d.add_log(Arc::clone(&bytes));
    // A log line is about 200 bytes: make room once rather than growing the tables (and
    // moving a million entries) as they fill.
    d.reserve(bytes.len() / 200);
    check_log(path, &bytes, |line| d.apply_brief(log, &line.brief))
}

/// A log replayed per annotator, for a team's counts and for review: each annotator's lines go
/// into their own [`Decisions`], except reviewers' final decisions (`role` "adjudicator"),
/// which do not count towards the overlap. The same lines are accepted as by a full read.
#[derive(Debug, Default)]
pub struct ByAnnotator {
    pub decisions: std::collections::BTreeMap<String, Decisions>,
    /// Lines read (events).
    pub events: usize,
    /// Decision lines (not skips or retractions) per task kind, adjudicators' included.
    decided: [usize; 3],
    /// Who wrote the lines (their `uid`s and names).
    pub writers: super::writers::WriterCounts,
}

impl ByAnnotator {
    /// Decision lines of this kind: what review picks its mode by.
    pub fn decided_lines(&self, kind: TaskKind) -> usize {
        self.decided[kind as usize]
    }
}

/// Replays complete log bytes per annotator (see [`ByAnnotator`]); a damaged line is the same
/// error a full read gives.
pub fn replay_by_annotator(path: &Path, bytes: Arc<Vec<u8>>) -> Result<ByAnnotator, LogError> {
    let mut out = ByAnnotator::default();
    out.events = check_log(path, &bytes, |line| {
        let b = &line.brief;
        if !b.skip && !b.retract {
            out.decided[b.kind as usize] += 1;
        }
        let adjudicator = line.role == Some("adjudicator");
        out.writers.note(line.uid, line.annotator, adjudicator);
        if adjudicator {
            return;
        }
        let d = match out.decisions.get_mut(line.annotator) {
            Some(d) => d,
            None => {
                let mut d = Decisions::new();
                d.add_log(Arc::clone(&bytes));
                out.decisions.entry(line.annotator.to_string()).or_insert(d)
            }
        };
        // Each of these replays keeps one log: number 0.
        d.apply_brief(0, b);
    })?;
    Ok(out)
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
    mut f: impl FnMut(&Checked<'_>),
) -> Result<usize, LogError> {
    const PIECE: usize = 1 << 20;
    let threads = crate::par::cores();
    let pieces: Vec<(usize, usize)> = crate::par::line_pieces(bytes, PIECE)
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
        let mut lines_before = 0;
        for &(s, e) in &pieces {
            let piece = check_piece(&bytes[s..e], s)
                .map_err(|(line, what)| damaged(path, lines_before + line, what))?;
            events += apply(&piece);
            lines_before += piece.count;
        }
        return Ok(events);
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
                    let r = check_piece(&bytes[s..e], s);
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
        let mut lines_before = 0;
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
        Ok(events)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::{TaskKey, parse_events};

    use crate::testutil::Rng;

    /// A random log of pair, rank and rate events over few items, with skips, retractions,
    /// escapes in ids, changed item hashes and blank lines.
    fn random_log(r: &mut Rng, n: usize) -> String {
        let mut out = String::new();
        for i in 0..n {
            let item = format!("q\\u00e9-{}", r.below(12));
            let cands = ["c0", "c1", "c2", "c\\\"3"];
            let (a, b) = (r.below(4) as usize, r.below(4) as usize);
            let hash = ["h1", "h2"][usize::from(r.below(10) == 0)];
            let tail = match r.below(10) {
                0 => r#","skip":true"#.to_string(),
                1 | 2 => r#","retract":true"#.to_string(),
                _ => String::new(),
            };
            // The writer's uid on most lines (older logs have none).
            let tail = match r.below(4) {
                0 => tail,
                k => format!("{tail},\"uid\":{}", [0, 1000, u32::MAX][k as usize - 1]),
            };
            let line = match r.below(3) {
                0 => format!(
                    r#"{{"v":1,"at":"t{i}","annotator":"a","item":"{item}","item_hash":"{hash}","task":"pair","pair":["{}","{}"],"choice":"{}"{tail},"ms":{i}}}"#,
                    cands[a], cands[b], cands[a]
                ),
                1 => format!(
                    r#"{{"v":1,"at":"t{i}","annotator":"a","item":"{item}","task":"rank","ranking":[["{}"],["{}"]]{tail}}}"#,
                    cands[a], cands[b]
                ),
                _ => format!(
                    r#"{{"v":1,"annotator":"a","item":"{item}","item_hash":"{hash}","task":"rate","ratings":{{"{}":{}}},"future":[1,{{}}]{tail}}}"#,
                    cands[a],
                    r.below(5)
                ),
            };
            out.push_str(&line);
            out.push_str(if r.below(50) == 0 { "\n \n" } else { "\n" });
        }
        out
    }

    fn fast(bytes: &[u8]) -> Result<(Decisions, usize), String> {
        let mut d = Decisions::new();
        replay_into(&mut d, Path::new("x.jsonl"), Arc::new(bytes.to_vec()))
            .map(|n| (d, n))
            .map_err(|e| e.to_string())
    }

    fn assert_same(events: &[Event], mut quick: Decisions) {
        let mut full = Decisions::from_events(events);
        let mut keys: Vec<TaskKey> = full.keys().collect();
        keys.sort();
        let mut quick_keys: Vec<TaskKey> = quick.keys().collect();
        quick_keys.sort();
        assert_eq!(keys, quick_keys);
        for k in &keys {
            assert_eq!(full.get(k), quick.get(k), "{k:?}");
            assert_eq!(full.is_decided(k), quick.is_decided(k));
            assert_eq!(full.is_skipped(k), quick.is_skipped(k));
            let pair = k.pair.as_ref().map(|(a, b)| (b.as_str(), a.as_str()));
            assert!(quick.has(&k.item, k.kind, pair));
            for h in ["h1", "h2"] {
                let stale = full
                    .get(k)
                    .is_some_and(|e| e.item_hash.as_deref().is_some_and(|x| x != h));
                assert_eq!(full.is_stale(k, h), stale, "{k:?}");
                assert_eq!(quick.is_stale(k, h), stale, "{k:?}");
            }
        }
        for e in events {
            assert_eq!(full.has_item(&e.item), quick.has_item(&e.item));
            for h in ["h1", "h2"] {
                assert_eq!(
                    full.item_may_be_stale(&e.item, h),
                    quick.item_may_be_stale(&e.item, h)
                );
            }
        }
        assert_eq!(full.decided_count(), quick.decided_count());
        for kind in [TaskKind::Pair, TaskKind::Rank, TaskKind::Rate] {
            assert_eq!(full.decided_count_of(kind), quick.decided_count_of(kind));
        }
        // Undo walks back through the same decisions.
        loop {
            let (a, b) = (full.last().cloned(), quick.last().cloned());
            assert_eq!(a, b);
            let Some(e) = a else { break };
            let mut r = Event::new("a", &e.item, None, e.task);
            r.pair = e.pair.clone();
            r.retract = true;
            full.apply(r.clone());
            quick.apply(r);
        }
    }

    #[test]
    fn quick_replay_gives_the_same_decisions_as_a_full_read() {
        let mut r = Rng(7);
        for n in [0, 1, 5, 50, 400, 3000] {
            for _ in 0..8 {
                let log = random_log(&mut r, n);
                let events = parse_events(Path::new("x.jsonl"), log.as_bytes()).unwrap();
                let (quick, count) = fast(log.as_bytes()).unwrap();
                assert_eq!(count, events.len());
                assert_same(&events, quick);
            }
        }
        // Big enough to be checked in pieces on several threads.
        let log = random_log(&mut r, 40_000);
        assert!(log.len() > 4 << 20);
        let events = parse_events(Path::new("x.jsonl"), log.as_bytes()).unwrap();
        assert_same(&events, fast(log.as_bytes()).unwrap().0);
    }

    #[test]
    fn quick_replay_accepts_and_refuses_exactly_the_lines_a_full_read_does() {
        let good = r#"{"v":1,"at":"x","annotator":"a","item":"i","item_hash":"h","task":"pair","pair":["c0","c1"],"choice":"c0","ms":5,"strength":2}"#;
        let variants = [
            good.to_string(),
            good.replace(r#""at":"x""#, r#""at":null"#),
            good.replace(r#""at":"x","#, ""),
            good.replace(r#""item_hash":"h""#, r#""item_hash":null"#),
            good.replace(r#""item_hash":"h""#, r#""item_hash":5"#),
            good.replace(r#""annotator":"a","#, ""),
            good.replace(r#""v":1"#, r#""v":-1"#),
            good.replace(r#""item":"i""#, r#""item":"""#),
            good.replace(r#""task":"pair""#, r#""task":"duel""#),
            good.replace(r#"["c0","c1"]"#, r#"["c0"]"#),
            good.replace(r#"["c0","c1"]"#, r#"["c0","c1","c2"]"#),
            good.replace(r#""pair":["c0","c1"],"#, ""),
            good.replace(r#""choice":"c0""#, r#""choice":"c9""#),
            good.replace(r#""choice":"c0""#, r#""choice":"tie""#),
            good.replace(r#""choice":"c0","#, ""),
            good.replace(r#""choice":"c0""#, r#""skip":true"#),
            good.replace(r#""choice":"c0""#, r#""skip":true,"retract":true"#),
            good.replace(r#""choice":"c0""#, r#""skip":"yes""#),
            good.replace(r#""ms":5"#, r#""ms":"5""#),
            good.replace(r#""ms":5"#, r#""ms":5,"ms":6"#),
            good.replace(r#""strength":2"#, r#""strength":300"#),
            good.replace(r#""strength":2"#, r#""ratings":{"c0":1,"c0":2}"#),
            good.replace(r#""strength":2"#, r#""ratings":{"c0":-1}"#),
            good.replace(r#""strength":2"#, r#""shown":["c0",1]"#),
            good.replace(r#""strength":2"#, r#""ranking":[["c0"],"c1"]"#),
            good.replace(r#""strength":2"#, r#""flags":{"c0":["unsafe"]}"#),
            good.replace(r#""strength":2"#, r#""flags":{"c0":"unsafe"}"#),
            good.replace(r#""strength":2"#, r#""aspects":{"x":{"c0":3}}"#),
            good.replace(r#""strength":2"#, r#""aspects":{"x":{"c0":"3"}}"#),
            good.replace(
                r#""strength":2"#,
                r#""role":"adjudicator","rationale":"\u00e9\n""#,
            ),
            good.replace(r#""strength":2"#, r#""role":7"#),
            good.replace(r#""strength":2"#, r#""strength":2,"uid":1000"#),
            good.replace(r#""strength":2"#, r#""strength":2,"uid":null"#),
            good.replace(r#""strength":2"#, r#""strength":2,"uid":-1"#),
            good.replace(r#""strength":2"#, r#""strength":2,"uid":4294967296"#),
            good.replace(r#""strength":2"#, r#""strength":2,"uid":"1000""#),
            good.replace(r#""annotator":"a","#, r#""annotator":"a","uid":7,"#),
            good.replace(r#""strength":2"#, r#""unknown":{"deep":[1,2,{"x":null}]}"#),
            good.replace('}', ""),
            good.replace(r#""c0","c1""#, r#""c\u0030","c1""#),
            good.replace(r#""task":"pair""#, r#""task":"rank""#),
            good.replace(r#""task":"pair""#, r#""task":"rate""#),
            format!("{good} trailing"),
            format!("{good}\r"),
            "[1,2]".to_string(),
            "null".to_string(),
        ];
        for v in &variants {
            let text = format!("{good}\n{v}\n{good}\n");
            let full = parse_events(Path::new("x.jsonl"), text.as_bytes());
            let quick = fast(text.as_bytes());
            match (&full, &quick) {
                (Ok(events), Ok((d, n))) => {
                    assert_eq!(*n, events.len(), "{v}");
                    assert_same(events, d.clone());
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), *b, "{v}"),
                _ => panic!(
                    "{v}: full read {:?}, quick {:?}",
                    full.map(|e| e.len()),
                    quick.map(|q| q.1)
                ),
            }
        }
        // Invalid UTF-8 alone, after a bad line, and before one: the first wins either way.
        for (before, after) in [("", ""), ("{oops\n", ""), ("", "{oops\n")] {
            let mut bytes = format!("{good}\n{before}").into_bytes();
            bytes.extend_from_slice(b"{\"v\":1,\"item\":\"\xff\"}\n");
            bytes.extend_from_slice(format!("{after}{good}\n").as_bytes());
            assert_eq!(
                parse_events(Path::new("x.jsonl"), &bytes)
                    .unwrap_err()
                    .to_string(),
                fast(&bytes).unwrap_err()
            );
        }
    }

    #[test]
    fn big_logs_name_the_first_bad_line_like_a_full_read() {
        let mut r = Rng(3);
        let log = random_log(&mut r, 40_000);
        let mut lines: Vec<&str> = log.split('\n').collect();
        let n = lines.len();
        lines[n * 2 / 3] = "{oops";
        lines[n - 5] = "{oops";
        let bad = lines.join("\n");
        assert_eq!(
            parse_events(Path::new("x.jsonl"), bad.as_bytes())
                .unwrap_err()
                .to_string(),
            fast(bad.as_bytes()).unwrap_err()
        );
    }
}
