//! `--warc`: the HTML pages of WARC files, cleaned into JSONL, every record accounted for.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;

use anyhow::{bail, Result};

use chaff::html::{encoding_for_label, read_html};
use chaff::input::warc::{http_response, WarcError, WarcReader, WarcRecord};
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
    let mut out = Output::open(input)?;
    for file in input.files() {
        let name = file.display().to_string();
        let Input { reader, .. } = open_input(&file)?;
        let mut records = WarcReader::new(reader);
        let mut cleaned = 0u64;
        let mut skipped: BTreeMap<String, u64> = BTreeMap::new();
        while let Some(record) = records.next_record() {
            let record = match record {
                Ok(record) => record,
                Err(e @ WarcError::Truncated { .. }) => {
                    note(format_args!("chaff: {name}: {e} (skipped)"));
                    *skipped.entry("truncated".into()).or_default() += 1;
                    break;
                }
                Err(e) => bail!("{name}: {e}"),
            };
            match page_of(&record) {
                Ok((url, html, charset)) => {
                    // The HTTP header's charset goes before the page's own declaration.
                    let encoding = charset.and_then(|c| encoding_for_label(&c).ok());
                    let page = read_html(&html, encoding);
                    write_page(&mut out, &record, url, &page, labeler, opts, with_lines)?;
                    cleaned += 1;
                }
                Err(reason) => *skipped.entry(reason).or_default() += 1,
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

/// An HTML page a record holds: its address, its HTML and the charset its HTTP header declares.
type HtmlRecord<'a> = (&'a str, Cow<'a, [u8]>, Option<String>);

/// The HTML page a record holds, or why the record is skipped.
fn page_of(record: &WarcRecord) -> Result<HtmlRecord<'_>, String> {
    let kind = record.header("WARC-Type").unwrap_or("");
    if !kind.eq_ignore_ascii_case("response") {
        let kind = if kind.is_empty() { "untyped" } else { kind };
        return Err(format!("{kind} records"));
    }
    let url = record.header("WARC-Target-URI").unwrap_or("");
    let response = http_response(&record.block).ok_or("not HTTP responses")?;
    if response.status != 200 {
        return Err(format!("with status {}", response.status));
    }
    if !response.is_html() {
        return Err("not HTML".into());
    }
    let charset = response.charset().map(str::to_string);
    Ok((url, response.body, charset))
}

fn write_page(
    out: &mut impl Write,
    record: &WarcRecord,
    url: &str,
    page: &chaff::html::HtmlPage,
    labeler: &Labeler,
    opts: &CleanOptions,
    with_lines: bool,
) -> Result<()> {
    let lines = page.texts();
    let (labels, language) = labeler.label_html(page);
    let mut chars: BTreeMap<&str, usize> = BTreeMap::new();
    let mut clean = String::new();
    for (line, label) in lines.iter().zip(&labels).filter(|(_, l)| opts.keeps(l)) {
        if !clean.is_empty() {
            clean.push('\n');
        }
        clean.push_str(line);
        *chars.entry(label.lang.as_str()).or_default() += line.chars().count();
    }
    let lang = chars
        .iter()
        .filter(|(l, _)| **l != "und")
        .max_by_key(|(_, n)| **n)
        .map_or("und", |(l, _)| *l);
    let mut object = serde_json::json!({
        "url": url,
        "warc_record_id": record.header("WARC-Record-ID").unwrap_or(""),
        "date": record.header("WARC-Date").unwrap_or(""),
        "lang": lang,
        "clean": clean,
    });
    if with_lines {
        let reports: Vec<LineReport> = lines
            .iter()
            .zip(&labels)
            .map(|(line, label)| LineReport::new(line, label, &language))
            .collect();
        object["lines"] = serde_json::to_value(reports)?;
    }
    serde_json::to_writer(&mut *out, &object)?;
    out.write_all(b"\n")?;
    Ok(())
}
