//! Word diffs between two texts, for comparing two answers side by side or in one review view.
//!
//! A text is cut into tokens a grapheme cluster at a time (never inside one): a run of letters
//! and digits is a word, each CJK character is a word of its own (CJK has no spaces between
//! words), each other visible cluster (punctuation, an emoji) is a token of its own, and
//! whitespace only separates tokens. The tokens of both sides go to `similar`'s Histogram
//! diff (a well-kept implementation with a deadline; its own text helpers split on ASCII
//! whitespace only) and come back as [`Run`]s: equal, only on the left, only on the right.
//!
//! Each side's runs tile its text: their byte ranges, in order, cover it from the first byte
//! to the last, whitespace going with the token before it. So a pane marks the ranges of its
//! own side ([`WordDiff::marks`]), and a single review view prints equal and left runs from
//! the left text and right runs from the right text. Long equal runs fold to one line
//! ([`WordDiff::pieces`], [`fold_label`]).
//!
//! Diffing two similar 65,000-character answers takes about 10 ms (benches/diff.rs); two
//! unrelated ones stop at the [`DEADLINE`]. Compute it once per pair, not per frame.

use std::collections::HashMap;
use std::ops::Range;
use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp, capture_diff_slices_deadline};

use crate::text::clusters;

/// How long a diff may search before it settles for a correct but longer answer (words
/// marked as changed that a longer search would have matched).
pub const DEADLINE: Duration = Duration::from_millis(15);

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Letters and digits, or one CJK character: what "37 of 412 words" counts.
    Word,
    /// One other visible cluster: punctuation, a symbol, an emoji.
    Mark,
}

/// One token of a text: its bytes and kind. Whitespace is not a token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub range: Range<usize>,
    pub kind: Kind,
}

/// The tokens of `text`, in order.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(text.len() / 5);
    // Whether the last token is a word that the next cluster may extend.
    let mut open_word = false;
    for (at, g) in clusters(text) {
        let c = g.chars().next().unwrap_or(' ');
        let end = at + g.len();
        if c.is_whitespace() {
            open_word = false;
        } else if is_cjk(c) {
            out.push(Token {
                range: at..end,
                kind: Kind::Word,
            });
            open_word = false;
        } else if c.is_alphanumeric() || c == '_' {
            match out.last_mut() {
                Some(t) if open_word => t.range.end = end,
                _ => out.push(Token {
                    range: at..end,
                    kind: Kind::Word,
                }),
            }
            open_word = true;
        } else {
            out.push(Token {
                range: at..end,
                kind: Kind::Mark,
            });
            open_word = false;
        }
    }
    out
}

/// Scripts written without spaces between words: each character is compared on its own.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF       // hiragana, katakana
        | 0x3400..=0x4DBF     // CJK extension A
        | 0x4E00..=0x9FFF     // CJK unified ideographs
        | 0xF900..=0xFAFF     // CJK compatibility ideographs
        | 0x20000..=0x3FFFF   // CJK extensions B onwards
    )
}

/// Which side of a diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

/// What a run is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// The same tokens on both sides (whitespace between them may differ).
    Equal,
    /// Tokens only the left text has.
    OnlyLeft,
    /// Tokens only the right text has.
    OnlyRight,
}

/// A stretch of a diff. `left` and `right` are byte ranges of the two texts, including the
/// whitespace after the run's last token; the side a run is not on has an empty range where
/// the run would be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub op: Op,
    pub left: Range<usize>,
    pub right: Range<usize>,
    /// Indices into [`WordDiff::left_tokens`] and [`WordDiff::right_tokens`].
    pub left_tokens: Range<usize>,
    pub right_tokens: Range<usize>,
    /// Words in the run (on its side; an equal run's words are the same on both).
    pub words: usize,
}

impl Run {
    /// The run's byte range on `side`.
    pub fn range(&self, side: Side) -> Range<usize> {
        match side {
            Side::Left => self.left.clone(),
            Side::Right => self.right.clone(),
        }
    }
}

/// A run as a view shows it: in full, or an equal stretch folded to one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Show(Run),
    Fold(Run),
}

