//! A labeler who starts when the team has already given every task its K decisions: the screen
//! that says so (who decided what, how to review, how to raise the overlap), the question asked
//! before a decision that would go beyond K, and the count of tasks that went beyond K by a
//! real race (two labelers on one task at the same moment) rather than by an extra decision
//! asked for. Pure: the loop passes in the command lines.

use super::model::{Model, NothingLeft, Overlay};
use crate::labels::{Event, TaskKey};

/// At the start of a labeling session, once the others' logs are read: when nothing is left for
/// this labeler, opens the screen that says so.
pub fn at_start(m: &mut Model, review: String, raise: String) {
    if m.review.is_some()
        || m.handed.is_some()
        || !m.checking_done()
        || m.first_open_from(0).is_some()
    {
        return;
    }
    let kind = m.mode;
    let mut by: Vec<(String, usize)> = m
        .team
        .others()
        .iter()
        .map(|(name, d)| (name.clone(), d.decided_count_of(kind)))
        .filter(|(_, n)| *n > 0)
        .collect();
    if by.is_empty() {
        // Nobody else decided anything: what is not open is this labeler's own work (or
        // gold held back), which the "done" summary tells.
        return;
    }
    by.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    by.push((m.annotator.clone(), m.decided_count()));
    m.nothing_left = Some(NothingLeft {
        total: m.tasks.len(),
        overlap: m.team.overlap,
        by_annotator: by,
        review,
        raise,
    });
    m.overlay = Overlay::NothingLeft;
}

/// The other annotators who decided `key`.
fn deciders(m: &Model, key: &TaskKey) -> Vec<String> {
    m.team
        .others()
        .iter()
        .filter(|(_, d)| d.is_decided(key))
        .map(|(n, _)| n.clone())
        .collect()
}

/// True when `ev` may be recorded. A decision on a task that already has its K decisions from
/// others (and none of this labeler's) would be one more than the team wants: the first time
/// it is held back with a message, and deciding again on the same task adds it. A decision
/// the labeler took back with undo is theirs to make again.
pub fn allowed(m: &mut Model, ev: &Event) -> bool {
    if m.review.is_some() || !ev.is_decision() {
        return true;
    }
    let key = ev.key();
    if m.team.wants(&key) || m.decisions.is_decided(&key) || m.extras.reopened.contains(&key) {
        return true;
    }
    if m.extras.asked.as_ref() == Some(&key) {
        m.extras.made.insert(key);
        return true;
    }
    let who = deciders(m, &key);
    m.status = Some(format!(
        "this task already has its {} decision{} ({}): decide again to add one more",
        m.team.overlap,
        crate::text::plural(m.team.overlap),
        who.join(", ")
    ));
    m.extras.asked = Some(key);
    false
}

/// Tasks with more than K decisions that no extra decision of this session explains: two
/// labelers took them at the same moment (or an earlier session added one on purpose).
pub fn races(m: &Model) -> usize {
    // Decided again after an undo while others had filled it: the labeler's own correction.
    let explained = m
        .extras
        .made
        .union(&m.extras.reopened)
        .filter(|k| m.decisions.is_decided(k) && m.team.others_on(k) >= m.team.overlap)
        .count();
    m.team.over().saturating_sub(explained)
}

