//! LLaMA-Factory's preference data in its ShareGPT form, and the `dataset_info.json` entry
//! that registers a file of it. Pairs are `{"conversations": [...], "chosen": {...},
//! "rejected": {...}}` with `{"from", "value"}` messages (`"ranking": true` in the entry); KTO
//! rows are `{"conversations": [..., answer], "kto_tag": true|false}`.
//!
//! LLaMA-Factory skips, with a warning, a conversation whose roles do not alternate (human or
//! observation at odd positions, gpt or function_call at even ones, an optional system
//! message first) or whose length is wrong for its kind; such rows are left out here instead,
//! and counted, so that what is written is what trains.

use std::io::Write;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::format::Item;

use super::aggregate::Judged;
use super::formats::{Turn, candidate_turns, prompt_len};
use super::kto;

/// One message as LLaMA-Factory's ShareGPT tags name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Message<'a> {
    pub from: &'a str,
    pub value: &'a str,
}

/// The ShareGPT tag of a role, when LLaMA-Factory has one.
fn tag(role: &str) -> Option<&'static str> {
    Some(match role {
        "user" => "human",
        "assistant" => "gpt",
        "system" => "system",
        "tool" | "observation" => "observation",
        "function_call" => "function_call",
        _ => return None,
    })
}

/// The turns as ShareGPT messages, when LLaMA-Factory takes them as they are: a system message
/// only first, then human/observation and gpt/function_call turns taking turns, ending with a
/// human turn (`ends_with_user`, a preference prompt) or a gpt one (a KTO conversation).
pub fn conversation<'a>(turns: &[Turn<'a>], ends_with_user: bool) -> Option<Vec<Message<'a>>> {
    let mut out = Vec::with_capacity(turns.len());
    let mut rest = turns;
    if let Some((first, tail)) = turns.split_first()
        && first.role == "system"
    {
        out.push(Message {
            from: "system",
            value: first.content,
        });
        rest = tail;
    }
    for (k, t) in rest.iter().enumerate() {
        let from = tag(t.role)?;
        let odd_place = k % 2 == 0;
        let fits = if odd_place {
            matches!(from, "human" | "observation")
        } else {
            matches!(from, "gpt" | "function_call")
        };
        if !fits {
            return None;
        }
        out.push(Message {
            from,
            value: t.content,
        });
    }
    let n = rest.len();
    let right_length = if ends_with_user {
        n % 2 == 1
    } else {
        n > 0 && n.is_multiple_of(2)
    };
    right_length.then_some(out)
}

#[derive(Serialize)]
struct PairRow<'a> {
    conversations: Vec<Message<'a>>,
    chosen: Message<'a>,
    rejected: Message<'a>,
}

#[derive(Serialize)]
struct KtoRow<'a> {
    conversations: Vec<Message<'a>>,
    kto_tag: bool,
}

/// One assistant turn, as a gpt message.
fn answer<'a>(turns: &[Turn<'a>]) -> Option<Message<'a>> {
    match turns {
        [t] if t.role == "assistant" => Some(Message {
            from: "gpt",
            value: t.content,
        }),
        _ => None,
    }
}

/// Writes one preference row per judged pair; returns (rows written, pairs left out because
/// LLaMA-Factory would skip them).
pub fn write_pairs<W: Write>(
    w: &mut W,
    items: &[Arc<Item>],
    pairs: &[Judged],
) -> serde_json::Result<(usize, usize)> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let (mut rows, mut left_out) = (0, 0);
    for p in pairs {
        let item = &items[p.item as usize];
        candidate_turns(item, &item.candidates[p.chosen as usize], &mut a);
        candidate_turns(item, &item.candidates[p.rejected as usize], &mut b);
        let n = prompt_len(&a, &b);
        let row = conversation(&a[..n], true).and_then(|conversations| {
            Some(PairRow {
                conversations,
                chosen: answer(&a[n..])?,
                rejected: answer(&b[n..])?,
            })
        });
        let Some(row) = row else {
            left_out += 1;
            continue;
        };
        serde_json::to_writer(&mut *w, &row)?;
        w.write_all(b"\n").map_err(serde_json::Error::io)?;
        rows += 1;
    }
    Ok((rows, left_out))
}

