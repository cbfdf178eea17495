//! The state a labels log describes: the latest event for each task ("latest wins"), with
//! retractions making a task undecided again, and the order needed for undo.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, OnceLock};

use super::bytes::LogBytes;
use super::codec::{Brief, parse_line};
use super::event::{Event, TaskKey, TaskKind};

/// Latest decision or skip per task, rebuilt by replaying events in log order.
///
/// Built for resuming from a million-event log: ids (items and candidates) are interned into
/// small numbers, a task is a 16-byte [`Key`], and an event read from a log is kept as the byte
/// range of its line (in a shared copy of the log) and parsed into an [`Event`] only when asked
/// for ([`Decisions::get`], [`Decisions::iter`], [`Decisions::last`]); events given to
/// [`Decisions::apply`] are kept as they are.
#[derive(Debug, Default, Clone)]
pub struct Decisions {
    names: Names,
    latest: HashMap<Key, Entry, BuildHasherDefault<KeyHash>>,
    /// (task, sequence number) of every decision or skip, oldest first; entries whose sequence
    /// number is no longer the task's latest are stale and skipped by `last`.
    history: Vec<(Key, u64)>,
    seq: u64,
    /// Standing decisions per task kind, by slot.
    decided: [usize; 5],
    /// The logs whose lines `Entry::line` points into.
    logs: Vec<Arc<LogBytes>>,
    /// Task kinds any event was about, as bits by slot.
    kinds: u8,
    /// Hidden repeats: the latest repeat event (decision or skip) per task, kept apart from
    /// `latest` so a repeat never replaces the first decision nor counts as one. In `history`
    /// a repeat's key has [`REPEAT`] set in its kind.
    repeats: HashMap<Key, Entry, BuildHasherDefault<KeyHash>>,
}

/// Set in a `history` key's kind for a repeat's event.
const REPEAT: u8 = 0x80;

/// A task, with its ids interned: `a`, `b` are the sorted pair's ids for pair tasks, else
/// `NONE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Key {
    item: u32,
    a: u32,
    b: u32,
    kind: u8,
}

const NONE: u32 = u32::MAX;

impl std::hash::Hash for Key {
    /// The tasks of one item land within 64 slots of each other, at a place picked by the item:
    /// a log (and the walk to the first open task) goes through an item's pairs one after
    /// another, so a resume touches the table a page at a time instead of once per line at
    /// random (cache misses were most of `put`). The pair and kind pick the slot within the
    /// item's run and the top bits, which the table compares before the keys.
    fn hash<H: Hasher>(&self, h: &mut H) {
        let mut item = Fx::default();
        item.add(u64::from(self.item));
        let mut task = Fx::default();
        task.add(u64::from(self.a) << 32 | u64::from(self.b));
        task.add(u64::from(self.kind));
        // `finish` has the well-mixed bits at the bottom, the state at the top.
        let (item, slot, top) = (item.finish(), task.finish(), task.0);
        const RUN: u64 = 63;
        const TOP: u64 = 0xFE00_0000_0000_0000;
        h.write_u64((item & !RUN & !TOP) | (slot & RUN) | (top & TOP));
    }
}

/// Passes on [`Key`]'s hash as it is.
#[derive(Default)]
pub(crate) struct KeyHash(u64);

impl Hasher for KeyHash {
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used (by `Key`); anything else still hashes.
        let mut fx = Fx(self.0);
        fx.write(bytes);
        self.0 = fx.finish();
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A task's latest decision or skip.
#[derive(Debug, Clone)]
struct Entry {
    seq: u64,
    decision: bool,
    skip: bool,
    /// (log, start, length) of the event's line, or `NONE` as log for an applied event.
    line: (u32, u64, u32),
    /// The event's `item_hash`: an index into its item's [`NameInfo::hashes`], [`NO_HASH`]
    /// without one, [`MANY_HASHES`] when the item had too many to number.
    hash: u8,
    event: OnceLock<Box<Event>>,
}

/// Interned ids, and for item ids what the events said about them.
#[derive(Debug, Default, Clone)]
struct Names {
    ids: HashMap<Box<str>, u32, FastHash>,
    info: Vec<NameInfo>,
    /// The item id interned last and its number: a log names the same item on line after line
    /// (one per pair), so this saves most lookups on resume.
    last_item: (String, u32),
    /// Candidate ids interned lately, by a cheap slot of their own: the same few ids come back
    /// on every line (`c0`, `gpt-4o`, ...), and comparing one short string beats hashing it.
    recent: Vec<(String, u32)>,
}

/// Slots in [`Names::recent`].
const RECENT: usize = 32;

#[derive(Debug, Default, Clone)]
struct NameInfo {
    /// Some event named this id as its item.
    item: bool,
    /// The distinct `item_hash`es its events carried, first seen first (almost always one);
    /// entries point into this by index, so a resume can tell which decisions were made on an
    /// earlier version of the item without parsing their lines.
    hashes: Vec<Box<str>>,
}

/// [`Entry::hash`] of an event without `item_hash`.
const NO_HASH: u8 = u8::MAX;
/// [`Entry::hash`] of an event whose item already had `MANY_HASHES` distinct hashes (an item
/// edited that often is rare): its event is parsed to compare.
const MANY_HASHES: u8 = u8::MAX - 1;

impl Names {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return i;
        }
        let i = self.info.len() as u32;
        self.ids.insert(s.into(), i);
        self.info.push(NameInfo::default());
        i
    }

    /// [`Names::intern`] through [`Names::recent`].
    fn intern_recent(&mut self, s: &str) -> u32 {
        if self.recent.is_empty() {
            self.recent = vec![(String::new(), NONE); RECENT];
        }
        let b = s.as_bytes();
        let slot = (b.len() * 7 + b.last().map_or(0, |&x| usize::from(x))) % RECENT;
        let (name, id) = &self.recent[slot];
        if *id != NONE && name == s {
            return *id;
        }
        let i = self.intern(s);
        let (name, id) = &mut self.recent[slot];
        name.clear();
        name.push_str(s);
        *id = i;
        i
    }

    /// Every id by its number.
    fn by_number(&self) -> Vec<&str> {
        let mut v = vec![""; self.info.len()];
        for (s, &i) in &self.ids {
            v[i as usize] = s;
        }
        v
    }

    fn find(&self, s: &str) -> Option<u32> {
        self.ids.get(s).copied()
    }

    fn key(&mut self, item: &str, kind: TaskKind, pair: Option<(&str, &str)>) -> Key {
        let item = if !self.info.is_empty() && self.last_item.0 == item {
            self.last_item.1
        } else {
            let i = self.intern(item);
            self.last_item.0.clear();
            self.last_item.0.push_str(item);
            self.last_item.1 = i;
            i
        };
        let (a, b) = match (kind, pair) {
            (TaskKind::Pair, Some((x, y))) => {
                let (x, y) = if x <= y { (x, y) } else { (y, x) };
                (self.intern_recent(x), self.intern_recent(y))
            }
            (TaskKind::Edit | TaskKind::BestWorst, Some((x, _))) => {
                let x = self.intern_recent(x);
                (x, x)
            }
            _ => (NONE, NONE),
        };
        Key {
            item,
            a,
            b,
            kind: slot(kind) as u8,
        }
    }

    fn find_key(&self, item: &str, kind: TaskKind, pair: Option<(&str, &str)>) -> Option<Key> {
        let item = self.find(item)?;
        let (a, b) = match (kind, pair) {
            (TaskKind::Pair, Some((x, y))) => {
                let (x, y) = if x <= y { (x, y) } else { (y, x) };
                (self.find(x)?, self.find(y)?)
            }
            (TaskKind::Edit | TaskKind::BestWorst, Some((x, _))) => {
                let x = self.find(x)?;
                (x, x)
            }
            _ => (NONE, NONE),
        };
        Some(Key {
            item,
            a,
            b,
            kind: slot(kind) as u8,
        })
    }

    /// Notes that an event named `item` (interned as `id`) with this `item_hash`; returns
    /// what [`Entry::hash`] records for it.
    fn saw_item(&mut self, id: u32, hash: Option<&str>) -> u8 {
        let info = &mut self.info[id as usize];
        info.item = true;
        let Some(h) = hash else { return NO_HASH };
        match info.hashes.iter().position(|x| **x == *h) {
            Some(i) => i as u8,
            None if info.hashes.len() < MANY_HASHES as usize => {
                info.hashes.push(h.into());
                (info.hashes.len() - 1) as u8
            }
            None => MANY_HASHES,
        }
    }
}

