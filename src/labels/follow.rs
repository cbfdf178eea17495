//! Following the other annotators' logs in a labels folder (or the logs named): all of them
//! once at the start, then what they append, from where it last stopped, so each look costs
//! only the new bytes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ffi::OsString;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::codec::parse_events;
use super::decisions::{Decisions, TaskCounts};
use super::event::{Event, TaskKind};
use super::folder::folder_logs;
use super::progress::{ReadProgress, file_size};
use super::replay::replay_team_log;
use super::writers::{WriterCounts, Writers};

/// Reads the other annotators' logs (never the session's own).
pub struct OthersReader {
    dir: PathBuf,
    /// Logs named on the command line instead of the folder's.
    named: Option<Vec<PathBuf>>,
    mine: Option<OsString>,
    offsets: HashMap<PathBuf, u64>,
    /// Read logs that are symbolic links (the folder's `follow_links`).
    follow_links: bool,
    /// Where the replays of whole logs are kept between starts, if anywhere.
    cache: Option<super::ReplayCache>,
    /// Logs kept elsewhere than a folder (a database), instead of files.
    feed: Option<Box<dyn LogFeed>>,
    /// Leave logs untouched since their replay was cached unread at the start (see
    /// [`OthersReader::defer_untouched`]).
    defer: bool,
}

/// Other annotators' logs kept elsewhere than a folder (a database), followed by whoever
/// implements it: what each log gained since the last look, as whole lines.
pub trait LogFeed: Send {
    /// The complete lines each log gained since the last call (the first call: all of
    /// them), with the log's name for messages, in the order a folder lists its files. Never
    /// waits long: a store that cannot be reached gives nothing now and the rest later.
    fn take(&mut self) -> Vec<(PathBuf, Vec<u8>)>;
}

/// What the other logs held when the session started.
#[derive(Debug, Default)]
pub struct OthersAtStart {
    /// Each annotator's replay, for logs read whole (adjudicators' lines left out; see
    /// [`crate::labels::ByAnnotator`]).
    pub replayed: BTreeMap<String, Decisions>,
    /// Events of the logs read line by line, in log order, after `replayed`: logs with a
    /// damaged line (it is left out; the log's owner sees it when they open it), and logs
    /// naming an annotator already seen in an earlier log, whose events must follow those.
    pub events: Vec<Event>,
    /// Events read in all.
    pub count: usize,
    /// Decision events per task kind, adjudicators' included: what review picks its mode by.
    decided: [usize; 5],
    /// Who wrote the logs, and logs left out as symbolic links.
    pub writers: Writers,
    /// With the kind asked for ([`OthersReader::read_all_counted`]): how many annotators of
    /// `replayed` decided each task of that kind.
    pub counted: Option<(TaskKind, TaskCounts)>,
    /// The bytes of logs not read yet (see [`super::LogBytes::deferred`]), for reading after the
    /// first screen ([`OthersAtStart::fill_deferred`]).
    pub deferred: Vec<std::sync::Arc<super::LogBytes>>,
}

/// A log read from where it was last read to: its complete bytes, the offset after them, and
/// its replay when it replays whole.
type LogRead = (
    std::sync::Arc<super::LogBytes>,
    u64,
    Option<super::ByAnnotator>,
);

impl OthersAtStart {
    /// Reads the logs a start left for later ([`OthersAtStart::deferred`]), on a thread of
    /// their own at a low priority, so that reading them never makes a decision wait; the
    /// sooner they are read, the narrower the time in which a log rewritten in place could no
    /// longer be read as it was.
    pub fn fill_deferred(&self) {
        let logs = self.deferred.clone();
        if logs.is_empty() {
            return;
        }
        let _ = std::thread::Builder::new()
            .name("prefer-fill".into())
            .spawn(move || {
                crate::par::lower_this_threads_priority();
                for b in logs {
                    b.fill();
                }
            });
    }

    /// The kind with the most decisions (rank when there are none, or on a tie with it).
    pub fn most_common_kind(&self) -> TaskKind {
        [
            TaskKind::Rank,
            TaskKind::Pair,
            TaskKind::Rate,
            TaskKind::BestWorst,
        ]
        .into_iter()
        .max_by_key(|&k| self.decided[k as usize])
        .unwrap_or(TaskKind::Rank)
    }
}

