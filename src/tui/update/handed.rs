//! With a store, the tasks a labeler may decide are those the database handed to them
//! ([`crate::store::handout`]): the screen serves only those (and the ones an undo gave
//! back), says so when it has none ("waiting for the server to hand out more tasks"), tells
//! the handing-out thread what was decided, skipped or undone once it is on disk, keeps the
//! leases alive while the labeler works, and asks again which tasks are still theirs after
//! an absence longer than a lease may safely be counted on.

use crate::labels::{Event, TaskKey};
use crate::store::handout::{Ask, Handed};

use super::Effect;
use crate::tui::model::{Model, Overlay, WAITING};

fn pair(k: &TaskKey) -> Option<(&str, &str)> {
    k.pair.as_ref().map(|(a, b)| (a.as_str(), b.as_str()))
}

/// No task to serve: the waiting screen, or "done" when nothing more will come.
pub fn wait(m: &mut Model) {
    if m.handed.as_ref().is_some_and(|h| h.none_left) {
        m.show_done();
    } else {
        m.overlay = Overlay::WaitingForTasks;
    }
}

/// At the start: the first task handed over, else the waiting screen.
pub fn begin(m: &mut Model) {
    if m.handed.is_none() || m.review.is_some() {
        return;
    }
    match m.first_open_from(m.current) {
        Some(i) => m.go_to(i),
        None => wait(m),
    }
}

/// The handing-out thread's report: the tasks held now.
pub fn on_handed(m: &mut Model, got: Handed, fx: &mut Vec<Effect>) {
    let Some(h) = m.handed.as_mut() else {
        return;
    };
    if got.generation < h.generation {
        return;
    }
    h.tasks = got.tasks;
    h.note = got.note;
    h.none_left = got.none_left;
    // Held tasks already decided or skipped here (the record did not reach the server: a
    // kill, or a quit while it was away) are recorded now.
    for k in &h.tasks {
        if m.decisions.is_decided(k) {
            fx.push(Effect::Handout(Ask::Decided(k.clone())));
        } else if m.decisions.is_skipped(k) {
            fx.push(Effect::Handout(Ask::Skipped(k.clone())));
        }
    }
    let key = m.view.key.clone();
    let lost = !h.holds(&key) && !m.decisions.has(&key.item, key.kind, pair(&key));
    let waiting = m.overlay == Overlay::WaitingForTasks;
    if !(waiting || (lost && m.overlay == Overlay::None)) {
        return;
    }
    match m.first_open_from(m.current) {
        Some(i) => {
            if waiting {
                stop_waiting(m);
            } else if m.touched {
                m.status = Some(
                    "this task is no longer yours (your lease ran out and it went to someone else); here is one that is".into(),
                );
            }
            if i != m.current || lost {
                m.go_to(i);
            }
        }
        None if lost || waiting => wait(m),
        None => {}
    }
}

/// The waiting screen closed: a task is there to serve.
fn stop_waiting(m: &mut Model) {
    m.overlay = Overlay::None;
    if m.status.as_deref().is_some_and(|s| s.contains(WAITING)) {
        m.status = None;
    }
}

/// More of a big file was checked: a task handed out whose item the checking had not reached
/// yet (the start does not wait for the whole file) may be served now.
pub fn on_more_tasks(m: &mut Model) {
    if m.handed.is_none() || m.overlay != Overlay::WaitingForTasks {
        return;
    }
    if let Some(i) = m.first_open_from(m.current) {
        stop_waiting(m);
        m.go_to(i);
    }
}

/// A key: renews the leases now and then; after an absence longer than half a lease, asks
/// which tasks are still the labeler's first (the key is not acted on: true).
pub fn on_key(m: &mut Model, quit: bool, now: u64, fx: &mut Vec<Effect>) -> bool {
    let Some(h) = m.handed.as_mut() else {
        return false;
    };
    let away = h
        .last_input_ms
        .is_some_and(|t| now.saturating_sub(t) > h.lease_ms / 2);
    h.last_input_ms = Some(now);
    if away && !quit {
        h.generation += 1;
        h.tasks.clear();
        h.reopened.clear();
        h.last_active_ms = now;
        fx.push(Effect::Handout(Ask::Recheck(h.generation)));
        m.overlay = Overlay::WaitingForTasks;
        m.status = Some(
            "you were away longer than half a lease: asking the server which tasks are still yours (press the key again when one is on screen)".into(),
        );
        return true;
    }
    if now.saturating_sub(h.last_active_ms) >= h.lease_ms / 4 {
        h.last_active_ms = now;
        fx.push(Effect::Handout(Ask::Active));
    }
    false
}