/// "… 212 equal words …": what a folded equal run shows.
pub fn fold_label(words: usize) -> String {
    let s = if words == 1 { "" } else { "s" };
    format!("… {words} equal word{s} …")
}

/// The word diff of two texts.
#[derive(Clone, Debug, Default)]
pub struct WordDiff {
    pub left_tokens: Vec<Token>,
    pub right_tokens: Vec<Token>,
    pub runs: Vec<Run>,
    left_len: usize,
    right_len: usize,
    /// False when the search hit its deadline: the diff is correct (it rebuilds both texts)
    /// but may mark more than the fewest words.
    pub exact: bool,
}

/// Texts of up to this many words and spaces between them, both sides together, are diffed
/// without a deadline.
pub const EXACT_UP_TO: usize = 1_000;

/// The word diff of `left` against `right`, searching at most [`DEADLINE`] (texts longer than
/// [`EXACT_UP_TO`] tokens).
pub fn diff(left: &str, right: &str) -> WordDiff {
    diff_until(left, right, Instant::now() + DEADLINE)
}

/// [`diff`] with a deadline of the caller's.
pub fn diff_until(left: &str, right: &str, deadline: Instant) -> WordDiff {
    let left_tokens = tokenize(left);
    let right_tokens = tokenize(right);
    // Tokens as small numbers: the diff hashes and compares each many times.
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let a = intern(&mut ids, left, &left_tokens);
    let b = intern(&mut ids, right, &right_tokens);
    // Short texts are always diffed exactly (at worst a million steps, a few milliseconds):
    // a busy machine must not change which words are marked in a short answer.
    let deadline = (a.len() + b.len() > EXACT_UP_TO).then_some(deadline);
    let ops = capture_diff_slices_deadline(Algorithm::Myers, &a, &b, deadline);
    let exact = deadline.is_none_or(|d| Instant::now() < d);
    let mut d = WordDiff {
        left_tokens,
        right_tokens,
        runs: Vec::with_capacity(ops.len() + 1),
        left_len: left.len(),
        right_len: right.len(),
        exact,
    };
    for op in ops {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => d.push(
                Op::Equal,
                old_index..old_index + len,
                new_index..new_index + len,
            ),
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => d.push(
                Op::OnlyLeft,
                old_index..old_index + old_len,
                new_index..new_index,
            ),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => d.push(
                Op::OnlyRight,
                old_index..old_index,
                new_index..new_index + new_len,
            ),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                d.push(
                    Op::OnlyLeft,
                    old_index..old_index + old_len,
                    new_index..new_index,
                );
                let o = old_index + old_len;
                d.push(Op::OnlyRight, o..o, new_index..new_index + new_len);
            }
        }
    }
    d
}

fn intern<'a>(ids: &mut HashMap<&'a str, u32>, text: &'a str, toks: &[Token]) -> Vec<u32> {
    toks.iter()
        .map(|t| {
            let next = ids.len() as u32;
            *ids.entry(&text[t.range.clone()]).or_insert(next)
        })
        .collect()
}

impl WordDiff {
    fn push(&mut self, op: Op, lt: Range<usize>, rt: Range<usize>) {
        if lt.is_empty() && rt.is_empty() {
            return;
        }
        let words = match op {
            Op::OnlyRight => count_words(&self.right_tokens[rt.clone()]),
            _ => count_words(&self.left_tokens[lt.clone()]),
        };
        let left = bounds(&self.left_tokens, self.left_len, &lt);
        let right = bounds(&self.right_tokens, self.right_len, &rt);
        // Two runs of one kind in a row (the diff may give them) are one run.
        if let Some(last) = self.runs.last_mut()
            && last.op == op
        {
            last.left.end = left.end;
            last.right.end = right.end;
            last.left_tokens.end = lt.end;
            last.right_tokens.end = rt.end;
            last.words += words;
            return;
        }
        self.runs.push(Run {
            op,
            left,
            right,
            left_tokens: lt,
            right_tokens: rt,
            words,
        });
    }

