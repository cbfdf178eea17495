//! The labeling screen's state: plain data beside the item source that tasks are read through
//! (a lazy source reads the candidate file when an item is shown); no terminal, no log.
//! `update` changes it, `view` draws it from what it holds, reading nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::format::{Item, ItemSource, Progress};
use crate::labels::{Decisions, Event, TaskKey, TaskKind};
use crate::sort::{Answer, Sorter};
use crate::tasks::{Task, Tasks, display_order, item_keys, sides, task_key};

use super::clock::{DEFAULT_TYPEAHEAD_GUARD_MS, TaskClock, TypeaheadGuard};
use super::content::WrapCache;
use super::draft::{Draft, PairDraft};
use super::filter::Review;
use super::keymap::KeyMap;
use super::team::Team;
use super::textarea::RationaleEditor;
use super::undo::UndoScope;
use crate::config::Theme;
use crate::taskfile::{PairSelection, TaskSpec};

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Prompt,
    /// A candidate pane, by display position (0 = first shown).
    Pane(usize),
}

/// A full-screen layer over the labeling screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    /// The task file's guidelines.
    Guidelines,
    /// Every task is decided (or skipped).
    Done,
    /// Quit was asked for while decisions are not yet on disk.
    ConfirmQuit,
    /// The session started with every task already decided K times by the team.
    NothingLeft,
    /// With a store: no task handed to this labeler is open; more come from the server.
    WaitingForTasks,
    /// Undo would take back a decision from an earlier session: which item, and when.
    ConfirmUndo {
        item: String,
        when: String,
    },
    /// `o`: every candidate of the task on one line each; `cursor` is the display position
    /// Enter focuses.
    Overview {
        cursor: usize,
        rows: Vec<OverviewRow>,
    },
    /// With `gold_feedback`: a decision missed a check item; what was expected and why, to
    /// be read before the next decision (any key closes it).
    GoldMiss {
        text: String,
    },
    /// Review's `A`: the quality table per annotator; `cursor` is the row Enter filters on.
    Quality {
        cursor: usize,
        table: super::quality::QualityScreen,
    },
}

/// A candidate's line in the overview, taken when it opens (the view reads no answer text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverviewRow {
    /// Characters in the answer.
    pub chars: usize,
    /// Its first words, sanitised, on one line.
    pub start: String,
}

impl OverviewRow {
    pub fn of(text: &str) -> Self {
        let head: String = text.chars().take(400).collect();
        let start = super::content::one_line(&head)
            .replace('⏎', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        OverviewRow {
            chars: text.chars().count(),
            start,
        }
    }
}

/// A candidate being edited into a better answer in the built-in editor (`e`).
#[derive(Debug, Clone)]
pub struct CandidateEdit {
    /// The id of the candidate the edit is made from.
    pub source: String,
    /// The pane's name on screen (`A`, `B`, `1`, ...), for the title.
    pub label: String,
    /// The candidate's text as the file has it (shown beside the editor, or on Tab).
    pub original: String,
    /// The text the editor opened with: the original, or this labeler's earlier edit of it.
    pub start: String,
    pub editor: RationaleEditor,
    /// Narrow screens: the original is shown instead of the editor (Tab switches).
    pub show_original: bool,
}

/// What the "nothing left for you" screen shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NothingLeft {
    /// Tasks of this file and mode.
    pub total: usize,
    pub overlap: usize,
    /// Decided tasks per annotator (the others, then this labeler), most first.
    pub by_annotator: Vec<(String, usize)>,
    /// The command that reviews the team's labels.
    pub review: String,
    /// The command that asks for one more decision per task.
    pub raise: String,
}

/// What the "done" overlay counts, taken when it goes up (see [`Model::show_done`]) so that
/// drawing it reads nothing: tasks of this file and mode, and how many of them this labeler
/// decided or skipped and others took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DoneCounts {
    pub total: usize,
    pub decided: usize,
    pub skipped: usize,
    /// Decided often enough by others, neither decided nor skipped by this labeler.
    pub taken: usize,
    /// Gold tasks not served: with gold mixed in, they come only between ordinary tasks.
    pub gold_held: usize,
}

/// The extra-decision state of a session.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    /// The task whose next decision the labeler has asked to add beyond the overlap.
    pub asked: Option<TaskKey>,
    /// Tasks this labeler decided beyond the overlap on purpose.
    pub made: BTreeSet<TaskKey>,
    /// Tasks whose decision this labeler took back with undo in this session: deciding them
    /// again is a correction, never an extra.
    pub reopened: BTreeSet<TaskKey>,
}

/// With a store: the tasks the database handed to this labeler, as the screen knows them
/// (see [`super::update::handed`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HandedTasks {
    /// What the server holds for them, in the order handed out.
    pub tasks: Vec<TaskKey>,
    /// Decisions taken back this session: theirs to decide again.
    pub reopened: Vec<TaskKey>,
    /// The latest recheck asked for; answers to earlier ones are stale.
    pub generation: u64,
    /// Why no more tasks come now (the server away, every open task held by others).
    pub note: Option<String>,
    /// Nothing more will come: every task has its decisions.
    pub none_left: bool,
    /// The lease, in ms.
    pub lease_ms: u64,
    /// When the labeler last pressed a key, and when the leases were last renewed.
    pub last_input_ms: Option<u64>,
    pub last_active_ms: u64,
}

impl HandedTasks {
    pub fn new(lease_ms: u64) -> Self {
        HandedTasks {
            lease_ms: lease_ms.max(1),
            note: Some("asking the server for tasks".into()),
            // The session's start counts as the labeler at work.
            last_input_ms: Some(0),
            ..Default::default()
        }
    }

    pub fn holds(&self, key: &TaskKey) -> bool {
        self.tasks.contains(key) || self.reopened.contains(key)
    }
}

/// What the waiting screen says.
pub const WAITING: &str = "waiting for the server to hand out more tasks";

/// With a store: the outbox's whole lines, how many of them the database has committed, and
/// why the last attempt to send failed, if it did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerState {
    pub outbox: u64,
    pub committed: u64,
    pub error: Option<String>,
}

impl ServerState {
    /// Decisions saved here and not yet in the database.
    pub fn waiting(&self) -> u64 {
        self.outbox.saturating_sub(self.committed)
    }
}

/// What the screen says about saving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveState {
    /// Nothing written yet this session.
    Idle,
    /// Every decision is on disk.
    Saved,
    /// Decisions handed to the writer, not yet confirmed.
    Saving(usize),
    /// The last write failed; these decisions are only in memory. `failures` counts the
    /// failed writes since the last time everything was saved (the screen shows it, so the
    /// labeler and the tests can see retries happen).
    Failed {
        pending: usize,
        error: String,
        failures: u32,
    },
}

