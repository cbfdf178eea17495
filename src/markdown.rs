//! Markdown in the terminal (guidelines, prompts and answers): rendered to wrapped, styled
//! lines. Headings get a marker and bold (H1 also underlined), lists bullets or numbers with
//! hanging indents, emphasis bold or italic, inline code backticks, fenced code a frame with
//! its language named (wrapped code lines go on after `↪`) and its code syntax highlighted
//! ([`crate::syntax`]: colour adds to the frame, it carries nothing alone), links their URL
//! dimmed in brackets, block quotes a bar, tables columns laid out to the width (cells wrap).
//! Nothing rests on colour, so monochrome terminals read it the same. The text is untrusted:
//! all of it goes through [`crate::text::sanitize`], and no construct hides text (HTML is
//! shown as text, a link without text shows its URL).
//!
//! Parsing is pulldown-cmark's: the CommonMark reference pull parser, well kept and without
//! dependencies when its HTML writer is switched off.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::text::{char_width, sanitize, str_width};

/// Renders `src` to lines at most `width` cells wide (wider only where a single cell will
/// not fit). Render once per width, not in every frame.
pub fn render(src: &str, width: u16) -> Vec<Line<'static>> {
    render_with(src, width, false, 0).out
}

/// [`render`] for what a model or a person wrote (prompts, answers): a line break in a
/// paragraph stays a line break (as chat interfaces show it), where CommonMark would join
/// the lines.
pub fn render_message(src: &str, width: u16) -> Vec<Line<'static>> {
    render_message_from(src, width, 0).lines
}

/// Rendered lines, and how far tables too wide for the width can scroll.
#[derive(Debug, Default)]
pub struct Rendered {
    pub lines: Vec<Line<'static>>,
    /// The last column a table too wide for the width can start at, the one from which all
    /// its other columns fit (0: none is too wide).
    pub table_cols: usize,
    /// Some code blocks are drawn plain until the highlighting thread has them
    /// ([`crate::syntax::generation`]).
    pub deferred: bool,
}

/// [`render_message`] with every table too wide for the width (one whose columns do not fit
/// even wrapped, at [`MIN_COLUMN`] cells each) shown from its column `first_col` (0-based,
/// clamped to its last), under a line that says which columns are shown.
pub fn render_message_from(src: &str, width: u16, first_col: usize) -> Rendered {
    let r = render_with(src, width, true, first_col);
    Rendered {
        deferred: r.budget.deferred,
        lines: r.out,
        table_cols: r.table_cols,
    }
}

fn render_with(src: &str, width: u16, line_breaks: bool, first_col: usize) -> Renderer {
    let mut r = Renderer {
        width: usize::from(width).max(1),
        line_breaks,
        first_col,
        ..Renderer::default()
    };
    let opts = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS;
    for (ev, at) in Parser::new_ext(src, opts).into_offset_iter() {
        // In a message every line break is one already: a backslash before it is text the
        // author wrote (or a byte of an escape sequence), shown rather than swallowed.
        if line_breaks && ev == Event::HardBreak && src[at].starts_with('\\') {
            r.push("\\", r.style());
        }
        r.event(ev);
    }
    r.flush();
    while r.out.last().is_some_and(|l| l.width() == 0) {
        r.out.pop();
    }
    r
}

/// A table column is not narrowed below this many cells (or its widest cell, if narrower):
/// a table whose columns do not fit at it scrolls sideways instead.
pub const MIN_COLUMN: usize = 8;

const BULLETS: [&str; 3] = ["• ", "◦ ", "▪ "];
const QUOTE_BAR: &str = "▌ ";
const CODE_GUTTER: &str = "│ ";
/// Starts a continuation row of a wrapped code line, after the gutter.
pub const CONTINUATION: &str = "↪ ";
const CELL_SEP: &str = " │ ";

#[derive(Default)]
struct Renderer {
    width: usize,
    /// A soft line break ends the line (else it is a space).
    line_breaks: bool,
    out: Vec<Line<'static>>,
    /// The block being built: text pieces with their styles.
    spans: Vec<(String, Style)>,
    bold: usize,
    italic: usize,
    strike: usize,
    heading: Option<HeadingLevel>,
    /// Per open list: the next number (ordered) or `None` (bullets).
    lists: Vec<Option<u64>>,
    /// Per open list item: the width of its marker (continuation lines indent by it).
    items: Vec<usize>,
    /// The marker of an item whose first line is not written yet.
    marker: Option<String>,
    quotes: usize,
    /// Link targets of the open links, with where their text starts in `spans`.
    links: Vec<(String, usize)>,
    code: Option<String>,
    /// The language the open code block's fence names (sanitised; empty: none).
    code_lang: String,
    /// Time left to highlight code in this layout (the rest is highlighted on a thread).
    budget: crate::syntax::Budget,
    table: Option<Table>,
    /// The first column shown of a table too wide for the width.
    first_col: usize,
    /// The last column a table too wide for the width can start at (0: none).
    table_cols: usize,
}

/// A table being read: rows of cells, each cell its styled pieces.
#[derive(Default)]
struct Table {
    rows: Vec<Vec<Vec<(String, Style)>>>,
    row: Vec<Vec<(String, Style)>>,
    /// Rows of the header (drawn bold, with a rule under them).
    head: usize,
}

