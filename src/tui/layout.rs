//! Where each region of the labeling screen goes, as a pure function of the model and the
//! terminal size. `update` uses it to know pane sizes (for scrolling and wrapping), `view` to
//! draw; both get the same answer.
//!
//! ```text
//! ┌ header (1 line): file · task k/N · item · mode · annotator · progress · time · save ┐
//! ┌ prompt ───────────────────────────────────────────────────────────────────────────┐
//! │ ▍user                                                                             │
//! │ Explain recursion to a child.                                                     │
//! └───────────────────────────────────────────────────────────────────────────────────┘
//! ┌ [1] A · 812 ch ─────────────┐┌ [2] B · 640 ch ─────────────┐┌ [3] ──── 1 more ▶ ┐
//! │ ...                          ││ ...                          ││ ...              │
//! └──────────────────────────────┘└──────────────────────────────┘└──────────────────┘
//!  footer (1 line): the keys that work now
//! ```

use ratatui::layout::{Constraint, Layout, Rect};

use super::content::PaneId;
use super::model::{Focus, Model};
use crate::labels::TaskKind;

/// Below this the screen says "terminal too small".
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;
/// A candidate pane is not made narrower than this (borders included) while others wait.
pub const PANE_MIN_WIDTH: u16 = 30;

/// The regions of the labeling screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    /// The prompt pane (one line tall when collapsed), absent when a candidate is zoomed.
    pub prompt: Option<Rect>,
    /// Candidate panes shown: (display position, rectangle).
    pub panes: Vec<(usize, Rect)>,
    /// Candidates not shown to the left and to the right.
    pub more_left: usize,
    pub more_right: usize,
    pub footer: Rect,
}

pub fn too_small(size: (u16, u16)) -> bool {
    size.0 < MIN_WIDTH || size.1 < MIN_HEIGHT
}

/// How many candidate panes fit side by side.
pub fn panes_that_fit(width: u16, n: usize) -> usize {
    usize::from((width / PANE_MIN_WIDTH).max(1)).min(n.max(1))
}

/// The first pane to show so that `focus` is visible, starting from `first`.
pub fn scroll_panes(first: usize, focus: usize, visible: usize, n: usize) -> usize {
    let visible = visible.max(1);
    let mut first = first.min(n.saturating_sub(visible));
    if focus < first {
        first = focus;
    } else if focus >= first + visible {
        first = focus + 1 - visible;
    }
    first
}

