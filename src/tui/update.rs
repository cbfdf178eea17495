//! `update(&mut Model, Msg, now) -> Vec<Effect>`: every behaviour of the labeling screen, as a
//! pure function. Decisions become `Effect::Append`; the loop writes them and answers with
//! `Msg::Saved` or `Msg::SaveFailed`.

use crate::labels::{Event, Role, TaskKind};

use super::content::PaneId;
use super::keymap::Action;
use super::keymap::Key;
use super::layout::{self, areas, inner};
use super::model::{Focus, Input, InputKind, Model, Overlay, SaveState};
use super::review::{Filter, Review, build_list, matches};
use super::textarea::{Edit, RationaleEditor};
use crate::taskfile::RationaleMode;

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
    /// New events from the other annotators' logs in the labels folder.
    Others(Vec<Event>),
    /// A key while a line is being typed (`:` or `/`).
    Input(InputKey),
    /// y (true) or any other key (false) to a yes/no question on screen.
    Answer(bool),
    /// A key, or pasted text, for the rationale editor while it is open.
    Edit(Key),
    EditPaste(String),
}

/// Keys of the one-line editor in the footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKey {
    Char(char),
    Backspace,
    Enter,
    Esc,
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
    let shown = (m.current, m.view.key.clone());
    let fx = handle(m, msg, now_ms);
    if (m.current, &m.view.key) != (shown.0, &shown.1) {
        m.guard.task_shown(now_ms);
    }
    fx
}

fn handle(m: &mut Model, msg: Msg, now_ms: u64) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Key(a) => {
            m.touched = true;
            m.clock.input(now_ms);
            m.session_clock.input(now_ms);
            // Waiting for the next task of a file still being read: take in what has been
            // checked since, so this key acts on the next task, not on the one just decided.
            if m.awaiting && m.progress.is_some() {
                m.sync_tasks();
                more_tasks(m);
            }
            key(m, a, &mut fx);
        }
        Msg::Resize(w, h) => m.size = (w, h),
        Msg::Saved(seq) => {
            m.unsaved.remove(&seq);
            if m.in_flight == Some(seq) {
                m.in_flight = None;
            }
            // The next held event, in order (after a failure too: recovering).
            send_next(m, &mut fx);
            m.save = if m.unsaved.is_empty() {
                SaveState::Saved
            } else {
                match &m.save {
                    SaveState::Failed {
                        error, failures, ..
                    } => SaveState::Failed {
                        pending: m.unsaved.len(),
                        error: error.clone(),
                        failures: *failures,
                    },
                    _ => SaveState::Saving(m.unsaved.len()),
                }
            };
        }
        Msg::SaveFailed(seq, error) => {
            if m.in_flight == Some(seq) {
                m.in_flight = None;
            }
            let before = match m.save {
                SaveState::Failed { failures, .. } => failures,
                _ => 0,
            };
            m.save = SaveState::Failed {
                pending: m.unsaved.len(),
                error,
                failures: before + 1,
            };
        }
        Msg::Tick => {
            // A source still reading in the background may have more tasks by now.
            if m.progress.is_some() {
                m.sync_tasks();
                more_tasks(m);
            }
            if matches!(m.save, SaveState::Failed { .. }) {
                retry(m, &mut fx);
            }
        }
        Msg::Warn(w) => m.warning = Some(w),
        Msg::Answer(yes) => {
            m.clock.input(now_ms);
            answer_undo(m, yes, &mut fx);
        }
        Msg::Input(k) => {
            m.clock.input(now_ms);
            m.session_clock.input(now_ms);
            input(m, k)
        }
        Msg::Edit(k) => {
            m.clock.input(now_ms);
            m.session_clock.input(now_ms);
            if let Some(ed) = m.editor.as_mut()
                && ed.input(k) == Edit::Close
            {
                close_editor(m, &mut fx);
            }
        }
        Msg::EditPaste(t) => {
            m.clock.input(now_ms);
            if let Some(ed) = m.editor.as_mut() {
                ed.paste(&t);
            }
        }
        Msg::Others(events) => {
            let was_wanted = m.team.wants(&m.view.key);
            m.apply_others(events);
            if was_wanted && !m.team.wants(&m.view.key) && !m.decisions.is_decided(&m.view.key) {
                m.status = Some(format!(
                    "others have now decided this task {} times (the overlap wanted); }} goes to an open one",
                    m.team.others_on(&m.view.key)
                ));
            }
            // Work that others gave back (an undo) is served again, even after "done".
            if matches!(m.overlay, Overlay::Done | Overlay::NothingLeft)
                && let Some(i) = m.first_open_from(m.current)
            {
                m.close_done();
                m.go_to(i);
                m.status = Some("a task became available again".into());
            }
        }
    }
    prepare(m);
    fx
}

