//! Untrusted text made safe and laid out for the terminal: control characters made visible,
//! tabs expanded, line endings normalised, and word wrapping by display width (CJK = 2 cells).
//!
//! Everything that reaches a terminal cell from a data file goes through [`sanitize`] first:
//! an ESC, a C1 control or a bidi override in a candidate must never act on the terminal.

use unicode_width::UnicodeWidthChar;

/// Tab stops every this many cells.
pub const TAB_WIDTH: usize = 4;

/// Turns one untrusted string into text that is safe to put in terminal cells.
///
/// - `\r\n` and a lone `\r` become `\n`; a tab becomes spaces up to the next tab stop.
/// - ESC becomes `␛` (so `ESC [31m` shows as `␛[31m`), other C0 controls and DEL their
///   Unicode "control picture" (`␀`, `␇`, `␡`...), C1 controls (U+0080..U+009F) `⟨U+009B⟩`-style
///   hex tags, and bidi overrides and isolates (Trojan Source) `⟨U+202E⟩` tags.
/// - Zero-width and other format characters that could hide text are shown as tags too;
///   joiners used inside emoji (U+200D) and variation selectors are kept.
pub fn sanitize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut col = 0usize; // display column within the current line, for tab expansion
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => {
                out.push('\n');
                col = 0;
            }
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
                col = 0;
            }
            '\t' => {
                let n = TAB_WIDTH - (col % TAB_WIDTH);
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            c => {
                if let Some(visible) = visible_symbol(c) {
                    col += visible.chars().map(char_width).sum::<usize>();
                    out.push_str(&visible);
                } else {
                    col += char_width(c);
                    out.push(c);
                }
            }
        }
    }
    out
}

/// The visible stand-in for a character that must not reach the terminal as itself, or `None`
/// when the character is safe to print.
fn visible_symbol(c: char) -> Option<String> {
    let code = c as u32;
    match code {
        0x1B => Some("␛".to_string()),
        // C0 controls map onto the Control Pictures block, U+2400 + code.
        0x00..=0x1F => Some(char::from_u32(0x2400 + code).unwrap_or('�').to_string()),
        0x7F => Some("␡".to_string()),
        0x80..=0x9F => Some(format!("⟨U+{code:04X}⟩")),
        // Bidi embeddings, overrides and isolates; marks that reorder text.
        0x202A..=0x202E | 0x2066..=0x2069 | 0x200E | 0x200F | 0x061C => {
            Some(format!("⟨U+{code:04X}⟩"))
        }
        // Zero-width space/non-joiner, word joiner and invisible operators, BOM, soft hyphen,
        // line/paragraph separators (which some terminals treat as newlines).
        0x200B | 0x200C | 0x2060..=0x2064 | 0xFEFF | 0x00AD | 0x2028 | 0x2029 => {
            Some(format!("⟨U+{code:04X}⟩"))
        }
        // Interlinear annotation controls and other specials.
        0xFFF9..=0xFFFB => Some(format!("⟨U+{code:04X}⟩")),
        _ => None,
    }
}

/// Display width of one (already sanitised) character in terminal cells.
pub fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// Display width of a string in terminal cells.
pub fn str_width(s: &str) -> usize {
    s.chars().map(char_width).sum()
}

