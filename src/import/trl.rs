//! TRL preference pairs, in every shape TRL's RewardTrainer and DPOTrainer read:
//! standard (`prompt`, `chosen`, `rejected` as text, or `chosen`/`rejected` with the prompt
//! inside them), and conversational (lists of `{role, content}`, prompt explicit or implicit).
//! Optional `margin` and `score_chosen`/`score_rejected` are kept.
//!
//! A ranking of K replies is often shipped as C(K,2) pairs of the same prompt, one per line;
//! consecutive pairs with the same conversation are merged back into one item with K
//! candidates, so a labeler ranks once instead of judging the same replies over and over.
//! Each pair's verdict is kept in the item metadata (`original_pairs`).

use serde_json::{Map, Value, json};

use super::{Converter, Draft, DraftCandidate, Fault, messages_from, require_object, rest_of};
use crate::format::Message;

/// Fields that are the pair itself, not metadata.
const PAIR_FIELDS: [&str; 7] = [
    "prompt",
    "chosen",
    "rejected",
    "margin",
    "score_chosen",
    "score_rejected",
    "messages",
];

#[derive(Default)]
pub struct Trl {
    group: Option<Group>,
}

/// Pairs of one conversation, merged while consecutive records share it.
struct Group {
    context: Vec<Message>,
    line: usize,
    lines: Vec<usize>,
    metadata: Map<String, Value>,
    /// (text, score given by the source)
    candidates: Vec<(String, Option<Value>)>,
    /// (chosen index, rejected index, margin)
    pairs: Vec<(usize, usize, Option<Value>)>,
}

impl Group {
    fn index_of(&mut self, text: String, score: Option<Value>) -> usize {
        match self.candidates.iter().position(|(t, _)| *t == text) {
            Some(i) => i,
            None => {
                self.candidates.push((text, score));
                self.candidates.len() - 1
            }
        }
    }

    fn add(&mut self, pair: Pair) {
        let c = self.index_of(pair.chosen, pair.score_chosen);
        let r = self.index_of(pair.rejected, pair.score_rejected);
        // A pair whose two texts are the same says nothing; the item skips it as a duplicate.
        if c != r || self.pairs.is_empty() {
            self.pairs.push((c, r, pair.margin));
        }
    }

    fn into_draft(self) -> Draft {
        let single = self.pairs.len() == 1;
        let mut wins = vec![0u32; self.candidates.len()];
        let mut losses = vec![0u32; self.candidates.len()];
        for &(c, r, _) in &self.pairs {
            wins[c] += 1;
            losses[r] += 1;
        }
        let candidates = self
            .candidates
            .into_iter()
            .enumerate()
            .map(|(i, (text, score))| {
                let mut metadata = Map::new();
                if single {
                    let label = if wins[i] > 0 { "chosen" } else { "rejected" };
                    metadata.insert("original_label".into(), json!(label));
                } else {
                    metadata.insert("original_wins".into(), json!(wins[i]));
                    metadata.insert("original_losses".into(), json!(losses[i]));
                }
                if let Some(s) = score {
                    metadata.insert("original_score".into(), s);
                }
                DraftCandidate {
                    text,
                    messages: None,
                    metadata,
                }
            })
            .collect();
        let mut metadata = self.metadata;
        if single {
            if let Some(m) = &self.pairs[0].2 {
                metadata.insert("margin".into(), m.clone());
            }
            metadata.insert("source_line".into(), json!(self.line));
        } else {
            // Candidate ids are given by position (c0, c1, ...) and the group already holds
            // distinct texts, so these ids are the ones written.
            let pairs: Vec<Value> = self
                .pairs
                .iter()
                .map(|(c, r, m)| {
                    let mut p = Map::new();
                    p.insert("chosen".into(), json!(format!("c{c}")));
                    p.insert("rejected".into(), json!(format!("c{r}")));
                    if let Some(m) = m {
                        p.insert("margin".into(), m.clone());
                    }
                    Value::Object(p)
                })
                .collect();
            metadata.insert("original_pairs".into(), Value::Array(pairs));
            metadata.insert("source_lines".into(), json!(self.lines));
        }
        Draft {
            id: None,
            messages: self.context,
            candidates,
            metadata,
            line: self.line,
        }
    }
}

/// One record, read.
struct Pair {
    chosen: String,
    rejected: String,
    score_chosen: Option<Value>,
    score_rejected: Option<Value>,
    margin: Option<Value>,
}