/// Writes the oldest held event; each success (`Msg::Saved`) writes the next one. One at a
/// time and oldest first, so the log gets the events in the order they were made: a retried
/// decision must not land after a later undo or re-decision of the same task.
fn retry(m: &mut Model, fx: &mut Vec<Effect>) {
    send_next(m, fx);
}

fn key(m: &mut Model, a: Action, fx: &mut Vec<Effect>) {
    // Overlays take the key first.
    match m.overlay.clone() {
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
                        return;
                    }
                }
            }
            if m.overlay == Overlay::Guidelines {
                return;
            }
        }
        Overlay::Done | Overlay::NothingLeft => {
            // Any key closes the overlay; quit still quits.
            m.close_done();
            if a != Action::Quit {
                return;
            }
        }
        Overlay::ConfirmUndo { .. } => {
            // y comes as `Msg::Answer`; any key that has an action means no.
            answer_undo(m, false, fx);
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
    if m.input.is_some() {
        // The loop sends typed keys as Msg::Input; a stray action must not act meanwhile.
        return;
    }
    if let Some(ms) = typed_ahead(m, a) {
        m.status = Some(format!(
            "key ignored: this task appeared {ms} ms before it (typed ahead?) - press it again"
        ));
        return;
    }
    m.status = None;
    match a {
        Action::Quit => {
            // Writes still on their way are finished by the loop before it exits; only
            // decisions that failed to save make quitting ask first.
            if matches!(m.save, SaveState::Failed { .. }) {
                m.overlay = Overlay::ConfirmQuit;
            } else {
                m.quit = true;
                fx.push(Effect::Quit);
            }
        }
        Action::Cancel => {
            m.zoom = false;
            m.show_matches = false;
            m.view.tie_next = false;
            if m.view.pending_choice.take().is_some() {
                m.status = Some("cancelled: choose again".into());
            }
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
                let sided = matches!(a, Action::ChooseLeft | Action::ChooseRight);
                if sided && m.spec.strength.is_some() {
                    // One more key says how much better.
                    let side = if a == Action::ChooseLeft { "A" } else { "B" };
                    let labels = m.spec.strength.as_ref().map(|s| s.labels.clone());
                    m.view.pending_choice = Some(choice);
                    if let Some(l) = labels {
                        // The first word of each label keeps this on one 80-column line; `?`
                        // shows them whole.
                        let w = |i: usize| l[i].split_whitespace().next().unwrap_or("").to_string();
                        m.status = Some(format!(
                            "how much better is {side}? 1 {} · 2 {} · 3 {} · 4 {} · Esc cancels",
                            w(0),
                            w(1),
                            w(2),
                            w(3)
                        ));
                    }
                } else {
                    decide_pair(m, choice, None, fx);
                }
            } else {
                m.status = Some(format!(
                    "that key is for pair mode; this is {} mode (? for help)",
                    m.mode.name()
                ));
            }
        }
        Action::TieNext => match m.mode {
            TaskKind::Rank if !m.spec.rank.ties => {
                m.status = Some("this task does not allow ties".into());
            }
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
            commit(m, ev, fx);
        }
        Action::Undo => undo(m, fx),
        Action::NextTask if m.review.is_some() => review_step(m, 1),
        Action::PrevTask if m.review.is_some() => review_step(m, -1),
        Action::NextUndecided if m.review.is_some() => {
            let r = m.review.as_ref().map(|r| (r.pos, r.list.clone()));
            if let Some((pos, list)) = r {
                let next = (pos + 1..list.len()).find(|&p| {
                    m.key_of(list[p])
                        .is_some_and(|k| m.decisions.get(&k).is_none())
                });
                match next {
                    Some(p) => review_go(m, p),
                    None => {
                        m.status = Some("no task further down this list lacks your decision".into())
                    }
                }
            }
        }
        Action::CycleFilter => match &m.review {
            Some(r) => {
                let names = super::review::annotator_names(m);
                let f = r.filter.next(&names);
                start_review(m, f);
            }
            None => m.status = Some("filters are for review mode (prefer review)".into()),
        },
        Action::Jump => {
            m.input = Some(Input {
                kind: InputKind::Jump,
                text: String::new(),
            });
        }
        Action::Search => {
            m.input = Some(Input {
                kind: InputKind::Search,
                text: String::new(),
            });
        }
        Action::SearchNext => match m.last_search.clone() {
            Some(q) => search(m, &q, true),
            None => m.status = Some("no search yet: / searches".into()),
        },
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
            // Candidates with their own conversations fold or unfold their earlier turns
            // with it: they open again at the answer judged.
            let own = |ci: &usize| m.view.item.candidates[*ci].messages.is_some();
            if m.view.order.iter().any(own) {
                m.view.scroll.iter_mut().for_each(|s| *s = usize::MAX);
            }
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
        Action::Rationale => {
            if m.spec.rationale == RationaleMode::Off {
                m.status =
                    Some("this task has no rationales (the task file can ask for them)".into());
            } else {
                m.editor = Some(RationaleEditor::new(&m.view.rationale));
            }
        }
        Action::Guidelines => {
            if m.spec.guidelines.is_some() {
                m.overlay = Overlay::Guidelines;
                m.guide_scroll = 0;
            } else {
                m.status = Some("this task has no guidelines (a task file can name them)".into());
            }
        }
        Action::Flag(i) => {
            let Some(flag) = m.spec.flags.get(usize::from(i)).map(|f| f.name.clone()) else {
                return;
            };
            let p = match m.view.focus {
                Focus::Pane(p) => p,
                Focus::Prompt => m.view.last_pane,
            };
            let id = m.view.item.candidates[m.view.order[p]].id.clone();
            let set = m.view.flags.entry(id).or_default();
            let on = if set.remove(&flag) {
                false
            } else {
                set.insert(flag.clone());
                true
            };
            m.status = Some(format!(
                "[{}] {} \"{flag}\"",
                p + 1,
                if on { "flagged" } else { "no longer flagged" }
            ));
        }
        Action::NextAspect => {
            let n = m.spec.rate.aspects.len();
            if m.mode == TaskKind::Rate && n > 0 {
                m.view.aspect = (m.view.aspect + 1) % n;
                m.status = Some(format!("rating {}", m.spec.rate.aspects[m.view.aspect]));
            }
        }
    }
}

