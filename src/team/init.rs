//! `prefer team init DIR [--group NAME] [--overlap K]`: a labels folder where every member of
//! the team writes their own log and nobody can touch another's. The folder is owned by the
//! team's group, group-writable, setgid (new logs get the folder's group, so the team can read
//! them) and sticky (only a file's owner, the folder's owner or root can delete or rename it);
//! nothing for users outside the group. Logs are created 0640 by `prefer label` (see
//! [`crate::safefs::SHARED_MODE`]): readable by the group, writable by their owner only.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;

use crate::labels::SETTINGS_FILE;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The labels folder, created when missing (for FILE.jsonl it is FILE.labels next to it,
    /// or the folder `prefer label --labels-dir` names).
    pub dir: PathBuf,
    /// The team's Unix group: it owns the folder, and through setgid every log created in it
    /// [default: the folder's group as it is].
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// Decisions wanted per task across the team, written to the folder's prefer.toml.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u32).range(1..))]
    pub overlap: Option<u32>,
}

/// The folder's mode: setgid, sticky, rwx for owner and group, nothing for others.
pub const FOLDER_MODE: u32 = 0o3770;

/// Runs `prefer team init`.
pub fn run(args: &InitArgs) -> anyhow::Result<ExitCode> {
    for line in init(&args.dir, args.group.as_deref(), args.overlap)? {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Sets `dir` up; gives what to tell the person who ran it.
#[cfg(unix)]
pub fn init(dir: &Path, group: Option<&str>, overlap: Option<u32>) -> anyhow::Result<Vec<String>> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    if crate::safefs::is_link(dir) {
        bail!(
            "{} is a symbolic link; prefer team init sets up a real folder - give the folder itself",
            dir.display()
        );
    }
    // Nothing is changed when the settings file cannot be written (a link planted there).
    let settings = dir.join(SETTINGS_FILE);
    if crate::safefs::is_link(&settings) {
        return Err(crate::safefs::link_error(&settings, "write").into());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let meta = std::fs::metadata(dir)?;
    if !meta.is_dir() {
        bail!("{} is not a folder", dir.display());
    }
    let gid = match group {
        Some(name) => group_id(name).with_context(|| {
            format!("no group named {name} - create it first (groupadd {name}) and add the team's users to it")
        })?,
        None => meta.gid(),
    };
    if meta.gid() != gid {
        std::os::unix::fs::chown(dir, None, Some(gid)).with_context(|| {
            format!(
                "cannot give {} to group {} - run as root, or as the folder's owner and a member of that group",
                dir.display(),
                group_name(gid)
            )
        })?;
    }
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(FOLDER_MODE))
        .with_context(|| format!("cannot set the mode of {}", dir.display()))?;
    // The system drops setgid silently for a group the caller is not in.
    let mode = std::fs::metadata(dir)?.permissions().mode() & 0o7777;
    if mode != FOLDER_MODE {
        bail!(
            "{} has mode {mode:04o}, not {FOLDER_MODE:04o} - run as root, or as a member of group {}",
            dir.display(),
            group_name(gid)
        );
    }
    let mut out = vec![format!(
        "{}: group {}, mode {FOLDER_MODE:04o} (drwxrws--T): members of the group create their own logs here and read everyone's; only a log's owner (or the folder's owner, or root) can delete or rename it; others cannot enter",
        dir.display(),
        group_name(gid)
    )];
    out.push(settings_file(dir, overlap)?);
    out.extend(existing_logs(dir, gid));
    out.push(format!(
        "each labeler: umask 027 (or 022), then prefer label FILE --labels-dir {} (logs are created 0640: the group reads, only the owner writes) - see docs/team.md",
        crate::text::shell_quote(&dir.to_string_lossy())
    ));
    Ok(out)
}

#[cfg(not(unix))]
pub fn init(dir: &Path, _: Option<&str>, _: Option<u32>) -> anyhow::Result<Vec<String>> {
    bail!(
        "prefer team init sets Unix groups and modes on {}; it needs a Unix system",
        dir.display()
    )
}

/// Writes `prefer.toml` when missing (never through a link); an existing one is kept.
fn settings_file(dir: &Path, overlap: Option<u32>) -> anyhow::Result<String> {
    use std::io::Write;
    let path = dir.join(SETTINGS_FILE);
    if crate::safefs::is_link(&path) {
        return Err(crate::safefs::link_error(&path, "write").into());
    }
    if path.exists() {
        let now = crate::labels::FolderSettings::load(dir)?;
        if let Some(k) = overlap
            && now.overlap != Some(k as usize)
        {
            bail!(
                "{} already exists and sets {} - edit it to change the overlap (nothing was changed in it)",
                path.display(),
                now.overlap
                    .map_or("no overlap".to_string(), |n| format!("overlap = {n}"))
            );
        }
        return Ok(format!("{}: kept as it is", path.display()));
    }
    let overlap_line = match overlap {
        Some(k) => format!("overlap = {k}"),
        None => "# overlap = 2".to_string(),
    };
    let text = format!(
        "# Settings for everyone labeling in this folder (written by prefer team init).\n\
         # Decisions wanted per task across the team:\n\
         {overlap_line}\n\
         # Read annotators' logs that are symbolic links (prefer never writes through one):\n\
         # follow_links = true\n"
    );
    let mut f = crate::safefs::create_new(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    // Readable by the group whatever the umask: every labeler reads it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o640))?;
    }
    f.write_all(text.as_bytes())?;
    f.sync_all()?;
    Ok(format!("{}: written ({overlap_line})", path.display()))
}

/// Warnings about logs already in the folder that the team could not read, or that others
/// than their owner could write.
#[cfg(unix)]
fn existing_logs(dir: &Path, gid: u32) -> Vec<String> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let Ok(found) = crate::labels::folder_logs(dir, false) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in &found.logs {
        let Ok(m) = std::fs::symlink_metadata(p) else {
            continue;
        };
        let mode = m.permissions().mode() & 0o777;
        if mode & 0o022 != 0 {
            out.push(format!(
                "warning: {} can be written by others than its owner (mode {mode:04o}) - chmod go-w it",
                p.display()
            ));
        }
        if m.gid() != gid {
            out.push(format!(
                "warning: {} belongs to group {}, not {} - chgrp {} it, so the team can read it",
                p.display(),
                group_name(m.gid()),
                group_name(gid),
                group_name(gid)
            ));
        }
    }
    for p in &found.links {
        out.push(format!(
            "warning: {} is a symbolic link; prefer neither writes nor (by default) reads through it - remove it",
            p.display()
        ));
    }
    out
}

