//! One item of a candidate set: a prompt (or conversation) and the candidate outputs that
//! answer it, parsed from a JSON value with problems that name the field and say what to do.

use serde::Serialize;
use serde_json::{Map, Value};

/// One turn of an OpenAI-style conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    pub role: String,
    pub content: String,
}

/// One candidate output.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: String,
    /// The answer text (for a candidate with its own conversation: its last assistant turn).
    pub text: String,
    /// The candidate's own conversation, as multi-turn benchmarks give it.
    pub messages: Option<Vec<Message>>,
    pub metadata: Option<Value>,
}

/// One item: what the labeler sees on one screen.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Item {
    pub id: String,
    /// True when the file gave no id and it was derived from the content (see [`Item::hash`]).
    pub id_derived: bool,
    pub prompt: Option<String>,
    pub messages: Option<Vec<Message>>,
    pub candidates: Vec<Candidate>,
    pub metadata: Option<Value>,
    /// Fields prefer does not know, kept as they were.
    pub extra: Map<String, Value>,
    /// blake3 of the item's labelled content, see [`content_hash`].
    pub hash: String,
    /// 1-based line in the file where the record starts.
    pub line: usize,
}

impl Item {
    /// The conversation the candidates answer, ending with the question answered: `messages`,
    /// then `prompt` as the final user turn unless the messages already end with it.
    /// Multi-turn sets (MT-bench) give the earlier turns in `messages` and the question being
    /// answered in `prompt`.
    pub fn conversation(&self) -> Vec<Message> {
        let mut turns = self.messages.clone().unwrap_or_default();
        if let Some(p) = &self.prompt {
            let asked = turns
                .iter()
                .rev()
                .find(|m| m.role == "user")
                .is_some_and(|m| same_text(&m.content, p));
            if turns.is_empty() || !(asked || p.trim().is_empty()) {
                turns.push(Message {
                    role: "user".into(),
                    content: p.clone(),
                });
            }
        }
        turns
    }

    /// Why `prompt` and the last user turn of `messages` cannot be reconciled, if they cannot:
    /// the messages end with a user turn that is not the prompt, and the candidates do not
    /// carry conversations of their own that answer it (as MT-bench's do). prefer shows the
    /// prompt after the messages as the question answered.
    pub fn prompt_conflict(&self) -> Option<String> {
        let p = self.prompt.as_deref().filter(|p| !p.trim().is_empty())?;
        let messages = self.messages.as_deref()?;
        let last = messages.last().filter(|m| m.role == "user")?;
        if same_text(&last.content, p) {
            return None;
        }
        let users = messages.iter().filter(|m| m.role == "user").count();
        let answered = |c: &Candidate| {
            c.messages.as_deref().is_some_and(|own| {
                own.iter()
                    .filter(|m| m.role != "user" && m.role != "system")
                    .count()
                    > users
            })
        };
        if self.candidates.iter().all(answered) {
            return None;
        }
        let short = |s: &str| {
            let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
            if s.chars().count() > 40 {
                format!("{}…", s.chars().take(40).collect::<String>())
            } else {
                s
            }
        };
        Some(format!(
            "`messages` end with the user turn {:?} but `prompt` is {:?}, and the candidates carry no conversation of their own answering the first: which question do they answer? prefer shows both, the prompt last",
            short(&last.content),
            short(p)
        ))
    }

    /// The last user turn as plain text: `prompt`, or the last user message.
    pub fn prompt_text(&self) -> String {
        if let Some(p) = &self.prompt {
            return p.clone();
        }
        self.messages
            .iter()
            .flatten()
            .rev()
            .find(|m| m.role == "user")
            .or(self.messages.iter().flatten().last())
            .map(|m| m.content.clone())
            .unwrap_or_default()
    }

    /// Index of the candidate with this id.
    pub fn candidate_index(&self, id: &str) -> Option<usize> {
        self.candidates.iter().position(|c| c.id == id)
    }
}

/// The same text but for whitespace (a trailing newline, indentation).
fn same_text(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// A problem found in one record: what is wrong, in which field, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: String,
    pub what: String,
    pub fix: String,
}

