//! The `chaff` command line: a thin layer over the library.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use linfa::ParamGuard;
use rayon::prelude::*;

use chaff::clean::{kept_lines, CleanOptions};
use chaff::crossval::{
    by_layout, check_few_shot, few_shot, leave_one_layout_out, FewShot, FewShotPoint, FoldResult,
};
use chaff::eval::{evaluate, Evaluation};
use chaff::labeled::{self, read_corpus, LabeledPage};
use chaff::language::PageLanguage;
use chaff::train::{fit_timed, with_focus, TrainParams, WARM_START_ITERATIONS};
use chaff::{jsonl, text, Class, Labeler, LineLabel, Model};

/// Separates the editorial text of scraped news pages from their chaff.
#[derive(Parser)]
#[command(name = "chaff", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Label every line: CLASS<TAB>LANG<TAB>TEXT, valid training input.
    Label(LabelArgs),
    /// Print only the editorial (body) lines, byte for byte.
    Clean(CleanArgs),
    /// Train a model on labeled pages.
    Train(TrainArgs),
    /// Score a model on labeled pages: per-class precision, recall and F1.
    Eval(EvalArgs),
}

#[derive(Args)]
struct PageInput {
    /// Page files, one page each; `-` or none reads one page from standard input.
    files: Vec<PathBuf>,
    /// Model file to use instead of the built-in model.
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// Write one output file per input file into DIR instead of standard output: same file name
    /// (with `label`, ending in .tsv, or .jsonl with --json).
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Input is JSONL: one page per line, a JSON object whose text field holds the page.
    #[arg(long)]
    jsonl: bool,
    /// With --jsonl: the field holding the page text.
    #[arg(long, value_name = "NAME", default_value = "text", requires = "jsonl")]
    text_field: String,
    /// With --jsonl: the field the cleaned text is written to.
    #[arg(long, value_name = "NAME", default_value = "clean", requires = "jsonl")]
    clean_field: String,
    /// With --jsonl: what to do with a malformed record: stop with an error, or skip it and
    /// report the count on standard error.
    #[arg(long, value_name = "WHAT", default_value = "stop", value_parser = ["stop", "skip"], requires = "jsonl")]
    on_error: String,
    /// The largest page read: a file, standard input or a JSONL record (with its JSON) larger
    /// than this is an error naming it (with --jsonl --on-error skip, the record is skipped).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_PAGE_BYTES, value_parser = clap::value_parser!(u64).range(1..))]
    max_page_bytes: u64,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS))]
    threads: Option<u16>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

impl PageInput {
    fn files(&self) -> Vec<PathBuf> {
        if self.files.is_empty() {
            vec![PathBuf::from("-")]
        } else {
            self.files.clone()
        }
    }

    fn pool(&self) -> Result<rayon::ThreadPool> {
        thread_pool(self.threads)
    }

    fn progress(&self, total_bytes: Option<u64>) -> ProgressBar {
        if self.quiet || !io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = match total_bytes {
            Some(n) => ProgressBar::new(n),
            None => ProgressBar::no_length(),
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {bytes}/{total_bytes} {binary_bytes_per_sec} {msg} [{elapsed_precise}]",
            )
            .expect("valid template"),
        );
        bar
    }
}

#[derive(Args)]
struct LabelArgs {
    #[command(flatten)]
    input: PageInput,
    /// One JSON object per line: class, language, probabilities, segments and text.
    #[arg(long)]
    json: bool,
    /// With --jsonl: the field the per-line labels are written to.
    #[arg(long, value_name = "NAME", default_value = "lines", requires = "jsonl")]
    lines_field: String,
}

#[derive(Args)]
struct CleanArgs {
    #[command(flatten)]
    input: PageInput,
    /// Keep only body lines in this language (ISO 639-3, e.g. eng, kor).
    #[arg(long, value_name = "LANG")]
    lang: Option<String>,
    /// Split each page's body lines by language: with --out-dir DIR, page `p.txt` becomes
    /// `DIR/p.eng.txt`, `DIR/p.kor.txt`, ... (one file per language present).
    #[arg(long, requires = "out_dir", conflicts_with_all = ["lang", "jsonl"])]
    split_languages: bool,
}

