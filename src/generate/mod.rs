//! `prefer generate`: asks OpenAI-compatible chat-completions servers for several candidates
//! per prompt (several models, sampling settings and samples), drops near-duplicates, and
//! appends one candidate-set item per prompt. A rerun resumes where the last one stopped.
//!
//! Threads, not async: a bounded pool of workers each doing blocking requests is all the
//! concurrency a rate-limited model server can use, and it keeps the code plain.

pub mod client;
pub mod output;
pub mod prompts;

use std::collections::HashSet;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;

use client::{Client, ClientError, Request};
use output::{Appender, Built, Sample};
use prompts::Prompt;

/// Arguments of `prefer generate`.
#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// Prompts: JSON Lines with `prompt` and/or `messages` (optional `id`), or plain text with
    /// one prompt per line.
    pub prompts: PathBuf,
    /// Base URL of an OpenAI-compatible server, e.g. http://localhost:8000/v1 (requests go to
    /// {URL}/chat/completions).
    #[arg(long, value_name = "URL")]
    pub endpoint: String,
    /// Model to sample from; repeat for several models.
    #[arg(long = "model", value_name = "NAME", required = true)]
    pub models: Vec<String>,
    /// The candidate-set file; appended to, and a rerun skips prompts already in it.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Sampling temperatures, comma-separated; each is a separate setting.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "1.0",
        value_name = "T,..."
    )]
    pub temperature: Vec<f64>,
    /// Nucleus sampling top_p values, comma-separated; each is a separate setting.
    #[arg(
        long = "top-p",
        value_delimiter = ',',
        default_value = "1.0",
        value_name = "P,..."
    )]
    pub top_p: Vec<f64>,
    /// Samples per setting (model x temperature x top_p).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub n: u32,
    /// Maximum tokens per sample; replies cut off by it are marked `truncated`.
    #[arg(long)]
    pub max_tokens: Option<u32>,
    /// Sampling seed (for servers that honour it); further requests of a setting use seed+1, ...
    #[arg(long)]
    pub seed: Option<u64>,
    /// Prompts in flight at once.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=256))]
    pub concurrency: u32,
    /// Seconds one request may take, start to end.
    #[arg(long, default_value_t = 120, value_name = "SECS")]
    pub timeout: u64,
    /// Retries of a request on 429, 5xx, timeouts and dropped connections.
    #[arg(long, default_value_t = 4)]
    pub retries: u32,
    /// Environment variable holding the API key (sent as a Bearer token; never pass the key
    /// itself on the command line, where other users and shell history can see it).
    #[arg(long, default_value = "OPENAI_API_KEY", value_name = "VAR")]
    pub api_key_env: String,
}

/// First wait before a retry (without Retry-After); doubled each time.
const BACKOFF: Duration = Duration::from_millis(500);

/// One sampling setting: a model with a temperature and top_p.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    pub model: String,
    pub temperature: f64,
    pub top_p: f64,
}

/// Every combination of models, temperatures and top_p values.
pub fn settings(args: &GenerateArgs) -> Vec<Setting> {
    let mut out = Vec::new();
    for model in &args.models {
        for &temperature in &args.temperature {
            for &top_p in &args.top_p {
                out.push(Setting {
                    model: model.clone(),
                    temperature,
                    top_p,
                });
            }
        }
    }
    out
}

fn check_args(args: &GenerateArgs) -> anyhow::Result<()> {
    if let Some(t) = args.temperature.iter().find(|t| !(0.0..=2.0).contains(*t)) {
        bail!("--temperature {t} is out of range - use values from 0 to 2");
    }
    if let Some(p) = args.top_p.iter().find(|p| !(**p > 0.0 && **p <= 1.0)) {
        bail!("--top-p {p} is out of range - use values above 0, up to 1");
    }
    if args.timeout == 0 {
        bail!("--timeout 0 would fail every request - give seconds, e.g. --timeout 120");
    }
    if !args.endpoint.starts_with("http://") && !args.endpoint.starts_with("https://") {
        bail!(
            "--endpoint {} is not an http(s) URL - give the server's base URL, e.g. http://localhost:8000/v1",
            args.endpoint
        );
    }
    Ok(())
}

