//! The labeler's own settings, `~/.config/prefer/config.toml` (or `$PREFER_CONFIG`): annotator
//! name, theme, default mode and key bindings by action name. Strict TOML: an unknown key is an
//! error with the line. The `[keys]` entries are kept as written, with their lines: the labeling
//! screen builds its key map from them and reports an unknown action, an unreadable key or two
//! actions on one key with this file's name and the entry's line.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use serde::de::{Deserializer, Visitor};
use toml::Spanned;

use crate::diag::{describe_toml_error, line_of};
use crate::key::KeyOverride;
use crate::labels::TaskKind;

/// The environment variable that points at another settings file.
pub const CONFIG_ENV: &str = "PREFER_CONFIG";

/// How the screen is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    Default,
    /// No colours at all: only bold, reverse and underline (meaning never rests on colour).
    Monochrome,
}

impl Theme {
    /// `base` with the colour `fg` when the theme has colours; monochrome keeps only the
    /// modifiers of `base`.
    pub fn fg(self, base: Style, fg: Color) -> Style {
        match self {
            Theme::Default => base.fg(fg),
            Theme::Monochrome => Style::default().add_modifier(base.add_modifier),
        }
    }

    /// A highlight: reverse video in monochrome, `bg` otherwise.
    pub fn highlight(self, bg: Color) -> Style {
        match self {
            Theme::Default => Style::default().bg(bg),
            Theme::Monochrome => Style::default().add_modifier(Modifier::REVERSED),
        }
    }
}

/// The settings, defaults filled in.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Settings {
    /// `None`: `--annotator`, then `$PREFER_ANNOTATOR`, then `$USER`.
    pub annotator: Option<String>,
    pub theme: Theme,
    /// `None`: decided from the file (pair when every item has two candidates, else rank).
    pub mode: Option<TaskKind>,
    /// The `[keys]` entries in file order, as written (none: the default keys).
    pub keys: Vec<KeyOverride>,
    /// The file the settings came from, for messages (empty for the defaults).
    pub file: String,
    /// Decision keys within this many ms of a new task appearing are ignored; `None`: the task
    /// file's, else the default (150).
    pub typeahead_guard_ms: Option<u64>,
}

/// A settings file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read settings file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: String,
        line: usize,
        message: String,
    },
}

/// Where the settings file is: `$PREFER_CONFIG` when set (and not empty), else the platform's
/// config folder (`~/.config/prefer/config.toml` on Linux). The bool is true when the path
/// was asked for explicitly, which makes a missing file an error.
pub fn config_path(env: Option<OsString>) -> Option<(PathBuf, bool)> {
    if let Some(p) = env.filter(|p| !p.is_empty()) {
        return Some((PathBuf::from(p), true));
    }
    directories::ProjectDirs::from("", "", "prefer")
        .map(|d| (d.config_dir().join("config.toml"), false))
}

impl Settings {
    /// The settings from `$PREFER_CONFIG` or the default place; defaults when there is no file
    /// at the default place.
    pub fn load() -> Result<Settings, ConfigError> {
        match config_path(std::env::var_os(CONFIG_ENV)) {
            Some((path, explicit)) => Settings::load_from(&path, explicit),
            None => Ok(Settings::default()),
        }
    }

    /// The settings in `path`; a missing file gives the defaults unless `required`.
    pub fn load_from(path: &Path, required: bool) -> Result<Settings, ConfigError> {
        let src = match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(Settings::default());
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        Settings::parse(&src, &path.display().to_string())
    }

