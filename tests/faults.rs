//! Faults while labeling, with the real binary: a read-only labels folder, a full disk (a file
//! size limit, so writes fail with EFBIG), the log moved away, the candidate file edited.
//! (A second `prefer label` on the same log: tests/e2e_label.rs.)

mod common;

use std::path::Path;
use std::process::Command;

use common::{BIN, Session, log_events, pair_file};

fn is_root() -> bool {
    unsafe { libc::geteuid() == 0 }
}

fn chmod(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// `prefer label` in `dir` as a user who cannot write where the log goes. As root, chmod does
/// not stop writes, so the child runs as `nobody` (65534) over files it may read but not write.
fn label_as_unprivileged(dir: &Path) -> std::process::Output {
    let mut bin = std::path::PathBuf::from(BIN);
    if is_root() {
        // The build folder may sit in a home folder `nobody` cannot enter: use a copy.
        let copy = dir.join("prefer-bin");
        if !copy.exists() {
            std::fs::copy(BIN, &copy).unwrap();
            chmod(&copy, 0o755);
        }
        bin = copy;
    }
    let mut cmd = Command::new(bin);
    cmd.args(["label", "set.jsonl", "--annotator", "tess"])
        .current_dir(dir)
        .env_remove("PREFER_ANNOTATOR");
    if is_root() {
        use std::os::unix::process::CommandExt;
        cmd.uid(65534).gid(65534);
        // Its own home: root's settings folder is not readable to it.
        cmd.env("HOME", dir);
    }
    cmd.output().unwrap()
}

/// Fails if prefer opens its screen (or exits 0) when the log cannot be written, so the labeler
/// would work and lose it all; or if the message does not say what is wrong and where.
#[test]
fn a_read_only_labels_folder_is_a_clear_error_before_any_screen() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 3);
    let labels = dir.path().join("set.labels");
    std::fs::create_dir(&labels).unwrap();
    // Readable by all (the unprivileged child must get in); writable only by the owner, or
    // by nobody when not root.
    chmod(dir.path(), 0o755);
    chmod(&dir.path().join("set.jsonl"), 0o644);
    chmod(&labels, if is_root() { 0o755 } else { 0o555 });

    let out = label_as_unprivileged(dir.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cannot open the labels log set.labels/tess.jsonl for writing")
            && err.contains("Permission denied")
            && err.contains("choose another place with --out"),
        "{err}"
    );
    // No screen was opened: nothing switched to the alternate screen.
    assert!(!out.stdout.windows(8).any(|w| w == b"\x1b[?1049h"));
    assert!(!labels.join("tess.jsonl").exists());

    // The labels folder does not exist and cannot be made.
    std::fs::remove_dir(&labels).unwrap();
    if !is_root() {
        chmod(dir.path(), 0o555);
    }
    let out = label_as_unprivileged(dir.path());
    if !is_root() {
        chmod(dir.path(), 0o755);
    }
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cannot create the labels folder set.labels") && err.contains("--out"),
        "{err}"
    );
    assert!(!labels.exists());
}

/// Sets the soft file-size limit of process `pid` (bytes; `None` = unlimited).
fn set_file_limit(pid: u32, bytes: Option<u64>) {
    let mut old = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    let r = unsafe {
        libc::prlimit(
            pid as libc::pid_t,
            libc::RLIMIT_FSIZE,
            std::ptr::null(),
            &mut old,
        )
    };
    assert_eq!(r, 0, "prlimit read");
    let new = libc::rlimit {
        rlim_cur: bytes.unwrap_or(libc::RLIM_INFINITY),
        rlim_max: old.rlim_max,
    };
    let r = unsafe {
        libc::prlimit(
            pid as libc::pid_t,
            libc::RLIMIT_FSIZE,
            &new,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(r, 0, "prlimit set: {}", std::io::Error::last_os_error());
}

/// A full disk, made with a file size limit (SIGXFSZ ignored, so writes fail with EFBIG).
/// Fails if a decision is shown as saved when it is not on disk, is not saved once space
/// returns, is written twice, leaves a partial line in the log, or is lost on quit.
#[test]
fn a_full_disk_shows_not_saved_retries_and_rescues_on_quit() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 5);
    let log = dir.path().join("t.jsonl");
    // bash only sets the limit and execs: the PTY child's pid is prefer's.
    let script = "trap '' XFSZ; ulimit -S -f 0; exec \"$0\" label set.jsonl --annotator tess --no-shuffle --out t.jsonl";
    let mut s = Session::spawn_program("bash", &["-c", script, BIN], dir.path(), &[], 200, 30);
    s.wait_text("task 1/5", 10);

    s.send("a");
    let screen = s.wait_for("✗ NOT SAVED (1)", 10, |sc| {
        sc.contains("✗ NOT SAVED (1)") && sc.contains("File too large")
    });
    assert!(screen.contains("File too large"), "{screen}");
    assert!(
        screen.contains("kept in memory, retrying every second"),
        "{screen}"
    );
    assert_eq!(
        std::fs::metadata(&log).unwrap().len(),
        0,
        "nothing reached the log"
    );
    assert!(screen.contains("▏ 1/5"), "the decision counts in memory");

    // Space comes back: the next retry (every second) saves it, once.
    set_file_limit(s.pid(), None);
    s.wait_text("✓ saved", 30);
    let events = log_events(&log);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["item"], "item-0");
    assert_eq!(events[0]["choice"], "c0");

    // Full again, with room for half a line: the write is partial, then cut back.
    let len = std::fs::metadata(&log).unwrap().len();
    set_file_limit(s.pid(), Some(len + len / 2));
    s.send("a");
    s.wait_text("✗ NOT SAVED (1)", 10);
    // Two retries, counted on the screen: they fail too and leave no partial line behind.
    s.wait_text("(failed 3x)", 30);
    assert_eq!(std::fs::metadata(&log).unwrap().len(), len);
    assert_eq!(log_events(&log).len(), 1);

    // Quit asks first, then writes the unsaved decision to a rescue file beside the log.
    s.send("q");
    s.wait_text("1 decision is not on disk yet", 5);
    s.send("q");
    let code = s.wait_exit(10);
    assert!(matches!(code, Some(c) if c != 0), "exit code {code:?}");
    let out = String::from_utf8_lossy(&s.output()).to_string();
    assert!(out.contains("could not be written to the log"), "{out}");
    let rescues: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains("t.jsonl.rescue-"))
        .collect();
    assert_eq!(rescues.len(), 1, "{out}");
    let rescued = log_events(&rescues[0]);
    assert_eq!(rescued.len(), 1);
    assert_eq!(rescued[0]["item"], "item-1");
    assert_eq!(rescued[0]["choice"], "c0");
    assert!(rescued[0]["at"].as_str().is_some_and(|a| a.ends_with('Z')));
    assert_eq!(log_events(&log).len(), 1);
}

