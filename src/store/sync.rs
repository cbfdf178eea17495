//! Moving a team's logs between a labels folder and a database, exactly: `push` sends the lines
//! of each `<stream>.jsonl` the database does not have yet, `pull` writes the lines a folder
//! does not have yet. Both check that what is already on each side is the same bytes (a log
//! that was rewritten is refused, never merged) and both are no-ops when run again.

use std::io::Write;
use std::path::Path;

use postgres::Client;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::{ToSql, Type};

use super::target::{StoreError, Target};
use crate::labels::LogError;

/// What a push or pull did to one log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub stream: String,
    /// Lines written to the other side (0: it had them all).
    pub lines: u64,
    /// Why nothing was moved though the sides differ, when they do.
    pub note: Option<String>,
}

/// A stream's state in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamHead {
    pub stream: String,
    pub lines: i64,
    pub bytes: i64,
    pub hash: Vec<u8>,
}

/// The stream a log file is: its name without `.jsonl`.
pub fn stream_of(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = name.strip_suffix(".jsonl")?;
    valid_stream(stem).then(|| stem.to_string())
}

/// A stream name that is safe as a file name in a labels folder: not empty, no path
/// separator, no leading dot, no control character.
pub fn valid_stream(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('.')
        && !s.chars().any(|c| c == '/' || c == '\\' || c.is_control())
}

fn hash(bytes: &[u8]) -> Vec<u8> {
    blake3::hash(bytes).as_bytes().to_vec()
}

/// Every stream the database holds, by name.
pub fn heads(target: &Target, client: &mut Client) -> Result<Vec<StreamHead>, StoreError> {
    let rows = client
        .query(
            "SELECT stream, lines, bytes, hash FROM prefer_streams ORDER BY stream",
            &[],
        )
        .map_err(|e| target.error("list the logs", e))?;
    Ok(rows
        .iter()
        .map(|r| StreamHead {
            stream: r.get(0),
            lines: r.get(1),
            bytes: r.get(2),
            hash: r.get(3),
        })
        .collect())
}

/// Sends the folder's logs (`*.jsonl`, symbolic links left out unless its `prefer.toml` follows
/// them) to the database. A log's last line without its newline yet is left for the next push.
pub fn push(dir: &Path, target: &Target, client: &mut Client) -> anyhow::Result<Vec<Moved>> {
    let follow = crate::labels::FolderSettings::load(dir)?.follow_links;
    let found = crate::labels::folder_logs(dir, follow)?;
    let mut out = Vec::new();
    for path in &found.logs {
        let Some(stream) = stream_of(path) else {
            anyhow::bail!(
                "{}: the name cannot be a log's name in the database (empty, hidden or with a control character) - rename the file",
                path.display()
            );
        };
        let bytes = crate::safefs::read(path).map_err(|source| LogError::Io {
            path: path.clone(),
            source,
        })?;
        out.push(push_log(target, client, path, &stream, &bytes)?);
    }
    Ok(out)
}

/// Sends one log's whole lines the database lacks, in one transaction.
pub fn push_log(
    target: &Target,
    client: &mut Client,
    path: &Path,
    stream: &str,
    bytes: &[u8],
) -> anyhow::Result<Moved> {
    let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let bytes = &bytes[..complete];
    // Checked as every reader checks it: a damaged log is not sent.
    let mut columns = Vec::new();
    crate::labels::check_log(path, bytes, |c| columns.push(Columns::of(c)))?;
    let err = |doing: &'static str| move |e: postgres::Error| target.error(doing, e);
    let mut tx = client.transaction().map_err(err("begin"))?;
    tx.execute(
        "INSERT INTO prefer_streams (stream, lines, bytes, hash) VALUES ($1, 0, 0, $2)
         ON CONFLICT (stream) DO NOTHING",
        &[&stream, &hash(b"")],
    )
    .map_err(err("add the log"))?;
    let row = tx
        .query_opt(
            "SELECT lines, bytes, hash, row_security_active('prefer_events') FROM prefer_streams
             WHERE stream = $1 FOR UPDATE",
            &[&stream],
        )
        .map_err(err("lock the log"))?;
    // Per-user roles: the row added above is not this role's to see or lock when the stream
    // is not its own (an insert refused by the policy says so first, a row that was there
    // already is filtered out here).
    let Some(row) = row else {
        anyhow::bail!(
            "{}: lock the log `{stream}`: it is not yours to write - {}",
            target.shown(),
            not_yours(target, stream)
        );
    };
    let (have_lines, have_bytes, have_hash, rls): (i64, i64, Vec<u8>, bool) =
        (row.get(0), row.get(1), row.get(2), row.get(3));
    let have = have_bytes as usize;
    if have > bytes.len() {
        return Ok(Moved {
            stream: stream.to_string(),
            lines: 0,
            note: Some(format!(
                "the database has more of it than {} ({have_lines} lines); bring the folder up to date with: prefer store pull",
                path.display()
            )),
        });
    }
    if hash(&bytes[..have]) != have_hash {
        anyhow::bail!(
            "{}: its first {have_lines} lines differ from what the database holds for `{stream}` - the log was changed after it was pushed; nothing was sent for it (keep a copy of the file and compare it with: prefer store pull URL OTHER_DIR)",
            path.display()
        );
    }
    let mut sent = 0u64;
    if have < bytes.len() {
        let seq;
        (seq, sent) = copy_lines(
            &mut tx, target, path, stream, have_lines, bytes, have, &columns, rls,
        )?;
        tx.execute(
            "UPDATE prefer_streams SET lines = $2, bytes = $3, hash = $4 WHERE stream = $1",
            &[&stream, &seq, &(bytes.len() as i64), &hash(bytes)],
        )
        .map_err(err("record the log's length"))?;
    }
    tx.commit().map_err(err("commit"))?;
    Ok(Moved {
        stream: stream.to_string(),
        lines: sent,
        note: None,
    })
}

