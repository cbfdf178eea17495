//! `prefer label`: set-up (load, lock and replay the log), the event loop (terminal event ->
//! key map -> update -> effects -> draw), and the summary printed on exit.

use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use crossterm::event::{self, Event as TermEvent, KeyCode};
use ratatui::Terminal;
use ratatui::backend::Backend;

use crate::cli::{LabelArgs, ReviewArgs};
use crate::config::{Settings, Theme};
use crate::format::{self, ItemSource, LoadError};
use crate::labels::{Event, LabelLog, Role, TaskKind, labels_dir};
use crate::taskfile::TaskSpec;
use crate::text::sanitize;
use crate::text::shell_quote;

use super::keymap::{Key, KeyMap};
use super::model::{Model, Setup};
use super::others::OthersReader;
use super::review::Filter;
use super::terminal::{Interrupt, Signals, TermKey, repaint, signal_name, suspend, term_key};
use super::update::{Effect, InputKey, Msg, update};
use super::view::view;

/// How often the clock in the header and retries of failed writes tick.
const TICK: Duration = Duration::from_secs(1);

/// Runs `prefer label`.
pub fn run_label(args: &LabelArgs) -> anyhow::Result<ExitCode> {
    run_session(args, None)
}

/// Runs `prefer review`: the labeling screen over the team's decisions, under the reviewer's
/// name, recording final decisions as an adjudicator's.
pub fn run_review(args: &ReviewArgs) -> anyhow::Result<ExitCode> {
    let filter = Filter::parse(&args.filter).map_err(|e| anyhow::anyhow!("--filter: {e}"))?;
    let label = LabelArgs {
        file: args.file.clone(),
        mode: args.mode,
        annotator: args.annotator.clone(),
        labels_dir: args.labels_dir.clone(),
        out: args.out.clone(),
        no_shuffle: true,
        scale: args.scale,
        overlap: None,
        task: None,
    };
    run_session(
        &label,
        Some(ReviewSpec {
            filter,
            logs: args.logs.clone(),
        }),
    )
}

/// What `prefer review` adds to a labeling session.
struct ReviewSpec {
    filter: Filter,
    /// Logs named on the command line (else the labels folder's).
    logs: Vec<PathBuf>,
}

