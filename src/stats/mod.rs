//! `prefer stats`: what makes preference data bad before anyone trains on it (position and
//! length bias, rushed decisions, disagreement), as a report with bar charts or as JSON. The
//! figures are computed by [`compute`] from the standing decisions, without I/O.

pub mod compute;
pub mod figures;
pub mod quality;
pub mod render;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::export::{input, standing};
use crate::format;

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The candidate-set file (optional: needed for stale detection, length bias and the model
    /// leaderboard), then labels logs [default: every *.jsonl in the labels folder]. The first
    /// path counts as the candidate file unless it reads as a labels log.
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
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
    /// The task file the labels were made with: its gold answers (`gold`) and quality
    /// thresholds (`[qa]`) for the quality table [default: items' own `gold` fields, and the
    /// default thresholds].
    #[arg(long, value_name = "TASK")]
    pub task: Option<PathBuf>,
}

/// Why stats could not start.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    #[error("give the candidate file, --labels-dir DIR, or the labels logs to read")]
    NothingToRead,
    #[error("--labels-dir and LOG files name the labels twice - give one or the other")]
    Both,
}

/// True when the file's first non-blank line is a labels event (so it is a log, not a
/// candidate file).
fn looks_like_log(path: &Path) -> bool {
    use std::io::BufRead;
    // Only the first line is read: the candidate file may be gigabytes.
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let line = std::io::BufReader::new(file)
        .split(b'\n')
        .map_while(Result::ok)
        .find(|l| !l.iter().all(u8::is_ascii_whitespace));
    line.is_some_and(|l| crate::labels::starts_like_log(&l))
}

/// The candidate file (when the first path is one, not a labels log) and the standing
/// decisions, read the way `prefer stats` and `prefer agreement` take them (side by side, the
/// logs with the quick replay, as export does). Warnings about unfinished last lines and
/// about who wrote the logs are printed to stderr, prefixed with `cmd`.
pub fn read_inputs(
    cmd: &str,
    paths: &[PathBuf],
    labels_dir: Option<&Path>,
    store: Option<&str>,
) -> anyhow::Result<(Option<format::Dataset>, standing::Standing)> {
    let (file, logs) = match paths.split_first() {
        Some((first, rest)) if !looks_like_log(first) => (Some(first.clone()), rest.to_vec()),
        _ => (None, paths.to_vec()),
    };
    if file.is_none() && logs.is_empty() && labels_dir.is_none() && store.is_none() {
        return Err(StatsError::NothingToRead.into());
    }
    if !logs.is_empty() && labels_dir.is_some() {
        return Err(StatsError::Both.into());
    }
    let (dataset, st, warnings) = input::read_standing(file.as_deref(), || {
        crate::store::team_logs(file.as_deref(), labels_dir, &logs, store)
    })?;
    for w in warnings.iter().chain(&st.writers.findings()) {
        eprintln!("prefer {cmd}: warning: {w}");
    }
    Ok((dataset, st))
}

/// Runs `prefer stats`.
pub fn run(args: StatsArgs) -> anyhow::Result<ExitCode> {
    let (dataset, st) = read_inputs(
        "stats",
        &args.paths,
        args.labels_dir.as_deref(),
        args.store.as_deref(),
    )?;
    let items = dataset.as_ref().map(|d| d.items.as_slice());
    let spec = match &args.task {
        Some(path) => Some(crate::taskfile::TaskSpec::load(path)?),
        None => None,
    };
    let gold = match (&dataset, args.paths.first()) {
        (Some(d), Some(file)) => crate::gold::checked(
            &d.items,
            spec.as_ref()
                .and_then(|s| s.gold.as_ref())
                .map_or(&[][..], |g| g.entries.as_slice()),
            file,
        )?,
        _ => Default::default(),
    };
    let qa = spec.as_ref().map(|s| s.qa).unwrap_or_default();
    let report = compute::report(&st, items);
    let quality = quality::quality(&st, items, &gold, &qa, &report);
    if args.json {
        /// The report's figures, and the quality table as `quality`.
        #[derive(serde::Serialize)]
        struct WithQuality<'a> {
            #[serde(flatten)]
            report: &'a compute::Report,
            quality: &'a quality::Quality,
        }
        let whole = WithQuality {
            report: &report,
            quality: &quality,
        };
        println!("{}", serde_json::to_string_pretty(&whole)?);
    } else {
        print!("{}{}", render::human(&report), render::quality(&quality));
    }
    Ok(ExitCode::SUCCESS)
}
