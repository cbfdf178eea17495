//! `prefer label --store`'s tasks come from the database ([`super::assign`]) on a thread of
//! its own: it holds a few tasks for the labeler (the one on screen and the next ones, so a
//! decision never waits for the server, and an outage leaves work to go on with), renews
//! their leases while the labeler is active, records decisions and skips after their fsync,
//! and gives the rest back when the session ends. It reports the tasks held, whole, after
//! every change; the screen serves only those.
//!
//! The tasks held are also kept in a small file beside the outbox, so a session that starts
//! while the server is away goes on with them, and a decision whose record did not reach the
//! server (killed, or quit while it was away) is recorded at the next start.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use postgres::Client;

use super::assign::{self, Taken};
use super::target::Target;
use crate::labels::TaskKey;

/// How many tasks a labeler holds at once: the one on screen and two more.
pub const HOLD: usize = 3;

/// How often the server is asked again when it had no task for the labeler (tasks held by
/// others come free when their leases run out).
const ASK_AGAIN: Duration = Duration::from_secs(2);

/// How long a decision's bookkeeping here waits while the labeler still holds another task:
/// the decision's own commit (by the sending thread, what "saved" waits for) goes to the
/// server first, without these transactions beside it.
const SETTLE: Duration = Duration::from_millis(50);

const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// The lease: `PREFER_STORE_LEASE` (seconds) when set, else [`assign::LEASE`].
pub fn lease_from_env() -> Duration {
    std::env::var("PREFER_STORE_LEASE")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| *s > 0.0)
        .map_or(assign::LEASE, Duration::from_secs_f64)
}

/// What the screen asks of the thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// A decision on this task is on disk: it takes its place.
    Decided(TaskKey),
    /// The labeler skipped it (on disk): someone else may take it, and it is not handed back
    /// to them this session.
    Skipped(TaskKey),
    /// An undo took a decision back (on disk): the task is theirs again under a lease.
    Undone(TaskKey),
    /// The labeler is at work: the leases are renewed.
    Active,
    /// The labeler was away longer than a lease may last: which tasks are still theirs is
    /// looked up again, and the answer carries this number.
    Recheck(u64),
}

/// What the thread reports: every task it holds for the labeler, in the order handed out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Handed {
    pub tasks: Vec<TaskKey>,
    /// The [`Ask::Recheck`] this answers (0 before any).
    pub generation: u64,
    /// Why there is nothing more now: the server cannot be reached, or every open task is
    /// held by others.
    pub note: Option<String>,
    /// Every task has its overlap of decisions (or this labeler's): nothing more will come.
    pub none_left: bool,
}

/// The thread; dropped or [`Handout::finish`]ed, it records what it was asked, gives the
/// tasks it holds back, and ends.
pub struct Handout {
    tx: Option<Sender<Ask>>,
    handle: Option<JoinHandle<()>>,
}

impl Handout {
    pub fn start(
        target: Target,
        client: Option<Client>,
        annotator: String,
        outbox: &Path,
        lease: Duration,
        report: Box<dyn Fn(Handed) + Send>,
    ) -> Handout {
        let (tx, rx) = std::sync::mpsc::channel();
        let file = held_path(outbox);
        let handle = std::thread::Builder::new()
            .name("prefer-handout".into())
            .spawn(move || {
                let mut h = State {
                    target,
                    client,
                    annotator,
                    file,
                    lease,
                    held: Vec::new(),
                    asks: VecDeque::new(),
                    skipped: Vec::new(),
                    generation: 0,
                    recheck: false,
                    adopted: false,
                    last: None,
                };
                h.held = read_held(&h.file);
                h.run(&rx, &*report);
            })
            .ok();
        Handout {
            tx: Some(tx),
            handle,
        }
    }

    pub fn ask(&self, a: Ask) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(a);
        }
    }

    pub fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        self.tx.take();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Handout {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The tasks held, beside the outbox: `<annotator>.held`.
fn held_path(outbox: &Path) -> PathBuf {
    outbox.with_extension("held")
}

/// One task a line: its number in the table, then its key as JSON.
fn read_held(path: &Path) -> Vec<Taken> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|l| {
            let (id, key) = l.split_once(' ')?;
            let v: (String, String, Option<(String, String)>) = serde_json::from_str(key).ok()?;
            let kind = crate::labels::TaskKind::MODES
                .into_iter()
                .find(|k| k.name() == v.1)?;
            let mut k = TaskKey::new(&v.0, kind);
            k.pair = v.2;
            Some(Taken {
                task_id: id.parse().ok()?,
                key: k,
            })
        })
        .collect()
}