/// The state of the task on screen, rebuilt when the task changes.
#[derive(Debug, Clone)]
pub struct TaskView {
    pub item: Arc<Item>,
    pub key: TaskKey,
    /// Candidate indices in display order (pair mode: `[left, right]`).
    pub order: Vec<usize>,
    pub focus: Focus,
    /// The candidate focus returns to when leaving the prompt pane.
    pub last_pane: usize,
    /// First candidate pane shown (when not all fit).
    pub first_pane: usize,
    /// Scroll offset (in wrapped lines) per display position, and of the prompt (`usize::MAX`
    /// until the first layout: open at the conversation's last turn).
    pub scroll: Vec<usize>,
    pub prompt_scroll: usize,
    /// A pane the labeler just scrolled and its offset before, for the pane locked to it to
    /// follow once offsets are clamped (see `prepare`).
    pub scrolled: Option<(usize, usize)>,
    /// The decision being built (or the recorded one, when revisiting), per mode.
    pub draft: Draft,
    /// The draft as it was when the task was shown or its decision last recorded: what differs
    /// from it is entered and not recorded (see [`TaskView::unrecorded`]).
    pub shown: Draft,
    /// The recorded event was a skip.
    pub skipped: bool,
    /// The task has a recorded decision (shown when revisiting).
    pub decided: bool,
    /// Flags set on candidates (candidate id -> flag names).
    pub flags: BTreeMap<String, std::collections::BTreeSet<String>>,
    /// The rationale written for this decision.
    pub rationale: String,
    /// Sort mode: the sort of this item so far (the pair on screen is its question).
    pub sort: Option<SortView>,
    /// Per pane moved sideways: the first column its tables too wide for it show (`>`).
    pub table_col: std::collections::HashMap<super::content::PaneId, usize>,
}

/// Sort mode's state of the item on screen, rebuilt from the recorded answers whenever the item
/// is shown or answered (see [`Sorter::replay`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortView {
    pub sorter: Sorter,
    /// The item's candidates in display order (the order they are inserted in).
    pub shown: Vec<usize>,
    /// The pair on screen, as (candidate being inserted, the one it is compared with).
    pub question: (usize, usize),
    /// With `verify`: the check on screen, once the ranking is recorded.
    pub check: Option<Check>,
}

/// Sort mode with `verify`: a pair the sort inferred, asked to check the recorded ranking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Which check of the item (from 1), and how many it has.
    pub number: usize,
    pub of: usize,
    /// Asked once more: its first answer went against the ranking.
    pub again: bool,
    /// The pair, as the ranking orders it.
    pub better: usize,
    pub worse: usize,
}

impl SortView {
    /// The number of the question on screen (the last one once the sort is complete).
    pub fn number(&self) -> usize {
        let asked = self.sorter.asked().len();
        if self.sorter.is_complete() {
            asked
        } else {
            asked + 1
        }
    }
}

impl TaskView {
    /// A task as first shown: nothing picked, focus on the first pane, each pane scrolled to
    /// its anchor (the prompt to its last turn, a candidate to the answer judged, see
    /// `prepare`).
    pub fn fresh(item: Arc<Item>, key: TaskKey, order: Vec<usize>, aspects: usize) -> Self {
        let n = order.len();
        let mode = key.kind;
        TaskView {
            item,
            key,
            order,
            focus: Focus::Pane(0),
            last_pane: 0,
            first_pane: 0,
            // Set to each pane's anchor when it is first laid out (see `prepare`).
            scroll: vec![usize::MAX; n],
            prompt_scroll: usize::MAX,
            scrolled: None,
            draft: Draft::new(mode, n, aspects),
            shown: Draft::new(mode, n, aspects),
            skipped: false,
            decided: false,
            flags: BTreeMap::new(),
            rationale: String::new(),
            sort: None,
            table_col: Default::default(),
        }
    }
}

impl TaskView {
    /// Shows a recorded event's values: its decision (see [`Draft::from_event`]), flags and
    /// rationale, on this view's display order.
    pub fn fill_from(&mut self, ev: &Event, aspects: &[String]) {
        self.skipped = ev.skip;
        self.decided = ev.is_decision();
        let (item, order) = (&self.item, &self.order);
        let pos = |id: &str| {
            item.candidate_index(id)
                .and_then(|ci| order.iter().position(|&o| o == ci))
        };
        self.draft = Draft::from_event(self.draft.mode(), ev, order.len(), aspects, pos);
        self.shown = self.draft.clone();
        for (id, names) in ev.flags.iter().flatten() {
            self.flags
                .insert(id.clone(), names.iter().cloned().collect());
        }
        self.rationale = ev.rationale.clone().unwrap_or_default();
    }

    /// What was entered on this task and is not recorded yet: a ranking or ratings Enter has
    /// not submitted, a best without its worst, a side waiting for its strength. Quitting asks
    /// first, and leaving the task says so, rather than dropping it without a word.
    pub fn unrecorded(&self) -> Option<String> {
        match (&self.draft, &self.shown) {
            (Draft::Pair(p), _) => p
                .pending
                .as_ref()
                .map(|_| "a side is chosen and its strength not given".into()),
            (Draft::Rank(r), Draft::Rank(s)) if r.tiers != s.tiers && r.placed() > 0 => {
                Some(if self.key.kind == TaskKind::BestWorst {
                    "the best is picked and the worst not yet".into()
                } else {
                    format!("{} of {} candidates ranked", r.placed(), self.order.len())
                })
            }
            (Draft::Rate(r), Draft::Rate(s))
                if r.ratings != s.ratings || r.aspect_ratings != s.aspect_ratings =>
            {
                let (given, all) = if r.aspect_ratings.iter().any(|a| !a.is_empty()) {
                    let all = r.aspect_ratings.iter().flatten();
                    (all.clone().flatten().count(), all.count())
                } else {
                    (r.ratings.iter().flatten().count(), r.ratings.len())
                };
                (given > 0).then(|| format!("{given} of {all} ratings given"))
            }
            _ => None,
        }
    }
}

