//! The figures of `prefer stats`, computed from the standing decisions (and the candidate file,
//! when given) without any I/O. The [`Report`] is what `--json` prints and what the human
//! report draws.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::Serialize;

use crate::agreement::{
    cohen_kappa, kendall_tau_b, krippendorff_alpha_interval, mean, order_agreement, pooled_kappa,
    rating_match, tier_ranks,
};
use crate::export::formats::model;
use crate::export::pairs::{self, PairOptions, Pref};
use crate::export::standing::{AnnotatorCounts, LeftOut, Standing};
use crate::format::Item;
use crate::labels::TaskKind;
use crate::rating_scale;

use super::figures::{binomial_two_sided, bootstrap_bt, bradley_terry, quantile};

/// A bias is flagged when the binomial test gives p below this.
pub const FLAG_P: f64 = 0.01;
/// Agreement figures need at least this many shared tasks.
pub const MIN_OVERLAP: usize = 3;
/// The rushing rule: at least this many timed decisions ...
pub const RUSH_MIN_DECISIONS: usize = 5;
/// ... and a median time below this share of everyone else's median.
pub const RUSH_FACTOR: f64 = 0.5;

/// How often one side wins, tested against 50%.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Bias {
    pub n: u64,
    pub wins: u64,
    pub rate: Option<f64>,
    pub p_value: f64,
    pub flagged: bool,
}

impl Bias {
    fn add(&mut self, win: bool) {
        self.n += 1;
        self.wins += u64::from(win);
    }

    fn finish(mut self) -> Self {
        self.rate = (self.n > 0).then(|| self.wins as f64 / self.n as f64);
        self.p_value = binomial_two_sided(self.wins, self.n);
        self.flagged = self.n > 0 && self.p_value < FLAG_P;
        self
    }
}

/// Position bias: left wins in pair tasks; in rank tasks, of every two candidates ranked
/// apart, the one shown first wins.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Position {
    pub pair_left_wins: Bias,
    pub rank_first_shown_wins: Bias,
}

impl Position {
    fn finish(self) -> Self {
        Position {
            pair_left_wins: self.pair_left_wins.finish(),
            rank_first_shown_wins: self.rank_first_shown_wins.finish(),
        }
    }
}

/// Seconds per decision.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Timing {
    pub n: usize,
    pub median_s: f64,
    pub p10_s: f64,
    pub p90_s: f64,
    /// Decisions per hour of labeling time (the sum of `ms`, so breaks do not count).
    pub per_hour: f64,
}

fn timing(ms: &mut [f64]) -> Option<Timing> {
    if ms.is_empty() {
        return None;
    }
    ms.sort_by(f64::total_cmp);
    let total: f64 = ms.iter().sum();
    Some(Timing {
        n: ms.len(),
        median_s: quantile(ms, 0.5)? / 1000.0,
        p10_s: quantile(ms, 0.1)? / 1000.0,
        p90_s: quantile(ms, 0.9)? / 1000.0,
        per_hour: if total > 0.0 {
            ms.len() as f64 * 3_600_000.0 / total
        } else {
            0.0
        },
    })
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnotatorRow {
    pub name: String,
    #[serde(flatten)]
    pub counts: AnnotatorCounts,
    pub time: Option<Timing>,
    /// Median time below [`RUSH_FACTOR`] of everyone else's.
    pub rushing: bool,
    pub position: Position,
    /// The chance this annotator's vote on a pair is its true judgement, as Dawid and Skene's
    /// model fits it over everyone's pairs (`export --aggregate dawid-skene`); needs the
    /// candidate file and [`MIN_SHARED_PAIRS`] pairs judged by others too.
    pub reliability: Option<f64>,
    /// Items whose pair answers by this annotator go round in a circle (A > B > C > A).
    pub cycles: Cycles,
    /// Sort mode's checks (`verify`): inferred pairs asked again, and answers that went
    /// against the ranking.
    pub checks: Checks,
}

/// An annotator's checks of their sort rankings: pairs asked, and of those, answers that
/// contradicted the ranking (each was asked once more: `"via": "verify-again"`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Checks {
    pub asked: usize,
    pub contradictions: usize,
}

/// An annotator's intransitive answers: among the items where they decided at least three
/// pairs by a preference (not a tie or both bad), how many have a cycle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Cycles {
    pub items: usize,
    pub with_cycle: usize,
}

/// A check of a sort ranking (`verify`): the pair asked, or asked once more.
fn is_check(e: &crate::labels::Event) -> bool {
    matches!(
        e.via.as_deref(),
        Some(crate::labels::VIA_VERIFY | crate::labels::VIA_VERIFY_AGAIN)
    )
}

