//! Timing helpers shared by the benchmarks (a module of each, not a bench of its own).

use std::time::{Duration, Instant};

/// The median of `xs` (the upper one of an even count).
pub fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs.get(xs.len() / 2).copied().unwrap_or_default()
}

/// Median wall time of `f` over `runs` runs after one warm-up (page cache, allocator). What `f`
/// returns is dropped after the clock stops: freeing the result is not part of the work measured
/// (the CLI never frees its analysis, see `cli::analyze_for_exit`).
pub fn time<T, F: FnMut() -> T>(runs: usize, mut f: F) -> Duration {
    drop(f());
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                let result = f();
                let elapsed = t.elapsed();
                drop(result);
                elapsed
            })
            .collect(),
    )
}
