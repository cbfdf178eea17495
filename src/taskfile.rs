//! The task file a team lead hands every labeler (`prefer label FILE --task task.toml`): mode
//! and its options, flags, rationale, guidelines, overlap, pair sampling. Strict TOML: an
//! unknown key, a wrong type or an option that does not fit the mode is an error naming the
//! file, the line and the key. [`TaskSpec::default`] is what `prefer label` does without one.

use std::collections::HashSet;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use toml::Spanned;

use crate::diag::{describe_toml_error, line_of};
use crate::key::{FlagKey, KEY_FORMS, Key, Taken, taken};
use crate::labels::TaskKind;
use crate::tasks::RANK_MAX;
use crate::text::sanitize;

/// What a task asks of the labeler. Plain data; the labeling screen reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskSpec {
    /// `None`: `--mode` or the file decides (pair when every item has two candidates).
    pub mode: Option<TaskKind>,
    /// Sort mode (`mode = "sort"`, or `--mode sort`): `mode` is rank, and the ranking is built
    /// from pair questions chosen by binary insertion (see [`crate::sort`]).
    pub sort: bool,
    /// Pair mode: when all of an item's pairs are decided and the answers go round in a cycle,
    /// ask its weakest pair once more (`check_cycles = false` turns it off).
    pub check_cycles: bool,
    /// Pair mode: after `a`/`b`, one more key (1-4) says how much better.
    pub strength: Option<Strength>,
    pub rate: RateSpec,
    pub rank: RankSpec,
    /// Per-candidate flags, in file order (`Action::Flag(i)` is `flags[i]`).
    pub flags: Vec<FlagKey>,
    pub rationale: RationaleMode,
    pub guidelines: Option<Guidelines>,
    /// How many labelers should see each item.
    pub overlap: u32,
    /// Show candidates in a stable per-labeler shuffle (false: file order).
    pub shuffle: bool,
    /// Pair mode with more than two candidates: every pair, or K sampled pairs per item.
    pub pairs: PairSelection,
    /// Warn when a decision comes faster than this many seconds.
    pub min_seconds: Option<f64>,
    /// Decision keys within this many ms of a new task appearing are ignored.
    pub typeahead_guard_ms: Option<u64>,
    /// Export: which answers an edited answer is preferred over.
    pub edit_beats: EditBeats,
    /// Gold answers from the file `gold = "..."` names (items may carry their own `gold`
    /// field besides).
    pub gold: Option<GoldFile>,
    /// Share of each labeler's queue served from the gold items (0: gold items are ordinary
    /// tasks in file order).
    pub gold_rate: f64,
    /// After a missed gold item, show the expected answer and its reason.
    pub gold_feedback: bool,
    /// Hidden repeats: the share of each labeler's decided tasks shown to them again later
    /// (at least 20 decisions on), sides or order swapped (0: none).
    pub repeat: f64,
    /// Quality thresholds: `prefer stats` marks annotators who fall short.
    pub qa: Qa,
    /// Best-worst mode: `tuple = K` shows K of an item's candidates at a time (see
    /// [`crate::tasks::tuples`]); `None`, all at once.
    pub tuple: Option<usize>,
    /// Best-worst mode's `[best-worst] margins = [best over worst, best or worst against one
    /// between]`: the `margin` export writes on its pairs (none without).
    pub best_worst_margins: Option<[f64; 2]>,
    /// Sort mode's `verify = share`: that share of each ranking's inferred pairs is asked
    /// again once the ranking is recorded (0: none).
    pub verify: f64,
}

/// A task file's gold file, read when the task file is loaded (its item and candidate ids are
/// checked against the candidate file later: [`crate::gold::resolve`]).
#[derive(Debug, Clone, PartialEq)]
pub struct GoldFile {
    pub path: PathBuf,
    pub entries: Vec<(String, crate::gold::Gold)>,
}

