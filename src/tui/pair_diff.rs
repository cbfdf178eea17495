//! The word diff of two panes as they are drawn (`d`): each side's wrapped lines with the
//! words only it has marked (reverse video and underline, and `+` in the pane's left margin,
//! so the marks do not rest on colour), long equal stretches folded to one line
//! ("… 212 equal words …"), and where each drawn line starts in the text diffed, so that two
//! panes scrolled together stay aligned at equal runs.
//!
//! The diff is of the rendered words (what the labeler reads), at the panes' widths: it is
//! computed once per pair, widths and what is shown, and cached beside the wrapped lines (see
//! [`super::content::WrapCache`]). Layout characters (frame and table rules, the `↪` of a
//! wrapped code line) are blanked in the text diffed: they are drawing, not words.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::content::{PaneId, Show, WrapCache, Wrapped};
use crate::diff::{self, Kind, Piece, Side, WordDiff};
use crate::format::Item;

/// Equal words kept on screen on each side of a change before the rest of an equal run folds.
pub const CONTEXT: usize = 8;

/// The mark in a pane's left margin on a line holding words only that pane has.
pub const MARGIN_MARK: &str = "+";

/// The style of words only one side has.
pub fn marked() -> Style {
    Style::new().add_modifier(Modifier::REVERSED | Modifier::UNDERLINED)
}

/// What one side of a diff is: the pane, the width it is wrapped to, what it shows.
pub type SideKey = (PaneId, u16, Show);

/// The diffs of two panes for the item on screen (cleared with the wrap cache).
#[derive(Debug)]
pub struct PairCache {
    map: HashMap<[SideKey; 2], Arc<PairDiff>>,
    /// How long one diff may search ([`diff::DEADLINE`]; unit tests wait longer, so that a
    /// loaded machine cannot make their diffs approximate).
    pub deadline: Duration,
}

impl Default for PairCache {
    fn default() -> Self {
        PairCache {
            map: HashMap::new(),
            deadline: if cfg!(test) {
                Duration::from_secs(60)
            } else {
                diff::DEADLINE
            },
        }
    }
}

impl PairCache {
    pub fn clear(&mut self) {
        self.map.clear();
    }

    /// The word diff of two panes as wrapped, computing and caching it if needed: once per
    /// pair, widths and what is shown.
    pub fn ensure(
        &mut self,
        wrap: &mut WrapCache,
        item: &Item,
        sides: [SideKey; 2],
    ) -> Arc<PairDiff> {
        if let Some(d) = self.map.get(&sides) {
            return d.clone();
        }
        let [l, r] = sides.map(|(pane, width, show)| wrap.ensure(item, pane, width, show));
        let d = Arc::new(pair_diff(&l, &r, self.deadline));
        self.map.insert(sides, d.clone());
        d
    }
}

/// One side of a pair diff, as its pane draws it.
#[derive(Debug, Clone, Default)]
pub struct DiffSide {
    /// The lines drawn: the wrapped lines with marks, folded runs replaced by one line.
    pub lines: Arc<Wrapped>,
    /// For each line drawn, where it starts in the text diffed (a folded line: where the
    /// first line it stands for starts).
    pub offsets: Vec<usize>,
    /// For each line drawn: it holds words only this side has.
    pub changed: Vec<bool>,
}

impl DiffSide {
    /// The drawn line that holds text offset `at`.
    pub fn line_at(&self, at: usize) -> usize {
        self.offsets.partition_point(|&o| o <= at).saturating_sub(1)
    }
}

/// Two panes' diff: the left (lower display position) and right side, and the summary.
#[derive(Debug, Clone, Default)]
pub struct PairDiff {
    pub sides: [DiffSide; 2],
    pub diff: WordDiff,
    /// "diff: 37 of 412 words differ".
    pub summary: String,
}

impl PairDiff {
    /// The line of the other side to show at the top when `side`'s top line is `line`: the
    /// same words where they are equal, the start of the change where they are not.
    pub fn aligned(&self, side: usize, line: usize) -> usize {
        let (me, other, s) = if side == 0 {
            (&self.sides[0], &self.sides[1], Side::Left)
        } else {
            (&self.sides[1], &self.sides[0], Side::Right)
        };
        let at = me.offsets.get(line).copied().unwrap_or(0);
        other.line_at(self.diff.counterpart(s, at))
    }
}

/// The text of wrapped lines as diffed (one `\n` between lines, layout characters blanked
/// to spaces of the same byte length), and where each line starts in it.
pub fn flatten(lines: &[Line<'_>]) -> (String, Vec<usize>) {
    let mut text = String::new();
    let mut starts = Vec::with_capacity(lines.len());
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        starts.push(text.len());
        for s in &l.spans {
            for c in s.content.chars() {
                if is_layout(c) {
                    (0..c.len_utf8()).for_each(|_| text.push(' '));
                } else {
                    text.push(c);
                }
            }
        }
    }
    (text, starts)
}

