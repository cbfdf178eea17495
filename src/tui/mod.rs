//! The labeling screen: a pure model/update core, views drawn from the model, and the event
//! loop that connects them to the terminal and the labels log.

pub mod app;
pub mod clock;
pub mod content;
pub mod draft;
pub mod edit_diff;
pub mod filter;
pub mod highlight;
pub mod keymap;
pub mod layout;
pub mod model;
pub mod nothing_left;
pub mod pair_diff;
pub mod review;
pub mod route;
pub mod session;
pub mod team;
pub mod terminal;
pub mod textarea;
pub mod undo;
pub mod update;
pub mod view;
pub mod waiting;

/// The other annotators' logs, as the labeling screen follows them.
pub use crate::labels::follow as others;
pub use app::run_label;

#[cfg(test)]
mod best_worst_tests;
#[cfg(test)]
mod compare_tests;
#[cfg(test)]
mod edit_tests;
#[cfg(test)]
mod gold_tests;
pub mod quality;
#[cfg(test)]
mod repeat_tests;
#[cfg(test)]
mod sort_tests;
#[cfg(test)]
mod update_tests;
#[cfg(test)]
mod ux_tests;
#[cfg(test)]
mod view_tests;
