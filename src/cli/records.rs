//! JSONL page streams: bounded batches, processed in parallel, written in input order.

use std::fs;
use std::io::{self, BufRead, Write};

use anyhow::{bail, Result};
use rayon::prelude::*;

use chaff::input::{self, jsonl};
use chaff::site::{line_key, path_keys, site_of_url, SiteCounter, SiteCounts, SiteProfile};
use chaff::{CleanOptions, Labeler};

use super::args::PageInput;
use super::note;
use super::output::Output;
use super::pages::{open_input, Input};

/// Records read and processed at once, and their bytes at most: memory stays bounded by the
/// batch whatever the stream's length (a record larger than the byte budget is a batch alone).
const RECORDS_PER_BATCH: usize = 1024;
const RECORD_BATCH_BYTES: usize = 64 << 20;
/// Records of this many bytes or more are labeled one at a time and written as they are
/// labeled, not held in memory with their batch's outputs.
const STREAMED_RECORD_BYTES: usize = 8 << 20;

/// One JSONL line as read: its bytes, or how long it was when over the page size cap.
enum RawRecord {
    Line(Vec<u8>),
    TooLong(u64),
}

/// Reads the next line (without its `\n`), keeping at most `max_bytes` of it.
fn read_record(reader: &mut dyn BufRead, max_bytes: u64) -> io::Result<Option<RawRecord>> {
    let mut line = Vec::new();
    let mut length = 0u64;
    let mut any = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (part, ends) = match chunk.iter().position(|&b| b == b'\n') {
            Some(at) => (&chunk[..at], true),
            None => (chunk, false),
        };
        length += part.len() as u64;
        if length <= max_bytes {
            line.extend_from_slice(part);
        } else if !line.is_empty() {
            line = Vec::new();
        }
        let used = part.len() + usize::from(ends);
        reader.consume(used);
        if ends {
            break;
        }
    }
    Ok(match (any, length > max_bytes) {
        (false, _) => None,
        (true, false) => Some(RawRecord::Line(line)),
        (true, true) => Some(RawRecord::TooLong(length)),
    })
}

/// The fields of JSONL records the flags name.
pub(crate) fn record_fields(input: &PageInput, lines_field: Option<&str>) -> jsonl::Fields {
    jsonl::Fields {
        text: input
            .html_field
            .clone()
            .unwrap_or_else(|| input.text_field.clone()),
        clean: input.clean_field.clone(),
        lines: lines_field.unwrap_or("lines").to_string(),
        html: input.html_field.is_some(),
        url: input.url_field.clone(),
    }
}

/// What site memory counts of a record: its site, its line keys and, for HTML, its path keys.
type RecordKeys = (String, Vec<u64>, Option<Vec<u64>>);

/// The site of a record: `--site`, else the host of its URL field.
fn record_site(input: &PageInput, record: &jsonl::Record) -> Option<String> {
    input
        .site
        .clone()
        .or_else(|| record.url.as_deref().and_then(site_of_url))
}

/// Site memory for JSONL streams: `--site-profile`, or the counts of the input files' records
/// by site, read once before they are labeled (standard input cannot be read twice, so
/// without a profile it has none). Malformed records are passed over here; labeling reports
/// them.
pub(crate) fn count_record_sites(
    input: &PageInput,
    fields: &jsonl::Fields,
    pool: &rayon::ThreadPool,
) -> Result<Option<SiteProfile>> {
    if input.no_site_memory {
        return Ok(None);
    }
    if let Some(path) = &input.site_profile {
        return Ok(Some(super::pages::read_profile(path)?));
    }
    let files: Vec<_> = input
        .files()
        .into_iter()
        .filter(|f| f.as_os_str() != "-")
        .collect();
    if files.is_empty() {
        return Ok(None);
    }
    let mut counter = SiteCounter::default();
    for file in files {
        let name = file.display().to_string();
        if fs::metadata(&file).is_ok_and(|m| m.is_dir()) {
            bail!("{name}: is a folder; give the JSONL files in it");
        }
        let Input { mut reader, .. } = open_input(&file)?;
        loop {
            let mut batch = Vec::new();
            let mut batch_bytes = 0;
            while batch.len() < RECORDS_PER_BATCH && batch_bytes < RECORD_BATCH_BYTES {
                match read_record(&mut reader, input.max_page_bytes)
                    .map_err(|e| chaff::Error::io(&name, e))?
                {
                    None => break,
                    Some(RawRecord::TooLong(_)) => continue,
                    Some(RawRecord::Line(line)) => {
                        batch_bytes += line.len();
                        batch.push(line);
                    }
                }
            }
            if batch.is_empty() {
                break;
            }
            let keys: Vec<Option<RecordKeys>> = pool.install(|| {
                batch
                    .par_iter()
                    .map(|bytes| {
                        let line = std::str::from_utf8(bytes).ok()?;
                        let line = line.strip_prefix('\u{feff}').unwrap_or(line);
                        let record = jsonl::parse_record(line, fields, false).ok()?;
                        let site = record_site(input, &record)?;
                        Some(if fields.html {
                            let page = chaff::html::HtmlPage::parse(record.page());
                            let keys = page.lines.iter().filter_map(|l| line_key(&l.text));
                            (site, keys.collect(), Some(path_keys(&page)))
                        } else {
                            let lines = input::page_lines(record.page());
                            (
                                site,
                                lines.iter().filter_map(|l| line_key(l)).collect(),
                                None,
                            )
                        })
                    })
                    .collect()
            });
            for (site, lines, paths) in keys.into_iter().flatten() {
                counter.add_keys(&site, &lines, paths.as_deref());
            }
        }
    }
    Ok(Some(counter.finish()))
}

