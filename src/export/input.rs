//! The standing decisions with the candidate file beside them, read side by side: what export,
//! stats and agreement start from. Which logs to read is the labels folder's business
//! ([`crate::labels::log_paths`]), or a store's ([`crate::store::team_logs`]).

use std::path::Path;

use crate::labels::Logs;
pub use crate::labels::{InputError, log_paths};

/// The candidate file, when there is one, and the standing decisions of the logs `paths`
/// names (files, or a store's), read side by side (at a million decisions each is a few hundred MB): what export,
/// stats and agreement start from. A problem with the file is reported before one with the
/// logs; also returns the warnings for unfinished last lines.
pub fn read_standing(
    file: Option<&Path>,
    paths: impl FnOnce() -> Result<Logs, InputError> + Send,
) -> anyhow::Result<(
    Option<crate::format::Dataset>,
    super::standing::Standing,
    Vec<String>,
)> {
    let (dataset, labels) = std::thread::scope(|s| {
        let labels = s.spawn(|| match paths()? {
            Logs::Folder(found) => {
                let mut r = super::standing::replay_logs(&found.logs).map_err(InputError::from)?;
                r.0.writers.links = found.links;
                Ok::<_, InputError>(r)
            }
            Logs::Store(mut store) => {
                let logs = store.read_logs()?;
                Ok(super::standing::replay_stored(logs)?)
            }
        });
        let dataset = file.map(crate::format::load).transpose();
        let labels = labels
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (dataset, labels)
    });
    let dataset = dataset?;
    let (replayed, warnings) = labels?;
    let items = dataset.as_ref().map(|d| d.items.as_slice());
    let st = super::standing::standing_of(replayed, items);
    Ok((dataset, st, warnings))
}
