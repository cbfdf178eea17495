//! Writing aggregated judgements as JSON Lines in the trainers' own column names: TRL's
//! standard (`trl`) and conversational (`trl-chat`) preference formats, Anthropic HH-RLHF text
//! (`hh`), and one line per item for `rankings` and `ratings`.
//!
//! Rows borrow from the items and stream straight into the writer (`serde_json::to_writer`,
//! text rendered through `collect_str`), so a line costs no allocation of its own.

use std::fmt::{self, Display, Write as _};
use std::io::Write;
use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::format::{Candidate, Item};

use super::aggregate::{Aggregate, Aggregated, Judged};
use super::pairs::Pref;
use super::standing::Decided;
use crate::json::escape_into;

/// The pairwise export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairFormat {
    Trl,
    TrlChat,
    Hh,
}

/// One turn of a conversation, borrowed from an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Turn<'a> {
    pub role: &'a str,
    pub content: &'a str,
}

/// Fills `out` with the conversation a candidate answers followed by its answer: its own
/// `messages` where it has them (with the answer added when they do not end with it), else the
/// item's conversation and then the answer.
pub fn candidate_turns<'a>(item: &'a Item, c: &'a Candidate, out: &mut Vec<Turn<'a>>) {
    out.clear();
    let turn = |m: &'a crate::format::Message| Turn {
        role: &m.role,
        content: &m.content,
    };
    match &c.messages {
        Some(m) if !m.is_empty() => out.extend(m.iter().map(turn)),
        _ => match (&item.messages, &item.prompt) {
            (Some(m), _) if !m.is_empty() => out.extend(m.iter().map(turn)),
            (_, Some(p)) => out.push(Turn {
                role: "user",
                content: p,
            }),
            _ => {}
        },
    }
    if out.last().is_none_or(|t| t.role != "assistant") || c.messages.is_none() {
        out.push(Turn {
            role: "assistant",
            content: &c.text,
        });
    }
}

/// Length of the shared prompt of two candidate conversations: their common prefix, cut back
/// so that it ends with a user turn (what TRL's conversational format expects).
pub fn prompt_len(a: &[Turn], b: &[Turn]) -> usize {
    let mut p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    p = p
        .min(a.len().saturating_sub(1))
        .min(b.len().saturating_sub(1));
    while p > 0 && a[p - 1].role != "user" {
        p -= 1;
    }
    p
}

/// True when a pair can be written as plain `trl` text without losing anything: the prompt is
/// one user turn and each answer one assistant turn.
pub fn is_single_turn(prompt: &[Turn], chosen: &[Turn], rejected: &[Turn]) -> bool {
    matches!(prompt, [t] if t.role == "user")
        && matches!(chosen, [t] if t.role == "assistant")
        && matches!(rejected, [t] if t.role == "assistant")
}

/// A prompt and its answer as `trl` text: as they are when the prompt is one user turn and the
/// answer one assistant turn, else flattened as `trl --flatten` writes them.
pub fn text_pair(prompt: &[Turn], answer: &[Turn]) -> (String, String) {
    if matches!(prompt, [t] if t.role == "user") && matches!(answer, [t] if t.role == "assistant") {
        (prompt[0].content.to_string(), answer[0].content.to_string())
    } else {
        (HhPrompt(prompt).to_string(), HhAnswer(answer).to_string())
    }
}

fn hh_label(role: &str) -> &str {
    match role {
        "user" | "system" => "Human",
        "assistant" => "Assistant",
        other => other,
    }
}

/// HH-RLHF text: `\n\nHuman: ...\n\nAssistant: ...` for every turn. HH has no system turn:
/// a system message opens the next Human turn, separated by a blank line, so parsers that
/// split on `\n\nHuman:` / `\n\nAssistant:` still see alternating turns.
struct Hh<'t, 'a>(&'t [Turn<'a>]);

impl Display for Hh<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut turns = self.0.iter().peekable();
        while let Some(t) = turns.next() {
            if t.role == "system" {
                write!(f, "\n\nHuman: {}", t.content)?;
                if let Some(u) = turns.next_if(|u| u.role == "user") {
                    write!(f, "\n\n{}", u.content)?;
                }
                continue;
            }
            write!(f, "\n\n{}: {}", hh_label(t.role), t.content)?;
        }
        Ok(())
    }
}

/// A flattened prompt: the turns as HH text, ending with `\n\nAssistant:` for the answer to
/// continue (as TRL's own HH datasets split prompt from answer).
struct HhPrompt<'t, 'a>(&'t [Turn<'a>]);

impl Display for HhPrompt<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Hh(self.0).fmt(f)?;
        f.write_str("\n\nAssistant:")
    }
}

/// A flattened answer that continues an [`HhPrompt`]: ` answer`, then any later turns.
struct HhAnswer<'t, 'a>(&'t [Turn<'a>]);

impl Display for HhAnswer<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.split_first() {
            Some((first, rest)) if first.role == "assistant" => {
                f.write_char(' ')?;
                f.write_str(first.content)?;
                Hh(rest).fmt(f)
            }
            _ => Hh(self.0).fmt(f),
        }
    }
}

/// Serialises anything `Display` as a JSON string, escaping as it streams.
struct Text<D>(D);

impl<D: Display> Serialize for Text<D> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// `fmt::Write` into a line, escaping as [`escape_into`] does.
struct Escaped<'a>(&'a mut Vec<u8>);

impl fmt::Write for Escaped<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        escape_into(self.0, s);
        Ok(())
    }
}

/// How [`EscapedTurns`] writes turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Render {
    /// The first turn's text.
    Text,
    /// As [`HhPrompt`].
    HhPrompt,
    /// As [`HhAnswer`].
    HhAnswer,
}

/// Turns escaped as JSON string content, remembered for the rows that follow: an item's pairs
/// are written one after another and name the same prompt and the same few answers again and
/// again (a prompt is in every row of its item), so each is escaped once per run of rows
/// instead of once per row. Turns are known by the addresses of their strings, which borrow
/// from the items: the same address is the same text.
#[derive(Default)]
struct EscapedTurns {
    /// (how, the turns' addresses and lengths, the escaped text), most recent last.
    slots: Vec<(Render, Vec<[usize; 4]>, Vec<u8>)>,
}

impl EscapedTurns {
    /// Enough for the prompt and every answer of an item with 15 candidates.
    const SLOTS: usize = 16;

    /// Appends `turns`, rendered as `how` says and escaped, to `line`.
    fn put(&mut self, line: &mut Vec<u8>, how: Render, turns: &[Turn]) {
        let same = |keys: &[[usize; 4]]| {
            keys.len() == turns.len() && keys.iter().zip(turns).all(|(k, t)| *k == Self::key(t))
        };
        if let Some((_, _, text)) = self.slots.iter().find(|(h, k, _)| *h == how && same(k)) {
            line.extend_from_slice(text);
            return;
        }
        // The oldest slot's buffers are reused.
        let (mut keys, mut text) = if self.slots.len() == Self::SLOTS {
            let (_, k, t) = self.slots.remove(0);
            (k, t)
        } else {
            Default::default()
        };
        keys.clear();
        keys.extend(turns.iter().map(Self::key));
        text.clear();
        let _ = match how {
            Render::Text => write!(Escaped(&mut text), "{}", turns[0].content),
            Render::HhPrompt => write!(Escaped(&mut text), "{}", HhPrompt(turns)),
            Render::HhAnswer => write!(Escaped(&mut text), "{}", HhAnswer(turns)),
        };
        line.extend_from_slice(&text);
        self.slots.push((how, keys, text));
    }

    fn key(t: &Turn) -> [usize; 4] {
        [
            t.role.as_ptr() as usize,
            t.role.len(),
            t.content.as_ptr() as usize,
            t.content.len(),
        ]
    }
}

/// Annotator names picked out of the name table by index.
struct Names<'a> {
    names: &'a [String],
    idx: &'a [u32],
}

impl Serialize for Names<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.idx.iter().map(|&i| self.names[i as usize].as_str()))
    }
}

/// Which optional columns every line carries (a column is on every line or on none, so that
/// `datasets` infers one schema).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Columns {
    pub margin: bool,
    pub tie: bool,
    pub both_bad: bool,
    pub annotator: bool,
    pub meta: bool,
}

#[derive(Serialize)]
struct Row<'a, P, C> {
    #[serde(skip_serializing_if = "Option::is_none")]
    prompt: Option<P>,
    // Always given, except for the columns after them that `trl` rows write by hand.
    #[serde(skip_serializing_if = "Option::is_none")]
    chosen: Option<C>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rejected: Option<C>,
    #[serde(skip_serializing_if = "Option::is_none")]
    margin: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tie: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    both_bad: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotator: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    item: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    chosen_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rejected_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    chosen_model: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rejected_model: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    annotators: Option<Names<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    agreement: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    chosen_flags: Option<Vec<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rejected_flags: Option<Vec<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rationales: Option<Vec<&'a str>>,
    /// A sort mode ranking behind the pair: `"asked"` (one of its questions) or `"inferred"`;
    /// null without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    sort: Option<Option<&'static str>>,
    /// The candidate an edited answer was made from (`null` for the file's own answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    chosen_edited_from: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rejected_edited_from: Option<Option<&'a str>>,
}

