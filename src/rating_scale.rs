//! Which rating scale a rate session uses, given the ratings already in the labeler's log. A
//! rating means something only on its own scale (a 5 on 1-5 is not a 5 on 1-7), so one log
//! holds one scale: a session adopts the scale of the log's ratings when none was asked for,
//! and refuses a different one that was asked for. Each decision is also shown on the scale it
//! records, so a log that already mixes scales (from an older prefer) still reads right.

use std::collections::BTreeMap;

use crate::labels::{Event, TaskKind};

/// Standing rate decisions per scale (decisions that record none count as 1-5, the default).
pub fn logged_scales<'a>(events: impl Iterator<Item = &'a Event>) -> BTreeMap<u32, usize> {
    let mut out = BTreeMap::new();
    for e in events.filter(|e| e.task == TaskKind::Rate && e.is_decision()) {
        *out.entry(of(e)).or_default() += 1;
    }
    out
}

/// The scale when nothing says otherwise.
pub const DEFAULT: u32 = 5;

/// `r` on 1..`from` placed at the same point of 1..`to` (a straight line through both ends),
/// for figures over ratings made on different scales.
pub fn on_scale(r: u32, from: u32, to: u32) -> f64 {
    if from == to || from < 2 {
        return f64::from(r);
    }
    1.0 + f64::from(r.saturating_sub(1)) * f64::from(to - 1) / f64::from(from - 1)
}

/// The scale a rate event was made on.
pub fn of(e: &Event) -> u32 {
    e.scale.unwrap_or(DEFAULT)
}

/// The session's scale and what to say about it once, or why the start is refused. `asked` is
/// `--scale` (or the task file's scale), `log` names the labeler's log in messages.
pub fn resolve(
    asked: Option<u32>,
    logged: &BTreeMap<u32, usize>,
    log: &str,
) -> Result<(u32, Option<String>), String> {
    let listing = || {
        logged
            .iter()
            .map(|(s, n)| format!("{n} on 1-{s}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mixed = logged.len() > 1;
    let mixed_note = || {
        format!(
            "{log} already holds ratings on more than one scale ({}); each is shown and exported on its own scale",
            listing()
        )
    };
    match asked {
        Some(k) if logged.is_empty() || logged.contains_key(&k) => Ok((k, mixed.then(mixed_note))),
        Some(k) => Err(format!(
            "{log} holds ratings {}; rating on 1-{k} now would put two scales in one log, and a 5 on one scale is not a 5 on another. Go on with --scale {}, or rate on 1-{k} into another log (--annotator NAME or --out LOG)",
            listing(),
            most_used(logged)
        )),
        None if logged.is_empty() => Ok((DEFAULT, None)),
        None => {
            let s = most_used(logged);
            let note = if mixed {
                Some(format!("rating on 1-{s}; {}", mixed_note()))
            } else if s != DEFAULT {
                Some(format!(
                    "rating on 1-{s}, the scale of the ratings already in {log}"
                ))
            } else {
                None
            };
            Ok((s, note))
        }
    }
}

/// The scale most of the logged ratings are on (the larger on a tie).
fn most_used(logged: &BTreeMap<u32, usize>) -> u32 {
    logged
        .iter()
        .max_by_key(|(s, n)| (**n, **s))
        .map_or(DEFAULT, |(s, _)| *s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rated(scale: Option<u32>) -> Event {
        let mut e = Event::new("a", "q", None, TaskKind::Rate);
        e.ratings = Some([("c0".to_string(), 3)].into());
        e.scale = scale;
        e
    }

    #[test]
    fn a_session_keeps_to_the_scale_of_its_log() {
        let five = logged_scales([rated(Some(5)), rated(None)].iter());
        assert_eq!(five, BTreeMap::from([(5, 2)]));
        let seven = logged_scales([rated(Some(7))].iter());
        assert_eq!(resolve(None, &BTreeMap::new(), "a.jsonl"), Ok((5, None)));
        assert_eq!(resolve(Some(7), &BTreeMap::new(), "a.jsonl"), Ok((7, None)));
        assert_eq!(resolve(Some(5), &five, "a.jsonl"), Ok((5, None)));
        let (s, note) = resolve(None, &seven, "a.jsonl").unwrap();
        assert_eq!(s, 7);
        assert!(note.unwrap().contains("rating on 1-7"));
        let e = resolve(Some(7), &five, "a.jsonl").unwrap_err();
        assert!(e.contains("holds ratings 2 on 1-5"), "{e}");
        assert!(e.contains("--scale 5"), "{e}");
    }

    #[test]
    fn a_log_that_already_mixes_scales_is_said_once() {
        let mixed = logged_scales([rated(Some(5)), rated(Some(5)), rated(Some(7))].iter());
        let (s, note) = resolve(None, &mixed, "a.jsonl").unwrap();
        assert_eq!(s, 5);
        assert!(
            note.unwrap()
                .contains("more than one scale (2 on 1-5, 1 on 1-7)")
        );
        assert!(resolve(Some(7), &mixed, "a.jsonl").unwrap().1.is_some());
    }

    /// A decision made on 1-5, reopened in a session on 1-7: shown as 4/5, and rating again
    /// starts over on 1-7.
    #[test]
    fn a_decision_is_shown_on_the_scale_it_was_made_on() {
        use std::sync::Arc;

        use ratatui::Terminal;
        use ratatui::backend::TestBackend;
        use serde_json::json;

        use crate::format::{Dataset, FileKind, parse_item};
        use crate::labels::Decisions;
        use crate::tui::keymap::Action;
        use crate::tui::model::{Model, Setup};
        use crate::tui::update::{Msg, update};

        let item = parse_item(
            json!({"id": "q", "prompt": "p", "candidates": ["a", "b"]}),
            1,
        )
        .unwrap();
        let mut e = Event::new("alice", "q", Some(&item.hash), TaskKind::Rate);
        e.ratings = Some([("c0".to_string(), 4), ("c1".to_string(), 2)].into());
        e.scale = Some(5);
        let d = Arc::new(Dataset {
            path: "t.jsonl".into(),
            kind: FileKind::JsonLines,
            items: vec![Arc::new(item)],
        });
        let mut m = Model::new(Setup {
            decisions: Decisions::from_events(&[e]),
            scale: 7,
            shuffle: false,
            size: (100, 30),
            ..Setup::new(d, "alice", TaskKind::Rate)
        })
        .unwrap();
        update(&mut m, Msg::Resize(100, 30), 0);
        let screen = |m: &Model| {
            let mut t = Terminal::new(TestBackend::new(100, 30)).unwrap();
            t.draw(|f| crate::tui::view::view(m, f)).unwrap();
            let b = t.backend().buffer().clone();
            (0..b.area.height)
                .flat_map(|y| (0..b.area.width).map(move |x| (x, y)))
                .map(|p| b[p].symbol().to_string())
                .collect::<String>()
        };
        let s = screen(&m);
        assert!(s.contains("★ 4/5") && s.contains("★ 2/5"), "{s}");
        assert!(!s.contains("/7"), "{s}");
        // Everything is decided: the first key closes "nothing left".
        update(&mut m, Msg::Key(Action::Cancel), 0);
        update(&mut m, Msg::Key(Action::Number(6)), 0);
        let s = screen(&m);
        assert!(s.contains("★ 6/7"), "{s}");
        assert!(
            !s.contains("★ 2/5") && !s.contains("★ 2/7"),
            "the old ratings are not carried over: {s}"
        );
    }
}
