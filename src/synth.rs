//! Synthetic candidate sets and labels logs of any size, for benchmarks (`prefer synth`, a
//! hidden subcommand). Deterministic for a seed. The text looks like what labelers see:
//! markdown with headings, lists and code blocks, CJK and emoji, answers from one line to
//! tens of thousands of characters, 2 to 9 candidates, some multi-turn conversations.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use serde_json::json;

use crate::labels::{Event, TaskKey, TaskKind};

#[derive(Debug, Args)]
pub struct SynthArgs {
    #[command(subcommand)]
    pub what: SynthCommand,
}

#[derive(Debug, Subcommand)]
pub enum SynthCommand {
    /// A candidate set (JSON Lines) of about --bytes bytes (or exactly --items items).
    Candidates(CandidatesArgs),
    /// Labels logs of pair decisions about the items of a candidate set made by `synth`.
    Log(LogArgs),
    /// Time the lazy path on a file: build the index only (as `wc -l` counts lines), or open,
    /// show the first item and check everything (for /usr/bin/time -v); prints milliseconds.
    Time {
        file: PathBuf,
        /// Only the indexing pass.
        #[arg(long)]
        index_only: bool,
    },
}

#[derive(Debug, Args)]
pub struct CandidatesArgs {
    /// Where to write the file.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Stop once the file reaches this many bytes (suffixes k, M, G: powers of 1024).
    #[arg(long, value_parser = parse_size, default_value = "10M")]
    pub bytes: u64,
    /// Stop after this many items (whichever comes first).
    #[arg(long)]
    pub items: Option<u64>,
    /// Multiply answer lengths by this (0.1 gives short answers, for export benchmarks).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Every candidate of every item has this many characters (for the keystroke benchmark).
    #[arg(long)]
    pub fixed_chars: Option<usize>,
    /// Candidates per item (default: 2 to 9, varying).
    #[arg(long)]
    pub candidates: Option<usize>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The candidate set made by `prefer synth candidates` (item ids and hashes are read from it).
    #[arg(long)]
    pub candidates: PathBuf,
    /// Write one log here, or with --annotators N, N logs into this folder.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Events per log.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Number of annotators (one log each, in the folder --out).
    #[arg(long)]
    pub annotators: Option<u32>,
    /// Share of events that are skips, retractions (in percent each).
    #[arg(long, default_value_t = 2)]
    pub skip_percent: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// `10M`, `1G`, `512k`, `1000`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 1u64 << 10),
        Some('m' | 'M') => (&s[..s.len() - 1], 1 << 20),
        Some('g' | 'G') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0)
        .map(|n| (n * mult as f64) as u64)
        .ok_or_else(|| format!("\"{s}\" is not a size (e.g. 100M, 2G)"))
}

/// A small deterministic generator ([`crate::rng::SplitMix64`]).
pub struct Rng(crate::rng::SplitMix64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(crate::rng::SplitMix64(seed ^ 0x5DEE_CE66_D1CE_4E5B))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.next_u64() as usize % xs.len()]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }
}

const WORDS: &[&str] = &[
    "the",
    "model",
    "answer",
    "function",
    "returns",
    "value",
    "because",
    "memory",
    "each",
    "request",
    "should",
    "compile",
    "with",
    "error",
    "handling",
    "consider",
    "instead",
    "of",
    "using",
    "a",
    "loop",
    "recursion",
    "data",
    "structure",
    "performance",
    "latency",
    "user",
    "input",
    "output",
    "string",
    "vector",
    "thread",
    "safe",
    "however",
    "example",
    "note",
    "that",
    "this",
    "approach",
    "works",
    "well",
    "for",
    "small",
    "inputs",
    "but",
    "large",
    "files",
    "need",
    "streaming",
    "index",
    "cache",
    "simple",
    "clear",
    "explanation",
    "step",
];
const CJK: &[&str] = &[
    "复利",
    "是指",
    "利息",
    "再投资",
    "模型",
    "回答",
    "问题",
    "数据",
    "文件",
    "性能",
    "の",
    "東京",
    "日本語",
    "です",
    "한국어",
    "설명",
    "예시",
    "，",
    "。",
];
const EMOJI: &[&str] = &["🙂", "🚀", "✅", "⚠️", "📦", "🔥"];
const MODELS: &[&str] = &[
    "llama-3-70b",
    "gpt-4o",
    "qwen2-72b",
    "mistral-large",
    "claude-3",
    "gemma-2-27b",
];
const LANGS: &[&str] = &["python", "rust", "javascript", "sql", "bash"];