/// Counts each annotator's items with a cycle among their strict pair answers; `edges` are
/// (winner, loser) ids per (annotator, item).
fn count_cycles(n_ann: usize, edges: &BTreeMap<(u32, &str), Vec<(&str, &str)>>) -> Vec<Cycles> {
    let mut out = vec![Cycles::default(); n_ann];
    for ((a, _), e) in edges {
        if e.len() < 3 {
            continue;
        }
        let mut ids: Vec<&str> = e.iter().flat_map(|&(w, l)| [w, l]).collect();
        ids.sort_unstable();
        ids.dedup();
        let at = |id: &str| ids.binary_search(&id).unwrap_or(0);
        let idx: Vec<(usize, usize)> = e.iter().map(|&(w, l)| (at(w), at(l))).collect();
        let c = &mut out[*a as usize];
        c.items += 1;
        if crate::cycles::find_cycle(ids.len(), &idx).is_some() {
            c.with_cycle += 1;
        }
    }
    out
}

/// Tie and both-bad rates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Rates {
    pub pair_decisions: usize,
    pub ties: usize,
    pub both_bad: usize,
    pub tie_rate: Option<f64>,
    pub both_bad_rate: Option<f64>,
    pub rank_decisions: usize,
    /// Rankings with at least one tier of two or more.
    pub rankings_with_ties: usize,
}

/// One model of the leaderboard.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelRow {
    pub model: String,
    pub games: u64,
    pub wins: u64,
    pub win_rate: f64,
    /// Bradley-Terry strength, natural log scale, mean 0 over the models.
    pub strength: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// One model's best-worst score: of the times its candidates were shown in a best-worst
/// task, how often picked best minus how often worst, over the times shown (-1 to 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BestWorstRow {
    pub model: String,
    pub shown: u64,
    pub best: u64,
    pub worst: u64,
    pub score: f64,
}

/// Best-worst scores per model over the labelers' standing best-worst decisions.
pub fn best_worst_by_model(st: &Standing, items: &[Arc<Item>]) -> Vec<BestWorstRow> {
    let mut counts: BTreeMap<&str, (u64, u64, u64)> = BTreeMap::new();
    for d in st.decisions.iter().filter(|d| !d.is_adjudicator()) {
        let (e, Some(it)) = (&d.event, d.item) else {
            continue;
        };
        if e.task != TaskKind::BestWorst {
            continue;
        }
        let item = &items[it];
        for id in e.shown.iter().flatten() {
            let Some(m) = item
                .candidate_index(id)
                .and_then(|c| model(&item.candidates[c]))
            else {
                continue;
            };
            let c = counts.entry(m).or_default();
            c.0 += 1;
            c.1 += u64::from(e.best.as_deref() == Some(id));
            c.2 += u64::from(e.worst.as_deref() == Some(id));
        }
    }
    let mut rows: Vec<BestWorstRow> = counts
        .into_iter()
        .map(|(m, (shown, best, worst))| BestWorstRow {
            model: m.to_string(),
            shown,
            best,
            worst,
            score: (best as f64 - worst as f64) / shown.max(1) as f64,
        })
        .collect();
    rows.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.model.cmp(&b.model)));
    rows
}

/// Who is compared, and on how many tasks. Flattened into each row of [`Agreement`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overlap {
    /// Annotator names (`a` < `b`), or both "all" for everyone pooled.
    pub a: String,
    pub b: String,
    /// Tasks both decided; for "all", tasks decided by two or more annotators.
    pub shared: usize,
    /// `shared` >= [`MIN_OVERLAP`]. When false every figure of the row is `None`.
    pub enough_overlap: bool,
}

impl Overlap {
    fn new(a: &str, b: &str, shared: usize) -> Self {
        Overlap {
            a: a.into(),
            b: b.into(),
            shared,
            enough_overlap: shared >= MIN_OVERLAP,
        }
    }

    /// The figure, when there is enough overlap to show it.
    fn gate<T>(&self, x: Option<T>) -> Option<T> {
        x.filter(|_| self.enough_overlap)
    }
}

/// Pair tasks: labels are the chosen candidate id, `tie` or `both_bad`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairRow {
    #[serde(flatten)]
    pub who: Overlap,
    /// Two annotators' labels on one task compared: `shared` for a pair of annotators; for
    /// "all", one per pair of annotators per task.
    pub comparisons: usize,
    /// Share of comparisons with the same label.
    pub raw: Option<f64>,
    /// Cohen's kappa; for "all" the pooled (Fleiss-style) kappa of [`pooled_kappa`]. `None`
    /// also when chance agreement is 1 (everyone always gave one label).
    pub kappa: Option<f64>,
}

/// Rank tasks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankRow {
    #[serde(flatten)]
    pub who: Overlap,
    /// Two annotators' rankings of one item compared (see [`PairRow::comparisons`]).
    pub comparisons: usize,
    /// Mean Kendall tau-b over the comparisons where it is defined (over the candidates both
    /// ranked; undefined when either ranking is all one tier).
    pub tau_b: Option<f64>,
    /// Comparisons behind `tau_b`.
    pub tau_b_n: usize,
    /// Share of candidate pairs both ordered the same way, a tie counting as a verdict of its
    /// own ([`order_agreement`]), pooled over all compared candidate pairs.
    pub pairwise: Option<f64>,
    /// Candidate pairs behind `pairwise`: C(K,2) per comparison.
    pub candidate_pairs: usize,
}

