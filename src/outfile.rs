//! Writing the whole output file so that a crash or an error never leaves a half-written file
//! under the real name: write a temporary file next to it, fsync, then rename over. An output
//! that is not a file (`/dev/null`, `/dev/stdout`, a pipe such as `>(gzip > out.gz)`) is
//! written straight into: renaming over it would replace the device or pipe with a file
//! (as root, `-o /dev/null` once turned the machine's /dev/null into a plain file).
//!
//! A big file (an export of a million pairs is 700 MB) goes to the disk past the page cache
//! (Linux `O_DIRECT`, see [`Blocks`]): copying it into the cache and then flushing it all at
//! the commit's fsync cost two to five times as long, and varied from run to run with how
//! warm the kernel's free memory was.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A file being written under a temporary name; [`AtomicFile::commit`] puts it in place.
/// Dropped without commit, the temporary file is removed.
pub struct AtomicFile {
    target: PathBuf,
    /// `None` when writing straight into a device or pipe.
    temp: Option<PathBuf>,
    writer: Option<Sink>,
}

enum Sink {
    /// A device or pipe.
    Through(BufWriter<File>),
    /// The temporary file.
    File(Blocks),
}

/// Writes a new file front to back. Bytes wait in a window of [`Blocks::WINDOW`] bytes; each
/// full window goes to a thread of its own that writes it through a second handle opened with
/// `O_DIRECT` (from the window to the disk, no copy in the page cache) while the next window
/// fills, and what is left at the end is written through the ordinary handle. Small files are
/// written the ordinary way only. Where `O_DIRECT` is refused (a file system without it, a
/// platform other than Linux, any error of a direct write), the same bytes go through the
/// ordinary handle instead: a real error (a full disk) is then reported by that write or by
/// the fsync.
struct Blocks {
    file: Arc<File>,
    /// The window being filled.
    window: Window,
    /// The writing thread, started with the first full window.
    io: Option<Writer>,
    /// Where `window` goes in the file.
    at: u64,
    /// Bytes written past the page cache (for the tests).
    direct_bytes: u64,
}

/// `WINDOW` bytes of `raw` from `start` (aligned to `ALIGN`), `len` of them filled. The
/// default holds no memory: a stand-in while the window is away.
#[derive(Default)]
struct Window {
    raw: Vec<u8>,
    start: usize,
    len: usize,
}

impl Window {
    fn new() -> Window {
        let raw = vec![0; Blocks::WINDOW + Blocks::ALIGN];
        let start = raw.as_ptr().align_offset(Blocks::ALIGN).min(Blocks::ALIGN);
        #[cfg(test)]
        let start = start + usize::from(tests::MISALIGN.with(std::cell::Cell::get));
        Window { raw, start, len: 0 }
    }

    fn bytes(&self) -> &[u8] {
        &self.raw[self.start..self.start + self.len]
    }
}

/// The thread that writes full windows, and the windows it holds.
struct Writer {
    send: std::sync::mpsc::Sender<(Window, u64)>,
    /// Each window back once written (with the bytes that went past the cache), or the error.
    back: std::sync::mpsc::Receiver<std::io::Result<(Window, u64)>>,
    thread: std::thread::JoinHandle<()>,
    held: usize,
}

impl Writer {
    fn start(file: Arc<File>) -> Writer {
        let (send, windows) = std::sync::mpsc::channel::<(Window, u64)>();
        let (done, back) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            // `None` until the first window, `Some(None)` once refused.
            let mut direct: Option<Option<File>> = None;
            for (window, at) in windows {
                let direct = direct.get_or_insert_with(|| open_direct(&file));
                let bytes = window.bytes();
                let mut past_cache = 0;
                let wrote = match direct.as_ref().map(|d| d.write_all_at(bytes, at)) {
                    Some(Ok(())) => {
                        past_cache = bytes.len() as u64;
                        Ok(())
                    }
                    // Refused, or failed part way: from here on, the ordinary way (over the
                    // same bytes, at the same place).
                    _ => {
                        *direct = None;
                        file.write_all_at(bytes, at)
                    }
                };
                if done.send(wrote.map(|()| (window, past_cache))).is_err() {
                    break;
                }
            }
        });
        Writer {
            send,
            back,
            thread,
            held: 0,
        }
    }

    /// Waits for a window the thread has written.
    fn take_back(&mut self) -> std::io::Result<(Window, u64)> {
        let r = self
            .back
            .recv()
            .unwrap_or_else(|_| Err(std::io::Error::other("the thread writing the file stopped")));
        self.held -= 1;
        r
    }
}

