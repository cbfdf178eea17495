//! A labels folder shared by several Unix users on one server: `prefer team init`, then other
//! users (through `setpriv`) plant symbolic links and go after each other's logs. Each attempt
//! is refused or reported, and nothing is written outside the folder. Needs root (to act as
//! other users); skips with a note when not root, except in CI (`CI=true`), where it fails.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{BIN, Session, log_events, pair_file};

/// The team's group, and its members (their primary group is the team's).
const TEAM: u32 = 60000;
const ALICE: u32 = 60001;
/// `nobody`: the member who plants links.
const BOB: u32 = 65534;

/// True when the test can act as other users; otherwise says why (and fails in CI).
fn can_switch_users() -> bool {
    let root = unsafe { libc::geteuid() } == 0;
    let setpriv = Command::new("setpriv").arg("--version").output().is_ok();
    if root && setpriv {
        return true;
    }
    let why = if root {
        "setpriv (util-linux) is not installed"
    } else {
        "the test is not running as root"
    };
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}: the shared-folder tests must run in CI");
    }
    eprintln!("skipped: {why}; these tests act as other Unix users");
    false
}

/// Runs `program args` in `cwd` as `uid` with primary group `gid` and no other groups.
fn run_as(uid: u32, gid: u32, cwd: &Path, program: &str, args: &[&str]) -> Output {
    Command::new("setpriv")
        .arg(format!("--reuid={uid}"))
        .arg(format!("--regid={gid}"))
        .arg("--clear-groups")
        .arg(program)
        .args(args)
        .current_dir(cwd)
        .env("HOME", cwd)
        .env_remove("PREFER_CONFIG")
        .env_remove("PREFER_ANNOTATOR")
        .env_remove("XDG_CONFIG_HOME")
        .output()
        .expect("run setpriv")
}

fn prefer_as(uid: u32, cwd: &Path, args: &[&str]) -> Output {
    run_as(uid, TEAM, cwd, BIN, args)
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777
}

/// A temporary folder every test user can enter (tempdirs are 0700), with the candidate file.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let set = pair_file(dir.path(), 3);
    std::fs::set_permissions(&set, std::fs::Permissions::from_mode(0o644)).unwrap();
    dir
}

/// Every file under `dir` with its bytes (links as their target), to show nothing changed.
fn snapshot(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let what = if m.file_type().is_symlink() {
                format!("-> {}", std::fs::read_link(&p).unwrap().display())
            } else if m.is_dir() {
                stack.push(p.clone());
                "dir".into()
            } else {
                String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned()
            };
            out.push((p, what));
        }
    }
    out.sort();
    out
}

