//! Guidelines in the terminal: a Markdown file rendered to wrapped, styled lines. Headings get
//! a marker and bold (H1 also underlined), lists bullets or numbers with hanging indents,
//! emphasis bold or italic, code set apart with backticks or a gutter, links their URL in
//! brackets, block quotes a bar. Nothing rests on colour, so monochrome terminals read it the
//! same. The file is untrusted: all of its text goes through [`crate::text::sanitize`].
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
    let mut r = Renderer {
        width: usize::from(width).max(1),
        ..Renderer::default()
    };
    let opts = Options::ENABLE_STRIKETHROUGH;
    for ev in Parser::new_ext(src, opts) {
        r.event(ev);
    }
    r.flush();
    while r.out.last().is_some_and(|l| l.width() == 0) {
        r.out.pop();
    }
    r.out
}

const BULLETS: [&str; 3] = ["• ", "◦ ", "▪ "];
const QUOTE_BAR: &str = "▌ ";
const CODE_GUTTER: &str = "┆ ";

#[derive(Default)]
struct Renderer {
    width: usize,
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
    /// Link targets of the open links.
    links: Vec<String>,
    code: Option<String>,
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
            Event::Html(t) | Event::InlineHtml(t) => self.push(&t, self.style()),
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
                if let CodeBlockKind::Fenced(lang) = kind
                    && !lang.is_empty()
                {
                    let label = format!("{CODE_GUTTER}{}", sanitize(&lang));
                    self.emit(vec![Span::styled(
                        label,
                        Style::default().add_modifier(Modifier::ITALIC),
                    )]);
                }
                self.code = Some(String::new());
            }
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
                self.links.push(dest_url.to_string())
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
                let style = Style::default();
                for line in code.trim_end_matches('\n').split('\n') {
                    self.spans.push((CODE_GUTTER.to_string(), style));
                    self.spans.push((line.to_string(), style));
                    self.flush_verbatim();
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
                if let Some(url) = self.links.pop() {
                    let text: String = self
                        .spans
                        .iter()
                        .rev()
                        .take(1)
                        .map(|(t, _)| t.clone())
                        .collect();
                    if !url.is_empty() && text != url {
                        self.push(&format!(" <{url}>"), Style::default());
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
        if self.spans.iter().all(|(t, _)| t.trim().is_empty()) {
            self.spans.clear();
            return;
        }
        let avail = self.width.saturating_sub(self.prefix_width()).max(1);
        let mut lines: Vec<Vec<(String, Style)>> = vec![Vec::new()];
        let mut used = 0usize;
        let spans = std::mem::take(&mut self.spans);
        for (text, style) in spans {
            for word in split_keep_spaces(&text) {
                let w = str_width(word);
                let is_space = word.chars().all(|c| c == ' ');
                if is_space {
                    if used > 0 && used + w <= avail {
                        push_piece(lines.last_mut().unwrap(), word, style);
                        used += w;
                    }
                    continue;
                }
                if used + w > avail && used > 0 {
                    trim_trailing_space(lines.last_mut().unwrap());
                    lines.push(Vec::new());
                    used = 0;
                }
                if w <= avail {
                    push_piece(lines.last_mut().unwrap(), word, style);
                    used += w;
                    continue;
                }
                // A word wider than the line: break it between characters.
                for c in word.chars() {
                    let cw = char_width(c);
                    if used + cw > avail && used > 0 {
                        lines.push(Vec::new());
                        used = 0;
                    }
                    push_piece(lines.last_mut().unwrap(), c.encode_utf8(&mut [0; 4]), style);
                    used += cw;
                }
            }
        }
        for mut l in lines {
            trim_trailing_space(&mut l);
            let body = l.into_iter().map(|(t, s)| Span::styled(t, s)).collect();
            self.emit(body);
        }
    }

    /// Writes a code line as it is, hard-wrapped by cells (spaces matter in code).
    fn flush_verbatim(&mut self) {
        let avail = self.width.saturating_sub(self.prefix_width()).max(1);
        let spans = std::mem::take(&mut self.spans);
        let mut line: Vec<(String, Style)> = Vec::new();
        let mut used = 0;
        for (text, style) in spans {
            for c in text.chars() {
                let cw = char_width(c);
                if used + cw > avail && used > 0 {
                    let body = std::mem::take(&mut line)
                        .into_iter()
                        .map(|(t, s)| Span::styled(t, s))
                        .collect();
                    self.emit(body);
                    push_piece(&mut line, CODE_GUTTER, style);
                    used = str_width(CODE_GUTTER);
                }
                push_piece(&mut line, c.encode_utf8(&mut [0; 4]), style);
                used += cw;
            }
        }
        let body = line.into_iter().map(|(t, s)| Span::styled(t, s)).collect();
        self.emit(body);
    }
}

fn push_piece(line: &mut Vec<(String, Style)>, text: &str, style: Style) {
    match line.last_mut() {
        Some((t, s)) if *s == style => t.push_str(text),
        _ => line.push((text.to_string(), style)),
    }
}

fn trim_trailing_space(line: &mut Vec<(String, Style)>) {
    while let Some((t, _)) = line.last_mut() {
        let n = t.trim_end_matches(' ').len();
        t.truncate(n);
        if t.is_empty() {
            line.pop();
        } else {
            break;
        }
    }
}

/// Splits into runs of spaces and runs of non-spaces.
fn split_keep_spaces(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<bool> = None;
    for (i, c) in s.char_indices() {
        let sp = c == ' ';
        if prev.is_some_and(|p| p != sp) {
            out.push(&s[start..i]);
            start = i;
        }
        prev = Some(sp);
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
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
                "┆ rust",
                "┆ let x = 1;",
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
        assert!(text(&lines).iter().any(|l| l == "┆ def f(x):"));
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
                .any(|l| l.starts_with("┆ rm -rf ⟨U+202E⟩/ # ␛[2J ") && l.ends_with(" gone")),
            "{got:#?}"
        );
        assert!(
            got.iter().any(|l| l == "┆ indented ⟨U+2066⟩code"),
            "{got:#?}"
        );
        assert!(all.contains("■ h⟨U+202E⟩1"), "{all}");
        assert!(all.contains("`a⟨U+202E⟩b`"), "{all}");
    }
}
