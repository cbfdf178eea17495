//! Syntax highlighting of fenced code in Markdown: the code of a block whose fence names a
//! language, as styled pieces per line. Sublime Text's grammars as syntect builds them into
//! the binary, coloured with a small palette of the terminal's own sixteen colours (so the
//! labeler's terminal theme decides the shades) and italic comments.
//!
//! The text highlighted is already sanitised, and the pieces are cut from it: highlighting
//! adds styles, never bytes. Pieces are cut at grapheme-cluster boundaries only, so a
//! cluster is never split between two styles.
//!
//! Cost: the grammars load (about 2 ms) the first time a block with a language is
//! highlighted, never at start; a block's pieces are cached by its language and text, so
//! laying the same answer out at another width, or showing it again, does not highlight it
//! again. Highlighting is slow next to wrapping (about 100 ms for the code of a
//! 65,000-character answer full of code blocks): a layout highlights blocks itself only
//! within a small time budget ([`Budget`]); the rest are highlighted on a thread of their
//! own and shown plain until then. [`generation`] changes when such blocks are ready, so
//! the screen lays its panes out again.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use ratatui::style::{Color, Modifier, Style};
use syntect::easy::HighlightLines;
use syntect::highlighting::{
    Color as SynColor, FontStyle, ScopeSelectors, StyleModifier, Theme, ThemeItem, ThemeSettings,
};
use syntect::parsing::SyntaxSet;

/// One highlighted line: its text cut into styled pieces.
pub type Pieces = Vec<(String, Style)>;

/// A highlighted block: one [`Pieces`] per line of its code.
pub type Block = Arc<Vec<Pieces>>;

/// Blocks kept in the cache before it is emptied: more than the code blocks of a long session's
/// items on screen at once, few enough that the memory stays small.
const CACHE_BLOCKS: usize = 4096;

/// The colours, in the order of [`RULES`]' indices. Named ANSI colours: every terminal has
/// them and its theme picks shades that read on its background.
const PALETTE: [Color; 6] = [
    Color::DarkGray, // comments
    Color::Green,    // strings
    Color::Magenta,  // keywords, storage
    Color::Yellow,   // numbers, constants
    Color::Blue,     // function names
    Color::Cyan,     // types, tags, attributes
];

/// Scope selectors and the palette index each gets (with italic for comments).
const RULES: [(&str, u8, bool); 9] = [
    ("comment, punctuation.definition.comment", 0, true),
    ("string, punctuation.definition.string", 1, false),
    ("keyword, storage, keyword.operator.word", 2, false),
    ("constant, constant.numeric, constant.language", 3, false),
    (
        "entity.name.function, support.function, variable.function, meta.function-call",
        4,
        false,
    ),
    (
        "entity.name.type, entity.name.class, support.type, support.class, storage.type.primitive",
        5,
        false,
    ),
    ("entity.name.tag, entity.other.attribute-name", 5, false),
    ("keyword.operator", 2, false),
    ("variable.parameter, variable.language", 3, false),
];

/// The grammars, loaded on first use.
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Our palette as a syntect theme: a colour is its palette index in `r` (plus one; zero is
/// "no colour") with `a` zero, as bat's `ansi` theme encodes terminal colours.
fn theme() -> &'static Theme {
    static THEME: OnceLock<Theme> = OnceLock::new();
    THEME.get_or_init(|| {
        let none = SynColor {
            r: 0,
            g: 0,
            b: 0,
            a: 0,
        };
        let scopes = RULES
            .iter()
            .filter_map(|&(sel, i, italic)| {
                Some(ThemeItem {
                    scope: ScopeSelectors::from_str(sel).ok()?,
                    style: StyleModifier {
                        foreground: Some(SynColor {
                            r: i + 1,
                            g: 0,
                            b: 0,
                            a: 0,
                        }),
                        background: None,
                        font_style: Some(if italic {
                            FontStyle::ITALIC
                        } else {
                            FontStyle::empty()
                        }),
                    },
                })
            })
            .collect();
        Theme {
            settings: ThemeSettings {
                foreground: Some(none),
                background: Some(none),
                ..ThemeSettings::default()
            },
            scopes,
            ..Theme::default()
        }
    })
}

