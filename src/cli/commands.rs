//! The commands: `label`, `clean`, `train`, `eval` and `info`.

use std::fs;
use std::io::{self, Write};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};
use linfa::ParamGuard;

use chaff::html::{HtmlLine, HtmlPage};
use chaff::labeled::{self, corpus_files, read_corpus, LabeledPage};
use chaff::provenance::{digest_bytes, FocusRecord, WarmStartRecord};
use chaff::site::SiteCounts;
use chaff::train::builtin;
use chaff::train::crossval::{
    by_layout, check_few_shot, few_shot, leave_one_layout_out, leave_one_page_out,
    spread_few_shot_layouts, FewShot, FewShotPoint, FoldResult, Retraining,
};
use chaff::train::eval::{evaluate_with, Evaluation, Report};
use chaff::train::provenance::corpus_record;
use chaff::train::{retrain, retraining_pages, TrainParams};
use chaff::{Class, CleanOptions, Labeler, LineLabel, LineReport, Model, PageLanguage};

use super::args::{CleanArgs, EvalArgs, InfoArgs, LabelArgs, SitesBuildArgs, TrainArgs};
use super::html_eval::eval_html;
use super::pages::{count_files, for_each_page, split_languages, Beside};
use super::records::for_each_record;
use super::warc::for_each_warc;
use super::{load_labeler, note, stdout};

pub(crate) fn label(args: LabelArgs) -> Result<()> {
    let labeler = load_labeler(&args.input.model)?;
    if args.input.jsonl {
        let lines_field = Some(args.lines_field.as_str());
        return for_each_record(&args.input, lines_field, &CleanOptions::new(), &labeler);
    }
    if args.input.warc {
        return for_each_warc(&args.input, true, &CleanOptions::new(), &labeler);
    }
    let extension = if args.json { "jsonl" } else { "tsv" };
    let beside = if args.json {
        Beside::Nothing
    } else {
        Beside::HtmlPage
    };
    for_each_page(
        &args.input,
        Some(extension),
        beside,
        |lines, html, site, out| {
            // Each window of lines is written as soon as it is labeled.
            let mut write = |window: Range<usize>, labels: &[LineLabel], page: &PageLanguage| {
                for (i, label) in window.zip(labels) {
                    let line = lines[i];
                    if args.json {
                        let report = LineReport::new(line, label, page);
                        match html {
                            Some(html) => serde_json::to_writer(
                                &mut *out,
                                &HtmlLineReport::new(report, html, &html.lines[i]),
                            )?,
                            None => serde_json::to_writer(&mut *out, &report)?,
                        }
                        out.write_all(b"\n")?;
                    } else {
                        labeled::write_line(&mut *out, label.class, label.lang.as_str(), line)?;
                    }
                }
                anyhow::Ok(())
            };
            match html {
                Some(html) => labeler.label_html_windows_on_site(html, site, &mut write)?,
                None => labeler.label_windows_on_site(lines, site, &mut write)?,
            };
            Ok(())
        },
    )
}

/// The labels of a page's lines, read with its structure when it came from HTML.
pub(crate) fn label_page(
    labeler: &Labeler,
    lines: &[&str],
    html: Option<&HtmlPage>,
    site: Option<&SiteCounts>,
) -> Vec<LineLabel> {
    match html {
        Some(html) => labeler.label_html_on_site(html, site).0,
        None => labeler.label_on_site(lines, site).0,
    }
}