impl Blocks {
    /// Direct writes start, end and sit in memory at multiples of this (the largest block
    /// size in common use).
    const ALIGN: usize = 4096;
    const WINDOW: usize = 8 << 20;

    fn new(file: File) -> Blocks {
        Blocks {
            file: Arc::new(file),
            window: Window::new(),
            io: None,
            at: 0,
            direct_bytes: 0,
        }
    }

    /// Hands the full window to the writing thread, and goes on in another: a new one while
    /// the thread holds only one, else the one it gives back first.
    fn hand_over(&mut self) -> std::io::Result<()> {
        let io = self
            .io
            .get_or_insert_with(|| Writer::start(Arc::clone(&self.file)));
        let full = std::mem::take(&mut self.window);
        let size = full.len as u64;
        if io.send.send((full, self.at)).is_err() {
            return Err(std::io::Error::other("the thread writing the file stopped"));
        }
        io.held += 1;
        self.at += size;
        self.window = if io.held < 2 {
            Window::new()
        } else {
            let (mut w, past_cache) = io.take_back()?;
            self.direct_bytes += past_cache;
            w.len = 0;
            w
        };
        Ok(())
    }

    /// Waits for the windows being written, writes what is left and fsyncs: the file is
    /// whole and on the disk. Also gives the bytes that went past the page cache.
    fn finish(mut self) -> std::io::Result<(File, u64)> {
        if self.window.len == Self::WINDOW {
            self.hand_over()?;
        }
        if let Some(mut io) = self.io.take() {
            let mut first_error = None;
            while io.held > 0 {
                match io.take_back() {
                    Ok((_, past_cache)) => self.direct_bytes += past_cache,
                    Err(e) => {
                        first_error.get_or_insert(e);
                    }
                }
            }
            drop(io.send);
            let _ = io.thread.join();
            if let Some(e) = first_error {
                return Err(e);
            }
        }
        self.file.write_all_at(self.window.bytes(), self.at)?;
        self.file.sync_all()?;
        let file = Arc::try_unwrap(self.file)
            .map_err(|_| std::io::Error::other("the file is still being written"))?;
        Ok((file, self.direct_bytes))
    }
}

impl Write for Blocks {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // A full window is handed over before taking more, so an error is never returned
        // for bytes already taken.
        if self.window.len == Self::WINDOW {
            self.hand_over()?;
        }
        let w = &mut self.window;
        let n = buf.len().min(Self::WINDOW - w.len);
        let at = w.start + w.len;
        w.raw[at..at + n].copy_from_slice(&buf[..n]);
        w.len += n;
        Ok(n)
    }
    /// Nothing to do: the waiting bytes stay until [`Blocks::finish`] (nobody reads the
    /// temporary file before the commit, and an early ordinary write would leave the rest
    /// unaligned for direct writes).
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A second handle on `file` that writes past the page cache, where the platform and file
/// system have one. Opened through `/proc/self/fd`, so it is the same file even if its name
/// has been taken over meanwhile.
fn open_direct(file: &File) -> Option<File> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        use std::os::unix::fs::OpenOptionsExt;
        OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_DIRECT)
            .open(format!("/proc/self/fd/{}", file.as_raw_fd()))
            .ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = file;
        None
    }
}

