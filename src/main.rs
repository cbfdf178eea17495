//! The `prefer` binary: parses the command line and runs a subcommand.

use std::process::ExitCode;

use clap::Parser;
use prefer::cli::{Cli, Command};
use prefer::format::{self, LoadError};
use prefer::text::sanitize;

fn main() -> ExitCode {
    prefer::trace::start();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Label(args) => prefer::tui::run_label(&args),
        Command::Review(args) => prefer::tui::app::run_review(&args),
        Command::Validate(args) => match format::load(&args.file) {
            Ok(d) => {
                // Ids and paths come from the data: shown as visible symbols, never as escapes.
                print!("{}", sanitize(&prefer::validate::summary(&d)));
                Ok(ExitCode::SUCCESS)
            }
            Err(LoadError::Invalid(problems)) => {
                for p in &problems {
                    println!("{}", sanitize(&p.to_string()));
                }
                println!(
                    "{}",
                    sanitize(&format!(
                        "{}: {} problem{}",
                        args.file.display(),
                        problems.len(),
                        prefer::text::plural(problems.len())
                    ))
                );
                Ok(ExitCode::FAILURE)
            }
            Err(e) => Err(e.into()),
        },
        Command::Import(args) => prefer::import::run(&args),
        Command::Generate(args) => prefer::generate::run(&args),
        Command::Export(args) => prefer::export::run(args, prefer::card::write),
        Command::Stats(args) => prefer::stats::run(args),
        Command::Agreement(args) => prefer::agreement_cmd::run(args),
        Command::Team(args) => prefer::team::run(args),
        Command::Store(args) => prefer::store::run(&args),
        Command::Synth(args) => prefer::synth::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // The chain of causes, each once: our messages often quote their cause already.
            let mut msg = e.to_string();
            for cause in e.chain().skip(1) {
                let c = cause.to_string();
                if !msg.contains(&c) {
                    msg.push_str(": ");
                    msg.push_str(&c);
                }
            }
            eprintln!("prefer: {}", sanitize(&msg));
            ExitCode::FAILURE
        }
    }
}
