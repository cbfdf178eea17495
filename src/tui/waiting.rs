//! The first frame of a session, drawn while its history (the team's logs and the labeler's
//! own) is read on a thread of its own: the header with the file, the mode and the annotator,
//! a progress line, and the two keys that work before the history is in, quit and help. The
//! other keys need the history (which task is next, what is decided): they wait for it, and
//! the screen says so.
//!
//! ```text
//! cands.jsonl │ pair │ alice │ reading labels
//! reading labels: 3 of 51 logs, 60,000 events (25 of 205 MB)
//!
//!
//! q quit · ? help · the other keys work once the labels are read
//! ```

use std::io;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

use crossterm::event::{Event as TermEvent, KeyCode};
use ratatui::Frame;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

use crate::labels::{ReadCounts, ReadProgress, TaskKind};

use super::keymap::{Action, Key, KeyMap};
use super::view::thousands;

/// How long the screen waits for the history between looks at the keys; also how often the
/// progress line moves.
const LOOK: Duration = Duration::from_millis(20);

/// What the waiting screen shows and knows.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub file_label: String,
    /// The mode's name, or "review" (with the mode's name when it is given).
    pub mode: String,
    /// A review: its help lists the review's own keys too.
    pub review: bool,
    pub annotator: String,
    pub keymap: KeyMap,
    /// The help's mode and scale (the mode the session will most likely have).
    pub help_mode: TaskKind,
    pub scale: u32,
    pub show_help: bool,
    /// Said when a key that needs the history was pressed.
    pub status: Option<String>,
}

/// Shows the waiting screen until the history comes in on `history` (given back), or the
/// labeler quits (`None`). The first frame is drawn before anything is taken from `history`,
/// so a history that takes long never holds it back.
pub fn wait_for<B: Backend, T>(
    terminal: &mut Terminal<B>,
    w: &mut Waiting,
    progress: &ReadProgress,
    history: &Receiver<T>,
    next_event: &mut dyn FnMut(Duration) -> io::Result<Option<TermEvent>>,
) -> anyhow::Result<Option<T>>
where
    B::Error: Send + Sync + 'static,
{
    let mut first = true;
    loop {
        terminal.draw(|f| view(w, progress.counts(), f))?;
        if std::mem::take(&mut first) {
            crate::trace::mark("first frame drawn (waiting for the history)");
        }
        // Keys first (they are few and quick), then the history for a moment.
        while let Some(ev) = next_event(Duration::ZERO)? {
            if key(w, &ev) {
                return Ok(None);
            }
            terminal.draw(|f| view(w, progress.counts(), f))?;
        }
        match history.recv_timeout(LOOK) {
            Ok(h) => return Ok(Some(h)),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                anyhow::bail!("the thread reading the labels logs stopped without an answer")
            }
        }
    }
}

/// Takes a key on the waiting screen; true when it is time to quit.
fn key(w: &mut Waiting, ev: &TermEvent) -> bool {
    let TermEvent::Key(k) = ev else {
        return false;
    };
    let Some(key) = Key::from_event(k) else {
        return false;
    };
    let action = w.keymap.action(key);
    if action == Some(Action::Quit) || (key.ctrl && key.code == KeyCode::Char('c')) {
        return true;
    }
    if w.show_help {
        w.show_help = false;
    } else if action == Some(Action::Help) {
        w.show_help = true;
    } else {
        w.status = Some("still reading the labels: that key works once they are in".into());
    }
    false
}

/// The progress line: how many logs, events and bytes are in.
pub fn progress_line(c: ReadCounts) -> String {
    let mb = |b: u64| thousands((b as usize).div_ceil(1 << 20));
    let logs = if c.logs_total > 1 {
        format!("{} of {} logs, ", c.logs_done, c.logs_total)
    } else {
        String::new()
    };
    format!(
        "reading labels: {logs}{} events ({} of {} MB)",
        thousands(c.events),
        mb(c.bytes_read),
        mb(c.bytes_total)
    )
}

/// Draws the waiting screen (see the sketch at the top of this file).
pub fn view(w: &Waiting, c: ReadCounts, f: &mut Frame) {
    let area = f.area();
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let sep = || Span::raw(" │ ");
    let header = Line::from(vec![
        Span::styled(w.file_label.clone(), bold),
        sep(),
        Span::raw(w.mode.clone()),
        sep(),
        Span::raw(w.annotator.clone()),
        sep(),
        Span::raw("reading labels"),
    ]);
    let keys = |a: Action| w.keymap.label(a, w.help_mode, w.scale);
    let footer = match &w.status {
        Some(s) => s.clone(),
        None => format!(
            "{} quit · {} help · the other keys work once the labels are read",
            keys(Action::Quit),
            keys(Action::Help)
        ),
    };
    let row = |y: u16| Rect::new(area.x, area.y + y, area.width, 1).intersection(area);
    f.render_widget(Paragraph::new(header), row(0));
    f.render_widget(Paragraph::new(progress_line(c)), row(1));
    f.render_widget(Paragraph::new(footer), row(area.height.saturating_sub(1)));
    if w.show_help {
        help(w, f, area);
    }
}

