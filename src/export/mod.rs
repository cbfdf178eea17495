//! `prefer export`: turns the annotators' decisions into the JSON Lines that reward-model and
//! DPO trainers read. The edges (reading files, writing atomically) are here; the rules live in
//! pure modules: [`standing`] (which decisions count), [`pairs`] (decisions to votes on pairs),
//! [`aggregate`] (several annotators to one judgement) and [`formats`] (rows).

pub mod aggregate;
pub mod edits;
pub mod formats;
pub mod h4;
pub mod input;
pub mod kto;
pub mod pairs;
pub mod parquet;
pub mod sharegpt;
pub mod standing;

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use crate::format;
use aggregate::{Aggregate, Aggregated, aggregate};
use formats::{Columns, PairFormat};
use pairs::{PairOptions, Pref, Vote};
use standing::Standing;

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// TRL standard format: {"prompt", "chosen", "rejected"} as text.
    Trl,
    /// TRL conversational format: lists of {role, content} messages.
    TrlChat,
    /// Anthropic HH-RLHF: {"chosen", "rejected"} as "\n\nHuman: ...\n\nAssistant: ..." text.
    Hh,
    /// One line per item: the consensus ranking and every annotator's decision.
    Rankings,
    /// One line per item: each candidate's ratings by annotator, and their mean.
    Ratings,
    /// TRL's unpaired preference format for KTO: {"prompt", "completion", "label": true|false}
    /// (lists of messages when an item has a conversation).
    Kto,
    /// LLaMA-Factory's ShareGPT preference data ({"conversations", "chosen", "rejected"} with
    /// {"from", "value"} messages), and its entry in dataset_info.json beside --out.
    Llamafactory,
    /// LLaMA-Factory's ShareGPT KTO data ({"conversations", "kto_tag"}), and its entry in
    /// dataset_info.json beside --out.
    LlamafactoryKto,
    /// The layout of HuggingFaceH4/ultrafeedback_binarized: prompt, prompt_id, chosen and
    /// rejected as whole conversations, messages, score_chosen, score_rejected.
    H4,
}

impl ExportFormat {
    /// Formats of one row per labeled answer (KTO).
    fn unpaired(self) -> bool {
        matches!(self, ExportFormat::Kto | ExportFormat::LlamafactoryKto)
    }
}

/// Keep or drop pairs that express no preference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Keep {
    Keep,
    Drop,
}

/// `--margin-map`: the margins for strength 1, 2, 3, 4.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarginMap(pub [f64; 4]);

impl std::str::FromStr for MarginMap {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        if parts.len() != 4 {
            return Err(format!(
                "expected 4 comma-separated numbers (margins for strength 1,2,3,4), found {}",
                parts.len()
            ));
        }
        let mut m = [0.0; 4];
        for (slot, p) in m.iter_mut().zip(&parts) {
            *slot = p
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| format!("\"{p}\" is not a number"))?;
        }
        Ok(MarginMap(m))
    }
}

/// A probability given on the command line.
fn confidence(s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .ok()
        .filter(|p| (0.0..=1.0).contains(p))
        .ok_or_else(|| format!("\"{s}\" is not a probability: give a number from 0 to 1"))
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The candidate-set file the labels are about.
    pub file: PathBuf,
    /// Labels logs to read [default: every *.jsonl in the labels folder].
    #[arg(value_name = "LOG", conflicts_with = "labels_dir")]
    pub logs: Vec<PathBuf>,
    /// The labels folder [default: <input dir>/<input stem>.labels/].
    #[arg(long, value_name = "DIR")]
    pub labels_dir: Option<PathBuf>,
    /// Read the labels from this database instead of the labels folder (a postgresql:// URL;
    /// the password from PGPASSWORD or ~/.pgpass) [default: `store` in the labels folder's
    /// prefer.toml].
    #[arg(long, value_name = "URL", env = "PREFER_STORE", hide_env_values = true)]
    pub store: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Trl)]
    pub format: ExportFormat,
    /// Write here (atomically: a temporary file, fsync, rename) instead of to stdout.
    #[arg(long, short, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Write Parquet (the same columns; lists of messages as lists of structs) instead of JSON
    /// Lines. Implied by an --out file name ending in .parquet.
    #[arg(long)]
    pub parquet: bool,
    /// Write a README.md dataset card beside --out, as the Hugging Face Hub reads it: the
    /// columns and size in YAML front matter, and how the data was made (counts, annotators,
    /// overlap, agreement, bias, aggregation, what was left out) from `prefer stats`' figures.
    #[arg(long, requires = "out")]
    pub card: bool,
    /// With --format trl: render conversations as "\n\nHuman: ...\n\nAssistant:" text
    /// (without it, items with a conversation need --format trl-chat).
    #[arg(long)]
    pub flatten: bool,
    /// Candidates judged equally good (one ranking tier, a "tie", ratings closer than
    /// --min-gap): keep them as pairs with "margin": 0 and "tie": true, or drop them.
    #[arg(long, value_enum, default_value_t = Keep::Drop)]
    pub ties: Keep,
    /// Pair decisions of "both bad": keep them (as "tie": true, "both_bad": true) or drop them.
    #[arg(long, value_enum, default_value_t = Keep::Drop)]
    pub both_bad: Keep,
    /// Ratings make a pair when they differ by at least this much (the difference is the margin).
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub min_gap: u32,
    /// How several annotators' judgements on a pair combine.
    #[arg(long, value_enum, default_value_t = Aggregate::Majority)]
    pub aggregate: Aggregate,
    /// With --aggregate dawid-skene: leave out pairs whose judgement is less probable than
    /// this (0 to 1), given the votes and each annotator's fitted reliability.
    #[arg(long, value_name = "P", value_parser = confidence)]
    pub min_confidence: Option<f64>,
    /// Leave this annotator's decisions out (repeat for several); the summary says how many.
    #[arg(long, value_name = "NAME")]
    pub exclude_annotator: Vec<String>,
    /// Leave out the annotators whose share of gold items answered as expected is below this
    /// (0 to 1); annotators with no gold decision stay. Gold answers come from --task's `gold`
    /// file and the items' own `gold` fields.
    #[arg(long, value_name = "X", value_parser = confidence)]
    pub min_gold_accuracy: Option<f64>,
    /// Export the pairs of gold items too (left out by default: they are checks on the
    /// labelers, not training data).
    #[arg(long)]
    pub include_gold: bool,
    /// Margins for preference strength 1 (negligibly), 2 (slightly), 3 (better),
    /// 4 (significantly better).
    #[arg(long, default_value = "0,1,2,3", value_name = "M1,M2,M3,M4")]
    pub margin_map: MarginMap,
    /// The task file the labels were made with: its `[pair] margins` become the margin map.
    #[arg(long, value_name = "TASK", conflicts_with = "margin_map")]
    pub task: Option<PathBuf>,
    /// With --format kto or llamafactory-kto: label rated answers from their mean rating (on the item's largest
    /// scale): at least N is desirable (true), below is not. Without it, ratings count as the
    /// pairs they make, like every other decision.
    #[arg(long, value_name = "N")]
    pub kto_threshold: Option<f64>,
    /// Add columns: item, chosen_id, rejected_id, chosen_model, rejected_model, annotators,
    /// agreement, chosen_flags, rejected_flags, rationales, sort (asked or inferred),
    /// chosen_edited_from, rejected_edited_from.
    #[arg(long)]
    pub with_meta: bool,
    /// An edited answer (`e` / `E` while labeling) joins its item as candidate
    /// "<source>+edit:<annotator>", preferred over its source, and with all-below-source also
    /// over every answer its editor judged the source better than or as good as [default: the
    /// task file's `edit_beats`, else all-below-source].
    #[arg(long, value_enum, value_name = "WHICH")]
    pub edit_beats: Option<edits::EditBeats>,
    /// Refuse to export when the labels folder shows a problem with who wrote the logs: a
    /// log written by someone other than its owner, one user writing as several annotators,
    /// or a log left out because it is a symbolic link.
    #[arg(long)]
    pub strict: bool,
}

