//! The fast reader's view of a line: [`Event`] field for field with the same JSON types and
//! defaults, keeping only what replay and [`Event::check`] look at, borrowed from the line.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

#[cfg(doc)]
use crate::labels::event::Event;
use crate::labels::event::TaskKind;

/// A string field: borrowed from the line unless it holds escapes.
#[derive(Debug)]
pub(super) struct S<'a>(pub(super) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for S<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = S<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(S(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(S(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(S(Cow::Owned(v)))
            }
        }
        d.deserialize_string(V(PhantomData))
    }
}

/// A string field replay does not need: checked to be a string, not kept.
#[derive(Default)]
pub(super) struct Text;

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Text, E> {
                Ok(Text)
            }
        }
        d.deserialize_string(V)
    }
}

/// A list whose elements are checked as `T` and dropped (what `Vec<T>` accepts).
pub(super) struct Seq<T>(pub(super) PhantomData<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Seq<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Seq<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Seq<T>, A::Error> {
                while a.next_element::<T>()?.is_some() {}
                Ok(Seq(PhantomData))
            }
        }
        d.deserialize_seq(V(PhantomData))
    }
}

/// An object whose entries are checked as `K: V` and dropped (what `BTreeMap<K, V>` accepts).
pub(super) struct Map<K, V>(pub(super) PhantomData<(K, V)>);

impl<'de, K: Deserialize<'de>, W: Deserialize<'de>> Deserialize<'de> for Map<K, W> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<K, W>(PhantomData<(K, W)>);
        impl<'de, K: Deserialize<'de>, W: Deserialize<'de>> Visitor<'de> for V<K, W> {
            type Value = Map<K, W>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Map<K, W>, A::Error> {
                while a.next_entry::<K, W>()?.is_some() {}
                Ok(Map(PhantomData))
            }
        }
        d.deserialize_map(V(PhantomData))
    }
}

/// [`Event`], field for field with the same types and defaults, keeping only what replay and
/// [`Event::check`] look at.
#[derive(Deserialize)]
#[allow(dead_code)]
pub(super) struct Lite<'a> {
    pub(super) v: u32,
    #[serde(default)]
    pub(super) at: Text,
    #[serde(borrow)]
    pub(super) annotator: S<'a>,
    #[serde(borrow)]
    pub(super) item: S<'a>,
    #[serde(default, borrow)]
    pub(super) item_hash: Option<S<'a>>,
    pub(super) task: TaskKind,
    #[serde(default)]
    pub(super) shown: Option<Seq<Text>>,
    #[serde(default)]
    pub(super) ranking: Option<Seq<Seq<Text>>>,
    #[serde(default, borrow)]
    pub(super) pair: Option<[S<'a>; 2]>,
    #[serde(default, borrow)]
    pub(super) choice: Option<S<'a>>,
    #[serde(default)]
    pub(super) ratings: Option<Map<Text, u32>>,
    #[serde(default)]
    pub(super) scale: Option<u32>,
    #[serde(default)]
    pub(super) skip: bool,
    #[serde(default)]
    pub(super) retract: bool,
    #[serde(default)]
    pub(super) ms: Option<u64>,
    #[serde(default, borrow)]
    pub(super) role: Option<S<'a>>,
    #[serde(default)]
    pub(super) strength: Option<u8>,
    #[serde(default)]
    pub(super) flags: Option<Map<Text, Seq<Text>>>,
    #[serde(default)]
    pub(super) rationale: Option<Text>,
    #[serde(default)]
    pub(super) aspects: Option<Map<Text, Map<Text, u32>>>,
    #[serde(default)]
    pub(super) uid: Option<u32>,
    #[serde(default, borrow)]
    pub(super) best: Option<S<'a>>,
    #[serde(default, borrow)]
    pub(super) worst: Option<S<'a>>,
    #[serde(default, borrow)]
    pub(super) tuple: Option<S<'a>>,
    #[serde(default, borrow)]
    pub(super) source: Option<S<'a>>,
    #[serde(default, borrow)]
    pub(super) text: Option<S<'a>>,
    #[serde(default)]
    pub(super) repeat: bool,
}

