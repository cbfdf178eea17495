//! Replay: the decisions a log leaves standing, from the fast reader's lines ([`super::codec`]);
//! the full event of a line is parsed only when someone asks for it. One log into one
//! [`Decisions`], or per annotator for a team's counts and for review.

use std::path::Path;
use std::sync::Arc;

use super::bytes::LogBytes;
use super::codec::{check_log, check_log_from};
use super::decisions::Decisions;
use super::decisions::{In, Out};
use super::error::LogError;
use super::event::{Role, TaskKind};
use super::replay_cache::{Kind, ReplayCache};

/// Replays complete log bytes (see [`super::parse_events`]: the same lines are accepted, and
/// the first bad line is the same error) into `d`. Returns the number of events.
pub(crate) fn replay_into(
    d: &mut Decisions,
    path: &Path,
    bytes: Arc<LogBytes>,
) -> Result<usize, LogError> {
    let log = d.add_log(Arc::clone(&bytes));
    // A log line is about 200 bytes: make room once rather than growing the tables (and
    // moving a million entries) as they fill.
    d.reserve(bytes.len() / 200);
    check_log(path, &bytes, |line| d.apply_brief(log, &line.brief))
}

/// Replays the labeler's own log (complete bytes) into fresh [`Decisions`], starting from the
/// tables `cache` kept of its first bytes when they still hold (see [`ReplayCache`]); keeps the
/// tables for the next start when the log has grown by enough since. Returns the decisions, the
/// number of events and how many of the log's bytes came from the cache. The first bad line is
/// the same error a full read gives.
pub(crate) fn replay_own(
    path: &Path,
    bytes: Arc<LogBytes>,
    cache: Option<&ReplayCache>,
) -> Result<(Decisions, usize, u64, u64), LogError> {
    let len = bytes.len() as u64;
    let worth = cache.map_or(u64::MAX, |c| c.min_bytes_of(Kind::Own));
    let cached = cache
        .filter(|_| len >= worth)
        .and_then(|c| c.load(path, &bytes));
    let (mut d, from, before) = match cached {
        Some(c) => {
            crate::trace::mark("own log: cached replay read");
            let from = (c.covered as usize, c.lines as usize);
            (c.decisions, from, c.events as usize)
        }
        None => {
            let mut d = Decisions::new();
            d.add_log(Arc::clone(&bytes));
            // A log line is about 200 bytes: make room once rather than growing the tables
            // (and moving a million entries) as they fill.
            d.reserve(bytes.len() / 200);
            (d, (0, 0), 0)
        }
    };
    let (tail, lines) = check_log_from(path, &bytes, from, |line| d.apply_brief(0, &line.brief))?;
    let events = before + tail;
    if let Some(c) = cache
        && len - from.0 as u64 >= worth
    {
        // A failed write only costs the next start its shortcut.
        let _ = c.save(path, &bytes, &d, (len, lines as u64, events as u64));
    }
    Ok((d, events, from.0 as u64, lines as u64))
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
    decided: [usize; 5],
    /// Who wrote the lines (their `uid`s and names).
    pub writers: super::writers::WriterCounts,
    /// Bytes of the log whose replay came from the cache (see [`replay_team_log`]).
    pub(crate) cached_bytes: u64,
}

impl ByAnnotator {
    /// Decision lines of this kind: what review picks its mode by.
    pub fn decided_lines(&self, kind: TaskKind) -> usize {
        self.decided[kind as usize]
    }
}

/// Replays complete log bytes per annotator (see [`ByAnnotator`]); a damaged line is the same
/// error a full read gives.
pub fn replay_by_annotator(path: &Path, bytes: Arc<LogBytes>) -> Result<ByAnnotator, LogError> {
    replay_team_log(path, bytes, None)
}