/// A key that decides (or builds a decision) arriving so soon after a new task appeared that
/// it was meant for the one before: how many ms after.
fn typed_ahead(m: &Model, a: Action) -> Option<u64> {
    if a.decides() {
        m.guard.blocks(m.now_ms)
    } else {
        None
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
        TaskKind::Pair if m.view.pending_choice.is_some() => match n {
            1..=4 => {
                let choice = m.view.pending_choice.take().unwrap_or_default();
                decide_pair(m, choice, Some(n), fx);
            }
            _ => m.status = Some("strength: 1, 2, 3 or 4 (Esc cancels)".into()),
        },
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
            let target = rank_target(m);
            let complete = m.ranked_count() >= target;
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
            if target == count && m.ranked_count() == count - 1 {
                let last = (0..count).find(|&p| m.rank_of(p).is_none());
                if let Some(last) = last {
                    m.view.tiers.push(vec![last]);
                    m.view.auto_last = true;
                }
            }
            // Complete: the footer shows the ranking and that Enter submits it.
        }
        TaskKind::Rate => {
            let r = u32::from(n);
            if r > m.scale {
                m.status = Some(format!("ratings go from 1 to {}", m.scale));
                return;
            }
            if let Some(old) = m.view.recorded_scale.take() {
                // The recorded ratings were on another scale: they are not carried over.
                m.view.ratings.iter_mut().for_each(|x| *x = None);
                m.view
                    .aspect_ratings
                    .iter_mut()
                    .flatten()
                    .for_each(|x| *x = None);
                m.status = Some(format!(
                    "the recorded ratings were on 1-{old}; rate every candidate again on 1-{}",
                    m.scale
                ));
            }
            let p = match m.view.focus {
                Focus::Pane(p) => p,
                Focus::Prompt => m.view.last_pane,
            };
            let label = m
                .spec
                .rate
                .labels
                .get(r as usize - 1)
                .cloned()
                .unwrap_or_else(|| format!("{r}"));
            if !m.spec.rate.aspects.is_empty() {
                rate_aspect(m, p, r, &label);
                return;
            }
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
            let target = rank_target(m);
            if placed < target {
                m.status = Some(if target < count {
                    format!("pick the best {target} first: {placed} picked")
                } else {
                    format!("rank every candidate first: {placed} of {count} placed")
                });
                return;
            }
            let ids = shown_ids(m);
            let mut ev = base_event(m);
            ev.shown = Some(ids.clone());
            let mut ranking: Vec<Vec<String>> = m
                .view
                .tiers
                .iter()
                .map(|t| t.iter().map(|&p| ids[p].clone()).collect())
                .collect();
            // "Pick the best K": the others share the last place.
            let rest: Vec<String> = (0..count)
                .filter(|&p| m.rank_of(p).is_none())
                .map(|p| ids[p].clone())
                .collect();
            if !rest.is_empty() {
                ranking.push(rest);
            }
            ev.ranking = Some(ranking);
            commit(m, ev, fx);
        }
        TaskKind::Rate if !m.spec.rate.aspects.is_empty() => submit_aspects(m, fx),
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
            commit(m, ev, fx);
        }
    }
}

