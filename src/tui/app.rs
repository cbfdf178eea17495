//! The labeling screen on a terminal: `prefer label` and `prefer review` (set up by
//! [`super::session`]), the event loop (terminal event -> key map -> update -> effects ->
//! draw), the writer thread that appends and fsyncs, and the rescue file.

use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use anyhow::Context;
use crossterm::event::{self, Event as TermEvent};
use ratatui::Terminal;
use ratatui::backend::Backend;

use crate::cli::{LabelArgs, ReviewArgs};
use crate::format::ItemSource;
use crate::labels::{Event, LabelLog, LockedLog, ReadProgress, ReplayCache};

use super::keymap::Key;
use super::model::Model;
use super::route;
use super::session::{self, Env, Files, Opened, SessionArgs};
use super::terminal::{
    BracketedPaste, Interrupt, Signals, TermKey, edit_externally, repaint, suspend, term_key,
};
use super::update::{Effect, Msg, update};
use super::view::view;
use super::waiting;

/// How often the clock in the header and retries of failed writes tick.
const TICK: Duration = Duration::from_secs(1);

/// Runs `prefer label`.
pub fn run_label(args: &LabelArgs) -> anyhow::Result<ExitCode> {
    run(&SessionArgs::from(args))
}

/// Runs `prefer review`: the labeling screen over the team's decisions, under the reviewer's
/// name, recording final decisions as an adjudicator's.
pub fn run_review(args: &ReviewArgs) -> anyhow::Result<ExitCode> {
    run(&SessionArgs::review(args)?)
}

