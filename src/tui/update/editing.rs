//! Editing a candidate into a better answer: `e` opens the built-in editor over the screen,
//! `E` hands the text to `$VISUAL` / `$EDITOR` (the loop does that, see `Effect::ExternalEdit`).
//! A saved edit is an event of its own (`TaskKind::Edit`) beside the task's decision: the
//! screen stays on the task, and `u` takes the edit back like a decision. The candidate file is
//! never changed.

use crate::key::Key;
use crate::labels::{Event, Role, TaskKind};
use crate::tui::model::{CandidateEdit, Focus, Model};
use crate::tui::textarea::{Edit, RationaleEditor};

use super::Effect;
use super::deciding::record;

/// `e` (`external` false) or `E`: the focused candidate, as this labeler last edited it (or as
/// the file has it), into an editor.
pub(super) fn open(m: &mut Model, external: bool, fx: &mut Vec<Effect>) {
    let Focus::Pane(pos) = m.view.focus else {
        m.status = Some("focus an answer first (Tab, h/l): e edits the focused answer".into());
        return;
    };
    let Some(&ci) = m.view.order.get(pos) else {
        return;
    };
    // Review shows edits inside the candidates' texts: the file's text is the source's.
    let item = match m.review {
        Some(_) => m
            .task_at(m.current)
            .map_or_else(|| m.view.item.clone(), |(_, it)| it),
        None => m.view.item.clone(),
    };
    let Some(cand) = item.candidates.get(ci) else {
        return;
    };
    let source = cand.id.clone();
    let original = cand.text.clone();
    let start = m
        .my_edit_of(&source)
        .and_then(|e| e.text.clone())
        .unwrap_or_else(|| original.clone());
    if external {
        fx.push(Effect::ExternalEdit {
            source,
            text: start,
        });
        return;
    }
    // What reaches the screen is made safe first (control characters made visible).
    let start = crate::text::sanitize(&start);
    let mut editor = RationaleEditor::new(&start);
    editor.set_placeholder("The better answer (Esc or Ctrl-S saves, Ctrl-C cancels)");
    m.candidate_edit = Some(CandidateEdit {
        source,
        label: pane_label(m, pos),
        original: crate::text::sanitize(&original),
        start,
        editor,
        show_original: false,
    });
}

/// The pane's name as its title shows it: `[1] A` in pair mode, `[3]` otherwise.
pub(crate) fn pane_label(m: &Model, pos: usize) -> String {
    if m.mode == TaskKind::Pair {
        format!("[{}] {}", pos + 1, if pos == 0 { "A" } else { "B" })
    } else {
        format!("[{}]", pos + 1)
    }
}

/// A key while the built-in editor of a candidate is open: Tab shows the original (or the
/// editor again), Ctrl-C cancels, Esc or Ctrl-S saves, anything else edits.
pub(super) fn key(m: &mut Model, k: Key, fx: &mut Vec<Effect>) {
    let Some(ce) = m.candidate_edit.as_mut() else {
        return;
    };
    use crossterm::event::KeyCode;
    match (k.code, k.ctrl, k.alt) {
        (KeyCode::Tab, false, false) => {
            // Side by side, both are on screen: Tab has nothing to switch.
            if m.size.0 < crate::tui::view::edit::SIDE_BY_SIDE {
                ce.show_original = !ce.show_original;
            }
        }
        (KeyCode::Char('c'), true, false) => {
            m.candidate_edit = None;
            m.status = Some("edit cancelled: nothing was saved".into());
        }
        _ if ce.show_original => {
            // Reading the original: Esc goes back to the editor, other keys wait.
            if k.code == KeyCode::Esc {
                ce.show_original = false;
            }
        }
        _ => {
            if ce.editor.input(k) == Edit::Close {
                let text = ce.editor.text();
                let (source, start) = (ce.source.clone(), ce.start.clone());
                if save(m, &source, &start, &text, fx) {
                    m.candidate_edit = None;
                }
            }
        }
    }
}

/// Pasted text goes into the open editor.
pub(super) fn paste(m: &mut Model, text: &str) -> bool {
    match m.candidate_edit.as_mut() {
        Some(ce) if !ce.show_original => {
            ce.editor.paste(text);
            true
        }
        Some(_) => true,
        None => false,
    }
}

/// What `$VISUAL` / `$EDITOR` gave back for candidate `source`, opened with `start`: the new
/// text, or why there is none (the editor failed or exited non-zero: cancelled).
pub(super) fn external_done(
    m: &mut Model,
    source: &str,
    start: &str,
    result: Result<String, String>,
    fx: &mut Vec<Effect>,
) {
    match result {
        Ok(text) => {
            if m.view.item.candidate_index(source).is_none() {
                m.status =
                    Some("edit not saved: the task changed while the editor was open".into());
                return;
            }
            save(m, source, start, &text, fx);
        }
        Err(why) => m.status = Some(format!("edit cancelled: {why}")),
    }
}

/// Records the edit of `source` into `text` (opened with `start`). False when the text is
/// refused (empty): the editor stays open.
fn save(m: &mut Model, source: &str, start: &str, text: &str, fx: &mut Vec<Effect>) -> bool {
    let text = text.trim_end();
    if text.trim().is_empty() {
        m.status = Some(
            "an empty answer cannot be saved: write the better answer, or Ctrl-C to cancel".into(),
        );
        return false;
    }
    if text == start.trim_end() {
        m.status = Some("nothing changed: no edit saved".into());
        return true;
    }
    let item = &m.view.item;
    let mut ev = Event::edit(&m.annotator, &item.id, Some(&item.hash), source, text);
    ev.ms = Some(m.task_ms());
    ev.wall_ms = Some(m.task_wall_ms());
    if m.review.is_some() {
        ev.set_role(Role::Adjudicator);
    }
    let id = crate::labels::edit_id(source, &m.annotator);
    record(m, ev, fx);
    m.status = Some(format!(
        "edit saved: \"{id}\" joins this item in export, preferred over \"{source}\" (u takes it back)"
    ));
    true
}
