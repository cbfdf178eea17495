//! Keys while an overlay is open (help, guidelines, the end-of-work screens, questions), and
//! the two things that close with an answer: undo's question and the rationale editor.

use super::deciding::{commit, take_back};
use super::{Effect, Model};
use crate::tui::keymap::Action;
use crate::tui::model::{Focus, Overlay};

/// An overlay on screen takes the key first: scroll keys scroll the help and the guidelines,
/// any other key closes what is open (a question is answered no). True when the key was
/// taken; quit goes on to quit.
pub(super) fn key(m: &mut Model, a: Action, fx: &mut Vec<Effect>) -> bool {
    match m.overlay.clone() {
        Overlay::Help => {
            // Scroll keys scroll the help (it can be taller than the screen); others close it.
            let max = m
                .keymap
                .help(m.keys_mode(), m.scale, m.review.is_some())
                .len()
                + 6;
            let page = usize::from(m.size.1.saturating_sub(4)).max(1);
            let s = &mut m.help_scroll;
            match a {
                Action::ScrollDown => *s += 1,
                Action::ScrollUp => *s = s.saturating_sub(1),
                Action::PageDown => *s += page,
                Action::PageUp => *s = s.saturating_sub(page),
                Action::Top => *s = 0,
                Action::Bottom => *s = max,
                _ => {
                    m.overlay = Overlay::None;
                    if a != Action::Quit {
                        return true;
                    }
                }
            }
            m.help_scroll = m.help_scroll.min(max);
            if m.overlay == Overlay::Help {
                return true;
            }
        }
        Overlay::Guidelines => {
            let page = usize::from(m.size.1.saturating_sub(4)).max(1);
            let g = &mut m.guide_scroll;
            match a {
                Action::ScrollDown => *g += 1,
                Action::ScrollUp => *g = g.saturating_sub(1),
                Action::PageDown => *g += page,
                Action::PageUp => *g = g.saturating_sub(page),
                Action::Top => *g = 0,
                _ => {
                    m.overlay = Overlay::None;
                    if a != Action::Quit {
                        return true;
                    }
                }
            }
            if m.overlay == Overlay::Guidelines {
                return true;
            }
        }
        Overlay::WaitingForTasks => {
            // Undo, help and quit act; other keys wait with the screen.
            if matches!(a, Action::Undo | Action::Help) {
                m.overlay = Overlay::None;
                return false;
            }
            if a != Action::Quit {
                m.status = Some(format!(
                    "{} (u undoes your last decision, q quits)",
                    crate::tui::model::WAITING
                ));
                return true;
            }
        }
        Overlay::Done | Overlay::NothingLeft => {
            // Any key closes the overlay; quit still quits.
            m.close_done();
            if a != Action::Quit {
                return true;
            }
        }
        Overlay::GoldMiss { .. } => {
            // Read, then any key closes it; it is not the next item's decision.
            m.overlay = Overlay::None;
            if a != Action::Quit {
                return true;
            }
        }
        Overlay::ConfirmUndo { .. } => {
            // y comes as `Msg::Answer`; any key that has an action means no.
            answer_undo(m, false, fx);
            if a != Action::Quit {
                return true;
            }
        }
        Overlay::ConfirmQuit => {
            m.overlay = Overlay::None;
            if a == Action::Quit {
                m.quit = true;
                fx.push(Effect::Quit);
            } else {
                m.status = Some("quit cancelled".into());
            }
            return true;
        }
        Overlay::Overview { cursor, rows } => {
            let n = rows.len();
            let to = match a {
                Action::ScrollDown | Action::FocusNext | Action::FocusRight => {
                    Some((cursor + 1).min(n.saturating_sub(1)))
                }
                Action::ScrollUp | Action::FocusPrev | Action::FocusLeft => {
                    Some(cursor.saturating_sub(1))
                }
                Action::Top => Some(0),
                Action::Bottom => Some(n.saturating_sub(1)),
                Action::Number(k) if usize::from(k) <= n && k > 0 => {
                    focus_from_overview(m, usize::from(k) - 1);
                    return true;
                }
                Action::Submit => {
                    focus_from_overview(m, cursor);
                    return true;
                }
                Action::Cancel | Action::Overview | Action::Quit => {
                    m.overlay = Overlay::None;
                    return a != Action::Quit;
                }
                _ => None,
            };
            if let Some(c) = to {
                m.overlay = Overlay::Overview { cursor: c, rows };
            }
            return true;
        }
        Overlay::Quality { cursor, table } => {
            let n = table.rows.len();
            let to = match a {
                Action::ScrollDown | Action::FocusNext | Action::FocusRight => {
                    (cursor + 1).min(n.saturating_sub(1))
                }
                Action::ScrollUp | Action::FocusPrev | Action::FocusLeft => {
                    cursor.saturating_sub(1)
                }
                Action::Top => 0,
                Action::Bottom => n.saturating_sub(1),
                Action::Submit => {
                    misses_of(m, &table, cursor);
                    return true;
                }
                Action::Cancel | Action::Quality | Action::Quit => {
                    m.overlay = Overlay::None;
                    return a != Action::Quit;
                }
                _ => cursor,
            };
            m.overlay = Overlay::Quality { cursor: to, table };
            return true;
        }
        Overlay::None => {}
    }
    false
}