/// Samples every setting for one prompt. Any failure fails the prompt (a rerun retries it
/// whole, so an item never lacks a setting silently).
fn sample_prompt(
    client: &Client,
    settings: &[Setting],
    args: &GenerateArgs,
    prompt: &Prompt,
    stop: &AtomicBool,
) -> Result<Vec<Sample>, ClientError> {
    let mut samples = Vec::new();
    for s in settings {
        let mut got = 0u32;
        let mut request_no = 0u64;
        // Servers that ignore `n` (some return one choice) are asked again for the rest.
        while got < args.n {
            let seed = args.seed.map(|s| s.wrapping_add(request_no));
            let req = Request {
                model: s.model.clone(),
                messages: prompt.messages.clone(),
                n: args.n - got,
                temperature: s.temperature,
                top_p: s.top_p,
                max_tokens: args.max_tokens,
                seed,
            };
            let choices = client.complete(&req, stop)?;
            if choices.is_empty() {
                return Err(ClientError::Malformed("an empty `choices` list".into()));
            }
            for c in choices.into_iter().take((args.n - got) as usize) {
                got += 1;
                samples.push(Sample {
                    text: c.text,
                    model: s.model.clone(),
                    temperature: s.temperature,
                    top_p: s.top_p,
                    seed,
                    finish_reason: c.finish_reason,
                });
            }
            request_no += 1;
        }
    }
    Ok(samples)
}

/// Counts of one run.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub total: usize,
    pub already_done: usize,
    pub duplicate_prompts: usize,
    pub written: usize,
    pub candidates: usize,
    pub failed: usize,
    pub too_few: usize,
    pub dropped_candidates: usize,
    pub abandoned: usize,
    pub interrupted: bool,
}

/// Serialises appends with the second-Ctrl-C exit, so quitting never cuts a line in half.
static WRITE_LOCK: Mutex<()> = Mutex::new(());
/// Set by the first Ctrl-C: no new prompts start; requests in flight finish.
static STOP: AtomicBool = AtomicBool::new(false);

fn install_ctrlc() {
    // A second install (a library caller running twice) fails harmlessly: the first handler
    // already sets the same flag.
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            let _guard = WRITE_LOCK.lock();
            eprintln!("\nprefer: stopped now; rerun the same command to resume");
            std::process::exit(130);
        }
        eprintln!(
            "\nprefer: stopping after the requests in flight (Ctrl-C again to quit now; no line is cut)"
        );
    });
}

