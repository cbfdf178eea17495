//! `update(&mut Model, Msg, now) -> Vec<Effect>`: every behaviour of the labeling screen, as a
//! pure function. Decisions become `Effect::Append`; the loop writes them and answers with
//! `Msg::Saved` or `Msg::SaveFailed`.

use crate::labels::{Event, TaskKind};

use super::content::PaneId;
use super::keymap::Action;
use super::layout::{self, areas, inner};
use super::model::{Focus, Model, Overlay, SaveState};

/// What happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(Action),
    Resize(u16, u16),
    /// The event with this sequence number is on disk (fsynced).
    Saved(u64),
    /// Writing it failed; it stays in memory and is retried.
    SaveFailed(u64, String),
    /// Time passes (redraws the clock; retries failed writes).
    Tick,
    /// Something outside changed that the labeler must know (e.g. the candidate file was
    /// edited on disk); shown until the session ends.
    Warn(String),
}

/// What the loop must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Append this event to the log, fsync, then send `Msg::Saved(seq)`.
    Append {
        seq: u64,
        event: Box<Event>,
    },
    Quit,
}

pub fn update(m: &mut Model, msg: Msg, now_ms: u64) -> Vec<Effect> {
    m.now_ms = now_ms;
    let mut fx = Vec::new();
    match msg {
        Msg::Key(a) => key(m, a, &mut fx),
        Msg::Resize(w, h) => m.size = (w, h),
        Msg::Saved(seq) => {
            m.unsaved.remove(&seq);
            m.save = if m.unsaved.is_empty() {
                SaveState::Saved
            } else {
                match &m.save {
                    SaveState::Failed { error, .. } => {
                        // Recovering after a failure: write the next held event, in order.
                        retry(m, &mut fx);
                        SaveState::Failed {
                            pending: m.unsaved.len(),
                            error: error.clone(),
                        }
                    }
                    _ => SaveState::Saving(m.unsaved.len()),
                }
            };
        }
        Msg::SaveFailed(_, error) => {
            m.save = SaveState::Failed {
                pending: m.unsaved.len(),
                error,
            };
        }
        Msg::Tick => {
            if matches!(m.save, SaveState::Failed { .. }) {
                retry(m, &mut fx);
            }
        }
        Msg::Warn(w) => m.warning = Some(w),
    }
    prepare(m);
    fx
}

/// Writes the oldest held event; each success (`Msg::Saved`) writes the next one. One at a
/// time and oldest first, so the log gets the events in the order they were made: a retried
/// decision must not land after a later undo or re-decision of the same task.
fn retry(m: &Model, fx: &mut Vec<Effect>) {
    if let Some((&seq, ev)) = m.unsaved.first_key_value() {
        fx.push(Effect::Append {
            seq,
            event: Box::new(ev.clone()),
        });
    }
}