/// The maps are keyed by ids from the annotators' own logs, which a process reads and forgets:
/// no one gains from flooding them, so a multiply-rotate hash (FxHash's) replaces SipHash,
/// which took a fifth of a million-event replay.
pub(crate) type FastHash = BuildHasherDefault<Fx>;

#[derive(Default)]
pub(crate) struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        // The multiply leaves the entropy in the high bits, and the table picks a bucket by
        // the low ones: rotate them down (ids like "syn-00012345" otherwise share a few
        // thousand buckets and probe long chains of string compares).
        self.0.rotate_left(26)
    }
}

impl Fx {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

fn slot(kind: TaskKind) -> usize {
    match kind {
        TaskKind::Pair => 0,
        TaskKind::Rank => 1,
        TaskKind::Rate => 2,
        TaskKind::Edit => 3,
        TaskKind::BestWorst => 4,
    }
}

const KINDS: [TaskKind; 5] = [
    TaskKind::Pair,
    TaskKind::Rank,
    TaskKind::Rate,
    TaskKind::Edit,
    TaskKind::BestWorst,
];

/// The standing decisions of a replay, taken out of it ([`Decisions::into_standing`]).
#[derive(Debug, Default)]
pub struct Taken {
    /// Events given to [`Decisions::apply`].
    pub events: Vec<Event>,
    /// (log, start, length) of the lines read from logs.
    lines: Vec<(u32, u64, u32)>,
    logs: Vec<Arc<LogBytes>>,
    /// Tasks whose latest event is a skip.
    pub skips: usize,
    /// The standing hidden repeats that are decisions (see [`Event::repeat`]), parsed.
    pub repeats: Vec<Event>,
}

impl Taken {
    /// The lines of the standing decisions read from logs, each one a checked event.
    pub fn lines(&self) -> impl ExactSizeIterator<Item = &[u8]> {
        self.lines.iter().map(|&(log, start, len)| {
            &self.logs[log as usize][start as usize..start as usize + len as usize]
        })
    }
}

impl Decisions {
    pub fn new() -> Self {
        Self::default()
    }

    /// Replays events in order.
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Self {
        let mut d = Self::new();
        for e in events {
            d.apply(e.clone());
        }
        d
    }

    /// Replays events in order, taking them (no copies).
    pub fn from_owned(events: impl IntoIterator<Item = Event>) -> Self {
        let mut d = Self::new();
        for e in events {
            d.apply(e);
        }
        d
    }

    /// Makes room for about `tasks` more tasks.
    pub(crate) fn reserve(&mut self, tasks: usize) {
        self.latest.reserve(tasks);
        self.history.reserve(tasks);
    }

    /// The room the tables have made for tasks (see [`Decisions::reserve`]).
    #[cfg(test)]
    pub(crate) fn room(&self) -> usize {
        self.latest.capacity().max(self.history.capacity())
    }

    /// Keeps a log whose lines the next [`Decisions::apply_brief`] calls point into; returns
    /// its number.
    pub(crate) fn add_log(&mut self, bytes: Arc<LogBytes>) -> u32 {
        self.logs.push(bytes);
        (self.logs.len() - 1) as u32
    }

    /// Applies one event read from log `log` (see [`Decisions::add_log`]) without building it.
    pub(crate) fn apply_brief(&mut self, log: u32, b: &Brief<'_>) {
        let key = self.names.key(b.item, b.kind, b.pair);
        let hash = self.names.saw_item(key.item, b.item_hash);
        let decision = !b.skip && !b.retract;
        if b.repeat {
            self.put_repeat(
                key,
                b.retract,
                (decision, b.skip),
                (log, b.start, b.len),
                hash,
            );
            return;
        }
        self.put(
            key,
            (b.retract, decision, b.skip),
            hash,
            (log, b.start, b.len),
            OnceLock::new(),
        );
    }

    /// Applies one event: a decision or skip replaces whatever the task had; a retraction
    /// removes it.
    pub fn apply(&mut self, event: Event) {
        let pair = match (event.task, &event.source) {
            (TaskKind::Edit, Some(s)) => Some((s.as_str(), s.as_str())),
            (TaskKind::BestWorst, _) => event.tuple.as_deref().map(|t| (t, t)),
            _ => event.pair.as_ref().map(|[a, b]| (a.as_str(), b.as_str())),
        };
        let key = self.names.key(&event.item, event.task, pair);
        let hash = self.names.saw_item(key.item, event.item_hash.as_deref());
        let flags = (event.retract, event.is_decision(), event.skip);
        if event.repeat {
            let (retract, decision, skip) = flags;
            self.put_repeat(key, retract, (decision, skip), (NONE, 0, 0), hash);
            if let Some(e) = self.repeats.get_mut(&key)
                && e.seq == self.seq
            {
                let _ = e.event.set(Box::new(event));
            }
            return;
        }
        let cell = OnceLock::new();
        if !event.retract {
            let _ = cell.set(Box::new(event));
        }
        self.put(key, flags, hash, (NONE, 0, 0), cell);
    }

    /// Records a task's new latest event; `flags` are (retract, decision, skip).
    fn put(
        &mut self,
        key: Key,
        (retract, decision, skip): (bool, bool, bool),
        hash: u8,
        line: (u32, u64, u32),
        event: OnceLock<Box<Event>>,
    ) {
        self.seq += 1;
        self.kinds |= 1 << key.kind;
        if retract {
            if let Some(old) = self.latest.remove(&key)
                && old.decision
            {
                self.decided[key.kind as usize] -= 1;
            }
            return;
        }
        let entry = Entry {
            seq: self.seq,
            decision,
            skip,
            line,
            hash,
            event,
        };
        if decision {
            self.decided[key.kind as usize] += 1;
        }
        if let Some(old) = self.latest.insert(key, entry)
            && old.decision
        {
            self.decided[key.kind as usize] -= 1;
        }
        self.history.push((key, self.seq));
    }