/// Labels item 1 as `uid` under `name` in a terminal, through `setpriv`; waits for the save.
fn label_one(dir: &Path, uid: u32, name: &str, extra: &[&str]) -> String {
    let mut args = vec![
        format!("--reuid={uid}"),
        format!("--regid={TEAM}"),
        "--clear-groups".into(),
        BIN.into(),
        "label".into(),
        "set.jsonl".into(),
        "--annotator".into(),
        name.into(),
        "--no-shuffle".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut s = Session::spawn_program("setpriv", &args, dir, &[], 140, 30);
    s.wait_text("task 1/3", 15);
    s.send("a");
    s.wait_text("✓ saved", 15);
    s.send("q");
    assert_eq!(s.wait_exit(15), Some(0));
    String::from_utf8_lossy(&s.output()).into_owned()
}

#[test]
fn team_init_sets_modes_and_members_cannot_touch_each_others_logs() {
    if !can_switch_users() {
        return;
    }
    let dir = workspace();
    let d = dir.path();
    let labels = d.join("set.labels");
    let out = Command::new(BIN)
        .args(["team", "init", "set.labels", "--group", &TEAM.to_string()])
        .args(["--overlap", "2"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    // The folder: group-owned, rwxrws--T; prefer.toml readable by the group.
    let m = std::fs::metadata(&labels).unwrap();
    assert_eq!((mode(&labels), m.gid()), (0o3770, TEAM));
    let stat = Command::new("stat")
        .args(["-c", "%A %g", "set.labels"])
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&stat.stdout).trim(),
        "drwxrws--T 60000"
    );
    let toml = labels.join("prefer.toml");
    assert_eq!(mode(&toml), 0o640);
    assert_eq!(std::fs::metadata(&toml).unwrap().gid(), TEAM);

    // Alice labels: her log is hers, the team's group, 0640, and every event says who wrote it.
    label_one(d, ALICE, "alice", &[]);
    let alice = labels.join("alice.jsonl");
    let m = std::fs::metadata(&alice).unwrap();
    assert_eq!((m.uid(), m.gid(), mode(&alice)), (ALICE, TEAM, 0o640));
    let events = log_events(&alice);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["uid"], ALICE);
    let before = std::fs::read(&alice).unwrap();

    // Bob (another member) cannot delete, rename, overwrite or append to it.
    let ab = |args: &[&str]| run_as(BOB, TEAM, d, args[0], &args[1..]);
    for attempt in [
        &["rm", "-f", "set.labels/alice.jsonl"][..],
        &["mv", "set.labels/alice.jsonl", "set.labels/mine.jsonl"],
        &["sh", "-c", "echo x > set.labels/alice.jsonl"],
        &["sh", "-c", "echo x >> set.labels/alice.jsonl"],
    ] {
        let o = ab(attempt);
        assert!(!o.status.success(), "{attempt:?} worked: {}", text(&o));
    }
    let o = prefer_as(BOB, d, &["label", "set.jsonl", "--annotator", "alice"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("Permission denied"), "{}", text(&o));
    assert_eq!(std::fs::read(&alice).unwrap(), before);
    // Nor replace the folder's settings.
    let o = ab(&[
        "sh",
        "-c",
        "rm -f set.labels/prefer.toml; echo overlap = 9 > set.labels/prefer.toml",
    ]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(
        std::fs::read_to_string(&toml)
            .unwrap()
            .contains("overlap = 2")
    );

    // Someone outside the group cannot even look in.
    let o = run_as(60009, 60009, d, "ls", &["set.labels"]);
    assert!(!o.status.success(), "{}", text(&o));
}

#[test]
fn planted_links_are_refused_and_nothing_is_written_outside_the_folder() {
    if !can_switch_users() {
        return;
    }
    let dir = workspace();
    let d = dir.path();
    let labels = d.join("set.labels");
    let o = Command::new(BIN)
        .args(["team", "init", "set.labels", "--group", &TEAM.to_string()])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    label_one(d, ALICE, "alice", &[]);

    // Places alice can write, outside the folder: what a link would redirect her writes to.
    let outside = d.join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("empty"), "").unwrap();
    std::fs::create_dir(outside.join("dir")).unwrap();
    for p in [outside.clone(), outside.join("dir")] {
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    std::os::unix::fs::chown(outside.join("empty"), Some(ALICE), None).unwrap();

    // Bob plants links under the names others will label as.
    let plant = |target: &Path, name: &str| {
        let link = format!("set.labels/{name}.jsonl");
        let o = run_as(BOB, TEAM, d, "ln", &["-s", target.to_str().unwrap(), &link]);
        assert!(o.status.success(), "{}", text(&o));
    };
    plant(&outside.join("new"), "dangling");
    plant(&labels.join("alice.jsonl"), "another");
    plant(&outside.join("empty"), "empty");
    plant(&outside.join("dir"), "folder");
    let before_outside = snapshot(&outside);
    let alice_log = std::fs::read(labels.join("alice.jsonl")).unwrap();

    for name in ["dangling", "another", "empty", "folder"] {
        let o = prefer_as(ALICE, d, &["label", "set.jsonl", "--annotator", name]);
        let msg = text(&o);
        assert!(!o.status.success(), "{name}: {msg}");
        assert!(
            msg.contains(&format!(
                "set.labels/{name}.jsonl is a symbolic link; prefer does not write through links in a shared folder"
            )),
            "{name}: {msg}"
        );
    }
    assert_eq!(snapshot(&outside), before_outside);
    assert!(!outside.join("new").exists());
    assert_eq!(
        std::fs::read(labels.join("alice.jsonl")).unwrap(),
        alice_log
    );

    // Reading: export and stats leave the links out and name them; --strict refuses.
    let o = prefer_as(ALICE, d, &["export", "set.jsonl", "--ties", "keep"]);
    let msg = text(&o);
    assert!(o.status.success(), "{msg}");
    for name in ["dangling", "another", "empty", "folder"] {
        assert!(
            msg.contains(&format!(
                "set.labels/{name}.jsonl is a symbolic link; prefer does not read through links"
            )),
            "{name}: {msg}"
        );
    }
    assert!(
        msg.contains("from 1 decision(s) by 1 annotator(s)"),
        "{msg}"
    );
    let o = prefer_as(
        ALICE,
        d,
        &["export", "set.jsonl", "--strict", "-o", "out.jsonl"],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("--strict: 4 problem(s)"), "{}", text(&o));
    assert!(!d.join("out.jsonl").exists());
    let o = prefer_as(ALICE, d, &["stats", "set.jsonl"]);
    assert!(
        text(&o).contains("another.jsonl is a symbolic link"),
        "{}",
        text(&o)
    );

    // The folder may allow reading through links; writing through one stays refused.
    std::fs::write(labels.join("prefer.toml"), "follow_links = true\n").unwrap();
    let o = prefer_as(ALICE, d, &["export", "set.jsonl"]);
    let msg = text(&o);
    assert!(!msg.contains("another.jsonl is a symbolic link"), "{msg}");
    assert!(msg.contains("dangling.jsonl is a symbolic link"), "{msg}");
    let o = prefer_as(ALICE, d, &["label", "set.jsonl", "--annotator", "another"]);
    assert!(
        text(&o).contains("another.jsonl is a symbolic link"),
        "{}",
        text(&o)
    );
    assert_eq!(snapshot(&outside), before_outside);
}

#[test]
fn a_linked_settings_file_is_refused_and_an_open_folder_is_warned_about() {
    if !can_switch_users() {
        return;
    }
    let dir = workspace();
    let d = dir.path();
    // A folder the way teams make it without help: writable by everyone, no sticky bit.
    let labels = d.join("set.labels");
    std::fs::create_dir(&labels).unwrap();
    std::fs::set_permissions(&labels, std::fs::Permissions::from_mode(0o777)).unwrap();
    let outside = d.join("outside");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("settings"), "overlap = 1\n").unwrap();
    let o = run_as(
        BOB,
        TEAM,
        d,
        "ln",
        &["-s", "../outside/settings", "set.labels/prefer.toml"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = prefer_as(ALICE, d, &["label", "set.jsonl", "--annotator", "alice"]);
    assert!(!o.status.success());
    assert!(
        text(&o).contains("set.labels/prefer.toml is a symbolic link"),
        "{}",
        text(&o)
    );
    let o = Command::new(BIN)
        .args(["team", "init", "set.labels"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        text(&o).contains("prefer.toml is a symbolic link"),
        "{}",
        text(&o)
    );
    assert_eq!(
        std::fs::read_to_string(outside.join("settings")).unwrap(),
        "overlap = 1\n"
    );
    assert_eq!(mode(&labels), 0o777, "team init changed nothing");

    // Without the link: labeling works, and says once that the folder is open to everyone.
    std::fs::remove_file(labels.join("prefer.toml")).unwrap();
    let out = label_one(d, ALICE, "alice", &[]);
    let warning = "is writable by every user and has no sticky bit";
    assert_eq!(
        out.matches(&format!("note: the labels folder set.labels {warning}"))
            .count(),
        1,
        "{out}"
    );
    assert!(out.contains("prefer team init set.labels"), "{out}");
}

/// A pair decision on `item-i` as written by `uid` under `name`.
fn event(dir: &Path, name: &str, uid: u32, i: usize, choice: &str) -> String {
    let d = prefer::format::load(&dir.join("set.jsonl")).unwrap();
    let item = &d.items[i];
    format!(
        "{{\"v\":1,\"at\":\"2026-11-26T10:00:00.000Z\",\"annotator\":\"{name}\",\"item\":\"{}\",\"item_hash\":\"{}\",\"task\":\"pair\",\"pair\":[\"c0\",\"c1\"],\"choice\":\"{choice}\",\"ms\":900,\"uid\":{uid}}}\n",
        item.id, item.hash
    )
}

#[test]
fn uid_mismatch_and_one_uid_two_names_are_reported_by_review_stats_and_export() {
    if !can_switch_users() {
        return;
    }
    let dir = workspace();
    let d = dir.path();
    let labels = d.join("set.labels");
    let o = Command::new(BIN)
        .args(["team", "init", "set.labels", "--group", &TEAM.to_string()])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    // alice's log holds a line bob wrote; bob also labels as bob and as robert.
    let write = |name: &str, owner: u32, body: String| {
        let p = labels.join(format!("{name}.jsonl"));
        std::fs::write(&p, body).unwrap();
        std::os::unix::fs::chown(&p, Some(owner), Some(TEAM)).unwrap();
    };
    write(
        "alice",
        ALICE,
        event(d, "alice", ALICE, 0, "c0") + &event(d, "alice", BOB, 1, "c1"),
    );
    write("bob", BOB, event(d, "bob", BOB, 0, "c1"));
    write("robert", BOB, event(d, "robert", BOB, 0, "c1"));
    // An old log without uids: nothing to say about it.
    let mut old = event(d, "carol", ALICE, 2, "c0");
    old = old.replace(&format!(",\"uid\":{ALICE}"), "");
    write("carol", ALICE + 2, old);

    let foreign = format!("set.labels/alice.jsonl: 1 event written by uid {BOB}");
    let owner = format!("but the file belongs to uid {ALICE}");
    let two = format!("uid {BOB}");
    // The line bob wrote into alice's log, as alice, counts too.
    let names = "wrote as 3 annotators: alice (1 event), bob (1 event), robert (1 event)";
    let check = |what: &str, msg: &str| {
        assert!(msg.contains(&foreign), "{what}: {msg}");
        assert!(msg.contains(&owner), "{what}: {msg}");
        assert!(msg.contains(&two) && msg.contains(names), "{what}: {msg}");
        let said: Vec<&str> = msg
            .lines()
            .filter(|l| l.contains("warning:") || l.contains("note:"))
            .collect();
        assert!(
            said.iter().all(|l| !l.contains("carol")),
            "{what}: {said:?}"
        );
    };
    let o = prefer_as(ALICE, d, &["export", "set.jsonl"]);
    assert!(o.status.success(), "{}", text(&o));
    check("export", &text(&o));
    let o = prefer_as(ALICE, d, &["export", "set.jsonl", "--strict"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("--strict: 2 problem(s)"), "{}", text(&o));
    let o = prefer_as(ALICE, d, &["stats", "set.jsonl"]);
    assert!(o.status.success(), "{}", text(&o));
    check("stats", &text(&o));
    let o = prefer_as(ALICE, d, &["agreement", "set.jsonl"]);
    check("agreement", &text(&o));

    // Review (as root, the lead): the same, said when it starts and again on the way out.
    let mut s = Session::spawn(
        &["review", "set.jsonl", "--annotator", "lead"],
        d,
        &[],
        200,
        30,
    );
    // The review's own header (the screen while the labels are read says "review" too, and
    // a q there ends before the findings are reported).
    s.wait_text("review all", 15);
    s.send("q");
    assert_eq!(s.wait_exit(15), Some(0));
    let out = String::from_utf8_lossy(&s.output()).into_owned();
    check("review", &out.replace("\r\n", "\n"));
}