/// Tasks decided beyond the overlap on purpose in this session, still standing.
pub fn extras(m: &Model) -> usize {
    m.extras
        .made
        .iter()
        .filter(|k| m.decisions.is_decided(k) && m.team.others_on(k) >= m.team.overlap)
        .count()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::format::{Dataset, FileKind, parse_item};
    use crate::labels::TaskKind;
    use crate::tui::keymap::Action::{self, *};
    use crate::tui::model::Setup;
    use crate::tui::update::{Effect, Msg, update};

    fn team_model(items: usize, overlap: usize) -> Model {
        let d = Arc::new(Dataset {
            path: PathBuf::from("t.jsonl"),
            kind: FileKind::JsonLines,
            items: (0..items)
                .map(|i| {
                    let v = json!({"id": format!("q{i}"), "prompt": "p", "candidates": ["a", "b"]});
                    Arc::new(parse_item(v, i + 1).unwrap())
                })
                .collect(),
        });
        let mut m = Model::new(Setup {
            file_label: "t.jsonl".into(),
            overlap,
            size: (120, 40),
            ..Setup::new(d, "cat", TaskKind::Rank)
        })
        .unwrap();
        update(&mut m, Msg::Resize(120, 40), 0);
        m
    }

    fn rank_by(who: &str, item: &str) -> Event {
        let mut e = Event::new(who, item, None, TaskKind::Rank);
        e.ranking = Some(vec![vec!["c0".into()], vec!["c1".into()]]);
        e
    }

    fn keys(m: &mut Model, actions: &[Action]) -> Vec<Event> {
        let mut out = Vec::new();
        for &a in actions {
            for fx in update(m, Msg::Key(a), 1000) {
                if let Effect::Append { seq, event } = fx {
                    out.push(*event);
                    update(m, Msg::Saved(seq), 1000);
                }
            }
        }
        out
    }

    /// Two others have decided every task of a three-task file, overlap 2.
    fn full_team() -> Model {
        let mut m = team_model(3, 2);
        let mut evs = Vec::new();
        for i in 0..3 {
            evs.push(rank_by("ann", &format!("q{i}")));
            evs.push(rank_by("ben", &format!("q{i}")));
        }
        m.apply_others(evs);
        at_start(
            &mut m,
            "prefer review t.jsonl".into(),
            "prefer team set overlap 3 t.jsonl".into(),
        );
        m
    }

    #[test]
    fn starting_with_nothing_left_says_so_and_adds_no_decision_unasked() {
        let mut m = full_team();
        assert_eq!(m.overlay, Overlay::NothingLeft);
        let n = m.nothing_left.clone().unwrap();
        assert_eq!(
            n.by_annotator,
            vec![("ann".into(), 3), ("ben".into(), 3), ("cat".into(), 0)]
        );
        // Any key closes the screen; a decision on a full task is held back and explained.
        assert!(keys(&mut m, &[NextTask]).is_empty());
        assert_eq!(m.overlay, Overlay::None);
        assert!(keys(&mut m, &[Number(1), Submit]).is_empty());
        let said = m.status.clone().unwrap();
        assert!(
            said.contains("already has its 2 decisions (ann, ben)"),
            "{said}"
        );
        assert_eq!(m.team.over(), 0);
        // Deciding again asks for it: one more, counted as asked for, not as a race.
        let added = keys(&mut m, &[Submit]);
        assert_eq!(added.len(), 1);
        assert_eq!(m.team.over(), 1);
        assert_eq!((extras(&m), races(&m)), (1, 0));
    }

    #[test]
    fn a_decision_taken_back_with_undo_is_made_again_without_asking() {
        // Overlap 1: cat decided q0, then ben added one more on purpose. cat takes theirs
        // back to change it: submitting again is a correction, not an extra to ask about.
        let mut m = team_model(2, 1);
        at_start(&mut m, String::new(), String::new());
        assert_eq!(keys(&mut m, &[Number(2), Submit]).len(), 1);
        m.apply_others(vec![rank_by("ben", "q0")]);
        let undone = keys(&mut m, &[Undo]);
        assert!(undone[0].retract, "{undone:?}");
        // A moment later (not typed ahead of the reopened task).
        let again: Vec<Event> = update(&mut m, Msg::Key(Submit), 5000)
            .into_iter()
            .filter_map(|fx| match fx {
                Effect::Append { event, .. } => Some(*event),
                _ => None,
            })
            .collect();
        assert_eq!(again.len(), 1, "held back: {:?}", m.status);
        assert!(again[0].is_decision());
        // Not a race, and not an extra asked for.
        assert_eq!((extras(&m), races(&m)), (0, 0));
    }

    #[test]
    fn a_real_race_is_counted_as_one() {
        let mut m = team_model(2, 1);
        at_start(&mut m, String::new(), String::new());
        assert_eq!(m.overlay, Overlay::None, "work is left");
        // Served q0 while it was open; bob decided it at the same moment.
        assert_eq!(keys(&mut m, &[Number(1), Submit]).len(), 1);
        update(&mut m, Msg::Others(vec![rank_by("bob", "q0")]), 0);
        assert_eq!((extras(&m), races(&m)), (0, 1));
    }

    #[test]
    fn the_screen_names_who_decided_and_the_commands() {
        let m = full_team();
        let text = crate::testutil::drawn(&m, 120, 40);
        for want in [
            "Nothing left for you in t.jsonl:",
            "every task already has its 2 decisions (3 tasks).",
            "ann      3",
            "cat      0  (you)",
            "prefer review t.jsonl",
            "prefer team set overlap 3 t.jsonl",
        ] {
            assert!(text.contains(want), "{want:?} not in\n{text}");
        }
    }
}
