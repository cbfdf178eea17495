//! A labeling or review session from start to summary: read the files it needs, [`resolve`]
//! what to do (pure: settings, task file, key map, annotator, folders, overlap, mode), open
//! (candidate file, the team's logs, the labeler's own log), run the screen, and summarise.

use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};

use crate::cli::{LabelArgs, ReviewArgs};
use crate::config::{Settings, Theme};
use crate::folder_settings::{self, OverlapChoice};
use crate::format::{self, ItemSource, LoadError};
use crate::labels::{
    Event, FolderSettings, LabelLog, LockedLog, OpenedDecisions, OthersAtStart, OthersReader,
    ReadProgress, Role, TaskKind, labels_dir, mode_warning,
};
use crate::rating_scale;
use crate::taskfile::TaskSpec;
use crate::text::{plural, sanitize, shell_quote};

use super::keymap::KeyMap;
use super::model::{Model, Setup};
use super::review::Filter;

/// What `prefer label` or `prefer review` asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionArgs {
    pub file: PathBuf,
    pub mode: Option<TaskKind>,
    /// `--mode sort` (`mode` is then rank).
    pub sort: bool,
    pub annotator: Option<String>,
    pub labels_dir: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub overlap: Option<u32>,
    pub no_shuffle: bool,
    pub scale: Option<u32>,
    pub task: Option<PathBuf>,
    /// `--store URL` (or `PREFER_STORE`): the team's labels are in this database.
    pub store: Option<String>,
    /// `prefer review`: what it adds to a labeling session.
    pub review: Option<ReviewSpec>,
}

/// What `prefer review` adds to a labeling session.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewSpec {
    pub filter: Filter,
    /// `--gold FILE`: gold answers, for the `misses:NAME` filter.
    pub gold: Option<PathBuf>,
    /// Logs named on the command line (else the labels folder's).
    pub logs: Vec<PathBuf>,
}

impl From<&LabelArgs> for SessionArgs {
    fn from(a: &LabelArgs) -> Self {
        SessionArgs {
            file: a.file.clone(),
            mode: a.mode.map(Into::into),
            sort: a.mode == Some(crate::cli::ModeArg::Sort),
            annotator: a.annotator.clone(),
            labels_dir: a.labels_dir.clone(),
            out: a.out.clone(),
            overlap: a.overlap,
            no_shuffle: a.no_shuffle,
            scale: a.scale,
            task: a.task.clone(),
            store: a.store.clone(),
            review: None,
        }
    }
}

impl SessionArgs {
    /// `prefer review`'s arguments: file order, no task file, the filter checked.
    pub fn review(a: &ReviewArgs) -> anyhow::Result<Self> {
        let filter = Filter::parse(&a.filter).map_err(|e| anyhow::anyhow!("--filter: {e}"))?;
        Ok(SessionArgs {
            file: a.file.clone(),
            mode: a.mode.map(Into::into),
            sort: false,
            annotator: a.annotator.clone(),
            labels_dir: a.labels_dir.clone(),
            out: a.out.clone(),
            overlap: None,
            no_shuffle: true,
            scale: a.scale,
            task: None,
            store: a.store.clone(),
            review: Some(ReviewSpec {
                filter,
                gold: a.gold.clone(),
                logs: a.logs.clone(),
            }),
        })
    }
}

/// The environment a session looks at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Env {
    /// `$PREFER_ANNOTATOR`.
    pub prefer_annotator: Option<String>,
    /// `$USER`.
    pub user: Option<String>,
    /// `$NO_COLOR` is set and not empty.
    pub no_color: bool,
    /// The user's data folder (`directories`): where a store's outbox is kept.
    pub data_dir: Option<PathBuf>,
}

impl Env {
    /// This process's environment.
    pub fn from_process() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|s| !s.is_empty());
        Env {
            prefer_annotator: var("PREFER_ANNOTATOR"),
            user: var("USER"),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v: OsString| !v.is_empty()),
            data_dir: directories::ProjectDirs::from("", "", "prefer")
                .map(|d| d.data_dir().to_path_buf()),
        }
    }
}

/// The files a session's set-up reads, read: what [`resolve`] decides from.
#[derive(Debug, Clone)]
pub struct Files {
    pub settings: Settings,
    /// The key map the settings file asks for (checked as soon as the settings are read).
    pub keymap: KeyMap,
    /// The task file (`TaskSpec::default()` without one).
    pub spec: TaskSpec,
    /// `<labels dir>/prefer.toml`: the overlap, and whether links to logs are read.
    pub folder: FolderSettings,
}

impl Files {
    /// Reads the settings, the task file and the labels folder's settings, in that order.
    pub fn read(args: &SessionArgs) -> anyhow::Result<Files> {
        let settings = Settings::load()?;
        let keymap = KeyMap::from_settings(&settings)?;
        let spec = match &args.task {
            Some(p) => TaskSpec::load(p)?,
            None => TaskSpec::default(),
        };
        let folder = FolderSettings::load(&labels_folder(args))?;
        Ok(Files {
            settings,
            keymap,
            spec,
            folder,
        })
    }
}

/// Everything a session needs decided before it opens anything.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Said at the end: the folder's `prefer.toml` names a database, and labeling writes to
    /// the folder (the database gets the decisions by `prefer store push`).
    pub store_note: Option<String>,
    /// The database that keeps the team's labels (`--store`, `PREFER_STORE`, or the folder's
    /// `store =`): `log_path` is then this labeler's outbox, sent to it.
    pub store: Option<crate::store::Target>,
    pub args: SessionArgs,
    pub annotator: String,
    /// The labels folder: the team's logs.
    pub dir: PathBuf,
    /// This labeler's log.
    pub log_path: PathBuf,
    pub overlap: usize,
    /// The first `--overlap` for this labels folder: written to its `prefer.toml` on open.
    pub store_overlap: bool,
    /// `None`: the data decides (see [`decide_mode`]).
    pub mode: Option<TaskKind>,
    /// Rate mode's scale; [`open`] makes it the scale of the log's ratings when none was
    /// asked for.
    pub scale: u32,
    /// `--scale`, or the task file's scale.
    pub scale_asked: Option<u32>,
    pub shuffle: bool,
    pub theme: Theme,
    pub keymap: KeyMap,
    pub spec: TaskSpec,
    /// Read the team's logs that are symbolic links (the folder's `follow_links`).
    pub follow_links: bool,
    /// Decision keys within this many ms of a new task appearing are ignored (0: off).
    pub typeahead_guard_ms: u64,
}

