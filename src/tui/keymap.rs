//! Keys to actions: the default key map, key labels for the footer and help, and the text that
//! describes each action in each mode. The footer and the help overlay are generated from here.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::labels::TaskKind;

/// Everything a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// A digit: in pair mode 1 = left, 2 = right; in rank mode the next pick; in rate mode a rating.
    Number(u8),
    ChooseLeft,
    ChooseRight,
    Tie,
    BothBad,
    TieNext,
    RemovePick,
    Submit,
    Skip,
    Undo,
    NextTask,
    PrevTask,
    NextUndecided,
    FocusNext,
    FocusPrev,
    FocusLeft,
    FocusRight,
    FocusPrompt,
    TogglePrompt,
    ScrollUp,
    ScrollDown,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Zoom,
    ToggleMeta,
    Help,
    Quit,
    Cancel,
    /// Review: the next filter.
    CycleFilter,
    /// `:` jump to an item by id or number.
    Jump,
    /// `/` search prompt and candidate text.
    Search,
    /// Repeat the last search.
    SearchNext,
}

/// A key with its modifiers, normalised (SHIFT folded into the character).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Self {
        Key {
            code,
            ctrl: false,
            alt: false,
        }
    }
    pub const fn ch(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }
    pub const fn ctrl(c: char) -> Self {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
            alt: false,
        }
    }

    /// From a terminal key event; `None` for releases and repeats-as-release (Windows, kitty).
    pub fn from_event(ev: &KeyEvent) -> Option<Self> {
        if ev.kind == KeyEventKind::Release {
            return None;
        }
        let code = match ev.code {
            // Some terminals report Shift+Tab as Tab with SHIFT.
            KeyCode::Tab if ev.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
            KeyCode::Char(c) if ev.modifiers.contains(KeyModifiers::SHIFT) => {
                KeyCode::Char(c.to_uppercase().next().unwrap_or(c))
            }
            other => other,
        };
        Some(Key {
            code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// How the key is written in the footer and help.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Backspace => "Bksp".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        match (self.ctrl, self.alt) {
            (true, _) => format!("Ctrl-{}", base.to_uppercase()),
            (_, true) => format!("Alt-{base}"),
            _ => base,
        }
    }
}

/// The key map: which key does what.
#[derive(Debug, Clone)]
pub struct KeyMap {
    bindings: Vec<(Key, Action)>,
}