/// The flags and rationales behind each pair, for `--with-meta`: the standing decisions by
/// (item, annotator).
#[derive(Debug, Default)]
pub struct Notes<'a> {
    by: std::collections::HashMap<(usize, u32), Vec<&'a crate::labels::Event>>,
}

impl<'a> Notes<'a> {
    pub fn new(decisions: &'a [Decided]) -> Self {
        let mut by: std::collections::HashMap<_, Vec<_>> = Default::default();
        for d in decisions {
            if let Some(i) = d.item {
                by.entry((i, d.annotator)).or_default().push(&d.event);
            }
        }
        Notes { by }
    }

    fn events(
        &self,
        item: usize,
        voters: &[u32],
    ) -> impl Iterator<Item = &'a crate::labels::Event> {
        voters
            .iter()
            .filter_map(move |a| self.by.get(&(item, *a)))
            .flatten()
            .copied()
    }

    /// Every flag the voters put on candidate `id` of the item, sorted, once each.
    pub fn flags(&self, item: usize, voters: &[u32], id: &str) -> Vec<&'a str> {
        let mut v: Vec<&str> = self
            .events(item, voters)
            .filter_map(|e| e.flags.as_ref()?.get(id))
            .flatten()
            .map(String::as_str)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Whether a voter's sort mode ranking of the item asked about the pair (`a`, `b`)
    /// (`"asked"`) or only implied it (`"inferred"`); `None` when no voter sorted the item.
    pub fn sort_origin(
        &self,
        item: usize,
        voters: &[u32],
        a: &str,
        b: &str,
    ) -> Option<&'static str> {
        let mut sorted = false;
        for e in self
            .events(item, voters)
            .filter(|e| e.task == crate::labels::TaskKind::Rank && e.via_sort())
        {
            sorted = true;
            let asked = e.asked.iter().flatten();
            if asked
                .into_iter()
                .any(|[l, r]| (l == a && r == b) || (l == b && r == a))
            {
                return Some("asked");
            }
        }
        sorted.then_some("inferred")
    }

    /// The voters' rationales for decisions that judged the pair (`a`, `b`): a pair decision
    /// on exactly these two, or a ranking or rating (which judges every pair).
    pub fn rationales(&self, item: usize, voters: &[u32], a: &str, b: &str) -> Vec<&'a str> {
        self.events(item, voters)
            .filter(|e| match &e.pair {
                Some([l, r]) => (l == a && r == b) || (l == b && r == a),
                None => true,
            })
            .filter_map(|e| e.rationale.as_deref())
            .filter(|r| !r.trim().is_empty())
            .collect()
    }
}

/// A candidate's `metadata.model`, when it is a string.
pub fn model(c: &Candidate) -> Option<&str> {
    c.metadata.as_ref()?.get("model")?.as_str()
}

/// Ids of the items whose pairs cannot be written as plain `trl` text (a conversation of more
/// than one user turn, or candidates with their own conversations), in output order, once each.
pub fn items_needing_flatten(items: &[Arc<Item>], pairs: &[Judged]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in pairs {
        let item = &items[p.item as usize];
        if out.last() == Some(&item.id) {
            continue;
        }
        if needs_flatten(item, p.chosen as usize, p.rejected as usize) {
            out.push(item.id.clone());
        }
    }
    out
}

/// Whether plain `trl` would cut the pair of candidates `x` and `y` of `item` short: a
/// conversation, or candidates that go on for more than one turn.
pub fn needs_flatten(item: &Item, x: usize, y: usize) -> bool {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    candidate_turns(item, &item.candidates[x], &mut a);
    candidate_turns(item, &item.candidates[y], &mut b);
    let n = prompt_len(&a, &b);
    !is_single_turn(&a[..n], &a[n..], &b[n..])
}

/// Writes one line per judgement. Plain `trl` without `flatten` expects
/// [`items_needing_flatten`] to have come back empty; any pair that is not single-turn is then
/// written flattened rather than cut short.
pub fn write_pairs<W: Write>(w: &mut W, spec: &PairRows<'_>) -> serde_json::Result<()> {
    let agg = spec.agg;
    let rows = |pairs: &[Judged], out: &mut Vec<u8>| format_pairs(out, pairs, spec);
    // Rows are formatted in chunks on all cores and written in order: a million rows are
    // most of a second of formatting. A bounded queue keeps the formatters at most a few
    // chunks ahead of the writer.
    const CHUNK: usize = 8192;
    let threads = crate::par::cores();
    if threads == 1 || agg.pairs.len() <= CHUNK {
        let mut out = Vec::new();
        rows(&agg.pairs, &mut out)?;
        return w.write_all(&out).map_err(serde_json::Error::io);
    }
    let chunks: Vec<&[Judged]> = agg.pairs.chunks(CHUNK).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    // Written buffers go back to the formatters: fresh ones would be fresh memory from the
    // system each time (a page fault per 4 KB, 700 MB of them for a million rows).
    let spare: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::default();
    let spare = &spare;
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel(threads * 2);
        for _ in 0..threads {
            let (tx, next, chunks, rows) = (tx.clone(), &next, &chunks, &rows);
            s.spawn(move || {
                loop {
                    let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(pairs) = chunks.get(k) else { break };
                    let mut out = spare
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .pop()
                        .unwrap_or_else(|| Vec::with_capacity(pairs.len() * 512));
                    out.clear();
                    let r = rows(pairs, &mut out).map(|()| out);
                    if tx.send((k, r)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut waiting = std::collections::BTreeMap::new();
        let mut want = 0;
        let stop = |e| {
            // Nobody takes more chunks once one has failed.
            next.store(chunks.len(), std::sync::atomic::Ordering::Relaxed);
            Err(e)
        };
        for (k, r) in rx {
            waiting.insert(k, r);
            while let Some(r) = waiting.remove(&want) {
                match r {
                    Ok(out) => {
                        if let Err(e) = w.write_all(&out) {
                            return stop(serde_json::Error::io(e));
                        }
                        spare
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner)
                            .push(out);
                    }
                    Err(e) => return stop(e),
                }
                want += 1;
            }
        }
        Ok(())
    })
}

/// What pair rows are made of, and how they are written.
pub struct PairRows<'a> {
    pub format: PairFormat,
    pub flatten: bool,
    pub items: &'a [Arc<Item>],
    pub agg: &'a Aggregated,
    /// Annotator names, by index.
    pub names: &'a [String],
    pub cols: Columns,
    pub notes: &'a Notes<'a>,
}

/// Appends the rows of `pairs` to `w`.
fn format_pairs(w: &mut Vec<u8>, pairs: &[Judged], spec: &PairRows<'_>) -> serde_json::Result<()> {
    let PairRows {
        format,
        flatten,
        items,
        agg,
        names,
        cols,
        notes,
    } = *spec;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut line = Vec::new();
    let mut escaped = EscapedTurns::default();
    for p in pairs {
        let item = &items[p.item as usize];
        let (ch, rj) = (
            &item.candidates[p.chosen as usize],
            &item.candidates[p.rejected as usize],
        );
        candidate_turns(item, ch, &mut a);
        candidate_turns(item, rj, &mut b);
        let n = prompt_len(&a, &b);
        let voters = &agg.voters[p.voters.start as usize..p.voters.end as usize];
        let tie = !p.pref.is_strict();
        let meta = cols.meta;
        macro_rules! row {
            ($prompt:expr, $chosen:expr, $rejected:expr) => {
                Row {
                    prompt: $prompt,
                    chosen: Some($chosen),
                    rejected: Some($rejected),
                    margin: cols.margin.then(|| p.margin.unwrap_or(0.0)),
                    tie: cols.tie.then_some(tie),
                    both_bad: cols.both_bad.then_some(p.pref == Pref::BothBad),
                    annotator: cols.annotator.then(|| names[voters[0] as usize].as_str()),
                    confidence: p.confidence,
                    item: meta.then_some(item.id.as_str()),
                    chosen_id: meta.then_some(ch.id.as_str()),
                    rejected_id: meta.then_some(rj.id.as_str()),
                    chosen_model: meta.then(|| model(ch)),
                    rejected_model: meta.then(|| model(rj)),
                    annotators: meta.then_some(Names { names, idx: voters }),
                    agreement: meta.then(|| p.agreement()),
                    chosen_flags: meta.then(|| notes.flags(p.item as usize, voters, &ch.id)),
                    rejected_flags: meta.then(|| notes.flags(p.item as usize, voters, &rj.id)),
                    rationales: meta
                        .then(|| notes.rationales(p.item as usize, voters, &ch.id, &rj.id)),
                    sort: meta.then(|| notes.sort_origin(p.item as usize, voters, &ch.id, &rj.id)),
                    chosen_edited_from: meta.then(|| super::edits::edited_from(ch)),
                    rejected_edited_from: meta.then(|| super::edits::edited_from(rj)),
                }
            };
        }
        match format {
            PairFormat::TrlChat => {
                serde_json::to_writer(&mut *w, &row!(Some(&a[..n]), &a[n..], &b[n..]))?
            }
            // The three text columns are escaped straight into the line; the columns after
            // them are serialised as an object of their own and spliced on.
            PairFormat::Trl => {
                line.clear();
                let (prompt, answer) = if !flatten && is_single_turn(&a[..n], &a[n..], &b[n..]) {
                    (Render::Text, Render::Text)
                } else {
                    (Render::HhPrompt, Render::HhAnswer)
                };
                line.extend_from_slice(b"{\"prompt\":\"");
                escaped.put(&mut line, prompt, &a[..n]);
                line.extend_from_slice(b"\",\"chosen\":\"");
                escaped.put(&mut line, answer, &a[n..]);
                line.extend_from_slice(b"\",\"rejected\":\"");
                escaped.put(&mut line, answer, &b[n..]);
                line.push(b'"');
                let rest: Row<&str, &str> = Row {
                    chosen: None,
                    rejected: None,
                    ..row!(None, "", "")
                };
                let at = line.len();
                serde_json::to_writer(&mut line, &rest)?;
                // `{}` when no other column is asked for, else `{"margin":...}`.
                if line.len() == at + 2 {
                    line.truncate(at);
                } else {
                    line[at] = b',';
                    line.pop();
                }
                line.extend_from_slice(b"}\n");
                w.extend_from_slice(&line);
                continue;
            }
            PairFormat::Hh => {
                serde_json::to_writer(&mut *w, &row!(None::<&str>, Text(Hh(&a)), Text(Hh(&b))))?
            }
        }
        w.push(b'\n');
    }
    Ok(())
}

#[derive(Serialize)]
struct CandidateOut<'a> {
    id: &'a str,
    text: &'a str,
    model: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    messages: Option<&'a [crate::format::Message]>,
}

