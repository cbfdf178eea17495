//! Key syntax shared by the settings file, task files and the labeling screen: [`Key`] (a key
//! with its modifiers, normalised), how keys are written in files (`ctrl-z`, `shift-tab`) and
//! on screen (`Ctrl-Z`, `S-Tab`), the raw `[keys]` entries of the settings file, and the flags a
//! task file binds. No actions here: `action` and the labeling screen's key map build on this.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

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

/// Named keys as written in settings and task files (lower case; parsing ignores case).
const KEY_NAMES: &[(KeyCode, &str)] = &[
    (KeyCode::Enter, "enter"),
    (KeyCode::Tab, "tab"),
    (KeyCode::BackTab, "shift-tab"),
    (KeyCode::Backspace, "backspace"),
    (KeyCode::Esc, "esc"),
    (KeyCode::Char(' '), "space"),
    (KeyCode::Up, "up"),
    (KeyCode::Down, "down"),
    (KeyCode::Left, "left"),
    (KeyCode::Right, "right"),
    (KeyCode::PageUp, "pgup"),
    (KeyCode::PageDown, "pgdn"),
    (KeyCode::Home, "home"),
    (KeyCode::End, "end"),
    (KeyCode::Delete, "delete"),
    (KeyCode::Insert, "insert"),
];

/// The forms a key string can take, for error messages.
pub const KEY_FORMS: &str = "a single character (a, A, ], =), ctrl-<char>, alt-<char>, \
enter, tab, shift-tab, backspace, esc, space, up, down, left, right, pgup, pgdn, home, end, \
delete, insert, f1..f12";

impl Key {
    /// Parses a key as written in a settings or task file: `a`, `A`, `]`, `ctrl-z`, `alt-x`,
    /// `enter`, `shift-tab`, `f5`, ... The error says what was not understood.
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut rest = s;
        let (mut ctrl, mut alt) = (false, false);
        // A modifier prefix only when something follows it: "-" alone is the minus key.
        loop {
            let lower = rest.to_ascii_lowercase();
            if lower.starts_with("ctrl-") && rest.len() > 5 {
                ctrl = true;
                rest = &rest[5..];
            } else if lower.starts_with("alt-") && rest.len() > 4 {
                alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (None, _) => return Err("an empty key".into()),
            (Some(c), None) if !c.is_control() => KeyCode::Char(c),
            (Some(c), None) => return Err(format!("a control character (U+{:04X})", c as u32)),
            _ => {
                let lower = rest.to_ascii_lowercase();
                if let Some((code, _)) = KEY_NAMES.iter().find(|(_, n)| *n == lower) {
                    *code
                } else if let Some(n) = lower
                    .strip_prefix('f')
                    .and_then(|n| n.parse::<u8>().ok())
                    .filter(|n| (1..=12).contains(n))
                {
                    KeyCode::F(n)
                } else if let Some(c) = lower.strip_prefix("shift-").and_then(single_char) {
                    // `shift-a` is what the terminal sends as `A`.
                    KeyCode::Char(c.to_uppercase().next().unwrap_or(c))
                } else {
                    return Err(format!("`{rest}` is not a key name"));
                }
            }
        };
        Ok(Key { code, ctrl, alt })
    }

    /// The key as written in settings files; [`Key::parse`] reads it back to the same key.
    pub fn config_name(&self) -> String {
        let base = match self.code {
            KeyCode::F(n) => format!("f{n}"),
            code => match KEY_NAMES.iter().find(|(c, _)| *c == code) {
                Some((_, n)) => (*n).to_string(),
                None => match code {
                    KeyCode::Char(c) => c.to_string(),
                    other => format!("{other:?}").to_ascii_lowercase(),
                },
            },
        };
        let mut s = String::new();
        if self.ctrl {
            s.push_str("ctrl-");
        }
        if self.alt {
            s.push_str("alt-");
        }
        s.push_str(&base);
        s
    }
}

fn single_char(s: &str) -> Option<char> {
    let mut c = s.chars();
    match (c.next(), c.next()) {
        (Some(ch), None) => Some(ch),
        _ => None,
    }
}

/// One `[keys]` entry of the settings file: an action name and the keys it gets, with the
/// line it is on (for errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyOverride {
    pub action: String,
    pub keys: Vec<String>,
    pub line: usize,
}

/// A flag of a task file, as the key map needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagKey {
    pub name: String,
    pub key: Key,
    /// Line of the flag in the task file (0 when unknown).
    pub line: usize,
}

/// What a flag's key is already taken by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Taken {
    /// Flag number `i` of the same list.
    Flag(usize),
    /// Something `bound` named (an action).
    Bound(String),
}

/// What `key` is already taken by: something `bound` names, or one of the `earlier` flags.
/// The one check for a flag's key: a task file asks it about the labeling screen's default
/// keys, the key map about the labeler's own.
pub fn taken(
    key: Key,
    earlier: &[FlagKey],
    bound: impl Fn(Key) -> Option<String>,
) -> Option<Taken> {
    if let Some(name) = bound(key) {
        return Some(Taken::Bound(name));
    }
    earlier.iter().position(|g| g.key == key).map(Taken::Flag)
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
    fn key_strings_parse_and_every_default_key_writes_back_to_itself() {
        let cases = [
            ("a", Key::ch('a')),
            ("A", Key::ch('A')),
            ("shift-a", Key::ch('A')),
            ("ctrl-z", Key::ctrl('z')),
            ("Ctrl-z", Key::ctrl('z')),
            ("]", Key::ch(']')),
            ("=", Key::ch('=')),
            ("-", Key::ch('-')),
            ("space", Key::ch(' ')),
            ("shift-tab", Key::plain(KeyCode::BackTab)),
            ("PgDn", Key::plain(KeyCode::PageDown)),
            ("f12", Key::plain(KeyCode::F(12))),
            ("字", Key::ch('字')),
            (
                "alt-x",
                Key {
                    code: KeyCode::Char('x'),
                    ctrl: false,
                    alt: true,
                },
            ),
            (
                "ctrl-alt-enter",
                Key {
                    code: KeyCode::Enter,
                    ctrl: true,
                    alt: true,
                },
            ),
        ];
        for (s, k) in cases {
            assert_eq!(Key::parse(s), Ok(k), "{s}");
        }
        for bad in ["", "f13", "ctrl-", "enterr", "ab", "\u{1b}"] {
            assert!(Key::parse(bad).is_err(), "{bad:?} parsed");
        }
    }
}
