//! The committed composed corpus: every `training/pages/<layout>/NN-<article>.html` reads back,
//! with chaff's HTML extraction, as its `.tsv`'s lines, and every markup convention is used.
#![cfg(all(feature = "compose", feature = "html"))]

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use chaff::compose::read_layouts;
use chaff::compose::render_html::{convention_for, html_text, Convention};
use chaff::html::HtmlPage;

/// The TEXT column of a labeled page.
fn tsv_texts(tsv: &str) -> Vec<String> {
    tsv.lines()
        .map(|l| {
            let fields: Vec<&str> = l.splitn(3, '\t').collect();
            assert_eq!(fields.len(), 3, "{l}");
            fields[2].to_string()
        })
        .collect()
}

#[test]
fn committed_html_pages_read_back_as_their_tsv_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("training/pages");
    let mut pages = 0;
    let mut exact = 0;
    let mut folders: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    for folder in folders {
        let mut tsvs: Vec<_> = fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
            .collect();
        tsvs.sort();
        for tsv in tsvs {
            let html_path = tsv.with_extension("html");
            let html = fs::read_to_string(&html_path)
                .unwrap_or_else(|e| panic!("{}: {e}", html_path.display()));
            let want = tsv_texts(&fs::read_to_string(&tsv).unwrap());
            let page = HtmlPage::parse(&html);
            let got = page.texts();
            assert_eq!(got.len(), want.len(), "{}", html_path.display());
            for (i, (g, w)) in got.iter().zip(&want).enumerate() {
                // HTML cannot carry runs of ASCII white space: those lines read back collapsed.
                assert_eq!(*g, html_text(w), "{} line {}", html_path.display(), i + 1);
                exact += usize::from(g == w);
            }
            pages += 1;
        }
    }
    assert!(pages > 700, "{pages} pages");
    assert!(exact > 30_000, "{exact} lines read back byte for byte");
}

#[test]
fn every_convention_is_in_the_committed_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let layouts = read_layouts(&root.join("training/layouts")).unwrap();
    let mut seen = BTreeSet::new();
    for layout in &layouts {
        let lang = layout
            .lang
            .clone()
            .or_else(|| layout.article_langs.first().cloned())
            .unwrap_or_default();
        // The compose seed of the committed corpus is the default, 7.
        let convention = convention_for(&layout.name, &lang, 7);
        seen.insert(convention);
        let folder = root.join("training/pages").join(&layout.name);
        let first = fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|e| e == "html"))
            .unwrap_or_else(|| panic!("no .html in {}", folder.display()));
        let html = fs::read_to_string(&first).unwrap().to_ascii_lowercase();
        // Marks each convention leaves on every page.
        let mark = match convention {
            Convention::Table => "<td",
            Convention::Amp => "<html amp",
            Convention::Semantic => "<main",
            Convention::Portal | Convention::DivSoup | Convention::Broken => "<div",
        };
        assert!(html.contains(mark), "{}: {convention:?}", first.display());
    }
    for c in Convention::ALL {
        assert!(seen.contains(&c), "no layout uses {}", c.name());
    }
}

#[test]
fn the_committed_corpus_has_real_sites_habits() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("training/pages");
    let mut pages = Vec::new();
    for folder in fs::read_dir(&root).unwrap() {
        let folder = folder.unwrap().path();
        if !folder.is_dir() {
            continue;
        }
        for e in fs::read_dir(&folder).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|e| e == "html") {
                pages.push(fs::read_to_string(&p).unwrap().to_ascii_lowercase());
            }
        }
    }
    // Each habit on some pages, on none of them everywhere (quoted or not).
    for mark in [
        "href=\"mailto:",
        "rel=\"author\"",
        "itemprop=\"author\"",
        "loading=\"lazy\"",
        "data-ad-unit",
        "action=\"/newsletter\"",
        "/profile/",
        "class=\"cols\"",
    ] {
        let bare = mark.replace('"', "");
        let n = pages
            .iter()
            .filter(|p| p.contains(mark) || p.contains(&bare))
            .count();
        assert!(n >= 10 && n < pages.len() / 2, "{mark}: {n} pages");
    }
}