/// `[qa]`: the thresholds `prefer stats` marks annotators by (`None`: that figure marks
/// nobody).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Qa {
    /// Gold accuracy below this (with at least `min_gold_count` gold decisions).
    pub min_gold_accuracy: Option<f64>,
    pub min_gold_count: usize,
    /// Position bias whose binomial test gives p below this.
    pub max_position_bias_p: Option<f64>,
    /// Cohen's kappa against the majority of the others below this.
    pub min_kappa: Option<f64>,
    /// Dawid-Skene reliability below this.
    pub min_reliability: Option<f64>,
    /// Share of items with a cycle above this.
    pub max_cycle_share: Option<f64>,
    /// Self-agreement on hidden repeats below this (with at least `min_repeat_count` repeats).
    pub min_self_agreement: Option<f64>,
    /// Share of hidden repeats answered on the same side (or positions) as the first time,
    /// the answer changing with it, above this: answers follow the position, not the content.
    pub max_same_position: Option<f64>,
    pub min_repeat_count: usize,
}

impl Default for Qa {
    fn default() -> Self {
        Qa {
            min_gold_accuracy: Some(0.8),
            min_gold_count: 5,
            max_position_bias_p: Some(0.01),
            min_kappa: Some(0.2),
            min_reliability: Some(0.6),
            max_cycle_share: Some(0.25),
            min_self_agreement: Some(0.7),
            max_same_position: Some(0.75),
            min_repeat_count: 5,
        }
    }
}

/// Which answers an edited answer is preferred over in an export (`edit_beats` in a task file,
/// `prefer export --edit-beats`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum EditBeats {
    /// Only the answer it was edited from.
    Source,
    /// The answer it was edited from, and every answer the editor judged that one better than
    /// or as good as.
    #[default]
    AllBelowSource,
}

impl Default for TaskSpec {
    fn default() -> Self {
        TaskSpec {
            mode: None,
            sort: false,
            check_cycles: true,
            strength: None,
            rate: RateSpec::default(),
            rank: RankSpec::default(),
            flags: Vec::new(),
            rationale: RationaleMode::Off,
            guidelines: None,
            overlap: 1,
            shuffle: true,
            pairs: PairSelection::All,
            tuple: None,
            best_worst_margins: None,
            verify: 0.0,
            min_seconds: None,
            typeahead_guard_ms: None,
            edit_beats: EditBeats::default(),
            gold: None,
            gold_rate: 0.0,
            gold_feedback: false,
            repeat: 0.0,
            qa: Qa::default(),
        }
    }
}

/// The default strength labels, for keys 1-4 (Llama 2's four levels).
pub const STRENGTH_LABELS: [&str; 4] = [
    "negligibly better or unsure",
    "slightly better",
    "better",
    "significantly better",
];

/// The default margins export writes for strength 1-4.
pub const MARGINS: [f64; 4] = crate::judged::DEFAULT_MARGIN_MAP;

/// Pair mode's strength of preference.
#[derive(Debug, Clone, PartialEq)]
pub struct Strength {
    /// What keys 1-4 mean, shown to the labeler.
    pub labels: [String; 4],
    /// The `margin` export writes for strength 1-4.
    pub margins: [f64; 4],
}

impl Default for Strength {
    fn default() -> Self {
        Strength {
            labels: STRENGTH_LABELS.map(String::from),
            margins: MARGINS,
        }
    }
}

/// Rate mode's options.
#[derive(Debug, Clone, PartialEq)]
pub struct RateSpec {
    /// Ratings are 1..=scale.
    pub scale: u32,
    /// What each rating means (`labels[0]` is rating 1); empty: plain numbers.
    pub labels: Vec<String>,
    /// Each candidate is rated on each aspect; empty: one overall rating.
    pub aspects: Vec<String>,
}

impl Default for RateSpec {
    fn default() -> Self {
        RateSpec {
            scale: 5,
            labels: Vec::new(),
            aspects: Vec::new(),
        }
    }
}

/// Rank mode's options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankSpec {
    /// Candidates may share a place.
    pub ties: bool,
    /// Partial ranking: pick only the best K (the rest share the last place).
    pub top: Option<usize>,
}

impl Default for RankSpec {
    fn default() -> Self {
        RankSpec {
            ties: true,
            top: None,
        }
    }
}

/// Whether a decision asks for a written reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RationaleMode {
    #[default]
    Off,
    Optional,
    /// A decision is not saved until the rationale has some text.
    Required,
}

/// The guidelines file, read when the task file is loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guidelines {
    /// As resolved (relative paths are relative to the task file).
    pub path: PathBuf,
    /// The Markdown source (untrusted: render it with [`crate::markdown::render`]).
    pub text: String,
}