fn candidates_out(item: &Item) -> Vec<CandidateOut<'_>> {
    item.candidates
        .iter()
        .map(|c| CandidateOut {
            id: &c.id,
            text: &c.text,
            model: model(c),
            messages: c.messages.as_deref(),
        })
        .collect()
}

fn item_turns(item: &Item) -> Vec<Turn<'_>> {
    match (&item.messages, &item.prompt) {
        (Some(m), _) if !m.is_empty() => m
            .iter()
            .map(|m| Turn {
                role: &m.role,
                content: &m.content,
            })
            .collect(),
        (_, Some(p)) => vec![Turn {
            role: "user",
            content: p,
        }],
        _ => Vec::new(),
    }
}

/// Tiers best first from aggregated pairs (Copeland: wins minus losses, equal scores share a
/// tier, file order within a tier). Only candidates that appear in some pair are ranked.
pub fn consensus_ranking<'a>(item: &'a Item, pairs: &[Judged]) -> Vec<Vec<&'a str>> {
    let n = item.candidates.len();
    let mut score = vec![0i64; n];
    let mut seen = vec![false; n];
    for p in pairs {
        seen[p.chosen as usize] = true;
        seen[p.rejected as usize] = true;
        if p.pref.is_strict() {
            score[p.chosen as usize] += 1;
            score[p.rejected as usize] -= 1;
        }
    }
    let mut order: Vec<usize> = (0..n).filter(|&i| seen[i]).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(score[i]), i));
    let mut tiers: Vec<Vec<&str>> = Vec::new();
    let mut last = None;
    for i in order {
        if last == Some(score[i]) {
            if let Some(t) = tiers.last_mut() {
                t.push(&item.candidates[i].id);
            }
        } else {
            tiers.push(vec![&item.candidates[i].id]);
        }
        last = Some(score[i]);
    }
    tiers
}

/// Tiers best first by Tideman's ranked pairs over aggregated pairs: each strict majority is an
/// edge winner -> loser, taken strongest first (more annotators for it, then fewer not for it,
/// then file order) and locked unless it would close a cycle with the edges locked before it;
/// the order is the locked graph's layers (a tier holds the candidates nothing still unplaced
/// beats), so candidates no locked majority separates share a place. Only candidates that
/// appear in some pair are ranked.
pub fn ranked_pairs<'a>(item: &'a Item, pairs: &[Judged]) -> Vec<Vec<&'a str>> {
    let n = item.candidates.len();
    let mut seen = vec![false; n];
    let mut edges: Vec<(u32, u32, usize, usize)> = Vec::new();
    for p in pairs {
        seen[p.chosen as usize] = true;
        seen[p.rejected as usize] = true;
        if p.pref.is_strict() {
            let (w, l) = (p.chosen as usize, p.rejected as usize);
            edges.push((p.agree, p.judged_by - p.agree, w, l));
        }
    }
    edges.sort_by_key(|&(agree, against, w, l)| (std::cmp::Reverse(agree), against, w, l));
    let mut beats = vec![vec![false; n]; n];
    let reaches = |beats: &[Vec<bool>], from: usize, to: usize| {
        let mut stack = vec![from];
        let mut seen = vec![false; n];
        while let Some(x) = stack.pop() {
            if x == to {
                return true;
            }
            if !std::mem::replace(&mut seen[x], true) {
                stack.extend((0..n).filter(|&y| beats[x][y]));
            }
        }
        false
    };
    for &(_, _, w, l) in &edges {
        if !reaches(&beats, l, w) {
            beats[w][l] = true;
        }
    }
    let mut left: Vec<usize> = (0..n).filter(|&i| seen[i]).collect();
    let mut tiers = Vec::new();
    while !left.is_empty() {
        let top: Vec<usize> = left
            .iter()
            .copied()
            .filter(|&c| !left.iter().any(|&o| beats[o][c]))
            .collect();
        left.retain(|c| !top.contains(c));
        tiers.push(
            top.iter()
                .map(|&c| item.candidates[c].id.as_str())
                .collect(),
        );
    }
    tiers
}

/// Pair formats with `--aggregate consensus`: each item's order by [`ranked_pairs`] over its
/// aggregated pairs, turned back into pairs: every candidate of a tier over every candidate of
/// each tier below. A pair keeps the voters and counts of its own majority when it has one
/// (`agree` and the margin only when that majority says the same as the order); a pair the
/// order implies without a majority of its own has no voters. Same order as the input: item,
/// then pair.
pub fn consensus_pairs(items: &[Arc<Item>], pairs: &[Judged]) -> Vec<Judged> {
    let mut out = Vec::new();
    for group in pairs.chunk_by(|a, b| a.item == b.item) {
        let item = &items[group[0].item as usize];
        let tiers: Vec<Vec<u32>> = ranked_pairs(item, group)
            .iter()
            .map(|t| {
                t.iter()
                    .filter_map(|id| item.candidate_index(id).map(|i| i as u32))
                    .collect()
            })
            .collect();
        let mut these = Vec::new();
        for (i, tier) in tiers.iter().enumerate() {
            for &c in tier {
                for &d in tiers[i + 1..].iter().flatten() {
                    let (lo, hi) = (c.min(d), c.max(d));
                    let own = group
                        .iter()
                        .find(|p| (p.chosen.min(p.rejected), p.chosen.max(p.rejected)) == (lo, hi));
                    let same = own.filter(|p| p.pref.is_strict() && p.chosen == c);
                    these.push(Judged {
                        item: group[0].item,
                        chosen: c,
                        rejected: d,
                        pref: if c == lo { Pref::Lo } else { Pref::Hi },
                        margin: same.and_then(|p| p.margin),
                        voters: own.map_or(0..0, |p| p.voters.clone()),
                        judged_by: own.map_or(0, |p| p.judged_by),
                        agree: same.map_or(0, |p| p.agree),
                        confidence: None,
                    });
                }
            }
        }
        these.sort_by_key(|p| (p.chosen.min(p.rejected), p.chosen.max(p.rejected)));
        out.extend(these);
    }
    out
}

#[derive(Serialize)]
struct RankingRow<'a> {
    item: &'a str,
    prompt: String,
    messages: Vec<Turn<'a>>,
    candidates: Vec<CandidateOut<'a>>,
    ranking: Vec<Vec<&'a str>>,
    /// Items with best-worst decisions: each shown candidate's best-worst score.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    best_worst: Vec<BestWorstScore<'a>>,
    decisions: Vec<&'a crate::labels::Event>,
}

/// A candidate's best-worst score over the decisions of an item: picked best minus picked
/// worst, over the times shown (-1 to 1).
#[derive(Debug, Serialize, PartialEq)]
pub struct BestWorstScore<'a> {
    pub id: &'a str,
    pub shown: u32,
    pub best: u32,
    pub worst: u32,
    pub score: f64,
}