fn key(m: &mut Model, a: Action, fx: &mut Vec<Effect>) {
    // Overlays take the key first.
    match m.overlay {
        Overlay::Help => {
            // Scroll keys scroll the help (it can be taller than the screen); others close it.
            let max = m.keymap.help(m.mode, m.scale).len() + 6;
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
                        return;
                    }
                }
            }
            m.help_scroll = m.help_scroll.min(max);
            if m.overlay == Overlay::Help {
                return;
            }
        }
        Overlay::Done => {
            // Any key closes the overlay; quit still quits.
            m.overlay = Overlay::None;
            if a != Action::Quit {
                return;
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
            return;
        }
        Overlay::None => {}
    }
    if layout::too_small(m.size) && a != Action::Quit {
        return;
    }
    m.status = None;
    match a {
        Action::Quit => {
            if m.unsaved.is_empty() {
                m.quit = true;
                fx.push(Effect::Quit);
            } else {
                m.overlay = Overlay::ConfirmQuit;
            }
        }
        Action::Cancel => {
            m.zoom = false;
            m.view.tie_next = false;
        }
        Action::Help => {
            m.overlay = Overlay::Help;
            m.help_scroll = 0;
        }
        Action::Number(n) => number(m, n, fx),
        Action::ChooseLeft | Action::ChooseRight | Action::Tie | Action::BothBad => {
            if m.mode == TaskKind::Pair {
                let l = m.view.order[0];
                let r = m.view.order[1];
                let choice = match a {
                    Action::ChooseLeft => m.view.item.candidates[l].id.clone(),
                    Action::ChooseRight => m.view.item.candidates[r].id.clone(),
                    Action::Tie => "tie".into(),
                    _ => "both_bad".into(),
                };
                decide_pair(m, choice, fx);
            } else {
                m.status = Some(format!(
                    "that key is for pair mode; this is {} mode (? for help)",
                    m.mode.name()
                ));
            }
        }
        Action::TieNext => match m.mode {
            TaskKind::Rank if m.view.tiers.is_empty() => {
                m.status =
                    Some("pick the best candidate first, then = ties the next pick with it".into());
            }
            TaskKind::Rank => {
                m.view.tie_next = true;
                m.status = Some(format!(
                    "the next pick ties with rank #{}",
                    m.view.tiers.len()
                ));
            }
            _ => {}
        },
        Action::RemovePick => match m.mode {
            TaskKind::Rank => {
                if m.view.auto_last {
                    m.view.tiers.pop();
                    m.view.auto_last = false;
                }
                if let Some(t) = m.view.tiers.last_mut() {
                    t.pop();
                    if t.is_empty() {
                        m.view.tiers.pop();
                    }
                }
                m.view.tie_next = false;
            }
            TaskKind::Rate => {
                if let Focus::Pane(p) = m.view.focus {
                    m.view.ratings[p] = None;
                }
            }
            TaskKind::Pair => {}
        },
        Action::Submit => submit(m, fx),
        Action::Skip => {
            let mut ev = base_event(m);
            ev.skip = true;
            if m.mode == TaskKind::Pair {
                ev.pair = Some(pair_ids(m));
            }
            record(m, ev, fx);
            advance(m);
        }
        Action::Undo => undo(m, fx),
        Action::NextTask => {
            if m.current + 1 < m.tasks.len() {
                m.go_to(m.current + 1);
            } else {
                m.status = Some("this is the last task".into());
            }
        }
        Action::PrevTask => {
            if m.current > 0 {
                m.go_to(m.current - 1);
            } else {
                m.status = Some("this is the first task".into());
            }
        }
        Action::NextUndecided => {
            let from = (m.current + 1) % m.tasks.len();
            if let Some(i) = m.first_open_from(from) {
                m.go_to(i);
            } else if let Some(i) = m.first_skipped_from(from) {
                m.go_to(i);
                m.status = Some("no undecided tasks left; showing a skipped one".into());
            } else {
                m.status = Some("every task is decided".into());
            }
        }
        Action::FocusNext | Action::FocusPrev | Action::FocusLeft | Action::FocusRight => {
            let n = m.view.order.len();
            let cur = match m.view.focus {
                Focus::Pane(p) => p,
                Focus::Prompt => m.view.last_pane,
            };
            let next = match a {
                Action::FocusNext => (cur + 1) % n,
                Action::FocusPrev => (cur + n - 1) % n,
                Action::FocusLeft => cur.saturating_sub(1),
                _ => (cur + 1).min(n - 1),
            };
            set_focus(m, Focus::Pane(next));
        }
        Action::FocusPrompt => {
            let f = match m.view.focus {
                Focus::Prompt => Focus::Pane(m.view.last_pane),
                Focus::Pane(_) => Focus::Prompt,
            };
            set_focus(m, f);
        }
        Action::TogglePrompt => {
            m.prompt_collapsed = !m.prompt_collapsed;
            if m.prompt_collapsed && m.view.focus == Focus::Prompt {
                set_focus(m, Focus::Pane(m.view.last_pane));
            }
        }
        Action::ScrollDown => scroll(m, 1),
        Action::ScrollUp => scroll(m, -1),
        Action::PageDown => {
            let h = focused_height(m).saturating_sub(1).max(1);
            scroll(m, h as isize);
        }
        Action::PageUp => {
            let h = focused_height(m).saturating_sub(1).max(1);
            scroll(m, -(h as isize));
        }
        Action::Top => scroll(m, isize::MIN / 2),
        Action::Bottom => scroll(m, isize::MAX / 2),
        Action::Zoom => m.zoom = !m.zoom,
        Action::ToggleMeta => {
            m.show_meta = !m.show_meta;
            m.status = Some(if m.show_meta {
                "metadata shown (m hides it again)".into()
            } else {
                "metadata hidden".into()
            });
        }
    }
}

fn set_focus(m: &mut Model, f: Focus) {
    m.view.focus = f;
    if let Focus::Pane(p) = f {
        m.view.last_pane = p;
    }
}