/// Fails if appends go on into a log that was moved away (to a file nobody reads) while the
/// screen says saved, or if putting it back does not resume saving.
#[test]
fn a_moved_log_is_reported_and_saving_resumes_when_it_is_back() {
    let dir = tempfile::tempdir().unwrap();
    pair_file(dir.path(), 5);
    let args = [
        "label",
        "set.jsonl",
        "--annotator",
        "tess",
        "--no-shuffle",
        "--out",
        "t.jsonl",
    ];
    let mut s = Session::spawn(&args, dir.path(), &[], 200, 30);
    s.wait_text("task 1/5", 10);
    s.send("a");
    s.wait_for("saved", 10, |sc| {
        sc.contains("✓ saved") && sc.contains("▏ 1/5")
    });

    let log = dir.path().join("t.jsonl");
    let away = dir.path().join("elsewhere.jsonl");
    std::fs::rename(&log, &away).unwrap();
    s.send("b");
    // Waited for whole: the header can be drawn before the message line.
    s.wait_for("the moved log reported", 10, |sc| {
        sc.contains("✗ NOT SAVED (1)")
            && sc.contains("the labels log t.jsonl was moved or deleted during this session")
    });
    // Two retries, counted on the screen, and still nothing goes to the moved file.
    s.wait_text("(failed 3x)", 30);
    assert_eq!(
        log_events(&away).len(),
        1,
        "nothing appended to the moved file"
    );

    std::fs::rename(&away, &log).unwrap();
    s.wait_text("✓ saved", 30);
    let events = log_events(&log);
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(
        (&events[1]["item"], &events[1]["choice"]),
        (&"item-1".into(), &"c1".into())
    );
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
}

/// Fails if an edit of the candidate file goes unnoticed, or if a decision made on the version
/// shown is logged with the hash of another version (it would be mislabeled as current).
#[test]
fn an_edited_candidate_file_is_noticed_and_decisions_keep_the_hash_of_what_was_shown() {
    let dir = tempfile::tempdir().unwrap();
    let file = pair_file(dir.path(), 5);
    let original = std::fs::read(&file).unwrap();
    let args = ["label", "set.jsonl", "--annotator", "tess", "--no-shuffle"];
    let mut s = Session::spawn(&args, dir.path(), &[], 220, 30);
    s.wait_text("task 1/5", 10);
    s.send("a");
    s.wait_for("saved", 10, |sc| {
        sc.contains("✓ saved") && sc.contains("task 2/5")
    });
    assert!(s.screen().contains("Second answer to 1."));

    let edited = String::from_utf8(original.clone())
        .unwrap()
        .replace("Second answer to 1.", "Second answer to 1, edited.");
    std::fs::write(&file, &edited).unwrap();
    // Noticed without a key pressed (the file is looked at on the clock's tick); how soon is
    // a speed target, not something a loaded test machine can promise.
    s.wait_text("set.jsonl changed on disk", 30);
    // The screen keeps the version loaded at start, and the decision is recorded against it.
    assert!(s.screen().contains("Second answer to 1."));
    s.send("b");
    s.wait_for("saved", 10, |sc| {
        sc.contains("✓ saved") && sc.contains("▏ 2/5")
    });
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));

    let hash = |bytes: &[u8], id: &str| {
        let d = prefer::format::load_bytes(Path::new("set.jsonl"), bytes).unwrap();
        d.items.iter().find(|i| i.id == id).unwrap().hash.clone()
    };
    let events = log_events(&dir.path().join("set.labels/tess.jsonl"));
    assert_eq!(events[1]["item"], "item-1");
    assert_eq!(events[1]["item_hash"], hash(&original, "item-1").as_str());
    assert_ne!(
        events[1]["item_hash"],
        hash(edited.as_bytes(), "item-1").as_str()
    );

    // Opened again, the edited item's decision is stale: its task is open again, and said so.
    let mut s = Session::spawn(&args, dir.path(), &[], 220, 30);
    let screen = s.wait_for("task 2/5", 10, |sc| {
        sc.contains("task 2/5") && sc.contains("▏ 1/5")
    });
    assert!(screen.contains("▏ 1/5"), "{screen}");
    s.send("q");
    assert_eq!(s.wait_exit(10), Some(0));
    let out = String::from_utf8_lossy(&s.output()).to_string();
    assert!(
        out.contains("note: 1 logged decision is about an item whose text changed since"),
        "{out}"
    );
}
