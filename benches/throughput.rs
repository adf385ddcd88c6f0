//! Throughput of each labeling stage and of training, on pages of the training corpus.
//!
//! `cargo bench --bench throughput`; criterion reports MB/s (bytes of page text) per stage.

use std::path::Path;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use linfa::ParamGuard;

use chaff::clean::{kept_lines, CleanOptions};
use chaff::labeled::{read_corpus, LabeledPage};
use chaff::site::SiteCounter;
use chaff::stages;
use chaff::train::{TrainParams, WARM_START_ITERATIONS};
use chaff::{Labeler, Model};

fn corpus() -> Vec<LabeledPage> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("training");
    read_corpus(&[root]).expect("training corpus")
}

fn page_texts(pages: &[LabeledPage]) -> (Vec<Vec<&str>>, u64) {
    let texts: Vec<Vec<&str>> = pages.iter().map(|p| p.texts()).collect();
    let bytes = texts
        .iter()
        .flat_map(|p| p.iter().map(|l| l.len() as u64 + 1))
        .sum();
    (texts, bytes)
}

fn stages(c: &mut Criterion) {
    let pages = corpus();
    let (texts, bytes) = page_texts(&pages);
    let labeler = Labeler::builtin();
    let mut group = c.benchmark_group("label");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);

    group.bench_function("label+clean", |b| {
        b.iter(|| {
            let mut kept = 0;
            for page in &texts {
                let labels = labeler.label(page);
                kept += kept_lines(page, &labels, &CleanOptions::new()).len();
            }
            black_box(kept)
        })
    });
    group.bench_function("language", |b| {
        b.iter(|| {
            for page in &texts {
                black_box(stages::languages(page));
            }
        })
    });
    let prepared: Vec<_> = texts.iter().map(|p| stages::languages(p)).collect();
    group.bench_function("features", |b| {
        b.iter(|| {
            for (page, (lang, langs)) in texts.iter().zip(&prepared) {
                black_box(stages::features(page, lang, langs));
            }
        })
    });
    let feats: Vec<_> = texts
        .iter()
        .zip(&prepared)
        .map(|(page, (lang, langs))| stages::features(page, lang, langs))
        .collect();
    let model = labeler.model();
    group.bench_function("scoring", |b| {
        b.iter(|| {
            for f in &feats {
                black_box(stages::scores(model, f));
            }
        })
    });
    let scores: Vec<_> = feats.iter().map(|f| stages::scores(model, f)).collect();
    group.bench_function("decoding", |b| {
        b.iter(|| {
            for s in &scores {
                black_box(stages::decode(model, s));
            }
        })
    });
    group.finish();
}

/// Site memory: counting the corpus's pages by layout (the first pass over files), and labeling
/// them with their layout's counts against labeling them alone.
fn site_memory(c: &mut Criterion) {
    let pages = corpus();
    let (texts, bytes) = page_texts(&pages);
    let labeler = Labeler::builtin();
    let mut group = c.benchmark_group("site memory");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);
    let count = || {
        let mut counter = SiteCounter::default();
        for (page, lines) in pages.iter().zip(&texts) {
            counter.add_page(&page.layout, lines, None);
        }
        counter.finish()
    };
    group.bench_function("count", |b| b.iter(|| black_box(count())));
    let profile = count();
    group.bench_function("label on site", |b| {
        b.iter(|| {
            for (page, lines) in pages.iter().zip(&texts) {
                black_box(labeler.label_on_site(lines, profile.site(&page.layout)));
            }
        })
    });
    group.bench_function("label alone", |b| {
        b.iter(|| {
            for lines in &texts {
                black_box(labeler.label(lines));
            }
        })
    });
    group.finish();
}

/// Training cost is quoted for 100k labeled lines: the corpus's pages, repeated as needed.
const TRAINING_LINES: usize = 100_000;

fn training(c: &mut Criterion) {
    let corpus = corpus();
    let mut pages = Vec::new();
    let mut lines = 0;
    for page in corpus.iter().cycle() {
        if lines >= TRAINING_LINES {
            break;
        }
        lines += page.lines.len();
        pages.push(page.clone());
    }
    let params = TrainParams::default().check().expect("valid defaults");
    let mut group = c.benchmark_group("train");
    group.sample_size(10);
    group.throughput(Throughput::Elements(lines as u64));
    group.bench_function(format!("{lines} lines"), |b| {
        b.iter(|| black_box(params.fit(&pages).expect("trains")))
    });
    // Retraining as `chaff train --warm-start builtin` does: from the shipped model's weights.
    let warm = TrainParams::default()
        .max_iterations(WARM_START_ITERATIONS)
        .check()
        .expect("valid");
    let start = Model::builtin();
    group.bench_function(format!("{lines} lines, warm start"), |b| {
        b.iter(|| black_box(warm.fit_from(&start, &pages).expect("trains")))
    });
    group.finish();
}

criterion_group!(benches, stages, site_memory, training);
criterion_main!(benches);
