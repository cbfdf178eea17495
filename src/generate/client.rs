//! The OpenAI-compatible chat-completions client: one blocking request with a timeout, retried
//! with exponential backoff on 429, 5xx and network failures, honouring `Retry-After`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde_json::{Value, json};

use crate::format::Message;

/// One sampling request.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub model: String,
    pub messages: Vec<Message>,
    pub n: u32,
    pub temperature: f64,
    pub top_p: f64,
    pub max_tokens: Option<u32>,
    pub seed: Option<u64>,
}

/// One returned sample.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub text: String,
    pub finish_reason: Option<String>,
}

/// Why a request failed for good.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("HTTP {status} from the server: {body} - check --endpoint, --model and the API key")]
    Status { status: u16, body: String },
    #[error(
        "HTTP {status} after {attempts} attempts: {body} - the server is overloaded or failing; rerun later (done prompts are kept) or lower --concurrency"
    )]
    Exhausted {
        status: u16,
        attempts: u32,
        body: String,
    },
    #[error(
        "{what} after {attempts} attempts - check that the server at --endpoint is up, or raise --timeout"
    )]
    Transport { what: String, attempts: u32 },
    #[error("the server's answer is not a chat completion: {0}")]
    Malformed(String),
    #[error("stopped (Ctrl-C)")]
    Stopped,
}

/// Connection settings shared by every request.
#[derive(Debug, Clone)]
pub struct Client {
    agent: ureq::Agent,
    url: String,
    api_key: Option<String>,
    retries: u32,
    timeout: Duration,
    /// First backoff; doubled on each retry, capped at [`MAX_BACKOFF`].
    backoff: Duration,
}

const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// A server asking for longer than this is treated as asking for this; the user can rerun.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

impl Client {
    /// `endpoint` is the base URL (".../v1"); requests go to `{endpoint}/chat/completions`.
    pub fn new(
        endpoint: &str,
        api_key: Option<String>,
        timeout: Duration,
        retries: u32,
        backoff: Duration,
    ) -> Client {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            // Statuses are handled here (retry or report with the body), not as errors.
            .http_status_as_error(false)
            .build();
        Client {
            agent: config.into(),
            url: format!("{}/chat/completions", endpoint.trim_end_matches('/')),
            api_key,
            retries,
            timeout,
            backoff,
        }
    }

    /// Sends `req`, retrying what is worth retrying. `stop` ends the wait between attempts.
    pub fn complete(&self, req: &Request, stop: &AtomicBool) -> Result<Vec<Choice>, ClientError> {
        let mut body = json!({
            "model": req.model,
            "messages": req.messages,
            "n": req.n,
            "temperature": req.temperature,
            "top_p": req.top_p,
        });
        if let Some(m) = req.max_tokens {
            body["max_tokens"] = json!(m);
        }
        if let Some(s) = req.seed {
            body["seed"] = json!(s);
        }
        let body = body.to_string();
        let mut attempt = 0u32;
        loop {
            if stop.load(Ordering::Relaxed) {
                return Err(ClientError::Stopped);
            }
            attempt += 1;
            let wait = match self.send_once(&body) {
                Ok((200..=299, _, text)) => return parse(&text),
                Ok((status, retry_after, text)) if status == 429 || status >= 500 => {
                    if attempt > self.retries {
                        return Err(ClientError::Exhausted {
                            status,
                            attempts: attempt,
                            body: snippet(&text),
                        });
                    }
                    retry_after
                        .map(|d| d.min(MAX_RETRY_AFTER))
                        .unwrap_or_else(|| self.backoff_for(attempt))
                }
                Ok((status, _, text)) => {
                    return Err(ClientError::Status {
                        status,
                        body: snippet(&text),
                    });
                }
                Err(e) => {
                    let retryable = matches!(
                        e,
                        ureq::Error::Timeout(_)
                            | ureq::Error::Io(_)
                            | ureq::Error::ConnectionFailed
                    );
                    if !retryable || attempt > self.retries {
                        let what = match e {
                            ureq::Error::Timeout(_) => {
                                format!("no complete answer within {:?} (--timeout)", self.timeout)
                            }
                            e => e.to_string(),
                        };
                        return Err(ClientError::Transport {
                            what,
                            attempts: attempt,
                        });
                    }
                    self.backoff_for(attempt)
                }
            };
            sleep_unless_stopped(wait, stop);
        }
    }

