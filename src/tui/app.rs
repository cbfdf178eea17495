//! `prefer label`: set-up (load, lock and replay the log), the event loop (terminal event ->
//! key map -> update -> effects -> draw), and the summary printed on exit.

use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use crossterm::event::{self, Event as TermEvent};
use ratatui::Terminal;
use ratatui::backend::Backend;

use crate::cli::LabelArgs;
use crate::format::{self, ItemSource, LoadError};
use crate::labels::{Decisions, Event, LabelLog, TaskKind, default_log_path};
use crate::tasks::build_tasks;
use crate::text::sanitize;

use super::keymap::Key;
use super::model::{Model, Setup};
use super::update::{Effect, Msg, update};
use super::view::view;

/// Pair mode asks about every pair: an item with N candidates is N(N-1)/2 tasks, 1,225 for 50
/// (hours of work on one prompt), 50 million for 10,000 (and as many tasks in memory). Beyond
/// this the labeler is sent to rate mode rather than given a session nobody can finish.
pub const MAX_PAIR_CANDIDATES: usize = 50;

/// How often the clock in the header and retries of failed writes tick.
const TICK: Duration = Duration::from_secs(1);

/// Runs `prefer label`.
pub fn run_label(args: &LabelArgs) -> anyhow::Result<ExitCode> {
    let dataset = match format::load(&args.file) {
        Ok(d) => d,
        Err(LoadError::Invalid(problems)) => {
            // Problems quote ids from the data: visible symbols, never escapes.
            for p in &problems {
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
    let annotator = annotator_name(args.annotator.as_deref())?;
    let mode: TaskKind = match args.mode {
        Some(m) => m.into(),
        None if dataset.items.iter().all(|i| i.candidates.len() == 2) => TaskKind::Pair,
        None => TaskKind::Rank,
    };
    if mode == TaskKind::Rank
        && let Some(big) = dataset.items.iter().find(|i| i.candidates.len() > 9)
    {
        let n = big.candidates.len();
        bail!(
            "{}:{}: item \"{}\" has {n} candidates; rank mode takes at most 9 (one key each) - use {}, or split the item",
            args.file.display(),
            big.line,
            super::content::one_line(&big.id),
            if n <= MAX_PAIR_CANDIDATES {
                "--mode pair or --mode rate"
            } else {
                "--mode rate"
            }
        );
    }
    if mode == TaskKind::Pair
        && let Some(big) = dataset
            .items
            .iter()
            .find(|i| i.candidates.len() > MAX_PAIR_CANDIDATES)
    {
        let n = big.candidates.len();
        bail!(
            "{}:{}: item \"{}\" has {n} candidates: {} pair tasks for one prompt; pair mode takes at most {MAX_PAIR_CANDIDATES} candidates per item ({} pairs) - use --mode rate, or split the item",
            args.file.display(),
            big.line,
            super::content::one_line(&big.id),
            n * (n - 1) / 2,
            MAX_PAIR_CANDIDATES * (MAX_PAIR_CANDIDATES - 1) / 2
        );
    }
    let log_path = args
        .out
        .clone()
        .unwrap_or_else(|| default_log_path(&args.file, &annotator));
    let opened = LabelLog::open(&log_path)?;
    let mut log = opened.log;
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

    // Decisions made on an item that has changed since are stale: the task is open again.
    let source: Arc<dyn ItemSource> = Arc::new(dataset);
    let hashes: std::collections::HashMap<String, String> = (0..source.len())
        .map(|i| {
            let it = source.item(i);
            (it.id.clone(), it.hash.clone())
        })
        .collect();
    let mut stale = 0;
    let mut decisions = Decisions::new();
    for e in opened.events {
        match (&e.item_hash, hashes.get(&e.item)) {
            (Some(h), Some(cur)) if h != cur => stale += 1,
            _ => decisions.apply(e),
        }
    }
    if stale > 0 {
        notes.push(format!(
            "{stale} logged event{} concern items whose text changed since; those tasks are open again",
            if stale == 1 { "" } else { "s" }
        ));
    }
    let tasks = build_tasks(source.as_ref(), mode, &annotator, !args.no_shuffle);

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

    let mut terminal = ratatui::try_init().context("cannot set up the terminal")?;
    let size = terminal.size().unwrap_or_default();
    let mut model = Model::new(Setup {
        source,
        file_label: args
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        annotator: annotator.clone(),
        mode,
        scale: args.scale,
        shuffle: !args.no_shuffle,
        tasks,
        decisions,
        size: (size.width, size.height),
    });
    if !notes.is_empty() {
        model.status = Some(notes.join("; "));
    }
    let started = Instant::now();
    let mut watch = FileWatch::new(&args.file);
    let result = run_loop(
        &mut terminal,
        &mut model,
        &mut |ev| log.append(ev),
        &mut |timeout| {
            if event::poll(timeout)? {
                let ev = event::read()?;
                if test_panic && matches!(ev, TermEvent::Key(_)) {
                    panic!("PREFER_TEST_PANIC=key: a deliberate panic to test terminal restore");
                }
                Ok(Some(ev))
            } else {
                Ok(None)
            }
        },
        &|| started.elapsed().as_millis() as u64,
        &mut || watch.check(),
    );
    ratatui::restore();
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
    for n in &notes {
        println!("note: {n}");
    }
    let total = model.tasks.len();
    let decided = model.decisions.decided_count();
    let skipped = total - decided - model.open_count();
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
    println!("labels log: {}", log_path.display());
    println!("resume with: {}", resume_command(args, &annotator, mode));
    Ok(code)
}

/// The event loop. Generic over the backend and the event source, so tests can drive the
/// whole app on a `TestBackend` with injected events.
pub fn run_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    model: &mut Model,
    write: &mut dyn FnMut(&mut Event) -> io::Result<()>,
    next_event: &mut dyn FnMut(Duration) -> io::Result<Option<TermEvent>>,
    clock: &dyn Fn() -> u64,
    on_tick: &mut dyn FnMut() -> Option<Msg>,
) -> anyhow::Result<()>
where
    B::Error: Send + Sync + 'static,
{
    let mut queue: VecDeque<Msg> = VecDeque::new();
    queue.push_back(Msg::Tick);
    let mut last_tick = clock();
    loop {
        // Handle everything queued (including save confirmations) before drawing once.
        while let Some(msg) = queue.pop_front() {
            let mut results = Vec::new();
            for fx in update(model, msg, clock()) {
                match fx {
                    Effect::Append { seq, mut event } => match write(&mut event) {
                        Ok(()) => results.push(Msg::Saved(seq)),
                        Err(e) => results.push(Msg::SaveFailed(seq, e.to_string())),
                    },
                    Effect::Quit => return Ok(()),
                }
            }
            // The model hears how a write went before the next key: a key queued behind a
            // failed write must see the failure, so its event waits behind the failed one.
            for r in results.into_iter().rev() {
                queue.push_front(r);
            }
        }
        terminal.draw(|f| view(model, f))?;

        let now = clock();
        let wait = Duration::from_millis((last_tick + TICK.as_millis() as u64).saturating_sub(now));
        match next_event(wait)? {
            None => {
                last_tick = clock();
                queue.push_back(Msg::Tick);
                queue.extend(on_tick());
            }
            Some(ev) => {
                push_event(&mut queue, model, ev);
                // Drain whatever else is already waiting, then draw once.
                while let Some(ev) = next_event(Duration::ZERO)? {
                    push_event(&mut queue, model, ev);
                }
                if clock() >= last_tick + TICK.as_millis() as u64 {
                    last_tick = clock();
                    queue.push_back(Msg::Tick);
                }
            }
        }
    }
}

fn push_event(queue: &mut VecDeque<Msg>, model: &Model, ev: TermEvent) {
    match ev {
        TermEvent::Key(k) => {
            if let Some(a) = Key::from_event(&k).and_then(|k| model.keymap.action(k)) {
                queue.push_back(Msg::Key(a));
            }
        }
        TermEvent::Resize(w, h) => queue.push_back(Msg::Resize(w, h)),
        _ => {}
    }
}

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

/// `--annotator`, else `$PREFER_ANNOTATOR`, else `$USER`; it names a file, so it is checked.
pub fn annotator_name(given: Option<&str>) -> anyhow::Result<String> {
    let name = given
        .map(str::to_string)
        .or_else(|| {
            std::env::var("PREFER_ANNOTATOR")
                .ok()
                .filter(|s| !s.is_empty())
        })
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

fn resume_command(args: &LabelArgs, annotator: &str, mode: TaskKind) -> String {
    let mut parts = vec![
        "prefer label".to_string(),
        shell_quote(&args.file.to_string_lossy()),
        format!("--mode {}", mode.name()),
        format!("--annotator {}", shell_quote(annotator)),
    ];
    if let Some(out) = &args.out {
        parts.push(format!("--out {}", shell_quote(&out.to_string_lossy())));
    }
    if args.no_shuffle {
        parts.push("--no-shuffle".into());
    }
    if mode == TaskKind::Rate {
        parts.push(format!("--scale {}", args.scale));
    }
    parts.join(" ")
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./@:=+,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
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