    /// Records a hidden repeat's event: a decision or skip becomes the task's repeat, a
    /// retraction takes it away; `latest` and the counts are not touched.
    fn put_repeat(
        &mut self,
        key: Key,
        retract: bool,
        (decision, skip): (bool, bool),
        line: (u32, u64, u32),
        hash: u8,
    ) {
        self.seq += 1;
        if retract {
            self.repeats.remove(&key);
            return;
        }
        let entry = Entry {
            seq: self.seq,
            decision,
            skip,
            line,
            hash,
            event: OnceLock::new(),
        };
        self.repeats.insert(key, entry);
        let mut tagged = key;
        tagged.kind |= REPEAT;
        self.history.push((tagged, self.seq));
    }

    /// The entry a `history` key points at: the task's latest, or its repeat.
    fn entry_of(&self, key: &Key) -> Option<&Entry> {
        if key.kind & REPEAT == 0 {
            return self.latest.get(key);
        }
        let mut plain = *key;
        plain.kind &= !REPEAT;
        self.repeats.get(&plain)
    }

    /// The task's standing hidden repeat (decision or skip), if it has one.
    pub fn repeat_of(&self, key: &TaskKey) -> Option<&Event> {
        let e = self.repeats.get(&self.find(key)?)?;
        Some(self.event(e))
    }

    /// Every standing hidden repeat (decisions and skips).
    pub fn repeats(&self) -> impl Iterator<Item = &Event> {
        self.repeats.values().map(|e| self.event(e))
    }

    /// The tasks of `kind` with a standing decision (not a skip), oldest first (by when their
    /// standing decision was made), with their ids borrowed from this replay.
    pub fn decided_in_order(&self, kind: TaskKind) -> Vec<TaskKey> {
        let names = self.names.by_number();
        let slot = slot(kind) as u8;
        let mut keys: Vec<(u64, &Key)> = self
            .latest
            .iter()
            .filter(|(k, e)| e.decision && k.kind == slot)
            .map(|(k, e)| (e.seq, k))
            .collect();
        keys.sort_unstable_by_key(|(seq, _)| *seq);
        keys.into_iter()
            .map(|(_, k)| {
                let item = names[k.item as usize];
                match kind {
                    TaskKind::Pair if k.a != NONE => {
                        TaskKey::pair(item, names[k.a as usize], names[k.b as usize])
                    }
                    TaskKind::BestWorst if k.a != NONE => {
                        TaskKey::best_worst(item, Some(names[k.a as usize]))
                    }
                    kind => TaskKey::new(item, kind),
                }
            })
            .collect()
    }

    fn find(&self, key: &TaskKey) -> Option<Key> {
        let pair = key.pair.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
        self.names.find_key(&key.item, key.kind, pair)
    }

    fn entry(&self, key: &TaskKey) -> Option<&Entry> {
        self.latest.get(&self.find(key)?)
    }

    /// The event of an entry, parsed from its line the first time it is asked for.
    fn event<'s>(&'s self, e: &'s Entry) -> &'s Event {
        e.event.get_or_init(|| {
            let (log, start, len) = e.line;
            let line = &self.logs[log as usize][start as usize..start as usize + len as usize];
            // The line passed the same checks when the log was read (see `replay`).
            Box::new(parse_line(line))
        })
    }

    /// Drops a task's standing decision from memory (not from the log): used for decisions made
    /// on an earlier version of an item.
    pub fn forget(&mut self, key: &TaskKey) {
        if let Some(k) = self.find(key)
            && let Some(old) = self.latest.remove(&k)
            && old.decision
        {
            self.decided[k.kind as usize] -= 1;
        }
    }

    /// True when some event (a decision, skip or retraction) was about a task of this kind.
    pub fn has_events_of(&self, kind: TaskKind) -> bool {
        self.kinds & (1 << slot(kind)) != 0
    }

    /// True when any event ever named this item.
    pub fn has_item(&self, id: &str) -> bool {
        self.names
            .find(id)
            .is_some_and(|i| self.names.info[i as usize].item)
    }

    /// True when some event about this item carried an `item_hash` other than `hash`: only
    /// then can one of its decisions be stale. (False means none of them is.)
    pub fn item_may_be_stale(&self, id: &str, hash: &str) -> bool {
        self.names.find(id).is_some_and(|i| {
            self.names.info[i as usize]
                .hashes
                .iter()
                .any(|h| **h != *hash)
        })
    }

    /// True when the task's latest decision or skip was made on a version of its item whose
    /// hash is not `hash` (an event without `item_hash` is never stale). Its line is not parsed
    /// for this.
    pub fn is_stale(&self, key: &TaskKey, hash: &str) -> bool {
        let Some(k) = self.find(key) else {
            return false;
        };
        let Some(e) = self.latest.get(&k) else {
            return false;
        };
        match e.hash {
            NO_HASH => false,
            MANY_HASHES => self
                .event(e)
                .item_hash
                .as_deref()
                .is_some_and(|h| h != hash),
            i => *self.names.info[k.item as usize].hashes[i as usize] != *hash,
        }
    }

    /// The latest decision or skip for a task.
    pub fn get(&self, key: &TaskKey) -> Option<&Event> {
        self.entry(key).map(|e| self.event(e))
    }

    /// True when the task has a decision or skip, without building its event; the pair's ids
    /// in either order.
    pub fn has(&self, item: &str, kind: TaskKind, pair: Option<(&str, &str)>) -> bool {
        self.names
            .find_key(item, kind, pair)
            .is_some_and(|k| self.latest.contains_key(&k))
    }

    pub fn is_decided(&self, key: &TaskKey) -> bool {
        self.entry(key).is_some_and(|e| e.decision)
    }

    pub fn is_skipped(&self, key: &TaskKey) -> bool {
        self.entry(key).is_some_and(|e| e.skip)
    }

    /// Number of tasks with a decision (skips and edits not counted).
    pub fn decided_count(&self) -> usize {
        self.decided.iter().sum::<usize>() - self.decided[slot(TaskKind::Edit)]
    }

    /// Number of tasks of one kind with a decision.
    pub fn decided_count_of(&self, kind: TaskKind) -> usize {
        self.decided[slot(kind)]
    }

    /// Number of tasks of one kind whose latest event is a skip. No line is parsed for this
    /// (the quit summary of a million-event log would otherwise parse every one).
    pub fn skipped_count_of(&self, kind: TaskKind) -> usize {
        let kind = slot(kind) as u8;
        self.latest
            .iter()
            .filter(|(k, e)| k.kind == kind && e.skip)
            .count()
    }

    /// The most recent decision or skip that still stands: what `undo` takes back.
    pub fn last(&mut self) -> Option<&Event> {
        while let Some((key, seq)) = self.history.last() {
            match self.entry_of(key) {
                Some(e) if e.seq == *seq => break,
                _ => {
                    self.history.pop();
                }
            }
        }
        let (key, _) = self.history.last()?;
        let e = self.entry_of(key)?;
        Some(self.event(e))
    }

