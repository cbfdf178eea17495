//! Command-line definitions (clap derive). Each subcommand's arguments live here; the work is
//! done in the modules named in each doc comment.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::labels::TaskKind;

#[derive(Debug, Parser)]
#[command(
    name = "prefer",
    version,
    about = "Label preference data for reward-model training, in the terminal.",
    long_about = "prefer shows a prompt with its candidate outputs side by side and takes pairwise \
choices, rankings or ratings from the keyboard. Every decision is saved the moment it is made, \
and the same command picks up where you left off."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Label a candidate set: pick the better of two, rank, or rate (autosaves; resumes).
    Label(LabelArgs),
    /// Review the team's labels: every annotator's verdict per candidate, filters
    /// (disagreements, stale, slowest, ...), and final decisions as an adjudicator.
    Review(ReviewArgs),
    /// Check a candidate-set file and print a summary, or every problem as FILE:LINE.
    Validate(ValidateArgs),
    /// Turn a preference dataset (hh, arena, ultrafeedback, sharegpt, oasst, trl) into a
    /// candidate set, keeping its human labels in candidate metadata.
    Import(crate::import::ImportArgs),
    /// Generate candidates for prompts from OpenAI-compatible model servers (resumable).
    Generate(crate::generate::GenerateArgs),
    /// Export decisions for reward-model and DPO trainers (TRL, HH-RLHF, rankings, ratings).
    Export(crate::export::ExportArgs),
    /// Report on the labels: bias, speed, agreement, model leaderboard (--json for machines).
    Stats(crate::stats::StatsArgs),
    /// Agreement between annotators on shared tasks: kappa, tau-b, alpha, per pair and
    /// overall (--json for machines).
    Agreement(crate::agreement_cmd::AgreementArgs),
    /// A labels folder shared by a team on one server: `prefer team init DIR` sets it up so
    /// nobody can write or delete another's log; `prefer team set overlap K` changes the team's K.
    Team(crate::team::TeamArgs),
    /// PostgreSQL as the team's shared store: `prefer store init URL` creates the tables,
    /// `push DIR URL` and `pull URL DIR` move a labels folder's logs to and from it exactly.
    Store(crate::store::StoreArgs),
    /// Synthetic candidate sets and labels logs of any size, for benchmarks.
    #[command(hide = true)]
    Synth(crate::synth::SynthArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// Pick the better of two candidates (an item with N candidates gives C(N,2) tasks).
    Pair,
    /// Rank all candidates best first (ties allowed).
    Rank,
    /// Rate each candidate on a 1..K scale.
    Rate,
    /// Rank all candidates by answering pair questions chosen by binary insertion (at most 17
    /// for 8 candidates, against 28 pairs).
    Sort,
    /// Press the number of the best candidate, then of the worst (best-worst scaling; items
    /// with 3 or more candidates).
    BestWorst,
}

impl From<ModeArg> for TaskKind {
    fn from(m: ModeArg) -> Self {
        match m {
            ModeArg::Pair => TaskKind::Pair,
            ModeArg::Rank | ModeArg::Sort => TaskKind::Rank,
            ModeArg::Rate => TaskKind::Rate,
            ModeArg::BestWorst => TaskKind::BestWorst,
        }
    }
}

#[derive(Debug, Args)]
pub struct LabelArgs {
    /// The candidate-set file (.jsonl, or .json holding an array of items).
    pub file: PathBuf,
    /// Task mode [default: the task file's, then your settings', then pair when every item
    /// has 2 candidates, else rank].
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// Your name in the labels log [default: $PREFER_ANNOTATOR, then `annotator` in your
    /// settings, then $USER].
    #[arg(long)]
    pub annotator: Option<String>,
    /// The labels folder shared by a team: one log per annotator, <annotator>.jsonl
    /// [default: <input dir>/<input stem>.labels/].
    #[arg(long, value_name = "DIR")]
    pub labels_dir: Option<PathBuf>,
    /// Your labels log [default: <labels dir>/<annotator>.jsonl].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Decisions wanted per task across the team: you are served only tasks that fewer than K
    /// annotators have decided [default: `overlap` in <labels dir>/prefer.toml, then the task
    /// file's, else 1].
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..))]
    pub overlap: Option<u32>,
    /// Show candidates in file order instead of a stable per-labeler shuffle.
    #[arg(long)]
    pub no_shuffle: bool,
    /// Rating scale for rate mode: ratings are 1..K [default: the task file's, else 5].
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=9))]
    pub scale: Option<u32>,
    /// A task file from the team lead (TOML): mode and its options, strength, flags,
    /// rationales, guidelines, overlap, pairs per item, minimum time per decision.
    #[arg(long, value_name = "TASK.toml")]
    pub task: Option<PathBuf>,
    /// Keep the team's labels in this database (a postgresql:// URL; the password from
    /// PGPASSWORD or ~/.pgpass): your decisions are saved in an outbox on this machine, then
    /// sent to it [default: `store` in the labels folder's prefer.toml].
    #[arg(long, value_name = "URL", env = "PREFER_STORE", hide_env_values = true)]
    pub store: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// The candidate-set file the labels are for.
    pub file: PathBuf,
    /// Labels logs to review [default: every *.jsonl in the labels folder].
    pub logs: Vec<PathBuf>,
    /// The labels folder [default: <input dir>/<input stem>.labels/].
    #[arg(long, value_name = "DIR")]
    pub labels_dir: Option<PathBuf>,
    /// Which decisions to review [default: the kind most decisions are of].
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// Your name as reviewer; final decisions go to <labels dir>/<name>.jsonl with
    /// "role":"adjudicator" [default: $PREFER_ANNOTATOR, then $USER].
    #[arg(long)]
    pub annotator: Option<String>,
    /// Your log as reviewer [default: <labels dir>/<annotator>.jsonl].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Start with this filter: all, decided, undecided, skipped, disagreements, stale,
    /// annotator:NAME, misses:NAME (their decisions that miss a gold answer), slowest,
    /// fastest (f cycles them, misses apart).
    #[arg(long, default_value = "all")]
    pub filter: String,
    /// Gold answers (the task file's gold file: JSON Lines of item and expected answer), for
    /// --filter misses:NAME; items' own `gold` fields count without it.
    #[arg(long, value_name = "GOLD.jsonl")]
    pub gold: Option<PathBuf>,
    /// Rating scale for final decisions in rate mode [default: 5].
    #[arg(long, value_parser = clap::value_parser!(u32).range(2..=9))]
    pub scale: Option<u32>,
    /// Review the team's labels kept in this database (a postgresql:// URL): their decisions
    /// are read from it, and your final decisions go to it through an outbox on this machine
    /// [default: `store` in the labels folder's prefer.toml; logs named on the command line
    /// are read as named].
    #[arg(long, value_name = "URL", env = "PREFER_STORE", hide_env_values = true)]
    pub store: Option<String>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The candidate-set file to check.
    pub file: PathBuf,
}
