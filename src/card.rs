//! `prefer export --card`: a README.md dataset card beside the export, as the Hugging Face Hub
//! reads it. The YAML front matter names the data file (`configs`), its columns
//! (`dataset_info.features`, from the same Arrow schema the Parquet output uses),
//! `task_categories` and the size category; the body says how the data was made, every figure
//! taken from [`crate::stats::compute::report`], the code behind `prefer stats`.
//!
//! It sits above both `export` and `stats` (stats reads decisions through export's modules),
//! and `main` hands it to the export as its card writer.

use std::fmt::Write as _;
use std::path::PathBuf;

use arrow_schema::{DataType, Field, Fields};

use crate::export::{CardFacts, ExportFormat};
use crate::stats::compute::{Bias, Overlap, Report};

/// Writes README.md beside the export; returns its path.
pub fn write(facts: &CardFacts<'_>) -> anyhow::Result<PathBuf> {
    let schema = crate::export::parquet::schema_of(facts.json)?;
    let stats = crate::stats::compute::report(facts.st, Some(facts.items));
    let text = render(facts, schema.fields(), &stats);
    let path = facts.out.with_file_name("README.md");
    crate::export::write_atomically(&path, |w| w.write_all(text.as_bytes()))
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    Ok(path)
}

/// The Hub's size category for a number of rows.
pub fn size_category(rows: usize) -> &'static str {
    match rows {
        0..1_000 => "n<1K",
        1_000..10_000 => "1K<n<10K",
        10_000..100_000 => "10K<n<100K",
        100_000..1_000_000 => "100K<n<1M",
        1_000_000..10_000_000 => "1M<n<10M",
        _ => "10M<n<100M",
    }
}

/// A YAML string: JSON's quoting is valid YAML.
fn q(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

/// The lines describing one type under a `- name:` line, at `indent` spaces, in the Hub's
/// `dataset_info.features` form (`dtype`, `list` of fields, `sequence`, `struct`).
fn type_lines(out: &mut String, dt: &DataType, indent: usize) {
    let pad = " ".repeat(indent);
    match dt {
        DataType::List(f) | DataType::LargeList(f) => match f.data_type() {
            DataType::Struct(fields) => {
                let _ = writeln!(out, "{pad}list:");
                field_lines(out, fields, indent);
            }
            inner => {
                let _ = writeln!(out, "{pad}sequence:");
                type_lines(out, inner, indent + 2);
            }
        },
        DataType::Struct(fields) => {
            let _ = writeln!(out, "{pad}struct:");
            field_lines(out, fields, indent);
        }
        other => {
            let _ = writeln!(out, "{pad}dtype: {}", dtype(other));
        }
    }
}

fn field_lines(out: &mut String, fields: &Fields, indent: usize) {
    for f in fields {
        field(out, f, indent);
    }
}

fn field(out: &mut String, f: &Field, indent: usize) {
    let pad = " ".repeat(indent);
    let _ = writeln!(out, "{pad}- name: {}", q(f.name()));
    type_lines(out, f.data_type(), indent + 2);
}

fn dtype(dt: &DataType) -> &'static str {
    match dt {
        DataType::Boolean => "bool",
        DataType::Int64 => "int64",
        DataType::Int32 => "int32",
        DataType::Float64 => "float64",
        DataType::Float32 => "float32",
        DataType::Null => "null",
        _ => "string",
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or("-".into(), |x| format!("{:.1}%", x * 100.0))
}

fn fig(x: Option<f64>) -> String {
    x.map_or("-".into(), |x| format!("{x:.3}"))
}

fn bias(label: &str, b: &Bias) -> String {
    if b.n == 0 {
        return format!("- {label}: no decisions to measure it");
    }
    format!(
        "- {label}: {} of {} ({}), binomial p = {:.3}{}",
        b.wins,
        b.n,
        pct(b.rate),
        b.p_value,
        if b.flagged {
            " - flagged as biased"
        } else {
            ""
        }
    )
}

fn who(o: &Overlap) -> String {
    if o.a == "all" {
        "everyone".into()
    } else {
        format!("{} & {}", o.a, o.b)
    }
}

/// What each format is for, in a line.
fn what(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Trl => "TRL's standard preference format (prompt, chosen, rejected as text)",
        ExportFormat::TrlChat => {
            "TRL's conversational preference format (prompt, chosen, rejected as lists of messages)"
        }
        ExportFormat::Hh => "Anthropic HH-RLHF text (chosen, rejected)",
        ExportFormat::Rankings => "one row per item: the consensus ranking and every decision",
        ExportFormat::Ratings => "one row per item: each answer's ratings and their mean",
        ExportFormat::Kto => "TRL's unpaired preference format for KTO (prompt, completion, label)",
        ExportFormat::Llamafactory => "LLaMA-Factory's ShareGPT preference data",
        ExportFormat::LlamafactoryKto => "LLaMA-Factory's ShareGPT KTO data",
        ExportFormat::H4 => "the layout of HuggingFaceH4/ultrafeedback_binarized",
    }
}