/// The whole screen's state.
#[derive(Debug)]
pub struct Model {
    pub source: Arc<dyn ItemSource>,
    /// File name for the header.
    pub file_label: String,
    pub annotator: String,
    pub mode: TaskKind,
    pub scale: u32,
    pub shuffle: bool,
    pub keymap: KeyMap,
    pub tasks: Tasks,
    pub decisions: Decisions,
    pub current: usize,
    pub view: TaskView,
    /// Terminal size (columns, rows).
    pub size: (u16, u16),
    pub overlay: Overlay,
    /// First line of the help overlay shown (it scrolls on small terminals).
    pub help_scroll: usize,
    pub show_meta: bool,
    /// Panes showing their text as written instead of rendered Markdown (`R`).
    pub raw_panes: std::collections::HashSet<super::content::PaneId>,
    pub zoom: bool,
    /// `d`: two panes show their word diff (pair mode: both; rank and rate: the focused pane
    /// against the next).
    pub diff: bool,
    /// The two panes compared and their diff, as the last layout found them (display
    /// positions, lower first); set by `prepare` while the diff is on.
    pub pair_shown: Option<(usize, usize, Arc<super::pair_diff::PairDiff>)>,
    /// `S`: in pair mode (and for the two panes a diff compares) scrolling one pane scrolls
    /// the other with it; on by default.
    pub lock_scroll: bool,
    pub prompt_collapsed: bool,
    pub save: SaveState,
    /// Decisions handed to the writer and not yet confirmed, by sequence number.
    pub unsaved: BTreeMap<u64, Event>,
    /// The event the writer is working on (one at a time, in order).
    pub in_flight: Option<u64>,
    /// With a store: how the outbox stands against the database (`None`: a folder).
    pub server: Option<ServerState>,
    /// With a store: the tasks the database handed to this labeler, the only ones served
    /// (`None`: a folder, where the first open task is served).
    pub handed: Option<HandedTasks>,
    pub next_seq: u64,
    /// Decisions (not skips, not undos) made in this session.
    pub session_decisions: usize,
    /// The session's active time (ms) at each of its decisions, in order: the header's pace.
    pub decided_at: Vec<u64>,
    /// Milliseconds since the session started (from the loop's clock).
    pub now_ms: u64,
    /// Time on the task on screen (active and wall).
    pub clock: TaskClock,
    /// Time in this session, paused the same way.
    pub session_clock: TaskClock,
    /// Ignores decision keys typed ahead onto a task that just appeared.
    pub guard: TypeaheadGuard,
    /// A one-line message for the labeler (what just happened, or why a key did nothing).
    pub status: Option<String>,
    /// A lasting warning (shown when there is no status message).
    pub warning: Option<String>,
    pub quit: bool,
    pub wrap: WrapCache,
    /// Word diffs of two panes of the item on screen, cleared with `wrap`.
    pub pairs: super::pair_diff::PairCache,
    /// Logged decisions set aside because their item changed since.
    pub stale: usize,
    /// Items left out because the mode cannot take that many candidates, and why the first was.
    pub too_many: usize,
    pub first_left_out: Option<String>,
    /// Background reading of the candidate file, while it goes on.
    pub progress: Option<Progress>,
    /// The other annotators of the labels folder.
    pub team: Team,
    /// Review mode: filter, list and position (None while labeling).
    pub review: Option<Review>,
    /// A line being typed (`:` jump, `/` search).
    pub input: Option<Input>,
    pub last_search: Option<String>,
    /// Matches of the last search are marked on screen (until Esc).
    pub show_matches: bool,
    /// The match shown by the last search: (task, match number within the task).
    pub search_at: Option<(usize, usize)>,
    /// The team lead's task file (defaults when there is none).
    pub spec: TaskSpec,
    pub theme: Theme,
    /// The rationale editor, while open.
    pub editor: Option<RationaleEditor>,
    /// A decision waiting for its required rationale.
    pub pending: Option<Event>,
    /// The built-in editor of a candidate (`e`), while open.
    pub candidate_edit: Option<CandidateEdit>,
    /// First line of the guidelines overlay shown.
    pub guide_scroll: usize,
    /// Decisions made faster than the task's `min_seconds`.
    pub rushed: usize,
    /// The labeler has pressed a key: from then on the screen only moves when they ask.
    pub touched: bool,
    /// What this session recorded, for undo.
    pub undo: UndoScope,
    /// Commands for what comes after labeling (review, export), as (what, command line), for
    /// the summary at the end; set by the session, empty in tests.
    pub next_steps: Vec<(String, String)>,
    /// A decision was made while the file was still being read and no open task was known
    /// yet: the screen moves on as soon as one is.
    pub awaiting: bool,
    /// What the "nothing left for you" screen shows, when the session started that way.
    pub nothing_left: Option<NothingLeft>,
    /// Decisions beyond the overlap: asked for, and made.
    pub extras: Extras,
    /// What the "done" overlay shows, counted when it went up.
    pub done: DoneCounts,
    /// Pair mode: the pair asked once more because the item's answers went round in a cycle;
    /// its next decision is recorded with `"via": "cycle"`.
    pub recheck: Option<TaskKey>,
    /// Gold items by position (see [`crate::gold`]), and their ids.
    pub gold: crate::gold::GoldItems,
    pub gold_ids: std::collections::HashSet<String>,
    /// The task on screen is a hidden repeat (see [`Model::repeat_due`]): its decision is
    /// logged as one.
    pub repeat_on_screen: bool,
}

/// A hidden repeat comes back at least this many of the labeler's decisions after the first.
pub const REPEAT_MIN_GAP: usize = 20;

/// Whether a task (by key) is among the share `rate` of `annotator`'s decided tasks that come
/// back as hidden repeats, and how many decisions after the first it is due: 20 to 39, drawn
/// with it, so a repeat is not always the same distance back. Seeded by annotator and task, so
/// resume and reruns agree.
pub fn repeat_draw(annotator: &str, key: &TaskKey, rate: f64) -> Option<usize> {
    let mut h = blake3::Hasher::new_derive_key("prefer hidden repeats v1");
    for p in [
        annotator,
        key.item.as_str(),
        key.kind.name(),
        key.pair.as_ref().map_or("", |p| p.0.as_str()),
        key.pair.as_ref().map_or("", |p| p.1.as_str()),
    ] {
        h.update(&(p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    let b = h.finalize();
    let b = b.as_bytes();
    let u =
        u64::from_le_bytes(b[..8].try_into().expect("8 bytes")) as f64 / (u64::MAX as f64 + 1.0);
    let delay = REPEAT_MIN_GAP + (b[8] as usize % REPEAT_MIN_GAP);
    (u < rate).then_some(delay)
}

/// What a typed line is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Jump,
    Search,
}

/// A line being typed in the footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub kind: InputKind,
    pub text: String,
}

impl std::fmt::Debug for dyn ItemSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ItemSource({} items)", self.len())
    }
}

/// Why a session cannot start: the file gives this mode no task.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoTasks {
    /// Every item has more candidates than the mode takes; `why` says so for the first one.
    #[error("every item is left out in this mode, e.g. {why}")]
    AllLeftOut { why: String },
    #[error("the file has no item that can be labeled")]
    NoItem,
}

/// Everything needed to start a session.
pub struct Setup {
    pub source: Arc<dyn ItemSource>,
    pub file_label: String,
    pub annotator: String,
    pub mode: TaskKind,
    pub scale: u32,
    pub shuffle: bool,
    /// The log replayed (stale decisions included: they are set aside as items are checked).
    pub decisions: Decisions,
    /// Decisions wanted per task across the team (`--overlap`).
    pub overlap: usize,
    pub size: (u16, u16),
    /// The task file (`TaskSpec::default()` without one).
    pub spec: TaskSpec,
    pub keymap: KeyMap,
    pub theme: Theme,
    /// Decision keys within this many ms of a new task appearing are ignored (0: off).
    pub typeahead_guard_ms: u64,
    /// Gold items by position, checked against the file (empty without any).
    pub gold: crate::gold::GoldItems,
}

impl Setup {
    /// A session over `source` with the defaults of `prefer label` without options: no task
    /// file, default keys and theme, overlap 1, scale 5, file order, nothing decided yet. Change
    /// fields with struct update syntax: `Setup { shuffle: true, ..Setup::new(s, "ann", mode) }`.
    pub fn new(source: Arc<dyn ItemSource>, annotator: &str, mode: TaskKind) -> Self {
        Setup {
            source,
            file_label: String::new(),
            annotator: annotator.to_string(),
            mode,
            scale: 5,
            shuffle: false,
            decisions: Decisions::new(),
            overlap: 1,
            size: (80, 24),
            spec: TaskSpec::default(),
            keymap: KeyMap::default(),
            theme: Theme::default(),
            typeahead_guard_ms: DEFAULT_TYPEAHEAD_GUARD_MS,
            gold: Default::default(),
        }
    }
}

pub use crate::tasks::RANK_MAX;

/// Pair mode asks about every pair: an item with N candidates is N(N-1)/2 tasks, 1,225 for 50
/// (hours of work on one prompt), 50 million for 10,000. Beyond this the item is left out and
/// the labeler is sent to rate mode (or `pairs = K` in a task file) instead.
pub const MAX_PAIR_CANDIDATES: usize = 50;

/// The header's pace counts the decisions of the last 30 minutes of active time.
pub const PACE_WINDOW_MS: u64 = 30 * 60 * 1000;
/// The pace is shown once the window holds this many decisions...
pub const PACE_MIN_DECISIONS: usize = 5;
/// ... and the session this much active time.
pub const PACE_MIN_MS: u64 = 3 * 60 * 1000;

