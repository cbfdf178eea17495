//! What a key can ask the labeling screen for: the [`Action`]s, declared once each in one
//! table ([`ACTIONS`]) with the action's name in the settings file, its default keys, its
//! footer text and its help text per mode. The key map, the footer, the help overlay, the
//! settings file's names and the task file's check of flag keys are all derived from it.
//!
//! It sits below the TUI (it knows keys and task kinds, nothing of the screen), so a task file
//! can check its flag keys against the defaults without importing the labeling screen.

use crossterm::event::KeyCode;

use crate::key::Key;
use crate::labels::TaskKind;

/// Everything a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// A digit: in pair mode 1 = left, 2 = right; in rank mode the next pick; in rate mode a
    /// rating (or, after a side with strength, how much better).
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
    /// The focused pane's text as written, or rendered as Markdown again.
    ToggleRaw,
    /// Every pane (prompt and candidates) as written, or all rendered again: the focused
    /// pane's state flipped, for all.
    ToggleRawAll,
    /// Tables too wide for the focused pane: show their later / earlier columns.
    TableRight,
    TableLeft,
    /// Word diff of two panes on or off (pair mode: the two; rank and rate: the focused pane
    /// against the next).
    ToggleDiff,
    /// Scroll the two panes of a pair (or of a diff) together, or apart.
    LockScroll,
    /// Every candidate of the task, one line each; Enter focuses one.
    Overview,
    /// Review: the quality table per annotator; Enter shows one annotator's gold misses.
    Quality,
    /// Scroll the focused pane to the next / previous heading or conversation turn.
    NextSection,
    PrevSection,
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
    /// Open the rationale editor for the decision on screen.
    Rationale,
    /// Show the task's guidelines.
    Guidelines,
    /// Toggle the task file's flag number `n` (0-based, in file order) on the focused
    /// candidate. Bound by the task file, never by name in the settings file, so it has no row.
    Flag(u8),
    /// Rate mode with aspects: move to the next aspect (number keys rate the one shown).
    NextAspect,
    /// Edit the focused candidate into a better answer in the built-in editor.
    EditCandidate,
    /// The same in `$VISUAL` / `$EDITOR` (the terminal is handed over and restored).
    EditExternal,
}

/// A text per mode, in the order pair, rank, rate; `None` where the action does nothing.
pub type Modes = [Option<&'static str>; 3];

/// Where the help lists an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    /// In the help overlay (`?`) of every mode with a help text.
    Help,
    /// Under "this task" in the help, when the task file turns it on (rationales, guidelines,
    /// rate aspects).
    TaskFile,
    /// Listed with another row: digits 2-9 are shown with `number_1` as a range (`1-5`).
    WithDigits,
}

/// One action: everything about it that is not what it does (that is `update`).
#[derive(Debug, Clone, Copy)]
pub struct ActionDef {
    pub action: Action,
    /// Its name in the settings file's `[keys]` table.
    pub name: &'static str,
    /// Its keys unless the settings file says otherwise; the first one is the footer's.
    pub keys: &'static [Key],
    /// The footer's word for it, per mode.
    pub short: Modes,
    /// The help overlay's line for it, per mode.
    pub long: Modes,
    pub listed: Listed,
    /// It decides (or builds a decision): ignored when it comes so soon after a new task
    /// appeared that it was typed for the one before.
    pub decides: bool,
}

const NONE: Modes = [None; 3];
const fn all(s: &'static str) -> Modes {
    [Some(s); 3]
}
const fn pair(s: &'static str) -> Modes {
    [Some(s), None, None]
}
const fn rank(s: &'static str) -> Modes {
    [None, Some(s), None]
}
const fn rate(s: &'static str) -> Modes {
    [None, None, Some(s)]
}

const fn def(
    action: Action,
    name: &'static str,
    keys: &'static [Key],
    short: Modes,
    long: Modes,
) -> ActionDef {
    ActionDef {
        action,
        name,
        keys,
        short,
        long,
        listed: Listed::Help,
        decides: false,
    }
}

