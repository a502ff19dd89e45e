//! Parsing while the replay reads. The workers claim files in index order; a long file (a
//! `pg_dump` of thousands of statements) is parsed by all workers in batches, and each batch
//! is handed to the consumer as soon as it and those before it are parsed, so replaying the
//! file's start overlaps with parsing its end instead of waiting for all of it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use rayon::prelude::*;

use super::split::RawStatement;
use super::{
    Assembler, BATCH, Ctx, Local, ParsedFile, Replacement, Tail, cut, parse_all, parse_batch,
    parse_cut, parse_or_skip, skipped,
};
use crate::par::Threads;
use crate::source::{Project, SourceFile};
use crate::span::FileId;

/// A file with more top-level pieces than this is handed over batch by batch; a shorter one
/// whole (a batch hand-over costs a lock and a wake-up).
pub(super) const STREAM_MIN: usize = 4 * BATCH;

/// A file's statements as the replay reads them: all at once, or in batches while the rest of
/// the file is still being parsed.
pub trait Feed {
    /// Wait for more of the file: `true` when statements were appended to [`Self::file`],
    /// `false` once the file is complete (its ignores and sorted diagnostics are then in).
    fn more(&mut self) -> bool;

    /// The file so far.
    fn file(&self) -> &ParsedFile;
}

/// A file parsed before the replay started, read whole.
pub struct Whole<'a> {
    file: &'a ParsedFile,
    given: bool,
}

impl<'a> Whole<'a> {
    #[must_use]
    pub fn new(file: &'a ParsedFile) -> Self {
        Self { file, given: false }
    }
}

impl Feed for Whole<'_> {
    fn more(&mut self) -> bool {
        !std::mem::replace(&mut self.given, true)
    }

    fn file(&self) -> &ParsedFile {
        self.file
    }
}

/// A file lent to the consumer of [`parse_all_while`], which may change it (the replay drops
/// each statement's IR once applied, unless asked to keep it).
pub struct FileFeed<'a>(Lent<'a>);

enum Lent<'a> {
    Whole {
        file: MutexGuard<'a, ParsedFile>,
        given: bool,
    },
    Streamed {
        stream: &'a Stream,
        progress: MutexGuard<'a, Progress>,
        text: &'a str,
        /// Set when the consumer parses batches itself while it waits.
        help: Option<Ctx<'a>>,
    },
}

impl FileFeed<'_> {
    /// The file so far, to change.
    pub fn file_mut(&mut self) -> &mut ParsedFile {
        match &mut self.0 {
            Lent::Whole { file, .. } => file,
            Lent::Streamed { progress, .. } => &mut progress.file.parsed,
        }
    }
}

impl Feed for FileFeed<'_> {
    fn more(&mut self) -> bool {
        match &mut self.0 {
            Lent::Whole { given, .. } => !std::mem::replace(given, true),
            Lent::Streamed {
                stream,
                progress,
                text,
                help,
            } => progress.advance(stream, text, help.as_ref()),
        }
    }

    fn file(&self) -> &ParsedFile {
        match &self.0 {
            Lent::Whole { file, .. } => file,
            Lent::Streamed { progress, .. } => &progress.file.parsed,
        }
    }
}

enum Slot {
    Whole(Mutex<ParsedFile>),
    Streamed(Stream),
}

/// One long file between its parse workers and its consumer.
struct Stream {
    /// The file's top-level pieces, parsed [`BATCH`] at a time.
    pieces: Vec<(RawStatement, bool)>,
    batches: usize,
    /// Batches claimed by a parser (a worker, or the consumer while it waits).
    claimed: AtomicUsize,
    parsed: Mutex<Parsed>,
    ready: Condvar,
    /// The file as assembled from the batches taken so far.
    progress: Mutex<Progress>,
}

/// Batches parsed and not yet taken.
struct Parsed {
    batches: Vec<Option<Local>>,
    tail: Option<Tail>,
    /// No more batches will come: every one was put, or a worker stopped (a panic).
    closed: bool,
}

struct Progress {
    file: Assembler,
    next: usize,
    finished: bool,
}