pub(crate) fn clean(args: CleanArgs) -> Result<()> {
    let labeler = load_labeler(&args.input.model)?;
    let mut opts = CleanOptions::new();
    if let Some(lang) = &args.lang {
        opts = opts.lang(lang.clone());
    }
    if args.input.jsonl {
        return for_each_record(&args.input, None, &opts, &labeler);
    }
    if args.input.warc {
        return for_each_warc(&args.input, false, &opts, &labeler);
    }
    if args.split_languages {
        return split_languages(&args.input, &labeler);
    }
    for_each_page(
        &args.input,
        None,
        Beside::Nothing,
        |lines, html, site, out| {
            let mut write = |window: Range<usize>, labels: &[LineLabel], _: &PageLanguage| {
                for (line, _) in lines[window]
                    .iter()
                    .zip(labels)
                    .filter(|(_, l)| opts.keeps(l))
                {
                    out.write_all(line.as_bytes())?;
                    out.write_all(b"\n")?;
                }
                io::Result::Ok(())
            };
            match html {
                Some(html) => labeler.label_html_windows_on_site(html, site, &mut write)?,
                None => labeler.label_windows_on_site(lines, site, &mut write)?,
            };
            Ok(())
        },
    )
}

pub(crate) fn sites_build(args: SitesBuildArgs) -> Result<()> {
    let input = &args.input;
    if input.site_profile.is_some()
        || input.no_site_memory
        || input.out_dir.is_some()
        || input.out.is_some()
    {
        bail!("sites build counts pages and writes --output: it takes no --site-profile, --no-site-memory, --out-dir or --out");
    }
    let files: Vec<std::path::PathBuf> = input.files();
    if files.iter().any(|f| f.as_os_str() == "-") {
        bail!("sites build reads its pages from files: standard input is not counted (save it to a file first)");
    }
    let start = std::time::Instant::now();
    let profile = if input.jsonl {
        let fields = super::records::record_fields(input, None);
        super::records::count_record_sites(input, &fields, &input.pool()?)?
            .expect("files to count, and memory on")
    } else {
        let refs: Vec<&std::path::PathBuf> = files.iter().collect();
        count_files(input, &refs)?
    };
    let name = args.output.display().to_string();
    let file = std::fs::File::create(&args.output).map_err(|e| chaff::Error::io(&name, e))?;
    let mut out = io::BufWriter::new(file);
    profile
        .write_to(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| chaff::Error::io(&name, e))?;
    note(format_args!(
        "{name}: {} sites, {} pages, {} repeated lines and paths kept, {:.1} s",
        profile.len(),
        profile.pages(),
        profile.entries(),
        start.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// A labeled line of an HTML page, as `label --json` prints it: the line's report and where
/// the line stands in the document.
#[derive(serde::Serialize)]
struct HtmlLineReport<'a> {
    #[serde(flatten)]
    line: LineReport<'a>,
    structure: Structure,
}

/// Why a line of an HTML page looks the way it does: its element's tag path and how much of
/// its text is link text.
#[derive(serde::Serialize)]
struct Structure {
    tag_path: String,
    link_share: f64,
}

impl<'a> HtmlLineReport<'a> {
    fn new(line: LineReport<'a>, html: &HtmlPage, html_line: &HtmlLine) -> HtmlLineReport<'a> {
        HtmlLineReport {
            line,
            structure: Structure {
                tag_path: html.tag_path(html_line.element),
                link_share: (f64::from(html_line.link_share()) * 1000.0).round() / 1000.0,
            },
        }
    }
}

/// The labeled pages of `--focus` paths; a path that holds none is an error naming it.
fn read_focus(paths: &[PathBuf]) -> Result<Vec<LabeledPage>> {
    // A focus that holds no labeled page would train silently without the pages the user meant.
    for path in paths {
        if read_corpus(std::slice::from_ref(path))?.is_empty() {
            bail!(
                "--focus {}: no labeled pages (*.tsv) there; focus pages are labeled pages as \
                 `chaff label --out-dir` writes them",
                path.display()
            );
        }
    }
    Ok(read_corpus(paths)?)
}

/// The model of `--warm-start MODEL`: `builtin` or a model file.
fn warm_start_model(name: &str) -> Result<Model> {
    Ok(match name {
        "builtin" => Model::builtin(),
        path => Model::load(Path::new(path))?,
    })
}

pub(crate) fn train(args: TrainArgs) -> Result<()> {
    let (start, warm_start) = match args.warm_start.as_deref() {
        None => (None, None),
        Some("builtin") => (
            Some(Model::builtin()),
            Some(WarmStartRecord {
                source: "builtin".into(),
                digest: digest_bytes(Model::builtin_json().as_bytes()),
            }),
        ),
        Some(path) => {
            let path = Path::new(path);
            let model = Model::load(path)?;
            let bytes = fs::read(path).with_context(|| format!("{}", path.display()))?;
            let record = WarmStartRecord {
                source: shown(path),
                digest: digest_bytes(&bytes),
            };
            (Some(model), Some(record))
        }
    };
    // A warm start fine-tunes: the penalty (`--alpha`) pulls towards the start's weights.
    let mut params = TrainParams::default();
    if start.is_some() {
        params = params.warm_start();
        if let Some(alpha) = args.alpha {
            params = params.prior_alpha(Some(alpha));
        }
    } else if let Some(alpha) = args.alpha {
        params = params.alpha(alpha);
    }
    if let Some(n) = args.max_iterations {
        params = params.max_iterations(n);
    }
    let params = params
        .transition_weight(args.transition_weight)
        .seed(args.seed)
        .check()?;
    // A path that holds no labeled page would train silently without the pages the user meant.
    for (flag, paths, what) in [
        ("", &args.corpus, "a corpus is"),
        ("--html-only ", &args.html_only, "--html-only pages are"),
        ("--focus ", &args.focus, "focus pages are"),
    ] {
        for path in paths {
            if corpus_files(path)?.is_empty() {
                bail!(
                    "{flag}{}: no labeled pages (*.tsv) there; {what} labeled pages as \
                     `chaff label --out-dir` writes them",
                    path.display()
                );
            }
        }
    }
    // `--base builtin`: the built-in corpus, as if its folder were given on the command line
    // with its HTML-only pages as --html-only; the user's pages are the focus unless --focus
    // says which are.
    let builtin = match args.base {
        Some(_) => Some(builtin::unpack(None)?),
        None => None,
    };
    let mut corpus_paths = Vec::new();
    let mut html_only_paths = Vec::new();
    let focus_paths = match &builtin {
        Some(unpacked) => {
            corpus_paths.push(unpacked.root.clone());
            html_only_paths.extend(unpacked.html_only.iter().cloned());
            if args.focus.is_empty() {
                args.corpus.clone()
            } else {
                corpus_paths.extend(args.corpus.iter().cloned());
                args.focus.clone()
            }
        }
        None => {
            corpus_paths.extend(args.corpus.iter().cloned());
            args.focus.clone()
        }
    };
    html_only_paths.extend(args.html_only.iter().cloned());
    let mut html_only = read_corpus(&html_only_paths)?;
    for page in &mut html_only {
        if page.html.is_none() {
            bail!(
                "{}: --html-only pages need their HTML page beside them ({})",
                page.path.display(),
                page.path.with_extension("html").display()
            );
        }
        page.html_only = true;
    }
    let html_only_files: std::collections::HashSet<std::path::PathBuf> = html_only
        .iter()
        .filter_map(|p| std::fs::canonicalize(&p.path).ok())
        .collect();
    let mut base = read_corpus(&corpus_paths)?;
    base.retain(|p| {
        std::fs::canonicalize(&p.path).map_or(true, |path| !html_only_files.contains(&path))
    });
    base.extend(html_only);
    let mut focus = read_corpus(&focus_paths)?;
    for page in &mut focus {
        page.html_only =
            std::fs::canonicalize(&page.path).is_ok_and(|path| html_only_files.contains(&path));
    }
    if base.is_empty() && focus.is_empty() {
        bail!("no labeled pages (*.tsv) found in the corpus");
    }
    if let Some(unpacked) = &builtin {
        note(format_args!(
            "base: the built-in corpus, {} pages ({} teach only the HTML stages){}",
            unpacked.pages,
            unpacked.html_only.len(),
            if args.focus.is_empty() && !focus.is_empty() {
                format!(
                    "; the {} given {} the focus, each page counting {} times",
                    focus.len(),
                    if focus.len() == 1 {
                        "page is"
                    } else {
                        "pages are"
                    },
                    args.focus_weight
                )
            } else {
                String::new()
            }
        ));
    }
    warn_about_the_corpus(&base, &focus, builtin.is_some());
    let (mut model, seconds) = retrain(
        &params,
        start.as_ref(),
        &base,
        &focus,
        args.focus_weight.into(),
    )?;
    model.provenance.corpus = corpus_record(&base, &focus)?;
    model.provenance.focus = FocusRecord {
        pages: focus
            .iter()
            .map(|page| shown_page(&page.path, &focus_paths))
            .collect(),
        weight: if focus.is_empty() {
            0
        } else {
            args.focus_weight.into()
        },
    };
    model.provenance.warm_start = warm_start;
    drop(builtin);
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
    let trained = retraining_pages(
        &params,
        start.is_some(),
        &base,
        &focus,
        args.focus_weight.into(),
    );
    let html_pages = trained.iter().filter(|p| p.html.is_some()).count();
    if html_pages > 0 {
        note(format_args!(
            "HTML stages: trained on {} labeled HTML pages{}",
            t.html_pages,
            if html_pages > t.html_pages {
                format!(
                    "; {} pages with an .html beside them hold other lines than chaff extracts from it and trained the text stages only",
                    html_pages - t.html_pages
                )
            } else {
                String::new()
            }
        ));
    } else {
        note(format_args!(
            "no labeled HTML pages (NAME.tsv with NAME.html beside it): HTML pages will be labeled from their lines alone"
        ));
    }
    Ok(())
}

/// Fewer corpus pages than this (besides the focus) are too few to learn much from.
const FEW_PAGES: usize = 20;

/// Warns, before training, about a corpus that lacks a class or has few pages.
fn warn_about_the_corpus(base: &[LabeledPage], focus: &[LabeledPage], has_base: bool) {
    let suggestion = if has_base {
        ""
    } else {
        ", or add --base builtin to train on the built-in corpus as well"
    };
    let mut lines = [0usize; Class::COUNT];
    for line in base.iter().chain(focus).flat_map(|p| &p.lines) {
        lines[line.class.index()] += 1;
    }
    for c in Class::ALL.into_iter().filter(|c| lines[c.index()] == 0) {
        note(format_args!(
            "warning: the corpus has no {c} lines: the model will not learn to label a line {c}; \
             add labeled pages that have some{suggestion}"
        ));
    }
    if has_base {
        return;
    }
    let pages = |n: usize, what: &str| format!("{n} {what}page{}", if n == 1 { "" } else { "s" });
    if !focus.is_empty() && base.len() < FEW_PAGES {
        note(format_args!(
            "warning: only {} besides {}: the model learns little beyond them; add \
             --base builtin to train on the built-in corpus as well",
            pages(base.len(), "corpus "),
            pages(focus.len(), "focus ")
        ));
    } else if focus.is_empty() && base.len() < FEW_PAGES {
        note(format_args!(
            "warning: only {}: the model learns little beyond them; add --base builtin to \
             train on the built-in corpus as well (your pages then count as the focus)",
            pages(base.len(), "")
        ));
    }
}

/// A path as a model file records it: relative as given (without `./`), or, when absolute, cut
/// to its last component, so that the file holds no absolute path.
fn shown(path: &Path) -> String {
    let path: PathBuf = if path.is_absolute() {
        path.file_name().map(PathBuf::from).unwrap_or_default()
    } else {
        path.components()
            .filter(|c| !matches!(c, Component::CurDir))
            .collect()
    };
    path.to_string_lossy().replace('\\', "/")
}

/// A page's path as recorded: the path given on the command line that reached it, as [`shown`]
/// records it, joined with the page's path inside it.
fn shown_page(page: &Path, given: &[PathBuf]) -> String {
    for path in given {
        if let Ok(inside) = page.strip_prefix(path) {
            if inside.as_os_str().is_empty() {
                // The page itself was given.
                return shown(path);
            }
            let shown = PathBuf::from(shown(path)).join(inside);
            return shown.to_string_lossy().replace('\\', "/");
        }
    }
    shown(page)
}

/// `chaff info`: a model's versions, provenance and sizes.
pub(crate) fn info(args: InfoArgs) -> Result<()> {
    let (name, model, bytes) = match &args.model {
        Some(path) if path != Path::new("builtin") => {
            let model = Model::load(path)?;
            let bytes = fs::read(path).with_context(|| format!("{}", path.display()))?;
            (path.display().to_string(), model, bytes)
        }
        _ => (
            "builtin".to_string(),
            Model::builtin(),
            Model::builtin_json().as_bytes().to_vec(),
        ),
    };
    let info = model.info();
    let digest = digest_bytes(&bytes);
    let mut out = stdout()?;
    if args.json {
        let json = serde_json::json!({
            "model": name,
            "bytes": bytes.len(),
            "digest": digest,
            "format_version": info.format_version,
            "feature_version": info.feature_version,
            "weights": info.weights,
            "text_stages": info.text,
            "html_stages": info.html,
            "training": model.training,
            "provenance": model.provenance,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
        out.flush()?;
        return Ok(());
    }
    let p = &model.provenance;
    let t = &model.training;
    writeln!(
        out,
        "model            {name} ({} bytes, {digest})",
        bytes.len()
    )?;
    writeln!(
        out,
        "versions         model format {}, feature layout {}; trained by chaff {}",
        info.format_version, info.feature_version, p.chaff_version
    )?;
    let stages = |s: &chaff::StagesInfo| {
        format!(
            "{} line scorers of {} features, a context scorer of {}; {} weights",
            s.line_scorers, s.features, s.context_features, s.weights
        )
    };
    writeln!(out, "text stages      {}", stages(&info.text))?;
    match &info.html {
        Some(html) => writeln!(out, "HTML stages      {}", stages(html))?,
        None => writeln!(
            out,
            "HTML stages      none (HTML pages are labeled from their lines)"
        )?,
    }
    writeln!(out, "weights          {} in all", info.weights)?;
    writeln!(
        out,
        "corpus           {} pages, digest {}{}",
        p.corpus.pages,
        p.corpus.digest.as_deref().unwrap_or("not recorded"),
        match &p.corpus.base {
            Some(base) => format!(", base {base} (holds the built-in corpus)"),
            None => String::new(),
        }
    )?;
    let lines: Vec<String> = Class::ALL
        .iter()
        .map(|c| format!("{c} {}", t.lines_per_class[c.index()]))
        .collect();
    writeln!(
        out,
        "trained on       {} text pages ({}), {} HTML pages",
        t.pages,
        lines.join(", "),
        t.html_pages
    )?;
    if p.focus.pages.is_empty() {
        writeln!(out, "focus            none")?;
    } else {
        writeln!(
            out,
            "focus            {} page{}, each counting {} times:",
            p.focus.pages.len(),
            if p.focus.pages.len() == 1 { "" } else { "s" },
            p.focus.weight
        )?;
        for page in &p.focus.pages {
            writeln!(out, "                   {page}")?;
        }
    }
    match &p.warm_start {
        Some(w) => writeln!(out, "warm start       {} ({})", w.source, w.digest)?,
        None => writeln!(out, "warm start       none")?,
    }
    let h = &p.hyper_parameters;
    writeln!(
        out,
        "hyper-parameters seed {}, alpha {}, max iterations {}, transition weight {}",
        h.seed, h.alpha, h.max_iterations, h.transition_weight
    )?;
    out.flush()?;
    Ok(())
}

pub(crate) fn eval(args: EvalArgs) -> Result<()> {
    if args.cv.as_deref() == Some("page") {
        return eval_page_cv(&args);
    }
    if !args.focus.is_empty() {
        bail!("--focus goes with --cv page (leave-one-page-out over your pages)");
    }
    if args.warm_start.as_deref().is_some_and(|m| !m.is_empty()) {
        bail!(
            "--warm-start MODEL goes with --cv page; with --few-shot, --warm-start takes no value \
             (it starts from the k=0 model)"
        );
    }
    let html = args.format == "html";
    let cross_validation = args.cv.is_some() || args.few_shot.is_some();
    if html && !cross_validation {
        let labeler = load_labeler(&args.model)?;
        return eval_html(&labeler, &args.corpus, args.json, args.site_memory());
    }
    let pages = read_corpus(&args.corpus)?;
    if pages.is_empty() {
        bail!("no labeled pages (*.tsv) found");
    }
    if html {
        // Cross-validation in HTML mode trains on labeled HTML pages (lines as chaff extracts
        // them), so it holds out and scores only those.
        let (matching, _, differing) = chaff::train::html_pages(&pages)?;
        if matching.is_empty() {
            bail!("no labeled HTML pages (NAME.tsv holding the lines chaff extracts from NAME.html beside it) found");
        }
        if !differing.is_empty() || matching.len() < pages.len() {
            note(format_args!(
                "HTML mode: {} labeled HTML pages; {} pages without their .html, or whose lines are not chaff's, are left out",
                matching.len(),
                pages.len() - matching.len()
            ));
        }
        let matching: Vec<LabeledPage> = matching.into_iter().cloned().collect();
        return run_cross_validation(&args, &matching, true);
    }
    if cross_validation {
        return run_cross_validation(&args, &pages, false);
    }
    let labeler = load_labeler(&args.model)?;
    let mut out = stdout()?;
    let eval: Evaluation = evaluate_with(&labeler, &pages, args.site_memory());
    let report = eval.report();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write_report(&mut out, &report, args.pages)?;
    }
    out.flush()?;
    Ok(())
}

/// An evaluation's figures as `eval` prints them, with one line per page when asked.
fn write_report(out: &mut impl Write, report: &Report, pages: bool) -> io::Result<()> {
    write!(out, "{report}")?;
    if pages {
        writeln!(out)?;
        write!(out, "{}", report.pages_table())?;
    }
    Ok(())
}

fn run_cross_validation(args: &EvalArgs, pages: &[LabeledPage], html: bool) -> Result<()> {
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
            let (folds, pooled) = leave_one_layout_out(pages, &params, threads, html)?;
            (folds, Some(pooled.report()))
        }
        None => (Vec::new(), None),
    };
    let few = match few_shot_layouts {
        Some((k, chosen)) => {
            let shots = FewShot {
                max_shots: k,
                focus_weight: args.focus_weight.into(),
                warm_start: args.warm_start.is_some(),
            };
            few_shot(pages, &chosen, &shots, &params, threads, html)?
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

/// `eval --cv page`: leave-one-page-out over the user's pages (`--focus`, or every corpus page
/// without it), each fold retrained as `chaff train CORPUS --focus PAGES [--warm-start MODEL]`
/// would retrain; the pooled figures of the held-out pages.
fn eval_page_cv(args: &EvalArgs) -> Result<()> {
    if args.model.is_some() {
        bail!("--cv trains its own models; it takes no --model (to start from one: --warm-start MODEL)");
    }
    if args.few_shot.is_some() {
        bail!("--cv page and --few-shot are separate protocols; run them one at a time");
    }
    if args.format == "html" {
        bail!("--cv page scores text pages; --format html is not supported with it");
    }
    let start = match args.warm_start.as_deref() {
        None => None,
        Some("") => bail!(
            "--cv page --warm-start needs the model retraining starts from: `builtin` or a model \
             file, as `train --warm-start MODEL`"
        ),
        Some(name) => Some(warm_start_model(name)?),
    };
    // `--base builtin`: the built-in corpus is the base, and the CORPUS pages the user's (the
    // focus) unless --focus names them, as `train --base builtin` reads them. The unpacked
    // folder lives until the folds are trained: HTML pages are read from it.
    let builtin = match args.base {
        Some(_) => Some(builtin::unpack(None)?),
        None => None,
    };
    let (mut corpus_paths, focus_paths) = match (&builtin, args.focus.is_empty()) {
        (Some(unpacked), true) => (vec![unpacked.root.clone()], args.corpus.clone()),
        (Some(unpacked), false) => {
            let mut paths = vec![unpacked.root.clone()];
            paths.extend(args.corpus.iter().cloned());
            (paths, args.focus.clone())
        }
        (None, _) => (Vec::new(), args.focus.clone()),
    };
    if builtin.is_none() {
        corpus_paths.extend(args.corpus.iter().cloned());
    }
    let focus = read_focus(&focus_paths)?;
    // A page given both in the corpus and as focus is the user's: it is held out, not trained
    // on as a base page.
    let focus_files: std::collections::HashSet<PathBuf> = focus
        .iter()
        .filter_map(|p| std::fs::canonicalize(&p.path).ok())
        .collect();
    let html_only_files: std::collections::HashSet<PathBuf> = builtin
        .iter()
        .flat_map(|u| u.html_only.iter())
        .flat_map(|path| corpus_files(path).unwrap_or_default())
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    let mut base = read_corpus(&corpus_paths)?;
    base.retain(|p| {
        std::fs::canonicalize(&p.path).map_or(true, |path| !focus_files.contains(&path))
    });
    for page in &mut base {
        page.html_only = std::fs::canonicalize(&page.path)
            .is_ok_and(|path| html_only_files.contains(&path) && page.html.is_some());
    }
    if base.is_empty() && focus.is_empty() {
        bail!("no labeled pages (*.tsv) found");
    }
    // The parameters `chaff train` uses with and without --warm-start.
    let params = match start {
        Some(_) => TrainParams::default().warm_start(),
        None => TrainParams::default(),
    }
    .check()?;
    let threads = args.threads.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        usize::from,
    );
    let retraining = Retraining {
        focus_weight: args.focus_weight.into(),
        start: start.as_ref(),
    };
    let (folds, pooled) = leave_one_page_out(&base, &focus, &retraining, &params, threads)?;
    let report = pooled.report();
    let mut out = stdout()?;
    if args.json {
        let json = serde_json::json!({ "folds": folds, "pooled": report });
        writeln!(out, "{}", serde_json::to_string_pretty(&json)?)?;
    } else {
        let held_out = if focus.is_empty() {
            "corpus"
        } else {
            "--focus"
        };
        writeln!(
            out,
            "leave-one-page-out: {} {held_out} pages, each scored by a model retrained without it",
            folds.len()
        )?;
        let mean = folds.iter().map(|f| f.train_seconds).sum::<f64>() / folds.len().max(1) as f64;
        writeln!(out, "mean retraining {mean:.1}s")?;
        writeln!(out)?;
        write_report(&mut out, &report, args.pages)?;
    }
    out.flush()?;
    Ok(())
}

/// The layouts the few-shot curve holds out: those named with `--few-shot-layout`, or
/// `--few-shot-layouts` of them spread over the layouts large enough for `k` shots.
fn few_shot_layouts(args: &EvalArgs, pages: &[LabeledPage], k: usize) -> Result<Vec<String>> {
    if args.few_shot_layout.is_empty() {
        return Ok(spread_few_shot_layouts(pages, k, args.few_shot_layouts)?);
    }
    let groups = by_layout(pages);
    if let Some(unknown) = args
        .few_shot_layout
        .iter()
        .find(|l| !groups.contains_key(l.as_str()))
    {
        bail!("--few-shot-layout {unknown}: no such layout (folder) in the corpus");
    }
    Ok(args.few_shot_layout.clone())
}

fn print_folds(
    out: &mut dyn Write,
    folds: &[FoldResult],
    pages: usize,
    pooled: &chaff::train::eval::Report,
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