impl ActionDef {
    const fn decides(mut self) -> Self {
        self.decides = true;
        self
    }
    const fn listed(mut self, listed: Listed) -> Self {
        self.listed = listed;
        self
    }
}

/// A digit key other than 1: shown in the help with `number_1`, as a range.
const fn digit(n: u8, name: &'static str, keys: &'static [Key]) -> ActionDef {
    def(Action::Number(n), name, keys, NONE, NONE)
        .decides()
        .listed(Listed::WithDigits)
}

const fn key(code: KeyCode) -> Key {
    Key::plain(code)
}

/// Every action with a name, once each, in the order of the help overlay (and of the names in
/// the settings file).
pub const ACTIONS: &[ActionDef] = {
    use Action::*;
    use KeyCode as K;
    &[
        def(
            Number(1),
            "number_1",
            &[Key::ch('1')],
            [None, Some("rank next"), Some("rate")],
            [
                Some("1 = left is better, 2 = right is better"),
                Some("press candidate numbers best first; the last is placed for you"),
                Some("rate the focused candidate; focus moves to the next unrated"),
            ],
        )
        .decides(),
        digit(2, "number_2", &[Key::ch('2')]),
        digit(3, "number_3", &[Key::ch('3')]),
        digit(4, "number_4", &[Key::ch('4')]),
        digit(5, "number_5", &[Key::ch('5')]),
        digit(6, "number_6", &[Key::ch('6')]),
        digit(7, "number_7", &[Key::ch('7')]),
        digit(8, "number_8", &[Key::ch('8')]),
        digit(9, "number_9", &[Key::ch('9')]),
        def(
            ChooseLeft,
            "choose_left",
            &[Key::ch('a')],
            pair("left"),
            pair("left (A) is better"),
        )
        .decides(),
        def(
            ChooseRight,
            "choose_right",
            &[Key::ch('b')],
            pair("right"),
            pair("right (B) is better"),
        )
        .decides(),
        def(
            Tie,
            "tie",
            &[Key::ch('t')],
            pair("tie"),
            pair("tie: equally good"),
        )
        .decides(),
        def(
            BothBad,
            "both_bad",
            &[Key::ch('x')],
            pair("both bad"),
            pair("both are bad"),
        )
        .decides(),
        def(
            TieNext,
            "tie_next",
            &[Key::ch('=')],
            rank("tie"),
            rank("tie the next pick with the previous one"),
        )
        .decides(),
        def(
            RemovePick,
            "remove_pick",
            &[key(K::Backspace)],
            rank("unpick"),
            [
                None,
                Some("take back the last pick"),
                Some("clear the focused rating"),
            ],
        ),
        def(
            Submit,
            "submit",
            &[key(K::Enter)],
            [None, Some("submit"), Some("submit")],
            [
                None,
                Some("submit the complete ranking"),
                Some("submit when every candidate is rated"),
            ],
        )
        .decides(),
        def(
            NextAspect,
            "next_aspect",
            &[Key::ch('.')],
            NONE,
            rate("next aspect (number keys rate the aspect shown)"),
        )
        .listed(Listed::TaskFile),
        def(
            Skip,
            "skip",
            &[Key::ch('s')],
            all("skip"),
            all("skip this task (recorded; not counted as decided)"),
        )
        .decides(),
        def(
            Undo,
            "undo",
            &[Key::ch('u')],
            all("undo"),
            all("undo the last decision and go back to it"),
        ),
        def(
            NextTask,
            "next_task",
            &[Key::ch(']')],
            all("next"),
            all("next task"),
        ),
        def(
            PrevTask,
            "prev_task",
            &[Key::ch('[')],
            NONE,
            all("previous task"),
        ),
        def(
            NextUndecided,
            "next_undecided",
            &[Key::ch('}')],
            NONE,
            all("next undecided task"),
        ),
        def(
            FocusNext,
            "focus_next",
            &[key(K::Tab)],
            all("focus"),
            all("focus the next pane"),
        ),
        def(
            FocusPrev,
            "focus_prev",
            &[key(K::BackTab)],
            NONE,
            all("focus the previous pane"),
        ),
        def(
            FocusLeft,
            "focus_left",
            &[Key::ch('h'), key(K::Left)],
            NONE,
            all("focus the pane to the left"),
        ),
        def(
            FocusRight,
            "focus_right",
            &[Key::ch('l'), key(K::Right)],
            NONE,
            all("focus the pane to the right"),
        ),
        def(
            FocusPrompt,
            "focus_prompt",
            &[Key::ch('p')],
            NONE,
            all("focus the prompt pane (again: back to the candidates)"),
        ),
        def(
            TogglePrompt,
            "toggle_prompt",
            &[Key::ch('P')],
            NONE,
            all("collapse or expand the prompt pane (and answers' own earlier turns)"),
        ),
        def(
            ScrollDown,
            "scroll_down",
            &[Key::ch('j'), key(K::Down)],
            NONE,
            all("scroll the focused pane down"),
        ),
        def(
            ScrollUp,
            "scroll_up",
            &[Key::ch('k'), key(K::Up)],
            NONE,
            all("scroll the focused pane up"),
        ),
        def(
            PageDown,
            "page_down",
            &[key(K::PageDown), Key::ch(' ')],
            NONE,
            all("page down"),
        ),
        def(PageUp, "page_up", &[key(K::PageUp)], NONE, all("page up")),
        def(
            Top,
            "top",
            &[key(K::Home), Key::ch('g')],
            NONE,
            all("scroll to the top"),
        ),
        def(
            Bottom,
            "bottom",
            &[key(K::End), Key::ch('G')],
            NONE,
            all("scroll to the end"),
        ),
        def(
            NextSection,
            "next_section",
            &[Key::ch(')')],
            NONE,
            all("the focused pane: next heading or conversation turn"),
        ),
        def(
            PrevSection,
            "prev_section",
            &[Key::ch('(')],
            NONE,
            all("the focused pane: previous heading or conversation turn"),
        ),
        def(
            Zoom,
            "zoom",
            &[Key::ch('z')],
            NONE,
            all("zoom the focused pane to full screen and back"),
        ),
        def(
            ToggleMeta,
            "toggle_meta",
            &[Key::ch('m')],
            NONE,
            all("show or hide candidate metadata (hidden: labeling is blind)"),
        ),
        def(
            ToggleRaw,
            "toggle_raw",
            // Not `R`, which the sample task file (and so users' task files) give a flag.
            &[Key::ch('M')],
            NONE,
            all("the focused pane's text as written (raw) or rendered as Markdown"),
        ),
        def(
            ToggleRawAll,
            "toggle_raw_all",
            // A count before `M` cannot be had: digits decide in rank and rate mode.
            &[Key::ctrl('r')],
            NONE,
            all("every pane's text as written (raw), or all rendered as Markdown again"),
        ),
        def(
            TableRight,
            "table_right",
            &[Key::ch('>')],
            NONE,
            all("tables too wide for the focused pane: their next columns"),
        ),
        def(
            TableLeft,
            "table_left",
            &[Key::ch('<')],
            NONE,
            all("tables too wide for the focused pane: their previous columns"),
        ),
        def(
            ToggleDiff,
            "toggle_diff",
            &[Key::ch('d')],
            pair("diff"),
            [
                Some(
                    "word diff of the two answers: words only in one marked, equal stretches folded",
                ),
                Some(
                    "word diff of the focused answer and the next (marked, equal stretches folded)",
                ),
                Some(
                    "word diff of the focused answer and the next (marked, equal stretches folded)",
                ),
            ],
        ),
        def(
            LockScroll,
            "lock_scroll",
            &[Key::ch('S')],
            NONE,
            [
                Some(
                    "scroll the two panes together (the default; with the diff, aligned) or apart",
                ),
                Some("with the diff on: scroll its two panes together or apart"),
                Some("with the diff on: scroll its two panes together or apart"),
            ],
        ),
        def(
            Overview,
            "overview",
            &[Key::ch('o')],
            NONE,
            all(
                "overview of all candidates (length, first words, your decision); Enter focuses one",
            ),
        ),
        def(
            Quality,
            "quality",
            &[Key::ch('A')],
            NONE,
            all(
                "review: quality per annotator (gold, agreement, repeats); Enter shows one's gold misses",
            ),
        ),
        def(
            Jump,
            "jump",
            &[Key::ch(':')],
            all("jump"),
            all("jump to an item by id or number"),
        ),
        def(
            Search,
            "search",
            &[Key::ch('/')],
            all("search"),
            all("search prompts and candidates"),
        ),
        def(
            SearchNext,
            "search_next",
            &[Key::ch('n')],
            NONE,
            all("next match of the last search"),
        ),
        def(
            CycleFilter,
            "filter",
            &[Key::ch('f')],
            all("filter"),
            all("review: next filter (all, decided, disagreements, ...)"),
        ),
        def(
            Cancel,
            "cancel",
            &[key(K::Esc)],
            NONE,
            all("cancel: a pending tie or strength, the search marks, zoom"),
        ),
        def(Help, "help", &[Key::ch('?')], all("help"), all("this help")),
        def(
            Quit,
            "quit",
            &[Key::ch('q'), Key::ctrl('c')],
            all("quit"),
            all("quit (every decision recorded is saved; asks first about one half entered)"),
        ),
        def(
            Rationale,
            "rationale",
            &[Key::ch('r')],
            all("rationale"),
            all("write a rationale for this decision (Esc or Ctrl-S closes the editor)"),
        )
        .listed(Listed::TaskFile),
        def(
            EditCandidate,
            "edit",
            &[Key::ch('e')],
            all("edit"),
            all(
                "edit the focused answer into a better one (saved as an edit; the file is not changed)",
            ),
        ),
        def(
            EditExternal,
            "edit_external",
            &[Key::ch('E')],
            NONE,
            all("edit the focused answer in $VISUAL / $EDITOR"),
        ),
        def(
            Guidelines,
            "guidelines",
            &[Key::ch('i')],
            all("guidelines"),
            all("show the task's guidelines"),
        )
        .listed(Listed::TaskFile),
    ]
};