impl Stream {
    fn new(file: FileId, pieces: Vec<(RawStatement, bool)>) -> Self {
        let batches = pieces.len().div_ceil(BATCH);
        Self {
            pieces,
            batches,
            claimed: AtomicUsize::new(0),
            parsed: Mutex::new(Parsed {
                batches: std::iter::repeat_with(|| None).take(batches).collect(),
                tail: None,
                closed: false,
            }),
            ready: Condvar::new(),
            progress: Mutex::new(Progress {
                file: Assembler::new(file),
                next: 0,
                finished: false,
            }),
        }
    }

    fn put(&self, index: usize, batch: Local) {
        if let Some(slot) = lock(&self.parsed).batches.get_mut(index) {
            *slot = Some(batch);
        }
        self.ready.notify_all();
    }

    fn close(&self, tail: Option<Tail>) {
        {
            let mut parsed = lock(&self.parsed);
            if !parsed.closed {
                parsed.tail = tail;
                parsed.closed = true;
            }
        }
        self.ready.notify_all();
    }

    /// Claim the next batch nobody parses yet and parse it; `false` when none is left.
    fn parse_next(&self, ctx: &Ctx<'_>) -> bool {
        if self.claimed.load(Ordering::Relaxed) >= self.batches {
            return false;
        }
        let index = self.claimed.fetch_add(1, Ordering::Relaxed);
        let Some(pieces) = self.pieces.chunks(BATCH).nth(index) else {
            return false;
        };
        self.put(index, parse_batch(ctx, pieces));
        true
    }

    /// Batch `index` once it is parsed; `None` if the workers stopped without it. With
    /// `help` (a consumer on a pool thread), batches still unclaimed are parsed here while
    /// waiting, and then the pool's pending jobs are run ([`run_jobs_or_park`]).
    fn take(&self, index: usize, help: Option<&Ctx<'_>>) -> Option<Local> {
        loop {
            let mut parsed = lock(&self.parsed);
            if let Some(batch) = parsed.batches.get_mut(index).and_then(Option::take) {
                return Some(batch);
            }
            if parsed.closed {
                return None;
            }
            match help {
                Some(ctx) => {
                    drop(parsed);
                    if !self.parse_next(ctx) {
                        run_jobs_or_park(&self.parsed, &self.ready, |p| {
                            p.batches.get(index).is_some_and(Option::is_some) || p.closed
                        });
                    }
                }
                None => drop(self.ready.wait(parsed)),
            }
        }
    }

    /// The split's tail once the producer has closed the stream (running the pool's pending
    /// jobs meanwhile, with `on_pool`).
    fn take_tail(&self, on_pool: bool) -> Tail {
        loop {
            let mut parsed = lock(&self.parsed);
            if parsed.closed {
                return parsed.tail.take().unwrap_or_default();
            }
            if on_pool {
                drop(parsed);
                run_jobs_or_park(&self.parsed, &self.ready, |p| p.closed);
            } else {
                drop(self.ready.wait(parsed));
            }
        }
    }
}