/// The card's text.
pub fn render(f: &CardFacts<'_>, features: &Fields, s: &Report) -> String {
    let file = f
        .out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = f
        .out
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut c = String::new();
    c.push_str("---\n");
    let _ = writeln!(
        c,
        "configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: {}",
        q(&file)
    );
    c.push_str("dataset_info:\n  features:\n");
    field_lines(&mut c, features, 2);
    let _ = writeln!(
        c,
        "  splits:\n  - name: train\n    num_bytes: {}\n    num_examples: {}\n  dataset_size: {}",
        f.json.len(),
        f.rows,
        f.json.len()
    );
    let task = match f.format {
        ExportFormat::Kto | ExportFormat::LlamafactoryKto => "reinforcement-learning",
        _ => "text-generation",
    };
    let _ = writeln!(c, "task_categories:\n- {task}");
    let _ = writeln!(c, "size_categories:\n- {}", size_category(f.rows));
    c.push_str("tags:\n- preference\n- rlhf\n- human-feedback\n---\n\n");

    let format = f.format_name;
    let _ = writeln!(c, "# {name}\n");
    let _ = writeln!(
        c,
        "Human preference labels made with prefer and exported with `prefer export --format {format}`: {}. {} rows in `{file}`.\n",
        what(f.format),
        f.rows
    );

    c.push_str("## How it was made\n\n");
    let _ = writeln!(
        c,
        "- {} standing decision(s) by {} annotator(s).",
        s.decisions,
        s.annotators.len()
    );
    for a in &s.annotators {
        let _ = writeln!(
            c,
            "  - {}{}: {} decision(s), {} skipped, {} retracted, {} stale",
            a.name,
            if a.counts.adjudicator {
                " (adjudicator)"
            } else {
                ""
            },
            a.counts.decisions,
            a.counts.skips,
            a.counts.retracted,
            a.counts.stale
        );
    }
    let _ = writeln!(
        c,
        "- Pair decisions: {} ({} ties, {} both bad); rank decisions: {} ({} with tied tiers); rate decisions: {}.",
        s.rates.pair_decisions,
        s.rates.ties,
        s.rates.both_bad,
        s.rates.rank_decisions,
        s.rates.rankings_with_ties,
        s.rating_scales.values().sum::<usize>()
    );
    if let Some(t) = &s.time {
        let _ = writeln!(
            c,
            "- Time per decision: median {:.1} s (p10 {:.1} s, p90 {:.1} s).",
            t.median_s, t.p10_s, t.p90_s
        );
    }

    c.push_str("\n### Overlap\n\n");
    c.push_str(
        "Tasks (an item, and for pairs the two answers) by how many annotators decided them:\n\n",
    );
    c.push_str("| annotators | tasks |\n|---|---|\n");
    for (k, n) in &s.tasks_by_annotators {
        let _ = writeln!(c, "| {k} | {n} |");
    }

    c.push_str("\n### Agreement\n\n");
    let rows = s.agreement.pair.len() + s.agreement.rank.len() + s.agreement.rate.len();
    if rows == 0 {
        c.push_str("No task was decided by two annotators: no agreement to measure.\n");
    }
    let gap = |o: &Overlap| {
        format!(
            "- {}: {} shared, not enough overlap for a figure (needs {})",
            who(o),
            o.shared,
            crate::stats::compute::MIN_OVERLAP
        )
    };
    for r in &s.agreement.pair {
        if !r.who.enough_overlap {
            let _ = writeln!(c, "{}", gap(&r.who).replacen("- ", "- pairs, ", 1));
            continue;
        }
        let _ = writeln!(
            c,
            "- pairs, {}: {} shared, raw agreement {}, Cohen's kappa {}",
            who(&r.who),
            r.who.shared,
            pct(r.raw),
            fig(r.kappa)
        );
    }
    for r in &s.agreement.rank {
        if !r.who.enough_overlap {
            let _ = writeln!(c, "{}", gap(&r.who).replacen("- ", "- rankings, ", 1));
            continue;
        }
        let _ = writeln!(
            c,
            "- rankings, {}: {} shared, Kendall's tau-b {}, pairwise order agreement {}",
            who(&r.who),
            r.who.shared,
            fig(r.tau_b),
            pct(r.pairwise)
        );
    }
    for r in &s.agreement.rate {
        if !r.who.enough_overlap {
            let _ = writeln!(c, "{}", gap(&r.who).replacen("- ", "- ratings, ", 1));
            continue;
        }
        let _ = writeln!(
            c,
            "- ratings, {}: {} shared, Krippendorff's alpha {}, exact {}, within one {}",
            who(&r.who),
            r.who.shared,
            fig(r.alpha),
            pct(r.exact),
            pct(r.within_one)
        );
    }

    c.push_str("\n### Position and length bias\n\n");
    let _ = writeln!(
        c,
        "{}",
        bias("left answer wins (pairs)", &s.position.pair_left_wins)
    );
    let _ = writeln!(
        c,
        "{}",
        bias(
            "answer shown first wins (rankings)",
            &s.position.rank_first_shown_wins
        )
    );
    match &s.length {
        Some(b) => {
            let _ = writeln!(c, "{}", bias("longer answer wins", b));
        }
        None => c.push_str("- longer answer wins: not measured\n"),
    }

    c.push_str("\n### Aggregation\n\n");
    let _ = writeln!(c, "{}\n", f.aggregation);

    c.push_str("### Left out, and why\n\n");
    c.push_str("What `prefer export` reported when it wrote this file:\n\n```\n");
    c.push_str(f.summary.trim_end());
    c.push_str("\n```\n");
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_categories_follow_the_hubs_bounds() {
        assert_eq!(size_category(0), "n<1K");
        assert_eq!(size_category(999), "n<1K");
        assert_eq!(size_category(1_000), "1K<n<10K");
        assert_eq!(size_category(844_000), "100K<n<1M");
        assert_eq!(size_category(1_000_000), "1M<n<10M");
    }

    #[test]
    fn features_nest_as_the_hub_writes_them() {
        let msg = DataType::Struct(Fields::from(vec![
            Field::new("role", DataType::Utf8, true),
            Field::new("content", DataType::Utf8, true),
        ]));
        let fields = Fields::from(vec![
            Field::new("prompt", DataType::Utf8, true),
            Field::new(
                "chosen",
                DataType::List(std::sync::Arc::new(Field::new("item", msg, true))),
                true,
            ),
            Field::new(
                "ranking",
                DataType::List(std::sync::Arc::new(Field::new(
                    "item",
                    DataType::List(std::sync::Arc::new(Field::new(
                        "item",
                        DataType::Utf8,
                        true,
                    ))),
                    true,
                ))),
                true,
            ),
            Field::new("label", DataType::Boolean, true),
        ]);
        let mut out = String::new();
        field_lines(&mut out, &fields, 2);
        assert_eq!(
            out,
            concat!(
                "  - name: \"prompt\"\n",
                "    dtype: string\n",
                "  - name: \"chosen\"\n",
                "    list:\n",
                "    - name: \"role\"\n",
                "      dtype: string\n",
                "    - name: \"content\"\n",
                "      dtype: string\n",
                "  - name: \"ranking\"\n",
                "    sequence:\n",
                "      sequence:\n",
                "        dtype: string\n",
                "  - name: \"label\"\n",
                "    dtype: bool\n",
            )
        );
    }
}
