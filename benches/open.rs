//! Opening big candidate files. Targets: the first item ready in under 50 ms at 2 GB and flat
//! (within 2x) from 1 MB to 2 GB; the index of a 1 GB file built in at most 2x `wc -l`'s time
//! (the side-by-side comparison with `wc -l` is in scripts/bench-compare).
//!
//! Default sizes are 1, 10 and 100 MiB; `PREFER_BENCH_LARGE=1` adds 1 GiB and 2 GiB (made
//! once under target/bench-data, about 10 s per GiB).

#[path = "common.rs"]
mod common;

use divan::Bencher;
use prefer::format::{ItemSource, LazySource};

fn main() {
    divan::main();
}

fn sizes() -> Vec<u64> {
    let mut s = vec![1, 10, 100];
    if common::large() {
        s.extend([1024, 2048]);
    }
    s
}

/// Open (reads up to the first valid item) and parse item 0: what the first frame waits for.
/// The background threads are stopped when the source is dropped, outside the timing.
#[divan::bench(args = sizes(), sample_count = 20, sample_size = 1)]
fn open_to_first_item(b: Bencher, mib: u64) {
    let path = common::candidates(mib * common::MIB);
    b.with_inputs(|| ()).bench_local_values(|()| {
        let s = LazySource::open(&path).unwrap();
        let first = s.item(0).unwrap();
        (s, first)
    });
}

/// The whole indexing pass (memchr over the file, from the page cache after the first run).
#[divan::bench(args = sizes(), sample_count = 5, sample_size = 1)]
fn index_build(b: Bencher, mib: u64) {
    let path = common::candidates(mib * common::MIB);
    b.bench(|| LazySource::index_file(&path).unwrap());
}

/// Everything the background checker does: index, parse and check every record.
#[divan::bench(args = sizes(), sample_count = 3, sample_size = 1)]
fn check_all(b: Bencher, mib: u64) {
    let path = common::candidates(mib * common::MIB);
    b.bench(|| {
        let s = LazySource::open(&path).unwrap();
        s.wait();
        s.len()
    });
}