/// Rate tasks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateRow {
    #[serde(flatten)]
    pub who: Overlap,
    /// Candidates rated by both (for "all": by two or more annotators): the units of alpha.
    pub units: usize,
    /// Krippendorff's alpha, interval metric.
    pub alpha: Option<f64>,
    /// Pairs of ratings of one candidate by two annotators, behind `exact` and `within_one`.
    pub rating_pairs: usize,
    /// Share of rating pairs that are equal.
    pub exact: Option<f64>,
    /// Share of rating pairs at most one point apart.
    pub within_one: Option<f64>,
}

/// Agreement per pair of annotators who share tasks of a kind, then "all" (last), per kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Agreement {
    pub pair: Vec<PairRow>,
    pub rank: Vec<RankRow>,
    pub rate: Vec<RateRow>,
}

/// Everything `prefer stats` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// False when no candidate file was given: stale decisions cannot be told apart, and
    /// length bias and the model leaderboard need the texts and metadata.
    pub with_file: bool,
    pub decisions: usize,
    /// Standing edits (answers rewritten), not counted among the decisions.
    pub edits: usize,
    pub left_out: LeftOut,
    pub annotators: Vec<AnnotatorRow>,
    /// Number of tasks decided by 1, 2, ... annotators (adjudicators not counted).
    pub tasks_by_annotators: BTreeMap<usize, usize>,
    pub position: Position,
    /// Of every two candidates judged apart and of different length, how often the longer won.
    pub length: Option<Bias>,
    pub rates: Rates,
    pub time: Option<Timing>,
    pub rushing_rule: String,
    pub models: Vec<ModelRow>,
    /// Best-worst scores per model (candidates with a `model` in their metadata), highest
    /// first; empty without best-worst decisions or a candidate file.
    pub best_worst: Vec<BestWorstRow>,
    pub agreement: Agreement,
    /// Rate decisions per scale (the top rating); agreement on ratings made on different
    /// scales places each on the largest.
    pub rating_scales: BTreeMap<u32, usize>,
}

/// A task across annotators: item id, kind, and for pair tasks the sorted pair.
type TaskId<'a> = (&'a str, TaskKind, Option<(&'a str, &'a str)>);

/// Computes the report.
pub fn report(st: &Standing, items: Option<&[Arc<Item>]>) -> Report {
    // The three parts read the decisions independently: agreement and the texts' figures (the
    // bootstrap) run beside the rest.
    std::thread::scope(|s| {
        let agreement = s.spawn(|| agreement(st));
        let texts = s.spawn(|| match items {
            Some(items) => with_texts(st, items),
            None => (None, Vec::new(), Vec::new()),
        });
        let mut r = report_rest(st, items.is_some());
        let reliability;
        (r.length, r.models, reliability) = texts
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        if let Some(items) = items {
            r.best_worst = best_worst_by_model(st, items);
        }
        for (row, fit) in r.annotators.iter_mut().zip(reliability) {
            row.reliability = fit;
        }
        r.agreement = agreement
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        r
    })
}

