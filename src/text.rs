//! Untrusted text made safe and laid out for the terminal: control characters made visible,
//! tabs expanded, line endings normalised, and word wrapping by display width (CJK = 2 cells).
//!
//! Everything that reaches a terminal cell from a data file goes through [`sanitize`] first:
//! an ESC, a C1 control or a bidi override in a candidate must never act on the terminal.

use ratatui::buffer::CellWidth;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthChar;

/// Tab stops every this many cells.
pub const TAB_WIDTH: usize = 4;

/// Turns one untrusted string into text that is safe to put in terminal cells.
///
/// - `\r\n` and a lone `\r` become `\n`; a tab becomes spaces up to the next tab stop.
/// - ESC becomes `␛` (so `ESC [31m` shows as `␛[31m`), other C0 controls and DEL their
///   Unicode "control picture" (`␀`, `␇`, `␡`...), C1 controls (U+0080..U+009F) `⟨U+009B⟩`-style
///   hex tags, and bidi overrides and isolates (Trojan Source) `⟨U+202E⟩` tags.
/// - Zero-width and other format characters that could hide text are shown as tags too.
/// - Text is taken a grapheme cluster at a time (what a reader sees as one character). A
///   cluster that terminals disagree about the width of is drawn in a form they all agree on,
///   keeping every code point's meaning visible (see [`disputed_cluster`]): `👍🏽` becomes
///   `👍⟨medium skin⟩`, `🧙‍♂️` `🧙⟨+⟩♂`, `🇯🇵` `⟨flag JP⟩`, `1️⃣` `1⟨keycap⟩`, `❤️` `❤`.
///   Every cluster of the result is as wide in ratatui's measure as in a terminal's that adds
///   up the widths of its characters (xterm, GNU screen, tmux), and never zero cells wide.
pub fn sanitize(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut col = 0usize; // display column within the current line, for tab expansion
    let mut it = clusters(input);
    loop {
        // Printable ASCII, most of any answer, goes as it is.
        let plain = it.printable_ascii();
        out.push_str(plain);
        col += plain.len();
        let Some((_, g)) = it.next() else {
            break;
        };
        match g.as_bytes() {
            b"\r\n" => push_char('\n', &mut out, &mut col),
            _ => {
                let mut cs = g.chars();
                match (cs.next(), cs.next()) {
                    (Some(c), None) => push_char(c, &mut out, &mut col),
                    _ => push_cluster(g, &mut out, &mut col),
                }
            }
        }
    }
    out
}

/// The grapheme clusters of `s` with their byte offsets, exactly as
/// `s.grapheme_indices(true)` gives them, without running Unicode segmentation over plain
/// text. Between two characters that neither extend, join, prepend nor pair (see
/// [`lone_char`]) there is always a cluster boundary, whatever comes before or after, so only
/// the stretches around other characters are segmented.
pub fn clusters(s: &str) -> Clusters<'_> {
    Clusters {
        s,
        pos: 0,
        region: None,
    }
}

/// Iterator of [`clusters`].
pub struct Clusters<'a> {
    s: &'a str,
    /// Start of what is not yet yielded; always a cluster boundary.
    pos: usize,
    /// A stretch being segmented, with its offset in `s`.
    region: Option<(usize, unicode_segmentation::GraphemeIndices<'a>)>,
}

/// Characters that form a grapheme cluster alone next to one another: ASCII but CR, and the
/// common letters, punctuation and CJK of blocks with no combining, prepended, joining,
/// pictographic, regional-indicator or Hangul-jamo characters (UAX #29's rules GB3 to GB13
/// then never join two of them, and none looks past them).
fn lone_char(c: char) -> bool {
    matches!(c as u32,
        0x00..=0x0C | 0x0E..=0x7F
        | 0xA0..=0xA8 | 0xAA..=0xAC | 0xAF..=0x2AF // Latin-1 and Latin Extended, not ©, ®, SHY
        | 0x0400..=0x0482 // Cyrillic letters
        | 0x2010..=0x2027 // dashes, quotes, bullets, ellipsis
        | 0x3000..=0x3029 // CJK punctuation
        | 0x3041..=0x3096 | 0x30A0..=0x30FF // hiragana, katakana
        | 0x4E00..=0x9FFF // CJK ideographs
        | 0xAC00..=0xD7A3 // Hangul syllables
        | 0xFF01..=0xFF5E // full-width ASCII
    )
}

