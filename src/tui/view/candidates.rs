//! The candidate panes, side by side, each titled with its key, its length and its badge.
//!
//! ```text
//! ┏ ▶ [1] A · 812 ch · #1 ━━━━━━━━┓┌ [2] B · 640 ch ─────── 2 more ▶ ┐
//! ┃ The answer text, wrapped at   ┃│ Another answer ...               │
//! ┗━━━━━━━━━━━━━━━━━━━━━━ 1-20/41 ┛└──────────────────────────────────┘
//! ```
//! The focused pane has a thick border and a `▶`; in pair mode the chosen one a double border
//! and `✓`. Nothing depends on colour.

use ratatui::Frame;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Padding, Paragraph};

use super::super::content::one_line;
use super::super::content::{PaneId, wrapped_lines};
use super::super::highlight::mark_all;
use super::super::layout::{Areas, inner, text_rect};
use super::super::model::{Focus, Model};
use super::super::pair_diff::MARGIN_MARK;
use super::super::review::{self, pane_verdicts};
use super::prewrapped::Prewrapped;
use super::thousands;
use crate::labels::TaskKind;
use crate::text::truncate;
use crate::tui::draft::Draft;
use ratatui::layout::Rect;

pub fn render(m: &Model, f: &mut Frame, a: &Areas) {
    let screen = f.area();
    let last = a.panes.len().saturating_sub(1);
    let verdicts = m
        .review
        .as_ref()
        .map(|_| review::verdicts(m, &m.view.key, &m.view.item))
        .filter(|v| !v.is_empty());
    for (k, &(pos, rect)) in a.panes.iter().enumerate() {
        let rect = rect.intersection(screen);
        if rect.width < 3 || rect.height < 3 {
            continue;
        }
        let ci = m.view.order[pos];
        let cand = &m.view.item.candidates[ci];
        let focused = m.view.focus == Focus::Pane(pos);
        let chosen = m.view.draft.pair().and_then(|p| p.choice.as_deref()) == Some(&cand.id);

        let body = text_rect(m, rect);
        let diff = m.diff_side(pos).map(|(side, d)| &d.sides[side]);
        let lines = match diff {
            Some(d) => d.lines.clone(),
            None => m
                .wrap
                .get(PaneId::Cand(ci), body.width, m.show_of(PaneId::Cand(ci)))
                .unwrap_or_else(|| {
                    std::sync::Arc::new(wrapped_lines(
                        &m.view.item,
                        PaneId::Cand(ci),
                        body.width,
                        m.show_of(PaneId::Cand(ci)),
                    ))
                }),
        };
        let title = title(m, pos, focused, lines.chars);
        let title_style = if focused || chosen {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        let border = if chosen {
            BorderType::Double
        } else if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        };
        // Colour only repeats what the border type and markers already say.
        let border_style = if chosen {
            m.theme.fg(Style::new(), ratatui::style::Color::Green)
        } else if focused {
            m.theme.fg(Style::new(), ratatui::style::Color::Cyan)
        } else {
            Style::new()
        };
        let mut block = Block::bordered()
            .padding(Padding::horizontal(1))
            .border_type(border)
            .border_style(border_style)
            .title(Line::from(format!(" {title} ")).style(title_style));
        if k == 0 && a.more_left > 0 {
            block =
                block.title_top(Line::from(format!(" ◀ {} more ", a.more_left)).right_aligned());
        }
        if k == last && a.more_right > 0 {
            block =
                block.title_top(Line::from(format!(" {} more ▶ ", a.more_right)).right_aligned());
        }

        let h = usize::from(body.height);
        let start = m.view.scroll[pos].min(lines.len().saturating_sub(h));
        let end = (start + h).min(lines.len());
        if lines.len() > h {
            block = block.title_bottom(
                Line::from(format!(" {}-{}/{} ", start + 1, end, lines.len())).right_aligned(),
            );
        }
        f.render_widget(block, rect);
        let top_lines: Option<Vec<String>> = match &verdicts {
            // Every annotator's verdict on this candidate, above its text.
            Some(vs) => Some(pane_verdicts(vs, &cand.id)),
            // Rate mode with aspects: this candidate's row of the grid.
            None => aspect_rows(m, pos, focused),
        };
        if let Some(top_lines) = top_lines {
            let top = inner(rect);
            let mut rows: Vec<Line> = top_lines
                .iter()
                .map(|l| Line::from(truncate(&one_line(l), usize::from(top.width))))
                .collect();
            rows.push(
                Line::from("─".repeat(usize::from(top.width)))
                    .style(Style::new().add_modifier(Modifier::DIM)),
            );
            let vr = Rect::new(top.x, top.y, top.width, body.y - top.y);
            f.render_widget(Paragraph::new(rows), vr.intersection(screen));
        }
        f.render_widget(
            Prewrapped(&mark_all(&lines[start..end], m.marked_search())),
            body.intersection(screen),
        );
        if let Some(d) = diff {
            // Lines with words only this pane has: a mark in the left margin (the padding
            // column), so the diff does not rest on reverse video alone.
            let x = body.x.saturating_sub(1);
            for (row, &changed) in d.changed[start..end].iter().enumerate() {
                let y = body.y + row as u16;
                if changed && screen.contains(ratatui::layout::Position::new(x, y)) {
                    f.buffer_mut()[(x, y)]
                        .set_symbol(MARGIN_MARK)
                        .set_style(Style::new().add_modifier(Modifier::BOLD));
                }
            }
        }
    }
}