impl Model {
    /// What candidate panes show besides the answer: metadata when asked for; their own
    /// earlier turns folded while the prompt is collapsed.
    pub fn show(&self) -> super::content::Show {
        super::content::Show {
            meta: self.show_meta,
            fold_earlier: self.prompt_collapsed,
            raw: false,
            table_col: 0,
        }
    }

    /// What `pane` shows: for a candidate [`Model::show`]; for the prompt only the text. Each
    /// as Markdown rendered, or raw where `R` asked for it.
    pub fn show_of(&self, pane: super::content::PaneId) -> super::content::Show {
        let base = match pane {
            super::content::PaneId::Prompt => super::content::Show::default(),
            super::content::PaneId::Cand(_) => self.show(),
        };
        super::content::Show {
            raw: self.raw_panes.contains(&pane),
            table_col: self.view.table_col.get(&pane).copied().unwrap_or(0),
            ..base
        }
    }

    /// The header's pace: decisions per hour over the last [`PACE_WINDOW_MS`] of active time,
    /// and the time this labeler's share left takes at that pace, as `~1h20m left at 42/h`.
    /// `None` until there is enough to go on ([`PACE_MIN_DECISIONS`] in the window and
    /// [`PACE_MIN_MS`] of active time), and when nothing is left.
    pub fn pace(&self) -> Option<String> {
        let now = self.session_clock.active_ms(self.now_ms);
        let span = now.min(PACE_WINDOW_MS);
        let from = now - span;
        let n = self.decided_at.len() - self.decided_at.partition_point(|&t| t <= from);
        if n < PACE_MIN_DECISIONS || span < PACE_MIN_MS {
            return None;
        }
        let total = self.tasks.len();
        // This labeler's share: the tasks they have not decided; in a team no more than the
        // tasks still short of the overlap (an upper bound: others take some of them).
        let mut left = total.saturating_sub(self.decided_count());
        if !self.team.nobody_else() {
            left = left.min(total.saturating_sub(self.team.full()));
        }
        if left == 0 {
            return None;
        }
        let per_hour = (n as u64 * 3_600_000 + span / 2) / span;
        let mins = (left as u64 * span / n as u64).div_ceil(60_000);
        let time = match mins {
            m if m >= 60 => format!("{}h{:02}m", m / 60, m % 60),
            m => format!("{m}m"),
        };
        Some(format!("~{time} left at {per_hour}/h"))
    }

    /// The display positions of the two panes `d` compares (lower first), while it is on:
    /// pair mode's two; in rank and rate mode the focused pane and the next (the last one:
    /// and the one before).
    pub fn diff_pair(&self) -> Option<(usize, usize)> {
        let n = self.view.order.len();
        if !self.diff || n < 2 {
            return None;
        }
        let p = match self.view.focus {
            Focus::Pane(p) => p,
            Focus::Prompt => self.view.last_pane,
        }
        .min(n - 1);
        Some(if p + 1 < n { (p, p + 1) } else { (p - 1, p) })
    }

    /// The pane scrolled together with `pos` while scrolling is locked: the other of the two
    /// a diff compares, else in pair mode the other pane.
    pub fn locked_to(&self, pos: usize) -> Option<usize> {
        if !self.lock_scroll {
            return None;
        }
        if let Some((a, b)) = self.diff_pair() {
            return (pos == a).then_some(b).or((pos == b).then_some(a));
        }
        (self.keys_mode() == TaskKind::Pair && self.view.order.len() == 2 && pos < 2)
            .then(|| 1 - pos)
    }

    /// The diff side a pane draws, when it is one of the two compared: (its side, 0 = left,
    /// and the diff).
    pub fn diff_side(&self, pos: usize) -> Option<(usize, &super::pair_diff::PairDiff)> {
        let (a, b, d) = self.pair_shown.as_ref()?;
        let side = if pos == *a {
            0
        } else if pos == *b {
            1
        } else {
            return None;
        };
        Some((side, d))
    }

    /// A model opened at the first undecided task (resume). Fails when the source has no
    /// usable task at all.
    pub fn new(s: Setup) -> Result<Self, NoTasks> {
        // Replaced by `go_to` below, before anything reads it.
        let placeholder = TaskView::fresh(Arc::default(), TaskKey::new("", s.mode), Vec::new(), 0);
        let gold_ids = s
            .gold
            .by_item
            .keys()
            .filter_map(|&i| s.source.id(i))
            .collect();
        let mut m = Model {
            source: s.source,
            file_label: s.file_label,
            annotator: s.annotator,
            mode: s.mode,
            scale: s.scale,
            shuffle: s.shuffle,
            tasks: Tasks::new(s.mode)
                .with_sample(match s.spec.pairs {
                    PairSelection::Sample(k) => Some(k),
                    PairSelection::All => None,
                })
                .with_tuple(s.spec.tuple),
            keymap: s.keymap,
            decisions: s.decisions,
            current: 0,
            view: placeholder,
            size: s.size,
            overlay: Overlay::None,
            help_scroll: 0,
            show_meta: false,
            raw_panes: Default::default(),
            diff: false,
            pair_shown: None,
            lock_scroll: true,
            zoom: false,
            prompt_collapsed: false,
            save: SaveState::Idle,
            unsaved: BTreeMap::new(),
            in_flight: None,
            server: None,
            handed: None,
            next_seq: 1,
            session_decisions: 0,
            decided_at: Vec::new(),
            now_ms: 0,
            clock: TaskClock::default(),
            session_clock: TaskClock::default(),
            guard: TypeaheadGuard::new(s.typeahead_guard_ms),
            status: None,
            warning: None,
            quit: false,
            wrap: WrapCache::default(),
            pairs: Default::default(),
            stale: 0,
            too_many: 0,
            first_left_out: None,
            progress: None,
            team: Team::new(s.overlap, s.mode),
            review: None,
            input: None,
            last_search: None,
            show_matches: false,
            search_at: None,
            spec: s.spec,
            theme: s.theme,
            editor: None,
            pending: None,
            candidate_edit: None,
            guide_scroll: 0,
            rushed: 0,
            touched: false,
            undo: UndoScope::default(),
            next_steps: Vec::new(),
            awaiting: false,
            nothing_left: None,
            extras: Default::default(),
            done: DoneCounts::default(),
            recheck: None,
            gold_ids,
            repeat_on_screen: false,
            gold: s.gold,
        };
        // Nobody else's decisions are known yet: each of mine is one task's only decision.
        let mine = m.decisions.decided_count_of(m.team.kind);
        m.team.mine_at_start(mine);
        m.sync_tasks();
        if m.tasks.is_empty() {
            return Err(match m.first_left_out.take() {
                Some(why) => NoTasks::AllLeftOut { why },
                None => NoTasks::NoItem,
            });
        }
        let first_open = m.resume_point();
        m.go_to(first_open.unwrap_or(0));
        if first_open.is_none() && m.checking_done() {
            m.show_done();
        }
        Ok(m)
    }