fn problem(field: &str, what: impl Into<String>, fix: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field: field.to_string(),
        what: what.into(),
        fix: fix.into(),
    }
}

const CANDIDATE_LISTS: [&str; 4] = ["candidates", "responses", "outputs", "completions"];
const CANDIDATE_TEXT: [&str; 3] = ["text", "content", "response"];

/// Parses one record (already decoded JSON) into an [`Item`]. `line` is where it starts in the
/// file, for messages. Every problem in the record is returned, not just the first.
pub fn parse_item(value: Value, line: usize) -> Result<Item, Vec<FieldProblem>> {
    let Value::Object(mut obj) = value else {
        return Err(vec![problem(
            "record",
            format!("expected a JSON object, found {}", type_name(&value)),
            "write each item as an object with `prompt` and `candidates`",
        )]);
    };
    let mut problems = Vec::new();

    let id = match obj.remove("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => {
            problems.push(problem(
                "id",
                "is empty",
                "give the item a non-empty id, or leave `id` out to derive one",
            ));
            None
        }
        Some(Value::String(s)) => Some(s),
        // Numeric ids are common in exported datasets; take them as their decimal text.
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            problems.push(problem(
                "id",
                format!("must be a string, found {}", type_name(&other)),
                "write the id as a string, e.g. \"q-17\"",
            ));
            None
        }
    };

    let mut prompt_messages = None;
    let prompt = match obj.remove("prompt") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        // A conversational prompt (TRL style) given under `prompt`.
        Some(Value::Array(a)) if a.iter().all(Value::is_object) => {
            match parse_messages(Value::Array(a), "prompt") {
                Ok(m) => prompt_messages = Some(m),
                Err(p) => problems.push(p),
            }
            None
        }
        Some(other) => {
            problems.push(problem(
                "prompt",
                format!("must be a string, found {}", type_name(&other)),
                "write the prompt as plain text, or use `messages` for a conversation",
            ));
            None
        }
    };

    let mut messages = match obj.remove("messages") {
        None | Some(Value::Null) => None,
        Some(v) => match parse_messages(v, "messages") {
            Ok(m) => Some(m),
            Err(p) => {
                problems.push(p);
                None
            }
        },
    };
    if messages.is_none() {
        messages = prompt_messages;
    }
    if let Some(m) = &messages
        && m.is_empty()
    {
        problems.push(problem(
            "messages",
            "is an empty list",
            "give at least the user turn that the candidates answer",
        ));
    }
    if prompt.is_none()
        && messages.as_ref().is_none_or(|m| m.is_empty())
        && !problems
            .iter()
            .any(|p| p.field == "prompt" || p.field.starts_with("messages"))
    {
        problems.push(problem(
            "prompt",
            "is missing",
            "give `prompt` (text) or `messages` (a list of {role, content})",
        ));
    }

    let list_key = CANDIDATE_LISTS
        .iter()
        .find(|k| obj.contains_key(**k))
        .copied();
    let mut candidates = Vec::new();
    match list_key.and_then(|k| obj.remove(k).map(|v| (k, v))) {
        None => problems.push(problem(
            "candidates",
            "is missing",
            "give `candidates`: a list of at least 2 outputs (strings or {id, text} objects)",
        )),
        Some((key, Value::Array(list))) => {
            for (i, c) in list.into_iter().enumerate() {
                match parse_candidate(c, i, key) {
                    Ok(c) => candidates.push(c),
                    Err(p) => problems.push(p),
                }
            }
            if candidates.len() < 2 && !problems.iter().any(|p| p.field.starts_with(key)) {
                problems.push(problem(
                    key,
                    format!("has {} candidate(s), need at least 2", candidates.len()),
                    "add candidates, or drop this item: there is nothing to compare",
                ));
            }
            let mut seen = std::collections::HashSet::new();
            for c in &candidates {
                if !seen.insert(c.id.as_str()) {
                    problems.push(problem(
                        &format!("{key}[].id"),
                        format!("candidate id \"{}\" appears twice in this item", c.id),
                        "give every candidate of an item its own id",
                    ));
                }
            }
        }
        Some((key, other)) => problems.push(problem(
            key,
            format!("must be a list, found {}", type_name(&other)),
            "write the candidates as a JSON list",
        )),
    }

    let metadata = obj.remove("metadata").filter(|v| !v.is_null());
    if !problems.is_empty() {
        return Err(problems);
    }

    Ok(finish_item(
        id, prompt, messages, candidates, metadata, obj, line,
    ))
}

