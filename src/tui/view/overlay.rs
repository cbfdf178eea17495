//! Layers over the screen: help (generated from the key map), "all done", and the question
//! asked before quitting with unsaved decisions.
//!
//! ```text
//!        ┌ help: rank mode ──────────────────────────┐
//!        │ 1-9      press candidate numbers best ... │
//!        └───────────────────────────────────────────┘
//! ```

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use super::super::model::{Model, Overlay};
use crate::labels::TaskKind;

pub fn render(m: &Model, f: &mut Frame, area: Rect) {
    let (title, lines) = match m.overlay {
        Overlay::None => return,
        Overlay::Help => help(m),
        Overlay::Done => done(m),
        Overlay::ConfirmQuit => confirm_quit(m),
    };
    let w = lines
        .iter()
        .map(Line::width)
        .max()
        .unwrap_or(0)
        .max(title.len())
        .saturating_add(4)
        .min(usize::from(area.width)) as u16;
    let h = (lines.len() as u16).saturating_add(2).min(area.height);
    // A help taller than the screen scrolls; the title says how.
    let inner_h = usize::from(h.saturating_sub(2));
    let (title, lines) = if lines.len() > inner_h {
        let start = m.help_scroll.min(lines.len() - inner_h);
        (
            format!(
                "{title} · {}-{}/{} · j/k scroll",
                start + 1,
                start + inner_h,
                lines.len()
            ),
            lines[start..].to_vec(),
        )
    } else {
        (title, lines)
    };
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
    .intersection(area);
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(
            Line::from(format!(" {title} ")).style(Style::new().add_modifier(Modifier::BOLD)),
        )),
        r,
    );
}

fn help(m: &Model) -> (String, Vec<Line<'static>>) {
    let entries = m.keymap.help(m.mode, m.scale);
    let kw = entries
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let intro = match m.mode {
        TaskKind::Pair => "Which answer is better? One key decides and moves on.",
        TaskKind::Rank => "Rank the answers best first; Enter submits.",
        TaskKind::Rate => "Rate every answer; Enter submits.",
    };
    lines.push(Line::from(intro));
    lines.push(Line::from(
        "Every decision is saved to disk the moment you make it.",
    ));
    lines.push(Line::from(""));
    for (k, d) in entries {
        lines.push(Line::from(vec![
            Span::styled(
                format!(" {k:<kw$} "),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::raw(format!(" {d}")),
        ]));
    }
    lines.push(Line::from(""));
    lines.push(Line::from("any other key closes this help"));
    (format!("help: {} mode", m.mode.name()), lines)
}

fn done(m: &Model) -> (String, Vec<Line<'static>>) {
    let total = m.tasks.len();
    let decided = m.decided_count();
    let open = m.open_count();
    let skipped = m
        .decisions
        .iter()
        .filter(|e| e.skip && e.task == m.mode)
        .count();
    let taken = total.saturating_sub(decided + skipped + open);
    let mut lines = vec![
        Line::from(format!(
            "Nothing left for you: {decided} decided, {skipped} skipped{} of {total} tasks.",
            if taken > 0 {
                format!(", {taken} done by others")
            } else {
                String::new()
            }
        )),
        Line::from(format!("{} this session.", m.session_decisions)),
        Line::from(""),
    ];
    if !m.checking_done() {
        lines.push(Line::from(
            "the file is still being read: more tasks may come",
        ));
    }
    if skipped > 0 {
        lines.push(Line::from("} goes to a skipped task"));
    }
    lines.push(Line::from(
        "[ and ] browse tasks · u undoes the last decision · q quits",
    ));
    lines.push(Line::from("any key closes this message"));
    ("done".into(), lines)
}

fn confirm_quit(m: &Model) -> (String, Vec<Line<'static>>) {
    let n = m.unsaved.len();
    let lines = vec![
        Line::from(format!(
            "{n} decision{} not on disk yet.",
            if n == 1 { " is" } else { "s are" }
        )),
        Line::from("q again: quit and write them to a rescue file next to the log"),
        Line::from("any other key: stay (saving is retried every second)"),
    ];
    ("unsaved decisions".into(), lines)
}
