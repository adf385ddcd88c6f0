//! The `chaff` command line: a thin layer over the library.

use std::fs;
use std::io::{self, BufRead, BufReader, BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use linfa::ParamGuard;
use rayon::prelude::*;

use chaff::clean::{kept_lines, CleanOptions};
use chaff::crossval::{
    by_layout, few_shot, leave_one_layout_out, FewShot, FewShotPoint, FoldResult,
};
use chaff::eval::{evaluate, Evaluation};
use chaff::labeled::{self, read_corpus};
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
    #[arg(long, value_name = "NAME", default_value = "text")]
    text_field: String,
    /// With --jsonl: the field the cleaned text is written to.
    #[arg(long, value_name = "NAME", default_value = "clean")]
    clean_field: String,
    /// With --jsonl: what to do with a malformed record: stop with an error, or skip it and
    /// report the count on standard error.
    #[arg(long, value_name = "WHAT", default_value = "stop", value_parser = ["stop", "skip"])]
    on_error: String,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
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
        let mut builder = rayon::ThreadPoolBuilder::new();
        if let Some(n) = self.threads {
            if n == 0 {
                bail!("--threads must be at least 1");
            }
            builder = builder.num_threads(n);
        }
        Ok(builder.build()?)
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
    /// How many times each --focus page counts.
    #[arg(long, value_name = "N", default_value_t = 10)]
    focus_weight: usize,
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
    #[arg(long, value_name = "N", default_value_t = 10)]
    focus_weight: usize,
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
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Label(args) => run_label(args),
        Command::Clean(args) => run_clean(args),
        Command::Train(args) => run_train(args),
        Command::Eval(args) => run_eval(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A closed pipe (e.g. `chaff clean big.txt | head`) is not an error worth a message.
            if let Some(io) = err.downcast_ref::<io::Error>() {
                if io.kind() == io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
            }
            eprintln!("chaff: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn load_labeler(model: &Option<PathBuf>) -> Result<Labeler> {
    Ok(match model {
        Some(path) => Labeler::new(Model::load(path)?),
        None => Labeler::builtin(),
    })
}

fn read_input(file: &Path) -> Result<Vec<u8>> {
    let name = file.display().to_string();
    if name == "-" {
        let mut buf = Vec::new();
        io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| chaff::Error::io("-", e))?;
        Ok(buf)
    } else {
        Ok(fs::read(file).map_err(|e| chaff::Error::io(&name, e))?)
    }
}

/// How many files are read and labeled at once; output keeps argument order.
const FILES_PER_BATCH: usize = 64;

/// Runs `render` on every input page (a file, or standard input), in parallel batches, and
/// writes each page's output in argument order to standard output or to `--out-dir`.
fn for_each_page(
    input: &PageInput,
    out_extension: Option<&str>,
    render: impl Fn(&[&str], &mut Vec<u8>) -> Result<()> + Sync,
) -> Result<()> {
    let files = input.files();
    if let Some(dir) = &input.out_dir {
        fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
        for file in &files {
            out_path(dir, file, out_extension)?;
        }
    }
    let pool = input.pool()?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let progress = input.progress(None);
    for batch in files.chunks(FILES_PER_BATCH) {
        let outputs: Vec<Result<Vec<u8>>> = pool.install(|| {
            batch
                .par_iter()
                .map(|file| {
                    let bytes = read_input(file)?;
                    let page = text::decode(&bytes, &file.display().to_string())?;
                    let lines = text::page_lines(page);
                    let mut buf = Vec::with_capacity(bytes.len() + lines.len() * 8);
                    render(&lines, &mut buf)?;
                    progress.inc(bytes.len() as u64);
                    Ok(buf)
                })
                .collect()
        });
        for (file, output) in batch.iter().zip(outputs) {
            let output = output?;
            match &input.out_dir {
                Some(dir) => {
                    let target = out_path(dir, file, out_extension)?;
                    fs::write(&target, &output)
                        .map_err(|e| chaff::Error::io(target.display().to_string(), e))?;
                }
                None => out.write_all(&output)?,
            }
        }
    }
    progress.finish_and_clear();
    out.flush()?;
    Ok(())
}

/// Records read and processed at once; memory stays bounded by this many pages.
const RECORDS_PER_BATCH: usize = 1024;

/// Streams JSONL pages: records are read in bounded batches, processed in parallel and written
/// in input order.
fn for_each_record(
    input: &PageInput,
    with_lines: bool,
    opts: &CleanOptions,
    labeler: &Labeler,
) -> Result<()> {
    if input.out_dir.is_some() {
        bail!("--out-dir does not go with --jsonl: records are written to standard output");
    }
    let fields = jsonl::Fields {
        text: input.text_field.clone(),
        clean: input.clean_field.clone(),
        ..jsonl::Fields::default()
    };
    let skip = input.on_error == "skip";
    let pool = input.pool()?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut skipped = 0u64;
    for file in input.files() {
        let name = file.display().to_string();
        let reader: Box<dyn BufRead> = if name == "-" {
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
        let mut lines = reader.split(b'\n');
        let mut record_no = 0usize;
        loop {
            let mut batch: Vec<(usize, Vec<u8>)> = Vec::with_capacity(RECORDS_PER_BATCH);
            for line in lines.by_ref() {
                let line = line.map_err(|e| chaff::Error::io(&name, e))?;
                record_no += 1;
                progress.inc(line.len() as u64 + 1);
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                batch.push((record_no, line));
                if batch.len() == RECORDS_PER_BATCH {
                    break;
                }
            }
            if batch.is_empty() {
                break;
            }
            let results: Vec<Result<String, String>> = pool.install(|| {
                batch
                    .par_iter()
                    .map(|(_, bytes)| {
                        let line = std::str::from_utf8(bytes).map_err(|e| {
                            format!("invalid UTF-8 at byte {} of the record", e.valid_up_to())
                        })?;
                        let record = jsonl::parse_record(line.trim_end_matches('\r'), &fields)?;
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
                            eprintln!("chaff: {name}: record {no}: {message} (skipped)")
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
        eprintln!("chaff: skipped {skipped} malformed record(s)");
    }
    Ok(())
}

/// Where `--out-dir` puts the output for `file`: its name, with `extension` when given (labeled
/// pages become `.tsv`, ready for `chaff train`).
fn out_path(dir: &Path, file: &Path, extension: Option<&str>) -> Result<PathBuf> {
    match file.file_name() {
        Some(name) if file.as_os_str() != "-" => Ok(match extension {
            Some(ext) => dir.join(name).with_extension(ext),
            None => dir.join(name),
        }),
        _ => bail!("--out-dir needs named input files, not standard input"),
    }
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
        return for_each_record(&args.input, true, &CleanOptions::new(), &labeler);
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
        return for_each_record(&args.input, false, &opts, &labeler);
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
    fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    for file in input.files() {
        out_path(dir, &file, None)?;
        let bytes = read_input(&file)?;
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
        let stem = file
            .file_stem()
            .map_or_else(Default::default, |s| s.to_string_lossy());
        let ext = file
            .extension()
            .map_or_else(String::new, |e| format!(".{}", e.to_string_lossy()));
        for (lang, text) in by_lang {
            let target = dir.join(format!("{stem}.{lang}{ext}"));
            fs::write(&target, text)
                .map_err(|e| chaff::Error::io(target.display().to_string(), e))?;
        }
    }
    Ok(())
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
    let pages = with_focus(&base, &focus, args.focus_weight);
    let (model, seconds) = fit_timed(&params, start.as_ref(), &pages)?;
    model.save(&args.output)?;
    let t = &model.training;
    eprintln!(
        "trained on {} pages, {} lines in {:.1}s -> {}",
        t.pages,
        t.lines_per_class.iter().sum::<usize>(),
        seconds,
        args.output.display()
    );
    for c in Class::ALL {
        eprintln!("  {:<10} {:>7}", c.as_str(), t.lines_per_class[c.index()]);
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
    let eval: Evaluation = evaluate(&labeler, &pages);
    let report = eval.report();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{report}");
        if args.pages {
            println!();
            print!("{}", report.pages_table());
        }
    }
    Ok(())
}

fn run_cross_validation(args: &EvalArgs, pages: &[chaff::labeled::LabeledPage]) -> Result<()> {
    if args.model.is_some() {
        bail!("--cv trains its own models; it takes no --model");
    }
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let params = TrainParams::default().check()?;
    let (folds, pooled) = match args.cv {
        Some(_) => {
            let (folds, pooled) = leave_one_layout_out(pages, &params, threads)?;
            (folds, Some(pooled.report()))
        }
        None => (Vec::new(), None),
    };
    let few = match args.few_shot {
        Some(k) => {
            let names: Vec<String> = by_layout(pages).keys().map(|s| s.to_string()).collect();
            let chosen: Vec<String> = if args.few_shot_layout.is_empty() {
                let step = (names.len() / args.few_shot_layouts.max(1)).max(1);
                names
                    .into_iter()
                    .step_by(step)
                    .take(args.few_shot_layouts)
                    .collect()
            } else {
                if let Some(unknown) = args.few_shot_layout.iter().find(|l| !names.contains(l)) {
                    bail!("--few-shot-layout {unknown}: no such layout (folder) in the corpus");
                }
                args.few_shot_layout.clone()
            };
            let shots = FewShot {
                max_shots: k,
                focus_weight: args.focus_weight,
                warm_start: args.warm_start,
            };
            few_shot(pages, &chosen, &shots, &params, threads)?
        }
        None => Vec::new(),
    };
    if args.json {
        let out = serde_json::json!({ "folds": folds, "pooled": pooled, "few_shot": few });
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    if let Some(pooled) = &pooled {
        print_folds(&folds, pages.len(), pooled);
    }
    if !few.is_empty() {
        print_few_shot(&few);
    }
    Ok(())
}

fn print_folds(folds: &[FoldResult], pages: usize, pooled: &chaff::eval::Report) {
    println!(
        "leave-one-layout-out: {} layouts, {pages} pages",
        folds.len()
    );
    println!();
    println!("layout                        pages  macro-F1  body-F1  exact  train-s");
    for f in folds {
        println!(
            "{:<29} {:>5} {:>9.3} {:>8.3} {:>6.2} {:>8.1}",
            f.layout, f.pages, f.macro_f1, f.body_f1, f.exact_page_share, f.train_seconds
        );
    }
    let mean = folds.iter().map(|f| f.macro_f1).sum::<f64>() / folds.len().max(1) as f64;
    println!();
    println!("mean macro-F1 over layouts  {mean:.3}");
    println!();
    println!("all held-out pages pooled:");
    print!("{pooled}");
}

fn print_few_shot(few: &[FewShotPoint]) {
    println!();
    println!("few-shot: k pages of a held-out layout added to training, scored on its other pages");
    println!("layout                        k  macro-F1  body-F1  train-s");
    for p in few {
        println!(
            "{:<29} {:>1} {:>9.3} {:>8.3} {:>8.1}",
            p.layout, p.shots, p.macro_f1, p.body_f1, p.train_seconds
        );
    }
    let max_k = few.iter().map(|p| p.shots).max().unwrap_or(0);
    println!();
    for k in 0..=max_k {
        let at: Vec<&FewShotPoint> = few.iter().filter(|p| p.shots == k).collect();
        let n = at.len().max(1) as f64;
        println!(
            "k={k}  mean macro-F1 {:.3}  mean body-F1 {:.3}  mean train {:.1}s",
            at.iter().map(|p| p.macro_f1).sum::<f64>() / n,
            at.iter().map(|p| p.body_f1).sum::<f64>() / n,
            at.iter().map(|p| p.train_seconds).sum::<f64>() / n
        );
    }
}
