//! `prefer import`: turns public preference datasets (HH-RLHF, Chatbot Arena, UltraFeedback,
//! ShareGPT DPO, OpenAssistant trees, TRL pairs) into candidate-set files, keeping the existing
//! human labels in candidate metadata so later labels can be compared with them.
//!
//! Each format lives in its own file and only maps one record to [`Draft`] items; this module
//! does everything formats share: reading records, dropping duplicate candidates, skipping
//! items with nothing to compare, giving ids, checking every item against the candidate-set
//! parser, and writing the file atomically.

mod arena;
mod hh;
mod oasst;
mod read;
mod sharegpt;
mod trl;
mod ultrafeedback;

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde_json::{Map, Value, json};

use crate::format::{Message, Problem, parse_item};
use crate::text::plural;

pub use crate::outfile::AtomicFile;

/// How many problems `--skip-invalid` prints before only counting.
const SHOWN_PROBLEMS: usize = 5;

/// The source formats `prefer import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum)]
pub enum SourceFormat {
    /// Tell the format from the fields of the first record.
    Auto,
    /// Anthropic HH-RLHF: {"chosen": "\n\nHuman: ...\n\nAssistant: ...", "rejected": ...}.
    Hh,
    /// Chatbot Arena battles: conversation_a/b, model_a/b, winner.
    Arena,
    /// UltraFeedback: instruction with completions[] (model, response, ratings).
    Ultrafeedback,
    /// ShareGPT DPO (LLaMA-Factory): conversations of {from, value} with chosen/rejected.
    Sharegpt,
    /// OpenAssistant message trees: ranked sibling replies.
    Oasst,
    /// TRL preference pairs: prompt/chosen/rejected, standard or conversational.
    Trl,
}

impl SourceFormat {
    /// The name used on the command line and as the id prefix of imported items.
    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::Auto => "auto",
            SourceFormat::Hh => "hh",
            SourceFormat::Arena => "arena",
            SourceFormat::Ultrafeedback => "ultrafeedback",
            SourceFormat::Sharegpt => "sharegpt",
            SourceFormat::Oasst => "oasst",
            SourceFormat::Trl => "trl",
        }
    }
}

/// Arguments of `prefer import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The dataset's format (auto: tell it from the first record and say which).
    #[arg(long = "from", value_enum, value_name = "FORMAT")]
    pub from: SourceFormat,
    /// The dataset file: JSON Lines, or a .json array of records.
    pub file: PathBuf,
    /// The candidate-set file to write (JSON Lines).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace --out if it exists.
    #[arg(long)]
    pub force: bool,
    /// Skip malformed records (counted, the first few shown) instead of stopping at the first.
    #[arg(long)]
    pub skip_invalid: bool,
}

/// What is wrong with one record: the field (None for the record as a whole), what is wrong,
/// and what to do. The caller adds file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub field: Option<String>,
    pub what: String,
    pub fix: String,
}

impl Fault {
    /// A fault in one field.
    pub fn field(
        field: impl Into<String>,
        what: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Fault {
            field: Some(field.into()),
            what: what.into(),
            fix: fix.into(),
        }
    }

    /// A fault in the record as a whole.
    pub fn record(what: impl Into<String>, fix: impl Into<String>) -> Self {
        Fault {
            field: None,
            what: what.into(),
            fix: fix.into(),
        }
    }

    fn at(self, path: &Path, line: usize) -> Problem {
        Problem {
            path: path.to_path_buf(),
            line,
            field: self.field,
            what: self.what,
            fix: self.fix,
        }
    }
}

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {path}: {source} - check the path and its permissions")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a regular file - give the path of a .jsonl or .json dataset file")]
    NotAFile { path: PathBuf },
    #[error("cannot write {path}: {source} - check that its folder exists and is writable")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} already exists - pass --force to replace it, or choose another --out")]
    OutExists { path: PathBuf },
    #[error("--out {path} is the input file - choose another --out")]
    OutIsInput { path: PathBuf },
    #[error(
        "{problem}\n(stopped at the first malformed record; pass --skip-invalid to skip such records and go on)"
    )]
    Invalid { problem: Problem },
    #[error(
        "{path}:{line}: cannot tell the format from this record's fields ({fields}) - pass --from with one of hh, arena, ultrafeedback, sharegpt, oasst, trl"
    )]
    Undetected {
        path: PathBuf,
        line: usize,
        fields: String,
    },
    #[error("{path}: no items to write ({why}) - nothing was written; check --from and the file")]
    NothingToWrite { path: PathBuf, why: String },
}