/// True for a target written into directly: one that exists and is not a file or folder (a
/// device, a pipe), and anything under `/dev` (but `/dev/shm`) or `/proc` (`/dev/stdout` is a link to
/// `/proc/self/fd/1`, which may be a plain file when stdout is redirected: renaming over the
/// link would put a file in `/dev`).
pub fn writes_through(target: &Path) -> bool {
    // /dev/shm is a folder of ordinary files (a tmpfs).
    if (target.starts_with("/dev") && !target.starts_with("/dev/shm"))
        || target.starts_with("/proc")
    {
        return true;
    }
    std::fs::metadata(target).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

impl AtomicFile {
    /// Creates the temporary file in the target's folder (a rename across file systems is not
    /// atomic, so it must be the same folder).
    pub fn create(target: &Path) -> std::io::Result<AtomicFile> {
        if writes_through(target) {
            // Appending: a device or pipe does not care, and `/dev/stdout` redirected to a
            // file (`> out` or `>> out`) goes on where the shell left it.
            let f = OpenOptions::new().append(true).open(target)?;
            return Ok(AtomicFile {
                target: target.to_path_buf(),
                temp: None,
                writer: Some(Sink::Through(BufWriter::with_capacity(1 << 16, f))),
            });
        }
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let mut attempt = 0u32;
        loop {
            let temp = dir.join(format!(".{name}.tmp-{}-{attempt}", std::process::id()));
            // `O_CREAT|O_EXCL|O_NOFOLLOW`: never through a link planted under the name.
            match crate::safefs::options()
                .write(true)
                .create_new(true)
                .open(&temp)
            {
                Ok(f) => {
                    return Ok(AtomicFile {
                        target: target.to_path_buf(),
                        temp: Some(temp),
                        writer: Some(Sink::File(Blocks::new(f))),
                    });
                }
                // A leftover from an earlier crashed run with the same pid: pick another name.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Flushes, fsyncs and renames the temporary file over the target, then fsyncs the folder
    /// so the rename itself survives a power cut.
    pub fn commit(mut self) -> std::io::Result<()> {
        let file = match self.writer.take().expect("commit is called once") {
            Sink::Through(mut w) => {
                // A device or pipe: written, nothing to put in place (and a pipe cannot be
                // synced).
                return w.flush();
            }
            Sink::File(blocks) => blocks.finish().map(|(file, _past_cache)| {
                #[cfg(test)]
                tests::DIRECT.with(|d| d.set(d.get() + _past_cache));
                file
            }),
        };
        let temp = self.temp.as_ref().expect("a file has a temporary name");
        if let Err(e) = file.and_then(|f| {
            drop(f);
            std::fs::rename(temp, &self.target)
        }) {
            let _ = std::fs::remove_file(temp);
            return Err(e);
        }
        #[cfg(unix)]
        if let Some(dir) = self.target.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.writer.as_mut().expect("not yet committed") {
            Sink::Through(w) => w.write(buf),
            Sink::File(b) => b.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match self.writer.as_mut().expect("not yet committed") {
            Sink::Through(w) => w.flush(),
            Sink::File(b) => b.flush(),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some()
            && let Some(temp) = &self.temp
        {
            let _ = std::fs::remove_file(temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        /// Puts the buffer of files created on this thread one byte off its alignment, which
        /// makes the kernel refuse every direct write: the way back to ordinary writes.
        pub(super) static MISALIGN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
        /// Bytes written past the page cache by files on this thread.
        pub(super) static DIRECT: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    /// A folder on the disk the build is on (the system's temporary folder may be a tmpfs).
    fn disk_dir() -> tempfile::TempDir {
        let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
        std::fs::create_dir_all(&target).unwrap();
        tempfile::tempdir_in(target).unwrap()
    }

    /// True when `dir`'s file system takes direct writes.
    fn takes_direct(dir: &Path) -> bool {
        let probe = dir.join("probe");
        let ok = open_direct(&File::create(&probe).unwrap()).is_some();
        std::fs::remove_file(probe).unwrap();
        ok
    }

    /// Writes `total` bytes in pieces of random sizes (some bigger than the buffer), commits,
    /// and reads the file back.
    fn round_trip(dir: &Path, total: usize, seed: u64) {
        let mut r = crate::testutil::Rng(seed);
        let data: Vec<u8> = (0..total)
            .map(|i| (i % 251) as u8 ^ (i >> 12) as u8)
            .collect();
        let target = dir.join(format!("out-{total}.jsonl"));
        let mut f = AtomicFile::create(&target).unwrap();
        let mut at = 0;
        while at < total {
            let n = match r.below(3) {
                0 => r.below(100) as usize,
                1 => r.below(1 << 20) as usize,
                _ => r.below(3 * Blocks::WINDOW as u64) as usize,
            }
            .min(total - at);
            f.write_all(&data[at..at + n]).unwrap();
            at += n;
        }
        f.commit().unwrap();
        let back = std::fs::read(&target).unwrap();
        assert_eq!(back.len(), total);
        assert!(back == data, "{total} bytes differ");
        std::fs::remove_file(&target).unwrap();
    }

    const SIZES: [usize; 10] = [
        0,
        1,
        4095,
        4096,
        4097,
        Blocks::WINDOW - 1,
        Blocks::WINDOW,
        Blocks::WINDOW + 1,
        2 * Blocks::WINDOW + 4096,
        3 * Blocks::WINDOW + 12345,
    ];

    #[test]
    fn big_and_small_files_come_back_byte_for_byte() {
        // The folder beside the target decides whether direct writes are taken; the
        // temporary folder and the build's own folder may be different file systems.
        let here = disk_dir();
        let tmp = tempfile::tempdir().unwrap();
        for dir in [here.path(), tmp.path()] {
            let direct = takes_direct(dir);
            for (k, total) in SIZES.into_iter().enumerate() {
                DIRECT.with(|d| d.set(0));
                round_trip(dir, total, k as u64);
                // Whole windows go past the cache where the file system allows it; the
                // last partial block never does.
                let past_cache = DIRECT.with(std::cell::Cell::get);
                let want = if direct && total >= Blocks::WINDOW {
                    (total / Blocks::ALIGN * Blocks::ALIGN) as u64
                } else {
                    0
                };
                assert!(
                    past_cache <= want && (past_cache > 0) == (want > 0),
                    "{total} bytes: {past_cache} direct, at most {want}"
                );
            }
            assert_eq!(
                std::fs::read_dir(dir).unwrap().count(),
                0,
                "no temporary file left"
            );
        }
    }

    #[test]
    fn refused_direct_writes_go_the_ordinary_way() {
        MISALIGN.with(|m| m.set(true));
        DIRECT.with(|d| d.set(0));
        let dir = disk_dir();
        for (k, total) in SIZES.into_iter().enumerate() {
            round_trip(dir.path(), total, 100 + k as u64);
        }
        assert_eq!(DIRECT.with(std::cell::Cell::get), 0);
        MISALIGN.with(|m| m.set(false));
    }

    #[test]
    fn dropped_without_commit_leaves_nothing() {
        let dir = std::env::temp_dir().join(format!("prefer-atomic-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.jsonl");
        {
            let mut f = AtomicFile::create(&target).unwrap();
            f.write_all(b"partial").unwrap();
        }
        assert!(!target.exists());
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"whole\n").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "whole\n");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_device_or_pipe_is_written_into_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let null = Path::new("/dev/null");
        let mut f = AtomicFile::create(null).unwrap();
        f.write_all(b"gone\n").unwrap();
        f.commit().unwrap();
        assert!(
            std::fs::metadata(null)
                .unwrap()
                .file_type()
                .is_char_device()
        );
        // A named pipe, read on another thread.
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&fifo)
                .status()
                .unwrap()
                .success()
        );
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        let mut f = AtomicFile::create(&fifo).unwrap();
        f.write_all(b"through\n").unwrap();
        f.commit().unwrap();
        assert_eq!(reader.join().unwrap(), "through\n");
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn paths_under_dev_and_proc_are_written_through_and_files_are_not() {
        assert!(writes_through(Path::new("/dev/stdout")));
        assert!(writes_through(Path::new("/proc/self/fd/1")));
        assert!(writes_through(Path::new("/dev/null")));
        // Files in /dev/shm are ordinary files, put in place as anywhere else.
        assert!(!writes_through(Path::new("/dev/shm/prefer-out.jsonl")));
        if Path::new("/dev/shm").is_dir() {
            let target = Path::new("/dev/shm").join(format!("prefer-out-{}", std::process::id()));
            let mut f = AtomicFile::create(&target).unwrap();
            f.write_all(b"in shm\n").unwrap();
            f.commit().unwrap();
            assert_eq!(std::fs::read_to_string(&target).unwrap(), "in shm\n");
            std::fs::remove_file(&target).unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("out.jsonl");
        assert!(!writes_through(&file));
        std::fs::write(&file, "").unwrap();
        assert!(!writes_through(&file));
        assert!(!writes_through(dir.path()));
    }
}
