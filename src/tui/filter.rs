//! Review mode's state: which tasks the review walks through (the filter), their list and the
//! position in it. Plain data the model holds; `review` computes over it.

/// Which tasks the review walks through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filter {
    /// Tasks with any decision or skip.
    All,
    /// Tasks with at least one decision.
    Decided,
    /// Tasks nobody decided.
    Undecided,
    /// Tasks somebody skipped.
    Skipped,
    /// Tasks where decisions differ, most disagreed first.
    Disagreements,
    /// Tasks with a decision made on an earlier version of the item.
    Stale,
    /// One annotator's decisions.
    Annotator(String),
    /// One annotator's decisions on gold items that miss the expected answer.
    Misses(String),
    /// Decided tasks, the longest time spent first.
    Slowest,
    /// Decided tasks, the shortest time spent first.
    Fastest,
}

impl Filter {
    pub fn name(&self) -> String {
        match self {
            Filter::All => "all".into(),
            Filter::Decided => "decided".into(),
            Filter::Undecided => "undecided".into(),
            Filter::Skipped => "skipped".into(),
            Filter::Disagreements => "disagreements".into(),
            Filter::Stale => "stale".into(),
            Filter::Annotator(a) => format!("annotator:{a}"),
            Filter::Misses(a) => format!("misses:{a}"),
            Filter::Slowest => "slowest".into(),
            Filter::Fastest => "fastest".into(),
        }
    }

    /// Parses `--filter` values: all, decided, undecided, skipped, disagreements, stale,
    /// annotator:NAME, misses:NAME, slowest, fastest.
    pub fn parse(s: &str) -> Result<Filter, String> {
        Ok(match s {
            "all" => Filter::All,
            "decided" => Filter::Decided,
            "undecided" => Filter::Undecided,
            "skipped" => Filter::Skipped,
            "disagreements" => Filter::Disagreements,
            "stale" => Filter::Stale,
            "slowest" => Filter::Slowest,
            "fastest" => Filter::Fastest,
            other => match (
                other.strip_prefix("annotator:"),
                other.strip_prefix("misses:"),
            ) {
                (Some(a), _) if !a.is_empty() => Filter::Annotator(a.to_string()),
                (_, Some(a)) if !a.is_empty() => Filter::Misses(a.to_string()),
                _ => {
                    return Err(format!(
                        "unknown filter {other:?} - use all, decided, undecided, skipped, disagreements, stale, annotator:NAME, misses:NAME, slowest or fastest"
                    ));
                }
            },
        })
    }

    /// The next filter in the cycle (`f`): every annotator gets a turn after "stale".
    pub fn next(&self, annotators: &[String]) -> Filter {
        match self {
            Filter::All => Filter::Decided,
            Filter::Decided => Filter::Undecided,
            Filter::Undecided => Filter::Skipped,
            Filter::Skipped => Filter::Disagreements,
            Filter::Disagreements => Filter::Stale,
            Filter::Stale => match annotators.first() {
                Some(a) => Filter::Annotator(a.clone()),
                None => Filter::Slowest,
            },
            Filter::Annotator(a) => {
                let i = annotators.iter().position(|x| x == a);
                match i.and_then(|i| annotators.get(i + 1)) {
                    Some(b) => Filter::Annotator(b.clone()),
                    None => Filter::Slowest,
                }
            }
            // Reached with --filter only; `f` goes on as from that annotator's decisions.
            Filter::Misses(a) => Filter::Annotator(a.clone()).next(annotators),
            Filter::Slowest => Filter::Fastest,
            Filter::Fastest => Filter::All,
        }
    }
}

/// Review state: the filter, the tasks it selects (task numbers, in review order), and where
/// the reviewer is in that list.
///
/// A filter that keeps the file's order builds its list as a big file's checking brings tasks:
/// `scanned` tasks have been looked at so far, and the list is whole once they are all the
/// tasks of a file checked to its end. Filters that sort (disagreements, slowest, fastest)
/// look at every task at once.
#[derive(Debug, Clone)]
pub struct Review {
    pub filter: Filter,
    pub list: Vec<usize>,
    pub pos: usize,
    /// Tasks looked at (the first `scanned` task numbers).
    pub scanned: usize,
}

impl Review {
    /// True while some of the `known` tasks are not yet looked at by the list.
    pub fn behind(&self, known: usize) -> bool {
        !self.filter.sorts() && self.scanned < known
    }
}

impl Filter {
    /// True when the filter orders its tasks by a score rather than keeping the file's order:
    /// it needs every task before the first is known.
    pub fn sorts(&self) -> bool {
        matches!(
            self,
            Filter::Disagreements | Filter::Slowest | Filter::Fastest
        )
    }
}
