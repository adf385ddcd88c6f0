//! Pages from files or standard input, and where their outputs go.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fs;
use std::io::{self, BufRead, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use rayon::prelude::*;

use chaff::html::{looks_like_html, read_html, HtmlPage};
use chaff::site::{line_key, path_keys, site_of_url, SiteCounter, SiteCounts, SiteProfile};
use chaff::{input, Class, Labeler};

use super::args::{Compression, Format, PageInput};
use super::output::{Output, OutputFile};

/// Runs `f` on a page's lines: its blocks when it is HTML (by `--format`, or by its start with
/// `--format auto`), else its non-blank text lines; `f` also gets the HTML page, if any.
pub(crate) fn with_lines<R>(
    bytes: &[u8],
    name: &str,
    input: &PageInput,
    f: impl FnOnce(&[&str], Option<&HtmlPage>) -> Result<R>,
) -> Result<R> {
    let html = match input.format {
        Format::Html => true,
        Format::Text => false,
        Format::Auto => looks_like_html(bytes),
    };
    if html {
        let page = read_html(bytes, input.encoding);
        f(&page.texts(), Some(&page))
    } else {
        let text = input::decode_with(bytes, name, input.encoding)?;
        f(&input::page_lines(&text), None)
    }
}

/// The site memory of a run: the counts of the sites of its pages, from a `--site-profile`
/// or counted from the input files themselves before any is labeled.
pub(crate) struct Sites {
    profile: Option<SiteProfile>,
}

impl Sites {
    /// Reads `--site-profile`, or counts the sites of `files` (read once here, and again when
    /// they are labeled). Standard input cannot be read twice, so it is not counted; a single
    /// file has no other page to learn from; `--no-site-memory` turns memory off.
    pub(crate) fn for_run(input: &PageInput, files: &[PathBuf]) -> Result<Sites> {
        if input.no_site_memory {
            return Ok(Sites { profile: None });
        }
        if let Some(path) = &input.site_profile {
            let file = fs::File::open(path)
                .map_err(|e| chaff::Error::io(path.display().to_string(), e))?;
            let profile =
                SiteProfile::read_from(&path.display().to_string(), io::BufReader::new(file))?;
            return Ok(Sites {
                profile: Some(profile),
            });
        }
        let countable: Vec<&PathBuf> = files.iter().filter(|f| f.as_os_str() != "-").collect();
        if countable.len() < 2 {
            return Ok(Sites { profile: None });
        }
        Ok(Sites {
            profile: Some(count_files(input, &countable)?),
        })
    }

    /// The counts of the site of the page read from `file` (its HTML, if any).
    pub(crate) fn of(
        &self,
        input: &PageInput,
        file: &Path,
        html: Option<&HtmlPage>,
    ) -> Option<&SiteCounts> {
        let profile = self.profile.as_ref()?;
        profile.site(&site_name(input, file, html)?)
    }
}

/// Reads a site profile (`--site-profile`), its errors naming the file.
pub(crate) fn read_profile(path: &Path) -> Result<SiteProfile> {
    let name = path.display().to_string();
    let file = fs::File::open(path).map_err(|e| chaff::Error::io(&name, e))?;
    Ok(SiteProfile::read_from(&name, io::BufReader::new(file))?)
}

/// The site a page belongs to: `--site`, else the host of the address an HTML page gives for
/// itself (`<link rel="canonical">`, `og:url`), else the folder of its file (standard input
/// has none).
pub(crate) fn site_name(input: &PageInput, file: &Path, html: Option<&HtmlPage>) -> Option<String> {
    if let Some(site) = &input.site {
        return Some(site.clone());
    }
    if let Some(host) = html
        .and_then(|h| h.meta.url.as_deref())
        .and_then(site_of_url)
    {
        return Some(host);
    }
    if file.as_os_str() == "-" {
        return None;
    }
    let folder = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let folder = fs::canonicalize(&folder).unwrap_or(folder);
    Some(format!("folder:{}", folder.display()))
}

/// Counts the lines (and structure paths) of `files` by site: pages are read and parsed in
/// parallel batches, their keys counted in argument order.
pub(crate) fn count_files(input: &PageInput, files: &[&PathBuf]) -> Result<SiteProfile> {
    let pool = input.pool()?;
    let mut counter = SiteCounter::default();
    for batch in files.chunks(256) {
        let keys: Vec<Result<PageKeys>> = pool.install(|| {
            batch
                .par_iter()
                .map(|file| {
                    let bytes = read_input(file, input.max_page_bytes)?;
                    with_lines(&bytes, &file.display().to_string(), input, |lines, html| {
                        Ok(PageKeys {
                            site: site_name(input, file, html),
                            lines: lines.iter().filter_map(|l| line_key(l)).collect(),
                            paths: html.map(path_keys),
                        })
                    })
                })
                .collect()
        });
        for page in keys {
            let page = page?;
            if let Some(site) = &page.site {
                counter.add_keys(site, &page.lines, page.paths.as_deref());
            }
        }
    }
    Ok(counter.finish())
}

/// What site memory counts of one page.
struct PageKeys {
    site: Option<String>,
    lines: Vec<u64>,
    paths: Option<Vec<u64>>,
}

/// Whether a file name says HTML (`.html`, `.htm`, `.xhtml`, any case): `clean --out-dir`
/// names such a page's output `.txt`.
fn is_html_name(file: &Path) -> bool {
    let name = file.file_name().map(uncompressed_name).unwrap_or_default();
    Path::new(&name)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| {
            ["html", "htm", "xhtml"]
                .iter()
                .any(|h| e.eq_ignore_ascii_case(h))
        })
}

