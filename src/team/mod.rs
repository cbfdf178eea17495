//! `prefer team`: setting up and looking after a labels folder shared by a team on one
//! server (`init`), and the settings the whole team shares (`set overlap K`). Each subcommand lives in its own file.

pub mod init;
pub mod set;

use std::process::ExitCode;

use clap::{Args, Subcommand};

#[derive(Debug, Args)]
pub struct TeamArgs {
    #[command(subcommand)]
    pub command: TeamCommand,
}

#[derive(Debug, Subcommand)]
pub enum TeamCommand {
    /// Set a labels folder up for a team: group-owned, group-writable, setgid (new logs keep
    /// the group) and sticky (only a log's owner can delete or rename it), with prefer.toml.
    Init(init::InitArgs),
    /// Change a setting the whole team shares (stored in <labels dir>/prefer.toml).
    Set(set::SetArgs),
}

/// Runs `prefer team ...`.
pub fn run(args: TeamArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        TeamCommand::Init(a) => init::run(&a),
        TeamCommand::Set(a) => set::run(&a),
    }
}