#[derive(Args)]
struct TrainArgs {
    /// Labeled `.tsv` pages or folders of them.
    #[arg(required = true)]
    corpus: Vec<PathBuf>,
    /// Where to write the model.
    #[arg(short, long, value_name = "MODEL")]
    output: PathBuf,
    /// Seed recorded in the model (training is deterministic).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// L2 penalty of the logistic regression.
    #[arg(long, default_value_t = 1.0)]
    alpha: f32,
    /// Iteration cap of the optimizer [default: 50, or 15 with --warm-start].
    #[arg(long, value_name = "N")]
    max_iterations: Option<u64>,
    /// Start from this model's weights instead of zeros (`builtin`: the compiled-in model);
    /// retraining with a few --focus pages then takes a few seconds.
    #[arg(long, value_name = "MODEL")]
    warm_start: Option<String>,
    /// Weight of class transitions in decoding.
    #[arg(long, default_value_t = 0.3)]
    transition_weight: f32,
    /// Labeled pages of a new site layout to weigh more than the rest of the corpus.
    #[arg(long, value_name = "PATH")]
    focus: Vec<PathBuf>,
    /// How many times each --focus page counts (1 to 1000).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=MAX_FOCUS_WEIGHT))]
    focus_weight: u16,
}

#[derive(Args)]
struct EvalArgs {
    /// Labeled `.tsv` pages or folders of them.
    #[arg(required = true)]
    corpus: Vec<PathBuf>,
    /// Model file to use instead of the built-in model.
    #[arg(long, value_name = "PATH")]
    model: Option<PathBuf>,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
    /// Also print one line per page.
    #[arg(long)]
    pages: bool,
    /// Cross-validate instead of scoring a model: `layout` trains without each layout (folder)
    /// in turn and scores the model on it.
    #[arg(long, value_name = "BY", value_parser = ["layout"])]
    cv: Option<String>,
    /// Retrain with 0..=K pages of held-out layouts (the few-shot curve); alone, or after
    /// --cv layout.
    #[arg(long, value_name = "K")]
    few_shot: Option<usize>,
    /// How many times each of the K pages counts in few-shot retraining (as `train --focus`).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=MAX_FOCUS_WEIGHT))]
    focus_weight: u16,
    /// In few-shot retraining, start from the k=0 model's weights, as `train --warm-start`.
    #[arg(long)]
    warm_start: bool,
    /// Layouts for the few-shot curve: this many, spread evenly over the layout names.
    #[arg(long, value_name = "N", default_value_t = 8)]
    few_shot_layouts: usize,
    /// A layout (folder name) for the few-shot curve, instead of the spread; repeatable.
    #[arg(long, value_name = "NAME")]
    few_shot_layout: Vec<String>,
    /// Threads for cross-validation folds.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS))]
    threads: Option<u16>,
}

/// The default of `--max-page-bytes`: far above any real page, well below this machine's memory.
const DEFAULT_MAX_PAGE_BYTES: u64 = 256 << 20;

/// The most worker threads `--threads` takes: more only adds memory and start-up time.
const MAX_THREADS: i64 = 256;

/// The most a `--focus-weight` page counts: each count is a copy of the page in training memory.
const MAX_FOCUS_WEIGHT: i64 = 1000;

fn main() -> ExitCode {
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
        Command::Label(args) => run_label(args),
        Command::Clean(args) => run_clean(args),
        Command::Train(args) => run_train(args),
        Command::Eval(args) => run_eval(args),
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
fn note(message: std::fmt::Arguments) {
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
fn stdout() -> Result<BufWriter<Stdout>> {
    if stdout_was_closed() {
        bail!("standard output is closed: redirect it to a file (or use --out-dir)");
    }
    Ok(BufWriter::new(Stdout(io::stdout().lock())))
}

/// Standard output whose write errors (`/dev/full`, a full disk) say it was standard output.
struct Stdout(io::StdoutLock<'static>);

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

fn thread_pool(threads: Option<u16>) -> Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n.into());
    }
    Ok(builder.build()?)
}

