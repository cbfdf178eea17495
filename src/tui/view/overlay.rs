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

use super::super::model::{DoneCounts, Model, Overlay, SaveState};
use crate::labels::TaskKind;

pub fn render(m: &Model, f: &mut Frame, area: Rect) {
    let (title, lines) = match &m.overlay {
        Overlay::None => return,
        Overlay::Guidelines => return guidelines(m, f, area),
        Overlay::Help => help(m, area.width),
        Overlay::Done => done(m),
        Overlay::ConfirmQuit => confirm_quit(m),
        Overlay::NothingLeft => super::nothing_left::content(m),
        Overlay::WaitingForTasks => waiting_for_tasks(m, area.width),
        Overlay::ConfirmUndo { item, when } => confirm_undo(item, when),
        Overlay::Overview { cursor, rows } => overview(m, *cursor, rows, area.width),
        Overlay::Quality { cursor, table } => quality(*cursor, table),
        Overlay::GoldMiss { text } => gold_miss(text, area.width),
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
    // A box that nearly fills the screen fills it: the edges of the panes under a margin of a
    // cell or two read as a second border of the box.
    let w = if area.width - w < 8 { area.width } else { w };
    let h = if area.height - h < 4 { area.height } else { h };
    // A line wider than the box ends in … rather than stopping mid-word without a sign.
    let lines: Vec<Line<'static>> = lines
        .into_iter()
        .map(|l| cut(l, usize::from(w.saturating_sub(2))))
        .collect();
    // A help taller than the screen scrolls; the title says how.
    let inner_h = usize::from(h.saturating_sub(2));
    let (title, lines) = if lines.len() > inner_h {
        let start = match &m.overlay {
            // The overview follows its cursor: the least scrolled window that shows it.
            Overlay::Overview { cursor, .. } => cursor.saturating_sub(inner_h.saturating_sub(1)),
            _ => m.help_scroll,
        };
        let start = start.min(lines.len() - inner_h);
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
    // A blank cell around the box keeps it apart from what is under it; not above and below
    // a box as wide as the screen (nor beside one as tall), where the blank row would cut
    // every pane's side borders and leave them looking broken.
    let (mx, my) = (
        u16::from(r.height < area.height),
        u16::from(r.width < area.width),
    );
    let margin = Rect::new(
        r.x.saturating_sub(mx),
        r.y.saturating_sub(my),
        r.width.saturating_add(2 * mx),
        r.height.saturating_add(2 * my),
    )
    .intersection(area);
    f.render_widget(Clear, margin);
    f.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(
            Line::from(format!(" {title} ")).style(Style::new().add_modifier(Modifier::BOLD)),
        )),
        r,
    );
}

/// A key and what it does, the text wrapped under itself to `inner` columns (at 80 columns
/// the longer ones would otherwise end in "…").
fn key_lines(k: &str, d: &str, kw: usize, inner: usize) -> Vec<Line<'static>> {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let indent = kw + 3;
    crate::text::wrap_ranges(d, inner.saturating_sub(indent).max(20))
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let key = if i == 0 {
                format!(" {k:<kw$} ")
            } else {
                " ".repeat(kw + 2)
            };
            Line::from(vec![
                Span::styled(key, bold),
                Span::raw(format!(" {}", &d[r])),
            ])
        })
        .collect()
}

/// Plain text wrapped to `inner` columns.
fn wrapped(text: &str, inner: usize) -> Vec<Line<'static>> {
    crate::text::wrap_ranges(text, inner.max(20))
        .into_iter()
        .map(|r| Line::from(text[r].to_string()))
        .collect()
}