/// One item as a format produces it, before duplicate removal and ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The source's own id, when it has one that names this item uniquely.
    pub id: Option<String>,
    /// The shared conversation; its last turn is the user turn the candidates answer.
    pub messages: Vec<Message>,
    pub candidates: Vec<DraftCandidate>,
    pub metadata: Map<String, Value>,
    /// The line of the record the item came from.
    pub line: usize,
}

/// One candidate as a format produces it.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftCandidate {
    pub text: String,
    /// The candidate's own conversation, when the sides diverged before the last turn
    /// (multi-turn Arena battles, some HH pairs).
    pub messages: Option<Vec<Message>>,
    pub metadata: Map<String, Value>,
}

/// What a format does with records.
trait Converter {
    /// Maps one record to zero or more items.
    fn record(&mut self, value: Value, line: usize) -> Result<Vec<Draft>, Fault>;
    /// Items held back while later records could still join them (consecutive TRL pairs of
    /// one prompt are merged into one item).
    fn finish(&mut self) -> Vec<Draft> {
        Vec::new()
    }
}

fn converter(format: SourceFormat) -> Box<dyn Converter> {
    match format {
        SourceFormat::Hh => Box::new(hh::Hh),
        SourceFormat::Arena => Box::new(arena::Arena),
        SourceFormat::Ultrafeedback => Box::new(ultrafeedback::UltraFeedback),
        SourceFormat::Sharegpt => Box::new(sharegpt::ShareGpt),
        SourceFormat::Oasst => Box::new(oasst::Oasst),
        SourceFormat::Trl => Box::new(trl::Trl::default()),
        SourceFormat::Auto => unreachable!("auto is resolved before converting"),
    }
}

/// Tells the format from one record's fields, or None.
pub fn detect(value: &Value) -> Option<SourceFormat> {
    let obj = value.as_object()?;
    let has = |k: &str| obj.contains_key(k);
    if has("conversation_a") && has("conversation_b") {
        return Some(SourceFormat::Arena);
    }
    if has("completions") && has("instruction") {
        return Some(SourceFormat::Ultrafeedback);
    }
    if has("conversations") && has("chosen") && has("rejected") {
        return Some(SourceFormat::Sharegpt);
    }
    if has("message_tree_id")
        || obj
            .get("prompt")
            .is_some_and(|p| p.get("replies").is_some())
        || (has("replies") && has("role"))
    {
        return Some(SourceFormat::Oasst);
    }
    if has("chosen") && has("rejected") {
        let hh_text = |k: &str| {
            obj.get(k)
                .and_then(Value::as_str)
                .is_some_and(hh::looks_like)
        };
        if !has("prompt") && hh_text("chosen") && hh_text("rejected") {
            return Some(SourceFormat::Hh);
        }
        return Some(SourceFormat::Trl);
    }
    None
}

/// The outcome of an import.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    /// The format read (as detected, with `auto`).
    pub format: Option<SourceFormat>,
    /// True when the format was detected rather than given.
    pub detected: bool,
    /// Records read (not counting blank lines).
    pub records: usize,
    pub items: usize,
    pub candidates: usize,
    /// Malformed records skipped under `--skip-invalid`.
    pub invalid: usize,
    /// The first few of those, to print.
    pub problems: Vec<Problem>,
    /// Items skipped because fewer than 2 distinct candidates were left.
    pub too_few: usize,
    /// Items skipped because an earlier item had the same id or content.
    pub duplicate_items: usize,
    /// Candidates dropped because another candidate of the same item had the same text.
    pub duplicate_candidates: usize,
}