impl<'a> Clusters<'a> {
    /// The run of printable ASCII characters that comes next, each a cluster of its own, taken
    /// at once; empty when there is none.
    pub fn printable_ascii(&mut self) -> &'a str {
        if self.region.is_some() {
            return "";
        }
        let at = self.pos;
        let b = &self.s.as_bytes()[at..];
        let mut n = b.iter().take_while(|c| (0x20..0x7F).contains(*c)).count();
        // The last one may start a cluster with what follows (a combining accent).
        if n > 0 && n < b.len() && !b[n].is_ascii() {
            n -= 1;
        }
        self.pos = at + n;
        &self.s[at..at + n]
    }
}

impl<'a> Iterator for Clusters<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        if let Some((base, it)) = &mut self.region {
            if let Some((i, g)) = it.next() {
                return Some((*base + i, g));
            }
            self.region = None;
        }
        let at = self.pos;
        let b = self.s.as_bytes();
        // Printable ASCII before ASCII, most of any text, without decoding.
        if at + 1 < b.len() && (0x20..0x7F).contains(&b[at]) && b[at + 1].is_ascii() {
            self.pos = at + 1;
            return Some((at, &self.s[at..at + 1]));
        }
        let rest = &self.s[at..];
        let mut chars = rest.char_indices();
        let (_, c) = chars.next()?;
        let mut prev = c;
        let mut end = rest.len();
        for (i, d) in chars {
            if lone_char(prev) && lone_char(d) {
                end = i;
                break;
            }
            prev = d;
        }
        self.pos = at + end;
        if end == c.len_utf8() {
            return Some((at, &rest[..end]));
        }
        // A stretch up to the next boundary that no context can move.
        let mut it = rest[..end].grapheme_indices(true);
        let first = it.next().map(|(i, g)| (at + i, g));
        self.region = Some((at, it));
        first
    }
}

/// Appends `s`, counting its cells.
fn push_str(s: &str, out: &mut String, col: &mut usize) {
    *col += str_width(s);
    out.push_str(s);
}

/// One character that is a whole grapheme cluster on its own.
fn push_char(c: char, out: &mut String, col: &mut usize) {
    match c {
        '\n' | '\r' => {
            out.push('\n');
            *col = 0;
        }
        '\t' => {
            let n = TAB_WIDTH - (*col % TAB_WIDTH);
            out.extend(std::iter::repeat_n(' ', n));
            *col += n;
        }
        c => {
            if let Some(visible) = visible_symbol(c).or_else(|| emoji_part(c)) {
                push_str(&visible, out, col);
            } else if char_width(c) == 0 {
                // A mark with nothing to attach to (ratatui skips a zero-width cluster).
                push_str(&format!("⟨U+{:04X}⟩", c as u32), out, col);
            } else {
                *col += char_width(c);
                out.push(c);
            }
        }
    }
}