impl Default for KeyMap {
    fn default() -> Self {
        use Action::*;
        let mut b: Vec<(Key, Action)> = (1..=9u8)
            .map(|n| (Key::ch(char::from(b'0' + n)), Number(n)))
            .collect();
        b.extend([
            (Key::ch('a'), ChooseLeft),
            (Key::ch('b'), ChooseRight),
            (Key::ch('t'), Tie),
            (Key::ch('x'), BothBad),
            (Key::ch('='), TieNext),
            (Key::plain(KeyCode::Backspace), RemovePick),
            (Key::plain(KeyCode::Enter), Submit),
            (Key::ch('s'), Skip),
            (Key::ch('u'), Undo),
            (Key::ch(']'), NextTask),
            (Key::ch('['), PrevTask),
            (Key::ch('}'), NextUndecided),
            (Key::plain(KeyCode::Tab), FocusNext),
            (Key::plain(KeyCode::BackTab), FocusPrev),
            (Key::ch('h'), FocusLeft),
            (Key::plain(KeyCode::Left), FocusLeft),
            (Key::ch('l'), FocusRight),
            (Key::plain(KeyCode::Right), FocusRight),
            (Key::ch('p'), FocusPrompt),
            (Key::ch('P'), TogglePrompt),
            (Key::ch('j'), ScrollDown),
            (Key::plain(KeyCode::Down), ScrollDown),
            (Key::ch('k'), ScrollUp),
            (Key::plain(KeyCode::Up), ScrollUp),
            (Key::plain(KeyCode::PageDown), PageDown),
            (Key::ch(' '), PageDown),
            (Key::plain(KeyCode::PageUp), PageUp),
            (Key::plain(KeyCode::Home), Top),
            (Key::ch('g'), Top),
            (Key::plain(KeyCode::End), Bottom),
            (Key::ch('G'), Bottom),
            (Key::ch('z'), Zoom),
            (Key::ch('m'), ToggleMeta),
            (Key::ch('?'), Help),
            (Key::ch('q'), Quit),
            (Key::ctrl('c'), Quit),
            (Key::plain(KeyCode::Esc), Cancel),
            (Key::ch('f'), CycleFilter),
            (Key::ch(':'), Jump),
            (Key::ch('/'), Search),
            (Key::ch('n'), SearchNext),
        ]);
        KeyMap { bindings: b }
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
                TaskKind::Pair => 2,
                TaskKind::Rank => 9,
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

    /// (keys, description) for the footer: the keys that matter most right now.
    pub fn footer(&self, mode: TaskKind, scale: u32, review: bool) -> Vec<(String, &'static str)> {
        use Action::*;
        if review {
            let actions = [CycleFilter, NextTask, Search, Jump, Undo, Help, Quit];
            return actions
                .iter()
                .filter_map(|&a| Some((self.footer_label(a, mode, scale), short_help(a, mode)?)))
                .collect();
        }
        let actions: &[Action] = match mode {
            TaskKind::Pair => &[
                ChooseLeft,
                ChooseRight,
                Tie,
                BothBad,
                Skip,
                Undo,
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
                FocusNext,
                Help,
                Quit,
            ],
            TaskKind::Rate => &[Number(1), FocusNext, Submit, Skip, Undo, Help, Quit],
        };
        actions
            .iter()
            .filter_map(|&a| Some((self.footer_label(a, mode, scale), short_help(a, mode)?)))
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

    /// Every action that does something in `mode`, with its keys and description, for help.
    pub fn help(&self, mode: TaskKind, scale: u32) -> Vec<(String, &'static str)> {
        use Action::*;
        let all = [
            Number(1),
            ChooseLeft,
            ChooseRight,
            Tie,
            BothBad,
            TieNext,
            RemovePick,
            Submit,
            Skip,
            Undo,
            NextTask,
            PrevTask,
            NextUndecided,
            FocusNext,
            FocusPrev,
            FocusLeft,
            FocusRight,
            FocusPrompt,
            TogglePrompt,
            ScrollDown,
            ScrollUp,
            PageDown,
            PageUp,
            Top,
            Bottom,
            Zoom,
            ToggleMeta,
            Jump,
            Search,
            SearchNext,
            CycleFilter,
            Help,
            Quit,
        ];
        all.iter()
            .filter_map(|&a| {
                let desc = long_help(a, mode)?;
                let label = self.label(a, mode, scale);
                (!label.is_empty()).then_some((label, desc))
            })
            .collect()
    }
}

/// Footer text; `None` when the action does nothing in this mode.
fn short_help(a: Action, mode: TaskKind) -> Option<&'static str> {
    use Action::*;
    Some(match (a, mode) {
        (ChooseLeft, TaskKind::Pair) => "left",
        (ChooseRight, TaskKind::Pair) => "right",
        (Tie, TaskKind::Pair) => "tie",
        (BothBad, TaskKind::Pair) => "both bad",
        (Number(_), TaskKind::Rank) => "rank next",
        (Number(_), TaskKind::Rate) => "rate",
        (TieNext, TaskKind::Rank) => "tie",
        (RemovePick, TaskKind::Rank) => "unpick",
        (Submit, TaskKind::Rank | TaskKind::Rate) => "submit",
        (Skip, _) => "skip",
        (Undo, _) => "undo",
        (FocusNext, _) => "focus",
        (Help, _) => "help",
        (Quit, _) => "quit",
        (CycleFilter, _) => "filter",
        (NextTask, _) => "next",
        (Search, _) => "search",
        (Jump, _) => "jump",
        _ => return None,
    })
}

/// Help overlay text; `None` when the action does nothing in this mode.
pub fn long_help(a: Action, mode: TaskKind) -> Option<&'static str> {
    use Action::*;
    Some(match (a, mode) {
        (Number(_), TaskKind::Pair) => "1 = left is better, 2 = right is better",
        (Number(_), TaskKind::Rank) => {
            "press candidate numbers best first; the last is placed for you"
        }
        (Number(_), TaskKind::Rate) => {
            "rate the focused candidate; focus moves to the next unrated"
        }
        (ChooseLeft, TaskKind::Pair) => "left (A) is better",
        (ChooseRight, TaskKind::Pair) => "right (B) is better",
        (Tie, TaskKind::Pair) => "tie: equally good",
        (BothBad, TaskKind::Pair) => "both are bad",
        (TieNext, TaskKind::Rank) => "tie the next pick with the previous one",
        (RemovePick, TaskKind::Rank) => "take back the last pick",
        (RemovePick, TaskKind::Rate) => "clear the focused rating",
        (Submit, TaskKind::Rank) => "submit the complete ranking",
        (Submit, TaskKind::Rate) => "submit when every candidate is rated",
        (Skip, _) => "skip this task (recorded; not counted as decided)",
        (Undo, _) => "undo the last decision and go back to it",
        (NextTask, _) => "next task",
        (PrevTask, _) => "previous task",
        (NextUndecided, _) => "next undecided task",
        (FocusNext, _) => "focus the next pane",
        (FocusPrev, _) => "focus the previous pane",
        (FocusLeft, _) => "focus the pane to the left",
        (FocusRight, _) => "focus the pane to the right",
        (FocusPrompt, _) => "focus the prompt pane (again: back to the candidates)",
        (TogglePrompt, _) => "collapse or expand the prompt pane",
        (ScrollDown, _) => "scroll the focused pane down",
        (ScrollUp, _) => "scroll the focused pane up",
        (PageDown, _) => "page down",
        (PageUp, _) => "page up",
        (Top, _) => "scroll to the top",
        (Bottom, _) => "scroll to the end",
        (Zoom, _) => "zoom the focused pane to full screen and back",
        (ToggleMeta, _) => "show or hide candidate metadata (hidden: labeling is blind)",
        (Jump, _) => "jump to an item by id or number",
        (Search, _) => "search prompts and candidates",
        (SearchNext, _) => "next match of the last search",
        (CycleFilter, _) => "review: next filter (all, decided, disagreements, ...)",
        (Help, _) => "this help",
        (Quit, _) => "quit (everything is already saved)",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_letters_and_backtab_are_normalised() {
        let ev = KeyEvent::new(KeyCode::Char('g'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Some(Key::ch('G')));
        let ev = KeyEvent::new(KeyCode::Tab, KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev).unwrap().code, KeyCode::BackTab);
        let mut rel = KeyEvent::new(KeyCode::Char('a'), KeyModifiers::NONE);
        rel.kind = KeyEventKind::Release;
        assert_eq!(Key::from_event(&rel), None);
    }

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
            km.help(TaskKind::Rank, 5)
                .iter()
                .any(|(k, _)| k == "q/Ctrl-C")
        );
    }
}