/// [`report`] without agreement, length bias and models (left empty).
fn report_rest(st: &Standing, with_file: bool) -> Report {
    let n_ann = st.annotators.len();
    let mut per_pos = vec![Position::default(); n_ann];
    let mut checks = vec![Checks::default(); n_ann];
    let mut per_ms: Vec<Vec<f64>> = vec![Vec::new(); n_ann];
    let mut position = Position::default();
    let mut rates = Rates::default();
    let mut tasks: BTreeMap<TaskId, BTreeSet<u32>> = BTreeMap::new();
    let mut edges: BTreeMap<(u32, &str), Vec<(&str, &str)>> = BTreeMap::new();

    for d in &st.decisions {
        let e = &d.event;
        let a = d.annotator as usize;
        if let Some(ms) = e.ms {
            per_ms[a].push(ms as f64);
        }
        if !d.is_adjudicator() {
            let pair = e.pair.as_ref().map(|[l, r]| {
                if l <= r {
                    (l.as_str(), r.as_str())
                } else {
                    (r.as_str(), l.as_str())
                }
            });
            let pair = if e.task == TaskKind::Pair { pair } else { None };
            tasks
                .entry((e.item.as_str(), e.task, pair))
                .or_default()
                .insert(d.annotator);
        }
        if is_check(e) && !d.is_adjudicator() {
            let c = &mut checks[d.annotator as usize];
            c.asked += 1;
            c.contradictions +=
                usize::from(e.via.as_deref() == Some(crate::labels::VIA_VERIFY_AGAIN));
        }
        match e.task {
            TaskKind::Pair => {
                rates.pair_decisions += 1;
                let (Some([l, r]), Some(c)) = (&e.pair, &e.choice) else {
                    continue;
                };
                match c.as_str() {
                    "tie" => rates.ties += 1,
                    "both_bad" => rates.both_bad += 1,
                    c if c == l || c == r => {
                        position.pair_left_wins.add(c == l);
                        per_pos[a].pair_left_wins.add(c == l);
                        // Sort mode's questions never ask what the order already implies.
                        if !e.via_sort() && !is_check(e) {
                            let loser = if c == l { r } else { l };
                            edges
                                .entry((d.annotator, e.item.as_str()))
                                .or_default()
                                .push((c, loser.as_str()));
                        }
                    }
                    _ => {}
                }
            }
            TaskKind::Rank => {
                rates.rank_decisions += 1;
                let Some(ranking) = &e.ranking else { continue };
                if ranking.iter().any(|t| t.len() > 1) {
                    rates.rankings_with_ties += 1;
                }
                let Some(shown) = &e.shown else { continue };
                let ranks = tier_ranks(ranking);
                for (i, x) in shown.iter().enumerate() {
                    for y in &shown[i + 1..] {
                        if let (Some(rx), Some(ry)) = (ranks.get(x.as_str()), ranks.get(y.as_str()))
                            && rx != ry
                        {
                            position.rank_first_shown_wins.add(rx < ry);
                            per_pos[a].rank_first_shown_wins.add(rx < ry);
                        }
                    }
                }
            }
            TaskKind::Rate | TaskKind::Edit | TaskKind::BestWorst => {}
        }
    }
    rates.tie_rate =
        (rates.pair_decisions > 0).then(|| rates.ties as f64 / rates.pair_decisions as f64);
    rates.both_bad_rate =
        (rates.pair_decisions > 0).then(|| rates.both_bad as f64 / rates.pair_decisions as f64);

    let mut tasks_by_annotators = BTreeMap::new();
    for who in tasks.values() {
        *tasks_by_annotators.entry(who.len()).or_insert(0) += 1;
    }

    // Time, and the rushing rule against everyone else's pooled decisions.
    let mut all_ms: Vec<f64> = per_ms.iter().flatten().copied().collect();
    let time = timing(&mut all_ms);
    let cycles = count_cycles(n_ann, &edges);
    let mut annotators = Vec::with_capacity(n_ann);
    for (a, name) in st.annotators.iter().enumerate() {
        let t = timing(&mut per_ms[a].clone());
        let mut others: Vec<f64> = per_ms
            .iter()
            .enumerate()
            .filter(|(b, _)| *b != a)
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        others.sort_by(f64::total_cmp);
        let rushing = match (t, quantile(&others, 0.5)) {
            (Some(t), Some(m)) => {
                t.n >= RUSH_MIN_DECISIONS
                    && others.len() >= RUSH_MIN_DECISIONS
                    && t.median_s * 1000.0 < RUSH_FACTOR * m
            }
            _ => false,
        };
        annotators.push(AnnotatorRow {
            name: name.clone(),
            counts: st.counts[a].clone(),
            time: t,
            rushing,
            position: per_pos[a].finish(),
            reliability: None,
            cycles: cycles[a],
            checks: checks[a],
        });
    }

    Report {
        with_file,
        decisions: st.decisions.len(),
        edits: st.edits.len(),
        left_out: st.left_out.clone(),
        annotators,
        tasks_by_annotators,
        position: position.finish(),
        rates,
        time,
        rushing_rule: format!(
            "median time per decision below {:.0}% of everyone else's median, with at least {RUSH_MIN_DECISIONS} timed decisions on each side",
            RUSH_FACTOR * 100.0
        ),
        length: None,
        models: Vec::new(),
        best_worst: Vec::new(),
        agreement: Agreement::default(),
        rating_scales: rating_scale::logged_scales(st.decisions.iter().map(|d| &d.event)),
    }
}

/// Length bias and the model leaderboard: both need the candidates' texts and metadata.
/// Pairs an annotator must share with others before their fitted reliability is shown.
pub const MIN_SHARED_PAIRS: usize = 20;

