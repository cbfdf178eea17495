//! The rationale editor: a small multi-line text box for a decision's written reason.
//!
//! Built on `ratatui-textarea` (the ratatui organisation's maintained fork of tui-textarea,
//! on ratatui-core 0.1 like ratatui 0.30). The original tui-textarea counts characters, not
//! cells, so its cursor drifts on CJK text (rhysd/tui-textarea #94, never merged); the fork
//! measures cells and soft-wraps. This module keeps it behind a plain state struct that takes
//! our normalised [`Key`]s, so `update` stays pure and testable.
//!
//! Keys: characters insert, Enter a new line, Backspace/Delete, arrows, Home/End, Ctrl-Left/
//! Ctrl-Right (or Alt-B/Alt-F) by word, Ctrl-U/Ctrl-R undo and redo; Esc and Ctrl-S close the
//! editor (the text is kept: closing never throws away what was typed).

use crossterm::event::KeyCode;
use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Borders};
use ratatui_textarea::{CursorMove, Input, Key as TaKey, TextArea, WrapMode};

use crate::key::Key;

/// What a key did to the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The text changed.
    Changed,
    /// The cursor moved, or the key did nothing.
    Unchanged,
    /// The labeler is done editing (Esc, Ctrl-S); the text stays as it is.
    Close,
}

/// The editor's state: text, cursor, scroll, undo history.
#[derive(Debug, Clone)]
pub struct RationaleEditor {
    area: TextArea<'static>,
}

impl Default for RationaleEditor {
    fn default() -> Self {
        Self::new("")
    }
}

impl RationaleEditor {
    /// An editor holding `text` (a rationale being revised), cursor at its end.
    pub fn new(text: &str) -> Self {
        let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let mut area = TextArea::new(lines);
        area.set_wrap_mode(WrapMode::WordOrGlyph);
        area.set_cursor_line_style(Style::default());
        // Reverse video, not colour: visible on monochrome terminals too.
        area.set_cursor_style(Style::default().add_modifier(Modifier::REVERSED));
        area.set_placeholder_text("Why? (Esc when done)");
        area.move_cursor(CursorMove::Bottom);
        area.move_cursor(CursorMove::End);
        RationaleEditor { area }
    }

    /// The grey text shown while the editor is empty.
    pub fn set_placeholder(&mut self, text: &str) {
        self.area.set_placeholder_text(text.to_string());
    }

    /// The text, lines joined with `\n`, without trailing blank space.
    pub fn text(&self) -> String {
        self.area.lines().join("\n").trim_end().to_string()
    }

    /// True when nothing but white space has been typed (a required rationale is missing).
    pub fn is_blank(&self) -> bool {
        self.area.lines().iter().all(|l| l.trim().is_empty())
    }

    /// (row, column in characters) of the cursor in the text.
    pub fn cursor(&self) -> (usize, usize) {
        let c = self.area.cursor();
        (c.0, c.1)
    }

    /// Applies one key.
    pub fn input(&mut self, key: Key) -> Edit {
        let (ctrl, alt) = (key.ctrl, key.alt);
        let mv = |a: &mut TextArea, m| {
            a.move_cursor(m);
            Edit::Unchanged
        };
        match (key.code, ctrl, alt) {
            (KeyCode::Esc, _, _) | (KeyCode::Char('s'), true, false) => Edit::Close,
            (KeyCode::Left, true, _) | (KeyCode::Char('b'), false, true) => {
                mv(&mut self.area, CursorMove::WordBack)
            }
            (KeyCode::Right, true, _) | (KeyCode::Char('f'), false, true) => {
                mv(&mut self.area, CursorMove::WordForward)
            }
            (KeyCode::Home, _, _) => mv(&mut self.area, CursorMove::Head),
            (KeyCode::End, _, _) => mv(&mut self.area, CursorMove::End),
            (KeyCode::Char('u'), true, false) => changed(self.area.undo()),
            (KeyCode::Char('r'), true, false) => changed(self.area.redo()),
            (KeyCode::Char(c), false, false) if c.is_control() => Edit::Unchanged,
            (code, _, _) => {
                let k = match code {
                    KeyCode::Char(c) => TaKey::Char(c),
                    KeyCode::Enter => TaKey::Enter,
                    KeyCode::Backspace => TaKey::Backspace,
                    KeyCode::Delete => TaKey::Delete,
                    KeyCode::Left => TaKey::Left,
                    KeyCode::Right => TaKey::Right,
                    KeyCode::Up => TaKey::Up,
                    KeyCode::Down => TaKey::Down,
                    KeyCode::PageUp => TaKey::PageUp,
                    KeyCode::PageDown => TaKey::PageDown,
                    KeyCode::Tab => TaKey::Tab,
                    _ => return Edit::Unchanged,
                };
                changed(self.area.input(Input {
                    key: k,
                    ctrl,
                    alt,
                    shift: false,
                }))
            }
        }
    }

    /// Inserts pasted text at the cursor (bracketed paste): line endings normalised, control
    /// characters made visible, as for any text that reaches the screen.
    pub fn paste(&mut self, text: &str) -> Edit {
        changed(self.area.insert_str(crate::text::sanitize(text)))
    }

