//! The terminal around the labeling screen: signals that end the program (SIGTERM, SIGHUP,
//! SIGINT, SIGQUIT) or suspend it (SIGTSTP, Ctrl-Z), and the keys that act on the terminal
//! itself (Ctrl-L repaints). A signal only sets a flag (on a thread of its own, never in a
//! signal handler); the event loop notices it between events, so the terminal is restored
//! and the log's last write finished in the ordinary way.

use std::io;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::Backend;

/// Something from outside the keys that the event loop must act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupt {
    /// A signal that ends the program, by number: finish writing, restore, exit.
    Stop(i32),
    /// SIGTSTP from outside (`kill -TSTP`): suspend as Ctrl-Z does.
    Suspend,
}

/// Terminal keys handled by the loop itself rather than by the key map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKey {
    /// Ctrl-L: clear the screen and draw every cell again.
    Repaint,
    /// Ctrl-Z: restore the terminal, stop until `fg`, then draw everything again.
    Suspend,
}

/// Ctrl-L or Ctrl-Z, unless the key map binds them to something else.
pub fn term_key(ev: &TermEvent, bound: impl Fn(char) -> bool) -> Option<TermKey> {
    let TermEvent::Key(KeyEvent {
        code: KeyCode::Char(c),
        modifiers,
        kind,
        ..
    }) = ev
    else {
        return None;
    };
    if *kind == KeyEventKind::Release || !modifiers.contains(KeyModifiers::CONTROL) {
        return None;
    }
    let c = c.to_ascii_lowercase();
    match c {
        'l' if !bound(c) => Some(TermKey::Repaint),
        'z' if !bound(c) => Some(TermKey::Suspend),
        _ => None,
    }
}

/// Signals received, as flags the event loop reads, and a watchdog for a loop that cannot.
pub struct Signals {
    stop: Arc<AtomicUsize>,
    tstp: Arc<AtomicBool>,
    handled: Arc<AtomicBool>,
}

/// The signals that end a session, with their names for the message on exit.
#[cfg(unix)]
pub const STOP_SIGNALS: [(i32, &str); 4] = [
    (signal_hook::consts::SIGTERM, "SIGTERM"),
    (signal_hook::consts::SIGHUP, "SIGHUP"),
    (signal_hook::consts::SIGINT, "SIGINT"),
    (signal_hook::consts::SIGQUIT, "SIGQUIT"),
];

/// How long the event loop has to notice an ending signal before the watchdog ends the
/// program itself.
pub const STOP_GRACE: Duration = Duration::from_secs(3);

/// The longest the watchdog waits for the writer to finish what it was given.
const WRITES_GRACE: Duration = Duration::from_secs(30);