/// Reads `input` in `format` and writes candidate-set lines to `out`. Stops at the first
/// malformed record unless `skip_invalid`.
pub fn convert(
    input: &Path,
    format: SourceFormat,
    skip_invalid: bool,
    out: &mut dyn Write,
) -> Result<Summary, ImportError> {
    let mut summary = Summary {
        detected: format == SourceFormat::Auto,
        ..Summary::default()
    };
    let mut conv = match format {
        SourceFormat::Auto => None,
        f => {
            summary.format = Some(f);
            Some(converter(f))
        }
    };
    let mut state = State::default();
    for (line, value) in read::records(input)? {
        if conv.is_none()
            && let Ok(v) = &value
        {
            // Detected from the first well-formed record; malformed ones before it are
            // reported like any other.
            let f = detect(v).ok_or_else(|| ImportError::Undetected {
                path: input.to_path_buf(),
                line,
                fields: v.as_object().map_or_else(
                    || format!("{}, not an object", type_name(v)),
                    |o| o.keys().cloned().collect::<Vec<_>>().join(", "),
                ),
            })?;
            summary.format = Some(f);
            conv = Some(converter(f));
        }
        let drafts = match conv.as_mut() {
            Some(c) => value.and_then(|v| c.record(v, line)),
            None => value.map(|_| Vec::new()),
        };
        state.handle(input, line, drafts, skip_invalid, &mut summary, out)?;
    }
    if let Some(mut c) = conv {
        let rest = c.finish();
        state.handle(input, 0, Ok(rest), skip_invalid, &mut summary, out)?;
    }
    Ok(summary)
}

/// What the shared pipeline remembers across items.
#[derive(Default)]
struct State {
    /// Item id -> line of the record it came from, to skip duplicates.
    seen: HashMap<String, usize>,
}

impl State {
    fn handle(
        &mut self,
        input: &Path,
        line: usize,
        drafts: Result<Vec<Draft>, Fault>,
        skip_invalid: bool,
        summary: &mut Summary,
        out: &mut dyn Write,
    ) -> Result<(), ImportError> {
        if line > 0 {
            summary.records += 1;
        }
        let drafts = match drafts {
            Ok(d) => d,
            Err(fault) => return invalid(fault.at(input, line), skip_invalid, summary),
        };
        for draft in drafts {
            let draft_line = draft.line;
            match self.finish_item(draft, summary) {
                Ok(Some(value)) => {
                    let mut text = serde_json::to_string(&value).expect("JSON values serialise");
                    text.push('\n');
                    out.write_all(text.as_bytes())
                        .map_err(|source| ImportError::Write {
                            path: PathBuf::from("(output)"),
                            source,
                        })?;
                }
                Ok(None) => {}
                Err(fault) => invalid(fault.at(input, draft_line), skip_invalid, summary)?,
            }
        }
        Ok(())
    }

    /// Dedups candidates, skips items with too little to compare or seen before, gives the
    /// id, and checks the result with the candidate-set parser so the file always validates.
    fn finish_item(&mut self, draft: Draft, summary: &mut Summary) -> Result<Option<Value>, Fault> {
        let mut texts = HashSet::new();
        let mut candidates = Vec::with_capacity(draft.candidates.len());
        for c in draft.candidates {
            if texts.insert(c.text.clone()) {
                candidates.push(c);
            } else {
                summary.duplicate_candidates += 1;
            }
        }
        if candidates.len() < 2 {
            summary.too_few += 1;
            return Ok(None);
        }
        let prompt = draft
            .messages
            .last()
            .map(|m| m.content.clone())
            .unwrap_or_default();
        let cands: Vec<Value> = candidates
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut o = Map::new();
                o.insert("id".into(), json!(format!("c{i}")));
                o.insert("text".into(), json!(c.text));
                if let Some(m) = &c.messages {
                    o.insert("messages".into(), messages_json(m));
                }
                if !c.metadata.is_empty() {
                    o.insert("metadata".into(), Value::Object(c.metadata.clone()));
                }
                Value::Object(o)
            })
            .collect();
        let mut body = Map::new();
        body.insert("prompt".into(), json!(prompt));
        body.insert("messages".into(), messages_json(&draft.messages));
        body.insert("candidates".into(), Value::Array(cands));
        if !draft.metadata.is_empty() {
            body.insert("metadata".into(), Value::Object(draft.metadata));
        }
        let item = parse_item(Value::Object(body.clone()), draft.line).map_err(|problems| {
            // A format produced something the candidate-set parser refuses: report it with
            // the record's line rather than write a file that `prefer validate` rejects.
            let p = &problems[0];
            Fault::field(
                p.field.clone(),
                format!("cannot be turned into a valid item: {}", p.what),
                p.fix.clone(),
            )
        })?;
        let id = draft.id.unwrap_or_else(|| {
            let prefix = summary.format.map_or("item", SourceFormat::name);
            format!("{prefix}-{}", &item.hash[..12])
        });
        if self.seen.contains_key(&id) {
            summary.duplicate_items += 1;
            return Ok(None);
        }
        self.seen.insert(id.clone(), draft.line);
        summary.items += 1;
        summary.candidates += candidates.len();
        let mut obj = Map::new();
        obj.insert("id".into(), json!(id));
        obj.extend(body);
        Ok(Some(Value::Object(obj)))
    }
}