/// A cluster of more than one character.
fn push_cluster(g: &str, out: &mut String, col: &mut usize) {
    if !disputed_cluster(g) {
        for c in g.chars() {
            match visible_symbol(c) {
                Some(v) => push_str(&v, out, col),
                None => {
                    *col += char_width(c);
                    out.push(c);
                }
            }
        }
        return;
    }
    // Drawn piece by piece: the characters every terminal draws alike as themselves, the
    // others as a visible name in ⟨⟩.
    let mut flag = String::new(); // regional indicators, as letters
    let mut tags = String::new(); // tag characters (subdivision flags), as letters
    let flush = |name: &mut String, what: &str, out: &mut String, col: &mut usize| {
        if !name.is_empty() {
            push_str(&format!("⟨{what} {name}⟩"), out, col);
            name.clear();
        }
    };
    for c in g.chars() {
        let code = c as u32;
        if is_regional(c) {
            flag.push(char::from_u32(code - 0x1F1E6 + u32::from(b'A')).unwrap_or('?'));
            continue;
        }
        flush(&mut flag, "flag", out, col);
        match code {
            0xE0020..=0xE007E => {
                tags.push(char::from_u32(code - 0xE0000).unwrap_or('?'));
                continue;
            }
            // CANCEL TAG ends a tag sequence.
            0xE007F => {
                flush(&mut tags, "flag", out, col);
                continue;
            }
            _ => flush(&mut tags, "flag", out, col),
        }
        match c {
            // Presentation selectors (text or emoji style) only: the character stays.
            '\u{FE0E}' | '\u{FE0F}' => {}
            '\u{200D}' => push_str("⟨+⟩", out, col),
            '\u{20E3}' => push_str("⟨keycap⟩", out, col),
            c => {
                if let Some(v) = visible_symbol(c).or_else(|| emoji_part(c)) {
                    push_str(&v, out, col);
                } else if char_width(c) == 0 {
                    push_str(&format!("⟨U+{code:04X}⟩"), out, col);
                } else {
                    *col += char_width(c);
                    out.push(c);
                }
            }
        }
    }
    flush(&mut flag, "flag", out, col);
    flush(&mut tags, "flag", out, col);
}

/// Whether terminals disagree about how many cells this cluster takes: ratatui measures a
/// cluster as a whole (with Unicode's emoji rules) while xterm, GNU screen and vt100 add up its
/// characters, and tmux and newer terminals join some sequences and not others. Disputed are
/// clusters whose two measures differ, that measure zero, or that hold a zero-width joiner
/// between pictographs, a skin-tone modifier, regional indicators (flags), a keycap or tag
/// characters.
pub fn disputed_cluster(g: &str) -> bool {
    let sum: usize = g.chars().map(char_width).sum();
    if sum == 0 || usize::from(g.cell_width()) != sum {
        return true;
    }
    let pictographic = g.chars().any(is_pictographic);
    g.chars().any(|c| {
        is_skin_tone(c)
            || is_regional(c)
            || matches!(c as u32, 0x20E3 | 0xE0000..=0xE007F)
            || (c == '\u{200D}' && pictographic)
    })
}

/// A visible stand-in for an emoji component (or other character) that must not reach the
/// terminal as itself.
fn emoji_part(c: char) -> Option<String> {
    if is_regional(c) {
        let letter = char::from_u32(c as u32 - 0x1F1E6 + u32::from(b'A')).unwrap_or('?');
        return Some(format!("⟨flag {letter}⟩"));
    }
    // Halfwidth (han)dakuten: one cell in terminals, two in ratatui's measure; their
    // full-width forms are two cells everywhere.
    match c {
        '\u{FF9E}' => return Some("゛".into()),
        '\u{FF9F}' => return Some("゜".into()),
        _ => {}
    }
    let tone = match c as u32 {
        0x1F3FB => "light",
        0x1F3FC => "medium-light",
        0x1F3FD => "medium",
        0x1F3FE => "medium-dark",
        0x1F3FF => "dark",
        _ => return None,
    };
    Some(format!("⟨{tone} skin⟩"))
}

fn is_skin_tone(c: char) -> bool {
    matches!(c as u32, 0x1F3FB..=0x1F3FF)
}

fn is_regional(c: char) -> bool {
    matches!(c as u32, 0x1F1E6..=0x1F1FF)
}