/// The key map's help, over the screen (any key closes it).
fn help(w: &Waiting, f: &mut Frame, area: Rect) {
    let lines: Vec<Line> = w
        .keymap
        .help(w.help_mode, w.scale, w.review)
        .into_iter()
        .map(|(k, d)| Line::from(format!("{k:<10} {d}")))
        .collect();
    let width = lines
        .iter()
        .map(Line::width)
        .max()
        .unwrap_or(0)
        .saturating_add(4)
        .min(usize::from(area.width)) as u16;
    // The bottom line (what the keys do now, why a key waits) stays in view below it.
    let height = (lines.len() as u16)
        .saturating_add(2)
        .min(area.height.saturating_sub(2).max(3));
    let r = Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
    .intersection(area);
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(" help · any key closes ")),
        r,
    );
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::channel;

    use crossterm::event::{KeyEvent, KeyModifiers};
    use ratatui::backend::TestBackend;

    use super::*;

    fn waiting() -> Waiting {
        Waiting {
            file_label: "set.jsonl".into(),
            mode: "pair".into(),
            review: false,
            annotator: "tess".into(),
            keymap: KeyMap::default(),
            help_mode: TaskKind::Pair,
            scale: 5,
            show_help: false,
            status: None,
        }
    }

    fn press(c: char) -> TermEvent {
        TermEvent::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    fn screen(t: &Terminal<TestBackend>) -> String {
        let b = t.backend().buffer();
        (0..b.area.height)
            .map(|y| {
                (0..b.area.width)
                    .map(|x| b[(x, y)].symbol())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn a_history_held_back_does_not_hold_back_the_first_frame_and_q_quits_at_once() {
        let mut t = Terminal::new(TestBackend::new(100, 12)).unwrap();
        let progress = ReadProgress::default();
        progress.expect(3, 5 << 20);
        progress.read(2 << 20);
        progress.log_done(640_000);
        // The reader is held back: its sender is never used while the screen waits.
        let (_gate, history) = channel::<&str>();
        let mut frames_seen = Vec::new();
        let got = wait_for(&mut t, &mut waiting(), &progress, &history, &mut |_| {
            // The first look at the keys comes after the first frame: record that, then quit.
            frames_seen.push(());
            Ok(Some(press('q')))
        })
        .unwrap();
        assert_eq!(got, None, "q quits before the history is in");
        assert_eq!(frames_seen.len(), 1);
        let s = screen(&t);
        assert!(
            s.contains("set.jsonl │ pair │ tess │ reading labels"),
            "{s}"
        );
        assert!(
            s.contains("reading labels: 1 of 3 logs, 640,000 events (2 of 5 MB)"),
            "{s}"
        );
        assert!(s.contains("q/Ctrl-C quit · ? help"), "{s}");
    }

    #[test]
    fn help_works_at_once_other_keys_wait_and_the_history_ends_the_wait() {
        let mut t = Terminal::new(TestBackend::new(100, 40)).unwrap();
        let progress = ReadProgress::default();
        let (gate, history) = channel::<&str>();
        let mut w = waiting();
        let mut calls = 0;
        // Pressed in this order: `n` (next task) needs the history, `?` does not.
        let mut keys = vec![press('?'), press('n')];
        let got = wait_for(&mut t, &mut w, &progress, &history, &mut |_| {
            calls += 1;
            match keys.pop() {
                Some(k) => Ok(Some(k)),
                None => {
                    // The test opens the gate: the history arrives.
                    gate.send("the history").unwrap();
                    Ok(None)
                }
            }
        })
        .unwrap();
        assert_eq!(got, Some("the history"));
        assert_eq!(
            w.status.as_deref(),
            Some("still reading the labels: that key works once they are in")
        );
        assert!(w.show_help, "? opened the help");
        let s = screen(&t);
        assert!(s.contains("help · any key closes"), "{s}");
        assert!(s.contains("still reading the labels"), "{s}");
        assert!(calls >= 3);
    }

    #[test]
    fn a_reviews_help_lists_the_review_keys_whatever_its_mode() {
        let c = ReadCounts::default();
        let help = |w: &Waiting| {
            let mut t = Terminal::new(TestBackend::new(120, 60)).unwrap();
            t.draw(|f| view(w, c, f)).unwrap();
            screen(&t)
        };
        let mut w = Waiting {
            show_help: true,
            ..waiting()
        };
        assert!(!help(&w).contains("quality per annotator"), "labeling");
        (w.mode, w.review) = ("review pair".into(), true);
        let s = help(&w);
        assert!(s.contains("quality per annotator"), "{s}");
    }

    #[test]
    fn the_progress_line_of_one_log_leaves_out_the_log_count() {
        let c = ReadCounts {
            logs_total: 1,
            logs_done: 0,
            bytes_total: 205 << 20,
            bytes_read: 120 << 20,
            events: 0,
        };
        assert_eq!(progress_line(c), "reading labels: 0 events (120 of 205 MB)");
    }
}