impl Converter for Trl {
    fn record(&mut self, value: Value, line: usize) -> Result<Vec<Draft>, Fault> {
        require_object(&value, "TRL")?;
        let (context, texts) = split(&value)?;
        let opt = |k: &str| value.get(k).filter(|v| !v.is_null()).cloned();
        let mut out = Vec::new();
        let (context, chosen, rejected) = match texts {
            Texts::Shared(c, r) => (context, c, r),
            Texts::Own(c, r) => {
                // The sides diverge before the last turn: nothing to merge with; keep each
                // side's own conversation.
                out.extend(self.group.take().map(Group::into_draft));
                let mut metadata = rest_of(&value, &PAIR_FIELDS);
                metadata.insert("source_line".into(), json!(line));
                if let Some(m) = opt("margin") {
                    metadata.insert("margin".into(), m);
                }
                metadata.insert("shared_prefix".into(), json!(false));
                let side = |(text, messages): (String, Vec<Message>), label: &str, score| {
                    let mut metadata = Map::new();
                    metadata.insert("original_label".into(), json!(label));
                    if let Some(s) = score {
                        metadata.insert("original_score".into(), s);
                    }
                    DraftCandidate {
                        text,
                        messages: Some(messages),
                        metadata,
                    }
                };
                out.push(Draft {
                    id: None,
                    messages: context,
                    candidates: vec![
                        side(c, "chosen", opt("score_chosen")),
                        side(r, "rejected", opt("score_rejected")),
                    ],
                    metadata,
                    line,
                });
                return Ok(out);
            }
        };
        let pair = Pair {
            chosen,
            rejected,
            score_chosen: opt("score_chosen"),
            score_rejected: opt("score_rejected"),
            margin: opt("margin"),
        };
        match &mut self.group {
            Some(g) if g.context == context => {
                g.lines.push(line);
                g.add(pair);
            }
            _ => {
                out.extend(self.group.take().map(Group::into_draft));
                let mut g = Group {
                    context,
                    line,
                    lines: vec![line],
                    metadata: rest_of(&value, &PAIR_FIELDS),
                    candidates: Vec::new(),
                    pairs: Vec::new(),
                };
                g.add(pair);
                self.group = Some(g);
            }
        }
        Ok(out)
    }

    fn finish(&mut self) -> Vec<Draft> {
        self.group
            .take()
            .map(Group::into_draft)
            .into_iter()
            .collect()
    }
}

enum Texts {
    /// Both replies answer the context.
    Shared(String, String),
    /// Each reply with its own full conversation.
    Own((String, Vec<Message>), (String, Vec<Message>)),
}

/// The shared context and the two replies of a record, in whichever TRL shape it has.
fn split(value: &Value) -> Result<(Vec<Message>, Texts), Fault> {
    let prompt = match value.get("prompt") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(vec![super::user(s.clone())]),
        Some(v @ Value::Array(_)) => Some(messages_from(v, "prompt")?),
        Some(other) => {
            return Err(Fault::field(
                "prompt",
                format!(
                    "must be text or a list of messages, found {}",
                    super::type_name(other)
                ),
                "TRL prompts are text (standard) or [{role, content}] (conversational)",
            ));
        }
    };
    let get = |k: &str| {
        value.get(k).ok_or_else(|| {
            Fault::field(
                k,
                "is missing",
                "TRL preference records have chosen and rejected",
            )
        })
    };
    let (chosen, rejected) = (get("chosen")?, get("rejected")?);
    match (chosen, rejected) {
        (Value::String(c), Value::String(r)) => match prompt {
            Some(p) => Ok((p, Texts::Shared(c.clone(), r.clone()))),
            None if super::hh::looks_like(c) && super::hh::looks_like(r) => {
                let conv = |s: &str, field: &str| {
                    super::hh::parse_transcript(s).map_err(|what| {
                        Fault::field(field, what, "give `prompt`, or HH-style transcripts")
                    })
                };
                conversations(conv(c, "chosen")?, conv(r, "rejected")?)
            }
            None => implicit_text(c, r),
        },
        (c @ Value::Array(_), r @ Value::Array(_)) => {
            let mut c = messages_from(c, "chosen")?;
            let mut r = messages_from(r, "rejected")?;
            if let Some(p) = prompt {
                // Some exports (ultrafeedback_binarized) repeat the prompt inside chosen and
                // rejected; TRL's own format gives only the replies there.
                if !c.starts_with(&p) {
                    c = [p.clone(), c].concat();
                }
                if !r.starts_with(&p) {
                    r = [p, r].concat();
                }
            }
            conversations(c, r)
        }
        _ => Err(Fault::field(
            "chosen",
            format!(
                "is {} but rejected is {}",
                super::type_name(chosen),
                super::type_name(rejected)
            ),
            "give chosen and rejected both as text or both as message lists",
        )),
    }
}

