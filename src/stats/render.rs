//! The human report: plain text with Unicode bar blocks, so it reads the same in a terminal,
//! a pipe or a CI log.

use std::fmt::Write as _;

use super::compute::{Bias, FLAG_P, MIN_SHARED_PAIRS, Overlap, Report, Timing};

const BAR: usize = 20;

/// A bar of [`BAR`] cells for a share in 0..=1: full blocks, then a light shade.
pub fn bar(share: f64) -> String {
    let filled = (share.clamp(0.0, 1.0) * BAR as f64).round() as usize;
    let mut s = "█".repeat(filled);
    s.push_str(&"░".repeat(BAR - filled));
    s
}

/// `s` in exactly `width` terminal cells: cut with `…` when longer, padded with spaces when
/// shorter, so the columns after it line up whatever the names (CJK takes two cells each).
pub fn fit(s: &str, width: usize) -> String {
    let mut out = crate::text::truncate(s, width);
    let w = crate::text::str_width(&out);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(w)));
    out
}

fn pct(x: Option<f64>) -> String {
    x.map_or("-".into(), |x| format!("{:.1}%", x * 100.0))
}

fn bias_line(out: &mut String, label: &str, b: &Bias) {
    if b.n == 0 {
        let _ = writeln!(out, "  {} (no decisions)", fit(label, 28));
        return;
    }
    let _ = writeln!(
        out,
        "  {} {} {:>6}  {:>5} of {:<5} p = {:.3}{}",
        fit(label, 28),
        bar(b.rate.unwrap_or(0.0)),
        pct(b.rate),
        b.wins,
        b.n,
        b.p_value,
        if b.flagged { "  ⚑ biased" } else { "" }
    );
}

fn time_text(t: &Option<Timing>) -> String {
    match t {
        Some(t) => format!(
            "median {:.1}s  p10 {:.1}s  p90 {:.1}s  {:.0}/hour",
            t.median_s, t.p10_s, t.p90_s, t.per_hour
        ),
        None => "no times logged".into(),
    }
}

fn agreement_rows<R>(
    out: &mut String,
    title: &str,
    rows: &[R],
    who: impl Fn(&R) -> &Overlap,
    figure: impl Fn(&R) -> String,
) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(out, "  {title}");
    for row in rows {
        let r = who(row);
        let who = if r.a == "all" {
            "everyone".to_string()
        } else {
            format!("{} & {}", r.a, r.b)
        };
        let text = if r.enough_overlap {
            figure(row)
        } else {
            "not enough overlap".into()
        };
        let _ = writeln!(out, "    {} {:>4} shared  {text}", fit(&who, 24), r.shared);
    }
}

/// The quality table: one row per annotator, then what each marked one falls short of. It
/// comes last in the report: the verdict a team lead acts on, after the figures it draws from.
pub fn quality(q: &super::quality::Quality) -> String {
    let mut s = String::new();
    quality_table(&mut s, q);
    s
}

fn quality_table(s: &mut String, q: &super::quality::Quality) {
    if q.rows.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\nQuality per annotator (⚑ below the task file's [qa] thresholds; {} gold item(s))",
        q.gold_items
    );
    let _ = writeln!(
        s,
        "  {} {:<22} {:>9} {:>7} {:>13} {:>7} {:>11} {:>13} {:>9}",
        fit("annotator", 16),
        "gold (95% interval)",
        "position",
        "cycles",
        "κ vs others",
        "median",
        "reliability",
        "self (repeat)",
        "same side"
    );
    let opt = |x: Option<String>| x.unwrap_or_else(|| "-".into());
    for r in &q.rows {
        let gold = opt(r.gold.map(|g| {
            format!(
                "{}/{} {:.0}% [{:.0}-{:.0}]",
                g.right,
                g.n,
                g.accuracy * 100.0,
                g.ci_low * 100.0,
                g.ci_high * 100.0
            )
        }));
        let name = if r.flags.is_empty() {
            r.name.clone()
        } else {
            format!("⚑ {}", r.name)
        };
        let rep = &r.repeats;
        let _ = writeln!(
            s,
            "  {} {:<22} {:>9} {:>7} {:>13} {:>7} {:>11} {:>13} {:>9}",
            fit(&name, 16),
            gold,
            opt(r.position_p.map(|p| format!("p {p:.3}"))),
            opt(r.cycle_share.map(|c| format!("{:.0}%", c * 100.0))),
            opt(r
                .kappa_vs_others
                .map(|k| format!("{k:.2} ({})", r.kappa_pairs))),
            opt(r.median_s.map(|m| format!("{m:.1}s"))),
            opt(r.reliability.map(|x| format!("{:.0}%", x * 100.0))),
            opt(rep.self_agreement.map(|x| format!(
                "{}/{} {:.0}%",
                rep.same_answer,
                rep.n,
                x * 100.0
            ))),
            opt(rep
                .same_position_share
                .map(|_| format!("{}/{}", rep.same_position, rep.positioned))),
        );
    }
    for r in q.rows.iter().filter(|r| !r.flags.is_empty()) {
        let _ = writeln!(s, "  ⚑ {}: {}", r.name, r.flags.join("; "));
    }
}