/// Decides a session from its arguments, the environment and the files read, without a
/// terminal or any other I/O. Mode: `--mode`, then (labeling only) the task file's, then the
/// settings'. Annotator: `--annotator`, `$PREFER_ANNOTATOR`, the settings', `$USER`. Overlap:
/// `--overlap`, the folder's `prefer.toml`, the task file's.
pub fn resolve(args: &SessionArgs, env: &Env, files: Files) -> anyhow::Result<SessionConfig> {
    let Files {
        settings,
        keymap,
        spec,
        folder,
    } = files;
    let keymap = keymap.with_flags(&spec.flags)?;
    let theme = if env.no_color {
        Theme::Monochrome
    } else {
        settings.theme
    };
    let annotator = annotator_name(
        args.annotator.as_deref(),
        env,
        settings.annotator.as_deref(),
    )?;
    let dir = labels_folder(args);
    // With a store the log is an outbox under the user's data folder (review too, unless it
    // was given the logs to read).
    let named_logs = args.review.as_ref().is_some_and(|r| !r.logs.is_empty());
    let store = match args.store.as_ref().or(folder.store.as_ref()) {
        Some(url) if !named_logs => Some(crate::store::Target::parse(url)?),
        _ => None,
    };
    let log_path = match (&args.out, &store) {
        (Some(out), _) => out.clone(),
        (None, Some(t)) => {
            let Some(data) = &env.data_dir else {
                bail!(
                    "no data folder for the outbox of {} (HOME is not set) - set HOME, or name the outbox with --out FILE",
                    t.shown()
                );
            };
            crate::store::label::outbox_path(data, t, &annotator)
        }
        (None, None) => dir.join(format!("{annotator}.jsonl")),
    };
    let (overlap, store_overlap) = match folder_settings::resolve_overlap(
        args.overlap.map(|k| k as usize),
        folder.overlap,
        spec.overlap as usize,
        &dir,
    )? {
        OverlapChoice::Use(k) => (k, false),
        OverlapChoice::Store(k) => (k, true),
    };
    let name = |m: TaskKind, sort: bool| if sort { "sort" } else { m.name() };
    if let (Some(asked), Some(file_mode), Some(task), None) =
        (args.mode, spec.mode, &args.task, &args.review)
        && (asked != file_mode || args.sort != spec.sort)
    {
        let asked = name(asked, args.sort);
        anyhow::bail!(
            "--mode {asked} but the task file {} is for mode = \"{}\" (its options would not apply) - leave out --mode, or give a task file made for {asked} mode",
            task.display(),
            name(file_mode, spec.sort),
        );
    }
    let mut spec = spec;
    // Sort is the labeling screen's way to reach a ranking; review shows rankings as rankings.
    spec.sort = args.review.is_none()
        && match args.mode {
            Some(_) => args.sort,
            None => spec.sort,
        };
    let mode = match (args.mode, &args.review) {
        (Some(m), _) => Some(m),
        (None, Some(_)) => None,
        (None, None) => spec.mode.or(settings.mode),
    };
    let scale_asked = args
        .scale
        .or(args.task.is_some().then_some(spec.rate.scale));
    let scale = scale_asked.unwrap_or(rating_scale::DEFAULT);
    // The task file's, then the labeler's own setting, then the default.
    let typeahead_guard_ms = spec
        .typeahead_guard_ms
        .or(settings.typeahead_guard_ms)
        .unwrap_or(super::clock::DEFAULT_TYPEAHEAD_GUARD_MS);
    // With a store, the overlap is not written into a labels folder it does not use.
    let store_overlap = store_overlap && store.is_none();
    let store_note = folder.store.as_deref().filter(|_| store.is_none()).map(|url| {
        format!(
            "this labels folder's prefer.toml keeps the team's labels in {}, but a review of the logs named writes to the folder's: send them with `prefer store push {} URL`",
            crate::store::redact(url),
            shell_quote(&dir.to_string_lossy())
        )
    });
    Ok(SessionConfig {
        store_note,
        store,
        typeahead_guard_ms,
        args: args.clone(),
        annotator,
        dir,
        log_path,
        overlap,
        store_overlap,
        mode,
        scale,
        scale_asked,
        shuffle: !args.no_shuffle && spec.shuffle,
        theme,
        keymap,
        spec,
        follow_links: folder.follow_links,
    })
}

/// The mode when nothing named one: review takes the kind most of the team's decisions are;
/// labeling takes pair when every item (checked so far, for a big file) has two candidates,
/// else rank.
pub fn decide_mode(
    chosen: Option<TaskKind>,
    review: bool,
    others: &OthersAtStart,
    all_two: bool,
) -> TaskKind {
    match chosen {
        Some(m) => m,
        None if review => others.most_common_kind(),
        None if all_two => TaskKind::Pair,
        None => TaskKind::Rank,
    }
}

/// The labels folder: `--labels-dir`, else the folder of `--out`, else `<file stem>.labels/`
/// beside the candidate file.
pub fn labels_folder(args: &SessionArgs) -> PathBuf {
    args.labels_dir
        .clone()
        .or_else(|| {
            args.out
                .as_ref()
                .and_then(|o| o.parent().map(Path::to_path_buf))
        })
        .unwrap_or_else(|| labels_dir(&args.file))
}

/// `--annotator`, else `$PREFER_ANNOTATOR`, else the settings file's, else `$USER`; it names
/// a file, so it is checked.
pub fn annotator_name(
    given: Option<&str>,
    env: &Env,
    settings: Option<&str>,
) -> anyhow::Result<String> {
    let name = given
        .map(str::to_string)
        .or_else(|| env.prefer_annotator.clone())
        .or_else(|| settings.map(str::to_string))
        .or_else(|| env.user.clone());
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

/// The candidate file, or `None` after printing its problems when it is invalid.
pub fn open_source(file: &Path) -> anyhow::Result<Option<Arc<dyn ItemSource>>> {
    match format::open(file) {
        Ok(d) => Ok(Some(d)),
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
                    file.display(),
                    problems.len(),
                    plural(problems.len()),
                    shell_quote(&file.to_string_lossy())
                ))
            );
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// A session opened: the model ready for its first frame, the labeler's log locked, the
/// team's logs being followed.
pub struct Opened {
    pub config: SessionConfig,
    pub model: Model,
    pub log: LabelLog,
    pub others: OthersReader,
    /// Said in the status line and again on exit.
    pub notes: Vec<String>,
    /// What the team's logs held at the start: taken in by [`start`].
    pub first: OthersAtStart,
    /// Open the guidelines by themselves (a task file with guidelines, nothing logged yet).
    pub show_guidelines: bool,
    /// With a store: the connection the start made, for sending the outbox, and what the
    /// database holds of it.
    pub store_client: Option<postgres::Client>,
    pub store_known: Option<crate::store::sync::Known>,
}

/// Puts the first screen in place, once the model knows the terminal's size: the notes in the
/// status line, the team's decisions taken in, the guidelines or the review list, and the first
/// open task.
pub fn start(
    model: &mut Model,
    notes: &[String],
    first: OthersAtStart,
    show_guidelines: bool,
    review: Option<&ReviewSpec>,
) {
    if !notes.is_empty() {
        model.status = Some(notes.join("; "));
    }
    model.add_others(first);
    if show_guidelines {
        model.overlay = super::model::Overlay::Guidelines;
    }
    match review {
        Some(r) => {
            // A filter that keeps the file's order starts at its first task the checking has
            // brought; the others wait for the whole file.
            super::update::start_review(model, r.filter.clone());
            crate::trace::mark("review list built");
        }
        None => {
            let at = resume_task(model);
            model.go_to(at);
        }
    }
}