fn number(m: &mut Model, n: u8, fx: &mut Vec<Effect>) {
    let count = m.view.order.len();
    match m.mode {
        TaskKind::Pair => match n {
            1 => key(m, Action::ChooseLeft, fx),
            2 => key(m, Action::ChooseRight, fx),
            _ => m.status = Some("pair mode: 1 or a = left, 2 or b = right".into()),
        },
        TaskKind::Rank => {
            let pos = usize::from(n) - 1;
            if pos >= count {
                m.status = Some(format!("there are only {count} candidates"));
                return;
            }
            let complete = m.ranked_count() == count;
            if complete {
                // `=` then the automatically placed last candidate: tie it with the tier above.
                if m.view.tie_next
                    && m.view.auto_last
                    && m.view.tiers.last().is_some_and(|t| t == &vec![pos])
                    && m.view.tiers.len() >= 2
                {
                    m.view.tiers.pop();
                    if let Some(t) = m.view.tiers.last_mut() {
                        t.push(pos);
                    }
                    m.view.tie_next = false;
                    m.view.auto_last = false;
                    m.status = Some("ranking complete: Enter submits".into());
                    return;
                }
                // A complete (or recorded) ranking: a number starts a new one.
                m.view.tiers.clear();
                m.view.auto_last = false;
                m.view.tie_next = false;
            }
            if let Some(r) = m.rank_of(pos) {
                m.status = Some(format!(
                    "[{n}] is already ranked #{r}; Backspace takes back the last pick"
                ));
                return;
            }
            if m.view.tie_next && !m.view.tiers.is_empty() {
                if let Some(t) = m.view.tiers.last_mut() {
                    t.push(pos);
                }
            } else {
                m.view.tiers.push(vec![pos]);
            }
            m.view.tie_next = false;
            if m.ranked_count() == count - 1 {
                let last = (0..count).find(|&p| m.rank_of(p).is_none());
                if let Some(last) = last {
                    m.view.tiers.push(vec![last]);
                    m.view.auto_last = true;
                }
            }
            if m.ranked_count() == count {
                m.status = Some("ranking complete: Enter submits, Backspace takes back".into());
            }
        }
        TaskKind::Rate => {
            let r = u32::from(n);
            if r > m.scale {
                m.status = Some(format!("ratings go from 1 to {}", m.scale));
                return;
            }
            let p = match m.view.focus {
                Focus::Pane(p) => p,
                Focus::Prompt => m.view.last_pane,
            };
            m.view.ratings[p] = Some(r);
            let next = (1..=count)
                .map(|k| (p + k) % count)
                .find(|&q| m.view.ratings[q].is_none());
            match next {
                Some(q) => set_focus(m, Focus::Pane(q)),
                None => {
                    set_focus(m, Focus::Pane(p));
                    m.status = Some("all rated: Enter submits".into());
                }
            }
        }
    }
}

fn submit(m: &mut Model, fx: &mut Vec<Effect>) {
    let count = m.view.order.len();
    match m.mode {
        TaskKind::Pair => {}
        TaskKind::Rank => {
            let placed = m.ranked_count();
            if placed < count {
                m.status = Some(format!(
                    "rank every candidate first: {} of {count} placed",
                    placed
                ));
                return;
            }
            let ids = shown_ids(m);
            let mut ev = base_event(m);
            ev.shown = Some(ids.clone());
            ev.ranking = Some(
                m.view
                    .tiers
                    .iter()
                    .map(|t| t.iter().map(|&p| ids[p].clone()).collect())
                    .collect(),
            );
            record(m, ev, fx);
            advance(m);
        }
        TaskKind::Rate => {
            if let Some(p) = m.view.ratings.iter().position(Option::is_none) {
                let left = m.view.ratings.iter().filter(|r| r.is_none()).count();
                m.status = Some(format!("rate every candidate first: {left} to go"));
                set_focus(m, Focus::Pane(p));
                return;
            }
            let ids = shown_ids(m);
            let mut ev = base_event(m);
            ev.shown = Some(ids.clone());
            ev.ratings = Some(
                ids.iter()
                    .zip(&m.view.ratings)
                    .map(|(id, r)| (id.clone(), r.unwrap_or(0)))
                    .collect(),
            );
            ev.scale = Some(m.scale);
            record(m, ev, fx);
            advance(m);
        }
    }
}

fn decide_pair(m: &mut Model, choice: String, fx: &mut Vec<Effect>) {
    let mut ev = base_event(m);
    ev.pair = Some(pair_ids(m));
    ev.choice = Some(choice);
    record(m, ev, fx);
    advance(m);
}

fn shown_ids(m: &Model) -> Vec<String> {
    m.view
        .order
        .iter()
        .map(|&i| m.view.item.candidates[i].id.clone())
        .collect()
}

fn pair_ids(m: &Model) -> [String; 2] {
    let ids = shown_ids(m);
    [ids[0].clone(), ids[1].clone()]
}