/// `prefer generate`.
pub fn run(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    check_args(args)?;
    let api_key = std::env::var(&args.api_key_env)
        .ok()
        .filter(|k| !k.trim().is_empty());
    let all = prompts::read(&args.prompts)?;
    let resume = output::resume(&args.out)?;
    let mut tally = Tally {
        total: all.len(),
        ..Tally::default()
    };
    if resume.repaired > 0 {
        eprintln!(
            "{}: cut off a partial last line ({} bytes) left by an interrupted run",
            args.out.display(),
            resume.repaired
        );
    }
    let mut ids = HashSet::new();
    let mut todo = Vec::new();
    for p in all {
        if !ids.insert(p.id.clone()) {
            tally.duplicate_prompts += 1;
        } else if resume.done.contains(&p.id) {
            tally.already_done += 1;
        } else {
            todo.push(p);
        }
    }
    if tally.already_done > 0 {
        eprintln!(
            "resuming: {} of {} prompts already in {}",
            tally.already_done,
            tally.total,
            args.out.display()
        );
    }
    if tally.duplicate_prompts > 0 {
        eprintln!(
            "{}: {} prompts repeat an earlier prompt's id and are skipped",
            args.prompts.display(),
            tally.duplicate_prompts
        );
    }
    let client = Client::new(
        &args.endpoint,
        api_key,
        Duration::from_secs(args.timeout),
        args.retries,
        BACKOFF,
    );
    install_ctrlc();
    let started = Instant::now();
    let mut out = Appender::open(&args.out)?;
    let progress = std::io::stderr().is_terminal();
    run_pool(args, &client, todo, &STOP, &mut tally, &mut out, progress)?;
    let secs = started.elapsed().as_secs_f64();
    eprintln!("{}", summary_line(args, &tally, secs));
    Ok(if tally.interrupted {
        ExitCode::from(130)
    } else if tally.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn summary_line(args: &GenerateArgs, t: &Tally, secs: f64) -> String {
    let mut s = format!(
        "{}: wrote {} items ({} candidates) in {secs:.1}s; {} already done, {} failed, {} with fewer than 2 unique candidates (not written), {} duplicate or empty candidates dropped",
        args.out.display(),
        t.written,
        t.candidates,
        t.already_done,
        t.failed,
        t.too_few,
        t.dropped_candidates
    );
    if t.interrupted {
        s.push_str(&format!(
            "; interrupted with {} prompts not done - rerun the same command to resume",
            t.abandoned
        ));
    } else if t.failed > 0 || t.too_few > 0 {
        s.push_str("; rerun the same command to retry the prompts not written");
    }
    s
}

/// Runs the prompts on `args.concurrency` workers and appends items as they complete.
fn run_pool(
    args: &GenerateArgs,
    client: &Client,
    todo: Vec<Prompt>,
    stop: &AtomicBool,
    tally: &mut Tally,
    out: &mut Appender,
    progress: bool,
) -> anyhow::Result<()> {
    let n_todo = todo.len();
    let settings = settings(args);
    let (job_tx, job_rx) = mpsc::channel::<Prompt>();
    for p in todo {
        job_tx.send(p).expect("the receiver is alive");
    }
    drop(job_tx);
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (res_tx, res_rx) = mpsc::channel();
    let started = Instant::now();
    std::thread::scope(|scope| -> anyhow::Result<()> {
        for _ in 0..(args.concurrency as usize).min(n_todo) {
            let job_rx = Arc::clone(&job_rx);
            let res_tx = res_tx.clone();
            let settings = &settings;
            scope.spawn(move || {
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let job = job_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok(prompt)) = job else { return };
                    let r = sample_prompt(client, settings, args, &prompt, stop);
                    if res_tx.send((prompt, r)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(res_tx);
        let mut done = 0usize;
        loop {
            match res_rx.recv_timeout(Duration::from_millis(500)) {
                Ok((prompt, result)) => {
                    done += 1;
                    if progress {
                        eprint!("\r\x1b[2K");
                    }
                    handle_result(args, prompt, result, tally, out)?;
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if progress {
                eprint!("\r\x1b[2K{}", progress_line(done, n_todo, tally, started));
            }
        }
        if progress {
            eprintln!();
        }
        tally.interrupted = stop.load(Ordering::Relaxed);
        tally.abandoned += n_todo - done;
        Ok(())
    })
}

fn handle_result(
    args: &GenerateArgs,
    prompt: Prompt,
    result: Result<Vec<Sample>, ClientError>,
    tally: &mut Tally,
    out: &mut Appender,
) -> anyhow::Result<()> {
    let at = format!("{}:{}", args.prompts.display(), prompt.line);
    match result {
        Ok(samples) => match output::build(&prompt, samples) {
            Built::Item {
                value,
                candidates,
                dropped,
            } => {
                let _guard = WRITE_LOCK.lock();
                out.append(&value)
                    .context("the output can no longer be written; stopping")?;
                tally.written += 1;
                tally.candidates += candidates;
                tally.dropped_candidates += dropped;
            }
            Built::TooFew { unique, dropped } => {
                tally.too_few += 1;
                tally.dropped_candidates += dropped;
                eprintln!(
                    "{at}: prompt {} not written: {unique} unique candidate(s) after dropping {dropped} duplicate or empty - raise --n, add a --model or a --temperature",
                    prompt.id
                );
            }
        },
        // Not a failure of the prompt: the run was stopped, and a rerun does it.
        Err(ClientError::Stopped) => tally.abandoned += 1,
        Err(e) => {
            tally.failed += 1;
            eprintln!("{at}: prompt {} failed: {e}", prompt.id);
        }
    }
    Ok(())
}

fn progress_line(done: usize, total: usize, t: &Tally, started: Instant) -> String {
    let secs = started.elapsed().as_secs_f64();
    let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
    let eta = if rate > 0.0 {
        let left = (total - done) as f64 / rate;
        humantime::format_duration(Duration::from_secs(left.round() as u64)).to_string()
    } else {
        "?".into()
    };
    format!(
        "{done}/{total} prompts, {} written, {} failed, {rate:.2}/s, ETA {eta}",
        t.written, t.failed
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrap {
        #[command(flatten)]
        args: GenerateArgs,
    }

    fn parse(extra: &[&str]) -> GenerateArgs {
        let mut v = vec![
            "x",
            "p.txt",
            "--endpoint",
            "http://h/v1",
            "--out",
            "o.jsonl",
        ];
        v.extend_from_slice(extra);
        Wrap::parse_from(v).args
    }

    #[test]
    fn settings_grid() {
        let a = parse(&[
            "--model",
            "a",
            "--model",
            "b",
            "--temperature",
            "0.7,1.0",
            "--top-p",
            "0.9",
        ]);
        let s = settings(&a);
        assert_eq!(s.len(), 4);
        assert_eq!(s[1].model, "a");
        assert_eq!(s[1].temperature, 1.0);
        assert_eq!(s[3].top_p, 0.9);
    }

    #[test]
    fn bad_settings_are_refused() {
        let a = parse(&["--model", "a", "--temperature", "3"]);
        assert!(
            check_args(&a)
                .unwrap_err()
                .to_string()
                .contains("--temperature 3")
        );
        let a = parse(&["--model", "a", "--top-p", "0"]);
        assert!(check_args(&a).is_err());
        let mut a = parse(&["--model", "a"]);
        a.endpoint = "localhost:8000".into();
        assert!(
            check_args(&a)
                .unwrap_err()
                .to_string()
                .contains("http(s) URL")
        );
    }
}
