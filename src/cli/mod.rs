//! The `chaff` command line: flags in one table (`args`), pages from files (`pages`) or JSONL
//! streams (`records`), written to standard output or files (`output`), and the commands
//! (`commands`), over the library.

mod args;
mod commands;
mod diff;
mod html_eval;
mod output;
mod pages;
mod records;
mod review;
mod warc;

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Parser;

use chaff::{Labeler, Model};

use args::{Cli, Command};

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help, version and usage errors: their text must reach its reader, or the exit says so.
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            return match err.print() {
                Ok(()) => ExitCode::from(code),
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(code),
                Err(e) => {
                    note(format_args!("chaff: cannot write the help text: {e}"));
                    ExitCode::FAILURE
                }
            };
        }
    };
    let result = match cli.command {
        Command::Label(args) => commands::label(args),
        Command::Clean(args) => commands::clean(args),
        Command::Train(args) => commands::train(args),
        Command::Eval(args) => commands::eval(args),
        Command::Sites(args::SitesCommand::Build(args)) => commands::sites_build(args),
        Command::Review(args) => review::review(args),
        Command::Diff(args) => diff::diff(args),
        Command::Info(args) => commands::info(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`chaff clean big.txt | head`) means the reader has all it wants.
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            note(format_args!("chaff: {err:#}"));
            ExitCode::FAILURE
        }
    }
}

/// Writes a message to standard error; a closed or failing standard error cannot be reported
/// anywhere, so it does not stop or crash the run.
pub(crate) fn note(message: std::fmt::Arguments) {
    let _ = writeln!(io::stderr().lock(), "{message}");
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let io = cause.downcast_ref::<io::Error>().or_else(|| {
            cause
                .downcast_ref::<chaff::Error>()
                .and_then(chaff::Error::io_error)
        });
        io.is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

/// Standard output, buffered, its errors naming it; refused when the shell closed it
/// (`chaff clean page.txt >&-`): Rust then quietly points it at `/dev/null`, and every page
/// would vanish with exit 0.
pub(crate) fn stdout() -> Result<BufWriter<Stdout>> {
    if stdout_was_closed() {
        bail!("standard output is closed: redirect it to a file (or use --out or --out-dir)");
    }
    Ok(BufWriter::new(Stdout(io::stdout().lock())))
}

/// Standard output whose write errors (`/dev/full`, a full disk) say it was standard output.
pub(crate) struct Stdout(io::StdoutLock<'static>);

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf).map_err(Stdout::named)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush().map_err(Stdout::named)
    }
}

impl Stdout {
    fn named(e: io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("standard output: {e}"))
    }
}

/// Whether standard output is the `/dev/null` that Rust's start-up opens read-write in place of
/// a closed descriptor; a shell's `> /dev/null` opens it write-only.
#[cfg(target_os = "linux")]
fn stdout_was_closed() -> bool {
    let is_null = fs::read_link("/proc/self/fd/1").is_ok_and(|p| p == Path::new("/dev/null"));
    is_null
        && fs::read_to_string("/proc/self/fdinfo/1").is_ok_and(|info| {
            info.lines()
                .find_map(|l| l.strip_prefix("flags:"))
                .and_then(|f| u32::from_str_radix(f.trim(), 8).ok())
                .is_some_and(|flags| flags & 0o3 == 0o2)
        })
}

#[cfg(not(target_os = "linux"))]
fn stdout_was_closed() -> bool {
    false
}

pub(crate) fn thread_pool(threads: Option<u16>) -> Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n.into());
    }
    Ok(builder.build()?)
}

pub(crate) fn load_labeler(model: &Option<PathBuf>) -> Result<Labeler> {
    Ok(match model {
        Some(path) => Labeler::new(Model::load(path)?),
        None => Labeler::builtin(),
    })
}
