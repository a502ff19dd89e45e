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
