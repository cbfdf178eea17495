//! UltraFeedback (openbmb/UltraFeedback): an `instruction` with `completions[]`, each from a
//! model with GPT-4 ratings per aspect. The ratings are kept in candidate metadata as numbers
//! (the source writes them as strings, "N/A" when absent).

use serde_json::{Map, Value, json};

use super::{Converter, Draft, DraftCandidate, Fault, require_object, required_str, rest_of};

pub struct UltraFeedback;

impl Converter for UltraFeedback {
    fn record(&mut self, value: Value, line: usize) -> Result<Vec<Draft>, Fault> {
        require_object(&value, "UltraFeedback")?;
        let instruction = required_str(&value, "instruction")?.to_string();
        let list = match value.get("completions") {
            Some(Value::Array(l)) => l,
            Some(other) => {
                return Err(Fault::field(
                    "completions",
                    format!("must be a list, found {}", super::type_name(other)),
                    "UltraFeedback records list the completions as [{model, response, ...}]",
                ));
            }
            None => {
                return Err(Fault::field(
                    "completions",
                    "is missing",
                    "UltraFeedback records list the completions as [{model, response, ...}]",
                ));
            }
        };
        let mut candidates = Vec::with_capacity(list.len());
        for (i, c) in list.iter().enumerate() {
            let field = format!("completions[{i}]");
            if !c.is_object() {
                return Err(Fault::field(
                    field,
                    format!("must be an object, found {}", super::type_name(c)),
                    "each completion is {model, response, annotations, ...}",
                ));
            }
            let text = super::text_of(c.get("response"), &format!("{field}.response"))?;
            let mut metadata = Map::new();
            if let Some(m) = c.get("model") {
                metadata.insert("model".into(), m.clone());
            }
            for key in ["overall_score", "fine-grained_score", "principle"] {
                if let Some(v) = c.get(key).filter(|v| !v.is_null()) {
                    metadata.insert(key.replace('-', "_"), v.clone());
                }
            }
            if let Some(Value::Object(ann)) = c.get("annotations") {
                let ratings: Map<String, Value> = ann
                    .iter()
                    .map(|(aspect, a)| (aspect.clone(), rating(a)))
                    .collect();
                metadata.insert("ratings".into(), Value::Object(ratings));
            }
            candidates.push(DraftCandidate {
                text,
                messages: None,
                metadata,
            });
        }
        let mut metadata = rest_of(
            &value,
            &[
                "instruction",
                "completions",
                "models",
                "correct_answers",
                "incorrect_answers",
            ],
        );
        metadata.insert("source_line".into(), json!(line));
        Ok(vec![Draft {
            id: None,
            messages: vec![super::user(instruction)],
            candidates,
            metadata,
            line,
        }])
    }
}

/// An aspect's rating as a number: `{"Rating": "4", ...}` gives 4, "N/A" or anything else null.
/// (In the dataset an annotation is an object; some derived copies keep only the rating.)
fn rating(a: &Value) -> Value {
    let r = a.get("Rating").or_else(|| a.get("rating")).unwrap_or(a);
    match r {
        Value::Number(_) => r.clone(),
        Value::String(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(|n| serde_json::Number::from_f64(n).map(|n| json!(n)))
            .map(|v| {
                // Whole ratings stay integers so files read "4", not "4.0".
                match v.as_f64() {
                    Some(f) if f.fract() == 0.0 => json!(f as i64),
                    _ => v,
                }
            })
            .unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_with_ratings() {
        let v = json!({"source": "evol", "instruction": "Say hi",
            "completions": [
                {"model": "m1", "response": "hi", "overall_score": 7.5,
                 "annotations": {"helpfulness": {"Rating": "4", "Rationale": "ok"}, "honesty": {"Rating": "N/A"}}},
                {"model": "m2", "response": "hello", "fine-grained_score": 4.25}]});
        let d = UltraFeedback.record(v, 3).unwrap();
        let c = &d[0].candidates;
        assert_eq!(c[0].metadata["ratings"]["helpfulness"], 4);
        assert!(c[0].metadata["ratings"]["honesty"].is_null());
        assert_eq!(c[1].metadata["fine_grained_score"], 4.25);
        assert_eq!(d[0].metadata["source"], "evol");
    }

    #[test]
    fn missing_response_names_the_completion() {
        let v = json!({"instruction": "x", "completions": [{"model": "m"}]});
        let f = UltraFeedback.record(v, 1).unwrap_err();
        assert_eq!(f.field.as_deref(), Some("completions[0].response"));
    }
}