fn help(m: &Model, width: u16) -> (String, Vec<Line<'static>>) {
    // The box's border and the blank cell around it.
    let inner = usize::from(width.saturating_sub(4));
    let entries = m.keymap.help(m.keys_mode(), m.scale, m.review.is_some());
    let kw = entries
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let mut lines: Vec<Line<'static>> = Vec::new();
    let intro = match m.mode {
        _ if m.sorting() => {
            "Which answer is better? Each answer places one more; the ranking is recorded when the order is complete."
        }
        TaskKind::Pair | TaskKind::Edit => "Which answer is better? One key decides and moves on.",
        TaskKind::Rank => "Rank the answers best first; Enter submits.",
        TaskKind::Rate => "Rate every answer; Enter submits.",
        TaskKind::BestWorst => {
            "Press the number of the best answer, then of the worst; the second key records."
        }
    };
    lines.extend(wrapped(intro, inner));
    lines.extend(wrapped(
        "Every decision is saved to disk the moment it is recorded.",
        inner,
    ));
    lines.push(Line::from(""));
    for (k, d) in entries {
        lines.extend(key_lines(&k, d, kw, inner));
    }
    let task = m.keymap.task_help(&m.spec);
    if !task.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from("this task:").style(Style::new().add_modifier(Modifier::BOLD)));
        for (k, d) in task {
            lines.extend(key_lines(&k, &d, kw, inner));
        }
    }
    if m.mode == TaskKind::Rate && !m.spec.rate.labels.is_empty() {
        lines.push(Line::from(""));
        lines.push(Line::from("the scale:").style(Style::new().add_modifier(Modifier::BOLD)));
        for l in &m.spec.rate.labels {
            lines.push(Line::from(format!(
                "  {}",
                crate::tui::content::one_line(l)
            )));
        }
    }
    lines.push(Line::from(""));
    lines.push(Line::from(
        "Ctrl-L draws the screen again; Ctrl-Z suspends (fg resumes)",
    ));
    lines.push(Line::from("q quits; any other key closes this help"));
    (format!("help: {} mode", m.mode_name()), lines)
}

fn done(m: &Model) -> (String, Vec<Line<'static>>) {
    let DoneCounts {
        total,
        decided,
        skipped,
        taken,
        gold_held,
    } = m.done;
    let mut lines = vec![
        Line::from(format!(
            "Nothing left for you: {decided} decided, {skipped} skipped{}{} of {total} tasks.",
            if taken > 0 {
                format!(", {taken} done by others")
            } else {
                String::new()
            },
            if gold_held > 0 {
                format!(
                    ", {gold_held} check task{} not needed",
                    crate::text::plural(gold_held)
                )
            } else {
                String::new()
            }
        )),
        Line::from(format!("{} this session.", m.session_decisions)),
    ];
    lines.extend(super::summary::lines(m));
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
    lines.push(Line::from("q quits; any other key closes this message"));
    ("done".into(), lines)
}

/// A missed check item: the feedback wrapped to the screen (it names the expected answer by
/// its first words and gives the reason, which can be long).
fn gold_miss(text: &str, width: u16) -> (String, Vec<Line<'static>>) {
    let inner = usize::from(width.saturating_sub(4)).clamp(20, 76);
    let text = crate::text::sanitize(text);
    let mut lines: Vec<Line<'static>> = crate::text::wrap_ranges(&text, inner)
        .into_iter()
        .map(|r| Line::from(text[r].to_string()))
        .collect();
    lines.push(Line::from(""));
    lines.push(Line::from("any key closes this message"));
    ("check item".into(), lines)
}

fn waiting_for_tasks(m: &Model, width: u16) -> (String, Vec<Line<'static>>) {
    // Wrapped, not cut: the reason (a server's own words) can be long.
    let inner = usize::from(width.saturating_sub(4)).min(76);
    let mut lines = wrapped(
        &format!("{}.", crate::tui::model::WAITING.replacen('w', "W", 1)),
        inner,
    );
    if let Some(note) = m.handed.as_ref().and_then(|h| h.note.clone()) {
        lines.extend(wrapped(&crate::text::sanitize(&note), inner));
    }
    lines.extend(wrapped(
        &format!(
            "{} decided this session; each decision is saved before the next task comes.",
            m.session_decisions
        ),
        inner,
    ));
    lines.push(Line::from("u undoes the last decision · q quits"));
    ("waiting".into(), lines)
}

fn confirm_undo(item: &str, when: &str) -> (String, Vec<Line<'static>>) {
    let lines = vec![
        Line::from(format!("u takes back your decision on item {item},")),
        Line::from(format!("made {when} in an earlier session.")),
        Line::from("y: take it back (and do not ask again this session)"),
        Line::from("any other key: keep it"),
    ];
    ("undo an earlier session's decision?".into(), lines)
}

