//! What goes inside a pane, as styled screen lines wrapped to the pane's width. Built once per
//! (pane, width, metadata shown) and cached for the item on screen: wrapping a 60,000-character
//! answer happens when it is first shown at a width, not on every frame.

use std::collections::HashMap;
use std::sync::Arc;

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use serde_json::Value;

use crate::format::{Item, Message};
use crate::text::{sanitize, truncate, wrap_ranges};

/// A pane whose content can be wrapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaneId {
    Prompt,
    /// A candidate, by index into the item's candidates.
    Cand(usize),
}

/// The kind of a logical line, which decides its style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Role,
    Body,
    Code,
    Meta,
    Note,
    /// Text of a candidate's own earlier turn: context, not the answer judged.
    Earlier,
    /// A whole message to render as Markdown; its text is the message as written (not yet
    /// sanitised: [`crate::markdown::render`] sanitises all it draws). `earlier`: an earlier
    /// turn, dimmed.
    Markdown {
        earlier: bool,
    },
}

/// A pane's content wrapped to one width.
#[derive(Debug, Clone, Default)]
pub struct Wrapped {
    pub lines: Vec<Line<'static>>,
    /// The line where the last turn of a conversation starts: the prompt pane opens there, so
    /// the question the candidates answer is in view.
    pub anchor: usize,
    /// Characters in the candidate's answer (for its pane's title; 0 for the prompt), counted
    /// here once rather than on every frame.
    pub chars: usize,
    /// The last column a table too wide for the pane can start at (0: none is too wide).
    pub table_cols: usize,
    /// Code blocks drawn plain until the highlighting thread has them.
    pub deferred: bool,
}

impl std::ops::Deref for Wrapped {
    type Target = Vec<Line<'static>>;
    fn deref(&self) -> &Self::Target {
        &self.lines
    }
}

/// What a candidate pane shows besides the answer. A plain `bool` is metadata shown or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Show {
    /// The candidate's metadata, above its text.
    pub meta: bool,
    /// The candidate's own earlier turns folded into one line (with the prompt collapsed).
    pub fold_earlier: bool,
    /// The text as written, not rendered as Markdown (`R`).
    pub raw: bool,
    /// The first column shown of tables too wide for the pane (`>` / `<`).
    pub table_col: usize,
}

impl From<bool> for Show {
    fn from(meta: bool) -> Self {
        Show {
            meta,
            fold_earlier: false,
            raw: false,
            table_col: 0,
        }
    }
}

/// Wrapped lines for the item on screen, keyed by (pane, width, what is shown).
#[derive(Debug, Default)]
pub struct WrapCache {
    map: HashMap<(PaneId, u16, Show), Arc<Wrapped>>,
    /// [`crate::syntax::generation`] when the lines were laid out: code blocks highlighted
    /// on the highlighting thread since then are drawn plain in them.
    pub syntax_generation: u64,
}

impl WrapCache {
    pub fn clear(&mut self) {
        self.map.clear();
    }

    /// Some lines cached show code blocks plain until the highlighting thread has them.
    pub fn deferred(&self) -> bool {
        self.map.values().any(|w| w.deferred)
    }

    pub fn get(&self, pane: PaneId, width: u16, show: impl Into<Show>) -> Option<Arc<Wrapped>> {
        self.map.get(&(pane, width, show.into())).cloned()
    }

    /// The wrapped lines, computing and caching them if needed.
    pub fn ensure(
        &mut self,
        item: &Item,
        pane: PaneId,
        width: u16,
        show: impl Into<Show>,
    ) -> Arc<Wrapped> {
        let show = show.into();
        self.map
            .entry((pane, width, show))
            .or_insert_with(|| Arc::new(wrapped_lines(item, pane, width, show)))
            .clone()
    }
}

/// The style of each kind of line. Nothing relies on colour: roles are bold with a marker,
/// metadata is dim, notes are italic.
pub fn style_of(kind: Kind) -> Style {
    match kind {
        Kind::Role => Style::new().add_modifier(Modifier::BOLD),
        Kind::Body => Style::new(),
        Kind::Code => Style::new(),
        Kind::Meta => Style::new().add_modifier(Modifier::DIM),
        Kind::Note => Style::new().add_modifier(Modifier::ITALIC | Modifier::DIM),
        Kind::Earlier | Kind::Markdown { earlier: true } => {
            Style::new().add_modifier(Modifier::DIM)
        }
        Kind::Markdown { earlier: false } => Style::new(),
    }
}