/// A sentence of words, or of CJK when `cjk`.
fn sentence(r: &mut Rng, out: &mut String, cjk: bool) {
    let n = r.range(6, 20);
    for i in 0..n {
        if cjk {
            let w: &str = r.pick::<&str>(CJK);
            out.push_str(w);
        } else {
            if i > 0 {
                out.push(' ');
            }
            let w = r.pick(WORDS);
            if i == 0 {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    out.extend(f.to_uppercase());
                    out.push_str(c.as_str());
                }
            } else if r.chance(4) {
                out.push_str(&format!("`{w}`"));
            } else if r.chance(3) {
                out.push_str(&format!("**{w}**"));
            } else {
                out.push_str(w);
            }
        }
    }
    if r.chance(3) {
        out.push(' ');
        let e: &str = r.pick::<&str>(EMOJI);
        out.push_str(e);
    }
    out.push_str(if cjk { "。" } else { ". " });
}

/// Markdown of about `chars` characters: paragraphs, headings, lists and code blocks.
pub fn markdown(r: &mut Rng, chars: usize) -> String {
    let mut s = String::with_capacity(chars + 256);
    let cjk = r.chance(15);
    while s.chars().count() < chars {
        match r.range(0, 9) {
            0 => {
                s.push_str("## ");
                sentence(r, &mut s, cjk);
                s.push_str("\n\n");
            }
            1 | 2 => {
                for _ in 0..r.range(2, 6) {
                    s.push_str("- ");
                    sentence(r, &mut s, cjk);
                    s.push('\n');
                }
                s.push('\n');
            }
            3 => {
                let lang = r.pick(LANGS);
                s.push_str(&format!("```{lang}\n"));
                for i in 0..r.range(3, 25) {
                    let indent = "    ".repeat((i % 3) as usize);
                    s.push_str(&format!(
                        "{indent}let {} = {}({}, {});\t// {}\n",
                        r.pick(WORDS),
                        r.pick(WORDS),
                        r.range(0, 999),
                        r.pick(WORDS),
                        r.pick(WORDS)
                    ));
                }
                s.push_str("```\n\n");
            }
            _ => {
                for _ in 0..r.range(1, 5) {
                    sentence(r, &mut s, cjk);
                }
                s.push_str("\n\n");
            }
        }
    }
    // Cut at a character boundary near the target.
    if let Some((i, _)) = s.char_indices().nth(chars) {
        s.truncate(i);
    }
    s
}

/// Characters of one answer: mostly a few hundred to a few thousand, some one-liners, a few
/// very long.
fn answer_len(r: &mut Rng, scale: f64) -> usize {
    let base = match r.range(0, 99) {
        0..=9 => r.range(20, 120),
        10..=79 => r.range(300, 2500),
        80..=97 => r.range(2500, 9000),
        _ => r.range(20_000, 65_000),
    };
    ((base as f64 * scale) as usize).max(1)
}

/// One synthetic item as a JSON line (without the newline).
pub fn item_json(r: &mut Rng, k: u64, args: &CandidatesArgs) -> String {
    let n = args
        .candidates
        .unwrap_or_else(|| r.range(2, 9) as usize)
        .max(2);
    let mut question = String::new();
    let cjk = r.chance(15);
    sentence(r, &mut question, cjk);
    question.push('?');
    let mut v = json!({"id": format!("syn-{k:08}")});
    if r.chance(30) {
        let mut sys = String::new();
        sentence(r, &mut sys, false);
        let mut earlier = String::new();
        sentence(r, &mut earlier, false);
        let reply = markdown(r, (300.0 * args.scale) as usize + 1);
        v["messages"] = json!([
            {"role": "system", "content": sys},
            {"role": "user", "content": earlier},
            {"role": "assistant", "content": reply},
            {"role": "user", "content": question},
        ]);
    } else {
        v["prompt"] = json!(question);
    }
    let candidates: Vec<_> = (0..n)
        .map(|c| {
            let len = args
                .fixed_chars
                .unwrap_or_else(|| answer_len(r, args.scale));
            json!({"id": format!("c{c}"), "text": markdown(r, len),
                   "metadata": {"model": r.pick(MODELS), "temperature": 0.7}})
        })
        .collect();
    v["candidates"] = json!(candidates);
    v["metadata"] = json!({"source": "synth", "seed": args.seed});
    v.to_string()
}

