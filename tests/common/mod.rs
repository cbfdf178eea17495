//! Test harness: the real `prefer` binary in a pseudo-terminal, its screen read with vt100.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub const BIN: &str = env!("CARGO_BIN_EXE_prefer");

/// A settings file that turns the typeahead guard off (and sets nothing else).
pub fn no_guard_settings() -> std::path::PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("prefer-tests-no-guard.toml");
    if !path.exists() {
        // Written whole under another name, then renamed: tests run in parallel.
        let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
        std::fs::write(&tmp, "typeahead_guard_ms = 0\n").expect("write the test settings");
        std::fs::rename(&tmp, &path).expect("place the test settings");
    }
    path
}

pub struct Session {
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
    writer: Box<dyn Write + Send>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    /// Complete frames drawn so far (see [`frames`] for how a frame's end is seen).
    drawn: Arc<AtomicUsize>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Session {
    /// Starts `prefer ARGS` in `cwd` in a terminal of `cols` x `rows`.
    pub fn spawn(args: &[&str], cwd: &Path, env: &[(&str, &str)], cols: u16, rows: u16) -> Session {
        Self::spawn_program(BIN, args, cwd, env, cols, rows)
    }

    /// Starts any program (for example `bash -c "ulimit ...; exec prefer ..."`) the same way.
    pub fn spawn_program(
        program: &str,
        args: &[&str],
        cwd: &Path,
        env: &[(&str, &str)],
        cols: u16,
        rows: u16,
    ) -> Session {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(program);
        cmd.args(args);
        cmd.cwd(cwd);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("PREFER_ANNOTATOR");
        cmd.env_remove("PREFER_TEST_PANIC");
        // No settings file of the person running the tests may change what prefer does.
        cmd.env_remove("XDG_CONFIG_HOME");
        // Tests send keys as soon as the screen shows what they wait for, faster than any
        // labeler: the typeahead guard would ignore them. A test of the guard names its own
        // settings file in `env`.
        cmd.env("PREFER_CONFIG", no_guard_settings());
        cmd.env("HOME", cwd);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pair.slave.spawn_command(cmd).expect("spawn prefer");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("pty reader");
        let writer = pair.master.take_writer().expect("pty writer");
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let drawn = Arc::new(AtomicUsize::new(0));
        let (p, r, d) = (Arc::clone(&parser), Arc::clone(&raw), Arc::clone(&drawn));
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            // The last bytes of the previous reads (fewer than a mark, so no mark is counted
            // twice) and the new ones: a frame's end mark may be split across two reads.
            let mut carry: Vec<u8> = Vec::new();
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        r.lock().unwrap().extend_from_slice(&buf[..n]);
                        carry.extend_from_slice(&buf[..n]);
                        let ends = carry
                            .windows(FRAME_END.len())
                            .filter(|w| *w == FRAME_END)
                            .count();
                        let keep = carry.len().min(FRAME_END.len() - 1);
                        carry.drain(..carry.len() - keep);
                        let mut parser = p.lock().unwrap();
                        // vt100 panics on some output meant for an earlier, larger size (a
                        // wide character on a 1-column screen) that arrives just after a
                        // resize. A real terminal copes; the program redraws everything after a
                        // resize anyway, so start from a blank screen of the current size.
                        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            parser.process(&buf[..n])
                        }));
                        if done.is_err() {
                            let (rows, cols) = parser.screen().size();
                            *parser = vt100::Parser::new(rows, cols, 0);
                        }
                        // Counted while the screen is locked: whoever sees the count also
                        // sees the screen those frames drew.
                        d.fetch_add(ends, Ordering::SeqCst);
                    }
                }
            }
        });
        Session {
            child,
            master: pair.master,
            writer,
            parser,
            raw,
            drawn,
            reader: Some(reader),
        }
    }

    /// Whether the process is still running.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Looks at the current screen (cells, attributes) without copying it.
    pub fn with_screen<R>(&self, f: impl FnOnce(&vt100::Screen) -> R) -> R {
        f(self.parser.lock().unwrap().screen())
    }

    pub fn alternate_screen(&self) -> bool {
        self.parser.lock().unwrap().screen().alternate_screen()
    }

    /// Every byte the program wrote so far.
    pub fn output(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    /// Waits until the screen satisfies `pred`; panics with the screen after `secs`.
    pub fn wait_for(&self, what: &str, secs: u64, pred: impl Fn(&str) -> bool) -> String {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            if Instant::now() > end {
                panic!("timed out waiting for {what}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Complete frames the program has drawn so far.
    pub fn frames_drawn(&self) -> usize {
        self.drawn.load(Ordering::SeqCst)
    }

    /// Waits until two more complete frames are drawn and the screen satisfies `pred`, and
    /// returns the screen. The program reads input between frames and draws at least once a
    /// second (its clock), so the second of those frames was drawn after everything sent
    /// before this call was handled (and after a resize: ratatui takes the size at each draw).
    pub fn wait_drawn(&self, what: &str, secs: u64, pred: impl Fn(&str) -> bool) -> String {
        let mark = self.frames_drawn();
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            let (frames, s) = self.with_screen(|sc| (self.frames_drawn(), sc.contents()));
            if frames >= mark + 2 && pred(&s) {
                return s;
            }
            if Instant::now() > end {
                panic!(
                    "timed out waiting for {what} ({} frames drawn since); screen:\n{s}",
                    frames - mark
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn wait_text(&self, text: &str, secs: u64) -> String {
        self.wait_for(text, secs, |s| s.contains(text))
    }

    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Resizes like a terminal window: the screen first, then the program is told (SIGWINCH),
    /// so everything it draws for the new size lands on a screen of that size.
    pub fn resize(&self, cols: u16, rows: u16) {
        self.parser
            .lock()
            .unwrap()
            .screen_mut()
            .set_size(rows, cols);
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
    }

    pub fn pid(&self) -> u32 {
        self.child.process_id().expect("pid")
    }

    /// SIGKILL: no chance to clean up, like a crash or a power cut of the process.
    pub fn kill9(&mut self) {
        unsafe {
            libc::kill(self.pid() as i32, libc::SIGKILL);
        }
        self.wait_exit(10);
    }

    /// Waits for the process to end; returns its exit code.
    pub fn wait_exit(&mut self, secs: u64) -> Option<u32> {
        let end = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                // Let the reader collect the last bytes.
                if let Some(r) = self.reader.take() {
                    let _ = r.join();
                }
                return Some(st.exit_code());
            }
            if Instant::now() > end {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            unsafe {
                libc::kill(self.pid() as i32, libc::SIGKILL);
            }
            let _ = self.child.wait();
        }
    }
}

/// A candidate file of `n` items with two candidates each.
pub fn pair_file(dir: &Path, n: usize) -> std::path::PathBuf {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "{{\"id\":\"item-{i}\",\"prompt\":\"Question number {i}?\",\"candidates\":[{{\"id\":\"c0\",\"text\":\"First answer to {i}.\"}},{{\"id\":\"c1\",\"text\":\"Second answer to {i}.\"}}]}}\n"
        ));
    }
    let p = dir.join("set.jsonl");
    std::fs::write(&p, s).unwrap();
    p
}

/// Runs `prefer ARGS` in `dir`, which must succeed; returns what it printed on stdout and
/// on stderr.
pub fn ok_in(dir: &Path, args: &[&str]) -> (String, String) {
    let out = std::process::Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "prefer {args:?}: {err}");
    (String::from_utf8(out.stdout).unwrap(), err)
}

/// Runs `prefer ARGS` in `dir`, which must succeed, and parses what it printed as JSON (a
/// `--json` report).
pub fn json_of(dir: &Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&ok_in(dir, args).0).unwrap()
}

