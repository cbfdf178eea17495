//! Review's view of edits: each edit of a candidate shown under the candidate's text as a word
//! diff against it, removed words as `[-…-]` and added ones as `{+…+}` (the marks of
//! `git diff --word-diff=plain`), so the change reads without colour. The diff is
//! [`crate::diff`]'s (grapheme-safe words, a deadline on long answers).

use crate::format::Item;

/// `new` against `old`, word by word ([`crate::diff`]): unchanged text as it is, removed runs
/// in `[-…-]`, added runs in `{+…+}`, the white space after a run outside its marks.
pub fn word_diff(old: &str, new: &str) -> String {
    use crate::diff::{Op, diff};
    let d = diff(old, new);
    let mut out = String::with_capacity(old.len() + new.len() / 2);
    let marked = |out: &mut String, text: &str, open: &str, close: &str| {
        let body = text.trim_end();
        if body.is_empty() {
            out.push_str(text);
            return;
        }
        out.push_str(open);
        out.push_str(body);
        out.push_str(close);
        out.push_str(&text[body.len()..]);
    };
    for (k, run) in d.runs.iter().enumerate() {
        match run.op {
            Op::Equal => out.push_str(&old[run.left.clone()]),
            // Words replaced by others: the removed ones' white space gives way to the added.
            Op::OnlyLeft if d.runs.get(k + 1).is_some_and(|r| r.op == Op::OnlyRight) => {
                marked(&mut out, old[run.left.clone()].trim_end(), "[-", "-]")
            }
            Op::OnlyLeft => marked(&mut out, &old[run.left.clone()], "[-", "-]"),
            Op::OnlyRight => marked(&mut out, &new[run.right.clone()], "{+", "+}"),
        }
    }
    out
}

/// The item with each edit shown under its source's text: `edits` are (annotator, source id,
/// edited text). Ids, hash and everything but the candidates' texts stay as they are.
pub fn with_edits(item: &Item, edits: &[(String, String, String)]) -> Item {
    let mut out = item.clone();
    for (who, source, text) in edits {
        let Some(c) = out.candidates.iter_mut().find(|c| &c.id == source) else {
            continue;
        };
        let diff = word_diff(
            &item.candidates[item.candidate_index(source).unwrap_or(0)].text,
            text,
        );
        c.text.push_str(&format!(
            "\n\n── ✎ {who}'s edit, as a word diff: [-removed-] {{+added+}} ──\n{diff}"
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_and_added_words_are_marked_by_symbols() {
        assert_eq!(
            word_diff("The cat sat on the mat.", "The dog sat on the red mat."),
            "The [-cat-]{+dog+} sat on the {+red+} mat."
        );
        assert_eq!(word_diff("same text", "same text"), "same text");
        assert_eq!(word_diff("a b c", "a x y c"), "a [-b-]{+x y+} c");
        assert_eq!(word_diff("", "new"), "{+new+}");
    }
}