/// Why an export was refused.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(
        "{count} item(s) have a conversation (first: \"{first}\") that plain --format trl would cut to its last turn - use --format trl-chat, or add --flatten to render conversations as text"
    )]
    NeedsFlatten { count: usize, first: String },
    #[error(
        "--strict: {0} problem(s) with who wrote the labels (above); nothing was written - look into them, or export without --strict"
    )]
    Writers(usize),
    #[error(
        "--kto-threshold labels answers for --format kto and llamafactory-kto only - add one of them, or leave --kto-threshold out"
    )]
    ThresholdWithoutKto,
    #[error("cannot write {path}: {source} - check that the folder exists and is writable")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What an export did, for the message on stderr.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Report {
    pub lines: usize,
    pub decisions: usize,
    pub annotators: usize,
    pub ties_dropped: usize,
    pub both_bad_dropped: usize,
    pub no_majority: usize,
    /// Standing decisions of a kind the format does not take (ratings: rank and pair ones).
    pub other_kinds: usize,
    /// Rankings: item lines whose consensus ranking is empty (the annotators split on every
    /// pair with no majority).
    pub empty_rankings: usize,
    /// Ratings: items rated on more than one scale (means taken on the largest).
    pub mixed_scales: usize,
    /// KTO: answers both chosen and rejected (left out), and labels that repeated a row.
    pub contradictions: usize,
    pub duplicates: usize,
    /// LLaMA-Factory: rows left out because LLaMA-Factory would skip them (roles that do not
    /// take turns, an answer of more than one turn).
    pub not_sharegpt: usize,
    /// H4: pairs scored from ratings (the rest from the consensus ranking).
    pub scored_from_ratings: Option<usize>,
    /// Pairs less probable than `--min-confidence`.
    pub low_confidence: usize,
    /// Decisions by the annotators `--exclude-annotator` names, and those names.
    pub excluded: usize,
    pub excluded_names: Vec<String>,
    /// `--min-gold-accuracy`: the annotators it left out, with their gold accuracy, and how
    /// many decisions that removed.
    pub gold_excluded: Vec<(String, crate::gold::Accuracy)>,
    pub gold_excluded_decisions: usize,
    /// Pairs of gold items left out (without `--include-gold`).
    pub gold_pairs: usize,
    /// `dawid-skene`: each annotator's fitted accuracy.
    pub reliability: Vec<(String, f64)>,
    /// Edited answers added as candidates.
    pub edits: usize,
}

/// Options of the pure pipeline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plan {
    pub pairs: PairOptions,
    pub aggregate: Aggregate,
    pub ties: Keep,
    pub both_bad: Keep,
    /// Pairs less probable than this are left out (`dawid-skene`).
    pub min_confidence: Option<f64>,
    /// Keep the pairs of gold items in the output.
    pub include_gold: bool,
}

/// Decisions to aggregated judgements, with ties and both-bad pairs dropped as asked. Pure.
/// Gold items' known pairs anchor a `dawid-skene` fit, and their pairs are left out of the
/// result unless the plan includes them.
pub fn judge(
    items: &[std::sync::Arc<format::Item>],
    st: &Standing,
    edits: &[standing::Decided],
    plan: &Plan,
    gold: &crate::gold::GoldItems,
) -> (Aggregated, Report) {
    // Newer decisions win when an annotator judged a pair twice: rank them by time (the `at`
    // strings' order; as numbers when every one is in the writer's own format).
    let mut by_time: Vec<u32> = (0..st.decisions.len() as u32).collect();
    let numeric: Option<Vec<(u64, u32)>> = st
        .decisions
        .iter()
        .zip(0..)
        .map(|(d, x)| Some((d.at?, x)))
        .collect();
    match numeric {
        Some(mut keys) => {
            keys.sort_unstable();
            for (slot, (_, x)) in by_time.iter_mut().zip(keys) {
                *slot = x;
            }
        }
        None => by_time.sort_by(|&x, &y| {
            st.decisions[x as usize]
                .event
                .at
                .cmp(&st.decisions[y as usize].event.at)
                .then(x.cmp(&y))
        }),
    }
    let mut recency = vec![0u32; by_time.len()];
    for (rank, &d) in by_time.iter().enumerate() {
        recency[d as usize] = rank as u32;
    }
    let mut votes: Vec<Vote> = Vec::with_capacity(st.decisions.len());
    for part in crate::par::in_chunks(&st.decisions, |start, ds| {
        let mut out = Vec::with_capacity(ds.len());
        for (d, r) in ds.iter().zip(&recency[start..]) {
            if let Some(i) = d.item {
                pairs::votes(d, *r, &items[i], &plan.pairs, &mut out);
            }
        }
        out
    }) {
        votes.extend(part);
    }
    // The edits' judgements: each on a pair no other decision names (an edit's own candidate),
    // so their recency never decides between two votes.
    for d in edits {
        if let Some(i) = d.item {
            pairs::votes(d, 0, &items[i], &plan.pairs, &mut votes);
        }
    }
    if !edits.is_empty() {
        // Back in item order (a stable sort of one sorted run and a short tail), so the votes
        // are still combined on all cores.
        votes.sort_by_key(|v| v.item);
    }
    let mut agg = if plan.aggregate == Aggregate::DawidSkene && !gold.is_empty() {
        aggregate::dawid_skene_anchored(&mut votes, &known_pairs(gold))
    } else {
        aggregate(&mut votes, plan.aggregate)
    };
    let mut report = Report {
        decisions: st.decisions.len(),
        annotators: st.annotators.len(),
        no_majority: agg.no_majority,
        ..Report::default()
    };
    if !plan.include_gold && !gold.is_empty() {
        let before = agg.pairs.len();
        agg.pairs.retain(|p| !gold.contains(p.item as usize));
        report.gold_pairs = before - agg.pairs.len();
    }
    if let Some(min) = plan.min_confidence {
        let before = agg.pairs.len();
        agg.pairs.retain(|p| p.confidence.is_none_or(|c| c >= min));
        report.low_confidence = before - agg.pairs.len();
    }
    agg.pairs.retain(|p| match p.pref {
        Pref::Lo | Pref::Hi => true,
        Pref::Tie if plan.ties == Keep::Drop => {
            report.ties_dropped += 1;
            false
        }
        Pref::BothBad if plan.both_bad == Keep::Drop => {
            report.both_bad_dropped += 1;
            false
        }
        _ => true,
    });
    (agg, report)
}