/// The best-worst scores of an item's candidates over its best-worst decisions (adjudicators'
/// left out), in the item's candidate order; candidates never shown are left out.
pub fn best_worst_scores<'a>(item: &'a Item, decisions: &[Decided]) -> Vec<BestWorstScore<'a>> {
    let mut counts = vec![(0u32, 0u32, 0u32); item.candidates.len()];
    for d in decisions.iter().filter(|d| !d.is_adjudicator()) {
        let e = &d.event;
        if e.task != crate::labels::TaskKind::BestWorst {
            continue;
        }
        for c in e
            .shown
            .iter()
            .flatten()
            .filter_map(|id| item.candidate_index(id))
        {
            let id = item.candidates[c].id.as_str();
            counts[c].0 += 1;
            counts[c].1 += u32::from(e.best.as_deref() == Some(id));
            counts[c].2 += u32::from(e.worst.as_deref() == Some(id));
        }
    }
    item.candidates
        .iter()
        .zip(counts)
        .filter(|(_, c)| c.0 > 0)
        .map(|(cand, (shown, best, worst))| BestWorstScore {
            id: &cand.id,
            shown,
            best,
            worst,
            score: (f64::from(best) - f64::from(worst)) / f64::from(shown),
        })
        .collect()
}

/// How many lines an export in `format` writes (pair formats: one per aggregated pair;
/// rankings: one per item with decisions; ratings: one per item with rate decisions).
pub fn lines_to_write(
    format: super::ExportFormat,
    decisions: &[Decided],
    agg: &Aggregated,
) -> usize {
    use super::ExportFormat::{Rankings, Ratings};
    let items = |keep: &dyn Fn(&Decided) -> bool| {
        decisions
            .chunk_by(|x, y| x.item == y.item)
            .filter(|g| g[0].item.is_some() && g.iter().any(keep))
            .count()
    };
    match format {
        Rankings => items(&|_| true),
        Ratings => items(&|d| d.event.ratings.is_some()),
        _ => agg.pairs.len(),
    }
}

/// One line per item with decisions: the consensus ranking of the aggregated pairs, and every
/// standing decision as it is in the log. Returns the number of lines, and how many of them
/// have an empty ranking (the annotators split on every pair).
pub fn write_rankings<W: Write>(
    w: &mut W,
    items: &[Arc<Item>],
    decisions: &[Decided],
    agg: &Aggregated,
    consensus: bool,
) -> serde_json::Result<(usize, usize)> {
    let mut lines = 0;
    let mut empty = 0;
    let mut pi = 0;
    for group in decisions.chunk_by(|x, y| x.item == y.item) {
        let Some(i) = group[0].item else { continue };
        let item = &items[i];
        while pi < agg.pairs.len() && (agg.pairs[pi].item as usize) < i {
            pi += 1;
        }
        let from = pi;
        while pi < agg.pairs.len() && agg.pairs[pi].item as usize == i {
            pi += 1;
        }
        let row = RankingRow {
            item: &item.id,
            prompt: item.prompt_text(),
            messages: item_turns(item),
            candidates: candidates_out(item),
            ranking: if consensus {
                ranked_pairs(item, &agg.pairs[from..pi])
            } else {
                consensus_ranking(item, &agg.pairs[from..pi])
            },
            best_worst: best_worst_scores(item, group),
            decisions: group.iter().map(|d| &d.event).collect(),
        };
        empty += usize::from(row.ranking.is_empty());
        serde_json::to_writer(&mut *w, &row)?;
        w.write_all(b"\n").map_err(serde_json::Error::io)?;
        lines += 1;
    }
    Ok((lines, empty))
}

#[derive(Serialize)]
struct Rating<'a> {
    annotator: &'a str,
    rating: u32,
    /// The top of the scale this rating was made on (1..scale).
    scale: u32,
}

#[derive(Serialize)]
struct RatedCandidate<'a> {
    id: &'a str,
    text: &'a str,
    model: Option<&'a str>,
    mean: Option<f64>,
    ratings: Vec<Rating<'a>>,
}

#[derive(Serialize)]
struct RatingRow<'a> {
    item: &'a str,
    prompt: String,
    messages: Vec<Turn<'a>>,
    scale: u32,
    candidates: Vec<RatedCandidate<'a>>,
}

/// What [`write_ratings`] wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RatingsWritten {
    pub lines: usize,
    /// Items whose ratings were made on more than one scale: their means are on the largest,
    /// each rating placed at the same point of it.
    pub mixed_scales: usize,
}