fn style_of(s: syntect::highlighting::Style) -> Style {
    let mut out = Style::new();
    let i = usize::from(s.foreground.r);
    if s.foreground.a == 0
        && let Some(&c) = i.checked_sub(1).and_then(|k| PALETTE.get(k))
    {
        out = out.fg(c);
    }
    if s.font_style.contains(FontStyle::ITALIC) {
        out = out.add_modifier(Modifier::ITALIC);
    }
    out
}

type Key = (String, blake3::Hash);

fn cache() -> &'static Mutex<HashMap<Key, Block>> {
    static CACHE: OnceLock<Mutex<HashMap<Key, Block>>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// Forgets every highlighted block (benchmarks measure the first highlight with it).
pub fn clear_cache() {
    if let Ok(mut c) = cache().lock() {
        c.clear();
    }
}

/// Loads the grammars now if they are not loaded (benchmarks time the load with it).
pub fn load() {
    syntaxes();
    theme();
}

/// Whether `lang` (a fence's first word) names no language: nothing to highlight, and no
/// reason to load the grammars.
fn unnamed(lang: &str) -> bool {
    lang.is_empty() || matches!(lang.to_ascii_lowercase().as_str(), "text" | "plain" | "txt")
}

/// Names fences use for languages the built-in grammars know under another name, or cover
/// closely enough (TypeScript has no grammar of its own there: JavaScript's reads it well).
fn alias(lang: &str) -> &str {
    match lang {
        "ts" | "typescript" | "tsx" | "jsx" | "javascriptreact" | "typescriptreact" => "js",
        "shell" | "console" | "zsh" | "shell-session" | "terminal" => "sh",
        "c++" => "cpp",
        "golang" => "go",
        "c#" | "csharp" => "cs",
        "py3" | "python3" => "py",
        other => other,
    }
}

/// How long one layout may spend highlighting before it leaves the remaining blocks to the
/// highlighting thread.
pub const BUDGET: Duration = Duration::from_millis(3);

/// The time one layout has left for highlighting.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    start: Option<Instant>,
    limit: Duration,
    /// A block was left plain for the highlighting thread.
    pub deferred: bool,
}

impl Budget {
    /// [`BUDGET`], from the first block highlighted.
    pub fn new() -> Self {
        Budget::of(BUDGET)
    }

    /// No limit: every block highlighted in line (benchmarks, guidelines).
    pub fn unlimited() -> Self {
        Budget::of(Duration::MAX)
    }

    pub fn of(limit: Duration) -> Self {
        Budget {
            start: None,
            limit,
            deferred: false,
        }
    }

    fn left(&mut self) -> bool {
        let start = *self.start.get_or_insert_with(Instant::now);
        start.elapsed() < self.limit
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new()
    }
}

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Changes each time the highlighting thread has finished the blocks it was given: layouts
/// made before then show some blocks plain.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::Acquire)
}

/// Keys queued for the highlighting thread, so a block is queued once.
fn pending() -> &'static Mutex<HashSet<Key>> {
    static PENDING: OnceLock<Mutex<HashSet<Key>>> = OnceLock::new();
    PENDING.get_or_init(Mutex::default)
}

/// A block for the highlighting thread: its cache key, language and code.
type Job = (Key, String, String);

fn queue() -> Option<&'static Mutex<Sender<Job>>> {
    static QUEUE: OnceLock<Option<Mutex<Sender<Job>>>> = OnceLock::new();
    QUEUE
        .get_or_init(|| {
            let (tx, rx) = channel();
            std::thread::Builder::new()
                .name("highlight".into())
                .spawn(move || worker(&rx))
                .ok()?;
            Some(Mutex::new(tx))
        })
        .as_ref()
}