    /// Takes in the items the source has checked since the last call: adds their tasks, and
    /// sets aside logged decisions made on an earlier version of an item (its `item_hash`
    /// differs), which opens those tasks again.
    pub fn sync_tasks(&mut self) {
        // Progress first, then the records: a source that finishes between the two calls is
        // then seen as still reading (and synced again at the next tick), never as done with
        // only the records counted before it finished.
        let progress = self.source.progress();
        while self.tasks.scanned() < self.source.len() {
            let pos = self.tasks.scanned();
            let mut count = self.source.candidate_count(pos);
            if let Some(why) = count.and_then(|n| self.too_many_for_mode(pos, n)) {
                self.too_many += 1;
                self.first_left_out.get_or_insert(why);
                count = None;
            }
            // The item is parsed only when one of its decisions may be stale (the hash is
            // known without parsing: a big file's checker kept it).
            if count.is_some()
                && let Some(id) = self.source.id(pos)
                && self.decisions.has_item(&id)
                && let Some(hash) = self.source.hash(pos)
                && self.decisions.item_may_be_stale(&id, &hash)
                && let Ok(item) = self.source.item(pos)
            {
                for key in item_keys(&item, self.mode, self.tasks.sample(), self.tasks.tuple()) {
                    if self.decisions.is_stale(&key, &item.hash) {
                        let was = self.decisions.is_decided(&key);
                        self.decisions.forget(&key);
                        self.team.mine_changed(&key, was, false);
                        self.stale += 1;
                    }
                }
            }
            self.tasks.push(count);
        }
        self.progress = progress;
    }

    /// Waits for a big file's checker to bring records the tasks have not taken in yet, and
    /// takes them in ([`Model::sync_tasks`]); false, without waiting, once checking is over.
    pub fn take_more_tasks(&mut self) -> bool {
        if self.checking_done() {
            return false;
        }
        let checked = self.source.len();
        if self.tasks.scanned() >= checked {
            self.source.wait_checked(checked);
        }
        self.sync_tasks();
        true
    }

    /// Why an item with `n` candidates cannot be labeled in this mode, if it cannot: rank mode
    /// has one key per candidate; pair mode would ask N(N-1)/2 questions about one prompt.
    fn too_many_for_mode(&self, pos: usize, n: usize) -> Option<String> {
        if self.sorting() {
            return match n {
                0 | 1 => Some(format!(
                    "item {} has {n} candidate{}: sort mode compares two at a time",
                    pos + 1,
                    if n == 1 { "" } else { "s" }
                )),
                _ if n > MAX_PAIR_CANDIDATES => Some(format!(
                    "item {} has {n} candidates; sort mode takes at most {MAX_PAIR_CANDIDATES} - use --mode rate, or split the item",
                    pos + 1
                )),
                _ => None,
            };
        }
        if self.mode == TaskKind::BestWorst {
            return match n {
                0..=2 => Some(format!(
                    "item {} has {n} candidate{}: best-worst mode needs 3 or more - label such items with --mode pair",
                    pos + 1,
                    if n == 1 { "" } else { "s" }
                )),
                _ if n > RANK_MAX && self.tasks.tuple().is_none() => Some(format!(
                    "item {} has {n} candidates; best-worst mode shows at most {RANK_MAX} at a time (one key each) - use a task file with `tuple = K`",
                    pos + 1
                )),
                _ => None,
            };
        }
        let limit = match self.mode {
            TaskKind::Rank => RANK_MAX,
            TaskKind::Pair if self.tasks.sample().is_none() => MAX_PAIR_CANDIDATES,
            _ => return None,
        };
        if n <= limit {
            // The common case: no record is read again (for a big file, that would mean
            // parsing every item on the UI thread).
            return None;
        }
        let (line, id) = match self.source.item(pos) {
            Ok(it) => (it.line, crate::tui::content::one_line(&it.id)),
            Err(_) => (0, String::new()),
        };
        match self.mode {
            TaskKind::Rank if n > RANK_MAX => Some(format!(
                "line {line}: item \"{id}\" has {n} candidates; rank mode takes at most {RANK_MAX} (one key each) - use {}, or split the item",
                if n <= MAX_PAIR_CANDIDATES {
                    "--mode pair or --mode rate"
                } else {
                    "--mode rate"
                }
            )),
            TaskKind::Pair if n > MAX_PAIR_CANDIDATES && self.tasks.sample().is_none() => {
                Some(format!(
                    "line {line}: item \"{id}\" has {n} candidates: {} pair tasks for one prompt; pair mode takes at most {MAX_PAIR_CANDIDATES} candidates per item ({} pairs) - use --mode rate, a task file with `pairs = K`, or split the item",
                    n * (n - 1) / 2,
                    MAX_PAIR_CANDIDATES * (MAX_PAIR_CANDIDATES - 1) / 2
                ))
            }
            _ => None,
        }
    }

    /// True while there is work to do beside the screen when no key comes: review's list has
    /// tasks to look at (the loop sends [`super::update::Msg::Idle`] for it).
    pub fn background_work(&self) -> bool {
        self.review
            .as_ref()
            .is_some_and(|r| r.behind(self.tasks.len()))
    }

    /// True when the source has checked every record.
    pub fn checking_done(&self) -> bool {
        self.progress.is_none_or(|p| p.checking_done)
    }

    /// Task `i` and its item.
    pub fn task_at(&self, i: usize) -> Option<(Task, Arc<Item>)> {
        if i >= self.tasks.len() {
            return None;
        }
        let (pos, _) = self.tasks.locate(i);
        let item = self.source.item(pos).ok()?;
        let task = self.tasks.task(i, &item, &self.annotator, self.shuffle);
        Some((task, item))
    }

    pub fn key_of(&self, i: usize) -> Option<TaskKey> {
        let tuples = self.mode == TaskKind::BestWorst && self.tasks.tuple().is_some();
        if self.mode != TaskKind::Pair && !tuples && i < self.tasks.len() {
            // One task per item: the id is enough, no need to parse the record again.
            let (pos, _) = self.tasks.locate(i);
            return self.source.id(pos).map(|id| TaskKey::new(&id, self.mode));
        }
        if i >= self.tasks.len() {
            return None;
        }
        let (pos, _) = self.tasks.locate(i);
        let item = self.source.item(pos).ok()?;
        if self.mode == TaskKind::BestWorst {
            let task = self.tasks.task(i, &item, &self.annotator, self.shuffle);
            return Some(task_key(&item, self.mode, &task));
        }
        let (a, b) = self.tasks.pair_of(i, &item);
        Some(TaskKey::pair(
            &item.id,
            &item.candidates[a].id,
            &item.candidates[b].id,
        ))
    }

    /// The task with this key, if it is in this session's list.
    pub fn task_of(&self, key: &TaskKey) -> Option<usize> {
        let pos =
            (0..self.tasks.scanned()).find(|&p| self.source.id(p).as_deref() == Some(&key.item))?;
        let first = self.tasks.first_of(pos)?;
        if self.sorting() {
            // One task per item; its pair questions belong to it too.
            return Some(first);
        }
        let n = self.source.candidate_count(pos)?;
        let count = match self.mode {
            TaskKind::Pair => {
                let all = n * n.saturating_sub(1) / 2;
                self.tasks.sample().map_or(all, |k| k.min(all))
            }
            TaskKind::BestWorst => crate::tasks::tuple_count(n, self.tasks.tuple()),
            _ => 1,
        };
        (first..first + count).find(|&i| self.key_of(i).as_ref() == Some(key))
    }

    /// The first task of the item with this id, if it is among the tasks known.
    pub fn first_task_of_item(&self, item: &str) -> Option<usize> {
        let pos =
            (0..self.tasks.scanned()).find(|&p| self.source.id(p).as_deref() == Some(item))?;
        self.tasks.first_of(pos)
    }

