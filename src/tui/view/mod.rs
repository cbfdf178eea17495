//! Drawing the labeling screen: one function per region. Views read the model and never change
//! it or do I/O; everything they show from data files was sanitised when it was wrapped.

mod candidates;
pub mod edit;
mod footer;
pub(super) mod header;
mod nothing_left;
mod overlay;
mod prewrapped;
mod prompt;
mod summary;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::layout::{self, MIN_HEIGHT, MIN_WIDTH, areas};
use super::model::Model;

/// Draws the whole screen.
pub fn view(m: &Model, f: &mut Frame) {
    draw(m, f);
    if m.theme == crate::config::Theme::Monochrome {
        // Syntax-highlighted code (and anything else drawn from styled text) carries colours
        // the regions do not choose: monochrome takes them all out, keeping bold, italic,
        // underline and reverse, which is what carries meaning.
        for c in f.buffer_mut().content.iter_mut() {
            c.fg = ratatui::style::Color::Reset;
            c.bg = ratatui::style::Color::Reset;
        }
    }
}

fn draw(m: &Model, f: &mut Frame) {
    let area = f.area();
    if layout::too_small((area.width, area.height)) {
        too_small(f, area);
        return;
    }
    let a = areas(m);
    header::render(m, f, a.header);
    if let Some(r) = a.prompt {
        prompt::render(m, f, r.intersection(area));
    }
    candidates::render(m, f, &a);
    footer::render(m, f, a.footer);
    overlay::render(m, f, area);
    if let Some(ed) = &m.editor {
        // The rationale editor over the lower part of the screen. It is drawn from a copy:
        // views never change the model.
        let h = (area.height / 3)
            .clamp(5, 12)
            .min(area.height.saturating_sub(2));
        let r = Rect::new(area.x, area.bottom().saturating_sub(h + 1), area.width, h);
        f.render_widget(ratatui::widgets::Clear, r);
        let title = match m.spec.rationale {
            crate::taskfile::RationaleMode::Required => "rationale (required) · Esc when done",
            _ => "rationale (optional) · Esc when done",
        };
        ed.clone().render(f, r, title);
    }
    if let Some(ce) = &m.candidate_edit {
        // Everything below the header: the answer being edited needs the room.
        let top = a.header.bottom().min(area.bottom());
        let r = Rect::new(area.x, top, area.width, area.bottom() - top);
        edit::render(ce, f, r);
    }
}

/// ```text
/// terminal too small:
/// need 40x10, have 30x8
/// ```
fn too_small(f: &mut Frame, area: Rect) {
    let lines = vec![
        Line::from("terminal too small:").style(Style::new().add_modifier(Modifier::BOLD)),
        Line::from(format!(
            "need {MIN_WIDTH}x{MIN_HEIGHT}, have {}x{}",
            area.width, area.height
        )),
        Line::from("enlarge the window, or q to quit"),
    ];
    let h = (lines.len() as u16).min(area.height);
    let y = area.y + (area.height - h) / 2;
    let r = Rect::new(area.x, y, area.width, h).intersection(area);
    f.render_widget(
        Paragraph::new(lines).alignment(ratatui::layout::Alignment::Center),
        r,
    );
}

/// `1234567` -> `1,234,567`.
pub(crate) fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