/// The logical (unwrapped) lines of a pane, already sanitised.
pub fn logical_lines(item: &Item, pane: PaneId, show: impl Into<Show>) -> Vec<(Kind, String)> {
    let show = show.into();
    let meta = show.meta;
    let mut out = Vec::new();
    match pane {
        PaneId::Prompt => {
            let own = item.candidates.iter().any(|c| c.messages.is_some());
            conversation(&item.conversation(), own, show.raw, &mut out)
        }
        PaneId::Cand(i) => {
            let Some(c) = item.candidates.get(i) else {
                return out;
            };
            if meta {
                match &c.metadata {
                    Some(Value::Object(o)) if !o.is_empty() => {
                        for (k, v) in o {
                            let v = match v {
                                Value::String(s) => s.clone(),
                                other => other.to_string(),
                            };
                            out.push((Kind::Meta, one_line(&format!("{k}: {v}"))));
                        }
                    }
                    Some(other) => out.push((Kind::Meta, one_line(&other.to_string()))),
                    None => out.push((Kind::Meta, "(no metadata)".into())),
                }
                out.push((Kind::Meta, format!("id: {}", one_line(&c.id))));
                out.push((Kind::Meta, "─".repeat(12)));
            }
            match &c.messages {
                Some(m) if !m.is_empty() => {
                    own_conversation(m, show.fold_earlier, show.raw, &mut out)
                }
                _ => body(&c.text, show.raw, &mut out),
            }
        }
    }
    out
}

/// Turns, each under its role. With `own` (candidates carry their own conversations), two
/// user turns in a row get a note between them: the reply is in each candidate's pane.
fn conversation(messages: &[Message], own: bool, raw: bool, out: &mut Vec<(Kind, String)>) {
    for (i, m) in messages.iter().enumerate() {
        if i > 0 {
            out.push((Kind::Body, String::new()));
            if own && m.role == "user" && messages[i - 1].role == "user" {
                out.push((
                    Kind::Note,
                    "(each answer's own reply to the turn above is in its pane)".into(),
                ));
                out.push((Kind::Body, String::new()));
            }
        }
        out.push((Kind::Role, format!("▍{}", one_line(&m.role))));
        body(&m.content, raw, out);
    }
}

/// A candidate's own conversation (multi-turn sets): its earlier turns, dimmed and marked,
/// then the answer being judged (its last turn that is not the user's), marked too. Folded,
/// the earlier turns are one line saying how many there are.
fn own_conversation(messages: &[Message], fold: bool, raw: bool, out: &mut Vec<(Kind, String)>) {
    let judged = messages
        .iter()
        .rposition(|m| m.role != "user" && m.role != "system")
        .unwrap_or(messages.len() - 1);
    if judged == 0 {
        return conversation(messages, false, raw, out);
    }
    if fold {
        out.push((
            Kind::Note,
            format!(
                "▸ {judged} earlier turn{} folded",
                crate::text::plural(judged)
            ),
        ));
    }
    for (i, m) in messages.iter().enumerate() {
        if fold && i < judged {
            continue;
        }
        if i > 0 {
            out.push((Kind::Body, String::new()));
        }
        let mark = match i.cmp(&judged) {
            std::cmp::Ordering::Less => "earlier turn",
            std::cmp::Ordering::Equal => "judged",
            std::cmp::Ordering::Greater => "after the answer",
        };
        out.push((Kind::Role, format!("▍{} · {mark}", one_line(&m.role))));
        let from = out.len();
        body(&m.content, raw, out);
        if i < judged {
            for line in &mut out[from..] {
                match line.0 {
                    Kind::Body => line.0 = Kind::Earlier,
                    Kind::Markdown { .. } => line.0 = Kind::Markdown { earlier: true },
                    _ => {}
                }
            }
        }
    }
}

fn body(text: &str, raw: bool, out: &mut Vec<(Kind, String)>) {
    if text.trim().is_empty() {
        out.push((Kind::Note, "(empty answer)".into()));
        return;
    }
    if !raw {
        out.push((Kind::Markdown { earlier: false }, text.to_string()));
        return;
    }
    let clean = sanitize(text);
    let mut in_code = false;
    for line in clean.split('\n') {
        let fence = line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~");
        let kind = if in_code || fence {
            Kind::Code
        } else {
            Kind::Body
        };
        if fence {
            in_code = !in_code;
        }
        out.push((kind, line.to_string()));
    }
}

/// Sanitised and on one line: for ids, roles and metadata.
pub fn one_line(s: &str) -> String {
    sanitize(s).replace('\n', "⏎")
}

