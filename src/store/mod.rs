//! PostgreSQL as a team's shared store of labels: `prefer store init|push|pull`, and the logs
//! that export, stats and agreement read when a store is named (`--store URL`,
//! `PREFER_STORE`, or `store = "URL"` in the labels folder's `prefer.toml`). The folder stays
//! the default. See docs/store.md.

pub mod assign;
pub mod checked;
pub mod handout;
pub mod label;
mod read;
pub mod roles;
pub mod schema;
pub mod sync;
mod target;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

pub use read::PgLogs;
pub use target::{StoreError, Target, forbidden, is_url, redact, without_password};

use crate::labels::{FolderSettings, InputError, LogError, Logs};

#[derive(Debug, Args)]
pub struct StoreArgs {
    #[command(subcommand)]
    pub what: StoreCommand,
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Create the tables in a database, or bring them up to this prefer's version (running it
    /// again changes nothing).
    Init {
        /// postgresql://USER@HOST:PORT/DATABASE (the password: PGPASSWORD or ~/.pgpass).
        url: String,
        /// One PostgreSQL role per labeler: group roles for the database's labelers and
        /// reviewers, and row-level security so each writes only as themself (add them with
        /// `prefer store add-labeler`). Run by the tables' owner; once set up it stays.
        #[arg(long)]
        per_user_roles: bool,
    },
    /// Per-user roles: make NAME a labeler of the database (a login role with a new password,
    /// printed once; a role that exists already just joins).
    AddLabeler {
        url: String,
        /// The role's name, which is also the labeler's annotator name.
        name: String,
        /// A reviewer (writes final decisions with `prefer review --store`), not a labeler.
        #[arg(long)]
        reviewer: bool,
        /// Read the password from the first line of standard input instead of making one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Per-user roles: take NAME out of the database's labelers and reviewers (the role and
    /// its decisions are kept).
    RemoveLabeler { url: String, name: String },
    /// Send a labels folder's logs to the database: the lines it does not have yet.
    Push {
        /// The labels folder (<input stem>.labels/).
        dir: PathBuf,
        url: String,
    },
    /// Load a candidate file's tasks into the database, for `prefer label --store` to hand
    /// out (running it again adds only the tasks the file gained; a database holding another
    /// file's tasks is refused).
    Tasks {
        /// The candidate file.
        file: PathBuf,
        url: String,
        /// The mode (default: the task file's, else pair when every item has two candidates,
        /// else rank).
        #[arg(long, value_enum)]
        mode: Option<crate::cli::ModeArg>,
        /// Decisions wanted per task (default: the task file's, else 1; a database that holds
        /// the tasks already keeps its own).
        #[arg(long)]
        overlap: Option<u32>,
        /// A task file (its mode, overlap and pair sampling apply).
        #[arg(long)]
        task: Option<PathBuf>,
    },
    /// Change how many decisions every task loaded wants (the team's overlap K): raised, the
    /// tasks go out again until each has K; lowered, decisions made are kept. Labeling
    /// sessions hand tasks out with the new K at once.
    SetOverlap {
        url: String,
        /// Decisions wanted per task (1 or more).
        k: u32,
    },
    /// Write the database's logs into a labels folder: the lines it does not have yet, byte
    /// for byte as they were pushed.
    Pull {
        url: String,
        /// The labels folder (created when missing).
        dir: PathBuf,
    },
}

/// Runs `prefer store`.
pub fn run(args: &StoreArgs) -> anyhow::Result<ExitCode> {
    match &args.what {
        StoreCommand::Init {
            url,
            per_user_roles,
        } => {
            let t = Target::parse(url)?;
            let mut c = t.connect()?;
            let m = schema::init(&t, &mut c)?;
            if m.from == m.to {
                println!("{}: schema at version {} already", t.shown(), m.to);
            } else {
                println!(
                    "{}: schema brought from version {} to {}",
                    t.shown(),
                    m.from,
                    m.to
                );
            }
            // Once set up, per-user roles stay, and tables a newer schema added get their
            // grants and policies.
            if *per_user_roles || roles::enabled(&t, &mut c)? {
                let g = roles::groups(&t, &mut c)?;
                if roles::setup(&t, &mut c)? {
                    println!(
                        "{}: per-user roles set up: labelers are members of {}, reviewers of {} (add them with: prefer store add-labeler URL NAME)",
                        t.shown(),
                        g.labeler,
                        g.reviewer
                    );
                } else if *per_user_roles {
                    println!(
                        "{}: per-user roles set up already ({}, {})",
                        t.shown(),
                        g.labeler,
                        g.reviewer
                    );
                }
            }
        }
        StoreCommand::AddLabeler {
            url,
            name,
            reviewer,
            password_stdin,
        } => return add_labeler(url, name, *reviewer, *password_stdin),
        StoreCommand::RemoveLabeler { url, name } => {
            let t = Target::parse(url)?;
            let mut c = t.connect()?;
            schema::check(&t, &mut c)?;
            if roles::remove(&t, &mut c, name)? {
                println!(
                    "{}: {name} is no longer a labeler or reviewer here; their decisions are kept (to stop the role logging in anywhere on the server: ALTER ROLE {} NOLOGIN)",
                    t.shown(),
                    roles::ident(name)
                );
            } else {
                println!(
                    "{}: {name} was not a labeler or reviewer here; nothing changed",
                    t.shown()
                );
            }
        }
        StoreCommand::Push { dir, url } => {
            let t = Target::parse(url)?;
            let mut c = t.connect()?;
            schema::check(&t, &mut c)?;
            let moved = sync::push(dir, &t, &mut c).map_err(|e| scrub(&t, e))?;
            report("push", "sent", &moved, t.shown());
            // The decisions sent take their places in the hand-out (the lead's role: a
            // labeler's own may not claim for others).
            let may_claim: bool = c
                .query_one("SELECT has_table_privilege('prefer_tasks', 'INSERT')", &[])
                .map_err(|e| t.error("look up your privileges", e))?
                .get(0);
            let sent: Vec<(String, i64)> = moved
                .iter()
                .filter(|m| m.lines > 0)
                .map(|m| (m.stream.clone(), m.lines as i64))
                .collect();
            if may_claim && !sent.is_empty() {
                let n = assign::claim_decided(&t, &mut c, Some(&sent))?;
                if n.counted > 0 {
                    println!(
                        "{} decision{} now count{} towards their tasks' overlap in the hand-out",
                        n.counted,
                        crate::text::plural(n.counted as usize),
                        if n.counted == 1 { "s" } else { "" }
                    );
                }
                if n.released > 0 {
                    println!(
                        "{} decision{} taken back no longer count{}: {} free for others",
                        n.released,
                        crate::text::plural(n.released as usize),
                        if n.released == 1 { "s" } else { "" },
                        if n.released == 1 {
                            "its place is"
                        } else {
                            "their places are"
                        }
                    );
                }
            }
        }
        StoreCommand::Tasks {
            file,
            url,
            mode,
            overlap,
            task,
        } => return load_tasks(file, url, *mode, *overlap, task.as_deref()),
        StoreCommand::SetOverlap { url, k } => {
            if *k == 0 {
                anyhow::bail!(
                    "overlap 0: every task wants at least one decision - give K of 1 or more"
                );
            }
            let t = Target::parse(url)?;
            let mut c = t.connect()?;
            schema::check(&t, &mut c)?;
            match assign::set_overlap(&t, &mut c, *k)? {
                None => anyhow::bail!(
                    "{}: no tasks are loaded yet - load them with the overlap: prefer store tasks FILE URL --overlap {k}",
                    t.shown()
                ),
                Some((before, total)) if before == *k => println!(
                    "{}: the {total} tasks want {k} decision{} each already; nothing changed",
                    t.shown(),
                    if *k == 1 { "" } else { "s" }
                ),
                Some((before, total)) => println!(
                    "{}: the {total} tasks now want {k} decision{} each (was {before}){}",
                    t.shown(),
                    if *k == 1 { "" } else { "s" },
                    if *k > before {
                        "; they go out again until each has them"
                    } else {
                        "; decisions already made are kept"
                    }
                ),
            }
        }
        StoreCommand::Pull { url, dir } => {
            let t = Target::parse(url)?;
            let mut c = t.connect()?;
            schema::check(&t, &mut c)?;
            let moved = sync::pull(&t, &mut c, dir).map_err(|e| scrub(&t, e))?;
            report("pull", "written", &moved, &dir.display().to_string());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `prefer store add-labeler URL NAME`.
fn add_labeler(
    url: &str,
    name: &str,
    reviewer: bool,
    password_stdin: bool,
) -> anyhow::Result<ExitCode> {
    let t = Target::parse(url)?;
    roles::check_name(name).map_err(|e| anyhow::anyhow!("{}: {e}", t.shown()))?;
    let password = if password_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        let pw = line.trim_end_matches(['\n', '\r']).to_string();
        if pw.is_empty() {
            anyhow::bail!("--password-stdin: no password on standard input - give one line");
        }
        pw
    } else {
        roles::new_password()?
    };
    let mut c = t.connect()?;
    schema::check(&t, &mut c)?;
    let added = roles::add(&t, &mut c, name, reviewer, &password)?;
    let what = if reviewer { "reviewer" } else { "labeler" };
    if added.created {
        println!(
            "{}: role {name} made, a {what} here (a member of {})",
            t.shown(),
            added.group
        );
        if !password_stdin {
            // Shown once: prefer keeps it nowhere.
            println!("its password (give it to {name}; it is not shown again): {password}");
        }
    } else {
        println!(
            "{}: role {name} existed already (its password is unchanged); it is now a {what} here (a member of {})",
            t.shown(),
            added.group
        );
    }
    println!(
        "{name} connects as postgresql://{name}@HOST:PORT/DATABASE with the password in PGPASSWORD or ~/.pgpass, and labels as annotator {name}"
    );
    Ok(ExitCode::SUCCESS)
}

/// `prefer store tasks FILE URL`.
fn load_tasks(
    file: &Path,
    url: &str,
    mode: Option<crate::cli::ModeArg>,
    overlap: Option<u32>,
    task: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let spec = match task {
        Some(p) => crate::taskfile::TaskSpec::load(p)?,
        None => crate::taskfile::TaskSpec::default(),
    };
    let source = match crate::format::open(file) {
        Ok(s) => s,
        Err(crate::format::LoadError::Invalid(problems)) => anyhow::bail!(
            "{} has {} problem{}, e.g. {} - nothing was loaded (prefer validate {} lists them)",
            file.display(),
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            crate::text::sanitize(&problems[0].to_string()),
            crate::text::shell_quote(&file.to_string_lossy())
        ),
        Err(e) => return Err(e.into()),
    };
    source.wait_checked(usize::MAX - 1);
    let mode: crate::labels::TaskKind = match (mode, spec.mode) {
        (Some(m), _) => m.into(),
        (None, Some(m)) => m,
        (None, None) => {
            let all_two =
                (0..source.len()).all(|i| source.candidate_count(i).is_none_or(|n| n == 2));
            if all_two {
                crate::labels::TaskKind::Pair
            } else {
                crate::labels::TaskKind::Rank
            }
        }
    };
    let overlap = overlap.or(task.map(|_| spec.overlap));
    let checking = checked::Checking::begin(file, checked::tasks_key(mode, &spec));
    let keys = handout::file_tasks(source.as_ref(), mode, &spec);
    let t = Target::parse(url)?;
    let mut c = t.connect()?;
    schema::check(&t, &mut c)?;
    let l = assign::load(&t, &mut c, &file.display().to_string(), &keys, overlap)?;
    // A labeler's first start on a machine of its own finds this check in the database and
    // skips listing the file again.
    checking.remember(&t, &mut c, &l);
    println!(
        "{}: {} {} task{} of {} added ({} in all, overlap {})",
        t.shown(),
        l.added,
        mode.name(),
        if l.added == 1 { "" } else { "s" },
        file.display(),
        l.total,
        l.overlap
    );
    Ok(ExitCode::SUCCESS)
}

fn scrub(t: &Target, e: anyhow::Error) -> anyhow::Error {
    anyhow::anyhow!(t.scrub(&format!("{e:#}")))
}

fn report(cmd: &str, verb: &str, moved: &[sync::Moved], to: &str) {
    for m in moved {
        if let Some(note) = &m.note {
            eprintln!("prefer store {cmd}: {}: {note}", m.stream);
        }
    }
    let lines: u64 = moved.iter().map(|m| m.lines).sum();
    let changed = moved.iter().filter(|m| m.lines > 0).count();
    println!(
        "{to}: {lines} line{} {verb} in {changed} log{} ({} already up to date)",
        if lines == 1 { "" } else { "s" },
        if changed == 1 { "" } else { "s" },
        moved.len() - changed
    );
}

/// The logs a command reads: those named, else a store's when one is named (`store`, from
/// `--store` or `PREFER_STORE`, else `store = "..."` in the labels folder's `prefer.toml`),
/// else the labels folder's (see [`crate::labels::log_paths`]).
pub fn team_logs(
    file: Option<&Path>,
    dir: Option<&Path>,
    logs: &[PathBuf],
    store: Option<&str>,
) -> Result<Logs, InputError> {
    if logs.is_empty() {
        let from_folder = match store {
            Some(_) => None,
            None => {
                let folder = match (dir, file) {
                    (Some(d), _) => Some(d.to_path_buf()),
                    (None, Some(f)) => Some(crate::labels::labels_dir(f)),
                    (None, None) => None,
                };
                match folder.filter(|d| d.is_dir()) {
                    Some(d) => {
                        FolderSettings::load(&d)
                            .map_err(|e| InputError::Settings(e.to_string()))?
                            .store
                    }
                    None => None,
                }
            }
        };
        if let Some(url) = store.map(str::to_string).or(from_folder) {
            let target = Target::parse(&url).map_err(|e| LogError::Store(e.0))?;
            return Ok(Logs::Store(Box::new(PgLogs { target })));
        }
    }
    crate::labels::log_paths(file, dir, logs).map(Logs::Folder)
}
