//! Site memory as users meet it: pages of one site labeled together, pages alone, site
//! profiles for standard input, JSONL streams grouped by their URL field.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use common::{chaff, stdout_of, FailsSaying};

/// The composed pages of one layout of the repository's corpus, written as text pages (their
/// lines, without labels) into `dir`; returns the files in order and the gold classes.
fn layout_as_text_pages(layout: &str, dir: &Path) -> (Vec<PathBuf>, Vec<Vec<String>>) {
    let tsvs = common::layout_pages(layout);
    fs::create_dir_all(dir).unwrap();
    let mut files = Vec::new();
    let mut gold = Vec::new();
    for tsv in tsvs {
        let labeled = fs::read_to_string(&tsv).unwrap();
        let (mut text, mut classes) = (String::new(), Vec::new());
        for line in labeled.lines() {
            let mut parts = line.splitn(3, '\t');
            classes.push(parts.next().unwrap().to_string());
            parts.next();
            text.push_str(parts.next().unwrap());
            text.push('\n');
        }
        let file = dir.join(tsv.with_extension("txt").file_name().unwrap());
        fs::write(&file, text).unwrap();
        files.push(file);
        gold.push(classes);
    }
    (files, gold)
}

/// `label --json` of `files` with `extra` flags: per page, each line's (text, P(body), class).
fn labels(files: &[PathBuf], extra: &[&str]) -> Vec<(String, f64, String)> {
    let out = stdout_of(chaff().arg("label").arg("--json").args(extra).args(files));
    out.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["text"].as_str().unwrap().to_string(),
                v["probs"]["body"].as_f64().unwrap(),
                v["class"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn lines_a_site_repeats_lose_body_probability_and_its_pages_gain() {
    let dir = TempDir::new().unwrap();
    let (files, gold) = layout_as_text_pages("chosun-english", &dir.path().join("site"));
    assert!(files.len() >= 5);
    let with = labels(&files, &[]);
    let without = labels(&files, &["--no-site-memory"]);
    assert_eq!(with.len(), without.len());
    let texts: Vec<&str> = with.iter().map(|(t, _, _)| t.as_str()).collect();
    let on_every_page = |t: &str| texts.iter().filter(|&&u| u == t).count() >= files.len();
    let (mut repeated, mut lower) = (0, 0);
    for ((text, p_with, _), (_, p_without, _)) in with.iter().zip(&without) {
        if on_every_page(text) {
            repeated += 1;
            lower += usize::from(p_with <= p_without);
        }
    }
    assert!(repeated >= 20, "the layout repeats its chrome: {repeated}");
    assert!(
        lower * 10 >= repeated * 9,
        "with memory, repeated lines read less like the article: {lower} of {repeated}"
    );
    let gold: Vec<&String> = gold.iter().flatten().collect();
    let errors = |labels: &[(String, f64, String)]| {
        labels
            .iter()
            .zip(&gold)
            .filter(|((_, _, c), g)| c != **g)
            .count()
    };
    assert!(
        errors(&with) <= errors(&without),
        "memory makes no more errors: {} with, {} without",
        errors(&with),
        errors(&without)
    );
}

#[test]
fn a_page_alone_on_its_site_is_labeled_as_without_memory() {
    let dir = TempDir::new().unwrap();
    let (a, _) = layout_as_text_pages("chosun-english", &dir.path().join("a"));
    let (b, _) = layout_as_text_pages("en-site-01", &dir.path().join("b"));
    // One page of each folder: two sites of one page each.
    let pages = [a[1].clone(), b[1].clone()];
    assert_eq!(labels(&pages, &[]), labels(&pages, &["--no-site-memory"]));
    // Pages given alone are alone too, even with their site's other pages on disk.
    assert_eq!(
        labels(&a[1..2], &[]),
        labels(&a[1..2], &["--no-site-memory"])
    );
}

#[test]
fn standard_input_with_a_site_profile_is_labeled_as_among_the_files() {
    let dir = TempDir::new().unwrap();
    let (files, _) = layout_as_text_pages("chosun-english", &dir.path().join("site"));
    let profile = dir.path().join("site.profile");
    chaff()
        .args(["sites", "build", "--site", "news.example", "-o"])
        .arg(&profile)
        .args(&files)
        .assert()
        .success()
        .stderr(predicates::str::contains("1 sites, 5 pages"));
    let together = stdout_of(
        chaff()
            .args(["label", "--json", "--site", "news.example"])
            .args(&files),
    );
    // The second page (the first of this layout is a bare article of two lines).
    let first_lines = fs::read_to_string(&files[0]).unwrap().lines().count();
    let page_lines = fs::read_to_string(&files[1]).unwrap().lines().count();
    assert!(page_lines > 40);
    let expected: Vec<&str> = together
        .lines()
        .skip(first_lines)
        .take(page_lines)
        .collect();
    let from_stdin = stdout_of(
        chaff()
            .args([
                "label",
                "--json",
                "--site",
                "news.example",
                "--site-profile",
            ])
            .arg(&profile)
            .pipe_stdin(&files[1])
            .unwrap(),
    );
    assert_eq!(from_stdin.lines().collect::<Vec<_>>(), expected);
    let alone = stdout_of(
        chaff()
            .args(["label", "--json"])
            .pipe_stdin(&files[1])
            .unwrap(),
    );
    assert_ne!(
        from_stdin, alone,
        "the profile is used: probabilities change"
    );
}

#[test]
fn bad_site_profiles_are_refused_naming_the_file_and_byte() {
    let dir = TempDir::new().unwrap();
    let (files, _) = layout_as_text_pages("en-site-01", &dir.path().join("site"));
    let profile = dir.path().join("p");
    chaff()
        .args(["sites", "build", "-o"])
        .arg(&profile)
        .args(&files)
        .assert()
        .success();
    let bytes = fs::read(&profile).unwrap();
    let truncated = dir.path().join("truncated");
    fs::write(&truncated, &bytes[..bytes.len() - 5]).unwrap();
    chaff()
        .args(["label", "--site-profile"])
        .arg(&truncated)
        .arg(&files[0])
        .fails_saying("truncated: byte");
    let json = dir.path().join("model.json");
    fs::write(&json, "{\"format_version\":1}").unwrap();
    chaff()
        .args(["clean", "--site-profile"])
        .arg(&json)
        .arg(&files[0])
        .fails_saying("not a chaff site profile");
    chaff()
        .args(["label", "--site-profile"])
        .arg(dir.path().join("missing"))
        .arg(&files[0])
        .fails_saying("missing");
    chaff()
        .args(["sites", "build", "-o"])
        .arg(dir.path().join("q"))
        .write_stdin("a line\n")
        .fails_saying("standard input is not counted");
}

#[test]
fn jsonl_records_are_grouped_by_the_host_of_their_url() {
    let dir = TempDir::new().unwrap();
    let (files, _) = layout_as_text_pages("chosun-english", &dir.path().join("site"));
    let record = |url: &str, file: &Path| {
        serde_json::json!({"url": url, "text": fs::read_to_string(file).unwrap()}).to_string()
    };
    let one_site: String = files
        .iter()
        .enumerate()
        .map(|(i, f)| record(&format!("https://www.news.example/a/{i}"), f) + "\n")
        .collect();
    let many_sites: String = files
        .iter()
        .enumerate()
        .map(|(i, f)| record(&format!("https://site{i}.example/a"), f) + "\n")
        .collect();
    let one = dir.path().join("one.jsonl");
    let many = dir.path().join("many.jsonl");
    fs::write(&one, &one_site).unwrap();
    fs::write(&many, &many_sites).unwrap();
    // `label --jsonl`: the probabilities show whether memory was used.
    let clean = |file: &Path, extra: &[&str]| {
        stdout_of(chaff().args(["label", "--jsonl"]).args(extra).arg(file))
    };
    let remembered = clean(&one, &[]);
    assert_ne!(remembered, clean(&one, &["--no-site-memory"]));
    // Every record on its own host: no memory.
    assert_eq!(clean(&many, &[]), clean(&many, &["--no-site-memory"]));
    // A profile of the stream, then the stream from standard input, as once read twice.
    let profile = dir.path().join("p");
    chaff()
        .args(["sites", "build", "--jsonl", "-o"])
        .arg(&profile)
        .arg(&one)
        .assert()
        .success();
    let streamed = stdout_of(
        chaff()
            .args(["label", "--jsonl", "--site-profile"])
            .arg(&profile)
            .pipe_stdin(&one)
            .unwrap(),
    );
    assert_eq!(streamed, remembered);
    // Another URL field.
    let renamed = dir.path().join("renamed.jsonl");
    fs::write(&renamed, one_site.replace("\"url\":", "\"link\":")).unwrap();
    let renamed_out = clean(&renamed, &["--url-field", "link"]);
    assert_eq!(
        renamed_out.replace("\"link\":", "\"url\":"),
        remembered,
        "--url-field names the field"
    );
}
