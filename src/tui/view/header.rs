//! The header line.
//!
//! ```text
//! sample.jsonl │ task 3/42 │ sample-03 │ rank │ alice │ ▕███░░░░▏ 12/42 │ 0:41 │ ~1h20m left at 42/h │ ✓ saved
//! ```
//! Fields are dropped from the least important up when the line is too narrow; the save state
//! and the position never are.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::content::one_line;
use super::super::model::{Model, Overlay, SaveState, ServerState};
use crate::text::{str_width, truncate};

pub fn render(m: &Model, f: &mut Frame, area: Rect) {
    f.render_widget(Paragraph::new(line(m, area.width)), area);
}

/// The save state as text: never says "saved" before the writer confirmed it.
pub fn save_text(s: &SaveState) -> (String, Style) {
    match s {
        SaveState::Idle => ("· no changes".into(), Style::new()),
        SaveState::Saved => ("✓ saved".into(), Style::new()),
        SaveState::Saving(n) => (
            format!("… saving {n}"),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        SaveState::Failed { pending, .. } => (
            format!("✗ NOT SAVED ({pending})"),
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ),
    }
}

/// With a store, everything saved here: "saved" only once the database has committed it.
pub fn server_text(s: &ServerState) -> (String, Style) {
    let n = s.waiting();
    match &s.error {
        Some(e) if crate::store::forbidden(e).is_some() => (
            format!("✓ saved here, {n} REFUSED by the server"),
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ),
        Some(_) => (
            format!("✓ saved here, {n} waiting for the server"),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        None => (format!("… sending {n}"), Style::new()),
    }
}

fn progress_bar(done: usize, total: usize, cells: usize) -> String {
    // Rounded down: a block stands for work actually done.
    let filled = (done * cells).checked_div(total).unwrap_or(0).min(cells);
    format!("▕{}{}▏", "█".repeat(filled), "░".repeat(cells - filled))
}

/// The time on this task; it stands after a minute without a key, and when the work is done,
/// and says so.
fn clock_text(m: &Model, secs: u64) -> String {
    let paused = if m.clock.stopped() {
        " stopped"
    } else if m.clock.idle(m.now_ms) {
        " paused"
    } else {
        ""
    };
    format!("{}:{:02}{paused}", secs / 60, secs % 60)
}

/// The item id is shown at least this wide (when it is shown at all), and wider when there is
/// room.
const ID_MIN: usize = 10;
/// Position of the item id among the header's fields.
const ID_FIELD: usize = 2;
/// Position of the labeler's progress among the header's fields.
const PROGRESS_FIELD: usize = 6;

pub fn line(m: &Model, width: u16) -> Line<'static> {
    let total = m.tasks.len();
    // While a big file is still being checked, more tasks may come: every count of tasks says
    // so (a resumed labeler can have decided more tasks than are known yet).
    let more = if m.checking_done() { "" } else { "+" };
    let done = m.decided_count();
    let secs = m.task_ms() / 1000;
    let (save, mut save_style) = match (&m.save, &m.server) {
        (SaveState::Saved | SaveState::Idle, Some(s)) if s.waiting() > 0 => server_text(s),
        (state, _) => save_text(state),
    };
    if matches!(m.save, SaveState::Failed { .. }) {
        save_style = m.theme.fg(save_style, ratatui::style::Color::Red);
    }
    // The team's progress (tasks with enough decisions) when the work is shared.
    let team = m.team.names().next().is_some() || m.team.overlap > 1;
    // While the server has handed out no task (the waiting box is up), no task is at hand:
    // not the one a resume would have opened, nor the last one decided.
    let waiting = matches!(m.overlay, Overlay::WaitingForTasks);
    let full_id = if waiting {
        String::new()
    } else {
        one_line(&m.view.item.id)
    };
    let (reading, bad) = reading_fields(m);
    // (priority: lower is kept longer, text, style)
    let mut fields: Vec<(u8, String, Style)> = vec![
        // The file name goes first when room is short: the labeler knows which file they opened.
        (
            6,
            one_line(&m.file_label),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        (
            0,
            match &m.review {
                Some(r) => {
                    let (k, n) = super::super::review::position(r);
                    // `+`: a big file is still being checked and the list may grow.
                    let more = if super::super::review::list_partial(m, r) {
                        "+"
                    } else {
                        ""
                    };
                    format!("review {} {k}/{n}{more}", r.filter.name())
                }
                None if waiting => format!("task –/{total}{more}"),
                None => format!("task {}/{total}{more}", m.current + 1),
            },
            Style::new(),
        ),
        // The item id is fitted last (below): it gets what the other fields leave, so a long
        // id shortens instead of pushing the mode or the annotator out.
        (
            if waiting { 9 } else { 2 },
            truncate(&full_id, ID_MIN),
            Style::new(),
        ),
        (3, m.mode_name().to_string(), Style::new()),
        // Sort mode: how far the item's sort is, and the most it can still take.
        (
            if m.view.sort.is_some() { 1 } else { 9 },
            m.view
                .sort
                .as_ref()
                .map(|s| match &s.check {
                    Some(c) if c.again => format!("check {} of {}, once more", c.number, c.of),
                    Some(c) => format!("check {} of {}", c.number, c.of),
                    None => format!("question {} of at most {}", s.number(), s.sorter.at_most()),
                })
                .unwrap_or_default(),
            Style::new(),
        ),
        (5, one_line(&m.annotator), Style::new()),
        // The progress always stays: its bar goes before it would (below).
        (
            0,
            format!("{} {done}/{total}{more}", progress_bar(done, total, 10)),
            Style::new(),
        ),
        (
            if team { 1 } else { 9 },
            format!("team {}/{total}{more} ×{}", m.team.full(), m.team.overlap),
            Style::new(),
        ),
        (4, clock_text(m, secs), Style::new()),
        // Decisions per hour and the time left at that pace, once there is enough to go on.
        match m.pace() {
            Some(p) => (5, p, Style::new()),
            None => (9, String::new(), Style::new()),
        },
        // A big file is still being read: how far, and records that could not be used.
        reading,
        bad,
        (0, save, save_style),
    ];
    let width = usize::from(width);
    let sep = " │ ";
    let mut keep: Vec<bool> = vec![true; fields.len()];
    let total_width =
        |fields: &[(u8, String, Style)], keep: &[bool]| -> usize { shown_width(fields, keep, sep) };
    for (i, f) in fields.iter().enumerate() {
        if f.0 == 9 {
            keep[i] = false;
        }
    }
    for prio in (1..=6).rev() {
        if total_width(&fields, &keep) <= width {
            break;
        }
        for (i, f) in fields.iter().enumerate() {
            if f.0 == prio {
                keep[i] = false;
            }
        }
    }
    if total_width(&fields, &keep) > width {
        // Still too wide: the progress without its bar.
        fields[PROGRESS_FIELD].1 = format!("{done}/{total}{more} done");
    }
    let spare = width.saturating_sub(total_width(&fields, &keep));
    if keep[ID_FIELD] {
        fields[ID_FIELD].1 = truncate(&full_id, str_width(&fields[ID_FIELD].1) + spare);
    }
    let mut spans = Vec::new();
    for (f, k) in fields.into_iter().zip(&keep) {
        if !k {
            continue;
        }
        if !spans.is_empty() {
            spans.push(Span::raw(sep));
        }
        spans.push(Span::styled(f.1, f.2));
    }
    let mut l = Line::from(spans);
    if l.width() > width {
        // Still too wide (a very long item id): cut the text, keep it one line.
        let s: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
        l = Line::from(truncate(&s, width));
    }
    l
}

/// The header's fields about a big file still being read: how far, and how many records could
/// not be used (priority 9: not shown).
fn reading_fields(m: &Model) -> ((u8, String, Style), (u8, String, Style)) {
    let reading = match m.progress.filter(|p| !p.checking_done) {
        Some(p) => (
            1,
            format!(
                "reading {}%",
                if p.bytes_total == 0 {
                    100
                } else if p.indexing_done && p.records > 0 {
                    p.checked * 100 / p.records
                } else {
                    (p.bytes_indexed * 100 / p.bytes_total) as usize / 2
                }
            ),
            Style::new(),
        ),
        None => (9, String::new(), Style::new()),
    };
    let bad = match m.progress.filter(|p| p.problems > 0) {
        Some(p) => (
            0,
            format!(
                "⚠ {} bad record{}",
                p.problems,
                crate::text::plural(p.problems)
            ),
            Style::new().add_modifier(Modifier::BOLD),
        ),
        None => (9, String::new(), Style::new()),
    };
    (reading, bad)
}

/// Width of the kept fields with their separators.
fn shown_width(fields: &[(u8, String, Style)], keep: &[bool], sep: &str) -> usize {
    let shown: Vec<&(u8, String, Style)> = fields
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(f, _)| f)
        .collect();
    shown.iter().map(|f| str_width(&f.1)).sum::<usize>()
        + str_width(sep) * shown.len().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_is_never_full_before_done() {
        assert_eq!(progress_bar(0, 10, 4), "▕░░░░▏");
        assert_eq!(progress_bar(9, 10, 4), "▕███░▏");
        assert_eq!(progress_bar(1, 1500, 10), "▕░░░░░░░░░░▏");
        assert_eq!(progress_bar(10, 10, 4), "▕████▏");
    }
}
