//! `prefer label --store URL`: the labeler's own log is an outbox on their machine (a normal
//! labels log, appended and fsynced before a decision counts as saved here), and the lines it
//! gains go to the database with the same code as `prefer store push` (idempotent: a line sent
//! twice is stored once). The other labelers' decisions come from the database by polling.
//!
//! Nothing here waits on the screen: sending runs on a thread of its own ([`Pusher`]), and so
//! does following the team ([`PgFeed`]); both retry with backoff while the server is away.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use postgres::Client;

use super::target::{StoreError, Target};
use crate::labels::LogFeed;

/// How long a labeler's connection attempt may take before it counts as a failure (the
/// decision is saved in the outbox meanwhile; the next attempt comes after a backoff).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// The first wait before sending again after a failure; doubled up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// How often the team's new lines are looked for.
const FOLLOW_EVERY: Duration = Duration::from_secs(1);

/// The outbox of `annotator` for the database `target` under the user's data folder:
/// `<data>/outbox/<database id>/<annotator>.jsonl`.
pub fn outbox_path(data_dir: &Path, target: &Target, annotator: &str) -> PathBuf {
    data_dir
        .join("outbox")
        .join(target.id())
        .join(format!("{annotator}.jsonl"))
}

/// Creates the outbox's folder (and its parents) readable by its owner only: it holds the
/// labeler's decisions, which may be about data others must not see.
pub fn make_outbox_dir(outbox: &Path) -> std::io::Result<()> {
    let Some(dir) = outbox.parent() else {
        return Ok(());
    };
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        b.mode(0o700);
        b.create(dir)?;
        // A folder made earlier by something else is closed too.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    #[cfg(not(unix))]
    b.create(dir)?;
    Ok(())
}

/// The lines of the outbox the database had at the last commit seen (a note kept beside the
/// outbox, for the count shown while the server cannot be reached: a lower count only means
/// lines are sent again, which stores them once). After a send it also holds what the
/// database held then (bytes and hash) and the outbox as the file system told it right after
/// (device, inode, length, times): a start that finds both unchanged skips reading and
/// hashing the outbox (see [`start`]).
fn sent_hint_path(outbox: &Path) -> PathBuf {
    outbox.with_extension("sent")
}