/// `o`: one line per candidate, the cursor's marked and bold.
///
/// ```text
/// Review's quality table: a row per annotator (⚑ for one who falls short of `[qa]`), the
/// cursor's row reversed, and under the table what the cursor's annotator falls short of.
///
/// ```text
/// ┌ quality per annotator · 4 gold item(s) · Enter gold misses · Esc close ─────┐
/// │     annotator      gold        position  κ (pairs)  median  reliab.  self … │
/// │ ▶   alice          4/4 100%       p 0.8  0.41 (30)    3.2s      91%  …      │
/// │   ⚑ bob            0/4 0%       p 0.000 -0.10 (30)    1.1s      40%  …      │
/// │                                                                              │
/// │ ⚑ bob: gold accuracy 0% (0 of 4) below 80%                                  │
/// └──────────────────────────────────────────────────────────────────────────────┘
/// ```
fn quality(
    cursor: usize,
    table: &crate::tui::quality::QualityScreen,
) -> (String, Vec<Line<'static>>) {
    let title = format!(
        "quality per annotator · {} gold item(s) · {}Esc close",
        table.gold_items,
        if table.gold_items > 0 {
            "Enter gold misses · "
        } else {
            ""
        }
    );
    let name_w = 14;
    let mut lines = vec![Line::from(Span::styled(
        format!("    {:<name_w$} {}", "annotator", crate::tui::quality::HEAD),
        Style::new().add_modifier(Modifier::BOLD),
    ))];
    for (i, r) in table.rows.iter().enumerate() {
        let here = i == cursor;
        let mark = if r.flags.is_empty() { " " } else { "⚑" };
        let text = format!(
            "{} {mark} {:<name_w$} {}",
            if here { "▶" } else { " " },
            crate::text::truncate(&r.name, name_w),
            r.figures
        );
        let style = if here {
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        } else {
            Style::new()
        };
        lines.push(Line::from(Span::styled(text, style)));
    }
    lines.push(Line::from(""));
    match table.rows.get(cursor) {
        Some(r) if !r.flags.is_empty() => {
            for f in &r.flags {
                lines.push(Line::from(format!("⚑ {}: {f}", r.name)));
            }
        }
        Some(r) => lines.push(Line::from(format!(
            "{}: within the task file's [qa] thresholds",
            r.name
        ))),
        None => {}
    }
    (title, lines)
}

/// ┌ overview: 5 candidates · Enter focus · Esc close ─────────┐
/// │ ▶ [1] ·  1,204 ch · #2 · Watering every three days is t… │
/// │   [2] ·    96 ch ·    · No. Plants need water when the … │
/// └───────────────────────────────────────────────────────────┘
/// ```
fn overview(
    m: &Model,
    cursor: usize,
    rows: &[super::super::model::OverviewRow],
    width: u16,
) -> (String, Vec<Line<'static>>) {
    let lw = rows
        .iter()
        .map(|r| super::thousands(r.chars).len())
        .max()
        .unwrap_or(1);
    let badges: Vec<String> = (0..rows.len())
        .map(|pos| {
            let id = &m.view.item.candidates[m.view.order[pos]].id;
            super::candidates::badge(m, pos, id).unwrap_or_default()
        })
        .collect();
    let bw = badges
        .iter()
        .map(|b| crate::text::str_width(b))
        .max()
        .unwrap_or(0);
    // The box takes most of the screen; the first words fill what the rest leaves.
    let text_w = usize::from(width.saturating_sub(8));
    let lines = rows
        .iter()
        .zip(&badges)
        .enumerate()
        .map(|(pos, (r, badge))| {
            let here = pos == cursor;
            // The decision column only once something is decided.
            let badge = if bw == 0 {
                String::new()
            } else {
                format!(
                    "{badge}{} · ",
                    " ".repeat(bw - crate::text::str_width(badge))
                )
            };
            let head = format!(
                "{} [{}] · {:>lw$} ch · {badge}",
                if here { "▶" } else { " " },
                pos + 1,
                super::thousands(r.chars),
            );
            let room = text_w.saturating_sub(crate::text::str_width(&head));
            let start = if r.start.is_empty() {
                "(empty answer)".to_string()
            } else {
                crate::text::truncate(&r.start, room.max(1))
            };
            let style = if here {
                Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
            } else {
                Style::new()
            };
            Line::from(vec![Span::styled(head, style), Span::styled(start, style)])
        })
        .collect();
    (
        format!(
            "overview: {} candidates · Enter focus · Esc close",
            rows.len()
        ),
        lines,
    )
}