    /// Draws the editor in `area` with a border and `title`, and puts the terminal cursor
    /// at the editing point (so input methods compose there).
    ///
    /// ```text
    /// ┌ Rationale (optional) ─────┐
    /// │Answer A cites its sources,│
    /// │B invents one.█            │
    /// └───────────────────────────┘
    /// ```
    pub fn render(&mut self, f: &mut Frame, area: Rect, title: &str) {
        let area = area.intersection(f.area());
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" {title} "));
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.is_empty() {
            return;
        }
        f.render_widget(&self.area, inner);
        let c = self.area.screen_cursor();
        let (dy, dx) = self.area.scroll_offset();
        let x = inner.x.saturating_add((c.col as u16).saturating_sub(dx));
        let y = inner.y.saturating_add((c.row as u16).saturating_sub(dy));
        if x < inner.right() && y < inner.bottom() {
            f.set_cursor_position(Position::new(x, y));
        }
    }
}

fn changed(yes: bool) -> Edit {
    if yes { Edit::Changed } else { Edit::Unchanged }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::{Backend, TestBackend};

    fn typed(s: &str) -> RationaleEditor {
        let mut e = RationaleEditor::default();
        for c in s.chars() {
            let k = if c == '\n' {
                Key::plain(KeyCode::Enter)
            } else {
                Key::ch(c)
            };
            e.input(k);
        }
        e
    }

    #[test]
    fn typing_newlines_backspace_and_delete() {
        let mut e = typed("ab\ncd");
        assert_eq!(e.text(), "ab\ncd");
        assert_eq!(e.input(Key::plain(KeyCode::Backspace)), Edit::Changed);
        assert_eq!(e.text(), "ab\nc");
        e.input(Key::plain(KeyCode::Home));
        assert_eq!(e.cursor(), (1, 0));
        assert_eq!(e.input(Key::plain(KeyCode::Delete)), Edit::Changed);
        assert_eq!((e.text().as_str(), e.cursor()), ("ab", (1, 0)));
        e.input(Key::plain(KeyCode::Backspace));
        assert_eq!((e.text().as_str(), e.cursor()), ("ab", (0, 2)));
        assert!(!e.is_blank());
        assert!(typed("  \n ").is_blank());
    }

    #[test]
    fn arrows_home_end_and_words() {
        let mut e = typed("one two three");
        e.input(Key::plain(KeyCode::Home));
        assert_eq!(e.cursor(), (0, 0));
        e.input(Key {
            code: KeyCode::Right,
            ctrl: true,
            alt: false,
        });
        assert_eq!(e.cursor(), (0, 4));
        e.input(Key {
            code: KeyCode::Char('f'),
            ctrl: false,
            alt: true,
        });
        assert_eq!(e.cursor(), (0, 8));
        e.input(Key {
            code: KeyCode::Left,
            ctrl: true,
            alt: false,
        });
        assert_eq!(e.cursor(), (0, 4));
        e.input(Key::plain(KeyCode::Left));
        assert_eq!(e.cursor(), (0, 3));
        e.input(Key::plain(KeyCode::End));
        assert_eq!(e.cursor(), (0, 13));
        e.input(Key::ch('!'));
        assert_eq!(e.text(), "one two three!");
    }

    #[test]
    fn esc_and_ctrl_s_close_and_keep_the_text() {
        let mut e = typed("kept");
        assert_eq!(e.input(Key::plain(KeyCode::Esc)), Edit::Close);
        assert_eq!(e.input(Key::ctrl('s')), Edit::Close);
        assert_eq!(e.text(), "kept");
        assert_eq!(e.input(Key::ctrl('u')), Edit::Changed);
        assert_ne!(e.text(), "kept");
    }

    #[test]
    fn paste_normalises_line_endings_and_shows_controls() {
        let mut e = RationaleEditor::new("x");
        e.paste("a\r\nb\u{1b}[2J");
        assert_eq!(e.text(), "xa\nb␛[2J");
        assert_eq!(RationaleEditor::new("p\nq").cursor(), (1, 1));
    }

    #[test]
    fn wide_characters_move_the_cursor_by_their_cell_width() {
        let mut e = typed("漢字a");
        let mut term = Terminal::new(TestBackend::new(20, 4)).unwrap();
        let mut pos = |e: &mut RationaleEditor| {
            term.draw(|f| e.render(f, f.area(), "Rationale")).unwrap();
            term.backend_mut().get_cursor_position().unwrap()
        };
        // Border at column 0; 漢 and 字 take two cells each, `a` one.
        assert_eq!(pos(&mut e), Position::new(1 + 5, 1));
        e.input(Key::plain(KeyCode::Left));
        assert_eq!(pos(&mut e), Position::new(1 + 4, 1));
        e.input(Key::plain(KeyCode::Left));
        assert_eq!(pos(&mut e), Position::new(1 + 2, 1));
        e.input(Key::plain(KeyCode::Left));
        assert_eq!(pos(&mut e), Position::new(1, 1));
        let buf = term.backend().buffer().clone();
        assert_eq!(buf[(1, 1)].symbol(), "漢");
        assert_eq!(buf[(3, 1)].symbol(), "字");
        assert_eq!(buf[(5, 1)].symbol(), "a");
    }

    #[test]
    fn long_text_soft_wraps_inside_the_box() {
        let mut e = typed("alpha beta gamma");
        let mut term = Terminal::new(TestBackend::new(12, 5)).unwrap();
        term.draw(|f| e.render(f, f.area(), "R")).unwrap();
        let buf = term.backend().buffer();
        let row = |y: u16| -> String { (1..11).map(|x| buf[(x, y)].symbol()).collect() };
        assert_eq!(row(1).trim_end(), "alpha beta");
        // The space the line broke at stays visible at the start of the next row (the cursor
        // can sit on it), as ratatui-textarea wraps.
        assert_eq!(row(2).trim_end(), " gamma");
        // A box too small for any text does not panic.
        let mut tiny = Terminal::new(TestBackend::new(2, 2)).unwrap();
        tiny.draw(|f| e.render(f, f.area(), "R")).unwrap();
    }
}