/// The item of checked parts: its hash, and an id derived from it when the file gave none.
pub(super) fn finish_item(
    id: Option<String>,
    prompt: Option<String>,
    messages: Option<Vec<Message>>,
    candidates: Vec<Candidate>,
    metadata: Option<Value>,
    extra: Map<String, Value>,
    line: usize,
) -> Item {
    let hash = content_hash(prompt.as_deref(), messages.as_deref(), &candidates);
    let id_derived = id.is_none();
    let id = id.unwrap_or_else(|| format!("auto-{}", &hash[..12]));
    Item {
        id,
        id_derived,
        prompt,
        messages,
        candidates,
        metadata,
        extra,
        hash,
        line,
    }
}

fn parse_candidate(v: Value, index: usize, list: &str) -> Result<Candidate, FieldProblem> {
    let field = format!("{list}[{index}]");
    let default_id = format!("c{index}");
    match v {
        Value::String(text) => Ok(Candidate {
            id: default_id,
            text,
            messages: None,
            metadata: None,
        }),
        Value::Object(mut o) => {
            let id = match o.remove("id") {
                None | Some(Value::Null) => default_id,
                Some(Value::String(s)) if !s.trim().is_empty() => s,
                Some(Value::Number(n)) => n.to_string(),
                Some(other) => {
                    return Err(problem(
                        &format!("{field}.id"),
                        format!("must be a non-empty string, found {}", short(&other)),
                        "write the candidate id as a string, or leave it out (c0, c1, ... by position)",
                    ));
                }
            };
            let messages = match o.remove("messages") {
                None | Some(Value::Null) => None,
                Some(m) => Some(parse_messages(m, &format!("{field}.messages"))?),
            };
            let text_key = CANDIDATE_TEXT.iter().find(|k| o.contains_key(**k)).copied();
            let text = match text_key.and_then(|k| o.remove(k).map(|v| (k, v))) {
                Some((_, Value::String(s))) => s,
                Some((k, Value::Array(parts))) if parts.iter().all(is_text_part) => {
                    let _ = k;
                    join_parts(&parts)
                }
                Some((k, other)) => {
                    return Err(problem(
                        &format!("{field}.{k}"),
                        format!("must be a string, found {}", type_name(&other)),
                        "write the candidate's answer as text",
                    ));
                }
                None => match &messages {
                    Some(m) => m
                        .iter()
                        .rev()
                        .find(|m| m.role == "assistant")
                        .map(|m| m.content.clone())
                        .unwrap_or_default(),
                    None => {
                        return Err(problem(
                            &format!("{field}.text"),
                            "is missing",
                            "give the candidate's answer as `text` (or `content` / `response`)",
                        ));
                    }
                },
            };
            let metadata = o.remove("metadata").filter(|v| !v.is_null());
            Ok(Candidate {
                id,
                text,
                messages,
                metadata,
            })
        }
        other => Err(problem(
            &field,
            format!("must be a string or an object, found {}", type_name(&other)),
            "write each candidate as text or as {\"id\": ..., \"text\": ...}",
        )),
    }
}

