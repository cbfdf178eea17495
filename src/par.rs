//! Work shared out over the machine's cores: big files cut into pieces at line ends, pieces
//! or chunks mapped on scoped threads, results always in order.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

/// The cores this process may use, asked once: on Linux the answer reads cgroup files, about
/// 20 us a call, which a caller parsing other logs line by line once paid a million times
/// (24 s to open a folder of 50 logs of 20,000 events).
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// `bytes` cut into ranges of about `target` bytes, each ending just after a newline (the last
/// at the end of `bytes`), so no line is split.
pub fn line_pieces(bytes: &[u8], target: usize) -> Vec<Range<usize>> {
    let mut pieces = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let mut end = (start + target.max(1)).min(bytes.len());
        if end < bytes.len() {
            end = memchr::memchr(b'\n', &bytes[end..]).map_or(bytes.len(), |k| end + k + 1);
        }
        pieces.push(start..end);
        start = end;
    }
    pieces
}

/// `f` of every element of `xs`, on all cores (each thread takes the next element left);
/// the results in the order of `xs`.
pub fn map_all<T: Sync, R: Send>(xs: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let done = Mutex::new(Vec::with_capacity(xs.len()));
    std::thread::scope(|s| {
        for _ in 0..cores().min(xs.len()) {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(x) = xs.get(k) else { break };
                    let r = f(x);
                    done.lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push((k, r));
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_else(PoisonError::into_inner);
    done.sort_unstable_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, r)| r).collect()
}

/// `f(k)` for every `k` in `0..n`, on all cores (each thread takes the next `k` left), while
/// this thread is given each result in order, `each(k, result)`, as soon as it and those
/// before it are in: for work whose results are taken in one by one while the rest is still
/// being done.
pub fn each_in_order<R: Send>(
    n: usize,
    f: impl Fn(usize) -> R + Sync,
    mut each: impl FnMut(usize, R),
) {
    let workers = cores().min(n);
    if workers <= 1 {
        for k in 0..n {
            each(k, f(k));
        }
        return;
    }
    let next = AtomicUsize::new(0);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::scope(|s| {
        for _ in 0..workers {
            let (tx, next, f) = (tx.clone(), &next, &f);
            s.spawn(move || {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= n || tx.send((k, f(k))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        // A result that comes early waits for those before it.
        let mut waiting = std::collections::BTreeMap::new();
        let mut want = 0;
        for (k, r) in rx {
            waiting.insert(k, r);
            while let Some(r) = waiting.remove(&want) {
                each(want, r);
                want += 1;
            }
        }
    });
}

/// Makes the calling thread give way to the process's other work (and the machine's): for
/// background work that no one waits for. Linux only (elsewhere a thread's priority is the
/// process's); a failure leaves it as it was.
pub fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: plain system calls on this thread's own id.
    unsafe {
        let tid = libc::gettid();
        let _ = libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 10);
    }
}

/// `f(start, chunk)` over consecutive chunks of `xs`, one per core; the results in order.
/// Small inputs stay on this thread.
pub fn in_chunks<T: Sync, R: Send>(xs: &[T], f: impl Fn(usize, &[T]) -> R + Sync) -> Vec<R> {
    const MIN: usize = 1 << 14;
    let threads = cores();
    if threads == 1 || xs.len() < MIN {
        return vec![f(0, xs)];
    }
    let chunk = xs.len().div_ceil(threads);
    std::thread::scope(|s| {
        let f = &f;
        let rest: Vec<_> = (1..threads)
            .map(|k| {
                let start = (k * chunk).min(xs.len());
                let part = &xs[start..((k + 1) * chunk).min(xs.len())];
                s.spawn(move || f(start, part))
            })
            .collect();
        let mut out = vec![f(0, &xs[..chunk.min(xs.len())])];
        out.extend(
            rest.into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))),
        );
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_end_at_line_ends_and_cover_everything() {
        let text = b"a\nbb\n\nccc\ndddd";
        for target in [0, 1, 2, 3, 100] {
            let pieces = line_pieces(text, target);
            assert_eq!(pieces.first().map(|r| r.start), Some(0));
            assert_eq!(pieces.last().map(|r| r.end), Some(text.len()));
            for w in pieces.windows(2) {
                assert_eq!(w[0].end, w[1].start);
                assert_eq!(text[w[0].end - 1], b'\n');
            }
        }
        assert!(line_pieces(b"", 10).is_empty());
    }

    #[test]
    fn map_all_keeps_the_order() {
        let xs: Vec<u32> = (0..1000).collect();
        assert_eq!(
            map_all(&xs, |x| x * 2),
            xs.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
    }

    #[test]
    fn in_chunks_covers_every_element_once_in_order_with_its_offset() {
        for n in [0usize, 1, 5, 40_000, 100_003] {
            let xs: Vec<usize> = (0..n).map(|i| i * 7).collect();
            let parts = in_chunks(&xs, |start, part| {
                part.iter()
                    .enumerate()
                    .map(|(k, x)| {
                        assert_eq!(*x, (start + k) * 7);
                        *x
                    })
                    .collect::<Vec<_>>()
            });
            if n >= 1 << 14 && cores() > 1 {
                assert!(parts.len() > 1, "{n} elements stayed on one thread");
            }
            assert_eq!(parts.concat(), xs);
        }
    }
}