fn run_session(args: &LabelArgs, review: Option<ReviewSpec>) -> anyhow::Result<ExitCode> {
    // Small files are read and checked whole (an invalid file is refused); big ones open at
    // once and are checked in the background while the labeler works.
    let source: Arc<dyn ItemSource> = match format::open(&args.file) {
        Ok(d) => d,
        Err(LoadError::Invalid(problems)) => {
            // Problems quote ids from the data: visible symbols, never escapes. The first
            // few only: the count and `prefer validate` follow.
            for p in problems.iter().take(format::PROBLEMS_SHOWN) {
                eprintln!("{}", sanitize(&p.to_string()));
            }
            eprintln!(
                "{}",
                sanitize(&format!(
                    "prefer: {} has {} problem{}; nothing to label until they are fixed (prefer validate {} lists them)",
                    args.file.display(),
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" },
                    shell_quote(&args.file.to_string_lossy())
                ))
            );
            return Ok(ExitCode::FAILURE);
        }
        Err(e) => return Err(e.into()),
    };
    let settings = Settings::load().map_err(|e| anyhow::anyhow!("{e}"))?;
    let spec = match &args.task {
        Some(p) => TaskSpec::load(p).map_err(|e| anyhow::anyhow!("{e}"))?,
        None => TaskSpec::default(),
    };
    let keymap = KeyMap::from_settings(&settings)
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_flags(&spec.flags)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let theme = if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        Theme::Monochrome
    } else {
        settings.theme
    };
    let annotator = annotator_name(args.annotator.as_deref(), settings.annotator.as_deref())?;
    let dir = args
        .labels_dir
        .clone()
        .or_else(|| {
            args.out
                .as_ref()
                .and_then(|o| o.parent().map(Path::to_path_buf))
        })
        .unwrap_or_else(|| labels_dir(&args.file));
    let log_path = args
        .out
        .clone()
        .unwrap_or_else(|| dir.join(format!("{annotator}.jsonl")));
    let overlap = match args.overlap {
        Some(k) => k as usize,
        None => folder_overlap(&dir)?.unwrap_or(spec.overlap.max(1) as usize),
    };
    // The other annotators' logs: read now (review needs them to choose its mode).
    let mut others = match &review {
        Some(r) if !r.logs.is_empty() => OthersReader::files(&r.logs, &log_path),
        _ => OthersReader::new(&dir, &log_path),
    };
    let first = others.read_all();
    if review.is_some() && first.count == 0 {
        bail!(
            "no decisions to review in {} - label first (prefer label), or name the logs: prefer review FILE LOG...",
            dir.display()
        );
    }
    let mode: TaskKind = match (args.mode, &review) {
        (Some(m), _) => m.into(),
        (None, Some(_)) => first.most_common_kind(),
        (None, None) => match spec.mode.or(settings.mode) {
            Some(m) => m,
            // For a big file still being read, judged from the items checked so far.
            None if (0..source.len()).all(|i| source.candidate_count(i).is_none_or(|n| n == 2)) => {
                TaskKind::Pair
            }
            None => TaskKind::Rank,
        },
    };
    let scale = args.scale.unwrap_or(if args.task.is_some() {
        spec.rate.scale
    } else {
        5
    });
    let first_start = spec.guidelines.is_some();
    let opened = LabelLog::open_decisions(&log_path)?;
    let log = opened.log;
    let mut notes = Vec::new();
    if let Some(t) = &opened.torn {
        notes.push(match &t.kept_at {
            Some(p) => format!(
                "the log ended in a torn line ({} bytes, from a crash); it was cut off and kept in {}",
                t.bytes,
                p.display()
            ),
            None => "the log's last line had lost its newline; it was completed".to_string(),
        });
    }

    // One log holds either labels or a reviewer's final decisions, never both: export and
    // agreement tell them apart by whose log they are in. What counts is what still stands
    // (an undone decision no longer does). Review logs are small: all of it is checked; a
    // labeler's log is checked by its latest standing decision (a log never mixes the two).
    let mut decisions = opened.decisions;
    let adjudicated = |e: &Event| e.role() == Some(Role::Adjudicator);
    if review.is_some()
        && let Some(e) = decisions.iter().find(|e| !adjudicated(e))
    {
        bail!(
            "{} holds {}'s own labels (item {}); review under another name so labels and final decisions stay apart, e.g. --annotator {}-review",
            log_path.display(),
            sanitize(&e.annotator),
            sanitize(&e.item),
            annotator
        );
    }
    if review.is_none()
        && let Some(e) = decisions.last().filter(|e| adjudicated(e))
    {
        bail!(
            "{} holds {}'s final decisions from prefer review (item {}); label under another name so labels and final decisions stay apart, or go on reviewing with: prefer review {} --annotator {}",
            log_path.display(),
            sanitize(&e.annotator),
            sanitize(&e.item),
            shell_quote(&args.file.to_string_lossy()),
            annotator
        );
    }
    // Guidelines open by themselves the first time (nothing in the log yet).
    let show_guidelines = opened.events == 0;

    // Our hook first, so a panic prints where the work is after ratatui restores the terminal.
    let hook_log = log_path.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        previous(info);
        eprintln!(
            "prefer crashed. Every decision shown as saved is in {}; run the same command to resume.",
            hook_log.display()
        );
    }));
    // For the crash tests: a deliberate panic on the first key, inside the running screen.
    let test_panic = std::env::var_os("PREFER_TEST_PANIC").is_some_and(|v| v == "key");

    let mut model = Model::new(Setup {
        source,
        file_label: args
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        annotator: annotator.clone(),
        mode,
        scale,
        shuffle: !args.no_shuffle && spec.shuffle,
        decisions,
        overlap,
        size: (80, 24),
        spec,
        keymap,
        theme,
    })
    .map_err(|e| anyhow::anyhow!("{}: {e}", args.file.display()))?;
    if model.stale > 0 {
        notes.push(if model.stale == 1 {
            "1 logged decision is about an item whose text changed since; that task is open again"
                .to_string()
        } else {
            format!(
                "{} logged decisions are about items whose text changed since; those tasks are open again",
                model.stale
            )
        });
    }
    if model.too_many > 0 {
        notes.push(format!(
            "{} item{} left out in {} mode, e.g. {}",
            model.too_many,
            if model.too_many == 1 { "" } else { "s" },
            mode.name(),
            model.first_left_out.as_deref().unwrap_or("")
        ));
    }
    // Before the screen is set up: a signal from here on restores it.
    let writes_pending = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let signals = Signals::install(Arc::clone(&writes_pending))
        .context("cannot install the signal handlers")?;
    let mut terminal = ratatui::try_init().context("cannot set up the terminal")?;
    // The alternate screen may still hold what a killed session or the shell left there.
    repaint(&mut terminal).context("cannot clear the terminal")?;
    let size = terminal.size().unwrap_or_default();
    model.size = (size.width, size.height);
    if !notes.is_empty() {
        model.status = Some(notes.join("; "));
    }
    let started = Instant::now();
    let mut watch = FileWatch::new(&args.file);
    model.add_others(first);
    if first_start && show_guidelines && review.is_none() {
        model.overlay = super::model::Overlay::Guidelines;
    }
    let review_logs = review.as_ref().map(|r| r.logs.clone()).unwrap_or_default();
    match review {
        Some(r) => super::update::start_review(&mut model, r.filter),
        None => {
            let start = model
                .first_open_from(model.current)
                .unwrap_or(model.current);
            model.go_to(start);
        }
    }
    // Appends and fsyncs happen on their own thread, one at a time in order: a slow disk
    // never holds up the keys that follow a decision, and the screen says "saved" only when
    // the writer has reported the fsync done.
    let writer = Writer::start(log, writes_pending);
    let result = run_loop(
        &mut terminal,
        &mut model,
        &mut |seq, ev| writer.send(seq, ev),
        &mut || writer.results(),
        &mut |timeout| {
            // Waits in short slices, so a signal is acted on within one of them.
            let deadline = Instant::now() + timeout;
            loop {
                let slice = deadline
                    .saturating_duration_since(Instant::now())
                    .min(SIGNAL_POLL);
                match event::poll(slice) {
                    Ok(true) => {}
                    Ok(false) if signals.pending() || Instant::now() >= deadline => {
                        return Ok(None);
                    }
                    Ok(false) => continue,
                    // A hung-up terminal cannot be read: the signal that came with it is
                    // what to act on.
                    Err(_) if signals.pending() => return Ok(None),
                    Err(e) => return Err(e),
                }
                let ev = match event::read() {
                    Err(_) if signals.pending() => return Ok(None),
                    r => r?,
                };
                if test_panic && matches!(ev, TermEvent::Key(_)) {
                    panic!("PREFER_TEST_PANIC=key: a deliberate panic to test terminal restore");
                }
                return Ok(Some(ev));
            }
        },
        &|| started.elapsed().as_millis() as u64,
        &mut || {
            let mut msgs: Vec<Msg> = watch.check().into_iter().collect();
            let events = others.poll();
            if !events.is_empty() {
                msgs.push(Msg::Others(events));
            }
            msgs
        },
        &mut || signals.take(),
        &mut |t| suspend(t),
    );
    // Let the writer finish what is on its way (and what waits behind it) before reporting.
    finish_writes(&mut model, &writer);
    drop(writer);
    let stopped = result.as_ref().ok().copied().flatten();
    if stopped.is_some() {
        // The terminal may be gone (SIGHUP): nothing here may fail or panic on a write.
        let _ = terminal.show_cursor();
        let _ = ratatui::try_restore();
    } else {
        ratatui::restore();
    }
    let review_filter = model.review.as_ref().map(|r| r.filter.clone());
    result?;

    let mut code = ExitCode::SUCCESS;
    if !model.unsaved.is_empty() {
        match write_rescue(&log_path, model.unsaved.values()) {
            Ok(p) => eprintln!(
                "prefer: {} decision{} could not be written to the log; they are in {} - append that file to the log when the disk has room",
                model.unsaved.len(),
                if model.unsaved.len() == 1 { "" } else { "s" },
                p.display()
            ),
            Err(e) => eprintln!("prefer: could not write the rescue file either: {e}"),
        }
        code = ExitCode::FAILURE;
    }
    if let Some(sig) = stopped {
        use std::io::Write;
        let _ = writeln!(
            io::stderr(),
            "prefer: stopped by {}; {} decision{} this session, every one shown as saved is in {}; resume with: {}",
            signal_name(sig),
            model.session_decisions,
            if model.session_decisions == 1 {
                ""
            } else {
                "s"
            },
            log_path.display(),
            resume_command(args, &annotator, mode)
        );
        return Ok(ExitCode::from(128u8.saturating_add(sig as u8)));
    }
    for n in &notes {
        println!("note: {n}");
    }
    let problems = model.source.problems();
    if !problems.is_empty() {
        println!(
            "{} record{} of {} could not be used (left out):",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            args.file.display()
        );
        for p in problems.iter().take(10) {
            println!("  {}", sanitize(&p.to_string()));
        }
        if problems.len() > 10 {
            println!(
                "  ... prefer validate {} lists them all",
                shell_quote(&args.file.to_string_lossy())
            );
        }
    }
    let total = model.tasks.len();
    let decided = model.decided_count();
    let skipped = model
        .decisions
        .iter()
        .filter(|e| e.skip && e.task == mode)
        .count();
    println!(
        "{} decision{} this session; {decided} of {total} tasks decided{}.",
        model.session_decisions,
        if model.session_decisions == 1 {
            ""
        } else {
            "s"
        },
        if skipped > 0 {
            format!(", {skipped} skipped")
        } else {
            String::new()
        }
    );
    if review_filter.is_none() && (model.team.names().next().is_some() || model.team.overlap > 1) {
        println!(
            "team: {} of {total} tasks have {} decision{}{}.",
            model.team.full(),
            model.team.overlap,
            if model.team.overlap == 1 { "" } else { "s" },
            if model.team.over() > 0 {
                format!(
                    "; {} got more because two labelers took them at the same moment",
                    model.team.over()
                )
            } else {
                String::new()
            }
        );
    }
    println!("labels log: {}", log_path.display());
    match &review_filter {
        Some(f) => println!(
            "resume with: {}",
            review_command(args, &annotator, mode, f, &review_logs)
        ),
        None => println!("resume with: {}", resume_command(args, &annotator, mode)),
    }
    Ok(code)
}