/// Length bias, the model leaderboard and each annotator's fitted reliability: what needs the
/// candidates.
fn with_texts(
    st: &Standing,
    items: &[Arc<Item>],
) -> (Option<Bias>, Vec<ModelRow>, Vec<Option<f64>>) {
    let mut votes = Vec::new();
    for (i, d) in st.decisions.iter().enumerate() {
        if let Some(it) = d.item
            && !d.is_adjudicator()
        {
            pairs::votes(d, i as u32, &items[it], &PairOptions::default(), &mut votes);
        }
    }
    let mut length = Bias::default();
    let mut names: BTreeSet<&str> = BTreeSet::new();
    let mut raw_games: Vec<(&str, &str)> = Vec::new();
    for v in votes.iter().filter(|v| v.pref.is_strict()) {
        let item = &items[v.item as usize];
        let (w, l) = if v.pref == Pref::Lo {
            (v.lo, v.hi)
        } else {
            (v.hi, v.lo)
        };
        let (cw, cl) = (&item.candidates[w as usize], &item.candidates[l as usize]);
        let (lw, ll) = (cw.text.chars().count(), cl.text.chars().count());
        if lw != ll {
            length.add(lw > ll);
        }
        if let (Some(mw), Some(ml)) = (model(cw), model(cl))
            && mw != ml
        {
            names.insert(mw);
            names.insert(ml);
            raw_games.push((mw, ml));
        }
    }
    let names: Vec<&str> = names.into_iter().collect();
    let index = |m: &str| names.binary_search(&m).unwrap_or(0);
    let games: Vec<(usize, usize)> = raw_games
        .iter()
        .map(|(w, l)| (index(w), index(l)))
        .collect();
    let mut models = Vec::new();
    if !games.is_empty() {
        let strength = bradley_terry(names.len(), &games);
        let ci = bootstrap_bt(names.len(), &games);
        for (m, name) in names.iter().enumerate() {
            let wins = games.iter().filter(|g| g.0 == m).count() as u64;
            let played = games.iter().filter(|g| g.0 == m || g.1 == m).count() as u64;
            models.push(ModelRow {
                model: name.to_string(),
                games: played,
                wins,
                win_rate: wins as f64 / played.max(1) as f64,
                strength: strength[m],
                ci_low: ci[m].0,
                ci_high: ci[m].1,
            });
        }
        models.sort_by(|a, b| {
            b.strength
                .total_cmp(&a.strength)
                .then(a.model.cmp(&b.model))
        });
    }
    // An annotator's fit means something once they share enough pairs with others.
    let mut shared = vec![0usize; st.annotators.len()];
    let mut by_pair: BTreeMap<(u32, u32, u32), Vec<u32>> = BTreeMap::new();
    for v in &votes {
        by_pair
            .entry((v.item, v.lo, v.hi))
            .or_default()
            .push(v.annotator);
    }
    for who in by_pair.values() {
        let distinct: BTreeSet<&u32> = who.iter().collect();
        if distinct.len() >= 2 {
            for a in distinct {
                shared[*a as usize] += 1;
            }
        }
    }
    // The fit is only worth its time when someone's figure will be shown.
    let reliability = if shared.iter().any(|&n| n >= MIN_SHARED_PAIRS) {
        crate::export::aggregate::dawid_skene(&mut votes)
            .reliability
            .into_iter()
            .zip(&shared)
            .map(|(r, &n)| r.filter(|_| n >= MIN_SHARED_PAIRS))
            .collect()
    } else {
        vec![None; st.annotators.len()]
    };
    (
        Some(length.finish()).filter(|b| b.n > 0),
        models,
        reliability,
    )
}

/// One annotator's ratings of an item's candidates, and the top of the scale they are on.
type ScaledRatings<'a> = (&'a BTreeMap<String, u32>, u32);

