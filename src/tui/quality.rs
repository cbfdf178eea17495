//! Review's quality screen (`A`): the quality table of `prefer stats`, one row per annotator,
//! worked out from the logs review has read when it opens (`update`'s `open_quality`; the
//! view computes nothing). Enter
//! on an annotator shows their gold misses when the task file names gold.

use crate::stats::quality::{Quality, QualityRow};

/// The table as the screen shows it: taken when it opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityScreen {
    /// Gold items known (Enter filters on misses only with some).
    pub gold_items: usize,
    pub rows: Vec<QualityLine>,
}

/// One annotator's row: the name, the figures as one line of columns, what falls short.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityLine {
    pub name: String,
    pub figures: String,
    pub flags: Vec<String>,
}

/// The column heads over [`QualityLine::figures`], as wide as the figures.
pub const HEAD: &str = "gold        position  κ (pairs)  median  reliab.  self (rep.)  same side";

fn figures(r: &QualityRow) -> String {
    let opt = |x: Option<String>| x.unwrap_or_else(|| "-".into());
    let rep = &r.repeats;
    format!(
        "{:<11} {:>8}  {:>9}  {:>6}  {:>7}  {:>11}  {:>9}",
        opt(r
            .gold
            .map(|g| format!("{}/{} {:.0}%", g.right, g.n, g.accuracy * 100.0))),
        opt(r.position_p.map(|p| format!("p {p:.3}"))),
        opt(r
            .kappa_vs_others
            .map(|k| format!("{k:.2} ({})", r.kappa_pairs))),
        opt(r.median_s.map(|m| format!("{m:.1}s"))),
        opt(r.reliability.map(|x| format!("{:.0}%", x * 100.0))),
        opt(rep
            .self_agreement
            .map(|x| format!("{}/{} {:.0}%", rep.same_answer, rep.n, x * 100.0))),
        opt(rep
            .same_position_share
            .map(|_| format!("{}/{}", rep.same_position, rep.positioned))),
    )
}

/// The screen's lines from a computed table.
pub fn screen_of(q: &Quality) -> QualityScreen {
    QualityScreen {
        gold_items: q.gold_items,
        rows: q
            .rows
            .iter()
            .map(|r| QualityLine {
                name: r.name.clone(),
                figures: figures(r),
                flags: r.flags.clone(),
            })
            .collect(),
    }
}