/// Reads one page, refusing folders (with what to do instead) and pages over `max_bytes`
/// (so `/dev/zero` ends with a message, not with all memory); a compressed page is read as
/// what it holds, and `max_bytes` counts its uncompressed bytes.
fn read_input(file: &Path, max_bytes: u64) -> Result<Vec<u8>> {
    let name = file.display().to_string();
    if file.as_os_str() != "-" && fs::metadata(file).is_ok_and(|m| m.is_dir()) {
        bail!(
            "{name}: is a folder; give the page files in it (for example {}/*.txt)",
            name.trim_end_matches('/')
        );
    }
    let Input { reader, size } = open_input(file)?;
    // A file is read into a buffer of its size: growing one by doubling would copy it.
    let mut buf = Vec::with_capacity(size.min(max_bytes) as usize + 1);
    reader
        .take(max_bytes + 1)
        .read_to_end(&mut buf)
        .map_err(|e| chaff::Error::io(&name, e))?;
    if buf.len() as u64 > max_bytes {
        bail!("{name}: the page is larger than --max-page-bytes ({max_bytes} bytes); raise the limit or split the page");
    }
    Ok(buf)
}

/// An opened input: what it holds, decompressed, and its size on disk when it is a plain file
/// (0 for standard input or a compressed file, whose content's size is not known).
pub(crate) struct Input {
    pub(crate) reader: Box<dyn BufRead>,
    pub(crate) size: u64,
}

/// The first bytes of a gzip member and of a zstd frame.
const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
const ZSTD_MAGIC: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];

/// Opens a file (or standard input for `-`) for reading. Gzip (`.gz`, several members as
/// concatenated files have them) and zstd (`.zst`) input are recognized by their first bytes,
/// whatever the file's name, and read decompressed; their errors say which format failed.
pub(crate) fn open_input(file: &Path) -> Result<Input> {
    let name = file.display().to_string();
    let (raw, size): (Box<dyn Read>, u64) = if file.as_os_str() == "-" {
        (Box::new(io::stdin().lock()), 0)
    } else {
        let opened = fs::File::open(file).map_err(|e| chaff::Error::io(&name, e))?;
        let size = opened.metadata().map_or(0, |m| m.len());
        (Box::new(opened), size)
    };
    let mut raw = io::BufReader::with_capacity(1 << 16, raw);
    let head = raw.fill_buf().map_err(|e| chaff::Error::io(&name, e))?;
    let input = if head.starts_with(GZIP_MAGIC) {
        let decoder = flate2::bufread::MultiGzDecoder::new(raw);
        Input {
            reader: Box::new(io::BufReader::new(Decompressed("gzip", decoder))),
            size: 0,
        }
    } else if head.starts_with(ZSTD_MAGIC) {
        let decoder = zstd::stream::read::Decoder::with_buffer(raw)
            .map_err(|e| chaff::Error::io(&name, e))?;
        Input {
            reader: Box::new(io::BufReader::new(Decompressed("zstd", decoder))),
            size: 0,
        }
    } else {
        Input {
            reader: Box::new(raw),
            size,
        }
    };
    Ok(input)
}