pub fn read_sent_hint(outbox: &Path) -> u64 {
    std::fs::read_to_string(sent_hint_path(outbox))
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// What the note says the database held after the last send, and the outbox's identity then.
#[derive(Debug, PartialEq, Eq)]
struct SentNote {
    lines: i64,
    bytes: i64,
    hash: Vec<u8>,
    outbox: Vec<u64>,
}

fn read_sent_note(outbox: &Path) -> Option<SentNote> {
    let text = std::fs::read_to_string(sent_hint_path(outbox)).ok()?;
    let mut words = text.split_whitespace();
    let lines = words.next()?.parse().ok()?;
    let bytes = words.next()?.parse().ok()?;
    let hex = words.next()?;
    let hash = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    let outbox: Vec<u64> = words.map(|w| w.parse().ok()).collect::<Option<_>>()?;
    (!outbox.is_empty()).then_some(SentNote {
        lines,
        bytes,
        hash,
        outbox,
    })
}

/// Writes the note: `lines` committed, and with `known` what the database holds and the
/// outbox's identity now.
pub fn write_sent_hint(outbox: &Path, lines: u64, known: Option<&super::sync::Known>) {
    let p = sent_hint_path(outbox);
    let tmp = p.with_extension("sent.tmp");
    let mut text = format!("{lines}");
    if let Some(k) = known
        && let Some(id) = crate::labels::file_identity(outbox, None)
    {
        let hex: String = k.hash().iter().map(|b| format!("{b:02x}")).collect();
        text.push_str(&format!(" {} {hex}", k.bytes));
        for w in id {
            text.push_str(&format!(" {w}"));
        }
    }
    text.push('\n');
    if std::fs::write(&tmp, text).is_ok() {
        let _ = std::fs::rename(&tmp, &p);
    }
}

/// Whole lines in `bytes`.
pub fn lines_in(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Why the start could not bring the outbox and the database together.
#[derive(Debug)]
pub enum StartError {
    /// The server cannot be reached now: labeling goes on, the outbox waits.
    Offline(String),
    /// Something only a person can sort out (a schema newer than this prefer, an outbox and a
    /// database log that differ): the session does not start.
    Refused(String),
}

/// How the outbox and the database stand after [`start`].
pub struct Started {
    pub client: Client,
    /// The outbox's lines the database holds.
    pub committed: u64,
    /// What the database holds of the outbox, with its hash state, for the sending thread:
    /// its first send then checks and hashes only the lines after it.
    pub known: Option<super::sync::Known>,
}

/// At the start of a session: connects, checks the schema, and brings the outbox and the
/// database's log of `stream` together: what the outbox has beyond the database is sent
/// first; what the database has beyond the outbox (the labeler worked on another machine) is
/// appended to the outbox.
pub fn start(target: &Target, outbox: &Path, stream: &str) -> Result<Started, StartError> {
    // A server that answers "no" (a password, role or database refused) is not away: the
    // session does not start, rather than wait for it as for an outage.
    let mut client = target.connect_or_answer().map_err(|(e, answered)| {
        if answered {
            StartError::Refused(e.0)
        } else {
            StartError::Offline(e.0)
        }
    })?;
    crate::trace::mark("connected to the database");
    if let Err(e) = super::schema::check(target, &mut client) {
        return Err(if client.is_closed() {
            StartError::Offline(e.0)
        } else {
            StartError::Refused(e.0)
        });
    }
    // Per-user roles: only the role's own name may be written, said before anything is.
    if let Err(e) = super::roles::check_annotator(target, &mut client, stream) {
        return Err(if client.is_closed() {
            StartError::Offline(e.0)
        } else {
            StartError::Refused(e.0)
        });
    }
    match sync_outbox(target, &mut client, outbox, stream) {
        Ok((committed, known)) => Ok(Started {
            client,
            committed,
            known,
        }),
        Err(e) if client.is_closed() => Err(StartError::Offline(target.scrub(&format!("{e:#}")))),
        Err(e) => Err(StartError::Refused(target.scrub(&format!("{e:#}")))),
    }
}

fn sync_outbox(
    target: &Target,
    client: &mut Client,
    outbox: &Path,
    stream: &str,
) -> anyhow::Result<(u64, Option<super::sync::Known>)> {
    let head = client
        .query_opt(
            "SELECT lines, bytes, hash FROM prefer_streams WHERE stream = $1",
            &[&stream],
        )
        .map_err(|e| target.error("look up your log", e))?;
    // The usual resume: the database holds the whole outbox, as the last send left both (the
    // note beside the outbox says what the database held then and how the file was right
    // after it, and both are so now). Nothing to read or send; the sending thread makes the
    // hash state before its first send, and refuses then if the outbox is not what the
    // database holds.
    if let Some(row) = &head {
        let (lines, db_bytes, hash): (i64, i64, Vec<u8>) = (row.get(0), row.get(1), row.get(2));
        let size = std::fs::metadata(outbox).map_or(0, |m| m.len());
        let note = read_sent_note(outbox);
        let unchanged = note.as_ref().is_some_and(|n| {
            n.lines == lines
                && n.bytes == db_bytes
                && n.hash == hash
                && size == db_bytes as u64
                && crate::labels::file_identity(outbox, None).is_some_and(|id| n.outbox == id)
        });
        if unchanged {
            crate::trace::mark("outbox as the last send left it");
            let known = super::sync::Known::unhashed(db_bytes as usize, lines, hash);
            return Ok((lines as u64, Some(known)));
        }
    }
    let bytes = match crate::safefs::read(outbox) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => anyhow::bail!("cannot read {}: {e}", outbox.display()),
    };
    crate::trace::mark("outbox read");
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    if let Some(row) = head {
        let (lines, db_bytes, hash): (i64, i64, Vec<u8>) = (row.get(0), row.get(1), row.get(2));
        if db_bytes as usize > complete {
            // Labeled on another machine too: the outbox gets the rest, when it is the
            // beginning of the database's log (and ends with a whole line).
            let db = super::sync::read_stream(target, client, stream, db_bytes as usize)?;
            if complete != bytes.len() || db[..complete] != bytes[..] {
                anyhow::bail!(
                    "{}: differs from the database's log `{stream}` - the outbox and the database disagree about your decisions; nothing was changed (keep a copy of the outbox, and compare it with: prefer store pull URL OTHER_DIR)",
                    outbox.display()
                );
            }
            use std::io::Write;
            let mut f = crate::safefs::open_append(outbox)?;
            f.write_all(&db[complete..])
                .and_then(|()| f.sync_all())
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", outbox.display()))?;
            write_sent_hint(outbox, lines as u64, None);
            return Ok((lines as u64, None));
        }
        // The usual start: the database holds the outbox's beginning (or all of it). One hash
        // of that part checks it, and only the lines after it are checked and sent.
        let known = super::sync::Known::of(&bytes[..db_bytes as usize]);
        crate::trace::mark("outbox hashed");
        if known.is(lines, db_bytes, &hash) {
            let tail = &bytes[db_bytes as usize..complete];
            if let Some(k) =
                super::sync::push_tail(target, client, &mut None, outbox, stream, &known, tail)?
            {
                write_sent_hint(outbox, k.lines as u64, Some(&k));
                return Ok((k.lines as u64, Some(k)));
            }
        }
    }
    // No log in the database yet, or one that is not the outbox's beginning: the whole
    // outbox, as push sends it (which refuses a log that differs).
    super::sync::push_log(target, client, outbox, stream, &bytes)?;
    let n = lines_in(&bytes[..complete]);
    let known = super::sync::Known::of(&bytes);
    write_sent_hint(outbox, n, Some(&known));
    Ok((n, Some(known)))
}

/// What the sending thread knows: the outbox's lines the database has committed, and why the
/// last attempt failed, if it did (the password scrubbed out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushState {
    pub committed: u64,
    pub error: Option<String>,
}