/// Events in a log file, parsed.
pub fn log_events(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// What ratatui writes at the end of every frame: hide the cursor.
pub const FRAME_END: &[u8] = b"\x1b[?25l";

/// The complete frames in what the program wrote, replayed on a terminal of `cols` x `rows`:
/// the screen after each frame. ratatui ends every frame by hiding the cursor (`ESC[?25l`), so
/// the bytes up to each such mark are whole frames; a frame cut off by a kill is not returned.
pub fn frames(raw: &[u8], cols: u16, rows: u16) -> Vec<vt100::Screen> {
    const END: &[u8] = FRAME_END;
    let mut parser = vt100::Parser::new(rows, cols, 0);
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i + END.len() <= raw.len() {
        if &raw[i..i + END.len()] == END {
            parser.process(&raw[start..i + END.len()]);
            out.push(parser.screen().clone());
            i += END.len();
            start = i;
        } else {
            i += 1;
        }
    }
    out
}

/// The seed a randomised test uses unless asked for another: every run, and CI, tries the
/// same cases.
pub const DEFAULT_SEED: u64 = 0x5EED_2026;

/// The seed of a randomised test: `$var`, else `PREFER_SEED`, as a number to replay a run or
/// `random` for a new seed from the clock; [`DEFAULT_SEED`] when neither is set. The test puts
/// it in every failure message.
pub fn seed(var: &str) -> u64 {
    let asked = std::env::var(var)
        .or_else(|_| std::env::var("PREFER_SEED"))
        .ok()
        .filter(|s| !s.trim().is_empty());
    match asked.as_deref().map(str::trim) {
        None => DEFAULT_SEED,
        Some("random") => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
        Some(n) => n.parse().unwrap_or_else(|_| {
            panic!("{var} / PREFER_SEED: {n:?} is neither a number nor `random`")
        }),
    }
}