impl Progress {
    /// Take the next batch into the file (parsing unclaimed ones while waiting, with
    /// `help`); after the last one, finish the file and say `false`.
    fn advance(&mut self, stream: &Stream, text: &str, help: Option<&Ctx<'_>>) -> bool {
        if self.finished {
            return false;
        }
        if self.next < stream.batches {
            if let Some(batch) = stream.take(self.next, help) {
                self.file.push(batch);
            }
            self.next += 1;
            return true;
        }
        self.file.finish(text, stream.take_tail(help.is_some()));
        self.finished = true;
        false
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// [`super::parse_all`], while `consume` reads the parsed files in any order it likes:
/// `parsed(id)` blocks until file `id` is parsed, or for a long file until its first batch is
/// (see [`Feed`]). The workers claim files in index order, so a consumer that walks the files
/// in order (the replay) overlaps with the parsing instead of waiting for all of it. Returns
/// every parsed file and what `consume` returned.
///
/// On the pool, `consume` runs on one of its threads and the others parse; while the file
/// (or a long file's batch) it asks for is not ready, the consumer parses files and batches
/// nobody has claimed yet ([`Helper`]). As many busy threads as cores: with a parser per core
/// plus a consumer thread, the scheduler left the consumer, the critical path, waiting for
/// a core for milliseconds at a time. A pool of one thread parses first, then consumes.
pub fn parse_all_while<R: Send>(
    project: &Project,
    replacements: &[Replacement],
    threads: Threads,
    consume: impl for<'a> FnOnce(&'a (dyn Fn(FileId) -> Option<FileFeed<'a>> + Sync + 'a)) -> R + Send,
) -> (Vec<ParsedFile>, R) {
    let slots: Vec<OnceLock<Slot>> = project.files.iter().map(|_| OnceLock::new()).collect();
    let next = AtomicUsize::new(0);
    let filled = Filled::default();
    let pool = threads.pool() && rayon::current_num_threads() > 1;
    let helper = pool.then_some(Helper {
        project,
        replacements,
        slots: &slots,
        next: &next,
        filled: &filled,
    });
    let lend = |id: FileId| {
        let file = project.files.get(id)?;
        let slot = slots.get(id)?;
        if let Some(helper) = &helper {
            helper.until_set(slot);
        }
        Some(FileFeed(match slot.wait() {
            Slot::Whole(parsed) => Lent::Whole {
                file: lock(parsed),
                given: false,
            },
            Slot::Streamed(stream) => Lent::Streamed {
                stream,
                progress: lock(&stream.progress),
                text: file.text.as_str(),
                help: helper.as_ref().map(|_| Ctx {
                    file_id: id,
                    file,
                    replacements,
                    keep_ast: false,
                    threads: Threads::Caller,
                }),
            },
        }))
    };
    let consumed = if pool {
        rayon::scope(|scope| {
            for _ in 1..rayon::current_num_threads() {
                scope.spawn(|_| {
                    let _fill = FillUnsetOnPanic(&slots, &filled);
                    loop {
                        let id = next.fetch_add(1, Ordering::Relaxed);
                        let (Some(file), Some(slot)) = (project.files.get(id), slots.get(id))
                        else {
                            break;
                        };
                        produce(id, file, replacements, slot, &filled);
                    }
                });
            }
            consume(&lend)
        })
    } else {
        // Small (or one core): every file parsed whole, then replayed.
        for (slot, parsed) in slots.iter().zip(parse_all(project, replacements, threads)) {
            let _ = slot.set(Slot::Whole(Mutex::new(parsed)));
        }
        consume(&lend)
    };
    let parsed = slots
        .into_iter()
        .enumerate()
        .map(|(id, slot)| match slot.into_inner() {
            None => skipped(id),
            Some(Slot::Whole(file)) => file.into_inner().unwrap_or_else(PoisonError::into_inner),
            Some(Slot::Streamed(stream)) => {
                // What the consumer did not take, taken here.
                let text = project.files.get(id).map_or("", |f| f.text.as_str());
                let mut progress = lock(&stream.progress);
                while progress.advance(&stream, text, None) {}
                std::mem::take(&mut progress.file.parsed)
            }
        })
        .collect();
    (parsed, consumed)
}

/// Files up to this size the consumer parses itself, whole, while it waits (a migration of a
/// few tables is 2-10 KB, ~0.1-0.5 ms to parse); a longer one is left to the workers, which
/// parse it in batches on every core if it is long enough.
pub(super) const HELP_MAX_BYTES: usize = 16 * 1024;

/// The consumer's side of the parse: while the file it waits for is not parsed, it claims the
/// next unclaimed file (if short) and parses it itself.
struct Helper<'a> {
    project: &'a Project,
    replacements: &'a [Replacement],
    slots: &'a [OnceLock<Slot>],
    next: &'a AtomicUsize,
    filled: &'a Filled,
}

impl Helper<'_> {
    /// Return once `slot` is set: parsing short unclaimed files meanwhile, then running the
    /// pool's pending jobs or parking until a worker fills a slot.
    fn until_set(&self, slot: &OnceLock<Slot>) {
        while slot.get().is_none() {
            if !self.parse_next() {
                run_jobs_or_park(&self.filled.lock, &self.filled.cv, |()| {
                    slot.get().is_some()
                });
            }
        }
    }

    /// Claim the next unclaimed file if it is short and parse it; `false` if there is none.
    fn parse_next(&self) -> bool {
        let id = self.next.load(Ordering::Relaxed);
        let (Some(file), Some(claimed)) = (self.project.files.get(id), self.slots.get(id)) else {
            return false;
        };
        if file.text.len() > HELP_MAX_BYTES {
            return false;
        }
        if self
            .next
            .compare_exchange(id, id + 1, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            let parsed = parse_or_skip(id, file, self.replacements, Threads::Caller);
            let _ = claimed.set(Slot::Whole(Mutex::new(parsed)));
        }
        true
    }
}

