//! Chatbot Arena battles (lmsys chatbot_arena_conversations, MT-bench human judgments): two
//! models answer the same user, and a person picked `winner`: model_a, model_b, tie or
//! "tie (bothbad)". Each side becomes a candidate with its model and the verdict.

use serde_json::{Value, json};

use super::{
    Converter, Draft, DraftCandidate, Fault, messages_from, require_object, required_str, rest_of,
};

pub struct Arena;

impl Converter for Arena {
    fn record(&mut self, value: Value, line: usize) -> Result<Vec<Draft>, Fault> {
        require_object(&value, "Chatbot Arena")?;
        let mut convs = Vec::with_capacity(2);
        for field in ["conversation_a", "conversation_b"] {
            let v = value.get(field).ok_or_else(|| {
                Fault::field(
                    field,
                    "is missing",
                    "Arena battles have conversation_a and conversation_b",
                )
            })?;
            convs.push(messages_from(v, field)?);
        }
        let model_a = required_str(&value, "model_a")?.to_string();
        let model_b = required_str(&value, "model_b")?.to_string();
        let winner = match value.get("winner") {
            None | Some(Value::Null) => None,
            Some(Value::String(w)) => Some(w.as_str()),
            Some(other) => {
                return Err(Fault::field(
                    "winner",
                    format!("must be a string, found {}", super::type_name(other)),
                    "use model_a, model_b, tie or \"tie (bothbad)\"",
                ));
            }
        };
        let labels = match winner {
            Some("model_a") => Some(["chosen", "rejected"]),
            Some("model_b") => Some(["rejected", "chosen"]),
            Some(w @ ("tie" | "tie (bothbad)")) => Some([w, w]),
            None => None,
            Some(other) => {
                return Err(Fault::field(
                    "winner",
                    format!("\"{other}\" is not a verdict"),
                    "use model_a, model_b, tie or \"tie (bothbad)\"",
                ));
            }
        };
        let split = super::split_conversations(convs, &["conversation_a", "conversation_b"])?;
        let candidates = split
            .candidates
            .into_iter()
            .zip([("a", model_a), ("b", model_b)])
            .enumerate()
            .map(|(i, ((text, messages), (side, model)))| {
                let mut metadata = serde_json::Map::new();
                metadata.insert("model".into(), json!(model));
                metadata.insert("side".into(), json!(side));
                if let Some(l) = labels {
                    metadata.insert("original_label".into(), json!(l[i]));
                }
                DraftCandidate {
                    text,
                    messages,
                    metadata,
                }
            })
            .collect();
        let mut metadata = rest_of(
            &value,
            &[
                "conversation_a",
                "conversation_b",
                "model_a",
                "model_b",
                "id",
            ],
        );
        metadata.insert("source_line".into(), json!(line));
        metadata.insert("shared_prefix".into(), json!(split.shared));
        Ok(vec![Draft {
            id: None,
            messages: split.context,
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
    fn battle_to_item() {
        let v = json!({"question_id": "q1", "model_a": "m1", "model_b": "m2", "winner": "model_b",
            "conversation_a": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "A"}],
            "conversation_b": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "B"}]});
        let d = Arena.record(v, 1).unwrap();
        let c = &d[0].candidates;
        assert_eq!(c[0].metadata["original_label"], "rejected");
        assert_eq!(c[1].metadata["original_label"], "chosen");
        assert_eq!(c[1].metadata["model"], "m2");
        assert_eq!(d[0].metadata["winner"], "model_b");
        assert_eq!(d[0].metadata["question_id"], "q1");
    }

    #[test]
    fn unknown_winner_names_the_field() {
        let v = json!({"model_a": "m1", "model_b": "m2", "winner": "a",
            "conversation_a": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "A"}],
            "conversation_b": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "B"}]});
        let f = Arena.record(v, 1).unwrap_err();
        assert_eq!(f.field.as_deref(), Some("winner"));
    }
}