fn load_labeler(model: &Option<PathBuf>) -> Result<Labeler> {
    Ok(match model {
        Some(path) => Labeler::new(Model::load(path)?),
        None => Labeler::builtin(),
    })
}

/// Reads one page, refusing folders (with what to do instead) and pages over `max_bytes`
/// (so `/dev/zero` ends with a message, not with all memory).
fn read_input(file: &Path, max_bytes: u64) -> Result<Vec<u8>> {
    let name = file.display().to_string();
    let reader: Box<dyn Read> = if file.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        if fs::metadata(file).is_ok_and(|m| m.is_dir()) {
            bail!(
                "{name}: is a folder; give the page files in it (for example {}/*.txt)",
                name.trim_end_matches('/')
            );
        }
        Box::new(fs::File::open(file).map_err(|e| chaff::Error::io(&name, e))?)
    };
    let mut buf = Vec::new();
    reader
        .take(max_bytes + 1)
        .read_to_end(&mut buf)
        .map_err(|e| chaff::Error::io(&name, e))?;
    if buf.len() as u64 > max_bytes {
        bail!("{name}: the page is larger than --max-page-bytes ({max_bytes} bytes); raise the limit or split the page");
    }
    Ok(buf)
}

/// The inputs' bytes read and labeled at once, and the most files at once: outputs are held
/// until their batch is done, so both bound memory; output keeps argument order.
const BATCH_BYTES: u64 = 64 << 20;
const FILES_PER_BATCH: usize = 64;