fn invalid(problem: Problem, skip_invalid: bool, summary: &mut Summary) -> Result<(), ImportError> {
    if !skip_invalid {
        return Err(ImportError::Invalid { problem });
    }
    summary.invalid += 1;
    if summary.problems.len() < SHOWN_PROBLEMS {
        summary.problems.push(problem);
    }
    Ok(())
}

fn messages_json(messages: &[Message]) -> Value {
    Value::Array(
        messages
            .iter()
            .map(|m| json!({"role": m.role, "content": m.content}))
            .collect(),
    )
}

/// Imports `args.file` into `args.out`: refuses to overwrite without `--force`, writes through
/// a temporary file, and leaves nothing behind on failure.
pub fn import(args: &ImportArgs) -> Result<Summary, ImportError> {
    // A device, a pipe or /dev/stdout is written into, never replaced: nothing to refuse.
    if args.out.exists() && !crate::outfile::writes_through(&args.out) {
        let same = match (args.file.canonicalize(), args.out.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if same {
            return Err(ImportError::OutIsInput {
                path: args.out.clone(),
            });
        }
        if !args.force {
            return Err(ImportError::OutExists {
                path: args.out.clone(),
            });
        }
    }
    let write_err = |source| ImportError::Write {
        path: args.out.clone(),
        source,
    };
    let mut file = AtomicFile::create(&args.out).map_err(write_err)?;
    let summary = match convert(&args.file, args.from, args.skip_invalid, &mut file) {
        Ok(s) => s,
        Err(ImportError::Write { source, .. }) => return Err(write_err(source)),
        Err(e) => return Err(e),
    };
    if summary.items == 0 {
        return Err(ImportError::NothingToWrite {
            path: args.file.clone(),
            why: nothing_why(&summary),
        });
    }
    file.commit().map_err(write_err)?;
    Ok(summary)
}

fn nothing_why(s: &Summary) -> String {
    if s.records == 0 {
        "the file holds no records".into()
    } else {
        format!(
            "{} records: {} malformed, {} with fewer than 2 distinct candidates, {} duplicates",
            s.records, s.invalid, s.too_few, s.duplicate_items
        )
    }
}

/// The report printed after an import.
pub fn report(args: &ImportArgs, s: &Summary) -> String {
    use std::fmt::Write as _;
    let mut r = String::new();
    let format = s.format.map_or("?", SourceFormat::name);
    if s.detected {
        let _ = writeln!(r, "detected format: {format}");
    }
    let _ = writeln!(
        r,
        "{}: wrote {} item{} ({} candidates) from {} record{} of {} ({format})",
        args.out.display(),
        s.items,
        plural(s.items),
        s.candidates,
        s.records,
        plural(s.records),
        args.file.display(),
    );
    let skipped = s.invalid + s.too_few + s.duplicate_items;
    let _ = writeln!(
        r,
        "  skipped: {skipped} ({} malformed, {} with fewer than 2 distinct candidates, {} duplicate items)",
        s.invalid, s.too_few, s.duplicate_items
    );
    if s.duplicate_candidates > 0 {
        let _ = writeln!(
            r,
            "  dropped {} duplicate candidate{} (same text as another candidate of the item)",
            s.duplicate_candidates,
            plural(s.duplicate_candidates)
        );
    }
    r
}

/// `prefer import`.
pub fn run(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let summary = import(args)?;
    if summary.invalid > 0 {
        for p in &summary.problems {
            eprintln!("{p}");
        }
        let more = summary.invalid - summary.problems.len();
        if more > 0 {
            eprintln!("... and {more} more malformed record{}", plural(more));
        }
    }
    // On stderr, with the problems, as export and generate report: `--out /dev/stdout` then
    // gives the data alone on stdout.
    eprint!("{}", report(args, &summary));
    Ok(ExitCode::SUCCESS)
}

// ----- helpers the formats share -----

/// Maps the role names datasets use to OpenAI's.
pub(crate) fn normalise_role(role: &str) -> String {
    match role {
        "human" | "prompter" | "Human" | "User" => "user".into(),
        "gpt" | "bot" | "model" | "Assistant" | "chatbot" => "assistant".into(),
        "observation" => "tool".into(),
        "function_call" => "assistant".into(),
        other => other.to_string(),
    }
}

/// Reads a `[{role, content}, ...]` list from `v` (the field name is for messages).
pub(crate) fn messages_from(v: &Value, field: &str) -> Result<Vec<Message>, Fault> {
    let Some(list) = v.as_array() else {
        return Err(Fault::field(
            field,
            format!(
                "must be a list of {{role, content}}, found {}",
                type_name(v)
            ),
            "check --from: this format needs a conversation list here",
        ));
    };
    list.iter()
        .enumerate()
        .map(|(i, m)| {
            let f = format!("{field}[{i}]");
            let role = m.get("role").and_then(Value::as_str).ok_or_else(|| {
                Fault::field(
                    format!("{f}.role"),
                    "is missing or not a string",
                    "give each turn a role: user, assistant or system",
                )
            })?;
            let content = text_of(m.get("content"), &format!("{f}.content"))?;
            Ok(Message {
                role: normalise_role(role),
                content,
            })
        })
        .collect()
}

/// A text field: a string, null (empty), or OpenAI content parts.
pub(crate) fn text_of(v: Option<&Value>, field: &str) -> Result<String, Fault> {
    match v {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Null) => Ok(String::new()),
        Some(Value::Array(parts))
            if parts
                .iter()
                .all(|p| p.is_string() || p.get("text").is_some_and(Value::is_string)) =>
        {
            Ok(parts
                .iter()
                .filter_map(|p| p.as_str().or_else(|| p.get("text").and_then(Value::as_str)))
                .collect::<Vec<_>>()
                .join("\n"))
        }
        Some(other) => Err(Fault::field(
            field,
            format!("must be text, found {}", type_name(other)),
            "check --from: this format has text here",
        )),
        None => Err(Fault::field(
            field,
            "is missing",
            "check --from: this format needs this field",
        )),
    }
}

