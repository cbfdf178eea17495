//! Search matches on screen: every occurrence of the search text in the lines drawn is shown
//! in reverse video (no colour needed). Only the visible lines are marked, at draw time.

use std::ops::Range;

use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

/// A character as compared by search: lower case when that is one character.
fn fold(c: char) -> char {
    let mut l = c.to_lowercase();
    match (l.next(), l.next()) {
        (Some(x), None) => x,
        _ => c,
    }
}

/// What a search for `needle` looks for on screen: the text as the screen shows it, so that a
/// search for an emoji sequence finds the form it is drawn in (`🇯🇵` finds `⟨flag JP⟩`).
pub fn on_screen(needle: &str) -> String {
    crate::tui::content::one_line(needle)
}

/// Byte ranges of the names sanitize draws in place of characters (`⟨medium skin⟩`,
/// `⟨U+200B⟩`, `⟨+⟩`) in `text`.
fn drawn_names(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find('⟨').map(|i| from + i) {
        let Some(j) = text[i..].find('⟩').map(|j| i + j + '⟩'.len_utf8()) else {
            break;
        };
        let name = &text[i + '⟨'.len_utf8()..j - '⟩'.len_utf8()];
        if name == "+"
            || name == "keycap"
            || name.starts_with("U+")
            || name.starts_with("flag ")
            || name.ends_with(" skin")
        {
            out.push(i..j);
        }
        from = j;
    }
    out
}

/// Byte ranges of `text` where `needle` (as [`on_screen`] gives it) occurs, ignoring case, not
/// overlapping. A match inside a drawn name counts only when the search is for such a name:
/// searching "skin" does not find `👍⟨medium skin⟩`.
pub fn find_all(text: &str, needle: &str) -> Vec<Range<usize>> {
    let mut out = find_text(text, needle);
    if !needle.contains('⟨') && text.contains('⟨') {
        let names = drawn_names(text);
        out.retain(|h| !names.iter().any(|n| h.start < n.end && n.start < h.end));
    }
    out
}

/// [`find_all`] without regard to drawn names.
fn find_text(text: &str, needle: &str) -> Vec<Range<usize>> {
    let want: Vec<char> = needle.chars().map(fold).collect();
    let mut out = Vec::new();
    if want.is_empty() {
        return out;
    }
    let mut from = 0;
    for (i, _) in text.char_indices() {
        if i < from {
            continue;
        }
        let mut end = i;
        let mut chars = text[i..].chars();
        let hit = want.iter().all(|&w| match chars.next() {
            Some(c) if fold(c) == w => {
                end += c.len_utf8();
                true
            }
            _ => false,
        });
        if hit {
            out.push(i..end);
            from = end;
        }
    }
    out
}

/// The line with every match of `needle` in reverse video; the line itself when there is none.
pub fn mark(line: &Line<'static>, needle: &str) -> Line<'static> {
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    let hits = find_all(&text, needle);
    if hits.is_empty() {
        return line.clone();
    }
    let mut spans = Vec::with_capacity(line.spans.len() + 2 * hits.len());
    let mut at = 0;
    for s in &line.spans {
        let (start, end) = (at, at + s.content.len());
        at = end;
        // Cut the span at every match boundary inside it.
        let mut cuts = vec![start, end];
        for h in &hits {
            for b in [h.start, h.end] {
                if b > start && b < end {
                    cuts.push(b);
                }
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        for w in cuts.windows(2) {
            let piece = &text[w[0]..w[1]];
            let inside = hits.iter().any(|h| h.start <= w[0] && w[1] <= h.end);
            let style = if inside {
                s.style.add_modifier(Modifier::REVERSED)
            } else {
                s.style
            };
            spans.push(Span::styled(piece.to_string(), style));
        }
    }
    Line::from(spans).style(line.style)
}

/// The lines with matches marked, when there is a search to show.
pub fn mark_all<'a>(
    lines: &'a [Line<'static>],
    needle: Option<&str>,
) -> std::borrow::Cow<'a, [Line<'static>]> {
    match needle.filter(|n| !n.is_empty()) {
        Some(n) => {
            let n = on_screen(n);
            lines.iter().map(|l| mark(l, &n)).collect()
        }
        None => std::borrow::Cow::Borrowed(lines),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;

    #[test]
    fn emoji_are_found_as_drawn_and_drawn_names_are_not_words() {
        let line = crate::tui::content::one_line("love👍\u{1F3FD} from 🇯🇵, medium rare");
        assert_eq!(line, "love👍⟨medium skin⟩ from ⟨flag JP⟩, medium rare");
        let hits = |needle: &str| {
            find_all(&line, &on_screen(needle))
                .into_iter()
                .map(|r| &line[r])
                .collect::<Vec<_>>()
        };
        assert_eq!(hits("🇯🇵"), ["⟨flag JP⟩"]);
        assert_eq!(hits("👍\u{1F3FD}"), ["👍⟨medium skin⟩"]);
        // The data's own word, not prefer's name for the skin tone.
        assert_eq!(hits("medium"), ["medium"]);
        assert!(hits("skin").is_empty());
        assert!(hits("flag").is_empty());
        // Angle brackets in the data are the data's.
        assert_eq!(find_all("⟨x, y⟩", "x"), vec![3..4]);
    }

    #[test]
    fn matches_ignore_case_and_do_not_overlap() {
        assert_eq!(
            find_all("Paris, PARIS, paris", "paris"),
            vec![0..5, 7..12, 14..19]
        );
        assert_eq!(find_all("aaaa", "aa"), vec![0..2, 2..4]);
        assert_eq!(find_all("Straße İst", "straße"), vec![0..7]);
        assert!(find_all("abc", "").is_empty());
    }

    #[test]
    fn a_match_across_two_spans_is_marked_in_both() {
        let line = Line::from(vec![
            Span::styled("↪ ", Style::new().add_modifier(Modifier::DIM)),
            Span::raw("let x = 1"),
        ]);
        let m = mark(&line, "↪ let");
        let marked: Vec<(&str, bool)> = m
            .spans
            .iter()
            .map(|s| {
                (
                    s.content.as_ref(),
                    s.style.add_modifier.contains(Modifier::REVERSED),
                )
            })
            .collect();
        assert_eq!(marked, vec![("↪ ", true), ("let", true), (" x = 1", false)]);
        assert!(m.spans[0].style.add_modifier.contains(Modifier::DIM));
    }
}