/// Sends the outbox's new lines to the database on a thread of its own: when kicked (a line
/// was appended and fsynced), and again with backoff while it fails. Each attempt reports its
/// [`PushState`] through `report`. Dropped or [`Pusher::finish`]ed, it makes one last attempt
/// when lines are waiting, then ends.
pub struct Pusher {
    kick: Option<Sender<()>>,
    handle: Option<JoinHandle<()>>,
    state: Arc<Mutex<PushState>>,
}

impl Pusher {
    pub fn start(
        target: Target,
        client: Option<Client>,
        outbox: PathBuf,
        stream: String,
        committed: u64,
        known: Option<super::sync::Known>,
        report: Box<dyn Fn(PushState) + Send>,
    ) -> Pusher {
        let (kick, kicks) = std::sync::mpsc::channel::<()>();
        let state = Arc::new(Mutex::new(PushState {
            committed,
            error: None,
        }));
        let shared = Arc::clone(&state);
        let handle = std::thread::Builder::new()
            .name("prefer-push".into())
            .spawn(move || {
                push_loop(
                    &target, client, &outbox, &stream, committed, known, &kicks, &shared, &*report,
                )
            })
            .ok();
        Pusher {
            kick: Some(kick),
            handle,
            state,
        }
    }

    /// A line was appended to the outbox: send it.
    pub fn kick(&self) {
        if let Some(k) = &self.kick {
            let _ = k.send(());
        }
    }

    /// A sender that kicks this pusher, for the thread that appends.
    pub fn kicker(&self) -> Option<Sender<()>> {
        self.kick.clone()
    }