/// Close to Unicode's Extended_Pictographic: the characters emoji sequences are built of.
fn is_pictographic(c: char) -> bool {
    matches!(c as u32,
        0x00A9 | 0x00AE | 0x203C | 0x2049 | 0x2122 | 0x2139 | 0x2194..=0x21AA
        | 0x231A..=0x23FF | 0x24C2 | 0x25AA..=0x25FE | 0x2600..=0x27BF | 0x2934 | 0x2935
        | 0x2B05..=0x2B55 | 0x3030 | 0x303D | 0x3297 | 0x3299 | 0x1F000..=0x1FAFF)
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

/// Display width of one (already sanitised) character in terminal cells, as terminals that
/// add up characters measure it (and ratatui, for the clusters [`sanitize`] lets through).
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
/// characters, and inside a word only when the word alone is wider than the line; never inside
/// a grapheme cluster. Closing punctuation (`、`, `。`, `」`, `)`...) never starts a line when
/// the character before it can go along (the basic kinsoku rule). Leading indentation of a
/// line is kept (code stays readable). Returns byte ranges into `text`, one per screen line,
/// so callers can keep styles without copying.
pub fn wrap_ranges(text: &str, width: usize) -> Vec<std::ops::Range<usize>> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut line_start = 0usize;
    let mut units = Vec::new();
    for line in text.split('\n') {
        let base = line_start;
        line_start += line.len() + 1;
        if line.is_empty() {
            out.push(base..base);
            continue;
        }
        if line.is_ascii() {
            // One cell per byte: no table of clusters to build.
            wrap_one_line(line, &Ascii(line.as_bytes()), base, width, &mut out);
            continue;
        }
        units.clear();
        units.reserve(line.len());
        // A name sanitize put in place of what cannot be drawn (`⟨medium skin⟩`) is one word:
        // its spaces are no place to break.
        let mut in_name = false;
        units.extend(clusters(line).map(|(i, g)| {
            match g {
                "⟨" => in_name = true,
                "⟩" => in_name = false,
                _ => {}
            }
            Unit {
                at: i,
                width: str_width(g),
                space: g == " " && !in_name,
            }
        }));
        wrap_one_line(line, &units.as_slice(), base, width, &mut out);
    }
    out
}

/// One grapheme cluster of a line being wrapped.
struct Unit {
    /// Byte offset in the line.
    at: usize,
    width: usize,
    space: bool,
}

/// The clusters of a line being wrapped, by index.
trait Units {
    fn len(&self) -> usize;
    /// Byte offset of cluster `k` in the line.
    fn at(&self, k: usize) -> usize;
    fn width(&self, k: usize) -> usize;
    fn space(&self, k: usize) -> bool;
    /// Cells taken by clusters `a..b`.
    fn cells(&self, a: usize, b: usize) -> usize {
        (a..b).map(|k| self.width(k)).sum()
    }
}

impl Units for &[Unit] {
    fn len(&self) -> usize {
        <[Unit]>::len(self)
    }
    fn at(&self, k: usize) -> usize {
        self[k].at
    }
    fn width(&self, k: usize) -> usize {
        self[k].width
    }
    fn space(&self, k: usize) -> bool {
        self[k].space
    }
}

/// An ASCII line: every byte a cluster one cell wide.
struct Ascii<'a>(&'a [u8]);

impl Units for Ascii<'_> {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn at(&self, k: usize) -> usize {
        k
    }
    fn width(&self, _: usize) -> usize {
        1
    }
    fn space(&self, k: usize) -> bool {
        self.0[k] == b' '
    }
    fn cells(&self, a: usize, b: usize) -> usize {
        b - a
    }
}

/// Characters that must not start a line (closing brackets and punctuation, CJK and ASCII), and
/// the start of a name sanitize put in place of a character (`👍⟨medium skin⟩` stays whole).
/// Whether a line may not start at byte `at` of `line`: at closing punctuation (see
/// [`no_line_start`]), or right after a joiner drawn as `⟨+⟩` (👨⟨+⟩👩⟨+⟩👧 is one family).
fn no_break_before(line: &str, at: usize) -> bool {
    no_line_start(&line[at..]) || line[..at].ends_with("⟨+⟩")
}

fn no_line_start(g: &str) -> bool {
    g.chars().next().is_some_and(|c| {
        "、。，．・：；？！）］｝〕〉》」』】〙〗〟’”｠ヽヾゝゞ々〻‐゠–〜～ー,.:;!?)]}⟨".contains(c)
    })
}

