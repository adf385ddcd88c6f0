//! The commands: `label`, `clean`, `train` and `eval`.

use std::io::{self, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use linfa::ParamGuard;

use chaff::html::{HtmlLine, HtmlPage};
use chaff::labeled::{self, read_corpus, LabeledPage};
use chaff::train::crossval::{
    by_layout, check_few_shot, few_shot, leave_one_layout_out, leave_one_page_out,
    spread_few_shot_layouts, FewShot, FewShotPoint, FoldResult, Retraining,
};
use chaff::train::eval::{evaluate, Evaluation};
use chaff::train::{retrain, retraining_pages, TrainParams};
use chaff::{Class, CleanOptions, Labeler, LineLabel, LineReport, Model, PageLanguage};

use super::args::{CleanArgs, EvalArgs, LabelArgs, TrainArgs};
use super::html_eval::eval_html;
use super::pages::{for_each_page, split_languages, Beside};
use super::records::for_each_record;
use super::{load_labeler, note, stdout};

pub(crate) fn label(args: LabelArgs) -> Result<()> {
    let labeler = load_labeler(&args.input.model)?;
    if args.input.jsonl {
        let lines_field = Some(args.lines_field.as_str());
        return for_each_record(&args.input, lines_field, &CleanOptions::new(), &labeler);
    }
    let extension = if args.json { "jsonl" } else { "tsv" };
    let beside = if args.json {
        Beside::Nothing
    } else {
        Beside::HtmlPage
    };
    for_each_page(&args.input, Some(extension), beside, |lines, html, out| {
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
            Some(html) => labeler.label_html_windows(html, &mut write)?,
            None => labeler.label_windows(lines, &mut write)?,
        };
        Ok(())
    })
}

/// The labels of a page's lines, read with its structure when it came from HTML.
pub(crate) fn label_page(
    labeler: &Labeler,
    lines: &[&str],
    html: Option<&HtmlPage>,
) -> Vec<LineLabel> {
    match html {
        Some(html) => labeler.label_html(html).0,
        None => labeler.label(lines),
    }
}

pub(crate) fn clean(args: CleanArgs) -> Result<()> {
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
    for_each_page(&args.input, None, Beside::Nothing, |lines, html, out| {
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
            Some(html) => labeler.label_html_windows(html, &mut write)?,
            None => labeler.label_windows(lines, &mut write)?,
        };
        Ok(())
    })
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
    let start = args
        .warm_start
        .as_deref()
        .map(warm_start_model)
        .transpose()?;
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
    let mut html_only = read_corpus(&args.html_only)?;
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
    let mut base = read_corpus(&args.corpus)?;
    base.retain(|p| {
        std::fs::canonicalize(&p.path).map_or(true, |path| !html_only_files.contains(&path))
    });
    base.extend(html_only);
    let mut focus = read_focus(&args.focus)?;
    for page in &mut focus {
        page.html_only =
            std::fs::canonicalize(&page.path).is_ok_and(|path| html_only_files.contains(&path));
    }
    if base.is_empty() && focus.is_empty() {
        bail!("no labeled pages (*.tsv) found in the corpus");
    }
    let (model, seconds) = retrain(
        &params,
        start.as_ref(),
        &base,
        &focus,
        args.focus_weight.into(),
    )?;
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
        return eval_html(&labeler, &args.corpus, args.json);
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
    let focus = read_focus(&args.focus)?;
    // A page given both in the corpus and as focus is the user's: it is held out, not trained
    // on as a base page.
    let focus_files: std::collections::HashSet<PathBuf> = focus
        .iter()
        .filter_map(|p| std::fs::canonicalize(&p.path).ok())
        .collect();
    let mut base = read_corpus(&args.corpus)?;
    base.retain(|p| {
        std::fs::canonicalize(&p.path).map_or(true, |path| !focus_files.contains(&path))
    });
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
        write!(out, "{report}")?;
        if args.pages {
            writeln!(out)?;
            write!(out, "{}", report.pages_table())?;
        }
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