    /// [`Decisions::last`] among the tasks of `kinds` only: what a session's undo takes back (a
    /// pair session does not reach its labeler's rate decisions, which it does not show).
    pub fn last_of(&mut self, kinds: &[TaskKind]) -> Option<&Event> {
        self.last()?;
        let want = |k: u8| kinds.iter().any(|&t| slot(t) as u8 == k & !REPEAT);
        let i = self.history.iter().rposition(|(key, seq)| {
            want(key.kind) && self.entry_of(key).is_some_and(|e| e.seq == *seq)
        })?;
        let key = self.history[i].0;
        let e = self.entry_of(&key)?;
        Some(self.event(e))
    }

    /// Every standing decision or skip.
    pub fn iter(&self) -> impl Iterator<Item = &Event> {
        self.latest.values().map(|e| self.event(e))
    }

    /// Every standing decision or skip, taken out: events given to [`Decisions::apply`] are
    /// moved rather than copied, and events read from a log are parsed from their lines. Same
    /// order as [`Decisions::iter`].
    pub fn into_events(self) -> impl Iterator<Item = Event> {
        let logs = self.logs;
        self.latest
            .into_values()
            .map(move |e| match e.event.into_inner() {
                Some(event) => *event,
                None => {
                    let (log, start, len) = e.line;
                    let line = &logs[log as usize][start as usize..start as usize + len as usize];
                    // The line passed the same checks when the log was read (see `replay`).
                    parse_line(line)
                }
            })
    }

    /// The standing decisions taken out, skips left out (and counted): events given to
    /// [`Decisions::apply`] are moved (in no particular order), and lines read from a log are
    /// handed out unparsed, in log order, for the caller to parse ([`parse_line`]).
    pub fn into_standing(self) -> Taken {
        let repeats: Vec<Event> = self
            .repeats
            .values()
            .filter(|e| e.decision)
            .map(|e| self.event(e).clone())
            .collect();
        let mut taken = Taken {
            repeats,
            events: Vec::new(),
            lines: Vec::with_capacity(self.decided.iter().sum()),
            logs: self.logs,
            skips: 0,
        };
        for e in self.latest.into_values() {
            if !e.decision {
                taken.skips += usize::from(e.skip);
                continue;
            }
            match e.event.into_inner() {
                Some(event) => taken.events.push(*event),
                None => taken.lines.push(e.line),
            }
        }
        // In log order: read front to back, and a log written item by item gives its
        // decisions nearly in the order export sorts them into.
        taken.lines.sort_unstable();
        taken
    }

    /// True when the task has a standing decision (not a skip); the pair's ids in either
    /// order. Nothing is built to ask.
    pub fn decided(&self, item: &str, kind: TaskKind, pair: Option<(&str, &str)>) -> bool {
        self.names
            .find_key(item, kind, pair)
            .and_then(|k| self.latest.get(&k))
            .is_some_and(|e| e.decision)
    }

    /// The tasks of `kind` with a standing decision (not a skip), as (item, pair) borrowed
    /// from this replay.
    pub fn decided_of(
        &self,
        kind: TaskKind,
    ) -> impl Iterator<Item = (&str, Option<(&str, &str)>)> + '_ {
        let names = self.names.by_number();
        let slot = slot(kind) as u8;
        self.latest
            .iter()
            .filter(move |(k, e)| e.decision && k.kind == slot)
            .map(move |(k, _)| {
                let pair = (k.a != NONE).then(|| (names[k.a as usize], names[k.b as usize]));
                (names[k.item as usize], pair)
            })
    }

    /// The tasks with a standing decision or skip, without building their events.
    pub fn keys(&self) -> impl Iterator<Item = TaskKey> + '_ {
        let names = self.names.by_number();
        self.latest.keys().map(move |k| {
            let item = names[k.item as usize];
            match KINDS[k.kind as usize] {
                TaskKind::Pair if k.a != NONE => {
                    TaskKey::pair(item, names[k.a as usize], names[k.b as usize])
                }
                TaskKind::Edit if k.a != NONE => TaskKey::edit(item, names[k.a as usize]),
                TaskKind::BestWorst if k.a != NONE => {
                    TaskKey::best_worst(item, Some(names[k.a as usize]))
                }
                kind => TaskKey::new(item, kind),
            }
        })
    }
}

/// An id of another table's names that this one does not have.
const ABSENT: u32 = NONE - 2;

/// One table's name numbers translated into another's, each looked up once (a team's
/// tables name the same items and candidates a million times over).
struct IdMap(Vec<u32>);

impl IdMap {
    const UNSEEN: u32 = NONE - 1;

    fn new(names: usize) -> Self {
        Self(vec![Self::UNSEEN; names])
    }

    /// The translation of name number `n` (of `names`, by number): `look` of its text the
    /// first time. `NONE` stays `NONE`.
    fn get(&mut self, names: &[&str], n: u32, look: impl FnOnce(&str) -> u32) -> u32 {
        if n == NONE {
            return NONE;
        }
        let t = &mut self.0[n as usize];
        if *t == Self::UNSEEN {
            *t = look(names[n as usize]);
        }
        *t
    }
}

/// How many annotators decided each task: a team's overlap counts, keyed like [`Decisions`]
/// (interned ids, no strings per task).
#[derive(Debug, Default, Clone)]
pub struct TaskCounts {
    names: Names,
    counts: HashMap<Key, u32, BuildHasherDefault<KeyHash>>,
}

impl TaskCounts {
    /// Room for `tasks` more tasks.
    pub fn reserve(&mut self, tasks: usize) {
        self.counts.reserve(tasks);
    }

    pub fn get(&self, key: &TaskKey) -> u32 {
        let pair = key.pair.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
        self.names
            .find_key(&key.item, key.kind, pair)
            .and_then(|k| self.counts.get(&k))
            .copied()
            .unwrap_or(0)
    }

    /// True when no task was ever counted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// One more annotator on every task of `kind` that `theirs` decided: what
    /// [`TaskCounts::bump`] up does for each of [`Decisions::decided_of`], with each id
    /// looked up once per name rather than hashed once per task (a team of 50 is a million
    /// tasks to count before the first one is shown). Calls `each(before, mine)` per task with
    /// the count before and whether `mine` decided the task too.
    pub fn add_decided(
        &mut self,
        theirs: &Decisions,
        kind: TaskKind,
        mine: &Decisions,
        mut each: impl FnMut(u32, bool),
    ) {
        let names = theirs.names.by_number();
        // Their name number -> ours (interned on first use), and -> mine (ABSENT: mine has not).
        let mut ours = IdMap::new(names.len());
        let mut in_mine = IdMap::new(names.len());
        let slot = slot(kind) as u8;
        for (k, e) in &theirs.latest {
            if !e.decision || k.kind != slot {
                continue;
            }
            let mut ours_of = |n: u32| ours.get(&names, n, |s| self.names.intern(s));
            // Pair ids keep their order: both sides sort them by the text.
            let key = Key {
                item: ours_of(k.item),
                a: ours_of(k.a),
                b: ours_of(k.b),
                kind: k.kind,
            };
            let mut mine_of =
                |n: u32| in_mine.get(&names, n, |s| mine.names.find(s).unwrap_or(ABSENT));
            let (item, a, b) = (mine_of(k.item), mine_of(k.a), mine_of(k.b));
            let decided_by_me = ![item, a, b].contains(&ABSENT)
                && mine
                    .latest
                    .get(&Key {
                        item,
                        a,
                        b,
                        kind: k.kind,
                    })
                    .is_some_and(|e| e.decision);
            let c = self.counts.entry(key).or_insert(0);
            let before = *c;
            *c += 1;
            each(before, decided_by_me);
        }
    }

