//! `prefer validate`: a summary of a valid candidate-set file, or every problem in it.

use std::fmt::Write as _;

use crate::format::{Dataset, FileKind};
use crate::text::plural;

/// The summary printed for a valid file.
pub fn summary(d: &Dataset) -> String {
    let mut s = String::new();
    let n = d.items.len();
    let kind = match d.kind {
        FileKind::JsonLines => "JSON Lines",
        FileKind::JsonArray => "JSON array",
    };
    let _ = writeln!(s, "{}: valid ({kind}), {n} items", d.path.display());

    let mut per: std::collections::BTreeMap<usize, usize> = Default::default();
    for i in &d.items {
        *per.entry(i.candidates.len()).or_default() += 1;
    }
    let per_text: Vec<String> = per
        .iter()
        .map(|(k, v)| format!("{v} item{} with {k}", plural(*v)))
        .collect();
    let _ = writeln!(s, "  candidates per item: {}", per_text.join(", "));
    let total_cands: usize = d.items.iter().map(|i| i.candidates.len()).sum();
    let pairs: usize = d
        .items
        .iter()
        .map(|i| i.candidates.len() * (i.candidates.len() - 1) / 2)
        .sum();
    let _ = writeln!(
        s,
        "  tasks: {pairs} in pair mode (every pair), {n} in rank or rate mode; {total_cands} candidates in all"
    );
    let default_mode = if per.keys().all(|&k| k == 2) {
        "pair"
    } else {
        "rank"
    };
    let _ = writeln!(s, "  default mode: {default_mode}");

    let prompt_lens: Vec<usize> = d
        .items
        .iter()
        .map(|i| {
            i.conversation()
                .iter()
                .map(|m| m.content.chars().count())
                .sum()
        })
        .collect();
    let _ = writeln!(s, "  prompt length (chars): {}", spread(prompt_lens));
    let cand_lens: Vec<usize> = d
        .items
        .iter()
        .flat_map(|i| i.candidates.iter().map(|c| c.text.chars().count()))
        .collect();
    let _ = writeln!(s, "  candidate length (chars): {}", spread(cand_lens));

    let multi = d
        .items
        .iter()
        .filter(|i| i.messages.as_ref().is_some_and(|m| m.len() > 1))
        .count();
    if multi > 0 {
        let _ = writeln!(s, "  multi-turn conversations: {multi}");
    }
    let own = d
        .items
        .iter()
        .flat_map(|i| &i.candidates)
        .filter(|c| c.messages.is_some())
        .count();
    if own > 0 {
        let _ = writeln!(s, "  candidates with their own conversation: {own}");
    }
    let empty: Vec<String> = d
        .items
        .iter()
        .flat_map(|i| {
            i.candidates
                .iter()
                .filter(|c| c.text.trim().is_empty())
                .map(move |c| format!("{} {} (line {})", i.id, c.id, i.line))
        })
        .collect();
    if !empty.is_empty() {
        let _ = writeln!(
            s,
            "  note: {} empty candidate{}: {}",
            empty.len(),
            plural(empty.len()),
            list(&empty)
        );
    }
    // Text a labeler cannot see (a zero-width space, a word joiner) is as empty as none.
    let invisible: Vec<String> = d
        .items
        .iter()
        .flat_map(|i| {
            i.candidates
                .iter()
                .filter(|c| !c.text.trim().is_empty() && only_invisible(&c.text))
                .map(move |c| {
                    format!(
                        "{} {} (line {}: {})",
                        i.id,
                        c.id,
                        i.line,
                        code_points(&c.text)
                    )
                })
        })
        .collect();
    if !invisible.is_empty() {
        let _ = writeln!(
            s,
            "  note: {} candidate{} of only invisible characters (shown empty, yet not empty to a trainer): {}",
            invisible.len(),
            plural(invisible.len()),
            list(&invisible)
        );
    }
    let no_prompt: Vec<String> = d
        .items
        .iter()
        .filter(|i| {
            i.prompt_text().trim().is_empty() || !i.conversation().iter().any(|m| m.role == "user")
        })
        .map(|i| format!("{} (line {})", i.id, i.line))
        .collect();
    if !no_prompt.is_empty() {
        let _ = writeln!(
            s,
            "  note: {} item{} with an empty prompt or no user turn: {}",
            no_prompt.len(),
            plural(no_prompt.len()),
            list(&no_prompt)
        );
    }
    let derived: Vec<String> = d
        .items
        .iter()
        .filter(|i| i.id_derived)
        .map(|i| format!("line {} -> {}", i.line, i.id))
        .collect();
    if !derived.is_empty() {
        let _ = writeln!(
            s,
            "  note: {} item{} had no id; derived from content (stable when lines move, changes when the text changes): {}",
            derived.len(),
            plural(derived.len()),
            list(&derived)
        );
    }
    s
}

/// True when `s` draws nothing: only white space and characters of no width or mark
/// (zero-width space and joiners, word joiner, byte-order mark, soft hyphen, direction marks,
/// variation selectors, fillers that draw blank).
pub fn only_invisible(s: &str) -> bool {
    s.chars().all(|c| c.is_whitespace() || is_invisible(c))
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// The code points of a short invisible text, `U+200B U+200B`, at most five.
fn code_points(s: &str) -> String {
    let mut v: Vec<String> = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(5)
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    if s.chars().filter(|c| !c.is_whitespace()).count() > 5 {
        v.push("...".into());
    }
    v.join(" ")
}

fn list(v: &[String]) -> String {
    if v.len() <= 5 {
        v.join(", ")
    } else {
        format!("{}, ... ({} more)", v[..5].join(", "), v.len() - 5)
    }
}

fn spread(mut v: Vec<usize>) -> String {
    if v.is_empty() {
        return "-".into();
    }
    v.sort_unstable();
    format!(
        "min {}, median {}, max {}",
        v[0],
        v[v.len() / 2],
        v[v.len() - 1]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_of_only_invisible_characters_are_named() {
        let text = "{\"id\":\"q1\",\"prompt\":\"p\",\"candidates\":[\"\u{200B}\",\"a real answer\"]}\n\
                    {\"id\":\"q2\",\"prompt\":\"p\",\"candidates\":[\"\u{2060} \u{FEFF}\",\"x\u{200B}\"]}\n";
        let d =
            crate::format::load_bytes(std::path::Path::new("x.jsonl"), text.as_bytes()).unwrap();
        let s = summary(&d);
        assert!(
            s.contains("note: 2 candidates of only invisible characters"),
            "{s}"
        );
        assert!(s.contains("q1 c0 (line 1: U+200B)"), "{s}");
        assert!(s.contains("q2 c0 (line 2: U+2060 U+FEFF)"), "{s}");
        assert!(
            !s.contains("q2 c1"),
            "text with a visible letter is fine: {s}"
        );
        assert!(only_invisible("\u{200D}\u{FE0F}"));
        assert!(!only_invisible("日本"));
    }
}
