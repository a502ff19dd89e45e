//! The binary: parse arguments, run, map the outcome to an exit code. A broken pipe
//! (`ogel-schema diagram | head`) is success, as in ripgrep and ruff.

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use ogel_schema::cli::{self, Cli, EXIT_CLEAN, EXIT_ERROR};

/// glibc's malloc for small jobs, mimalloc for large ones ([`ogel_schema::alloc`]).
#[global_allocator]
static GLOBAL: ogel_schema::alloc::Hybrid = ogel_schema::alloc::Hybrid;

fn main() -> ExitCode {
    ogel_schema::par::on_large_job(ogel_schema::alloc::large_job);
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

#[cfg(all(test, not(feature = "system-alloc")))]
mod tests {
    use ogel_schema::alloc;

    /// Blocks made before the switch are grown, read and freed correctly after it, whichever
    /// allocator made them; new ones come from mimalloc. (This test binary allocates through
    /// `Hybrid` too, so everything else it does crosses the switch as well.)
    #[test]
    fn blocks_cross_the_switch_to_mimalloc() {
        let before: Vec<Vec<u64>> = (0..64).map(|i| (0..i * 37).collect()).collect();
        let mut strings: Vec<String> = (0..64).map(|i| "x".repeat(i * 101)).collect();
        let mut boxed = Box::new([7u8; 3000]);
        assert!(!alloc::mimalloc_owns(boxed.as_mut_ptr()));
        alloc::large_job();
        for (i, s) in strings.iter_mut().enumerate() {
            s.push_str(&"y".repeat(5000 + i));
            assert!(s.starts_with(&"x".repeat(i * 101)));
        }
        boxed[2999] = 8;
        let mut after: Vec<Vec<u64>> = (0..64).map(|i| (0..i * 53).collect()).collect();
        assert!(alloc::mimalloc_owns(after[63].as_mut_ptr().cast()));
        assert!(!alloc::mimalloc_owns(boxed.as_mut_ptr()));
        assert!(
            alloc::mimalloc_owns(strings[63].as_mut_ptr()),
            "grown after the switch"
        );
        for (i, v) in before.into_iter().enumerate() {
            let mut v = v;
            v.extend(0..1000);
            assert_eq!(v.len(), i * 37 + 1000);
            v.shrink_to_fit();
        }
        assert_eq!(after[63].len(), 63 * 53);
        assert_eq!(boxed[0], 7);
        assert_eq!(boxed[2999], 8);
        drop(strings);
    }
}