/// The id of the group `name` (a number is taken as an id).
#[cfg(unix)]
fn group_id(name: &str) -> anyhow::Result<u32> {
    if let Ok(n) = name.parse::<u32>() {
        return Ok(n);
    }
    let c = std::ffi::CString::new(name)?;
    let mut gr: libc::group = unsafe { std::mem::zeroed() };
    let mut buf = vec![0u8; 1 << 16];
    let mut out: *mut libc::group = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; `gr` is read only when `out` is set.
    let rc = unsafe {
        libc::getgrnam_r(
            c.as_ptr(),
            &mut gr,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut out,
        )
    };
    if rc != 0 || out.is_null() {
        bail!("no such group");
    }
    Ok(gr.gr_gid)
}

/// `name (gid)`, or the number alone when the system does not know it.
#[cfg(unix)]
fn group_name(gid: u32) -> String {
    let mut gr: libc::group = unsafe { std::mem::zeroed() };
    let mut buf = vec![0u8; 1 << 16];
    let mut out: *mut libc::group = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call; the name is read only when `out` is set.
    let rc =
        unsafe { libc::getgrgid_r(gid, &mut gr, buf.as_mut_ptr().cast(), buf.len(), &mut out) };
    if rc == 0 && !out.is_null() {
        // SAFETY: on success gr_name points at a NUL-terminated string inside `buf`.
        let name = unsafe { std::ffi::CStr::from_ptr(gr.gr_name) };
        return format!("{} ({gid})", name.to_string_lossy());
    }
    gid.to_string()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    #[test]
    fn sets_the_folder_up_and_writes_the_settings_once() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("three.labels");
        let out = init(&d, None, Some(2)).unwrap();
        let m = std::fs::metadata(&d).unwrap();
        assert_eq!(m.permissions().mode() & 0o7777, FOLDER_MODE, "{out:?}");
        let s = crate::labels::FolderSettings::load(&d).unwrap();
        assert_eq!(s.overlap, Some(2));
        let toml = std::fs::metadata(d.join(SETTINGS_FILE)).unwrap();
        assert_eq!(toml.permissions().mode() & 0o777, 0o640);
        assert_eq!(toml.gid(), m.gid());
        // Again: the same settings are fine, other ones are refused and nothing changes.
        init(&d, None, Some(2)).unwrap();
        init(&d, None, None).unwrap();
        let e = init(&d, None, Some(3)).unwrap_err().to_string();
        assert!(e.contains("overlap = 2"), "{e}");
        assert_eq!(
            crate::labels::FolderSettings::load(&d).unwrap().overlap,
            Some(2)
        );
    }

    #[test]
    fn refuses_a_link_and_an_unknown_group() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("l.labels");
        std::os::unix::fs::symlink(dir.path(), &link).unwrap();
        let e = init(&link, None, None).unwrap_err().to_string();
        assert!(e.contains("is a symbolic link"), "{e}");
        let e = init(&dir.path().join("x"), Some("no-such-group-here"), None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no group named no-such-group-here"), "{e}");
    }
}