fn parse_messages(v: Value, field: &str) -> Result<Vec<Message>, FieldProblem> {
    let Value::Array(list) = v else {
        return Err(problem(
            field,
            format!(
                "must be a list of {{role, content}}, found {}",
                type_name(&v)
            ),
            "write the conversation as [{\"role\": \"user\", \"content\": \"...\"}, ...]",
        ));
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, m) in list.into_iter().enumerate() {
        let f = format!("{field}[{i}]");
        let Value::Object(mut o) = m else {
            return Err(problem(
                &f,
                format!("must be an object, found {}", type_name(&m)),
                "write each turn as {\"role\": \"user\", \"content\": \"...\"}",
            ));
        };
        let role = match o.remove("role") {
            Some(Value::String(s)) => s,
            Some(other) => {
                return Err(problem(
                    &format!("{f}.role"),
                    format!("must be a string, found {}", type_name(&other)),
                    "use \"system\", \"user\" or \"assistant\"",
                ));
            }
            None => {
                return Err(problem(
                    &format!("{f}.role"),
                    "is missing",
                    "give each turn a role: \"system\", \"user\" or \"assistant\"",
                ));
            }
        };
        let content = match o.remove("content") {
            Some(Value::String(s)) => s,
            Some(Value::Null) => String::new(),
            Some(Value::Array(parts)) if parts.iter().all(is_text_part) => join_parts(&parts),
            Some(other) => {
                return Err(problem(
                    &format!("{f}.content"),
                    format!("must be a string, found {}", type_name(&other)),
                    "write the turn's content as text",
                ));
            }
            None => {
                return Err(problem(
                    &format!("{f}.content"),
                    "is missing",
                    "give each turn its `content` text",
                ));
            }
        };
        out.push(Message { role, content });
    }
    Ok(out)
}

/// OpenAI content parts: `{"type": "text", "text": "..."}` (or a bare string).
fn is_text_part(v: &Value) -> bool {
    v.is_string() || v.get("text").is_some_and(Value::is_string)
}