impl Renderer {
    fn style(&self) -> Style {
        let mut s = Style::default();
        if self.bold > 0 || self.heading.is_some() {
            s = s.add_modifier(Modifier::BOLD);
        }
        if self.heading == Some(HeadingLevel::H1) {
            s = s.add_modifier(Modifier::UNDERLINED);
        }
        if self.italic > 0 {
            s = s.add_modifier(Modifier::ITALIC);
        }
        if self.strike > 0 {
            s = s.add_modifier(Modifier::CROSSED_OUT);
        }
        s
    }

    fn push(&mut self, text: &str, style: Style) {
        let clean = sanitize(text).replace('\n', " ");
        self.spans.push((clean, style));
    }

    fn event(&mut self, ev: Event<'_>) {
        match ev {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => match &mut self.code {
                Some(code) => code.push_str(&t),
                None => self.push(&t, self.style()),
            },
            Event::Code(t) => self.push(&format!("`{t}`"), self.style()),
            Event::InlineMath(t) | Event::DisplayMath(t) => self.push(&t, self.style()),
            // Shown as text, as written: a comment or a tag must not hide anything.
            Event::Html(t) | Event::InlineHtml(t) => self.push(&t, self.style()),
            Event::SoftBreak if self.line_breaks && self.table.is_none() => self.flush(),
            Event::SoftBreak => self.push(" ", self.style()),
            Event::HardBreak => self.flush(),
            Event::Rule => {
                self.flush();
                let w = self.width.saturating_sub(self.prefix_width()).max(1);
                self.emit(vec![Span::raw("─".repeat(w))]);
                self.blank();
            }
            Event::TaskListMarker(done) => {
                self.push(if done { "[x] " } else { "[ ] " }, Style::default())
            }
            Event::FootnoteReference(t) => self.push(&format!("[^{t}]"), self.style()),
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph => {}
            Tag::Heading { level, .. } => {
                self.flush();
                self.heading = Some(level);
                let marker = match level {
                    HeadingLevel::H1 => "■ ",
                    HeadingLevel::H2 => "▶ ",
                    _ => "▸ ",
                };
                self.spans.push((marker.to_string(), self.style()));
            }
            Tag::BlockQuote(_) => {
                self.flush();
                self.quotes += 1;
            }
            Tag::CodeBlock(kind) => {
                self.flush();
                // A frame: the top names the language, so code is set apart without colour.
                let lang = match kind {
                    CodeBlockKind::Fenced(lang) => {
                        sanitize(lang.split_whitespace().next().unwrap_or(""))
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                let avail = self.width.saturating_sub(self.prefix_width()).max(1);
                let frame = Style::default().add_modifier(Modifier::DIM);
                let mut top = vec![Span::styled("┌─", frame)];
                let mut used = 2;
                if !lang.is_empty() {
                    let name = crate::text::truncate(&lang, avail.saturating_sub(4).max(1));
                    used += str_width(&name) + 2;
                    top.push(Span::raw(" "));
                    top.push(Span::styled(
                        name,
                        Style::default().add_modifier(Modifier::BOLD),
                    ));
                    top.push(Span::raw(" "));
                }
                if avail > used {
                    top.push(Span::styled("─".repeat(avail - used), frame));
                }
                self.emit(top);
                self.code = Some(String::new());
                self.code_lang = lang;
            }
            Tag::HtmlBlock => self.flush(),
            Tag::Table(_) => {
                self.flush();
                self.table = Some(Table::default());
            }
            Tag::TableCell => self.spans.clear(),
            Tag::List(start) => {
                self.flush();
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush();
                let depth = self.lists.len().saturating_sub(1);
                let m = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => BULLETS[depth.min(BULLETS.len() - 1)].to_string(),
                };
                self.items.push(str_width(&m));
                self.marker = Some(m);
            }
            Tag::Emphasis => self.italic += 1,
            Tag::Strong => self.bold += 1,
            Tag::Strikethrough => self.strike += 1,
            Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
                self.links.push((dest_url.to_string(), self.spans.len()))
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.flush();
                if self.items.is_empty() {
                    self.blank();
                }
            }
            TagEnd::Heading(_) => {
                self.flush();
                self.heading = None;
                self.blank();
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                let bar = QUOTE_BAR.repeat(self.quotes);
                if self
                    .out
                    .last()
                    .is_some_and(|l| l.to_string() == bar.trim_end())
                {
                    self.out.pop();
                }
                self.quotes = self.quotes.saturating_sub(1);
                self.blank();
            }
            TagEnd::CodeBlock => {
                let code = sanitize(&self.code.take().unwrap_or_default());
                let code = code.trim_end_matches('\n');
                let lang = std::mem::take(&mut self.code_lang);
                match crate::syntax::highlight(&lang, code, &mut self.budget) {
                    Some(block) => {
                        for pieces in block.iter() {
                            self.spans.extend(pieces.iter().cloned());
                            self.flush_verbatim();
                        }
                    }
                    None => {
                        for line in code.split('\n') {
                            self.spans.push((line.to_string(), Style::default()));
                            self.flush_verbatim();
                        }
                    }
                }
                let avail = self.width.saturating_sub(self.prefix_width()).max(1);
                let bottom = format!("└{}", "─".repeat(avail.saturating_sub(1)));
                self.emit(vec![Span::styled(
                    bottom,
                    Style::default().add_modifier(Modifier::DIM),
                )]);
                self.blank();
            }
            TagEnd::HtmlBlock => {
                self.flush();
                self.blank();
            }
            TagEnd::TableCell => {
                let cell = std::mem::take(&mut self.spans);
                if let Some(t) = &mut self.table {
                    t.row.push(cell);
                }
            }
            TagEnd::TableHead | TagEnd::TableRow => {
                if let Some(t) = &mut self.table {
                    let row = std::mem::take(&mut t.row);
                    t.rows.push(row);
                    if tag == TagEnd::TableHead {
                        t.head = t.rows.len();
                    }
                }
            }
            TagEnd::Table => {
                if let Some(t) = self.table.take() {
                    self.table(t);
                }
                self.blank();
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
                if self.lists.is_empty() {
                    self.blank();
                }
            }
            TagEnd::Item => {
                self.flush();
                self.items.pop();
                self.marker = None;
            }
            TagEnd::Emphasis => self.italic = self.italic.saturating_sub(1),
            TagEnd::Strong => self.bold = self.bold.saturating_sub(1),
            TagEnd::Strikethrough => self.strike = self.strike.saturating_sub(1),
            TagEnd::Link | TagEnd::Image => {
                if let Some((url, from)) = self.links.pop() {
                    let text: String = self.spans[from.min(self.spans.len())..]
                        .iter()
                        .map(|(t, _)| t.as_str())
                        .collect();
                    if text.trim().is_empty() {
                        // A link without text still shows where it goes.
                        self.push(&format!("<{url}>"), self.style());
                    } else if !url.is_empty() && text != url {
                        self.push(
                            &format!(" <{url}>"),
                            Style::default().add_modifier(Modifier::DIM),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    /// Width of the quote bars and list indents before a block's text.
    fn prefix_width(&self) -> usize {
        self.quotes * str_width(QUOTE_BAR) + self.items.iter().sum::<usize>()
    }

    /// The prefix of the next line: quote bars, then list indents, with the pending item
    /// marker in place of the innermost indent (once).
    fn prefix(&mut self) -> Vec<Span<'static>> {
        let mut v = Vec::new();
        if self.quotes > 0 {
            v.push(Span::raw(QUOTE_BAR.repeat(self.quotes)));
        }
        let n = self.items.len();
        let outer: usize = self.items[..n.saturating_sub(1)].iter().sum();
        if outer > 0 {
            v.push(Span::raw(" ".repeat(outer)));
        }
        if let Some(&last) = self.items.last() {
            match self.marker.take() {
                Some(m) => v.push(Span::styled(
                    m,
                    Style::default().add_modifier(Modifier::BOLD),
                )),
                None => v.push(Span::raw(" ".repeat(last))),
            }
        }
        v
    }

    fn emit(&mut self, body: Vec<Span<'static>>) {
        let mut spans = self.prefix();
        spans.extend(body);
        self.out.push(Line::from(spans));
    }

    /// One empty line between blocks (never two, never at the top).
    fn blank(&mut self) {
        if self.out.last().is_some_and(|l| l.width() > 0) {
            if self.quotes > 0 {
                self.out.push(Line::from(
                    QUOTE_BAR.repeat(self.quotes).trim_end().to_string(),
                ));
            } else {
                self.out.push(Line::default());
            }
        }
    }

    /// Writes the block being built, word-wrapped to the width left after the prefix.
    fn flush(&mut self) {
        if self.table.is_some() {
            return; // a cell's text waits for the table's layout
        }
        if self.spans.iter().all(|(t, _)| t.trim().is_empty()) {
            self.spans.clear();
            return;
        }
        let avail = self.width.saturating_sub(self.prefix_width()).max(1);
        let spans = std::mem::take(&mut self.spans);
        for l in wrap_spans(spans, avail) {
            let body = l.into_iter().map(|(t, s)| Span::styled(t, s)).collect();
            self.emit(body);
        }
    }

    /// Lays a table out in the width left after the prefix: each column as wide as its
    /// widest cell when they all fit, else the widest columns narrowed alike and their cells
    /// wrapped. Header cells bold, a rule under the header, columns parted by `│`. A table
    /// whose columns do not fit even at [`MIN_COLUMN`] cells shows the columns that do from
    /// `first_col` on, under a line saying which (`◀ 2 more · columns 3-5 of 9 · 4 more ▶`).
    fn table(&mut self, t: Table) {
        let n = t.rows.iter().map(Vec::len).max().unwrap_or(0);
        if n == 0 {
            return;
        }
        let avail = self.width.saturating_sub(self.prefix_width()).max(1);
        let sep_w = str_width(CELL_SEP);
        let cell_width =
            |c: &Vec<(String, Style)>| c.iter().map(|(s, _)| str_width(s.trim())).sum::<usize>();
        let mut all = vec![1usize; n];
        for row in &t.rows {
            for (i, c) in row.iter().enumerate() {
                all[i] = all[i].max(cell_width(c));
            }
        }
        let floor = |i: usize| all[i].min(MIN_COLUMN);
        let cols = if (0..n).map(floor).sum::<usize>() + sep_w * (n - 1) <= avail {
            0..n
        } else {
            // The last place to start: from there on every column fits.
            let (mut last, mut used) = (n - 1, floor(n - 1));
            while last > 0 && used + sep_w + floor(last - 1) <= avail {
                used += sep_w + floor(last - 1);
                last -= 1;
            }
            self.table_cols = self.table_cols.max(last);
            let first = self.first_col.min(last);
            let (mut end, mut used) = (first + 1, floor(first));
            while end < n && used + sep_w + floor(end) <= avail {
                used += sep_w + floor(end);
                end += 1;
            }
            let mut say = String::new();
            if first > 0 {
                say.push_str(&format!("◀ {first} more · "));
            }
            say.push_str(&format!("columns {}-{end} of {n}", first + 1));
            if end < n {
                say.push_str(&format!(" · {} more ▶", n - end));
            }
            self.emit(vec![Span::styled(
                crate::text::truncate(&say, avail),
                Style::default().add_modifier(Modifier::DIM | Modifier::ITALIC),
            )]);
            first..end
        };
        let shown = cols.len();
        let budget = avail.saturating_sub(sep_w * (shown - 1)).max(shown);
        let natural = all[cols.clone()].to_vec();
        // The largest cap that fits: columns narrower than it keep their width.
        let widths: Vec<usize> = if natural.iter().sum::<usize>() <= budget {
            natural.clone()
        } else {
            let (mut lo, mut hi) = (1usize, *natural.iter().max().unwrap_or(&1));
            while lo < hi {
                let mid = (lo + hi).div_ceil(2);
                if natural.iter().map(|&w| w.min(mid)).sum::<usize>() <= budget {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            let mut w: Vec<usize> = natural.iter().map(|&x| x.min(lo)).collect();
            let mut left = budget.saturating_sub(w.iter().sum());
            for (i, x) in w.iter_mut().enumerate() {
                if left > 0 && natural[i] > *x {
                    *x += 1;
                    left -= 1;
                }
            }
            w
        };
        let head_style = Style::default().add_modifier(Modifier::BOLD);
        let sep = Style::default().add_modifier(Modifier::DIM);
        for (r, row) in t.rows.iter().enumerate() {
            let cells: Vec<Vec<Vec<(String, Style)>>> = cols
                .clone()
                .map(|i| {
                    let mut c = row.get(i).cloned().unwrap_or_default();
                    if r < t.head {
                        for (_, s) in &mut c {
                            *s = s.patch(head_style);
                        }
                    }
                    for (text, _) in &mut c {
                        *text = text.replace('\n', " ");
                    }
                    if c.iter().all(|(t, _)| t.trim().is_empty()) {
                        return vec![Vec::new()];
                    }
                    trim_leading_space(&mut c);
                    wrap_spans(c, widths[i - cols.start])
                })
                .collect();
            let height = cells.iter().map(Vec::len).max().unwrap_or(1);
            for k in 0..height {
                let mut body: Vec<Span<'static>> = Vec::new();
                for (i, c) in cells.iter().enumerate() {
                    if i > 0 {
                        body.push(Span::styled(CELL_SEP, sep));
                    }
                    let line = c.get(k).cloned().unwrap_or_default();
                    let w: usize = line.iter().map(|(t, _)| str_width(t)).sum();
                    body.extend(line.into_iter().map(|(t, s)| Span::styled(t, s)));
                    if i + 1 < shown && w < widths[i] {
                        body.push(Span::raw(" ".repeat(widths[i] - w)));
                    }
                }
                self.emit(body);
            }
            if r + 1 == t.head {
                let rule: Vec<String> = widths.iter().map(|&w| "─".repeat(w)).collect();
                self.emit(vec![Span::styled(rule.join("─┼─"), sep)]);
            }
        }
    }

    /// Writes a code line as it is in the frame's gutter, hard-wrapped by cells (spaces
    /// matter in code); its continuation rows start with [`CONTINUATION`].
    fn flush_verbatim(&mut self) {
        let avail = self.width.saturating_sub(self.prefix_width()).max(1);
        let spans = std::mem::take(&mut self.spans);
        let frame = Style::default().add_modifier(Modifier::DIM);
        let mut line: Vec<Span<'static>> = vec![Span::styled(CODE_GUTTER, frame)];
        let mut piece = String::new();
        let mut used = str_width(CODE_GUTTER);
        for (text, style) in spans {
            for c in text.chars() {
                let cw = char_width(c);
                if used + cw > avail && used > str_width(CODE_GUTTER) + str_width(CONTINUATION) {
                    line.push(Span::styled(std::mem::take(&mut piece), style));
                    let body = std::mem::replace(
                        &mut line,
                        vec![
                            Span::styled(CODE_GUTTER, frame),
                            Span::styled(CONTINUATION, frame),
                        ],
                    );
                    self.emit(body);
                    used = str_width(CODE_GUTTER) + str_width(CONTINUATION);
                }
                piece.push(c);
                used += cw;
            }
            if !piece.is_empty() {
                line.push(Span::styled(std::mem::take(&mut piece), style));
            }
        }
        self.emit(line);
    }
}

/// Word-wraps styled pieces to `avail` cells as all pane text is wrapped
/// ([`crate::text::wrap_ranges`]: at spaces, between CJK characters, never inside a cluster,
/// inside a word only when it is wider than the line).
fn wrap_spans(spans: Vec<(String, Style)>, avail: usize) -> Vec<Vec<(String, Style)>> {
    let mut text = String::new();
    let mut ends: Vec<(usize, Style)> = Vec::with_capacity(spans.len());
    for (t, s) in spans {
        text.push_str(&t);
        ends.push((text.len(), s));
    }
    let mut out = Vec::new();
    let mut k = 0; // the span holding the start of the current range
    for r in crate::text::wrap_ranges(&text, avail.max(1)) {
        let mut line: Vec<(String, Style)> = Vec::new();
        let mut at = r.start;
        while k < ends.len() && ends[k].0 <= at {
            k += 1;
        }
        let mut j = k;
        while at < r.end && j < ends.len() {
            let end = ends[j].0.min(r.end);
            if end > at {
                push_piece(&mut line, &text[at..end], ends[j].1);
            }
            at = end;
            if at < r.end {
                j += 1;
            }
        }
        out.push(line);
    }
    out
}

fn trim_leading_space(line: &mut Vec<(String, Style)>) {
    while let Some((t, _)) = line.first_mut() {
        let trimmed = t.trim_start_matches(' ');
        if trimmed.is_empty() {
            line.remove(0);
        } else {
            *t = trimmed.to_string();
            break;
        }
    }
}

fn push_piece(line: &mut Vec<(String, Style)>, text: &str, style: Style) {
    match line.last_mut() {
        Some((t, s)) if *s == style => t.push_str(text),
        _ => line.push((text.to_string(), style)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    use ratatui::widgets::Paragraph;

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn headings_lists_quotes_and_code_are_laid_out() {
        let md = "# Title\n\nSome *soft* and **strong** text.\n\n## Keys\n\n- one\n- two\n  1. nested\n  2. again\n\n> quoted\n\n```rust\nlet x = 1;\n```\n\nSee [docs](https://ex.am/ple) and `code`.\n";
        let got = text(&render(md, 40));
        assert_eq!(
            got,
            [
                "■ Title",
                "",
                "Some soft and strong text.",
                "",
                "▶ Keys",
                "",
                "• one",
                "• two",
                "  1. nested",
                "  2. again",
                "",
                "▌ quoted",
                "",
                "┌─ rust ────────────────────────────────",
                "│ let x = 1;",
                "└───────────────────────────────────────",
                "",
                "See docs <https://ex.am/ple> and `code`.",
            ]
        );
    }

    #[test]
    fn styles_carry_meaning_without_colour() {
        let lines = render("# T\n\n*i* **b**\n", 20);
        let h = &lines[0].spans[0].style;
        assert!(
            h.add_modifier
                .contains(Modifier::BOLD | Modifier::UNDERLINED)
        );
        assert_eq!(h.fg, None);
        let body = &lines[2].spans;
        assert!(body[0].style.add_modifier.contains(Modifier::ITALIC));
        assert_eq!(body[0].content, "i");
        assert!(
            body.last()
                .unwrap()
                .style
                .add_modifier
                .contains(Modifier::BOLD)
        );
    }

    #[test]
    fn list_items_wrap_with_a_hanging_indent() {
        let got = text(&render("- alpha beta gamma delta\n", 12));
        assert_eq!(got, ["• alpha beta", "  gamma", "  delta"]);
        let got = text(&render("> one two three four\n", 10));
        assert_eq!(got, ["▌ one two", "▌ three", "▌ four"]);
    }

    #[test]
    fn wide_characters_wrap_by_cells_and_control_characters_are_made_visible() {
        let got = text(&render("漢字漢字漢字\n", 6));
        assert_eq!(got, ["漢字漢", "字漢字"]);
        let got = text(&render("evil \u{1b}[31mred\n", 40));
        assert_eq!(got, ["evil ␛[31mred"]);
        for l in render(&"word ".repeat(50), 7) {
            assert!(l.width() <= 7, "{l:?}");
        }
    }

    #[test]
    fn the_sample_guidelines_draw_on_a_small_terminal() {
        let src = include_str!("../sample-data/guidelines.md");
        let lines = render(src, 30);
        let mut term = Terminal::new(TestBackend::new(30, 8)).unwrap();
        term.draw(|f| f.render_widget(Paragraph::new(lines.clone()), f.area()))
            .unwrap();
        let buf = term.backend().buffer();
        let rows: Vec<String> = (0..8)
            .map(|y| {
                let row: String = (0..30).map(|x| buf[(x, y)].symbol()).collect();
                row.trim_end().to_string()
            })
            .collect();
        assert_eq!(
            rows,
            [
                "■ Labeling guidelines",
                "",
                "Read these once before you",
                "start; press i to see them",
                "again at any time.",
                "",
                "▶ What \"better\" means",
                "",
            ]
        );
        // The heading's style survives into the cells.
        assert!(buf[(2, 0)].modifier.contains(Modifier::UNDERLINED));
        assert!(lines.iter().all(|l| l.width() <= 30), "{:#?}", text(&lines));
        assert!(text(&lines).iter().any(|l| l == "│ def f(x):"));
        assert!(text(&lines).iter().any(|l| l.starts_with("1. Helpful:")));
    }

    /// Fails if any kind of text escapes the sanitiser: a bidi override in a code block (or a
    /// code span, a heading, a link) would reorder what the labeler reads.
    #[test]
    fn controls_in_code_blocks_and_other_text_are_made_visible() {
        let md = "# h\u{202E}1\n\n```sh\nrm -rf \u{202E}/ # \u{1b}[2J\tgone\n```\n\n    indented \u{2066}code\n\nspan `a\u{202E}b` and [l\u{202E}nk](https://x/\u{202E}y)\n";
        let got = text(&render(md, 80));
        let all = got.join("\n");
        for bad in ['\u{202E}', '\u{2066}', '\u{1b}', '\t'] {
            assert!(!all.contains(bad), "{bad:?} got through:\n{all}");
        }
        assert!(
            got.iter()
                .any(|l| l.starts_with("│ rm -rf ⟨U+202E⟩/ # ␛[2J ") && l.ends_with(" gone")),
            "{got:#?}"
        );
        assert!(
            got.iter().any(|l| l == "│ indented ⟨U+2066⟩code"),
            "{got:#?}"
        );
        assert!(all.contains("■ h⟨U+202E⟩1"), "{all}");
        assert!(all.contains("`a⟨U+202E⟩b`"), "{all}");
    }

    /// `md` rendered as a message and drawn on a TestBackend `w` columns wide: the rows as
    /// text, trailing spaces cut, and the buffer for styles.
    fn drawn(md: &str, w: u16) -> (Vec<String>, ratatui::buffer::Buffer) {
        let lines = render_message(md, w);
        for l in &lines {
            assert!(l.width() <= usize::from(w), "wider than {w}: {l:?}");
        }
        let h = u16::try_from(lines.len()).unwrap().max(1);
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        term.draw(|f| f.render_widget(Paragraph::new(lines.clone()), f.area()))
            .unwrap();
        let buf = term.backend().buffer().clone();
        let rows = (0..h)
            .map(|y| {
                let mut row = String::new();
                let mut x = 0;
                while x < w {
                    let sym = buf[(x, y)].symbol();
                    row.push_str(sym);
                    x += u16::try_from(crate::text::str_width(sym).max(1)).unwrap();
                }
                row.trim_end().to_string()
            })
            .collect();
        (rows, buf)
    }

    const WIDTHS: [u16; 3] = [40, 80, 160];

    #[test]
    fn headings_are_marked_and_bold_at_every_width() {
        for w in WIDTHS {
            let (rows, buf) = drawn("# Care guide\n\n## Watering\n\n### Light\n\ntext", w);
            assert_eq!(
                rows[..6],
                ["■ Care guide", "", "▶ Watering", "", "▸ Light", ""],
                "{w}"
            );
            assert!(
                buf[(2, 0)]
                    .modifier
                    .contains(Modifier::BOLD | Modifier::UNDERLINED)
            );
            assert!(buf[(2, 2)].modifier.contains(Modifier::BOLD));
        }
    }

    #[test]
    fn emphasis_and_inline_code_at_every_width() {
        for w in WIDTHS {
            let (rows, buf) = drawn(
                "**Watering every 3 days** is *too* often; use `dry_soil()`.",
                w,
            );
            let all = rows.join(" ");
            assert!(!all.contains("**"), "{w}: {all}");
            assert!(all.contains("`dry_soil()`"), "{w}: {all}");
            assert!(buf[(0, 0)].modifier.contains(Modifier::BOLD), "{w}");
        }
    }

    #[test]
    fn lists_hang_their_wrapped_lines_under_the_text_with_cjk_too() {
        let md = "- Water the fern when the top inch of soil is dry to the touch, not on a schedule\n- 日本語の項目は幅が二倍なので、折り返しても字下げが揃います。日本語の項目は幅が二倍です\n\n1. First step that is long enough to wrap at forty columns for sure\n2. Second\n";
        for w in WIDTHS {
            let (rows, _) = drawn(md, w);
            assert!(rows[0].starts_with("• Water the fern"), "{w}: {rows:#?}");
            let mut item = "";
            for r in &rows {
                if r.starts_with("• ") || r.starts_with("1. ") || r.starts_with("2. ") {
                    item = if r.starts_with('•') { "  " } else { "   " };
                } else if !r.is_empty() {
                    // A continuation row: indented as far as the item's text.
                    assert!(
                        r.starts_with(item) && !r[item.len()..].starts_with(' '),
                        "{w}: {r:?} in {rows:#?}"
                    );
                }
            }
            let all = rows.join("\n");
            assert!(all.contains("2. Second"), "{w}: {all}");
        }
        // At 40 columns both items wrap, the CJK one between characters.
        let (rows, _) = drawn(md, 40);
        assert!(rows[1].starts_with("  "), "{rows:#?}");
        assert!(
            rows.iter().any(|r| r.starts_with("  ") && r.contains('。')),
            "{rows:#?}"
        );
    }

    #[test]
    fn block_quotes_and_rules_at_every_width() {
        for w in WIDTHS {
            let (rows, _) = drawn(
                "> A quoted line that is long enough to wrap at forty columns.\n\n---\n\nafter",
                w,
            );
            assert!(rows[0].starts_with("▌ A quoted"), "{w}: {rows:#?}");
            let rule = rows.iter().find(|r| r.starts_with('─')).expect("a rule");
            assert_eq!(rule.chars().count(), usize::from(w), "{w}");
            assert_eq!(rows.last().unwrap(), "after");
        }
    }

    #[test]
    fn links_show_their_url_dimmed_and_zero_size_links_show_it_plainly() {
        for w in WIDTHS {
            let (rows, buf) = drawn(
                "See [the docs](https://ex.am/ple) and [](https://hidden.example/x).",
                w,
            );
            let all = rows.join(" ");
            assert!(all.contains("the docs <https://ex.am/ple>"), "{w}: {all}");
            assert!(all.contains("<https://hidden.example/x>"), "{w}: {all}");
            let x = u16::try_from(rows[0].find('<').unwrap()).unwrap();
            assert!(buf[(x, 0)].modifier.contains(Modifier::DIM), "{w}");
        }
    }

    #[test]
    fn html_and_comments_are_shown_as_text() {
        for w in WIDTHS {
            let (rows, _) = drawn(
                "before\n\n<!-- a hidden note -->\n\n<div>block</div>\n\nafter <b>x</b>",
                w,
            );
            let all = rows.join(" ");
            assert!(all.contains("<!-- a hidden note -->"), "{w}: {all}");
            assert!(all.contains("<div>block</div>"), "{w}: {all}");
            assert!(all.contains("<b>x</b>"), "{w}: {all}");
        }
    }

    #[test]
    fn fenced_code_is_framed_with_its_language_and_wraps_with_a_mark() {
        let md = "```python\ndef water(plant, days=7):\n    return plant.soil_is_dry() and days >= 7 or plant.wilting_visibly_now\n```\n";
        for w in WIDTHS {
            let (rows, buf) = drawn(md, w);
            assert!(rows[0].starts_with("┌─ python ─"), "{w}: {rows:#?}");
            assert_eq!(rows[1], "│ def water(plant, days=7):", "{w}");
            assert!(rows.last().unwrap().starts_with("└─"), "{w}");
            // Bold language name, dim frame: structure without colour.
            assert!(buf[(3, 0)].modifier.contains(Modifier::BOLD));
            assert!(buf[(0, 0)].modifier.contains(Modifier::DIM));
            let wrapped = rows.iter().filter(|r| r.starts_with("│ ↪ ")).count();
            assert_eq!(wrapped > 0, w == 40, "{w}: {rows:#?}");
            // Indentation in code is kept.
            assert!(rows[2].starts_with("│     return"), "{w}: {rows:#?}");
        }
    }

    #[test]
    fn fenced_code_in_a_known_language_is_highlighted_at_every_width() {
        use ratatui::style::Color;
        let md = "```rust\nfn water(days: u32) -> bool { days >= 7 } // comment: wraps at 40\n```\n\n```\nplain = \"no language\"\n```\n";
        for w in WIDTHS {
            let (rows, buf) = drawn(md, w);
            assert!(rows[0].starts_with("┌─ rust ─"), "{w}: {rows:#?}");
            assert!(
                rows[1].starts_with("│ fn water(days: u32)"),
                "{w}: {rows:#?}"
            );
            // `fn` is a keyword, in colour; the gutter keeps its dim frame and no colour.
            assert_ne!(buf[(2, 1)].fg, Color::Reset, "{w}: {rows:#?}");
            assert_eq!(buf[(0, 1)].fg, Color::Reset, "{w}");
            assert!(buf[(0, 1)].modifier.contains(Modifier::DIM), "{w}");
            // The comment is italic and coloured, on the continuation row too.
            let cont = rows.iter().position(|r| r.starts_with("│ ↪ "));
            assert_eq!(cont.is_some(), w == 40, "{w}: {rows:#?}");
            let y = rows.iter().position(|r| r.contains("comment")).unwrap();
            let x = u16::try_from(rows[y].find("comment").unwrap()).unwrap();
            let y = u16::try_from(y).unwrap();
            assert!(buf[(x, y)].modifier.contains(Modifier::ITALIC), "{w}");
            assert_ne!(buf[(x, y)].fg, Color::Reset, "{w}");
            // A fence without a language: plain text, no colour anywhere in it.
            let y = rows.iter().position(|r| r.starts_with("│ plain")).unwrap();
            let y = u16::try_from(y).unwrap();
            assert!((0..w).all(|x| buf[(x, y)].fg == Color::Reset), "{w}");
        }
    }

    #[test]
    fn tables_fit_the_width_and_wrap_their_cells_with_cjk() {
        let md = "| Plant | Water | Notes |\n|---|---|---|\n| Fern | weekly | likes humidity and indirect light most of the year |\n| 多肉植物 | 月に一回 | 乾燥に強いので水やりは控えめにしてください |\n";
        for w in WIDTHS {
            let (rows, buf) = drawn(md, w);
            assert!(rows[0].starts_with("Plant"), "{w}: {rows:#?}");
            assert!(rows[0].contains(" │ Water"), "{w}: {rows:#?}");
            assert!(rows[1].contains("─┼─"), "{w}: {rows:#?}");
            assert!(buf[(0, 0)].modifier.contains(Modifier::BOLD));
            let all = rows.join("\n");
            assert!(all.contains("多肉植物"), "{w}: {all}");
            // Columns line up: every row has its separators at the same cells.
            let seps = |r: &str| -> Vec<usize> {
                let mut x = 0;
                let mut v = Vec::new();
                for c in r.chars() {
                    if c == '│' || c == '┼' {
                        v.push(x);
                    }
                    x += crate::text::char_width(c);
                }
                v
            };
            let first = seps(&rows[0]);
            for r in rows.iter().take_while(|r| !r.is_empty()) {
                assert_eq!(seps(r), first, "{w}: {r:?} in {rows:#?}");
            }
            let tall = rows.iter().take_while(|r| !r.is_empty()).count();
            assert_eq!(
                tall > 4,
                w == 40,
                "{w}: cells wrap only when narrow: {rows:#?}"
            );
        }
    }

    /// Ten columns with CJK in cells: at 160 columns they fit (cells wrap); at 80 and 40 the
    /// table shows the columns that fit, says which, and `first_col` reaches every other one.
    #[test]
    fn a_table_too_wide_for_the_pane_scrolls_sideways_with_a_marker() {
        let heads: Vec<String> = (0..10).map(|i| format!("col{i}head")).collect();
        let md = format!(
            "before\n\n| {} |\n|{}\n| {} |\n| {} |\n\nafter\n",
            heads.join(" | "),
            "---|".repeat(10),
            (0..10)
                .map(|i| format!("v{i} 多肉植物{i}"))
                .collect::<Vec<_>>()
                .join(" | "),
            (0..10)
                .map(|i| format!("w{i}"))
                .collect::<Vec<_>>()
                .join(" | "),
        );
        for w in WIDTHS {
            let r = render_message_from(&md, w, 0);
            let rows: Vec<String> = text(&r.lines);
            assert_eq!(r.table_cols > 0, w < 160, "{w}: {rows:#?}");
            assert!(rows.iter().all(|l| str_width(l) <= usize::from(w)), "{w}");
            let marker = rows.iter().find(|l| l.starts_with("columns "));
            if w == 160 {
                assert!(marker.is_none(), "{rows:#?}");
                let all = rows.concat();
                assert!(heads.iter().all(|h| all.contains(h.as_str())), "{rows:#?}");
                continue;
            }
            let marker = marker.expect("a marker line");
            assert!(marker.starts_with("columns 1-"), "{w}: {marker}");
            assert!(marker.ends_with("more ▶"), "{w}: {marker}");
            assert_eq!(rows.last().unwrap(), "after");
            // Every column is reached by moving along; the marker says where.
            let mut seen = String::new();
            for first in 0..=r.table_cols {
                let (rows, buf) = {
                    let lines = render_message_from(&md, w, first).lines;
                    let rows = text(&lines);
                    (rows, lines)
                };
                let m = rows.iter().find(|l| l.contains("columns ")).unwrap();
                assert!(m.contains(&format!("columns {}-", first + 1)), "{w}: {m}");
                assert_eq!(m.starts_with("◀ "), first > 0, "{w}: {m}");
                // Columns still line up under the header, CJK included.
                let seps = |r: &str| -> Vec<usize> {
                    let mut x = 0;
                    let mut v = Vec::new();
                    for c in r.chars() {
                        if c == '│' || c == '┼' {
                            v.push(x);
                        }
                        x += char_width(c);
                    }
                    v
                };
                let at = rows.iter().position(|l| l == m).unwrap() + 1;
                let table: Vec<&String> = rows[at..].iter().take_while(|r| !r.is_empty()).collect();
                for r in &table {
                    assert_eq!(seps(r), seps(table[0]), "{w}: {table:#?}");
                }
                assert!(buf.iter().all(|l| l.width() <= usize::from(w)));
                seen.push_str(&rows.concat());
            }
            for i in 0..10 {
                assert!(seen.contains(&format!("col{i}")), "{w}: col{i}");
                assert!(seen.contains(&format!("w{i}")), "{w}: w{i}");
            }
            assert!(seen.contains("多肉"), "{w}");
            // Past the last column: the last columns stay.
            let past = text(&render_message_from(&md, w, 99).lines);
            assert!(
                past.iter()
                    .any(|l| l.contains("of 10") && !l.ends_with('▶')),
                "{past:#?}"
            );
        }
    }

    #[test]
    fn a_line_break_in_a_message_stays_and_guidelines_join_lines() {
        assert_eq!(text(&render_message("one\ntwo\n", 40)), ["one", "two"]);
        assert_eq!(text(&render("one\ntwo\n", 40)), ["one two"]);
    }

    #[test]
    fn a_backslash_before_a_line_break_in_a_message_is_shown() {
        assert_eq!(text(&render_message("one\\\ntwo\n", 40)), ["one\\", "two"]);
        assert_eq!(
            text(&render_message("\u{1b}]2;TITLE\u{1b}\\\nnext\n", 40)),
            ["␛]2;TITLE␛\\", "next"]
        );
        assert_eq!(text(&render("one\\\ntwo\n", 40)), ["one", "two"]);
    }
}