/// The gold items' known pairs, as the Dawid-Skene fit takes them.
fn known_pairs(gold: &crate::gold::GoldItems) -> aggregate::Known {
    let mut known = aggregate::Known::new();
    for (&item, a) in &gold.by_item {
        for &(lo, hi, p) in &a.pairs {
            known.insert((item as u32, lo, hi), p);
        }
    }
    known
}

/// Each annotator's gold accuracy over their standing decisions on gold items (adjudicators'
/// final decisions are not checked), by annotator index.
pub fn gold_accuracy(
    st: &Standing,
    items: &[std::sync::Arc<format::Item>],
    gold: &crate::gold::GoldItems,
) -> Vec<Option<crate::gold::Accuracy>> {
    let mut counts = vec![(0usize, 0usize); st.annotators.len()];
    for d in &st.decisions {
        let Some(i) = d.item else { continue };
        let Some(answer) = gold.get(i) else { continue };
        if d.is_adjudicator() {
            continue;
        }
        if let Some(right) = answer.judge(&items[i], &d.event) {
            let c = &mut counts[d.annotator as usize];
            c.0 += usize::from(right);
            c.1 += 1;
        }
    }
    counts
        .into_iter()
        .map(|(right, n)| crate::gold::Accuracy::of(right, n))
        .collect()
}

/// The gold answers of a candidate file: the task file's gold file and the items' own `gold`
/// fields, checked against the items; every problem named, as one error.
pub fn gold_items(
    items: &[std::sync::Arc<format::Item>],
    spec: Option<&crate::taskfile::TaskSpec>,
    file: &Path,
) -> anyhow::Result<crate::gold::GoldItems> {
    let entries = spec
        .and_then(|s| s.gold.as_ref())
        .map_or(&[][..], |g| g.entries.as_slice());
    crate::gold::checked(items, entries, file)
}

/// The digits of a time written as `2026-11-26T15:09:00.123Z` (what the log writer writes), as
/// one number: for two such strings, comparing the numbers is comparing the strings, since
/// they differ first at a digit. `None` for any other shape.
pub fn at_key(at: &str) -> Option<u64> {
    let b: &[u8; 24] = at.as_bytes().try_into().ok()?;
    let mut n = 0u64;
    for (i, &c) in b.iter().enumerate() {
        let sep = match i {
            4 | 7 => b'-',
            10 => b'T',
            13 | 16 => b':',
            19 => b'.',
            23 => b'Z',
            _ => {
                if !c.is_ascii_digit() {
                    return None;
                }
                n = n * 10 + u64::from(c - b'0');
                continue;
            }
        };
        if c != sep {
            return None;
        }
    }
    Some(n)
}

/// What a dataset card is made from (see `crate::card`, which sits above export and stats).
pub struct CardFacts<'a> {
    /// The export's output file: the card is written beside it.
    pub out: &'a Path,
    pub format: ExportFormat,
    pub format_name: &'a str,
    pub rows: usize,
    /// The rows as JSON Lines (the columns are read from them).
    pub json: &'a [u8],
    /// How annotators were combined, and the options that shaped the pairs, in words.
    pub aggregation: &'a str,
    /// The export's summary: what was written, left out and why.
    pub summary: &'a str,
    pub st: &'a Standing,
    pub items: &'a [std::sync::Arc<format::Item>],
}

