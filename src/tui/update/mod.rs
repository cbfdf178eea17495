//! `update(&mut Model, Msg, now) -> Vec<Effect>`: every behaviour of the labeling screen, as a
//! pure function. Decisions become `Effect::Append`; the loop writes them and answers with
//! `Msg::Saved` or `Msg::SaveFailed`.

mod deciding;
mod editing;
pub mod handed;
mod navigating;
mod overlays;

use crate::labels::Event;

use super::content::PaneId;
use super::keymap::Action;
use super::keymap::Key;
use super::layout::{self, areas, inner};
use super::model::{Model, Overlay, SaveState};
use super::textarea::Edit;

use deciding::{retry, send_next};
pub use navigating::start_review;
use navigating::{input, more_tasks};
use overlays::{answer_undo, close_editor, open_overview};

/// What happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(Action),
    Resize(u16, u16),
    /// The event with this sequence number is on disk (fsynced).
    Saved(u64),
    /// Writing it failed; it stays in memory and is retried.
    SaveFailed(u64, String),
    /// With a store: the outbox's lines the database has committed, and why the last attempt
    /// to send failed, if it did.
    Server {
        committed: u64,
        error: Option<String>,
    },
    /// With a store: the tasks the database holds for this labeler now.
    Handed(crate::store::handout::Handed),
    /// Time passes (redraws the clock; retries failed writes).
    Tick,
    /// No key came for a moment while there is work left to do in the background of the
    /// screen ([`Model::background_work`]): a little more of it.
    Idle,
    /// Something outside changed that the labeler must know (e.g. the candidate file was
    /// edited on disk); shown until the session ends.
    Warn(String),
    /// New events from the other annotators' logs in the labels folder.
    Others(Vec<Event>),
    /// A key while a line is being typed (`:` or `/`).
    Input(InputKey),
    /// y (true) or any other key (false) to a yes/no question on screen.
    Answer(bool),
    /// A key for the rationale editor, or the editor of a candidate, while one is open.
    Edit(Key),
    /// `$VISUAL` / `$EDITOR` is done with candidate `source`, opened with `start`: the text it
    /// left, or why there is none (it failed or exited non-zero: the edit is cancelled).
    EditedExternally {
        source: String,
        start: String,
        result: Result<String, String>,
    },
    /// Pasted text (bracketed paste): into the rationale editor or the line being typed, if
    /// one is open; otherwise ignored, and the footer says so (a paste is never taken as keys).
    Paste(String),
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
    /// Hand the terminal to `$VISUAL` / `$EDITOR` on `text` (candidate `source`), take it back
    /// after, and send `Msg::EditedExternally`.
    ExternalEdit {
        source: String,
        text: String,
    },
    /// With a store: tell the thread that hands out tasks.
    Handout(crate::store::handout::Ask),
    Quit,
}

pub fn update(m: &mut Model, msg: Msg, now_ms: u64) -> Vec<Effect> {
    m.now_ms = now_ms;
    // Sort mode's next question is a new pair on the same task: guarded the same way.
    let shown = (m.current, m.view.key.clone(), m.view.order.clone());
    let unrecorded = m.view.unrecorded();
    let fx = handle(m, msg, now_ms);
    if (m.current, &m.view.key, &m.view.order) != (shown.0, &shown.1, &shown.2) {
        m.guard.task_shown(now_ms);
        // Leaving a task with ratings or a ranking not submitted drops them: say so (not
        // when this very message recorded them: Enter on the last rating moves on too).
        let recorded = fx
            .iter()
            .any(|f| matches!(f, Effect::Append { event, .. } if event.key() == shown.1));
        if let Some(what) = unrecorded.filter(|_| m.view.key != shown.1 && !recorded) {
            m.status = Some(format!(
                "left task {} with {what}: discarded, not recorded",
                shown.0 + 1
            ));
        }
    }
    fx
}

