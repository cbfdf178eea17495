//! One event of the labels log, and the key that says which task it is about.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Current version of the event format, written as `"v"`.
pub const VERSION: u32 = 1;

/// The `via` of sort mode's events.
pub const VIA_SORT: &str = "sort";

/// The `via` of a pair a sort inferred, asked to check the ranking (`verify` in a task file).
pub const VIA_VERIFY: &str = "verify";

/// The `via` of a checked pair asked once more because its answer contradicted the ranking.
pub const VIA_VERIFY_AGAIN: &str = "verify-again";

/// The `via` of a pair decision asked once more because the item's answers went round in a
/// cycle.
pub const VIA_CYCLE: &str = "cycle";

/// What kind of judgement a task asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskKind {
    Pair,
    Rank,
    Rate,
    /// Best-worst scaling: of the candidates `shown` (all of the item's, or one tuple of them),
    /// the labeler picked the `best` and the `worst`.
    #[serde(rename = "best-worst")]
    BestWorst,
    /// A labeler's corrected version of one candidate (`source`), written as `text`: not a
    /// task shown on its own but an event beside the item's decisions. It never counts as a
    /// decision for the overlap, agreement or the progress counts; export makes it a new
    /// candidate preferred over its source.
    Edit,
}

impl TaskKind {
    pub fn name(self) -> &'static str {
        match self {
            TaskKind::Pair => "pair",
            TaskKind::Rank => "rank",
            TaskKind::Rate => "rate",
            TaskKind::BestWorst => "best-worst",
            TaskKind::Edit => "edit",
        }
    }

    /// The kinds a labeling session can be in (every kind but `Edit`).
    pub const MODES: [TaskKind; 4] = [
        TaskKind::Pair,
        TaskKind::Rank,
        TaskKind::Rate,
        TaskKind::BestWorst,
    ];
}

/// A kind a labeling session can be in, as settings and task files name it (`mode`): every
/// [`TaskKind`] but `Edit`, so reading one never offers `"edit"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Pair,
    Rank,
    Rate,
    #[serde(rename = "best-worst")]
    BestWorst,
}

impl From<Mode> for TaskKind {
    fn from(m: Mode) -> TaskKind {
        match m {
            Mode::Pair => TaskKind::Pair,
            Mode::Rank => TaskKind::Rank,
            Mode::Rate => TaskKind::Rate,
            Mode::BestWorst => TaskKind::BestWorst,
        }
    }
}

/// Identifies a task across sessions: the item, the kind, and for pair tasks the unordered
/// pair of candidate ids (stored sorted, so the sides shown do not matter).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskKey {
    pub item: String,
    pub kind: TaskKind,
    pub pair: Option<(String, String)>,
}

impl TaskKey {
    pub fn new(item: &str, kind: TaskKind) -> Self {
        TaskKey {
            item: item.to_string(),
            kind,
            pair: None,
        }
    }

    /// The edit of candidate `source` of `item` (one per annotator and source: a later edit of
    /// the same candidate replaces the earlier one). Kept as the pair (`source`, `source`).
    pub fn edit(item: &str, source: &str) -> Self {
        TaskKey {
            item: item.to_string(),
            kind: TaskKind::Edit,
            pair: Some((source.to_string(), source.to_string())),
        }
    }

    /// A best-worst task: with `tuple` (the tuple's name, see [`Event::tuple`]) one of the
    /// item's tuples, kept as the pair (`tuple`, `tuple`); without, all of its candidates.
    pub fn best_worst(item: &str, tuple: Option<&str>) -> Self {
        TaskKey {
            item: item.to_string(),
            kind: TaskKind::BestWorst,
            pair: tuple.map(|t| (t.to_string(), t.to_string())),
        }
    }

    pub fn pair(item: &str, a: &str, b: &str) -> Self {
        let (x, y) = if a <= b { (a, b) } else { (b, a) };
        TaskKey {
            item: item.to_string(),
            kind: TaskKind::Pair,
            pair: Some((x.to_string(), y.to_string())),
        }
    }
}