/// [`replay_by_annotator`] of a teammate's whole log, starting from the tables `cache` kept of
/// its first bytes when they still hold, and keeping them for the next start when the log has
/// grown by enough since.
pub(crate) fn replay_team_log(
    path: &Path,
    bytes: Arc<LogBytes>,
    cache: Option<&ReplayCache>,
) -> Result<ByAnnotator, LogError> {
    let len = bytes.len() as u64;
    let worth = cache.map_or(u64::MAX, |c| c.min_bytes_of(Kind::Team));
    let cached = cache.filter(|_| len >= worth).and_then(|c| {
        c.load_body(Kind::Team, path, &bytes, |body, covered| {
            ByAnnotator::decode(body, &bytes, covered)
        })
    });
    let (mut out, from) = match cached {
        Some((mut out, covered, lines, _)) => {
            out.cached_bytes = covered;
            (out, (covered as usize, lines as usize))
        }
        None => (ByAnnotator::default(), (0, 0)),
    };
    // Nothing beyond the cached part: the bytes are not needed (a teammate's log untouched
    // since is not even read, see `ReplayCache::untouched_team_log`).
    let nothing_new = from.0 as u64 == len;
    let (events, lines) = if nothing_new {
        (0, from.1)
    } else {
        check_log_from(path, &bytes, from, |line| {
            let b = &line.brief;
            if !b.skip && !b.retract {
                out.decided[b.kind as usize] += 1;
            }
            let adjudicator = Role::of(line.role) == Some(Role::Adjudicator);
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
        })?
    };
    out.events += events;
    if let Some(c) = cache
        && len - from.0 as u64 >= worth
    {
        let mut body = Vec::new();
        if out.encode(&mut body) {
            // A failed write only costs the next start its shortcut.
            let _ = c.save_body(
                Kind::Team,
                path,
                &bytes,
                &body,
                (len, lines as u64, out.events as u64),
            );
        }
    }
    Ok(out)
}

/// Cached with the replay (see [`ReplayCache`]).
impl ByAnnotator {
    fn encode(&self, out: &mut Vec<u8>) -> bool {
        let mut w = Out(out);
        w.u64(self.events as u64);
        for d in self.decided {
            w.u64(d as u64);
        }
        self.writers.encode(&mut w);
        w.u64(self.decisions.len() as u64);
        for (name, d) in &self.decisions {
            w.str(name);
            let mut body = Vec::new();
            if !d.encode(&mut body) {
                return false;
            }
            w.u64(body.len() as u64);
            w.0.extend_from_slice(&body);
        }
        true
    }