impl Signals {
    /// Starts a thread that receives the signals. A second ending signal (a shell sends SIGHUP
    /// then SIGTERM when a connection drops) changes nothing: the first is being handled.
    ///
    /// If the event loop has not taken the stop in hand within [`STOP_GRACE`] (a terminal that
    /// hung up can leave the terminal library reading an endless end-of-file), the thread ends
    /// the program itself: once `writes_pending` is zero (every decision handed to the log's
    /// writer is on disk), it restores what it can of the terminal and exits with 128 + the
    /// signal.
    #[cfg(unix)]
    pub fn install(writes_pending: Arc<AtomicUsize>) -> io::Result<Self> {
        use signal_hook::consts::SIGTSTP;
        let s = Signals {
            stop: Arc::new(AtomicUsize::new(0)),
            tstp: Arc::new(AtomicBool::new(false)),
            handled: Arc::new(AtomicBool::new(false)),
        };
        let mut wanted: Vec<i32> = STOP_SIGNALS.iter().map(|(sig, _)| *sig).collect();
        wanted.push(SIGTSTP);
        let mut incoming = signal_hook::iterator::Signals::new(&wanted)?;
        let (stop, tstp, handled) = (
            Arc::clone(&s.stop),
            Arc::clone(&s.tstp),
            Arc::clone(&s.handled),
        );
        std::thread::Builder::new()
            .name("prefer-signals".into())
            .spawn(move || {
                for sig in incoming.forever() {
                    if sig == SIGTSTP {
                        tstp.store(true, Ordering::SeqCst);
                        continue;
                    }
                    if stop.swap(sig as usize, Ordering::SeqCst) != 0 {
                        continue;
                    }
                    let since = Instant::now();
                    while since.elapsed() < STOP_GRACE {
                        if handled.load(Ordering::SeqCst) {
                            break;
                        }
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    if handled.load(Ordering::SeqCst) {
                        continue;
                    }
                    let since = Instant::now();
                    while writes_pending.load(Ordering::SeqCst) > 0
                        && since.elapsed() < WRITES_GRACE
                    {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                    let _ = crossterm::execute!(io::stdout(), crossterm::cursor::Show);
                    BracketedPaste::off();
                    let _ = ratatui::try_restore();
                    std::process::exit(128 + sig);
                }
            })?;
        Ok(s)
    }

    #[cfg(not(unix))]
    pub fn install(_writes_pending: Arc<AtomicUsize>) -> io::Result<Self> {
        Ok(Signals {
            stop: Arc::new(AtomicUsize::new(0)),
            tstp: Arc::new(AtomicBool::new(false)),
            handled: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Whether anything is waiting (cheap: for polling between slices of a wait).
    pub fn pending(&self) -> bool {
        self.stop.load(Ordering::SeqCst) != 0 || self.tstp.load(Ordering::SeqCst)
    }

    /// The signal to act on now, if any (a stop before a suspend). Taking a stop tells the
    /// watchdog the loop has it in hand.
    pub fn take(&self) -> Option<Interrupt> {
        match self.stop.load(Ordering::SeqCst) {
            0 => self
                .tstp
                .swap(false, Ordering::SeqCst)
                .then_some(Interrupt::Suspend),
            sig => {
                self.handled.store(true, Ordering::SeqCst);
                Some(Interrupt::Stop(sig as i32))
            }
        }
    }
}

/// The name of an ending signal.
pub fn signal_name(sig: i32) -> String {
    #[cfg(unix)]
    if let Some((_, name)) = STOP_SIGNALS.iter().find(|(s, _)| *s == sig) {
        return (*name).to_string();
    }
    format!("signal {sig}")
}

/// Bracketed paste, on while the labeling screen is up: the terminal sends a paste as one
/// `Event::Paste` (see `Msg::Paste`) instead of keys that would each fire a command. Turned off
/// on drop (a normal end, an error, a panic unwinding); turning it off twice does no harm, so
/// the paths that leave without dropping it (suspend, the signal watchdog) call [`off`].
///
/// [`off`]: BracketedPaste::off
pub struct BracketedPaste {
    on: bool,
}

impl BracketedPaste {
    pub fn enable() -> Self {
        let on = crossterm::execute!(io::stdout(), crossterm::event::EnableBracketedPaste).is_ok();
        BracketedPaste { on }
    }

    /// Tells the terminal to send pastes as typed keys again.
    pub fn off() {
        let _ = crossterm::execute!(io::stdout(), crossterm::event::DisableBracketedPaste);
    }
}

impl Drop for BracketedPaste {
    fn drop(&mut self) {
        if std::mem::take(&mut self.on) {
            Self::off();
        }
    }
}

/// Clears the screen and makes the next draw paint every cell. Unlike `Terminal::clear` it
/// does not ask the terminal where its cursor is (a terminal that never answers would hold the
/// start up for two seconds).
pub fn repaint<B: Backend>(terminal: &mut Terminal<B>) -> Result<(), B::Error> {
    let size = terminal.size()?;
    terminal.resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
}

/// Suspends the program the way a shell's job control expects: the terminal restored (main
/// screen, cursor shown, cooked mode), the process stopped until `fg`, then the screen set
/// up again and cleared so the next draw paints every cell.
pub fn suspend<B: Backend>(terminal: &mut Terminal<B>) -> io::Result<()>
where
    B::Error: Into<io::Error>,
{
    terminal.show_cursor().map_err(Into::into)?;
    BracketedPaste::off();
    ratatui::try_restore()?;
    #[cfg(unix)]
    signal_hook::low_level::emulate_default_handler(signal_hook::consts::SIGTSTP)?;
    // Running again (SIGCONT).
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(
        io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::event::EnableBracketedPaste
    )?;
    repaint(terminal).map_err(Into::into)
}

/// The editor `E` runs, as git picks one: `$VISUAL` (unless the terminal is dumb), else
/// `$EDITOR`, else `vi`. A shell command line, so it may carry arguments (`code --wait`).
pub fn editor_command(var: impl Fn(&str) -> Option<String>) -> String {
    let set = |k: &str| var(k).filter(|v| !v.trim().is_empty());
    let dumb = var("TERM").is_some_and(|t| t == "dumb");
    (if dumb { None } else { set("VISUAL") })
        .or_else(|| set("EDITOR"))
        .unwrap_or_else(|| "vi".to_string())
}

/// Hands the terminal to the labeler's editor on `text`, as git does for a commit message: the
/// screen restored (main screen, cursor, cooked mode), the editor run on a temporary file and
/// waited for, the screen set up again and repainted. Returns the file's text, or why there is
/// none (the editor could not start, or exited non-zero: cancelled). The temporary file is
/// removed either way.
pub fn edit_externally<B: Backend>(
    terminal: &mut Terminal<B>,
    text: &str,
) -> io::Result<Result<String, String>>
where
    B::Error: Into<io::Error>,
{
    let editor = editor_command(|k| std::env::var(k).ok());
    let path = std::env::temp_dir().join(format!(
        "prefer-edit-{}-{}.txt",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    {
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        let mut f = o.open(&path)?;
        io::Write::write_all(&mut f, text.as_bytes())?;
        if !text.ends_with('\n') {
            io::Write::write_all(&mut f, b"\n")?;
        }
    }
    terminal.show_cursor().map_err(Into::into)?;
    BracketedPaste::off();
    ratatui::try_restore()?;
    // `sh -c 'EDITOR "$@"'`, as git runs it: the editor may be a command line with arguments.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$@\""))
        .arg(&editor)
        .arg(&path)
        .status();
    crossterm::terminal::enable_raw_mode()?;
    crossterm::execute!(
        io::stdout(),
        crossterm::terminal::EnterAlternateScreen,
        crossterm::event::EnableBracketedPaste
    )?;
    repaint(terminal).map_err(Into::into)?;
    let result = match status {
        Err(e) => Err(format!("could not run the editor \"{editor}\": {e}")),
        Ok(s) if !s.success() => Err(format!(
            "the editor \"{editor}\" exited with {}",
            s.code()
                .map_or_else(|| "a signal".to_string(), |c| format!("status {c}"))
        )),
        Ok(_) => std::fs::read(&path)
            .map_err(|e| format!("could not read the edited text back: {e}"))
            .map(|b| String::from_utf8_lossy(&b).into_owned()),
    };
    let _ = std::fs::remove_file(&path);
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_editor_is_chosen_as_git_chooses_it() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(editor_command(env(&[])), "vi");
        assert_eq!(editor_command(env(&[("EDITOR", "nano")])), "nano");
        assert_eq!(
            editor_command(env(&[("EDITOR", "nano"), ("VISUAL", "code --wait")])),
            "code --wait"
        );
        assert_eq!(
            editor_command(env(&[
                ("EDITOR", "nano"),
                ("VISUAL", "gvim"),
                ("TERM", "dumb")
            ])),
            "nano"
        );
        assert_eq!(
            editor_command(env(&[("EDITOR", " "), ("VISUAL", "")])),
            "vi"
        );
    }

    fn ctrl(c: char) -> TermEvent {
        TermEvent::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
    }

    #[test]
    fn ctrl_l_and_ctrl_z_unless_bound() {
        assert_eq!(term_key(&ctrl('l'), |_| false), Some(TermKey::Repaint));
        assert_eq!(term_key(&ctrl('z'), |_| false), Some(TermKey::Suspend));
        assert_eq!(term_key(&ctrl('z'), |c| c == 'z'), None);
        assert_eq!(term_key(&ctrl('c'), |_| false), None);
        let plain = TermEvent::Key(KeyEvent::new(KeyCode::Char('l'), KeyModifiers::NONE));
        assert_eq!(term_key(&plain, |_| false), None);
    }
}
