//! The footer: a status message when there is one, then the keys that work now, generated from
//! the key map.
//!
//! ```text
//! ● ranking complete: Enter submits │ 1-9 rank next  = tie  Bksp unpick  Enter submit ...
//! ```

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::model::{InputKind, Model, SaveState};
use crate::text::truncate;

pub fn render(m: &Model, f: &mut Frame, area: Rect) {
    f.render_widget(Paragraph::new(line(m, area.width)), area);
}

pub fn line(m: &Model, width: u16) -> Line<'static> {
    let width = usize::from(width);
    if let Some(inp) = &m.input {
        // The one-line editor: prompt, text, a cursor mark, and how to finish.
        let prompt = match inp.kind {
            InputKind::Jump => "jump to item id or number: ",
            InputKind::Search => "search: ",
        };
        let text = format!(
            "{prompt}{}▏  (Enter: go · Esc: cancel)",
            crate::tui::content::one_line(&inp.text)
        );
        return Line::from(Span::styled(
            truncate(&text, width),
            Style::new().add_modifier(Modifier::BOLD),
        ));
    }
    let mut spans = Vec::new();
    let mut used = 0;
    let status = match &m.save {
        SaveState::Failed {
            error, failures, ..
        } => Some(format!(
            "not saved: {error} - kept in memory, retrying every second (failed {failures}x)"
        )),
        _ => m
            .status
            .clone()
            .or_else(|| m.warning.clone())
            .or_else(|| ranking_so_far(m))
            .or_else(|| {
                m.review.as_ref().map(|_| {
                    let vs = crate::tui::review::verdicts(m, &m.view.key, &m.view.item);
                    crate::tui::review::summary(&vs)
                })
            }),
    };
    if let Some(s) = status {
        let s = truncate(&format!("● {s}"), width);
        used += crate::text::str_width(&s);
        spans.push(Span::styled(s, Style::new().add_modifier(Modifier::BOLD)));
        spans.push(Span::raw(" │ "));
        used += 3;
    }
    // Help and quit are always shown (they are last in the list); others while there is room.
    let pieces = m.keymap.footer(m.mode, m.scale, m.review.is_some());
    let piece_w = |(k, d): &(String, &str)| crate::text::str_width(k) + 1 + d.len() + 2;
    let tail: usize = pieces.iter().rev().take(2).map(piece_w).sum();
    let n = pieces.len();
    for (i, p) in pieces.into_iter().enumerate() {
        let w = piece_w(&p);
        let reserve = if i + 2 < n { tail } else { 0 };
        if used + w + reserve > width {
            continue;
        }
        spans.push(Span::styled(
            p.0,
            Style::new().add_modifier(Modifier::REVERSED),
        ));
        spans.push(Span::raw(format!(" {}  ", p.1)));
        used += w;
    }
    Line::from(spans)
}

/// Rank mode: the ranking being built, by pane number (`3 > 1 = 7`), so it can be read when not
/// every pane is on screen.
fn ranking_so_far(m: &Model) -> Option<String> {
    if m.mode != crate::labels::TaskKind::Rank || m.view.tiers.is_empty() || m.review.is_some() {
        return None;
    }
    let tiers: Vec<String> = m
        .view
        .tiers
        .iter()
        .map(|t| {
            t.iter()
                .map(|p| (p + 1).to_string())
                .collect::<Vec<_>>()
                .join(" = ")
        })
        .collect();
    Some(format!("ranking: {}", tiers.join(" > ")))
}