/// The highlighting thread: highlights what is queued, and once the queue is empty says so
/// (one new generation per batch, not per block).
fn worker(rx: &Receiver<Job>) {
    while let Ok(job) = rx.recv() {
        let mut job = Some(job);
        while let Some((key, lang, code)) = job.take().or_else(|| rx.try_recv().ok()) {
            compute(&key, &lang, &code);
            if let Ok(mut p) = pending().lock() {
                p.remove(&key);
            }
        }
        GENERATION.fetch_add(1, Ordering::AcqRel);
    }
}

/// The lines of `code` (sanitised, split at `\n`, no trailing newline needed) highlighted as
/// `lang`; `None` when the fence names no language the grammars know, or when `budget` is
/// spent and the block is not highlighted yet (it is then queued for the highlighting
/// thread). Joined, the pieces of each line are that line exactly.
pub fn highlight(lang: &str, code: &str, budget: &mut Budget) -> Option<Block> {
    if unnamed(lang) {
        return None;
    }
    let key = (lang.to_ascii_lowercase(), blake3::hash(code.as_bytes()));
    if let Some(b) = cache().lock().ok()?.get(&key) {
        return Some(b.clone());
    }
    if budget.left() {
        return compute(&key, lang, code);
    }
    budget.deferred = true;
    if pending().lock().ok()?.insert(key.clone())
        && let Some(q) = queue()
        && let Ok(tx) = q.lock()
    {
        let _ = tx.send((key, lang.to_string(), code.to_string()));
    }
    None
}

/// Highlights a block and caches it.
fn compute(key: &Key, lang: &str, code: &str) -> Option<Block> {
    let set = syntaxes();
    let syntax = set
        .find_syntax_by_token(lang)
        .or_else(|| set.find_syntax_by_token(alias(&key.0)))?;
    let mut h = HighlightLines::new(syntax, theme());
    let mut out = Vec::new();
    let mut buf = String::new();
    for line in code.split('\n') {
        buf.clear();
        buf.push_str(line);
        buf.push('\n');
        let pieces = match h.highlight_line(&buf, set) {
            Ok(ranges) => pieces_of(line, &ranges),
            // A grammar that fails on this line: the rest of the block as plain text.
            Err(_) => {
                out.extend(
                    code.split('\n')
                        .skip(out.len())
                        .map(|l| vec![(l.to_string(), Style::new())]),
                );
                break;
            }
        };
        out.push(pieces);
    }
    let block = Arc::new(out);
    if let Ok(mut c) = cache().lock() {
        if c.len() >= CACHE_BLOCKS {
            c.clear();
        }
        c.insert(key.clone(), block.clone());
    }
    Some(block)
}

