//! `prefer team set`: a labels folder's settings for the whole team. `prefer team set overlap K`
//! changes the overlap stored in `<labels dir>/prefer.toml` on purpose (a `prefer label
//! --overlap` that differs from it is refused).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use clap::{Args, Subcommand};

use crate::folder_settings;
use crate::labels::labels_dir;

#[derive(Debug, Args)]
pub struct SetArgs {
    #[command(subcommand)]
    pub setting: Setting,
}

#[derive(Debug, Subcommand)]
pub enum Setting {
    /// Decisions wanted per task across the team: labelers are served only tasks that fewer
    /// than K annotators have decided, and review counts tasks with K as done.
    Overlap(OverlapArgs),
}

#[derive(Debug, Args)]
pub struct OverlapArgs {
    /// The new overlap (1 or more).
    #[arg(value_name = "K", value_parser = clap::value_parser!(u32).range(1..))]
    pub k: u32,
    /// The candidate-set file whose labels folder to change (<input dir>/<input stem>.labels/).
    pub file: Option<PathBuf>,
    /// The labels folder to change.
    #[arg(long, value_name = "DIR")]
    pub labels_dir: Option<PathBuf>,
}

/// Runs `prefer team set`.
pub fn run(args: &SetArgs) -> anyhow::Result<ExitCode> {
    match &args.setting {
        Setting::Overlap(o) => {
            let dir = folder(o.file.as_deref(), o.labels_dir.as_deref())?;
            let k = o.k as usize;
            let before = folder_settings::overlap(&dir)?;
            if before == Some(k) {
                println!(
                    "the overlap of {} is already {k}; nothing changed",
                    dir.display()
                );
                return Ok(ExitCode::SUCCESS);
            }
            folder_settings::set_overlap(&dir, k)?;
            println!(
                "overlap of {}: {} -> {k} (in {}); everyone labeling or reviewing this folder now works to {k} decision{} per task",
                dir.display(),
                before.map_or("not set".to_string(), |b| b.to_string()),
                folder_settings::path(&dir).display(),
                crate::text::plural(k)
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The labels folder named by `--labels-dir`, or the candidate file's default one.
fn folder(file: Option<&Path>, dir: Option<&Path>) -> anyhow::Result<PathBuf> {
    match (file, dir) {
        (_, Some(d)) => Ok(d.to_path_buf()),
        (Some(f), None) => Ok(labels_dir(f)),
        (None, None) => bail!(
            "which labels folder? give the candidate file (prefer team set overlap K FILE) or --labels-dir DIR"
        ),
    }
}
