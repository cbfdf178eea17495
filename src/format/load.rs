//! Reading a whole candidate-set file: JSON Lines (one item per line) or a `.json` file with an
//! array of items. Collects every problem with its line, so `validate` can list them all.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;
use serde_json::value::RawValue;

use super::ItemSource;
use super::item::{FieldProblem, Item, parse_item};

/// How the file holds its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    JsonLines,
    JsonArray,
}

/// One problem in a file, printed as `FILE:LINE: what is wrong (field) - what to do`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub line: usize,
    pub field: Option<String>,
    pub what: String,
    pub fix: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path.display(), self.line, self.what)?;
        if let Some(field) = &self.field {
            write!(f, " ({field})")?;
        }
        write!(f, " - {}", self.fix)
    }
}

/// Why a file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source} - check the path and its permissions")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is {what}, not a candidate-set file - give the path of a .jsonl or .json file")]
    NotAFile { path: PathBuf, what: &'static str },
    #[error("{}", display_problems(.0))]
    Invalid(Vec<Problem>),
}

/// Problems shown in an error message; `prefer validate` lists every one.
pub const PROBLEMS_SHOWN: usize = 20;

/// The first [`PROBLEMS_SHOWN`] problems, one per line, and how many more there are: a file
/// with a problem on every one of a million lines must not bury the terminal.
fn display_problems(problems: &[Problem]) -> String {
    let mut s = String::new();
    for (i, p) in problems.iter().take(PROBLEMS_SHOWN).enumerate() {
        if i > 0 {
            s.push('\n');
        }
        s.push_str(&p.to_string());
    }
    if let Some(more) = more_problems(problems) {
        s.push('\n');
        s.push_str(&more);
    }
    s
}

/// "... and N more problems" with the command that lists them all, when there are more than
/// [`PROBLEMS_SHOWN`].
fn more_problems(problems: &[Problem]) -> Option<String> {
    let more = problems
        .len()
        .checked_sub(PROBLEMS_SHOWN)
        .filter(|&n| n > 0)?;
    let path = &problems[0].path;
    Some(format!(
        "... and {more} more problem{} (prefer validate {} lists them all)",
        crate::text::plural(more),
        crate::text::shell_quote(&path.to_string_lossy())
    ))
}

/// A loaded, valid candidate set.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub path: PathBuf,
    pub kind: FileKind,
    pub items: Vec<Arc<Item>>,
}

impl ItemSource for Dataset {
    fn len(&self) -> usize {
        self.items.len()
    }
    fn item(&self, i: usize) -> Result<Arc<Item>, Problem> {
        self.items.get(i).cloned().ok_or_else(|| Problem {
            path: self.path.clone(),
            line: 0,
            field: None,
            what: format!("there is no item {i}"),
            fix: "this is a bug in prefer".into(),
        })
    }
    fn candidate_count(&self, i: usize) -> Option<usize> {
        self.items.get(i).map(|it| it.candidates.len())
    }
    fn id(&self, i: usize) -> Option<String> {
        self.items.get(i).map(|it| it.id.clone())
    }
}

/// Loads and validates a candidate-set file.
pub fn load(path: &Path) -> Result<Dataset, LoadError> {
    regular_file(path)?;
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    load_bytes(path, &bytes)
}