/// Which pairs of an item with N > 2 candidates become pair tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairSelection {
    /// All N(N-1)/2 pairs.
    All,
    /// K pairs per item, chosen at random but the same for every labeler and session
    /// (see [`crate::tasks::sample_pairs`]).
    Sample(usize),
}

/// A task file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error("cannot read task file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// `path:line: message`, the message naming the key and what to do.
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: String,
        line: usize,
        message: String,
    },
}

impl TaskSpec {
    /// Reads and checks a task file; a relative `guidelines` path is taken from the task
    /// file's folder.
    pub fn load(path: &Path) -> Result<TaskSpec, TaskError> {
        let src = std::fs::read_to_string(path).map_err(|source| TaskError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let dir = path.parent().unwrap_or(Path::new(""));
        TaskSpec::parse(&src, &path.display().to_string(), dir)
    }

    /// Parses a task file's text. `name` is used in messages, `dir` to find the guidelines.
    pub fn parse(src: &str, name: &str, dir: &Path) -> Result<TaskSpec, TaskError> {
        let raw: RawTask = toml::from_str(src).map_err(|e| {
            let (line, message) = describe_toml_error(src, &e);
            TaskError::Invalid {
                path: name.to_string(),
                line,
                message,
            }
        })?;
        raw.check(src, dir)
            .map_err(|(line, message)| TaskError::Invalid {
                path: name.to_string(),
                line,
                message,
            })
    }

    /// The margins export writes for strength 1-4 (the defaults when strength is off).
    pub fn margin_map(&self) -> [f64; 4] {
        self.strength.as_ref().map_or(MARGINS, |s| s.margins)
    }
}

// ------------------------------------------------------------------------------------------
// The file as written. Every field is optional; `check` fills in defaults and checks the
// combinations, with the line of the offending key.

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTask {
    mode: Option<Spanned<RawMode>>,
    check_cycles: Option<bool>,
    pair: Option<Spanned<RawPair>>,
    rank: Option<Spanned<RawRank>>,
    rate: Option<Spanned<RawRate>>,
    #[serde(default)]
    flags: Vec<Spanned<RawFlag>>,
    rationale: Option<RationaleMode>,
    guidelines: Option<Spanned<String>>,
    overlap: Option<Spanned<i64>>,
    shuffle: Option<bool>,
    pairs: Option<Spanned<RawPairs>>,
    min_seconds: Option<Spanned<f64>>,
    typeahead_guard_ms: Option<u64>,
    edit_beats: Option<EditBeats>,
    gold: Option<Spanned<String>>,
    gold_rate: Option<Spanned<f64>>,
    gold_feedback: Option<bool>,
    repeat: Option<Spanned<f64>>,
    qa: Option<RawQa>,
    tuple: Option<Spanned<i64>>,
    verify: Option<Spanned<f64>>,
    #[serde(rename = "best-worst")]
    best_worst: Option<Spanned<RawBestWorst>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQa {
    min_gold_accuracy: Option<Spanned<f64>>,
    min_gold_count: Option<usize>,
    max_position_bias_p: Option<Spanned<f64>>,
    min_kappa: Option<Spanned<f64>>,
    min_reliability: Option<Spanned<f64>>,
    max_cycle_share: Option<Spanned<f64>>,
    min_self_agreement: Option<Spanned<f64>>,
    max_same_position: Option<Spanned<f64>>,
    min_repeat_count: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBestWorst {
    margins: Option<Spanned<Vec<f64>>>,
}

/// A task file's `mode`: a task kind, or sort (rank tasks reached by pair questions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawMode {
    Pair,
    Rank,
    Rate,
    Sort,
    #[serde(rename = "best-worst")]
    BestWorst,
}

impl RawMode {
    fn kind(self) -> TaskKind {
        match self {
            RawMode::Pair => TaskKind::Pair,
            RawMode::Rank | RawMode::Sort => TaskKind::Rank,
            RawMode::Rate => TaskKind::Rate,
            RawMode::BestWorst => TaskKind::BestWorst,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPair {
    #[serde(default)]
    strength: bool,
    strength_labels: Option<Spanned<Vec<String>>>,
    margins: Option<Spanned<Vec<f64>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRank {
    ties: Option<bool>,
    top: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRate {
    scale: Option<Spanned<i64>>,
    labels: Option<Spanned<Vec<String>>>,
    aspects: Option<Spanned<Vec<String>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFlag {
    name: Spanned<String>,
    key: Spanned<String>,
}

/// `pairs = "all"` or `pairs = K`.
#[derive(Debug)]
enum RawPairs {
    All,
    Count(i64),
}

impl<'de> Deserialize<'de> for RawPairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawPairs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("\"all\" or a number of pairs per item")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<RawPairs, E> {
                if s == "all" {
                    Ok(RawPairs::All)
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(s), &self))
                }
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<RawPairs, E> {
                Ok(RawPairs::Count(n))
            }
        }
        d.deserialize_any(V)
    }
}

type Problem = (usize, String);

fn at<T>(src: &str, s: &Spanned<T>, message: String) -> Problem {
    (line_of(src, s.span().start), message)
}

impl RawTask {
    fn check(self, src: &str, dir: &Path) -> Result<TaskSpec, Problem> {
        let mut spec = TaskSpec::default();
        let raw_mode = self.mode.as_ref().map(|m| *m.get_ref());
        let mode = raw_mode.map(RawMode::kind);
        spec.mode = mode;
        spec.sort = raw_mode == Some(RawMode::Sort);
        spec.check_cycles = self.check_cycles.unwrap_or(true);
        let sort = spec.sort;
        let shown = move |m: TaskKind| if sort { "sort" } else { m.name() };
        let needs_mode = |span: Range<usize>, table: &str, want: TaskKind| -> Result<(), Problem> {
            match mode {
                Some(m) if m == want => Ok(()),
                Some(m) => Err((
                    line_of(src, span.start),
                    format!(
                        "{table} applies to mode = \"{}\", but this task has mode = \"{}\" - remove it or change the mode",
                        want.name(),
                        shown(m)
                    ),
                )),
                None => Err((
                    line_of(src, span.start),
                    format!(
                        "{table} needs mode = \"{}\" at the top of the file",
                        want.name()
                    ),
                )),
            }
        };

        if let Some(p) = self.pair {
            needs_mode(p.span(), "[pair]", TaskKind::Pair)?;
            let p = p.into_inner();
            if !p.strength {
                if let Some(s) = p.strength_labels.as_ref() {
                    return Err(at(
                        src,
                        s,
                        "`strength_labels` needs `strength = true`".into(),
                    ));
                }
                if let Some(s) = p.margins.as_ref() {
                    return Err(at(src, s, "`margins` needs `strength = true`".into()));
                }
            } else {
                let mut st = Strength::default();
                if let Some(l) = p.strength_labels {
                    let v = l.get_ref();
                    if v.len() != 4 || v.iter().any(|s| s.trim().is_empty()) {
                        return Err(at(
                            src,
                            &l,
                            format!(
                                "`strength_labels` needs 4 non-empty labels (for keys 1-4), found {}",
                                v.iter().filter(|s| !s.trim().is_empty()).count()
                            ),
                        ));
                    }
                    for (slot, s) in st.labels.iter_mut().zip(v) {
                        *slot = sanitize(s);
                    }
                }
                if let Some(m) = p.margins {
                    let v = m.get_ref();
                    if v.len() != 4 || v.iter().any(|x| !x.is_finite()) {
                        return Err(at(
                            src,
                            &m,
                            format!(
                                "`margins` needs 4 numbers (the margin for strength 1, 2, 3, 4), found {}",
                                v.len()
                            ),
                        ));
                    }
                    st.margins.copy_from_slice(v);
                }
                spec.strength = Some(st);
            }
        }

        if let Some(r) = self.rank {
            needs_mode(r.span(), "[rank]", TaskKind::Rank)?;
            let r = r.into_inner();
            spec.rank.ties = r.ties.unwrap_or(true);
            if let Some(t) = r.top {
                let k = *t.get_ref();
                if !(1..=RANK_MAX as i64).contains(&k) {
                    return Err(at(
                        src,
                        &t,
                        format!(
                            "`top` is {k}: it is how many of the best to pick, 1 to {}",
                            RANK_MAX
                        ),
                    ));
                }
                spec.rank.top = Some(k as usize);
            }
        }

        if let Some(r) = self.rate {
            needs_mode(r.span(), "[rate]", TaskKind::Rate)?;
            let r = r.into_inner();
            if let Some(s) = &r.scale {
                let k = *s.get_ref();
                if !(2..=9).contains(&k) {
                    return Err(at(
                        src,
                        s,
                        format!("`scale` is {k}: ratings go from 1 to `scale`, which is 2 to 9"),
                    ));
                }
                spec.rate.scale = k as u32;
            }
            if let Some(l) = r.labels {
                let v = l.get_ref();
                if v.len() != spec.rate.scale as usize {
                    return Err(at(
                        src,
                        &l,
                        format!(
                            "`labels` has {} entries but the scale is 1-{}: give one label per rating",
                            v.len(),
                            spec.rate.scale
                        ),
                    ));
                }
                if v.iter().any(|s| s.trim().is_empty()) {
                    return Err(at(src, &l, "`labels` has an empty label".into()));
                }
                spec.rate.labels = v.iter().map(|s| sanitize(s)).collect();
            }
            if let Some(a) = r.aspects {
                let v = a.get_ref();
                let mut seen = HashSet::new();
                for s in v {
                    if s.trim().is_empty() {
                        return Err(at(src, &a, "`aspects` has an empty name".into()));
                    }
                    if !seen.insert(s.trim().to_lowercase()) {
                        return Err(at(src, &a, format!("`aspects` lists \"{s}\" twice")));
                    }
                }
                spec.rate.aspects = v.iter().map(|s| sanitize(s.trim())).collect();
            }
        }

        for f in &self.flags {
            let line = line_of(src, f.span().start);
            let raw = f.get_ref();
            let name = raw.name.get_ref().trim();
            if name.is_empty() {
                return Err(at(src, &raw.name, "a flag's `name` is empty".into()));
            }
            if spec.flags.iter().any(|g| g.name.eq_ignore_ascii_case(name)) {
                return Err(at(
                    src,
                    &raw.name,
                    format!("flag \"{name}\" is listed twice"),
                ));
            }
            let key = Key::parse(raw.key.get_ref()).map_err(|reason| {
                at(
                    src,
                    &raw.key,
                    format!(
                        "cannot read key \"{}\" of flag \"{name}\": {reason} - valid keys: {KEY_FORMS}",
                        raw.key.get_ref()
                    ),
                )
            })?;
            let default_action = |k: Key| crate::action::default_action_of(k).map(str::to_string);
            match taken(key, &spec.flags, default_action) {
                None => {}
                Some(Taken::Bound(action)) => {
                    return Err(at(
                        src,
                        &raw.key,
                        format!(
                            "key \"{}\" of flag \"{name}\" is already `{action}` - pick a key the labeling screen does not use (see `prefer label` help, `?`)",
                            raw.key.get_ref(),
                        ),
                    ));
                }
                Some(Taken::Flag(j)) => {
                    let g = &spec.flags[j];
                    return Err(at(
                        src,
                        &raw.key,
                        format!(
                            "key \"{}\" of flag \"{name}\" is already the key of flag \"{}\" (line {})",
                            raw.key.get_ref(),
                            g.name,
                            g.line
                        ),
                    ));
                }
            }
            spec.flags.push(FlagKey {
                name: sanitize(name),
                key,
                line,
            });
        }

        spec.rationale = self.rationale.unwrap_or_default();

        if let Some(g) = self.guidelines {
            let rel = g.get_ref();
            let path = dir.join(rel);
            let text = std::fs::read_to_string(&path).map_err(|e| {
                at(
                    src,
                    &g,
                    format!(
                        "cannot read guidelines \"{rel}\" ({}): {e} - the path is relative to the task file",
                        path.display()
                    ),
                )
            })?;
            spec.guidelines = Some(Guidelines { path, text });
        }

        if let Some(o) = self.overlap {
            let n = *o.get_ref();
            if n < 1 || n > i64::from(u32::MAX) {
                return Err(at(
                    src,
                    &o,
                    format!("`overlap` is {n}: it is how many labelers see each item, at least 1"),
                ));
            }
            spec.overlap = n as u32;
        }
        spec.shuffle = self.shuffle.unwrap_or(true);

        if let Some(p) = self.pairs {
            if let Some(m) = mode.filter(|m| *m != TaskKind::Pair) {
                return Err(at(
                    src,
                    &p,
                    format!(
                        "`pairs` applies to mode = \"pair\", but this task has mode = \"{}\"",
                        shown(m)
                    ),
                ));
            }
            spec.pairs = match *p.get_ref() {
                RawPairs::All => PairSelection::All,
                RawPairs::Count(k) if k >= 1 => PairSelection::Sample(k as usize),
                RawPairs::Count(k) => {
                    return Err(at(
                        src,
                        &p,
                        format!(
                            "`pairs` is {k}: use \"all\" or a number of pairs per item, at least 1"
                        ),
                    ));
                }
            };
        }

        if let Some(s) = self.min_seconds {
            let x = *s.get_ref();
            if !x.is_finite() || x < 0.0 {
                return Err(at(
                    src,
                    &s,
                    format!("`min_seconds` is {x}: it needs to be 0 or more"),
                ));
            }
            spec.min_seconds = Some(x);
        }
        spec.typeahead_guard_ms = self.typeahead_guard_ms;
        spec.edit_beats = self.edit_beats.unwrap_or_default();

        if let Some(g) = self.gold {
            let rel = g.get_ref();
            let path = dir.join(rel);
            let entries = crate::gold::read_file(&path)
                .map_err(|e| at(src, &g, format!("gold \"{rel}\": {e}")))?;
            spec.gold = Some(GoldFile { path, entries });
        }
        if let Some(r) = self.gold_rate {
            let x = *r.get_ref();
            if !(0.0..1.0).contains(&x) {
                return Err(at(
                    src,
                    &r,
                    format!(
                        "`gold_rate` is {x}: it is the share of each queue served from gold items, 0 to below 1 (0.05 is one in twenty)"
                    ),
                ));
            }
            spec.gold_rate = x;
        }
        spec.gold_feedback = self.gold_feedback.unwrap_or(false);
        if let Some(r) = self.repeat {
            let x = *r.get_ref();
            if !(0.0..=0.5).contains(&x) {
                return Err(at(
                    src,
                    &r,
                    format!(
                        "`repeat` is {x}: it is the share of each labeler's decided tasks shown again later, 0 to 0.5 (0.05 is one in twenty)"
                    ),
                ));
            }
            spec.repeat = x;
        }
        if let Some(q) = self.qa {
            let share = |s: Option<Spanned<f64>>,
                         name: &str,
                         lo: f64,
                         hi: f64|
             -> Result<Option<f64>, Problem> {
                match s {
                    None => Ok(None),
                    Some(s) => {
                        let x = *s.get_ref();
                        if x.is_finite() && (lo..=hi).contains(&x) {
                            Ok(Some(x))
                        } else {
                            Err(at(
                                src,
                                &s,
                                format!("`{name}` is {x}: give a number from {lo} to {hi}"),
                            ))
                        }
                    }
                }
            };
            let d = Qa::default();
            spec.qa = Qa {
                min_gold_accuracy: share(q.min_gold_accuracy, "min_gold_accuracy", 0.0, 1.0)?
                    .or(d.min_gold_accuracy),
                min_gold_count: q.min_gold_count.unwrap_or(d.min_gold_count),
                max_position_bias_p: share(q.max_position_bias_p, "max_position_bias_p", 0.0, 1.0)?
                    .or(d.max_position_bias_p),
                min_kappa: share(q.min_kappa, "min_kappa", -1.0, 1.0)?.or(d.min_kappa),
                min_reliability: share(q.min_reliability, "min_reliability", 0.0, 1.0)?
                    .or(d.min_reliability),
                max_cycle_share: share(q.max_cycle_share, "max_cycle_share", 0.0, 1.0)?
                    .or(d.max_cycle_share),
                min_self_agreement: share(q.min_self_agreement, "min_self_agreement", 0.0, 1.0)?
                    .or(d.min_self_agreement),
                max_same_position: share(q.max_same_position, "max_same_position", 0.0, 1.0)?
                    .or(d.max_same_position),
                min_repeat_count: q.min_repeat_count.unwrap_or(d.min_repeat_count),
            };
        }
        if let Some(t) = self.tuple {
            needs_mode(t.span(), "`tuple`", TaskKind::BestWorst)?;
            let k = *t.get_ref();
            if !(3..=9).contains(&k) {
                return Err(at(
                    src,
                    &t,
                    format!(
                        "`tuple` is {k}: it is how many candidates are shown at a time, 3 to 9 (one number key each)"
                    ),
                ));
            }
            spec.tuple = Some(k as usize);
        }
        if let Some(v) = self.verify {
            if !sort {
                return Err(at(
                    src,
                    &v,
                    "`verify` applies to mode = \"sort\" (it re-asks pairs a sort inferred) - remove it or set mode = \"sort\"".into(),
                ));
            }
            let x = *v.get_ref();
            if !(x.is_finite() && (0.0..=1.0).contains(&x)) {
                return Err(at(
                    src,
                    &v,
                    format!(
                        "`verify` is {x}: it is the share of inferred pairs to ask again, from 0 to 1 (0.1 asks one in ten)"
                    ),
                ));
            }
            spec.verify = x;
        }
        if let Some(b) = self.best_worst {
            needs_mode(b.span(), "[best-worst]", TaskKind::BestWorst)?;
            if let Some(m) = b.into_inner().margins {
                let v = m.get_ref();
                if v.len() != 2 || v.iter().any(|x| !x.is_finite()) {
                    return Err(at(
                        src,
                        &m,
                        "`margins` needs 2 finite numbers: the margin of best over worst, and of best or worst against one between".into(),
                    ));
                }
                spec.best_worst_margins = Some([v[0], v[1]]);
            }
        }
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<TaskSpec, String> {
        TaskSpec::parse(src, "task.toml", Path::new("sample-data")).map_err(|e| e.to_string())
    }

    #[test]
    fn an_empty_file_is_todays_behaviour() {
        assert_eq!(parse("").unwrap(), TaskSpec::default());
        let d = TaskSpec::default();
        assert_eq!(
            (d.mode, d.overlap, d.shuffle, d.pairs),
            (None, 1, true, PairSelection::All)
        );
        assert_eq!(d.margin_map(), [0.0, 1.0, 2.0, 3.0]);
    }

    #[test]
    fn the_issue_example_of_a_typo_names_key_line_and_suggestion() {
        let e = parse("mode = \"pair\"\n\n[pair]\nstregth = true\n").unwrap_err();
        assert_eq!(
            e,
            "task.toml:4: unknown key `stregth` - did you mean `strength`? known keys: strength, strength_labels, margins"
        );
    }

    #[test]
    fn strength_takes_default_labels_and_margins_unless_overridden() {
        let t = parse("mode = \"pair\"\n[pair]\nstrength = true\n").unwrap();
        assert_eq!(t.strength, Some(Strength::default()));
        let t =
            parse("mode = \"pair\"\n[pair]\nstrength = true\nmargins = [0, 0.5, 1, 4]\n").unwrap();
        assert_eq!(t.margin_map(), [0.0, 0.5, 1.0, 4.0]);
        assert_eq!(t.strength.unwrap().labels[3], "significantly better");
    }

    #[test]
    fn verify_is_a_share_for_sort_mode_only() {
        assert_eq!(
            parse("mode = \"sort\"\nverify = 0.1\n").unwrap().verify,
            0.1
        );
        assert_eq!(parse("mode = \"sort\"\n").unwrap().verify, 0.0);
        let e = parse("mode = \"rank\"\nverify = 0.1\n").unwrap_err();
        assert!(
            e.contains("task.toml:2") && e.contains("mode = \"sort\""),
            "{e}"
        );
        let e = parse("mode = \"sort\"\nverify = 1.5\n").unwrap_err();
        assert!(e.contains("from 0 to 1"), "{e}");
    }

    #[test]
    fn best_worst_takes_tuple_and_margins() {
        let t = parse("mode = \"best-worst\"\ntuple = 4\n[best-worst]\nmargins = [2.0, 1.0]\n")
            .unwrap();
        assert_eq!((t.mode, t.tuple), (Some(TaskKind::BestWorst), Some(4)));
        assert_eq!(t.best_worst_margins, Some([2.0, 1.0]));
        let e = parse("mode = \"pair\"\ntuple = 4\n").unwrap_err();
        assert!(e.contains("best-worst"), "{e}");
        let e = parse("mode = \"best-worst\"\ntuple = 2\n").unwrap_err();
        assert!(e.contains("3 to 9"), "{e}");
    }

    #[test]
    fn mode_sort_is_rank_tasks_reached_by_sorting() {
        let t = parse("mode = \"sort\"\n").unwrap();
        assert_eq!((t.mode, t.sort), (Some(TaskKind::Rank), true));
        assert!(!parse("mode = \"rank\"\n").unwrap().sort);
        let e = parse("mode = \"sort\"\n[pair]\nstrength = true\n").unwrap_err();
        assert!(e.contains("this task has mode = \"sort\""), "{e}");
    }

    #[test]
    fn edit_beats_is_read_and_edit_is_no_mode() {
        assert_eq!(parse("").unwrap().edit_beats, EditBeats::AllBelowSource);
        let t = parse("edit_beats = \"source\"\n").unwrap();
        assert_eq!(t.edit_beats, EditBeats::Source);
        let e = parse("edit_beats = \"all\"\n").unwrap_err();
        assert!(e.contains("\"source\", \"all-below-source\""), "{e}");
        let e = parse("mode = \"edit\"\n").unwrap_err();
        assert!(
            e.contains("expected one of: \"pair\", \"rank\", \"rate\""),
            "{e}"
        );
    }

    #[test]
    fn gold_rate_feedback_and_qa_are_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("gold.jsonl"),
            "{\"item\":\"q1\",\"best\":\"c1\",\"reason\":\"cites the source\"}\n",
        )
        .unwrap();
        let p =
            |src: &str| TaskSpec::parse(src, "task.toml", dir.path()).map_err(|e| e.to_string());
        let t = p("gold = \"gold.jsonl\"\ngold_rate = 0.05\ngold_feedback = true\n[qa]\nmin_gold_accuracy = 0.9\n").unwrap();
        let g = t.gold.unwrap();
        assert_eq!(g.entries[0].0, "q1");
        assert_eq!((t.gold_rate, t.gold_feedback), (0.05, true));
        assert_eq!(t.qa.min_gold_accuracy, Some(0.9));
        assert_eq!(t.qa.max_position_bias_p, Qa::default().max_position_bias_p);
        assert_eq!(p("repeat = 0.05\n").unwrap().repeat, 0.05);
        let q =
            p("[qa]\nmin_self_agreement = 0.8\nmax_same_position = 0.6\nmin_repeat_count = 10\n")
                .unwrap()
                .qa;
        assert_eq!(
            (
                q.min_self_agreement,
                q.max_same_position,
                q.min_repeat_count
            ),
            (Some(0.8), Some(0.6), 10)
        );
        let e = p("repeat = 0.9\n").unwrap_err();
        assert!(e.starts_with("task.toml:1: `repeat` is 0.9"), "{e}");
        let e = p("gold_rate = 1.5\n").unwrap_err();
        assert!(e.starts_with("task.toml:1: `gold_rate` is 1.5"), "{e}");
        let e = p("\n[qa]\nmin_kappa = 3\n").unwrap_err();
        assert!(e.starts_with("task.toml:3: `min_kappa` is 3"), "{e}");
        let e = p("gold = \"nope.jsonl\"\n").unwrap_err();
        assert!(e.starts_with("task.toml:1: gold \"nope.jsonl\": "), "{e}");
        std::fs::write(dir.path().join("bad.jsonl"), "{\"item\":\"q1\"}\n").unwrap();
        let e = p("gold = \"bad.jsonl\"\n").unwrap_err();
        assert!(e.contains("bad.jsonl:1: no expected answer"), "{e}");
    }

    #[test]
    fn a_mode_table_must_match_the_mode() {
        let e = parse("mode = \"pair\"\n[rate]\naspects = [\"honesty\"]\n").unwrap_err();
        assert!(
            e.starts_with("task.toml:2: [rate] applies to mode = \"rate\""),
            "{e}"
        );
        let e = parse("[pair]\nstrength = true\n").unwrap_err();
        assert!(e.starts_with("task.toml:1: [pair] needs mode"), "{e}");
    }
}