fn mode_index(mode: TaskKind) -> usize {
    match mode {
        TaskKind::Pair => 0,
        // Best-worst is told apart where it differs (see `short_help`, `long_help`).
        TaskKind::Rank | TaskKind::BestWorst => 1,
        // A session is never in `Edit` (an edit is an event beside a task, not a mode).
        TaskKind::Rate | TaskKind::Edit => 2,
    }
}

impl Action {
    /// The action's row (`None` for task-file flags, which have none).
    pub fn def(self) -> Option<&'static ActionDef> {
        ACTIONS.iter().find(|d| d.action == self)
    }

    /// The action's name in the settings file (`None` for task-file flags).
    pub fn name(self) -> Option<&'static str> {
        self.def().map(|d| d.name)
    }

    /// The action a settings-file name stands for.
    pub fn from_name(name: &str) -> Option<Action> {
        ACTIONS.iter().find(|d| d.name == name).map(|d| d.action)
    }

    /// Every nameable action's name, in table order.
    pub fn names() -> impl Iterator<Item = &'static str> {
        ACTIONS.iter().map(|d| d.name)
    }

    /// The footer's word for the action in `mode`; `None` when it does nothing there.
    pub fn short_help(self, mode: TaskKind) -> Option<&'static str> {
        match (self, mode) {
            (Action::Flag(_), _) => Some("flag"),
            (Action::Number(1), TaskKind::BestWorst) => Some("best, then worst"),
            (Action::TieNext | Action::Submit, TaskKind::BestWorst) => None,
            _ => self.def()?.short[mode_index(mode)],
        }
    }

    /// Acts only in `prefer review` (the quality table, the filters): left out of the
    /// labeling screen's help.
    pub fn review_only(self) -> bool {
        matches!(self, Action::Quality | Action::CycleFilter)
    }

    /// The help overlay's line for the action in `mode`; `None` when it does nothing there.
    pub fn long_help(self, mode: TaskKind) -> Option<&'static str> {
        match (self, mode) {
            (Action::Flag(_), _) => Some("toggle this flag on the focused candidate"),
            (Action::Number(1), TaskKind::BestWorst) => {
                Some("press the number of the best candidate, then of the worst")
            }
            (Action::TieNext | Action::Submit, TaskKind::BestWorst) => None,
            _ => self.def()?.long[mode_index(mode)],
        }
    }

    /// A key that decides (or builds a decision); see [`ActionDef::decides`].
    pub fn decides(self) -> bool {
        self.def().is_some_and(|d| d.decides)
    }
}

