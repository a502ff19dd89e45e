//! The binary: parse arguments, run, map the outcome to an exit code. A broken pipe
//! (`ogel-schema diagram | head`) is success, as in ripgrep and ruff.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use ogel_schema::cli::{self, Cli, EXIT_CLEAN, EXIT_ERROR};

/// mimalloc: the model is millions of small strings and vectors; glibc's malloc took ~15% of
/// a run on the synthetic corpus (docs/performance.md).
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's defaults suit long-running servers; a check is a process of a few milliseconds
/// (docs/performance.md, "Start-up"). Two options change that, set before
/// the first allocation: a first arena of 64 MiB instead of 1 GiB (its bitmaps are ~40 pages
/// to zero at start-up; larger runs reserve more arenas as they need them), and no collection
/// at exit (mimalloc's exit handler returns memory page by page with `madvise`, ~40 system
/// calls, just before the process ends and the kernel takes all of it at once).
#[cfg(all(not(feature = "system-alloc"), target_os = "linux"))]
mod allocator_options {
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

fn main() -> ExitCode {
    let args = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = std::io::stderr();
    let result = cli::run(args, &mut out, &mut err);
    let flushed = out.flush();
    match result {
        Ok(code) => match flushed {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                let _ = writeln!(err, "ogel-schema: cannot write output: {e}");
                ExitCode::from(EXIT_ERROR)
            }
            _ => ExitCode::from(code),
        },
        Err(cli::CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::from(EXIT_CLEAN)
        }
        Err(e) => {
            let _ = writeln!(err, "{:?}", miette::Report::new(e));
            ExitCode::from(EXIT_ERROR)
        }
    }
}
