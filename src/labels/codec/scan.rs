//! A quick reader for the lines prefer itself writes: the fields in [`Event`]'s order, no
//! whitespace, no escapes, no `null`s. Such a line is read here without serde (two thirds of a
//! million-event resume was serde); any other line, including every line a person edited or
//! another tool wrote, gets `None` and is read by serde as before. So this accepts a subset of
//! what serde accepts and reads it to the same values (see the tests), and which lines are
//! accepted or refused, and with what message, does not change.
//!
//! [`Event`]: crate::labels::Event

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::marker::PhantomData;

use super::lite::{Lite, Map, S, Seq, Text};
use crate::labels::{Event, TaskKind};

/// [`Event`](crate::labels::Event)'s fields in the order serde writes them.
const FIELDS: [&str; 26] = [
    "v",
    "at",
    "annotator",
    "item",
    "item_hash",
    "task",
    "shown",
    "ranking",
    "pair",
    "choice",
    "ratings",
    "scale",
    "skip",
    "retract",
    "ms",
    "role",
    "strength",
    "flags",
    "rationale",
    "aspects",
    "uid",
    "best",
    "worst",
    "tuple",
    "source",
    "text",
];

/// Walks the fields of a line of the writer's own shape: `value(k, cursor)` reads the value of
/// field `FIELDS[k]`. `None` when the line has another shape (or `value` says so).
fn walk<'a>(line: &'a str, mut value: impl FnMut(usize, &mut Cur<'a>) -> Option<()>) -> Option<()> {
    let mut c = Cur { s: line, i: 0 };
    c.eat(b'{')?;
    // Fields seen, as a bit set; each must come after the ones before it, so none repeats.
    let mut seen = 0u32;
    let mut last = None;
    loop {
        let name = c.string()?;
        c.eat(b':')?;
        let k = FIELDS.iter().position(|f| *f == name)?;
        if last.is_some_and(|l| k <= l) {
            return None;
        }
        last = Some(k);
        seen |= 1 << k;
        value(k, &mut c)?;
        match c.next()? {
            b',' => {}
            b'}' if c.i == line.len() => break,
            _ => return None,
        }
    }
    // The fields without a default.
    const REQUIRED: u32 = 1 | 1 << 2 | 1 << 3 | 1 << 5;
    (seen & REQUIRED == REQUIRED).then_some(())
}

/// Reads `line` if it has the writer's own shape; `None` means "ask serde".
pub(super) fn quick_line(line: &str) -> Option<Lite<'_>> {
    let mut lite = Lite {
        v: 0,
        at: Text,
        annotator: S(Cow::Borrowed("")),
        item: S(Cow::Borrowed("")),
        item_hash: None,
        task: TaskKind::Pair,
        shown: None,
        ranking: None,
        pair: None,
        choice: None,
        ratings: None,
        scale: None,
        skip: false,
        retract: false,
        ms: None,
        role: None,
        strength: None,
        flags: None,
        rationale: None,
        aspects: None,
        uid: None,
        best: None,
        worst: None,
        tuple: None,
        source: None,
        text: None,
        repeat: false,
    };
    walk(line, |k, c| {
        match k {
            0 => lite.v = c.u32()?,
            1 => lite.at = c.text()?,
            2 => lite.annotator = S(Cow::Borrowed(c.string()?)),
            3 => lite.item = S(Cow::Borrowed(c.string()?)),
            4 => lite.item_hash = Some(S(Cow::Borrowed(c.string()?))),
            5 => lite.task = c.task()?,
            6 => lite.shown = Some(c.list(|c| c.text())?),
            7 => lite.ranking = Some(c.list(|c| c.list(|c| c.text()))?),
            8 => {
                let (l, r) = c.pair()?;
                lite.pair = Some([S(Cow::Borrowed(l)), S(Cow::Borrowed(r))]);
            }
            9 => lite.choice = Some(S(Cow::Borrowed(c.string()?))),
            10 => lite.ratings = Some(c.map(Cur::u32)?),
            11 => lite.scale = Some(c.u32()?),
            12 => lite.skip = c.boolean()?,
            13 => lite.retract = c.boolean()?,
            14 => lite.ms = Some(c.uint(MAX_U64)?),
            15 => lite.role = Some(S(Cow::Borrowed(c.string()?))),
            16 => lite.strength = Some(c.uint(u8::MAX.into())? as u8),
            17 => lite.flags = Some(c.map(|c| c.list(|c| c.text()))?),
            18 => lite.rationale = Some(c.text()?),
            19 => lite.aspects = Some(c.map(|c| c.map(Cur::u32))?),
            20 => lite.uid = Some(c.u32()?),
            21 => lite.best = Some(S(Cow::Borrowed(c.string()?))),
            22 => lite.worst = Some(S(Cow::Borrowed(c.string()?))),
            23 => lite.tuple = Some(S(Cow::Borrowed(c.string()?))),
            24 => lite.source = Some(S(Cow::Borrowed(c.string()?))),
            _ => lite.text = Some(S(Cow::Borrowed(c.string()?))),
        }
        Some(())
    })?;
    Some(lite)
}

