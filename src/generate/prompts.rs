//! Reading the prompts to generate for: JSON Lines with `prompt` and/or `messages` (and an
//! optional `id`), or plain text with one prompt per line.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::format::{Message, Problem};

/// One prompt to generate candidates for.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    /// The prompt's `id`, else `p-` and a hash of its conversation (stable across runs, so a
    /// rerun recognises prompts already done).
    pub id: String,
    /// The conversation to send; the last turn is the user's.
    pub messages: Vec<Message>,
    /// Other fields of the prompt record, kept as item metadata.
    pub metadata: Map<String, Value>,
    pub line: usize,
}

/// Why the prompts file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PromptsError {
    #[error("cannot read {path}: {source} - check the path and its permissions")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Problem),
    #[error("{path} holds no prompts - write one prompt per line, as text or JSON")]
    Empty { path: PathBuf },
}

/// Reads every prompt. A file whose first non-blank line is a JSON object is JSON Lines;
/// anything else is plain text, one prompt per line.
pub fn read(path: &Path) -> Result<Vec<Prompt>, PromptsError> {
    let bytes = std::fs::read(path).map_err(|source| PromptsError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        PromptsError::Invalid(problem(
            path,
            line,
            None,
            "invalid UTF-8",
            "save the file as UTF-8 (e.g. iconv -t UTF-8)",
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let json = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim_start().starts_with('{'));
    let mut out = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() {
            continue;
        }
        let prompt = if json {
            from_json(path, line, raw)?
        } else {
            let messages = vec![Message {
                role: "user".into(),
                content: raw.to_string(),
            }];
            Prompt {
                id: derived_id(&messages),
                messages,
                metadata: Map::new(),
                line,
            }
        };
        out.push(prompt);
    }
    if out.is_empty() {
        return Err(PromptsError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(out)
}

fn problem(path: &Path, line: usize, field: Option<&str>, what: &str, fix: &str) -> Problem {
    Problem {
        path: path.to_path_buf(),
        line,
        field: field.map(String::from),
        what: what.into(),
        fix: fix.into(),
    }
}

fn from_json(path: &Path, line: usize, raw: &str) -> Result<Prompt, PromptsError> {
    let invalid = |field: Option<&str>, what: &str, fix: &str| {
        PromptsError::Invalid(problem(path, line, field, what, fix))
    };
    let value: Value = serde_json::from_str(raw).map_err(|e| {
        let s = e.to_string();
        let msg = s
            .rfind(" at line ")
            .map_or(s.as_str(), |i| &s[..i])
            .to_string();
        invalid(
            None,
            &format!("malformed JSON at column {}: {msg}", e.column()),
            "each line must be one JSON object with `prompt` or `messages`",
        )
    })?;
    let Value::Object(mut obj) = value else {
        return Err(invalid(
            None,
            "expected a JSON object",
            "write each prompt as {\"prompt\": \"...\"} or {\"messages\": [...]}",
        ));
    };
    let id = match obj.remove("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => {
            return Err(invalid(
                Some("id"),
                "must be a non-empty string or a number",
                "give the prompt a text id, or leave `id` out to derive one",
            ));
        }
    };
    let messages = match (obj.remove("messages"), obj.remove("prompt")) {
        (Some(Value::Array(list)), _) => {
            let mut out = Vec::with_capacity(list.len());
            for (i, m) in list.into_iter().enumerate() {
                let role = m.get("role").and_then(Value::as_str);
                let content = m.get("content").and_then(Value::as_str);
                match (role, content) {
                    (Some(r), Some(c)) => out.push(Message {
                        role: r.to_string(),
                        content: c.to_string(),
                    }),
                    _ => {
                        return Err(invalid(
                            Some(&format!("messages[{i}]")),
                            "must have text `role` and `content`",
                            "write each turn as {\"role\": \"user\", \"content\": \"...\"}",
                        ));
                    }
                }
            }
            out
        }
        (Some(_), _) => {
            return Err(invalid(
                Some("messages"),
                "must be a list of {role, content}",
                "write the conversation as [{\"role\": \"user\", \"content\": \"...\"}]",
            ));
        }
        (None, Some(Value::String(p))) => vec![Message {
            role: "user".into(),
            content: p,
        }],
        (None, Some(_)) => {
            return Err(invalid(
                Some("prompt"),
                "must be text",
                "write the prompt as text, or the conversation under `messages`",
            ));
        }
        (None, None) => {
            return Err(invalid(
                Some("prompt"),
                "is missing",
                "give `prompt` (text) or `messages` (a list of {role, content})",
            ));
        }
    };
    if messages.last().is_none_or(|m| m.role != "user") {
        return Err(invalid(
            Some("messages"),
            "does not end with a user turn",
            "end the conversation with the user turn the model should answer",
        ));
    }
    let metadata = match obj.remove("metadata") {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    Ok(Prompt {
        id: id.unwrap_or_else(|| derived_id(&messages)),
        messages,
        metadata,
        line,
    })
}

/// `p-` and the first 12 hex digits of blake3 over the conversation's canonical JSON: the same
/// scheme the candidate-set format uses for items without ids, applied to the prompt alone
/// (the candidates do not exist yet).
pub fn derived_id(messages: &[Message]) -> String {
    let bytes = serde_json::to_vec(messages).unwrap_or_default();
    format!("p-{}", &blake3::hash(&bytes).to_hex()[..12])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(s: &str) -> Result<Vec<Prompt>, PromptsError> {
        let dir = std::env::temp_dir().join(format!(
            "prefer-prompts-{}-{}",
            std::process::id(),
            blake3::hash(s.as_bytes()).to_hex()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("p.txt");
        std::fs::write(&p, s).unwrap();
        let r = read(&p);
        std::fs::remove_dir_all(&dir).unwrap();
        r
    }

    #[test]
    fn plain_text_lines() {
        let p = read_str("What is 2+2?\n\nName a colour\r\n").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].messages[0].content, "Name a colour");
        assert_eq!(p[1].line, 3);
        assert!(p[0].id.starts_with("p-"));
        assert_ne!(p[0].id, p[1].id);
    }

    #[test]
    fn json_lines_with_ids_and_messages() {
        let p = read_str(
            "{\"id\": 7, \"prompt\": \"hi\", \"metadata\": {\"topic\": \"x\"}}\n{\"messages\": [{\"role\": \"system\", \"content\": \"s\"}, {\"role\": \"user\", \"content\": \"q\"}]}\n",
        )
        .unwrap();
        assert_eq!(p[0].id, "7");
        assert_eq!(p[0].metadata["topic"], "x");
        assert_eq!(p[1].messages.len(), 2);
        assert_eq!(p[1].id, derived_id(&p[1].messages));
    }

    #[test]
    fn bad_record_names_line_and_field() {
        let e = read_str("{\"prompt\": \"a\"}\n{\"text\": \"b\"}\n").unwrap_err();
        let s = e.to_string();
        assert!(s.ends_with(":2: is missing (prompt) - give `prompt` (text) or `messages` (a list of {role, content})"), "{s}");
    }
}
