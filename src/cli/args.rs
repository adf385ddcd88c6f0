//! Every flag of the command line, declared once.

use std::io::{self, IsTerminal};
use std::path::PathBuf;

use anyhow::Result;
use chaff::html::{encoding_for_label, Encoding};
use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use super::thread_pool;

/// Separates the editorial text of scraped news pages from their chaff.
#[derive(Parser)]
#[command(name = "chaff", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Label every line: CLASS<TAB>LANG<TAB>TEXT, valid training input.
    Label(LabelArgs),
    /// Print only the editorial (body) lines, byte for byte.
    Clean(CleanArgs),
    /// Train a model on labeled pages.
    Train(TrainArgs),
    /// Score a model on labeled pages: per-class precision, recall and F1.
    Eval(EvalArgs),
    /// Correct labeled pages in place, least confident lines first, one answer a line on stdin.
    ///
    /// Identical lines across the pages are asked about once; `--list` prints the order.
    Review(ReviewArgs),
    /// Print the lines two models label differently: PAGE:LINE<TAB>A<TAB>B<TAB>TEXT.
    Diff(DiffArgs),
    /// Site memory: count what a site's pages share, for labeling streams later.
    #[command(subcommand)]
    Sites(SitesCommand),
    /// Describe a model: versions, provenance (chaff version, corpus digest, focus, warm
    /// start, hyper-parameters) and sizes.
    Info(InfoArgs),
}

#[derive(Subcommand)]
pub(crate) enum SitesCommand {
    /// Count the lines (and HTML structure paths) each site's pages share and write them as
    /// a site profile, for `label`/`clean --site-profile` on pages that cannot be read twice.
    Build(SitesBuildArgs),
}

#[derive(Args)]
pub(crate) struct SitesBuildArgs {
    #[command(flatten)]
    pub(crate) input: PageInput,
    /// Where to write the site profile.
    #[arg(short, long, value_name = "PROFILE")]
    pub(crate) output: PathBuf,
}

#[derive(Args)]
pub(crate) struct PageInput {
    /// Page files, one page each; `-` or none reads one page from standard input.
    pub(crate) files: Vec<PathBuf>,
    /// Model file to use instead of the built-in model.
    #[arg(long, value_name = "PATH")]
    pub(crate) model: Option<PathBuf>,
    /// Write one output file per input file into DIR instead of standard output: same file name
    /// (with `label`, ending in .tsv, or .jsonl with --json), compressed as the input's name
    /// says (`a.html.gz` gives `a.txt.gz`), so a compressed crawl stays compressed.
    #[arg(long, value_name = "DIR")]
    pub(crate) out_dir: Option<PathBuf>,
    /// Write what would go to standard output into FILE instead: gzip-compressed when FILE ends
    /// in .gz, zstd-compressed when it ends in .zst (no pipe through a compressor whose
    /// failure the exit status would not show); `-` is standard output.
    #[arg(long, value_name = "FILE", conflicts_with = "out_dir")]
    pub(crate) out: Option<PathBuf>,
    /// With --out-dir: compress every output file as FORMAT says (`gz`, `zst`: its name gets the
    /// ending) or write it plain (`none`), whatever the inputs' compression.
    #[arg(long, value_name = "FORMAT", value_enum, requires = "out_dir")]
    pub(crate) compress: Option<Compression>,
    /// Input is JSONL: one page per line, a JSON object whose text field holds the page.
    #[arg(long)]
    pub(crate) jsonl: bool,
    /// Input is WARC (gzip per record or not): the HTML pages of its `response` records are
    /// written as JSONL (url, warc_record_id, date, lang, clean; with `label`, lines); other
    /// records are skipped and counted on standard error.
    #[arg(long, conflicts_with_all = ["jsonl", "out_dir"])]
    pub(crate) warc: bool,
    /// With --jsonl: the field holding the page text.
    #[arg(long, value_name = "NAME", default_value = "text", requires = "jsonl")]
    pub(crate) text_field: String,
    /// With --jsonl: the field holding the page as HTML (read instead of --text-field).
    #[arg(
        long,
        value_name = "NAME",
        requires = "jsonl",
        conflicts_with = "text_field"
    )]
    pub(crate) html_field: Option<String>,
    /// What the input is: `text` (one block per line), `html` (a page's markup: its blocks
    /// become the lines) or `auto` (HTML when it starts, after white space, a BOM and comments,
    /// with <!doctype html, <html, <head or <body; text otherwise).
    #[arg(long, value_name = "FORMAT", value_enum, default_value_t = Format::Auto, conflicts_with = "jsonl")]
    pub(crate) format: Format,
    /// The input's character set (euc-kr, cp949, shift_jis, windows-1252, ...): for HTML it
    /// replaces the page's <meta charset> and sniffing; text is decoded from it instead of
    /// UTF-8. A byte-order mark still wins. (JSONL records are JSON, so UTF-8: with --jsonl,
    /// use --html-field for HTML pages.)
    #[arg(long, value_name = "NAME", value_parser = parse_encoding, conflicts_with = "jsonl")]
    pub(crate) encoding: Option<&'static Encoding>,
    /// With --jsonl: the field holding the page's address; its host is the page's site for
    /// site memory.
    #[arg(long, value_name = "NAME", default_value = "url", requires = "jsonl")]
    pub(crate) url_field: String,
    /// With --jsonl: the field the cleaned text is written to.
    #[arg(long, value_name = "NAME", default_value = "clean", requires = "jsonl")]
    pub(crate) clean_field: String,
    /// With --jsonl: what to do with a malformed record: stop with an error, or skip it and
    /// report the count on standard error.
    #[arg(long, value_name = "WHAT", default_value = "stop", value_parser = ["stop", "skip"], requires = "jsonl")]
    pub(crate) on_error: String,
    /// The largest page read: a file, standard input or a JSONL record (with its JSON) larger
    /// than this is an error naming it (with --jsonl --on-error skip, the record is skipped).
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_PAGE_BYTES, value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) max_page_bytes: u64,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS))]
    pub(crate) threads: Option<u16>,
    /// No progress bar.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// The site of every input page (site memory counts the pages of one site together);
    /// by default an HTML page's site is the host of its canonical address, else a page's
    /// site is the folder of its file.
    #[arg(long, value_name = "NAME", conflicts_with = "no_site_memory")]
    pub(crate) site: Option<String>,
    /// Site counts from `chaff sites build` instead of counting the input files: for
    /// standard input and streams that cannot be read twice.
    #[arg(long, value_name = "PROFILE", conflicts_with = "no_site_memory")]
    pub(crate) site_profile: Option<PathBuf>,
    /// Label every page alone, without site memory.
    #[arg(long)]
    pub(crate) no_site_memory: bool,
}