impl OthersReader {
    /// The logs of the folder `dir`, except `mine` when it is in that folder.
    pub fn new(dir: &Path, mine: &Path) -> Self {
        let same_dir = mine.parent().map(|p| p == dir).unwrap_or(false)
            || mine.parent().and_then(|p| p.canonicalize().ok()) == dir.canonicalize().ok();
        OthersReader {
            dir: dir.to_path_buf(),
            named: None,
            mine: if same_dir {
                mine.file_name().map(ToOwned::to_owned)
            } else {
                None
            },
            offsets: Default::default(),
            follow_links: false,
            cache: None,
            feed: None,
            defer: false,
        }
    }

    /// Reads the logs `feed` brings (never the session's own: the feed leaves it out).
    pub fn feed(feed: Box<dyn LogFeed>) -> Self {
        OthersReader {
            dir: PathBuf::new(),
            named: Some(Vec::new()),
            mine: None,
            offsets: Default::default(),
            follow_links: false,
            cache: None,
            feed: Some(feed),
            defer: false,
        }
    }

    /// Reads exactly these logs (never the session's own).
    pub fn files(logs: &[PathBuf], mine: &Path) -> Self {
        let mine_c = mine.canonicalize().ok();
        let named = logs
            .iter()
            .filter(|p| p.canonicalize().ok() != mine_c || mine_c.is_none())
            .cloned()
            .collect();
        OthersReader {
            dir: PathBuf::new(),
            named: Some(named),
            mine: None,
            offsets: Default::default(),
            follow_links: false,
            cache: None,
            feed: None,
            defer: false,
        }
    }

    /// Reads the folder's logs that are symbolic links too (its `follow_links` setting).
    pub fn follow_links(mut self, follow: bool) -> Self {
        self.follow_links = follow;
        self
    }

    /// Keeps the replays of the logs read whole in `cache` between starts (see
    /// [`super::ReplayCache`]): a start then replays only what each log gained since.
    pub fn with_replay_cache(mut self, cache: Option<super::ReplayCache>) -> Self {
        self.cache = cache;
        self
    }

    /// With `defer`, a log untouched since its replay was cached is not read at the start
    /// (only the cached tables are: [`super::LogBytes::deferred`]): for a labeling session,
    /// which needs the team's counts. Review shows the events of every log at once: it
    /// reads them all, side by side.
    pub fn defer_untouched(mut self, defer: bool) -> Self {
        self.defer = defer;
        self
    }

    /// The logs to read, and the folder's logs left out as symbolic links.
    fn paths_and_links(&self) -> (Vec<PathBuf>, Vec<PathBuf>) {
        let (files, links) = match &self.named {
            Some(n) => (n.clone(), Vec::new()),
            None => {
                let f = folder_logs(&self.dir, self.follow_links).unwrap_or_default();
                (f.logs, f.links)
            }
        };
        let files = files
            .into_iter()
            .filter(|p| p.file_name() != self.mine.as_deref())
            .collect();
        (files, links)
    }

    fn paths(&self) -> Vec<PathBuf> {
        self.paths_and_links().0
    }

    /// The complete lines `path` gained since the last look, and moves past them.
    fn new_bytes(&mut self, path: &Path) -> Option<Vec<u8>> {
        let off = self.offsets.entry(path.to_path_buf()).or_insert(0);
        let (buf, next) = complete_lines_from(path, *off)?;
        *off = next;
        Some(buf)
    }

    /// Every log as it is now, read with the quick replay (a folder of 50 logs of 20,000
    /// events is a million events to take in before the first screen).
    pub fn read_all(&mut self) -> OthersAtStart {
        self.read_all_counted(&ReadProgress::default(), None)
    }

