//! A quick reader for candidate records of the plainest shape: `id`, `prompt` or `messages`,
//! `candidates` (strings, or objects with `id`, `text`, `metadata`) and `metadata` (other
//! fields are kept as they are), every value of the expected type and nothing
//! [`parse_item`] would complain about.
//! Such a record is read straight into its [`Item`] by serde, without a `Value` tree first;
//! any other record (another field, an alias, a number id, content parts, anything to report)
//! gets `None` and goes the `Value` way as before, which gives the same item (the other fields
//! may be kept in another order: nothing shows them) and all the messages. Reading a big candidate file was most of an export's time.
//!
//! [`parse_item`]: super::parse_item

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use super::item::{Candidate, Item, Message, finish_item};

/// A record's known fields, typed, and the rest kept as they are (`Item::extra`).
#[derive(Default)]
struct Record {
    id: Option<String>,
    prompt: Option<String>,
    messages: Option<Vec<Turn>>,
    candidates: Option<Vec<Cand>>,
    metadata: Option<Value>,
    extra: Map<String, Value>,
}

/// A record's key: one prefer knows (no allocation), or another one.
enum Key {
    Id,
    Prompt,
    Messages,
    Candidates,
    Metadata,
    Other(String),
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a field name")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
                Ok(match s {
                    "id" => Key::Id,
                    "prompt" => Key::Prompt,
                    "messages" => Key::Messages,
                    "candidates" => Key::Candidates,
                    "metadata" => Key::Metadata,
                    other => Key::Other(other.to_string()),
                })
            }
        }
        d.deserialize_identifier(V)
    }
}

impl<'de> Deserialize<'de> for Record {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Record;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an item object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Record, A::Error> {
                let mut r = Record::default();
                // A known field given twice is left to the `Value` way.
                fn once<T, E: de::Error>(slot: &mut Option<T>, v: T) -> Result<(), E> {
                    match slot.replace(v) {
                        None => Ok(()),
                        Some(_) => Err(E::custom("a repeated field")),
                    }
                }
                let (mut id, mut prompt, mut messages, mut metadata) = (None, None, None, None);
                while let Some(k) = m.next_key::<Key>()? {
                    match k {
                        Key::Id => once(&mut id, m.next_value::<Option<String>>()?)?,
                        Key::Prompt => once(&mut prompt, m.next_value::<Option<String>>()?)?,
                        Key::Messages => once(&mut messages, m.next_value::<Option<Vec<Turn>>>()?)?,
                        Key::Candidates => once(&mut r.candidates, m.next_value::<Vec<Cand>>()?)?,
                        Key::Metadata => once(&mut metadata, m.next_value::<Option<Value>>()?)?,
                        Key::Other(k) => {
                            let v = m.next_value::<Value>()?;
                            r.extra.insert(k, v);
                        }
                    }
                }
                // A `null` is as good as no field.
                r.id = id.flatten();
                r.prompt = prompt.flatten();
                r.messages = messages.flatten();
                r.metadata = metadata.flatten();
                Ok(r)
            }
        }
        d.deserialize_map(V)
    }
}

/// A turn: `{role, content}`, both strings, nothing else. Read by hand because serde's derived
/// reader also takes a struct written as a list (`["user", "hi"]`), which the `Value` way
/// refuses.
struct Turn {
    role: String,
    content: String,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum TurnField {
    Role,
    Content,
}

impl<'de> Deserialize<'de> for Turn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Turn;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("{role, content}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Turn, A::Error> {
                let (mut role, mut content) = (None, None);
                while let Some(k) = m.next_key::<TurnField>()? {
                    let again = match k {
                        TurnField::Role => role.replace(m.next_value::<String>()?).is_some(),
                        TurnField::Content => content.replace(m.next_value::<String>()?).is_some(),
                    };
                    if again {
                        return Err(de::Error::custom("a repeated field"));
                    }
                }
                Ok(Turn {
                    role: role.ok_or_else(|| de::Error::missing_field("role"))?,
                    content: content.ok_or_else(|| de::Error::missing_field("content"))?,
                })
            }
        }
        d.deserialize_map(V)
    }
}