/// The event loop. Generic over the backend and the event source, so tests can drive the
/// whole app on a `TestBackend` with injected events. Ends with the signal that stopped it,
/// if one did.
///
/// The screen is cleared and drawn whole when the task on screen changes and on Ctrl-L: a
/// terminal that drew a cell differently from ratatui's reckoning keeps no trace of it.
#[allow(clippy::too_many_arguments)]
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    model: &mut Model,
    send: &mut dyn FnMut(u64, Event),
    results: &mut dyn FnMut() -> Vec<Msg>,
    next_event: &mut dyn FnMut(Duration) -> io::Result<Option<TermEvent>>,
    clock: &dyn Fn() -> u64,
    poll: &mut dyn FnMut() -> Vec<Msg>,
    interrupt: &mut dyn FnMut() -> Option<Interrupt>,
    suspend: &mut dyn FnMut(&mut Terminal<B>) -> io::Result<()>,
) -> anyhow::Result<Option<i32>>
where
    B::Error: Send + Sync + 'static,
{
    let mut shown: Option<crate::labels::TaskKey> = None;
    let mut queue: VecDeque<Msg> = VecDeque::new();
    queue.push_back(Msg::Tick);
    let mut last_tick = clock();
    // Handles everything queued (including the writer's reports); true when it is time to quit.
    let mut process = |queue: &mut VecDeque<Msg>, model: &mut Model| -> bool {
        while let Some(msg) = queue.pop_front() {
            for fx in update(model, msg, clock()) {
                match fx {
                    Effect::Append { seq, event } => send(seq, *event),
                    Effect::Quit => return true,
                }
            }
        }
        false
    };
    loop {
        match interrupt() {
            Some(Interrupt::Stop(sig)) => return Ok(Some(sig)),
            Some(Interrupt::Suspend) => suspend(terminal)?,
            None => {}
        }
        queue.extend(results());
        if process(&mut queue, model) {
            return Ok(None);
        }
        if shown.as_ref() != Some(&model.view.key) {
            repaint(terminal)?;
            shown = Some(model.view.key.clone());
        }
        terminal.draw(|f| view(model, f))?;

        let now = clock();
        let mut wait =
            Duration::from_millis((last_tick + TICK.as_millis() as u64).saturating_sub(now));
        if model.in_flight.is_some() {
            // A write is on its way: look again soon, to show "saved" as soon as it is.
            wait = wait.min(WRITE_POLL);
        }
        match next_event(wait)? {
            None => {
                if clock() >= last_tick + TICK.as_millis() as u64 {
                    last_tick = clock();
                    queue.push_back(Msg::Tick);
                    queue.extend(poll());
                }
            }
            Some(ev) => {
                // What the rest of the team did since, before a key can pick the next task.
                queue.extend(poll());
                // Each event is handled before the next is read (a `:` changes what the
                // following keys mean); the screen is drawn once for the whole batch.
                let mut ev = Some(ev);
                while let Some(e) = ev {
                    queue.extend(results());
                    let bound = |c| model.keymap.action(Key::ctrl(c)).is_some();
                    match term_key(&e, bound) {
                        Some(TermKey::Repaint) => repaint(terminal)?,
                        Some(TermKey::Suspend) => suspend(terminal)?,
                        None => push_event(&mut queue, model, e),
                    }
                    if process(&mut queue, model) {
                        return Ok(None);
                    }
                    ev = next_event(Duration::ZERO)?;
                }
                if clock() >= last_tick + TICK.as_millis() as u64 {
                    last_tick = clock();
                    queue.push_back(Msg::Tick);
                }
            }
        }
    }
}

