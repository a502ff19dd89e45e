//! Parsing while the replay reads. The workers claim files in index order; a long file (a
//! `pg_dump` of thousands of statements) is parsed by all workers in batches, and each batch
//! is handed to the consumer as soon as it and those before it are parsed, so replaying the
//! file's start overlaps with parsing its end instead of waiting for all of it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};

use rayon::prelude::*;

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
            } => progress.advance(stream, text),
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
    batches: usize,
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
    fn new(file: FileId, batches: usize) -> Self {
        Self {
            batches,
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

    /// Batch `index` once it is parsed; `None` if the workers stopped without it.
    fn take(&self, index: usize) -> Option<Local> {
        let mut parsed = lock(&self.parsed);
        loop {
            if let Some(batch) = parsed.batches.get_mut(index).and_then(Option::take) {
                return Some(batch);
            }
            if parsed.closed {
                return None;
            }
            parsed = self
                .ready
                .wait(parsed)
                .unwrap_or_else(PoisonError::into_inner);
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
    /// Take the next batch into the file; after the last one, finish the file and say `false`.
    fn advance(&mut self, stream: &Stream, text: &str) -> bool {
        if self.finished {
            return false;
        }
        if self.next < stream.batches {
            if let Some(batch) = stream.take(self.next) {
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

/// [`super::parse_all`], while `consume` runs on its own thread and reads the parsed files in
/// any order it likes: `parsed(id)` blocks until file `id` is parsed, or for a long file until
/// its first batch is (see [`Feed`]). The workers claim files in index order, so a consumer
/// that walks the files in order (the replay) overlaps with the parsing instead of waiting
/// for all of it. Returns every parsed file and what `consume` returned.
pub fn parse_all_while<R: Send>(
    project: &Project,
    replacements: &[Replacement],
    threads: Threads,
    consume: impl for<'a> FnOnce(&'a (dyn Fn(FileId) -> Option<FileFeed<'a>> + Sync + 'a)) -> R + Send,
) -> (Vec<ParsedFile>, R) {
    let slots: Vec<OnceLock<Slot>> = project.files.iter().map(|_| OnceLock::new()).collect();
    let lend = |id: FileId| {
        let text = project.files.get(id)?.text.as_str();
        Some(FileFeed(match slots.get(id)?.wait() {
            Slot::Whole(file) => Lent::Whole {
                file: lock(file),
                given: false,
            },
            Slot::Streamed(stream) => Lent::Streamed {
                stream,
                progress: lock(&stream.progress),
                text,
            },
        }))
    };
    let consumed = if threads.pool() {
        let next = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            let consumer = scope.spawn(|| consume(&lend));
            {
                let _fill = FillUnset(&slots);
                let workers = rayon::current_num_threads().max(1);
                (0..workers).into_par_iter().for_each(|_| {
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
            consumer.join()
        })
    } else {
        // Small: every file parsed whole, then replayed, all on this thread.
        for (id, (file, slot)) in project.files.iter().zip(&slots).enumerate() {
            let _ = slot.set(Slot::Whole(Mutex::new(parse_or_skip(
                id,
                file,
                replacements,
                threads,
            ))));
        }
        Ok(consume(&lend))
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
                while progress.advance(&stream, text) {}
                std::mem::take(&mut progress.file.parsed)
            }
        })
        .collect();
    match consumed {
        Ok(r) => (parsed, r),
        Err(panic) => std::panic::resume_unwind(panic),
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
    let batches = cut.pieces.len().div_ceil(BATCH);
    let _ = slot.set(Slot::Streamed(Stream::new(id, batches)));
    let Some(Slot::Streamed(stream)) = slot.get() else {
        return;
    };
    let _close = Close(stream);
    let claimed = AtomicUsize::new(0);
    (0..rayon::current_num_threads().max(1))
        .into_par_iter()
        .for_each(|_| {
            loop {
                let index = claimed.fetch_add(1, Ordering::Relaxed);
                let Some(pieces) = cut.pieces.chunks(BATCH).nth(index) else {
                    break;
                };
                stream.put(index, parse_batch(&ctx, pieces));
            }
        });
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

/// Gives every slot still empty a value when dropped, even while unwinding, so a consumer
/// blocked in [`OnceLock::wait`] always wakes up.
struct FillUnset<'a>(&'a [OnceLock<Slot>]);

impl Drop for FillUnset<'_> {
    fn drop(&mut self) {
        for (id, slot) in self.0.iter().enumerate() {
            let _ = slot.set(Slot::Whole(Mutex::new(skipped(id))));
        }
    }
}