/// Writes a dataset card; returns where.
pub type CardWriter = fn(&CardFacts<'_>) -> anyhow::Result<PathBuf>;

/// The options that shaped the rows, in words, for the dataset card.
fn aggregation_text(args: &ExportArgs, margin_map: [f64; 4]) -> String {
    let how = match args.aggregate {
        Aggregate::All => {
            "every annotator's judgement of a pair is its own row (`--aggregate all`)"
        }
        Aggregate::Majority => {
            "a pair is kept when more than half of the annotators who judged it agree (`--aggregate majority`)"
        }
        Aggregate::Adjudicated => {
            "an adjudicator's decision wins; where there is none, the majority's (`--aggregate adjudicated`)"
        }
        Aggregate::Consensus => {
            "each item's order by Tideman's ranked pairs over the annotators' majorities (`--aggregate consensus`); pair formats write that order's pairs, each candidate over every one below it"
        }
        Aggregate::DawidSkene => {
            "each annotator weighted by a fitted reliability (Dawid-Skene), each pair's outcome the most probable (`--aggregate dawid-skene`)"
        }
    };
    let keep = |k: Keep| if k == Keep::Keep { "kept" } else { "dropped" };
    format!(
        "Several annotators' judgements on one pair: {how}. A ranking counts as all its pairs; ratings make a pair when they differ by at least {} (`--min-gap`). Ties {} (`--ties`), both-bad pairs {} (`--both-bad`). Margins for preference strength 1-4: {}.",
        args.min_gap,
        keep(args.ties),
        keep(args.both_bad),
        margin_map.map(|m| m.to_string()).join(", ")
    )
}

/// Runs `prefer export`, writing a dataset card with `card` when `--card` asks for one (the
/// writer is passed in: `crate::card` sits above export and stats).
pub fn run(args: ExportArgs, card: CardWriter) -> anyhow::Result<ExitCode> {
    if args.kto_threshold.is_some() && !args.format.unpaired() {
        return Err(ExportError::ThresholdWithoutKto.into());
    }
    let (dataset, st, warnings) = input::read_standing(Some(&args.file), || {
        crate::store::team_logs(
            Some(&args.file),
            args.labels_dir.as_deref(),
            &args.logs,
            args.store.as_deref(),
        )
    })?;
    let mut dataset = dataset.expect("a candidate file was given");
    let mut st = st;
    if args.aggregate == Aggregate::Consensus && args.format == ExportFormat::Ratings {
        anyhow::bail!(
            "--aggregate consensus orders each item's candidates (Tideman's ranked pairs): it is for --format rankings and the pair formats; ratings are written per annotator, with their mean"
        );
    }
    if args.min_confidence.is_some() && args.aggregate != Aggregate::DawidSkene {
        anyhow::bail!(
            "--min-confidence needs --aggregate dawid-skene: only that fit gives each pair a probability"
        );
    }
    let excluded = excluded_annotators(&st, &args.exclude_annotator)?;
    let before = st.decisions.len();
    st.decisions.retain(|d| !excluded.contains(&d.annotator));
    st.edits.retain(|d| !excluded.contains(&d.annotator));
    let excluded_decisions = before - st.decisions.len();
    for w in &warnings {
        eprintln!("prefer export: warning: {w}");
    }
    let found = st.writers.findings();
    for f in &found {
        eprintln!("prefer export: warning: {f}");
    }
    if args.strict && !found.is_empty() {
        return Err(ExportError::Writers(found.len()).into());
    }
    let spec = match &args.task {
        Some(path) => Some(crate::taskfile::TaskSpec::load(path)?),
        None => None,
    };
    let margin_map = spec.as_ref().map_or(args.margin_map.0, |s| s.margin_map());
    let edit_beats = args
        .edit_beats
        .or(spec.as_ref().map(|s| s.edit_beats))
        .unwrap_or_default();
    let gold = gold_items(&dataset.items, spec.as_ref(), &args.file)?;
    if args.min_gold_accuracy.is_some() && gold.is_empty() {
        anyhow::bail!(
            "--min-gold-accuracy needs gold answers: give the task file that names them (--task TASK with `gold = \"gold.jsonl\"`), or items with a `gold` field"
        );
    }
    let mut gold_excluded = Vec::new();
    let mut gold_excluded_decisions = 0;
    if let Some(min) = args.min_gold_accuracy {
        let acc = gold_accuracy(&st, &dataset.items, &gold);
        let out: std::collections::HashSet<u32> = acc
            .iter()
            .enumerate()
            .filter_map(|(a, x)| x.filter(|x| x.accuracy < min).map(|_| a as u32))
            .collect();
        for &a in &out {
            gold_excluded.push((
                st.annotators[a as usize].clone(),
                acc[a as usize].expect("counted"),
            ));
        }
        gold_excluded.sort_by(|x, y| x.0.cmp(&y.0));
        let before = st.decisions.len();
        st.decisions.retain(|d| !out.contains(&d.annotator));
        st.edits.retain(|d| !out.contains(&d.annotator));
        gold_excluded_decisions = before - st.decisions.len();
    }
    let edit_decisions = edits::apply(&mut dataset.items, &st, edit_beats);
    // A consensus ranking puts candidates judged equal in one tier: ties and both-bad pairs
    // are part of it, not left out.
    let rankings = args.format == ExportFormat::Rankings;
    let plan = Plan {
        pairs: PairOptions {
            min_gap: args.min_gap,
            margin_map,
            best_worst_margins: spec.as_ref().and_then(|s| s.best_worst_margins),
        },
        aggregate: args.aggregate,
        ties: if rankings { Keep::Keep } else { args.ties },
        both_bad: if rankings { Keep::Keep } else { args.both_bad },
        min_confidence: args.min_confidence,
        include_gold: args.include_gold,
    };
    let (mut agg, mut report) = judge(&dataset.items, &st, &edit_decisions, &plan, &gold);
    report.gold_excluded = gold_excluded;
    report.gold_excluded_decisions = gold_excluded_decisions;
    if args.aggregate == Aggregate::Consensus && args.format != ExportFormat::Rankings {
        // Pair formats: each item's consensus order, turned back into pairs.
        agg.pairs = formats::consensus_pairs(&dataset.items, &agg.pairs);
    }
    report.edits = edits::count(&edit_decisions);
    report.excluded = excluded_decisions;
    report.excluded_names = args.exclude_annotator.clone();
    report.reliability = agg
        .reliability
        .iter()
        .zip(&st.annotators)
        .filter_map(|(r, name)| Some((name.clone(), (*r)?)))
        .collect();

    let pair_format = match args.format {
        ExportFormat::Trl => Some(PairFormat::Trl),
        ExportFormat::TrlChat => Some(PairFormat::TrlChat),
        ExportFormat::Hh => Some(PairFormat::Hh),
        ExportFormat::Rankings
        | ExportFormat::Ratings
        | ExportFormat::Kto
        | ExportFormat::Llamafactory
        | ExportFormat::LlamafactoryKto
        | ExportFormat::H4 => None,
    };
    if pair_format == Some(PairFormat::Trl) && !args.flatten {
        let need = formats::items_needing_flatten(&dataset.items, &agg.pairs);
        if let Some(first) = need.first() {
            return Err(ExportError::NeedsFlatten {
                count: need.len(),
                first: first.clone(),
            }
            .into());
        }
    }
    let cols = Columns {
        margin: agg.pairs.iter().any(|p| p.margin.is_some()),
        tie: args.ties == Keep::Keep || args.both_bad == Keep::Keep,
        both_bad: args.both_bad == Keep::Keep,
        annotator: args.aggregate == Aggregate::All,
        meta: args.with_meta,
    };
    let notes = if args.with_meta {
        formats::Notes::new(&st.decisions)
    } else {
        formats::Notes::default()
    };
    if args.format == ExportFormat::Ratings {
        report.other_kinds = st
            .decisions
            .iter()
            .filter(|d| d.item.is_some() && d.event.ratings.is_none())
            .count();
    }
    let kto_labels = args.format.unpaired().then(|| {
        let means = args
            .kto_threshold
            .map(|_| kto::rating_means(&dataset.items, &st.decisions));
        let rated = args.kto_threshold.zip(means.as_ref());
        let l = kto::labels(&dataset.items, &agg.pairs, rated);
        report.contradictions = l.contradictions;
        report.duplicates = l.duplicates;
        l
    });
    let lines = match &kto_labels {
        Some(l) => l.rows.len(),
        None => formats::lines_to_write(args.format, &st.decisions, &agg),
    };
    if lines == 0 {
        // Nothing to write: no file is made (nor an old one replaced), and the reason is given.
        let said = summary(&report, &st, args.format, args.out.as_deref());
        // Its first line says what was written: here, nothing, said below with the reason.
        eprint!("{}", said.split_once('\n').map_or("", |(_, rest)| rest));
        eprintln!(
            "prefer export: wrote nothing{}: {}",
            args.out
                .as_deref()
                .map(|p| if p.exists() {
                    format!(" (and left {} as it was)", p.display())
                } else {
                    format!(" (no {} made)", p.display())
                })
                .unwrap_or_default(),
            nothing_because(&report, &st, args.format)
        );
        return Ok(ExitCode::FAILURE);
    }
    // LLaMA-Factory finds a data file through its entry in dataset_info.json beside it: the
    // entry is made ready (and a broken file refused) before anything is written.
    let dataset_info = match (args.format, args.out.as_deref()) {
        (ExportFormat::Llamafactory | ExportFormat::LlamafactoryKto, Some(out)) => {
            let kto = args.format == ExportFormat::LlamafactoryKto;
            let file_name = out
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let name = out
                .file_stem()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let info = out.with_file_name("dataset_info.json");
            let text = sharegpt::updated_dataset_info(
                &info,
                &name,
                sharegpt::dataset_info_entry(&file_name, kto),
            )?;
            Some((info, text))
        }
        (ExportFormat::Llamafactory | ExportFormat::LlamafactoryKto, None) => {
            eprintln!(
                "prefer export: note: LLaMA-Factory finds data through dataset_info.json; with --out FILE this entry is written beside FILE:\n{}",
                serde_json::to_string_pretty(&sharegpt::dataset_info_entry(
                    "FILE",
                    args.format == ExportFormat::LlamafactoryKto
                ))
                .unwrap_or_default()
            );
            None
        }
        _ => None,
    };
    let extra = std::cell::Cell::new((0usize, 0usize));
    let write = |w: &mut dyn Write| -> serde_json::Result<usize> {
        let mut w = w;
        match (pair_format, args.format) {
            (Some(f), _) => {
                let spec = formats::PairRows {
                    format: f,
                    flatten: args.flatten,
                    items: &dataset.items,
                    agg: &agg,
                    names: &st.annotators,
                    cols,
                    notes: &notes,
                };
                formats::write_pairs(&mut w, &spec)?;
                Ok(agg.pairs.len())
            }
            (None, ExportFormat::Kto) => {
                let labels = kto_labels.as_ref().expect("labels are made for kto");
                let conversational =
                    !args.flatten && kto::any_conversation(&dataset.items, &labels.rows);
                kto::write(
                    &mut w,
                    &dataset.items,
                    labels,
                    conversational,
                    args.with_meta,
                )
            }
            (None, ExportFormat::Llamafactory) => {
                let (n, out) = sharegpt::write_pairs(&mut w, &dataset.items, &agg.pairs)?;
                extra.set((0, out));
                Ok(n)
            }
            (None, ExportFormat::LlamafactoryKto) => {
                let labels = kto_labels.as_ref().expect("labels are made for kto");
                let (n, out) = sharegpt::write_kto(&mut w, &dataset.items, labels)?;
                extra.set((0, out));
                Ok(n)
            }
            (None, ExportFormat::H4) => {
                let means = kto::rating_means(&dataset.items, &st.decisions);
                let (n, rated) = h4::write(&mut w, &dataset.items, &agg.pairs, &means)?;
                extra.set((0, rated));
                Ok(n)
            }
            (None, ExportFormat::Rankings) => {
                let (n, empty) = formats::write_rankings(
                    &mut w,
                    &dataset.items,
                    &st.decisions,
                    &agg,
                    args.aggregate == Aggregate::Consensus,
                )?;
                extra.set((empty, 0));
                Ok(n)
            }
            (None, _) => {
                let r = formats::write_ratings(
                    &mut w,
                    &dataset.items,
                    &st.decisions,
                    &st.annotators,
                    args.aggregate,
                )?;
                extra.set((0, r.mixed_scales));
                Ok(r.lines)
            }
        }
    };
    let parquet = args.parquet
        || args.out.as_deref().is_some_and(|p| {
            p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
        });
    // The rows as JSON Lines in memory, when Parquet or a card needs them.
    let mut json = Vec::new();
    report.lines = match &args.out {
        Some(path) if args.card && !parquet => {
            let n = write(&mut json).context("formatting the rows")?;
            write_atomically(path, |w| w.write_all(&json)).map_err(|source| {
                ExportError::Write {
                    path: path.clone(),
                    source,
                }
            })?;
            n
        }
        _ if parquet => {
            // The rows are made as JSON Lines in memory, then read into Arrow columns.
            let n = write(&mut json).context("formatting the rows")?;
            let to_parquet = |w: &mut dyn Write| {
                let mut buf = Vec::new();
                parquet::write(&json, &mut buf).map_err(std::io::Error::other)?;
                w.write_all(&buf)
            };
            match &args.out {
                Some(path) => {
                    write_parquet_file(path, &json).map_err(|source| ExportError::Write {
                        path: path.clone(),
                        source,
                    })?
                }
                None => to_parquet(&mut std::io::stdout().lock()).context("writing to stdout")?,
            }
            n
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = BufWriter::with_capacity(1 << 16, stdout.lock());
            let n = write(&mut w).context("writing to stdout")?;
            w.flush().context("writing to stdout")?;
            n
        }
        Some(path) => write_atomically(path, |w| write(w).map_err(std::io::Error::from)).map_err(
            |source| ExportError::Write {
                path: path.clone(),
                source,
            },
        )?,
    };
    match args.format {
        ExportFormat::Llamafactory | ExportFormat::LlamafactoryKto => {
            report.not_sharegpt = extra.get().1;
        }
        ExportFormat::H4 => report.scored_from_ratings = Some(extra.get().1),
        _ => (report.empty_rankings, report.mixed_scales) = extra.get(),
    }
    if let Some((path, text)) = &dataset_info {
        write_atomically(path, |w| w.write_all(text.as_bytes())).map_err(|source| {
            ExportError::Write {
                path: path.clone(),
                source,
            }
        })?;
    }
    let said = summary(&report, &st, args.format, args.out.as_deref());
    eprint!("{said}");
    if let (true, Some(out)) = (args.card, args.out.as_deref()) {
        let name = args
            .format
            .to_possible_value()
            .map(|v| v.get_name().to_string())
            .unwrap_or_default();
        let path = card(&CardFacts {
            out,
            format: args.format,
            format_name: &name,
            rows: report.lines,
            json: &json,
            aggregation: &aggregation_text(&args, margin_map),
            // The card names the file, not where it was on this machine.
            summary: &summary(&report, &st, args.format, out.file_name().map(Path::new)),
            st: &st,
            items: &dataset.items,
        })?;
        eprintln!("prefer export: wrote the dataset card {}", path.display());
    }
    if let Some((path, _)) = &dataset_info {
        eprintln!(
            "prefer export: registered the file for LLaMA-Factory in {} (dataset name \"{}\")",
            path.display(),
            args.out
                .as_deref()
                .and_then(Path::file_stem)
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        );
    }
    // The process ends here: handing the memory back piece by piece (a million events, their
    // strings, every item) took a tenth of a large export.
    std::mem::forget(notes);
    std::mem::forget(agg);
    std::mem::forget(st);
    std::mem::forget(dataset);
    Ok(ExitCode::SUCCESS)
}

/// The annotators `--exclude-annotator` names, as indices; a name no log has is an error that
/// lists the names there are.
fn excluded_annotators(st: &Standing, names: &[String]) -> anyhow::Result<Vec<u32>> {
    names
        .iter()
        .map(|n| {
            st.annotators
                .iter()
                .position(|a| a == n)
                .map(|i| i as u32)
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "--exclude-annotator {n}: no decision in the logs is by \"{n}\" (annotators: {})",
                        st.annotators.join(", ")
                    )
                })
        })
        .collect()
}

