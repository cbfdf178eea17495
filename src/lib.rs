//! prefer: label preference data for reward-model training in the terminal.

pub mod action;
pub mod agreement;
pub mod agreement_cmd;
pub mod card;
pub mod cli;
pub mod config;
pub mod cycles;
pub mod diag;
pub mod diff;
pub mod export;
pub mod folder_settings;
pub mod format;
pub mod generate;
pub mod gold;
pub mod import;
pub mod json;
pub mod key;
pub mod labels;
pub mod markdown;
pub mod outfile;
pub mod par;
pub mod rating_scale;
pub mod safefs;
pub mod sort;
pub mod stats;
pub mod store;
pub mod syntax;
pub mod synth;
pub mod taskfile;
pub mod tasks;
pub mod team;
#[cfg(test)]
mod testutil;
pub mod text;
pub mod trace;
pub mod tui;
pub mod validate;