    fn backoff_for(&self, attempt: u32) -> Duration {
        let exp = self
            .backoff
            .saturating_mul(1u32 << (attempt - 1).min(16))
            .min(MAX_BACKOFF);
        // Up to 25% jitter so workers that failed together do not retry together.
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        exp + exp.mul_f64(f64::from(seed % 1000) / 4000.0)
    }

    /// One attempt: (status, Retry-After, body).
    fn send_once(&self, body: &str) -> Result<(u16, Option<Duration>, String), ureq::Error> {
        let mut req = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json");
        if let Some(k) = &self.api_key {
            req = req.header("Authorization", format!("Bearer {k}"));
        }
        let mut resp = req.send(body)?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(Duration::from_secs_f64);
        let text = resp.body_mut().read_to_string()?;
        Ok((status, retry_after, text))
    }
}

/// Sleeps in short slices so Ctrl-C is not kept waiting behind a long Retry-After.
fn sleep_unless_stopped(d: Duration, stop: &AtomicBool) {
    let end = std::time::Instant::now() + d;
    while !stop.load(Ordering::Relaxed) {
        let now = std::time::Instant::now();
        if now >= end {
            return;
        }
        std::thread::sleep((end - now).min(Duration::from_millis(100)));
    }
}

fn snippet(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 200 {
        format!("{}…", s.chars().take(200).collect::<String>())
    } else {
        s.to_string()
    }
}

/// Reads `choices[].message.content` and `finish_reason` from a response body.
pub fn parse(body: &str) -> Result<Vec<Choice>, ClientError> {
    let v: Value = serde_json::from_str(body)
        .map_err(|e| ClientError::Malformed(format!("{e} (body: {})", snippet(body))))?;
    let choices = v.get("choices").and_then(Value::as_array).ok_or_else(|| {
        ClientError::Malformed(format!("no `choices` list (body: {})", snippet(body)))
    })?;
    choices
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let content = c.pointer("/message/content");
            let text = match content {
                Some(Value::String(s)) => s.clone(),
                // Some servers answer with null content (e.g. a tool call or a refusal field).
                Some(Value::Null) | None if c.get("message").is_some() => String::new(),
                _ => {
                    return Err(ClientError::Malformed(format!(
                        "choices[{i}] has no message.content"
                    )));
                }
            };
            Ok(Choice {
                text,
                finish_reason: c
                    .get("finish_reason")
                    .and_then(Value::as_str)
                    .map(String::from),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_choices() {
        let c = parse(r#"{"choices": [{"message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"},
                                      {"message": {"content": "cut"}, "finish_reason": "length"}]}"#)
            .unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].finish_reason.as_deref(), Some("length"));
    }

    #[test]
    fn malformed_bodies() {
        assert!(matches!(parse("{oops"), Err(ClientError::Malformed(_))));
        assert!(matches!(parse("{}"), Err(ClientError::Malformed(_))));
        assert!(matches!(
            parse(r#"{"choices": [{"text": "legacy"}]}"#),
            Err(ClientError::Malformed(_))
        ));
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let c = Client::new(
            "http://x",
            None,
            Duration::from_secs(1),
            3,
            Duration::from_secs(1),
        );
        let b1 = c.backoff_for(1);
        let b3 = c.backoff_for(3);
        assert!(b1 >= Duration::from_secs(1) && b1 < Duration::from_millis(1300));
        assert!(b3 >= Duration::from_secs(4) && b3 < Duration::from_millis(5100));
        assert!(c.backoff_for(30) <= MAX_BACKOFF.mul_f64(1.25));
    }
}