/// The file's metadata, or why it is not a file prefer can read.
pub(super) fn regular_file(path: &Path) -> Result<std::fs::Metadata, LoadError> {
    let meta = std::fs::metadata(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let ft = meta.file_type();
    if ft.is_dir() {
        return Err(LoadError::NotAFile {
            path: path.to_path_buf(),
            what: "a directory",
        });
    }
    if !ft.is_file() {
        // A FIFO or device would block or never end; refuse rather than hang.
        return Err(LoadError::NotAFile {
            path: path.to_path_buf(),
            what: "not a regular file (a pipe, socket or device)",
        });
    }
    Ok(meta)
}

/// Parses a file's bytes (the path is for messages and for choosing the format).
pub fn load_bytes(path: &Path, bytes: &[u8]) -> Result<Dataset, LoadError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let is_array = is_array(path, bytes);
    let mut problems = Vec::new();
    let mut items = Vec::new();
    let kind = if is_array {
        parse_array(path, bytes, &mut items, &mut problems);
        FileKind::JsonArray
    } else {
        parse_lines(path, bytes, &mut items, &mut problems);
        FileKind::JsonLines
    };
    if items.is_empty() && problems.is_empty() {
        problems.push(no_items_problem(path));
    }
    check_duplicate_ids(path, &items, &mut problems);
    if !problems.is_empty() && !is_array && is_labels_log(bytes) {
        // Every line would be wrong in the same way: say what the file is instead.
        problems = vec![labels_log_problem(path)];
    }
    if !problems.is_empty()
        && items.is_empty()
        && !is_array
        && let Some(p) = import_problem(path, bytes)
    {
        // A dataset `prefer import` reads: one line that says so and gives the command.
        problems = vec![p];
    }
    if problems.is_empty() {
        Ok(Dataset {
            path: path.to_path_buf(),
            kind,
            items: items.into_iter().map(Arc::new).collect(),
        })
    } else {
        problems.sort_by_key(|p| p.line);
        Err(LoadError::Invalid(problems))
    }
}

/// The one problem of a labels log given where a candidate file belongs.
pub(super) fn labels_log_problem(path: &Path) -> Problem {
    Problem {
        path: path.to_path_buf(),
        line: 1,
        field: None,
        what: "this is a labels log (one decision per line), not a candidate-set file".into(),
        fix: "give the file of prompts and candidates the labels are about; logs go after it, or in its labels folder".into(),
    }
}

/// The one problem of a dataset that `prefer import` turns into a candidate set (HH-RLHF,
/// OpenAssistant, Chatbot Arena, ...) given where a candidate file belongs, judged from its
/// first record; `None` for anything else.
pub(super) fn import_problem(path: &Path, bytes: &[u8]) -> Option<Problem> {
    let first = bytes.split(|&b| b == b'\n').find(|l| !is_blank(l))?;
    let value: Value = serde_json::from_slice(first).ok()?;
    let from = crate::import::detect(&value)?;
    if parse_item(value, 1).is_ok() {
        // An item that also carries such fields is an item.
        return None;
    }
    let q = |p: &Path| crate::text::shell_quote(&p.to_string_lossy());
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "set".into());
    // A name that `.jsonl.gz` or `.json` inputs do not turn into something odd.
    let stem = stem.trim_end_matches(".jsonl").trim_end_matches(".json");
    let out = path.with_file_name(format!("{stem}.candidates.jsonl"));
    Some(Problem {
        path: path.to_path_buf(),
        line: 1,
        field: None,
        what: format!(
            "this is a dataset in the {} layout, not a candidate-set file",
            from.name()
        ),
        fix: format!(
            "turn it into one first: prefer import --from {} {} --out {}",
            from.name(),
            q(path),
            q(&out)
        ),
    })
}

/// True when the first record of a JSON Lines file reads as a labels log event (see
/// [`crate::labels::starts_like_log`]).
pub(super) fn is_labels_log(bytes: &[u8]) -> bool {
    crate::labels::starts_like_log(bytes)
}

/// True when a file (its first bytes, BOM removed, are enough) holds a JSON array of items
/// rather than JSON Lines.
pub(super) fn is_array(path: &Path, bytes: &[u8]) -> bool {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    first == Some(b'[') || (path.extension().is_some_and(|e| e == "json") && first != Some(b'{'))
}

fn record_problems(path: &Path, line: usize, fps: Vec<FieldProblem>, out: &mut Vec<Problem>) {
    out.extend(fps.into_iter().map(|fp| Problem {
        path: path.to_path_buf(),
        line,
        field: Some(fp.field),
        what: fp.what,
        fix: fp.fix,
    }));
}