/// Where a labeling session resumes, once the history is in (the labeler's own decisions and
/// the team's): the first task open for this labeler from the one the model opened at (its
/// first undecided), or that one when none is open. The one place the resume rule lives.
///
/// A big file is still being checked: when no task known yet is open (the team has filled
/// the first thousands), this waits for the checking to bring more tasks and looks among
/// them, rather than settle on a task that is not open.
///
/// With a store, the tasks the database hands out decide ([`super::update::handed::begin`]):
/// none are handed yet, so nothing is waited for.
pub fn resume_task(model: &mut Model) -> usize {
    if model.handed.is_some() {
        return model.current;
    }
    if let Some(i) = model.first_open_from(model.current) {
        return i;
    }
    let mut known = model.tasks.len();
    while model.take_more_tasks() {
        let now = model.tasks.len();
        if let Some(i) = model.first_open_in(known..now) {
            return i;
        }
        known = now;
    }
    model.current
}

/// What the screen shows while the history is read: the file, the mode, the annotator.
pub fn waiting(config: &SessionConfig) -> super::waiting::Waiting {
    let review = config.args.review.is_some();
    super::waiting::Waiting {
        file_label: file_label(&config.args.file),
        mode: match (config.mode, review) {
            (Some(_), false) if config.spec.sort => "sort".to_string(),
            (Some(m), false) => m.name().to_string(),
            (Some(m), true) => format!("review {}", m.name()),
            (None, true) => "review".into(),
            (None, false) => "label".into(),
        },
        review,
        annotator: config.annotator.clone(),
        keymap: config.keymap.clone(),
        help_mode: config.mode.unwrap_or(TaskKind::Rank),
        scale: config.scale,
        show_help: false,
        status: None,
    }
}

