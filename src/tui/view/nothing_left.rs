//! The "nothing left for you" screen, over the labeling screen at the start of a session in
//! which the team has already given every task its K decisions.
//!
//! ```text
//!  ┌ nothing left for you ─────────────────────────────────────────────┐
//!  │ Nothing left for you in set.jsonl:                                │
//!  │ every task already has its 2 decisions (8 tasks).                 │
//!  │ Who decided what:                                                 │
//!  │   ann   8                                                         │
//!  │   ben   8                                                         │
//!  │   cat   0  (you)                                                  │
//!  │ Review the team's labels:   prefer review set.jsonl               │
//!  │ More decisions per task:    prefer team set overlap 3 set.jsonl   │
//!  │ q quits; any other key closes this to browse.                     │
//!  │ A task that has its 2: decide it twice to add one more.           │
//!  └───────────────────────────────────────────────────────────────────┘
//! ```

use ratatui::style::{Modifier, Style};
use ratatui::text::Line;

use super::super::model::Model;
use crate::text::sanitize;

/// The overlay's title and lines.
pub fn content(m: &Model) -> (String, Vec<Line<'static>>) {
    let Some(n) = &m.nothing_left else {
        return ("nothing left for you".into(), Vec::new());
    };
    let s = crate::text::plural;
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut lines = vec![
        Line::from(format!("Nothing left for you in {}:", m.file_label)).style(bold),
        Line::from(format!(
            "every task already has its {} decision{} ({} task{}).",
            n.overlap,
            s(n.overlap),
            n.total,
            s(n.total)
        )),
        Line::from(""),
        Line::from(format!("Who decided what ({} tasks):", m.mode.name())),
    ];
    let width = n
        .by_annotator
        .iter()
        .map(|(a, _)| unicode_width::UnicodeWidthStr::width(a.as_str()))
        .max()
        .unwrap_or(0);
    let last = n.by_annotator.len().saturating_sub(1);
    for (i, (name, count)) in n.by_annotator.iter().enumerate() {
        let pad = width.saturating_sub(unicode_width::UnicodeWidthStr::width(name.as_str()));
        lines.push(Line::from(format!(
            "  {}{} {count:>6}{}",
            sanitize(name),
            " ".repeat(pad),
            if i == last { "  (you)" } else { "" }
        )));
    }
    lines.push(Line::from(""));
    lines.push(Line::from(format!(
        "Review the team's labels:  {}",
        sanitize(&n.review)
    )));
    lines.push(Line::from(format!(
        "More decisions per task:   {}",
        sanitize(&n.raise)
    )));
    lines.push(Line::from(""));
    lines.push(Line::from("q quits; any other key closes this to browse."));
    lines.push(Line::from(format!(
        "A task that has its {}: decide it twice to add one more.",
        n.overlap
    )));
    ("nothing left for you".into(), lines)
}
