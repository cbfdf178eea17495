//! What undo needs to know beyond the log: which tasks this session recorded, so taking back a
//! decision from an earlier session is asked about first (once), and how to say when that
//! decision was made.

use std::collections::HashSet;

use crate::labels::TaskKey;

/// Tasks recorded in this session, and whether the labeler has agreed to undo into earlier
/// sessions' work.
#[derive(Debug, Clone, Default)]
pub struct UndoScope {
    recorded: HashSet<TaskKey>,
    earlier_agreed: bool,
}

impl UndoScope {
    /// This session recorded a decision or skip on `key`.
    pub fn recorded(&mut self, key: TaskKey) {
        self.recorded.insert(key);
    }

    /// True when the latest event on `key` came from an earlier session.
    pub fn is_earlier(&self, key: &TaskKey) -> bool {
        !self.recorded.contains(key)
    }

    /// Undoing `key` needs the labeler's yes first.
    pub fn needs_asking(&self, key: &TaskKey) -> bool {
        self.is_earlier(key) && !self.earlier_agreed
    }

    /// The labeler said yes: they are not asked again this session.
    pub fn agree(&mut self) {
        self.earlier_agreed = true;
    }
}

/// An event's `at` (`2026-11-26T15:09:00.123Z`) as `2026-11-26 15:09 UTC`.
pub fn when(at: &str) -> String {
    match (at.get(..10), at.get(11..16)) {
        (Some(day), Some(time)) if at.len() >= 16 => format!("{day} {time} UTC"),
        _ => "at a time the log does not say".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_a_person_writes_them() {
        assert_eq!(when("2026-11-26T15:09:00.123Z"), "2026-11-26 15:09 UTC");
        assert_eq!(when(""), "at a time the log does not say");
    }
}