/// A pane's title: focus marker, key, side, length (`chars`, counted when it was wrapped),
/// badge, flags, a side waiting for its strength.
fn title(m: &Model, pos: usize, focused: bool, chars: usize) -> String {
    let cand = &m.view.item.candidates[m.view.order[pos]];
    let mut title = String::new();
    if focused {
        title.push_str("▶ ");
    }
    title.push_str(&format!("[{}]", pos + 1));
    if m.keys_mode() == TaskKind::Pair {
        title.push_str(if pos == 0 { " A" } else { " B" });
    }
    title.push_str(&format!(" · {} ch", thousands(chars)));
    if let Some(badge) = badge(m, pos, &cand.id) {
        title.push_str(" · ");
        title.push_str(&badge);
    }
    if let Some(flags) = m.view.flags.get(&cand.id).filter(|f| !f.is_empty()) {
        title.push_str(" · ⚑ ");
        title.push_str(&one_line(
            &flags.iter().cloned().collect::<Vec<_>>().join(", "),
        ));
    }
    if m.diff_side(pos).is_some() {
        title.push_str(" · diff");
    }
    if m.my_edit_of(&cand.id).is_some() {
        title.push_str(" · ✎ edited");
    }
    let pending = m.view.draft.pair().and_then(|p| p.pending.as_deref());
    if pending == Some(cand.id.as_str()) {
        title.push_str(" · ✓? how much (1-4)");
    }
    title
}

/// Rate mode with aspects: the candidate's row of the grid, one line per aspect, the one
/// number keys rate marked on the focused pane.
fn aspect_rows(m: &Model, pos: usize, focused: bool) -> Option<Vec<String>> {
    let d = m
        .view
        .draft
        .rate()
        .filter(|_| !m.spec.rate.aspects.is_empty())?;
    let rows = m.spec.rate.aspects.iter().enumerate().map(|(a, name)| {
        let here = focused && a == d.aspect;
        let r = d.aspect_ratings[pos][a].map_or("–".to_string(), |r| r.to_string());
        format!(
            "{}{name}  {r}/{}",
            if here { "▶ " } else { "  " },
            d.scale_shown(m.scale)
        )
    });
    Some(rows.collect())
}

/// What the labeler decided about this candidate, as a short text badge.
pub(super) fn badge(m: &Model, pos: usize, id: &str) -> Option<String> {
    match &m.view.draft {
        // Best-worst keeps its picks as tiers: the best, then the worst.
        Draft::Rank(d) if m.mode == TaskKind::BestWorst => match d.rank_of(pos)? {
            1 => Some("▲ best".into()),
            _ => Some("▼ worst".into()),
        },
        Draft::Rank(d) => {
            let r = d.rank_of(pos)?;
            let tied = d.tiers.get(r - 1).is_some_and(|t| t.len() > 1);
            Some(format!("#{r}{}", if tied { "=" } else { "" }))
        }
        // On the scale the decision was made on, which a log from an older prefer may not
        // share with this session.
        Draft::Rate(d) => d.ratings[pos].map(|r| format!("★ {r}/{}", d.scale_shown(m.scale))),
        Draft::Pair(d) => match d.choice.as_deref()? {
            "tie" => Some("= tie".into()),
            "both_bad" => Some("✗ both bad".into()),
            c if c == id => Some(match d.strength {
                Some(k) => format!("✓ better ({k}/4)"),
                None => "✓ better".into(),
            }),
            _ => Some("worse".into()),
        },
    }
    .or_else(|| {
        m.view
            .skipped
            .then(|| "skipped".to_string())
            .filter(|_| pos == 0)
    })
}