/// One line of a log as a row of `prefer_events`.
struct Row<'a> {
    seq: i64,
    line: &'a str,
    columns: Option<&'a Columns>,
    at: Option<std::borrow::Cow<'a, str>>,
}

/// Each line of `bytes` from byte `skip` on (a line's start) as a row, numbered from
/// `seq + 1`, with the columns of their checked events (`columns`, in order, their starts in
/// `bytes`), given to `f` one by one; the last seq.
fn each_row<'a>(
    path: &Path,
    mut seq: i64,
    bytes: &'a [u8],
    skip: usize,
    columns: &'a [Columns],
    mut f: impl FnMut(Row<'a>) -> anyhow::Result<()>,
) -> anyhow::Result<i64> {
    let mut cols = columns.iter().peekable();
    let mut start = 0usize;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let here = start;
        start += line.len();
        let text = &line[..line.len() - 1];
        // The checked event starting on this line, if it is not blank.
        let c = match cols.peek() {
            Some(c) if c.start == here as u64 => cols.next(),
            _ => None,
        };
        if here < skip {
            continue;
        }
        seq += 1;
        let text = std::str::from_utf8(text)
            .map_err(|_| anyhow::anyhow!("{}: line {seq}: not UTF-8 text", path.display()))?;
        f(Row {
            seq,
            line: text,
            columns: c,
            at: c.and_then(|_| at_of(text)),
        })?;
    }
    Ok(seq)
}

impl<'a> Row<'a> {
    fn annotator(&self) -> Option<&'a str> {
        self.columns.map(|c| c.annotator.as_str())
    }
    fn item(&self) -> Option<&'a str> {
        self.columns.map(|c| c.item.as_str())
    }
    fn task(&self) -> Option<&'a str> {
        self.columns.map(|c| c.task)
    }
    fn pair_a(&self) -> Option<&'a str> {
        self.columns
            .and_then(|c| c.pair.as_ref().map(|p| p.0.as_str()))
    }
    fn pair_b(&self) -> Option<&'a str> {
        self.columns
            .and_then(|c| c.pair.as_ref().map(|p| p.1.as_str()))
    }
    fn role(&self) -> Option<&'a str> {
        self.columns.and_then(|c| c.role.as_deref())
    }
}

/// What a role bound by per-user roles is told when it writes another's log.
fn not_yours(target: &Target, stream: &str) -> String {
    let role = target.user().unwrap_or("yours");
    format!(
        "refused by the server: role `{role}` may not write the log `{stream}`: with per-user roles a labeler writes only its own log, `{role}`"
    )
}

/// Rows of `prefer_events` as one array a column (all but `stream`), for an INSERT that
/// `unnest`s them in this order: seq, line, annotator, item, task, pair_a, pair_b, role, at.
struct RowArrays<'a> {
    seqs: Vec<i64>,
    lines: Vec<&'a str>,
    annotators: Vec<Option<&'a str>>,
    items: Vec<Option<&'a str>>,
    tasks: Vec<Option<&'a str>>,
    pair_a: Vec<Option<&'a str>>,
    pair_b: Vec<Option<&'a str>>,
    roles: Vec<Option<&'a str>>,
    ats: Vec<Option<std::borrow::Cow<'a, str>>>,
}