    /// Makes the last attempt (when lines wait) and ends the thread; what is committed then.
    pub fn finish(mut self) -> PushState {
        self.stop();
        self.state.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn stop(&mut self) {
        self.kick.take();
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

impl Drop for Pusher {
    fn drop(&mut self) {
        self.stop();
    }
}

#[allow(clippy::too_many_arguments)]
fn push_loop(
    target: &Target,
    mut client: Option<Client>,
    outbox: &Path,
    stream: &str,
    mut committed: u64,
    mut known: Option<super::sync::Known>,
    kicks: &Receiver<()>,
    state: &Mutex<PushState>,
    report: &dyn Fn(PushState),
) {
    let mut backoff: Option<Duration> = None;
    let mut prepared: super::sync::Prepared = None;
    // The start took the outbox as the database holds it without reading it: its hash state
    // is made now, before the first decision comes (a session that ends first stops it; a
    // kick meanwhile is answered after it). An outbox that is not what the database holds
    // goes the whole way at the first send, which refuses it and says why.
    let (mut kicked, mut ended) = (false, false);
    if let Some(k) = known.as_mut() {
        let mut go_on = || match kicks.try_recv() {
            Ok(()) => {
                kicked = true;
                true
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => true,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                ended = true;
                false
            }
        };
        if matches!(k.hash_outbox(outbox, &mut go_on), Ok(Some(false)) | Err(_)) {
            known = None;
        }
    }
    loop {
        let closed = if ended {
            true
        } else if std::mem::take(&mut kicked) {
            false
        } else {
            match backoff {
                None => kicks.recv().is_err(),
                Some(wait) => matches!(
                    kicks.recv_timeout(wait),
                    Err(RecvTimeoutError::Disconnected)
                ),
            }
        };
        // Kicks that came meanwhile are answered by this one attempt.
        let mut closed = closed;
        loop {
            match kicks.try_recv() {
                Ok(()) => {}
                Err(std::sync::mpsc::TryRecvError::Empty) => break,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    closed = true;
                    break;
                }
            }
        }
        // Closed (the session ends): one last attempt below, then the thread ends.
        // What the database is known to hold is not read, checked or hashed again.
        let from = known.as_ref().map_or(0, |k| k.bytes);
        let bytes = match read_from(outbox, from) {
            Ok(b) => b,
            Err(e) => {
                let s = PushState {
                    committed,
                    error: Some(format!("cannot read {}: {e}", outbox.display())),
                };
                set(state, &s);
                report(s);
                backoff = Some(next_backoff(backoff));
                if closed {
                    return;
                }
                continue;
            }
        };
        let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let lines = known.as_ref().map_or(0, |k| k.lines as u64) + lines_in(&bytes[..complete]);
        if lines <= committed && backoff.is_none() {
            if closed {
                return;
            }
            continue;
        }
        let result = (|| -> anyhow::Result<()> {
            if client.as_ref().is_none_or(|c| c.is_closed()) {
                prepared = None;
                client = Some(target.connect()?);
            }
            let c = client.as_mut().expect("connected above");
            // Lines to send before the hash state was made (the session ended meanwhile).
            if let Some(k) = known.as_mut()
                && !matches!(k.hash_outbox(outbox, &mut || true)?, Some(true))
            {
                known = None;
            }
            if let Some(k) = &known {
                known =
                    super::sync::push_tail(target, c, &mut prepared, outbox, stream, k, &bytes)?;
                if known.is_some() {
                    return Ok(());
                }
            }
            // The first send, or the database holds other than what was known (a commit
            // whose answer was lost): the whole outbox, as push sends it.
            let whole = crate::safefs::read(outbox)?;
            super::sync::push_log(target, c, outbox, stream, &whole)?;
            known = Some(super::sync::Known::of(&whole));
            Ok(())
        })();
        let s = match result {
            Ok(()) => {
                committed = known.as_ref().map_or(lines, |k| k.lines as u64);
                backoff = None;
                PushState {
                    committed,
                    error: None,
                }
            }
            Err(e) => {
                client = None;
                prepared = None;
                backoff = Some(next_backoff(backoff));
                PushState {
                    committed,
                    error: Some(target.scrub(&format!("{e:#}"))),
                }
            }
        };
        let ok = s.error.is_none();
        set(state, &s);
        report(s);
        // The hint after the report: a file written and renamed (half a millisecond on a
        // busy disk) is no reason for "saved" to wait.
        if ok {
            write_sent_hint(outbox, committed, known.as_ref());
        }
        if closed {
            return;
        }
    }
}

/// The bytes of the file at `path` from byte `from` on.
fn read_from(path: &Path, from: usize) -> std::io::Result<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(from as u64))?;
    let mut out = Vec::new();
    f.read_to_end(&mut out)?;
    Ok(out)
}

fn next_backoff(b: Option<Duration>) -> Duration {
    b.map_or(FIRST_BACKOFF, |d| (d * 2).min(MAX_BACKOFF))
}

fn set(state: &Mutex<PushState>, s: &PushState) {
    if let Ok(mut g) = state.lock() {
        *g = s.clone();
    }
}

/// The other labelers' logs in the database, for [`crate::labels::OthersReader::feed`]: all
/// of them at the first look, then what each gained, looked for every second by a thread of
/// its own (which waits and tries again while the server cannot be reached).
pub struct PgFeed {
    first: Option<Vec<(PathBuf, Vec<u8>)>>,
    rx: Receiver<(PathBuf, Vec<u8>)>,
    stop: Arc<AtomicBool>,
}

