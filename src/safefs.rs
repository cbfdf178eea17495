//! Opening files in a shared folder (a team's labels folder) without following a symbolic
//! link: every file prefer writes there (labels log, torn-tail copies, rescue file,
//! `prefer.toml`, an export's temporary file) is opened through here. Another member of the
//! team can plant `bob.jsonl -> /home/bob/.bashrc` in a folder they can write; opening with
//! `O_NOFOLLOW` makes that an error instead of a write to the link's target, and new files are
//! created with `O_CREAT|O_EXCL`, which never follows a link either. The check is part of the
//! `open` itself, so there is no window between looking and opening.
//!
//! Files prefer creates in a labels folder are readable by the group and writable only by
//! their owner ([`SHARED_MODE`], less what the umask takes away): a team member can read
//! everyone's log and write only their own.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Mode of the files prefer creates in a labels folder: owner read-write, group read-only,
/// nothing for others (the umask may take more away, never add).
pub const SHARED_MODE: u32 = 0o640;

/// The error for a path that is a symbolic link: names it and says why it is refused.
pub fn link_error(path: &Path, doing: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!(
            "{} is a symbolic link; prefer does not {doing} through links in a shared folder - remove the link (its owner or the folder's owner can)",
            path.display()
        ),
    )
}

/// True when `path` itself (not what it points to) is a symbolic link.
pub fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Options that refuse a symbolic link as the last part of the path.
pub fn options() -> OpenOptions {
    #[allow(unused_mut)]
    let mut o = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NOFOLLOW);
    }
    o
}

/// [`options`] giving new files [`SHARED_MODE`].
fn shared() -> OpenOptions {
    #[allow(unused_mut)]
    let mut o = options();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(SHARED_MODE);
    }
    o
}

/// Turns the error `open` gives for a link (`ELOOP`; `EMLINK` on FreeBSD) into [`link_error`].
fn explain(path: &Path, doing: &str, e: io::Error) -> io::Error {
    #[cfg(unix)]
    if matches!(e.raw_os_error(), Some(libc::ELOOP) | Some(libc::EMLINK)) && is_link(path) {
        return link_error(path, doing);
    }
    #[cfg(not(unix))]
    if is_link(path) {
        return link_error(path, doing);
    }
    e
}

/// Refuses anything but a plain file once open (a directory, a FIFO, a device planted under
/// a log's name).
fn plain(path: &Path, f: File) -> io::Result<File> {
    if f.metadata()?.is_file() {
        Ok(f)
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} is not a plain file; prefer writes its labels only to plain files",
                path.display()
            ),
        ))
    }
}

/// Opens `path` to read and append, creating it when missing; a symbolic link is refused.
pub fn open_append(path: &Path) -> io::Result<File> {
    #[cfg(not(unix))]
    if is_link(path) {
        return Err(link_error(path, "write"));
    }
    let f = shared()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| explain(path, "write", e))?;
    plain(path, f)
}

/// Creates a new file at `path` to write, with [`SHARED_MODE`] (`O_CREAT|O_EXCL`: an existing
/// file or link there is an error, `AlreadyExists`).
pub fn create_new(path: &Path) -> io::Result<File> {
    shared().write(true).create_new(true).open(path)
}

/// Opens an existing file at `path` to read; a symbolic link is refused.
pub fn open_read(path: &Path) -> io::Result<File> {
    #[cfg(not(unix))]
    if is_link(path) {
        return Err(link_error(path, "read"));
    }
    let f = options()
        .read(true)
        .open(path)
        .map_err(|e| explain(path, "read", e))?;
    plain(path, f)
}

/// Reads a whole file; a symbolic link is refused.
pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut f = open_read(path)?;
    let mut bytes = Vec::new();
    f.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The numeric id of the user this process acts as (the owner of the files it creates).
pub fn current_uid() -> Option<u32> {
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions and cannot fail.
        Some(unsafe { libc::geteuid() })
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The owner of the file at `path` (not following a link).
pub fn owner(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        std::fs::symlink_metadata(path).ok().map(|m| m.uid())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// A uid with its user name when the system knows it: `1000 (alice)`.
pub fn user_name(uid: u32) -> String {
    #[cfg(unix)]
    {
        let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
        let mut buf = vec![0u8; 4096];
        let mut out: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: every pointer is valid for the call; the name is read only when `out` is set.
        let rc =
            unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr().cast(), buf.len(), &mut out) };
        if rc == 0 && !out.is_null() {
            // SAFETY: on success pw_name points at a NUL-terminated string inside `buf`.
            let name = unsafe { std::ffi::CStr::from_ptr(pw.pw_name) };
            return format!("{uid} ({})", name.to_string_lossy());
        }
    }
    uid.to_string()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    #[test]
    fn links_are_refused_with_a_message_naming_them() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        let link = dir.path().join("bob.jsonl");
        symlink(&target, &link).unwrap();
        // Dangling: nothing is created at the target.
        let e = open_append(&link).unwrap_err();
        assert!(
            e.to_string().contains("bob.jsonl is a symbolic link"),
            "{e}"
        );
        assert!(!target.exists());
        // To a file: refused, the file untouched.
        std::fs::write(&target, "x").unwrap();
        assert!(open_append(&link).is_err());
        assert!(open_read(&link).is_err());
        assert_eq!(
            create_new(&link).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );
        assert_eq!(std::fs::read(&target).unwrap(), b"x");
    }

    #[test]
    fn new_files_are_not_group_writable_and_dirs_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        open_append(&p).unwrap();
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o022, 0, "{mode:o}");
        let sub = dir.path().join("d.jsonl");
        std::fs::create_dir(&sub).unwrap();
        assert!(open_append(&sub).is_err());
    }
}