    /// [`OthersReader::read_all`], telling `progress` how many logs and bytes there are and
    /// how far it has come. With `count`, the logs read whole are counted as they come in
    /// ([`OthersAtStart::counted`]): the counting goes on beside the reading of the next ones.
    pub fn read_all_counted(
        &mut self,
        progress: &ReadProgress,
        count: Option<TaskKind>,
    ) -> OthersAtStart {
        let mut out = OthersAtStart {
            counted: count.map(|k| (k, TaskCounts::default())),
            ..Default::default()
        };
        // Annotators whose events went line by line: a later log naming them must too.
        let mut as_events: BTreeSet<String> = BTreeSet::new();
        let mut take = |path: &Path, read: Option<LogRead>| {
            let Some((bytes, _, replayed)) = read else {
                progress.log_done(0);
                return;
            };
            if bytes.is_deferred() {
                out.deferred.push(std::sync::Arc::clone(&bytes));
            }
            let whole = replayed.filter(|r| {
                r.decisions
                    .keys()
                    .all(|n| !out.replayed.contains_key(n) && !as_events.contains(n))
            });
            match whole {
                Some(mut r) => {
                    progress.log_done(r.events);
                    out.writers.add(path, std::mem::take(&mut r.writers));
                    out.count += r.events;
                    for kind in TaskKind::MODES {
                        out.decided[kind as usize] += r.decided_lines(kind);
                    }
                    if let Some((kind, counts)) = out.counted.as_mut() {
                        for d in r.decisions.values() {
                            counts.add_decided_alone(d, *kind);
                        }
                    }
                    out.replayed.extend(r.decisions);
                }
                None => {
                    let events = events_of(path, &bytes);
                    progress.log_done(events.len());
                    out.count += events.len();
                    let mut writers = WriterCounts::default();
                    for e in &events {
                        writers.note(
                            e.uid,
                            &e.annotator,
                            e.role() == Some(super::event::Role::Adjudicator),
                        );
                        out.decided[e.task as usize] += usize::from(e.is_decision());
                        as_events.insert(e.annotator.clone());
                    }
                    out.writers.add(path, writers);
                    out.events.extend(events);
                }
            }
        };
        if let Some(feed) = self.feed.as_mut() {
            let logs = feed.take();
            progress.expect(logs.len(), logs.iter().map(|l| l.1.len() as u64).sum());
            use rayon::prelude::*;
            let read: Vec<(PathBuf, LogRead)> = logs
                .into_par_iter()
                .map(|(path, bytes)| {
                    progress.read(bytes.len() as u64);
                    let bytes = std::sync::Arc::new(super::LogBytes::from(bytes));
                    let replayed = replay_team_log(&path, std::sync::Arc::clone(&bytes), None).ok();
                    (path, (bytes, 0, replayed))
                })
                .collect();
            for (path, read) in read {
                take(&path, Some(read));
            }
        } else {
            let (paths, links) = self.paths_and_links();
            let mut next = Vec::with_capacity(paths.len());
            self.read_files(&paths, progress, |i, read| {
                if let Some((_, n, _)) = &read {
                    next.push((paths[i].clone(), *n));
                }
                take(&paths[i], read);
            });
            self.offsets.extend(next);
            out.writers.links = links;
        }
        out
    }

    /// The files `paths` read from where each was last read to, and replayed: `each(i, read)`
    /// is called with each in the order of `paths` as soon as it and those before it are in.
    /// They are read and replayed side by side on all cores (each is a function of its file
    /// alone), while `each` takes them in on this thread.
    fn read_files(
        &self,
        paths: &[PathBuf],
        progress: &ReadProgress,
        each: impl FnMut(usize, Option<LogRead>),
    ) {
        progress.expect(paths.len(), paths.iter().map(|p| file_size(p)).sum());
        let offsets: Vec<u64> = paths
            .iter()
            .map(|p| self.offsets.get(p).copied().unwrap_or(0))
            .collect();
        let (cache, defer) = (self.cache.as_ref(), self.defer);
        let read_one = |i: usize| -> Option<LogRead> {
            let (path, off) = (&paths[i], offsets[i]);
            // Untouched since its replay was cached: the tables are all a start needs.
            if let Some(bytes) = cache
                .filter(|_| off == 0 && defer)
                .and_then(|c| c.untouched_team_log(path))
            {
                let len = bytes.len() as u64;
                progress.read(len);
                let bytes = std::sync::Arc::new(bytes);
                let replayed = replay_team_log(path, std::sync::Arc::clone(&bytes), cache).ok();
                return Some((bytes, len, replayed));
            }
            let (bytes, next) = complete_lines_from(path, off)?;
            progress.read(bytes.len() as u64);
            let bytes = std::sync::Arc::new(super::LogBytes::from(bytes));
            // A cache describes a log from its first byte.
            let cache = cache.filter(|_| off == 0);
            let replayed = replay_team_log(path, std::sync::Arc::clone(&bytes), cache).ok();
            Some((bytes, next, replayed))
        };
        crate::par::each_in_order(paths.len(), read_one, each);
    }