/// The whole [`Event`] of a line of the writer's own shape, as serde would read it; `None`
/// means "ask serde". Used where every standing line is parsed in full (export, stats).
pub(crate) fn quick_event(line: &str) -> Option<Event> {
    let own = |s: &str| s.to_string();
    let mut e = Event::new("", "", None, TaskKind::Pair);
    walk(line, |k, c| {
        match k {
            0 => e.v = c.u32()?,
            1 => e.at = own(c.string()?),
            2 => e.annotator = own(c.string()?),
            3 => e.item = own(c.string()?),
            4 => e.item_hash = Some(own(c.string()?)),
            5 => e.task = c.task()?,
            6 => e.shown = Some(c.vec(|c| c.string().map(own))?),
            7 => e.ranking = Some(c.vec(|c| c.vec(|c| c.string().map(own)))?),
            8 => {
                let (l, r) = c.pair()?;
                e.pair = Some([own(l), own(r)]);
            }
            9 => e.choice = Some(own(c.string()?)),
            10 => e.ratings = Some(c.btree(Cur::u32)?),
            11 => e.scale = Some(c.u32()?),
            12 => e.skip = c.boolean()?,
            13 => e.retract = c.boolean()?,
            14 => e.ms = Some(c.uint(MAX_U64)?),
            15 => e.role = Some(own(c.string()?)),
            16 => e.strength = Some(c.uint(u8::MAX.into())? as u8),
            17 => e.flags = Some(c.btree(|c| c.vec(|c| c.string().map(own)))?),
            18 => e.rationale = Some(own(c.string()?)),
            19 => e.aspects = Some(c.btree(|c| c.btree(Cur::u32))?),
            20 => e.uid = Some(c.u32()?),
            21 => e.best = Some(own(c.string()?)),
            22 => e.worst = Some(own(c.string()?)),
            23 => e.tuple = Some(own(c.string()?)),
            24 => e.source = Some(own(c.string()?)),
            _ => e.text = Some(own(c.string()?)),
        }
        Some(())
    })?;
    Some(e)
}

/// The largest `u64` taken here: 18 digits, so adding a digit never overflows (serde reads
/// longer numbers).
const MAX_U64: u64 = 999_999_999_999_999_999;