/// Box drawing (frames, table rules and separators, the code gutter) and the mark of a
/// wrapped code line: drawn by the renderer, not written by the model.
fn is_layout(c: char) -> bool {
    ('\u{2500}'..='\u{257F}').contains(&c) || c == '↪'
}

/// The diff of two panes' wrapped lines, searching at most `deadline`.
pub fn pair_diff(left: &Wrapped, right: &Wrapped, deadline: Duration) -> PairDiff {
    let (lt, ls) = flatten(&left.lines);
    let (rt, rs) = flatten(&right.lines);
    let d = diff::diff_until(&lt, &rt, Instant::now() + deadline);
    // Two answers alike are shown whole: folding is for finding the changes.
    let pieces = if d.is_same() {
        Vec::new()
    } else {
        d.pieces(CONTEXT)
    };
    let sides = [
        side(left, &lt, &ls, &d, &pieces, Side::Left),
        side(right, &rt, &rs, &d, &pieces, Side::Right),
    ];
    PairDiff {
        sides,
        summary: d.summary(),
        diff: d,
    }
}

fn side(
    w: &Wrapped,
    text: &str,
    starts: &[usize],
    d: &WordDiff,
    pieces: &[Piece],
    s: Side,
) -> DiffSide {
    let marks = d.marks(s);
    let toks = match s {
        Side::Left => &d.left_tokens,
        Side::Right => &d.right_tokens,
    };
    let end_of = |i: usize| starts.get(i + 1).map_or(text.len(), |&n| n - 1);
    // Lines wholly inside a folded run, as ranges of line indices (two or more lines each:
    // folding one line to one line saves nothing).
    let mut folds: Vec<Range<usize>> = Vec::new();
    for p in pieces {
        if let Piece::Fold(run) = p {
            let r = run.range(s);
            let first = starts.partition_point(|&st| st < r.start);
            let mut last = first;
            while last < starts.len() && end_of(last) <= r.end {
                last += 1;
            }
            if last >= first + 2 {
                folds.push(first..last);
            }
        }
    }
    let mut out = DiffSide::default();
    let mut lines = Vec::with_capacity(w.lines.len());
    let mut fold = folds.iter().peekable();
    let mut i = 0;
    let mut m = 0; // the first mark that may touch line i
    while i < w.lines.len() {
        if let Some(f) = fold.peek()
            && f.start == i
        {
            let (a, b) = (starts[f.start], end_of(f.end - 1));
            let words = toks[toks.partition_point(|t| t.range.start < a)..]
                .iter()
                .take_while(|t| t.range.end <= b)
                .filter(|t| t.kind == Kind::Word)
                .count();
            lines.push(Line::from(Span::styled(
                diff::fold_label(words),
                Style::new().add_modifier(Modifier::DIM | Modifier::ITALIC),
            )));
            out.offsets.push(a);
            out.changed.push(false);
            i = f.end;
            fold.next();
            continue;
        }
        let (a, b) = (starts[i], end_of(i));
        while m < marks.len() && marks[m].end <= a {
            m += 1;
        }
        let here: Vec<Range<usize>> = marks[m..]
            .iter()
            .take_while(|r| r.start < b)
            .map(|r| r.start.max(a) - a..r.end.min(b) - a)
            .filter(|r| !r.is_empty())
            .collect();
        out.changed.push(!here.is_empty());
        out.offsets.push(a);
        lines.push(if here.is_empty() {
            w.lines[i].clone()
        } else {
            mark_line(&w.lines[i], &here)
        });
        i += 1;
    }
    out.lines = Arc::new(Wrapped {
        lines,
        anchor: 0,
        chars: w.chars,
        table_cols: w.table_cols,
        deferred: w.deferred,
    });
    out
}

