//! The bundled sample and the real candidate sets in ../shared/data (when present) validate and
//! draw without a raw control character reaching a cell, at 80x24 and 200x60.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use prefer::format::{self, ItemSource};
use prefer::labels::TaskKind;
use prefer::tui::keymap::Action;
use prefer::tui::model::{Model, Setup};
use prefer::tui::update::{Msg, update};
use prefer::tui::view::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn shared_candidates() -> Option<Vec<PathBuf>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/candidates");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    Some(files)
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/sample.jsonl")
}

/// Draws every item (first pair of each in pair mode) at two sizes, scrolling to the end of
/// each pane; checks no cell holds a control character.
fn draw_all(path: &Path, max_items: usize) {
    let d = Arc::new(format::load(path).unwrap());
    let n = d.len();
    for mode in [TaskKind::Rank, TaskKind::Pair] {
        if mode == TaskKind::Rank && d.items.iter().any(|i| i.candidates.len() > 9) {
            continue;
        }
        let mut m = Model::new(Setup {
            file_label: "f".into(),
            shuffle: true,
            ..Setup::new(d.clone(), "tester", mode)
        })
        .unwrap();
        for (w, h) in [(80u16, 24u16), (200, 60)] {
            update(&mut m, Msg::Resize(w, h), 0);
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            for _ in 0..n.min(max_items) {
                t.draw(|f| view(&m, f)).unwrap();
                update(&mut m, Msg::Key(Action::Bottom), 0);
                update(&mut m, Msg::Key(Action::FocusNext), 0);
                update(&mut m, Msg::Key(Action::Bottom), 0);
                t.draw(|f| view(&m, f)).unwrap();
                for cell in t.backend().buffer().content() {
                    assert!(
                        !cell.symbol().chars().any(char::is_control),
                        "{}: control char {:?} on screen at item {}",
                        path.display(),
                        cell.symbol(),
                        m.view.item.id
                    );
                }
                update(&mut m, Msg::Key(Action::NextTask), 0);
            }
        }
    }
}

#[test]
fn bundled_sample_validates_and_draws() {
    let d = format::load(&sample()).unwrap();
    assert!((10..=20).contains(&d.items.len()));
    assert!(
        d.items
            .iter()
            .all(|i| (2..=4).contains(&i.candidates.len()))
    );
    draw_all(&sample(), 100);
}

#[test]
fn shared_candidate_sets_validate() {
    let Some(files) = shared_candidates() else {
        eprintln!("skipped: ../shared/data/candidates is absent");
        return;
    };
    assert!(!files.is_empty());
    for f in files {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_prefer"))
            .arg("validate")
            .arg(&f)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{}:\n{text}", f.display());
        assert!(text.contains(": valid"), "{text}");
    }
}

#[test]
fn shared_candidate_sets_draw() {
    let Some(files) = shared_candidates() else {
        eprintln!("skipped: ../shared/data/candidates is absent");
        return;
    };
    for f in files {
        draw_all(&f, 25);
    }
}