    /// New complete events from the other logs since the last look. Damaged lines are left
    /// out (the log's owner sees them when they open it).
    pub fn poll(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        if let Some(feed) = self.feed.as_mut() {
            for (path, bytes) in feed.take() {
                out.extend(events_of(&path, &bytes));
            }
            return out;
        }
        for path in self.paths() {
            if let Some(bytes) = self.new_bytes(&path) {
                out.extend(events_of(&path, &bytes));
            }
        }
        out
    }
}

/// The complete lines of the log at `path` from byte `off` on (all of it again when the file
/// is now shorter: replaced or cut back, and replay is idempotent), and the offset after them;
/// `None` when there is no new complete line.
fn complete_lines_from(path: &Path, off: u64) -> Option<(Vec<u8>, u64)> {
    let len = std::fs::metadata(path).map(|m| m.len()).ok()?;
    let off = if len < off { 0 } else { off };
    if len == off {
        return None;
    }
    let mut f = std::fs::File::open(path).ok()?;
    // Room for all of it at once: grown step by step, a 4 MB log is copied again and again.
    let mut buf = Vec::with_capacity(usize::try_from(len - off).ok()?);
    f.seek(SeekFrom::Start(off)).ok()?;
    f.take(len - off).read_to_end(&mut buf).ok()?;
    // Only complete lines: a labeler may be writing the next one right now.
    let end = buf.iter().rposition(|&b| b == b'\n')?;
    buf.truncate(end + 1);
    Some((buf, off + end as u64 + 1))
}