impl Lite<'_> {
    /// True when [`Event::check`] would pass the full event.
    pub(super) fn passes_check(&self) -> bool {
        if self.item.0.is_empty() || (self.task == TaskKind::Pair && self.pair.is_none()) {
            return false;
        }
        if self.skip && self.retract {
            return false;
        }
        if self.task == TaskKind::Edit {
            return self.source.as_ref().is_some_and(|s| !s.0.is_empty())
                && !self.skip
                && (self.retract || self.text.as_ref().is_some_and(|t| !t.0.trim().is_empty()));
        }
        let verdict = self.retract
            || self.skip
            || match self.task {
                TaskKind::Pair => self.choice.is_some(),
                TaskKind::Rank => self.ranking.is_some(),
                TaskKind::Rate => self.ratings.is_some(),
                TaskKind::BestWorst => self.best.is_some() && self.worst.is_some(),
                TaskKind::Edit => false,
            };
        if !verdict {
            return false;
        }
        if let (TaskKind::BestWorst, false, false, Some(b), Some(w)) =
            (self.task, self.skip, self.retract, &self.best, &self.worst)
            && b.0 == w.0
        {
            return false;
        }
        match (&self.pair, &self.choice) {
            (Some([l, r]), Some(c)) => {
                let c = &*c.0;
                c == l.0 || c == r.0 || c == "tie" || c == "both_bad"
            }
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lite;
    use crate::labels::Event;

    /// Edits and best-worst lines, which the replay tests' logs do not hold: the quick check
    /// says what the full one says (each expectation by hand, from `Event::check`'s rules).
    #[test]
    fn edits_and_best_worst_lines_pass_as_the_full_check_passes_them() {
        let edit =
            r#"{"v":1,"annotator":"a","item":"i","task":"edit","source":"c0","text":"Better."}"#;
        let bw = r#"{"v":1,"annotator":"a","item":"i","task":"best-worst","shown":["c0","c1","c2"],"best":"c0","worst":"c2"}"#;
        let with = |line: &str, from: &str, to: &str| {
            assert!(line.contains(from), "{from}");
            line.replace(from, to)
        };
        for (line, passes) in [
            (edit.to_string(), true),
            // No source, or an empty one.
            (with(edit, r#""source":"c0","#, ""), false),
            (with(edit, r#""source":"c0""#, r#""source":"""#), false),
            // Skipped: never, even with a text.
            (
                with(
                    edit,
                    r#""text":"Better.""#,
                    r#""text":"Better.","skip":true"#,
                ),
                false,
            ),
            // No text, or only blanks: only as a retraction.
            (with(edit, r#","text":"Better.""#, ""), false),
            (with(edit, r#""text":"Better.""#, r#""text":" \n""#), false),
            (with(edit, r#""text":"Better.""#, r#""retract":true"#), true),
            (
                with(edit, r#""text":"Better.""#, r#""text":" ","retract":true"#),
                true,
            ),
            (bw.to_string(), true),
            // Best without worst, worst without best: no verdict, unless skipped.
            (with(bw, r#","worst":"c2""#, ""), false),
            (with(bw, r#""best":"c0","#, ""), false),
            (
                with(bw, r#""best":"c0","worst":"c2""#, r#""skip":true"#),
                true,
            ),
            // Best and worst the same: only in a skip or a retraction.
            (with(bw, r#""worst":"c2""#, r#""worst":"c0""#), false),
            (
                with(bw, r#""worst":"c2""#, r#""worst":"c0","retract":true"#),
                true,
            ),
        ] {
            let lite: Lite = serde_json::from_str(&line).unwrap();
            assert_eq!(lite.passes_check(), passes, "{line}");
            let event: Event = serde_json::from_str(&line).unwrap();
            assert_eq!(event.check().is_ok(), passes, "{line}");
        }
    }
}