/// One line of the labels log.
///
/// Fields that do not apply are left out when written. Unknown fields in a log line are
/// ignored on reading, so newer logs stay readable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub v: u32,
    /// UTC time of writing, RFC 3339 with milliseconds; filled in by the writer.
    #[serde(default)]
    pub at: String,
    pub annotator: String,
    pub item: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_hash: Option<String>,
    pub task: TaskKind,
    /// Candidate ids in the order they were shown (rank and rate tasks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shown: Option<Vec<String>>,
    /// Best first; a tier with several ids is a tie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ranking: Option<Vec<Vec<String>>>,
    /// `[left, right]` as shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pair: Option<[String; 2]>,
    /// A candidate id, `"tie"` or `"both_bad"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratings: Option<BTreeMap<String, u32>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u32>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skip: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub retract: bool,
    /// Time spent on the task, in milliseconds: active time (the clock pauses after a minute
    /// without a key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ms: Option<u64>,
    /// Wall-clock time from showing the task to the decision, idle time included (absent in
    /// logs written before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_ms: Option<u64>,
    /// The role the event was recorded in, as written ([`Role`] names the ones prefer knows:
    /// `"adjudicator"` for a reviewer's final decision); `None` for a labeler's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Pair mode's preference strength: 1 negligibly or unsure, 2 slightly, 3 better,
    /// 4 significantly better; export turns it into `margin`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strength: Option<u8>,
    /// Task-file flags per candidate id, e.g. `{"c1": ["unsafe"]}`; candidates without a
    /// flag are left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<BTreeMap<String, Vec<String>>>,
    /// The labeler's written reason for the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
    /// Rate tasks with aspects: rating per aspect, then per candidate id. `ratings` then holds
    /// each candidate's mean over the aspects, rounded to the nearest whole number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aspects: Option<BTreeMap<String, BTreeMap<String, u32>>>,
    /// The numeric user id of the process that wrote the event (filled in by the writer on
    /// Unix): who wrote it at the OS level, beside the `annotator` name they gave. Logs
    /// written before it was recorded do not have it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    /// How the decision was reached, when not by the task's own screen: `"sort"` for sort
    /// mode's pair questions and the ranking they add up to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// A ranking reached by sorting: the pairs asked, in order, as shown `[left, right]`; every
    /// other pair of the ranking was inferred.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked: Option<Vec<[String; 2]>>,
    /// Best-worst events: the id of the candidate picked as the best of those `shown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best: Option<String>,
    /// Best-worst events: the id of the candidate picked as the worst of those `shown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worst: Option<String>,
    /// Best-worst events of a task file with `tuple = K`: which of the item's tuples, named by
    /// its candidate ids sorted and joined with `,` (the same for every labeler). Absent when
    /// all of the item's candidates are shown at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tuple: Option<String>,
    /// Edit events: the id of the candidate the edit was made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Edit events: the edited answer's whole text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// A hidden repeat (a task file's `repeat`): the labeler's second decision on a task
    /// they had decided before, shown again later with the sides (or the order) swapped. It
    /// stands beside the first decision, never in its place, and counts nowhere but in the
    /// self-agreement and position-consistency figures; its retraction carries it too.
    /// Absent in logs written before repeats.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub repeat: bool,
}

/// The judgement an event carries, as a value that is easy to match on.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict<'a> {
    Ranking(&'a [Vec<String>]),
    Choice(&'a str),
    Ratings(&'a BTreeMap<String, u32>),
    /// A best-worst pick: (best, worst).
    BestWorst(&'a str, &'a str),
    /// An edit's new text.
    Edit(&'a str),
    Skip,
    Retract,
}

/// A role an event can be recorded in (the log's `role` field). An event without one is a
/// labeler's own; a role prefer does not know is kept as written and counts as a labeler's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// A reviewer's final decision (`prefer review`): `export --aggregate adjudicated` prefers
    /// it over the annotators' own; it never counts towards the overlap or agreement.
    Adjudicator,
}

impl Role {
    /// The role as the log writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Adjudicator => "adjudicator",
        }
    }

    /// The role a log's `role` field names, when it is one prefer knows.
    pub fn of(role: Option<&str>) -> Option<Role> {
        match role {
            Some("adjudicator") => Some(Role::Adjudicator),
            _ => None,
        }
    }
}