    /// Parses a settings file's text; `name` is used in messages.
    pub fn parse(src: &str, name: &str) -> Result<Settings, ConfigError> {
        let invalid = |(line, message): (usize, String)| ConfigError::Invalid {
            path: name.to_string(),
            line,
            message,
        };
        let raw: RawSettings =
            toml::from_str(src).map_err(|e| invalid(describe_toml_error(src, &e)))?;
        let mut overrides: Vec<KeyOverride> = raw
            .keys
            .into_iter()
            .map(|(action, keys)| KeyOverride {
                line: line_of(src, action.span().start),
                action: action.into_inner(),
                keys: keys.into_inner().0,
            })
            .collect();
        overrides.sort_by_key(|o| o.line);
        let annotator = match raw.annotator {
            Some(a) if a.get_ref().trim().is_empty() => {
                return Err(invalid((
                    line_of(src, a.span().start),
                    "`annotator` is empty - leave it out to use $PREFER_ANNOTATOR or $USER".into(),
                )));
            }
            a => a.map(|a| a.into_inner().trim().to_string()),
        };
        Ok(Settings {
            annotator,
            theme: raw.theme.unwrap_or_default(),
            mode: raw.mode.map(TaskKind::from),
            keys: overrides,
            file: name.to_string(),
            typeahead_guard_ms: raw.typeahead_guard_ms,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    annotator: Option<Spanned<String>>,
    theme: Option<Theme>,
    mode: Option<crate::labels::Mode>,
    typeahead_guard_ms: Option<u64>,
    #[serde(default)]
    keys: std::collections::BTreeMap<Spanned<String>, Spanned<OneOrMany>>,
}

/// `skip = "s"` or `undo = ["u", "ctrl-z"]`.
#[derive(Debug)]
struct OneOrMany(Vec<String>);

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrMany;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a key (\"s\") or a list of keys ([\"u\", \"ctrl-z\"])")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany(vec![s.to_string()]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<OneOrMany, A::Error> {
                let mut v = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    v.push(s);
                }
                Ok(OneOrMany(v))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::Key;
    use crate::tui::keymap::{Action, KeyMap};

    fn keymap(s: &Settings) -> KeyMap {
        KeyMap::from_settings(s).unwrap()
    }

    const SAMPLE: &str = include_str!("../sample-data/config.toml");

    /// trippy's `test_config_sample`: the shipped sample is exactly the built-in defaults.
    #[test]
    fn the_sample_config_is_the_defaults() {
        let s = Settings::parse(SAMPLE, "config.toml").unwrap();
        assert_eq!(
            Settings {
                keys: Vec::new(),
                file: String::new(),
                ..s.clone()
            },
            Settings::default()
        );
        assert_eq!(keymap(&s), KeyMap::default());
    }

    #[test]
    fn the_sample_config_names_every_action() {
        let raw: RawSettings = toml::from_str(SAMPLE).unwrap();
        let listed: Vec<String> = raw.keys.keys().map(|k| k.get_ref().clone()).collect();
        for name in Action::names() {
            assert!(listed.iter().any(|l| l == name), "{name} is missing");
        }
    }

    #[test]
    fn settings_and_overrides_are_read() {
        let s = Settings::parse(
            "annotator = \"alice\"\ntheme = \"monochrome\"\nmode = \"rate\"\n[keys]\nskip = \"Z\"\nundo = [\"u\", \"ctrl-z\"]\n",
            "c.toml",
        )
        .unwrap();
        assert_eq!(s.annotator.as_deref(), Some("alice"));
        assert_eq!(s.theme, Theme::Monochrome);
        assert_eq!(s.mode, Some(TaskKind::Rate));
        assert_eq!(s.typeahead_guard_ms, None);
        assert_eq!(
            Settings::parse("typeahead_guard_ms = 0\n", "c.toml")
                .unwrap()
                .typeahead_guard_ms,
            Some(0)
        );
        assert_eq!(keymap(&s).action(Key::ch('Z')), Some(Action::Skip));
        assert_eq!(keymap(&s).action(Key::ch('s')), None);
        assert_eq!(keymap(&s).action(Key::ctrl('z')), Some(Action::Undo));
    }

    #[test]
    fn errors_carry_the_file_and_line() {
        let e = KeyMap::from_settings(
            &Settings::parse("theme = \"default\"\n[keys]\nundo = \"ctrl-\"\n", "c.toml").unwrap(),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("c.toml:3: cannot read key \"ctrl-\" for `undo`"),
            "{e}"
        );
        let e = KeyMap::from_settings(
            &Settings::parse("[keys]\nskip = \"s\"\nzoom = \"s\"\n", "c.toml").unwrap(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("c.toml:3: key \"s\" is bound to both"), "{e}");
    }

    #[test]
    fn monochrome_drops_colour_but_keeps_emphasis() {
        let bold = Style::default().add_modifier(Modifier::BOLD);
        let m = Theme::Monochrome.fg(bold, Color::Green);
        assert_eq!(m.fg, None);
        assert!(m.add_modifier.contains(Modifier::BOLD));
        assert_eq!(Theme::Default.fg(bold, Color::Green).fg, Some(Color::Green));
        assert!(
            Theme::Monochrome
                .highlight(Color::Blue)
                .add_modifier
                .contains(Modifier::REVERSED)
        );
    }

    #[test]
    fn prefer_config_overrides_the_path_and_a_missing_default_file_is_fine() {
        let (p, explicit) = config_path(Some("/tmp/x.toml".into())).unwrap();
        assert_eq!((p, explicit), (PathBuf::from("/tmp/x.toml"), true));
        if let Some((p, explicit)) = config_path(None) {
            assert!(p.ends_with("config.toml") && !explicit);
        }
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("none.toml");
        assert_eq!(
            Settings::load_from(&missing, false).unwrap(),
            Settings::default()
        );
        assert!(Settings::load_from(&missing, true).is_err());
    }
}
