//! Review's view of edits: each edit of a candidate shown under the candidate's text as a word
//! diff against it, removed words as `[-…-]` and added ones as `{+…+}` (the marks of
//! `git diff --word-diff=plain`), so the change reads without colour.

use crate::format::Item;

/// `new` against `old`, word by word: unchanged text as it is, removed runs in `[-…-]`, added
/// runs in `{+…+}`.
pub fn word_diff(old: &str, new: &str) -> String {
    use similar::{ChangeTag, TextDiff};
    let diff = TextDiff::from_words(old, new);
    let mut out = String::new();
    let mut open: Option<ChangeTag> = None;
    let close = |out: &mut String, tag: Option<ChangeTag>| match tag {
        Some(ChangeTag::Delete) => out.push_str("-]"),
        Some(ChangeTag::Insert) => out.push_str("+}"),
        _ => {}
    };
    for change in diff.iter_all_changes() {
        let tag = change.tag();
        let text = change.value();
        // White space between two changed words of one kind stays inside their marks.
        if tag == ChangeTag::Equal && text.trim().is_empty() && open.is_some() {
            out.push_str(text);
            continue;
        }
        if open != Some(tag) {
            // Trailing white space kept inside a run goes after its closing mark.
            let trailing = out.len() - out.trim_end().len();
            let ws: String = out.split_off(out.len() - trailing);
            close(&mut out, open);
            out.push_str(&ws);
            match tag {
                ChangeTag::Delete => out.push_str("[-"),
                ChangeTag::Insert => out.push_str("{+"),
                ChangeTag::Equal => {}
            }
            open = (tag != ChangeTag::Equal).then_some(tag);
        }
        out.push_str(text);
    }
    let trailing = out.len() - out.trim_end().len();
    let ws: String = out.split_off(out.len() - trailing);
    close(&mut out, open);
    out.push_str(&ws);
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