fn decide_pair(m: &mut Model, choice: String, strength: Option<u8>, fx: &mut Vec<Effect>) {
    let mut ev = base_event(m);
    ev.pair = Some(pair_ids(m));
    ev.choice = Some(choice);
    ev.strength = strength;
    commit(m, ev, fx);
}

/// Records a decision (or skip) and moves on, unless the task file requires a rationale that
/// is still missing: then the editor opens and the decision waits for it.
fn commit(m: &mut Model, ev: Event, fx: &mut Vec<Effect>) {
    if !super::nothing_left::allowed(m, &ev) {
        return;
    }
    if ev.is_decision()
        && m.spec.rationale == RationaleMode::Required
        && ev.rationale.as_deref().is_none_or(|r| r.trim().is_empty())
    {
        m.editor = Some(RationaleEditor::new(&m.view.rationale));
        m.pending = Some(ev);
        m.status =
            Some("this task asks for a rationale: write it, then Esc records the decision".into());
        return;
    }
    let rushed = ev.is_decision()
        && m.spec
            .min_seconds
            .is_some_and(|min| (ev.ms.unwrap_or(0) as f64) < min * 1000.0);
    record(m, ev, fx);
    advance(m);
    if rushed {
        m.rushed += 1;
        m.status = Some(format!(
            "that was quick: the guidelines ask for at least {} s per decision (u takes it back)",
            m.spec.min_seconds.unwrap_or(0.0)
        ));
    }
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
    ev.wall_ms = Some(m.task_wall_ms());
    let flags: std::collections::BTreeMap<String, Vec<String>> = m
        .view
        .flags
        .iter()
        .filter(|(_, f)| !f.is_empty())
        .map(|(id, f)| (id.clone(), f.iter().cloned().collect()))
        .collect();
    if !flags.is_empty() {
        ev.flags = Some(flags);
    }
    if !m.view.rationale.trim().is_empty() {
        ev.rationale = Some(m.view.rationale.trim().to_string());
    }
    if m.review.is_some() {
        ev.set_role(Role::Adjudicator);
    }
    ev
}

/// Applies an event to the model and hands it to the writer.
fn record(m: &mut Model, ev: Event, fx: &mut Vec<Effect>) {
    let seq = m.next_seq;
    m.next_seq += 1;
    if ev.is_decision() {
        m.session_decisions += 1;
    }
    if !ev.retract {
        m.undo.recorded(ev.key());
    }
    m.apply_mine(ev.clone());
    m.unsaved.insert(seq, ev);
    m.save = match &m.save {
        // An earlier event is waiting for a retry: this one waits behind it (written in order
        // by `send_next`), or the log could end up saying something the labeler did not do last.
        SaveState::Failed {
            error, failures, ..
        } => SaveState::Failed {
            pending: m.unsaved.len(),
            error: error.clone(),
            failures: *failures,
        },
        _ => {
            send_next(m, fx);
            SaveState::Saving(m.unsaved.len())
        }
    };
}

