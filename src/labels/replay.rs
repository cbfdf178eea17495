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
    annotator: Text,
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
    #[serde(default)]
    role: Option<Text>,
    #[serde(default)]
    strength: Option<u8>,
    #[serde(default)]
    flags: Option<Map<Text, Seq<Text>>>,
    #[serde(default)]
    rationale: Option<Text>,
    #[serde(default)]
    aspects: Option<Map<Text, Map<Text, u32>>>,
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

/// One checked line, borrowing from the log.
struct Line<'a> {
    lite: Lite<'a>,
    start: u64,
    len: u32,
}

/// Checks the lines of one piece (starting at byte `offset` of the log). An error gives the
/// line within the piece (from 1) and the message [`super::parse_events`] gives for it.
fn check_piece(bytes: &[u8], offset: usize) -> Result<(Vec<Line<'_>>, usize), (usize, String)> {
    let mut out = Vec::with_capacity(bytes.len() / 160);
    let mut pos = 0;
    let mut n = 0;
    for raw in bytes.split(|&b| b == b'\n') {
        n += 1;
        let at = pos;
        pos += raw.len() + 1;
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let text = std::str::from_utf8(raw).map_err(|_| (n, "invalid UTF-8".to_string()))?;
        match serde_json::from_str::<Lite>(text) {
            Ok(lite) if lite.passes_check() => out.push(Line {
                lite,
                start: (offset + at) as u64,
                len: raw.len() as u32,
            }),
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
    // `split` yields one piece more than there are newlines.
    Ok((out, n - 1))
}

/// Replays complete log bytes (see [`super::parse_events`]: the same lines are accepted, and
/// the first bad line is the same error) into `d`. Returns the number of events.
pub(crate) fn replay_into(
    d: &mut Decisions,
    path: &Path,
    bytes: Arc<[u8]>,
) -> Result<usize, LogError> {
    const PIECE: usize = 1 << 20;
    let log = d.add_log(Arc::clone(&bytes));
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let mut end = (start + PIECE).min(bytes.len());
        if end < bytes.len() {
            end = memchr::memchr(b'\n', &bytes[end..]).map_or(bytes.len(), |k| end + k + 1);
        }
        pieces.push((start, end));
        start = end;
    }
    let apply = |d: &mut Decisions, lines: &[Line<'_>]| {
        for l in lines {
            let lite = &l.lite;
            d.apply_brief(
                log,
                &Brief {
                    item: &lite.item.0,
                    item_hash: lite.item_hash.as_ref().map(|h| &*h.0),
                    kind: lite.task,
                    pair: lite.pair.as_ref().map(|[a, b]| (&*a.0, &*b.0)),
                    skip: lite.skip,
                    retract: lite.retract,
                    start: l.start,
                    len: l.len,
                },
            );
        }
        lines.len()
    };
    if threads == 1 || pieces.len() < 4 {
        let mut events = 0;
        let mut lines_before = 0;
        for &(s, e) in &pieces {
            let (lines, n) = check_piece(&bytes[s..e], s)
                .map_err(|(line, what)| damaged(path, lines_before + line, what))?;
            events += apply(d, &lines);
            lines_before += n;
        }
        return Ok(events);
    }
    // Workers check pieces; this thread applies them in order as they come in.
    let next = AtomicUsize::new(0);
    let bytes = &*bytes;
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
                    Ok((lines, n)) => {
                        events += apply(d, &lines);
                        lines_before += n;
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