/// Agreement per pair of annotators and overall, on the tasks they share. Adjudicators are
/// left out: they review disagreements rather than label independently. Pairs of annotators
/// with no shared task of a kind get no row for it; "all" comes last whenever any pair does.
pub fn agreement(st: &Standing) -> Agreement {
    let names = &st.annotators;
    // Per task, each annotator's decision.
    let mut pair_tasks: BTreeMap<(&str, &str, &str), BTreeMap<u32, &str>> = BTreeMap::new();
    let mut rank_items: BTreeMap<&str, BTreeMap<u32, &Vec<Vec<String>>>> = BTreeMap::new();
    // Each annotator's ratings with the scale they were made on; figures compare them placed
    // on the largest scale in use.
    let mut rate_items: BTreeMap<&str, BTreeMap<u32, ScaledRatings>> = BTreeMap::new();
    let top = st
        .decisions
        .iter()
        .filter(|d| d.event.ratings.is_some())
        .map(|d| rating_scale::of(&d.event))
        .max()
        .unwrap_or(rating_scale::DEFAULT);
    let on_top = |v: u32, s: u32| rating_scale::on_scale(v, s, top);
    for d in st.decisions.iter().filter(|d| !d.is_adjudicator()) {
        let e = &d.event;
        match e.task {
            TaskKind::Pair => {
                // The pair in id order and the verdict on it (the first, the second, tie or
                // both_bad), so display sides do not matter. Not the chosen id itself: kappa's
                // chance agreement would then come from how often each id is chosen across
                // different pairs, and fall with every new id (0.55 against the quality table's
                // 0.43 for the same 72 pairs of two labelers), where the same four verdicts
                // as the quality table's make the two figures one.
                if let (Some([l, r]), Some(c)) = (&e.pair, &e.choice) {
                    let (x, y) = if l <= r { (l, r) } else { (r, l) };
                    let verdict = if c == x {
                        "first"
                    } else if c == y {
                        "second"
                    } else {
                        c.as_str()
                    };
                    pair_tasks
                        .entry((&e.item, x, y))
                        .or_default()
                        .insert(d.annotator, verdict);
                }
            }
            TaskKind::Rank => {
                if let Some(r) = &e.ranking {
                    rank_items
                        .entry(&e.item)
                        .or_default()
                        .insert(d.annotator, r);
                }
            }
            TaskKind::Rate => {
                if let Some(r) = &e.ratings {
                    rate_items
                        .entry(&e.item)
                        .or_default()
                        .insert(d.annotator, (r, rating_scale::of(e)));
                }
            }
            // Edits are kept apart from the decisions (`Standing::edits`); agreement on
            // best-worst picks is not figured yet.
            TaskKind::Edit | TaskKind::BestWorst => {}
        }
    }
    let n = names.len() as u32;
    let pairs_of_annotators: Vec<(u32, u32)> = (0..n)
        .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
        .collect();
    let name = |a: u32| names[a as usize].as_str();
    let multi = |counts: Vec<usize>| counts.into_iter().filter(|&c| c >= 2).count();

    let mut out = Agreement::default();

    // Pair tasks.
    let mut pooled = Vec::new();
    for &(a, b) in &pairs_of_annotators {
        let labels: Vec<(&str, &str)> = pair_tasks
            .values()
            .filter_map(|m| Some((*m.get(&a)?, *m.get(&b)?)))
            .collect();
        if labels.is_empty() {
            continue;
        }
        let who = Overlap::new(name(a), name(b), labels.len());
        let k = who.gate(cohen_kappa(&labels));
        out.pair.push(PairRow {
            who,
            comparisons: labels.len(),
            raw: k.map(|k| k.raw),
            kappa: k.and_then(|k| k.kappa),
        });
        pooled.extend(labels);
    }
    if !out.pair.is_empty() {
        let who = Overlap::new(
            "all",
            "all",
            multi(pair_tasks.values().map(|m| m.len()).collect()),
        );
        let k = who.gate(pooled_kappa(&pooled));
        out.pair.push(PairRow {
            who,
            comparisons: pooled.len(),
            raw: k.map(|k| k.raw),
            kappa: k.and_then(|k| k.kappa),
        });
    }

    // Rank tasks: over the candidates both ranked.
    let (mut all_taus, mut all_agree, mut all_cand, mut all_cmp) = (Vec::new(), 0, 0, 0);
    for &(a, b) in &pairs_of_annotators {
        let (mut taus, mut agree, mut cand, mut cmp) = (Vec::new(), 0, 0, 0);
        for m in rank_items.values() {
            let (Some(ra), Some(rb)) = (m.get(&a), m.get(&b)) else {
                continue;
            };
            let (ra, rb) = (tier_ranks(ra), tier_ranks(rb));
            let (x, y): (Vec<f64>, Vec<f64>) = ra
                .iter()
                .filter_map(|(id, r)| Some((*r, *rb.get(id)?)))
                .unzip();
            cmp += 1;
            taus.extend(kendall_tau_b(&x, &y));
            let (same, of) = order_agreement(&x, &y);
            agree += same;
            cand += of;
        }
        if cmp == 0 {
            continue;
        }
        let who = Overlap::new(name(a), name(b), cmp);
        out.rank.push(RankRow {
            tau_b: who.gate(mean(&taus)),
            tau_b_n: taus.len(),
            pairwise: who.gate((cand > 0).then(|| agree as f64 / cand as f64)),
            candidate_pairs: cand,
            comparisons: cmp,
            who,
        });
        all_taus.extend(taus);
        (all_agree, all_cand, all_cmp) = (all_agree + agree, all_cand + cand, all_cmp + cmp);
    }
    if !out.rank.is_empty() {
        let who = Overlap::new(
            "all",
            "all",
            multi(rank_items.values().map(|m| m.len()).collect()),
        );
        out.rank.push(RankRow {
            tau_b: who.gate(mean(&all_taus)),
            tau_b_n: all_taus.len(),
            pairwise: who.gate((all_cand > 0).then(|| all_agree as f64 / all_cand as f64)),
            candidate_pairs: all_cand,
            comparisons: all_cmp,
            who,
        });
    }

    // Rate tasks: a unit is one candidate of one item.
    for &(a, b) in &pairs_of_annotators {
        let (mut shared, mut pairs) = (0, Vec::new());
        for m in rate_items.values() {
            let (Some(&(ra, sa)), Some(&(rb, sb))) = (m.get(&a), m.get(&b)) else {
                continue;
            };
            shared += 1;
            for (c, va) in ra.iter() {
                if let Some(vb) = rb.get(c) {
                    pairs.push((on_top(*va, sa), on_top(*vb, sb)));
                }
            }
        }
        if shared == 0 {
            continue;
        }
        let units: Vec<Vec<f64>> = pairs.iter().map(|&(x, y)| vec![x, y]).collect();
        out.rate.push(rate_row(
            Overlap::new(name(a), name(b), shared),
            &units,
            &pairs,
        ));
    }
    if !out.rate.is_empty() {
        let mut units: BTreeMap<(&str, &str), Vec<f64>> = BTreeMap::new();
        for (item, m) in &rate_items {
            for &(ratings, sc) in m.values() {
                for (c, v) in ratings.iter() {
                    units.entry((item, c)).or_default().push(on_top(*v, sc));
                }
            }
        }
        let units: Vec<Vec<f64>> = units.into_values().filter(|u| u.len() >= 2).collect();
        let pairs: Vec<(f64, f64)> = units
            .iter()
            .flat_map(|u| {
                u.iter()
                    .enumerate()
                    .flat_map(|(i, &x)| u[i + 1..].iter().map(move |&y| (x, y)))
            })
            .collect();
        let shared = multi(rate_items.values().map(|m| m.len()).collect());
        out.rate
            .push(rate_row(Overlap::new("all", "all", shared), &units, &pairs));
    }
    out
}