/// Splits `files` into batches of at most [`FILES_PER_BATCH`] files and about [`BATCH_BYTES`]
/// bytes (a larger file is a batch of its own).
fn batches(files: &[PathBuf]) -> Vec<&[PathBuf]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, file) in files.iter().enumerate() {
        let size = fs::metadata(file).map_or(0, |m| m.len());
        if i > start && (i - start == FILES_PER_BATCH || bytes + size > BATCH_BYTES) {
            out.push(&files[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < files.len() {
        out.push(&files[start..]);
    }
    out
}

/// The files `--out-dir` writes, checked before anything is written: no two inputs may share
/// an output file, and no output may be an input.
struct OutputFiles {
    dir: PathBuf,
    inputs: HashMap<PathBuf, PathBuf>,
    claimed: HashMap<PathBuf, PathBuf>,
}

impl OutputFiles {
    fn new(dir: &Path, inputs: &[PathBuf]) -> Result<OutputFiles> {
        fs::create_dir_all(dir).map_err(|e| chaff::Error::io(dir.display().to_string(), e))?;
        let dir =
            fs::canonicalize(dir).map_err(|e| chaff::Error::io(dir.display().to_string(), e))?;
        let inputs = inputs
            .iter()
            .filter_map(|f| Some((fs::canonicalize(f).ok()?, f.clone())))
            .collect();
        Ok(OutputFiles {
            dir,
            inputs,
            claimed: HashMap::new(),
        })
    }

    /// Reserves `name` in the output folder for `input`'s output.
    fn claim(&mut self, input: &Path, name: OsString) -> Result<PathBuf> {
        let target = self.dir.join(name);
        if let Some(overwritten) = self.inputs.get(&target) {
            bail!(
                "{}: writing it would overwrite the input {}; choose another --out-dir",
                target.display(),
                overwritten.display()
            );
        }
        if let Some(other) = self.claimed.insert(target.clone(), input.to_path_buf()) {
            if other != input {
                bail!(
                    "{} and {} would both be written to {}; give them different names or --out-dir folders",
                    other.display(),
                    input.display(),
                    target.display()
                );
            }
        }
        Ok(target)
    }

    /// Reserves the output file of `input` under its own name, with `extension` when given.
    fn claim_for(&mut self, input: &Path, extension: Option<&str>) -> Result<PathBuf> {
        let name = output_name(input)?;
        let name = match extension {
            Some(ext) => Path::new(&name).with_extension(ext).into_os_string(),
            None => name,
        };
        self.claim(input, name)
    }
}

/// The file name an input's output is named after.
fn output_name(input: &Path) -> Result<OsString> {
    if input.as_os_str() == "-" {
        bail!("--out-dir needs named input files, not standard input");
    }
    match input.file_name() {
        Some(name) => Ok(name.to_os_string()),
        None => bail!(
            "{}: has no file name to name its output after; give the page file's path",
            input.display()
        ),
    }
}

/// Runs `render` on every input page (a file, or standard input), in parallel batches, and
/// writes each page's output in argument order to standard output or to `--out-dir`.
fn for_each_page(
    input: &PageInput,
    out_extension: Option<&str>,
    render: impl Fn(&[&str], &mut Vec<u8>) -> Result<()> + Sync,
) -> Result<()> {
    let files = input.files();
    let mut targets = Vec::new();
    if let Some(dir) = &input.out_dir {
        let mut outputs = OutputFiles::new(dir, &files)?;
        for file in &files {
            targets.push(outputs.claim_for(file, out_extension)?);
        }
    }
    let mut out = match input.out_dir {
        Some(_) => None,
        None => Some(stdout()?),
    };
    let pool = input.pool()?;
    let progress = input.progress(None);
    let mut done = 0;
    for batch in batches(&files) {
        let outputs: Vec<Result<Vec<u8>>> = pool.install(|| {
            batch
                .par_iter()
                .map(|file| {
                    let bytes = read_input(file, input.max_page_bytes)?;
                    let page = text::decode(&bytes, &file.display().to_string())?;
                    let lines = text::page_lines(page);
                    let mut buf = Vec::with_capacity(bytes.len() + lines.len() * 8);
                    render(&lines, &mut buf)?;
                    progress.inc(bytes.len() as u64);
                    Ok(buf)
                })
                .collect()
        });
        for output in outputs {
            let output = output?;
            match &mut out {
                None => {
                    let target = &targets[done];
                    fs::write(target, &output)
                        .map_err(|e| chaff::Error::io(target.display().to_string(), e))?;
                }
                Some(out) => out.write_all(&output)?,
            }
            done += 1;
        }
    }
    progress.finish_and_clear();
    if let Some(out) = &mut out {
        out.flush()?;
    }
    Ok(())
}

/// Records read and processed at once, and their bytes at most: memory stays bounded by the
/// batch whatever the stream's length (a record larger than the byte budget is a batch alone).
const RECORDS_PER_BATCH: usize = 1024;
const RECORD_BATCH_BYTES: usize = 64 << 20;

/// One JSONL line as read: its bytes, or how long it was when over the page size cap.
enum RawRecord {
    Line(Vec<u8>),
    TooLong(u64),
}

/// Reads the next line (without its `\n`), keeping at most `max_bytes` of it.
fn read_record(reader: &mut dyn BufRead, max_bytes: u64) -> io::Result<Option<RawRecord>> {
    let mut line = Vec::new();
    let mut length = 0u64;
    let mut any = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (part, ends) = match chunk.iter().position(|&b| b == b'\n') {
            Some(at) => (&chunk[..at], true),
            None => (chunk, false),
        };
        length += part.len() as u64;
        if length <= max_bytes {
            line.extend_from_slice(part);
        } else if !line.is_empty() {
            line = Vec::new();
        }
        let used = part.len() + usize::from(ends);
        reader.consume(used);
        if ends {
            break;
        }
    }
    Ok(match (any, length > max_bytes) {
        (false, _) => None,
        (true, false) => Some(RawRecord::Line(line)),
        (true, true) => Some(RawRecord::TooLong(length)),
    })
}

/// Streams JSONL pages: records are read in bounded batches, processed in parallel and written
/// in input order.
fn for_each_record(
    input: &PageInput,
    lines_field: Option<&str>,
    opts: &CleanOptions,
    labeler: &Labeler,
) -> Result<()> {
    if input.out_dir.is_some() {
        bail!("--out-dir does not go with --jsonl: records are written to standard output");
    }
    let with_lines = lines_field.is_some();
    let fields = jsonl::Fields {
        text: input.text_field.clone(),
        clean: input.clean_field.clone(),
        lines: lines_field.unwrap_or("lines").to_string(),
    };
    if fields.clean == fields.lines && with_lines {
        bail!(
            "--clean-field and --lines-field name the same field {:?}",
            fields.clean
        );
    }
    let skip = input.on_error == "skip";
    let pool = input.pool()?;
    let mut out = stdout()?;
    let mut skipped = 0u64;
    for file in input.files() {
        let name = file.display().to_string();
        if fs::metadata(&file).is_ok_and(|m| m.is_dir()) {
            bail!("{name}: is a folder; give the JSONL files in it");
        }
        let mut reader: Box<dyn BufRead> = if name == "-" {
            Box::new(io::stdin().lock())
        } else {
            Box::new(BufReader::new(
                fs::File::open(&file).map_err(|e| chaff::Error::io(&name, e))?,
            ))
        };
        let size = fs::metadata(&file)
            .ok()
            .filter(|m| m.is_file())
            .map(|m| m.len());
        let progress = input.progress(size);
        let mut record_no = 0usize;
        loop {
            let mut batch: Vec<(usize, Result<Vec<u8>, String>)> = Vec::new();
            let mut batch_bytes = 0;
            while batch.len() < RECORDS_PER_BATCH && batch_bytes < RECORD_BATCH_BYTES {
                let Some(record) = read_record(&mut reader, input.max_page_bytes)
                    .map_err(|e| chaff::Error::io(&name, e))?
                else {
                    break;
                };
                record_no += 1;
                let line = match record {
                    RawRecord::Line(mut line) => {
                        progress.inc(line.len() as u64 + 1);
                        if record_no == 1 && line.starts_with(b"\xEF\xBB\xBF") {
                            line.drain(..3);
                        }
                        if line.iter().all(u8::is_ascii_whitespace) {
                            continue;
                        }
                        batch_bytes += line.len();
                        Ok(line)
                    }
                    RawRecord::TooLong(length) => {
                        progress.inc(length + 1);
                        Err(format!(
                            "the record is {length} bytes, larger than --max-page-bytes ({})",
                            input.max_page_bytes
                        ))
                    }
                };
                batch.push((record_no, line));
            }
            if batch.is_empty() {
                break;
            }
            let results: Vec<Result<String, String>> = pool.install(|| {
                batch
                    .par_iter()
                    .map(|(_, bytes)| {
                        let bytes = bytes.as_ref().map_err(Clone::clone)?;
                        let line = std::str::from_utf8(bytes).map_err(|e| {
                            format!(
                                "invalid UTF-8 at byte {} of the record{}",
                                e.valid_up_to(),
                                text::not_utf8_hint(bytes)
                            )
                        })?;
                        let record = jsonl::parse_record(line, &fields, with_lines)?;
                        Ok(jsonl::process(record, labeler, opts, &fields, with_lines))
                    })
                    .collect()
            });
            for ((no, _), result) in batch.iter().zip(results) {
                match result {
                    Ok(json) => {
                        out.write_all(json.as_bytes())?;
                        out.write_all(b"\n")?;
                    }
                    Err(message) if skip => {
                        skipped += 1;
                        progress.suspend(|| {
                            note(format_args!(
                                "chaff: {name}: record {no}: {message} (skipped)"
                            ))
                        });
                    }
                    Err(message) => bail!("{name}: record {no}: {message}"),
                }
            }
        }
        progress.finish_and_clear();
    }
    out.flush()?;
    if skipped > 0 {
        note(format_args!("chaff: skipped {skipped} malformed record(s)"));
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct JsonLine<'a> {
    class: Class,
    lang: &'a str,
    probs: Probabilities,
    segments: Vec<chaff::language::Segment>,
    text: &'a str,
}

#[derive(serde::Serialize)]
struct Probabilities {
    body: f32,
    chrome: f32,
    copyright: f32,
    byline: f32,
    related: f32,
}

impl From<&LineLabel> for Probabilities {
    fn from(l: &LineLabel) -> Self {
        let round = |v: f32| (v * 10000.0).round() / 10000.0;
        Probabilities {
            body: round(l.probs[0]),
            chrome: round(l.probs[1]),
            copyright: round(l.probs[2]),
            byline: round(l.probs[3]),
            related: round(l.probs[4]),
        }
    }
}

fn run_label(args: LabelArgs) -> Result<()> {
    let labeler = load_labeler(&args.input.model)?;
    if args.input.jsonl {
        let lines_field = Some(args.lines_field.as_str());
        return for_each_record(&args.input, lines_field, &CleanOptions::new(), &labeler);
    }
    let extension = if args.json { "jsonl" } else { "tsv" };
    for_each_page(&args.input, Some(extension), |lines, out| {
        let (labels, page): (Vec<LineLabel>, PageLanguage) = labeler.label_with_language(lines);
        for (line, label) in lines.iter().zip(&labels) {
            if args.json {
                let obj = JsonLine {
                    class: label.class,
                    lang: label.lang,
                    probs: label.into(),
                    segments: page.segments(line),
                    text: line,
                };
                serde_json::to_writer(&mut *out, &obj)?;
                out.write_all(b"\n")?;
            } else {
                labeled::write_line(out, label.class, label.lang, line)?;
            }
        }
        Ok(())
    })
}

fn run_clean(args: CleanArgs) -> Result<()> {
    let labeler = load_labeler(&args.input.model)?;
    let mut opts = CleanOptions::new();
    if let Some(lang) = &args.lang {
        if !labeled::is_lang_code(lang) {
            bail!("--lang {lang:?}: expected an ISO 639-3 code such as eng or kor");
        }
        opts = opts.lang(lang.clone());
    }
    if args.input.jsonl {
        return for_each_record(&args.input, None, &opts, &labeler);
    }
    if args.split_languages {
        return split_languages(&args.input, &labeler);
    }
    for_each_page(&args.input, None, |lines, out| {
        let labels = labeler.label(lines);
        for line in kept_lines(lines, &labels, &opts) {
            out.write_all(line.as_bytes())?;
            out.write_all(b"\n")?;
        }
        Ok(())
    })
}

/// Writes each page's body lines into one file per language under `--out-dir`.
fn split_languages(input: &PageInput, labeler: &Labeler) -> Result<()> {
    let dir = input.out_dir.as_ref().expect("clap requires --out-dir");
    let files = input.files();
    let mut outputs = OutputFiles::new(dir, &files)?;
    for file in &files {
        output_name(file)?;
    }
    for file in &files {
        let bytes = read_input(file, input.max_page_bytes)?;
        let page = text::decode(&bytes, &file.display().to_string())?;
        let lines = text::page_lines(page);
        let labels = labeler.label(&lines);
        let mut by_lang: std::collections::BTreeMap<&str, Vec<u8>> = Default::default();
        for (line, label) in lines.iter().zip(&labels) {
            if label.class == Class::Body {
                let out = by_lang.entry(label.lang).or_default();
                out.extend_from_slice(line.as_bytes());
                out.push(b'\n');
            }
        }
        for (lang, text) in by_lang {
            let target = outputs.claim(file, language_file_name(file, lang))?;
            fs::write(&target, text)
                .map_err(|e| chaff::Error::io(target.display().to_string(), e))?;
        }
    }
    Ok(())
}

/// `page.txt` → `page.eng.txt`, keeping names that are not UTF-8 as they are.
fn language_file_name(file: &Path, lang: &str) -> OsString {
    let mut name = file.file_stem().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(lang);
    if let Some(ext) = file.extension() {
        name.push(".");
        name.push(ext);
    }
    name
}

fn run_train(args: TrainArgs) -> Result<()> {
    let start = match args.warm_start.as_deref() {
        None => None,
        Some("builtin") => Some(Model::builtin()),
        Some(path) => Some(Model::load(Path::new(path))?),
    };
    let default_iterations = if start.is_some() {
        WARM_START_ITERATIONS
    } else {
        TrainParams::default().check()?.max_iterations()
    };
    let params = TrainParams::default()
        .alpha(args.alpha)
        .max_iterations(args.max_iterations.unwrap_or(default_iterations))
        .transition_weight(args.transition_weight)
        .seed(args.seed)
        .check()?;
    let base = read_corpus(&args.corpus)?;
    let focus = read_corpus(&args.focus)?;
    if base.is_empty() && focus.is_empty() {
        bail!("no labeled pages (*.tsv) found in the corpus");
    }
    let pages = with_focus(&base, &focus, args.focus_weight.into());
    let (model, seconds) = fit_timed(&params, start.as_ref(), &pages)?;
    model.save(&args.output)?;
    let t = &model.training;
    note(format_args!(
        "trained on {} pages, {} lines in {:.1}s -> {}",
        t.pages,
        t.lines_per_class.iter().sum::<usize>(),
        seconds,
        args.output.display()
    ));
    for c in Class::ALL {
        note(format_args!(
            "  {:<10} {:>7}",
            c.as_str(),
            t.lines_per_class[c.index()]
        ));
    }
    Ok(())
}

fn run_eval(args: EvalArgs) -> Result<()> {
    let pages = read_corpus(&args.corpus)?;
    if pages.is_empty() {
        bail!("no labeled pages (*.tsv) found");
    }
    if args.cv.is_some() || args.few_shot.is_some() {
        return run_cross_validation(&args, &pages);
    }
    let labeler = load_labeler(&args.model)?;
    let mut out = stdout()?;
    let eval: Evaluation = evaluate(&labeler, &pages);
    let report = eval.report();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write!(out, "{report}")?;
        if args.pages {
            writeln!(out)?;
            write!(out, "{}", report.pages_table())?;
        }
    }
    out.flush()?;
    Ok(())
}

fn run_cross_validation(args: &EvalArgs, pages: &[LabeledPage]) -> Result<()> {
    if args.model.is_some() {
        bail!("--cv trains its own models; it takes no --model");
    }
    let mut out = stdout()?;
    let threads = args.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        usize::from,
    );
    let params = TrainParams::default().check()?;
    // The few-shot layouts are chosen and checked first, so a corpus that cannot give the curve
    // says so before the leave-one-layout-out folds have trained for minutes.
    let few_shot_layouts = match args.few_shot {
        Some(k) => {
            let chosen = few_shot_layouts(args, pages, k)?;
            check_few_shot(pages, &chosen, k)?;
            Some((k, chosen))
        }
        None => None,
    };
    let (folds, pooled) = match args.cv {
        Some(_) => {
            let (folds, pooled) = leave_one_layout_out(pages, &params, threads)?;
            (folds, Some(pooled.report()))
        }
        None => (Vec::new(), None),
    };
    let few = match few_shot_layouts {
        Some((k, chosen)) => {
            let shots = FewShot {
                max_shots: k,
                focus_weight: args.focus_weight.into(),
                warm_start: args.warm_start,
            };
            few_shot(pages, &chosen, &shots, &params, threads)?
        }
        None => Vec::new(),
    };
    if args.json {
        let json = serde_json::json!({ "folds": folds, "pooled": pooled, "few_shot": few });
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
    } else {
        if let Some(pooled) = &pooled {
            print_folds(&mut out, &folds, pages.len(), pooled)?;
        }
        if !few.is_empty() {
            print_few_shot(&mut out, &few)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The layouts the few-shot curve holds out: those named with `--few-shot-layout`, or
/// `--few-shot-layouts` of them spread evenly over the layouts with enough pages for `k` shots
/// and one page to score.
fn few_shot_layouts(args: &EvalArgs, pages: &[LabeledPage], k: usize) -> Result<Vec<String>> {
    let groups = by_layout(pages);
    if !args.few_shot_layout.is_empty() {
        if let Some(unknown) = args
            .few_shot_layout
            .iter()
            .find(|l| !groups.contains_key(l.as_str()))
        {
            bail!("--few-shot-layout {unknown}: no such layout (folder) in the corpus");
        }
        return Ok(args.few_shot_layout.clone());
    }
    let large_enough: Vec<String> = groups
        .iter()
        .filter(|(_, own)| own.len() > k)
        .map(|(name, _)| name.to_string())
        .collect();
    if large_enough.is_empty() {
        let (largest, own) = groups
            .iter()
            .max_by_key(|(_, own)| own.len())
            .expect("a corpus has pages");
        bail!(
            "--few-shot {k}: no layout has the {} pages it needs ({k} to train on, 1 to score); \
             the largest, {largest:?}, has {}",
            k + 1,
            own.len()
        );
    }
    let step = (large_enough.len() / args.few_shot_layouts.max(1)).max(1);
    Ok(large_enough
        .into_iter()
        .step_by(step)
        .take(args.few_shot_layouts)
        .collect())
}

fn print_folds(
    out: &mut dyn Write,
    folds: &[FoldResult],
    pages: usize,
    pooled: &chaff::eval::Report,
) -> io::Result<()> {
    writeln!(
        out,
        "leave-one-layout-out: {} layouts, {pages} pages",
        folds.len()
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "layout                        pages  macro-F1  body-F1  exact  train-s"
    )?;
    for f in folds {
        writeln!(
            out,
            "{:<29} {:>5} {:>9.3} {:>8.3} {:>6.2} {:>8.1}",
            f.layout, f.pages, f.macro_f1, f.body_f1, f.exact_page_share, f.train_seconds
        )?;
    }
    let mean = folds.iter().map(|f| f.macro_f1).sum::<f64>() / folds.len().max(1) as f64;
    writeln!(out)?;
    writeln!(out, "mean macro-F1 over layouts  {mean:.3}")?;
    writeln!(out)?;
    writeln!(out, "all held-out pages pooled:")?;
    write!(out, "{pooled}")
}

fn print_few_shot(out: &mut dyn Write, few: &[FewShotPoint]) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "few-shot: k pages of a held-out layout added to training, scored on its other pages"
    )?;
    writeln!(
        out,
        "layout                        k  macro-F1  body-F1  train-s"
    )?;
    for p in few {
        writeln!(
            out,
            "{:<29} {:>1} {:>9.3} {:>8.3} {:>8.1}",
            p.layout, p.shots, p.macro_f1, p.body_f1, p.train_seconds
        )?;
    }
    let max_k = few.iter().map(|p| p.shots).max().unwrap_or(0);
    writeln!(out)?;
    for k in 0..=max_k {
        let at: Vec<&FewShotPoint> = few.iter().filter(|p| p.shots == k).collect();
        let n = at.len().max(1) as f64;
        writeln!(
            out,
            "k={k}  mean macro-F1 {:.3}  mean body-F1 {:.3}  mean train {:.1}s",
            at.iter().map(|p| p.macro_f1).sum::<f64>() / n,
            at.iter().map(|p| p.body_f1).sum::<f64>() / n,
            at.iter().map(|p| p.train_seconds).sum::<f64>() / n
        )?;
    }
    Ok(())
}