/// Time passes: the leases are renewed while the labeler pressed a key within half a lease.
pub fn on_tick(m: &mut Model, now: u64, fx: &mut Vec<Effect>) {
    let Some(h) = m.handed.as_mut() else {
        return;
    };
    let recent = h
        .last_input_ms
        .is_some_and(|t| now.saturating_sub(t) < h.lease_ms / 2);
    if recent && now.saturating_sub(h.last_active_ms) >= h.lease_ms / 4 {
        h.last_active_ms = now;
        fx.push(Effect::Handout(Ask::Active));
    }
}

/// One of the labeler's events is on disk: the server is told what it means for the task.
pub fn on_saved(m: &Model, ev: &Event, fx: &mut Vec<Effect>) {
    if m.handed.is_none() || ev.task == crate::labels::TaskKind::Edit {
        return;
    }
    let key = ev.key();
    fx.push(Effect::Handout(if ev.retract {
        Ask::Undone(key)
    } else if ev.skip {
        Ask::Skipped(key)
    } else {
        Ask::Decided(key)
    }));
}

/// Whether a decision key may act on the task on screen: it must be one handed to this
/// labeler (or one they decided already); else the status says why not.
pub fn may_decide(m: &mut Model) -> bool {
    let Some(h) = &m.handed else {
        return true;
    };
    let key = &m.view.key;
    if h.holds(key) || m.decisions.has(&key.item, key.kind, pair(key)) {
        return true;
    }
    m.status = Some(
        "this task is not handed to you (the server hands out tasks, so none gets more than its overlap) - } goes to yours".into(),
    );
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::TaskKind;
    use crate::tui::keymap::Action;
    use crate::tui::model::Setup;
    use crate::tui::update::{Msg, update};

    fn model() -> Model {
        let d = crate::tui::update_tests::dataset(&[2, 2, 2, 2]);
        let mut m = Model::new(Setup {
            file_label: "t.jsonl".into(),
            size: (120, 40),
            ..Setup::new(d, "alice", TaskKind::Pair)
        })
        .unwrap();
        m.handed = Some(crate::tui::model::HandedTasks::new(60_000));
        m.go_to(0);
        begin(&mut m);
        m
    }

    fn key(item: &str) -> TaskKey {
        TaskKey::pair(item, "c0", "c1")
    }

    fn handed(items: &[&str], generation: u64) -> Msg {
        Msg::Handed(Handed {
            tasks: items.iter().map(|i| key(i)).collect(),
            generation,
            ..Default::default()
        })
    }

    /// A key at `at`; each event handed to the writer is confirmed as saved. Returns the
    /// events written and what the handing-out thread was told.
    fn press(m: &mut Model, a: Action, at: u64) -> (Vec<Event>, Vec<Ask>) {
        let (mut events, mut asks) = (Vec::new(), Vec::new());
        let mut queue = vec![Msg::Key(a)];
        while let Some(msg) = queue.pop() {
            for fx in update(m, msg, at) {
                match fx {
                    Effect::Append { seq, event } => {
                        events.push(*event);
                        queue.push(Msg::Saved(seq));
                    }
                    Effect::Handout(a) => asks.push(a),
                    _ => {}
                }
            }
        }
        (events, asks)
    }

    #[test]
    fn with_a_store_only_the_tasks_handed_out_are_decided_and_the_server_hears_of_each() {
        let mut m = model();
        // Nothing handed out yet: the screen waits, and a decision key decides nothing.
        assert_eq!(m.overlay, Overlay::WaitingForTasks);
        let (ev, _) = press(&mut m, Action::Number(1), 1000);
        assert!(ev.is_empty());
        assert!(m.status.as_deref().unwrap_or("").contains(WAITING));
        // q2 and q1 handed out: q1 comes first in the file's order.
        update(&mut m, handed(&["q2", "q1"], 0), 1100);
        assert_eq!(m.overlay, Overlay::None);
        assert_eq!(m.view.key, key("q1"));
        let (ev, asks) = press(&mut m, Action::Number(1), 2000);
        assert_eq!(ev.len(), 1);
        assert_eq!(asks, [Ask::Decided(key("q1"))]);
        assert_eq!(m.view.key, key("q2"));
        // A task not handed out cannot be decided (browsed to with ]).
        m.go_to(3);
        let (ev, _) = press(&mut m, Action::Number(1), 3000);
        assert!(ev.is_empty());
        assert!(
            m.status
                .as_deref()
                .unwrap_or("")
                .contains("not handed to you")
        );
        m.go_to(2);
        let (_, asks) = press(&mut m, Action::Skip, 4000);
        assert_eq!(asks, [Ask::Skipped(key("q2"))]);
        // Nothing open is left: the waiting screen; undo gives q2's skip back.
        update(&mut m, handed(&[], 0), 4100);
        assert_eq!(m.overlay, Overlay::WaitingForTasks);
        let (_, asks) = press(&mut m, Action::Undo, 5000);
        assert_eq!(asks, [Ask::Undone(key("q2"))]);
        assert_eq!(m.overlay, Overlay::None);
        assert_eq!(m.view.key, key("q2"));
        let (ev, asks) = press(&mut m, Action::Number(2), 6000);
        assert_eq!(ev.len(), 1);
        assert_eq!(asks, [Ask::Decided(key("q2"))]);
        // Every task has its decisions: done.
        update(
            &mut m,
            Msg::Handed(Handed {
                none_left: true,
                ..Default::default()
            }),
            6100,
        );
        assert_eq!(m.overlay, Overlay::Done);
    }

    #[test]
    fn the_waiting_box_shows_its_reason_whole_and_the_footer_only_the_keys_that_act() {
        let mut m = model();
        m.size = (80, 24);
        let reason = "the server cannot be reached (error connecting to server: Connection \
                      refused (os error 111)); your decisions are saved here and sent when it \
                      is back";
        m.handed.as_mut().unwrap().note = Some(reason.into());
        let screen = crate::testutil::drawn(&m, 80, 24);
        let text: String = screen
            .lines()
            .map(|l| l.trim_matches(|c: char| c == '│' || c == ' '))
            .collect::<Vec<_>>()
            .join(" ");
        assert!(text.contains("is back"), "{screen}");
        assert!(!screen.contains('…'), "{screen}");
        let footer = screen.lines().last().unwrap_or_default();
        assert!(
            footer.contains("undo") && footer.contains("quit"),
            "{footer}"
        );
        assert!(
            !footer.contains("better") && !footer.contains("tie"),
            "{footer}"
        );
    }

    #[test]
    fn back_after_half_a_lease_the_first_key_asks_which_tasks_are_still_yours() {
        let mut m = model();
        update(&mut m, handed(&["q0", "q1"], 0), 100);
        // At work: the leases are renewed now and then (not at every key).
        let (_, asks) = press(&mut m, Action::FocusNext, 20_000);
        assert_eq!(asks, [Ask::Active]);
        let (_, asks) = press(&mut m, Action::FocusNext, 21_000);
        assert!(asks.is_empty());
        // Away for longer than half the lease (60 s): the key decides nothing.
        let (ev, asks) = press(&mut m, Action::Number(1), 60_000);
        assert!(ev.is_empty());
        assert_eq!(asks, [Ask::Recheck(1)]);
        assert_eq!(m.overlay, Overlay::WaitingForTasks);
        // An answer from before the recheck is not taken; the one after it is: q0 went to
        // someone else, q1 is still ours.
        update(&mut m, handed(&["q0", "q1"], 0), 60_010);
        assert_eq!(m.overlay, Overlay::WaitingForTasks);
        update(&mut m, handed(&["q1"], 1), 60_020);
        assert_eq!(m.overlay, Overlay::None);
        assert_eq!(m.view.key, key("q1"));
        let (ev, _) = press(&mut m, Action::Number(1), 61_000);
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].item, "q1");
    }
}