/// The longest wait for a key before looking whether a signal arrived.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// How often the loop looks for the writer's report while a write is on its way.
const WRITE_POLL: Duration = Duration::from_millis(2);

/// The labels log's writer thread: appends and fsyncs events in the order sent, and reports
/// each as `Msg::Saved` or `Msg::SaveFailed`.
struct Writer {
    tx: Option<std::sync::mpsc::Sender<(u64, Event)>>,
    /// Events handed over and not yet written (or failed): what a watchdog that ends the
    /// program waits for.
    pending: Arc<std::sync::atomic::AtomicUsize>,
    rx: std::sync::mpsc::Receiver<Msg>,
    handle: Option<std::thread::JoinHandle<()>>,
    /// Events that could not even be handed over (the thread is gone): reported as failed.
    lost: std::cell::RefCell<Vec<Msg>>,
}

impl Writer {
    fn start(mut log: LabelLog, pending: Arc<std::sync::atomic::AtomicUsize>) -> Self {
        use std::sync::atomic::Ordering;
        let (tx, jobs) = std::sync::mpsc::channel::<(u64, Event)>();
        let (done, rx) = std::sync::mpsc::channel::<Msg>();
        let written = Arc::clone(&pending);
        let handle = std::thread::Builder::new()
            .name("prefer-writer".into())
            .spawn(move || {
                for (seq, mut ev) in jobs {
                    let msg = match log.append(&mut ev) {
                        Ok(()) => Msg::Saved(seq),
                        Err(e) => Msg::SaveFailed(seq, e.to_string()),
                    };
                    written.fetch_sub(1, Ordering::SeqCst);
                    if done.send(msg).is_err() {
                        break;
                    }
                }
            })
            .ok();
        Writer {
            tx: Some(tx),
            pending,
            rx,
            handle,
            lost: Default::default(),
        }
    }

