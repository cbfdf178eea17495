//! The prompt pane: the whole conversation with role labels, scrollable, collapsible.
//!
//! ```text
//! ┌ prompt · 3 turns ─────────────────────────────── 1-5/12 ┐
//! │ ▍system                                                  │
//! │ You are a helpful assistant.                             │
//! └──────────────────────────────────────────────────────────┘
//! ```

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Padding, Paragraph};

use super::super::content::{PaneId, one_line, wrapped_lines};
use super::super::highlight::mark_all;
use super::super::layout::inner;
use super::super::model::{Focus, Model};
use super::prewrapped::Prewrapped;
use crate::text::truncate;

pub fn render(m: &Model, f: &mut Frame, area: Rect) {
    if area.height < 3 || area.width < 3 {
        return;
    }
    let focused = m.view.focus == Focus::Prompt;
    let turns = m.view.item.conversation().len();
    let mut title = format!(
        " {}prompt{}",
        if focused { "▶ " } else { "" },
        if turns > 1 {
            format!(" · {turns} turns")
        } else {
            String::new()
        }
    );
    let body = inner(area);
    let mut block = Block::bordered()
        .padding(Padding::horizontal(1))
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        });
    if m.prompt_collapsed {
        title.push_str(" (collapsed: P expands) ");
        title.push(' ');
        block = block.title(Line::from(title).style(Style::new().add_modifier(Modifier::BOLD)));
        let first = one_line(&m.view.item.prompt_text());
        f.render_widget(
            Paragraph::new(truncate(&first, usize::from(body.width))).block(block),
            area,
        );
        return;
    }
    let lines = m
        .wrap
        .get(PaneId::Prompt, body.width, m.show_of(PaneId::Prompt))
        .unwrap_or_else(|| {
            std::sync::Arc::new(wrapped_lines(
                &m.view.item,
                PaneId::Prompt,
                body.width,
                m.show_of(PaneId::Prompt),
            ))
        });
    let h = usize::from(body.height);
    let start = m.view.prompt_scroll.min(lines.len().saturating_sub(h));
    let end = (start + h).min(lines.len());
    if lines.len() > h {
        block = block.title_bottom(
            Line::from(format!(" {}-{}/{} ", start + 1, end, lines.len())).right_aligned(),
        );
    }
    title.push(' ');
    block = block.title(Line::from(title).style(Style::new().add_modifier(Modifier::BOLD)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    f.render_widget(
        Prewrapped(&mark_all(&lines[start..end], m.marked_search())),
        inner,
    );
}