fn write_held(path: &Path, held: &[Taken]) {
    let mut out = String::new();
    for t in held {
        let v = (&t.key.item, t.key.kind.name(), &t.key.pair);
        if let Ok(j) = serde_json::to_string(&v) {
            out.push_str(&format!("{} {j}\n", t.task_id));
        }
    }
    let tmp = path.with_extension("held.tmp");
    if std::fs::write(&tmp, out).is_ok() {
        let _ = std::fs::rename(&tmp, path);
    }
}

struct State {
    target: Target,
    client: Option<Client>,
    annotator: String,
    file: PathBuf,
    lease: Duration,
    held: Vec<Taken>,
    /// Asked and not yet done on the server (it was away), in order.
    asks: VecDeque<Ask>,
    /// Task numbers skipped this session: not taken again.
    skipped: Vec<i64>,
    generation: u64,
    recheck: bool,
    /// The server's own record of the tasks held was taken in (once connected).
    adopted: bool,
    last: Option<Handed>,
}

impl State {
    fn run(&mut self, rx: &Receiver<Ask>, report: &dyn Fn(Handed)) {
        // What the last session left is on screen at once, the server reached or not.
        self.report(None, false, report);
        let mut wait: Option<Duration> = Some(Duration::ZERO);
        loop {
            let first = match wait {
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                Some(w) => rx.recv_timeout(w),
            };
            let mut closed = false;
            match first {
                Ok(a) => self.take_in(a),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => closed = true,
            }
            while let Ok(a) = rx.try_recv() {
                self.take_in(a);
            }
            if !closed && self.can_settle() {
                let until = std::time::Instant::now() + SETTLE;
                loop {
                    match rx
                        .recv_timeout(until.saturating_duration_since(std::time::Instant::now()))
                    {
                        Ok(a) => self.take_in(a),
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => {
                            closed = true;
                            break;
                        }
                    }
                }
            }
            if closed {
                // The session ends: what was asked, then the tasks held go back.
                if self.connected() && self.work().is_ok() {
                    for t in std::mem::take(&mut self.held) {
                        let c = self.client.as_mut().expect("connected");
                        if assign::release(&self.target, c, t.task_id, &self.annotator).is_err() {
                            self.held.push(t);
                        }
                    }
                }
                write_held(&self.file, &self.held);
                return;
            }
            if !self.connected() {
                let why = "the server cannot be reached".to_string();
                self.report(Some(why), false, report);
                wait = Some(next_backoff(wait));
                continue;
            }
            crate::trace::mark("hand-out: connected");
            let worked = self.work();
            crate::trace::mark("hand-out: tasks held");
            match worked {
                Ok(none_left) => {
                    let note = (self.held.len() < HOLD && !none_left).then(|| {
                        "every open task is held by other labelers now; one comes free when its lease runs out".to_string()
                    });
                    let short = note.is_some();
                    self.report(note, none_left, report);
                    wait = short.then_some(ASK_AGAIN);
                }
                Err(e) => {
                    self.client = None;
                    self.report(
                        Some(format!("the server cannot be reached ({e})")),
                        false,
                        report,
                    );
                    wait = Some(next_backoff(wait.filter(|w| !w.is_zero())));
                }
            }
        }
    }

    /// True when only decisions and skips wait and the labeler still holds a task they do
    /// not name: nothing on screen waits for this work (see [`SETTLE`]).
    fn can_settle(&self) -> bool {
        let named = |h: &Taken| {
            self.asks
                .iter()
                .any(|a| matches!(a, Ask::Decided(k) | Ask::Skipped(k) if *k == h.key))
        };
        !self.asks.is_empty()
            && !self.recheck
            && self
                .asks
                .iter()
                .all(|a| matches!(a, Ask::Decided(_) | Ask::Skipped(_)))
            && self.held.iter().any(|h| !named(h))
    }

    fn take_in(&mut self, a: Ask) {
        match a {
            Ask::Recheck(g) => {
                self.generation = g;
                self.recheck = true;
            }
            // Only the latest renewal matters.
            Ask::Active if self.asks.contains(&Ask::Active) => {}
            a => self.asks.push_back(a),
        }
    }

    fn connected(&mut self) -> bool {
        if self.client.as_ref().is_none_or(|c| c.is_closed()) {
            self.client = self.target.connect().ok();
        }
        self.client.is_some()
    }

