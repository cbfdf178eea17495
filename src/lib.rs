//! prefer: label preference data for reward-model training in the terminal.

pub mod format;
pub mod text;
pub mod labels;