    /// Words on the left and on the right.
    pub fn word_counts(&self) -> (usize, usize) {
        (
            count_words(&self.left_tokens),
            count_words(&self.right_tokens),
        )
    }

    /// Words that differ (only on one side) and all words (equal ones counted once).
    pub fn differing(&self) -> (usize, usize) {
        let (mut diff, mut all) = (0, 0);
        for r in &self.runs {
            all += r.words;
            if r.op != Op::Equal {
                diff += r.words;
            }
        }
        (diff, all)
    }

    /// "diff: 37 of 412 words differ": the footer's summary.
    pub fn summary(&self) -> String {
        let (d, all) = self.differing();
        if d == 0 && self.runs.iter().all(|r| r.op == Op::Equal) {
            return format!(
                "diff: the same {all} word{}",
                if all == 1 { "" } else { "s" }
            );
        }
        format!(
            "diff: {d} of {all} word{} differ{}",
            if all == 1 { "" } else { "s" },
            if self.exact { "" } else { " (approximate)" }
        )
    }

    /// Whether both texts have the same tokens.
    pub fn is_same(&self) -> bool {
        self.runs.iter().all(|r| r.op == Op::Equal)
    }

    /// The byte ranges of `side`'s text that only it has, each from its run's first token to
    /// its last (the whitespace after is not marked).
    pub fn marks(&self, side: Side) -> Vec<Range<usize>> {
        let (op, toks) = match side {
            Side::Left => (Op::OnlyLeft, &self.left_tokens),
            Side::Right => (Op::OnlyRight, &self.right_tokens),
        };
        self.runs
            .iter()
            .filter(|r| r.op == op)
            .map(|r| {
                let t = match side {
                    Side::Left => &r.left_tokens,
                    Side::Right => &r.right_tokens,
                };
                toks[t.start].range.start..toks[t.end - 1].range.end
            })
            .collect()
    }

    /// Where the byte `at` of `side`'s text is on the other side: the same token in an equal
    /// run, else where the run that holds it begins on the other side. Keeps two panes
    /// scrolled together aligned at equal runs.
    pub fn counterpart(&self, side: Side, at: usize) -> usize {
        let other = match side {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        };
        let i = self.runs.partition_point(|r| r.range(side).end <= at);
        let Some(r) = self.runs.get(i) else {
            return match other {
                Side::Left => self.left_len,
                Side::Right => self.right_len,
            };
        };
        if r.op != Op::Equal {
            return r.range(other).start;
        }
        let (mine, theirs, mt, tt) = match side {
            Side::Left => (
                &self.left_tokens,
                &self.right_tokens,
                &r.left_tokens,
                &r.right_tokens,
            ),
            Side::Right => (
                &self.right_tokens,
                &self.left_tokens,
                &r.right_tokens,
                &r.left_tokens,
            ),
        };
        let k = mine[mt.clone()].partition_point(|t| t.range.end <= at);
        match theirs.get(tt.start + k) {
            Some(t) if k < tt.len() => t.range.start,
            _ => r.range(other).end,
        }
    }

    /// The runs as a view shows them: an equal run with more than `2 * context` words plus
    /// a few is cut into its first `context` words, a [`Piece::Fold`] of the middle, and its
    /// last `context` words (at the very start or end of the texts only the side next to a
    /// change is kept).
    pub fn pieces(&self, context: usize) -> Vec<Piece> {
        const MIN_FOLD: usize = 4;
        let mut out = Vec::with_capacity(self.runs.len());
        let last = self.runs.len().saturating_sub(1);
        for (i, r) in self.runs.iter().enumerate() {
            let head_ctx = if i == 0 { 0 } else { context };
            let tail_ctx = if i == last { 0 } else { context };
            if r.op != Op::Equal || r.words < head_ctx + tail_ctx + MIN_FOLD {
                out.push(Piece::Show(r.clone()));
                continue;
            }
            let toks = &self.left_tokens[r.left_tokens.clone()];
            let head = nth_word_end(toks.iter(), head_ctx);
            let tail = toks.len() - nth_word_end(toks.iter().rev(), tail_ctx);
            let lt = r.left_tokens.start;
            let rt = r.right_tokens.start;
            let piece = |a: usize, b: usize| -> Run {
                let l = lt + a..lt + b;
                let rr = rt + a..rt + b;
                Run {
                    op: Op::Equal,
                    left: bounds(&self.left_tokens, self.left_len, &l),
                    right: bounds(&self.right_tokens, self.right_len, &rr),
                    words: count_words(&self.left_tokens[l.clone()]),
                    left_tokens: l,
                    right_tokens: rr,
                }
            };
            if head > 0 {
                out.push(Piece::Show(piece(0, head)));
            }
            out.push(Piece::Fold(piece(head, tail)));
            if tail < toks.len() {
                out.push(Piece::Show(piece(tail, toks.len())));
            }
        }
        out
    }
}