/// The events of complete log lines, leaving out damaged ones.
fn events_of(path: &Path, bytes: &[u8]) -> Vec<Event> {
    let mut out = Vec::new();
    for line in bytes.split(|&b| b == b'\n') {
        if let Ok(mut e) = parse_events(path, line) {
            out.append(&mut e);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::TaskKey;
    use crate::tui::team::Team;

    use crate::testutil::Rng;

    fn random_event(r: &mut Rng, who: &str) -> Event {
        let kind = [TaskKind::Pair, TaskKind::Pair, TaskKind::Rank][r.below(3) as usize];
        let item = format!("q{}", r.below(8));
        let mut e = Event::new(who, &item, Some("h"), kind);
        let (a, b) = (format!("c{}", r.below(3)), format!("c{}", 3 + r.below(2)));
        match kind {
            TaskKind::Pair => {
                e.pair = Some([a.clone(), b]);
                e.choice = Some(a);
            }
            _ => e.ranking = Some(vec![vec![a], vec![b]]),
        }
        match r.below(10) {
            0 => e.skip = true,
            1 | 2 => {
                e.retract = true;
                e.choice = None;
                e.ranking = None;
            }
            3 => e.role = Some("adjudicator".into()),
            _ => {}
        }
        e
    }

    /// The team as the event-by-event path builds it, and as the quick start builds it,
    /// agree on every count and every other annotator's decision.
    #[test]
    fn quick_start_counts_as_events_one_by_one_do() {
        for seed in 0..20 {
            let mut r = Rng(seed);
            let dir = tempfile::tempdir().unwrap();
            let names = ["ann", "bob", "cy", "dee"];
            // Five logs; one names two annotators, one repeats an earlier one, one is damaged.
            for (n, who) in [
                ["ann", "ann"],
                ["bob", "cy"],
                ["cy", "cy"],
                ["dee", "dee"],
                ["ann", "bob"],
            ]
            .iter()
            .enumerate()
            {
                let mut text = String::new();
                for k in 0..r.below(60) {
                    let e = random_event(&mut r, who[(k % 2) as usize]);
                    text.push_str(&serde_json::to_string(&e).unwrap());
                    text.push('\n');
                    if n == 3 && k == 5 {
                        text.push_str("{damaged\n");
                    }
                }
                std::fs::write(dir.path().join(format!("log{n}.jsonl")), text).unwrap();
            }
            let mine_path = dir.path().join("me.jsonl");
            let mine = Decisions::from_owned((0..30).map(|_| random_event(&mut r, "me")));
            for kind in [TaskKind::Pair, TaskKind::Rank] {
                for overlap in [1, 2] {
                    let mine_decided = mine.decided_count_of(kind);
                    let mut slow = Team::new(overlap, kind);
                    slow.mine_at_start(mine_decided);
                    for e in OthersReader::new(dir.path(), &mine_path).poll() {
                        let m = mine.is_decided(&e.key());
                        slow.apply_other(e, m);
                    }
                    let mut quick = Team::new(overlap, kind);
                    quick.mine_at_start(mine_decided);
                    let start = OthersReader::new(dir.path(), &mine_path).read_all();
                    assert!(
                        !start.events.is_empty(),
                        "the damaged log goes line by line"
                    );
                    for (name, theirs) in start.replayed {
                        quick.add_replayed(name, theirs, &mine);
                    }
                    for e in start.events {
                        let m = mine.is_decided(&e.key());
                        quick.apply_other(e, m);
                    }
                    // And counted while the logs are read, the labeler's own brought in after.
                    let mut counted = Team::new(overlap, kind);
                    counted.mine_at_start(mine_decided);
                    let mut start = OthersReader::new(dir.path(), &mine_path)
                        .read_all_counted(&ReadProgress::default(), Some(kind));
                    let (k, counts) = start.counted.take().expect("counted");
                    assert_eq!(k, kind);
                    counted.add_counted(start.replayed, counts, &mine);
                    for e in start.events {
                        let m = mine.is_decided(&e.key());
                        counted.apply_other(e, m);
                    }
                    assert_eq!((slow.full(), slow.over()), (quick.full(), quick.over()));
                    assert_eq!((slow.full(), slow.over()), (counted.full(), counted.over()));
                    assert_eq!(
                        slow.names().collect::<Vec<_>>(),
                        counted.names().collect::<Vec<_>>()
                    );
                    assert_eq!(
                        slow.names().collect::<Vec<_>>(),
                        quick.names().collect::<Vec<_>>()
                    );
                    for item in 0..8 {
                        let item = format!("q{item}");
                        let mut keys = vec![TaskKey::new(&item, TaskKind::Rank)];
                        for a in 0..3 {
                            for b in 3..5 {
                                keys.push(TaskKey::pair(&item, &format!("c{a}"), &format!("c{b}")));
                            }
                        }
                        for k in &keys {
                            assert_eq!(slow.others_on(k), quick.others_on(k), "{seed} {k:?}");
                            assert_eq!(slow.others_on(k), counted.others_on(k), "{seed} {k:?}");
                            for who in names {
                                let get =
                                    |t: &Team| t.others().get(who).and_then(|d| d.get(k)).cloned();
                                if k.kind == kind {
                                    assert_eq!(get(&slow), get(&quick), "{seed} {who} {k:?}");
                                    assert_eq!(get(&slow), get(&counted), "{seed} {who} {k:?}");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn review_picks_the_kind_with_most_decisions() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Rng(1);
        let mut text = String::new();
        for _ in 0..40 {
            let mut e = random_event(&mut r, "ann");
            e.role = Some("adjudicator".into());
            text.push_str(&serde_json::to_string(&e).unwrap());
            text.push('\n');
        }
        std::fs::write(dir.path().join("rev.jsonl"), text).unwrap();
        let start = OthersReader::new(dir.path(), &dir.path().join("me.jsonl")).read_all();
        assert_eq!(start.count, 40);
        assert!(start.replayed.is_empty(), "adjudications are not labels");
        assert_eq!(start.most_common_kind(), TaskKind::Pair);
    }

    /// A teammate's log with an edit in it is read like any other (an edit is no decision):
    /// it once made the reading thread panic, and the session stop before its first task.
    #[test]
    fn a_teammates_edit_is_read_and_not_counted_as_a_decision() {
        let dir = tempfile::tempdir().unwrap();
        let mut pair = Event::new("ann", "q1", Some("h"), TaskKind::Pair);
        pair.pair = Some(["c0".into(), "c1".into()]);
        pair.choice = Some("c1".into());
        let mut edit = Event::new("ann", "q1", Some("h"), TaskKind::Edit);
        edit.source = Some("c1".into());
        edit.text = Some("a better answer".into());
        let text = [&pair, &edit]
            .iter()
            .map(|e| serde_json::to_string(e).unwrap() + "\n")
            .collect::<String>();
        std::fs::write(dir.path().join("ann.jsonl"), text).unwrap();
        let start = OthersReader::new(dir.path(), &dir.path().join("me.jsonl")).read_all();
        assert_eq!(start.count, 2);
        assert_eq!(start.most_common_kind(), TaskKind::Pair);
        let mut team = Team::new(1, TaskKind::Pair);
        for (name, d) in start.replayed {
            team.add_replayed(name, d, &crate::labels::Decisions::new());
        }
        assert_eq!(
            team.full(),
            1,
            "the pair decision counts, the edit does not"
        );
    }

    /// A log read line by line (here for a damaged line) counts its events, its decision
    /// lines per kind and its writers as the same log replayed whole does: a reviewer's final
    /// decisions are no second name of their writer.
    #[test]
    fn a_log_read_line_by_line_counts_as_one_replayed_whole() {
        let uid = crate::safefs::current_uid();
        let event = |who: &str, item: &str, kind: TaskKind, how: &str| {
            let mut e = Event::new(who, item, Some("h"), kind);
            match kind {
                TaskKind::Pair => {
                    e.pair = Some(["c0".into(), "c1".into()]);
                    e.choice = Some("c0".into());
                }
                _ => e.ranking = Some(vec![vec!["c0".into()], vec!["c1".into()]]),
            }
            match how {
                "skip" => (e.skip, e.choice) = (true, None),
                "review" => e.role = Some("adjudicator".into()),
                _ => {}
            }
            e.uid = uid;
            serde_json::to_string(&e).unwrap() + "\n"
        };
        let log = [
            event("bob", "q1", TaskKind::Pair, ""),
            event("bob", "q2", TaskKind::Pair, "skip"),
            event("cy", "q1", TaskKind::Pair, ""),
            event("lead", "q1", TaskKind::Pair, "review"),
            event("bob", "q3", TaskKind::Rank, ""),
        ]
        .concat();
        let read = |text: &str| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("t.jsonl"), text).unwrap();
            OthersReader::new(dir.path(), &dir.path().join("me.jsonl")).read_all()
        };
        let whole = read(&log);
        let by_line = read(&format!("{log}{{damaged\n"));
        assert!(!whole.replayed.is_empty() && whole.events.is_empty());
        assert!(by_line.replayed.is_empty() && by_line.events.len() == 5);
        for start in [&whole, &by_line] {
            assert_eq!(start.count, 5);
            assert_eq!(start.decided[TaskKind::Pair as usize], 3);
            assert_eq!(start.decided[TaskKind::Rank as usize], 1);
        }
        if uid.is_some() {
            let findings = whole.writers.findings();
            assert_eq!(findings, by_line.writers.findings());
            assert_eq!(findings.len(), 1, "{findings:?}");
            assert!(findings[0].contains("as 2 annotators: bob (3 events), cy (1 event)"));
        }
    }

    /// Logs named on the command line are read, except the labeler's own, however it is
    /// spelled.
    #[test]
    fn logs_named_are_read_except_the_labelers_own() {
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name);
        for name in ["a.jsonl", "b.jsonl", "me.jsonl"] {
            std::fs::write(path(name), "").unwrap();
        }
        let named = [
            path("a.jsonl"),
            dir.path().join(".").join("me.jsonl"),
            path("b.jsonl"),
        ];
        let reader = OthersReader::files(&named, &path("me.jsonl"));
        assert_eq!(reader.paths(), [path("a.jsonl"), path("b.jsonl")]);
        // The labeler's own log not there yet: none of those named is it.
        let reader = OthersReader::files(&named, &path("new.jsonl"));
        assert_eq!(reader.paths(), named);
    }

    /// A labeling start leaves a teammate's log untouched since its replay was cached unread
    /// (its bytes are read after the first screen); review reads every log at its start.
    #[test]
    fn untouched_logs_are_left_unread_at_a_labeling_start_only() {
        let dir = tempfile::tempdir().unwrap();
        let labels = dir.path().join("labels");
        std::fs::create_dir(&labels).unwrap();
        let mut r = Rng(0x5eed_0024);
        for who in ["ann", "bob"] {
            let text: String = (0..30)
                .map(|_| serde_json::to_string(&random_event(&mut r, who)).unwrap() + "\n")
                .collect();
            std::fs::write(labels.join(format!("{who}.jsonl")), text).unwrap();
        }
        let start = |defer: bool| {
            let cache = crate::labels::ReplayCache::new(dir.path().join("cache"))
                .worth(1)
                .settled_at_once();
            OthersReader::new(&labels, &labels.join("me.jsonl"))
                .with_replay_cache(Some(cache))
                .defer_untouched(defer)
                .read_all()
        };
        let first = start(true);
        assert!(first.deferred.is_empty(), "nothing cached yet");
        let second = start(true);
        assert_eq!(second.deferred.len(), 2, "both logs untouched since");
        assert_eq!(second.count, first.count);
        assert_eq!(
            second.replayed.keys().collect::<Vec<_>>(),
            first.replayed.keys().collect::<Vec<_>>()
        );
        // Read after the first screen, on a thread of their own.
        second.fill_deferred();
        let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while second.deferred.iter().any(|b| b.is_deferred()) {
            assert!(std::time::Instant::now() < until, "never read");
            std::thread::yield_now();
        }
        let review = start(false);
        assert!(review.deferred.is_empty(), "review reads them all");
        assert_eq!(review.count, first.count);
    }

    /// Following a log: each look gives the complete lines it gained since the last (a line
    /// being written is left for the next), with their newlines and the offset after them;
    /// a log cut back or replaced by a shorter one is read again from its start.
    #[test]
    fn a_followed_log_gives_each_complete_line_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let line = |i: usize| {
            let mut e = Event::new("t", &format!("q{i}"), None, TaskKind::Rank);
            e.ranking = Some(vec![vec!["c0".into()], vec!["c1".into()]]);
            serde_json::to_string(&e).unwrap() + "\n"
        };
        let (l0, l1, l2) = (line(0), line(1), line(2));
        let (torn, rest) = l2.split_at(10);
        let append = |s: &str| {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .unwrap();
            f.write_all(s.as_bytes()).unwrap();
        };
        append(&format!("{l0}{l1}{torn}"));
        let end = (l0.len() + l1.len()) as u64;
        let (bytes, next) = complete_lines_from(&path, 0).unwrap();
        assert_eq!((bytes, next), (format!("{l0}{l1}").into_bytes(), end));
        let (bytes, next) = complete_lines_from(&path, l0.len() as u64).unwrap();
        assert_eq!((&bytes[..], next), (l1.as_bytes(), end));
        assert!(
            bytes.capacity() < end as usize,
            "room for the new bytes only"
        );
        assert_eq!(
            complete_lines_from(&path, end),
            None,
            "only a torn line since"
        );

        let items = |events: Vec<Event>| events.into_iter().map(|e| e.item).collect::<Vec<_>>();
        let mut reader = OthersReader::new(dir.path(), &dir.path().join("me.jsonl"));
        assert_eq!(items(reader.poll()), ["q0", "q1"]);
        assert!(reader.poll().is_empty(), "nothing new");
        append(rest);
        assert_eq!(items(reader.poll()), ["q2"]);
        assert!(reader.poll().is_empty(), "nothing new");
        std::fs::write(&path, &l1).unwrap();
        assert_eq!(items(reader.poll()), ["q1"], "cut back: read again");
    }

    /// Someone who only edited is still one of the team: review shows their edits.
    #[test]
    fn a_teammate_who_only_edited_is_kept_for_review() {
        let dir = tempfile::tempdir().unwrap();
        let mut edit = Event::new("ed", "q1", Some("h"), TaskKind::Edit);
        edit.source = Some("c1".into());
        edit.text = Some("a better answer".into());
        let line = serde_json::to_string(&edit).unwrap() + "\n";
        std::fs::write(dir.path().join("ed.jsonl"), line).unwrap();
        let start = OthersReader::new(dir.path(), &dir.path().join("me.jsonl")).read_all();
        let mut team = Team::new(1, TaskKind::Pair);
        for (name, d) in start.replayed {
            team.add_replayed(name, d, &crate::labels::Decisions::new());
        }
        assert!(team.others().contains_key("ed"));
        assert_eq!(team.full(), 0);
    }
}