/// The candidate file's name, for the header.
fn file_label(file: &Path) -> String {
    file.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A session's history, read: the team's logs and the labeler's own (locked, repaired,
/// replayed). The slow part of a start: [`read_history`] runs on a thread of its own while
/// the first frame shows its progress.
pub struct History {
    pub others: OthersReader,
    /// What the team's logs held at the start.
    pub first: OthersAtStart,
    /// The labeler's own log, locked, and its standing decisions.
    pub own: OpenedDecisions,
    /// What the shared folder's set-up and logs show (said once, at the start).
    pub team_notes: Vec<String>,
    /// With a store: how the outbox and the database stand at the start.
    pub store: Option<StoreStart>,
}

/// How a labeler's outbox and the database stood at the start of a session with a store.
pub struct StoreStart {
    /// The connection the start used, for sending (none when the server was unreachable).
    pub client: Option<postgres::Client>,
    /// The outbox's whole lines, and how many of them the database has.
    pub outbox: u64,
    pub committed: u64,
    /// What the database holds of the outbox, for the sending thread.
    pub known: Option<crate::store::sync::Known>,
    /// Why the server could not be reached, when it could not.
    pub offline: Option<String>,
    /// The note that the candidate file's tasks were checked against the database's, when
    /// neither has changed since: the start then skips the check.
    pub checked: Option<crate::store::checked::Stamp>,
    /// Without a note (a first start on this machine): the database's record of a check of
    /// a file with these bytes against its tasks as they are, found before the logs are read
    /// so that nothing waits for the file's checking.
    pub recorded: Option<crate::store::assign::Loaded>,
}

/// Before the outbox is locked: its folder made, readable by its owner only (not a folder
/// named with `--out`).
pub fn prepare_outbox(config: &SessionConfig) -> anyhow::Result<()> {
    if config.store.is_some() && config.args.out.is_none() {
        crate::store::label::make_outbox_dir(&config.log_path).with_context(|| {
            format!(
                "cannot make the outbox's folder for {}",
                config.log_path.display()
            )
        })?;
    }
    Ok(())
}

/// With a store: brings the outbox and the database together (the outbox's lines the
/// database lacks are sent first), and follows the team's logs in the database. A server that
/// cannot be reached is said and labeling goes on; a newer schema or an outbox that differs
/// from the database stops the start.
fn open_store(
    config: &SessionConfig,
    target: &crate::store::Target,
) -> anyhow::Result<(OthersReader, StoreStart)> {
    use crate::store::label::{self, PgFeed, StartError};
    let t = target.clone().with_connect_timeout(label::CONNECT_TIMEOUT);
    let stream = &config.annotator;
    let (mut client, committed, known, offline) = match label::start(&t, &config.log_path, stream) {
        Ok(s) => (Some(s.client), s.committed, s.known, None),
        Err(StartError::Offline(e)) => {
            (None, label::read_sent_hint(&config.log_path), None, Some(e))
        }
        Err(StartError::Refused(e)) => bail!("{e}"),
    };
    crate::trace::mark("outbox and database brought together");
    let checked = match (&mut client, &config.args.review) {
        (Some(c), None) => {
            crate::store::checked::Stamp::read(&t, c, &config.log_path, &config.args.file)
                .ok()
                .flatten()
        }
        _ => None,
    };
    crate::trace::mark("note of the tasks' last check read");
    // No note: the database may record a check of these bytes (when the mode is known
    // before the logs are read; otherwise it is looked up after them).
    let recorded = match (&mut client, &checked, config.mode, &config.args.review) {
        (Some(c), None, Some(mode), None) => {
            let tasks = crate::store::checked::tasks_key(mode, &config.spec);
            let found = crate::store::checked::content_hash(&config.args.file).and_then(|hash| {
                crate::trace::mark("the candidate file's bytes hashed");
                crate::store::checked::recorded(&t, c, &hash, &tasks, config.args.overlap)
                    .ok()
                    .flatten()
            });
            crate::trace::mark("the database's record of the tasks' check looked up");
            found
        }
        _ => None,
    };
    let feed_client = client.as_ref().and_then(|_| t.connect().ok());
    let (feed, _) = PgFeed::start(&t, feed_client, stream);
    crate::trace::mark("team's decisions followed in the database");
    Ok((
        OthersReader::feed(Box::new(feed)),
        StoreStart {
            client,
            outbox: 0,
            committed,
            known,
            offline,
            checked,
            recorded,
        },
    ))
}

/// Reads the team's logs, then the labeler's own (locked by [`LabelLog::lock`] beforehand, so
/// a log in use is refused at once): repaired and replayed, counting in `progress` how far it
/// has come.
pub fn read_history(
    config: &SessionConfig,
    own: LockedLog,
    progress: &ReadProgress,
) -> anyhow::Result<History> {
    let review = config.args.review.as_ref();
    let own_size = std::fs::metadata(&config.log_path).map_or(0, |m| m.len());
    progress.expect(1, own_size);
    let mut store = None;
    let mut others = match (review, &config.store) {
        (_, Some(t)) => {
            let (others, start) = open_store(config, t)?;
            store = Some(start);
            others
        }
        (Some(r), None) if !r.logs.is_empty() => OthersReader::files(&r.logs, &config.log_path),
        _ => OthersReader::new(&config.dir, &config.log_path).follow_links(config.follow_links),
    }
    .with_replay_cache(crate::labels::ReplayCache::default_place())
    .defer_untouched(review.is_none());
    // The team's counts are taken in while the logs are read when the session's kind is known
    // already (review's and an unnamed mode are decided from what the logs hold).
    let count = config.mode.filter(|_| review.is_none());
    let first = others.read_all_counted(progress, count);
    crate::trace::mark("the team's logs read");
    // What a shared folder's set-up and logs show: said once, at the start.
    let mut team_notes: Vec<String> = match &store {
        Some(_) => Vec::new(),
        None => mode_warning(&config.dir).into_iter().collect(),
    };
    if let (Some(s), Some(t)) = (&store, &config.store)
        && let Some(why) = &s.offline
    {
        team_notes.push(format!(
            "{} cannot be reached now ({why}); your decisions are saved here, in {}, and sent when it is back",
            t.shown(),
            config.log_path.display()
        ));
    }
    team_notes.extend(match review {
        Some(_) => first.writers.findings(),
        None => first.writers.link_findings(),
    });
    if review.is_some() && first.count == 0 {
        bail!(
            "no decisions to review in {} - label first (prefer label), or name the logs: prefer review FILE LOG...",
            config.dir.display()
        );
    }
    let own = own.read_decisions(progress)?;
    crate::trace::mark("own log read");
    if let Some(s) = store.as_mut() {
        // Counted after the repair of a torn tail: the lines the writer appends to.
        s.outbox = own.lines;
    }
    Ok(History {
        others,
        first,
        own,
        team_notes,
        store,
    })
}

/// Reads the history and opens the session in one go (see [`read_history`] and [`build`]).
pub fn open(config: SessionConfig, source: Arc<dyn ItemSource>) -> anyhow::Result<Opened> {
    let own = LabelLog::lock(&config.log_path)?
        .with_replay_cache(crate::labels::ReplayCache::default_place());
    let history = read_history(&config, own, &ReadProgress::default())?;
    build(config, source, history)
}

/// The gold answers of a file checked whole: the task's gold file (`entries`) and the items'
/// own `gold` fields, by the items' positions in the file (an invalid record keeps its place).
/// Without a gold file, only the items with a `gold` field are read again, when the source
/// kept which they are (a big file, whose every item read again would cost seconds).
fn gold_answers(
    source: &dyn crate::format::ItemSource,
    entries: &[(String, crate::gold::Gold)],
    file: &Path,
) -> anyhow::Result<crate::gold::GoldItems> {
    let records: Vec<usize> = match source.gold_records() {
        Some(r) if entries.is_empty() => r,
        _ => (0..source.len()).collect(),
    };
    let items: Vec<(usize, std::sync::Arc<crate::format::Item>)> = records
        .into_iter()
        .filter_map(|i| source.item(i).ok().map(|it| (i, it)))
        .collect();
    let at: Vec<(usize, &crate::format::Item)> = items.iter().map(|(i, it)| (*i, &**it)).collect();
    crate::gold::checked_at(&at, entries, file)
}

/// Opens a session over its history: the mode decided, the labeler's log checked (labels and
/// final decisions never mixed), the model built at the resume task. Errors when the log mixes
/// labels and final decisions.
pub fn build(
    mut config: SessionConfig,
    source: Arc<dyn ItemSource>,
    history: History,
) -> anyhow::Result<Opened> {
    let History {
        others,
        first,
        own: opened,
        team_notes,
        store,
    } = history;
    let args = &config.args;
    let review = args.review.as_ref();
    // For a big file still being read, judged from the items checked so far.
    let all_two = config.mode.is_some()
        || (0..source.len()).all(|i| source.candidate_count(i).is_none_or(|n| n == 2));
    let mode = decide_mode(config.mode, review.is_some(), &first, all_two);
    let log = opened.log;
    let mut notes = team_notes;
    notes.extend(config.store_note.clone());
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

    let mut decisions = opened.decisions;
    check_log_role(&config, &mut decisions)?;
    // One log, one rating scale: the log's own when none was asked for.
    if mode == TaskKind::Rate {
        let logged = rating_scale::logged_scales(decisions.iter());
        let (k, note) = rating_scale::resolve(
            config.scale_asked,
            &logged,
            &config.log_path.display().to_string(),
        )
        .map_err(|e| anyhow::anyhow!(e))?;
        notes.extend(note);
        config.scale = k;
    }
    // The first --overlap given for a folder is the team's from now on (every check above
    // passed, so a refused start stores nothing).
    let stored = if config.store_overlap {
        folder_settings::set_overlap(&config.dir, config.overlap)?;
        Some(format!(
            "overlap {} is now this labels folder's, in {} (prefer team set overlap K changes it)",
            config.overlap,
            folder_settings::path(&config.dir).display()
        ))
    } else {
        None
    };
    // Our hook first, so a panic prints where the work is after ratatui restores the terminal.
    let hook_log = config.log_path.clone();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        previous(info);
        eprintln!(
            "prefer crashed. Every decision shown as saved is in {}; run the same command to resume.",
            hook_log.display()
        );
    }));
    // Guidelines open by themselves the first time (nothing in the log yet).
    let show_guidelines =
        config.spec.guidelines.is_some() && opened.events == 0 && review.is_none();

    // Gold answers need the whole file (their ids and candidates are checked against it): the
    // history's reading waited for a big file's checking when the task has gold (a file read
    // lazily without gold in its task is still being checked here, and needs none).
    let gold = if source.progress().is_none() {
        let from_review = match review.and_then(|r| r.gold.as_ref()) {
            Some(path) => {
                crate::gold::read_file(path).map_err(|e| anyhow::anyhow!("--gold: {e}"))?
            }
            None => Vec::new(),
        };
        let entries = config
            .spec
            .gold
            .as_ref()
            .map_or(from_review.as_slice(), |g| g.entries.as_slice());
        gold_answers(source.as_ref(), entries, &config.args.file)?
    } else {
        Default::default()
    };
    // With a store: the file's tasks are loaded into the database on its first label, and
    // checked against what it holds after (skipped while the note of the last check says
    // neither has changed); its overlap is the team's.
    let mut store = store;
    if let (Some(t), Some(s), None) = (&config.store, store.as_mut(), review)
        && let Some(c) = s.client.as_mut()
    {
        let tasks = crate::store::checked::tasks_key(mode, &config.spec);
        let file = args.file.display().to_string();
        let noted = s.checked.take().and_then(|n| n.fits(&tasks, args.overlap));
        // No note on this machine (a first start here): the database may have a record of
        // this file's bytes checked against its tasks as they are (the lead's load, another
        // labeler's start), which is noted here for the next start. Looked up before the
        // logs were read when the mode was known then.
        let early = s.recorded.take();
        let noted = noted.or_else(|| {
            let l = match early {
                Some(l) => l,
                None => {
                    let hash = crate::store::checked::content_hash(&args.file)?;
                    crate::trace::mark("the candidate file's bytes hashed");
                    crate::store::checked::recorded(t, c, &hash, &tasks, args.overlap)
                        .ok()
                        .flatten()?
                }
            };
            crate::store::checked::Checking::begin(&args.file, tasks.clone()).record(
                t,
                c,
                &config.log_path,
                &l,
                crate::store::checked::SETTLE,
            );
            crate::trace::mark("the database's record of the tasks' check found");
            Some(l)
        });
        let loaded = match noted {
            Some(l) => Ok(l),
            None => {
                // The whole file is listed: a big one's checking is waited for (the history's
                // reading did when there was no note).
                source.wait_checked(usize::MAX - 1);
                crate::trace::mark("candidate file checked whole");
                let checking = crate::store::checked::Checking::begin(&args.file, tasks);
                let keys = crate::store::handout::file_tasks(source.as_ref(), mode, &config.spec);
                crate::trace::mark("the file's tasks listed");
                let l = crate::store::assign::load(t, c, &file, &keys, args.overlap);
                crate::trace::mark("the tasks checked against the database's");
                if let Ok(l) = &l {
                    checking.remember(t, c, l);
                    checking.record(t, c, &config.log_path, l, crate::store::checked::SETTLE);
                }
                l
            }
        };
        match loaded {
            Ok(l) => {
                config.overlap = l.overlap as usize;
                if l.added > 0 {
                    notes.push(format!(
                        "{} task{} of {file} loaded into {} to hand out (overlap {})",
                        l.added,
                        plural(l.added as usize),
                        t.shown(),
                        l.overlap
                    ));
                }
            }
            // The server went away meanwhile: the tasks held from before are worked on.
            Err(_) if c.is_closed() => {}
            Err(e) => bail!("{e}"),
        }
    }
    // A review reads the team's overlap there too: the header's ×K and the filters of tasks
    // short of it are the database's, not the folder's or the task file's.
    if let (Some(t), Some(s), Some(_)) = (&config.store, store.as_mut(), review)
        && let Some(c) = s.client.as_mut()
        && let Ok(Some(k)) = crate::store::assign::table_overlap(t, c)
    {
        config.overlap = k as usize;
    }
    let mut model = Model::new(Setup {
        source,
        file_label: file_label(&args.file),
        annotator: config.annotator.clone(),
        mode,
        scale: config.scale,
        shuffle: config.shuffle,
        decisions,
        overlap: config.overlap,
        size: (80, 24),
        spec: config.spec.clone(),
        keymap: config.keymap.clone(),
        theme: config.theme,
        typeahead_guard_ms: config.typeahead_guard_ms,
        gold,
    })
    .with_context(|| args.file.display().to_string())?;
    if review.is_none() {
        // A set of conversations goes to trl-chat: plain trl refuses them (the item on screen
        // stands for the set; one that is not like it is told so by the export itself).
        let item = &model.view.item;
        let chat = item.candidates.len() >= 2 && crate::export::formats::needs_flatten(item, 0, 1);
        // A file of gold items only (a training round): the export leaves gold out unless
        // asked, and would write nothing.
        let gold_only =
            !model.gold.is_empty() && (0..model.tasks.len()).all(|i| model.is_gold_task(i));
        model.next_steps = next_steps(args, mode, chat, gold_only);
    }
    model.server = store.as_ref().map(|s| super::model::ServerState {
        outbox: s.outbox,
        committed: s.committed,
        error: s.offline.clone(),
    });
    notes.extend(left_out_notes(&model));
    notes.extend(stored);
    config.mode = Some(mode);
    Ok(Opened {
        config,
        model,
        log,
        others,
        notes,
        first,
        show_guidelines,
        store_known: store.as_mut().and_then(|s| s.known.take()),
        store_client: store.and_then(|s| s.client),
    })
}

