//! Parsing while the replay reads. The workers claim files in index order; a long file (a
//! `pg_dump` of thousands of statements) is parsed by all workers in batches, and each batch
//! is handed to the consumer as soon as it and those before it are parsed, so replaying the
//! file's start overlaps with parsing its end instead of waiting for all of it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};

use rayon::prelude::*;

use super::split::RawStatement;
use super::{
    Assembler, BATCH, Ctx, Local, ParsedFile, Replacement, Tail, cut, parse_batch, parse_cut,
    parse_or_skip, skipped,
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
        let index = self.claimed.fetch_add(1, Ordering::Relaxed);
        let Some(pieces) = self.pieces.chunks(BATCH).nth(index) else {
            return false;
        };
        self.put(index, parse_batch(ctx, pieces));
        true
    }

    /// Batch `index` once it is parsed; `None` if the workers stopped without it. With
    /// `help`, batches still unclaimed are parsed here while waiting.
    fn take(&self, index: usize, mut help: Option<&Ctx<'_>>) -> Option<Local> {
        loop {
            let mut parsed = lock(&self.parsed);
            if let Some(batch) = parsed.batches.get_mut(index).and_then(Option::take) {
                return Some(batch);
            }
            if parsed.closed {
                return None;
            }
            if let Some(ctx) = help {
                drop(parsed);
                if !self.parse_next(ctx) {
                    help = None;
                }
            } else {
                drop(self.ready.wait(parsed));
            }
        }
    }

    fn take_tail(&self) -> Tail {
        let mut parsed = lock(&self.parsed);
        while !parsed.closed {
            parsed = self
                .ready
                .wait(parsed)
                .unwrap_or_else(PoisonError::into_inner);
        }
        parsed.tail.take().unwrap_or_default()
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
        self.file.finish(text, stream.take_tail());
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
    let pool = threads.pool() && rayon::current_num_threads() > 1;
    let helper = pool.then_some(Helper {
        project,
        replacements,
        slots: &slots,
        next: &next,
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
                    let _fill = FillUnsetOnPanic(&slots);
                    loop {
                        let id = next.fetch_add(1, Ordering::Relaxed);
                        let (Some(file), Some(slot)) = (project.files.get(id), slots.get(id))
                        else {
                            break;
                        };
                        produce(id, file, replacements, slot);
                    }
                });
            }
            consume(&lend)
        })
    } else {
        // Small (or one core): every file parsed whole, then replayed.
        for (id, (file, slot)) in project.files.iter().zip(&slots).enumerate() {
            let _ = slot.set(Slot::Whole(Mutex::new(parse_or_skip(
                id,
                file,
                replacements,
                threads,
            ))));
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
}

impl Helper<'_> {
    fn until_set(&self, slot: &OnceLock<Slot>) {
        while slot.get().is_none() {
            let id = self.next.load(Ordering::Relaxed);
            let (Some(file), Some(claimed)) = (self.project.files.get(id), self.slots.get(id))
            else {
                return;
            };
            if file.text.len() > HELP_MAX_BYTES {
                return;
            }
            if self
                .next
                .compare_exchange(id, id + 1, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
            {
                let parsed = parse_or_skip(id, file, self.replacements, Threads::Caller);
                let _ = claimed.set(Slot::Whole(Mutex::new(parsed)));
            }
        }
    }
}

/// Parse file `id` into its slot: whole, or (a long file) batch by batch on every worker.
fn produce(id: FileId, file: &SourceFile, replacements: &[Replacement], slot: &OnceLock<Slot>) {
    if !file.is_applied() {
        let _ = slot.set(Slot::Whole(Mutex::new(skipped(id))));
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
        return;
    }
    let _ = slot.set(Slot::Streamed(Stream::new(id, cut.pieces)));
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

/// Gives every slot still empty a value when a worker unwinds, so a consumer blocked in
/// [`OnceLock::wait`] always wakes up (the panic reaches the caller once the scope ends).
struct FillUnsetOnPanic<'a>(&'a [OnceLock<Slot>]);

impl Drop for FillUnsetOnPanic<'_> {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            return;
        }
        for (id, slot) in self.0.iter().enumerate() {
            let _ = slot.set(Slot::Whole(Mutex::new(skipped(id))));
        }
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
            assembled.finish(&text, stream.take_tail());
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
    /// them, each equal to its whole parse, and stops at a file longer than it parses itself.
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
        let helper = Helper {
            project: &project,
            replacements: &[],
            slots: &slots,
            next: &next,
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
        helper.until_set(&slots[3]);
        assert!(
            slots[3].get().is_none(),
            "a long file is left to the workers"
        );
        assert_eq!(next.load(Ordering::Relaxed), 3);
    }
}
