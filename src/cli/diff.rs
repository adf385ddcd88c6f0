//! `chaff diff --model A --model B PAGE...`: the lines two models label differently.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::{bail, Result};

use chaff::html::{looks_like_html, read_html, HtmlPage};
use chaff::labeled::parse_page;
use chaff::train::eval::same_lines;
use chaff::{input, Class, Labeler, Model};

use super::args::DiffArgs;
use super::{note, stdout};

/// A model named on the command line: a model file, or `builtin`.
fn load_model(name: &str) -> Result<Labeler> {
    Ok(match name {
        "builtin" => Labeler::builtin(),
        path => Labeler::new(Model::load(Path::new(path))?),
    })
}

/// A page's lines, and its HTML when it is read from HTML.
struct PageLines {
    lines: Vec<String>,
    html: Option<HtmlPage>,
}

/// Reads a page as `label` would (text or HTML by its start); a labeled `.tsv` page gives its
/// TEXT column, read from the `NAME.html` beside it when that holds the same lines.
fn read_lines(path: &Path) -> Result<PageLines> {
    let name = path.display().to_string();
    if fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        bail!("{name}: is a folder; give the page files in it");
    }
    let bytes = fs::read(path).map_err(|e| chaff::Error::io(&name, e))?;
    if path.extension().is_some_and(|e| e == "tsv") {
        let page = parse_page(input::decode(&bytes, &name)?, path)?;
        let texts = page.texts();
        let html_path = path.with_extension("html");
        let html = if html_path.is_file() {
            let html_bytes = fs::read(&html_path)
                .map_err(|e| chaff::Error::io(html_path.display().to_string(), e))?;
            Some(read_html(&html_bytes, None)).filter(|h| same_lines(&h.texts(), &texts))
        } else {
            None
        };
        return Ok(PageLines {
            lines: texts.iter().map(|t| t.to_string()).collect(),
            html,
        });
    }
    if looks_like_html(&bytes) {
        let html = read_html(&bytes, None);
        return Ok(PageLines {
            lines: html.texts().iter().map(|t| t.to_string()).collect(),
            html: Some(html),
        });
    }
    let text = input::decode(&bytes, &name)?;
    Ok(PageLines {
        lines: input::page_lines(text)
            .into_iter()
            .map(str::to_string)
            .collect(),
        html: None,
    })
}

fn classes(labeler: &Labeler, page: &PageLines) -> Vec<Class> {
    let labels = match &page.html {
        Some(html) => labeler.label_html(html).0,
        None => labeler.label(&page.lines),
    };
    labels.into_iter().map(|l| l.class).collect()
}

pub(crate) fn diff(args: DiffArgs) -> Result<()> {
    let [a, b] = args.model.as_slice() else {
        bail!(
            "diff compares two models: give --model twice (a model file or `builtin`), not {} times",
            args.model.len()
        );
    };
    let (model_a, model_b) = (load_model(a)?, load_model(b)?);
    let mut out = stdout()?;
    let (mut compared, mut changed) = (0usize, 0usize);
    let mut pairs: BTreeMap<(Class, Class), usize> = BTreeMap::new();
    for path in &args.pages {
        let page = read_lines(path)?;
        let (in_a, in_b) = (classes(&model_a, &page), classes(&model_b, &page));
        compared += page.lines.len();
        let name = path.display().to_string();
        for (i, ((text, &ca), &cb)) in page.lines.iter().zip(&in_a).zip(&in_b).enumerate() {
            if ca == cb {
                continue;
            }
            changed += 1;
            *pairs.entry((ca, cb)).or_default() += 1;
            if args.json {
                let record = serde_json::json!({
                    "page": name, "line": i + 1, "a": ca, "b": cb, "text": text,
                });
                writeln!(out, "{record}")?;
            } else {
                writeln!(out, "{name}:{}\t{ca}\t{cb}\t{text}", i + 1)?;
            }
        }
    }
    out.flush()?;
    note(format_args!(
        "diff: {compared} lines compared on {} pages, {changed} labeled differently (A {a}, B {b})",
        args.pages.len()
    ));
    let mut by_count: Vec<_> = pairs.into_iter().collect();
    by_count.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    for ((ca, cb), n) in by_count {
        note(format_args!(
            "  {:<10} -> {:<10} {n:>6}",
            ca.as_str(),
            cb.as_str()
        ));
    }
    Ok(())
}