/// Streams JSONL pages: records are read in bounded batches, processed in parallel and written
/// in input order.
pub(crate) fn for_each_record(
    input: &PageInput,
    lines_field: Option<&str>,
    opts: &CleanOptions,
    labeler: &Labeler,
) -> Result<()> {
    if input.out_dir.is_some() {
        bail!(
            "--out-dir does not go with --jsonl: records are written to standard output or --out"
        );
    }
    let with_lines = lines_field.is_some();
    let fields = record_fields(input, lines_field);
    if fields.clean == fields.lines && with_lines {
        bail!(
            "--clean-field and --lines-field name the same field {:?}",
            fields.clean
        );
    }
    let skip = input.on_error == "skip";
    let pool = input.pool()?;
    let sites = count_record_sites(input, &fields, &pool)?;
    let site_of = |record: &jsonl::Record| -> Option<&SiteCounts> {
        let profile = sites.as_ref()?;
        profile.site(&record_site(input, record)?)
    };
    let mut out = Output::open(input)?;
    let mut skipped = 0u64;
    for file in input.files() {
        let name = file.display().to_string();
        if fs::metadata(&file).is_ok_and(|m| m.is_dir()) {
            bail!("{name}: is a folder; give the JSONL files in it");
        }
        let Input { mut reader, size } = open_input(&file)?;
        // The progress bar counts the bytes read: those of a plain file it knows the size of.
        let size = (size > 0).then_some(size);
        let progress = input.progress(size);
        let mut record_no = 0usize;
        loop {
            let mut batch: Vec<(usize, Result<Vec<u8>, String>)> = Vec::new();
            let mut batch_bytes = 0;
            while batch.len() < RECORDS_PER_BATCH && batch_bytes < RECORD_BATCH_BYTES {
                let Some(record) = read_record(&mut reader, input.max_page_bytes)
                    .map_err(|e| chaff::Error::io(&name, e))?
                else {
                    break;
                };
                record_no += 1;
                let line = match record {
                    RawRecord::Line(mut line) => {
                        progress.inc(line.len() as u64 + 1);
                        if record_no == 1 && line.starts_with(b"\xEF\xBB\xBF") {
                            line.drain(..3);
                        }
                        if line.iter().all(u8::is_ascii_whitespace) {
                            continue;
                        }
                        batch_bytes += line.len();
                        Ok(line)
                    }
                    RawRecord::TooLong(length) => {
                        progress.inc(length + 1);
                        Err(format!(
                            "the record is {length} bytes, larger than --max-page-bytes ({})",
                            input.max_page_bytes
                        ))
                    }
                };
                batch.push((record_no, line));
            }
            if batch.is_empty() {
                break;
            }
            // A record is labeled and written into memory, in parallel with the others of its
            // batch; a large one is labeled in its turn and written straight out, so that its
            // output is never held whole.
            let handle = |bytes: &Result<Vec<u8>, String>,
                          out: &mut dyn Write|
             -> io::Result<Result<(), String>> {
                let record = bytes.as_ref().map_err(Clone::clone).and_then(|bytes| {
                    let line = std::str::from_utf8(bytes).map_err(|e| {
                        format!(
                            "invalid UTF-8 at byte {} of the record{}",
                            e.valid_up_to(),
                            input::not_utf8_hint(bytes)
                        )
                    })?;
                    jsonl::parse_record(line, &fields, with_lines)
                });
                let record = match record {
                    Ok(record) => record,
                    Err(message) => return Ok(Err(message)),
                };
                let site = site_of(&record);
                jsonl::process_into(record, labeler, site, opts, &fields, with_lines, out)?;
                out.write_all(b"\n")?;
                Ok(Ok(()))
            };
            let is_large = |bytes: &Result<Vec<u8>, String>| {
                bytes
                    .as_ref()
                    .is_ok_and(|b| b.len() >= STREAMED_RECORD_BYTES)
            };
            let results: Vec<Option<Result<Vec<u8>, String>>> = pool.install(|| {
                batch
                    .par_iter()
                    .map(|(_, bytes)| {
                        if is_large(bytes) {
                            return None;
                        }
                        let size = bytes.as_ref().map_or(0, Vec::len);
                        let mut buf = Vec::with_capacity(size + size / 2 + 64);
                        let done =
                            handle(bytes, &mut buf).expect("writing to memory does not fail");
                        Some(done.map(|()| buf))
                    })
                    .collect()
            });
            for ((no, bytes), result) in batch.iter().zip(results) {
                let result = match result {
                    Some(Ok(json)) => {
                        out.write_all(&json)?;
                        Ok(())
                    }
                    Some(Err(message)) => Err(message),
                    None => handle(bytes, &mut out)?,
                };
                match result {
                    Ok(()) => {}
                    Err(message) if skip => {
                        skipped += 1;
                        progress.suspend(|| {
                            note(format_args!(
                                "chaff: {name}: record {no}: {message} (skipped)"
                            ))
                        });
                    }
                    Err(message) => bail!("{name}: record {no}: {message}"),
                }
            }
        }
        progress.finish_and_clear();
    }
    out.finish()?;
    if skipped > 0 {
        note(format_args!("chaff: skipped {skipped} malformed record(s)"));
    }
    Ok(())
}