fn conversations(c: Vec<Message>, r: Vec<Message>) -> Result<(Vec<Message>, Texts), Fault> {
    let s = super::split_conversations(vec![c, r], &["chosen", "rejected"])?;
    let mut it = s.candidates.into_iter();
    let (c, r) = (it.next().expect("two sides"), it.next().expect("two sides"));
    let texts = match (c, r) {
        ((ct, Some(cm)), (rt, Some(rm))) => Texts::Own((ct, cm), (rt, rm)),
        ((ct, _), (rt, _)) => Texts::Shared(ct, rt),
    };
    Ok((s.context, texts))
}

/// Standard format with an implicit prompt: the prompt is the longest common start of the two
/// texts, cut as TRL's `extract_prompt` cuts it (a space before the replies stays with them).
fn implicit_text(c: &str, r: &str) -> Result<(Vec<Message>, Texts), Fault> {
    let mut idx = c
        .char_indices()
        .zip(r.chars())
        .find(|((_, a), b)| a != b)
        .map_or(c.len().min(r.len()), |((i, _), _)| i);
    // Both may share a prefix that ends mid-character in the other; char_indices keeps idx on
    // a boundary of `c`, and equal prefixes make it one of `r` too.
    if idx > 0 && c[..idx].ends_with(' ') {
        idx -= 1;
    }
    let prompt = &c[..idx];
    if prompt.trim().is_empty() {
        return Err(Fault::field(
            "prompt",
            "is missing and chosen/rejected share no common start to take it from",
            "give `prompt`, or chosen/rejected that both begin with the prompt",
        ));
    }
    Ok((
        vec![super::user(prompt)],
        Texts::Shared(c[idx..].to_string(), r[idx..].to_string()),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(t: &mut Trl, v: Value) -> Vec<Draft> {
        let mut d = t.record(v, 1).unwrap();
        d.extend(t.finish());
        d
    }

    #[test]
    fn standard_explicit() {
        let d = one(
            &mut Trl::default(),
            json!({"prompt": "p", "chosen": "a", "rejected": "b", "margin": 2.0}),
        );
        assert_eq!(d[0].messages, vec![super::super::user("p")]);
        assert_eq!(d[0].candidates[0].metadata["original_label"], "chosen");
        assert_eq!(d[0].metadata["margin"], 2.0);
    }

    #[test]
    fn standard_implicit_cuts_like_trl() {
        let d = one(
            &mut Trl::default(),
            json!({"chosen": "The sky is blue.", "rejected": "The sky is green."}),
        );
        assert_eq!(d[0].messages[0].content, "The sky is");
        assert_eq!(d[0].candidates[0].text, " blue.");
    }

    #[test]
    fn conversational_explicit_and_implicit() {
        let d = one(
            &mut Trl::default(),
            json!({"prompt": [{"role": "user", "content": "q"}],
                   "chosen": [{"role": "assistant", "content": "a"}],
                   "rejected": [{"role": "assistant", "content": "b"}]}),
        );
        assert_eq!(d[0].candidates[1].text, "b");
        let d = one(
            &mut Trl::default(),
            json!({"chosen": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}],
                   "rejected": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "b"}]}),
        );
        assert_eq!(d[0].messages.len(), 1);
    }

    #[test]
    fn consecutive_pairs_of_a_ranking_merge() {
        let mut t = Trl::default();
        let mut out = Vec::new();
        for (line, (c, r)) in [("a", "b"), ("a", "c"), ("b", "c")].into_iter().enumerate() {
            out.extend(
                t.record(json!({"prompt": "p", "chosen": c, "rejected": r}), line + 1)
                    .unwrap(),
            );
        }
        assert!(out.is_empty(), "held until the prompt changes");
        out.extend(
            t.record(json!({"prompt": "q", "chosen": "x", "rejected": "y"}), 4)
                .unwrap(),
        );
        out.extend(t.finish());
        assert_eq!(out.len(), 2);
        let m = &out[0];
        assert_eq!(m.candidates.len(), 3);
        assert_eq!(m.candidates[0].metadata["original_wins"], 2);
        assert_eq!(m.candidates[2].metadata["original_losses"], 2);
        assert_eq!(m.metadata["original_pairs"].as_array().unwrap().len(), 3);
        assert_eq!(m.metadata["original_pairs"][2]["chosen"], "c1");
        assert_eq!(out[1].candidates[0].metadata["original_label"], "chosen");
    }

    #[test]
    fn mixed_shapes_are_refused() {
        let f = Trl::default()
            .record(json!({"prompt": "p", "chosen": "a", "rejected": [1]}), 1)
            .unwrap_err();
        assert_eq!(f.field.as_deref(), Some("chosen"));
    }
}