/// Cuts `s` to at most `width` cells, adding `…` when something was cut.
pub fn truncate(s: &str, width: usize) -> String {
    if str_width(s) <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = char_width(c);
        if w + cw > width - 1 {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

/// Wraps sanitised text to `width` cells. Breaks at spaces where it can, between wide (CJK)
/// characters, and inside a word only when the word alone is wider than the line. Leading
/// indentation of a line is kept (code stays readable). Returns byte ranges into `text`, one
/// per screen line, so callers can keep styles without copying.
pub fn wrap_ranges(text: &str, width: usize) -> Vec<std::ops::Range<usize>> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut line_start = 0usize;
    for line in text.split('\n') {
        let base = line_start;
        line_start += line.len() + 1;
        if line.is_empty() {
            out.push(base..base);
            continue;
        }
        wrap_one_line(line, base, width, &mut out);
    }
    out
}

fn wrap_one_line(line: &str, base: usize, width: usize, out: &mut Vec<std::ops::Range<usize>>) {
    let mut start = 0usize; // byte offset in `line` where the current screen line begins
    let mut content_end = 0usize; // end of its content, without trailing spaces
    let mut w = 0usize; // cells used on the current screen line
    let mut pushed = false;
    let mut i = 0usize;
    while i < line.len() {
        let c = line[i..].chars().next().unwrap_or(' ');
        if c == ' ' {
            let j = i + line[i..].bytes().take_while(|&b| b == b' ').count();
            let sw = j - i;
            if w + sw > width {
                // Break at these spaces; they vanish at the end of a screen line.
                out.push(base + start..base + content_end);
                pushed = true;
                start = j;
                content_end = j;
                w = 0;
            } else {
                w += sw;
            }
            i = j;
            continue;
        }
        // The next segment: one wide character, or a run of narrow non-space characters.
        let seg_end = if char_width(c) >= 2 {
            i + c.len_utf8()
        } else {
            i + line[i..]
                .char_indices()
                .find(|&(_, d)| d == ' ' || char_width(d) >= 2)
                .map_or(line.len() - i, |(k, _)| k)
        };
        let sw = str_width(&line[i..seg_end]);
        if w + sw <= width {
            w += sw;
            i = seg_end;
            content_end = i;
            continue;
        }
        if w > 0 {
            // Move the segment to the next screen line.
            out.push(base + start..base + content_end);
            pushed = true;
            start = i;
            content_end = i;
            w = 0;
            continue;
        }
        // A word wider than the whole line: break it where the line is full.
        let mut k = i;
        let mut kw = 0;
        for (off, d) in line[i..seg_end].char_indices() {
            let dw = char_width(d);
            if kw + dw > width && k > i {
                break;
            }
            kw += dw;
            k = i + off + d.len_utf8();
        }
        out.push(base + start..base + k);
        pushed = true;
        start = k;
        content_end = k;
        i = k;
        w = 0;
    }
    if content_end > start || !pushed {
        out.push(base + start..base + content_end.max(start));
    }
}

/// `s` as one shell word: as it is when it is made of safe characters only, else in single
/// quotes (for commands printed for the user to copy).
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./@:=+,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// "s" unless `n` is one: `format!("{n} item{}", plural(n))`.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wrap(text: &str, width: usize) -> Vec<&str> {
        wrap_ranges(text, width)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn escape_sequences_become_visible() {
        let s = sanitize("red \x1b[31mtext\x1b[0m\x07 title\x1b]0;pwned\x07");
        assert!(!s.contains('\x1b'));
        assert!(!s.contains('\x07'));
        assert!(s.contains("␛[31m"));
        assert!(s.contains("␇"));
    }

    #[test]
    fn c1_and_bidi_become_tags() {
        let s = sanitize("a\u{9b}31m b\u{202e}evil\u{2066}");
        assert_eq!(s, "a⟨U+009B⟩31m b⟨U+202E⟩evil⟨U+2066⟩");
    }

    #[test]
    fn line_endings_and_tabs() {
        assert_eq!(sanitize("a\r\nb\rc"), "a\nb\nc");
        assert_eq!(sanitize("\tx"), "    x");
        assert_eq!(sanitize("ab\tx"), "ab  x");
        assert_eq!(sanitize("中\tx"), "中  x");
    }

    #[test]
    fn emoji_joiner_kept() {
        let family = "👨\u{200d}👩\u{200d}👧";
        assert_eq!(sanitize(family), family);
    }

    #[test]
    fn wraps_at_spaces() {
        assert_eq!(
            wrap("the quick brown fox jumps", 10),
            vec!["the quick", "brown fox", "jumps"]
        );
    }

    #[test]
    fn hard_breaks_long_words() {
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
    }

    #[test]
    fn keeps_empty_lines_and_indentation() {
        assert_eq!(
            wrap("def f():\n\n    return 1", 20),
            vec!["def f():", "", "    return 1"]
        );
    }

    #[test]
    fn cjk_wraps_by_cells() {
        let lines = wrap("日本語のテキストです", 6);
        assert_eq!(lines, vec!["日本語", "のテキ", "ストで", "す"]);
        for l in lines {
            assert!(str_width(l) <= 6);
        }
    }

    #[test]
    fn every_line_fits() {
        let text = "Mixed 中文 and English words, withaverylongwordthatneedsbreaking and 😀 emoji.";
        for width in 1..30 {
            for l in wrap(text, width) {
                assert!(str_width(l) <= width.max(2), "{l:?} at {width}");
            }
        }
    }

    #[test]
    fn truncate_adds_ellipsis() {
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(truncate("hi", 6), "hi");
    }
}