/// The whole human report.
pub fn human(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "prefer stats: {} decision(s) by {} annotator(s){}",
        r.decisions,
        r.annotators.len(),
        if r.edits > 0 {
            format!(", and {} edited answer(s) (not decisions)", r.edits)
        } else {
            String::new()
        }
    );
    let lo = &r.left_out;
    let _ = writeln!(
        s,
        "left out: {} skipped, {} retracted, {} stale, {} unknown{}",
        lo.skipped,
        lo.retracted,
        lo.stale,
        lo.unknown,
        if r.with_file {
            ""
        } else {
            " (no candidate file given: stale decisions not checked)"
        }
    );

    if r.rating_scales.len() > 1 {
        let top = r.rating_scales.keys().max().copied().unwrap_or(5);
        let _ = writeln!(
            s,
            "ratings on more than one scale ({}): agreement places each rating at the same point of 1-{top}",
            r.rating_scales
                .iter()
                .map(|(k, n)| format!("{n} on 1-{k}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }

    let _ = writeln!(s, "\nAnnotators");
    let max = r
        .annotators
        .iter()
        .map(|a| a.counts.decisions)
        .max()
        .unwrap_or(0)
        .max(1);
    for a in &r.annotators {
        let _ = writeln!(
            s,
            "  {} {} {:>5} decided  {:>3} skipped  {:>3} retracted ({} undo events)  {:>3} stale{}",
            fit(
                &format!(
                    "{}{}",
                    a.name,
                    if a.counts.adjudicator { " (adj.)" } else { "" }
                ),
                16
            ),
            bar(a.counts.decisions as f64 / max as f64),
            a.counts.decisions,
            a.counts.skips,
            a.counts.retracted,
            a.counts.retract_events,
            a.counts.stale,
            if a.rushing {
                "  ⚑ possibly rushing"
            } else {
                ""
            }
        );
    }

    if r.annotators.iter().any(|a| a.cycles.items > 0) {
        let _ = writeln!(
            s,
            "\nCycles (items whose pair answers go round in a circle, A > B > C > A)"
        );
        for a in r.annotators.iter().filter(|a| a.cycles.items > 0) {
            let c = a.cycles;
            let _ = writeln!(
                s,
                "  {} {:>5} of {:>5} items ({:.0}%)",
                fit(&a.name, 16),
                c.with_cycle,
                c.items,
                100.0 * c.with_cycle as f64 / c.items as f64
            );
        }
    }

    if r.annotators.iter().any(|a| a.checks.asked > 0) {
        let _ = writeln!(
            s,
            "\nSort checks (inferred pairs asked again; answers against the ranking)"
        );
        for a in r.annotators.iter().filter(|a| a.checks.asked > 0) {
            let c = a.checks;
            let _ = writeln!(
                s,
                "  {} {:>5} contradictions in {:>5} checks ({:.0}%)",
                fit(&a.name, 16),
                c.contradictions,
                c.asked,
                100.0 * c.contradictions as f64 / c.asked as f64
            );
        }
    }

    if r.with_file && r.tasks_by_annotators.keys().any(|&k| k >= 2) {
        let _ = writeln!(
            s,
            "\nReliability (Dawid-Skene fit: the chance a vote is the pair's true judgement)"
        );
        for a in r.annotators.iter().filter(|a| !a.counts.adjudicator) {
            match a.reliability {
                Some(p) => {
                    let _ = writeln!(s, "  {} {} {:>3.0}%", fit(&a.name, 16), bar(p), p * 100.0);
                }
                None => {
                    let _ = writeln!(
                        s,
                        "  {} (fewer than {MIN_SHARED_PAIRS} pairs shared with others)",
                        fit(&a.name, 16)
                    );
                }
            }
        }
    }

    let _ = writeln!(s, "\nTasks decided by N annotators");
    let most = r
        .tasks_by_annotators
        .values()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    for (k, n) in &r.tasks_by_annotators {
        let _ = writeln!(s, "  {k:>2}  {} {n}", bar(*n as f64 / most as f64));
    }

    let _ = writeln!(s, "\nPosition bias (50% = none; ⚑ when p < {FLAG_P})");
    // A kind of task nobody did has no line, unless neither was done.
    let (pair, rank) = (
        &r.position.pair_left_wins,
        &r.position.rank_first_shown_wins,
    );
    if pair.n > 0 || rank.n == 0 {
        bias_line(&mut s, "left wins (pair), all", pair);
    }
    if rank.n > 0 {
        bias_line(&mut s, "first shown wins (rank), all", rank);
    }
    for a in &r.annotators {
        if a.position.pair_left_wins.n > 0 {
            bias_line(
                &mut s,
                &format!("left wins, {}", a.name),
                &a.position.pair_left_wins,
            );
        }
        if a.position.rank_first_shown_wins.n > 0 {
            bias_line(
                &mut s,
                &format!("first shown wins, {}", a.name),
                &a.position.rank_first_shown_wins,
            );
        }
    }

    let _ = writeln!(s, "\nLength bias");
    match &r.length {
        Some(b) => bias_line(&mut s, "longer candidate wins", b),
        None if r.with_file => {
            let _ = writeln!(s, "  (no pairs of different length judged apart)");
        }
        None => {
            let _ = writeln!(s, "  (give the candidate file to see it)");
        }
    }

    let rt = &r.rates;
    // Rate decisions have neither: the section is left out rather than shown empty.
    if rt.pair_decisions + rt.rank_decisions > 0 {
        let _ = writeln!(s, "\nTies and both-bad");
    }
    if rt.pair_decisions > 0 {
        let _ = writeln!(
            s,
            "  tie (pair)        {} {:>6}  {} of {}",
            bar(rt.tie_rate.unwrap_or(0.0)),
            pct(rt.tie_rate),
            rt.ties,
            rt.pair_decisions
        );
        let _ = writeln!(
            s,
            "  both bad (pair)   {} {:>6}  {} of {}",
            bar(rt.both_bad_rate.unwrap_or(0.0)),
            pct(rt.both_bad_rate),
            rt.both_bad,
            rt.pair_decisions
        );
    }
    if rt.rank_decisions > 0 {
        let share = rt.rankings_with_ties as f64 / rt.rank_decisions as f64;
        let _ = writeln!(
            s,
            "  ranking with a tie {} {:>6}  {} of {}",
            bar(share),
            pct(Some(share)),
            rt.rankings_with_ties,
            rt.rank_decisions
        );
    }

    let _ = writeln!(s, "\nTime per decision");
    let _ = writeln!(s, "  {} {}", fit("everyone", 16), time_text(&r.time));
    for a in &r.annotators {
        let _ = writeln!(
            s,
            "  {} {}{}",
            fit(&a.name, 16),
            time_text(&a.time),
            if a.rushing {
                "  ⚑ possibly rushing"
            } else {
                ""
            }
        );
    }
    let _ = writeln!(s, "  rushing: {}", r.rushing_rule);

    if !r.models.is_empty() {
        let _ = writeln!(
            s,
            "\nModels (Bradley-Terry strength, 95% bootstrap interval)"
        );
        for m in &r.models {
            let _ = writeln!(
                s,
                "  {} {} {:>6} won {:>4} of {:<4} strength {:+.2} [{:+.2}, {:+.2}]",
                fit(&m.model, 24),
                bar(m.win_rate),
                pct(Some(m.win_rate)),
                m.wins,
                m.games,
                m.strength,
                m.ci_low,
                m.ci_high
            );
        }
    }

    if !r.best_worst.is_empty() {
        let _ = writeln!(
            s,
            "\nBest-worst scores per model ((best - worst) / times shown, -1 to 1)"
        );
        for m in &r.best_worst {
            let _ = writeln!(
                s,
                "  {} {:+.2}  best {:>4} worst {:>4} of {:<4} shown",
                fit(&m.model, 24),
                m.score,
                m.best,
                m.worst,
                m.shown
            );
        }
    }

    let ag = &r.agreement;
    if !(ag.pair.is_empty() && ag.rank.is_empty() && ag.rate.is_empty()) {
        let _ = writeln!(s, "\nAgreement (on shared tasks)");
        agreement_rows(
            &mut s,
            "pair tasks: raw agreement, Cohen's kappa",
            &ag.pair,
            |r| &r.who,
            |r| match r.raw {
                Some(raw) => format!(
                    "{} raw {raw:.2}  kappa {}",
                    bar(raw),
                    r.kappa.map_or("undefined".into(), |x| format!("{x:.2}"))
                ),
                None => "-".into(),
            },
        );
        agreement_rows(
            &mut s,
            "rank tasks: mean Kendall tau-b",
            &ag.rank,
            |r| &r.who,
            |r| {
                r.tau_b.map_or("-".into(), |t| {
                    format!("{} tau-b {t:.2}", bar((t + 1.0) / 2.0))
                })
            },
        );
        agreement_rows(
            &mut s,
            "rate tasks: Krippendorff's alpha (interval)",
            &ag.rate,
            |r| &r.who,
            |r| {
                r.alpha
                    .map_or("-".into(), |a| format!("{} alpha {a:.2}", bar(a)))
            },
        );
    }
    s
}
