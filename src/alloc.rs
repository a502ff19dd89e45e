//! The executable's allocator (docs/performance.md, "Release build and two allocators"),
//! here so that the benchmark's bare sqlparser parse (benches/pipeline.rs) runs on exactly
//! the same one: glibc's malloc for small jobs, mimalloc for large ones.
//!
//! On a large job mimalloc is faster: the model is millions of small strings and vectors, and
//! glibc's malloc took 15-19% more time on the pg_dump file and the synthetic corpus. On a
//! small one glibc's is: mimalloc gives every size class its own 64 KiB page, so a check of a
//! few files first-touches ~125 pages of heap (a page fault each) where glibc, packing
//! everything into one heap, touches fewer, and a 2.3 ms run takes ~25% less. A process
//! starts on glibc's malloc; when discovery, the application scan or the analysis finds the
//! job large (16 migration or application files or more, or 32 KB of SQL or more:
//! [`crate::par::Threads::for_files`], `for_app_files` and `for_sql`, which run the hook
//! [`crate::par::on_large_job`] sets to [`large_job`]) new allocations go to mimalloc. Every
//! pointer is freed or grown by the allocator that made it: mimalloc's page map tells its own
//! (`mi_is_in_heap_region`, a lookup in the map `mi_free` reads anyway; before mimalloc's
//! first allocation it owns nothing).
//!
//! Only executables set it (`#[global_allocator] static GLOBAL: Hybrid = Hybrid;`); the
//! library's own tests run on the system allocator. With the feature `system-alloc` (for heap
//! profilers that only see malloc) it never switches.

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, Ordering};

use mimalloc::MiMalloc;

unsafe extern "C" {
    fn mi_is_in_heap_region(p: *const c_void) -> bool;
}

static LARGE: AtomicBool = AtomicBool::new(false);

/// From now on, allocate with mimalloc.
pub fn large_job() {
    LARGE.store(true, Ordering::Relaxed);
}

fn large() -> bool {
    !cfg!(feature = "system-alloc") && LARGE.load(Ordering::Relaxed)
}

/// Whether mimalloc made the block at `ptr`. Before the switch mimalloc has made nothing, so
/// only a large job pays the lookup.
#[must_use]
pub fn mimalloc_owns(ptr: *mut u8) -> bool {
    // SAFETY: a read-only lookup in mimalloc's page map, valid for any address.
    large() && unsafe { mi_is_in_heap_region(ptr.cast()) }
}

/// glibc's malloc until [`large_job`], then mimalloc.
pub struct Hybrid;

// SAFETY: every block comes from one of two allocators and goes back to the one that owns
// it (`mimalloc_owns`); each upholds `GlobalAlloc`'s contract for its own blocks.
unsafe impl GlobalAlloc for Hybrid {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout contract, passed on.
        unsafe {
            if large() {
                MiMalloc.alloc(layout)
            } else {
                System.alloc(layout)
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe {
            if large() {
                MiMalloc.alloc_zeroed(layout)
            } else {
                System.alloc_zeroed(layout)
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by the allocator that owns it, with `layout`.
        unsafe {
            if mimalloc_owns(ptr) {
                MiMalloc.dealloc(ptr, layout);
            } else {
                System.dealloc(ptr, layout);
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` and `layout` as in `dealloc`; a glibc block grown after the switch
        // moves to mimalloc: the smaller of the two sizes is copied, then it is freed.
        unsafe {
            if !large() {
                return System.realloc(ptr, layout, new_size);
            }
            if mimalloc_owns(ptr) {
                return MiMalloc.realloc(ptr, layout, new_size);
            }
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let new = MiMalloc.alloc(new_layout);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                System.dealloc(ptr, layout);
            }
            new
        }
    }
}

/// mimalloc's defaults suit long-running servers; a check is a process of a few milliseconds
/// (docs/performance.md, "Start-up"). Two options change that, set before
/// the first allocation: a first arena of 64 MiB instead of 1 GiB (its bitmaps are ~40 pages
/// to zero at start-up; larger runs reserve more arenas as they need them), and no collection
/// at exit (mimalloc's exit handler returns memory page by page with `madvise`, ~40 system
/// calls, just before the process ends and the kernel takes all of it at once). Set in every
/// executable that links this library.
#[cfg(all(target_os = "linux", not(feature = "system-alloc")))]
mod options {
    use std::ffi::{c_int, c_long};

    // `mi_option_t` of the mimalloc 3 that libmimalloc-sys 0.1.49 builds (include/mimalloc.h);
    // the Rust bindings name only the older options. tests/it/startup.rs reads the values back
    // by name from mimalloc's verbose output.
    const DESTROY_ON_EXIT: c_int = 22;
    const ARENA_RESERVE: c_int = 23;

    unsafe extern "C" {
        fn mi_option_set(option: c_int, value: c_long);
    }

    extern "C" fn set() {
        // SAFETY: plain stores into mimalloc's option table; valid before its initialisation.
        unsafe {
            // 2: `_mi_auto_process_done` returns at once (1 would release everything).
            mi_option_set(DESTROY_ON_EXIT, 2);
            // In KiB.
            mi_option_set(ARENA_RESERVE, 64 * 1024);
        }
    }

    /// Runs with the other ELF constructors, before the Rust runtime's first allocation.
    #[used]
    #[unsafe(link_section = ".init_array")]
    static SET: extern "C" fn() = set;
}