/// Writes one KTO row per labeled answer; returns (rows written, rows left out because
/// LLaMA-Factory would skip them).
pub fn write_kto<W: Write>(
    w: &mut W,
    items: &[Arc<Item>],
    labels: &kto::Labels,
) -> serde_json::Result<(usize, usize)> {
    let mut turns = Vec::new();
    let (mut rows, mut left_out) = (0, 0);
    for r in &labels.rows {
        let n = kto::split(&items[r.item as usize], r.candidate, &mut turns);
        let ok = answer(&turns[n..]).is_some();
        let Some(conversations) = conversation(&turns, false).filter(|_| ok) else {
            left_out += 1;
            continue;
        };
        let row = KtoRow {
            conversations,
            kto_tag: r.label,
        };
        serde_json::to_writer(&mut *w, &row)?;
        w.write_all(b"\n").map_err(serde_json::Error::io)?;
        rows += 1;
    }
    Ok((rows, left_out))
}

/// The `dataset_info.json` entry that registers `file_name` with LLaMA-Factory.
pub fn dataset_info_entry(file_name: &str, kto: bool) -> Value {
    let columns = if kto {
        json!({"messages": "conversations", "kto_tag": "kto_tag"})
    } else {
        json!({"messages": "conversations", "chosen": "chosen", "rejected": "rejected"})
    };
    let mut e = Map::new();
    e.insert("file_name".into(), json!(file_name));
    e.insert("formatting".into(), json!("sharegpt"));
    if !kto {
        e.insert("ranking".into(), json!(true));
    }
    e.insert("columns".into(), columns);
    e.insert(
        "tags".into(),
        json!({
            "role_tag": "from",
            "content_tag": "value",
            "user_tag": "human",
            "assistant_tag": "gpt",
            "observation_tag": "observation",
            "function_tag": "function_call",
            "system_tag": "system"
        }),
    );
    Value::Object(e)
}

/// Why `dataset_info.json` could not be updated.
#[derive(Debug, thiserror::Error)]
pub enum InfoError {
    #[error(
        "{path} is not a JSON object of dataset entries ({why}) - fix or move it, then export again; it was left as it was"
    )]
    NotAnObject {
        path: std::path::PathBuf,
        why: String,
    },
    #[error("cannot read {path}: {source}")]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// The `dataset_info.json` beside `out` with the entry `name` set to `entry` (every other