/// The message export prints on stderr: what was written, and what was left out and why.
pub fn summary(r: &Report, st: &Standing, format: ExportFormat, out: Option<&Path>) -> String {
    let what = match format {
        ExportFormat::Rankings | ExportFormat::Ratings => "item lines",
        ExportFormat::Kto | ExportFormat::LlamafactoryKto => "rows",
        _ => "pairs",
    };
    let name = format
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default();
    let mut s = format!(
        "prefer export: wrote {} {what} ({name}) from {} decision(s) by {} annotator(s){}\n",
        r.lines,
        r.decisions,
        r.annotators,
        out.map(|p| format!(" to {}", p.display()))
            .unwrap_or_default()
    );
    if r.edits > 0 {
        s.push_str(&format!(
            "prefer export: {} edited answer(s) joined their items as candidates (\"<source>+edit:<annotator>\")\n",
            r.edits
        ));
    }
    let lo = &st.left_out;
    let mut reasons = Vec::new();
    let mut reason = |n: usize, text: &str| {
        if n > 0 {
            reasons.push(format!("{n} {text}"));
        }
    };
    reason(
        r.excluded,
        &format!("by {} (--exclude-annotator)", r.excluded_names.join(", ")),
    );
    let below: Vec<String> = r
        .gold_excluded
        .iter()
        .map(|(name, a)| format!("{name} {}/{}", a.right, a.n))
        .collect();
    reason(
        r.gold_excluded_decisions,
        &format!(
            "by annotators below --min-gold-accuracy ({})",
            below.join(", ")
        ),
    );
    reason(lo.skipped, "skipped");
    reason(lo.retracted, "retracted");
    reason(
        lo.stale,
        "stale (the item changed since it was labeled; label it again)",
    );
    reason(
        lo.unknown,
        "about items or candidates the file no longer has",
    );
    reason(
        r.other_kinds,
        "not ratings (rank and pair decisions: --format rankings, trl, trl-chat or hh exports them)",
    );
    let decisions_out = reasons.join(", ");
    let mut pairs_out = Vec::new();
    let mut pair_reason = |n: usize, text: &str| {
        if n > 0 {
            pairs_out.push(format!("{n} {text}"));
        }
    };
    match format {
        // Ratings are written as they are: no pairs are formed, so none are left out.
        ExportFormat::Ratings => {}
        // Ties are tiers of the ranking; only pairs without a majority are missing from it.
        ExportFormat::Rankings => pair_reason(
            r.no_majority,
            "pair(s) where the annotators split with no majority (not in the consensus ranking; the decisions are in the line)",
        ),
        _ => {
            pair_reason(r.ties_dropped, "tie pair(s) (--ties keep to keep them)");
            pair_reason(
                r.both_bad_dropped,
                "both-bad pair(s) (--both-bad keep to keep them)",
            );
            pair_reason(
                r.no_majority,
                "pair(s) where the annotators split with no majority",
            );
        }
    }
    pair_reason(
        r.low_confidence,
        "pair(s) less probable than --min-confidence",
    );
    pair_reason(
        r.gold_pairs,
        "pair(s) of gold items (checks on the labelers; --include-gold to keep them)",
    );
    if !decisions_out.is_empty() {
        let _ = writeln!(s, "left out decisions: {decisions_out}");
    }
    if !pairs_out.is_empty() {
        let _ = writeln!(s, "left out pairs: {}", pairs_out.join(", "));
    }
    if r.contradictions > 0 {
        let _ = writeln!(
            s,
            "left out answers: {} both chosen and rejected (the middle of a ranking, or annotators who disagree): KTO needs one label per prompt and answer",
            r.contradictions
        );
    }
    if let Some(rated) = r.scored_from_ratings {
        let _ = writeln!(
            s,
            "scores: {rated} pair(s) from mean ratings, {} from the consensus ranking (best of T tiers scores T, the worst 1)",
            r.lines - rated
        );
    }
    if r.not_sharegpt > 0 {
        let _ = writeln!(
            s,
            "left out rows: {} whose conversation LLaMA-Factory would skip (roles that do not take turns user/assistant, a system message after the first turn, or an answer of more than one turn)",
            r.not_sharegpt
        );
    }
    if r.duplicates > 0 {
        let _ = writeln!(
            s,
            "{} label(s) repeated a prompt and answer already written (one row each)",
            r.duplicates
        );
    }
    if !r.reliability.is_empty() {
        let each: Vec<String> = r
            .reliability
            .iter()
            .map(|(name, p)| format!("{name} {p:.2}"))
            .collect();
        let _ = writeln!(
            s,
            "dawid-skene: fitted accuracy (chance a vote is the true judgement): {}",
            each.join(", ")
        );
    }
    if r.empty_rankings > 0 {
        let _ = writeln!(
            s,
            "{} item line(s) have an empty \"ranking\": the annotators split on every pair with no majority",
            r.empty_rankings
        );
    }
    if r.mixed_scales > 0 {
        let _ = writeln!(
            s,
            "{} item(s) were rated on more than one scale: each rating keeps its own \"scale\", and the mean is on the item's largest scale (each rating placed at the same point of it)",
            r.mixed_scales
        );
    }
    s
}