fn rate_row(who: Overlap, units: &[Vec<f64>], pairs: &[(f64, f64)]) -> RateRow {
    let m = who.gate(rating_match(pairs));
    RateRow {
        units: units.len(),
        alpha: who.gate(krippendorff_alpha_interval(units)),
        rating_pairs: pairs.len(),
        exact: m.map(|m| m.exact),
        within_one: m.map(|m| m.within_one),
        who,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::standing::standing;
    use crate::export::standing::tests::{item, pair};
    use crate::labels::Event;

    #[test]
    fn an_annotator_who_contradicts_the_others_gets_a_low_fitted_reliability() {
        // 30 items judged by "a" and "b", who agree (c0 on even items, c1 on odd), and by
        // "wrong", who always says the opposite; "few" judged 5 of them, as a and b did.
        let items: Vec<_> = (0..30).map(|i| item(&format!("i{i}"), 2)).collect();
        let mut events = Vec::new();
        for (i, it) in items.iter().enumerate() {
            let (right, other) = if i % 2 == 0 {
                ("c0", "c1")
            } else {
                ("c1", "c0")
            };
            events.push(pair("a", it, "c0", "c1", right));
            events.push(pair("b", it, "c1", "c0", right));
            events.push(pair("wrong", it, "c0", "c1", other));
            if i < 5 {
                events.push(pair("few", it, "c0", "c1", right));
            }
        }
        let st = standing(events, Some(&items));
        let r = report(&st, Some(&items));
        let fit = |name: &str| {
            r.annotators
                .iter()
                .find(|a| a.name == name)
                .unwrap()
                .reliability
        };
        assert!(fit("a").unwrap() > 0.95, "{:?}", fit("a"));
        assert!(fit("b").unwrap() > 0.95, "{:?}", fit("b"));
        assert!(fit("wrong").unwrap() < 0.05, "{:?}", fit("wrong"));
        // Five shared pairs are too few to say.
        assert_eq!(fit("few"), None);
        let text = super::super::render::human(&r);
        assert!(
            text.contains("(fewer than 20 pairs shared with others)"),
            "{text}"
        );
    }

    #[test]
    fn left_always_winning_is_flagged_and_a_fast_annotator_is_rushing() {
        // ann "fast": 10 pair decisions on 10 items, always the left, 1 s each.
        // ann "slow": the same 10 tasks, left wins 5, 10 s each.
        // fast: 10 of 10 -> p = 2 / 1024 < 0.01, flagged; slow: 5 of 10 -> p = 1.
        // Rushing: fast's median 1 s < 0.5 x slow's 10 s, both with >= 5 decisions.
        let items: Vec<_> = (0..10).map(|i| item(&format!("i{i}"), 2)).collect();
        let mut events = Vec::new();
        for (i, it) in items.iter().enumerate() {
            let mut f = pair("fast", it, "c0", "c1", "c0");
            f.ms = Some(1000);
            let mut s = pair("slow", it, "c1", "c0", if i % 2 == 0 { "c1" } else { "c0" });
            s.ms = Some(10_000);
            events.extend([f, s]);
        }
        let st = standing(events, Some(&items));
        let r = report(&st, Some(&items));
        let fast = &r.annotators[0];
        assert_eq!(fast.name, "fast");
        assert_eq!(
            (
                fast.position.pair_left_wins.wins,
                fast.position.pair_left_wins.n
            ),
            (10, 10)
        );
        assert!((fast.position.pair_left_wins.p_value - 2.0 / 1024.0).abs() < 1e-12);
        assert!(fast.position.pair_left_wins.flagged);
        assert!(fast.rushing);
        let slow = &r.annotators[1];
        assert_eq!(slow.position.pair_left_wins.p_value, 1.0);
        assert!(!slow.position.pair_left_wins.flagged && !slow.rushing);
        // Overall 15 of 20: P(X >= 15) = (1 + 20 + 190 + 1140 + 4845 + 15504) / 2^20 = 21700 / 2^20,
        // doubled: 0.041389..., not flagged.
        let all = r.position.pair_left_wins;
        assert_eq!((all.wins, all.n), (15, 20));
        assert!((all.p_value - 43_400.0 / 1_048_576.0).abs() < 1e-12);
        assert!(!all.flagged);
        // Every task decided by both.
        assert_eq!(r.tasks_by_annotators, BTreeMap::from([(2, 10)]));
        // Candidate c1 ("xx") is longer than c0 ("x"): fast chose c0 10 times, slow chose c1
        // on even items (5): the longer won 5 of 20.
        assert_eq!(r.length.map(|b| (b.wins, b.n)), Some((5, 20)));
        // Agreement: on even items slow chose c1 (fast c0), on odd items both c0:
        // raw 5/10; marginals fast c0 10; slow c0 5, c1 5; p_e = 1 x 0.5 = 0.5; kappa 0.
        let p = &r.agreement.pair[0];
        assert_eq!((p.comparisons, p.raw, p.kappa), (10, Some(0.5), Some(0.0)));
    }

    #[test]
    fn pair_kappa_is_on_the_verdict_not_the_chosen_id_and_matches_the_quality_table() {
        // Four items whose candidates have ids of their own (m0_a, m0_b; m1_a, ...), as models'
        // names do. Verdicts on the pair in id order:
        //   alice: first, first, second, tie;  bob: first, second, second, tie.
        // raw 3/4; marginals alice (first 2, second 1, tie 1)/4, bob (1, 2, 1)/4:
        // p_e = (2 + 2 + 1)/16 = 0.3125, kappa = (0.75 - 0.3125)/0.6875 = 7/11.
        // (On the chosen ids, p_e would be 3/16 and kappa 9/13: a figure of its own, and
        // not the quality table's kappa against the others for the same pairs.)
        let items: Vec<Arc<Item>> = (0..4)
            .map(|i| {
                let cands: Vec<_> = ["a", "b"]
                    .iter()
                    .map(|c| serde_json::json!({"id": format!("m{i}_{c}"), "text": *c}))
                    .collect();
                let v =
                    serde_json::json!({"id": format!("i{i}"), "prompt": "p", "candidates": cands});
                Arc::new(crate::format::parse_item(v, 1).unwrap())
            })
            .collect();
        let mut events = Vec::new();
        for (i, (x, y)) in [("a", "a"), ("a", "b"), ("b", "b"), ("tie", "tie")]
            .into_iter()
            .enumerate()
        {
            let it = &items[i];
            let id = |c: &str| match c {
                "tie" => "tie".to_string(),
                c => format!("m{i}_{c}"),
            };
            let (l, r) = (format!("m{i}_a"), format!("m{i}_b"));
            events.push(pair("alice", it, &l, &r, &id(x)));
            // Bob saw the sides the other way round: sides do not matter.
            events.push(pair("bob", it, &r, &l, &id(y)));
        }
        let st = standing(events, Some(&items));
        let r = report(&st, Some(&items));
        let p = &r.agreement.pair[0];
        assert_eq!((p.comparisons, p.raw), (4, Some(0.75)));
        assert!(
            (p.kappa.unwrap() - 7.0 / 11.0).abs() < 1e-12,
            "{:?}",
            p.kappa
        );
        let q = super::super::quality::quality(
            &st,
            Some(&items),
            &Default::default(),
            &Default::default(),
            &r,
        );
        for row in &q.rows {
            assert_eq!(row.kappa_vs_others, p.kappa, "{}", row.name);
        }
    }

    #[test]
    fn timing_median_percentiles_and_rate() {
        // 1, 2, 3, 4 s: median 2.5, p10 1.3, p90 3.7 (linear interpolation);
        // 4 decisions in 10 s of labeling = 1440 per hour.
        let t = timing(&mut [4000.0, 1000.0, 3000.0, 2000.0]).unwrap();
        assert_eq!(t.n, 4);
        assert!((t.median_s - 2.5).abs() < 1e-12);
        assert!((t.p10_s - 1.3).abs() < 1e-12);
        assert!((t.p90_s - 3.7).abs() < 1e-12);
        assert!((t.per_hour - 1440.0).abs() < 1e-9);
    }

    #[test]
    fn ratings_agreement_and_model_leaderboard() {
        // Three items rated by a and b: (5,4), (3,3), (1,2) on c0, c1 left unrated.
        // alpha: units (5,4), (3,3), (1,2): D_o = (2 + 0 + 2) / 6; values 5,4,3,3,1,2:
        // sum 18, squares 64, D_e = 2 (6*64 - 324) / 30 = 4 -> alpha = 1 - (2/3)/4 = 5/6.
        let items: Vec<_> = (0..3).map(|i| item(&format!("i{i}"), 2)).collect();
        let mut events = Vec::new();
        for (it, (x, y)) in items.iter().zip([(5, 4), (3, 3), (1, 2)]) {
            for (who, v) in [("a", x), ("b", y)] {
                let mut e = Event::new(who, &it.id, Some(&it.hash), TaskKind::Rate);
                e.ratings = Some([("c0".to_string(), v)].into());
                events.push(e);
            }
        }
        let st = standing(events, Some(&items));
        let ag = agreement(&st);
        assert_eq!(ag.rate.len(), 2, "a & b, then all");
        assert!((ag.rate[0].alpha.unwrap() - 5.0 / 6.0).abs() < 1e-12);
        assert!(report(&st, Some(&items)).models.is_empty());
    }
}
