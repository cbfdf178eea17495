//! `prefer team`: setting up and looking after a labels folder shared by a team on one
//! server. Each subcommand lives in its own file.

pub mod init;

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
}

/// Runs `prefer team ...`.
pub fn run(args: TeamArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        TeamCommand::Init(a) => init::run(&a),
    }
}