impl<'a> RowArrays<'a> {
    /// The rows [`each_row`] makes of these lines, and the last seq.
    fn of(
        path: &Path,
        seq: i64,
        bytes: &'a [u8],
        skip: usize,
        columns: &'a [Columns],
    ) -> anyhow::Result<(i64, RowArrays<'a>)> {
        let mut a = RowArrays {
            seqs: Vec::new(),
            lines: Vec::new(),
            annotators: Vec::new(),
            items: Vec::new(),
            tasks: Vec::new(),
            pair_a: Vec::new(),
            pair_b: Vec::new(),
            roles: Vec::new(),
            ats: Vec::new(),
        };
        let seq = each_row(path, seq, bytes, skip, columns, |r| {
            a.seqs.push(r.seq);
            a.lines.push(r.line);
            a.annotators.push(r.annotator());
            a.items.push(r.item());
            a.tasks.push(r.task());
            a.pair_a.push(r.pair_a());
            a.pair_b.push(r.pair_b());
            a.roles.push(r.role());
            a.ats.push(r.at);
            Ok(())
        })?;
        Ok((seq, a))
    }

    /// The arrays as statement parameters, in the order above.
    fn params(&self) -> [&(dyn ToSql + Sync); 9] {
        [
            &self.seqs,
            &self.lines,
            &self.annotators,
            &self.items,
            &self.tasks,
            &self.pair_a,
            &self.pair_b,
            &self.roles,
            &self.ats,
        ]
    }
}

/// Sends the lines of `bytes` from byte `skip` on (a line's start), numbered from `seq + 1`,
/// with the columns of their checked events (`columns`, in order, their starts in `bytes`);
/// the last seq and the lines sent. By COPY, or by one INSERT when row-level security binds
/// the role (`rls`: PostgreSQL has no COPY FROM under it).
#[allow(clippy::too_many_arguments)]
fn copy_lines(
    tx: &mut postgres::Transaction<'_>,
    target: &Target,
    path: &Path,
    stream: &str,
    seq: i64,
    bytes: &[u8],
    skip: usize,
    columns: &[Columns],
    rls: bool,
) -> anyhow::Result<(i64, u64)> {
    if rls {
        return insert_lines(tx, target, path, stream, seq, bytes, skip, columns);
    }
    let err = |doing: &'static str| move |e: postgres::Error| target.error(doing, e);
    let copy = tx
        .copy_in(
            "COPY prefer_events (stream, seq, line, annotator, item, task, pair_a, pair_b, role, at) FROM STDIN (FORMAT binary)",
        )
        .map_err(err("send the lines"))?;
    let types = [
        Type::TEXT,
        Type::INT8,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
        Type::TEXT,
    ];
    let mut w = BinaryCopyInWriter::new(copy, &types);
    let mut sent = 0u64;
    let seq = each_row(path, seq, bytes, skip, columns, |r| {
        sent += 1;
        w.write(&[
            &stream,
            &r.seq,
            &r.line,
            &r.annotator(),
            &r.item(),
            &r.task(),
            &r.pair_a(),
            &r.pair_b(),
            &r.role(),
            &r.at.as_deref(),
        ])
        .map_err(err("send the lines"))?;
        Ok(())
    })?;
    w.finish().map_err(err("send the lines"))?;
    Ok((seq, sent))
}

/// [`copy_lines`] by one INSERT of arrays, for a role bound by row-level security (whose
/// policies check each row).
#[allow(clippy::too_many_arguments)]
fn insert_lines(
    tx: &mut postgres::Transaction<'_>,
    target: &Target,
    path: &Path,
    stream: &str,
    seq: i64,
    bytes: &[u8],
    skip: usize,
    columns: &[Columns],
) -> anyhow::Result<(i64, u64)> {
    let (seq, rows) = RowArrays::of(path, seq, bytes, skip, columns)?;
    tx.execute(
        "INSERT INTO prefer_events (stream, seq, line, annotator, item, task, pair_a, pair_b, role, at)
         SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
             $7::text[], $8::text[], $9::text[], $10::text[])",
        &[&[&stream as &(dyn ToSql + Sync)][..], &rows.params()].concat(),
    )
    .map_err(|e| target.error("send the lines", e))?;
    Ok((seq, rows.seqs.len() as u64))
}