/// Writes a synthetic candidate set; the number of items written.
pub fn write_candidates(args: &CandidatesArgs) -> std::io::Result<u64> {
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(&args.out)?);
    let mut r = Rng::new(args.seed);
    let (mut bytes, mut k) = (0u64, 0u64);
    while bytes < args.bytes && args.items.is_none_or(|n| k < n) {
        let line = item_json(&mut r, k, args);
        w.write_all(line.as_bytes())?;
        w.write_all(b"\n")?;
        bytes += line.len() as u64 + 1;
        k += 1;
    }
    w.flush()?;
    Ok(k)
}

/// What the log generator needs of an item: id, hash, candidate ids.
struct ItemKeys {
    id: String,
    hash: String,
    candidates: Vec<String>,
}

fn read_keys(path: &Path) -> anyhow::Result<Vec<ItemKeys>> {
    let d = crate::format::load(path)?;
    Ok(d.items
        .iter()
        .map(|it| ItemKeys {
            id: it.id.clone(),
            hash: it.hash.clone(),
            candidates: it.candidates.iter().map(|c| c.id.clone()).collect(),
        })
        .collect())
}

/// Writes `events` pair events by `annotator`: decisions (with strengths and times), some
/// skips and retractions, and some tasks decided twice (latest wins), walking the items'
/// pairs in order so the log covers a prefix of the tasks as a real session does.
fn write_log(
    out: &Path,
    items: &[ItemKeys],
    annotator: &str,
    events: u64,
    skip_percent: u64,
    seed: u64,
) -> std::io::Result<()> {
    let mut w = BufWriter::with_capacity(1 << 20, std::fs::File::create(out)?);
    let mut r = Rng::new(seed);
    let (mut item, mut a, mut b) = (0usize, 0usize, 1usize);
    // Recent decisions and their item's hash, for undo.
    let mut recent: Vec<(TaskKey, &str)> = Vec::new();
    let start_ms = 1_780_000_000_000u64;
    for n in 0..events {
        let at = humantime::format_rfc3339_millis(
            std::time::UNIX_EPOCH + std::time::Duration::from_millis(start_ms + n * 7_000),
        )
        .to_string();
        let it = &items[item % items.len()];
        let mut e = Event::new(annotator, &it.id, Some(&it.hash), TaskKind::Pair);
        e.at = at;
        // As the writer stamps it (see `Event::stamp`), so replay reads the field it reads
        // in real logs.
        e.uid = crate::safefs::current_uid();
        e.ms = Some(r.range(800, 60_000));
        let (l, rr) = if r.chance(50) { (a, b) } else { (b, a) };
        e.pair = Some([it.candidates[l].clone(), it.candidates[rr].clone()]);
        let roll = r.range(0, 99);
        if roll < skip_percent {
            e.skip = true;
        } else if roll < 2 * skip_percent && !recent.is_empty() {
            // Undo of a recent decision (its task comes back later).
            let (k, hash) = r.pick(&recent).clone();
            e.item = k.item;
            // The writer records the retracted task's own item version.
            e.item_hash = Some(hash.to_string());
            if let Some((x, y)) = k.pair {
                e.pair = Some([x, y]);
            }
            e.retract = true;
            e.ms = None;
        } else {
            let c = r.range(0, 19);
            e.choice = Some(match c {
                0 => "tie".into(),
                1 => "both_bad".into(),
                _ => it.candidates[if c.is_multiple_of(2) { l } else { rr }].clone(),
            });
            e.strength = Some(r.range(1, 4) as u8);
        }
        if e.is_decision() {
            recent.push((e.key(), &it.hash));
            if recent.len() > 32 {
                recent.remove(0);
            }
        }
        serde_json::to_writer(&mut w, &e)?;
        w.write_all(b"\n")?;
        // Next pair of this item, or the next item.
        b += 1;
        if b >= it.candidates.len() {
            a += 1;
            b = a + 1;
            if b >= it.candidates.len() {
                item += 1;
                a = 0;
                b = 1;
            }
        }
    }
    w.flush()
}

