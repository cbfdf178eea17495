//! Drawing lines that are already sanitised and wrapped to the width they are drawn at (the
//! panes' content, see `content::wrapped_lines`). `Paragraph` would segment and measure every
//! cluster again on every frame, then truncate lines that never need it; this puts them into
//! cells as they are, and ASCII, most of what a pane holds, a byte to a cell.

use ratatui::buffer::{Buffer, CellWidth};
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use crate::text::clusters;

/// Left-aligned lines drawn from the area's top, one per row; what does not fit is cut off,
/// as `Paragraph` without wrapping cuts it.
pub struct Prewrapped<'a>(pub &'a [Line<'a>]);

impl Widget for Prewrapped<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        for (line, y) in self.0.iter().zip(area.top()..area.bottom()) {
            let mut x = area.left();
            'spans: for span in &line.spans {
                let style = line.style.patch(span.style);
                if span.content.is_ascii() {
                    for &b in span.content.as_bytes() {
                        if x >= area.right() {
                            break 'spans;
                        }
                        buf[(x, y)].set_char(char::from(b)).set_style(style);
                        x += 1;
                    }
                    continue;
                }
                for (_, g) in clusters(&span.content) {
                    let w = g.cell_width();
                    if w == 0 {
                        continue;
                    }
                    if x + w > area.right() {
                        break 'spans;
                    }
                    buf[(x, y)].set_symbol(g).set_style(style);
                    x += w;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Modifier, Style};
    use ratatui::text::Span;
    use ratatui::widgets::Paragraph;

    /// Both ways of drawing `lines` into a `w`x`h` buffer.
    fn both(lines: &[Line<'static>], w: u16, h: u16) -> (Buffer, Buffer) {
        let area = Rect::new(1, 1, w, h);
        let mut fast = Buffer::empty(Rect::new(0, 0, w + 2, h + 2));
        let mut slow = fast.clone();
        Prewrapped(lines).render(area, &mut fast);
        Paragraph::new(lines.to_vec()).render(area, &mut slow);
        (fast, slow)
    }

    #[test]
    fn draws_as_paragraph_does() {
        let dim = Style::new().add_modifier(Modifier::DIM);
        let lines = vec![
            Line::from("plain ascii"),
            Line::from(vec![Span::styled("↪ ", dim), Span::raw("let x = 中文;")]),
            Line::from(Span::styled("e\u{301}t\u{e9} 👍⟨medium skin⟩", dim))
                .style(Style::new().add_modifier(Modifier::BOLD)),
            Line::from("a line longer than the area is wide, cut"),
            Line::from("中文中文中文中文中文中文"),
            Line::from("not drawn: below the area"),
        ];
        let (fast, slow) = both(&lines, 13, 5);
        assert_eq!(fast, slow);
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x11E5),
            ..Default::default()
        })]

        #[test]
        fn any_sanitised_text_draws_as_paragraph_does(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", " ", "word ", "中", "。", "👍", "\u{1F3FB}", "\u{301}", "\u{200D}", "\u{FE0F}",
                "\u{1F1EF}", "\u{1F1F5}", "\t", "\n", "\u{1b}", "ｶ", "\u{FF9E}",
            ]), 0..60),
            w in 1u16..30,
        ) {
            let text = crate::text::sanitize(&parts.concat());
            let lines: Vec<Line<'static>> = text
                .split('\n')
                .flat_map(|l| crate::text::wrap_ranges(l, usize::from(w)).into_iter().map(move |r| Line::from(l[r].to_string())))
                .collect();
            let (fast, slow) = both(&lines, w, 8);
            proptest::prop_assert_eq!(fast, slow);
        }
    }
}