/// The action a key is bound to by default, by name (for the task file's check of its flag
/// keys, which must not take a key the labeling screen uses).
pub fn default_action_of(key: Key) -> Option<&'static str> {
    ACTIONS
        .iter()
        .find(|d| d.keys.contains(&key))
        .map(|d| d.name)
}

/// Every default binding, in table order (an action's keys in their order).
pub fn default_bindings() -> impl Iterator<Item = (Key, Action)> {
    ACTIONS
        .iter()
        .flat_map(|d| d.keys.iter().map(move |&k| (k, d.action)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_keys_are_each_used_once() {
        let mut names = std::collections::HashSet::new();
        let mut keys = std::collections::HashSet::new();
        for d in ACTIONS {
            assert!(names.insert(d.name), "{} named twice", d.name);
            assert!(
                d.action.def().is_some_and(|x| x.name == d.name),
                "{:?} has two rows",
                d.action
            );
            assert_eq!(Action::from_name(d.name), Some(d.action));
            for k in d.keys {
                assert!(keys.insert(*k), "{k:?} bound twice");
                assert_eq!(Key::parse(&k.config_name()), Ok(*k), "{k:?} writes back");
            }
        }
        assert_eq!(Action::Flag(0).name(), None);
        assert_eq!(Action::from_name("Skip"), None);
    }

    #[test]
    fn every_action_has_a_row_and_every_row_a_help_line() {
        // The match is exhaustive: a new action does not compile until it is placed here, and
        // the assertions then ask for its row and its help.
        let every = |a: Action| match a {
            Action::Number(_)
            | Action::ChooseLeft
            | Action::ChooseRight
            | Action::Tie
            | Action::BothBad
            | Action::TieNext
            | Action::RemovePick
            | Action::Submit
            | Action::Skip
            | Action::Undo
            | Action::NextTask
            | Action::PrevTask
            | Action::NextUndecided
            | Action::FocusNext
            | Action::FocusPrev
            | Action::FocusLeft
            | Action::FocusRight
            | Action::FocusPrompt
            | Action::TogglePrompt
            | Action::ScrollUp
            | Action::ScrollDown
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
            | Action::Zoom
            | Action::ToggleMeta
            | Action::ToggleRaw
            | Action::ToggleRawAll
            | Action::TableRight
            | Action::TableLeft
            | Action::ToggleDiff
            | Action::LockScroll
            | Action::Overview
            | Action::Quality
            | Action::NextSection
            | Action::PrevSection
            | Action::Help
            | Action::Quit
            | Action::Cancel
            | Action::CycleFilter
            | Action::Jump
            | Action::Search
            | Action::SearchNext
            | Action::Rationale
            | Action::Guidelines
            | Action::NextAspect
            | Action::EditCandidate
            | Action::EditExternal => true,
            Action::Flag(_) => false,
        };
        for d in ACTIONS {
            assert!(every(d.action));
            assert!(!d.keys.is_empty(), "{} has no default key", d.name);
            let helped = d.long.iter().any(Option::is_some);
            assert_eq!(
                helped,
                d.listed != Listed::WithDigits,
                "{}: a help line, unless shown with number_1",
                d.name
            );
        }
        assert_eq!(ACTIONS.len(), 9 + 48, "one row per action, nine digits");
    }
}