fn handle(m: &mut Model, msg: Msg, now_ms: u64) -> Vec<Effect> {
    let mut fx = Vec::new();
    match msg {
        Msg::Key(a) => {
            if handed::on_key(m, a == Action::Quit, now_ms, &mut fx) {
                prepare(m);
                return fx;
            }
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
            // One event, one line in the outbox.
            if let Some(s) = m.server.as_mut()
                && m.unsaved.contains_key(&seq)
            {
                s.outbox += 1;
            }
            if let Some(ev) = m.unsaved.remove(&seq) {
                handed::on_saved(m, &ev, &mut fx);
            }
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
        Msg::Server { committed, error } => {
            if let Some(s) = m.server.as_mut() {
                s.committed = committed;
                // A write the server refused (per-user roles) is no outage: trying again will
                // not help, so the refusal stays on screen, saying which role may not do what.
                fn refused(e: &Option<String>) -> Option<String> {
                    let why = crate::store::forbidden(e.as_deref()?)?;
                    Some(format!("not sent, kept here: {why}"))
                }
                if let Some(old) = refused(&s.error)
                    && m.warning == Some(old)
                {
                    m.warning = None;
                }
                if let Some(e) = refused(&error) {
                    // Said at once (over any status), and kept while it lasts.
                    if refused(&s.error).as_ref() != Some(&e) {
                        m.status = Some(e.clone());
                    }
                    m.warning = Some(e);
                }
                s.error = error;
            }
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
        Msg::Handed(h) => {
            crate::trace::mark("hand-out report taken in");
            handed::on_handed(m, h, &mut fx);
            if m.overlay != Overlay::WaitingForTasks {
                crate::trace::mark("hand-out: a task served");
            }
        }
        Msg::Tick => {
            handed::on_tick(m, now_ms, &mut fx);
            // A source still reading in the background may have more tasks by now.
            if m.progress.is_some() {
                m.sync_tasks();
                handed::on_more_tasks(m);
                more_tasks(m);
            }
            if matches!(m.save, SaveState::Failed { .. }) || m.view.unrecorded().is_some() {
                retry(m, &mut fx);
            }
        }
        Msg::Idle => navigating::grow_review_list(m),
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
            if m.candidate_edit.is_some() {
                editing::key(m, k, &mut fx);
            } else if let Some(ed) = m.editor.as_mut()
                && ed.input(k) == Edit::Close
            {
                close_editor(m, &mut fx);
            }
        }
        Msg::EditedExternally {
            source,
            start,
            result,
        } => {
            m.clock.input(now_ms);
            editing::external_done(m, &source, &start, result, &mut fx);
        }
        Msg::Paste(t) => {
            m.clock.input(now_ms);
            m.session_clock.input(now_ms);
            paste(m, &t);
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

/// Pasted text goes where text is being written: the rationale editor, or the `:` or `/`
/// line (as typed characters: controls and line breaks are left out).
fn paste(m: &mut Model, text: &str) {
    if editing::paste(m, text) {
        return;
    }
    if let Some(ed) = m.editor.as_mut() {
        ed.paste(text);
    } else if m.input.is_some() {
        for c in text.chars() {
            input(m, InputKey::Char(c));
        }
    } else {
        m.status = Some(
            "pasted text ignored: paste into the rationale editor (r) or a : or / line".into(),
        );
    }
}

/// A key's action, once no overlay takes it: the common keys here, the rest by what they do.
fn key(m: &mut Model, a: Action, fx: &mut Vec<Effect>) {
    if overlays::key(m, a, fx) {
        return;
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
            // Writes still on their way are finished by the loop before it exits; decisions
            // that failed to save, and ratings or a ranking entered and not submitted, make
            // quitting ask first.
            if matches!(m.save, SaveState::Failed { .. }) || m.view.unrecorded().is_some() {
                m.overlay = Overlay::ConfirmQuit;
            } else {
                m.quit = true;
                fx.push(Effect::Quit);
            }
        }
        Action::Cancel => {
            m.zoom = false;
            m.show_matches = false;
            if let Some(r) = m.view.draft.rank_mut() {
                r.tie_next = false;
            }
            if m.view
                .draft
                .pair_mut()
                .and_then(|p| p.pending.take())
                .is_some()
            {
                m.status = Some("cancelled: choose again".into());
            }
        }
        Action::Help => {
            m.overlay = Overlay::Help;
            m.help_scroll = 0;
        }
        Action::Guidelines => {
            if m.spec.guidelines.is_some() {
                m.overlay = Overlay::Guidelines;
                m.guide_scroll = 0;
            } else {
                m.status = Some("this task has no guidelines (a task file can name them)".into());
            }
        }
        Action::Number(_)
        | Action::ChooseLeft
        | Action::ChooseRight
        | Action::Tie
        | Action::BothBad
        | Action::TieNext
        | Action::RemovePick
        | Action::Submit
        | Action::Skip
        | Action::Undo
        | Action::Rationale
        | Action::Flag(_)
        | Action::NextAspect => deciding::key(m, a, fx),
        Action::Overview => open_overview(m),
        Action::Quality => overlays::open_quality(m),
        Action::EditCandidate => editing::open(m, false, fx),
        Action::EditExternal => editing::open(m, true, fx),
        _ => navigating::key(m, a),
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

/// Wraps what is visible at the current size (cached), keeps the focused pane on screen and
/// clamps scroll offsets to the content.
pub fn prepare(m: &mut Model) {
    if layout::too_small(m.size) {
        return;
    }
    // Code blocks highlighted on the highlighting thread since the panes were laid out: lay
    // them out again (and diff them again) to show the colours.
    let g = crate::syntax::generation();
    if g != m.wrap.syntax_generation {
        if m.wrap.deferred() {
            m.wrap.clear();
            m.pairs.clear();
        }
        m.wrap.syntax_generation = g;
    }
    // Wrap what will be visible before laying out: the prompt's height depends on how long
    // the prompt and the visible candidates are at their widths.
    let middle = layout::middle(m.size);
    m.wrap.ensure(
        &m.view.item,
        PaneId::Prompt,
        layout::prompt_text_width(m.size.0),
        m.show_of(PaneId::Prompt),
    );
    let (first, columns) = layout::columns(m, middle);
    m.view.first_pane = first;
    for (pos, r) in columns {
        let ci = m.view.order[pos];
        m.wrap.ensure(
            &m.view.item,
            PaneId::Cand(ci),
            inner(r).width,
            m.show_of(PaneId::Cand(ci)),
        );
    }
    let a = areas(m);
    if let Some(r) = a.prompt {
        let r = inner(r);
        let lines = m.wrap.ensure(
            &m.view.item,
            PaneId::Prompt,
            r.width,
            m.show_of(PaneId::Prompt),
        );
        if m.view.prompt_scroll == usize::MAX {
            m.view.prompt_scroll = lines.anchor;
        }
        m.view.prompt_scroll = m
            .view
            .prompt_scroll
            .min(lines.len().saturating_sub(usize::from(r.height)));
    }
    pair_diff(m, &a.panes);
    for &(p, r) in &a.panes {
        let r = layout::text_rect(m, r);
        let lines = pane_lines(m, p, r.width);
        if m.view.scroll[p] == usize::MAX {
            // A pane first shown opens at the answer judged (the last turn of its own
            // conversation; the top for a plain answer).
            m.view.scroll[p] = lines.anchor;
        }
        m.view.scroll[p] = m.view.scroll[p].min(lines.len().saturating_sub(usize::from(r.height)));
    }
    follow_locked(m, &a.panes);
}

/// The lines pane `pos` draws at text width `width`: its side of the diff, or its wrapped
/// lines.
fn pane_lines(m: &mut Model, pos: usize, width: u16) -> std::sync::Arc<super::content::Wrapped> {
    match m.diff_side(pos) {
        Some((side, d)) => d.sides[side].lines.clone(),
        None => {
            let pane = PaneId::Cand(m.view.order[pos]);
            m.wrap.ensure(&m.view.item, pane, width, m.show_of(pane))
        }
    }
}

/// After a pane scrolled: the pane locked to it follows. With the diff on it shows the same
/// words at its top (where they differ, the start of the change); otherwise it moves by as
/// many lines as the pane scrolled.
fn follow_locked(m: &mut Model, panes: &[(usize, ratatui::layout::Rect)]) {
    let Some((p, before)) = m.view.scrolled.take() else {
        return;
    };
    let Some(q) = m.locked_to(p) else {
        return;
    };
    let to = match m.diff_side(p) {
        Some((side, d)) => d.aligned(side, m.view.scroll[p]),
        None => m.view.scroll[q].saturating_add_signed(m.view.scroll[p] as isize - before as isize),
    };
    m.view.scroll[q] = to;
    if let Some(&(_, r)) = panes.iter().find(|(k, _)| *k == q) {
        let r = layout::text_rect(m, r);
        let len = pane_lines(m, q, r.width).len();
        m.view.scroll[q] = to.min(len.saturating_sub(usize::from(r.height)));
    }
}

/// While the diff is on: the two panes compared and their diff, each side at the width its
/// pane is drawn (a side off screen at the other's), computed once and cached.
fn pair_diff(m: &mut Model, panes: &[(usize, ratatui::layout::Rect)]) {
    m.pair_shown = None;
    let Some((a, b)) = m.diff_pair() else {
        return;
    };
    let width = |p: usize| {
        panes
            .iter()
            .find(|(q, _)| *q == p)
            .map(|(_, r)| layout::text_rect(m, *r).width)
    };
    let Some((wa, wb)) = (match (width(a), width(b)) {
        (Some(x), Some(y)) => Some((x, y)),
        (Some(x), None) | (None, Some(x)) => Some((x, x)),
        (None, None) => None,
    }) else {
        return;
    };
    let side = |p: usize, w: u16| {
        let pane = PaneId::Cand(m.view.order[p]);
        (pane, w, m.show_of(pane))
    };
    let sides = [side(a, wa), side(b, wb)];
    let d = m.pairs.ensure(&mut m.wrap, &m.view.item, sides);
    m.pair_shown = Some((a, b, d));
}