    fn send(&self, seq: u64, ev: Event) {
        use std::sync::atomic::Ordering;
        self.pending.fetch_add(1, Ordering::SeqCst);
        let sent = self
            .tx
            .as_ref()
            .is_some_and(|tx| tx.send((seq, ev)).is_ok());
        if !sent {
            self.pending.fetch_sub(1, Ordering::SeqCst);
            // Only if the thread died: the event stays unsaved in memory and is rescued on quit.
            self.lost.borrow_mut().push(Msg::SaveFailed(
                seq,
                "the writer thread stopped; quit to write your decisions to a rescue file".into(),
            ));
        }
    }

    /// Reports of writes finished since the last look.
    fn results(&self) -> Vec<Msg> {
        let mut out: Vec<Msg> = self.lost.borrow_mut().drain(..).collect();
        out.extend(self.rx.try_iter());
        out
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the channel ends the thread once it has written everything sent; joining
        // releases the log (and its lock) before prefer reports and exits.
        self.tx.take();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// At quit: waits for the write on its way and lets the ones held behind it go out, until
/// everything is saved or a write has failed (those go to the rescue file).
fn finish_writes(model: &mut Model, writer: &Writer) {
    while model.in_flight.is_some() {
        let msg = match writer.lost.borrow_mut().pop() {
            Some(m) => m,
            None => match writer.rx.recv_timeout(Duration::from_secs(30)) {
                Ok(m) => m,
                Err(_) => break,
            },
        };
        for fx in update(model, msg, 0) {
            if let Effect::Append { seq, event } = fx {
                writer.send(seq, *event);
            }
        }
    }
}

fn push_event(queue: &mut VecDeque<Msg>, model: &Model, ev: TermEvent) {
    match ev {
        TermEvent::Key(k) => {
            let Some(key) = Key::from_event(&k) else {
                return;
            };
            if model.editor.is_some() {
                queue.push_back(Msg::Edit(key));
                return;
            }
            if model.input.is_some() {
                // A line is being typed: keys are text, not commands.
                let ik = match key.code {
                    KeyCode::Enter => Some(InputKey::Enter),
                    KeyCode::Esc => Some(InputKey::Esc),
                    KeyCode::Backspace => Some(InputKey::Backspace),
                    KeyCode::Char('c') if key.ctrl => Some(InputKey::Esc),
                    KeyCode::Char(c) if !key.ctrl && !key.alt => Some(InputKey::Char(c)),
                    _ => None,
                };
                if let Some(ik) = ik {
                    queue.push_back(Msg::Input(ik));
                }
                return;
            }
            if let Some(a) = model.keymap.action(key) {
                queue.push_back(Msg::Key(a));
            }
        }
        TermEvent::Paste(text) if model.editor.is_some() => queue.push_back(Msg::EditPaste(text)),
        // Pasted text goes into a line being typed.
        TermEvent::Paste(text) if model.input.is_some() => {
            queue.extend(text.chars().map(|c| Msg::Input(InputKey::Char(c))));
        }
        TermEvent::Resize(w, h) => queue.push_back(Msg::Resize(w, h)),
        _ => {}
    }
}

/// `overlap` from `<labels dir>/prefer.toml`, the folder's settings for the whole team.
fn folder_overlap(dir: &Path) -> anyhow::Result<Option<usize>> {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Settings {
        overlap: Option<usize>,
    }
    let path = dir.join("prefer.toml");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => bail!("cannot read {}: {e}", path.display()),
    };
    let s: Settings = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|r| 1 + text[..r.start.min(text.len())].matches('\n').count())
            .unwrap_or(1);
        anyhow::anyhow!(
            "{}:{line}: {} - the folder settings take `overlap = K` (K >= 1)",
            path.display(),
            e.message()
        )
    })?;
    if s.overlap == Some(0) {
        bail!("{}: overlap must be 1 or more", path.display());
    }
    Ok(s.overlap)
}