    fn decode(bytes: &[u8], log: &Arc<LogBytes>, covered: u64) -> Option<Self> {
        let mut r = In(bytes);
        let events = usize::try_from(r.u64()?).ok()?;
        let mut decided = [0usize; 5];
        for d in &mut decided {
            *d = usize::try_from(r.u64()?).ok()?;
        }
        let writers = super::writers::WriterCounts::decode(&mut r)?;
        let n = r.u64()?;
        let mut decisions = std::collections::BTreeMap::new();
        for _ in 0..n {
            let name = r.str()?.to_string();
            let len = usize::try_from(r.u64()?).ok()?;
            let d = Decisions::decode(r.take(len)?, Arc::clone(log), covered)?;
            decisions.insert(name, d);
        }
        if !r.0.is_empty() {
            return None;
        }
        Some(Self {
            decisions,
            events,
            decided,
            writers,
            cached_bytes: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::{Event, TaskKey, parse_events};
    use std::io::Write;

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
            let line = match r.below(4) {
                3 => format!(
                    r#"{{"v":1,"at":"t{i}","annotator":"a","item":"{item}","item_hash":"{hash}","task":"best-worst","shown":["c0","c1","c2"],"ms":{i},"best":"{}","worst":"c2"{}{tail}}}"#,
                    cands[a % 2],
                    if r.below(2) == 0 {
                        r#","tuple":"c0,c1,c2""#
                    } else {
                        ""
                    }
                ),
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
        replay_into(
            &mut d,
            Path::new("x.jsonl"),
            Arc::new(bytes.to_vec().into()),
        )
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
            let skipped = full.iter().filter(|e| e.skip && e.task == kind).count();
            assert_eq!(full.skipped_count_of(kind), skipped, "{kind:?}");
            assert_eq!(quick.skipped_count_of(kind), skipped, "{kind:?}");
        }
        // Undo walks back through the same decisions.
        loop {
            let (a, b) = (full.last().cloned(), quick.last().cloned());
            assert_eq!(a, b);
            let Some(e) = a else { break };
            let mut r = Event::new("a", &e.item, None, e.task);
            r.pair = e.pair.clone();
            r.tuple = e.tuple.clone();
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

    /// Replays `log` as a start does, with `cache`: (decisions, events, bytes from the cache).
    fn own(
        log: &[u8],
        path: &Path,
        cache: &ReplayCache,
    ) -> Result<(Decisions, usize, u64), String> {
        replay_own(path, Arc::new(log.to_vec().into()), Some(cache))
            .map(|(d, events, cached, _)| (d, events, cached))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn a_replay_from_the_cache_gives_what_a_full_read_gives() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let cache = ReplayCache::new(dir.path().join("cache")).worth(1);
        let mut r = Rng(0x5eed_0020);
        for n in [1, 40, 400, 3000] {
            let first = random_log(&mut r, n);
            let all = format!("{first}{}", random_log(&mut r, n / 2 + 1));
            let _ = std::fs::remove_dir_all(dir.path().join("cache"));
            // The first start reads it all and keeps the tables.
            let (d, count, from_cache) = own(first.as_bytes(), &path, &cache).unwrap();
            assert_eq!(from_cache, 0);
            let events = parse_events(&path, first.as_bytes()).unwrap();
            assert_eq!(count, events.len());
            assert_same(&events, d);
            // The next one, after more lines, starts from them and reads the new lines only.
            let (d, count, from_cache) = own(all.as_bytes(), &path, &cache).unwrap();
            assert_eq!(from_cache, first.len() as u64, "n = {n}");
            let events = parse_events(&path, all.as_bytes()).unwrap();
            assert_eq!(count, events.len());
            assert_same(&events, d);
            // Nothing new: all of it from the cache written just now.
            let (d, count, from_cache) = own(all.as_bytes(), &path, &cache).unwrap();
            assert_eq!((count, from_cache), (events.len(), all.len() as u64));
            assert_same(&events, d);
        }
    }

    /// A session writes its own log's cache on a thread of its own; at its end it waits for
    /// that write, so that one quit right after its start still leaves the cache for the next.
    #[test]
    fn the_end_of_a_session_waits_for_the_cache_being_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let cache = ReplayCache::new(dir.path().join("cache"))
            .worth(1)
            .written_aside();
        let log = random_log(&mut Rng(0x5eed_0023), 400);
        let (_, _, from_cache) = own(log.as_bytes(), &path, &cache).unwrap();
        assert_eq!(from_cache, 0);
        assert_eq!(cache.writes_pending(), 1, "written on a thread of its own");
        ReplayCache::finish_writes();
        assert_eq!(cache.writes_pending(), 0, "waited for at the end");
        let (_, _, from_cache) = own(log.as_bytes(), &path, &cache).unwrap();
        assert_eq!(from_cache, log.len() as u64, "the next start has it");
    }

    /// A log the file system says is untouched since its cache was written (same file,
    /// length and times) is not hashed again; one replaced by another file of the same length
    /// is, and a full read follows when the bytes differ.
    #[test]
    #[cfg(unix)]
    fn a_log_untouched_since_its_cache_was_written_is_not_hashed_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let cache = ReplayCache::new(dir.path().join("cache"))
            .worth(1)
            .settled_at_once();
        let line = |i: usize, choice: &str| {
            format!(
                r#"{{"v":1,"annotator":"t","item":"i{i}","task":"pair","pair":["c0","c1"],"choice":"{choice}"}}"#
            ) + "\n"
        };
        let log: String = (0..40).map(|i| line(i, "c0")).collect();
        std::fs::write(&path, &log).unwrap();
        let read = || -> Arc<LogBytes> { Arc::new(std::fs::read(&path).unwrap().into()) };
        assert_eq!(
            replay_team_log(&path, read(), Some(&cache))
                .unwrap()
                .cached_bytes,
            0
        );
        // Spoil the log's hash the cache recorded: only the file system vouches for the log now.
        let file = std::fs::read_dir(dir.path().join("cache"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        let mut bytes = std::fs::read(&file).unwrap();
        let at = 16 + 8 * 3 + 8 * 7;
        bytes[at] ^= 1;
        std::fs::write(&file, &bytes).unwrap();
        let got = replay_team_log(&path, read(), Some(&cache)).unwrap();
        assert_eq!(
            got.cached_bytes,
            log.len() as u64,
            "untouched: the cache is used"
        );
        // Replaced by a file of the same length with one decision changed: another file, so
        // the hash is asked for, and it does not hold.
        let edited = log.replacen(&line(7, "c0"), &line(7, "c1"), 1);
        assert_eq!(edited.len(), log.len());
        let aside = dir.path().join("t.jsonl.new");
        std::fs::write(&aside, &edited).unwrap();
        std::fs::rename(&aside, &path).unwrap();
        let got = replay_team_log(&path, read(), Some(&cache)).unwrap();
        assert_eq!(got.cached_bytes, 0, "replaced: read in full");
        let mut got = got;
        let events = parse_events(&path, edited.as_bytes()).unwrap();
        assert_same(&events, got.decisions.remove("t").unwrap());
    }

    #[test]
    fn an_untouched_teammates_log_is_read_only_when_its_events_are_needed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let cache = ReplayCache::new(dir.path().join("cache"))
            .worth(1)
            .settled_at_once();
        let line = |i: usize, choice: &str| {
            format!(
                r#"{{"v":1,"annotator":"t","item":"i{i}","task":"pair","pair":["c0","c1"],"choice":"{choice}"}}"#
            ) + "\n"
        };
        let log: String = (0..40).map(|i| line(i, "c0")).collect();
        std::fs::write(&path, &log).unwrap();
        let read = || -> Arc<LogBytes> { Arc::new(std::fs::read(&path).unwrap().into()) };
        assert!(cache.untouched_team_log(&path).is_none(), "no cache yet");
        replay_team_log(&path, read(), Some(&cache)).unwrap();

        // Untouched since: the replay comes from the tables, the log is not read.
        let bytes = Arc::new(cache.untouched_team_log(&path).expect("untouched"));
        let mut got = replay_team_log(&path, Arc::clone(&bytes), Some(&cache)).unwrap();
        assert_eq!(got.cached_bytes, log.len() as u64);
        assert!(bytes.is_deferred(), "the replay needs only the tables");
        // Its events when they are asked for: read then, the same as a full read gives.
        let events = parse_events(&path, log.as_bytes()).unwrap();
        assert_same(&events, got.decisions.remove("t").unwrap());
        assert!(!bytes.is_deferred());

        // Appended to after the start: its first bytes are still the ones the tables describe.
        let bytes = Arc::new(cache.untouched_team_log(&path).expect("untouched"));
        let more = line(40, "c1");
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(more.as_bytes())
            .unwrap();
        assert!(bytes.fill());
        assert_eq!(&bytes[..], log.as_bytes());
        assert!(
            cache.untouched_team_log(&path).is_none(),
            "changed since the cache was written: read it"
        );

        // Rewritten in place after the start (the same length, one decision changed): the
        // bytes are not taken for the ones the tables describe.
        let grown = format!("{log}{more}");
        replay_team_log(&path, read(), Some(&cache)).unwrap();
        let bytes = Arc::new(cache.untouched_team_log(&path).expect("untouched"));
        let edited = grown.replacen(&line(7, "c0"), &line(7, "c1"), 1);
        assert_eq!(edited.len(), grown.len());
        let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.write_all(edited.as_bytes()).unwrap();
        // As a rewrite seconds later would (two writes within one clock tick can share times).
        f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(10))
            .unwrap();
        drop(f);
        assert!(!bytes.fill(), "read as something else");
        let used = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| bytes[0]));
        let why = used.expect_err("using them panics");
        let why = why.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(why.contains("was rewritten"), "{why}");
    }