/// Why an export has nothing to write, in a few words and what to do.
fn nothing_because(r: &Report, st: &Standing, format: ExportFormat) -> String {
    let mut kinds = [0usize; 4];
    for d in st.decisions.iter().filter(|d| d.item.is_some()) {
        kinds[d.event.task as usize] += 1;
    }
    let [pair, rank, rate, _edits] = kinds;
    if pair + rank + rate == 0 {
        return if st.left_out.total() > 0 {
            "no decision stands (see what was left out above)".into()
        } else {
            "the logs hold no decisions about this file's items - label first, or name the logs or --labels-dir".into()
        };
    }
    let held = format!("the logs hold {pair} pair, {rank} rank and {rate} rate decision(s)");
    match format {
        ExportFormat::Ratings => format!(
            "--format ratings writes rate decisions and {held}: use --format rankings (one line per item) or trl, trl-chat, hh (pairs)"
        ),
        ExportFormat::Rankings => format!("no item has a decision ({held})"),
        _ if r.ties_dropped + r.both_bad_dropped > 0 => format!(
            "every pair was left out ({held}; see above): --ties keep / --both-bad keep keep ties and both-bad pairs"
        ),
        _ => format!("every pair was left out ({held}; see above)"),
    }
}

/// Writes rows (JSON Lines) as a Parquet file, atomically as [`write_atomically`] does.
fn write_parquet_file(path: &Path, json: &[u8]) -> std::io::Result<()> {
    let mut file = crate::outfile::AtomicFile::create(path)?;
    parquet::write(json, &mut file).map_err(std::io::Error::other)?;
    file.commit()
}