/// One log holds either labels or a reviewer's final decisions, never both: export and
/// agreement tell them apart by whose log they are in. What counts is what still stands
/// (an undone decision no longer does). Review logs are small: all of it is checked; a
/// labeler's log is checked by its latest standing decision (a log never mixes the two).
fn check_log_role(
    config: &SessionConfig,
    decisions: &mut crate::labels::Decisions,
) -> anyhow::Result<()> {
    let adjudicated = |e: &Event| e.role() == Some(Role::Adjudicator);
    if config.args.review.is_some()
        && let Some(e) = decisions.iter().find(|e| !adjudicated(e))
    {
        bail!(
            "{} holds {}'s own labels (item {}); review under another name so labels and final decisions stay apart, e.g. --annotator {}-review",
            config.log_path.display(),
            sanitize(&e.annotator),
            sanitize(&e.item),
            config.annotator
        );
    }
    if config.args.review.is_none()
        && let Some(e) = decisions.last().filter(|e| adjudicated(e))
    {
        bail!(
            "{} holds {}'s final decisions from prefer review (item {}); label under another name so labels and final decisions stay apart, or go on reviewing with: prefer review {} --annotator {}",
            config.log_path.display(),
            sanitize(&e.annotator),
            sanitize(&e.item),
            shell_quote(&config.args.file.to_string_lossy()),
            config.annotator
        );
    }
    Ok(())
}