    /// [`TaskCounts::add_decided`] before the labeler's own decisions are known: the team's
    /// logs are counted while they are still being read, and [`TaskCounts::each_of_mine`]
    /// then brings the labeler's own in.
    pub fn add_decided_alone(&mut self, theirs: &Decisions, kind: TaskKind) {
        self.add_decided(theirs, kind, &Decisions::default(), |_, _| {});
    }

    /// Calls `each(count)` for every task of `kind` that `mine` decided, with the number of
    /// annotators counted on it (0 for a task nobody else decided). Each id is looked up once.
    pub fn each_of_mine(&self, mine: &Decisions, kind: TaskKind, mut each: impl FnMut(u32)) {
        let names = mine.names.by_number();
        let mut ours = IdMap::new(names.len());
        let slot = slot(kind) as u8;
        for (k, e) in &mine.latest {
            if !e.decision || k.kind != slot {
                continue;
            }
            let mut ours_of =
                |n: u32| ours.get(&names, n, |s| self.names.find(s).unwrap_or(ABSENT));
            let (item, a, b) = (ours_of(k.item), ours_of(k.a), ours_of(k.b));
            let count = if [item, a, b].contains(&ABSENT) {
                0
            } else {
                let key = Key {
                    item,
                    a,
                    b,
                    kind: k.kind,
                };
                self.counts.get(&key).copied().unwrap_or(0)
            };
            each(count);
        }
    }

    /// The count of every task counted (tasks whose count went back to 0 included).
    pub fn each_count(&self) -> impl Iterator<Item = u32> + '_ {
        self.counts.values().copied()
    }

    /// One more annotator decided the task (`up`), or one fewer; returns the count before.
    pub fn bump(
        &mut self,
        item: &str,
        kind: TaskKind,
        pair: Option<(&str, &str)>,
        up: bool,
    ) -> u32 {
        let k = self.names.key(item, kind, pair);
        let c = self.counts.entry(k).or_insert(0);
        let before = *c;
        *c = if up {
            before + 1
        } else {
            before.saturating_sub(1)
        };
        before
    }
}

/// The tables of a replay written out as bytes, and read back: see `super::replay_cache`.
/// Only a replay of one log's lines (nothing given to [`Decisions::apply`]) can be written.
impl Decisions {
    /// Writes the tables to `out`; false (and nothing useful in `out`) when some entry is not
    /// a line of the one log.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) -> bool {
        // Hidden repeats are not cached: a log that holds any is replayed in full.
        if self.logs.len() != 1
            || self.latest.values().any(|e| e.line.0 != 0)
            || !self.repeats.is_empty()
            || self.history.iter().any(|(k, _)| k.kind & REPEAT != 0)
        {
            return false;
        }
        let mut w = Out(out);
        w.u64(self.seq);
        for d in self.decided {
            w.u64(d as u64);
        }
        w.u8(self.kinds);
        let names = self.names.by_number();
        w.u64(names.len() as u64);
        for (name, info) in names.iter().zip(&self.names.info) {
            w.str(name);
            w.u8(u8::from(info.item));
            w.u8(info.hashes.len() as u8);
            for h in &info.hashes {
                w.str(h);
            }
        }
        w.u64(self.latest.len() as u64);
        for (k, e) in &self.latest {
            w.key(k);
            w.u64(e.seq);
            w.u8(u8::from(e.decision) | u8::from(e.skip) << 1);
            w.u64(e.line.1);
            w.u32(e.line.2);
            w.u8(e.hash);
        }
        w.u64(self.history.len() as u64);
        for (k, seq) in &self.history {
            w.key(k);
            w.u64(*seq);
        }
        true
    }

    /// The tables [`Decisions::encode`] wrote, pointing into `log`; `None` when the bytes do
    /// not hold them whole or an entry's line lies outside `covered` bytes of the log.
    pub(crate) fn decode(bytes: &[u8], log: Arc<LogBytes>, covered: u64) -> Option<Decisions> {
        let mut r = In(bytes);
        let seq = r.u64()?;
        let mut decided = [0usize; 5];
        for d in &mut decided {
            *d = usize::try_from(r.u64()?).ok()?;
        }
        let kinds = r.u8()?;
        let n = usize::try_from(r.u64()?).ok()?;
        if n > bytes.len() {
            return None;
        }
        let mut names = Names::default();
        names.ids.reserve(n);
        names.info.reserve(n);
        for i in 0..n {
            let name = r.str()?;
            let item = r.u8()? != 0;
            let count = r.u8()?;
            let mut hashes = Vec::with_capacity(usize::from(count));
            for _ in 0..count {
                hashes.push(Box::<str>::from(r.str()?));
            }
            if names.ids.insert(name.into(), i as u32).is_some() {
                return None;
            }
            names.info.push(NameInfo { item, hashes });
        }
        let known = |k: &Key| {
            let id = |x: u32| x == NONE || (x as usize) < n;
            (k.item as usize) < n && id(k.a) && id(k.b) && usize::from(k.kind) < KINDS.len()
        };
        let entries = usize::try_from(r.u64()?).ok()?;
        if entries > bytes.len() {
            return None;
        }
        let mut latest =
            HashMap::with_capacity_and_hasher(entries, BuildHasherDefault::<KeyHash>::default());
        for _ in 0..entries {
            let key = r.key()?;
            let seq = r.u64()?;
            let flags = r.u8()?;
            let (start, len) = (r.u64()?, r.u32()?);
            let hash = r.u8()?;
            if !known(&key) || start.checked_add(u64::from(len))? > covered {
                return None;
            }
            let info = &names.info[key.item as usize];
            if hash < MANY_HASHES && usize::from(hash) >= info.hashes.len() {
                return None;
            }
            let entry = Entry {
                seq,
                decision: flags & 1 != 0,
                skip: flags & 2 != 0,
                line: (0, start, len),
                hash,
                event: OnceLock::new(),
            };
            if latest.insert(key, entry).is_some() {
                return None;
            }
        }
        let count = usize::try_from(r.u64()?).ok()?;
        if count > bytes.len() {
            return None;
        }
        let mut history = Vec::with_capacity(count);
        for _ in 0..count {
            let key = r.key()?;
            if !known(&key) {
                return None;
            }
            history.push((key, r.u64()?));
        }
        if !r.0.is_empty() {
            return None;
        }
        Some(Decisions {
            names,
            latest,
            history,
            seq,
            decided,
            logs: vec![log],
            kinds,
            repeats: HashMap::default(),
        })
    }
}