fn parse_lines(path: &Path, bytes: &[u8], items: &mut Vec<Item>, problems: &mut Vec<Problem>) {
    // Records are independent: pieces of a big file (cut at line ends) are parsed on all
    // cores, then put together in file order with their line numbers moved on.
    const PIECE: usize = 4 << 20;
    let threads = crate::par::cores();
    if bytes.len() < 2 * PIECE || threads == 1 {
        parse_piece(path, bytes, items, problems);
        return;
    }
    let target = bytes.len().div_ceil(threads * 4).max(PIECE);
    let pieces: Vec<&[u8]> = crate::par::line_pieces(bytes, target)
        .into_iter()
        .map(|r| &bytes[r])
        .collect();
    let done = crate::par::map_all(&pieces, |piece| {
        let (mut its, mut probs) = (Vec::new(), Vec::new());
        parse_piece(path, piece, &mut its, &mut probs);
        (its, probs)
    });
    let mut lines_before = 0;
    for ((its, probs), piece) in done.into_iter().zip(&pieces) {
        items.extend(its.into_iter().map(|mut it| {
            it.line += lines_before;
            it
        }));
        problems.extend(probs.into_iter().map(|mut p| {
            p.line += lines_before;
            p
        }));
        lines_before += memchr::memchr_iter(b'\n', piece).count();
    }
}

/// Parses the records of `bytes`, numbering lines from 1.
fn parse_piece(path: &Path, bytes: &[u8], items: &mut Vec<Item>, problems: &mut Vec<Problem>) {
    // Lines found with memchr: `split` on a byte looks at the bytes one at a time.
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    for (n, end) in ends.enumerate() {
        let raw = &bytes[start..end];
        start = end + 1;
        if is_blank(raw) {
            continue;
        }
        match parse_record(path, n + 1, raw) {
            Ok(item) => items.push(item),
            Err(p) => problems.extend(p),
        }
    }
}

/// True for a line that holds no record (only ASCII whitespace, a CR included).
pub(super) fn is_blank(line: &[u8]) -> bool {
    line.iter().all(u8::is_ascii_whitespace)
}

/// Parses one JSON Lines record: the bytes of line `line` without its `\n` (a trailing CR is
/// dropped here). Shared by the full loader and the lazy source, so both word problems alike.
pub(super) fn parse_record(path: &Path, line: usize, raw: &[u8]) -> Result<Item, Vec<Problem>> {
    let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
    let text = std::str::from_utf8(raw).map_err(|e| {
        vec![Problem {
            path: path.to_path_buf(),
            line,
            field: None,
            what: format!("invalid UTF-8 at byte {} of the line", e.valid_up_to() + 1),
            fix: "save the file as UTF-8 (e.g. iconv -t UTF-8)".into(),
        }]
    })?;
    // Records of the plainest shape are read straight into their item; the rest (and any
    // record with something to report) the `Value` way, which words every problem.
    if let Some(item) = super::fast::parse_plain(text, line) {
        return Ok(item);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v) => parse_item(v, line).map_err(|fps| {
            let mut out = Vec::new();
            record_problems(path, line, fps, &mut out);
            out
        }),
        Err(e) => Err(vec![json_problem(path, line, &e, true, text)]),
    }
}

/// `text` is what serde_json read: its error's column counts bytes, which is reported as
/// characters (what an editor's column shows).
fn json_problem(
    path: &Path,
    line: usize,
    e: &serde_json::Error,
    per_line: bool,
    text: &str,
) -> Problem {
    Problem {
        path: path.to_path_buf(),
        line,
        field: None,
        what: format!(
            "malformed JSON at column {}: {}",
            char_column(text, e.line(), e.column()),
            strip_position(e)
        ),
        fix: if per_line {
            "each line must be one complete JSON object (JSON Lines)".into()
        } else {
            "the file must be a JSON array of item objects".into()
        },
    }
}

/// The 1-based character column of serde_json's 1-based byte column `col` on line `line` of
/// `text` (0 stays 0: the error is at the end of the input).
fn char_column(text: &str, line: usize, col: usize) -> usize {
    if col == 0 {
        return 0;
    }
    let Some(l) = text.split('\n').nth(line.saturating_sub(1)) else {
        return col;
    };
    let mut end = (col - 1).min(l.len());
    while !l.is_char_boundary(end) {
        end -= 1;
    }
    l[..end].chars().count() + 1
}