/// Logical lines wrapped to `width` cells. The anchor is the last turn's first line: the
/// question answered in the prompt pane, the answer judged in a candidate's.
pub fn wrapped_lines(item: &Item, pane: PaneId, width: u16, show: impl Into<Show>) -> Wrapped {
    let show = show.into();
    let width = usize::from(width.max(1));
    let mut out = Vec::new();
    let mut anchor = 0;
    let mut table_cols = 0;
    let mut deferred = false;
    for (kind, text) in logical_lines(item, pane, show) {
        let style = style_of(kind);
        if kind == Kind::Role {
            anchor = out.len();
        }
        if let Kind::Markdown { earlier } = kind {
            let r = crate::markdown::render_message_from(&text, width as u16, show.table_col);
            table_cols = table_cols.max(r.table_cols);
            deferred |= r.deferred;
            for mut l in r.lines {
                if earlier {
                    for s in &mut l.spans {
                        s.style = s.style.add_modifier(Modifier::DIM);
                    }
                }
                out.push(l);
            }
            continue;
        }
        if kind == Kind::Role || kind == Kind::Meta && text.starts_with('─') {
            out.push(Line::from(Span::styled(truncate(&text, width), style)));
            continue;
        }
        if kind == Kind::Code && width > 4 && crate::text::str_width(&text) > width {
            // A wrapped line of code must not read as a new statement: continuation rows
            // start with a mark, and everything wraps two cells narrower to make room for it.
            for (k, r) in wrap_ranges(&text, width - 2).into_iter().enumerate() {
                let mut spans = Vec::with_capacity(2);
                if k > 0 {
                    spans.push(Span::styled(
                        CONTINUATION,
                        Style::new().add_modifier(Modifier::DIM),
                    ));
                }
                spans.push(Span::styled(text[r].to_string(), style));
                out.push(Line::from(spans));
            }
            continue;
        }
        for r in wrap_ranges(&text, width) {
            out.push(Line::from(Span::styled(text[r].to_string(), style)));
        }
    }
    let chars = match pane {
        PaneId::Cand(i) => item.candidates.get(i).map_or(0, |c| c.text.chars().count()),
        PaneId::Prompt => 0,
    };
    Wrapped {
        lines: out,
        anchor,
        chars,
        table_cols,
        deferred,
    }
}

/// Starts a continuation row of a wrapped code line.
pub const CONTINUATION: &str = "↪ ";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::parse_item;
    use serde_json::json;

    /// The text as written, not rendered.
    const RAW: Show = Show {
        meta: false,
        fold_earlier: false,
        raw: true,
        table_col: 0,
    };

    fn item() -> Item {
        parse_item(
            json!({"id": "x", "messages": [{"role": "system", "content": "sys"}, {"role": "user", "content": "hi\tthere"}],
                   "candidates": [{"text": "```py\nx = 1\n```\nok \u{1b}[2J", "metadata": {"model": "m-7b"}}, ""]}),
            1,
        )
        .unwrap()
    }

    #[test]
    fn prompt_has_role_labels() {
        let lines = logical_lines(&item(), PaneId::Prompt, RAW);
        assert_eq!(lines[0], (Kind::Role, "▍system".into()));
        assert_eq!(lines[3], (Kind::Role, "▍user".into()));
        assert_eq!(lines[4], (Kind::Body, "hi  there".into()));
    }

    #[test]
    fn code_fences_and_escapes() {
        let lines = logical_lines(&item(), PaneId::Cand(0), RAW);
        assert_eq!(lines[1], (Kind::Code, "x = 1".into()));
        assert_eq!(lines[3], (Kind::Body, "ok ␛[2J".into()));
    }

    #[test]
    fn metadata_only_when_asked() {
        let hidden = logical_lines(&item(), PaneId::Cand(0), RAW);
        assert!(!hidden.iter().any(|(_, t)| t.contains("m-7b")));
        let shown = logical_lines(&item(), PaneId::Cand(0), Show { meta: true, ..RAW });
        assert_eq!(shown[0], (Kind::Meta, "model: m-7b".into()));
    }

    #[test]
    fn empty_answer_is_marked() {
        let lines = logical_lines(&item(), PaneId::Cand(1), false);
        assert_eq!(lines, vec![(Kind::Note, "(empty answer)".into())]);
    }

    #[test]
    fn wrapped_code_is_marked_as_continued() {
        let it = parse_item(
            json!({"prompt": "p", "candidates": ["```\nlet a_long_name = compute(alpha, beta);\n```", "x"]}),
            1,
        )
        .unwrap();
        let lines: Vec<String> = wrapped_lines(&it, PaneId::Cand(0), 20, RAW)
            .lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        assert_eq!(
            lines,
            vec![
                "```",
                "let a_long_name =",
                "↪ compute(alpha,",
                "↪ beta);",
                "```"
            ]
        );
    }

    #[test]
    fn cache_wraps_once_per_width() {
        let it = item();
        let mut c = WrapCache::default();
        let a = c.ensure(&it, PaneId::Prompt, 20, false);
        let b = c.ensure(&it, PaneId::Prompt, 20, false);
        assert!(Arc::ptr_eq(&a, &b));
        let d = c.ensure(&it, PaneId::Prompt, 3, false);
        assert!(d.len() > a.len());
    }
}