/// Hands the oldest unsaved event to the writer when nothing is being written. One write at a
/// time keeps the log in the order the labeler acted, also when a write fails and is retried;
/// the writer may work on another thread, so keys are never held up by a slow fsync.
fn send_next(m: &mut Model, fx: &mut Vec<Effect>) {
    if m.in_flight.is_some() {
        return;
    }
    if let Some((&seq, ev)) = m.unsaved.first_key_value() {
        m.in_flight = Some(seq);
        fx.push(Effect::Append {
            seq,
            event: Box::new(ev.clone()),
        });
    }
}

/// After a decision: the next task that is neither decided nor skipped (in review: the next
/// in the list).
fn advance(m: &mut Model) {
    if let Some(r) = &m.review {
        let (pos, len) = (r.pos, r.list.len());
        if pos + 1 < len {
            review_go(m, pos + 1);
        } else {
            let cur = m.current;
            m.go_to(cur);
            m.status = Some("that was the last task of this filter (f: next filter)".into());
        }
        return;
    }
    let from = (m.current + 1) % m.tasks.len();
    match m.first_open_from(from) {
        Some(i) => m.go_to(i),
        None if !m.checking_done() => {
            // A big file still being read: the next task is on its way, not "done".
            let cur = m.current;
            m.go_to(cur);
            m.awaiting = true;
            m.status = Some("reading the file: the next task appears in a moment".into());
        }
        None => {
            let cur = m.current;
            m.go_to(cur);
            m.show_done();
        }
    }
}

/// `u`: takes back the latest standing decision or skip and reopens its task with the values
/// filled in, ready to change one. One from an earlier session is asked about first.
fn undo(m: &mut Model, fx: &mut Vec<Effect>) {
    let Some(last) = m.decisions.last().cloned() else {
        m.status = Some("nothing to undo".into());
        return;
    };
    let key = last.key();
    if m.undo.needs_asking(&key) {
        m.overlay = Overlay::ConfirmUndo {
            item: crate::tui::content::one_line(&last.item),
            when: super::undo::when(&last.at),
        };
        return;
    }
    take_back(m, last, fx);
}

fn take_back(m: &mut Model, last: Event, fx: &mut Vec<Effect>) {
    let key = last.key();
    let earlier = m.undo.is_earlier(&key);
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
    if was_decision && !earlier {
        m.session_decisions = m.session_decisions.saturating_sub(1);
    }
    let target = m.task_of(&key);
    match target {
        Some(i) => {
            m.go_to(i);
            if was_decision {
                m.view.fill_from(&last, &m.spec.rate.aspects);
                m.view.decided = false;
            }
            m.status = Some(format!(
                "undone: task {} is open again{}",
                i + 1,
                if was_decision {
                    reopened_hint(m.mode)
                } else {
                    ""
                }
            ));
        }
        None => m.status = Some("undone (that task is not in this file)".into()),
    }
}

/// What to do with a reopened decision whose values are filled in.
fn reopened_hint(mode: TaskKind) -> &'static str {
    match mode {
        TaskKind::Pair => ", your choice shown: a/b/t/x decides again",
        TaskKind::Rank => ", your ranking filled in: Bksp takes back picks, Enter submits",
        TaskKind::Rate => ", your ratings filled in: rate one again, Enter submits",
    }
}

/// The answer to "take back a decision from an earlier session?".
fn answer_undo(m: &mut Model, yes: bool, fx: &mut Vec<Effect>) {
    if !matches!(m.overlay, Overlay::ConfirmUndo { .. }) {
        return;
    }
    m.overlay = Overlay::None;
    if !yes {
        m.status = Some("undo cancelled: the decision stands".into());
        return;
    }
    m.undo.agree();
    if let Some(last) = m.decisions.last().cloned() {
        take_back(m, last, fx);
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
            .map_or(1, |(_, r)| usize::from(layout::text_rect(m, *r).height)),
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
            .ensure(&m.view.item, PaneId::Cand(ci), inner(r).width, m.show());
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
        let r = layout::text_rect(m, r);
        let ci = m.view.order[p];
        let lines = m
            .wrap
            .ensure(&m.view.item, PaneId::Cand(ci), r.width, m.show());
        if m.view.scroll[p] == usize::MAX {
            // A pane first shown opens at the answer judged (the last turn of its own
            // conversation; the top for a plain answer).
            m.view.scroll[p] = lines.anchor;
        }
        m.view.scroll[p] = m.view.scroll[p].min(lines.len().saturating_sub(usize::from(r.height)));
    }
}