/// `A` in review: the quality table, worked out now from the logs review has read.
pub(super) fn open_quality(m: &mut Model) {
    if m.review.is_none() {
        m.status = Some("the quality table is for review mode (prefer review)".into());
        return;
    }
    let table = quality_of(m);
    if table.rows.is_empty() {
        m.status = Some("no annotator's decisions to judge yet".into());
        return;
    }
    m.overlay = Overlay::Quality { cursor: 0, table };
}

/// The quality table of everything review has read: every annotator's standing decisions and
/// hidden repeats (this reviewer's own adjudications are left out of the rows, as in stats),
/// checked against the task file's gold and `[qa]`.
fn quality_of(m: &Model) -> crate::tui::quality::QualityScreen {
    let mut events: Vec<crate::labels::Event> = Vec::new();
    let all = m
        .team
        .others()
        .values()
        .chain(std::iter::once(&m.decisions));
    for d in all {
        events.extend(d.iter().cloned());
        events.extend(d.repeats().cloned());
    }
    let items: Vec<std::sync::Arc<crate::format::Item>> = (0..m.source.len())
        .filter_map(|i| m.source.item(i).ok())
        .collect();
    let st = crate::export::standing::standing(events, Some(&items));
    let report = crate::stats::compute::report(&st, Some(&items));
    let q = crate::stats::quality::quality(&st, Some(&items), &m.gold, &m.spec.qa, &report);
    crate::tui::quality::screen_of(&q)
}

/// Enter on the quality table: review the annotator's gold misses (with gold known).
fn misses_of(m: &mut Model, table: &crate::tui::quality::QualityScreen, cursor: usize) {
    let Some(row) = table.rows.get(cursor) else {
        return;
    };
    if table.gold_items == 0 {
        m.status = Some(
            "no gold items: give the gold file (prefer review FILE --gold GOLD.jsonl) to see misses"
                .into(),
        );
        return;
    }
    m.overlay = Overlay::None;
    super::navigating::start_review(m, crate::tui::review::Filter::Misses(row.name.clone()));
}

/// `o`: the overview of the task's candidates, the focused one under the cursor.
pub(super) fn open_overview(m: &mut Model) {
    let rows = m
        .view
        .order
        .iter()
        .map(|&ci| crate::tui::model::OverviewRow::of(&m.view.item.candidates[ci].text))
        .collect();
    let cursor = match m.view.focus {
        Focus::Pane(p) => p,
        Focus::Prompt => m.view.last_pane,
    };
    m.overlay = Overlay::Overview { cursor, rows };
}

/// Closes the overview with candidate `pos` focused (and so scrolled into view).
fn focus_from_overview(m: &mut Model, pos: usize) {
    m.overlay = Overlay::None;
    m.view.focus = Focus::Pane(pos);
    m.view.last_pane = pos;
}

/// The answer to "take back a decision from an earlier session?".
pub(super) fn answer_undo(m: &mut Model, yes: bool, fx: &mut Vec<Effect>) {
    if !matches!(m.overlay, Overlay::ConfirmUndo { .. }) {
        return;
    }
    m.overlay = Overlay::None;
    if !yes {
        m.status = Some("undo cancelled: the decision stands".into());
        return;
    }
    m.undo.agree();
    if let Some(last) = m.last_undoable() {
        take_back(m, last, fx);
    }
}

/// The editor closed: keep the text; a decision waiting for it is recorded now (or, with no
/// text, not at all).
pub(super) fn close_editor(m: &mut Model, fx: &mut Vec<Effect>) {
    let Some(ed) = m.editor.take() else {
        return;
    };
    m.view.rationale = ed.text();
    if let Some(mut ev) = m.pending.take() {
        if ed.is_blank() {
            m.status = Some("no rationale written: the decision was not recorded".into());
            return;
        }
        ev.rationale = Some(m.view.rationale.trim().to_string());
        m.status = None;
        commit(m, ev, fx);
    } else if !ed.is_blank() {
        m.status = Some("rationale kept: it is saved with your decision".into());
    }
}