fn join_parts(parts: &[Value]) -> String {
    parts
        .iter()
        .filter_map(|p| p.as_str().or_else(|| p.get("text").and_then(Value::as_str)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// How a JSON value's type reads in a message: "a string", "a list", ...
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 40 {
        format!("{}…", crate::text::truncate(&s, 40))
    } else {
        s
    }
}

/// The item hash: blake3 over the canonical JSON of what the labeler judges, as lowercase hex
/// (first 16 bytes, 32 hex digits). The canonical form is
/// `{"prompt": P, "messages": M, "candidates": [{"id", "text", "messages"}...]}` with absent
/// fields as `null`, in that order, serialised by serde_json without spaces. The item id,
/// metadata and unknown fields are not part of it: renaming or annotating an item does not make
/// its labels stale, changing a word of a candidate does.
pub fn content_hash(
    prompt: Option<&str>,
    messages: Option<&[Message]>,
    candidates: &[Candidate],
) -> String {
    let bytes = canonical_json(prompt, messages, candidates);
    let digest = blake3::hash(&bytes);
    digest.to_hex()[..32].to_string()
}

/// The canonical form [`content_hash`] hashes, written by hand: the same bytes serde_json
/// writes for it (see the tests), without its per-string `fmt` machinery, which was a
/// fifth of reading a big candidate file.
fn canonical_json(
    prompt: Option<&str>,
    messages: Option<&[Message]>,
    candidates: &[Candidate],
) -> Vec<u8> {
    use crate::json::escape_into;
    fn string(out: &mut Vec<u8>, s: Option<&str>) {
        match s {
            Some(s) => {
                out.push(b'"');
                escape_into(out, s);
                out.push(b'"');
            }
            None => out.extend_from_slice(b"null"),
        }
    }
    fn turns(out: &mut Vec<u8>, messages: Option<&[Message]>) {
        let Some(messages) = messages else {
            out.extend_from_slice(b"null");
            return;
        };
        out.push(b'[');
        for (i, m) in messages.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"role\":");
            string(out, Some(&m.role));
            out.extend_from_slice(b",\"content\":");
            string(out, Some(&m.content));
            out.push(b'}');
        }
        out.push(b']');
    }
    let size = prompt.map_or(0, str::len)
        + candidates
            .iter()
            .map(|c| c.id.len() + c.text.len() + 40)
            .sum::<usize>()
        + 64;
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(b"{\"prompt\":");
    string(&mut out, prompt);
    out.extend_from_slice(b",\"messages\":");
    turns(&mut out, messages);
    out.extend_from_slice(b",\"candidates\":[");
    for (i, c) in candidates.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"id\":");
        string(&mut out, Some(&c.id));
        out.extend_from_slice(b",\"text\":");
        string(&mut out, Some(&c.text));
        out.extend_from_slice(b",\"messages\":");
        turns(&mut out, c.messages.as_deref());
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The canonical form as it was first defined: serde_json over these structs.
    fn canonical_by_serde(
        prompt: Option<&str>,
        messages: Option<&[Message]>,
        candidates: &[Candidate],
    ) -> Vec<u8> {
        #[derive(Serialize)]
        struct C<'a> {
            id: &'a str,
            text: &'a str,
            messages: Option<&'a [Message]>,
        }
        #[derive(Serialize)]
        struct H<'a> {
            prompt: Option<&'a str>,
            messages: Option<&'a [Message]>,
            candidates: Vec<C<'a>>,
        }
        let h = H {
            prompt,
            messages,
            candidates: candidates
                .iter()
                .map(|c| C {
                    id: &c.id,
                    text: &c.text,
                    messages: c.messages.as_deref(),
                })
                .collect(),
        };
        serde_json::to_vec(&h).unwrap()
    }

    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
        fn word(&mut self) -> String {
            let words = [
                "",
                "plain",
                "a \"q\" \\ b",
                "tab\t\nline",
                "\u{1}\u{1f}\u{7f}",
                "模型 😀",
                "\u{2028}",
            ];
            words[self.below(words.len() as u64) as usize].to_string()
        }
        fn turns(&mut self) -> Vec<Message> {
            (0..self.below(3))
                .map(|_| Message {
                    role: self.word(),
                    content: self.word(),
                })
                .collect()
        }
    }

    #[test]
    fn canonical_json_is_the_serde_form_byte_for_byte() {
        let mut r = Rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..5_000 {
            let prompt = (r.below(3) > 0).then(|| r.word());
            let messages = (r.below(2) == 0).then(|| r.turns());
            let candidates: Vec<Candidate> = (0..r.below(4))
                .map(|_| Candidate {
                    id: r.word(),
                    text: r.word(),
                    messages: (r.below(4) == 0).then(|| r.turns()),
                    metadata: None,
                })
                .collect();
            let (p, m) = (prompt.as_deref(), messages.as_deref());
            assert_eq!(
                String::from_utf8(canonical_json(p, m, &candidates)).unwrap(),
                String::from_utf8(canonical_by_serde(p, m, &candidates)).unwrap()
            );
        }
    }

    /// Logged decisions carry this hash: if it changed between versions, every decision would
    /// look stale. Pinned.
    #[test]
    fn the_item_hash_of_a_known_item_never_changes() {
        let item = parse_item(
            json!({"id": "q-1", "prompt": "Say \"hi\"\n", "candidates": ["hi", {"id": "b", "text": "hello 模型"}]}),
            1,
        )
        .unwrap();
        // What prefer wrote for it before the canonical form was written by hand.
        assert_eq!(item.hash, "7e483e31e03557d350d8d4b13b75b7a5");
    }

    #[test]
    fn multi_turn_prompt_is_the_last_turn() {
        let own = |a: &str| json!({"messages": [{"role": "assistant", "content": "a1"}, {"role": "assistant", "content": a}]});
        let v = json!({"messages": [{"role": "user", "content": "q1"}], "prompt": "q2",
            "candidates": [own("x"), own("y")]});
        let item = parse_item(v, 1).unwrap();
        let turns: Vec<String> = item.conversation().into_iter().map(|m| m.content).collect();
        assert_eq!(turns, vec!["q1", "q2"]);
        assert_eq!(item.prompt_conflict(), None);
        // The prompt repeated as the last user turn (whitespace aside) is not shown twice.
        let v = json!({"messages": [{"role": "user", "content": "q2\n"}], "prompt": "q2", "candidates": ["a", "b"]});
        let item = parse_item(v, 1).unwrap();
        assert_eq!(item.conversation().len(), 1);
        assert_eq!(item.prompt_conflict(), None);
        // A shared answer to turn 1: the prompt follows it.
        let v = json!({"messages": [{"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"}], "prompt": "q2", "candidates": ["a", "b"]});
        let item = parse_item(v, 1).unwrap();
        assert_eq!(item.conversation().len(), 3);
        assert_eq!(item.prompt_conflict(), None);
        // Two questions and nothing answering the first: which one is answered?
        let v = json!({"messages": [{"role": "user", "content": "q1"}], "prompt": "q2", "candidates": ["a", "b"]});
        let item = parse_item(v, 1).unwrap();
        assert!(item.prompt_conflict().unwrap().contains("\"q1\""));
    }

    #[test]
    fn full_item() {
        let v = json!({"id": "q-17", "prompt": "Explain recursion.",
            "messages": [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "Explain recursion."}],
            "candidates": [{"id": "c0", "text": "A", "metadata": {"model": "m"}}, {"id": "c1", "text": "B"}],
            "metadata": {"source": "x"}, "schema": "v0"});
        let item = parse_item(v, 3).unwrap();
        assert_eq!(item.id, "q-17");
        assert!(!item.id_derived);
        assert_eq!(item.candidates.len(), 2);
        assert_eq!(item.conversation().len(), 2);
        assert_eq!(item.extra.get("schema"), Some(&json!("v0")));
        assert_eq!(item.hash.len(), 32);
        assert_eq!(item.line, 3);
    }

    #[test]
    fn strings_and_aliases() {
        let item = parse_item(
            json!({"prompt": "p", "responses": ["a", {"response": "b"}]}),
            1,
        )
        .unwrap();
        assert_eq!(item.candidates[0].id, "c0");
        assert_eq!(item.candidates[1].id, "c1");
        assert_eq!(item.candidates[1].text, "b");
        assert!(item.id_derived);
        assert!(item.id.starts_with("auto-"));
    }

    #[test]
    fn derived_id_is_stable_and_content_based() {
        let a = parse_item(json!({"prompt": "p", "outputs": ["a", "b"]}), 1).unwrap();
        let b = parse_item(json!({"prompt": "p", "outputs": ["a", "b"], "note": 1}), 99).unwrap();
        let c = parse_item(json!({"prompt": "p", "outputs": ["a", "B"]}), 1).unwrap();
        assert_eq!(a.id, b.id);
        assert_ne!(a.id, c.id);
    }

    #[test]
    fn hash_ignores_metadata_and_id() {
        let a = parse_item(
            json!({"id": "x", "prompt": "p", "candidates": ["a", "b"]}),
            1,
        )
        .unwrap();
        let b = parse_item(
            json!({"id": "y", "prompt": "p", "candidates": ["a", "b"], "metadata": {"k": 1}}),
            1,
        )
        .unwrap();
        assert_eq!(a.hash, b.hash);
    }

    #[test]
    fn every_problem_is_reported() {
        let errs = parse_item(
            json!({"id": 5.5, "prompt": 3, "candidates": ["only one"]}),
            1,
        );
        let errs = errs.unwrap_err();
        let fields: Vec<_> = errs.iter().map(|p| p.field.as_str()).collect();
        assert!(fields.contains(&"prompt"), "{errs:?}");
        assert!(fields.contains(&"candidates"), "{errs:?}");
    }

    #[test]
    fn missing_prompt_and_candidates() {
        let errs = parse_item(json!({"id": "a"}), 1).unwrap_err();
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].field, "prompt");
        assert_eq!(errs[1].field, "candidates");
    }

    #[test]
    fn duplicate_candidate_ids() {
        let errs = parse_item(
            json!({"prompt": "p", "candidates": [{"id": "a", "text": "1"}, {"id": "a", "text": "2"}]}),
            1,
        )
        .unwrap_err();
        assert!(errs[0].what.contains("appears twice"));
    }

    #[test]
    fn candidate_with_own_conversation() {
        let item = parse_item(
            json!({"prompt": "p", "candidates": [
                {"messages": [{"role": "user", "content": "p"}, {"role": "assistant", "content": "first"}]},
                "second"]}),
            1,
        )
        .unwrap();
        assert_eq!(item.candidates[0].text, "first");
        assert!(item.candidates[0].messages.is_some());
    }

    #[test]
    fn not_an_object() {
        let errs = parse_item(json!([1, 2]), 4).unwrap_err();
        assert!(errs[0].what.contains("expected a JSON object"));
    }

    #[test]
    fn prompt_from_last_user_turn() {
        let item = parse_item(
            json!({"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}],
                   "candidates": ["x", "y"]}),
            1,
        )
        .unwrap();
        assert_eq!(item.prompt_text(), "c");
    }
}