    /// Every standing edit of the item's candidates, the team's and this labeler's, as
    /// (annotator, source, text): what review shows under each candidate.
    pub fn edits_on(&self, item: &Item) -> Vec<(String, String, String)> {
        let mine = std::iter::once((self.annotator.as_str(), &self.decisions));
        let all = self
            .team
            .others()
            .iter()
            .map(|(n, d)| (n.as_str(), d))
            .chain(mine);
        let mut out = Vec::new();
        for (who, d) in all {
            for c in &item.candidates {
                if let Some(e) = d.get(&TaskKey::edit(&item.id, &c.id))
                    && let (true, Some(text)) = (e.is_decision(), &e.text)
                {
                    out.push((who.to_string(), c.id.clone(), text.clone()));
                }
            }
        }
        out
    }

    /// This labeler's standing edit of candidate `source` of the item on screen (one made on
    /// an earlier version of the item is stale: export leaves it out, and so does this).
    pub fn my_edit_of(&self, source: &str) -> Option<&Event> {
        let item = &self.view.item;
        self.decisions
            .get(&TaskKey::edit(&item.id, source))
            .filter(|e| e.task == TaskKind::Edit && e.is_decision())
            .filter(|e| e.item_hash.as_ref().is_none_or(|h| *h == item.hash))
    }

    /// Gold items are served at the task file's `gold_rate` (labeling only, not review).
    pub fn gold_mixing(&self) -> bool {
        self.review.is_none() && self.spec.gold_rate > 0.0 && !self.gold.is_empty()
    }

    /// Task `i` is about a gold item.
    pub fn is_gold_task(&self, i: usize) -> bool {
        !self.gold.is_empty() && i < self.tasks.len() && self.gold.contains(self.tasks.locate(i).0)
    }

    /// Whether the next task should be a gold one: the k-th gold task (from 0) is due once the
    /// labeler has decided `floor((k + u) / gold_rate)` tasks, `u` in [0, 1) drawn per labeler
    /// and k, so gold comes at the rate asked for but at no fixed spacing a labeler could learn.
    pub fn gold_due(&self) -> bool {
        let (mut gold, mut all) = (0usize, 0usize);
        for e in self.decisions.iter() {
            if e.is_decision() && e.task == self.mode {
                all += 1;
                gold += usize::from(self.gold_ids.contains(&e.item));
            }
        }
        let h = blake3::hash(format!("gold\0{}\0{gold}", self.annotator).as_bytes());
        let u = u64::from_le_bytes(h.as_bytes()[..8].try_into().expect("8 bytes")) as f64
            / (u64::MAX as f64 + 1.0);
        all as f64 >= ((gold as f64 + u) / self.spec.gold_rate).floor()
    }

    /// The task to show again as a hidden repeat, if one is due: of this labeler's decided
    /// tasks drawn for a repeat ([`repeat_draw`]) and not yet repeated (or skipped as a
    /// repeat), the oldest whose delay has passed. Labeling only (not review, not sort mode).
    /// Worked out from the log alone, so a resumed session serves the same repeats.
    pub fn repeat_due(&self) -> Option<usize> {
        if self.spec.repeat <= 0.0 || self.review.is_some() || self.sorting() {
            return None;
        }
        let order = self.decisions.decided_in_order(self.mode);
        let n = order.len();
        for (p, key) in order.iter().enumerate() {
            let after = n - 1 - p;
            if after < REPEAT_MIN_GAP {
                break;
            }
            if repeat_draw(&self.annotator, key, self.spec.repeat).is_some_and(|d| after >= d)
                && self.decisions.repeat_of(key).is_none()
                && let Some(i) = self.task_of(key)
            {
                return Some(i);
            }
        }
        None
    }

    /// Shows task `i` as a hidden repeat: as a fresh task (its recorded decision not filled
    /// in), with the sides of a pair (or the order of the candidates) the other way round.
    pub fn go_to_repeat(&mut self, i: usize) {
        self.go_to(i);
        let mut order = self.view.order.clone();
        order.reverse();
        self.view = TaskView::fresh(
            Arc::clone(&self.view.item),
            self.view.key.clone(),
            order,
            self.spec.rate.aspects.len(),
        );
        self.repeat_on_screen = true;
    }

    /// Open for this labeler: not decided or skipped by them, and fewer than `overlap` others
    /// decided it. A gold task is open to everyone who has not decided it: the overlap does not
    /// apply to checks.
    fn is_open(&self, i: usize) -> bool {
        if let Some(h) = &self.handed {
            return self.key_of(i).is_some_and(|k| {
                let pair = k.pair.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
                h.holds(&k) && !self.decisions.has(&k.item, k.kind, pair)
            });
        }
        if self.gold_mixing() && self.is_gold_task(i) {
            return self.key_of(i).is_some_and(|k| {
                let pair = k.pair.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
                !self.decisions.has(&k.item, k.kind, pair)
            });
        }
        if self.mode == TaskKind::Pair && self.team.nobody_else() && i < self.tasks.len() {
            // Resume walks up to a million of these: look the pair up without building its key.
            let (pos, _) = self.tasks.locate(i);
            let Ok(item) = self.source.item(pos) else {
                return false;
            };
            let (a, b) = self.tasks.pair_of(i, &item);
            let pair = (
                item.candidates[a].id.as_str(),
                item.candidates[b].id.as_str(),
            );
            return !self.decisions.has(&item.id, TaskKind::Pair, Some(pair));
        }
        self.key_of(i).is_some_and(|k| {
            let pair = k.pair.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
            !self.decisions.has(&k.item, k.kind, pair) && self.team.wants(&k)
        })
    }

    /// Applies one of this labeler's own events, keeping the team's counts right.
    pub fn apply_mine(&mut self, ev: Event) {
        let key = ev.key();
        let before = self.decisions.is_decided(&key);
        self.decisions.apply(ev);
        let after = self.decisions.is_decided(&key);
        self.team.mine_changed(&key, before, after);
    }

    /// Takes in the other annotators' logs as they were at the start.
    pub fn add_others(&mut self, mut start: super::others::OthersAtStart) {
        if let Some((_, counts)) = start.counted.take().filter(|(k, _)| *k == self.team.kind) {
            self.team
                .add_counted(start.replayed, counts, &self.decisions);
            self.apply_others(start.events);
            return;
        }
        self.team.reserve(
            start
                .replayed
                .values()
                .map(|d| d.decided_count_of(self.team.kind))
                .sum(),
        );
        for (name, theirs) in start.replayed {
            self.team.add_replayed(name, theirs, &self.decisions);
        }
        self.apply_others(start.events);
    }

    /// Applies events read from the other annotators' logs.
    pub fn apply_others(&mut self, events: Vec<Event>) {
        for ev in events {
            let mine = self.decisions.is_decided(&ev.key());
            self.team.apply_other(ev, mine);
        }
    }

    /// Where a session opens: the first open task after this labeler's last decision (or skip)
    /// that still stands, wrapping; from the first task when there is none (or it is not among
    /// the tasks known yet).
    pub fn resume_point(&mut self) -> Option<usize> {
        let n = self.tasks.len();
        let last = self.decisions.last().map(Event::key);
        if let Some(k) = last.as_ref().filter(|k| k.kind == TaskKind::Edit) {
            // An edit is made on a task before (or after) deciding it: back to that item's
            // first open task.
            let from = self.first_task_of_item(&k.item).unwrap_or(0);
            return self.first_open_from(from);
        }
        // Sort mode: a question answered last leaves its item mid-sort, to go on with.
        let mid_sort = self.sorting() && last.as_ref().is_some_and(|k| k.kind == TaskKind::Pair);
        let after = last.and_then(|k| self.task_of(&k));
        let step = if mid_sort { 0 } else { 1 };
        self.first_open_from(after.map_or(0, |i| (i + step) % n.max(1)))
    }

