//! Messages for strict TOML files (the settings file, task files): the line of an offset, the
//! TOML parser's errors rewritten to name the key and suggest a fix, and "did you mean".

/// 1-based line of a byte offset.
pub fn line_of(src: &str, offset: usize) -> usize {
    src.as_bytes()[..offset.min(src.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The line and a readable message for a TOML or schema error: unknown keys and values get a
/// "did you mean" and the list of known ones.
pub fn describe_toml_error(src: &str, e: &toml::de::Error) -> (usize, String) {
    let line = e.span().map_or(0, |s| line_of(src, s.start));
    let msg = e.message().trim().to_string();
    let rewritten = if let Some(rest) = msg.strip_prefix("unknown field `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known = backticked(expected);
        let mut s = format!("unknown key `{name}`");
        match did_you_mean(name, &known) {
            Some(sug) => s.push_str(&format!(" - did you mean `{sug}`? ")),
            None => s.push_str(" - "),
        }
        if known.is_empty() {
            s.push_str("this table takes no keys");
        } else {
            s.push_str(&format!("known keys: {}", known.join(", ")));
        }
        s
    } else if let Some(rest) = msg.strip_prefix("unknown variant `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known = backticked(expected);
        let mut s = format!("unknown value \"{name}\"");
        match did_you_mean(name, &known) {
            Some(sug) => s.push_str(&format!(" - did you mean \"{sug}\"? ")),
            None => s.push_str(" - "),
        }
        s.push_str(&format!(
            "expected one of: {}",
            known
                .iter()
                .map(|k| format!("\"{k}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        s
    } else if let Some(rest) = msg.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        format!("missing key `{name}`")
    } else {
        msg
    };
    (line, rewritten)
}

/// The `names` in "expected one of `a`, `b`".
fn backticked(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

/// The known name closest to `name` by edit distance, when it is close enough to be a typo.
pub fn did_you_mean<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (levenshtein(name, k), *k))
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_only_for_near_misses() {
        assert_eq!(
            did_you_mean("stregth", &["strength", "margins"]),
            Some("strength")
        );
        assert_eq!(did_you_mean("colour", &["strength", "margins"]), None);
    }
}