/// serde_json appends " at line L column C" to its messages; we print our own position.
fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

fn parse_array(path: &Path, bytes: &[u8], items: &mut Vec<Item>, problems: &mut Vec<Problem>) {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            problems.push(Problem {
                path: path.to_path_buf(),
                line,
                field: None,
                what: "invalid UTF-8".into(),
                fix: "save the file as UTF-8 (e.g. iconv -t UTF-8)".into(),
            });
            return;
        }
    };
    let raws: Vec<&RawValue> = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let line = e.line().max(1);
            problems.push(json_problem(path, line, &e, false, text));
            return;
        }
    };
    let base = text.as_ptr() as usize;
    for raw in raws {
        let offset = raw.get().as_ptr() as usize - base;
        let line = 1 + text.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        match serde_json::from_str::<Value>(raw.get()) {
            Ok(v) => match parse_item(v, line) {
                Ok(item) => items.push(item),
                Err(fps) => record_problems(path, line, fps, problems),
            },
            Err(e) => problems.push(json_problem(path, line, &e, false, raw.get())),
        }
    }
}

fn check_duplicate_ids(path: &Path, items: &[Item], problems: &mut Vec<Problem>) {
    let mut first: HashMap<&str, usize, crate::labels::FastHash> =
        HashMap::with_capacity_and_hasher(items.len(), Default::default());
    for item in items {
        if let Some(&line) = first.get(item.id.as_str()) {
            problems.push(duplicate_problem(path, item, line));
        } else {
            first.insert(&item.id, item.line);
        }
    }
}

/// The problem of an item whose id was already used by the item on line `first`.
pub(super) fn duplicate_problem(path: &Path, item: &Item, first: usize) -> Problem {
    let (what, fix) = if item.id_derived {
        (
            format!("this item has the same content as the item on line {first}"),
            "remove the duplicate, or give both items distinct ids".to_string(),
        )
    } else {
        (
            format!("duplicate item id \"{}\" (first on line {first})", item.id),
            "give every item its own id: labels are keyed by it".to_string(),
        )
    };
    Problem {
        path: path.to_path_buf(),
        line: item.line,
        field: Some("id".into()),
        what,
        fix,
    }
}