/// Starts (or restarts) review with a filter: builds the list and shows its first task.
pub fn start_review(m: &mut Model, filter: Filter) {
    let list = build_list(m, &filter);
    let empty = list.is_empty();
    let name = filter.name();
    m.review = Some(Review {
        filter,
        list,
        pos: 0,
    });
    if empty {
        m.status = Some(format!(
            "no task matches the filter \"{name}\" (f: next filter)"
        ));
    } else {
        // The header names the filter; the footer keeps the verdict summary.
        review_go(m, 0);
    }
}

fn review_go(m: &mut Model, pos: usize) {
    let Some(task) = m.review.as_ref().and_then(|r| r.list.get(pos).copied()) else {
        return;
    };
    if let Some(r) = m.review.as_mut() {
        r.pos = pos;
    }
    m.go_to(task);
}

fn review_step(m: &mut Model, delta: isize) {
    let Some((pos, len)) = m.review.as_ref().map(|r| (r.pos, r.list.len())) else {
        return;
    };
    let next = pos as isize + delta;
    if next < 0 || next as usize >= len {
        m.status = Some(if delta > 0 {
            "this is the last task of this filter".into()
        } else {
            "this is the first task of this filter".into()
        });
        return;
    }
    review_go(m, next as usize);
}

/// Shows task `i`, keeping the review position in step when the task is in the list.
fn show_task(m: &mut Model, i: usize) {
    let in_list = m
        .review
        .as_ref()
        .and_then(|r| r.list.iter().position(|&t| t == i));
    match (&m.review, in_list) {
        (Some(_), Some(p)) => review_go(m, p),
        (Some(_), None) => {
            m.go_to(i);
            m.status = Some("(this task is not in the current filter)".into());
        }
        (None, _) => m.go_to(i),
    }
}

fn input(m: &mut Model, k: InputKey) {
    let Some(inp) = m.input.as_mut() else {
        return;
    };
    match k {
        InputKey::Char(c) if !c.is_control() => inp.text.push(c),
        InputKey::Char(_) => {}
        InputKey::Backspace => {
            if inp.text.pop().is_none() {
                m.input = None;
            }
        }
        InputKey::Esc => m.input = None,
        InputKey::Enter => {
            let inp = m.input.take().unwrap_or(Input {
                kind: InputKind::Jump,
                text: String::new(),
            });
            let text = inp.text.trim().to_string();
            match inp.kind {
                InputKind::Jump => jump(m, &text),
                InputKind::Search if text.is_empty() => {
                    if let Some(q) = m.last_search.clone() {
                        search(m, &q, true);
                    }
                }
                InputKind::Search => {
                    m.last_search = Some(text.clone());
                    search(m, &text, false);
                }
            }
        }
    }
}

/// `:` by number (task k, or k-th of the review list) or by item id.
fn jump(m: &mut Model, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Ok(n) = text.parse::<usize>() {
        match &m.review {
            Some(r) if n >= 1 && n <= r.list.len() => review_go(m, n - 1),
            Some(r) => m.status = Some(format!("this filter has {} tasks", r.list.len())),
            None if n >= 1 && n <= m.tasks.len() => m.go_to(n - 1),
            None => m.status = Some(format!("there are {} tasks", m.tasks.len())),
        }
        return;
    }
    let exact = (0..m.tasks.scanned()).find(|&p| m.source.id(p).as_deref() == Some(text));
    if let Some(t) = exact.and_then(|p| m.tasks.first_of(p)) {
        show_task(m, t);
        return;
    }
    // The start of an id, when only one item's id starts so.
    let starts: Vec<(usize, String)> = (0..m.tasks.scanned())
        .filter_map(|p| {
            m.source
                .id(p)
                .filter(|id| id.starts_with(text))
                .map(|id| (p, id))
        })
        .filter(|&(p, _)| m.tasks.first_of(p).is_some())
        .take(4)
        .collect();
    let shown = crate::text::truncate(text, 40);
    match starts.as_slice() {
        [] => m.status = Some(format!("no item id is or starts with \"{shown}\"")),
        [(p, _)] => {
            if let Some(t) = m.tasks.first_of(*p) {
                show_task(m, t);
            }
        }
        more => {
            let ids: Vec<String> = more
                .iter()
                .take(3)
                .map(|(_, id)| crate::tui::content::one_line(id))
                .collect();
            m.status = Some(format!(
                "several item ids start with \"{shown}\" ({}{}): type more of one",
                ids.join(", "),
                if more.len() > 3 { ", ..." } else { "" }
            ));
        }
    }
}