/// A session: read the files, resolve, draw the first frame while the history is read on a
/// thread of its own, open, run the screen, summarise.
fn run(args: &SessionArgs) -> anyhow::Result<ExitCode> {
    // Small files are read and checked whole (an invalid file is refused); big ones open at
    // once and are checked in the background while the labeler works.
    let Some(source) = session::open_source(&args.file)? else {
        return Ok(ExitCode::FAILURE);
    };
    crate::trace::mark("candidate file open");
    let config = session::resolve(args, &Env::from_process(), Files::read(args)?)?;
    crate::trace::mark("settings read, session resolved");
    // The labeler's log is locked now (a log in use is refused before the screen is set up)
    // and read with the team's on a thread of their own.
    session::prepare_outbox(&config)?;
    let own = LabelLog::lock(&config.log_path)?.with_replay_cache(ReplayCache::default_place());
    let created = own.created().then(|| config.log_path.clone());
    let progress = Arc::new(ReadProgress::default());
    let history = read_in_background(&config, own, &progress, &source);
    // Before the screen is set up: a signal from here on restores it.
    let writes_pending = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let signals = Signals::install(Arc::clone(&writes_pending))
        .context("cannot install the signal handlers")?;
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            // No terminal: what is wrong with the history (a log in use, labels and final
            // decisions mixed) is the more useful message, so it goes first.
            if let Ok(h) = history.recv() {
                session::build(config, source, h?)?;
            }
            return Err(anyhow::Error::new(e).context("cannot set up the terminal"));
        }
    };
    // A paste comes as one event, not as keys that would each fire a command; off again when
    // this is dropped, at the end or on a panic.
    let paste = BracketedPaste::enable();
    // The alternate screen may still hold what a killed session or the shell left there.
    repaint(&mut terminal).context("cannot clear the terminal")?;
    crate::trace::mark("terminal set up");
    let result = on_terminal(
        &mut terminal,
        config,
        source,
        &progress,
        &history,
        &signals,
        writes_pending,
    );
    drop(paste);
    if matches!(&result, Ok(Some((_, _, _, Some(_))))) {
        // Stopped by a signal: the terminal may be gone (SIGHUP), so nothing here may fail
        // or panic on a write.
        let _ = terminal.show_cursor();
        let _ = ratatui::try_restore();
    } else {
        ratatui::restore();
    }
    crate::trace::report();
    match result? {
        Some((config, notes, model, stopped)) => {
            let code = session::summarise(&config, &notes, model, stopped);
            // A replay cache still being written (a first start of a long log, quit within a
            // second) is finished, so the next start has it.
            crate::labels::ReplayCache::finish_writes();
            Ok(code)
        }
        None => {
            // Nothing was decided: a log this process made (still locked by the reading
            // thread) is removed, as when a session ends without a decision.
            if let Some(p) = created.filter(|p| std::fs::metadata(p).is_ok_and(|m| m.len() == 0)) {
                let _ = std::fs::remove_file(p);
            }
            println!("quit while the labels were being read; nothing was changed.");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// How a session on the terminal ended: its config and notes, the model for the summary, and
/// the signal that stopped it, if one did.
type Ended = (session::SessionConfig, Vec<String>, Model, Option<i32>);

/// What a session does on the terminal: the waiting screen until the history is in, then the
/// labeling screen; `None` when the labeler quit before the history was in.
fn on_terminal<B: Backend>(
    terminal: &mut Terminal<B>,
    config: session::SessionConfig,
    source: Arc<dyn ItemSource>,
    progress: &ReadProgress,
    history: &Receiver<anyhow::Result<session::History>>,
    signals: &Signals,
    writes_pending: Arc<std::sync::atomic::AtomicUsize>,
) -> anyhow::Result<Option<Ended>>
where
    B::Error: Send + Sync + 'static,
    io::Error: From<B::Error>,
{
    let mut waiting = session::waiting(&config);
    let Some(history) = waiting::wait_for(terminal, &mut waiting, progress, history, &mut |t| {
        terminal_event(t, false)
    })?
    else {
        return Ok(None);
    };
    crate::trace::mark("history in");
    let opened = session::build(config, source, history?)?;
    crate::trace::mark("model built at the resume task");
    let (config, notes) = (opened.config.clone(), opened.notes.clone());
    let (model, stopped) = run_screen(terminal, opened, signals, writes_pending)?;
    Ok(Some((config, notes, model, stopped)))
}

/// Reads the session's history on a thread of its own: the answer comes on the channel, the
/// progress in `progress`.
///
/// A big candidate file's background checking waits while a labeler's logs are replayed (both
/// want both cores, and the replay is what the first task waits for); then the answer waits until
/// the checking has reached the item of the labeler's last decision, where the session resumes.
fn read_in_background(
    config: &session::SessionConfig,
    own: LockedLog,
    progress: &Arc<ReadProgress>,
    source: &Arc<dyn ItemSource>,
) -> Receiver<anyhow::Result<session::History>> {
    let (tx, rx) = std::sync::mpsc::channel();
    let (config, progress, source) = (config.clone(), Arc::clone(progress), Arc::clone(source));
    // Review waits for the whole file's checking anyway (its list is of every task): there
    // the checker goes on beside the reading.
    let held = config.args.review.is_none().then(|| source.hold_checking());
    let own = match held {
        Some(h) => own.holding_while_replaying(Box::new(h)),
        None => own,
    };
    // Gold answers are checked against the whole file (see `session::build`): with gold in
    // the task, a big file's checking is waited for with the history.
    // So is it with a store, unless the tasks' last check still holds: the file's tasks are
    // then listed whole, to be loaded into the database or checked against it.
    let wants_gold = config.spec.gold.is_some()
        || config.spec.gold_rate > 0.0
        || config
            .args
            .review
            .as_ref()
            .is_some_and(|r| r.gold.is_some());
    // For the tests: the reading waits until the file this names exists.
    let gate = std::env::var_os("PREFER_TEST_HISTORY_GATE").map(PathBuf::from);
    let read = move || {
        if let Some(g) = gate {
            while !g.exists() {
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let mut history = session::read_history(&config, own, &progress);
        // With a store the server's hand-out places the labeler, not the last decision.
        let handed = config.store.is_some() && config.args.review.is_none();
        if let Ok(h) = &mut history
            && !handed
            && let Some(item) = h.own.decisions.last().map(|e| e.item.clone())
        {
            // And the record after it: the next open task is often in the next item.
            if let Some(pos) = crate::format::wait_for_item(source.as_ref(), &item) {
                source.wait_checked(pos + 1);
            }
            crate::trace::mark("candidate file checked as far as the last decision");
        }
        // A store's tasks are listed from the whole file when they must be checked (a
        // server not reached checks nothing).
        let lists_tasks = config.args.review.is_none()
            && history.as_ref().is_ok_and(|h| {
                h.store.as_ref().is_some_and(|s| {
                    s.client.is_some() && s.checked.is_none() && s.recorded.is_none()
                })
            });
        if (wants_gold || lists_tasks) && history.is_ok() {
            source.wait_checked(usize::MAX - 1);
        }
        if let Ok(h) = &history {
            h.first.fill_deferred();
        }
        let _ = tx.send(history);
    };
    if let Err(e) = std::thread::Builder::new()
        .name("prefer-history".into())
        .spawn(read)
    {
        // No thread to be had: the history is read before the first frame instead.
        let (tx, rx2) = std::sync::mpsc::channel();
        let _ = tx.send(Err(
            anyhow::Error::new(e).context("cannot start a thread to read the labels")
        ));
        return rx2;
    }
    rx
}

/// The next terminal event within `timeout`, if any (with `panic_on_key`, a deliberate panic
/// on a key, for the crash tests).
fn terminal_event(timeout: Duration, panic_on_key: bool) -> io::Result<Option<TermEvent>> {
    if event::poll(timeout)? {
        let ev = event::read()?;
        if panic_on_key && matches!(ev, TermEvent::Key(_)) {
            panic!("PREFER_TEST_PANIC=key: a deliberate panic to test terminal restore");
        }
        Ok(Some(ev))
    } else {
        Ok(None)
    }
}

/// Runs an opened session on the terminal until the labeler quits (or a signal stops it: its
/// number is returned); every write finished (or failed, for the rescue file) before it
/// returns the model for the summary.
fn run_screen<B: Backend>(
    terminal: &mut Terminal<B>,
    opened: Opened,
    signals: &Signals,
    writes_pending: Arc<std::sync::atomic::AtomicUsize>,
) -> anyhow::Result<(Model, Option<i32>)>
where
    B::Error: Send + Sync + 'static,
    io::Error: From<B::Error>,
{
    let Opened {
        config,
        mut model,
        log,
        mut others,
        notes,
        first,
        show_guidelines,
        store_client,
        store_known,
    } = opened;
    // For the crash tests: a deliberate panic on the first key, inside the running screen.
    let test_panic = std::env::var_os("PREFER_TEST_PANIC").is_some_and(|v| v == "key");
    let size = terminal.size().unwrap_or_default();
    model.size = (size.width, size.height);
    let started = Instant::now();
    let mut watch = FileWatch::new(&config.args.file);
    let lease = crate::store::handout::lease_from_env();
    if config.store.is_some() && config.args.review.is_none() {
        model.handed = Some(super::model::HandedTasks::new(lease.as_millis() as u64));
    }
    session::start(
        &mut model,
        &notes,
        first,
        show_guidelines,
        config.args.review.as_ref(),
    );
    if config.args.review.is_none() {
        let (review, raise) = session::team_commands(&config);
        super::nothing_left::at_start(&mut model, review, raise);
    }
    // Appends and fsyncs happen on their own thread, one at a time in order: a slow disk
    // never holds up the keys that follow a decision, and the screen says "saved" only when
    // the writer has reported the fsync done.
    let (done, reports) = std::sync::mpsc::channel::<Msg>();
    // With a store: what the writer fsynced goes on to the database from a thread of its own,
    // which reports each commit (or failure) beside the writer's reports.
    let pusher = config.store.as_ref().map(|t| {
        let report = done.clone();
        crate::store::label::Pusher::start(
            t.clone()
                .with_connect_timeout(crate::store::label::CONNECT_TIMEOUT),
            store_client,
            config.log_path.clone(),
            config.annotator.clone(),
            model.server.as_ref().map_or(0, |s| s.committed),
            store_known,
            Box::new(move |s| {
                let _ = report.send(Msg::Server {
                    committed: s.committed,
                    error: s.error,
                });
            }),
        )
    });
    if let Some(p) = &pusher
        && model.server.as_ref().is_some_and(|s| s.waiting() > 0)
    {
        // Lines left from before (the server was away at the start): sent from now on.
        p.kick();
    }
    // With a store: the tasks come from the database, handed out by a thread of their own.
    let handout = match (&config.store, &config.args.review) {
        (Some(t), None) => {
            let report = done.clone();
            Some(crate::store::handout::Handout::start(
                t.clone()
                    .with_connect_timeout(crate::store::label::CONNECT_TIMEOUT),
                None,
                config.annotator.clone(),
                &config.log_path,
                lease,
                Box::new(move |h| {
                    let _ = report.send(Msg::Handed(h));
                }),
            ))
        }
        _ => None,
    };
    super::update::handed::begin(&mut model);
    let kick = pusher.as_ref().and_then(|p| p.kicker());
    let writer = Writer::start(log, writes_pending, (done, reports), kick);
    let result = run_loop(
        terminal,
        &mut model,
        &mut |seq, ev| writer.send(seq, ev),
        &mut |a| {
            if let Some(h) = &handout {
                h.ask(a);
            }
        },
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
        &mut |t, text| edit_externally(t, text),
    );
    // Let the writer finish what is on its way (and what waits behind it) before reporting.
    finish_writes(&mut model, &writer, handout.as_ref());
    drop(writer);
    // What was decided goes to the server, then the tasks still held go back.
    if let Some(h) = handout {
        h.finish();
    }
    // The last lines sent (one attempt when some wait), for the summary.
    if let Some(p) = pusher {
        let s = p.finish();
        if let Some(m) = model.server.as_mut() {
            m.committed = s.committed;
            m.error = s.error;
        }
    }
    let stopped = result.as_ref().ok().copied().flatten();
    result?;
    Ok((model, stopped))
}

/// Runs `$VISUAL` / `$EDITOR` on a text with the terminal handed over: the text it left, or
/// why there is none (see [`edit_externally`]).
pub type ExternalEditor<'a, B> =
    dyn FnMut(&mut Terminal<B>, &str) -> io::Result<Result<String, String>> + 'a;

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
    handout: &mut dyn FnMut(crate::store::handout::Ask),
    results: &mut dyn FnMut() -> Vec<Msg>,
    next_event: &mut dyn FnMut(Duration) -> io::Result<Option<TermEvent>>,
    clock: &dyn Fn() -> u64,
    poll: &mut dyn FnMut() -> Vec<Msg>,
    interrupt: &mut dyn FnMut() -> Option<Interrupt>,
    suspend: &mut dyn FnMut(&mut Terminal<B>) -> io::Result<()>,
    external_edit: &mut ExternalEditor<'_, B>,
) -> anyhow::Result<Option<i32>>
where
    B::Error: Send + Sync + 'static,
{
    let mut shown: Option<crate::labels::TaskKey> = None;
    let mut queue: VecDeque<Msg> = VecDeque::new();
    queue.push_back(Msg::Tick);
    let mut last_tick = clock();
    let mut first_frame = true;
    // Handles everything queued (including the writer's reports); true when it is time to quit.
    // An external editor asked for runs here, with the terminal handed over; what it gave
    // back is the next message.
    let mut process = |queue: &mut VecDeque<Msg>,
                       model: &mut Model,
                       terminal: &mut Terminal<B>|
     -> anyhow::Result<bool> {
        while let Some(msg) = queue.pop_front() {
            for fx in update(model, msg, clock()) {
                match fx {
                    Effect::Append { seq, event } => send(seq, *event),
                    Effect::Handout(a) => handout(a),
                    Effect::ExternalEdit { source, text } => {
                        let result = external_edit(terminal, &text)?;
                        queue.push_front(Msg::EditedExternally {
                            source,
                            start: text,
                            result,
                        });
                    }
                    Effect::Quit => return Ok(true),
                }
            }
        }
        Ok(false)
    };
    loop {
        match interrupt() {
            Some(Interrupt::Stop(sig)) => return Ok(Some(sig)),
            Some(Interrupt::Suspend) => suspend(terminal)?,
            None => {}
        }
        queue.extend(results());
        if process(&mut queue, model, terminal)? {
            return Ok(None);
        }
        if shown.as_ref() != Some(&model.view.key) {
            repaint(terminal)?;
            shown = Some(model.view.key.clone());
        }
        terminal.draw(|f| view(model, f))?;
        if std::mem::take(&mut first_frame) {
            crate::trace::mark("first frame of the session drawn");
        }

        let now = clock();
        let mut wait =
            Duration::from_millis((last_tick + TICK.as_millis() as u64).saturating_sub(now));
        let sending = model
            .server
            .as_ref()
            .is_some_and(|s| s.waiting() > 0 && s.error.is_none());
        if model.in_flight.is_some() || sending {
            // A write (or a commit) is on its way: look again soon, to show "saved" as soon
            // as it is.
            wait = wait.min(WRITE_POLL);
        }
        if model.overlay == super::model::Overlay::WaitingForTasks {
            // The hand-out's report comes on the writer's channel, looked at between waits:
            // without this a task handed out waited for the next tick, up to a second.
            wait = wait.min(HANDOUT_POLL);
        }
        let idle_work = model.background_work();
        if idle_work {
            // A key is answered first; without one, a little more of the work.
            wait = Duration::ZERO;
        }
        match next_event(wait)? {
            None => {
                if idle_work {
                    queue.push_back(Msg::Idle);
                }
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
                    if process(&mut queue, model, terminal)? {
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

/// How often the loop looks for the hand-out's report while the screen waits for a task.
const HANDOUT_POLL: Duration = Duration::from_millis(20);

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
    /// Starts the thread; it reports on `reports` (which others may report on too), and after
    /// each event fsynced sends on `kick`, if given (the store's sender).
    fn start(
        mut log: LabelLog,
        pending: Arc<std::sync::atomic::AtomicUsize>,
        reports: (std::sync::mpsc::Sender<Msg>, Receiver<Msg>),
        kick: Option<std::sync::mpsc::Sender<()>>,
    ) -> Self {
        use std::sync::atomic::Ordering;
        let (tx, jobs) = std::sync::mpsc::channel::<(u64, Event)>();
        let (done, rx) = reports;
        let written = Arc::clone(&pending);
        let handle = std::thread::Builder::new()
            .name("prefer-writer".into())
            .spawn(move || {
                for (seq, mut ev) in jobs {
                    let msg = match log.append(&mut ev) {
                        Ok(()) => Msg::Saved(seq),
                        Err(e) => Msg::SaveFailed(seq, e.to_string()),
                    };
                    let saved = matches!(msg, Msg::Saved(_));
                    written.fetch_sub(1, Ordering::SeqCst);
                    if done.send(msg).is_err() {
                        break;
                    }
                    // After the report: the commit's report comes after it.
                    if let (true, Some(k)) = (saved, &kick) {
                        let _ = k.send(());
                    }
                }
                // Nobody needs an empty log of a session that decided nothing.
                log.remove_if_empty();
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
fn finish_writes(
    model: &mut Model,
    writer: &Writer,
    handout: Option<&crate::store::handout::Handout>,
) {
    while model.in_flight.is_some() {
        let msg = match writer.lost.borrow_mut().pop() {
            Some(m) => m,
            None => match writer.rx.recv_timeout(Duration::from_secs(30)) {
                Ok(m) => m,
                Err(_) => break,
            },
        };
        for fx in update(model, msg, 0) {
            match fx {
                Effect::Append { seq, event } => writer.send(seq, *event),
                Effect::Handout(a) => {
                    if let Some(h) = handout {
                        h.ask(a);
                    }
                }
                _ => {}
            }
        }
    }
}

fn push_event(queue: &mut VecDeque<Msg>, model: &Model, ev: TermEvent) {
    match ev {
        TermEvent::Key(k) => {
            if let Some(msg) = Key::from_event(&k).and_then(|key| route::key(model, key)) {
                queue.push_back(msg);
            }
        }
        TermEvent::Paste(text) => queue.push_back(Msg::Paste(text)),
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