/// A wake-up for a consumer parked until a worker fills a file's slot.
#[derive(Default)]
struct Filled {
    lock: Mutex<()>,
    cv: Condvar,
}

impl Filled {
    fn notify(&self) {
        // Taken so a consumer between its check and its wait cannot miss the wake-up.
        drop(lock(&self.lock));
        self.cv.notify_all();
    }
}

/// How long a consumer on a pool thread parks before looking for pool jobs again.
const PARK: Duration = Duration::from_micros(200);

/// One step of a wait on a pool thread: run one of the pool's pending jobs if there is one
/// (the job this consumer waits for may be queued behind it, and other analyses on the same
/// pool may be waiting too), else park on `cv` until `ready` or for [`PARK`]. Never blocks
/// the thread for good, so consumers on every thread of a pool cannot deadlock.
fn run_jobs_or_park<T>(m: &Mutex<T>, cv: &Condvar, ready: impl Fn(&T) -> bool) {
    if matches!(rayon::yield_now(), Some(rayon::Yield::Executed)) {
        return;
    }
    let guard = lock(m);
    if !ready(&guard) {
        drop(cv.wait_timeout(guard, PARK));
    }
}

/// Parse file `id` into its slot: whole, or (a long file) batch by batch on every worker.
fn produce(
    id: FileId,
    file: &SourceFile,
    replacements: &[Replacement],
    slot: &OnceLock<Slot>,
    filled: &Filled,
) {
    if !file.is_applied() {
        let _ = slot.set(Slot::Whole(Mutex::new(skipped(id))));
        filled.notify();
        return;
    }
    let ctx = Ctx {
        file_id: id,
        file,
        replacements,
        keep_ast: false,
        threads: Threads::Pool,
    };
    let cut = cut(&ctx);
    if cut.pieces.len() <= STREAM_MIN {
        let _ = slot.set(Slot::Whole(Mutex::new(parse_cut(&ctx, cut))));
        filled.notify();
        return;
    }
    let _ = slot.set(Slot::Streamed(Stream::new(id, cut.pieces)));
    filled.notify();
    let Some(Slot::Streamed(stream)) = slot.get() else {
        return;
    };
    let _close = Close(stream);
    (0..rayon::current_num_threads().max(1))
        .into_par_iter()
        .for_each(|_| while stream.parse_next(&ctx) {});
    stream.close(Some(cut.tail));
}

/// Closes a stream when its producer returns or unwinds, so a consumer blocked in
/// [`Stream::take`] always wakes up.
struct Close<'a>(&'a Stream);

impl Drop for Close<'_> {
    fn drop(&mut self) {
        self.0.close(None);
    }
}

/// Gives every slot still empty a value when a worker unwinds, so a waiting consumer always
/// wakes up (the panic reaches the caller once the scope ends).
struct FillUnsetOnPanic<'a>(&'a [OnceLock<Slot>], &'a Filled);