/// `/`: the next task (after the current one, wrapping; in review within the list) whose item
/// holds the text, case-insensitively.
fn search(m: &mut Model, needle: &str, next: bool) {
    m.show_matches = true;
    let lower = needle.to_lowercase();
    let shown = crate::text::truncate(needle, 30);
    // Within the task on screen: the next match after the one shown (`n`), or the first.
    let after = match m.search_at {
        Some((task, hit)) if next && task == m.current => Some(hit + 1),
        _ if !next => Some(0),
        _ => None,
    };
    if let Some(from) = after {
        let hits = hits_here(m, &lower);
        if let Some(&(focus, line)) = hits.get(from) {
            show_hit(m, focus, line);
            m.search_at = Some((m.current, from));
            m.status = Some(format!(
                "\"{shown}\": match {} of {} here (n: next)",
                from + 1,
                hits.len()
            ));
            return;
        }
    }
    let order: Vec<usize> = match &m.review {
        Some(r) => {
            let n = r.list.len();
            (1..=n).map(|k| r.list[(r.pos + k) % n.max(1)]).collect()
        }
        None => {
            let n = m.tasks.len();
            (1..=n).map(|k| (m.current + k) % n).collect()
        }
    };
    let mut last_item = m.tasks.locate(m.current).0;
    for t in order {
        let (pos, _) = m.tasks.locate(t);
        if pos == last_item {
            continue;
        }
        last_item = pos;
        if let Ok(item) = m.source.item(pos)
            && matches(&item, &lower)
        {
            show_task(m, t);
            prepare(m);
            let hits = hits_here(m, &lower);
            match hits.first() {
                Some(&(focus, line)) => {
                    show_hit(m, focus, line);
                    m.search_at = Some((m.current, 0));
                    m.status = Some(format!(
                        "\"{shown}\": match 1 of {} here (n: next)",
                        hits.len()
                    ));
                }
                None => {
                    m.search_at = Some((m.current, usize::MAX - 1));
                    m.status = Some(format!(
                        "\"{shown}\" is in this item (across a line break, or in its id)"
                    ));
                }
            }
            return;
        }
    }
    // No other task has it: back to the first match here, or say plainly there is none.
    let hits = hits_here(m, &lower);
    match hits.first() {
        Some(&(focus, line)) => {
            show_hit(m, focus, line);
            m.search_at = Some((m.current, 0));
            m.status = Some(format!(
                "\"{shown}\": match 1 of {} here; no other task has it",
                hits.len()
            ));
        }
        None => m.status = Some(format!("no match for \"{shown}\"")),
    }
}

/// Where the text shows on the current task: (pane, wrapped line) for the prompt and each
/// candidate in display order, at the widths they are drawn.
fn hits_here(m: &mut Model, lower: &str) -> Vec<(Focus, usize)> {
    let middle = layout::middle(m.size);
    let cand_w = layout::columns(m, middle)
        .1
        .first()
        .map_or(1, |&(_, r)| layout::text_rect(m, r).width);
    let mut panes = vec![(
        Focus::Prompt,
        PaneId::Prompt,
        layout::prompt_text_width(m.size.0),
    )];
    for (p, &ci) in m.view.order.iter().enumerate() {
        panes.push((Focus::Pane(p), PaneId::Cand(ci), cand_w));
    }
    let mut hits = Vec::new();
    for (focus, pane, width) in panes {
        let show = if pane == PaneId::Prompt {
            Default::default()
        } else {
            m.show()
        };
        let lines = m.wrap.ensure(&m.view.item, pane, width, show);
        for (i, l) in lines.iter().enumerate() {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            if text.to_lowercase().contains(lower) {
                hits.push((focus, i));
            }
        }
    }
    hits
}

/// Focuses the pane of a match and scrolls its line into view (one line of context above).
fn show_hit(m: &mut Model, focus: Focus, line: usize) {
    if focus == Focus::Prompt && m.prompt_collapsed {
        m.prompt_collapsed = false;
    }
    set_focus(m, focus);
    let to = line.saturating_sub(1);
    match focus {
        Focus::Prompt => m.view.prompt_scroll = to,
        Focus::Pane(p) => m.view.scroll[p] = to,
    }
}