/// What an input page is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// HTML when the input starts like an HTML document, text otherwise.
    Auto,
    /// One block per line.
    Text,
    /// An HTML page.
    Html,
}

/// How an output file is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Compression {
    /// gzip, named .gz.
    #[value(name = "gz")]
    Gzip,
    /// zstd, named .zst.
    #[value(name = "zst")]
    Zstd,
    /// Not compressed.
    None,
}

fn parse_lang(code: &str) -> Result<String, String> {
    chaff::Lang::parse(code)
        .map(|lang| lang.as_str().to_string())
        .map_err(|e| e.to_string())
}

fn parse_encoding(name: &str) -> Result<&'static Encoding, String> {
    encoding_for_label(name).map_err(|e| e.to_string())
}

impl PageInput {
    pub(crate) fn files(&self) -> Vec<PathBuf> {
        if self.files.is_empty() {
            vec![PathBuf::from("-")]
        } else {
            self.files.clone()
        }
    }

    pub(crate) fn pool(&self) -> Result<rayon::ThreadPool> {
        thread_pool(self.threads)
    }

    pub(crate) fn progress(&self, total_bytes: Option<u64>) -> ProgressBar {
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
pub(crate) struct LabelArgs {
    #[command(flatten)]
    pub(crate) input: PageInput,
    /// One JSON object per line: class, language, probabilities, segments and text.
    #[arg(long)]
    pub(crate) json: bool,
    /// With --jsonl: the field the per-line labels are written to.
    #[arg(long, value_name = "NAME", default_value = "lines", requires = "jsonl")]
    pub(crate) lines_field: String,
}

#[derive(Args)]
pub(crate) struct CleanArgs {
    #[command(flatten)]
    pub(crate) input: PageInput,
    /// Keep only body lines in this language (ISO 639-3, e.g. eng, kor).
    #[arg(long, value_name = "LANG", value_parser = parse_lang)]
    pub(crate) lang: Option<String>,
    /// Split each page's body lines by language: with --out-dir DIR, page `p.txt` becomes
    /// `DIR/p.eng.txt`, `DIR/p.kor.txt`, ... (one file per language present).
    #[arg(long, requires = "out_dir", conflicts_with_all = ["lang", "jsonl"])]
    pub(crate) split_languages: bool,
}

#[derive(Args)]
pub(crate) struct TrainArgs {
    /// Labeled `.tsv` pages or folders of them (optional with --base). With --base and no
    /// --focus, these are the focus pages.
    #[arg(required_unless_present = "base")]
    pub(crate) corpus: Vec<PathBuf>,
    /// Train on the built-in training corpus too (compiled into chaff): its pages as
    /// `chaff train training --html-only training/handmade-html` reads them, plus CORPUS,
    /// which counts --focus-weight times unless --focus is given.
    #[arg(long, value_name = "BASE", value_parser = ["builtin"])]
    pub(crate) base: Option<String>,
    /// Where to write the model.
    #[arg(short, long, value_name = "MODEL")]
    pub(crate) output: PathBuf,
    /// Seed recorded in the model (training is deterministic).
    #[arg(long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// L2 penalty of the logistic regression [default: 1, towards zero; with --warm-start, 10,
    /// towards the start's weights].
    #[arg(long, value_name = "ALPHA")]
    pub(crate) alpha: Option<f32>,
    /// Iteration cap of the optimizer [default: 50, or 15 with --warm-start].
    #[arg(long, value_name = "N")]
    pub(crate) max_iterations: Option<u64>,
    /// Start from this model's weights instead of zeros (`builtin`: the compiled-in model) and
    /// fine-tune them: the penalty pulls towards them, and with --focus pages one page of each
    /// corpus layout stands for the corpus, so retraining takes about a second.
    #[arg(long, value_name = "MODEL")]
    pub(crate) warm_start: Option<String>,
    /// Weight of class transitions in decoding.
    #[arg(long, default_value_t = 0.3)]
    pub(crate) transition_weight: f32,
    /// Labeled pages of a new site layout to weigh more than the rest of the corpus.
    #[arg(long, value_name = "PATH")]
    pub(crate) focus: Vec<PathBuf>,
    /// How many times each --focus page counts (1 to 1000).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=MAX_FOCUS_WEIGHT))]
    pub(crate) focus_weight: u16,
    /// Labeled HTML pages (or folders of them) that teach only the HTML stages: pages made as
    /// HTML, whose lines are not what text input looks like. Pages found both here and in the
    /// corpus count once, here.
    #[arg(long, value_name = "PATH")]
    pub(crate) html_only: Vec<PathBuf>,
}

#[derive(Args)]
pub(crate) struct EvalArgs {
    /// Labeled `.tsv` pages or folders of them.
    #[arg(required = true)]
    pub(crate) corpus: Vec<PathBuf>,
    /// With --cv page: retrain on the built-in training corpus too, as `train --base builtin`
    /// does (CORPUS pages are then the held-out focus pages, unless --focus names them).
    #[arg(long, value_name = "BASE", value_parser = ["builtin"], requires = "cv")]
    pub(crate) base: Option<String>,
    /// Model file to use instead of the built-in model.
    #[arg(long, value_name = "PATH")]
    pub(crate) model: Option<PathBuf>,
    /// Print the figures as JSON.
    #[arg(long)]
    pub(crate) json: bool,
    /// `html`: score each NAME.tsv on the page NAME.html beside it: chaff extracts and labels
    /// the whole page, and the labeled lines (which may come from another extractor, or cover
    /// a window of the page) are aligned to chaff's by their words (see docs/html.md). With
    /// --cv or --few-shot: cross-validate on the labeled HTML pages, scored in HTML mode.
    #[arg(long, value_name = "FORMAT", default_value = "text", value_parser = ["text", "html"], conflicts_with = "pages")]
    pub(crate) format: String,
    /// Also print one line per page.
    #[arg(long)]
    pub(crate) pages: bool,
    /// Cross-validate instead of scoring a model: `layout` trains without each layout (folder)
    /// in turn and scores the model on it; `page` retrains as `chaff train CORPUS --focus PAGES`
    /// would, without each focus page in turn (every corpus page, with no --focus), and scores
    /// the model on it.
    #[arg(long, value_name = "BY", value_parser = ["layout", "page"])]
    pub(crate) cv: Option<String>,
    /// With --cv page: your labeled pages of a new layout (files or folders), weighed
    /// --focus-weight times as `train --focus` weighs them; only these are held out.
    #[arg(long, value_name = "PATH")]
    pub(crate) focus: Vec<PathBuf>,
    /// Retrain with 0..=K pages of held-out layouts (the few-shot curve); alone, or after
    /// --cv layout.
    #[arg(long, value_name = "K")]
    pub(crate) few_shot: Option<usize>,
    /// How many times each of the K pages counts in few-shot retraining, or each --focus page
    /// with --cv page (as `train --focus`).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=MAX_FOCUS_WEIGHT))]
    pub(crate) focus_weight: u16,
    /// In few-shot retraining, start from the k=0 model's weights, as `train --warm-start`
    /// (no value); with --cv page, retrain from this model's weights (`builtin` or a model
    /// file), as `train --warm-start MODEL` does.
    #[arg(long, value_name = "MODEL", num_args = 0..=1, default_missing_value = "")]
    pub(crate) warm_start: Option<String>,
    /// Layouts for the few-shot curve: this many, spread evenly over the layout names.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub(crate) few_shot_layouts: usize,
    /// A layout (folder name) for the few-shot curve, instead of the spread; repeatable.
    #[arg(long, value_name = "NAME")]
    pub(crate) few_shot_layout: Vec<String>,
    /// Threads for cross-validation folds.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=MAX_THREADS))]
    pub(crate) threads: Option<u16>,
    /// Label every page alone: no site memory (by default the pages of one site, the host of
    /// the address of the HTML page beside a .tsv or else its folder, are counted together).
    #[arg(long)]
    pub(crate) no_site_memory: bool,
}

impl EvalArgs {
    pub(crate) fn site_memory(&self) -> chaff::train::eval::SiteMemory {
        if self.no_site_memory {
            chaff::train::eval::SiteMemory::Off
        } else {
            chaff::train::eval::SiteMemory::On
        }
    }
}

#[derive(Args)]
pub(crate) struct ReviewArgs {
    /// Labeled `.tsv` pages (as `chaff label --out-dir` writes them); a `NAME.html` beside a
    /// `NAME.tsv` with the same lines is labeled from its HTML.
    #[arg(required = true, value_name = "PAGE")]
    pub(crate) pages: Vec<PathBuf>,
    /// Model file to use instead of the built-in model.
    #[arg(long, value_name = "PATH")]
    pub(crate) model: Option<PathBuf>,
    /// Print the groups in review order without asking or writing anything, one a line:
    /// RANK<TAB>CONFIDENCE<TAB>CLASS<TAB>MODEL_CLASS<TAB>COUNT<TAB>TEXT (a group whose lines
    /// have different classes shows them most frequent first: `body+chrome`).
    #[arg(long)]
    pub(crate) list: bool,
    /// Show at most N groups (the N least confident).
    #[arg(long, value_name = "N")]
    pub(crate) limit: Option<usize>,
}

#[derive(Args)]
pub(crate) struct DiffArgs {
    /// Pages: text, HTML, or labeled `.tsv` pages (their TEXT column, or the `NAME.html`
    /// beside them when it holds the same lines). LINE in the output is the line's number in
    /// `chaff label`'s output for the page.
    #[arg(required = true, value_name = "PAGE")]
    pub(crate) pages: Vec<PathBuf>,
    /// The two models to compare, given twice (A, then B): model files, or `builtin`.
    #[arg(long, value_name = "MODEL", required = true)]
    pub(crate) model: Vec<String>,
    /// One JSON object per differing line: page, line, a, b, text.
    #[arg(long)]
    pub(crate) json: bool,
}

#[derive(Args)]
pub(crate) struct InfoArgs {
    /// A model file, or `builtin` (the default): the model compiled into chaff.
    #[arg(value_name = "MODEL")]
    pub(crate) model: Option<PathBuf>,
    /// Print it as JSON.
    #[arg(long)]
    pub(crate) json: bool,
}

/// The default of `--max-page-bytes`: far above any real page, well below this machine's memory.
pub(crate) const DEFAULT_MAX_PAGE_BYTES: u64 = 256 << 20;

/// The most worker threads `--threads` takes: more only adds memory and start-up time.
pub(crate) const MAX_THREADS: i64 = 256;

/// The most a `--focus-weight` page counts: each count is a copy of the page in training memory.
pub(crate) const MAX_FOCUS_WEIGHT: i64 = 1000;
