//! The built-in editor of a candidate (`e`), over the screen below the header. Wide enough,
//! the original stands beside it; narrower, Tab shows one or the other.
//!
//! ```text
//! ┌ ✎ edit of [1] A (c0) · Esc/Ctrl-S save · Ctrl-C cancel ┐┌ original [1] A (c0) ─────────┐
//! │The better answer, being written.█                       ││The answer as the file has it │
//! └─────────────────────────────────────────────────────────┘└──────────────────────────────┘
//! ```

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::super::model::CandidateEdit;

/// From this many columns the original is shown beside the editor.
pub const SIDE_BY_SIDE: u16 = 100;

pub fn render(ce: &CandidateEdit, f: &mut Frame, area: Rect) {
    let area = area.intersection(f.area());
    f.render_widget(Clear, area);
    let wide = area.width >= SIDE_BY_SIDE;
    let what = format!(
        "{} ({})",
        ce.label,
        crate::tui::content::one_line(&ce.source)
    );
    let edit_title = if wide {
        format!("✎ edit of {what} · Esc/Ctrl-S save · Ctrl-C cancel")
    } else {
        format!("✎ edit of {what} · Esc/Ctrl-S save · Ctrl-C cancel · Tab original")
    };
    let original = |f: &mut Frame, r: Rect, title: String| {
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" {title} "));
        f.render_widget(
            Paragraph::new(ce.original.as_str())
                .block(block)
                .wrap(Wrap { trim: false }),
            r,
        );
    };
    if wide {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(area);
        ce.editor.clone().render(f, left, &edit_title);
        original(f, right, format!("original {what}"));
    } else if ce.show_original {
        original(
            f,
            area,
            format!("original {what} · Tab or Esc: back to the edit"),
        );
    } else {
        ce.editor.clone().render(f, area, &edit_title);
    }
}