    #[test]
    fn a_teammates_log_from_the_cache_gives_what_a_full_read_gives() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let cache = ReplayCache::new(dir.path().join("cache")).worth(1);
        let mut r = Rng(0x5eed_0022);
        // Several annotators in one log, some lines a reviewer's final decisions.
        let mut team_log = |n: usize| -> String {
            random_log(&mut r, n)
                .lines()
                .enumerate()
                .map(|(i, l)| {
                    let who = ["a", "b", "c"][i % 3];
                    let l = l.replace(r#""annotator":"a""#, &format!(r#""annotator":"{who}""#));
                    let l = if i % 7 == 0 {
                        l.replacen(r#""v":1,"#, r#""v":1,"role":"adjudicator","#, 1)
                    } else {
                        l
                    };
                    l + "\n"
                })
                .collect()
        };
        for n in [3, 60, 900] {
            let first = team_log(n);
            let all = format!("{first}{}", team_log(n / 3 + 1));
            let _ = std::fs::remove_dir_all(dir.path().join("cache"));
            // The first read keeps the tables; the next starts from them, and writes the whole.
            for (log, cached) in [(&first, 0), (&all, first.len()), (&all, all.len())] {
                let bytes: Arc<LogBytes> = Arc::new(log.as_bytes().to_vec().into());
                let full = replay_by_annotator(&path, Arc::clone(&bytes)).unwrap();
                let got = replay_team_log(&path, bytes, Some(&cache)).unwrap();
                assert_eq!(got.cached_bytes, cached as u64, "n = {n}");
                assert_eq!(got.events, full.events, "n = {n}");
                for kind in [TaskKind::Pair, TaskKind::Rank, TaskKind::Rate] {
                    assert_eq!(got.decided_lines(kind), full.decided_lines(kind));
                }
                assert_eq!(got.writers.counts(), full.writers.counts());
                assert_eq!(
                    got.decisions.keys().collect::<Vec<_>>(),
                    full.decisions.keys().collect::<Vec<_>>()
                );
                let events = parse_events(&path, log.as_bytes()).unwrap();
                for (name, d) in got.decisions {
                    let theirs: Vec<Event> = events
                        .iter()
                        .filter(|e| e.annotator == name && e.role() != Some(Role::Adjudicator))
                        .cloned()
                        .collect();
                    assert_same(&theirs, d);
                }
            }
        }
    }

    #[test]
    fn a_cache_that_no_longer_fits_the_log_is_not_used() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let cache = ReplayCache::new(dir.path().join("cache")).worth(1);
        let line = |i: usize, choice: &str| {
            format!(
                r#"{{"v":1,"annotator":"a","item":"i{i}","task":"pair","pair":["c0","c1"],"choice":"{choice}"}}"#
            ) + "\n"
        };
        let log: String = (0..50).map(|i| line(i, "c0")).collect();
        own(log.as_bytes(), &path, &cache).unwrap();
        let check = |bytes: &str| {
            let (d, count, from_cache) = own(bytes.as_bytes(), &path, &cache).unwrap();
            let events = parse_events(&path, bytes.as_bytes()).unwrap();
            assert_eq!(count, events.len());
            assert_same(&events, d);
            from_cache
        };
        // The same length, one decision changed by hand: read in full.
        let edited = log.replacen(&line(7, "c0"), &line(7, "c1"), 1);
        assert_eq!(edited.len(), log.len());
        assert_eq!(check(&edited), 0);
        // (That read kept the edited log's tables.) Cut back: read in full.
        let cut: String = (0..30).map(|i| line(i, "c0")).collect();
        assert_eq!(check(&cut), 0);
        // A damaged cache file: read in full, and the tables written again.
        let file = std::fs::read_dir(dir.path().join("cache"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .path();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&file), 0o600, "the tables are the user's alone");
            assert_eq!(mode(&dir.path().join("cache")), 0o700);
        }
        // A write cut short earlier is cleared away by the next.
        let stale = file.with_extension("tmp-1");
        std::fs::write(&stale, b"cut short").unwrap();
        let mut bytes = std::fs::read(&file).unwrap();
        let k = bytes.len() - 40;
        bytes[k] ^= 1;
        std::fs::write(&file, &bytes).unwrap();
        assert_eq!(check(&cut), 0);
        assert!(!stale.exists());
        assert_eq!(check(&cut), cut.len() as u64);
        // Another log of the same name elsewhere does not use this one's.
        let other = dir.path().join("b").join("a.jsonl");
        std::fs::create_dir_all(other.parent().unwrap()).unwrap();
        std::fs::write(&other, &cut).unwrap();
        let (_, _, from_cache) = own(cut.as_bytes(), &other, &cache).unwrap();
        assert_eq!(from_cache, 0);
    }

    #[test]
    fn a_bad_line_after_the_cached_part_is_named_by_its_line_in_the_whole_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jsonl");
        let cache = ReplayCache::new(dir.path().join("cache")).worth(1);
        let mut r = Rng(0x5eed_0021);
        let first = random_log(&mut r, 300);
        own(first.as_bytes(), &path, &cache).unwrap();
        let bad = format!("{first}{}{{\"v\":1,\"oops\n", random_log(&mut r, 20));
        let full = parse_events(&path, bad.as_bytes()).unwrap_err().to_string();
        let cached = own(bad.as_bytes(), &path, &cache).err().unwrap();
        assert_eq!(cached, full);
        assert!(
            full.contains(&format!(".jsonl:{}:", bad.lines().count())),
            "{full}"
        );
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

    /// A replay makes room in its tables once, for about one task per 200 bytes of log: a hint
    /// out of proportion to the log would ask a big log's start for more memory than there is
    /// (the tables' growth alone keeps the room within twice the lines).
    #[test]
    fn a_replay_makes_room_in_proportion_to_the_log() {
        let mut r = Rng(0x5eed_0023);
        let log = random_log(&mut r, 2000);
        let bound = log.len() / 10;
        let (quick, _) = fast(log.as_bytes()).unwrap();
        assert!(quick.room() <= bound, "room for {} tasks", quick.room());
        let (own, ..) = replay_own(
            Path::new("x.jsonl"),
            Arc::new(log.into_bytes().into()),
            None,
        )
        .unwrap();
        assert!(own.room() <= bound, "room for {} tasks", own.room());
    }

    /// Review picks its mode by the decision lines of each kind: skips and retractions are
    /// lines of their kind but no decision.
    #[test]
    fn skips_and_retractions_are_not_counted_as_decision_lines() {
        let pair = |i: usize, tail: &str| {
            format!(
                r#"{{"v":1,"at":"t{i}","annotator":"a","item":"q{i}","item_hash":"h","task":"pair","pair":["c0","c1"],"choice":"c0"{tail},"ms":{i}}}"#
            )
        };
        let rank = |i: usize| {
            format!(
                r#"{{"v":1,"at":"t{i}","annotator":"b","item":"q{i}","task":"rank","ranking":[["c0"],["c1"]]}}"#
            )
        };
        let lines = [
            rank(0),
            rank(1),
            pair(2, r#","skip":true"#),
            pair(3, r#","retract":true"#),
            pair(4, r#","skip":true"#),
            pair(5, ""),
        ];
        let log = lines.join("\n") + "\n";
        let got =
            replay_by_annotator(Path::new("x.jsonl"), Arc::new(log.into_bytes().into())).unwrap();
        assert_eq!(got.events, 6);
        assert_eq!(got.decided_lines(TaskKind::Rank), 2);
        assert_eq!(got.decided_lines(TaskKind::Pair), 1);
    }
}