/// One line per item with rate decisions: each candidate's ratings by annotator, each with the
/// scale it was made on, and their mean (with `adjudicated`, the adjudicators' mean where they
/// rated). The row's `scale` is the largest of its ratings'; a mean over ratings on different
/// scales is taken on it.
pub fn write_ratings<W: Write>(
    w: &mut W,
    items: &[Arc<Item>],
    decisions: &[Decided],
    names: &[String],
    mode: Aggregate,
) -> serde_json::Result<RatingsWritten> {
    let mut out = RatingsWritten::default();
    let scale_of = |d: &Decided| crate::rating_scale::of(&d.event);
    for group in decisions.chunk_by(|x, y| x.item == y.item) {
        let Some(i) = group[0].item else { continue };
        let rated: Vec<&Decided> = group.iter().filter(|d| d.event.ratings.is_some()).collect();
        if rated.is_empty() {
            continue;
        }
        let top = rated.iter().map(|d| scale_of(d)).max().unwrap_or(5);
        if rated.iter().any(|d| scale_of(d) != top) {
            out.mixed_scales += 1;
        }
        let item = &items[i];
        let candidates = item
            .candidates
            .iter()
            .map(|c| {
                let mut ratings = Vec::new();
                let (mut sum, mut n, mut adj_sum, mut adj_n) = (0f64, 0u64, 0f64, 0u64);
                for d in &rated {
                    if let Some(&r) = d.event.ratings.as_ref().and_then(|m| m.get(&c.id)) {
                        ratings.push(Rating {
                            annotator: &names[d.annotator as usize],
                            rating: r,
                            scale: scale_of(d),
                        });
                        let x = crate::rating_scale::on_scale(r, scale_of(d), top);
                        sum += x;
                        n += 1;
                        if d.is_adjudicator() {
                            adj_sum += x;
                            adj_n += 1;
                        }
                    }
                }
                let mean = if mode == Aggregate::Adjudicated && adj_n > 0 {
                    Some(adj_sum / adj_n as f64)
                } else {
                    (n > 0).then(|| sum / n as f64)
                };
                RatedCandidate {
                    id: &c.id,
                    text: &c.text,
                    model: model(c),
                    mean,
                    ratings,
                }
            })
            .collect();
        let row = RatingRow {
            item: &item.id,
            prompt: item.prompt_text(),
            messages: item_turns(item),
            scale: top,
            candidates,
        };
        serde_json::to_writer(&mut *w, &row)?;
        w.write_all(b"\n").map_err(serde_json::Error::io)?;
        out.lines += 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 30,000 pairs over 100 items, several chunks' worth.
    fn many_pairs() -> (Vec<Arc<Item>>, Aggregated) {
        let mut text = String::new();
        for i in 0..100 {
            text.push_str(&format!(
                r#"{{"id":"q{i}","prompt":"p{i} \"x\"","candidates":["a{i}","b{i}\n","c{i} é"]}}"#
            ));
            text.push('\n');
        }
        let ds =
            crate::format::load_bytes(std::path::Path::new("x.jsonl"), text.as_bytes()).unwrap();
        let mut agg = Aggregated {
            pairs: Vec::new(),
            voters: vec![0, 1],
            ..Aggregated::default()
        };
        for k in 0..30_000u32 {
            agg.pairs.push(Judged {
                confidence: None,
                item: k % 100,
                chosen: k % 3,
                rejected: (k + 1) % 3,
                pref: [Pref::Lo, Pref::Tie, Pref::BothBad][(k % 3) as usize],
                margin: Some(f64::from(k)),
                voters: 0..1 + k % 2,
                judged_by: 2,
                agree: 1,
            });
        }
        (ds.items, agg)
    }

    #[test]
    fn rows_formatted_on_all_cores_come_out_as_one_thread_writes_them() {
        let (items, agg) = many_pairs();
        let names = vec!["ann".to_string(), "bob".to_string()];
        let cols = Columns {
            margin: true,
            tie: true,
            both_bad: true,
            annotator: true,
            meta: true,
        };
        let notes = Notes::default();
        for (format, flatten) in [
            (PairFormat::Trl, false),
            (PairFormat::Trl, true),
            (PairFormat::TrlChat, false),
            (PairFormat::Hh, false),
        ] {
            let spec = PairRows {
                format,
                flatten,
                items: &items,
                agg: &agg,
                names: &names,
                cols,
                notes: &notes,
            };
            let mut all = Vec::new();
            write_pairs(&mut all, &spec).unwrap();
            let mut one = Vec::new();
            format_pairs(&mut one, &agg.pairs, &spec).unwrap();
            assert_eq!(all, one);
            let text = String::from_utf8(all).unwrap();
            assert_eq!(text.lines().count(), 30_000);
            // In order: row k is about item k % 100.
            let last = text.lines().last().unwrap();
            assert!(last.contains("p99"), "{last}");
        }
    }

    #[test]
    fn a_failed_write_stops_the_formatters_and_is_reported() {
        struct Full(usize);
        impl Write for Full {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                if self.0 < buf.len() {
                    return Err(std::io::Error::other("disk full"));
                }
                self.0 -= buf.len();
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let (items, agg) = many_pairs();
        let names = vec!["ann".to_string(), "bob".to_string()];
        let cols = Columns {
            margin: false,
            tie: false,
            both_bad: false,
            annotator: false,
            meta: false,
        };
        let mut w = Full(1 << 20);
        let spec = PairRows {
            format: PairFormat::Trl,
            flatten: false,
            items: &items,
            agg: &agg,
            names: &names,
            cols,
            notes: &Notes::default(),
        };
        let e = write_pairs(&mut w, &spec).unwrap_err();
        assert!(e.to_string().contains("disk full"), "{e}");
    }

    fn msgs(turns: &[(&str, &str)]) -> Vec<crate::format::Message> {
        turns
            .iter()
            .map(|&(role, content)| crate::format::Message {
                role: role.into(),
                content: content.into(),
            })
            .collect()
    }

    fn cand(text: &str, messages: Option<&[(&str, &str)]>) -> Candidate {
        Candidate {
            id: text.into(),
            text: text.into(),
            messages: messages.map(msgs),
            metadata: None,
        }
    }

    fn turns<'a>(item: &'a Item, c: &'a Candidate) -> Vec<(&'a str, &'a str)> {
        let mut out = Vec::new();
        candidate_turns(item, c, &mut out);
        out.iter().map(|t| (t.role, t.content)).collect()
    }

    #[test]
    fn a_candidates_turns_are_its_own_conversation_or_the_items_and_then_its_answer() {
        let item = Item {
            prompt: Some("p".into()),
            messages: Some(msgs(&[("system", "s"), ("user", "q")])),
            ..Item::default()
        };
        // No conversation of its own: the item's, then the answer.
        let plain = cand("a", None);
        assert_eq!(
            turns(&item, &plain),
            [("system", "s"), ("user", "q"), ("assistant", "a")]
        );
        // Its own conversation, ending with its answer: as it is.
        let own = cand("b", Some(&[("user", "r"), ("assistant", "b")]));
        assert_eq!(turns(&item, &own), [("user", "r"), ("assistant", "b")]);
        // Its own conversation, not ending with an answer: the answer added.
        let asked = cand("c", Some(&[("user", "r")]));
        assert_eq!(turns(&item, &asked), [("user", "r"), ("assistant", "c")]);
        // An empty conversation of its own counts as none.
        let empty = cand("d", Some(&[]));
        assert_eq!(
            turns(&item, &empty),
            [("system", "s"), ("user", "q"), ("assistant", "d")]
        );
        // An item whose conversation is empty: its prompt, as the user's turn.
        let bare = Item {
            prompt: Some("p".into()),
            messages: Some(Vec::new()),
            ..Item::default()
        };
        assert_eq!(turns(&bare, &plain), [("user", "p"), ("assistant", "a")]);
        // The item's conversation ending with an assistant turn: the answer still follows.
        let answered = Item {
            messages: Some(msgs(&[("user", "q"), ("assistant", "x")])),
            ..Item::default()
        };
        assert_eq!(
            turns(&answered, &plain),
            [("user", "q"), ("assistant", "x"), ("assistant", "a")]
        );
    }

    #[test]
    fn the_shared_prompt_is_the_common_turns_up_to_the_last_user_turn() {
        let (s, q) = (("system", "s"), ("user", "q"));
        // Two answers to one question: the system and user turns.
        let a = t(&[s, q, ("assistant", "A")]);
        let b = t(&[s, q, ("assistant", "B")]);
        assert_eq!(prompt_len(&a, &b), 2);
        // Conversations that go on alike past the question and part later: cut back to the
        // last user turn they share, so the prompt ends with the user.
        let a = t(&[q, ("assistant", "x"), ("user", "r"), ("assistant", "A")]);
        let b = t(&[q, ("assistant", "x"), ("user", "r2"), ("assistant", "B")]);
        assert_eq!(prompt_len(&a, &b), 1);
        // The same conversation twice (kto's one answer): all but its last turn.
        let a = t(&[q, ("assistant", "A")]);
        assert_eq!(prompt_len(&a, &a), 1);
        // Nothing shared before a user turn: no prompt.
        let a = t(&[("assistant", "x"), ("assistant", "A")]);
        let b = t(&[("assistant", "x"), ("assistant", "B")]);
        assert_eq!(prompt_len(&a, &b), 0);
    }

    fn t(turns: &[(&'static str, &'static str)]) -> Vec<Turn<'static>> {
        turns
            .iter()
            .map(|&(role, content)| Turn { role, content })
            .collect()
    }

    #[test]
    fn a_pair_is_single_turn_when_one_user_turn_is_answered_by_one_assistant_turn_each() {
        let (q, a, b) = (
            t(&[("user", "q")]),
            t(&[("assistant", "a")]),
            t(&[("assistant", "b")]),
        );
        assert!(is_single_turn(&q, &a, &b));
        assert!(!is_single_turn(&t(&[("system", "s")]), &a, &b));
        assert!(!is_single_turn(
            &t(&[("system", "s"), ("user", "q")]),
            &a,
            &b
        ));
        assert!(!is_single_turn(
            &q,
            &t(&[("assistant", "a"), ("user", "r")]),
            &b
        ));
        assert!(!is_single_turn(&q, &a, &t(&[("user", "b")])));
    }

    #[test]
    fn flattened_text_is_hh_with_a_system_turn_opening_the_first_human_turn() {
        let single = text_pair(&t(&[("user", "q")]), &t(&[("assistant", "b")]));
        assert_eq!(single, ("q".to_string(), "b".to_string()));
        // A system turn opens the Human turn, the user's text after a blank line.
        let prompt = t(&[
            ("system", "s"),
            ("user", "q"),
            ("assistant", "a"),
            ("user", "r"),
        ]);
        assert_eq!(
            text_pair(&prompt, &t(&[("assistant", "b")])),
            (
                "\n\nHuman: s\n\nq\n\nAssistant: a\n\nHuman: r\n\nAssistant:".to_string(),
                " b".to_string()
            )
        );
        // A system turn with no user turn after it is a Human turn of its own.
        assert_eq!(
            text_pair(&t(&[("system", "s")]), &t(&[("assistant", "b")])),
            ("\n\nHuman: s\n\nAssistant:".to_string(), " b".to_string())
        );
        // An answer that goes on: its first turn continues the prompt's `Assistant:`.
        assert_eq!(
            text_pair(
                &t(&[("user", "q")]),
                &t(&[("assistant", "b"), ("user", "r"), ("assistant", "c")])
            ),
            (
                "\n\nHuman: q\n\nAssistant:".to_string(),
                " b\n\nHuman: r\n\nAssistant: c".to_string()
            )
        );
        // An answer that does not start with the assistant: every turn labelled, other roles
        // by their own name.
        assert_eq!(
            text_pair(
                &t(&[("user", "q")]),
                &t(&[("tool", "x"), ("assistant", "b")])
            )
            .1,
            "\n\ntool: x\n\nAssistant: b"
        );
    }

    /// `trl` rows of `pairs` ((item, chosen, rejected)), no optional column.
    fn trl_rows(items: &[Arc<Item>], pairs: &[(u32, u32, u32)], flatten: bool) -> Vec<String> {
        let agg = Aggregated {
            pairs: pairs
                .iter()
                .map(|&(item, chosen, rejected)| Judged {
                    item,
                    chosen,
                    rejected,
                    pref: Pref::Lo,
                    margin: None,
                    voters: 0..0,
                    judged_by: 1,
                    agree: 1,
                    confidence: None,
                })
                .collect(),
            ..Aggregated::default()
        };
        let spec = PairRows {
            format: PairFormat::Trl,
            flatten,
            items,
            agg: &agg,
            names: &[],
            cols: Columns::default(),
            notes: &Notes::default(),
        };
        let mut out = Vec::new();
        write_pairs(&mut out, &spec).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(String::from)
            .collect()
    }

    #[test]
    fn trl_rows_are_escaped_text_and_a_remembered_text_is_written_only_for_its_own_turns() {
        // Item 0: three answers, each in two rows, the prompt in every row. Item 1: answer y
        // has its own conversation, so its pair is flattened while the pair (x, z) is not,
        // with the same prompt turn; y's pairs with w (whose conversation goes on alike) and
        // with x share three turns and one of y's own.
        let item0 = Item {
            id: "q0".into(),
            prompt: Some("say \"hi\"".into()),
            candidates: vec![cand("A\n", None), cand("B", None), cand("C", None)],
            ..Item::default()
        };
        let own = [
            ("user", "p"),
            ("assistant", "Y0"),
            ("user", "more"),
            ("assistant", "Y"),
        ];
        let other = [
            ("user", "p"),
            ("assistant", "Y0"),
            ("user", "more"),
            ("assistant", "W"),
        ];
        let item1 = Item {
            id: "q1".into(),
            prompt: Some("p".into()),
            candidates: vec![
                cand("X", None),
                cand("Y", Some(&own)),
                cand("Z", None),
                cand("W", Some(&other)),
            ],
            ..Item::default()
        };
        let items = [Arc::new(item0), Arc::new(item1)];
        let pairs = [
            (0, 0, 1),
            (0, 2, 0),
            (0, 1, 2),
            (1, 0, 2),
            (1, 0, 1),
            (1, 1, 3),
            (1, 1, 0),
        ];
        assert_eq!(
            trl_rows(&items, &pairs, false),
            [
                r#"{"prompt":"say \"hi\"","chosen":"A\n","rejected":"B"}"#,
                r#"{"prompt":"say \"hi\"","chosen":"C","rejected":"A\n"}"#,
                r#"{"prompt":"say \"hi\"","chosen":"B","rejected":"C"}"#,
                r#"{"prompt":"p","chosen":"X","rejected":"Z"}"#,
                r#"{"prompt":"\n\nHuman: p\n\nAssistant:","chosen":" X","rejected":" Y0\n\nHuman: more\n\nAssistant: Y"}"#,
                r#"{"prompt":"\n\nHuman: p\n\nAssistant: Y0\n\nHuman: more\n\nAssistant:","chosen":" Y","rejected":" W"}"#,
                r#"{"prompt":"\n\nHuman: p\n\nAssistant:","chosen":" Y0\n\nHuman: more\n\nAssistant: Y","rejected":" X"}"#,
            ]
        );
        assert_eq!(
            trl_rows(&items, &pairs[..2], true),
            [
                r#"{"prompt":"\n\nHuman: say \"hi\"\n\nAssistant:","chosen":" A\n","rejected":" B"}"#,
                r#"{"prompt":"\n\nHuman: say \"hi\"\n\nAssistant:","chosen":" C","rejected":" A\n"}"#,
            ]
        );
    }

    #[test]
    fn notes_gather_the_voters_flags_sort_origin_and_rationales_of_a_pair() {
        use crate::labels::{Event, TaskKind};
        let event = |kind, pair: Option<[&str; 2]>, rationale: &str| {
            let mut e = Event::new("x", "q", None, kind);
            e.pair = pair.map(|[l, r]| [l.into(), r.into()]);
            e.rationale = Some(rationale.into());
            e
        };
        let flags = |f: &[(&str, &[&str])]| {
            Some(
                f.iter()
                    .map(|(c, v)| (c.to_string(), v.iter().map(|s| s.to_string()).collect()))
                    .collect(),
            )
        };
        // Voter 0 judged the pair (c0, c1) of item 0 and flagged both; voter 1 ranked the
        // item in sort mode, asked about (c1, c2); voter 2 judged (c0, c2); voter 3's
        // rationale on (c0, c1) is blank; voter 4 ranked the item, not in sort mode; voter 0
        // flagged c0 of item 1 too.
        let mut d0 = event(TaskKind::Pair, Some(["c0", "c1"]), "because");
        d0.flags = flags(&[("c0", &["toxic", "long"]), ("c1", &["long"])]);
        let mut d1 = event(TaskKind::Rank, None, "rank reason");
        d1.via = Some(crate::labels::VIA_SORT.into());
        d1.asked = Some(vec![["c1".into(), "c2".into()]]);
        d1.flags = flags(&[("c0", &["long", "wrong"])]);
        let d2 = event(TaskKind::Pair, Some(["c0", "c2"]), "other pair");
        let d3 = event(TaskKind::Pair, Some(["c0", "c1"]), "  ");
        let mut d4 = event(TaskKind::Pair, Some(["c0", "c1"]), "");
        d4.flags = flags(&[("c0", &["x"])]);
        let decided = |a, item, e| Decided {
            item: Some(item),
            ..Decided::new(a, e)
        };
        let decisions = [
            decided(0, 0, d0),
            decided(1, 0, d1),
            decided(2, 0, d2),
            decided(3, 0, d3),
            decided(4, 0, event(TaskKind::Rank, None, "")),
            decided(0, 1, d4),
        ];
        let notes = Notes::new(&decisions);
        let all = [0, 1, 2, 3];
        // Every voter's flags on the candidate, sorted, once each.
        assert_eq!(notes.flags(0, &all, "c0"), ["long", "toxic", "wrong"]);
        assert_eq!(notes.flags(0, &[0], "c1"), ["long"]);
        assert!(notes.flags(0, &[2], "c0").is_empty());
        assert_eq!(notes.flags(1, &[0], "c0"), ["x"]);
        // Asked in either order; inferred for another pair of the sorted item; nothing
        // without a sort mode ranking.
        assert_eq!(notes.sort_origin(0, &all, "c1", "c2"), Some("asked"));
        assert_eq!(notes.sort_origin(0, &all, "c2", "c1"), Some("asked"));
        assert_eq!(notes.sort_origin(0, &all, "c0", "c2"), Some("inferred"));
        assert_eq!(notes.sort_origin(0, &all, "c2", "c0"), Some("inferred"));
        assert_eq!(notes.sort_origin(0, &[0, 2, 3, 4], "c0", "c1"), None);
        // A pair decision on the two (in either order) and a ranking; not a blank one.
        assert_eq!(
            notes.rationales(0, &all, "c1", "c0"),
            ["because", "rank reason"]
        );
        assert_eq!(
            notes.rationales(0, &all, "c0", "c1"),
            ["because", "rank reason"]
        );
        assert_eq!(
            notes.rationales(0, &all, "c0", "c2"),
            ["rank reason", "other pair"]
        );
        assert_eq!(
            notes.rationales(0, &all, "c2", "c0"),
            ["rank reason", "other pair"]
        );
    }

    /// Best-worst decisions on q (a, b, c, d) by annotators 0-2, an adjudicator's (3) and a
    /// ranking (4) that shows every candidate.
    fn best_worst_decisions() -> Vec<Decided> {
        use crate::labels::{Event, TaskKind};
        let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let bw = |shown: &[&str], best: &str, worst: &str| {
            let mut e = Event::new("x", "q", None, TaskKind::BestWorst);
            e.shown = Some(ids(shown));
            e.best = Some(best.into());
            e.worst = Some(worst.into());
            e
        };
        let mut adjudicator = bw(&["a", "b", "c"], "c", "a");
        adjudicator.role = Some("adjudicator".into());
        let mut rank = Event::new("x", "q", None, TaskKind::Rank);
        rank.shown = Some(ids(&["a", "b", "c", "d"]));
        rank.ranking = Some(vec![ids(&["d"]), ids(&["a", "b", "c"])]);
        vec![
            Decided::new(0, bw(&["a", "b", "c"], "a", "c")),
            Decided::new(1, bw(&["c", "b", "a"], "b", "c")),
            // An id the item does not have is passed over.
            Decided::new(2, bw(&["a", "zz", "b"], "a", "b")),
            Decided::new(3, adjudicator),
            Decided::new(4, rank),
        ]
    }

    #[test]
    fn best_worst_scores_are_best_minus_worst_over_times_shown_by_annotators() {
        let item = item_of(&["a", "b", "c", "d"]);
        let score = |id, shown, best, worst, score| BestWorstScore {
            id,
            shown,
            best,
            worst,
            score,
        };
        // a: shown by 0, 1, 2, best for 0 and 2; b: shown 3 times, best once (1), worst once
        // (2); c: shown twice, worst both times; d: only ranked, so left out; the
        // adjudicator's tuple counts for nobody.
        assert_eq!(
            best_worst_scores(&item, &best_worst_decisions()),
            [
                score("a", 3, 2, 0, 2.0 / 3.0),
                score("b", 3, 1, 1, 0.0),
                score("c", 2, 0, 2, -1.0),
            ]
        );
    }

    #[test]
    fn rankings_write_a_line_per_item_with_decisions_and_count_the_empty_rankings() {
        use super::super::ExportFormat;
        use crate::labels::{Event, TaskKind};
        use serde_json::json;
        let items: Vec<Arc<Item>> = [&["a", "b", "c", "d"][..], &["a", "b"], &["a", "b"]]
            .into_iter()
            .map(|ids| Arc::new(item_of(ids)))
            .collect();
        let pair = |a: u32| {
            let mut e = Event::new("x", "q", None, TaskKind::Pair);
            e.pair = Some(["a".into(), "b".into()]);
            e.choice = Some("a".into());
            Decided::new(a, e)
        };
        let rate = || {
            let mut e = Event::new("x", "q", None, TaskKind::Rate);
            e.ratings = Some([("a".to_string(), 4)].into());
            Decided::new(2, e)
        };
        let at = |item, d: Decided| Decided { item, ..d };
        // q: the best-worst decisions; an unknown item's pair; r: two pairs, one of them in
        // the aggregate (b over a), and a rating; s: a rating, no pair.
        let mut decisions: Vec<Decided> = best_worst_decisions()
            .into_iter()
            .map(|d| at(Some(0), d))
            .collect();
        decisions.push(at(None, pair(0)));
        decisions.push(at(Some(1), pair(0)));
        decisions.push(at(Some(1), pair(1)));
        decisions.push(at(Some(1), rate()));
        decisions.push(at(Some(2), rate()));
        let agg = Aggregated {
            pairs: vec![Judged {
                item: 1,
                ..won(1, 0, 2, 2)
            }],
            ..Default::default()
        };
        let mut out = Vec::new();
        let written = write_rankings(&mut out, &items, &decisions, &agg, false).unwrap();
        assert_eq!(written, (3, 2), "three items, q and s with no pair");
        assert_eq!(lines_to_write(ExportFormat::Rankings, &decisions, &agg), 3);
        assert_eq!(lines_to_write(ExportFormat::Ratings, &decisions, &agg), 2);
        assert_eq!(lines_to_write(ExportFormat::Trl, &decisions, &agg), 1);
        let rows: Vec<serde_json::Value> = std::str::from_utf8(&out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let field = |k: &str| rows.iter().map(|r| r[k].clone()).collect::<Vec<_>>();
        assert_eq!(
            field("ranking"),
            [json!([]), json!([["b"], ["a"]]), json!([])]
        );
        assert_eq!(
            rows[0]["best_worst"][2],
            json!({"id": "c", "shown": 2, "best": 0, "worst": 2, "score": -1.0})
        );
        assert!(
            rows[1].get("best_worst").is_none(),
            "left out when no tuple was judged"
        );
        assert_eq!(
            field("decisions")
                .iter()
                .map(|d| d.as_array().unwrap().len())
                .collect::<Vec<_>>(),
            [5, 3, 1]
        );
    }

    #[test]
    fn ratings_lines_keep_each_rating_on_its_scale_and_the_mean_on_the_largest() {
        use crate::labels::{Event, TaskKind};
        use serde_json::json;
        let items: Vec<Arc<Item>> = (0..2).map(|_| Arc::new(item_of(&["a", "b"]))).collect();
        let rate = |a: u32, scale, ratings: &[(&str, u32)]| {
            let mut e = Event::new("x", "q", None, TaskKind::Rate);
            e.scale = Some(scale);
            e.ratings = Some(ratings.iter().map(|(c, r)| (c.to_string(), *r)).collect());
            Decided {
                item: Some(0),
                ..Decided::new(a, e)
            }
        };
        let adjudicator = |a, r| {
            let mut d = rate(a, 5, &[("a", r)]);
            d.event.role = Some("adjudicator".into());
            d
        };
        let mut pair = Event::new("x", "q", None, TaskKind::Pair);
        pair.pair = Some(["a".into(), "b".into()]);
        pair.choice = Some("a".into());
        // q: ann rates a 5 and b 1 of 5, bob a 3 of 9, the adjudicators rev and sam a 2 and a
        // 4 of 5, cat judges a pair; r: a pair and ann's 4 of 5 for b, all on one scale.
        let decisions = [
            rate(0, 5, &[("a", 5), ("b", 1)]),
            rate(1, 9, &[("a", 3)]),
            Decided {
                item: Some(0),
                ..Decided::new(2, pair.clone())
            },
            adjudicator(3, 2),
            adjudicator(4, 4),
            Decided {
                item: Some(1),
                ..Decided::new(0, pair)
            },
            Decided {
                item: Some(1),
                ..rate(0, 5, &[("b", 4)])
            },
        ];
        let names = ["ann", "bob", "cat", "rev", "sam"].map(String::from);
        let lines = |mode| {
            let mut out = Vec::new();
            let written = write_ratings(&mut out, &items, &decisions, &names, mode).unwrap();
            let rows: Vec<serde_json::Value> = std::str::from_utf8(&out)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            (written, rows)
        };
        let (written, rows) = lines(Aggregate::Majority);
        assert_eq!(
            written,
            RatingsWritten {
                lines: 2,
                mixed_scales: 1
            }
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["scale"], json!(9));
        assert_eq!(rows[1]["scale"], json!(5));
        assert_eq!(rows[1]["candidates"][0]["mean"], json!(null));
        assert_eq!(rows[1]["candidates"][1]["mean"], json!(4.0));
        // On 9 points: 5 of 5 is 9, 3 of 9 is 3, 2 of 5 is 3, 4 of 5 is 7; 1 of 5 is 1.
        let a = &rows[0]["candidates"][0];
        assert_eq!(a["mean"], json!(5.5));
        assert_eq!(
            a["ratings"],
            json!([
                {"annotator": "ann", "rating": 5, "scale": 5},
                {"annotator": "bob", "rating": 3, "scale": 9},
                {"annotator": "rev", "rating": 2, "scale": 5},
                {"annotator": "sam", "rating": 4, "scale": 5},
            ])
        );
        assert_eq!(rows[0]["candidates"][1]["mean"], json!(1.0));
        // Adjudicated: the adjudicator's mean where they rated, everyone's elsewhere.
        let (_, rows) = lines(Aggregate::Adjudicated);
        assert_eq!(rows[0]["candidates"][0]["mean"], json!(5.0));
        assert_eq!(rows[0]["candidates"][1]["mean"], json!(1.0));
    }

    /// An item with candidates `ids`, and a majority pair: `agree` of `judged` say `w` > `l`.
    fn item_of(ids: &[&str]) -> Item {
        let cands: Vec<serde_json::Value> = ids
            .iter()
            .map(|id| serde_json::json!({"id": id, "text": id}))
            .collect();
        crate::format::parse_item(
            serde_json::json!({"id": "q", "prompt": "p", "candidates": cands}),
            1,
        )
        .unwrap()
    }

    fn won(w: u32, l: u32, agree: u32, judged: u32) -> Judged {
        Judged {
            item: 0,
            chosen: w,
            rejected: l,
            pref: Pref::Lo,
            margin: None,
            voters: 0..0,
            judged_by: judged,
            agree,
            confidence: None,
        }
    }

    /// The textbook example (Wikipedia, "Ranked pairs": where Tennessee's capital goes):
    /// 42 voters Memphis > Nashville > Chattanooga > Knoxville, 26 Nashville > Chattanooga >
    /// Knoxville > Memphis, 15 Chattanooga > Knoxville > Nashville > Memphis, 17 Knoxville >
    /// Chattanooga > Nashville > Memphis. Majorities: C>K 83, N>C 68, N>K 68, N>M 58, C>M 58,
    /// K>M 58; none closes a cycle; Nashville wins, Memphis is last.
    #[test]
    fn ranked_pairs_gives_the_textbook_order() {
        let item = item_of(&["memphis", "nashville", "chattanooga", "knoxville"]);
        let (m, n, c, k) = (0, 1, 2, 3);
        let pairs = [
            won(n, m, 58, 100),
            won(c, m, 58, 100),
            won(k, m, 58, 100),
            won(n, c, 68, 100),
            won(n, k, 68, 100),
            won(c, k, 83, 100),
        ];
        assert_eq!(
            ranked_pairs(&item, &pairs),
            vec![
                vec!["nashville"],
                vec!["chattanooga"],
                vec!["knoxville"],
                vec!["memphis"]
            ]
        );
    }

    /// A cycle of majorities (a > b 5 of 7, b > c 5 of 7, c > a 4 of 7): the weakest, c > a,
    /// is passed over. Copeland would put all three in one tier.
    #[test]
    fn ranked_pairs_breaks_a_cycle_at_its_weakest_majority() {
        let item = item_of(&["a", "b", "c", "d"]);
        let pairs = [won(0, 1, 5, 7), won(1, 2, 5, 7), won(2, 0, 4, 7)];
        assert_eq!(
            ranked_pairs(&item, &pairs),
            vec![vec!["a"], vec!["b"], vec!["c"]]
        );
        assert_eq!(consensus_ranking(&item, &pairs), vec![vec!["a", "b", "c"]]);
        // A split pair (no majority, so no edge) leaves the two sharing a place.
        let split = [won(0, 2, 3, 3), won(1, 2, 3, 3)];
        assert_eq!(ranked_pairs(&item, &split), vec![vec!["a", "b"], vec!["c"]]);
    }

    #[test]
    fn items_needing_flatten_are_named_in_output_order_once_each() {
        let ab = || vec![cand("A", None), cand("B", None)];
        // plain: one question, plain answers; talk: a conversation of two user turns; own: B
        // goes on for more turns than the question, C does not.
        let plain = Item {
            id: "plain".into(),
            prompt: Some("q".into()),
            candidates: ab(),
            ..Item::default()
        };
        let talk = Item {
            id: "talk".into(),
            messages: Some(msgs(&[("user", "q"), ("assistant", "x"), ("user", "r")])),
            candidates: ab(),
            ..Item::default()
        };
        let own = Item {
            id: "own".into(),
            prompt: Some("q".into()),
            candidates: vec![
                cand("A", None),
                cand(
                    "B",
                    Some(&[
                        ("user", "q"),
                        ("assistant", "B0"),
                        ("user", "more"),
                        ("assistant", "B"),
                    ]),
                ),
                cand("C", None),
            ],
            ..Item::default()
        };
        let items = [plain, talk, own].map(Arc::new);
        assert!(!needs_flatten(&items[0], 0, 1));
        assert!(needs_flatten(&items[1], 1, 0));
        assert!(needs_flatten(&items[2], 0, 1));
        assert!(!needs_flatten(&items[2], 2, 0));
        let at = |item, w, l| Judged {
            item,
            ..won(w, l, 1, 1)
        };
        // talk in two pairs; own's first pair plain, its next two not.
        let pairs = [
            at(0, 0, 1),
            at(1, 0, 1),
            at(1, 1, 0),
            at(2, 0, 2),
            at(2, 0, 1),
            at(2, 1, 2),
        ];
        assert_eq!(items_needing_flatten(&items, &pairs), ["talk", "own"]);
        assert!(items_needing_flatten(&items, &pairs[..1]).is_empty());
    }

    #[test]
    fn trl_rows_splice_on_the_margin_tie_both_bad_and_annotator_columns() {
        let item = Item {
            id: "q".into(),
            prompt: Some("q".into()),
            candidates: vec![cand("A", None), cand("B", None)],
            ..Item::default()
        };
        let items = [Arc::new(item)];
        let judged = |pref, margin, voters| Judged {
            pref,
            margin,
            voters,
            ..won(0, 1, 1, 1)
        };
        // A over B by bob with a margin of 2; a tie by ann with no margin; both bad by bob.
        let agg = Aggregated {
            pairs: vec![
                judged(Pref::Lo, Some(2.0), 0..1),
                judged(Pref::Tie, None, 1..2),
                judged(Pref::BothBad, None, 0..1),
            ],
            voters: vec![1, 0],
            ..Aggregated::default()
        };
        let names = ["ann".to_string(), "bob".to_string()];
        let rows = |format| {
            let spec = PairRows {
                format,
                flatten: false,
                items: &items,
                agg: &agg,
                names: &names,
                cols: Columns {
                    margin: true,
                    tie: true,
                    both_bad: true,
                    annotator: true,
                    meta: false,
                },
                notes: &Notes::default(),
            };
            let mut out = Vec::new();
            write_pairs(&mut out, &spec).unwrap();
            String::from_utf8(out).unwrap()
        };
        assert_eq!(
            rows(PairFormat::Trl),
            concat!(
                r#"{"prompt":"q","chosen":"A","rejected":"B","margin":2.0,"tie":false,"both_bad":false,"annotator":"bob"}"#,
                "\n",
                r#"{"prompt":"q","chosen":"A","rejected":"B","margin":0.0,"tie":true,"both_bad":false,"annotator":"ann"}"#,
                "\n",
                r#"{"prompt":"q","chosen":"A","rejected":"B","margin":0.0,"tie":true,"both_bad":true,"annotator":"bob"}"#,
                "\n",
            )
        );
        let chat = rows(PairFormat::TrlChat);
        let tie: Vec<serde_json::Value> = chat
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["tie"].clone())
            .collect();
        assert_eq!(tie, [false, true, true]);
    }

    #[test]
    fn ranking_lines_carry_the_items_conversation_and_its_candidates() {
        use crate::labels::{Event, TaskKind};
        use serde_json::json;
        let mut a = cand("A", None);
        a.metadata = Some(json!({"model": "m1"}));
        let mut b = cand("B", Some(&[("user", "r"), ("assistant", "B")]));
        // A model that is not a string is no model.
        b.metadata = Some(json!({"model": 7}));
        let item = |id: &str, prompt: Option<&str>, messages: Option<&[(&str, &str)]>| {
            Arc::new(Item {
                id: id.into(),
                prompt: prompt.map(String::from),
                messages: messages.map(msgs),
                candidates: vec![a.clone(), b.clone()],
                ..Item::default()
            })
        };
        // A conversation (and a prompt); an empty conversation and a prompt; a prompt only;
        // neither.
        let items = [
            item("talk", Some("p"), Some(&[("system", "s"), ("user", "q")])),
            item("emptied", Some("p"), Some(&[])),
            item("prompt", Some("p"), None),
            item("none", None, None),
        ];
        let decisions: Vec<Decided> = (0..items.len())
            .map(|i| {
                let mut e = Event::new("x", "q", None, TaskKind::Pair);
                e.pair = Some(["A".into(), "B".into()]);
                e.choice = Some("A".into());
                Decided {
                    item: Some(i),
                    ..Decided::new(0, e)
                }
            })
            .collect();
        let mut out = Vec::new();
        write_rankings(&mut out, &items, &decisions, &Aggregated::default(), false).unwrap();
        let rows: Vec<serde_json::Value> = std::str::from_utf8(&out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let user_p = json!([{"role": "user", "content": "p"}]);
        assert_eq!(
            rows.iter()
                .map(|r| r["messages"].clone())
                .collect::<Vec<_>>(),
            [
                json!([{"role": "system", "content": "s"}, {"role": "user", "content": "q"}]),
                user_p.clone(),
                user_p,
                json!([]),
            ]
        );
        let candidates = json!([
            {"id": "A", "text": "A", "model": "m1"},
            {"id": "B", "text": "B", "model": null, "messages": [
                {"role": "user", "content": "r"}, {"role": "assistant", "content": "B"}
            ]},
        ]);
        for r in &rows {
            assert_eq!(r["candidates"], candidates);
        }
    }

    /// Item 0 (a, b, c, d): a > b 3 of 4, b > c 3 of 4, c > a 2 of 3 (passed over: it closes
    /// the cycle), c and d tied; ranked pairs gives [a, d], [b], [c]. Item 1 (x, y): y > x.
    #[test]
    fn consensus_pairs_are_the_ranked_pairs_order_with_each_pairs_own_majority() {
        let items = [
            Arc::new(item_of(&["a", "b", "c", "d"])),
            Arc::new(item_of(&["x", "y"])),
        ];
        let j = |item, chosen, rejected, pref, margin, voters, judged_by, agree| Judged {
            item,
            chosen,
            rejected,
            pref,
            margin,
            voters,
            judged_by,
            agree,
            confidence: None,
        };
        let pairs = [
            j(0, 0, 1, Pref::Lo, Some(2.0), 0..4, 4, 3),
            j(0, 2, 0, Pref::Hi, Some(0.5), 8..11, 3, 2),
            j(0, 1, 2, Pref::Lo, Some(1.0), 4..8, 4, 3),
            j(0, 2, 3, Pref::Tie, None, 11..13, 2, 2),
            j(1, 1, 0, Pref::Hi, None, 13..14, 1, 1),
        ];
        assert_eq!(
            ranked_pairs(&items[0], &pairs[..4]),
            vec![vec!["a", "d"], vec!["b"], vec!["c"]]
        );
        assert_eq!(
            consensus_pairs(&items, &pairs),
            [
                // Its own majority, as it was.
                j(0, 0, 1, Pref::Lo, Some(2.0), 0..4, 4, 3),
                // Against its own majority: its voters, none of them agreeing, no margin.
                j(0, 0, 2, Pref::Lo, None, 8..11, 3, 0),
                j(0, 1, 2, Pref::Lo, Some(1.0), 4..8, 4, 3),
                // Implied, no pair of its own: nobody.
                j(0, 3, 1, Pref::Hi, None, 0..0, 0, 0),
                // A tie of its own: its voters, none agreeing.
                j(0, 3, 2, Pref::Hi, None, 11..13, 2, 0),
                j(1, 1, 0, Pref::Hi, None, 13..14, 1, 1),
            ]
        );
    }

    /// Copeland: a beats b and c and loses to d, so wins minus losses puts it level with d (1)
    /// and above e (0: a tie with a), which is above b and c (-1); f is in no pair.
    #[test]
    fn consensus_ranking_orders_by_wins_minus_losses_ties_counting_for_neither() {
        let item = item_of(&["a", "b", "c", "d", "e", "f"]);
        let tie = Judged {
            pref: Pref::Tie,
            ..won(0, 4, 1, 1)
        };
        let pairs = [won(0, 1, 1, 1), won(0, 2, 1, 1), won(3, 0, 1, 1), tie];
        assert_eq!(
            consensus_ranking(&item, &pairs),
            vec![vec!["a", "d"], vec!["e"], vec!["b", "c"]]
        );
    }

    /// A cycle of majorities of 3 each: c > a with nobody against, a > b with one, b > c with
    /// two (of 3, 4 and 5 who judged). The one with the most against, b > c, is passed over,
    /// whatever the file order (which alone would pass over c > a).
    #[test]
    fn ranked_pairs_takes_equal_majorities_with_fewer_against_first() {
        let item = item_of(&["a", "b", "c"]);
        let pairs = [won(0, 1, 3, 4), won(1, 2, 3, 5), won(2, 0, 3, 3)];
        assert_eq!(
            ranked_pairs(&item, &pairs),
            vec![vec!["c"], vec!["a"], vec!["b"]]
        );
    }
}