/// The task kind most decisions in these events are of (review's default mode).
/// Notices when the candidate file changes on disk during a session. The items on screen are
/// the ones loaded at start, and every decision records their `item_hash`, so nothing is
/// mislabeled; the labeler is told once, to restart for the new version.
struct FileWatch {
    path: PathBuf,
    seen: Option<(u64, Option<std::time::SystemTime>)>,
    told: bool,
}

impl FileWatch {
    fn new(path: &Path) -> Self {
        FileWatch {
            path: path.to_path_buf(),
            seen: Self::stamp(path),
            told: false,
        }
    }

    fn stamp(path: &Path) -> Option<(u64, Option<std::time::SystemTime>)> {
        std::fs::metadata(path)
            .ok()
            .map(|m| (m.len(), m.modified().ok()))
    }

    fn check(&mut self) -> Option<Msg> {
        if self.told || Self::stamp(&self.path) == self.seen {
            return None;
        }
        self.told = true;
        Some(Msg::Warn(format!(
            "{} changed on disk; you are labeling the version loaded at start (decisions record its item_hash) - restart prefer to load the new one",
            self.path.display()
        )))
    }
}

/// `--annotator`, else `$PREFER_ANNOTATOR`, else the settings file's, else `$USER`; it names
/// a file, so it is checked.
pub fn annotator_name(given: Option<&str>, settings: Option<&str>) -> anyhow::Result<String> {
    let name = given
        .map(str::to_string)
        .or_else(|| {
            std::env::var("PREFER_ANNOTATOR")
                .ok()
                .filter(|s| !s.is_empty())
        })
        .or_else(|| settings.map(str::to_string))
        .or_else(|| std::env::var("USER").ok().filter(|s| !s.is_empty()));
    let Some(name) = name else {
        bail!("no annotator name: give --annotator NAME (or set PREFER_ANNOTATOR)");
    };
    let ok = !name.starts_with('.')
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if !ok {
        bail!(
            "annotator name {name:?} cannot be used: it names the log file, so use letters, digits, '-', '_', '.', '@' (at most 64, not starting with '.')"
        );
    }
    Ok(name)
}

