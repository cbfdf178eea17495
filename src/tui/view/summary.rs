//! The end of the work, in the "done" overlay: the time this session took (active, and on the
//! clock) and the command lines for what comes next.
//!
//! ```text
//! time: 14:05 labeling this session (21:40 on the clock)
//!
//! next:
//!   review:  prefer review set.jsonl
//!   export:  prefer export set.jsonl --format trl --out set.trl.jsonl
//! ```

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::super::model::Model;

/// `m:ss`, or `h:mm:ss` from an hour on.
pub fn duration(ms: u64) -> String {
    let s = ms / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// The session's time and what to do next.
pub fn lines(m: &Model) -> Vec<Line<'static>> {
    let active = m.session_clock.active_ms(m.now_ms);
    let wall = m.session_clock.wall_ms(m.now_ms);
    let mut out = vec![Line::from(format!(
        "time: {} labeling this session ({} on the clock)",
        duration(active),
        duration(wall)
    ))];
    if !m.next_steps.is_empty() {
        out.push(Line::from(""));
        out.push(
            Line::from("next (printed in full when you quit, to copy):")
                .style(Style::new().add_modifier(Modifier::BOLD)),
        );
        let w = m
            .next_steps
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        for (what, cmd) in &m.next_steps {
            out.push(Line::from(vec![
                Span::raw(format!("  {:<w$}  ", format!("{what}:"), w = w + 1)),
                Span::styled(cmd.clone(), Style::new().add_modifier(Modifier::BOLD)),
            ]));
        }
    }
    out.push(Line::from(""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_clocks() {
        assert_eq!(duration(65_000), "1:05");
        assert_eq!(duration(3_725_000), "1:02:05");
    }
}
