//! `prefer agreement`: how far annotators agree on the tasks they share, per pair of
//! annotators and overall, as a table or as JSON. The figures come from
//! [`crate::stats::compute::agreement`] (the same ones `prefer stats` shows); this module reads
//! the input and lays them out.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use crate::export::standing::{LeftOut, Standing};
use crate::stats::compute::{self, Agreement, MIN_OVERLAP, Overlap};
use crate::stats::read_inputs;
use crate::text::plural as s;

#[derive(Debug, Args)]
pub struct AgreementArgs {
    /// The candidate-set file (optional: with it, decisions about items changed since they
    /// were labeled are left out as stale), then labels logs [default: every *.jsonl in the
    /// labels folder]. The first path counts as the candidate file unless it reads as a log.
    #[arg(value_name = "FILE] [LOG")]
    pub paths: Vec<PathBuf>,
    /// The labels folder [default: <input dir>/<input stem>.labels/].
    #[arg(long, value_name = "DIR")]
    pub labels_dir: Option<PathBuf>,
    /// Read the labels from this database instead of the labels folder (a postgresql:// URL;
    /// the password from PGPASSWORD or ~/.pgpass) [default: `store` in the labels folder's
    /// prefer.toml].
    #[arg(long, value_name = "URL", env = "PREFER_STORE", hide_env_values = true)]
    pub store: Option<String>,
    /// Print the figures as JSON (field names in docs/agreement.md).
    #[arg(long)]
    pub json: bool,
}

/// What `--json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgreementReport {
    /// True when the candidate file was given, so stale decisions were left out.
    pub with_file: bool,
    /// Figures need at least this many shared tasks.
    pub min_overlap: usize,
    /// Annotators compared, sorted.
    pub annotators: Vec<String>,
    /// Reviewers whose decisions carry `"role":"adjudicator"`: not compared.
    pub adjudicators: Vec<String>,
    /// Decisions that do not count, over every log.
    pub left_out: LeftOut,
    #[serde(flatten)]
    pub agreement: Agreement,
}

/// The report for the standing decisions.
pub fn report(st: &Standing, with_file: bool) -> AgreementReport {
    let (mut annotators, mut adjudicators) = (Vec::new(), Vec::new());
    for (name, c) in st.annotators.iter().zip(&st.counts) {
        if c.adjudicator {
            adjudicators.push(name.clone());
        } else {
            annotators.push(name.clone());
        }
    }
    AgreementReport {
        with_file,
        min_overlap: MIN_OVERLAP,
        annotators,
        adjudicators,
        left_out: st.left_out.clone(),
        agreement: compute::agreement(st),
    }
}

/// A figure with two decimals, or why there is none.
fn fig(x: Option<f64>) -> String {
    x.map_or("undefined".into(), |x| format!("{x:.2}"))
}

/// A figure and the count behind it: `0.72 (3)`.
fn fig_n(x: Option<f64>, n: usize) -> String {
    format!("{} ({n})", fig(x))
}

/// One section: a header line, then a row per pair of annotators and "everyone". Rows with too
/// little overlap say so instead of showing figures.
///
/// ```text
/// Pair tasks: raw agreement and Cohen's kappa
///   annotators        shared  raw   kappa
///   alice & bob            6  0.83  0.71
///   bob & carol            2  not enough overlap (2 shared tasks, need 3)
/// ```
fn section<R>(
    out: &mut String,
    title: &str,
    columns: &str,
    rows: &[R],
    who: impl Fn(&R) -> &Overlap,
    figures: impl Fn(&R) -> String,
) {
    let _ = writeln!(out, "\n{title}");
    if rows.is_empty() {
        let _ = writeln!(out, "  no two annotators decided the same task");
        return;
    }
    let label = |o: &Overlap| {
        if o.a == "all" {
            "everyone".to_string()
        } else {
            format!("{} & {}", o.a, o.b)
        }
    };
    let width = rows
        .iter()
        .map(|r| label(who(r)).chars().count())
        .max()
        .unwrap_or(0)
        .max("annotators".len());
    let _ = writeln!(out, "  {:<width$}  shared  {columns}", "annotators");
    for r in rows {
        let o = who(r);
        let text = if o.enough_overlap {
            figures(r)
        } else {
            format!(
                "not enough overlap ({} shared task{}, need {MIN_OVERLAP})",
                o.shared,
                s(o.shared)
            )
        };
        let _ = writeln!(out, "  {:<width$}  {:>6}  {text}", label(o), o.shared);
    }
}

/// The human report.
pub fn human(r: &AgreementReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "prefer agreement: {} annotator{} ({})",
        r.annotators.len(),
        s(r.annotators.len()),
        r.annotators.join(", ")
    );
    if !r.adjudicators.is_empty() {
        let _ = writeln!(
            out,
            "not compared (adjudicators): {}",
            r.adjudicators.join(", ")
        );
    }
    let lo = &r.left_out;
    let _ = writeln!(
        out,
        "left out: {} skipped, {} retracted, {} stale, {} unknown{}",
        lo.skipped,
        lo.retracted,
        lo.stale,
        lo.unknown,
        if r.with_file {
            ""
        } else {
            " (no candidate file given: stale decisions cannot be told apart)"
        }
    );
    let _ = writeln!(
        out,
        "figures need at least {MIN_OVERLAP} shared tasks; kappa and alpha: 1 perfect, 0 chance, below 0 worse than chance; tau-b: 1 same order, -1 reversed"
    );
    let ag = &r.agreement;
    section(
        &mut out,
        "Pair tasks: raw agreement and Cohen's kappa (labels: the first or second of the pair in id order, tie, both_bad)",
        "raw   kappa",
        &ag.pair,
        |r| &r.who,
        |r| format!("{:<4}  {}", fig(r.raw), fig(r.kappa)),
    );
    section(
        &mut out,
        "Rank tasks: mean Kendall tau-b, pairwise agreement over candidate pairs (a tie is its own verdict)",
        "tau-b (items)   pairwise (candidate pairs)",
        &ag.rank,
        |r| &r.who,
        |r| {
            format!(
                "{:<15} {}",
                fig_n(r.tau_b, r.tau_b_n),
                fig_n(r.pairwise, r.candidate_pairs)
            )
        },
    );
    section(
        &mut out,
        "Rate tasks: Krippendorff's alpha (interval), exact and within-one agreement",
        "alpha (candidates)   exact  within-one (rating pairs)",
        &ag.rate,
        |r| &r.who,
        |r| {
            format!(
                "{:<20} {:<6} {}",
                fig_n(r.alpha, r.units),
                fig(r.exact),
                fig_n(r.within_one, r.rating_pairs)
            )
        },
    );
    out
}

/// Runs `prefer agreement`.
pub fn run(args: AgreementArgs) -> anyhow::Result<ExitCode> {
    let (dataset, st) = read_inputs(
        "agreement",
        &args.paths,
        args.labels_dir.as_deref(),
        args.store.as_deref(),
    )?;
    let items = dataset.as_ref().map(|d| d.items.as_slice());
    let r = report(&st, items.is_some());
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print!("{}", human(&r));
    }
    Ok(ExitCode::SUCCESS)
}
