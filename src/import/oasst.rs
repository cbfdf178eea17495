//! OpenAssistant message trees (the oasst export's `*.trees.jsonl`): every set of two or more
//! ranked sibling assistant replies becomes one item whose `messages` is the path from the
//! root, with each reply's crowd `rank` (0 = most preferred) in candidate metadata.

use serde_json::{Map, Value, json};

use super::{Converter, Draft, DraftCandidate, Fault, require_object};
use crate::format::Message;

pub struct Oasst;

impl Converter for Oasst {
    fn record(&mut self, value: Value, line: usize) -> Result<Vec<Draft>, Fault> {
        require_object(&value, "OpenAssistant tree")?;
        // A tree export wraps the root in `prompt`; a bare message tree is the root itself.
        let (root, root_field) = match value.get("prompt") {
            Some(p) if p.is_object() => (p, "prompt".to_string()),
            Some(other) => {
                return Err(Fault::field(
                    "prompt",
                    format!(
                        "must be the root message object, found {}",
                        super::type_name(other)
                    ),
                    "oasst trees read {\"message_tree_id\", \"prompt\": {text, role, replies}}",
                ));
            }
            None => (&value, String::new()),
        };
        let tree_id = value
            .get("message_tree_id")
            .or_else(|| root.get("message_tree_id"))
            .or_else(|| root.get("message_id"))
            .cloned()
            .unwrap_or(Value::Null);
        let mut out = Vec::new();
        let mut path = Vec::new();
        walk(root, &root_field, &mut path, &tree_id, line, &mut out)?;
        Ok(out)
    }
}

fn field_name(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else {
        format!("{parent}.{child}")
    }
}

fn walk(
    node: &Value,
    field: &str,
    path: &mut Vec<Message>,
    tree_id: &Value,
    line: usize,
    out: &mut Vec<Draft>,
) -> Result<(), Fault> {
    let text = super::required_str_at(node, &field_name(field, "text"), "text")?;
    let role = super::required_str_at(node, &field_name(field, "role"), "role")?;
    path.push(Message {
        role: super::normalise_role(role),
        content: text.to_string(),
    });
    let replies: &[Value] = match node.get("replies") {
        Some(Value::Array(r)) => r,
        None | Some(Value::Null) => &[],
        Some(other) => {
            return Err(Fault::field(
                field_name(field, "replies"),
                format!("must be a list, found {}", super::type_name(other)),
                "replies are a list of message objects",
            ));
        }
    };
    let live = |r: &&Value| r.get("deleted").and_then(Value::as_bool) != Some(true);
    let ranked: Vec<(usize, &Value)> = replies
        .iter()
        .enumerate()
        .filter(|(_, r)| live(r))
        .filter(|(_, r)| r.get("rank").is_some_and(Value::is_number))
        .filter(|(_, r)| r.get("role").and_then(Value::as_str) == Some("assistant"))
        .collect();
    if ranked.len() >= 2 && path.last().is_some_and(|m| m.role == "user") {
        let mut candidates = Vec::with_capacity(ranked.len());
        for (i, r) in &ranked {
            let f = field_name(field, &format!("replies[{i}]"));
            let text = super::required_str_at(r, &format!("{f}.text"), "text")?;
            let mut metadata = Map::new();
            for key in ["message_id", "rank", "synthetic", "model_name"] {
                if let Some(v) = r.get(key).filter(|v| !v.is_null()) {
                    metadata.insert(key.into(), v.clone());
                }
            }
            candidates.push(DraftCandidate {
                text: text.to_string(),
                messages: None,
                metadata,
            });
        }
        let mut metadata = Map::new();
        metadata.insert("message_tree_id".into(), tree_id.clone());
        let parent_id = node.get("message_id").cloned().unwrap_or(Value::Null);
        metadata.insert("parent_message_id".into(), parent_id.clone());
        metadata.insert("depth".into(), json!(path.len()));
        if let Some(lang) = node.get("lang") {
            metadata.insert("lang".into(), lang.clone());
        }
        metadata.insert(
            "note".into(),
            json!("rank 0 = most preferred (OpenAssistant crowd ranking)"),
        );
        metadata.insert("source_line".into(), json!(line));
        out.push(Draft {
            id: parent_id.as_str().map(|p| format!("oasst-{p}")),
            messages: path.clone(),
            candidates,
            metadata,
            line,
        });
    }
    for (i, r) in replies.iter().enumerate() {
        if live(&r) {
            walk(
                r,
                &field_name(field, &format!("replies[{i}]")),
                path,
                tree_id,
                line,
                out,
            )?;
        }
    }
    path.pop();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranked_siblings_at_two_depths() {
        let v = json!({"message_tree_id": "t", "prompt": {"message_id": "p", "text": "q", "role": "prompter", "lang": "en",
            "replies": [
                {"message_id": "a", "text": "A", "role": "assistant", "rank": 1,
                 "replies": [{"message_id": "u2", "text": "more?", "role": "prompter",
                     "replies": [{"message_id": "x", "text": "X", "role": "assistant", "rank": 0},
                                 {"message_id": "y", "text": "Y", "role": "assistant", "rank": 1}]}]},
                {"message_id": "b", "text": "B", "role": "assistant", "rank": 0},
                {"message_id": "c", "text": "C", "role": "assistant", "rank": 2, "deleted": true}]}});
        let d = Oasst.record(v, 1).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].id.as_deref(), Some("oasst-p"));
        assert_eq!(d[0].candidates.len(), 2, "the deleted reply is left out");
        assert_eq!(d[0].candidates[1].metadata["rank"], 0);
        assert_eq!(d[1].messages.len(), 3);
        assert_eq!(d[1].messages[1].role, "assistant");
        assert_eq!(d[1].messages[2].content, "more?");
    }

    #[test]
    fn missing_text_names_the_path() {
        let v = json!({"prompt": {"role": "prompter", "text": "q",
            "replies": [{"role": "assistant", "rank": 0}]}});
        let f = Oasst.record(v, 1).unwrap_err();
        assert_eq!(f.field.as_deref(), Some("prompt.replies[0].text"));
    }
}