fn confirm_quit(m: &Model) -> (String, Vec<Line<'static>>) {
    // Writes on their way are finished before the program exits: only failed ones are at risk.
    let n = if matches!(m.save, SaveState::Failed { .. }) {
        m.unsaved.len()
    } else {
        0
    };
    let mut lines = Vec::new();
    if n > 0 {
        lines.push(Line::from(format!(
            "{n} decision{} not on disk yet.",
            if n == 1 { " is" } else { "s are" }
        )));
    }
    let unrecorded = m.view.unrecorded();
    if let Some(what) = &unrecorded {
        lines.push(Line::from(format!(
            "This task has {what}: not recorded yet."
        )));
    }
    lines.push(Line::from(match (n > 0, unrecorded.is_some()) {
        (true, false) => "q again: quit and write them to a rescue file next to the log",
        (true, true) => "q again: quit (the decisions go to a rescue file, this task's are lost)",
        (false, _) => "q again: quit without them",
    }));
    lines.push(Line::from(if n > 0 {
        "any other key: stay (saving is retried every second)"
    } else {
        "any other key: stay (Enter records them once complete)"
    }));
    let title = if n > 0 {
        "unsaved decisions"
    } else {
        "not recorded yet"
    };
    (title.into(), lines)
}

/// The task's guidelines, rendered from Markdown, nearly full screen and scrollable.
fn guidelines(m: &Model, f: &mut Frame, area: Rect) {
    let Some(g) = &m.spec.guidelines else {
        return;
    };
    let r = Rect::new(
        area.x + 2,
        area.y + 1,
        area.width.saturating_sub(4),
        area.height.saturating_sub(2),
    )
    .intersection(area);
    if r.width < 6 || r.height < 3 {
        return;
    }
    let width = r.width.saturating_sub(4);
    let lines = crate::markdown::render(&g.text, width);
    let h = usize::from(r.height.saturating_sub(2));
    let start = m.guide_scroll.min(lines.len().saturating_sub(h));
    let end = (start + h).min(lines.len());
    let title = format!(
        " guidelines · {}-{}/{} · j/k scroll · q quits · any other key closes ",
        start + 1,
        end,
        lines.len()
    );
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines[start..end].to_vec()).block(
            Block::bordered()
                .padding(ratatui::widgets::Padding::horizontal(1))
                .title(Line::from(title).style(Style::new().add_modifier(Modifier::BOLD))),
        ),
        r,
    );
}

/// `line` cut to `width` cells, ending in … when something was cut.
fn cut(line: Line<'static>, width: usize) -> Line<'static> {
    if line.width() <= width {
        return line;
    }
    let mut left = width;
    let mut spans = Vec::new();
    for s in line.spans {
        let w = crate::text::str_width(&s.content);
        if w < left {
            left -= w;
            spans.push(s);
            continue;
        }
        // Something is cut at or after this span: it ends in … either way.
        let forced = format!("{}…", s.content);
        spans.push(Span::styled(
            crate::text::truncate(&forced, left.max(1)),
            s.style,
        ));
        break;
    }
    Line::from(spans).style(line.style)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(l: &Line) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn a_line_wider_than_the_box_ends_in_an_ellipsis() {
        let l = Line::from(vec![
            Span::raw("u       "),
            Span::raw("takes back the last decision"),
        ]);
        assert_eq!(text(&cut(l.clone(), 20)), "u       takes back …");
        assert_eq!(text(&cut(l.clone(), 100)), text(&l));
        // Cut exactly at a span's end: the sign is still there.
        assert_eq!(text(&cut(l, 8)), "u      …");
    }
}