/// A candidate: a string, or `{id, text, metadata}` (each at most once).
struct Cand {
    id: Option<String>,
    text: String,
    metadata: Option<Value>,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum CandField {
    Id,
    Text,
    Metadata,
}

impl<'de> Deserialize<'de> for Cand {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Cand;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or {id, text, metadata}")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Cand, E> {
                self.visit_string(s.to_string())
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<Cand, E> {
                Ok(Cand {
                    id: None,
                    text,
                    metadata: None,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Cand, A::Error> {
                let (mut id, mut text, mut metadata) = (None, None, None);
                while let Some(k) = m.next_key::<CandField>()? {
                    let again = match k {
                        CandField::Id => id.replace(m.next_value::<Option<String>>()?).is_some(),
                        CandField::Text => text.replace(m.next_value::<String>()?).is_some(),
                        CandField::Metadata => {
                            metadata.replace(m.next_value::<Option<Value>>()?).is_some()
                        }
                    };
                    if again {
                        return Err(de::Error::custom("a repeated field"));
                    }
                }
                Ok(Cand {
                    id: id.flatten(),
                    text: text.ok_or_else(|| de::Error::missing_field("text"))?,
                    metadata: metadata.flatten(),
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// The item of a record of the plainest shape (see the module), or `None` for the `Value` way.
pub(super) fn parse_plain(text: &str, line: usize) -> Option<Item> {
    let r: Record = serde_json::from_str(text).ok()?;
    let blank = |s: &str| s.trim().is_empty();
    if r.id.as_deref().is_some_and(blank) {
        return None;
    }
    let messages: Option<Vec<Message>> = r.messages.map(|m| {
        m.into_iter()
            .map(|t| Message {
                role: t.role,
                content: t.content,
            })
            .collect()
    });
    if messages.as_ref().is_some_and(Vec::is_empty) || (r.prompt.is_none() && messages.is_none()) {
        return None;
    }
    let list = r.candidates?;
    if list.len() < 2 {
        return None;
    }
    let mut candidates = Vec::with_capacity(list.len());
    for (i, c) in list.into_iter().enumerate() {
        let id = match c.id {
            Some(id) if blank(&id) => return None,
            Some(id) => id,
            None => format!("c{i}"),
        };
        candidates.push(Candidate {
            id,
            text: c.text,
            messages: None,
            metadata: c.metadata,
        });
    }
    let mut seen = std::collections::HashSet::with_capacity(candidates.len());
    if !candidates.iter().all(|c| seen.insert(c.id.as_str())) {
        return None;
    }
    Some(finish_item(
        r.id, r.prompt, messages, candidates, r.metadata, r.extra, line,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::parse_item;

    use crate::testutil::Rng;

    /// A JSON value for a text field: mostly good strings, sometimes something else.
    fn text(r: &mut Rng) -> &'static str {
        let good = [r#""plain""#, r#""with \"quotes\" and \n""#, r#""模型""#];
        let other = [
            r#""""#,
            r#""  ""#,
            "null",
            "7",
            r#"[{"type":"text","text":"part"}]"#,
            r#"{"x":1}"#,
        ];
        if r.below(5) > 0 {
            good[r.below(3) as usize]
        } else {
            other[r.below(6) as usize]
        }
    }

    /// Records of every shape the `Value` way knows, good and bad.
    fn random_record(r: &mut Rng) -> String {
        let mut fields: Vec<String> = Vec::new();
        if r.below(4) > 0 {
            fields.push(format!(r#""id":{}"#, text(r)));
        }
        match r.below(5) {
            0 => {}
            1 | 2 => fields.push(format!(r#""prompt":{}"#, text(r))),
            3 => fields.push(r#""prompt":[{"role":"user","content":"hi"}]"#.into()),
            4 if r.below(3) == 0 => fields.push(r#""messages":[["user","hi"]]"#.into()),
            _ => fields.push(format!(
                r#""messages":[{}]"#,
                (0..r.below(3))
                    .map(|_| format!(
                        r#"{{"role":{},"content":{}}}"#,
                        r.pick(&[r#""user""#, r#""assistant""#, "3"]),
                        text(r)
                    ))
                    .collect::<Vec<_>>()
                    .join(",")
            )),
        }
        if r.below(5) == 0 {
            fields.push(r#""messages":[{"role":"user","content":"m","extra":1}]"#.into());
        }
        let list = r.pick(&["candidates", "candidates", "candidates", "outputs"]);
        let cands: Vec<String> = (0..[0, 1, 2, 2, 3, 4][r.below(6) as usize])
            .map(|i| match r.below(9) {
                0 => text(r).to_string(),
                1 => format!(r#"{{"text":{}}}"#, text(r)),
                2 => format!(
                    r#"{{"id":{},"text":{},"metadata":{{"model":"m{i}"}}}}"#,
                    r.pick(&[r#""a""#, r#""b""#, r#""c""#, "null", "5", r#""""#]),
                    text(r)
                ),
                3 => format!(r#"{{"id":"x{i}","content":"c","model":"z"}}"#),
                4 => format!(r#"{{"id":"x{i}","text":"t","text":"u"}}"#),
                5 => format!(r#"{{"id":"x{i}","text":"t","metadata":null}}"#),
                _ => format!(
                    r#"{{"id":"k{i}","text":{},"metadata":{{"model":"m"}}}}"#,
                    text(r)
                ),
            })
            .collect();
        fields.push(format!(r#""{list}":[{}]"#, cands.join(",")));
        match r.below(6) {
            0 => fields.push(r#""metadata":{"source":"s","n":[1,2]}"#.into()),
            1 => fields.push(r#""metadata":null"#.into()),
            2 => fields.push(r#""schema":"v1","source":{"name":"s"}"#.into()),
            3 => fields.push(r#""id":"dup""#.into()),
            _ => {}
        }
        // Any order.
        let n = fields.len();
        for k in 0..n {
            fields.swap(k, r.below(n as u64) as usize);
        }
        format!("{{{}}}", fields.join(","))
    }

    #[test]
    fn a_turn_written_as_a_list_is_left_to_the_value_way() {
        let text = r#"{"id":"q","messages":[["user","hi"]],"candidates":["a","b"]}"#;
        assert!(parse_plain(text, 1).is_none());
        assert!(parse_item(serde_json::from_str(text).unwrap(), 1).is_err());
    }

    #[test]
    fn plain_records_give_the_item_the_value_way_gives() {
        let mut r = Rng(3);
        let (mut plain, mut all) = (0, 0);
        for _ in 0..30_000 {
            let text = random_record(&mut r);
            all += 1;
            let slow = serde_json::from_str::<Value>(&text)
                .ok()
                .map(|v| parse_item(v, 9));
            if let Some(item) = parse_plain(&text, 9) {
                plain += 1;
                assert_eq!(slow, Some(Ok(item)), "{text}");
            }
        }
        // Both ways were really taken.
        assert!(plain > all / 50 && plain < all / 2, "{plain} of {all}");
    }

    /// The real candidate sets in ../shared/data, when present: every record read the plain
    /// way gives the item the `Value` way gives.
    #[test]
    fn real_records_read_the_plain_way_match_the_value_way() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/candidates");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("skipped: {} is absent", dir.display());
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "jsonl") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let mut plain = 0;
            for (n, line) in text.lines().enumerate() {
                if let Some(item) = parse_plain(line, n + 1) {
                    plain += 1;
                    let v: Value = serde_json::from_str(line).unwrap();
                    assert_eq!(
                        Ok(item),
                        parse_item(v, n + 1),
                        "{}:{}",
                        path.display(),
                        n + 1
                    );
                }
            }
            // These files are of the plain shape (with fields of their own): the quick way
            // is really taken.
            assert!(
                plain * 2 > text.lines().count(),
                "{}: {plain}",
                path.display()
            );
        }
    }

    #[test]
    fn the_synthetic_records_take_the_plain_way() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("s.jsonl");
        crate::synth::write_candidates(&crate::synth::CandidatesArgs {
            out: out.clone(),
            bytes: 200_000,
            items: None,
            scale: 1.0,
            fixed_chars: None,
            candidates: None,
            seed: 4,
        })
        .unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        for (n, line) in text.lines().enumerate() {
            let item = parse_plain(line, n + 1).unwrap_or_else(|| panic!("{line}"));
            let v: Value = serde_json::from_str(line).unwrap();
            assert_eq!(Ok(item), parse_item(v, n + 1));
        }
    }
}