    /// The first task from `from` on (wrapping) that is neither decided nor skipped. With
    /// gold mixed in, a gold task when one is due (else an ordinary one), an ordinary one
    /// otherwise: gold tasks are not served once the ordinary ones are done.
    pub fn first_open_from(&self, from: usize) -> Option<usize> {
        if self.handed.is_some() {
            return self.first_handed_from(from);
        }
        let n = self.tasks.len();
        let mut order = (0..n).map(|k| (from + k) % n);
        if !self.gold_mixing() {
            return order.find(|&i| self.is_open(i));
        }
        let pick = |gold: bool| {
            (0..n)
                .map(|k| (from + k) % n)
                .find(|&i| self.is_gold_task(i) == gold && self.is_open(i))
        };
        if self.gold_due() {
            pick(true).or_else(|| pick(false))
        } else {
            // Gold comes only between ordinary tasks; a file of nothing but gold items has
            // none, and is served whole (a training round) rather than not at all.
            pick(false).or_else(|| {
                (0..n)
                    .all(|i| self.is_gold_task(i))
                    .then(|| pick(true))
                    .flatten()
            })
        }
    }

    /// With a store: the first open task handed to this labeler from `from` on (wrapping).
    fn first_handed_from(&self, from: usize) -> Option<usize> {
        let h = self.handed.as_ref()?;
        let n = self.tasks.len().max(1);
        h.tasks
            .iter()
            .chain(&h.reopened)
            .filter(|k| {
                let pair = k.pair.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
                !self.decisions.has(&k.item, k.kind, pair)
            })
            .filter_map(|k| self.task_of(k))
            .min_by_key(|&i| (i + n - from % n) % n)
    }

    /// The first task in `range` (no wrapping) that is neither decided nor skipped.
    pub fn first_open_in(&self, range: std::ops::Range<usize>) -> Option<usize> {
        range.into_iter().find(|&i| self.is_open(i))
    }

    /// The first skipped task from `from` on (wrapping).
    pub fn first_skipped_from(&self, from: usize) -> Option<usize> {
        let n = self.tasks.len();
        (0..n).map(|k| (from + k) % n).find(|&i| {
            self.key_of(i)
                .is_some_and(|k| self.decisions.is_skipped(&k))
        })
    }

    /// Number of tasks open for this labeler. It looks at every task (in pair mode, through
    /// the items of a lazy source): never from a view.
    pub fn open_count(&self) -> usize {
        (0..self.tasks.len()).filter(|&i| self.is_open(i)).count()
    }

    /// Number of decided tasks among the tasks of this file and mode.
    pub fn decided_count(&self) -> usize {
        self.decisions.decided_count_of(self.mode)
    }

    /// Shows task `i`, with its recorded decision if it has one.
    pub fn go_to(&mut self, i: usize) {
        self.repeat_on_screen = false;
        let i = i.min(self.tasks.len().saturating_sub(1));
        let Some((task, item)) = self.task_at(i) else {
            self.status = Some(format!("task {} cannot be read", i + 1));
            return;
        };
        let key = task_key(&item, self.mode, &task);
        let item = match self.review.is_some().then(|| self.edits_on(&item)) {
            Some(edits) if !edits.is_empty() => {
                Arc::new(super::edit_diff::with_edits(&item, &edits))
            }
            _ => item,
        };
        let order = match task.pair {
            Some((l, r)) => vec![l as usize, r as usize],
            None if self.mode == TaskKind::BestWorst => {
                // The tuple's candidates, in the labeler's display order.
                let tuple = task.tuple_of(&item);
                display_order(&item, &self.annotator, self.shuffle)
                    .into_iter()
                    .filter(|c| tuple.contains(c))
                    .collect()
            }
            None => display_order(&item, &self.annotator, self.shuffle),
        };
        let mut v = TaskView::fresh(Arc::clone(&item), key, order, self.spec.rate.aspects.len());
        if let Some(ev) = self.decisions.get(&v.key) {
            v.fill_from(ev, &self.spec.rate.aspects);
            if ev.ratings.is_some()
                && let Some(r) = v.draft.rate_mut()
            {
                r.recorded_scale = ev
                    .scale
                    .or(Some(crate::rating_scale::DEFAULT))
                    .filter(|&k| k != self.scale);
            }
        }
        if self.sorting() {
            self.sort_view(&mut v);
        }
        // Review shows edits inside the candidates' texts (same id and hash): their lengths
        // tell the two apart.
        let lengths = |it: &Item| {
            it.candidates
                .iter()
                .map(|c| c.text.len())
                .collect::<Vec<_>>()
        };
        if self.view.item.id != v.item.id
            || self.view.item.hash != v.item.hash
            || lengths(&self.view.item) != lengths(&v.item)
        {
            self.wrap.clear();
            self.pairs.clear();
        }
        self.current = i;
        self.view = v;
        self.clock = TaskClock::start(self.now_ms);
    }

    /// The latest decision or skip this session's undo may take back: on a task of its mode
    /// (with its edits, and a sort's pair questions), not one of the labeler's decisions in
    /// another mode of the same file, which this session does not show.
    pub fn last_undoable(&mut self) -> Option<Event> {
        let mut kinds = vec![self.mode, TaskKind::Edit];
        if self.sorting() {
            kinds.push(TaskKind::Pair);
        }
        self.decisions.last_of(&kinds).cloned()
    }

    /// Sort mode: labeling rank tasks by pair questions (never in review, which shows the
    /// rankings themselves).
    pub fn sorting(&self) -> bool {
        self.spec.sort && self.mode == TaskKind::Rank && self.review.is_none()
    }

    /// The mode whose keys, help and screen apply: pair while sorting.
    pub fn keys_mode(&self) -> TaskKind {
        if self.sorting() {
            TaskKind::Pair
        } else {
            self.mode
        }
    }