/// The editor closed: keep the text; a decision waiting for it is recorded now (or, with no
/// text, not at all).
fn close_editor(m: &mut Model, fx: &mut Vec<Effect>) {
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

/// How many candidates a ranking needs: all, or the task file's `top`.
fn rank_target(m: &Model) -> usize {
    let n = m.view.order.len();
    m.spec.rank.top.map_or(n, |k| k.min(n))
}

/// Rate mode with aspects: a rating for (candidate, current aspect); then the next empty cell,
/// going across the candidates for one aspect before the next aspect (comparing answers on one
/// aspect at a time).
fn rate_aspect(m: &mut Model, p: usize, r: u32, label: &str) {
    let aspects = m.spec.rate.aspects.len();
    let a = m.view.aspect.min(aspects - 1);
    m.view.aspect_ratings[p][a] = Some(r);
    let count = m.view.order.len();
    let cells = count * aspects;
    let start = a * count + p;
    let next = (1..=cells)
        .map(|k| (start + k) % cells)
        .find(|&c| m.view.aspect_ratings[c % count][c / count].is_none());
    let name = m.spec.rate.aspects[a].clone();
    match next {
        Some(c) => {
            m.view.aspect = c / count;
            set_focus(m, Focus::Pane(c % count));
            m.status = Some(format!("[{}] {name}: {label}", p + 1));
        }
        None => m.status = Some("every aspect rated: Enter submits".into()),
    }
}

fn submit_aspects(m: &mut Model, fx: &mut Vec<Effect>) {
    let count = m.view.order.len();
    let aspects = m.spec.rate.aspects.clone();
    let missing = (0..aspects.len())
        .flat_map(|a| (0..count).map(move |p| (a, p)))
        .find(|&(a, p)| m.view.aspect_ratings[p][a].is_none());
    if let Some((a, p)) = missing {
        let left = m
            .view
            .aspect_ratings
            .iter()
            .flatten()
            .filter(|r| r.is_none())
            .count();
        m.view.aspect = a;
        set_focus(m, Focus::Pane(p));
        m.status = Some(format!("{left} ratings to go: [{}] {}", p + 1, aspects[a]));
        return;
    }
    let ids = shown_ids(m);
    let mut ev = base_event(m);
    ev.shown = Some(ids.clone());
    let mut per_aspect = std::collections::BTreeMap::new();
    for (a, name) in aspects.iter().enumerate() {
        let row: std::collections::BTreeMap<String, u32> = ids
            .iter()
            .enumerate()
            .map(|(p, id)| (id.clone(), m.view.aspect_ratings[p][a].unwrap_or(0)))
            .collect();
        per_aspect.insert(name.clone(), row);
    }
    // `ratings`: each candidate's mean over the aspects, rounded, so tools that read only
    // `ratings` still get one figure per candidate.
    ev.ratings = Some(
        ids.iter()
            .enumerate()
            .map(|(p, id)| {
                let sum: u32 = m.view.aspect_ratings[p].iter().flatten().sum();
                let mean = f64::from(sum) / aspects.len() as f64;
                (id.clone(), mean.round() as u32)
            })
            .collect(),
    );
    ev.aspects = Some(per_aspect);
    ev.scale = Some(m.scale);
    commit(m, ev, fx);
}

/// New tasks arrived from a file read in the background. Before the labeler's first key the
/// screen follows the resume point (the first open task may lie beyond what was read at
/// start); after "nothing left", new work is served.
fn more_tasks(m: &mut Model) {
    let open_here = m
        .key_of(m.current)
        .is_some_and(|k| m.decisions.get(&k).is_none() && m.team.wants(&k));
    if (m.awaiting || !m.touched) && !open_here && m.review.is_none() {
        if let Some(i) = m.first_open_from(m.current) {
            m.go_to(i);
            if m.awaiting {
                m.awaiting = false;
                m.status = None;
            }
        } else if m.awaiting && m.checking_done() {
            m.awaiting = false;
            m.show_done();
        }
    } else if m.overlay == Overlay::Done
        && let Some(i) = m.first_open_from(m.current)
    {
        m.close_done();
        m.go_to(i);
        m.status = Some("more tasks were read from the file".into());
    }
}