/// `line` cut where the styles change, at cluster boundaries, with neighbours of one style
/// joined. `ranges` cover `line` plus its `\n`.
fn pieces_of(line: &str, ranges: &[(syntect::highlighting::Style, &str)]) -> Pieces {
    // Where each range ends in `line`, moved forward to the next cluster start.
    let starts: Option<Vec<usize>> =
        (!line.is_ascii()).then(|| crate::text::clusters(line).map(|(i, _)| i).collect());
    let snap = |at: usize| match &starts {
        None => at,
        Some(s) => s.iter().copied().find(|&c| c >= at).unwrap_or(line.len()),
    };
    let mut out: Pieces = Vec::new();
    let mut at = 0;
    let mut end = 0;
    for (s, text) in ranges {
        end = (end + text.len()).min(line.len());
        let to = snap(end).max(at);
        if to == at {
            continue;
        }
        let style = style_of(*s);
        match out.last_mut() {
            Some((t, st)) if *st == style => t.push_str(&line[at..to]),
            _ => out.push((line[at..to].to_string(), style)),
        }
        at = to;
    }
    if at < line.len() {
        out.push((line[at..].to_string(), Style::new()));
    }
    if out.is_empty() {
        out.push((String::new(), Style::new()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(b: &Block) -> Vec<String> {
        b.iter()
            .map(|l| l.iter().map(|(t, _)| t.as_str()).collect())
            .collect()
    }

    #[test]
    fn rust_and_python_get_colours_and_keep_their_text() {
        let code = "fn main() {\n    let s = \"hi\"; // greet\n    println!(\"{s}\");\n}";
        let b = highlight("rust", code, &mut Budget::unlimited()).expect("rust is known");
        assert_eq!(joined(&b), code.split('\n').collect::<Vec<_>>());
        let colour_of = |line: usize, word: &str| {
            b[line]
                .iter()
                .find(|(t, _)| t.contains(word))
                .and_then(|(_, s)| s.fg)
        };
        assert_eq!(colour_of(0, "fn"), Some(Color::Magenta), "{b:?}");
        assert_eq!(colour_of(1, "\"hi\""), Some(Color::Green), "{b:?}");
        let comment = b[1].iter().find(|(t, _)| t.contains("greet")).unwrap();
        assert!(comment.1.add_modifier.contains(Modifier::ITALIC), "{b:?}");

        let py = highlight(
            "Python",
            "def f(x):\n    return 42  # answer",
            &mut Budget::unlimited(),
        )
        .unwrap();
        assert!(
            py[0]
                .iter()
                .any(|(t, s)| t.contains("def") && s.fg == Some(Color::Magenta)),
            "{py:?}"
        );
        assert!(
            py[1]
                .iter()
                .any(|(t, s)| t.contains("42") && s.fg == Some(Color::Yellow)),
            "{py:?}"
        );
        // Aliases fences use: extensions and names.
        for lang in [
            "py", "js", "ts", "tsx", "sh", "bash", "shell", "cpp", "c++", "c", "go", "java",
            "json", "html", "sql", "yaml", "csharp",
        ] {
            assert!(
                highlight(lang, "x", &mut Budget::unlimited()).is_some(),
                "{lang}"
            );
        }
    }

    #[test]
    fn unknown_or_plain_fences_are_not_highlighted() {
        assert!(highlight("", "x", &mut Budget::unlimited()).is_none());
        assert!(highlight("text", "x", &mut Budget::unlimited()).is_none());
        assert!(highlight("no-such-language", "x", &mut Budget::unlimited()).is_none());
    }

    #[test]
    fn pieces_are_cut_between_clusters_only() {
        // A combining mark after a quote: the string's end must not split the cluster.
        let line = "let s = \"e\"\u{301}; // 漢字";
        let b = highlight("rust", line, &mut Budget::unlimited()).unwrap();
        assert_eq!(joined(&b), [line]);
        for (t, _) in &b[0] {
            assert!(
                !t.starts_with('\u{301}'),
                "a piece starts inside a cluster: {b:?}"
            );
        }
    }

    /// A layout out of time leaves a block plain and queues it; the highlighting thread
    /// caches it and moves the generation on, so the next layout has it.
    #[test]
    fn blocks_past_the_budget_are_highlighted_on_a_thread() {
        let code = "fn on_the_thread() -> u8 { 7 }";
        let before = generation();
        let mut spent = Budget::of(Duration::ZERO);
        assert!(highlight("rust", code, &mut spent).is_none());
        let start = Instant::now();
        while generation() == before && start.elapsed() < Duration::from_secs(30) {
            std::thread::yield_now();
        }
        assert!(spent.deferred);
        let b = highlight("rust", code, &mut spent).expect("cached by the thread");
        assert!(b[0].iter().any(|(_, s)| s.fg.is_some()), "{b:?}");
    }

    #[test]
    fn a_block_is_highlighted_once() {
        let code = "fn cached_once() {}";
        let a = highlight("rust", code, &mut Budget::unlimited()).unwrap();
        let b = highlight("rs", code, &mut Budget::unlimited()).unwrap();
        let c = highlight("RUST", code, &mut Budget::unlimited()).unwrap();
        assert!(
            Arc::ptr_eq(&a, &c),
            "same language and text: the cached block"
        );
        assert_eq!(joined(&a), joined(&b));
    }
}