/// What the model set aside at the start, for the notes: decisions on items changed since,
/// items the mode cannot take.
fn left_out_notes(model: &Model) -> Vec<String> {
    let mut out = Vec::new();
    if model.stale > 0 {
        out.push(if model.stale == 1 {
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
        out.push(format!(
            "{} item{} left out in {} mode, e.g. {}",
            model.too_many,
            plural(model.too_many),
            model.mode_name(),
            model.first_left_out.as_deref().unwrap_or("")
        ));
    }
    out
}

/// What a session ends with: prints the rescue file (if any write failed), the notes, the
/// records left out, the counts and the command that resumes; the exit code.
pub fn summarise(
    config: &SessionConfig,
    notes: &[String],
    model: Model,
    stopped: Option<i32>,
) -> ExitCode {
    let args = &config.args;
    let mode = model.mode;
    let review_filter = model.review.as_ref().map(|r| r.filter.clone());
    let mut code = ExitCode::SUCCESS;
    if !model.unsaved.is_empty() {
        match write_rescue(&config.log_path, model.unsaved.values()) {
            Ok(p) => eprintln!(
                "prefer: {} decision{} could not be written to the log; they are in {} - append that file to the log when the disk has room",
                model.unsaved.len(),
                plural(model.unsaved.len()),
                p.display()
            ),
            Err(e) => eprintln!("prefer: could not write the rescue file either: {e}"),
        }
        code = ExitCode::FAILURE;
    }
    if let Some(sig) = stopped {
        // The terminal may be gone (SIGHUP): a failed write here must not panic.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "prefer: stopped by {}; {} decision{} this session, every one shown as saved is in {}; resume with: {}",
            super::terminal::signal_name(sig),
            model.session_decisions,
            plural(model.session_decisions),
            config.log_path.display(),
            resume_command(args, &config.annotator, mode, config.spec.sort)
        );
        return ExitCode::from(128u8.saturating_add(sig as u8));
    }
    for n in notes {
        println!("note: {n}");
    }
    let problems = model.source.problems();
    if !problems.is_empty() {
        println!(
            "{} record{} of {} could not be used (left out):",
            problems.len(),
            plural(problems.len()),
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
    let skipped = model.decisions.skipped_count_of(mode);
    // Gold held back when the ordinary tasks ran out (counted when "done" went up) is not
    // work left undone.
    let held = model.done.gold_held;
    println!(
        "{} decision{} this session; {decided} of {total} tasks decided{}{}.",
        model.session_decisions,
        plural(model.session_decisions),
        if skipped > 0 {
            format!(", {skipped} skipped")
        } else {
            String::new()
        },
        if held > 0 {
            format!(", {held} check task{} not needed", plural(held))
        } else {
            String::new()
        }
    );
    if review_filter.is_none() && (model.team.names().next().is_some() || model.team.overlap > 1) {
        println!(
            "team: {} of {total} tasks have {} decision{}{}.",
            model.team.full(),
            model.team.overlap,
            plural(model.team.overlap),
            over_note(&model)
        );
    }
    if let (Some(t), Some(s)) = (&config.store, &model.server) {
        let waiting = s.waiting();
        if waiting > 0 {
            println!(
                "note: {waiting} decision{} wait{} in the outbox {} for {}{}; the next prefer label sends {} first",
                plural(waiting as usize),
                if waiting == 1 { "s" } else { "" },
                config.log_path.display(),
                t.shown(),
                s.error
                    .as_ref()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default(),
                if waiting == 1 { "it" } else { "them" },
            );
        } else if s.outbox > 0 {
            println!("every decision is in the database {}.", t.shown());
        }
    }
    if config.log_path.exists() {
        println!("labels log: {}", config.log_path.display());
    } else {
        println!(
            "labels log: none yet (it is made at the first decision: {})",
            config.log_path.display()
        );
    }
    let logs = args
        .review
        .as_ref()
        .map(|r| r.logs.as_slice())
        .unwrap_or(&[]);
    match &review_filter {
        Some(f) => println!(
            "resume with: {}",
            review_command(args, &config.annotator, mode, f, logs)
        ),
        None => println!(
            "resume with: {}",
            resume_command(args, &config.annotator, mode, config.spec.sort)
        ),
    }
    // Done: the commands the summary box showed (cut there at 80 columns), whole, to copy.
    if model.done.total > 0 {
        for (what, cmd) in &model.next_steps {
            println!("{what} with: {cmd}");
        }
    }
    // The process ends next: the tables of a long history (a million decisions, the team's
    // logs) are left to the system to take back at once rather than freed entry by entry,
    // which kept the labeler waiting after `q`. Nothing in them is written on drop.
    let mut model = model;
    std::mem::forget(std::mem::take(&mut model.decisions));
    std::mem::forget(std::mem::replace(
        &mut model.team,
        super::team::Team::new(1, mode),
    ));
    code
}

/// What the quit summary says about tasks with more than K decisions: the extra decisions
/// asked for, and the real races apart.
fn over_note(m: &Model) -> String {
    let extras = super::nothing_left::extras(m);
    let races = super::nothing_left::races(m);
    let mut out = String::new();
    if extras > 0 {
        out.push_str(&format!(
            "; {extras} got one more from you on purpose (an extra decision you asked for)"
        ));
    }
    if races > 0 {
        out.push_str(&format!(
            "; {races} got more because two labelers took them at the same moment"
        ));
    }
    out
}

/// The commands the "nothing left" screen gives: review the folder, and ask for one more
/// decision per task.
pub fn team_commands(config: &SessionConfig) -> (String, String) {
    let args = &config.args;
    let file = shell_quote(&args.file.to_string_lossy());
    let folder = if args.labels_dir.is_some() || args.out.is_some() {
        format!(
            " --labels-dir {}",
            shell_quote(&config.dir.to_string_lossy())
        )
    } else {
        String::new()
    };
    (
        format!("prefer review {file}{folder}"),
        format!(
            "prefer team set overlap {} {file}{folder}",
            config.overlap + 1
        ),
    )
}

/// Writes decisions that could not reach the log to `<log>.rescue-<millis>` beside it (not
/// `*.jsonl`, so no tool takes it for an annotator's log),
/// or in the temporary folder when that fails too.
fn write_rescue<'a>(log: &Path, events: impl Iterator<Item = &'a Event>) -> io::Result<PathBuf> {
    let mut bytes = Vec::new();
    for e in events {
        let mut e = e.clone();
        e.stamp();
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
        // A new file, never through a symbolic link planted under its name.
        let mut f = crate::safefs::create_new(p)?;
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

/// The command that goes on reviewing where this session is (same logs, filter and mode).
fn review_command(
    args: &SessionArgs,
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
    parts.push(store_arg(args));
    parts.join(" ").trim_end().to_string()
}

/// ` --store URL` for a command to copy, never with its password (a `***` pasted back would
/// be sent as the password): a shell comment after the command says where it comes from.
fn store_arg(args: &SessionArgs) -> String {
    match &args.store {
        Some(url) => {
            let (url, had) = crate::store::without_password(url);
            let note = if had {
                "  # the password: from PGPASSWORD or ~/.pgpass"
            } else {
                ""
            };
            format!("--store {}{note}", shell_quote(&url))
        }
        None => String::new(),
    }
}

/// The command that resumes this labeling session.
/// After labeling: the commands that review the team's labels and export them, for the
/// summary at the end.
fn next_steps(
    args: &SessionArgs,
    mode: TaskKind,
    chat: bool,
    gold_only: bool,
) -> Vec<(String, String)> {
    let file = shell_quote(&args.file.to_string_lossy());
    let dir = args.labels_dir.clone().or_else(|| {
        args.out
            .as_ref()
            .and_then(|o| o.parent().map(Path::to_path_buf))
    });
    let dir_arg = dir
        .map(|d| format!(" --labels-dir {}", shell_quote(&d.to_string_lossy())))
        .unwrap_or_default();
    let format = if mode == TaskKind::Rate {
        "ratings"
    } else if chat {
        "trl-chat"
    } else {
        "trl"
    };
    let stem = args
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "labels".into());
    let out = args
        .file
        .with_file_name(format!("{stem}.{format}.jsonl"))
        .to_string_lossy()
        .into_owned();
    // With a store, the labels are in the database: the commands read them there.
    let store = match store_arg(args) {
        s if s.is_empty() => s,
        s => format!(" {s}"),
    };
    vec![
        (
            "review".into(),
            format!(
                "prefer review {file}{dir_arg} --mode {}{store}",
                mode.name()
            ),
        ),
        (
            "export".into(),
            format!(
                "prefer export {file}{dir_arg} --format {format} --out {}{}{store}",
                shell_quote(&out),
                if gold_only { " --include-gold" } else { "" }
            ),
        ),
    ]
}

fn resume_command(args: &SessionArgs, annotator: &str, mode: TaskKind, sort: bool) -> String {
    let mut parts = vec![
        "prefer label".to_string(),
        shell_quote(&args.file.to_string_lossy()),
        format!("--mode {}", if sort { "sort" } else { mode.name() }),
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
    // No --overlap: the labels folder's prefer.toml holds it from the first session on (and a
    // later different one is refused).
    if args.no_shuffle {
        parts.push("--no-shuffle".into());
    }
    if let Some(t) = &args.task {
        parts.push(format!("--task {}", shell_quote(&t.to_string_lossy())));
    }
    if let Some(k) = args.scale.filter(|_| mode == TaskKind::Rate) {
        parts.push(format!("--scale {k}"));
    }
    // Never with its password: that comes from PGPASSWORD or ~/.pgpass.
    parts.push(store_arg(args));
    parts.join(" ").trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{FlagKey, Key};

    /// A big file's gold answers are found at the items' places in the file, an invalid
    /// record before them included, from the items with a `gold` field alone or from a gold
    /// file naming them.
    #[test]
    fn gold_answers_are_placed_by_the_record_an_invalid_one_included() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("set.jsonl");
        let item = |id: &str, gold: &str| {
            format!("{{\"id\":\"{id}\",\"prompt\":\"p\",\"candidates\":[\"x\",\"y\"]{gold}}}\n")
        };
        let text = [
            item("a", ""),
            "{not json\n".to_string(),
            item("b", ""),
            item("g", ",\"gold\":{\"choice\":\"c1\"}"),
            item("h", ""),
        ]
        .concat();
        std::fs::write(&path, text).unwrap();
        let source = format::LazySource::open(&path).unwrap();
        source.wait();
        assert_eq!(source.gold_records(), Some(vec![3]));
        let keys = |g: crate::gold::GoldItems| {
            let mut k: Vec<usize> = g.by_item.keys().copied().collect();
            k.sort();
            k
        };
        assert_eq!(keys(gold_answers(&source, &[], &path).unwrap()), [3]);
        let file =
            crate::gold::parse_lines("{\"item\":\"h\",\"best\":\"c0\"}\n", "gold.jsonl").unwrap();
        assert_eq!(keys(gold_answers(&source, &file, &path).unwrap()), [3, 4]);
    }

    fn args() -> SessionArgs {
        SessionArgs {
            file: PathBuf::from("data/set.jsonl"),
            mode: None,
            sort: false,
            annotator: None,
            labels_dir: None,
            out: None,
            overlap: None,
            no_shuffle: false,
            scale: None,
            task: None,
            store: None,
            review: None,
        }
    }

    fn files() -> Files {
        Files {
            settings: Settings::default(),
            keymap: KeyMap::default(),
            spec: TaskSpec::default(),
            folder: FolderSettings::default(),
        }
    }

    fn env() -> Env {
        Env {
            prefer_annotator: None,
            user: Some("tess".into()),
            no_color: false,
            data_dir: Some(PathBuf::from("/home/tess/.local/share/prefer")),
        }
    }

    #[test]
    fn the_resume_command_leaves_the_overlap_to_the_folder() {
        // The folder's prefer.toml keeps the first --overlap; repeating it would be refused
        // once a team lead changes it with `prefer team set overlap`.
        let a = SessionArgs {
            overlap: Some(2),
            labels_dir: Some(PathBuf::from("team")),
            ..args()
        };
        assert_eq!(
            resume_command(&a, "tess", TaskKind::Pair, false),
            "prefer label data/set.jsonl --mode pair --annotator tess --labels-dir team"
        );
    }

    #[test]
    fn commands_to_copy_read_the_store_and_leave_its_password_out() {
        // A `***` pasted back would be sent as the password; the review and export that
        // follow a store session read the database, not a labels folder that is not there.
        let a = SessionArgs {
            store: Some("postgresql://ann:s3cret@db:5432/labels".into()),
            ..args()
        };
        let store =
            "--store postgresql://ann@db:5432/labels  # the password: from PGPASSWORD or ~/.pgpass";
        assert_eq!(
            resume_command(&a, "ann", TaskKind::Pair, false),
            format!("prefer label data/set.jsonl --mode pair --annotator ann {store}")
        );
        let steps = next_steps(&a, TaskKind::Pair, false, false);
        assert_eq!(
            steps[0].1,
            format!("prefer review data/set.jsonl --mode pair {store}")
        );
        assert_eq!(
            steps[1].1,
            format!("prefer export data/set.jsonl --format trl --out data/set.trl.jsonl {store}")
        );
        // A set of conversations: plain trl would refuse them.
        assert_eq!(
            next_steps(&a, TaskKind::Pair, false, true)[1].1,
            format!(
                "prefer export data/set.jsonl --format trl --out data/set.trl.jsonl --include-gold {store}"
            )
        );
        assert_eq!(
            next_steps(&a, TaskKind::Pair, true, false)[1].1,
            format!(
                "prefer export data/set.jsonl --format trl-chat --out data/set.trl-chat.jsonl {store}"
            )
        );
        let a = SessionArgs {
            store: Some("postgresql://ann@db/labels".into()),
            ..args()
        };
        assert!(
            resume_command(&a, "ann", TaskKind::Pair, false)
                .ends_with(" --store postgresql://ann@db/labels"),
        );
    }

    #[test]
    fn without_options_the_defaults_of_prefer_label() {
        let c = resolve(&args(), &env(), files()).unwrap();
        assert_eq!(c.annotator, "tess");
        assert_eq!(c.dir, PathBuf::from("data/set.labels"));
        assert_eq!(c.log_path, PathBuf::from("data/set.labels/tess.jsonl"));
        assert_eq!((c.overlap, c.mode, c.scale, c.shuffle), (1, None, 5, true));
        assert_eq!(c.theme, Theme::Default);
        assert_eq!(c.keymap, KeyMap::default());
    }

    #[test]
    fn a_store_makes_the_log_an_outbox_for_review_too_unless_logs_are_named() {
        let mut f = files();
        assert_eq!(
            resolve(&args(), &env(), f.clone()).unwrap().store_note,
            None
        );
        f.folder.store = Some("postgresql://lead:s3cret@db.example/labels".into());
        // Labeling: the folder's store is used, the log is the outbox under the data folder.
        let c = resolve(&args(), &env(), f.clone()).unwrap();
        assert_eq!(c.store_note, None);
        assert!(c.store.is_some());
        let out = c.log_path.to_string_lossy().into_owned();
        assert!(
            out.starts_with("/home/tess/.local/share/prefer/outbox/labels-")
                && out.ends_with("/tess.jsonl"),
            "{out}"
        );
        // --store wins over the folder's; the password is in no path.
        let a = SessionArgs {
            store: Some("postgresql://tess:pw@db.example/other".into()),
            ..args()
        };
        let c = resolve(&a, &env(), f.clone()).unwrap();
        assert!(c.log_path.to_string_lossy().contains("/outbox/other-"));
        assert!(!c.log_path.to_string_lossy().contains("pw"));
        // Review reads and writes the database as well, through the reviewer's outbox.
        let review = |logs: Vec<PathBuf>| SessionArgs {
            review: Some(ReviewSpec {
                filter: Filter::All,
                gold: None,
                logs,
            }),
            ..args()
        };
        let c = resolve(&review(Vec::new()), &env(), f.clone()).unwrap();
        assert!(c.store.is_some());
        assert_eq!(c.store_note, None);
        assert!(c.log_path.to_string_lossy().contains("/outbox/labels-"));
        // A review of logs named reads those and writes to the folder, and says so.
        let c = resolve(&review(vec!["ann.jsonl".into()]), &env(), f).unwrap();
        assert!(c.store.is_none());
        let note = c.store_note.unwrap();
        assert!(
            note.contains("prefer store push data/set.labels URL"),
            "{note}"
        );
        assert!(
            note.contains("db.example") && !note.contains("s3cret"),
            "{note}"
        );
    }

    #[test]
    fn a_mode_other_than_the_task_files_is_refused() {
        let mut f = files();
        f.spec.mode = Some(TaskKind::Pair);
        let a = SessionArgs {
            mode: Some(TaskKind::Rank),
            task: Some(PathBuf::from("task.toml")),
            ..args()
        };
        let e = resolve(&a, &env(), f.clone()).unwrap_err().to_string();
        assert!(
            e.starts_with("--mode rank but the task file task.toml is for mode = \"pair\""),
            "{e}"
        );
        // The same mode is fine.
        let same = SessionArgs {
            mode: Some(TaskKind::Pair),
            ..a
        };
        assert_eq!(
            resolve(&same, &env(), f).unwrap().mode,
            Some(TaskKind::Pair)
        );
    }

    #[test]
    fn mode_comes_from_the_flag_then_the_task_file_then_the_settings() {
        let mut f = files();
        f.settings.mode = Some(TaskKind::Rate);
        assert_eq!(
            resolve(&args(), &env(), f.clone()).unwrap().mode,
            Some(TaskKind::Rate)
        );
        f.spec.mode = Some(TaskKind::Rank);
        assert_eq!(
            resolve(&args(), &env(), f.clone()).unwrap().mode,
            Some(TaskKind::Rank)
        );
        let a = SessionArgs {
            mode: Some(TaskKind::Pair),
            ..args()
        };
        assert_eq!(
            resolve(&a, &env(), f.clone()).unwrap().mode,
            Some(TaskKind::Pair)
        );
        // Review goes by the team's decisions unless --mode names one.
        let r = SessionArgs {
            review: Some(ReviewSpec {
                filter: Filter::All,
                gold: None,
                logs: Vec::new(),
            }),
            ..args()
        };
        assert_eq!(resolve(&r, &env(), f).unwrap().mode, None);
    }

    #[test]
    fn a_mode_left_open_is_decided_by_the_data() {
        let team = OthersAtStart::default();
        assert_eq!(decide_mode(None, false, &team, true), TaskKind::Pair);
        assert_eq!(decide_mode(None, false, &team, false), TaskKind::Rank);
        assert_eq!(
            decide_mode(Some(TaskKind::Rate), true, &team, true),
            TaskKind::Rate
        );
    }

    #[test]
    fn annotator_comes_from_the_flag_then_the_environment_then_settings_then_user() {
        let mut f = files();
        f.settings.annotator = Some("sam".into());
        let mut e = env();
        assert_eq!(resolve(&args(), &e, f.clone()).unwrap().annotator, "sam");
        e.prefer_annotator = Some("pat".into());
        assert_eq!(resolve(&args(), &e, f.clone()).unwrap().annotator, "pat");
        let a = SessionArgs {
            annotator: Some("ann".into()),
            ..args()
        };
        assert_eq!(resolve(&a, &e, f).unwrap().annotator, "ann");
    }

    #[test]
    fn overlap_comes_from_the_folder_then_the_flag_then_the_task_file() {
        let mut f = files();
        f.spec.overlap = 2;
        assert_eq!(resolve(&args(), &env(), f.clone()).unwrap().overlap, 2);
        let a = SessionArgs {
            overlap: Some(4),
            ..args()
        };
        // The first --overlap for a folder is stored for the team.
        let c = resolve(&a, &env(), f.clone()).unwrap();
        assert_eq!((c.overlap, c.store_overlap), (4, true));
        f.folder.overlap = Some(3);
        let c = resolve(&args(), &env(), f.clone()).unwrap();
        assert_eq!((c.overlap, c.store_overlap), (3, false));
        // A different one later is refused, naming the folder's.
        let e = resolve(&a, &env(), f).unwrap_err().to_string();
        assert!(e.contains("this labels folder's overlap is 3"), "{e}");
    }

    #[test]
    fn out_decides_the_log_and_the_folder_and_no_color_the_theme() {
        let a = SessionArgs {
            out: Some(PathBuf::from("elsewhere/me.jsonl")),
            ..args()
        };
        let e = Env {
            no_color: true,
            ..env()
        };
        let c = resolve(&a, &e, files()).unwrap();
        assert_eq!(c.log_path, PathBuf::from("elsewhere/me.jsonl"));
        assert_eq!(c.dir, PathBuf::from("elsewhere"));
        assert_eq!(c.theme, Theme::Monochrome);
    }

    #[test]
    fn errors_say_what_to_do() {
        let none = Env::default();
        let e = resolve(&args(), &none, files()).unwrap_err().to_string();
        assert!(
            e.starts_with("no annotator name: give --annotator NAME"),
            "{e}"
        );
        let a = SessionArgs {
            annotator: Some("../x".into()),
            ..args()
        };
        let e = resolve(&a, &env(), files()).unwrap_err().to_string();
        assert!(e.contains("it names the log file"), "{e}");
        let mut f = files();
        f.spec.flags = vec![FlagKey {
            name: "unsafe".into(),
            key: Key::ch('q'),
            line: 3,
        }];
        let e = resolve(&args(), &env(), f).unwrap_err().to_string();
        assert!(e.starts_with("key \"q\" is bound to both `quit`"), "{e}");
    }
}
