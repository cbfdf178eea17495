//! Word diff of two 65,000-character Markdown answers. Target: under 20 ms, computed once per
//! pair (never per key).
//!
//! Three pairs: two samples that say nearly the same (one word in twenty changed, a paragraph
//! moved), the same answer twice, and two unrelated answers (the worst case for the search,
//! which a deadline bounds).

use divan::Bencher;
use prefer::diff::diff;
use prefer::synth::{Rng, markdown};

const CHARS: usize = 65_000;

fn main() {
    divan::main();
}

/// `text` with about one word in `every` replaced and its second paragraph moved to the end.
fn variant(text: &str, r: &mut Rng, every: u64) -> String {
    let mut paras: Vec<String> = text
        .split("\n\n")
        .map(|p| {
            p.split(' ')
                .map(|w| if r.below(every) == 0 { "changed" } else { w })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    if paras.len() > 2 {
        let p = paras.remove(1);
        paras.push(p);
    }
    paras.join("\n\n")
}

fn pair(kind: &str) -> (String, String) {
    let mut r = Rng::new(7);
    let a = markdown(&mut r, CHARS);
    let b = match kind {
        "similar" => variant(&a, &mut r, 20),
        "same" => a.clone(),
        _ => markdown(&mut r, CHARS),
    };
    (a, b)
}

#[divan::bench(args = ["similar", "same", "unrelated"], sample_count = 30)]
fn diff_65k(b: Bencher, kind: &str) {
    let (l, r) = pair(kind);
    let d = diff(&l, &r);
    eprintln!(
        "{kind}: {} / {} chars, {}, exact {}",
        l.chars().count(),
        r.chars().count(),
        d.summary(),
        d.exact
    );
    b.bench(|| diff(&l, &r));
}
