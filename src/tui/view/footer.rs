//! The footer: a status message when there is one, then the keys that work now, generated from
//! the key map.
//!
//! ```text
//! ● ranking 3 > 1 = 2 (complete) │ Bksp unpick  Enter submit  u undo  ? help ...
//! ```
//! The keys hints are chosen by what the state on screen needs when the line is short of room:
//! help and quit always, then the keys that act now, then undo, skip and the rest.
//! ```text
//! ```

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::keymap::Action;
use super::super::model::{InputKind, Model, Overlay, SaveState};
use crate::labels::TaskKind;
use crate::text::truncate;

pub fn render(m: &Model, f: &mut Frame, area: Rect) {
    f.render_widget(Paragraph::new(line(m, area.width)), area);
}

pub fn line(m: &Model, width: u16) -> Line<'static> {
    let width = usize::from(width);
    if let Some(inp) = &m.input {
        // The one-line editor: prompt, text, a cursor mark, and how to finish.
        let prompt = match inp.kind {
            InputKind::Jump => jump_prompt(m),
            InputKind::Search => "search: ".to_string(),
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
    let status = match &m.save {
        SaveState::Failed {
            error, failures, ..
        } => Some(format!(
            "not saved: {error} - kept in memory, retrying every second (failed {failures}x)"
        )),
        _ => m.status.clone().or_else(|| m.warning.clone()).or_else(|| {
            m.review.as_ref().map(|_| {
                let vs = crate::tui::review::verdicts(m, &m.view.key, &m.view.item);
                crate::tui::review::summary(&vs)
            })
        }),
    };
    // The diff's summary stays while the diff is on.
    let status = match (
        m.pair_shown.as_ref().map(|(_, _, d)| d.summary.clone()),
        status,
    ) {
        (Some(d), Some(s)) => Some(format!("{d} · {s}")),
        (d, s) => d.or(s),
    };
    // Rank mode: the ranking itself always leads, until Enter submits it.
    let status = match (ranking_so_far(m), status) {
        (Some(r), Some(s)) => Some(format!("{r} · {s}")),
        (r, s) => r.or(s),
    };
    // Waiting for the server to hand out a task, only undo, help and quit act: the keys that
    // decide would be a promise the screen cannot keep.
    let waiting = matches!(m.overlay, Overlay::WaitingForTasks);
    let hints: Vec<Hint> = m
        .keymap
        .footer_hints(m.keys_mode(), m.scale, m.review.is_some())
        .into_iter()
        .filter(|(a, _, _)| !waiting || matches!(a, Action::Undo | Action::Help | Action::Quit))
        .map(|(a, keys, desc)| Hint {
            action: a,
            priority: priority(m, a),
            keys,
            desc,
        })
        .collect();
    // The status gets what the keys that always show leave, and the key that submits a
    // complete decision (a message can be long; a complete ranking must say how to send it).
    // The keys that decide keep their keys at least (their words may go): a long message
    // (the circle, a task left) must not leave a pair with only help and quit.
    let essential: usize = hints
        .iter()
        .map(|h| match h.priority {
            0 => h.width(),
            1 if h.action == Action::Submit => h.width(),
            1 if picks(h.action) => h.keys_width(),
            _ => 0,
        })
        .sum();
    let mut spans = Vec::new();
    let mut used = 0;
    if let Some(s) = status {
        let room = width.saturating_sub(essential + 3).max(width.min(20));
        let s = truncate(&format!("● {s}"), room);
        used += crate::text::str_width(&s);
        spans.push(Span::styled(s, Style::new().add_modifier(Modifier::BOLD)));
        spans.push(Span::raw(" │ "));
        used += 3;
    }
    for (h, whole) in fit(&hints, width.saturating_sub(used)) {
        spans.push(Span::styled(
            h.keys.clone(),
            Style::new().add_modifier(Modifier::REVERSED),
        ));
        spans.push(Span::raw(if whole {
            format!(" {}  ", h.desc)
        } else {
            "  ".to_string()
        }));
    }
    Line::from(spans)
}

/// What `:` takes, saying what a number means here: a task (in pair mode, a pair of one
/// item's candidates), or a place in review's list.
fn jump_prompt(m: &Model) -> String {
    match &m.review {
        Some(r) => format!(
            "jump to: number in this filter (1-{}), or item id or its start: ",
            r.list.len()
        ),
        None if m.mode == TaskKind::Pair => format!(
            "jump to: task number (1-{}, one per pair), or item id or its start: ",
            m.tasks.len()
        ),
        None => format!(
            "jump to: task number (1-{}), or item id or its start: ",
            m.tasks.len()
        ),
    }
}

/// A key hint of the footer, with how much the current state needs it (0: always shown, then
/// the lower the sooner).
struct Hint {
    action: Action,
    priority: u8,
    keys: String,
    desc: &'static str,
}

impl Hint {
    fn width(&self) -> usize {
        crate::text::str_width(&self.keys) + 1 + self.desc.len() + 2
    }

    /// The key alone, without what it does (`?` says).
    fn keys_width(&self) -> usize {
        crate::text::str_width(&self.keys) + 2
    }
}

/// The hints that fit in `width`, most needed first, shown in their usual order, each whole
/// (`true`) or as its key alone when only that fits: a key the state needs is never dropped
/// for one it needs less.
fn fit(hints: &[Hint], width: usize) -> Vec<(&Hint, bool)> {
    let mut order: Vec<usize> = (0..hints.len()).collect();
    order.sort_by_key(|&i| (hints[i].priority, i));
    let mut keep = vec![None; hints.len()];
    let mut used = 0;
    let mut dropped_at = None;
    // The keys that decide go whole only when all of them fit so: a pair shows both choices'
    // keys before the words of one.
    let deciding = |h: &Hint| picks(h.action);
    let mut deciding_left: usize = hints.iter().filter(|h| deciding(h)).map(Hint::width).sum();
    let mut deciding_short = false;
    for i in order {
        let h = &hints[i];
        if dropped_at.is_some_and(|p| h.priority > p) {
            break;
        }
        let room_for_whole = if deciding(h) {
            deciding_left = deciding_left.saturating_sub(h.width());
            !deciding_short && used + h.width() + deciding_left <= width
        } else {
            used + h.width() <= width
        };
        if room_for_whole {
            keep[i] = Some(true);
            used += h.width();
        } else if h.priority > 0 && used + h.keys_width() <= width {
            keep[i] = Some(false);
            used += h.keys_width();
            // The other keys that decide go as keys alone too.
            deciding_short |= deciding(h);
        } else {
            dropped_at = Some(h.priority);
        }
    }
    hints
        .iter()
        .zip(keep)
        .filter_map(|(h, k)| Some((h, k?)))
        .collect()
}

/// The keys that pick a candidate (a number, left, right): narrower than
/// [`Action::decides`], which also counts tie, skip and the keys that build a ranking.
fn picks(a: Action) -> bool {
    matches!(
        a,
        Action::Number(_) | Action::ChooseLeft | Action::ChooseRight
    )
}

/// How much the state on screen needs a key's hint: 0 always (help, quit), 1 the keys that
/// act on it now (deciding, submitting a complete ranking, reaching panes that are off
/// screen), then undo and taking back a pick, skip, and the rest.
fn priority(m: &Model, a: Action) -> u8 {
    let hidden_panes = {
        let a = crate::tui::layout::areas(m);
        a.more_left + a.more_right > 0
    };
    let rank_complete = m.mode == TaskKind::Rank && m.ranked_count() >= m.rank_target();
    let picked = m.ranked_count() > 0;
    match a {
        Action::Help | Action::Quit => 0,
        Action::FocusNext if hidden_panes => 1,
        Action::FocusNext if m.mode == TaskKind::Rate => 2,
        Action::FocusNext => 4,
        Action::Submit if m.mode == TaskKind::Rank && !rank_complete => 5,
        Action::Submit
            if m.view
                .draft
                .rate()
                .is_some_and(|d| d.ratings.iter().any(Option::is_none)) =>
        {
            4
        }
        Action::Submit => 1,
        Action::Number(_) if rank_complete => 3,
        Action::Number(_) | Action::ChooseLeft | Action::ChooseRight => 1,
        Action::CycleFilter => 1,
        Action::RemovePick if picked => 2,
        Action::RemovePick => 5,
        Action::TieNext if picked && !rank_complete => 3,
        Action::TieNext => 5,
        Action::Undo => 2,
        Action::EditCandidate => 4,
        Action::Tie | Action::BothBad => 2,
        Action::Skip => 3,
        _ => 3,
    }
}

/// Rank mode: the ranking being built, by pane number (`3 > 1 > 5 = 2`), so it can be read when
/// not every pane is on screen; and when it is complete (the footer's Enter hint then stays).
fn ranking_so_far(m: &Model) -> Option<String> {
    let d = m.view.draft.rank()?;
    if m.mode == TaskKind::BestWorst && m.review.is_none() {
        // Which press is asked for, always in view.
        let at = |t: usize| d.tiers.get(t).and_then(|t| t.first()).map(|p| p + 1);
        return Some(match (at(0), at(1)) {
            (None, _) => "press the number of the BEST".into(),
            (Some(b), None) => format!("best [{b}] · press the number of the WORST"),
            (Some(b), Some(w)) => format!("best [{b}] · worst [{w}]"),
        });
    }
    if d.tiers.is_empty() || m.review.is_some() {
        return None;
    }
    let tiers: Vec<String> = d
        .tiers
        .iter()
        .map(|t| {
            t.iter()
                .map(|p| (p + 1).to_string())
                .collect::<Vec<_>>()
                .join(" = ")
        })
        .collect();
    let target = m.rank_target();
    let count = m.view.order.len();
    let state = if m.view.decided || m.ranked_count() < target {
        ""
    } else if target < count {
        " (best picked)"
    } else {
        " (complete)"
    };
    Some(format!("ranking {}{state}", tiers.join(" > ")))
}