/// The candidate id an edit gets when it joins its item (in export, and as the screen names
/// it): the source's id, `+edit:` and the editor's name, e.g. `c1+edit:alice`. One edit per
/// annotator and source stands, so the id is unique and the same in every export of the logs.
pub fn edit_id(source: &str, annotator: &str) -> String {
    format!("{source}+edit:{annotator}")
}

/// The current time as `2026-11-26T15:09:00.123Z`.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string()
}

impl Event {
    /// What the writer fills in as the event goes to disk: `at` when empty, and `uid` (the
    /// writing process's user id) when not set.
    pub fn stamp(&mut self) {
        if self.at.is_empty() {
            self.at = now_rfc3339();
        }
        if self.uid.is_none() {
            self.uid = crate::safefs::current_uid();
        }
    }

    /// The role the event was recorded in, when it is one prefer knows.
    pub fn role(&self) -> Option<Role> {
        Role::of(self.role.as_deref())
    }

    /// True for sort mode's events (its pair questions and the ranking they give).
    pub fn via_sort(&self) -> bool {
        self.via.as_deref() == Some(VIA_SORT)
    }

    /// Records the event in `role`.
    pub fn set_role(&mut self, role: Role) {
        self.role = Some(role.as_str().to_string());
    }

    /// A bare event for `item`; the caller fills in the judgement.
    pub fn new(annotator: &str, item: &str, item_hash: Option<&str>, task: TaskKind) -> Self {
        Event {
            v: VERSION,
            at: String::new(),
            annotator: annotator.to_string(),
            item: item.to_string(),
            item_hash: item_hash.map(str::to_string),
            task,
            shown: None,
            ranking: None,
            pair: None,
            choice: None,
            ratings: None,
            scale: None,
            skip: false,
            retract: false,
            ms: None,
            wall_ms: None,
            role: None,
            strength: None,
            flags: None,
            rationale: None,
            aspects: None,
            uid: None,
            via: None,
            asked: None,
            best: None,
            worst: None,
            tuple: None,
            source: None,
            text: None,
            repeat: false,
        }
    }

    /// An edit of candidate `source` of `item` into `text`.
    pub fn edit(
        annotator: &str,
        item: &str,
        item_hash: Option<&str>,
        source: &str,
        text: &str,
    ) -> Self {
        let mut e = Event::new(annotator, item, item_hash, TaskKind::Edit);
        e.source = Some(source.to_string());
        e.text = Some(text.to_string());
        e
    }

    /// The task this event is about.
    pub fn key(&self) -> TaskKey {
        match (&self.task, &self.pair) {
            (TaskKind::Pair, Some([a, b])) => TaskKey::pair(&self.item, a, b),
            (TaskKind::Edit, _) => TaskKey::edit(&self.item, self.source.as_deref().unwrap_or("")),
            (TaskKind::BestWorst, _) => TaskKey::best_worst(&self.item, self.tuple.as_deref()),
            (kind, _) => TaskKey::new(&self.item, *kind),
        }
    }

    /// True for an event that records a judgement (not a skip, not a retraction).
    pub fn is_decision(&self) -> bool {
        !self.skip && !self.retract
    }