    /// Does what was asked, then holds [`HOLD`] tasks if the server has them; true when no
    /// task is left for this labeler at all.
    fn work(&mut self) -> Result<bool, String> {
        let (t, me, lease) = (self.target.clone(), self.annotator.clone(), self.lease);
        let c = self.client.as_mut().ok_or("not connected")?;
        let e = |e: super::StoreError| e.0;
        if !self.adopted {
            // Tasks a session that ended without giving them back still holds.
            for taken in assign::held_by(&t, c, &me).map_err(e)? {
                if !self.held.iter().any(|h| h.task_id == taken.task_id) {
                    self.held.push(taken);
                }
            }
            self.adopted = true;
        }
        while let Some(a) = self.asks.front().cloned() {
            match &a {
                Ask::Decided(k) | Ask::Skipped(k) | Ask::Undone(k) => {
                    let id = match self.held.iter().find(|h| &h.key == k) {
                        Some(h) => Some(h.task_id),
                        None => assign::task_id(&t, c, k).map_err(e)?,
                    };
                    if let Some(id) = id {
                        match a {
                            Ask::Decided(_) => {
                                assign::finish(&t, c, id, &me).map_err(e)?;
                                self.held.retain(|h| h.task_id != id);
                            }
                            Ask::Skipped(_) => {
                                assign::release(&t, c, id, &me).map_err(e)?;
                                self.held.retain(|h| h.task_id != id);
                                self.skipped.push(id);
                            }
                            _ => {
                                self.skipped.retain(|&s| s != id);
                                if assign::reopen(&t, c, id, &me, lease).map_err(e)?
                                    && !self.held.iter().any(|h| h.task_id == id)
                                {
                                    self.held.push(Taken {
                                        task_id: id,
                                        key: k.clone(),
                                    });
                                }
                            }
                        }
                    }
                }
                Ask::Active => {
                    let mut kept = Vec::new();
                    for h in std::mem::take(&mut self.held) {
                        if assign::renew(&t, c, h.task_id, &me, lease).map_err(e)? {
                            kept.push(h);
                        }
                    }
                    self.held = kept;
                }
                Ask::Recheck(_) => {}
            }
            self.asks.pop_front();
        }
        if std::mem::take(&mut self.recheck) {
            // Back after longer than a lease: what is still ours, renewed; the rest went.
            let mut kept = Vec::new();
            for h in std::mem::take(&mut self.held) {
                if assign::renew(&t, c, h.task_id, &me, lease).map_err(e)? {
                    kept.push(h);
                }
            }
            self.held = kept;
        }
        while self.held.len() < HOLD {
            match assign::take_except(&t, c, &me, lease, &self.skipped).map_err(e)? {
                Some(taken) if !self.held.iter().any(|h| h.task_id == taken.task_id) => {
                    self.held.push(taken)
                }
                Some(_) => break,
                None => break,
            }
        }
        if self.held.is_empty() {
            return Ok(!assign::any_left(&t, c, &me).map_err(e)?);
        }
        Ok(false)
    }

    fn report(&mut self, note: Option<String>, none_left: bool, report: &dyn Fn(Handed)) {
        let h = Handed {
            tasks: self.held.iter().map(|t| t.key.clone()).collect(),
            generation: self.generation,
            note,
            none_left,
        };
        if self.last.as_ref() != Some(&h) {
            write_held(&self.file, &self.held);
            self.last = Some(h.clone());
            report(h);
        }
    }
}

fn next_backoff(b: Option<Duration>) -> Duration {
    match b {
        Some(d) if !d.is_zero() => (d * 2).min(MAX_BACKOFF),
        _ => FIRST_BACKOFF,
    }
}

/// Every task of a candidate file in a mode, in the file's order: what the database hands
/// out (`prefer store tasks`, or the first `prefer label --store` of the file).
pub fn file_tasks(
    source: &dyn crate::format::ItemSource,
    mode: crate::labels::TaskKind,
    spec: &crate::taskfile::TaskSpec,
) -> Vec<TaskKey> {
    let sample = match spec.pairs {
        crate::taskfile::PairSelection::Sample(k) => Some(k),
        crate::taskfile::PairSelection::All => None,
    };
    (0..source.len())
        .filter_map(|i| source.item(i).ok())
        .flat_map(|item| crate::tasks::item_keys(&item, mode, sample, spec.tuple))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tasks_held_survive_a_restart_in_their_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("ann.held");
        let held = vec![
            Taken {
                task_id: 3,
                key: TaskKey::pair("q 1", "a", "b"),
            },
            Taken {
                task_id: 9,
                key: TaskKey::new("q\"2", crate::labels::TaskKind::Rank),
            },
        ];
        write_held(&p, &held);
        assert_eq!(read_held(&p), held);
    }
}
