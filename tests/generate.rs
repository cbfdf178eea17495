//! `prefer generate` against a real HTTP server started by the test on 127.0.0.1, which
//! answers like the chat-completions API and, when a prompt asks for it, with 429 +
//! Retry-After, 500, a slow answer, malformed JSON, identical samples, or one choice only.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[derive(Debug, Clone)]
struct Seen {
    auth: Option<String>,
    body: Value,
}

#[derive(Default)]
struct State {
    per_prompt: HashMap<String, u32>,
    seen: Vec<Seen>,
}

struct Server {
    url: String,
    state: Arc<Mutex<State>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/v1", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let st = Arc::clone(&state);
        // Lives until the test process ends; each connection gets its own thread so slow
        // answers do not hold up the others.
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let st = Arc::clone(&st);
                std::thread::spawn(move || handle(stream, &st));
            }
        });
        Server { url, state }
    }

    fn requests(&self) -> Vec<Seen> {
        self.state.lock().unwrap().seen.clone()
    }

    fn requests_for(&self, marker: &str) -> usize {
        self.requests()
            .iter()
            .filter(|s| last_user(&s.body).contains(marker))
            .count()
    }
}

fn last_user(body: &Value) -> String {
    body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["content"].as_str())
        .unwrap_or_default()
        .to_string()
}

fn handle(mut stream: TcpStream, state: &Mutex<State>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut headers = HashMap::new();
    let mut line = String::new();
    if reader.read_line(&mut line).unwrap_or(0) == 0 {
        return;
    }
    assert!(
        line.starts_with("POST /v1/chat/completions "),
        "request line: {line}"
    );
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    let body: Value = serde_json::from_slice(&body).unwrap();
    let prompt = last_user(&body);
    let count = {
        let mut st = state.lock().unwrap();
        st.seen.push(Seen {
            auth: headers.get("authorization").cloned(),
            body: body.clone(),
        });
        let c = st.per_prompt.entry(prompt.clone()).or_default();
        *c += 1;
        *c
    };
    let n = body["n"].as_u64().unwrap_or(1);
    let text = |i: u64| {
        format!(
            "{} t={} p={} seed={} answer {i} (request {count}) to: {prompt}",
            body["model"].as_str().unwrap_or("?"),
            body["temperature"],
            body["top_p"],
            body["seed"]
        )
    };
    let choices = |n: u64, same: bool| {
        let list: Vec<Value> = (0..n)
            .map(|i| {
                let finish = if prompt.contains("[length]") && i == 0 {
                    "length"
                } else {
                    "stop"
                };
                json!({"index": i, "message": {"role": "assistant",
                    "content": if same { format!("The same answer to: {prompt}") } else { text(i) }},
                    "finish_reason": finish})
            })
            .collect();
        json!({"id": "x", "object": "chat.completion", "choices": list}).to_string()
    };
    let (status, extra, out) = if prompt.contains("[429-once]") && count == 1 {
        (
            429,
            "Retry-After: 1\r\n",
            "{\"error\": \"slow down\"}".to_string(),
        )
    } else if prompt.contains("[500-once]") && count == 1 || prompt.contains("[500-always]") {
        (500, "", "{\"error\": \"boom\"}".to_string())
    } else if prompt.contains("[malformed]") {
        (200, "", "{\"choices\": [oops".to_string())
    } else {
        if prompt.contains("[slow]") {
            std::thread::sleep(Duration::from_secs(3));
        }
        if prompt.contains("[delay]") {
            std::thread::sleep(Duration::from_millis(400));
        }
        let n = if prompt.contains("[one-choice]") {
            1
        } else {
            n
        };
        (200, "", choices(n, prompt.contains("[same]")))
    };
    let reason = match status {
        200 => "OK",
        429 => "Too Many Requests",
        _ => "Internal Server Error",
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n{out}",
        out.len()
    );
}

fn prefer_cmd(args: &[&str], key: Option<&str>) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_prefer"));
    c.args(args).env_remove("OPENAI_API_KEY");
    if let Some(k) = key {
        c.env("PREFER_TEST_KEY", k);
    } else {
        c.env_remove("PREFER_TEST_KEY");
    }
    c
}

fn generate(server: &Server, prompts: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "generate",
        prompts.to_str().unwrap(),
        "--endpoint",
        &server.url,
        "--out",
        out.to_str().unwrap(),
        "--api-key-env",
        "PREFER_TEST_KEY",
    ];
    args.extend_from_slice(extra);
    prefer_cmd(&args, Some("sk-test-123")).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn write_prompts(dir: &Path, name: &str, lines: &[Value]) -> PathBuf {
    let p = dir.join(name);
    let s: String = lines.iter().map(|v| format!("{v}\n")).collect();
    std::fs::write(&p, s).unwrap();
    p
}