/// What a sender knows the database holds of a log it sends: the first `bytes` bytes
/// (`lines` lines) and the hash state of them, so the next send checks and hashes only the
/// new lines.
#[derive(Clone)]
pub struct Known {
    pub bytes: usize,
    pub lines: i64,
    hasher: blake3::Hasher,
    /// The database's hash of those bytes while the hash state is not made yet (see
    /// [`Known::unhashed`]).
    unhashed: Option<Vec<u8>>,
}

impl Known {
    /// True when the database's record of the stream (`lines`, `bytes`, `hash`) is this.
    pub fn is(&self, lines: i64, bytes: i64, hash: &[u8]) -> bool {
        self.lines == lines && self.bytes as i64 == bytes && self.hash() == hash
    }

    /// The hash of the bytes known.
    pub fn hash(&self) -> Vec<u8> {
        match &self.unhashed {
            Some(h) => h.clone(),
            None => self.hasher.finalize().as_bytes().to_vec(),
        }
    }

    /// The whole lines of `bytes`, as the database holds them after they were sent.
    pub fn of(bytes: &[u8]) -> Known {
        let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let mut hasher = blake3::Hasher::new();
        hasher.update(&bytes[..complete]);
        Known {
            bytes: complete,
            lines: bytes[..complete].iter().filter(|&&b| b == b'\n').count() as i64,
            hasher,
            unhashed: None,
        }
    }

    /// The database's record of a log (its first `bytes` bytes, `lines` lines, and their
    /// `hash`) taken as what the outbox begins with, its hash state made later by
    /// [`Known::hash_outbox`] before anything is sent.
    pub fn unhashed(bytes: usize, lines: i64, hash: Vec<u8>) -> Known {
        Known {
            bytes,
            lines,
            hasher: blake3::Hasher::new(),
            unhashed: Some(hash),
        }
    }

    /// Whether the hash state is still to be made ([`Known::unhashed`]).
    pub fn is_unhashed(&self) -> bool {
        self.unhashed.is_some()
    }

    /// Makes the hash state from the outbox's first `bytes` bytes, read a piece at a time,
    /// asking `go_on` between pieces: `Some(true)` when they hash to the database's hash;
    /// `Some(false)` when they do not (the outbox changed), nothing made then; `None` when
    /// `go_on` said stop (still unhashed).
    pub fn hash_outbox(
        &mut self,
        outbox: &Path,
        go_on: &mut dyn FnMut() -> bool,
    ) -> std::io::Result<Option<bool>> {
        use std::io::Read;
        let Some(want) = &self.unhashed else {
            return Ok(Some(true));
        };
        let mut file = crate::safefs::open_read(outbox)?;
        let mut hasher = blake3::Hasher::new();
        let mut piece = vec![0u8; 8 << 20];
        let mut left = self.bytes;
        while left > 0 {
            if !go_on() {
                return Ok(None);
            }
            let n = file.read(&mut piece[..left.min(8 << 20)])?;
            if n == 0 {
                return Ok(Some(false));
            }
            hasher.update(&piece[..n]);
            left -= n;
        }
        if hasher.finalize().as_bytes() != want.as_slice() {
            return Ok(Some(false));
        }
        self.hasher = hasher;
        self.unhashed = None;
        Ok(Some(true))
    }
}

/// Appends lines to a stream and records its new length and hash in one statement, so in one
/// transaction without a `BEGIN` and a `COMMIT` of its own: only when the stream holds what the
/// sender knows (else nothing is inserted). One round trip to the server once prepared: the
/// time a labeler waits for "saved".
const APPEND: &str = "WITH s AS (
        UPDATE prefer_streams SET lines = $5, bytes = $6, hash = $7
        WHERE stream = $1 AND lines = $2 AND bytes = $3 AND hash = $4
        RETURNING stream)
    INSERT INTO prefer_events (stream, seq, line, annotator, item, task, pair_a, pair_b, role, at)
    SELECT s.stream, r.* FROM s,
        unnest($8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
               $14::text[], $15::text[], $16::text[]) AS r";

/// The statement [`push_tail`] sends, prepared once on a connection: dropped with it.
pub type Prepared = Option<postgres::Statement>;