/// Writes `annotators` logs named `annotatorNN.jsonl` into `dir`, `events` each, about the
/// items of the candidate set `candidates`.
pub fn write_log_for(
    candidates: &Path,
    dir: &Path,
    annotators: u32,
    events: u64,
    skip_percent: u64,
    seed: u64,
) -> anyhow::Result<()> {
    let items = read_keys(candidates)?;
    anyhow::ensure!(!items.is_empty(), "no items in {}", candidates.display());
    std::fs::create_dir_all(dir)?;
    for a in 0..annotators {
        let name = format!("annotator{a:02}");
        let path = dir.join(format!("{name}.jsonl"));
        write_log(&path, &items, &name, events, skip_percent, seed + a as u64)?;
    }
    Ok(())
}

fn ms(start: std::time::Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

/// Runs `prefer synth`.
pub fn run(args: &SynthArgs) -> anyhow::Result<ExitCode> {
    match &args.what {
        SynthCommand::Candidates(c) => {
            let n = write_candidates(c)?;
            eprintln!("prefer synth: wrote {n} items to {}", c.out.display());
        }
        SynthCommand::Log(l) => {
            match l.annotators {
                None => {
                    let items = read_keys(&l.candidates)?;
                    anyhow::ensure!(!items.is_empty(), "no items in {}", l.candidates.display());
                    write_log(&l.out, &items, "synth", l.events, l.skip_percent, l.seed)?;
                }
                Some(n) => {
                    write_log_for(&l.candidates, &l.out, n, l.events, l.skip_percent, l.seed)?
                }
            }
            eprintln!("prefer synth: wrote {} events per log", l.events);
        }
        SynthCommand::Time { file, index_only } => {
            use crate::format::ItemSource;
            let start = std::time::Instant::now();
            if *index_only {
                let n = crate::format::LazySource::index_file(file)?;
                println!("index {n} records {:.1} ms", ms(start));
            } else {
                let s = crate::format::LazySource::open(file)?;
                let first = s.item(0).map_err(|p| anyhow::anyhow!("{p}"))?;
                let first_ms = ms(start);
                s.wait();
                println!(
                    "first item {} after {first_ms:.1} ms; checked {} records ({} problems) in {:.1} ms",
                    first.id,
                    s.len(),
                    s.problems().len(),
                    ms(start)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("10M"), Ok(10 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("512k"), Ok(512 << 10));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("lots").is_err());
    }

    #[test]
    fn generated_files_are_valid_varied_and_deterministic() {
        let dir = tempfile::tempdir().unwrap();
        let args = |out: PathBuf| CandidatesArgs {
            out,
            bytes: 1 << 20,
            items: None,
            scale: 1.0,
            fixed_chars: None,
            candidates: None,
            seed: 7,
        };
        let a = args(dir.path().join("a.jsonl"));
        let n = write_candidates(&a).unwrap();
        write_candidates(&args(dir.path().join("b.jsonl"))).unwrap();
        assert_eq!(
            std::fs::read(&a.out).unwrap(),
            std::fs::read(dir.path().join("b.jsonl")).unwrap()
        );
        let d = crate::format::load(&a.out).unwrap();
        assert_eq!(d.items.len() as u64, n);
        let counts: std::collections::BTreeSet<usize> =
            d.items.iter().map(|i| i.candidates.len()).collect();
        assert!(counts.len() >= 5, "{counts:?}");
        let all: String = d
            .items
            .iter()
            .flat_map(|i| i.candidates.iter().map(|c| c.text.as_str()))
            .collect();
        assert!(all.contains("```"));
        assert!(all.contains("复利") || all.contains("東京") || all.contains("模型"));
        assert!(d.items.iter().any(|i| i.messages.is_some()));

        let log = dir.path().join("log.jsonl");
        write_log(&log, &read_keys(&a.out).unwrap(), "x", 500, 5, 1).unwrap();
        let (events, torn) = crate::labels::read_log(&log).unwrap();
        assert_eq!(events.len(), 500);
        assert_eq!(torn, None);
        let st = crate::export::standing::standing(events, Some(&d.items));
        assert_eq!(st.left_out.stale, 0);
        assert_eq!(st.left_out.unknown, 0);
        assert!(st.decisions.len() > 400);
    }
}