/// A decompressing reader whose errors name its format (`gzip: corrupt deflate stream`).
struct Decompressed<R>(&'static str, R);

impl<R: Read> Read for Decompressed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.1
            .read(buf)
            .map_err(|e| io::Error::new(e.kind(), format!("{} input: {e}", self.0)))
    }
}

/// The inputs' bytes read and labeled at once, and the most files at once: outputs are held
/// until their batch is done, so both bound memory; output keeps argument order.
const BATCH_BYTES: u64 = 64 << 20;
const FILES_PER_BATCH: usize = 64;

/// Splits `files` into batches of at most [`FILES_PER_BATCH`] files and about [`BATCH_BYTES`]
/// bytes (a larger file is a batch of its own).
fn batches(files: &[PathBuf]) -> Vec<&[PathBuf]> {
    let mut out = Vec::new();
    let (mut start, mut bytes) = (0, 0u64);
    for (i, file) in files.iter().enumerate() {
        let size = fs::metadata(file).map_or(0, |m| m.len());
        if i > start && (i - start == FILES_PER_BATCH || bytes + size > BATCH_BYTES) {
            out.push(&files[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < files.len() {
        out.push(&files[start..]);
    }
    out
}

/// The files `--out-dir` writes, checked before anything is written: no two inputs may share
/// an output file, and no output may be an input.
struct OutputFiles {
    dir: PathBuf,
    /// `--compress`: every output's compression, instead of its input's.
    compress: Option<Compression>,
    inputs: HashMap<PathBuf, PathBuf>,
    claimed: HashMap<PathBuf, PathBuf>,
}

/// An output file reserved under `--out-dir`, and how it is compressed.
struct Target {
    path: PathBuf,
    compression: Compression,
}

impl Target {
    /// Writes `bytes` into the file, compressed.
    fn write(&self, bytes: &[u8]) -> Result<()> {
        OutputFile::write_whole(&self.path, self.compression, bytes)
    }
}

impl OutputFiles {
    fn new(dir: &Path, compress: Option<Compression>, inputs: &[PathBuf]) -> Result<OutputFiles> {
        fs::create_dir_all(dir).map_err(|e| chaff::Error::io(dir.display().to_string(), e))?;
        let dir =
            fs::canonicalize(dir).map_err(|e| chaff::Error::io(dir.display().to_string(), e))?;
        let inputs = inputs
            .iter()
            .filter_map(|f| Some((fs::canonicalize(f).ok()?, f.clone())))
            .collect();
        Ok(OutputFiles {
            dir,
            compress,
            inputs,
            claimed: HashMap::new(),
        })
    }

    /// The file `name` in the output folder for `input`'s output, with the ending of its
    /// compression: `input`'s own (by its name) or `--compress`.
    fn target(&self, input: &Path, mut name: OsString) -> Target {
        let compression = self.compress.unwrap_or_else(|| Compression::of_name(input));
        if let Some(ext) = compression.extension() {
            name.push(".");
            name.push(ext);
        }
        Target {
            path: self.dir.join(name),
            compression,
        }
    }

    /// Reserves `name` (with its compression's ending) in the output folder for `input`'s
    /// output.
    fn claim(&mut self, input: &Path, name: OsString) -> Result<Target> {
        let Target {
            path: target,
            compression,
        } = self.target(input, name);
        if let Some(overwritten) = self.inputs.get(&target) {
            bail!(
                "{}: writing it would overwrite the input {}; choose another --out-dir",
                target.display(),
                overwritten.display()
            );
        }
        if let Some(other) = self.claimed.insert(target.clone(), input.to_path_buf()) {
            if other != input {
                bail!(
                    "{} and {} would both be written to {}; give them different names or --out-dir folders",
                    other.display(),
                    input.display(),
                    target.display()
                );
            }
        }
        Ok(Target {
            path: target,
            compression,
        })
    }

    /// Reserves `input`'s own name (compressed as its output is) in the output folder for a
    /// copy of it, unless that is where `input` itself is (then no copy is needed: `None`).
    fn claim_copy(&mut self, input: &Path) -> Result<Option<Target>> {
        let target = self.target(input, output_name(input)?);
        if fs::canonicalize(input).is_ok_and(|own| own == target.path) {
            return Ok(None);
        }
        self.claim(input, output_name(input)?).map(Some)
    }

    /// Reserves the output file of `input` under its own name, with `extension` when given.
    fn claim_for(&mut self, input: &Path, extension: Option<&str>) -> Result<Target> {
        let name = output_name(input)?;
        let name = match extension {
            Some(ext) => Path::new(&name).with_extension(ext).into_os_string(),
            None => name,
        };
        self.claim(input, name)
    }
}

/// The file name an input's output is named after.
fn output_name(input: &Path) -> Result<OsString> {
    if input.as_os_str() == "-" {
        bail!("--out-dir needs named input files, not standard input");
    }
    match input.file_name() {
        Some(name) => Ok(uncompressed_name(name)),
        None => bail!(
            "{}: has no file name to name its output after; give the page file's path",
            input.display()
        ),
    }
}

/// A file name without a `.gz` or `.zst` ending: a compressed input's outputs (and the copy of
/// an HTML page) are named after what it holds, the ending of their own compression added
/// after the output's own extension (`page.html.gz` gives `page.txt.gz`).
fn uncompressed_name(name: &std::ffi::OsStr) -> OsString {
    let path = Path::new(name);
    let compressed = Compression::of_name(path) != Compression::None;
    match (compressed, path.file_stem()) {
        (true, Some(stem)) => stem.to_os_string(),
        _ => name.to_os_string(),
    }
}

/// What `--out-dir` holds for each input page besides its output.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Beside {
    /// Only the output.
    Nothing,
    /// An HTML page's own bytes too, under its own name: `label` then leaves `NAME.html` and
    /// `NAME.tsv` side by side, a labeled HTML page ready to correct and to score with
    /// `eval --format html`.
    HtmlPage,
}

/// A page's output, and its own bytes when they are to be copied beside it.
type Rendered = (Vec<u8>, Option<Vec<u8>>);

/// Runs `render` on every input page (a file, or standard input), in parallel batches, and
/// writes each page's output in argument order to standard output or to `--out-dir`.
pub(crate) fn for_each_page(
    input: &PageInput,
    out_extension: Option<&str>,
    beside: Beside,
    render: impl Fn(&[&str], Option<&HtmlPage>, Option<&SiteCounts>, &mut dyn Write) -> Result<()>
        + Sync,
) -> Result<()> {
    let files = input.files();
    let sites = Sites::for_run(input, &files)?;
    let mut targets = Vec::new();
    let mut copies = Vec::new();
    if let Some(dir) = &input.out_dir {
        let mut outputs = OutputFiles::new(dir, input.compress, &files)?;
        for file in &files {
            let extension = match out_extension {
                None if is_html_name(file) => Some("txt"),
                other => other,
            };
            targets.push(outputs.claim_for(file, extension)?);
            let html_input = is_html_name(file) || input.format == Format::Html;
            copies.push(match beside {
                Beside::HtmlPage if html_input => outputs.claim_copy(file)?,
                _ => None,
            });
        }
    }
    let mut out = match input.out_dir {
        Some(_) => None,
        None => Some(Output::open(input)?),
    };
    let pool = input.pool()?;
    let progress = input.progress(None);
    let mut done = 0;
    for batch in batches(&files) {
        if let [file] = batch {
            // A page alone in its batch (a large one, or the only one) is written as it is
            // labeled, window by window: its output is never held whole.
            let bytes = read_input(file, input.max_page_bytes)?;
            let name = file.display().to_string();
            let was_html = match &mut out {
                Some(out) => with_lines(&bytes, &name, input, |lines, html| {
                    render(lines, html, sites.of(input, file, html), out)?;
                    Ok(html.is_some())
                })?,
                None => {
                    let target = &targets[done];
                    with_lines(&bytes, &name, input, |lines, html| {
                        let mut writer = OutputFile::create(&target.path, target.compression)?;
                        render(
                            lines,
                            html,
                            sites.of(input, batch[0].as_path(), html),
                            &mut writer,
                        )?;
                        writer.finish()?;
                        Ok(html.is_some())
                    })?
                }
            };
            progress.inc(bytes.len() as u64);
            if let (true, Some(Some(copy))) = (was_html, copies.get(done)) {
                copy.write(&bytes)?;
            }
            done += 1;
            continue;
        }
        let outputs: Vec<Result<Rendered>> = pool.install(|| {
            batch
                .par_iter()
                .enumerate()
                .map(|(k, file)| {
                    let bytes = read_input(file, input.max_page_bytes)?;
                    let name = file.display().to_string();
                    let (buf, was_html) = with_lines(&bytes, &name, input, |lines, html| {
                        let mut buf = Vec::with_capacity(bytes.len() + lines.len() * 8);
                        render(lines, html, sites.of(input, file, html), &mut buf)?;
                        Ok((buf, html.is_some()))
                    })?;
                    progress.inc(bytes.len() as u64);
                    let copy = copies.get(done + k).is_some_and(Option::is_some) && was_html;
                    Ok((buf, copy.then_some(bytes)))
                })
                .collect()
        });
        for output in outputs {
            let (output, page) = output?;
            match &mut out {
                None => {
                    targets[done].write(&output)?;
                    if let (Some(page), Some(Some(copy))) = (page, copies.get(done)) {
                        copy.write(&page)?;
                    }
                }
                Some(out) => out.write_all(&output)?,
            }
            done += 1;
        }
    }
    progress.finish_and_clear();
    if let Some(out) = out {
        out.finish()?;
    }
    Ok(())
}

/// Writes each page's body lines into one file per language under `--out-dir`.
pub(crate) fn split_languages(input: &PageInput, labeler: &Labeler) -> Result<()> {
    let dir = input.out_dir.as_ref().expect("clap requires --out-dir");
    let files = input.files();
    let mut outputs = OutputFiles::new(dir, input.compress, &files)?;
    for file in &files {
        output_name(file)?;
    }
    let sites = Sites::for_run(input, &files)?;
    for file in &files {
        let bytes = read_input(file, input.max_page_bytes)?;
        let by_lang = with_lines(&bytes, &file.display().to_string(), input, |lines, html| {
            let site = sites.of(input, file, html);
            let labels = super::commands::label_page(labeler, lines, html, site);
            let mut by_lang: std::collections::BTreeMap<&str, Vec<u8>> = Default::default();
            for (line, label) in lines.iter().zip(&labels) {
                if label.class == Class::Body {
                    let out = by_lang.entry(label.lang.as_str()).or_default();
                    out.extend_from_slice(line.as_bytes());
                    out.push(b'\n');
                }
            }
            Ok(by_lang)
        })?;
        for (lang, text) in by_lang {
            outputs
                .claim(file, language_file_name(file, lang))?
                .write(&text)?;
        }
    }
    Ok(())
}

/// `page.txt` → `page.eng.txt` (`page.html` → `page.eng.txt`, `page.txt.gz` →
/// `page.eng.txt`, its compression's ending added when claimed), keeping names that are not
/// UTF-8 as they are.
fn language_file_name(file: &Path, lang: &str) -> OsString {
    let own = uncompressed_name(file.file_name().unwrap_or_default());
    let own = Path::new(&own);
    let mut name = own.file_stem().unwrap_or_default().to_os_string();
    name.push(".");
    name.push(lang);
    if is_html_name(file) {
        name.push(".txt");
    } else if let Some(ext) = own.extension() {
        name.push(".");
        name.push(ext);
    }
    name
}