/// How many tokens from the start of `toks` hold its first `n` words.
fn nth_word_end<'a>(toks: impl Iterator<Item = &'a Token>, n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let mut seen = 0;
    for (i, t) in toks.enumerate() {
        if t.kind == Kind::Word {
            seen += 1;
            if seen == n {
                return i + 1;
            }
        }
    }
    usize::MAX // not reached: callers ask for fewer words than the run has
}

fn count_words(toks: &[Token]) -> usize {
    toks.iter().filter(|t| t.kind == Kind::Word).count()
}

/// The bytes of tokens `t` with the whitespace after them; the first run also takes the
/// whitespace before the first token, so the runs of a side tile its text.
fn bounds(toks: &[Token], len: usize, t: &Range<usize>) -> Range<usize> {
    let at = |i: usize| {
        if i == 0 {
            0
        } else if i >= toks.len() {
            len
        } else {
            toks[i].range.start
        }
    };
    at(t.start)..at(t.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text)
            .iter()
            .map(|t| &text[t.range.clone()])
            .collect()
    }

    /// The runs of each side tile its text, and rebuild it.
    fn check_tiling(d: &WordDiff, left: &str, right: &str) {
        for (side, text) in [(Side::Left, left), (Side::Right, right)] {
            let mut at = 0;
            let mut rebuilt = String::new();
            for r in &d.runs {
                let range = r.range(side);
                assert_eq!(range.start, at, "{side:?} runs tile the text: {:?}", d.runs);
                at = range.end;
                let theirs = match side {
                    Side::Left => r.op != Op::OnlyRight,
                    Side::Right => r.op != Op::OnlyLeft,
                };
                assert!(theirs || range.is_empty(), "{r:?}");
                rebuilt.push_str(&text[range]);
            }
            if !d.runs.is_empty() {
                assert_eq!(at, text.len());
                assert_eq!(rebuilt, text);
            }
        }
    }

    fn marked<'a>(d: &WordDiff, side: Side, text: &'a str) -> Vec<&'a str> {
        d.marks(side).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn tokens_are_words_marks_and_single_cjk_characters() {
        assert_eq!(
            words("Hello, world!  x_1 2.5"),
            ["Hello", ",", "world", "!", "x_1", "2", ".", "5"]
        );
        assert_eq!(words("日本語の文"), ["日", "本", "語", "の", "文"]);
        assert_eq!(words("한국어 문장"), ["한국어", "문장"]);
        // An emoji with a skin tone or a ZWJ sequence is one cluster, so one token.
        assert_eq!(words("ok 👍🏽 🧙‍♂️!"), ["ok", "👍🏽", "🧙‍♂️", "!"]);
        // A combining accent stays with its letter.
        assert_eq!(words("cafe\u{301} au lait"), ["cafe\u{301}", "au", "lait"]);
        assert!(words("  \n\t ").is_empty());
    }

    #[test]
    fn identical_texts_are_one_equal_run() {
        let t = "The same answer, twice.\n\nWith two paragraphs.";
        let d = diff(t, t);
        assert_eq!(d.runs.len(), 1);
        assert_eq!(d.runs[0].op, Op::Equal);
        assert!(d.is_same());
        assert_eq!(d.differing(), (0, 7));
        assert_eq!(d.summary(), "diff: the same 7 words");
        assert!(d.marks(Side::Left).is_empty() && d.marks(Side::Right).is_empty());
        check_tiling(&d, t, t);
    }

    #[test]
    fn whitespace_alone_does_not_differ() {
        let (l, r) = ("a b\nc", "a  b c\n\n");
        let d = diff(l, r);
        assert!(d.is_same());
        check_tiling(&d, l, r);
    }

    #[test]
    fn one_word_changed_is_marked_on_both_sides() {
        let l = "Water the plant every three days in summer.";
        let r = "Water the plant every five days in summer.";
        let d = diff(l, r);
        let ops: Vec<Op> = d.runs.iter().map(|r| r.op).collect();
        assert_eq!(ops, [Op::Equal, Op::OnlyLeft, Op::OnlyRight, Op::Equal]);
        assert_eq!(marked(&d, Side::Left, l), ["three"]);
        assert_eq!(marked(&d, Side::Right, r), ["five"]);
        // Both sides' words once, the changed word from each.
        assert_eq!(d.differing(), (2, 9));
        assert_eq!(d.summary(), "diff: 2 of 9 words differ");
        check_tiling(&d, l, r);
    }

    #[test]
    fn reordered_paragraphs_keep_one_and_move_the_other() {
        let p1 = "First point: roots need air between waterings.";
        let p2 = "Second point: bright indirect light suits most ferns.";
        let l = format!("{p1}\n\n{p2}\n");
        let r = format!("{p2}\n\n{p1}\n");
        let d = diff(&l, &r);
        check_tiling(&d, &l, &r);
        // One paragraph is matched, the other shows as removed on one side and added on
        // the other: every word of it, and nothing of the matched one.
        let ml = marked(&d, Side::Left, &l).join(" ");
        let mr = marked(&d, Side::Right, &r).join(" ");
        assert!(
            (ml == p1 && mr == p1) || (ml == p2 && mr == p2),
            "left {ml:?} right {mr:?}"
        );
        let (dw, all) = d.differing();
        assert!(dw == 2 * 7 || dw == 2 * 8, "{dw}");
        assert_eq!(all, 15 + dw / 2);
    }

    #[test]
    fn one_side_empty_is_all_one_run() {
        let t = "Only one side said anything.";
        for (l, r, op, side) in [
            (t, "", Op::OnlyLeft, Side::Left),
            ("", t, Op::OnlyRight, Side::Right),
        ] {
            let d = diff(l, r);
            assert_eq!(d.runs.len(), 1);
            assert_eq!(d.runs[0].op, op);
            let text = if side == Side::Left { l } else { r };
            assert_eq!(marked(&d, side, text), [t]);
            assert_eq!(d.summary(), "diff: 5 of 5 words differ");
            check_tiling(&d, l, r);
        }
        let d = diff("", "");
        assert!(d.runs.is_empty() && d.is_same());
        assert_eq!(d.summary(), "diff: the same 0 words");
    }

    #[test]
    fn cjk_differs_by_character() {
        let l = "我每天给植物浇水。";
        let r = "我每周给植物浇水。";
        let d = diff(l, r);
        assert_eq!(marked(&d, Side::Left, l), ["天"]);
        assert_eq!(marked(&d, Side::Right, r), ["周"]);
        check_tiling(&d, l, r);
        // CJK inside a Latin sentence.
        let (l, r) = ("Say 你好 to them", "Say 您好 to them");
        let d = diff(l, r);
        assert_eq!(marked(&d, Side::Left, l), ["你"]);
        assert_eq!(marked(&d, Side::Right, r), ["您"]);
    }

    #[test]
    fn emoji_are_compared_whole() {
        let l = "Great job 👍🏽 really";
        let r = "Great job 👍🏿 really";
        let d = diff(l, r);
        assert_eq!(marked(&d, Side::Left, l), ["👍🏽"]);
        assert_eq!(marked(&d, Side::Right, r), ["👍🏿"]);
        // Marks are whole clusters: every mark starts and ends on a char boundary.
        for m in d.marks(Side::Left) {
            assert!(l.is_char_boundary(m.start) && l.is_char_boundary(m.end));
        }
        check_tiling(&d, l, r);
        let (l, r) = ("🧙‍♂️ casts", "🧙‍♀️ casts");
        let d = diff(l, r);
        assert_eq!(marked(&d, Side::Left, l), ["🧙‍♂️"]);
        assert_eq!(marked(&d, Side::Right, r), ["🧙‍♀️"]);
    }

    #[test]
    fn long_equal_runs_fold_to_one_line_with_context_kept() {
        let same: Vec<String> = (0..50).map(|i| format!("w{i}")).collect();
        let same = same.join(" ");
        let l = format!("{same} alpha {same}");
        let r = format!("{same} beta {same}");
        let d = diff(&l, &r);
        let pieces = d.pieces(3);
        let kinds: Vec<String> = pieces
            .iter()
            .map(|p| match p {
                Piece::Show(r) => format!("{:?}:{}", r.op, r.words),
                Piece::Fold(r) => format!("fold:{}", r.words),
            })
            .collect();
        // At the ends only the side next to the change is kept.
        assert_eq!(
            kinds,
            [
                "fold:47",
                "Equal:3",
                "OnlyLeft:1",
                "OnlyRight:1",
                "Equal:3",
                "fold:47"
            ]
        );
        let Piece::Show(near) = &pieces[1] else {
            panic!()
        };
        assert_eq!(&l[near.left.clone()], "w47 w48 w49 ");
        let Piece::Fold(f) = &pieces[0] else { panic!() };
        assert_eq!(fold_label(f.words), "… 47 equal words …");
        assert_eq!(fold_label(1), "… 1 equal word …");
        // The pieces still tile both texts.
        let mut rebuilt = String::new();
        for p in &pieces {
            let (Piece::Show(r) | Piece::Fold(r)) = p;
            rebuilt.push_str(&l[r.left.clone()]);
        }
        assert_eq!(rebuilt, l);
        // A short equal run is not folded.
        let d = diff("a b c x", "a b c y");
        assert!(d.pieces(3).iter().all(|p| matches!(p, Piece::Show(_))));
    }

    #[test]
    fn counterpart_aligns_equal_tokens_and_changes_at_their_start() {
        let l = "one two three four";
        let r = "zero one two 3 four";
        let d = diff(l, r);
        check_tiling(&d, l, r);
        let at = |s: &str, w: &str| s.find(w).unwrap();
        assert_eq!(d.counterpart(Side::Left, at(l, "two")), at(r, "two"));
        assert_eq!(d.counterpart(Side::Right, at(r, "two")), at(l, "two"));
        assert_eq!(d.counterpart(Side::Left, at(l, "four")), at(r, "four"));
        assert_eq!(d.counterpart(Side::Left, at(l, "three")), at(r, "3"));
        assert_eq!(d.counterpart(Side::Right, 0), 0);
        assert_eq!(d.counterpart(Side::Left, l.len()), r.len());
    }

    #[test]
    fn a_passed_deadline_still_gives_a_diff_that_rebuilds_both_texts() {
        let l: String = (0..2000).map(|i| format!("a{} ", i * 7 % 13)).collect();
        let r: String = (0..2000).map(|i| format!("a{} ", i * 5 % 11)).collect();
        let d = diff_until(&l, &r, Instant::now());
        assert!(!d.exact);
        check_tiling(&d, &l, &r);
        assert!(d.summary().ends_with("(approximate)"));
    }

    /// A short answer is diffed exactly whatever the deadline: on a busy machine the marks
    /// of a short edit must not change.
    #[test]
    fn short_texts_are_diffed_exactly_even_past_the_deadline() {
        let l = "answer 1 of item 0";
        let r = "answer one of item 0, corrected";
        let d = diff_until(l, r, Instant::now() - Duration::from_secs(1));
        assert!(d.exact);
        assert_eq!(
            d.summary(),
            diff_until(l, r, Instant::now() + Duration::from_secs(60)).summary()
        );
        check_tiling(&d, l, r);
    }
}
