//! The layout of HuggingFaceH4/ultrafeedback_binarized, which the alignment-handbook recipes
//! and many DPO scripts read: `prompt`, `prompt_id` (the SHA-256 of the prompt, in hex, as H4
//! computes it), `chosen` and `rejected` as whole conversations (the prompt's turns, then the
//! answer), `messages` (the chosen conversation again) and `score_chosen`, `score_rejected`.
//!
//! Scores are the candidates' mean ratings when the item was rated (both candidates of the
//! pair), else their place in the item's consensus ranking: with T tiers, the best tier
//! scores T and the worst 1.

use std::io::Write;
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::format::Item;

use super::aggregate::Judged;
use super::formats::{Turn, candidate_turns, consensus_ranking};
use super::kto::Means;

/// The SHA-256 of `text` as lowercase hex (Python's `hashlib.sha256(text.encode()).hexdigest()`).
pub fn prompt_id(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(64);
    for b in Sha256::digest(text.as_bytes()) {
        let _ = write!(out, "{b:02x}");
    }
    out
}

#[derive(Serialize)]
struct Row<'t, 'a> {
    prompt: &'t str,
    prompt_id: &'t str,
    chosen: &'t [Turn<'a>],
    rejected: &'t [Turn<'a>],
    messages: &'t [Turn<'a>],
    score_chosen: f64,
    score_rejected: f64,
}

/// Each candidate's score from a consensus ranking: T for the best of T tiers, down to 1;
/// `None` for a candidate the ranking does not hold.
pub fn ranking_scores(item: &Item, pairs: &[Judged]) -> Vec<Option<f64>> {
    let tiers = consensus_ranking(item, pairs);
    let mut out = vec![None; item.candidates.len()];
    for (k, tier) in tiers.iter().enumerate() {
        for id in tier {
            if let Some(c) = item.candidate_index(id) {
                out[c] = Some((tiers.len() - k) as f64);
            }
        }
    }
    out
}

/// Writes one row per judged pair; returns how many, and how many pairs were scored from
/// ratings.
pub fn write<W: Write>(
    w: &mut W,
    items: &[Arc<Item>],
    pairs: &[Judged],
    means: &Means,
) -> serde_json::Result<(usize, usize)> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut rated = 0;
    for group in pairs.chunk_by(|x, y| x.item == y.item) {
        let item = &items[group[0].item as usize];
        let prompt = item.prompt_text();
        let id = prompt_id(&prompt);
        let ranked = ranking_scores(item, group);
        for p in group {
            candidate_turns(item, &item.candidates[p.chosen as usize], &mut a);
            candidate_turns(item, &item.candidates[p.rejected as usize], &mut b);
            let mean = |c: u32| means.get(&(p.item, c)).copied();
            let (sc, sr) = match (mean(p.chosen), mean(p.rejected)) {
                (Some(c), Some(r)) => {
                    rated += 1;
                    (c, r)
                }
                _ => (
                    ranked[p.chosen as usize].unwrap_or(0.0),
                    ranked[p.rejected as usize].unwrap_or(0.0),
                ),
            };
            let row = Row {
                prompt: &prompt,
                prompt_id: &id,
                chosen: &a,
                rejected: &b,
                messages: &a,
                score_chosen: sc,
                score_rejected: sr,
            };
            serde_json::to_writer(&mut *w, &row)?;
            w.write_all(b"\n").map_err(serde_json::Error::io)?;
        }
    }
    Ok((pairs.len(), rated))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::pairs::Pref;

    #[test]
    fn prompt_ids_are_the_sha256_h4_writes() {
        // hashlib.sha256("".encode()).hexdigest() and of "abc": the standard test vectors.
        assert_eq!(
            prompt_id(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            prompt_id("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn ranking_scores_count_tiers_from_the_bottom() {
        let ds = crate::format::load_bytes(
            std::path::Path::new("x.jsonl"),
            br#"{"id":"q","prompt":"p","candidates":["a","b","c","d"]}"#,
        )
        .unwrap();
        let j = |chosen, rejected| Judged::one(0, chosen, rejected, Pref::Lo);
        // c beats a and b; a and b beat nobody else; d is in no pair.
        let s = ranking_scores(&ds.items[0], &[j(2, 0), j(2, 1)]);
        assert_eq!(s, vec![Some(1.0), Some(1.0), Some(2.0), None]);
    }
}
