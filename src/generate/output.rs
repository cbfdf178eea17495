//! The generated candidate set on disk: finding the prompts a previous run finished (resume),
//! repairing a torn last line, appending one complete item per line, and turning samples into
//! an item (dropping exact and near-duplicate candidates).

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

use super::prompts::Prompt;
use crate::format::parse_item;

/// Why the output file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("cannot use {path}: {source} - check that its folder exists and is writable")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What a previous run left in the output file.
#[derive(Debug, Default)]
pub struct Resume {
    pub done: HashSet<String>,
    /// Bytes of a torn last line that were cut off (a run killed mid-write).
    pub repaired: usize,
}

/// Reads the ids already in `path` and cuts off a torn last line, so appends start on a line
/// boundary. A missing file is an empty resume.
pub fn resume(path: &Path) -> Result<Resume, OutputError> {
    let io = |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Resume::default()),
        Err(e) => return Err(io(e)),
    };
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let mut r = Resume::default();
    if complete < bytes.len() {
        r.repaired = bytes.len() - complete;
        let f = OpenOptions::new().write(true).open(path).map_err(io)?;
        f.set_len(complete as u64).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    for line in bytes[..complete].split(|&b| b == b'\n') {
        if let Ok(Value::Object(o)) = serde_json::from_slice::<Value>(line)
            && let Some(id) = o.get("id").and_then(Value::as_str)
        {
            r.done.insert(id.to_string());
        }
    }
    Ok(r)
}

/// The output opened for appending; each item goes out as one write of a complete line,
/// flushed and fsynced, so a crash loses at most the line being written, never a half line
/// that a later append would glue onto.
pub struct Appender {
    file: File,
    path: PathBuf,
}

impl Appender {
    pub fn open(path: &Path) -> Result<Appender, OutputError> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| OutputError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Appender {
            file,
            path: path.to_path_buf(),
        })
    }

    pub fn append(&mut self, item: &Value) -> Result<(), OutputError> {
        let mut line = serde_json::to_string(item).expect("JSON values serialise");
        line.push('\n');
        let io = |source| OutputError::Io {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(line.as_bytes()).map_err(io)?;
        self.file.flush().map_err(io)?;
        self.file.sync_data().map_err(io)
    }
}

/// One generated sample with the settings that produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub text: String,
    pub model: String,
    pub temperature: f64,
    pub top_p: f64,
    pub seed: Option<u64>,
    pub finish_reason: Option<String>,
}

/// An item built from samples, or why there is none.
#[derive(Debug)]
pub enum Built {
    Item {
        value: Value,
        candidates: usize,
        /// Samples dropped as exact or near duplicates, or empty.
        dropped: usize,
    },
    TooFew {
        unique: usize,
        dropped: usize,
    },
}

/// The text with whitespace runs collapsed to one space, trimmed, lowercased: two samples
/// that differ only in this are one candidate to a labeler.
pub fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Dedups samples and builds the item line. Items with fewer than 2 unique candidates are
/// not built, so the output always validates.
pub fn build(prompt: &Prompt, samples: Vec<Sample>) -> Built {
    let mut seen = HashSet::new();
    let mut kept = Vec::new();
    let mut dropped = 0;
    for s in samples {
        let key = normalise(&s.text);
        if key.is_empty() || !seen.insert(key) {
            dropped += 1;
        } else {
            kept.push(s);
        }
    }
    if kept.len() < 2 {
        return Built::TooFew {
            unique: kept.len(),
            dropped,
        };
    }
    let candidates: Vec<Value> = kept
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut m = Map::new();
            m.insert("model".into(), json!(s.model));
            m.insert("temperature".into(), json!(s.temperature));
            m.insert("top_p".into(), json!(s.top_p));
            if let Some(seed) = s.seed {
                m.insert("seed".into(), json!(seed));
            }
            m.insert("finish_reason".into(), json!(s.finish_reason));
            if s.finish_reason.as_deref() == Some("length") {
                m.insert("truncated".into(), json!(true));
            }
            json!({"id": format!("c{i}"), "text": s.text, "metadata": m})
        })
        .collect();
    let prompt_text = prompt
        .messages
        .last()
        .map(|m| m.content.clone())
        .unwrap_or_default();
    let mut item = Map::new();
    item.insert("id".into(), json!(prompt.id));
    item.insert("prompt".into(), json!(prompt_text));
    item.insert("messages".into(), json!(prompt.messages));
    item.insert("candidates".into(), Value::Array(candidates));
    let mut metadata = prompt.metadata.clone();
    metadata.insert("prompt_line".into(), json!(prompt.line));
    item.insert("metadata".into(), Value::Object(metadata));
    let value = Value::Object(item);
    // The same check `prefer validate` makes; a failure here is a bug in this module.
    debug_assert!(parse_item(value.clone(), prompt.line).is_ok());
    Built::Item {
        value,
        candidates: kept.len(),
        dropped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Message;

    fn sample(text: &str, finish: &str) -> Sample {
        Sample {
            text: text.into(),
            model: "m".into(),
            temperature: 0.7,
            top_p: 1.0,
            seed: Some(3),
            finish_reason: Some(finish.into()),
        }
    }

    fn prompt() -> Prompt {
        Prompt {
            id: "p1".into(),
            messages: vec![Message {
                role: "user".into(),
                content: "q".into(),
            }],
            metadata: Map::new(),
            line: 1,
        }
    }

    #[test]
    fn near_duplicates_and_empty_samples_are_dropped() {
        let b = build(
            &prompt(),
            vec![
                sample("Hello  world", "stop"),
                sample("hello world\n", "stop"),
                sample("   ", "stop"),
                sample("Other answer", "length"),
            ],
        );
        let Built::Item {
            value,
            candidates,
            dropped,
        } = b
        else {
            panic!("expected an item");
        };
        assert_eq!((candidates, dropped), (2, 2));
        assert_eq!(value["candidates"][1]["metadata"]["truncated"], true);
        assert!(
            value["candidates"][0]["metadata"]
                .get("truncated")
                .is_none()
        );
        assert_eq!(value["candidates"][0]["metadata"]["seed"], 3);
        parse_item(value, 1).unwrap();
    }

    #[test]
    fn one_unique_sample_is_too_few() {
        let b = build(&prompt(), vec![sample("A", "stop"), sample("a", "stop")]);
        assert!(matches!(
            b,
            Built::TooFew {
                unique: 1,
                dropped: 1
            }
        ));
    }

    #[test]
    fn resume_reads_ids_and_cuts_a_torn_line() {
        let dir = std::env::temp_dir().join(format!("prefer-resume-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("o.jsonl");
        std::fs::write(
            &p,
            "{\"id\": \"a\"}\n{\"id\": \"b\"}\n{\"id\": \"c\", \"pro",
        )
        .unwrap();
        let r = resume(&p).unwrap();
        assert_eq!(r.done.len(), 2);
        assert!(r.repaired > 0);
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            "{\"id\": \"a\"}\n{\"id\": \"b\"}\n"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
