//! Task and settings files: every fixture in tests/fixtures/tasks/ that starts with `valid_`
//! loads, and every `bad_` one fails with exactly the message in its `.err` file (the
//! folder's path left out, so the messages read as a labeler would see them).

use std::path::{Path, PathBuf};

use prefer::config::{Settings, Theme};
use prefer::labels::TaskKind;
use prefer::taskfile::{PairSelection, RationaleMode, TaskSpec};
use prefer::tui::keymap::KeyMap;

const DIR: &str = "tests/fixtures/tasks";

fn fixtures(suffix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no {suffix} fixtures");
    v
}

fn expected(path: &Path, suffix: &str) -> String {
    let _ = suffix;
    let err = path.with_extension("err");
    std::fs::read_to_string(&err)
        .unwrap_or_else(|e| panic!("{}: {e} (every bad_ fixture needs its .err)", err.display()))
        .trim_end()
        .to_string()
}

fn check<T, E: std::fmt::Display>(suffix: &str, load: impl Fn(&Path) -> Result<T, E>) {
    let (mut valid, mut bad) = (0, 0);
    for path in fixtures(suffix) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let got = load(&path).map_err(|e| e.to_string().replace(&format!("{DIR}/"), ""));
        if name.starts_with("valid_") {
            if let Err(e) = got {
                panic!("{name} should load: {e}");
            }
            valid += 1;
        } else if name.starts_with("bad_") {
            match got {
                Ok(_) => panic!("{name} loaded but should fail"),
                Err(e) => assert_eq!(e, expected(&path, suffix), "{name}"),
            }
            bad += 1;
        } else {
            panic!("{name}: fixtures are named valid_* or bad_*");
        }
    }
    assert!(valid > 0 && bad > 0);
}

#[test]
fn task_fixtures_load_or_fail_with_their_message() {
    check(".task.toml", TaskSpec::load);
}

#[test]
fn config_fixtures_load_or_fail_with_their_message() {
    // The settings file as `prefer label` reads it: the file, then the key map built from it.
    check(".config.toml", |p| {
        Settings::load_from(p, true).and_then(|s| KeyMap::from_settings(&s))
    });
}

#[test]
fn valid_fixtures_mean_what_they_say() {
    let t = TaskSpec::load(Path::new(
        "tests/fixtures/tasks/valid_rate_aspects.task.toml",
    ))
    .unwrap();
    assert_eq!(t.mode, Some(TaskKind::Rate));
    assert_eq!(t.rationale, RationaleMode::Required);
    assert_eq!(t.rate.scale, 3);
    assert_eq!(t.rate.aspects, ["helpfulness", "honesty", "harmlessness"]);
    let t = TaskSpec::load(Path::new("tests/fixtures/tasks/valid_rank_top.task.toml")).unwrap();
    assert_eq!(
        (t.rank.ties, t.rank.top, t.shuffle),
        (false, Some(2), false)
    );
    let s = Settings::load_from(
        Path::new("tests/fixtures/tasks/valid_keys.config.toml"),
        true,
    )
    .unwrap();
    assert_eq!(
        (s.annotator.as_deref(), s.theme),
        (Some("alice"), Theme::Monochrome)
    );
}

#[test]
fn the_sample_task_file_uses_every_option_and_parses() {
    let t = TaskSpec::load(Path::new("sample-data/task.toml")).unwrap();
    assert_eq!(t.mode, Some(TaskKind::Pair));
    assert_eq!(t.rationale, RationaleMode::Optional);
    assert_eq!((t.overlap, t.shuffle), (3, true));
    assert_eq!(t.pairs, PairSelection::Sample(3));
    assert_eq!(t.min_seconds, Some(4.0));
    let st = t.strength.as_ref().unwrap();
    assert_eq!(st.margins, [0.0, 1.0, 2.0, 3.0]);
    assert_eq!(st.labels[0], "negligibly better or unsure");
    let names: Vec<&str> = t.flags.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["unsafe", "factually wrong", "refuses", "broken formatting"]
    );
    let g = t.guidelines.as_ref().unwrap();
    assert!(g.text.starts_with("# Labeling guidelines"));
    // The commented [rank] and [rate] examples are valid once the mode matches.
    let src = std::fs::read_to_string("sample-data/task.toml").unwrap();
    for (mode, kind) in [("rank", TaskKind::Rank), ("rate", TaskKind::Rate)] {
        let block: String = src
            .lines()
            .skip_while(|l| *l != format!("# [{mode}]"))
            .take_while(|l| !l.is_empty())
            .map(|l| format!("{}\n", l.strip_prefix("# ").unwrap_or(l)))
            .collect();
        assert!(!block.is_empty(), "no commented [{mode}] table");
        let t = TaskSpec::parse(
            &format!("mode = \"{mode}\"\n{block}"),
            "task.toml",
            Path::new("sample-data"),
        )
        .unwrap_or_else(|e| panic!("{mode}: {e}"));
        assert_eq!(t.mode, Some(kind));
        if kind == TaskKind::Rank {
            assert_eq!((t.rank.ties, t.rank.top), (true, Some(2)));
        } else {
            assert_eq!(t.rate.aspects.len(), 3);
            assert_eq!(t.rate.labels[4], "5 = excellent");
        }
    }
}

/// docs/tasks-config.md shows sample-data/task.toml as "a complete example": it is that file,
/// word for word (a flag on `f`, review's filter key, crept into the docs once), and its flag
/// keys fit the default key map.
#[test]
fn the_docs_show_the_sample_task_file_as_it_is() {
    let docs = std::fs::read_to_string("docs/tasks-config.md").unwrap();
    let block: String = docs
        .lines()
        .skip_while(|l| *l != "```toml")
        .skip(1)
        .take_while(|l| *l != "```")
        .map(|l| format!("{l}\n"))
        .collect();
    let sample = std::fs::read_to_string("sample-data/task.toml").unwrap();
    assert_eq!(block, sample);
    let t = TaskSpec::load(Path::new("sample-data/task.toml")).unwrap();
    prefer::tui::keymap::KeyMap::default()
        .with_flags(&t.flags)
        .unwrap();
}