impl Drop for FillUnsetOnPanic<'_> {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        for (id, slot) in self.0.iter().enumerate() {
            let _ = slot.set(Slot::Whole(Mutex::new(skipped(id))));
        }
        self.1.notify();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With no worker at all, a consumer that helps parses every batch of a long file itself,
    /// in any order it asks for them, and the file equals its whole parse; without help, a
    /// closed stream answers `None` for a batch nobody parsed instead of waiting.
    #[test]
    fn a_helping_consumer_parses_the_batches_nobody_claimed() {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut text = String::new();
            for i in 0..(3 * BATCH + 5) {
                text.push_str(&format!("CREATE TABLE t{i} (id int);\n-- c{i}\n"));
            }
            text.push_str("SELECT 'never closed");
            let file = crate::parse::tests::source(&text);
            let ctx = Ctx {
                file_id: 0,
                file: &file,
                replacements: &[],
                keep_ast: false,
                threads: Threads::Caller,
            };
            let split = cut(&ctx);
            let stream = Stream::new(0, split.pieces);
            assert_eq!(stream.batches, 4);
            // The last batch first: the consumer claims and parses batches 0..=3 to get it.
            let last = stream.take(3, Some(&ctx));
            let mut batches: Vec<Option<Local>> = (0..3).map(|i| stream.take(i, None)).collect();
            batches.push(last);
            stream.close(Some(split.tail));
            let mut assembled = Assembler::new(0);
            for batch in batches {
                assembled.push(batch.expect("every batch parsed by the consumer"));
            }
            assembled.finish(&text, stream.take_tail(false));
            let whole = crate::parse::parse_file(0, &file, &[]);
            let same = format!("{:?}", assembled.parsed) == format!("{whole:?}");

            let unparsed = Stream::new(0, cut(&ctx).pieces);
            unparsed.close(None);
            let none = unparsed.take(0, None).is_none();
            tx.send((same, none)).unwrap();
        });
        let (same, none) = rx
            .recv_timeout(std::time::Duration::from_secs(120))
            .expect("the consumer waited for a worker instead of parsing the batches itself");
        assert!(same, "the helped stream differs from the whole parse");
        assert!(none);
    }

    /// A consumer waiting for file 2 parses files 0 to 2 itself when no worker has claimed
    /// them, each equal to its whole parse, and leaves a file longer than it parses itself.
    #[test]
    fn a_helping_consumer_parses_the_short_files_nobody_claimed() {
        let mut files: Vec<SourceFile> = (0..3)
            .map(|i| crate::parse::tests::source(&format!("CREATE TABLE t{i} (id int);\n")))
            .collect();
        files.push(crate::parse::tests::source(
            &"CREATE TABLE big (id int);\n".repeat(HELP_MAX_BYTES / 20),
        ));
        let project = Project {
            files,
            diagnostics: vec![],
        };
        let slots: Vec<OnceLock<Slot>> = project.files.iter().map(|_| OnceLock::new()).collect();
        let next = AtomicUsize::new(0);
        let filled = Filled::default();
        let helper = Helper {
            project: &project,
            replacements: &[],
            slots: &slots,
            next: &next,
            filled: &filled,
        };
        helper.until_set(&slots[2]);
        assert_eq!(next.load(Ordering::Relaxed), 3);
        for (id, slot) in slots.iter().take(3).enumerate() {
            let Some(Slot::Whole(parsed)) = slot.get() else {
                panic!("file {id} not parsed whole by the consumer");
            };
            let whole = crate::parse::parse_file(id, &project.files[id], &[]);
            assert_eq!(format!("{:?}", lock(parsed)), format!("{whole:?}"));
        }
        assert!(!helper.parse_next(), "a long file is left to the workers");
        assert!(slots[3].get().is_none());
        assert_eq!(next.load(Ordering::Relaxed), 3);
    }

    /// Analyses running at once on one pool never wait on each other: two consumers on both
    /// threads of a two-thread pool, each waiting for a long file it does not parse itself,
    /// run the parse jobs queued behind them instead of blocking their threads.
    #[test]
    fn concurrent_consumers_on_a_small_pool_do_not_deadlock() {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(2)
                .build()
                .unwrap();
            // Longer than a consumer parses itself, and streamed in batches.
            let long = "CREATE TABLE t (id int); -- a comment to make the file long\n"
                .repeat(STREAM_MIN + 64);
            assert!(long.len() > HELP_MAX_BYTES);
            let project = Project {
                files: vec![
                    crate::parse::tests::source(&long),
                    crate::parse::tests::source("CREATE TABLE u (id int);\n"),
                ],
                diagnostics: vec![],
            };
            let statements = |project: &Project| {
                let (parsed, ()) = parse_all_while(project, &[], Threads::Pool, |lend| {
                    for id in 0..project.files.len() {
                        let mut feed = lend(id).unwrap();
                        while feed.more() {}
                    }
                });
                parsed
                    .iter()
                    .map(|p| p.statements.len())
                    .collect::<Vec<_>>()
            };
            // Many rounds: the two consumers must start on both threads before either
            // thread takes the other's parse job.
            let mut counts: Vec<Vec<usize>> = Vec::new();
            for _ in 0..200 {
                std::thread::scope(|scope| {
                    let runs: Vec<_> = (0..4)
                        .map(|_| scope.spawn(|| pool.install(|| statements(&project))))
                        .collect();
                    counts.extend(runs.into_iter().map(|r| r.join().unwrap()));
                });
            }
            tx.send(counts).unwrap();
        });
        let counts = rx
            .recv_timeout(std::time::Duration::from_secs(120))
            .expect("concurrent analyses on one pool deadlocked");
        for c in counts {
            assert_eq!(c, vec![STREAM_MIN + 64, 1]);
        }
    }
}