/// entry kept as it was, in its order), as text to write.
pub fn updated_dataset_info(
    info: &std::path::Path,
    name: &str,
    entry: Value,
) -> Result<String, InfoError> {
    let mut all = match std::fs::read(info) {
        Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(m)) => m,
            Ok(_) => {
                return Err(InfoError::NotAnObject {
                    path: info.to_path_buf(),
                    why: "the top level is not an object".into(),
                });
            }
            Err(e) => {
                return Err(InfoError::NotAnObject {
                    path: info.to_path_buf(),
                    why: e.to_string(),
                });
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Map::new(),
        Err(source) => {
            return Err(InfoError::Read {
                path: info.to_path_buf(),
                source,
            });
        }
    };
    all.insert(name.to_string(), entry);
    let mut text = serde_json::to_string_pretty(&Value::Object(all)).expect("JSON values print");
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t<'a>(role: &'a str, content: &'a str) -> Turn<'a> {
        Turn { role, content }
    }

    #[test]
    fn conversations_follow_llamafactorys_turn_rules() {
        let sys = t("system", "s");
        let (u, a) = (t("user", "u"), t("assistant", "a"));
        fn froms(m: Option<Vec<Message<'_>>>) -> Option<Vec<&'static str>> {
            m.map(|m| m.iter().map(|x| tag_of(x.from)).collect())
        }
        fn tag_of(from: &str) -> &'static str {
            ["human", "gpt", "system", "observation", "function_call"]
                .into_iter()
                .find(|t| *t == from)
                .unwrap_or("?")
        }
        assert_eq!(froms(conversation(&[u], true)), Some(vec!["human"]));
        assert_eq!(
            froms(conversation(&[sys, u, a, u], true)),
            Some(vec!["system", "human", "gpt", "human"])
        );
        // A preference prompt ends with the user; a KTO conversation with the answer.
        assert_eq!(froms(conversation(&[u, a], true)), None);
        assert_eq!(
            froms(conversation(&[u, a], false)),
            Some(vec!["human", "gpt"])
        );
        assert_eq!(froms(conversation(&[u], false)), None);
        // Two user turns in a row, a system message later, an unknown role: skipped by
        // LLaMA-Factory, so left out here.
        assert_eq!(froms(conversation(&[u, u], true)), None);
        assert_eq!(froms(conversation(&[u, a, sys, u], true)), None);
        assert_eq!(froms(conversation(&[t("narrator", "n")], true)), None);
        // A tool call and its result take the gpt and the human places; a tool's turn is an
        // observation under either name.
        let (call, tool, obs) = (
            t("function_call", "f"),
            t("tool", "r"),
            t("observation", "o"),
        );
        assert_eq!(
            froms(conversation(&[u, call, tool, a], false)),
            Some(vec!["human", "function_call", "observation", "gpt"])
        );
        assert_eq!(
            froms(conversation(&[u, call, obs], true)),
            Some(vec!["human", "function_call", "observation"])
        );
        // In the wrong places they are left out like any other.
        assert_eq!(froms(conversation(&[call, a], false)), None);
        assert_eq!(froms(conversation(&[u, tool], false)), None);
        // A KTO conversation needs an answer: a system message alone is not one.
        assert_eq!(froms(conversation(&[], false)), None);
        assert_eq!(froms(conversation(&[sys], false)), None);
    }

    /// q: plain text; two: an answer of two assistant turns; tool: a tool's turn before the
    /// answer (which the candidate's own text then ends), so an answer of two turns too.
    fn three_items() -> Vec<Arc<Item>> {
        let text = concat!(
            r#"{"id":"q","prompt":"p","candidates":["a","b"]}"#,
            "\n",
            r#"{"id":"two","prompt":"p","candidates":[{"id":"x","messages":[{"role":"user","content":"p"},{"role":"assistant","content":"x1"},{"role":"assistant","content":"x2"}]},{"id":"y","messages":[{"role":"user","content":"p"},{"role":"assistant","content":"y"}]}]}"#,
            "\n",
            r#"{"id":"tool","prompt":"p","candidates":[{"id":"x","messages":[{"role":"user","content":"p"},{"role":"tool","content":"r"}]},{"id":"y","messages":[{"role":"user","content":"p"},{"role":"assistant","content":"y"}]}]}"#,
        );
        crate::format::load_bytes(std::path::Path::new("x.jsonl"), text.as_bytes())
            .unwrap()
            .items
    }

    fn written(out: &[u8]) -> Vec<Value> {
        std::str::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn rows_llamafactory_would_skip_are_left_out_and_counted() {
        let items = three_items();
        let judged = |item| Judged::one(item, 0, 1, super::super::pairs::Pref::Lo);
        let mut out = Vec::new();
        let n = write_pairs(&mut out, &items, &[judged(0), judged(1), judged(2)]).unwrap();
        assert_eq!(n, (1, 2), "one written, two left out");
        assert_eq!(
            written(&out),
            [json!({
                "conversations": [{"from": "human", "value": "p"}],
                "chosen": {"from": "gpt", "value": "a"},
                "rejected": {"from": "gpt", "value": "b"}
            })]
        );

        let row = |item, label| kto::Labeled {
            item,
            candidate: 0,
            label,
        };
        let labels = kto::Labels {
            rows: vec![row(0, true), row(1, false), row(2, true), row(2, false)],
            ..Default::default()
        };
        let mut out = Vec::new();
        let n = write_kto(&mut out, &items, &labels).unwrap();
        assert_eq!(n, (1, 3), "one written, three left out");
        assert_eq!(
            written(&out),
            [json!({
                "conversations": [{"from": "human", "value": "p"}, {"from": "gpt", "value": "a"}],
                "kto_tag": true
            })]
        );
    }

    #[test]
    fn the_entry_is_added_beside_the_others_and_a_broken_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let info = dir.path().join("dataset_info.json");
        std::fs::write(&info, r#"{"alpaca_en": {"file_name": "alpaca.json"}}"#).unwrap();
        let text =
            updated_dataset_info(&info, "prefs", dataset_info_entry("prefs.jsonl", false)).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["alpaca_en", "prefs"]);
        assert_eq!(v["prefs"]["ranking"], json!(true));
        assert_eq!(v["prefs"]["formatting"], json!("sharegpt"));
        assert_eq!(v["prefs"]["columns"]["chosen"], json!("chosen"));
        let kto = dataset_info_entry("k.jsonl", true);
        assert_eq!(kto["columns"]["kto_tag"], json!("kto_tag"));
        assert!(kto.get("ranking").is_none());
        std::fs::write(&info, "[1, 2").unwrap();
        let e = updated_dataset_info(&info, "prefs", kto.clone()).unwrap_err();
        assert!(e.to_string().contains("dataset_info.json"), "{e}");
        // A file that is there but cannot be read (here a folder) is an error too, not taken
        // for a missing file and replaced by one entry.
        let folder = dir.path().join("dataset_info_dir");
        std::fs::create_dir(&folder).unwrap();
        let e = updated_dataset_info(&folder, "prefs", kto.clone()).unwrap_err();
        assert!(matches!(e, InfoError::Read { .. }), "{e}");
        // A missing one is made with the entry alone.
        let text = updated_dataset_info(&dir.path().join("none.json"), "k", kto).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v.as_object().unwrap().len(), 1);
    }
}