pub fn areas(m: &Model) -> Areas {
    let area = Rect::new(0, 0, m.size.0, m.size.1);
    let [header, middle, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    let n = m.view.order.len();

    if m.zoom {
        return match m.view.focus {
            Focus::Prompt => Areas {
                header,
                prompt: Some(middle),
                panes: Vec::new(),
                more_left: 0,
                more_right: 0,
                footer,
            },
            Focus::Pane(p) => Areas {
                header,
                prompt: None,
                panes: vec![(p, middle)],
                more_left: p,
                more_right: n.saturating_sub(p + 1),
                footer,
            },
        };
    }

    // Columns first: the panes' widths do not depend on the prompt's height.
    let (first, columns) = columns(m, middle);
    let shown = columns.len();

    let prompt_h = if m.prompt_collapsed {
        3
    } else {
        // The prompt gets what it needs, up to a third of the space, or more when the
        // candidates are short; the candidates keep at least 5 rows.
        let cand_need = columns
            .iter()
            .map(|&(pos, r)| {
                m.wrap
                    .get(
                        PaneId::Cand(m.view.order[pos]),
                        inner(r).width,
                        m.show_of(PaneId::Cand(m.view.order[pos])),
                    )
                    .map_or(usize::from(middle.height), |l| l.len() + 2)
            })
            .max()
            .unwrap_or(0);
        let cand_need = u16::try_from(cand_need).unwrap_or(u16::MAX).max(5);
        let max = (middle.height / 3)
            .max(middle.height.saturating_sub(cand_need))
            .min(middle.height.saturating_sub(5))
            .max(3);
        let need = m
            .wrap
            .get(
                PaneId::Prompt,
                prompt_text_width(middle.width),
                m.show_of(PaneId::Prompt),
            )
            .map_or(max, |l| {
                u16::try_from(l.len()).unwrap_or(u16::MAX).saturating_add(2)
            });
        need.clamp(3, max)
    };
    let [prompt, cands] =
        Layout::vertical([Constraint::Length(prompt_h), Constraint::Min(0)]).areas(middle);
    let panes = columns
        .into_iter()
        .map(|(pos, r)| (pos, Rect::new(r.x, cands.y, r.width, cands.height)))
        .collect();
    Areas {
        header,
        prompt: Some(prompt),
        panes,
        more_left: first,
        more_right: n.saturating_sub(first + shown),
        footer,
    }
}

/// The candidate panes that fit side by side in `middle` (not zoomed): the first shown, and
/// (display position, column) for each; the rectangles span `middle`'s full height.
pub fn columns(m: &Model, middle: Rect) -> (usize, Vec<(usize, Rect)>) {
    let n = m.view.order.len();
    let visible = panes_that_fit(middle.width, n);
    let focus = match m.view.focus {
        Focus::Pane(p) => p,
        Focus::Prompt => m.view.last_pane,
    };
    let first = scroll_panes(m.view.first_pane, focus, visible, n);
    let shown = visible.min(n.saturating_sub(first));
    let rects = Layout::horizontal(vec![Constraint::Fill(1); shown.max(1)]).split(middle);
    (first, (0..shown).map(|k| (first + k, rects[k])).collect())
}

/// The middle region: everything between the header and the footer.
pub fn middle(size: (u16, u16)) -> Rect {
    Rect::new(0, 1, size.0, size.1.saturating_sub(2))
}

/// Width of the prompt's text when the pane spans `width` columns.
pub fn prompt_text_width(width: u16) -> u16 {
    width.saturating_sub(4)
}

/// Rows at the top of each candidate pane for the annotators' verdicts (review mode): one per
/// verdict and a rule under them.
/// In rate mode with aspects, the aspects' ratings take the same place.
pub fn verdict_rows(m: &Model) -> u16 {
    let n = if m.review.is_some() {
        super::review::verdicts(m, &m.view.key, &m.view.item).len()
    } else if m.mode == TaskKind::Rate {
        m.spec.rate.aspects.len()
    } else {
        0
    };
    if n == 0 { 0 } else { n as u16 + 1 }
}

/// Where a candidate's text goes in its pane: inside the border, below the verdicts.
pub fn text_rect(m: &Model, pane: Rect) -> Rect {
    let r = inner(pane);
    let v = verdict_rows(m).min(r.height.saturating_sub(1));
    Rect::new(r.x, r.y + v, r.width, r.height - v)
}

/// Text area inside a bordered pane: the border and one column of padding on each side
/// (views use `Block::bordered().padding(Padding::horizontal(1))`, which matches).
pub fn inner(r: Rect) -> Rect {
    Rect::new(
        r.x.saturating_add(2),
        r.y.saturating_add(1),
        r.width.saturating_sub(4),
        r.height.saturating_sub(2),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panes_fit_by_width() {
        assert_eq!(panes_that_fit(80, 4), 2);
        assert_eq!(panes_that_fit(160, 4), 4);
        assert_eq!(panes_that_fit(200, 9), 6);
        assert_eq!(panes_that_fit(20, 3), 1);
        assert_eq!(panes_that_fit(300, 2), 2);
    }

    #[test]
    fn pane_scrolling_keeps_focus_visible() {
        assert_eq!(scroll_panes(0, 3, 2, 5), 2);
        assert_eq!(scroll_panes(2, 0, 2, 5), 0);
        assert_eq!(scroll_panes(2, 2, 2, 5), 2);
        assert_eq!(scroll_panes(4, 4, 2, 5), 3);
    }
}