/// A required string field of a record.
pub(crate) fn required_str<'a>(obj: &'a Value, field: &str) -> Result<&'a str, Fault> {
    required_str_at(obj, field, field)
}

/// A required string field `key` of `obj`, named `field` in messages (a path like
/// `prompt.replies[2].text` in nested records).
pub(crate) fn required_str_at<'a>(
    obj: &'a Value,
    field: &str,
    key: &str,
) -> Result<&'a str, Fault> {
    match obj.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(Fault::field(
            field,
            format!("must be a string, found {}", type_name(other)),
            "check --from: this format has text here",
        )),
        None => Err(Fault::field(
            field,
            "is missing",
            "check --from: this format needs this field",
        )),
    }
}

pub(crate) fn require_object(v: &Value, format: &str) -> Result<(), Fault> {
    if v.is_object() {
        Ok(())
    } else {
        Err(Fault::record(
            format!("expected a JSON object, found {}", type_name(v)),
            format!("each record of a {format} file is one JSON object"),
        ))
    }
}

pub(crate) use crate::format::type_name;

/// The context and candidates of several full conversations, each ending with the assistant
/// reply that is the candidate.
pub(crate) struct Split {
    pub context: Vec<Message>,
    /// (answer text, the candidate's own conversation when the contexts differ).
    pub candidates: Vec<(String, Option<Vec<Message>>)>,
    /// True when every conversation had the same context before its last reply.
    pub shared: bool,
}