/// Little-endian writing for [`Decisions::encode`] and the other cached tables.
pub(crate) struct Out<'a>(pub &'a mut Vec<u8>);

impl Out<'_> {
    pub fn u8(&mut self, x: u8) {
        self.0.push(x);
    }
    pub fn u32(&mut self, x: u32) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    pub fn u64(&mut self, x: u64) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }
    pub fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn key(&mut self, k: &Key) {
        self.u32(k.item);
        self.u32(k.a);
        self.u32(k.b);
        self.u8(k.kind);
    }
}

/// Reading what [`Out`] wrote; `None` past the end.
pub(crate) struct In<'a>(pub &'a [u8]);

impl<'a> In<'a> {
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    pub fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    pub fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }
    fn key(&mut self) -> Option<Key> {
        Some(Key {
            item: self.u32()?,
            a: self.u32()?,
            b: self.u32()?,
            kind: self.u8()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rank(item: &str, first: &str) -> Event {
        let mut e = Event::new("a", item, None, TaskKind::Rank);
        e.ranking = Some(vec![vec![first.into()], vec!["z".into()]]);
        e
    }

    fn retract(item: &str) -> Event {
        let mut e = Event::new("a", item, None, TaskKind::Rank);
        e.retract = true;
        e
    }

    #[test]
    fn latest_wins_and_retract_clears() {
        let events = vec![
            rank("x", "c0"),
            rank("y", "c0"),
            rank("x", "c1"),
            retract("y"),
        ];
        let mut d = Decisions::from_events(&events);
        let kx = TaskKey::new("x", TaskKind::Rank);
        assert_eq!(d.get(&kx).unwrap().ranking.as_ref().unwrap()[0][0], "c1");
        assert!(!d.is_decided(&TaskKey::new("y", TaskKind::Rank)));
        assert_eq!(d.decided_count(), 1);
        assert_eq!(d.last().unwrap().item, "x");
    }

    #[test]
    fn undo_walks_back_through_history() {
        let mut d = Decisions::from_events(&[rank("x", "c0"), rank("y", "c0"), rank("x", "c1")]);
        assert_eq!(d.last().unwrap().item, "x");
        d.apply(retract("x"));
        assert_eq!(d.last().unwrap().item, "y");
        d.apply(retract("y"));
        assert!(d.last().is_none());
        assert_eq!(d.decided_count(), 0);
    }

    #[test]
    fn the_last_of_some_kinds_passes_over_the_others_and_stale_events() {
        let pair = |item: &str| {
            let mut e = Event::new("a", item, Some("h"), TaskKind::Pair);
            e.pair = Some(["c0".into(), "c1".into()]);
            e.choice = Some("c0".into());
            e
        };
        let mut rate = Event::new("a", "r", Some("h"), TaskKind::Rate);
        rate.ratings = Some([("c0".to_string(), 3)].into());
        let mut d =
            Decisions::from_events(&[pair("p"), rank("x", "c0"), pair("q"), rank("y", "c0"), rate]);
        assert_eq!(d.last().unwrap().task, TaskKind::Rate);
        assert_eq!(d.last_of(&[TaskKind::Pair]).unwrap().item, "q");
        assert_eq!(d.last_of(&[TaskKind::Rank]).unwrap().item, "y");
        assert_eq!(
            d.last_of(&[TaskKind::Rank, TaskKind::Rate]).unwrap().item,
            "r"
        );
        assert!(d.last_of(&[TaskKind::BestWorst]).is_none());
        // A task decided again later: its earlier place in the history is stale.
        d.apply(pair("p"));
        d.apply(rank("z", "c0"));
        assert_eq!(d.last_of(&[TaskKind::Pair]).unwrap().item, "p");
        let mut back = pair("p");
        back.choice = None;
        back.retract = true;
        d.apply(back);
        assert_eq!(d.last_of(&[TaskKind::Pair]).unwrap().item, "q");
    }

    #[test]
    fn staleness_is_known_per_task_without_parsing_and_beyond_many_hashes() {
        let mut d = Decisions::new();
        let mut versions = Vec::new();
        // More versions of one item than an entry can number.
        for v in 0..300 {
            let mut e = Event::new("a", "x", Some(&format!("h{v}")), TaskKind::Pair);
            e.pair = Some([format!("c{v}"), "z".into()]);
            e.choice = Some("z".into());
            versions.push(e.key());
            d.apply(e);
        }
        let mut bare = Event::new("a", "x", None, TaskKind::Rank);
        bare.ranking = Some(vec![vec!["z".into()]]);
        d.apply(bare);
        for (v, key) in versions.iter().enumerate() {
            assert!(!d.is_stale(key, &format!("h{v}")), "{v}");
            assert!(d.is_stale(key, "h-new"), "{v}");
        }
        assert!(!d.is_stale(&TaskKey::new("x", TaskKind::Rank), "h-new"));
        assert!(!d.is_stale(&TaskKey::new("y", TaskKind::Rank), "h-new"));
        assert!(d.item_may_be_stale("x", "h0"));
        assert!(!d.item_may_be_stale("y", "h0"));
    }

    #[test]
    fn skips_are_not_decisions() {
        let mut s = Event::new("a", "x", None, TaskKind::Rank);
        s.skip = true;
        let d = Decisions::from_events(&[s]);
        let k = TaskKey::new("x", TaskKind::Rank);
        assert!(d.is_skipped(&k));
        assert!(!d.is_decided(&k));
        assert_eq!(d.decided_count(), 0);
    }

    /// Candidate ids are interned through a few slots picked by their length and last byte:
    /// the empty id (which an event may carry), ids far longer than there are slots, and two
    /// ids in one slot ("a0" and "c0") still come back as themselves.
    #[test]
    fn candidate_ids_of_any_length_come_back_as_they_were() {
        let long = "x".repeat(200);
        let pairs = [("", "c0"), ("a0", "c0"), (long.as_str(), "c1")];
        let mut d = Decisions::new();
        for (i, &(x, y)) in pairs.iter().enumerate() {
            let mut e = Event::new("a", &format!("q{i}"), None, TaskKind::Pair);
            e.pair = Some([x.into(), y.into()]);
            e.choice = Some(y.into());
            d.apply(e);
        }
        let want: Vec<TaskKey> = pairs
            .iter()
            .enumerate()
            .map(|(i, &(x, y))| TaskKey::pair(&format!("q{i}"), x, y))
            .collect();
        for (key, &(_, y)) in want.iter().zip(&pairs) {
            assert_eq!(
                d.get(key).and_then(|e| e.choice.as_deref()),
                Some(y),
                "{key:?}"
            );
        }
        let mut keys: Vec<TaskKey> = d.keys().collect();
        keys.sort();
        assert_eq!(keys, want);
    }

    /// The tasks of a kind whose decision stands, in the order it was made (what the hidden
    /// repeats are drawn from): skips, retracted tasks and other kinds left out, a task decided
    /// again moved to its new place, a best-worst task with its tuple or without one. A hidden
    /// repeat is none of them, but is listed among the standing repeats.
    #[test]
    fn decided_in_order_lists_the_standing_decisions_and_repeats_stand_apart() {
        let pair = |item: &str| {
            let mut e = Event::new("a", item, None, TaskKind::Pair);
            e.pair = Some(["c0".into(), "c1".into()]);
            e.choice = Some("c0".into());
            e
        };
        let best_worst = |item: &str, tuple: Option<&str>| {
            let mut e = Event::new("a", item, None, TaskKind::BestWorst);
            e.tuple = tuple.map(Into::into);
            e.best = Some("c0".into());
            e.worst = Some("c1".into());
            e
        };
        let mut skipped = pair("p2");
        skipped.choice = None;
        skipped.skip = true;
        let mut repeat = pair("p3");
        repeat.choice = Some("c1".into());
        repeat.repeat = true;
        let mut taken_back = pair("p4");
        taken_back.choice = None;
        taken_back.retract = true;
        let d = Decisions::from_owned([
            pair("p1"),
            rank("x", "c0"),
            skipped,
            pair("p3"),
            pair("p4"),
            pair("p1"),
            best_worst("b1", Some("t1")),
            best_worst("b2", None),
            repeat,
            taken_back,
        ]);
        let p = |item: &str| TaskKey::pair(item, "c0", "c1");
        assert_eq!(d.decided_in_order(TaskKind::Pair), [p("p3"), p("p1")]);
        assert_eq!(
            d.decided_in_order(TaskKind::Rank),
            [TaskKey::new("x", TaskKind::Rank)]
        );
        assert_eq!(
            d.decided_in_order(TaskKind::BestWorst),
            [
                TaskKey::best_worst("b1", Some("t1")),
                TaskKey::best_worst("b2", None)
            ]
        );
        assert_eq!(d.decided_count(), 5);
        let repeats: Vec<(&str, Option<&str>)> = d
            .repeats()
            .map(|e| (e.item.as_str(), e.choice.as_deref()))
            .collect();
        assert_eq!(repeats, [("p3", Some("c1"))]);
        assert_eq!(d.get(&p("p3")).unwrap().choice.as_deref(), Some("c0"));
    }

    /// An item is known once an event names it as its item, whatever the event (a retraction
    /// too); an id named only as a candidate, or never, is not an item.
    #[test]
    fn an_item_is_known_by_the_events_that_name_it() {
        let mut e = Event::new("a", "q1", None, TaskKind::Pair);
        e.pair = Some(["c0".into(), "c1".into()]);
        e.choice = Some("c0".into());
        let d = Decisions::from_owned([e, retract("q2")]);
        assert!(d.has_item("q1"));
        assert!(d.has_item("q2"));
        assert!(!d.has_item("c0"));
        assert!(!d.has_item("q3"));
    }

    /// An edit stands as a task of its own but is not counted among the decisions made.
    #[test]
    fn edits_stand_but_are_not_counted_as_decisions() {
        let d = Decisions::from_owned([
            rank("x", "c0"),
            rank("y", "c0"),
            Event::edit("a", "x", None, "c0", "better"),
        ]);
        assert!(d.is_decided(&TaskKey::edit("x", "c0")));
        assert_eq!(d.decided_count_of(TaskKind::Edit), 1);
        assert_eq!(d.decided_count(), 2);
    }

    /// Counting a whole replay at once gives what counting its decided tasks one by one gives:
    /// the same counts, and for each task the same count before and the same "mine too".
    #[test]
    fn add_decided_counts_as_bump_does_task_by_task() {
        let mut r = crate::testutil::Rng(20_261_128);
        let ev = |who: &str, r: &mut crate::testutil::Rng| {
            let item = format!("q{}", r.below(30));
            let (x, y) = (r.below(4), r.below(4));
            let mut e = Event::new(who, &item, None, TaskKind::Pair);
            let (x, y) = (
                format!("c{x}"),
                format!("c{}", if y == x { (y + 1) % 4 } else { y }),
            );
            e.pair = Some([x.clone(), y]);
            match r.below(5) {
                0 => e.skip = true,
                1 => e.retract = true,
                _ => e.choice = Some(x),
            }
            e
        };
        for round in 0..20 {
            let mine = Decisions::from_owned((0..60).map(|_| ev("me", &mut r)).collect::<Vec<_>>());
            let team: Vec<Decisions> = (0..3)
                .map(|_| {
                    Decisions::from_owned((0..80).map(|_| ev("o", &mut r)).collect::<Vec<_>>())
                })
                .collect();
            let (mut fast, mut slow) = (TaskCounts::default(), TaskCounts::default());
            let (mut seen_fast, mut seen_slow) = (Vec::new(), Vec::new());
            for theirs in &team {
                fast.add_decided(theirs, TaskKind::Pair, &mine, |b, m| seen_fast.push((b, m)));
                for (item, pair) in theirs.decided_of(TaskKind::Pair) {
                    let m = mine.decided(item, TaskKind::Pair, pair);
                    seen_slow.push((slow.bump(item, TaskKind::Pair, pair, true), m));
                }
            }
            seen_fast.sort_unstable();
            seen_slow.sort_unstable();
            assert_eq!(seen_fast, seen_slow, "round {round}");
            assert!(
                seen_fast.iter().any(|&(_, m)| m),
                "round {round}: some task is mine too"
            );
            for theirs in &team {
                for key in theirs.keys() {
                    assert_eq!(fast.get(&key), slow.get(&key), "round {round}: {key:?}");
                }
            }
        }
    }

    /// `log` replayed as a start replays it (one log, its lines kept unparsed).
    fn replayed(log: &str) -> (Decisions, Arc<LogBytes>) {
        let bytes: Arc<LogBytes> = Arc::new(log.as_bytes().to_vec().into());
        let mut d = Decisions::new();
        super::super::replay::replay_into(
            &mut d,
            std::path::Path::new("a.jsonl"),
            Arc::clone(&bytes),
        )
        .unwrap();
        (d, bytes)
    }

    const PAIR_LINE: &str = r#"{"v":1,"annotator":"a","item":"q","item_hash":"h1","task":"pair","pair":["c0","c1"],"choice":"c0"}"#;

    /// Only the tables of one log's lines can be written for the next start (which points
    /// every entry into that log): not tables without a log, with two, with an event given to
    /// `apply`, or with a hidden repeat, standing or taken back (its history entry).
    #[test]
    fn the_tables_are_written_only_when_every_entry_is_a_line_of_the_one_log() {
        let encodes = |d: &Decisions| d.encode(&mut Vec::new());
        let (d, _) = replayed(&format!("{PAIR_LINE}\n"));
        assert!(encodes(&d));
        assert!(!encodes(&Decisions::new()));
        assert!(!encodes(&Decisions::from_owned([rank("x", "c0")])));
        let mut two = d.clone();
        two.add_log(Arc::new(Vec::<u8>::new().into()));
        assert!(!encodes(&two));
        let mut applied = d.clone();
        applied.apply(rank("x", "c0"));
        assert!(!encodes(&applied));
        let repeat = PAIR_LINE.replace(r#""choice":"c0""#, r#""choice":"c1","repeat":true"#);
        let (d, _) = replayed(&format!("{PAIR_LINE}\n{repeat}\n"));
        assert!(!encodes(&d));
        let back = r#"{"v":1,"annotator":"a","item":"q","task":"pair","pair":["c0","c1"],"retract":true,"repeat":true}"#;
        let (d, _) = replayed(&format!("{PAIR_LINE}\n{repeat}\n{back}\n"));
        assert!(d.repeats().next().is_none());
        assert!(!encodes(&d));
    }

    /// Tables read back from a cache file are used only when they hold together: every name
    /// and entry whole, every id one of the names, every line within the bytes the cache
    /// covers, every hash one its item has. A damaged cache is a full replay, never a panic or
    /// tables that point at the wrong line.
    #[test]
    fn cached_tables_are_refused_unless_they_fit_the_log() {
        let log = format!("{PAIR_LINE}\n");
        let (d, bytes) = replayed(&log);
        let mut body = Vec::new();
        assert!(d.encode(&mut body));
        let line_end = PAIR_LINE.len() as u64;
        let decode = |b: &[u8], covered: u64| Decisions::decode(b, Arc::clone(&bytes), covered);
        let key = TaskKey::pair("q", "c0", "c1");
        let back = decode(&body, line_end).expect("the tables as written");
        assert_eq!(back.get(&key), d.get(&key));
        assert!(back.has_item("q"));
        assert!(!back.has_item("c0"));
        assert!(!back.is_stale(&key, "h1"));
        assert!(back.is_stale(&key, "h2"));
        // The line's end lies past the bytes covered.
        assert!(decode(&body, line_end - 1).is_none());
        for n in 0..body.len() {
            assert!(decode(&body[..n], line_end).is_none(), "cut at {n}");
        }
        let mut longer = body.clone();
        longer.push(0);
        assert!(decode(&longer, line_end).is_none());
        // The layout, from the end: the history (count, one key of 13 bytes, its number),
        // before it the one entry (key, number, flags, start, length, hash), before that the
        // entries' count; the names' count follows the number, the five counts and the kinds.
        let len = body.len();
        let (history, entry) = (len - 29, len - 29 - 35);
        let changed = |at: usize, bytes: &[u8]| {
            let mut b = body.clone();
            b[at..at + bytes.len()].copy_from_slice(bytes);
            b
        };
        let huge = (u64::MAX >> 8).to_le_bytes();
        for (what, at, value) in [
            ("names' count", 49, &huge[..]),
            ("entries' count", entry - 8, &huge[..]),
            ("history's count", history, &huge[..]),
            ("entry's item", entry, &3u32.to_le_bytes()[..]),
            ("entry's first id", entry + 4, &3u32.to_le_bytes()[..]),
            ("entry's second id", entry + 8, &3u32.to_le_bytes()[..]),
            ("entry's kind", entry + 12, &[5u8][..]),
            ("entry's hash", entry + 34, &[1u8][..]),
            ("history's item", history + 8, &3u32.to_le_bytes()[..]),
        ] {
            assert!(decode(&changed(at, value), line_end).is_none(), "{what}");
        }
        // What was written there: the item's name 0, the candidates' 1 and 2, kind 0 (pair).
        let mut written = Vec::new();
        for id in [0u32, 1, 2] {
            written.extend(id.to_le_bytes());
        }
        written.push(0);
        assert_eq!(&body[entry..entry + 13], &written[..]);
    }

    /// An item with more versions than an entry can number: its decisions' entries say "parse
    /// to compare", which the tables read back keep.
    #[test]
    fn cached_tables_keep_an_item_with_more_versions_than_numbers() {
        let log: String = (0..300)
            .map(|v| {
                format!(
                    r#"{{"v":1,"annotator":"a","item":"x","item_hash":"h{v}","task":"pair","pair":["c{v}","z"],"choice":"z"}}"#
                ) + "\n"
            })
            .collect();
        let (d, bytes) = replayed(&log);
        let mut body = Vec::new();
        assert!(d.encode(&mut body));
        let back =
            Decisions::decode(&body, bytes, log.len() as u64).expect("the tables as written");
        for v in [0, 253, 254, 299] {
            let key = TaskKey::pair("x", &format!("c{v}"), "z");
            assert!(!back.is_stale(&key, &format!("h{v}")), "{v}");
            assert!(back.is_stale(&key, "h-new"), "{v}");
        }
    }

    /// Every task with a standing decision or skip, as its key: a pair's sorted ids, an edit's
    /// source, a best-worst task's tuple or none.
    #[test]
    fn keys_name_every_standing_task_of_every_kind() {
        let mut pair = Event::new("a", "p", None, TaskKind::Pair);
        pair.pair = Some(["c1".into(), "c0".into()]);
        pair.skip = true;
        let best_worst = |item: &str, tuple: Option<&str>| {
            let mut e = Event::new("a", item, None, TaskKind::BestWorst);
            e.tuple = tuple.map(Into::into);
            e.best = Some("c0".into());
            e.worst = Some("c1".into());
            e
        };
        let d = Decisions::from_owned([
            rank("x", "c0"),
            pair,
            Event::edit("a", "x", None, "c0", "better"),
            best_worst("b1", Some("t1")),
            best_worst("b2", None),
            retract("x"),
        ]);
        let mut keys: Vec<TaskKey> = d.keys().collect();
        keys.sort();
        let mut want = vec![
            TaskKey::pair("p", "c0", "c1"),
            TaskKey::edit("x", "c0"),
            TaskKey::best_worst("b1", Some("t1")),
            TaskKey::best_worst("b2", None),
        ];
        want.sort();
        assert_eq!(keys, want);
    }

    /// The standing events taken out are those `iter` shows, in its order: lines read from the
    /// log parsed (each its own line of the log, not one at another place) when nothing parsed
    /// them before, events given to `apply` handed over; skips kept, retracted tasks gone.
    #[test]
    fn into_events_gives_what_iter_shows() {
        let skip = PAIR_LINE
            .replace(r#""item":"q""#, r#""item":"s""#)
            .replace(r#""choice":"c0""#, r#""skip":true"#);
        let later = PAIR_LINE
            .replace(r#""item":"q""#, r#""item":"t""#)
            .replace(r#""choice":"c0""#, r#""choice":"c1""#);
        let (mut d, _) = replayed(&format!("{PAIR_LINE}\n{skip}\n{later}\n"));
        d.apply(rank("x", "c0"));
        d.apply(rank("y", "c1"));
        d.apply(retract("y"));
        // A copy before `iter` parses the lines (and keeps what it parsed).
        let untouched = d.clone();
        let shown: Vec<Event> = d.iter().cloned().collect();
        let taken: Vec<Event> = untouched.into_events().collect();
        assert_eq!(taken, shown);
        let mut what: Vec<(String, Option<String>, bool)> = taken
            .into_iter()
            .map(|e| (e.item, e.choice, e.skip))
            .collect();
        what.sort();
        let own =
            |item: &str, choice: Option<&str>, skip: bool| -> (String, Option<String>, bool) {
                (item.into(), choice.map(Into::into), skip)
            };
        assert_eq!(
            what,
            [
                own("q", Some("c0"), false),
                own("s", None, true),
                own("t", Some("c1"), false),
                own("x", None, false),
            ]
        );
    }
}