    /// The mode's name as the labeler chose it.
    pub fn mode_name(&self) -> &'static str {
        if self.sorting() {
            "sort"
        } else {
            self.mode.name()
        }
    }

    /// This labeler's standing answer about candidates `a` and `b` of `item`, if any.
    fn sort_answer(&self, item: &Item, a: usize, b: usize) -> Option<Answer> {
        let key = TaskKey::pair(&item.id, &item.candidates[a].id, &item.candidates[b].id);
        let ev = self.decisions.get(&key).filter(|e| e.is_decision())?;
        match ev.choice.as_deref()? {
            "tie" => Some(Answer::Tie),
            "both_bad" => Some(Answer::BothBad),
            c => item
                .candidate_index(c)
                .filter(|&w| w == a || w == b)
                .map(Answer::Better),
        }
    }

    /// Sort mode with `verify`: the next check of the item's recorded ranking, if one is left
    /// (an inferred pair not answered yet, or answered against the ranking once).
    pub fn verify_check(&self, item: &Item, sorter: &Sorter) -> Option<Check> {
        if self.spec.verify <= 0.0 {
            return None;
        }
        let ranking = sorter.ranking()?;
        if !self
            .decisions
            .is_decided(&TaskKey::new(&item.id, TaskKind::Rank))
        {
            return None;
        }
        let id = |c: usize| item.candidates[c].id.as_str();
        let pairs =
            crate::sort::verify_pairs(&ranking, sorter.asked(), self.spec.verify, |a, b| {
                crate::tasks::pair_seed(&item.id, id(a), id(b))
            });
        for (k, &(better, worse)) in pairs.iter().enumerate() {
            let key = TaskKey::pair(&item.id, id(better), id(worse));
            let again = match self.decisions.get(&key).filter(|e| e.is_decision()) {
                None => false,
                Some(e)
                    if e.via.as_deref() == Some(crate::labels::VIA_VERIFY)
                        && e.choice.as_deref() == Some(id(worse)) =>
                {
                    true
                }
                Some(_) => continue,
            };
            return Some(Check {
                number: k + 1,
                of: pairs.len(),
                again,
                better,
                worse,
            });
        }
        None
    }

    /// Sort mode: the item's display order and its sort as far as the recorded answers go.
    pub fn sort_of(&self, item: &Item) -> (Vec<usize>, Sorter) {
        let shown = display_order(item, &self.annotator, self.shuffle);
        let sorter = Sorter::replay(shown.clone(), |a, b| self.sort_answer(item, a, b));
        (shown, sorter)
    }

    /// Sort mode: the item's sort rebuilt from the recorded answers, its question on screen as
    /// a pair. A complete sort whose ranking stands shows its last question with the answer
    /// given; one whose ranking was not recorded (a crash between the two writes) asks its
    /// last question again, so answering it records the ranking.
    fn sort_view(&self, v: &mut TaskView) {
        let item = Arc::clone(&v.item);
        let (shown, mut sorter) = self.sort_of(&item);
        let ranked = self.decisions.is_decided(&v.key);
        if sorter.is_complete() && !ranked && !sorter.asked().is_empty() {
            let mut left = sorter.asked().len() - 1;
            sorter = Sorter::replay(shown.clone(), |a, b| {
                let known = (left > 0).then(|| self.sort_answer(&item, a, b)).flatten();
                left = left.saturating_sub(1);
                known
            });
        }
        let check = (sorter.is_complete() && ranked)
            .then(|| self.verify_check(&item, &sorter))
            .flatten();
        let question = match &check {
            Some(c) => (c.better, c.worse),
            None => sorter
                .question()
                .or_else(|| sorter.asked().last().map(|&(x, y, _)| (x, y)))
                .unwrap_or((shown[0], shown.get(1).copied().unwrap_or(shown[0]))),
        };
        let (l, r) = sides(&item, &self.annotator, question.0, question.1, self.shuffle);
        // A check shows its pair the other way round from a question's sides.
        let (l, r) = if check.is_some() { (r, l) } else { (l, r) };
        v.order = vec![l, r];
        v.scroll = vec![usize::MAX; 2];
        let mut pair = PairDraft::default();
        if sorter.is_complete() && check.is_none() {
            let key = TaskKey::pair(&item.id, &item.candidates[l].id, &item.candidates[r].id);
            if let Some(ev) = self.decisions.get(&key) {
                pair.choice = ev.choice.clone();
                pair.strength = ev.strength;
            }
        }
        v.draft = Draft::Pair(pair);
        v.sort = Some(SortView {
            sorter,
            shown,
            question,
            check,
        });
    }

    /// Pair mode, after a decision on `item`: when every pair of it is decided and the strict
    /// answers go round in a cycle, the weakest pair of the cycle (lowest strength, then the
    /// quickest decision) and the cycle as ids, unless that pair was asked once more already.
    pub fn cycle_to_recheck(&self, item: &Item) -> Option<(TaskKey, Vec<String>)> {
        let keys = item_keys(item, TaskKind::Pair, self.tasks.sample(), None);
        let mut edges = Vec::new();
        let mut events = Vec::new();
        for k in &keys {
            let ev = self.decisions.get(k).filter(|e| e.is_decision())?;
            let Some((a, b)) = k.pair.as_ref() else {
                continue;
            };
            let (ia, ib) = (item.candidate_index(a)?, item.candidate_index(b)?);
            match ev.choice.as_deref() {
                Some(c) if c == a => edges.push((ia, ib)),
                Some(c) if c == b => edges.push((ib, ia)),
                _ => {}
            }
            events.push(((ia.min(ib), ia.max(ib)), ev));
        }
        let cycle = crate::cycles::find_cycle(item.candidates.len(), &edges)?;
        let weakest = crate::cycles::cycle_edges(&cycle)
            .into_iter()
            .filter_map(|(w, l)| {
                let (_, ev) = events.iter().find(|(p, _)| *p == (w.min(l), w.max(l)))?;
                Some(((ev.strength.unwrap_or(0), ev.ms.unwrap_or(0)), (w, l), *ev))
            })
            .min_by_key(|x| x.0)?;
        if weakest.2.via.as_deref() == Some(crate::labels::VIA_CYCLE) {
            return None;
        }
        let (w, l) = weakest.1;
        let key = TaskKey::pair(&item.id, &item.candidates[w].id, &item.candidates[l].id);
        let ids = cycle
            .iter()
            .map(|&c| item.candidates[c].id.clone())
            .collect();
        Some((key, ids))
    }

    /// Number of candidates placed in the ranking being built (0 outside rank mode).
    pub fn ranked_count(&self) -> usize {
        self.view.draft.rank().map_or(0, |r| r.placed())
    }

    /// How many candidates a ranking needs: all, or the task file's `top`.
    pub fn rank_target(&self) -> usize {
        let n = self.view.order.len();
        self.spec.rank.top.map_or(n, |k| k.min(n))
    }

    /// Rank of display position `pos` (1-based tier number), if placed.
    pub fn rank_of(&self, pos: usize) -> Option<usize> {
        self.view.draft.rank()?.rank_of(pos)
    }

    /// Nothing is left for this labeler (no task is open: the callers have just looked): the
    /// summary goes up with its counts, and the clocks stop. While it is up no task opens (one
    /// that does closes it), so the counts stay true until it closes.
    pub fn show_done(&mut self) {
        let total = self.tasks.len();
        let decided = self.decided_count();
        let skipped = self
            .decisions
            .iter()
            .filter(|e| e.skip && e.task == self.mode)
            .count();
        // Gold tasks held back are neither this labeler's nor done by others.
        let gold_held = if self.gold_mixing() {
            (0..total)
                .filter(|&i| self.is_gold_task(i))
                .filter(|&i| {
                    self.key_of(i).is_some_and(|k| {
                        let pair = k.pair.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
                        !self.decisions.has(&k.item, k.kind, pair)
                    })
                })
                .count()
        } else {
            0
        };
        self.done = DoneCounts {
            total,
            decided,
            skipped,
            taken: total.saturating_sub(decided + skipped + gold_held),
            gold_held,
        };
        self.overlay = Overlay::Done;
        self.clock.stop(self.now_ms);
        self.session_clock.stop(self.now_ms);
    }

    /// The summary is closed (or more work came): the session's clock goes on.
    pub fn close_done(&mut self) {
        if matches!(self.overlay, Overlay::Done | Overlay::NothingLeft) {
            self.overlay = Overlay::None;
        }
        self.session_clock.resume(self.now_ms);
    }

    /// The search text to mark on screen, if any.
    pub fn marked_search(&self) -> Option<&str> {
        self.last_search.as_deref().filter(|_| self.show_matches)
    }

    /// Active milliseconds spent on the current task so far (idle minutes left out).
    pub fn task_ms(&self) -> u64 {
        self.clock.active_ms(self.now_ms)
    }

    /// Wall-clock milliseconds since the current task was shown.
    pub fn task_wall_ms(&self) -> u64 {
        self.clock.wall_ms(self.now_ms)
    }
}
