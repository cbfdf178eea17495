//! The labeler's key map: which key asks for which [`Action`], built from the action table's
//! default keys ([`crate::action`]) with the settings file's `[keys]` and the task file's flag
//! keys applied; key labels, and the footer and help lines generated from the live map.

pub use crate::action::Action;
use crate::action::{ACTIONS, Listed, default_bindings};
use crate::config::{ConfigError, Settings};
pub use crate::key::{FlagKey, KEY_FORMS, Key, KeyOverride};
use crate::key::{Taken, taken};
use crate::labels::TaskKind;

/// The key map: which key does what.
#[derive(Debug, Clone)]
pub struct KeyMap {
    bindings: Vec<(Key, Action)>,
}

impl Default for KeyMap {
    /// The labeling screen's keys, as the action table lists them.
    fn default() -> Self {
        KeyMap {
            bindings: default_bindings().collect(),
        }
    }
}

impl KeyMap {
    pub fn action(&self, key: Key) -> Option<Action> {
        self.bindings
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, a)| *a)
    }

    /// The keys bound to an action, in binding order.
    pub fn keys(&self, action: Action) -> Vec<Key> {
        self.bindings
            .iter()
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| *k)
            .collect()
    }

    /// All keys of an action joined with `/`; digits are shown as a range (`1-5`).
    pub fn label(&self, action: Action, mode: TaskKind, scale: u32) -> String {
        if action == Action::Number(1) {
            let top = match mode {
                TaskKind::Pair | TaskKind::Edit => 2,
                TaskKind::Rank | TaskKind::BestWorst => 9,
                TaskKind::Rate => scale,
            };
            return format!("1-{top}");
        }
        self.keys(action)
            .iter()
            .map(Key::label)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// (keys, description) for the footer, in the footer's order.
    pub fn footer(&self, mode: TaskKind, scale: u32, review: bool) -> Vec<(String, &'static str)> {
        self.footer_hints(mode, scale, review)
            .into_iter()
            .map(|(_, k, d)| (k, d))
            .collect()
    }

    /// (action, keys, description) for the footer, in the footer's order; the footer keeps
    /// the ones the current state needs most when it is short of room.
    pub fn footer_hints(
        &self,
        mode: TaskKind,
        scale: u32,
        review: bool,
    ) -> Vec<(Action, String, &'static str)> {
        use Action::*;
        if review {
            // The final decision's keys first, then moving through the filter.
            let decide: &[Action] = match mode {
                TaskKind::Pair | TaskKind::Edit => &[ChooseLeft, ChooseRight, Tie, BothBad],
                TaskKind::Rank => &[Number(1), Submit],
                TaskKind::Rate => &[Number(1), Submit],
                TaskKind::BestWorst => &[Number(1)],
            };
            let actions: Vec<Action> = decide
                .iter()
                .copied()
                .chain([CycleFilter, NextTask, Search, Jump, Help, Quit])
                .collect();
            return actions
                .iter()
                .filter_map(|&a| Some((a, self.footer_label(a, mode, scale), a.short_help(mode)?)))
                .collect();
        }
        let actions: &[Action] = match mode {
            TaskKind::Pair | TaskKind::Edit => &[
                ChooseLeft,
                ChooseRight,
                Tie,
                BothBad,
                Skip,
                Undo,
                EditCandidate,
                FocusNext,
                Help,
                Quit,
            ],
            TaskKind::Rank => &[
                Number(1),
                TieNext,
                RemovePick,
                Submit,
                Skip,
                Undo,
                EditCandidate,
                FocusNext,
                Help,
                Quit,
            ],
            TaskKind::BestWorst => &[
                Number(1),
                RemovePick,
                Skip,
                Undo,
                EditCandidate,
                FocusNext,
                Help,
                Quit,
            ],
            TaskKind::Rate => &[
                Number(1),
                FocusNext,
                Submit,
                Skip,
                Undo,
                EditCandidate,
                Help,
                Quit,
            ],
        };
        actions
            .iter()
            .filter_map(|&a| Some((a, self.footer_label(a, mode, scale), a.short_help(mode)?)))
            .collect()
    }

    /// The footer is short on room: one key per action (help lists them all), except that
    /// in pair mode the letter and the digit are both shown.
    fn footer_label(&self, a: Action, mode: TaskKind, scale: u32) -> String {
        let first = || self.keys(a).first().map(Key::label).unwrap_or_default();
        match (a, mode) {
            (Action::ChooseLeft, TaskKind::Pair) => format!("{}/1", first()),
            (Action::ChooseRight, TaskKind::Pair) => format!("{}/2", first()),
            (Action::Number(_), _) => self.label(a, mode, scale),
            _ => first(),
        }
    }

    /// Every action the help overlay lists in `mode`, with its keys and description, in the
    /// action table's order (what a task file turns on is in [`KeyMap::task_help`]).
    pub fn help(&self, mode: TaskKind, scale: u32, review: bool) -> Vec<(String, &'static str)> {
        ACTIONS
            .iter()
            .filter(|d| d.listed == Listed::Help)
            .filter(|d| review || !d.action.review_only())
            .filter_map(|d| {
                let desc = d.action.long_help(mode)?;
                let label = self.label(d.action, mode, scale);
                (!label.is_empty()).then_some((label, desc))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_is_bound_twice() {
        let km = KeyMap::default();
        let mut seen = std::collections::HashSet::new();
        for (k, _) in &km.bindings {
            assert!(seen.insert(*k), "{k:?} bound twice");
        }
    }

    #[test]
    fn footer_comes_from_the_map() {
        let km = KeyMap::default();
        let f = km.footer(TaskKind::Pair, 5, false);
        assert_eq!(f[0], ("a/1".to_string(), "left"));
        let r = km.footer(TaskKind::Rate, 7, false);
        assert_eq!(r[0], ("1-7".to_string(), "rate"));
        assert!(
            km.help(TaskKind::Rank, 5, false)
                .iter()
                .any(|(k, _)| k == "q/Ctrl-C")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// User overrides (the `[keys]` table of the settings file), flag keys from a task file, and help
// lines for the task-file keys.

/// Why a key map could not be built. `Display` says what and what to do; [`line`] says where.
///
/// [`line`]: KeyMapError::line
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyMapError {
    #[error("unknown action `{name}`{hint} - actions are: {known}")]
    UnknownAction {
        name: String,
        hint: String,
        known: String,
        line: usize,
    },
    #[error("cannot read key \"{key}\" for `{action}`: {reason} - valid keys: {KEY_FORMS}")]
    BadKey {
        key: String,
        action: String,
        reason: String,
        line: usize,
    },
    /// One key for two actions: `message` names the key, both actions and where each
    /// binding came from.
    #[error("{message}")]
    Clash { message: String, line: usize },
    #[error("`quit` needs at least one key")]
    NoQuit { line: usize },
}

impl KeyMapError {
    /// The line of the settings or task file the error is about (0 when there is none).
    pub fn line(&self) -> usize {
        match self {
            KeyMapError::UnknownAction { line, .. }
            | KeyMapError::BadKey { line, .. }
            | KeyMapError::Clash { line, .. }
            | KeyMapError::NoQuit { line } => *line,
        }
    }
}

fn clash(key: &Key, first: &str, second: &str) -> String {
    format!(
        "key \"{}\" is bound to both {first} and {second} - give one of them another key",
        key.config_name()
    )
}

impl PartialEq for KeyMap {
    /// Same bindings in the same order (order decides which key the footer shows).
    fn eq(&self, other: &Self) -> bool {
        self.bindings == other.bindings
    }
}

impl KeyMap {
    /// The bindings, in order.
    pub fn bindings(&self) -> &[(Key, Action)] {
        &self.bindings
    }

    /// The default map with the settings file's `[keys]` entries applied: each named action
    /// gets exactly the keys listed (in the place of its first default key, so the footer
    /// keeps its order). Unknown actions, unreadable keys and keys bound to two actions are
    /// errors that carry the entry's line.
    pub fn with_overrides(overrides: &[KeyOverride]) -> Result<KeyMap, KeyMapError> {
        let base = KeyMap::default();
        let mut wanted: Vec<(Action, Vec<Key>, usize)> = Vec::new();
        for o in overrides {
            let action = Action::from_name(&o.action).ok_or_else(|| {
                let known: Vec<&str> = Action::names().collect();
                KeyMapError::UnknownAction {
                    name: o.action.clone(),
                    hint: crate::diag::did_you_mean(&o.action, &known)
                        .map(|s| format!(" - did you mean `{s}`?"))
                        .unwrap_or_default(),
                    known: known.join(", "),
                    line: o.line,
                }
            })?;
            if action == Action::Quit && o.keys.is_empty() {
                return Err(KeyMapError::NoQuit { line: o.line });
            }
            let keys = o
                .keys
                .iter()
                .map(|k| {
                    Key::parse(k).map_err(|reason| KeyMapError::BadKey {
                        key: k.clone(),
                        action: o.action.clone(),
                        reason,
                        line: o.line,
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            wanted.push((action, keys, o.line));
        }
        let line_of = |a: Action| wanted.iter().find(|(w, _, _)| *w == a).map(|w| w.2);
        let mut bindings: Vec<(Key, Action)> = Vec::with_capacity(base.bindings.len());
        let mut placed: Vec<Action> = Vec::new();
        for &(k, a) in &base.bindings {
            match wanted.iter().find(|(w, _, _)| *w == a) {
                None => bindings.push((k, a)),
                Some((_, keys, _)) if !placed.contains(&a) => {
                    placed.push(a);
                    bindings.extend(keys.iter().map(|&k| (k, a)));
                }
                Some(_) => {}
            }
        }
        for (a, keys, _) in &wanted {
            if !placed.contains(a) {
                placed.push(*a);
                bindings.extend(keys.iter().map(|&k| (k, *a)));
            }
        }
        // Two actions on one key: name both, and where each came from.
        for (i, &(k, a)) in bindings.iter().enumerate() {
            if let Some(&(_, b)) = bindings[..i].iter().find(|(kk, _)| *kk == k) {
                if a == b {
                    continue;
                }
                let place = |x: Action| match line_of(x) {
                    Some(l) => format!(" (line {l})"),
                    None => " (by default)".to_string(),
                };
                let name = |x: Action| x.name().unwrap_or("flag").to_string();
                return Err(KeyMapError::Clash {
                    message: clash(
                        &k,
                        &format!("`{}`{}", name(b), place(b)),
                        &format!("`{}`{}", name(a), place(a)),
                    ),
                    line: line_of(a).or(line_of(b)).unwrap_or(0),
                });
            }
        }
        bindings.dedup();
        Ok(KeyMap { bindings })
    }

    /// This map with a task file's flags bound (flag `i` to `Action::Flag(i)`). A flag key
    /// that is already taken is an error naming both.
    pub fn with_flags(&self, flags: &[FlagKey]) -> Result<KeyMap, KeyMapError> {
        let mut bindings = self.bindings.clone();
        for (i, f) in flags.iter().enumerate() {
            let bound = |k: Key| self.action(k).map(|a| a.name().unwrap_or("?").to_string());
            if let Some(t) = taken(f.key, &flags[..i], bound) {
                let first = match t {
                    Taken::Flag(j) => format!("flag \"{}\"", flags[j].name),
                    Taken::Bound(name) => name,
                };
                return Err(KeyMapError::Clash {
                    message: clash(
                        &f.key,
                        &format!("`{first}`"),
                        &format!("`flag \"{}\"`", f.name),
                    ),
                    line: f.line,
                });
            }
            let n = u8::try_from(i).map_err(|_| KeyMapError::BadKey {
                key: f.key.config_name(),
                action: f.name.clone(),
                reason: "a task can have at most 256 flags".into(),
                line: f.line,
            })?;
            bindings.push((f.key, Action::Flag(n)));
        }
        Ok(KeyMap { bindings })
    }

    /// Help lines for what a task file turns on (strength, flags, rationale, guidelines),
    /// with the keys as configured; the help overlay lists them after [`KeyMap::help`].
    pub fn task_help(&self, task: &crate::taskfile::TaskSpec) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(st) = &task.strength {
            let keys = (1..=4u8)
                .map(|n| {
                    self.keys(Action::Number(n))
                        .first()
                        .map(Key::label)
                        .unwrap_or_else(|| "?".into())
                })
                .collect::<Vec<_>>();
            let desc = keys
                .iter()
                .zip(&st.labels)
                .map(|(k, l)| format!("{k} {l}"))
                .collect::<Vec<_>>()
                .join(", ");
            out.push((
                keys.join("/"),
                format!("after choosing a side, how much better: {desc}"),
            ));
        }
        for (i, f) in task.flags.iter().enumerate() {
            let Ok(n) = u8::try_from(i) else { break };
            let label = self.label(Action::Flag(n), TaskKind::Pair, 0);
            if !label.is_empty() {
                out.push((
                    label,
                    format!("flag the focused candidate \"{}\" (again: unflag)", f.name),
                ));
            }
        }
        let mode = task.mode.unwrap_or(TaskKind::Pair);
        if task.rationale != crate::taskfile::RationaleMode::Off {
            let label = self.label(Action::Rationale, mode, 0);
            let need = if task.rationale == crate::taskfile::RationaleMode::Required {
                " (required before the decision is saved)"
            } else {
                " (optional)"
            };
            if let Some(d) = Action::Rationale.long_help(mode) {
                out.push((label, format!("{d}{need}")));
            }
        }
        if task.guidelines.is_some()
            && let Some(d) = Action::Guidelines.long_help(mode)
        {
            out.push((self.label(Action::Guidelines, mode, 0), d.to_string()));
        }
        if !task.rate.aspects.is_empty()
            && let Some(d) = Action::NextAspect.long_help(TaskKind::Rate)
        {
            out.push((
                self.label(Action::NextAspect, TaskKind::Rate, 0),
                d.to_string(),
            ));
        }
        out
    }
}

impl KeyMap {
    /// The labeler's key map: the defaults with the settings file's `[keys]` entries applied.
    /// An error names the settings file and the entry's line.
    pub fn from_settings(settings: &Settings) -> Result<KeyMap, ConfigError> {
        KeyMap::with_overrides(&settings.keys).map_err(|e| ConfigError::Invalid {
            path: settings.file.clone(),
            line: e.line(),
            message: e.to_string(),
        })
    }
}

#[cfg(test)]
mod override_tests {
    use super::*;

    fn ov(action: &str, keys: &[&str], line: usize) -> KeyOverride {
        KeyOverride {
            action: action.into(),
            keys: keys.iter().map(|k| k.to_string()).collect(),
            line,
        }
    }

    #[test]
    fn an_override_replaces_the_actions_keys_in_place() {
        let km = KeyMap::with_overrides(&[ov("undo", &["U", "ctrl-z"], 3)]).unwrap();
        assert_eq!(km.keys(Action::Undo), vec![Key::ch('U'), Key::ctrl('z')]);
        assert_eq!(km.action(Key::ch('u')), None);
        let pos = |m: &KeyMap| m.bindings().iter().position(|(_, a)| *a == Action::Undo);
        assert_eq!(pos(&km), pos(&KeyMap::default()));
        assert_eq!(KeyMap::with_overrides(&[]).unwrap(), KeyMap::default());
        // The footer shows the configured key.
        let f = km.footer(TaskKind::Pair, 5, false);
        assert!(f.contains(&("U".to_string(), "undo")), "{f:?}");
    }

    #[test]
    fn override_errors_say_what_and_where() {
        let e = KeyMap::with_overrides(&[ov("skp", &["s"], 4)]).unwrap_err();
        assert_eq!(e.line(), 4);
        assert!(
            e.to_string()
                .starts_with("unknown action `skp` - did you mean `skip`?")
        );
        let e = KeyMap::with_overrides(&[ov("skip", &["ctrl-"], 5)]).unwrap_err();
        assert_eq!(e.line(), 5);
        assert!(e.to_string().contains("\"ctrl-\" for `skip`"), "{e}");
        let e = KeyMap::with_overrides(&[ov("skip", &["u"], 6)]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "key \"u\" is bound to both `skip` (line 6) and `undo` (by default) - give one of them another key"
        );
        let e =
            KeyMap::with_overrides(&[ov("skip", &["w"], 2), ov("zoom", &["w"], 7)]).unwrap_err();
        assert_eq!(e.line(), 7);
        assert!(
            e.to_string()
                .contains("`skip` (line 2) and `zoom` (line 7)")
        );
        assert_eq!(
            KeyMap::with_overrides(&[ov("quit", &[], 9)]),
            Err(KeyMapError::NoQuit { line: 9 })
        );
    }

    #[test]
    fn flags_bind_after_the_map_and_may_not_take_a_used_key() {
        let f = |name: &str, key: char| FlagKey {
            name: name.into(),
            key: Key::ch(key),
            line: 3,
        };
        let km = KeyMap::default()
            .with_flags(&[f("unsafe", '!'), f("wrong", 'w')])
            .unwrap();
        assert_eq!(km.action(Key::ch('w')), Some(Action::Flag(1)));
        let e = KeyMap::default()
            .with_flags(&[f("unsafe", 'u')])
            .unwrap_err();
        assert!(
            e.to_string().contains("`undo` and `flag \"unsafe\"`"),
            "{e}"
        );
    }
}