fn base_event(m: &Model) -> Event {
    let mut ev = Event::new(
        &m.annotator,
        &m.view.item.id,
        Some(&m.view.item.hash),
        m.mode,
    );
    ev.ms = Some(m.task_ms());
    ev
}

/// Applies an event to the model and hands it to the writer.
fn record(m: &mut Model, ev: Event, fx: &mut Vec<Effect>) {
    let seq = m.next_seq;
    m.next_seq += 1;
    if ev.is_decision() {
        m.session_decisions += 1;
    }
    m.decisions.apply(ev.clone());
    m.unsaved.insert(seq, ev.clone());
    m.save = match &m.save {
        // An earlier event is waiting for a retry: this one waits behind it (written in order
        // by `retry`), or the log could end up saying something the labeler did not do last.
        SaveState::Failed { error, .. } => SaveState::Failed {
            pending: m.unsaved.len(),
            error: error.clone(),
        },
        _ => {
            fx.push(Effect::Append {
                seq,
                event: Box::new(ev),
            });
            SaveState::Saving(m.unsaved.len())
        }
    };
}

/// After a decision: the next task that is neither decided nor skipped.
fn advance(m: &mut Model) {
    let from = (m.current + 1) % m.tasks.len();
    match m.first_open_from(from) {
        Some(i) => m.go_to(i),
        None => {
            let cur = m.current;
            m.go_to(cur);
            m.overlay = Overlay::Done;
        }
    }
}

fn undo(m: &mut Model, fx: &mut Vec<Effect>) {
    let Some(last) = m.decisions.last().cloned() else {
        m.status = Some("nothing to undo".into());
        return;
    };
    let key = last.key();
    let mut ev = Event::new(
        &m.annotator,
        &last.item,
        last.item_hash.as_deref(),
        last.task,
    );
    ev.pair = last.pair.clone();
    ev.retract = true;
    let was_decision = last.is_decision();
    record(m, ev, fx);
    if was_decision {
        m.session_decisions = m.session_decisions.saturating_sub(1);
    }
    let target = (0..m.tasks.len()).find(|&i| m.key_of(i) == key);
    match target {
        Some(i) => {
            m.go_to(i);
            m.status = Some(format!("undone: task {} is undecided again", i + 1));
        }
        None => m.status = Some("undone (that task is not in this file)".into()),
    }
}

fn focused_height(m: &Model) -> usize {
    let a = areas(m);
    match m.view.focus {
        Focus::Prompt => a.prompt.map_or(1, |r| usize::from(inner(r).height)),
        Focus::Pane(p) => a
            .panes
            .iter()
            .find(|(q, _)| *q == p)
            .map_or(1, |(_, r)| usize::from(inner(*r).height)),
    }
}

fn scroll(m: &mut Model, delta: isize) {
    let slot = match m.view.focus {
        Focus::Prompt => &mut m.view.prompt_scroll,
        Focus::Pane(p) => &mut m.view.scroll[p],
    };
    *slot = slot.saturating_add_signed(delta);
    // Clamped to the content in `prepare`.
}

/// Wraps what is visible at the current size (cached), keeps the focused pane on screen and
/// clamps scroll offsets to the content.
pub fn prepare(m: &mut Model) {
    if layout::too_small(m.size) {
        return;
    }
    // Wrap what will be visible before laying out: the prompt's height depends on how long
    // the prompt and the visible candidates are at their widths.
    let middle = layout::middle(m.size);
    m.wrap.ensure(
        &m.view.item,
        PaneId::Prompt,
        layout::prompt_text_width(m.size.0),
        false,
    );
    let (first, columns) = layout::columns(m, middle);
    m.view.first_pane = first;
    for (pos, r) in columns {
        let ci = m.view.order[pos];
        m.wrap
            .ensure(&m.view.item, PaneId::Cand(ci), inner(r).width, m.show_meta);
    }
    let a = areas(m);
    if let Some(r) = a.prompt {
        let r = inner(r);
        let lines = m.wrap.ensure(&m.view.item, PaneId::Prompt, r.width, false);
        if m.view.prompt_scroll == usize::MAX {
            m.view.prompt_scroll = lines.anchor;
        }
        m.view.prompt_scroll = m
            .view
            .prompt_scroll
            .min(lines.len().saturating_sub(usize::from(r.height)));
    }
    for (p, r) in a.panes {
        let r = inner(r);
        let ci = m.view.order[p];
        let lines = m
            .wrap
            .ensure(&m.view.item, PaneId::Cand(ci), r.width, m.show_meta);
        m.view.scroll[p] = m.view.scroll[p].min(lines.len().saturating_sub(usize::from(r.height)));
    }
}