/// Sends the whole lines of `tail`, the bytes of the log after what `known` covers, in one
/// transaction, when the database holds exactly what `known` says; what it then holds.
/// `None` when the database holds something else (a send whose commit was not seen, another
/// sender): then [`push_log`] of the whole log sorts it out. `prepared` keeps the statement
/// for the next send on the same connection.
pub fn push_tail(
    target: &Target,
    client: &mut Client,
    prepared: &mut Prepared,
    path: &Path,
    stream: &str,
    known: &Known,
    tail: &[u8],
) -> anyhow::Result<Option<Known>> {
    let complete = tail.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let tail = &tail[..complete];
    if tail.is_empty() {
        return Ok(Some(known.clone()));
    }
    let mut columns = Vec::new();
    crate::labels::check_log(path, tail, |c| columns.push(Columns::of(c)))?;
    let err = |doing: &'static str| move |e: postgres::Error| target.error(doing, e);
    let (seq, rows) = RowArrays::of(path, known.lines, tail, 0, &columns)?;
    debug_assert!(
        !known.is_unhashed(),
        "push_tail before the hash state was made"
    );
    let mut hasher = known.hasher.clone();
    hasher.update(tail);
    let now = known.bytes + tail.len();
    let statement = match prepared {
        Some(s) => s.clone(),
        None => prepared
            .insert(client.prepare(APPEND).map_err(err("send the lines"))?)
            .clone(),
    };
    let inserted = client
        .execute(
            &statement,
            &[
                &[
                    &stream as &(dyn ToSql + Sync),
                    &known.lines,
                    &(known.bytes as i64),
                    &known.hasher.finalize().as_bytes().to_vec(),
                    &seq,
                    &(now as i64),
                    &hasher.finalize().as_bytes().to_vec(),
                ][..],
                &rows.params(),
            ]
            .concat(),
        )
        .map_err(err("send the lines"))?;
    if inserted == 0 {
        return Ok(None);
    }
    Ok(Some(Known {
        bytes: now,
        lines: seq,
        hasher,
        unhashed: None,
    }))
}

/// The `at` of a checked event's line.
fn at_of(line: &str) -> Option<std::borrow::Cow<'_, str>> {
    #[derive(serde::Deserialize)]
    struct At<'a> {
        #[serde(borrow, default)]
        at: Option<std::borrow::Cow<'a, str>>,
    }
    serde_json::from_str::<At<'_>>(line).ok()?.at
}

/// The columns of one checked event.
struct Columns {
    start: u64,
    annotator: String,
    item: String,
    task: &'static str,
    pair: Option<(String, String)>,
    role: Option<String>,
}

impl Columns {
    fn of(c: &crate::labels::Checked<'_>) -> Columns {
        let b = &c.brief;
        Columns {
            start: b.start,
            annotator: c.annotator.to_string(),
            item: b.item.to_string(),
            task: b.kind.name(),
            pair: b.pair.map(|(l, r)| {
                let (l, r) = if l <= r { (l, r) } else { (r, l) };
                (l.to_string(), r.to_string())
            }),
            role: c.role.map(str::to_string),
        }
    }
}

/// Every line of a stream, each with its newline: the bytes its folder log holds.
pub fn read_stream(
    target: &Target,
    client: &mut Client,
    stream: &str,
    size_hint: usize,
) -> Result<Vec<u8>, StoreError> {
    use std::io::Read;
    let q = format!(
        "COPY (SELECT line FROM prefer_events WHERE stream = {} ORDER BY seq) TO STDOUT (FORMAT binary)",
        quote_literal(stream)
    );
    let mut raw = Vec::with_capacity(size_hint + size_hint / 8 + 64);
    let doing = format!("read the log `{stream}`");
    client
        .copy_out(&q)
        .map_err(|e| target.error(&doing, e))?
        .read_to_end(&mut raw)
        .map_err(|e| target.error(&doing, e))?;
    lines_of_binary_copy(&raw).map_err(|what| {
        StoreError(format!(
            "{}: reading the log `{stream}`: {what}",
            target.shown()
        ))
    })
}