/// The problem reported for a file without a single record.
pub(super) fn no_items_problem(path: &Path) -> Problem {
    Problem {
        path: path.to_path_buf(),
        line: 1,
        field: None,
        what: "the file holds no items".into(),
        fix: "add one JSON object per line, each with `prompt` and `candidates`".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_big_file_parsed_in_pieces_gives_the_items_and_problems_of_one_pass() {
        // About 12 MB: several pieces, with bad, blank and CRLF lines in more than one.
        let mut text = String::new();
        let long = "word ".repeat(200);
        for i in 0..11_000 {
            match i % 1_500 {
                7 => text.push_str("{not json\n"),
                8 => text.push_str("\n  \n"),
                9 => text.push_str(&format!("{{\"id\":\"x{i}\",\"candidates\":[]}}\n")),
                10 => text.push_str(&format!("{{\"id\":\"x{}\",\"prompt\":\"p\",\"candidates\":[\"a\",\"b\"]}}\n", i - 3)),
                _ => text.push_str(&format!(
                    "{{\"id\":\"x{i}\",\"prompt\":\"p{i} {long}\",\"candidates\":[\"a\",\"b{i}\"]}}\r\n"
                )),
            }
        }
        assert!(text.len() > 10 << 20);
        let path = Path::new("big.jsonl");
        let (mut items, mut problems) = (Vec::new(), Vec::new());
        parse_lines(path, text.as_bytes(), &mut items, &mut problems);
        let (mut one_items, mut one_problems) = (Vec::new(), Vec::new());
        parse_piece(path, text.as_bytes(), &mut one_items, &mut one_problems);
        assert_eq!(items.len(), one_items.len());
        for (a, b) in items.iter().zip(&one_items) {
            assert_eq!((&a.id, a.line, &a.hash), (&b.id, b.line, &b.hash));
        }
        let show = |ps: &[Problem]| ps.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(show(&problems), show(&one_problems));
        assert!(problems.len() >= 14, "{}", problems.len());
        assert!(problems.last().unwrap().line > 10_000);
    }

    fn load_str(name: &str, s: &str) -> Result<Dataset, LoadError> {
        load_bytes(Path::new(name), s.as_bytes())
    }

    fn problems(r: Result<Dataset, LoadError>) -> Vec<String> {
        match r {
            Err(LoadError::Invalid(p)) => p.iter().map(ToString::to_string).collect(),
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn a_labels_log_given_as_candidates_is_named_as_such_once() {
        let log = concat!(
            r#"{"v":1,"at":"2026-05-28T20:26:40.000Z","annotator":"ann","item":"q1","task":"pair","pair":["a","b"],"choice":"a"}"#,
            "\n",
            r#"{"v":1,"at":"2026-05-28T20:26:41.000Z","annotator":"ann","item":"q2","task":"pair","pair":["a","b"],"choice":"b"}"#,
            "\n"
        );
        let p = problems(load_str("ann.jsonl", log));
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("ann.jsonl:1: this is a labels log"),
            "{}",
            p[0]
        );
        // Opened the lazy way (as a big file is), it is refused at once, with the same words.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ann.jsonl");
        std::fs::write(&path, log).unwrap();
        let Err(LoadError::Invalid(lazy)) = super::super::open_with_threshold(&path, 0) else {
            panic!("a log opened as candidates");
        };
        assert_eq!(lazy.len(), 1);
        assert!(lazy[0].what.contains("labels log"));
        // A candidate file with a broken first record is not taken for a log.
        let p = problems(load_str("c.jsonl", "{\"id\":\"x\"}\n"));
        assert!(p.iter().all(|p| !p.contains("labels log")), "{p:?}");
    }

    #[test]
    fn an_error_shows_twenty_problems_and_counts_the_rest() {
        let bad = "{\"id\":\"x\",\"prompt\":\"p\"}\n".repeat(35);
        let e = load_str("many bad.jsonl", &bad).unwrap_err();
        let LoadError::Invalid(all) = &e else {
            panic!("{e}")
        };
        assert_eq!(all.len(), 35);
        let text = e.to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), PROBLEMS_SHOWN + 1, "{text}");
        assert_eq!(
            lines[PROBLEMS_SHOWN],
            "... and 15 more problems (prefer validate 'many bad.jsonl' lists them all)"
        );
        let few = load_str("few.jsonl", &bad[..bad.len() / 35 * 3]).unwrap_err();
        assert_eq!(few.to_string().lines().count(), 3);
    }

    #[test]
    fn jsonl_with_blank_lines_and_no_final_newline() {
        let d = load_str(
            "x.jsonl",
            "{\"id\":\"a\",\"prompt\":\"p\",\"candidates\":[\"1\",\"2\"]}\n\n{\"id\":\"b\",\"prompt\":\"p\",\"candidates\":[\"1\",\"2\"]}",
        )
        .unwrap();
        assert_eq!(d.items.len(), 2);
        assert_eq!(d.items[1].line, 3);
    }

    #[test]
    fn an_importable_dataset_is_named_with_the_command_that_imports_it() {
        let hh = "{\"chosen\":\"\\n\\nHuman: hi\\n\\nAssistant: hello\",\"rejected\":\"\\n\\nHuman: hi\\n\\nAssistant: go away\"}\n";
        let p = problems(load_str("data/hh-train.jsonl", &hh.repeat(400)));
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(
            p[0],
            "data/hh-train.jsonl:1: this is a dataset in the hh layout, not a candidate-set file - turn it into one first: prefer import --from hh data/hh-train.jsonl --out data/hh-train.candidates.jsonl"
        );
        let oasst = "{\"message_id\":\"m1\",\"parent_id\":null,\"text\":\"hi\",\"role\":\"prompter\",\"message_tree_id\":\"m1\"}\n";
        let p = problems(load_str("oasst.jsonl", oasst));
        assert!(
            p[0].contains("prefer import --from oasst oasst.jsonl --out oasst.candidates.jsonl"),
            "{p:?}"
        );
    }

    #[test]
    fn json_error_columns_count_characters() {
        // "日本" is 6 bytes, 2 characters: the stray `x` is the 17th character of the line (byte 21).
        let p = problems(load_str("x.jsonl", "{\"id\":\"日本\",\"p\": x}\n"));
        assert!(p[0].contains("malformed JSON at column 17"), "{}", p[0]);
        let p = problems(load_str("x.json", "[\n{\"id\":\"日本\",\"p\": x}\n]"));
        assert!(p[0].contains("malformed JSON at column 17"), "{}", p[0]);
    }

    #[test]
    fn problems_name_file_line_and_field() {
        let p = problems(load_str(
            "data/x.jsonl",
            "{\"id\":\"a\",\"prompt\":\"p\",\"candidates\":[\"1\"]}\n{not json\n",
        ));
        assert_eq!(p.len(), 2);
        assert!(
            p[0].starts_with("data/x.jsonl:1: has 1 candidate(s), need at least 2 (candidates) - "),
            "{}",
            p[0]
        );
        assert!(
            p[1].starts_with("data/x.jsonl:2: malformed JSON at column 2"),
            "{}",
            p[1]
        );
    }

    #[test]
    fn duplicate_ids() {
        let line = "{\"id\":\"a\",\"prompt\":\"p\",\"candidates\":[\"1\",\"2\"]}\n";
        let p = problems(load_str("x.jsonl", &format!("{line}{line}")));
        assert_eq!(p.len(), 1);
        assert!(
            p[0].contains("x.jsonl:2: duplicate item id \"a\" (first on line 1)"),
            "{}",
            p[0]
        );
    }

    #[test]
    fn empty_file() {
        let p = problems(load_str("x.jsonl", "\n  \n"));
        assert!(p[0].contains("holds no items"));
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let mut bytes = b"{\"prompt\":\"p\",\"candidates\":[\"1\",\"2\"]}\n".to_vec();
        bytes.extend_from_slice(b"{\"prompt\":\"\xff\",\"candidates\":[\"1\",\"2\"]}\n");
        let p = problems(load_bytes(Path::new("x.jsonl"), &bytes));
        assert!(p[0].starts_with("x.jsonl:2: invalid UTF-8"), "{}", p[0]);
    }

    #[test]
    fn bom_and_crlf_accepted() {
        let d = load_str(
            "x.jsonl",
            "\u{feff}{\"prompt\":\"p\",\"candidates\":[\"1\",\"2\"]}\r\n",
        )
        .unwrap();
        assert_eq!(d.items.len(), 1);
    }

    #[test]
    fn json_array_with_lines() {
        let d = load_str(
            "x.json",
            "[\n  {\"id\":\"a\",\"prompt\":\"p\",\"candidates\":[\"1\",\"2\"]},\n  {\"id\":\"b\",\"prompt\":\"p\",\"candidates\":[\"1\",\"2\"]}\n]",
        )
        .unwrap();
        assert_eq!(d.kind, FileKind::JsonArray);
        assert_eq!(d.items[1].line, 3);
        let p = problems(load_str(
            "x.json",
            "[\n  {\"id\":\"a\",\"prompt\":\"p\",\"candidates\":[\"1\",\"2\"]},\n  {\"id\":\"b\",\"candidates\":[\"1\",\"2\"]}\n]",
        ));
        assert!(
            p[0].starts_with("x.json:3: is missing (prompt)"),
            "{}",
            p[0]
        );
    }

    #[test]
    fn directory_is_refused() {
        let dir = std::env::temp_dir();
        assert!(matches!(load(&dir), Err(LoadError::NotAFile { .. })));
    }
}
