//! ShareGPT-style DPO data as LLaMA-Factory ships it: `conversations` of `{from, value}` turns
//! ending with the human turn, and `chosen` / `rejected` replies as `{from, value}`.

use serde_json::{Map, Value, json};

use super::{Converter, Draft, DraftCandidate, Fault, normalise_role, require_object, rest_of};
use crate::format::Message;

pub struct ShareGpt;

fn turn(v: &Value, field: &str) -> Result<Message, Fault> {
    let from = v.get("from").and_then(Value::as_str).ok_or_else(|| {
        Fault::field(
            format!("{field}.from"),
            "is missing or not a string",
            "ShareGPT turns read {\"from\": \"human\", \"value\": \"...\"}",
        )
    })?;
    let content = super::text_of(v.get("value"), &format!("{field}.value"))?;
    Ok(Message {
        role: normalise_role(from),
        content,
    })
}

impl Converter for ShareGpt {
    fn record(&mut self, value: Value, line: usize) -> Result<Vec<Draft>, Fault> {
        require_object(&value, "ShareGPT")?;
        let list = value
            .get("conversations")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                Fault::field(
                    "conversations",
                    "is missing or not a list",
                    "ShareGPT DPO records have conversations: [{from, value}, ...]",
                )
            })?;
        let mut messages = Vec::with_capacity(list.len() + 1);
        // LLaMA-Factory puts the system prompt in its own column.
        if let Some(system) = value.get("system").and_then(Value::as_str)
            && !system.is_empty()
        {
            messages.push(Message {
                role: "system".into(),
                content: system.to_string(),
            });
        }
        for (i, t) in list.iter().enumerate() {
            messages.push(turn(t, &format!("conversations[{i}]"))?);
        }
        match messages.last() {
            Some(m) if m.role == "user" => {}
            Some(m) => {
                return Err(Fault::field(
                    "conversations",
                    format!("ends with a {} turn, not the human turn", m.role),
                    "the last turn of `conversations` is the one chosen/rejected answer",
                ));
            }
            None => {
                return Err(Fault::field(
                    "conversations",
                    "is empty",
                    "give at least the human turn that chosen/rejected answer",
                ));
            }
        }
        let mut candidates = Vec::with_capacity(2);
        for label in ["chosen", "rejected"] {
            let v = value.get(label).ok_or_else(|| {
                Fault::field(
                    label,
                    "is missing",
                    "ShareGPT DPO records have chosen and rejected",
                )
            })?;
            // Some exports give the reply as bare text.
            let text = match v {
                Value::String(s) => s.clone(),
                _ => turn(v, label)?.content,
            };
            let mut metadata = Map::new();
            metadata.insert("original_label".into(), json!(label));
            candidates.push(DraftCandidate {
                text,
                messages: None,
                metadata,
            });
        }
        let mut metadata = rest_of(&value, &["conversations", "chosen", "rejected", "system"]);
        metadata.insert("source_line".into(), json!(line));
        Ok(vec![Draft {
            id: None,
            messages,
            candidates,
            metadata,
            line,
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dpo_record() {
        let v = json!({"conversations": [{"from": "human", "value": "q"}],
            "chosen": {"from": "gpt", "value": "good"}, "rejected": {"from": "gpt", "value": "bad"},
            "system": "be brief"});
        let d = ShareGpt.record(v, 1).unwrap();
        assert_eq!(d[0].messages[0].role, "system");
        assert_eq!(d[0].messages[1].role, "user");
        assert_eq!(d[0].candidates[1].text, "bad");
    }

    #[test]
    fn turn_without_from() {
        let v = json!({"conversations": [{"value": "q"}], "chosen": "a", "rejected": "b"});
        let f = ShareGpt.record(v, 1).unwrap_err();
        assert_eq!(f.field.as_deref(), Some("conversations[0].from"));
    }
}