/// A SQL string literal.
fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The single text column of a binary COPY, each value followed by a newline.
fn lines_of_binary_copy(raw: &[u8]) -> Result<Vec<u8>, &'static str> {
    const SIGNATURE: &[u8] = b"PGCOPY\n\xff\r\n\0";
    let rest = raw.strip_prefix(SIGNATURE).ok_or("not a binary COPY")?;
    let u32_at = |b: &[u8], i: usize| -> Result<u32, &'static str> {
        b.get(i..i + 4)
            .map(|x| u32::from_be_bytes([x[0], x[1], x[2], x[3]]))
            .ok_or("cut short")
    };
    let ext = u32_at(rest, 4)? as usize;
    let mut i = 8 + ext;
    let mut out = Vec::with_capacity(raw.len());
    loop {
        let fields = rest.get(i..i + 2).ok_or("cut short")?;
        let fields = i16::from_be_bytes([fields[0], fields[1]]);
        i += 2;
        if fields == -1 {
            return Ok(out);
        }
        if fields != 1 {
            return Err("unexpected column count");
        }
        let len = u32_at(rest, i)? as i32;
        i += 4;
        if len < 0 {
            return Err("a NULL line");
        }
        let value = rest.get(i..i + len as usize).ok_or("cut short")?;
        out.extend_from_slice(value);
        out.push(b'\n');
        i += len as usize;
    }
}

/// Writes the database's logs into `dir` (created when missing): a new log is written whole,
/// one the folder has a beginning of gets the rest appended (fsynced either way). A folder's
/// log that differs from the database's, or has lines it lacks, is left alone and named.
pub fn pull(target: &Target, client: &mut Client, dir: &Path) -> anyhow::Result<Vec<Moved>> {
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    let mut out = Vec::new();
    for head in heads(target, client)? {
        if !valid_stream(&head.stream) {
            anyhow::bail!(
                "{}: the database has a log named {:?}, which cannot be a file name - rename it in the database",
                target.shown(),
                head.stream
            );
        }
        let path = dir.join(format!("{}.jsonl", head.stream));
        let local = match crate::safefs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => anyhow::bail!("{}: {e}", path.display()),
        };
        let n = local.len();
        let db = head.bytes as usize;
        if n == db && hash(&local) == head.hash {
            out.push(Moved {
                stream: head.stream,
                lines: 0,
                note: None,
            });
            continue;
        }
        if n > db {
            let note = if hash(&local[..db]) == head.hash {
                "the folder has lines the database lacks; send them with: prefer store push"
                    .to_string()
            } else {
                anyhow::bail!("{}", differs(&path, &head.stream));
            };
            out.push(Moved {
                stream: head.stream,
                lines: 0,
                note: Some(note),
            });
            continue;
        }
        let bytes = read_stream(target, client, &head.stream, db)?;
        if bytes.len() != db || hash(&bytes) != head.hash {
            anyhow::bail!(
                "{}: the log `{}` changed while it was read - run the pull again",
                target.shown(),
                head.stream
            );
        }
        if bytes[..n] != local[..] {
            anyhow::bail!("{}", differs(&path, &head.stream));
        }
        let rest = &bytes[n..];
        let mut f = crate::safefs::open_append(&path)?;
        f.write_all(rest)
            .and_then(|()| f.sync_all())
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        if n == 0 {
            sync_dir(dir);
        }
        out.push(Moved {
            stream: head.stream,
            lines: rest.iter().filter(|&&b| b == b'\n').count() as u64,
            note: None,
        });
    }
    Ok(out)
}

fn differs(path: &Path, stream: &str) -> String {
    format!(
        "{}: differs from the database's log `{stream}` - it was changed on one side; left as it is (pull into an empty folder to compare)",
        path.display()
    )
}

fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_names_are_safe_file_names() {
        assert_eq!(
            stream_of(Path::new("/x/alice.jsonl")).as_deref(),
            Some("alice")
        );
        assert_eq!(stream_of(Path::new("/x/.hidden.jsonl")), None);
        assert_eq!(stream_of(Path::new("/x/notes.txt")), None);
        assert!(!valid_stream("../etc/passwd"));
        assert!(!valid_stream("a\nb"));
        assert!(valid_stream("Zoë Müller"));
    }

    #[test]
    fn a_binary_copy_becomes_lines() {
        let mut raw = b"PGCOPY\n\xff\r\n\0".to_vec();
        raw.extend(0u32.to_be_bytes());
        raw.extend(0u32.to_be_bytes());
        for v in ["{\"a\":1}", "", "é"] {
            raw.extend(1i16.to_be_bytes());
            raw.extend((v.len() as u32).to_be_bytes());
            raw.extend(v.as_bytes());
        }
        raw.extend((-1i16).to_be_bytes());
        assert_eq!(
            lines_of_binary_copy(&raw).unwrap(),
            "{\"a\":1}\n\né\n".as_bytes()
        );
        assert!(lines_of_binary_copy(&raw[..raw.len() - 3]).is_err());
    }
}
