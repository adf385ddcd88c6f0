//! `--warc`: the HTML pages of WARC files, cleaned into JSONL, every record accounted for.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::{bail, Result};
use rayon::prelude::*;

use chaff::clean::clean_text;
use chaff::input::warc::{Skipped, WarcReader, WarcRecord};
use chaff::{CleanOptions, Labeler, LineReport};

use super::args::PageInput;
use super::note;
use super::output::Output;
use super::pages::{open_input, Input};

/// Cleans (and with `with_lines`, labels) the HTML `response` records of each WARC file (or
/// standard input), gzip per record or not, writing one JSON object per HTML page:
/// `url`, `warc_record_id`, `date`, `lang` (the language most of the kept text is in),
/// `clean` and, with `label`, `lines`. Other records are skipped and counted by reason on
/// standard error; a truncated last record is reported with its byte and counted.
pub(crate) fn for_each_warc(
    input: &PageInput,
    with_lines: bool,
    opts: &CleanOptions,
    labeler: &Labeler,
) -> Result<()> {
    if input.out_dir.is_some() {
        bail!("--out-dir does not go with --warc: pages are written as JSONL to standard output or --out");
    }
    let pool = input.pool()?;
    let mut out = Output::open(input)?;
    for file in input.files() {
        let name = file.display().to_string();
        let Input { reader, .. } = open_input(&file)?;
        let mut records = WarcReader::new(reader);
        let mut cleaned = 0u64;
        let mut skipped: BTreeMap<Skipped, u64> = BTreeMap::new();
        let mut more = true;
        while more {
            // Records are read a batch at a time and cleaned in parallel, written in order.
            let batch = records
                .next_batch(BATCH_RECORDS)
                .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            more = batch.more;
            if let Some(e) = &batch.truncated {
                note(format_args!("chaff: {name}: {e} (skipped)"));
                *skipped.entry(Skipped::Truncated).or_default() += 1;
            }
            let outputs: Vec<Result<Result<Vec<u8>, Skipped>>> = pool.install(|| {
                batch
                    .records
                    .par_iter()
                    .map(|record| page_json(record, labeler, opts, with_lines))
                    .collect()
            });
            for output in outputs {
                match output? {
                    Ok(json) => {
                        out.write_all(&json)?;
                        cleaned += 1;
                    }
                    Err(reason) => *skipped.entry(reason).or_default() += 1,
                }
            }
        }
        let skipped_all: u64 = skipped.values().sum();
        let reasons: Vec<String> = skipped.iter().map(|(r, n)| format!("{n} {r}")).collect();
        note(format_args!(
            "{name}: {} records: {cleaned} HTML pages cleaned, {skipped_all} skipped{}{}",
            cleaned + skipped_all,
            if reasons.is_empty() { "" } else { " (" },
            if reasons.is_empty() {
                String::new()
            } else {
                reasons.join(", ") + ")"
            }
        ));
    }
    out.finish()?;
    Ok(())
}

/// Records cleaned in parallel at a time: enough to keep every core busy, few enough that a
/// WARC file is never held whole.
const BATCH_RECORDS: usize = 256;

/// The JSON line of a record's HTML page, or why the record holds none.
fn page_json(
    record: &WarcRecord,
    labeler: &Labeler,
    opts: &CleanOptions,
    with_lines: bool,
) -> Result<Result<Vec<u8>, Skipped>> {
    let page = match record.html_page() {
        Ok(page) => page,
        Err(reason) => return Ok(Err(reason)),
    };
    let html = page.parse();
    let lines = html.texts();
    let (labels, language) = labeler.label_html(&html);
    let clean = clean_text(&lines, &labels, opts);
    let mut object = serde_json::json!({
        "url": page.url,
        "warc_record_id": record.header("WARC-Record-ID").unwrap_or(""),
        "date": record.header("WARC-Date").unwrap_or(""),
        "lang": clean.lang,
        "clean": clean.text,
    });
    if with_lines {
        let reports: Vec<LineReport> = lines
            .iter()
            .zip(&labels)
            .map(|(line, label)| LineReport::new(line, label, &language))
            .collect();
        object["lines"] = serde_json::to_value(reports)?;
    }
    let mut json = serde_json::to_vec(&object)?;
    json.push(b'\n');
    Ok(Ok(json))
}