fn wrap_one_line(
    line: &str,
    units: &impl Units,
    base: usize,
    width: usize,
    out: &mut Vec<std::ops::Range<usize>>,
) {
    let n = units.len();
    let at = |k: usize| if k < n { units.at(k) } else { line.len() };
    let cells = |a: usize, b: usize| units.cells(a, b);
    let mut start = 0usize; // unit where the current screen line begins
    let mut content_end = 0usize; // end of its content, without trailing spaces
    let mut w = 0usize; // cells used on the current screen line
    let mut segs: Vec<usize> = Vec::new(); // where the segments on the current line start
    let mut pushed = false;
    let mut i = 0usize;
    while i < n {
        if units.space(i) {
            let j = (i..n).find(|&k| !units.space(k)).unwrap_or(n);
            let sw = j - i;
            if w + sw > width {
                // Break at these spaces; they vanish at the end of a screen line.
                out.push(base + at(start)..base + at(content_end));
                pushed = true;
                start = j;
                content_end = j;
                segs.clear();
                w = 0;
            } else {
                w += sw;
            }
            i = j;
            continue;
        }
        // The next segment: one wide cluster, or a run of narrow non-space clusters.
        let seg_end = if units.width(i) >= 2 {
            i + 1
        } else {
            (i..n)
                .find(|&k| units.space(k) || units.width(k) >= 2)
                .unwrap_or(n)
        };
        let sw = cells(i, seg_end);
        if w + sw <= width {
            segs.push(i);
            w += sw;
            i = seg_end;
            content_end = i;
            continue;
        }
        if w > 0 {
            // Move the segment to the next screen line, and with it the segments before it
            // that it must not be parted from (it must not start a line; nor may they).
            let mut carried = segs.len(); // segments that go along: segs[carried..]
            if content_end == i && no_break_before(line, at(i)) {
                for k in (1..segs.len()).rev() {
                    if cells(segs[k], i) + sw > width {
                        break;
                    }
                    if !no_break_before(line, at(segs[k])) {
                        carried = k;
                        break;
                    }
                }
            }
            let brk = segs.get(carried).copied().unwrap_or(i);
            out.push(base + at(start)..base + at(if brk == i { content_end } else { brk }));
            pushed = true;
            start = brk;
            segs.drain(..carried);
            w = cells(brk, i);
            content_end = i;
            continue;
        }
        // A word wider than the whole line: break it where the line is full.
        let mut k = i;
        let mut kw = 0;
        while k < seg_end {
            if kw + units.width(k) > width && k > i {
                break;
            }
            kw += units.width(k);
            k += 1;
        }
        out.push(base + at(start)..base + at(k));
        pushed = true;
        start = k;
        content_end = k;
        segs.clear();
        i = k;
        w = 0;
    }
    if content_end > start || !pushed {
        out.push(base + at(start)..base + at(content_end.max(start)));
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

    /// Every cluster of `s` is drawn over the same cells by ratatui and by a terminal that adds
    /// up character widths, and none is zero cells wide (ratatui would skip it).
    fn undisputed(s: &str) -> Result<(), String> {
        for g in s.graphemes(true) {
            if g != "\n" && disputed_cluster(g) {
                return Err(format!(
                    "{g:?} ({:X?}) in {s:?}",
                    g.chars().map(u32::from).collect::<Vec<_>>()
                ));
            }
        }
        Ok(())
    }

    #[test]
    fn emoji_sequences_drawn_in_undisputed_form() {
        let cases = [
            ("👍\u{1F3FD}", "👍⟨medium skin⟩"),
            ("🧙\u{200D}♂\u{FE0F}", "🧙⟨+⟩♂"),
            ("👨\u{200D}👩\u{200D}👧", "👨⟨+⟩👩⟨+⟩👧"),
            ("👩\u{1F3FF}\u{200D}💻", "👩⟨dark skin⟩⟨+⟩💻"),
            ("🇯🇵", "⟨flag JP⟩"),
            ("🇯", "⟨flag J⟩"),
            ("1\u{FE0F}\u{20E3}", "1⟨keycap⟩"),
            ("❤\u{FE0F}", "❤"),
            (
                "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}",
                "🏴⟨flag gbsct⟩",
            ),
            // Lone marks with nothing to attach to.
            ("\u{200D}x", "⟨U+200D⟩x"),
            ("a\n\u{301}b", "a\n⟨U+0301⟩b"),
            ("\u{1F3FD}", "⟨medium skin⟩"),
        ];
        for (input, want) in cases {
            let got = sanitize(input);
            assert_eq!(got, want, "{input:?}");
            undisputed(&got).unwrap();
        }
    }

    #[test]
    fn undisputed_clusters_kept_as_they_are() {
        assert_eq!(sanitize("ｶﾞﾊﾟ"), "ｶ゛ﾊ゜");
        for s in [
            "😀",
            "😀\u{FE0F}",
            "e\u{301}",
            "日本語",
            "한국어",
            "👍 ok",
            "नमस्ते",
        ] {
            assert_eq!(sanitize(s), s);
        }
    }

    #[test]
    fn tabs_count_cells_after_rewritten_emoji() {
        // 👍⟨medium skin⟩ is 2 + 13 cells: the tab goes to the next stop after it.
        assert_eq!(sanitize("👍\u{1F3FD}\tx"), "👍⟨medium skin⟩ x");
    }

    /// The pieces hostile text is made of here: ASCII (with CR LF), CJK, emoji and their
    /// modifiers, joiners, flags, tags, combining and prepended marks, Hangul jamo.
    const PIECES: [&str; 45] = [
        "a",
        " ",
        "\n",
        "\t",
        "\r",
        "\u{1b}",
        "中",
        "。",
        "👍",
        "👨",
        "♂",
        "❤",
        "1",
        "#",
        "\u{200D}",
        "\u{200C}",
        "\u{FE0F}",
        "\u{FE0E}",
        "\u{20E3}",
        "\u{1F3FB}",
        "\u{1F3FF}",
        "\u{1F1EF}",
        "\u{1F1F5}",
        "\u{E0067}",
        "\u{E007F}",
        "\u{301}",
        "\u{FF9E}",
        "ｶ",
        "\u{0915}",
        "\u{094D}",
        "\u{1100}",
        "\u{1161}",
        "\u{11A8}",
        "\u{0600}",
        "©",
        "\r\n",
        "é",
        "я",
        "—",
        "“",
        "、",
        "가",
        "Ａ",
        "\u{3099}",
        "\u{200B}",
    ];

    #[test]
    fn clusters_around_ascii() {
        fn got(s: &str) -> Vec<(usize, &str)> {
            clusters(s).collect()
        }
        assert_eq!(got(""), vec![]);
        assert_eq!(got("ab"), vec![(0, "a"), (1, "b")]);
        assert_eq!(got("e\u{301}x"), vec![(0, "e\u{301}"), (3, "x")]);
        assert_eq!(got("a\r\nb"), vec![(0, "a"), (1, "\r\n"), (3, "b")]);
        // Runs of printable ASCII taken between clusters leave the accented letter whole.
        let mut it = clusters("ab e\u{301}\tcd");
        let mut pieces = vec![it.printable_ascii()];
        while let Some((_, g)) = it.next() {
            pieces.push(g);
            pieces.push(it.printable_ascii());
        }
        pieces.retain(|p| !p.is_empty());
        assert_eq!(pieces[..3], ["ab ", "e\u{301}", "\t"]);
        assert_eq!(pieces[3..].concat(), "cd");
        // A prepended mark joins the ASCII digit after it.
        assert_eq!(got("\u{0600}1 "), vec![(0, "\u{0600}1"), (3, " ")]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x7E57),
            ..Default::default()
        })]

        #[test]
        fn clusters_are_unicode_segmentation(
            parts in proptest::collection::vec(proptest::sample::select(PIECES.to_vec()), 0..32)
        ) {
            let s: String = parts.concat();
            let fast: Vec<_> = clusters(&s).collect();
            let full: Vec<_> = s.grapheme_indices(true).collect();
            proptest::prop_assert_eq!(fast, full);
        }

        #[test]
        fn sanitize_takes_text_a_cluster_at_a_time(
            parts in proptest::collection::vec(proptest::sample::select(PIECES.to_vec()), 0..32)
        ) {
            let s: String = parts.concat();
            // Every cluster as Unicode segments it, one by one.
            let mut slow = String::new();
            let mut col = 0;
            for g in s.graphemes(true) {
                let mut cs = g.chars();
                match (cs.next(), cs.next()) {
                    (Some(c), None) => push_char(c, &mut slow, &mut col),
                    _ if g == "\r\n" => push_char('\n', &mut slow, &mut col),
                    _ => push_cluster(g, &mut slow, &mut col),
                }
            }
            proptest::prop_assert_eq!(sanitize(&s), slow);
        }

        #[test]
        fn ascii_lines_wrap_as_clusters_do(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "a", "word", " ", "  ", ",", ".", ")", "(", "x.y", "-",
            ]), 0..40),
            width in 1usize..16,
        ) {
            let line: String = parts.concat();
            let units: Vec<Unit> = clusters(&line)
                .map(|(i, g)| Unit { at: i, width: str_width(g), space: g == " " })
                .collect();
            let (mut fast, mut slow) = (Vec::new(), Vec::new());
            wrap_one_line(&line, &Ascii(line.as_bytes()), 0, width, &mut fast);
            wrap_one_line(&line, &units.as_slice(), 0, width, &mut slow);
            proptest::prop_assert_eq!(fast, slow);
        }

        #[test]
        fn sanitized_text_has_no_disputed_cluster(
            parts in proptest::collection::vec(proptest::sample::select(PIECES.to_vec()), 0..24)
        ) {
            let input: String = parts.concat();
            let once = sanitize(&input);
            proptest::prop_assert!(undisputed(&once).is_ok(), "{}", undisputed(&once).unwrap_err());
            // Idempotent: sanitised text goes through unchanged.
            proptest::prop_assert_eq!(sanitize(&once), once);
        }
    }

    #[test]
    fn wraps_at_spaces() {
        assert_eq!(
            wrap("the quick brown fox jumps", 10),
            vec!["the quick", "brown fox", "jumps"]
        );
    }

    #[test]
    fn a_run_of_spaces_stays_inside_a_line_it_fits() {
        // 3 + 3 + 1 cells fill the 7 exactly; the spaces are kept, and no break is made.
        assert_eq!(wrap("abc   d", 7), vec!["abc   d"]);
        assert_eq!(wrap("abc   d e", 7), vec!["abc   d", "e"]);
        assert_eq!(wrap("中文  字", 8), vec!["中文  字"]);
    }

    #[test]
    fn spaces_at_a_break_add_no_line_and_a_line_of_spaces_stays() {
        // Trailing spaces that overflow vanish at the break, without an empty line after it.
        assert_eq!(wrap("abcd   ", 4), vec!["abcd"]);
        assert_eq!(wrap("ab cd  \nx", 5), vec!["ab cd", "x"]);
        // A line of nothing but spaces is still a (blank) line.
        assert_eq!(wrap("a\n   \nb", 10), vec!["a", "", "b"]);
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
    fn wraps_between_clusters_never_inside() {
        // A family emoji (drawn as its parts) and accented letters stay whole.
        let text = sanitize("e\u{301}e\u{301}e\u{301}e\u{301} 👨\u{200D}👩\u{200D}👧");
        for width in 1..12 {
            for l in wrap(&text, width) {
                assert!(!l.starts_with('\u{301}'), "{l:?} at {width}");
                assert!(str_width(l) <= width.max(2), "{l:?} at {width}");
            }
        }
    }

    #[test]
    fn drawn_emoji_names_stay_whole_and_with_their_emoji() {
        // Both groups fit in 20 cells: neither may be split.
        for width in 20..32 {
            let text = sanitize(
                "first ❤\u{FE0F} love👍\u{1F3FD} great 👧🇯🇵1\u{FE0F}\u{20E3} x👨\u{200D}👩\u{200D}👧",
            );
            let lines = wrap(&text, width);
            for name in ["👍⟨medium skin⟩", "👧⟨flag JP⟩1⟨keycap⟩", "👨⟨+⟩👩⟨+⟩👧"]
            {
                assert!(
                    lines.iter().any(|l| l.contains(name)),
                    "{name} split at {width}: {lines:?}"
                );
            }
        }
    }

    #[test]
    fn a_joined_family_is_never_split_wherever_it_falls() {
        // 👨⟨+⟩👩⟨+⟩👧 is 12 cells: at width 16, after 0 to 15 letters it must move whole.
        for n in 0..16 {
            let text = sanitize(&format!("{} 👨\u{200D}👩\u{200D}👧", "x".repeat(n)));
            let lines = wrap(&text, 16);
            assert!(
                lines.iter().any(|l| l.contains("👨⟨+⟩👩⟨+⟩👧")),
                "split after {n}: {lines:?}"
            );
        }
    }

    #[test]
    fn kinsoku_no_line_starts_with_closing_punctuation() {
        // Without the rule: "日本語の" / "、テキス" / "トです。"...
        assert_eq!(
            wrap("日本語の、テキストです。", 8),
            vec!["日本語", "の、テキ", "ストで", "す。"]
        );
        // Two closers in a row go along with the character before them.
        assert_eq!(wrap("あいう。」え", 6), vec!["あい", "う。」", "え"]);
        // ASCII closing punctuation after CJK too.
        assert_eq!(wrap("日本語).", 6), vec!["日本", "語)."]);
        // Nothing can go along: the rule gives way rather than overflow.
        assert_eq!(wrap("日。", 2), vec!["日", "。"]);
    }

    #[test]
    fn tabs_count_cells_after_every_kind_of_cluster() {
        // After a tab, after a cluster of several characters, after a character drawn as a
        // name.
        assert_eq!(sanitize("a\tb\tc"), "a   b   c");
        assert_eq!(sanitize("e\u{301}\tx"), "e\u{301}   x");
        assert_eq!(sanitize("\u{7f}\tx"), "␡   x");
    }

    #[test]
    fn every_skin_tone_is_named() {
        for (tone, name) in [
            ('\u{1F3FB}', "light"),
            ('\u{1F3FC}', "medium-light"),
            ('\u{1F3FD}', "medium"),
            ('\u{1F3FE}', "medium-dark"),
            ('\u{1F3FF}', "dark"),
        ] {
            assert_eq!(sanitize(&format!("👍{tone}")), format!("👍⟨{name} skin⟩"));
        }
    }

    #[test]
    fn a_skin_tone_after_a_letter_or_symbol_is_named() {
        // "a" + a modifier is one cluster of 3 cells in both measures; only the modifier makes
        // it one terminals disagree about (some join it to the letter before it).
        assert_eq!(sanitize("a\u{1F3FD}"), "a⟨medium skin⟩");
        assert_eq!(sanitize("©\u{1F3FB}"), "©⟨light skin⟩");
    }

    #[test]
    fn invisible_characters_become_tags_even_inside_a_cluster() {
        // DEL has its control picture. A line separator and an interlinear annotation anchor
        // are one cell wide by unicode-width's measure, yet some terminals break the line or
        // draw nothing; a zero-width non-joiner extends the letter before it.
        assert_eq!(sanitize("a\u{7f}b"), "a␡b");
        assert_eq!(sanitize("a\u{2028}b"), "a⟨U+2028⟩b");
        assert_eq!(sanitize("a\u{FFF9}b"), "a⟨U+FFF9⟩b");
        assert_eq!(sanitize("a\u{200C}b"), "a⟨U+200C⟩b");
    }

    #[test]
    fn a_joiner_is_drawn_between_pictographs_only() {
        // 👁 and 🗨 are one cell each, and the joined pair two in every measure: only its
        // pictographs make it a sequence terminals disagree about.
        assert_eq!(sanitize("👁\u{200D}🗨"), "👁⟨+⟩🗨");
        // Between letters a joiner is kept as it is.
        assert_eq!(sanitize("a\u{200D}b"), "a\u{200D}b");
        assert_eq!(
            sanitize("\u{915}\u{94D}\u{200D}\u{937}"),
            "\u{915}\u{94D}\u{200D}\u{937}"
        );
    }

    #[test]
    fn shell_words_are_quoted_only_when_needed() {
        assert_eq!(shell_quote("team-1/data_v2.jsonl"), "team-1/data_v2.jsonl");
        assert_eq!(shell_quote("a@b:c=d+e,f"), "a@b:c=d+e,f");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("my data"), "'my data'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("$HOME"), "'$HOME'");
        assert_eq!(shell_quote("é"), "'é'");
    }

    #[test]
    fn plural_is_empty_for_one_only() {
        assert_eq!(plural(0), "s");
        assert_eq!(plural(1), "");
        assert_eq!(plural(2), "s");
    }

    #[test]
    fn truncate_adds_ellipsis() {
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(truncate("hi", 6), "hi");
    }
}
