//! Anthropic HH-RLHF: each record holds two whole transcripts, `chosen` and `rejected`, as
//! "\n\nHuman: ...\n\nAssistant: ..." text. The shared turns become `messages`, the two final
//! assistant replies the candidates, labelled `original_label` chosen / rejected.

use serde_json::{Map, Value, json};

use super::{Converter, Draft, DraftCandidate, Fault, require_object, required_str};
use crate::format::Message;

pub struct Hh;

const HUMAN: &str = "Human:";
const ASSISTANT: &str = "Assistant:";

/// True when `s` reads like an HH transcript (starts with a Human turn, has an Assistant turn).
pub fn looks_like(s: &str) -> bool {
    let t = s.trim_start();
    t.starts_with(HUMAN) && s.contains("\n\nAssistant:")
}

/// Splits an HH transcript into turns. Turn markers are "Human:" / "Assistant:" at the start
/// or after a blank line; one space after the marker is part of the marker.
pub fn parse_transcript(s: &str) -> Result<Vec<Message>, String> {
    let start = s.len() - s.trim_start().len();
    let mut markers: Vec<(usize, usize, &str)> = Vec::new(); // (marker start, text start, role)
    let mut pos = start;
    loop {
        let rest = &s[pos..];
        let (role, len) = if rest.starts_with(HUMAN) {
            ("user", HUMAN.len())
        } else if rest.starts_with(ASSISTANT) {
            ("assistant", ASSISTANT.len())
        } else if pos == start {
            let shown: String = rest.chars().take(30).collect();
            return Err(format!(
                "does not start with \"Human:\" (starts \"{shown}\")"
            ));
        } else {
            unreachable!("positions are marker starts");
        };
        let text_start = pos + len;
        markers.push((pos, text_start, role));
        let next = [("\n\nHuman:", 2), ("\n\nAssistant:", 2)]
            .iter()
            .filter_map(|(m, skip)| s[text_start..].find(m).map(|i| text_start + i + skip))
            .min();
        match next {
            Some(n) => pos = n,
            None => break,
        }
    }
    let mut turns = Vec::with_capacity(markers.len());
    for (i, &(_, text_start, role)) in markers.iter().enumerate() {
        let end = markers.get(i + 1).map_or(s.len(), |m| m.0 - 2);
        let text = &s[text_start..end];
        let text = text.strip_prefix(' ').unwrap_or(text);
        turns.push(Message {
            role: role.into(),
            content: text.to_string(),
        });
    }
    Ok(turns)
}

impl Converter for Hh {
    fn record(&mut self, value: Value, line: usize) -> Result<Vec<Draft>, Fault> {
        require_object(&value, "HH-RLHF")?;
        let mut convs = Vec::with_capacity(2);
        for field in ["chosen", "rejected"] {
            let text = required_str(&value, field)?;
            let turns = parse_transcript(text).map_err(|what| {
                Fault::field(
                    field,
                    what,
                    "HH transcripts read \"\\n\\nHuman: ...\\n\\nAssistant: ...\"; for other text pairs use --from trl",
                )
            })?;
            convs.push(turns);
        }
        let human_turns = convs[0].iter().filter(|m| m.role == "user").count();
        let split = super::split_conversations(convs, &["chosen", "rejected"])?;
        let candidates = split
            .candidates
            .into_iter()
            .zip(["chosen", "rejected"])
            .map(|((text, messages), label)| DraftCandidate {
                text,
                messages,
                metadata: [("original_label".to_string(), json!(label))]
                    .into_iter()
                    .collect(),
            })
            .collect();
        let mut metadata = Map::new();
        metadata.insert("source_line".into(), json!(line));
        metadata.insert("shared_prefix".into(), json!(split.shared));
        metadata.insert("human_turns".into(), json!(human_turns));
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
    fn transcript_turns() {
        let t = parse_transcript(
            "\n\nHuman: hi\n\nthere\n\nAssistant: hello\n\nHuman: bye\n\nAssistant:",
        )
        .unwrap();
        assert_eq!(t.len(), 4);
        assert_eq!(t[0].content, "hi\n\nthere");
        assert_eq!(t[1].role, "assistant");
        assert_eq!(t[3].content, "");
        assert!(parse_transcript("hello").is_err());
    }

    #[test]
    fn record_to_item() {
        let v = json!({"chosen": "\n\nHuman: q\n\nAssistant: good", "rejected": "\n\nHuman: q\n\nAssistant: bad"});
        let d = Hh.record(v, 7).unwrap();
        assert_eq!(d[0].messages.len(), 1);
        assert_eq!(d[0].candidates[0].text, "good");
        assert_eq!(d[0].candidates[1].metadata["original_label"], "rejected");
        assert_eq!(d[0].metadata["source_line"], 7);
    }
}