/// The command that goes on reviewing where this session is (same logs, filter and mode).
fn review_command(
    args: &LabelArgs,
    annotator: &str,
    mode: TaskKind,
    filter: &Filter,
    logs: &[PathBuf],
) -> String {
    let mut parts = vec![
        "prefer review".to_string(),
        shell_quote(&args.file.to_string_lossy()),
    ];
    parts.extend(logs.iter().map(|l| shell_quote(&l.to_string_lossy())));
    if let Some(dir) = &args.labels_dir {
        parts.push(format!(
            "--labels-dir {}",
            shell_quote(&dir.to_string_lossy())
        ));
    }
    if let Some(out) = &args.out {
        parts.push(format!("--out {}", shell_quote(&out.to_string_lossy())));
    }
    parts.push(format!("--mode {}", mode.name()));
    parts.push(format!("--annotator {}", shell_quote(annotator)));
    parts.push(format!("--filter {}", shell_quote(&filter.name())));
    parts.join(" ")
}

fn resume_command(args: &LabelArgs, annotator: &str, mode: TaskKind) -> String {
    let mut parts = vec![
        "prefer label".to_string(),
        shell_quote(&args.file.to_string_lossy()),
        format!("--mode {}", mode.name()),
        format!("--annotator {}", shell_quote(annotator)),
    ];
    if let Some(dir) = &args.labels_dir {
        parts.push(format!(
            "--labels-dir {}",
            shell_quote(&dir.to_string_lossy())
        ));
    }
    if let Some(out) = &args.out {
        parts.push(format!("--out {}", shell_quote(&out.to_string_lossy())));
    }
    if let Some(k) = args.overlap {
        parts.push(format!("--overlap {k}"));
    }
    if args.no_shuffle {
        parts.push("--no-shuffle".into());
    }
    if let Some(t) = &args.task {
        parts.push(format!("--task {}", shell_quote(&t.to_string_lossy())));
    }
    if let Some(k) = args.scale.filter(|_| mode == TaskKind::Rate) {
        parts.push(format!("--scale {k}"));
    }
    parts.join(" ")
}

/// Writes decisions that could not reach the log to `<log>.rescue-<millis>` beside it (not
/// `*.jsonl`, so no tool takes it for an annotator's log),
/// or in the temporary folder when that fails too.
fn write_rescue<'a>(log: &Path, events: impl Iterator<Item = &'a Event>) -> io::Result<PathBuf> {
    let mut bytes = Vec::new();
    for e in events {
        let mut e = e.clone();
        if e.at.is_empty() {
            e.at = crate::labels::now_rfc3339();
        }
        serde_json::to_writer(&mut bytes, &e).map_err(io::Error::other)?;
        bytes.push(b'\n');
    }
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let name = format!(
        "{}.rescue-{millis}",
        log.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default()
    );
    let beside = log.with_file_name(&name);
    let write = |p: &Path| -> io::Result<()> {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(p)?;
        f.write_all(&bytes)?;
        f.sync_all()
    };
    match write(&beside) {
        Ok(()) => Ok(beside),
        Err(_) => {
            let tmp = std::env::temp_dir().join(&name);
            write(&tmp).map(|()| tmp)
        }
    }
}
