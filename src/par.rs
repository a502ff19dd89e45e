//! Threads only where they pay for themselves.
//!
//! Starting rayon's pool (a thread per core) costs more than parsing a few kilobytes: on a
//! pre-commit run over a handful of small files the threads' start-up, their stacks' page
//! faults and their idle spinning were a third of the run. Each parallel step takes a
//! [`Threads`] decided from the size of the whole job and runs the same closure either on all
//! cores or on the calling thread. Outputs are identical either way: every parallel step keeps
//! its input order.

use rayon::prelude::*;

/// Bytes of SQL below which the analysis stays on the calling thread. Measured on a 2-core
/// machine (docs/performance.md): one thread wins up to ~30 KB of migrations.
pub const SMALL_SQL_BYTES: usize = 32 * 1024;

/// Files below which reading them stays on one thread.
pub const SMALL_FILES: usize = 16;

/// Application source files below which their scan stays on one thread: each costs ~0.5 ms
/// (a tree-sitter parse and walks over its tree), more than starting the pool.
pub const SMALL_APP_FILES: usize = 3;

static LARGE_JOB: std::sync::OnceLock<fn()> = std::sync::OnceLock::new();

/// Sets what [`Threads::for_files`], [`Threads::for_app_files`] and [`Threads::for_sql`] run
/// when they find a job large,
/// before its files are read or analysed:
/// the executable switches its allocator there (src/main.rs). The first hook set stays.
pub fn on_large_job(hook: fn()) {
    let _ = LARGE_JOB.set(hook);
}

/// Runs the hook set by [`on_large_job`], if any.
fn large_job() {
    if let Some(hook) = LARGE_JOB.get() {
        hook();
    }
}

/// Whether a step runs on rayon's pool or on the calling thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Threads {
    /// All cores.
    #[default]
    Pool,
    /// The calling thread only; no thread is started.
    Caller,
}

impl Threads {
    /// [`Threads::Caller`] when `size` is below `small`.
    #[must_use]
    pub fn for_size(size: usize, small: usize) -> Self {
        if size < small {
            Self::Caller
        } else {
            Self::Pool
        }
    }

    /// By the bytes of SQL a project applies ([`SMALL_SQL_BYTES`]). A large job runs the hook
    /// set by [`on_large_job`] first.
    #[must_use]
    pub fn for_sql(project: &crate::source::Project) -> Self {
        Self::for_sql_bytes(project.sql_bytes())
    }

    /// [`Self::for_sql`] by a number of bytes of SQL (the benchmark's bare parse, which has
    /// no project, takes the same decision through it).
    #[must_use]
    pub fn for_sql_bytes(bytes: usize) -> Self {
        Self::for_size(bytes, SMALL_SQL_BYTES).announce()
    }

    /// By the number of migration files to read ([`SMALL_FILES`]). Many files are a large
    /// job: the hook set by [`on_large_job`] runs first, before their texts are read.
    #[must_use]
    pub fn for_files(files: usize) -> Self {
        Self::for_size(files, SMALL_FILES).announce()
    }

    /// By the number of application source files to scan: threads from
    /// [`SMALL_APP_FILES`] (each file is a tree-sitter parse), and a large job, as for
    /// migration files, from [`SMALL_FILES`] (the hook set by [`on_large_job`] runs first).
    #[must_use]
    pub fn for_app_files(files: usize) -> Self {
        if files >= SMALL_FILES {
            large_job();
        }
        Self::for_size(files, SMALL_APP_FILES)
    }

    /// Runs the large-job hook when `self` is [`Threads::Pool`].
    fn announce(self) -> Self {
        if self.pool() {
            large_job();
        }
        self
    }

    #[must_use]
    pub fn pool(self) -> bool {
        self == Self::Pool
    }

    /// `f` over `items`, results in input order.
    pub fn map<T: Sync, R: Send>(self, items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
        match self {
            Self::Pool => items.par_iter().map(f).collect(),
            Self::Caller => items.iter().map(f).collect(),
        }
    }

    /// [`Self::map`] with per-worker state made by `init` (one for the calling thread).
    pub fn map_init<T: Sync, S, R: Send>(
        self,
        items: &[T],
        init: impl Fn() -> S + Sync + Send,
        f: impl Fn(&mut S, &T) -> R + Sync + Send,
    ) -> Vec<R> {
        match self {
            Self::Pool => items.par_iter().map_init(init, f).collect(),
            Self::Caller => {
                let mut state = init();
                items.iter().map(|item| f(&mut state, item)).collect()
            }
        }
    }

    /// `f` on every item.
    pub fn for_each_mut<T: Send>(self, items: &mut [T], f: impl Fn(&mut T) + Sync + Send) {
        match self {
            Self::Pool => items.par_iter_mut().for_each(f),
            Self::Caller => items.iter_mut().for_each(f),
        }
    }

    /// Both closures, concurrently on the pool or one after the other.
    pub fn join<A: Send, B: Send>(
        self,
        a: impl FnOnce() -> A + Send,
        b: impl FnOnce() -> B + Send,
    ) -> (A, B) {
        match self {
            Self::Pool => rayon::join(a, b),
            Self::Caller => (a(), b()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Threads;

    #[test]
    fn both_ways_keep_the_input_order() {
        let items: Vec<u32> = (0..1000).collect();
        for threads in [Threads::Pool, Threads::Caller] {
            assert_eq!(
                threads.map(&items, |i| i * 2),
                items.iter().map(|i| i * 2).collect::<Vec<_>>()
            );
            let out = threads.map_init(&items, || 1, |step, i| i + *step);
            assert_eq!(out.first(), Some(&1));
            assert_eq!(out.last(), Some(&1000));
            let mut copy = items.clone();
            threads.for_each_mut(&mut copy, |i| *i += 1);
            assert_eq!(copy, out);
            assert_eq!(threads.join(|| 1, || 2), (1, 2));
        }
        assert_eq!(Threads::for_size(10, 11), Threads::Caller);
        assert_eq!(Threads::for_size(11, 11), Threads::Pool);
    }
}
