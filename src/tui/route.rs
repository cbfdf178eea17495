//! Which message a key press is, given what is open on the screen: the rationale editor takes
//! every key, a yes/no question takes the answer, a line being typed (`:` or `/`) takes text,
//! and otherwise the key map names an action. The one place where the modes of the screen
//! decide what a key means; the actions themselves are declared in [`crate::action`].

use crossterm::event::KeyCode;

use super::keymap::Key;
use super::model::{Model, Overlay};
use super::update::{InputKey, Msg};

/// The message for a key press on the labeling screen, if the key means anything here.
pub fn key(m: &Model, key: Key) -> Option<Msg> {
    if m.editor.is_some() || m.candidate_edit.is_some() {
        return Some(Msg::Edit(key));
    }
    if matches!(m.overlay, Overlay::ConfirmUndo { .. }) {
        let yes = matches!(key.code, KeyCode::Char('y' | 'Y')) && !key.ctrl && !key.alt;
        return Some(Msg::Answer(yes));
    }
    if m.input.is_some() {
        // A line is being typed: keys are text, not commands.
        let ik = match key.code {
            KeyCode::Enter => InputKey::Enter,
            KeyCode::Esc => InputKey::Esc,
            KeyCode::Backspace => InputKey::Backspace,
            KeyCode::Char('c') if key.ctrl => InputKey::Esc,
            KeyCode::Char(c) if !key.ctrl && !key.alt => InputKey::Char(c),
            _ => return None,
        };
        return Some(Msg::Input(ik));
    }
    m.keymap.action(key).map(Msg::Key)
}