impl PgFeed {
    /// Reads every log but `mine` now when `client` is given (the rest come later when it
    /// is not, or when reading fails: the error is returned beside the feed).
    pub fn start(target: &Target, client: Option<Client>, mine: &str) -> (PgFeed, Option<String>) {
        let mut seen: std::collections::HashMap<String, i64> = Default::default();
        let mut first = Vec::new();
        let mut error = None;
        let mut client = client;
        if let Some(c) = client.as_mut() {
            match read_new(target, c, mine, &mut seen) {
                Ok(logs) => first = logs,
                Err(e) => {
                    error = Some(e.0);
                    seen.clear();
                    first.clear();
                }
            }
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let (t, me, stopped) = (target.clone(), mine.to_string(), Arc::clone(&stop));
        let _ = std::thread::Builder::new()
            .name("prefer-follow".into())
            .spawn(move || {
                let mut backoff = FOLLOW_EVERY;
                while !stopped.load(Ordering::Relaxed) {
                    std::thread::sleep(backoff);
                    if client.as_ref().is_none_or(|c| c.is_closed()) {
                        client = t.connect().ok();
                    }
                    let Some(c) = client.as_mut() else {
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                        continue;
                    };
                    match read_new(&t, c, &me, &mut seen) {
                        Ok(logs) => {
                            backoff = FOLLOW_EVERY;
                            for l in logs {
                                if tx.send(l).is_err() {
                                    return;
                                }
                            }
                        }
                        Err(_) => {
                            client = None;
                            backoff = (backoff * 2).min(MAX_BACKOFF);
                        }
                    }
                }
            });
        (
            PgFeed {
                first: Some(first),
                rx,
                stop,
            },
            error,
        )
    }
}

impl Drop for PgFeed {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl LogFeed for PgFeed {
    fn take(&mut self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = self.first.take().unwrap_or_default();
        out.extend(self.rx.try_iter());
        out
    }
}

/// The lines each stream but `mine` gained beyond `seen` (updated), in the order a folder
/// lists its files.
fn read_new(
    target: &Target,
    client: &mut Client,
    mine: &str,
    seen: &mut std::collections::HashMap<String, i64>,
) -> Result<Vec<(PathBuf, Vec<u8>)>, StoreError> {
    let err = |e| target.error("read the team's decisions", e);
    let mut heads: Vec<(String, i64)> = client
        .query(
            "SELECT stream, lines FROM prefer_streams WHERE stream <> $1",
            &[&mine],
        )
        .map_err(err)?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    heads.sort_by_cached_key(|h| format!("{}.jsonl", h.0));
    let mut out = Vec::new();
    for (stream, lines) in heads {
        let from = seen.get(&stream).copied().unwrap_or(0);
        if lines <= from {
            continue;
        }
        let rows = client
            .query(
                "SELECT line FROM prefer_events WHERE stream = $1 AND seq > $2 AND seq <= $3 ORDER BY seq",
                &[&stream, &from, &lines],
            )
            .map_err(err)?;
        let mut bytes = Vec::new();
        for r in &rows {
            bytes.extend_from_slice(r.get::<_, &str>(0).as_bytes());
            bytes.push(b'\n');
        }
        seen.insert(stream.clone(), lines);
        out.push((
            PathBuf::from(format!("{}#{stream}.jsonl", target.shown())),
            bytes,
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outbox_is_under_the_data_folder_by_database_and_annotator() {
        let t = Target::parse("postgresql://ann:secret@db.example/labels").unwrap();
        let p = outbox_path(Path::new("/home/ann/.local/share/prefer"), &t, "ann");
        let s = p.to_string_lossy();
        assert!(
            s.starts_with("/home/ann/.local/share/prefer/outbox/labels-"),
            "{s}"
        );
        assert!(s.ends_with("/ann.jsonl") && !s.contains("secret"), "{s}");
    }

    #[test]
    fn the_outbox_folder_is_its_owners_alone() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("outbox/db-1/ann.jsonl");
        make_outbox_dir(&p).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(p.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700);
        }
    }

    #[test]
    fn backoff_doubles_up_to_its_ceiling() {
        let mut b = None;
        let mut seen = Vec::new();
        for _ in 0..8 {
            b = Some(next_backoff(b));
            seen.push(b.unwrap());
        }
        assert_eq!(seen[0], FIRST_BACKOFF);
        assert_eq!(seen[1], FIRST_BACKOFF * 2);
        assert_eq!(*seen.last().unwrap(), MAX_BACKOFF);
    }
}
