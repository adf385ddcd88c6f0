//! `chaff eval --format html`: labeled pages whose lines may come from another extractor,
//! scored on their HTML. Each `NAME.tsv` with its page `NAME.html` beside it is scored (others
//! are left out): chaff reads the whole `.html`, labels its own lines, and the gold lines are
//! aligned to them by word tokens (`chaff::train::align`).

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Result};

use chaff::html::read_html;
use chaff::labeled::{corpus_files, read_page};
use chaff::site::{path_keys, SiteProfile};
use chaff::train::align::{score_page, DROPPED};
use chaff::train::eval::{Scores, SiteMemory};
use chaff::train::{count_sites, page_site};
use chaff::{Class, Labeler};

use super::stdout;

/// Scores `labeler` on the `.tsv` pages of `corpus` against their `.html` pages.
pub(crate) fn eval_html(
    labeler: &Labeler,
    corpus: &[PathBuf],
    json: bool,
    memory: SiteMemory,
) -> Result<()> {
    let mut files = Vec::new();
    for path in corpus {
        files.extend(corpus_files(path)?);
    }
    // As score_html.py: labeled pages without their HTML are not scored here.
    files.retain(|tsv| tsv.with_extension("html").is_file());
    if files.is_empty() {
        bail!("no labeled pages (NAME.tsv) with their HTML page (NAME.html) beside them found");
    }
    let mut confusion = [[0usize; Class::COUNT + 1]; Class::COUNT];
    let (mut exact, mut extra_total, mut lines) = (0, 0, 0);
    let mut pages = Vec::with_capacity(files.len());
    for tsv in &files {
        let html_path = tsv.with_extension("html");
        let bytes = fs::read(&html_path)
            .map_err(|e| chaff::Error::io(html_path.display().to_string(), e))?;
        let page = read_page(tsv)?;
        let html = read_html(&bytes, None);
        let site = page_site(&page, html.meta.url.as_deref());
        pages.push((page, html, site));
    }
    // Site memory: the pages of one site (the host of their address, else their folder) are
    // counted together before any is labeled.
    let sites = match memory {
        SiteMemory::On => {
            let names: Vec<String> = pages.iter().map(|p| p.2.clone()).collect();
            let texts: Vec<Vec<&str>> = pages.iter().map(|p| p.1.texts()).collect();
            let paths: Vec<Vec<u64>> = pages.iter().map(|p| path_keys(&p.1)).collect();
            count_sites(&names, &texts, Some(&paths))
        }
        SiteMemory::Off => SiteProfile::default(),
    };
    for (page, html, site) in &pages {
        let gold: Vec<(Class, String)> = page
            .lines
            .iter()
            .map(|l| (l.class, l.text.clone()))
            .collect();
        let texts = html.texts();
        let (labels, _) = labeler.label_html_on_site(html, sites.site(site));
        let pred: Vec<(Class, &str)> = labels.iter().map(|l| l.class).zip(texts).collect();
        let (pairs, extra) = score_page(&gold, &pred);
        extra_total += extra;
        lines += pairs.len();
        let body = Class::Body.index();
        exact += usize::from(pairs.iter().all(|&(g, p)| (g == body) == (p == body)));
        for (g, p) in pairs {
            confusion[g][p] += 1;
        }
    }
    let mut per_class = Vec::new();
    for c in Class::ALL {
        let i = c.index();
        let tp = confusion[i][i];
        let fp: usize = (0..Class::COUNT)
            .filter(|&g| g != i)
            .map(|g| confusion[g][i])
            .sum();
        let support: usize = confusion[i].iter().sum();
        let Scores {
            precision: p,
            recall: r,
            f1,
            ..
        } = Scores::new(tp as u64, (tp + fp) as u64, support as u64);
        per_class.push((c, p, r, f1, support));
    }
    let present: Vec<_> = per_class.iter().filter(|x| x.4 > 0).collect();
    let macro_f1 = present.iter().map(|x| x.3).sum::<f64>() / present.len().max(1) as f64;
    let body_f1 = per_class[Class::Body.index()].3;
    let dropped: usize = confusion.iter().map(|row| row[DROPPED]).sum();
    let exact_share = exact as f64 / files.len() as f64;
    let mut out = stdout()?;
    if json {
        let classes: serde_json::Map<String, serde_json::Value> = per_class
            .iter()
            .map(|(c, p, r, f1, n)| {
                (
                    c.as_str().to_string(),
                    serde_json::json!({"p": p, "r": r, "f1": f1, "support": n}),
                )
            })
            .collect();
        let report = serde_json::json!({
            "pages": files.len(), "lines": lines, "extra_body_lines": extra_total,
            "dropped_lines": dropped, "per_class": classes, "macro_f1": macro_f1,
            "body_f1": body_f1, "page_exact_clean": exact_share,
            "errors": lines - (0..Class::COUNT).map(|i| confusion[i][i]).sum::<usize>(),
            "confusion": confusion,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        writeln!(
            out,
            "pages {}  lines {lines}  extra body lines {extra_total}  dropped {dropped}",
            files.len()
        )?;
        writeln!(
            out,
            "{:10} {:>6} {:>6} {:>6} {:>6}",
            "class", "P", "R", "F1", "n"
        )?;
        for (c, p, r, f1, n) in &per_class {
            writeln!(out, "{:10} {p:6.3} {r:6.3} {f1:6.3} {n:6}", c.as_str())?;
        }
        writeln!(
            out,
            "macro-F1 {macro_f1:.3}  body-F1 {body_f1:.3}  exact-clean pages {exact_share:.3}"
        )?;
    }
    out.flush()?;
    Ok(())
}
