//! Where a session resumes, from a labels log written to disk and replayed the way `prefer
//! label` replays it. The logs are the awkward kind a real one becomes: gaps in the decided
//! tasks, a decision made on an older version of an item (stale), a retracted decision, the
//! display order shuffled, and the labeler's last decision on the last task.
//!
//! Fails if resume starts its search anywhere but the start of the task list: for example at
//! index = number of decisions, which finds an open task late in the list (or none) while an
//! early one is still open.

use std::path::Path;
use std::sync::Arc;

use prefer::format::{Dataset, load_bytes};
use prefer::labels::{Event, LabelLog, TaskKind};
use prefer::tasks::{Tasks, task_key};
use prefer::tui::model::{Model, Setup};
use serde_json::json;

/// `n` items of `k` candidates each.
fn dataset(n: usize, k: usize) -> Arc<Dataset> {
    let mut text = String::new();
    for i in 0..n {
        let cands: Vec<_> = (0..k)
            .map(|c| json!({"id": format!("c{c}"), "text": format!("answer {c} to {i}")}))
            .collect();
        text.push_str(
            &json!({"id": format!("q{i}"), "prompt": format!("question {i}"), "candidates": cands})
                .to_string(),
        );
        text.push('\n');
    }
    Arc::new(load_bytes(Path::new("set.jsonl"), text.as_bytes()).unwrap())
}

/// The decision on task `t` as the session would log it (sides as shown, shuffle on).
fn decision(d: &Dataset, tasks: &Tasks, t: usize, mode: TaskKind, hash: Option<&str>) -> Event {
    let (pos, _) = tasks.locate(t);
    let item = &d.items[pos];
    let task = tasks.task(t, item, "alice", true);
    let mut e = Event::new("alice", &item.id, Some(hash.unwrap_or(&item.hash)), mode);
    match task.pair {
        Some((l, r)) => {
            let (l, r) = (
                &item.candidates[l as usize].id,
                &item.candidates[r as usize].id,
            );
            e.pair = Some([l.clone(), r.clone()]);
            e.choice = Some(r.clone());
        }
        None => {
            let order = prefer::tasks::display_order(item, "alice", true);
            e.shown = Some(
                order
                    .iter()
                    .map(|&c| item.candidates[c].id.clone())
                    .collect(),
            );
            e.ranking = Some(
                order
                    .iter()
                    .map(|&c| vec![item.candidates[c].id.clone()])
                    .collect(),
            );
        }
    }
    assert_eq!(e.key(), task_key(item, mode, &task));
    e
}

/// Writes a log where every task is decided in order except: `stale` (decided on an older
/// version of its item), `retracted` (decided, then taken back later in the log) and `gaps`
/// (never decided). The last event is the decision on the last task. Resumes from it.
fn resume(
    d: &Arc<Dataset>,
    mode: TaskKind,
    stale: usize,
    retracted: usize,
    gaps: &[usize],
) -> Model {
    let mut tasks = Tasks::new(mode);
    for it in &d.items {
        tasks.push(Some(it.candidates.len()));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alice.jsonl");
    {
        let mut log = LabelLog::open(&path).unwrap().log;
        for t in 0..tasks.len() {
            if t == retracted + 2 {
                // Taken back a little later, in the middle of the log.
                let mut undo = decision(d, &tasks, retracted, mode, None);
                undo.retract = true;
                undo.choice = None;
                undo.ranking = None;
                log.append(&mut undo).unwrap();
            }
            if gaps.contains(&t) {
                continue;
            }
            let hash = (t == stale).then_some("an-older-version");
            log.append(&mut decision(d, &tasks, t, mode, hash)).unwrap();
        }
    }
    let opened = LabelLog::open_decisions(&path).unwrap();
    Model::new(Setup {
        shuffle: true,
        decisions: opened.decisions,
        ..Setup::new(Arc::clone(d) as _, "alice", mode)
    })
    .unwrap()
}

#[test]
fn pair_mode_resumes_at_the_first_open_task_with_gaps_stale_and_retracted_before_it() {
    // 8 items of 3 candidates: 24 pair tasks. Open: 4 (stale), 10 (retracted), 13 and 21
    // (never decided). 20 are decided, and the last decision is on task 23.
    let d = dataset(8, 3);
    let m = resume(&d, TaskKind::Pair, 4, 10, &[13, 21]);
    assert_eq!(m.decided_count(), 20);
    assert_eq!(m.stale, 1);
    assert_eq!(m.open_count(), 4);
    assert_eq!(m.current, 4, "resumed at task {}", m.current + 1);
    assert!(!m.view.decided);
    assert_eq!(m.first_open_from(m.current + 1), Some(10));
}

#[test]
fn rank_mode_resumes_at_the_first_open_task_with_gaps_stale_and_retracted_before_it() {
    // 30 items: open are 2 (retracted), 5 (stale) and 27 (never decided); the last decision
    // is on item 29.
    let d = dataset(30, 4);
    let m = resume(&d, TaskKind::Rank, 5, 2, &[27]);
    assert_eq!(m.decided_count(), 27);
    assert_eq!(m.stale, 1);
    assert_eq!(m.current, 2, "resumed at task {}", m.current + 1);
    assert!(!m.view.decided);
    assert_eq!(m.first_open_from(3), Some(5));
}