/// `line` with the byte ranges `marks` (of its text, spans joined) drawn [`marked`]. Blanked
/// layout characters keep their byte length, so the ranges are the line's own.
fn mark_line(line: &Line<'static>, marks: &[Range<usize>]) -> Line<'static> {
    let mut spans = Vec::with_capacity(line.spans.len() + 2 * marks.len());
    let mut at = 0;
    for s in &line.spans {
        let (start, end) = (at, at + s.content.len());
        at = end;
        let mut cut = start;
        for r in marks.iter().filter(|r| r.start < end && r.end > start) {
            let (a, b) = (r.start.max(start), r.end.min(end));
            if a > cut {
                spans.push(Span::styled(
                    s.content[cut - start..a - start].to_string(),
                    s.style,
                ));
            }
            spans.push(Span::styled(
                s.content[a - start..b - start].to_string(),
                s.style.patch(marked()),
            ));
            cut = b;
        }
        if cut < end {
            spans.push(Span::styled(s.content[cut - start..].to_string(), s.style));
        }
    }
    Line::from(spans).style(line.style)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Long enough that a loaded machine never makes a test's diff approximate.
    const NO_HURRY: Duration = Duration::from_secs(60);

    fn pair_diff(l: &Wrapped, r: &Wrapped) -> PairDiff {
        super::pair_diff(l, r, NO_HURRY)
    }

    fn wrapped(text: &str) -> Wrapped {
        Wrapped {
            lines: text
                .split('\n')
                .map(|l| Line::from(l.to_string()))
                .collect(),
            anchor: 0,
            chars: text.chars().count(),
            table_cols: 0,
            deferred: false,
        }
    }

    fn texts(s: &DiffSide) -> Vec<String> {
        s.lines.iter().map(|l| l.to_string()).collect()
    }

    /// The marked words of a side, each marked stretch as one string.
    fn marked_words(s: &DiffSide) -> Vec<String> {
        let mut out = Vec::new();
        for l in s.lines.iter() {
            for sp in &l.spans {
                if sp.style.add_modifier.contains(Modifier::REVERSED) {
                    out.push(sp.content.to_string());
                }
            }
        }
        out
    }

    #[test]
    fn identical_answers_mark_nothing() {
        let a = wrapped("Water the plant\nonce a week.");
        let d = pair_diff(&a, &a);
        assert_eq!(d.summary, "diff: the same 6 words");
        assert!(d.sides.iter().all(|s| !s.changed.contains(&true)));
        assert_eq!(texts(&d.sides[0]), ["Water the plant", "once a week."]);
    }

    #[test]
    fn one_word_changed_is_marked_on_both_sides() {
        let d = pair_diff(
            &wrapped("Water it every three days."),
            &wrapped("Water it every seven days."),
        );
        assert_eq!(d.summary, "diff: 2 of 6 words differ");
        assert_eq!(marked_words(&d.sides[0]), ["three"]);
        assert_eq!(marked_words(&d.sides[1]), ["seven"]);
        assert_eq!(d.sides[0].changed, [true]);
    }

    #[test]
    fn an_empty_side_marks_all_of_the_other() {
        let d = pair_diff(&wrapped(""), &wrapped("All new."));
        assert_eq!(d.summary, "diff: 2 of 2 words differ");
        assert_eq!(marked_words(&d.sides[1]), ["All new."]);
        assert_eq!(d.sides[0].changed, [false]);
    }

    #[test]
    fn reordered_paragraphs_mark_the_moved_one() {
        let a = "First para here.\n\nSecond para there.";
        let b = "Second para there.\n\nFirst para here.";
        let d = pair_diff(&wrapped(a), &wrapped(b));
        let (differ, all) = d.diff.differing();
        assert_eq!((differ, all), (6, 9));
        assert!(d.sides[0].changed.contains(&true) && d.sides[1].changed.contains(&true));
    }

    #[test]
    fn long_equal_runs_fold_and_stay_aligned() {
        let same: Vec<String> = (0..40)
            .map(|i| format!("line {i} of the same text"))
            .collect();
        let mut right = same.clone();
        right[30] = "line 30 of a changed text".into();
        let d = pair_diff(&wrapped(&same.join("\n")), &wrapped(&right.join("\n")));
        let left = texts(&d.sides[0]);
        assert!(
            left.iter()
                .any(|l| l.starts_with("… ") && l.ends_with(" equal words …")),
            "{left:?}"
        );
        assert!(left.len() < 20, "{left:?}");
        assert_eq!(marked_words(&d.sides[0]), ["the same"]);
        assert_eq!(marked_words(&d.sides[1]), ["a changed"]);
        // Each side's fold stands for the same words, on the same line.
        assert_eq!(texts(&d.sides[0])[0], texts(&d.sides[1])[0]);
        for k in 0..d.sides[0].lines.len() {
            assert_eq!(d.aligned(0, k), k, "line {k}");
        }
    }

    #[test]
    fn layout_characters_are_not_words() {
        let lines = [Line::from("┌─ python ──"), Line::from("↪ x")];
        let (text, starts) = flatten(&lines);
        assert_eq!(text.split_whitespace().collect::<Vec<_>>(), ["python", "x"]);
        // Blanked in place: every byte where it was, so marks fall on the drawn text.
        assert_eq!(text.len(), "┌─ python ──\n↪ x".len());
        assert_eq!(starts, [0, "┌─ python ──\n".len()]);
    }
}