struct Cur<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Cur<'a> {
    fn next(&mut self) -> Option<u8> {
        let b = *self.s.as_bytes().get(self.i)?;
        self.i += 1;
        Some(b)
    }

    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    fn eat(&mut self, want: u8) -> Option<()> {
        (self.next()? == want).then_some(())
    }

    /// A string without escapes or control characters (JSON forbids those raw; serde says so).
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let bytes = self.s.as_bytes();
        let start = self.i;
        loop {
            match *bytes.get(self.i)? {
                b'"' => break,
                b'\\' => return None,
                b if b < 0x20 => return None,
                _ => self.i += 1,
            }
        }
        let s = self.s.get(start..self.i)?;
        self.i += 1;
        Some(s)
    }

    fn text(&mut self) -> Option<Text> {
        self.string().map(|_| Text)
    }

    /// A whole number up to `max`, written as serde writes it: no sign, no leading zero, no
    /// fraction or exponent (serde refuses a float where an integer is expected).
    fn uint(&mut self, max: u64) -> Option<u64> {
        let bytes = self.s.as_bytes();
        let start = self.i;
        let mut n: u64 = 0;
        while let Some(&b) = bytes.get(self.i).filter(|b| b.is_ascii_digit()) {
            if self.i - start == 18 {
                return None;
            }
            n = n * 10 + u64::from(b - b'0');
            self.i += 1;
        }
        let digits = self.i - start;
        if digits == 0 || (digits > 1 && bytes[start] == b'0') || n > max {
            return None;
        }
        match self.peek() {
            Some(b'.' | b'e' | b'E') => None,
            _ => Some(n),
        }
    }

    fn u32(&mut self) -> Option<u32> {
        self.uint(u32::MAX.into()).map(|n| n as u32)
    }

    fn task(&mut self) -> Option<TaskKind> {
        match self.string()? {
            "pair" => Some(TaskKind::Pair),
            "rank" => Some(TaskKind::Rank),
            "rate" => Some(TaskKind::Rate),
            "edit" => Some(TaskKind::Edit),
            "best-worst" => Some(TaskKind::BestWorst),
            _ => None,
        }
    }

    /// `["l","r"]`: exactly two strings.
    fn pair(&mut self) -> Option<(&'a str, &'a str)> {
        self.eat(b'[')?;
        let l = self.string()?;
        self.eat(b',')?;
        let r = self.string()?;
        self.eat(b']')?;
        Some((l, r))
    }

    fn boolean(&mut self) -> Option<bool> {
        let rest = &self.s.as_bytes()[self.i..];
        if rest.starts_with(b"true") {
            self.i += 4;
            Some(true)
        } else if rest.starts_with(b"false") {
            self.i += 5;
            Some(false)
        } else {
            None
        }
    }

    /// `[x, ...]`, each element read by `each`.
    fn list<T>(&mut self, mut each: impl FnMut(&mut Self) -> Option<T>) -> Option<Seq<T>> {
        self.eat(b'[')?;
        if self.peek()? == b']' {
            self.i += 1;
            return Some(Seq(PhantomData));
        }
        loop {
            each(self)?;
            match self.next()? {
                b',' => {}
                b']' => return Some(Seq(PhantomData)),
                _ => return None,
            }
        }
    }

    /// [`Cur::list`], keeping the elements.
    fn vec<T>(&mut self, mut each: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let mut out = Vec::new();
        self.list(|c| {
            out.push(each(c)?);
            Some(())
        })?;
        Some(out)
    }

    /// [`Cur::map`], keeping the entries; a repeated key keeps its last value, as serde's
    /// `BTreeMap` does.
    fn btree<T>(
        &mut self,
        mut each: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<BTreeMap<String, T>> {
        self.eat(b'{')?;
        let mut out = BTreeMap::new();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(out);
        }
        loop {
            let key = self.string()?;
            self.eat(b':')?;
            out.insert(key.to_string(), each(self)?);
            match self.next()? {
                b',' => {}
                b'}' => return Some(out),
                _ => return None,
            }
        }
    }

    /// `{"key": x, ...}`, each value read by `each`. Repeated keys are left to serde (a map
    /// keeps the last; nothing here needs the values).
    fn map<T>(&mut self, mut each: impl FnMut(&mut Self) -> Option<T>) -> Option<Map<Text, T>> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(Map(PhantomData));
        }
        loop {
            self.string()?;
            self.eat(b':')?;
            each(self)?;
            match self.next()? {
                b',' => {}
                b'}' => return Some(Map(PhantomData)),
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Event;

    /// What replay and the check read from a line.
    fn read(l: &Lite<'_>) -> String {
        let s = |x: &Option<S<'_>>| x.as_ref().map(|s| s.0.to_string());
        format!(
            "{} {:?} {:?} {:?} {:?} {:?} {:?} {} {} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            l.v,
            l.annotator.0,
            l.item.0,
            s(&l.item_hash),
            l.task,
            l.pair
                .as_ref()
                .map(|[a, b]| (a.0.to_string(), b.0.to_string())),
            s(&l.choice),
            l.skip,
            l.retract,
            s(&l.role),
            l.ms,
            l.scale,
            l.strength,
            l.shown.is_some(),
            l.ranking.is_some(),
            l.ratings.is_some(),
            (
                l.flags.is_some(),
                l.rationale.is_some(),
                l.aspects.is_some(),
                l.uid,
                s(&l.source),
                s(&l.text),
                (s(&l.best), s(&l.worst), s(&l.tuple)),
            ),
        )
    }

    use crate::testutil::Rng;

    /// Events as the writer makes them: every field used somewhere, ids and texts with and
    /// without characters that need escapes.
    fn random_event(r: &mut Rng) -> Event {
        let words = [
            "c0",
            "c1",
            "gpt-4o",
            "模型",
            "a\"b",
            "tab\there",
            "x\\y",
            "",
            "é",
        ];
        let kind = [
            TaskKind::Pair,
            TaskKind::Rank,
            TaskKind::Rate,
            TaskKind::Edit,
            TaskKind::BestWorst,
        ][r.below(5) as usize];
        let mut e = Event::new(r.pick(&["ann", "李"]), r.pick(&words), None, kind);
        e.at = "2026-11-26T15:09:00.123Z".into();
        if r.below(4) > 0 {
            e.item_hash = Some("0123abcd".into());
        }
        let (a, b) = (
            r.pick(&words).to_string(),
            r.pick(&["c0", "c1", "c9"]).to_string(),
        );
        match kind {
            TaskKind::Pair => {
                e.pair = Some([a.clone(), b.clone()]);
                e.choice = Some(r.pick(&[&a, &b, "tie", "both_bad", "c7"]).to_string());
                e.strength = (r.below(2) == 0).then(|| r.below(300) as u8);
            }
            TaskKind::Rank => {
                e.shown = Some(vec![a.clone(), b.clone()]);
                e.ranking = Some(vec![vec![a.clone()], vec![b.clone(), "c3".into()]]);
            }
            TaskKind::Rate => {
                e.ratings = Some([(a.clone(), 3), (b.clone(), 5)].into());
                e.scale = Some(5);
                if r.below(2) == 0 {
                    e.aspects = Some([("help".into(), [(a.clone(), 4)].into())].into());
                }
            }
            TaskKind::BestWorst => {
                e.shown = Some(vec![a.clone(), b.clone(), "c3".into()]);
                e.best = (r.below(6) > 0).then(|| a.clone());
                e.worst = (r.below(6) > 0).then(|| r.pick(&[&a, &b]).to_string());
                e.tuple = (r.below(2) == 0).then(|| r.pick(&words).to_string());
            }
            TaskKind::Edit => {
                e.source = (r.below(6) > 0).then(|| a.clone());
                e.text = (r.below(6) > 0).then(|| r.pick(&words).to_string());
            }
        }
        match r.below(8) {
            0 => e.skip = true,
            1 => e.retract = true,
            2 => {
                e.skip = true;
                e.retract = true;
            }
            _ => e.ms = Some(r.below(u64::MAX)),
        }
        if r.below(3) == 0 {
            e.role = Some("adjudicator".into());
        }
        if r.below(3) == 0 {
            e.flags = Some([(a.clone(), vec!["unsafe".into(), "wrong".into()])].into());
        }
        if r.below(3) == 0 {
            e.rationale = Some(r.pick(&["b is right", "a \"quoted\" reason", "多"]).into());
        }
        // Older logs have no uid; root is 0, and the largest a u32 holds.
        if r.below(4) > 0 {
            e.uid = Some([0, 1000, 65534, u32::MAX][r.below(4) as usize]);
        }
        e
    }

    /// Small changes a person, a tool or a damaged disk could make to a line.
    fn mutate(r: &mut Rng, line: &str) -> String {
        let mut s = line.to_string();
        for _ in 0..=r.below(3) {
            let at = |r: &mut Rng, s: &str| {
                let mut k = r.below(s.len() as u64 + 1) as usize;
                while !s.is_char_boundary(k) {
                    k -= 1;
                }
                k
            };
            match r.below(9) {
                0 if !s.is_empty() => {
                    let k = at(r, &s);
                    if k < s.len() {
                        let c = s[k..].chars().next().map_or(1, char::len_utf8);
                        s.replace_range(k..k + c, "");
                    }
                }
                1 | 2 => {
                    let k = at(r, &s);
                    let bits = [
                        "\"",
                        ",",
                        ":",
                        "{",
                        "}",
                        "[",
                        "]",
                        " ",
                        "0",
                        "9",
                        "-",
                        ".",
                        "e",
                        "1",
                        "null",
                        "true",
                        "\\",
                        "\t",
                        "\"v\":1,",
                        "\"item\":\"z\",",
                        "\"x\":[1],",
                        "\"skip\":true,",
                    ];
                    s.insert_str(k, r.pick(&bits));
                }
                3 => s = s.replacen("\"ms\":", "\"ms\":1", 1),
                4 => s = s.replacen(":1,", ":01,", 1),
                5 => s = s.replacen("\"strength\":", "\"strength\":2", 1),
                6 => s = s.replacen("\"task\":\"", "\"task\":\"x", 1),
                7 if r.below(2) == 0 => s.push(' '),
                // A uid out of range, negative, fractional, quoted, or a null.
                7 => {
                    let bad = ["4294967296", "-1", "1.5", "\"1000\"", "null", "1e3", "01"];
                    s = s.replacen("\"uid\":", &format!("\"uid\":{}", r.pick(&bad)), 1);
                }
                _ => s = s.replacen(',', ",\"item\":\"dup\",", 1),
            }
        }
        s
    }

    #[test]
    fn reads_what_serde_reads_and_only_that() {
        let mut r = Rng(7);
        let (mut quick, mut lines) = (0, 0);
        for _ in 0..20_000 {
            let e = random_event(&mut r);
            let line = serde_json::to_string(&e).unwrap();
            for l in [line.clone(), mutate(&mut r, &line)] {
                lines += 1;
                let serde = serde_json::from_str::<Lite>(&l);
                if let Some(q) = quick_line(&l) {
                    quick += 1;
                    let s = serde.unwrap_or_else(|e| panic!("serde refuses {l}: {e}"));
                    assert_eq!(read(&q), read(&s), "{l}");
                }
                // The whole event: the same as serde's, and taken exactly when the line is.
                let whole = quick_event(&l);
                assert_eq!(whole.is_some(), quick_line(&l).is_some(), "{l}");
                if let Some(q) = whole {
                    assert_eq!(
                        Ok(q),
                        serde_json::from_str::<Event>(&l).map_err(|e| e.to_string()),
                        "{l}"
                    );
                }
            }
            // The writer's own lines take the quick path unless they need escapes.
            if !line.contains('\\') && e.ms.is_none_or(|ms| ms <= MAX_U64) {
                assert!(quick_line(&line).is_some(), "{line}");
                assert_eq!(quick_event(&line).as_ref(), Some(&e), "{line}");
            }
        }
        // Both paths were really taken.
        assert!(
            quick > lines / 10 && quick < lines * 9 / 10,
            "{quick} of {lines}"
        );
    }

    /// The quick path's reading of `line`: taken, and the same as serde's.
    fn quick_as_serde(line: &str) {
        let q = quick_line(line).unwrap_or_else(|| panic!("not taken: {line}"));
        let s = serde_json::from_str::<Lite>(line).unwrap();
        assert_eq!(read(&q), read(&s), "{line}");
        let e = serde_json::from_str::<Event>(line).unwrap();
        assert_eq!(quick_event(line), Some(e), "{line}");
    }

    #[test]
    fn empty_lists_and_maps_take_the_quick_path() {
        let head = r#"{"v":1,"annotator":"a","item":"x","#;
        for rest in [
            r#""task":"rank","shown":[],"ranking":[]}"#,
            r#""task":"rank","shown":["c0"],"ranking":[[],["c0"]]}"#,
            r#""task":"rate","ratings":{}}"#,
            r#""task":"rate","ratings":{},"flags":{}}"#,
            r#""task":"rate","ratings":{"c0":3},"flags":{"c0":[]},"aspects":{}}"#,
            r#""task":"rate","ratings":{"c0":3},"aspects":{"help":{}},"uid":7}"#,
        ] {
            quick_as_serde(&format!("{head}{rest}"));
        }
    }

    /// `false` is never written (the writer leaves a false `skip` or `retract` out), but a line
    /// edited by hand may hold it; with a text after it of every length, the reading goes on
    /// exactly after `false`.
    #[test]
    fn a_written_false_is_read_as_serde_reads_it() {
        for field in ["skip", "retract"] {
            for n in 0..400 {
                let line = format!(
                    r#"{{"v":1,"annotator":"a","item":"x","task":"pair","pair":["a","b"],"choice":"a","{field}":false,"rationale":"{}","uid":5}}"#,
                    "r".repeat(n)
                );
                quick_as_serde(&line);
            }
        }
    }

    #[test]
    fn refuses_what_serde_would_read_differently() {
        let ok = r#"{"v":1,"annotator":"a","item":"x","task":"rate","ratings":{"c0":3}}"#;
        assert!(quick_line(ok).is_some());
        let with_uid =
            r#"{"v":1,"annotator":"a","item":"x","task":"rate","ratings":{},"uid":1000}"#;
        assert_eq!(quick_event(with_uid).and_then(|e| e.uid), Some(1000));
        for bad in [
            r#" {"v":1,"annotator":"a","item":"x","task":"rate","ratings":{"c0":3}}"#,
            r#"{"v":1,"annotator":"a","item":"x","task":"rate","ratings":{"c0":3}} "#,
            r#"{"v":1,"annotator":"a","item":"x","item":"y","task":"rate","ratings":{}}"#,
            r#"{"v":1,"item":"x","annotator":"a","task":"rate","ratings":{}}"#,
            r#"{"v":1,"annotator":"a","item":"x","task":"rate","ratings":{},"new":1}"#,
            r#"{"v":1,"annotator":"a","item":"x","task":"rate","ratings":null}"#,
            r#"{"v":1,"annotator":"a","item":"x","task":"rate","ratings":{"c0":3.0}}"#,
            r#"{"v":1,"annotator":"a","item":"x","task":"rate","ratings":{"c0":-3}}"#,
            r#"{"v":1,"annotator":"a","item":"x","task":"rate","ratings":{"c0":4294967296}}"#,
            r#"{"v":1,"annotator":"a","item":"x\u0041","task":"rate","ratings":{}}"#,
            r#"{"v":1,"annotator":"a","item":"x","task":"Rate","ratings":{}}"#,
            r#"{"v":01,"annotator":"a","item":"x","task":"rate","ratings":{}}"#,
            r#"{"v":1,"annotator":"a","item":"x","task":"pair","pair":["a","b","c"]}"#,
            r#"{"v":1,"annotator":"a","item":"x","task":"pair","pair":["a","b"],"strength":256}"#,
            r#"{"v":1,"annotator":"a","item":"x","task":"pair","pair":["a","b"],"ms":1e3}"#,
            r#"{"v":1,"annotator":"a","item":"x","task":"rank","ranking":[["a",]]}"#,
            r#"{"v":1,"annotator":"a","item":"x","task":"rate","ratings":{},}"#,
            r#"{"v":1,"annotator":"a","item":"x","task":"rate","ratings":{},"uid":4294967296}"#,
            r#"{"v":1,"annotator":"a","item":"x","task":"rate","ratings":{},"uid":-1}"#,
            r#"{"v":1,"annotator":"a","item":"x","task":"rate","ratings":{},"uid":null}"#,
            r#"{"v":1,"annotator":"a","item":"x","task":"rate","ratings":{},"uid":"0"}"#,
            r#"{"v":1,"annotator":"a","uid":0,"item":"x","task":"rate","ratings":{}}"#,
        ] {
            assert!(quick_line(bad).is_none(), "{bad}");
        }
        // Each field without a default (`v`, `annotator`, `item`, `task`) left out in turn:
        // serde refuses the line, so the quick path must too.
        for missing in [
            r#"{"annotator":"a","item":"x","task":"rate","ratings":{}}"#,
            r#"{"v":1,"item":"x","task":"rate","ratings":{}}"#,
            r#"{"v":1,"annotator":"a","task":"rate","ratings":{}}"#,
            r#"{"v":1,"annotator":"a","item":"x","ratings":{}}"#,
        ] {
            assert!(serde_json::from_str::<Event>(missing).is_err(), "{missing}");
            assert!(quick_line(missing).is_none(), "{missing}");
            assert!(quick_event(missing).is_none(), "{missing}");
        }
    }
}
