//! Throughput of HTML input: bytes of HTML to lines (decoding, parsing, blocks), and to labels
//! (with the structure features and the model's HTML stages).
//!
//! `cargo bench --bench html`; criterion reports MB/s of HTML. The pages are the hand-written
//! ones under `tests/data/html/`, or every `*.html` in the folder `CHAFF_BENCH_HTML_DIR` names
//! (real pages stay outside the repository:
//! `CHAFF_BENCH_HTML_DIR=../shared/realpages/dev cargo bench --bench html`).

use std::fs;
use std::path::PathBuf;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

use chaff::html::read_html;
use chaff::Labeler;

fn pages() -> Vec<Vec<u8>> {
    let dir = std::env::var_os("CHAFF_BENCH_HTML_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/html"));
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("the HTML pages' folder")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    files.sort();
    files.iter().map(|f| fs::read(f).unwrap()).collect()
}

fn html(c: &mut Criterion) {
    let pages = pages();
    let bytes: u64 = pages.iter().map(|p| p.len() as u64).sum();
    let labeler = Labeler::builtin();
    let mut group = c.benchmark_group("html");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    group.bench_function("lines", |b| {
        b.iter(|| {
            for page in &pages {
                black_box(read_html(page, None));
            }
        })
    });
    group.bench_function("labels", |b| {
        b.iter(|| {
            for page in &pages {
                let page = read_html(page, None);
                black_box(labeler.label_html(&page));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, html);
criterion_main!(benches);