fn items(out: &Path) -> Vec<Value> {
    // Every file generate writes must pass the real loader.
    prefer::format::load(out).unwrap_or_else(|e| panic!("output must validate: {e}"));
    std::fs::read_to_string(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn models_settings_and_samples_become_candidates() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let prompts = write_prompts(
        dir.path(),
        "p.jsonl",
        &[
            json!({"id": "q1", "prompt": "What is 2+2?", "metadata": {"topic": "math"}}),
            json!({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Name a colour"}]}),
            json!({"prompt": "Say hi [length]"}),
        ],
    );
    let out = dir.path().join("out.jsonl");
    let o = generate(
        &server,
        &prompts,
        &out,
        &[
            "--model",
            "m-a",
            "--model",
            "m-b",
            "--temperature",
            "0.7,1.0",
            "--n",
            "2",
            "--max-tokens",
            "64",
            "--seed",
            "42",
        ],
    );
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("wrote 3 items (24 candidates)"),
        "summary line when stderr is not a terminal: {err}"
    );
    let items = items(&out);
    assert_eq!(items.len(), 3);
    let q1 = items.iter().find(|i| i["id"] == "q1").unwrap();
    assert_eq!(q1["metadata"]["topic"], "math");
    let c = &q1["candidates"][0]["metadata"];
    assert_eq!(c["model"], "m-a");
    assert_eq!(c["temperature"], 0.7);
    assert_eq!(c["top_p"], 1.0);
    assert_eq!(c["seed"], 42);
    assert_eq!(c["finish_reason"], "stop");
    let colour = items
        .iter()
        .find(|i| i["prompt"] == "Name a colour")
        .unwrap();
    assert!(colour["id"].as_str().unwrap().starts_with("p-"));
    assert_eq!(colour["messages"].as_array().unwrap().len(), 2);
    let hi = items
        .iter()
        .find(|i| i["prompt"] == "Say hi [length]")
        .unwrap();
    assert_eq!(hi["candidates"][0]["metadata"]["truncated"], true);
    assert!(hi["candidates"][1]["metadata"].get("truncated").is_none());

    let seen = server.requests();
    assert_eq!(seen.len(), 3 * 4, "one request per prompt and setting");
    assert!(
        seen.iter()
            .all(|s| s.auth.as_deref() == Some("Bearer sk-test-123"))
    );
    assert!(
        seen.iter()
            .all(|s| s.body["max_tokens"] == 64 && s.body["n"] == 2)
    );
    assert!(!std::fs::read_to_string(&out).unwrap().contains("sk-test"));

    // A rerun of the same command finds everything done and asks the server nothing.
    let before = std::fs::read(&out).unwrap();
    let o = generate(
        &server,
        &prompts,
        &out,
        &[
            "--model",
            "m-a",
            "--model",
            "m-b",
            "--temperature",
            "0.7,1.0",
        ],
    );
    assert!(o.status.success());
    assert!(
        text(&o.stderr).contains("resuming: 3 of 3 prompts already in"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(std::fs::read(&out).unwrap(), before);
    assert_eq!(server.requests().len(), 12);
}

#[test]
fn server_faults_fail_only_their_prompt() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let prompts = dir.path().join("p.txt");
    std::fs::write(
        &prompts,
        "plain [ok]\nrate limited [429-once]\nflaky [500-once]\nbroken [500-always]\ngarbage [malformed]\nrepeats [same]\nslow [slow]\n",
    )
    .unwrap();
    let out = dir.path().join("out.jsonl");
    let started = Instant::now();
    let o = generate(
        &server,
        &prompts,
        &out,
        &["--model", "m", "--timeout", "1", "--retries", "1"],
    );
    let err = text(&o.stderr);
    // Shown with --nocapture: what a user sees.
    println!("{err}");
    assert_eq!(
        o.status.code(),
        Some(1),
        "failed prompts fail the run: {err}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    let items = items(&out);
    let prompts_written: Vec<&str> = items
        .iter()
        .map(|i| i["prompt"].as_str().unwrap())
        .collect();
    assert_eq!(items.len(), 3, "{prompts_written:?}\n{err}");
    for p in ["plain [ok]", "rate limited [429-once]", "flaky [500-once]"] {
        assert!(prompts_written.contains(&p), "{p} written: {err}");
    }
    assert_eq!(
        server.requests_for("[429-once]"),
        2,
        "retried after Retry-After"
    );
    assert_eq!(
        server.requests_for("[500-always]"),
        2,
        "1 retry, then give up"
    );
    assert_eq!(
        server.requests_for("[malformed]"),
        1,
        "a malformed answer is not retried"
    );
    let p = prompts.display();
    assert!(
        err.contains(&format!("{p}:4: prompt ")) && err.contains("HTTP 500 after 2 attempts"),
        "{err}"
    );
    assert!(
        err.contains(&format!("{p}:5: prompt ")) && err.contains("not a chat completion"),
        "{err}"
    );
    assert!(
        err.contains(&format!("{p}:6: prompt ")) && err.contains("1 unique candidate(s)"),
        "{err}"
    );
    assert!(
        err.contains(&format!("{p}:7: prompt ")) && err.contains("no complete answer within 1s"),
        "{err}"
    );
    assert!(
        err.contains("3 failed, 1 with fewer than 2 unique"),
        "{err}"
    );
}

#[test]
fn servers_that_ignore_n_are_asked_again() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let prompts = dir.path().join("p.txt");
    std::fs::write(&prompts, "one at a time [one-choice]\n").unwrap();
    let out = dir.path().join("out.jsonl");
    let o = generate(
        &server,
        &prompts,
        &out,
        &["--model", "m", "--n", "3", "--seed", "7"],
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let items = items(&out);
    let seeds: Vec<&Value> = items[0]["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["metadata"]["seed"])
        .collect();
    assert_eq!(seeds, [&json!(7), &json!(8), &json!(9)]);
    let asked: Vec<u64> = server
        .requests()
        .iter()
        .map(|s| s.body["n"].as_u64().unwrap())
        .collect();
    assert_eq!(asked, [3, 2, 1]);
}

#[test]
fn a_torn_last_line_is_repaired_and_the_rest_resumed() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let prompts = write_prompts(
        dir.path(),
        "p.jsonl",
        &[
            json!({"id": "a", "prompt": "first"}),
            json!({"id": "b", "prompt": "second"}),
        ],
    );
    let out = dir.path().join("out.jsonl");
    let o = generate(&server, &prompts, &out, &["--model", "m"]);
    assert!(o.status.success());
    let whole = std::fs::read_to_string(&out).unwrap();
    let first_line = whole.lines().find(|l| l.contains("\"id\":\"a\"")).unwrap();
    // As if a run was killed while writing b's line.
    std::fs::write(
        &out,
        format!("{first_line}\n{{\"id\":\"b\",\"prompt\":\"sec"),
    )
    .unwrap();
    let o = generate(&server, &prompts, &out, &["--model", "m"]);
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("cut off a partial last line"), "{err}");
    assert!(err.contains("resuming: 1 of 2"), "{err}");
    let ids: Vec<String> = items(&out)
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["a", "b"]);
}

#[test]
fn ctrl_c_stops_cleanly_and_a_rerun_finishes() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let prompts = dir.path().join("p.txt");
    let lines: String = (0..30).map(|i| format!("prompt {i} [delay]\n")).collect();
    std::fs::write(&prompts, lines).unwrap();
    let out = dir.path().join("out.jsonl");
    let args = [
        "generate",
        prompts.to_str().unwrap(),
        "--endpoint",
        &server.url,
        "--model",
        "m",
        "--out",
        out.to_str().unwrap(),
        "--concurrency",
        "2",
    ];
    let mut child = prefer_cmd(&args, None)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::fs::read_to_string(&out).map_or(true, |s| s.lines().count() < 2) {
        assert!(Instant::now() < deadline, "no item written in time");
        std::thread::sleep(Duration::from_millis(50));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "did not stop after Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(err.contains("rerun the same command to resume"), "{err}");
    let written = items(&out).len();
    assert!(written < 30, "stopped early: {written}");
    assert!(std::fs::read_to_string(&out).unwrap().ends_with('\n'));

    let o = prefer_cmd(&args, None).output().unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(items(&out).len(), 30);
    assert!(
        server.requests().iter().all(|s| s.auth.is_none()),
        "no key in the environment, no Authorization header"
    );
}

#[test]
fn unreachable_server_and_bad_prompts_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let prompts = dir.path().join("p.txt");
    std::fs::write(&prompts, "hello\n").unwrap();
    let out = dir.path().join("out.jsonl");
    // Bind and drop: a port on which nothing listens.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/v1");
    let o = prefer_cmd(
        &[
            "generate",
            prompts.to_str().unwrap(),
            "--endpoint",
            &url,
            "--model",
            "m",
            "--out",
            out.to_str().unwrap(),
            "--retries",
            "0",
        ],
        None,
    )
    .output()
    .unwrap();
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains(":1: prompt p-"), "{err}");
    assert!(
        err.contains("check that the server at --endpoint is up"),
        "{err}"
    );

    let bad = dir.path().join("bad.jsonl");
    std::fs::write(
        &bad,
        "{\"prompt\": \"ok\"}\n{\"messages\": [{\"role\": \"user\"}]}\n",
    )
    .unwrap();
    let o = prefer_cmd(
        &[
            "generate",
            bad.to_str().unwrap(),
            "--endpoint",
            &url,
            "--model",
            "m",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    )
    .output()
    .unwrap();
    let err = text(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains(&format!(
            "{}:2: must have text `role` and `content` (messages[0])",
            bad.display()
        )),
        "{err}"
    );
}