    pub fn verdict(&self) -> Option<Verdict<'_>> {
        if self.retract {
            return Some(Verdict::Retract);
        }
        if self.skip {
            return Some(Verdict::Skip);
        }
        match self.task {
            TaskKind::Pair => self.choice.as_deref().map(Verdict::Choice),
            TaskKind::Rank => self.ranking.as_deref().map(Verdict::Ranking),
            TaskKind::Rate => self.ratings.as_ref().map(Verdict::Ratings),
            TaskKind::BestWorst => match (&self.best, &self.worst) {
                (Some(b), Some(w)) => Some(Verdict::BestWorst(b, w)),
                _ => None,
            },
            TaskKind::Edit => self.text.as_deref().map(Verdict::Edit),
        }
    }

    /// Checks that the event is complete for its kind; the error says which field is wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.item.is_empty() {
            return Err("`item` is empty".into());
        }
        if self.task == TaskKind::Pair && self.pair.is_none() {
            return Err("a pair event needs `pair`".into());
        }
        if self.skip && self.retract {
            return Err("an event cannot be both `skip` and `retract`".into());
        }
        if self.task == TaskKind::Edit {
            if self.source.as_deref().is_none_or(str::is_empty) {
                return Err("an edit event needs `source` (the candidate it was made from)".into());
            }
            if self.skip {
                return Err("an edit event cannot be `skip`".into());
            }
            if !self.retract && self.text.as_deref().is_none_or(|t| t.trim().is_empty()) {
                return Err("an edit event needs a `text` that is not empty, or `retract`".into());
            }
            return Ok(());
        }
        if self.verdict().is_none() {
            let field = match self.task {
                TaskKind::Pair => "choice",
                TaskKind::Rank => "ranking",
                TaskKind::Rate => "ratings",
                TaskKind::BestWorst => "best` and `worst",
                TaskKind::Edit => "text",
            };
            return Err(format!(
                "a {} event needs `{field}`, `skip` or `retract`",
                self.task.name()
            ));
        }
        if let (Some(b), Some(w)) = (&self.best, &self.worst)
            && self.task == TaskKind::BestWorst
            && !self.retract
            && !self.skip
            && b == w
        {
            return Err(format!(
                "`best` and `worst` are both \"{b}\"; they must differ"
            ));
        }
        if let (Some([l, r]), Some(c)) = (&self.pair, &self.choice)
            && c != l
            && c != r
            && c != "tie"
            && c != "both_bad"
        {
            return Err(format!(
                "`choice` \"{c}\" is neither of the pair nor \"tie\" / \"both_bad\""
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_examples_parse() {
        let lines = [
            r#"{"v":1,"at":"2026-11-26T15:09:00.123Z","annotator":"alice","item":"q-17","item_hash":"9f2c","task":"rank","shown":["c2","c0","c3","c1"],"ranking":[["c2"],["c0","c3"],["c1"]],"ms":41230}"#,
            r#"{"v":1,"at":"x","annotator":"alice","item":"q-18","item_hash":"y","task":"pair","pair":["c1","c0"],"choice":"c1","ms":8120}"#,
            r#"{"v":1,"at":"x","annotator":"alice","item":"q-19","item_hash":"y","task":"rate","shown":["c0","c1"],"ratings":{"c0":4,"c1":2},"scale":5,"ms":5300}"#,
            r#"{"v":1,"at":"x","annotator":"alice","item":"q-20","item_hash":"y","task":"rank","skip":true,"ms":900}"#,
            r#"{"v":1,"at":"x","annotator":"alice","item":"q-20","task":"rank","retract":true,"future_field":[1]}"#,
        ];
        for l in lines {
            let e: Event = serde_json::from_str(l).unwrap();
            e.check().unwrap();
        }
        let e: Event = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(e.key(), TaskKey::pair("q-18", "c0", "c1"));
        assert_eq!(e.verdict(), Some(Verdict::Choice("c1")));
    }

    #[test]
    fn round_trip_leaves_out_empty_fields() {
        let mut e = Event::new("bob", "i", Some("h"), TaskKind::Pair);
        e.pair = Some(["c1".into(), "c0".into()]);
        e.choice = Some("tie".into());
        let s = serde_json::to_string(&e).unwrap();
        assert_eq!(
            s,
            r#"{"v":1,"at":"","annotator":"bob","item":"i","item_hash":"h","task":"pair","pair":["c1","c0"],"choice":"tie"}"#
        );
        assert_eq!(serde_json::from_str::<Event>(&s).unwrap(), e);
    }

    #[test]
    fn flags_and_rationale_are_written_only_when_present_and_read_back() {
        let mut e = Event::new("bob", "i", None, TaskKind::Pair);
        e.pair = Some(["c1".into(), "c0".into()]);
        e.choice = Some("c1".into());
        e.strength = Some(3);
        assert!(!serde_json::to_string(&e).unwrap().contains("flags"));
        e.flags = Some(BTreeMap::from([("c0".into(), vec!["unsafe".into()])]));
        e.rationale = Some("c0 gives dangerous advice".into());
        let s = serde_json::to_string(&e).unwrap();
        assert!(
            s.ends_with(
                r#""strength":3,"flags":{"c0":["unsafe"]},"rationale":"c0 gives dangerous advice"}"#
            ),
            "{s}"
        );
        assert_eq!(serde_json::from_str::<Event>(&s).unwrap(), e);
    }

    #[test]
    fn edit_events_read_back_and_key_on_item_and_source() {
        let line = r#"{"v":1,"at":"x","annotator":"alice","item":"q-17","item_hash":"h","task":"edit","ms":5,"source":"c1","text":"Better."}"#;
        let e: Event = serde_json::from_str(line).unwrap();
        e.check().unwrap();
        assert_eq!(e.key(), TaskKey::edit("q-17", "c1"));
        assert_ne!(e.key(), TaskKey::edit("q-17", "c0"));
        assert_eq!(e.verdict(), Some(Verdict::Edit("Better.")));
        let mut back = Event::edit("alice", "q-17", Some("h"), "c1", "Better.");
        back.at = "x".into();
        back.ms = Some(5);
        assert_eq!(serde_json::to_string(&back).unwrap(), line);
        let mut undo = Event::new("alice", "q-17", None, TaskKind::Edit);
        undo.source = Some("c1".into());
        undo.retract = true;
        undo.check().unwrap();
        assert_eq!(undo.key(), e.key());
        let mut blank = e.clone();
        blank.text = Some(" \n ".into());
        assert!(blank.check().unwrap_err().contains("text"));
        blank.source = None;
        assert!(blank.check().unwrap_err().contains("source"));
    }

    #[test]
    fn incomplete_events_are_rejected() {
        let e = Event::new("a", "i", None, TaskKind::Rank);
        assert!(e.check().unwrap_err().contains("ranking"));
        let mut p = Event::new("a", "i", None, TaskKind::Pair);
        p.choice = Some("c0".into());
        assert!(p.check().unwrap_err().contains("pair"));
        p.pair = Some(["c1".into(), "c2".into()]);
        assert!(p.check().unwrap_err().contains("neither"));
    }

    /// A pair task's key is the same whichever side each candidate was shown on, and keeps
    /// the pair sorted: the hidden repeats' draw (`tui::model::repeat_draw`) hashes the key's
    /// two ids in that order, so another order would bring back other tasks as repeats than
    /// the logs of earlier versions did.
    #[test]
    fn a_pair_key_keeps_its_pair_sorted() {
        let key = TaskKey::pair("i", "c1", "c0");
        assert_eq!(key, TaskKey::pair("i", "c0", "c1"));
        assert_eq!(key.pair, Some(("c0".to_string(), "c1".to_string())));
    }

    /// Only sort mode's events are `via_sort`: stats, export and undo treat them apart.
    #[test]
    fn only_sort_modes_events_are_via_sort() {
        let mut e = Event::new("a", "i", None, TaskKind::Pair);
        assert!(!e.via_sort());
        e.via = Some("elsewhere".into());
        assert!(!e.via_sort());
        e.via = Some(VIA_SORT.into());
        assert!(e.via_sort());
    }

    /// A best-worst decision must name two different candidates; a skip or a retraction of
    /// the task is about no candidate, whatever else its line carries.
    #[test]
    fn a_best_worst_decision_names_two_different_candidates() {
        let mut e = Event::new("a", "i", None, TaskKind::BestWorst);
        e.best = Some("c0".into());
        e.worst = Some("c0".into());
        assert!(e.check().unwrap_err().contains("must differ"));
        e.worst = Some("c1".into());
        e.check().unwrap();
        e.worst = Some("c0".into());
        for (skip, retract) in [(true, false), (false, true)] {
            let mut undone = e.clone();
            (undone.skip, undone.retract) = (skip, retract);
            undone.check().unwrap();
        }
    }
}