/// Writes a whole file so that readers see the old one or the new one, never half (see
/// [`crate::outfile::AtomicFile`]; a device or pipe is written straight into).
pub fn write_atomically<T>(
    path: &Path,
    body: impl FnOnce(&mut dyn Write) -> std::io::Result<T>,
) -> std::io::Result<T> {
    let mut file = crate::outfile::AtomicFile::create(path)?;
    let value = body(&mut file)?;
    file.commit()?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With nothing to write, the message tells a log with every decision left out (skipped,
    /// taken back, stale, unknown: each counted) from logs with no decision at all.
    #[test]
    fn nothing_to_write_says_whether_decisions_were_left_out() {
        let none = |left_out: standing::LeftOut| {
            let st = Standing {
                left_out,
                ..Default::default()
            };
            nothing_because(&Report::default(), &st, ExportFormat::Trl)
        };
        let left = "no decision stands (see what was left out above)";
        let empty = "the logs hold no decisions about this file's items - label first, or name the logs or --labels-dir";
        assert_eq!(none(standing::LeftOut::default()), empty);
        for (i, one) in [
            standing::LeftOut {
                skipped: 1,
                ..Default::default()
            },
            standing::LeftOut {
                retracted: 1,
                ..Default::default()
            },
            standing::LeftOut {
                stale: 1,
                ..Default::default()
            },
            standing::LeftOut {
                unknown: 1,
                ..Default::default()
            },
        ]
        .into_iter()
        .enumerate()
        {
            assert_eq!(none(one.clone()), left, "{i}: {one:?}");
            assert_eq!(one.total(), 1, "{i}");
        }
        let all = standing::LeftOut {
            skipped: 2,
            retracted: 3,
            stale: 5,
            unknown: 7,
        };
        assert_eq!(all.total(), 17);
    }

    fn plan(aggregate: Aggregate) -> Plan {
        Plan {
            pairs: PairOptions::default(),
            aggregate,
            ties: Keep::Drop,
            both_bad: Keep::Drop,
            min_confidence: None,
            include_gold: false,
        }
    }

    /// The pairs judge leaves out are counted one by one: gold items' pairs (unless the plan
    /// includes them) and, with `dawid-skene`, the pairs less probable than the minimum; gold
    /// anchors a `dawid-skene` fit.
    #[test]
    fn judge_counts_the_gold_and_unlikely_pairs_it_leaves_out() {
        use standing::tests::{item, pair};
        let items = vec![item("x", 2), item("y", 2), item("z", 2)];
        // x: all three say c0; y: two say c0, one c1; z: all three say c1.
        let mut events = Vec::new();
        for who in ["alice", "bob", "carol"] {
            events.push(pair(who, &items[0], "c0", "c1", "c0"));
            let y = if who == "carol" { "c1" } else { "c0" };
            events.push(pair(who, &items[1], "c0", "c1", y));
            events.push(pair(who, &items[2], "c1", "c0", "c1"));
        }
        let st = standing::standing(events, Some(&items));
        assert_eq!(st.decisions.len(), 9);
        let ids = |agg: &Aggregated| agg.pairs.iter().map(|p| p.item).collect::<Vec<_>>();

        // Gold on y and z: of the three pairs, one is left, and two are counted out.
        let answer = |p| crate::gold::Answer {
            pairs: vec![(0, 1, p)],
            expected: crate::gold::Expected::Tie,
            reason: None,
        };
        let gold = crate::gold::GoldItems {
            by_item: [(1, answer(Pref::Lo)), (2, answer(Pref::Hi))].into(),
        };
        let (agg, r) = judge(&items, &st, &[], &plan(Aggregate::Majority), &gold);
        assert_eq!((ids(&agg), r.gold_pairs), (vec![0], 2));
        assert_eq!((r.decisions, r.annotators, r.low_confidence), (9, 3, 0));
        let with = Plan {
            include_gold: true,
            ..plan(Aggregate::Majority)
        };
        let (agg, r) = judge(&items, &st, &[], &with, &gold);
        assert_eq!((ids(&agg), r.gold_pairs), (vec![0, 1, 2], 0));

        // Dawid-Skene: y, the split pair, is the least probable; a minimum above it leaves
        // out y alone, and one above every pair all three.
        let none = crate::gold::GoldItems::default();
        let (agg, r) = judge(&items, &st, &[], &plan(Aggregate::DawidSkene), &none);
        let conf: Vec<f64> = agg.pairs.iter().map(|p| p.confidence.unwrap()).collect();
        assert_eq!((ids(&agg), r.low_confidence), (vec![0, 1, 2], 0));
        assert!(conf[1] < conf[0] && conf[1] < conf[2], "{conf:?}");
        for (min, left, out) in [
            ((conf[1] + conf[0].min(conf[2])) / 2.0, vec![0, 2], 1),
            (1.0 + f64::EPSILON, vec![], 3),
        ] {
            let p = Plan {
                min_confidence: Some(min),
                ..plan(Aggregate::DawidSkene)
            };
            let (agg, r) = judge(&items, &st, &[], &p, &none);
            assert_eq!((ids(&agg), r.low_confidence), (left, out), "{min}");
        }
        // Gold that says carol was right on y anchors the fit: y is judged as gold says,
        // and carol, alone against the others there, comes out the most reliable.
        let against = crate::gold::GoldItems {
            by_item: [(1, answer(Pref::Hi))].into(),
        };
        let p = Plan {
            include_gold: true,
            ..plan(Aggregate::DawidSkene)
        };
        assert_eq!(agg.pairs[1].pref, Pref::Lo);
        let (agg, _) = judge(&items, &st, &[], &p, &against);
        assert_eq!((agg.pairs[1].item, agg.pairs[1].pref), (1, Pref::Hi));
        let fitted: Vec<f64> = agg.reliability.iter().map(|r| r.unwrap()).collect();
        assert!(fitted[2] > fitted[0] && fitted[2] > fitted[1], "{fitted:?}");
    }

    /// The dataset card's words for the options that shaped the pairs.
    #[test]
    fn the_card_says_how_the_pairs_were_made() {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            args: ExportArgs,
        }
        let text = |argv: &[&str]| {
            let cli =
                <Cli as clap::Parser>::try_parse_from(["prefer", "set.jsonl"].iter().chain(argv))
                    .unwrap();
            aggregation_text(&cli.args, cli.args.margin_map.0)
        };
        assert_eq!(
            text(&[]),
            "Several annotators' judgements on one pair: a pair is kept when more than half of \
             the annotators who judged it agree (`--aggregate majority`). A ranking counts as \
             all its pairs; ratings make a pair when they differ by at least 1 (`--min-gap`). \
             Ties dropped (`--ties`), both-bad pairs dropped (`--both-bad`). Margins for \
             preference strength 1-4: 0, 1, 2, 3."
        );
        let kept = text(&[
            "--ties",
            "keep",
            "--min-gap",
            "2",
            "--aggregate",
            "all",
            "--margin-map",
            "0.5,1,1.5,2",
        ]);
        assert!(
            kept.starts_with(
                "Several annotators' judgements on one pair: every annotator's judgement of \
                 a pair is its own row (`--aggregate all`)."
            ),
            "{kept}"
        );
        assert!(
            kept.ends_with(
                "differ by at least 2 (`--min-gap`). Ties kept (`--ties`), both-bad pairs \
                 dropped (`--both-bad`). Margins for preference strength 1-4: 0.5, 1, 1.5, 2."
            ),
            "{kept}"
        );
        let both = text(&["--both-bad", "keep"]);
        assert!(
            both.contains("Ties dropped (`--ties`), both-bad pairs kept (`--both-bad`)."),
            "{both}"
        );
    }

    /// The export's message: one line of what was written, then each count left out or
    /// noted, every one under its own words, and nothing about a count of 0.
    #[test]
    fn the_summary_names_every_count_and_only_those_above_zero() {
        let st = Standing {
            left_out: standing::LeftOut {
                skipped: 2,
                retracted: 3,
                stale: 5,
                unknown: 7,
            },
            ..Default::default()
        };
        let r = Report {
            lines: 11,
            decisions: 13,
            annotators: 3,
            ties_dropped: 17,
            both_bad_dropped: 19,
            no_majority: 23,
            other_kinds: 29,
            empty_rankings: 31,
            mixed_scales: 37,
            contradictions: 41,
            duplicates: 43,
            not_sharegpt: 47,
            scored_from_ratings: Some(4),
            low_confidence: 53,
            excluded: 59,
            excluded_names: vec!["carol".into(), "dan".into()],
            gold_excluded: vec![("erin".into(), crate::gold::Accuracy::of(1, 4).unwrap())],
            gold_excluded_decisions: 61,
            gold_pairs: 67,
            reliability: vec![("alice".into(), 0.914), ("bob".into(), 0.5)],
            edits: 71,
        };
        let out = Path::new("out/p.jsonl");
        let text = summary(&r, &st, ExportFormat::TrlChat, Some(out));
        let want = [
            "prefer export: wrote 11 pairs (trl-chat) from 13 decision(s) by 3 annotator(s) to out/p.jsonl",
            "prefer export: 71 edited answer(s) joined their items as candidates (\"<source>+edit:<annotator>\")",
            "left out decisions: 59 by carol, dan (--exclude-annotator), 61 by annotators below \
             --min-gold-accuracy (erin 1/4), 2 skipped, 3 retracted, 5 stale (the item changed \
             since it was labeled; label it again), 7 about items or candidates the file no \
             longer has, 29 not ratings (rank and pair decisions: --format rankings, trl, \
             trl-chat or hh exports them)",
            "left out pairs: 17 tie pair(s) (--ties keep to keep them), 19 both-bad pair(s) \
             (--both-bad keep to keep them), 23 pair(s) where the annotators split with no \
             majority, 53 pair(s) less probable than --min-confidence, 67 pair(s) of gold items \
             (checks on the labelers; --include-gold to keep them)",
            "left out answers: 41 both chosen and rejected (the middle of a ranking, or \
             annotators who disagree): KTO needs one label per prompt and answer",
            "scores: 4 pair(s) from mean ratings, 7 from the consensus ranking (best of T tiers \
             scores T, the worst 1)",
            "left out rows: 47 whose conversation LLaMA-Factory would skip (roles that do not \
             take turns user/assistant, a system message after the first turn, or an answer of \
             more than one turn)",
            "43 label(s) repeated a prompt and answer already written (one row each)",
            "dawid-skene: fitted accuracy (chance a vote is the true judgement): alice 0.91, bob 0.50",
            "31 item line(s) have an empty \"ranking\": the annotators split on every pair with \
             no majority",
            "37 item(s) were rated on more than one scale: each rating keeps its own \"scale\", \
             and the mean is on the item's largest scale (each rating placed at the same point \
             of it)",
        ];
        assert_eq!(text, want.join("\n") + "\n");
        // Rankings: item lines; ties and both-bad pairs are tiers, not left out.
        let text = summary(&r, &st, ExportFormat::Rankings, None);
        assert!(
            text.starts_with(
                "prefer export: wrote 11 item lines (rankings) from 13 decision(s) by 3 annotator(s)\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "\nleft out pairs: 23 pair(s) where the annotators split with no majority (not \
                 in the consensus ranking; the decisions are in the line), 53 pair(s) less \
                 probable than --min-confidence, 67 pair(s) of gold items"
            ),
            "{text}"
        );
        // Ratings: no pairs are formed, so only the pairs' other reasons are.
        let text = summary(&r, &st, ExportFormat::Ratings, None);
        assert!(text.contains("wrote 11 item lines (ratings)"), "{text}");
        assert!(
            text.contains("\nleft out pairs: 53 pair(s) less probable than --min-confidence, 67"),
            "{text}"
        );
        for (format, what) in [
            (ExportFormat::Kto, "rows (kto)"),
            (ExportFormat::LlamafactoryKto, "rows (llamafactory-kto)"),
            (ExportFormat::Hh, "pairs (hh)"),
        ] {
            let text = summary(&r, &st, format, None);
            assert!(text.contains(&format!("wrote 11 {what} from")), "{text}");
        }
        // Nothing left out or noted: the first line alone.
        let zero = Report {
            lines: 5,
            decisions: 5,
            annotators: 1,
            ..Report::default()
        };
        assert_eq!(
            summary(&zero, &Standing::default(), ExportFormat::Trl, None),
            "prefer export: wrote 5 pairs (trl) from 5 decision(s) by 1 annotator(s)\n"
        );
    }

    /// With decisions but nothing to write, the reason names the decisions held by kind and
    /// what to do for the format asked for.
    #[test]
    fn nothing_to_write_says_what_the_logs_hold_and_what_to_do() {
        use crate::labels::{Event, TaskKind};
        let held = |kinds: &[TaskKind]| Standing {
            decisions: kinds
                .iter()
                .map(|&k| standing::Decided {
                    item: Some(0),
                    ..standing::Decided::new(0, Event::new("alice", "q", None, k))
                })
                .collect(),
            ..Default::default()
        };
        let (pair, rank, rate) = (TaskKind::Pair, TaskKind::Rank, TaskKind::Rate);
        let none = Report::default();
        for (kinds, counts) in [
            (&[pair][..], "1 pair, 0 rank and 0 rate"),
            (&[pair, rank, rank][..], "1 pair, 2 rank and 0 rate"),
            (&[rate][..], "0 pair, 0 rank and 1 rate"),
        ] {
            let st = held(kinds);
            let h = format!("the logs hold {counts} decision(s)");
            assert_eq!(
                nothing_because(&none, &st, ExportFormat::Ratings),
                format!(
                    "--format ratings writes rate decisions and {h}: use --format rankings (one line per item) or trl, trl-chat, hh (pairs)"
                )
            );
            assert_eq!(
                nothing_because(&none, &st, ExportFormat::Rankings),
                format!("no item has a decision ({h})")
            );
            assert_eq!(
                nothing_because(&none, &st, ExportFormat::Trl),
                format!("every pair was left out ({h}; see above)")
            );
            for dropped in [
                Report {
                    ties_dropped: 1,
                    ..Report::default()
                },
                Report {
                    both_bad_dropped: 2,
                    ..Report::default()
                },
            ] {
                assert_eq!(
                    nothing_because(&dropped, &st, ExportFormat::Hh),
                    format!(
                        "every pair was left out ({h}; see above): --ties keep / --both-bad keep keep ties and both-bad pairs"
                    )
                );
            }
        }
        // A decision about no item of the file is not one it holds.
        let mut st = held(&[pair]);
        st.decisions[0].item = None;
        assert!(nothing_because(&none, &st, ExportFormat::Trl).starts_with("the logs hold no"));
    }

    #[test]
    fn at_keys_order_as_the_strings_do() {
        let times = [
            "2026-11-26T15:09:00.123Z",
            "2026-11-26T15:09:00.124Z",
            "2026-11-26T15:10:00.000Z",
            "2025-12-31T23:59:59.999Z",
            "2026-01-01T00:00:00.000Z",
            "2026-11-26T15:09:00.123Z",
            "9999-12-31T23:59:59.999Z",
            "0000-01-01T00:00:00.000Z",
        ];
        for a in times {
            for b in times {
                assert_eq!(
                    at_key(a).unwrap().cmp(&at_key(b).unwrap()),
                    a.cmp(b),
                    "{a} {b}"
                );
            }
        }
        for other in [
            "",
            "x",
            "2026-11-26T15:09:00Z",
            "2026-11-26 15:09:00.123Z",
            "2026-11-26T15:09:00.123+",
            "2026-11-26T15:09:0a.123Z",
            "2026-11-26T15:09:00.123Zs",
        ] {
            assert_eq!(at_key(other), None, "{other}");
        }
    }
}