/// Splits full conversations into the shared context and the final replies. When the contexts
/// differ (a multi-turn battle where each side saw its own earlier answers), the item keeps
/// their common start up to its last user turn and each candidate keeps its whole conversation.
pub(crate) fn split_conversations(
    convs: Vec<Vec<Message>>,
    fields: &[&str],
) -> Result<Split, Fault> {
    for (c, field) in convs.iter().zip(fields) {
        match c.last() {
            Some(m) if m.role == "assistant" => {}
            Some(m) => {
                return Err(Fault::field(
                    *field,
                    format!("ends with a {} turn, not the assistant's reply", m.role),
                    "each side must end with the assistant reply being compared",
                ));
            }
            None => {
                return Err(Fault::field(
                    *field,
                    "is empty",
                    "give the conversation that ends with the reply being compared",
                ));
            }
        }
    }
    let contexts: Vec<&[Message]> = convs.iter().map(|c| &c[..c.len() - 1]).collect();
    let shared = contexts.windows(2).all(|w| w[0] == w[1]);
    let mut common = contexts[0].len();
    for c in &contexts[1..] {
        common = common.min(
            contexts[0]
                .iter()
                .zip(c.iter())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    let mut context = contexts[0][..common].to_vec();
    while context.last().is_some_and(|m| m.role != "user") {
        context.pop();
    }
    if context.is_empty() {
        return Err(Fault::field(
            fields[0],
            if shared {
                "has no user turn before the reply".to_string()
            } else {
                format!("shares no user turn with {}", fields[1..].join(", "))
            },
            "the replies being compared must answer the same user turn",
        ));
    }
    if shared && context.len() != contexts[0].len() {
        return Err(Fault::field(
            fields[0],
            "does not have a user turn right before the reply",
            "the turn before the compared reply must be the user's",
        ));
    }
    let candidates = convs
        .into_iter()
        .map(|mut c| {
            let text = c.last().map(|m| m.content.clone()).unwrap_or_default();
            if shared {
                (text, None)
            } else {
                c.shrink_to_fit();
                (text, Some(c))
            }
        })
        .collect();
    Ok(Split {
        context,
        candidates,
        shared,
    })
}

/// Copies the fields of `obj` not in `skip` into a metadata map (keeps what the source had,
/// so nothing is lost on import).
pub(crate) fn rest_of(obj: &Value, skip: &[&str]) -> Map<String, Value> {
    obj.as_object()
        .map(|o| {
            o.iter()
                .filter(|(k, _)| !skip.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn user(content: impl Into<String>) -> Message {
    Message {
        role: "user".into(),
        content: content.into(),
    }
}

#[cfg(test)]
pub(crate) fn assistant(content: impl Into<String>) -> Message {
    Message {
        role: "assistant".into(),
        content: content.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_format() {
        let cases = [
            (
                json!({"chosen": "\n\nHuman: hi\n\nAssistant: a", "rejected": "\n\nHuman: hi\n\nAssistant: b"}),
                SourceFormat::Hh,
            ),
            (
                json!({"conversation_a": [], "conversation_b": [], "winner": "tie"}),
                SourceFormat::Arena,
            ),
            (
                json!({"instruction": "x", "completions": []}),
                SourceFormat::Ultrafeedback,
            ),
            (
                json!({"conversations": [], "chosen": {}, "rejected": {}}),
                SourceFormat::Sharegpt,
            ),
            (
                json!({"message_tree_id": "t", "prompt": {"replies": []}}),
                SourceFormat::Oasst,
            ),
            (
                json!({"prompt": "p", "chosen": "a", "rejected": "b"}),
                SourceFormat::Trl,
            ),
            (
                json!({"chosen": [{"role": "user", "content": "x"}], "rejected": []}),
                SourceFormat::Trl,
            ),
        ];
        for (v, f) in cases {
            assert_eq!(detect(&v), Some(f), "{v}");
        }
        assert_eq!(detect(&json!({"text": "x"})), None);
        assert_eq!(detect(&json!([1])), None);
    }

    #[test]
    fn split_shared_context() {
        let a = vec![user("q"), assistant("a")];
        let b = vec![user("q"), assistant("b")];
        let s = split_conversations(vec![a, b], &["a", "b"]).unwrap();
        assert!(s.shared);
        assert_eq!(s.context, vec![user("q")]);
        assert_eq!(s.candidates[1], ("b".to_string(), None));
    }

    #[test]
    fn split_diverging_context_keeps_own_conversations() {
        let a = vec![user("q"), assistant("a1"), user("q2"), assistant("a2")];
        let b = vec![user("q"), assistant("b1"), user("q2"), assistant("b2")];
        let s = split_conversations(vec![a.clone(), b], &["a", "b"]).unwrap();
        assert!(!s.shared);
        assert_eq!(s.context, vec![user("q")]);
        assert_eq!(s.candidates[0].1.as_ref(), Some(&a));
    }

    #[test]
    fn split_refuses_conversations_without_a_final_reply() {
        let a = vec![user("q")];
        let b = vec![user("q"), assistant("b")];
        let f = split_conversations(vec![a, b], &["a", "b"]).err().unwrap();
        assert_eq!(f.field.as_deref(), Some("a"));
        assert!(f.what.contains("ends with a user turn"));
        let f = split_conversations(
            vec![
                vec![user("x"), assistant("a")],
                vec![user("y"), assistant("b")],
            ],
            &["a", "b"],
        )
        .err()
        .unwrap();
        assert!(f.what.contains("shares no user turn"), "{f:?}");
    }
}
