//! The extension module `chaff._chaff`, wrapped by the Python package `chaff` (python/chaff/).
//!
//! Pages cross into Rust as owned bytes, and the interpreter is released while they are read
//! and labeled: batch calls label on every core (rayon) while other Python threads go on.
//! Results are built as plain Python objects (`str`, `dict`, `list`) once labeling is done.

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::PathBuf;

use pyo3::create_exception;
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyString};
use rayon::prelude::*;

use chaff::clean::{clean_text, CleanOptions, CleanText};
use chaff::html::{encoding_for_label, looks_like_html, read_html, Encoding};
use chaff::input::warc::{Skipped, WarcError, WarcReader, WarcRecord};
use chaff::{input, Class, LineLabel, Model, PageLanguage};

create_exception!(
    chaff,
    ChaffError,
    PyValueError,
    "Input or a model file chaff cannot read; the message names the page or file, the byte or line, and what is wrong."
);

/// A page as Python handed it: text (a `str`, already decoded) or raw bytes.
enum Page {
    Str(String),
    Bytes(Vec<u8>),
}

impl Page {
    fn from_python(object: &Bound<'_, PyAny>, name: &str) -> PyResult<Page> {
        if let Ok(text) = object.cast::<PyString>() {
            return Ok(Page::Str(text.to_cow()?.into_owned()));
        }
        if let Ok(bytes) = object.cast::<PyBytes>() {
            return Ok(Page::Bytes(bytes.as_bytes().to_vec()));
        }
        if let Ok(bytes) = object.cast::<PyByteArray>() {
            return Ok(Page::Bytes(bytes.to_vec()));
        }
        Err(PyTypeError::new_err(format!(
            "{name}: a page is str or bytes, not {}",
            object.get_type().name()?
        )))
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Page::Str(text) => text.as_bytes(),
            Page::Bytes(bytes) => bytes,
        }
    }
}

/// How pages are read: as HTML or text lines, and in which encoding.
#[derive(Clone, Copy)]
struct Reading {
    format: Format,
    encoding: Option<&'static Encoding>,
}

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Auto,
    Text,
    Html,
}

impl Reading {
    fn new(format: &str, encoding: Option<&str>) -> PyResult<Reading> {
        let format = match format {
            "auto" => Format::Auto,
            "text" => Format::Text,
            "html" => Format::Html,
            other => {
                return Err(PyValueError::new_err(format!(
                    "format is \"auto\", \"text\" or \"html\", not {other:?}"
                )))
            }
        };
        let encoding = encoding
            .map(encoding_for_label)
            .transpose()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        Ok(Reading { format, encoding })
    }

    fn is_html(&self, page: &Page) -> bool {
        match self.format {
            Format::Html => true,
            Format::Text => false,
            Format::Auto => looks_like_html(page.bytes()),
        }
    }
}

/// A labeled page, owned, for building its Python records after the interpreter is back.
struct LabeledPage {
    /// Each labeled line with its number: in text, the input line (1-based, blank lines
    /// counted); in HTML, the block (1-based).
    lines: Vec<(usize, String)>,
    labels: Vec<LineLabel>,
    language: PageLanguage,
}

/// Runs `f` on a page's labeled lines (their numbers too) and labels.
fn with_labels<R>(
    labeler: &chaff::Labeler,
    page: &Page,
    name: &str,
    reading: Reading,
    f: impl FnOnce(&[&str], &[usize], Vec<LineLabel>, PageLanguage) -> R,
) -> Result<R, chaff::Error> {
    if reading.is_html(page) {
        // A str was decoded by Python already: its bytes are UTF-8, whatever its <meta> says.
        let encoding = match page {
            Page::Str(_) => Some(chaff::html::Encoding::for_label(b"utf-8").expect("utf-8")),
            Page::Bytes(_) => reading.encoding,
        };
        let html = read_html(page.bytes(), encoding);
        let lines = html.texts();
        let numbers: Vec<usize> = (1..=lines.len()).collect();
        let (labels, language) = labeler.label_html(&html);
        return Ok(f(&lines, &numbers, labels, language));
    }
    let text = match page {
        Page::Str(text) => std::borrow::Cow::Borrowed(text.as_str()),
        Page::Bytes(bytes) => input::decode_with(bytes, name, reading.encoding)?,
    };
    let (numbers, lines): (Vec<usize>, Vec<&str>) = input::lines(&text)
        .enumerate()
        .filter(|(_, line)| !input::is_blank(line))
        .map(|(i, line)| (i + 1, line))
        .unzip();
    let (labels, language) = labeler.label_with_language(&lines);
    Ok(f(&lines, &numbers, labels, language))
}

fn clean_page(
    labeler: &chaff::Labeler,
    page: &Page,
    name: &str,
    reading: Reading,
    opts: &CleanOptions,
) -> Result<CleanText, chaff::Error> {
    with_labels(labeler, page, name, reading, |lines, _, labels, _| {
        clean_text(lines, &labels, opts)
    })
}

fn label_page(
    labeler: &chaff::Labeler,
    page: &Page,
    name: &str,
    reading: Reading,
) -> Result<LabeledPage, chaff::Error> {
    with_labels(
        labeler,
        page,
        name,
        reading,
        |lines, numbers, labels, language| LabeledPage {
            lines: numbers
                .iter()
                .zip(lines)
                .map(|(&n, &line)| (n, line.to_owned()))
                .collect(),
            labels,
            language,
        },
    )
}

/// chaff's error as a Python exception, its message unchanged: a missing file is
/// `FileNotFoundError`, other I/O `OSError`, everything else `ChaffError`.
fn to_python(error: chaff::Error) -> PyErr {
    match error.io_error().map(io::Error::kind) {
        Some(io::ErrorKind::NotFound) => PyFileNotFoundError::new_err(error.to_string()),
        Some(_) => PyOSError::new_err(error.to_string()),
        None => ChaffError::new_err(error.to_string()),
    }
}

fn clean_options(lang: Option<&str>) -> PyResult<CleanOptions> {
    match lang {
        Some(code) => {
            let lang =
                chaff::Lang::parse(code).map_err(|e| PyValueError::new_err(e.to_string()))?;
            Ok(CleanOptions::new().lang(lang.as_str()))
        }
        None => Ok(CleanOptions::new()),
    }
}

/// A line's Python record: `class`, `lang`, `probs`, `segments` (character offsets into
/// `text`), `text` and `line`.
fn line_record<'py>(
    py: Python<'py>,
    number: usize,
    line: &str,
    label: &LineLabel,
    language: &PageLanguage,
) -> PyResult<Bound<'py, PyDict>> {
    let record = PyDict::new(py);
    record.set_item(intern!(py, "class"), label.class.as_str())?;
    record.set_item(intern!(py, "lang"), label.lang.as_str())?;
    let probs = PyDict::new(py);
    for class in Class::ALL {
        probs.set_item(class.as_str(), label.probs[class.index()])?;
    }
    record.set_item(intern!(py, "probs"), probs)?;
    let segments = PyList::empty(py);
    // Python slices strings by character: byte offsets become character offsets, counted
    // once along the line (segments come in order).
    let (mut byte, mut chars) = (0usize, 0usize);
    let mut char_offset = |to: usize| {
        chars += line[byte..to].chars().count();
        byte = to;
        chars
    };
    for segment in language.segments(line) {
        let item = PyDict::new(py);
        item.set_item(intern!(py, "start"), char_offset(segment.start))?;
        item.set_item(intern!(py, "end"), char_offset(segment.end))?;
        let script = serde_json::to_value(segment.script).unwrap_or_default();
        item.set_item(intern!(py, "script"), script.as_str().unwrap_or("other"))?;
        item.set_item(intern!(py, "lang"), segment.lang.as_str())?;
        item.set_item(intern!(py, "is_address"), segment.is_address)?;
        segments.append(item)?;
    }
    record.set_item(intern!(py, "segments"), segments)?;
    record.set_item(intern!(py, "text"), line)?;
    record.set_item(intern!(py, "line"), number)?;
    Ok(record)
}

fn page_records<'py>(py: Python<'py>, page: &LabeledPage) -> PyResult<Bound<'py, PyList>> {
    let records = PyList::empty(py);
    for ((number, line), label) in page.lines.iter().zip(&page.labels) {
        records.append(line_record(py, *number, line, label, &page.language)?)?;
    }
    Ok(records)
}

/// A WARC record's outcome: its cleaned page, or why it was skipped.
type RecordOutcome = Result<WarcOutput, Skipped>;

struct WarcOutput {
    url: String,
    record_id: String,
    date: String,
    clean: CleanText,
    lines: Option<LabeledPage>,
}

/// Records are read this many at a time and cleaned in parallel: a WARC file is never held
/// whole, only a batch of its records.
const WARC_BATCH: usize = 256;

/// Labels pages with a chaff model: the model compiled into chaff, or one from a file.
///
/// Every method takes a page as `str` (decoded text) or `bytes` (raw, decoded as chaff
/// decodes files: HTML by its declarations, text as UTF-8 unless `encoding` names another).
/// `format="auto"` reads a page as HTML when it starts like HTML, else as text lines.
#[pyclass(frozen, module = "chaff")]
struct Labeler {
    labeler: chaff::Labeler,
    /// The threads of batch calls; `None` is rayon's global pool (one thread per core).
    pool: Option<rayon::ThreadPool>,
    model_path: Option<PathBuf>,
}

impl Labeler {
    fn in_pool<R: Send>(&self, f: impl FnOnce() -> R + Send) -> R {
        match &self.pool {
            Some(pool) => pool.install(f),
            None => f(),
        }
    }

    fn pages_from(pages: &Bound<'_, PyAny>) -> PyResult<Vec<Page>> {
        if pages.is_instance_of::<PyString>() || pages.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(
                "pages is a list (or other iterable) of pages, not one page: call clean or label for one",
            ));
        }
        pages
            .try_iter()?
            .enumerate()
            .map(|(i, page)| Page::from_python(&page?, &format!("pages[{i}]")))
            .collect()
    }

    fn run_warc<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        source: Box<dyn BufRead + Send>,
        opts: &CleanOptions,
        with_lines: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let pages = PyList::empty(py);
        let mut skipped: std::collections::BTreeMap<String, u64> = Default::default();
        let mut records = WarcReader::new(source);
        let mut count = 0u64;
        let mut done = false;
        while !done {
            let batch = py.detach(|| -> Result<Vec<RecordOutcome>, WarcError> {
                let batch = records.next_batch(WARC_BATCH)?;
                done = !batch.more;
                let mut outcomes: Vec<RecordOutcome> = self.in_pool(|| {
                    batch
                        .records
                        .par_iter()
                        .map(|record| self.clean_record(record, opts, with_lines))
                        .collect()
                });
                outcomes.extend(batch.truncated.map(|_| Err(Skipped::Truncated)));
                Ok(outcomes)
            });
            let batch = batch.map_err(|e| ChaffError::new_err(format!("{name}: {e}")))?;
            for outcome in batch {
                count += 1;
                match outcome {
                    Ok(page) => {
                        let object = PyDict::new(py);
                        object.set_item(intern!(py, "url"), &page.url)?;
                        object.set_item(intern!(py, "warc_record_id"), &page.record_id)?;
                        object.set_item(intern!(py, "date"), &page.date)?;
                        object.set_item(intern!(py, "lang"), page.clean.lang.as_str())?;
                        object.set_item(intern!(py, "clean"), &page.clean.text)?;
                        if let Some(lines) = &page.lines {
                            object.set_item(intern!(py, "lines"), page_records(py, lines)?)?;
                        }
                        pages.append(object)?;
                    }
                    Err(reason) => *skipped.entry(reason.to_string()).or_default() += 1,
                }
            }
        }
        let result = PyDict::new(py);
        result.set_item("records", count)?;
        result.set_item("pages", pages)?;
        result.set_item("skipped", skipped)?;
        Ok(result)
    }

    fn clean_record(
        &self,
        record: &WarcRecord,
        opts: &CleanOptions,
        with_lines: bool,
    ) -> RecordOutcome {
        let page = record.html_page()?;
        let html = page.parse();
        let lines = html.texts();
        let (labels, language) = self.labeler.label_html(&html);
        let clean = clean_text(&lines, &labels, opts);
        let lines = with_lines.then(|| LabeledPage {
            lines: lines
                .iter()
                .enumerate()
                .map(|(i, line)| (i + 1, line.to_string()))
                .collect(),
            labels,
            language,
        });
        Ok(WarcOutput {
            url: page.url.to_string(),
            record_id: record.header("WARC-Record-ID").unwrap_or("").to_string(),
            date: record.header("WARC-Date").unwrap_or("").to_string(),
            clean,
            lines,
        })
    }
}

#[pymethods]
impl Labeler {
    /// A labeler with the model at `model_path` (a `chaff train` model file), or the model
    /// compiled into chaff. `threads` sets how many threads batch calls use (default: one a
    /// core).
    #[new]
    #[pyo3(signature = (model_path=None, *, threads=None))]
    fn new(model_path: Option<PathBuf>, threads: Option<usize>) -> PyResult<Labeler> {
        let labeler = match &model_path {
            Some(path) => match Model::load(path) {
                Ok(model) => chaff::Labeler::new(model),
                // chaff names a missing model file as it names a bad one; Python code tells
                // them apart by the exception's type.
                Err(e) if !path.exists() => {
                    return Err(PyFileNotFoundError::new_err(e.to_string()))
                }
                Err(e) => return Err(to_python(e)),
            },
            None => chaff::Labeler::builtin(),
        };
        let pool = match threads {
            Some(0) => return Err(PyValueError::new_err("threads is at least 1")),
            Some(n) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .map_err(|e| PyOSError::new_err(e.to_string()))?,
            ),
            None => None,
        };
        Ok(Labeler {
            labeler,
            pool,
            model_path,
        })
    }

    /// The page's editorial lines (class `body`, and with `lang` only lines in that ISO 639-3
    /// language), in order and as given, joined by newlines.
    #[pyo3(signature = (page, format="auto", *, lang=None, encoding=None))]
    fn clean(
        &self,
        py: Python<'_>,
        page: &Bound<'_, PyAny>,
        format: &str,
        lang: Option<&str>,
        encoding: Option<&str>,
    ) -> PyResult<String> {
        let reading = Reading::new(format, encoding)?;
        let page = Page::from_python(page, "page")?;
        let opts = clean_options(lang)?;
        let clean = py
            .detach(|| clean_page(&self.labeler, &page, "page", reading, &opts))
            .map_err(to_python)?;
        Ok(clean.text)
    }

    /// Every line chaff labels (text: each non-blank line; HTML: each block), in order, as a
    /// record: `class`, `lang`, `probs` (class to probability), `segments` (script and
    /// language runs, character offsets into `text`), `text`, `line` (1-based).
    #[pyo3(signature = (page, format="auto", *, encoding=None))]
    fn label<'py>(
        &self,
        py: Python<'py>,
        page: &Bound<'py, PyAny>,
        format: &str,
        encoding: Option<&str>,
    ) -> PyResult<Bound<'py, PyList>> {
        let reading = Reading::new(format, encoding)?;
        let page = Page::from_python(page, "page")?;
        let labeled = py
            .detach(|| label_page(&self.labeler, &page, "page", reading))
            .map_err(to_python)?;
        page_records(py, &labeled)
    }

    /// `clean` of each page, labeled in parallel without the interpreter lock; results in
    /// the pages' order. An unreadable page raises, naming it (`pages[3]: ...`).
    #[pyo3(signature = (pages, format="auto", *, lang=None, encoding=None))]
    fn clean_batch(
        &self,
        py: Python<'_>,
        pages: &Bound<'_, PyAny>,
        format: &str,
        lang: Option<&str>,
        encoding: Option<&str>,
    ) -> PyResult<Vec<String>> {
        let reading = Reading::new(format, encoding)?;
        let pages = Labeler::pages_from(pages)?;
        let opts = clean_options(lang)?;
        let results: Vec<Result<CleanText, chaff::Error>> = py.detach(|| {
            self.in_pool(|| {
                pages
                    .par_iter()
                    .enumerate()
                    .map(|(i, page)| {
                        clean_page(&self.labeler, page, &format!("pages[{i}]"), reading, &opts)
                    })
                    .collect()
            })
        });
        results
            .into_iter()
            .map(|r| r.map(|c| c.text).map_err(to_python))
            .collect()
    }

    /// `label` of each page, in parallel without the interpreter lock; results in the
    /// pages' order.
    #[pyo3(signature = (pages, format="auto", *, encoding=None))]
    fn label_batch<'py>(
        &self,
        py: Python<'py>,
        pages: &Bound<'py, PyAny>,
        format: &str,
        encoding: Option<&str>,
    ) -> PyResult<Bound<'py, PyList>> {
        let reading = Reading::new(format, encoding)?;
        let pages = Labeler::pages_from(pages)?;
        let results: Vec<Result<LabeledPage, chaff::Error>> = py.detach(|| {
            self.in_pool(|| {
                pages
                    .par_iter()
                    .enumerate()
                    .map(|(i, page)| {
                        label_page(&self.labeler, page, &format!("pages[{i}]"), reading)
                    })
                    .collect()
            })
        });
        let out = PyList::empty(py);
        for result in results {
            out.append(page_records(py, &result.map_err(to_python)?)?)?;
        }
        Ok(out)
    }

    /// The HTML pages of a WARC file's `response` records, cleaned: `source` is a path or
    /// the file's bytes, plain or gzip (a member per record, as Common Crawl ships them).
    /// Returns `{"records": n, "pages": [...], "skipped": {reason: count}}`; each page has
    /// `url`, `warc_record_id`, `date`, `lang` (of most of the kept text), `clean`, and with
    /// `label=True` its `lines` (records as `label` gives them). A truncated last record is
    /// counted as skipped (`truncated`); a malformed one raises.
    #[pyo3(signature = (source, *, lang=None, label=false))]
    fn clean_warc<'py>(
        &self,
        py: Python<'py>,
        source: &Bound<'py, PyAny>,
        lang: Option<&str>,
        label: bool,
    ) -> PyResult<Bound<'py, PyDict>> {
        let opts = clean_options(lang)?;
        if let Ok(bytes) = source.cast::<PyBytes>() {
            let bytes = bytes.as_bytes().to_vec();
            let reader = decompressed(Box::new(io::Cursor::new(bytes)))
                .map_err(|e| PyOSError::new_err(format!("WARC bytes: {e}")))?;
            return self.run_warc(py, "WARC bytes", reader, &opts, label);
        }
        let path: PathBuf = source.extract().map_err(|_| {
            PyTypeError::new_err("source is a path (str or os.PathLike) or the WARC file's bytes")
        })?;
        let name = path.display().to_string();
        let file = File::open(&path).map_err(|e| to_python(chaff::Error::io(&name, e)))?;
        let reader = decompressed(Box::new(BufReader::new(file)))
            .map_err(|e| to_python(chaff::Error::io(&name, e)))?;
        self.run_warc(py, &name, reader, &opts, label)
    }

    /// The model file this labeler reads, or `None` for the model compiled into chaff.
    #[getter]
    fn model_path(&self) -> Option<PathBuf> {
        self.model_path.clone()
    }

    /// The model's versions and size: `format_version`, `feature_version`, `weights`,
    /// `reads_html` (whether it has stages for HTML structure).
    #[getter]
    fn model_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let info = self.labeler.model().info();
        let dict = PyDict::new(py);
        dict.set_item("format_version", info.format_version)?;
        dict.set_item("feature_version", info.feature_version)?;
        dict.set_item("weights", info.weights)?;
        dict.set_item("reads_html", info.html.is_some())?;
        Ok(dict)
    }

    fn __repr__(&self) -> String {
        match &self.model_path {
            Some(path) => format!("chaff.Labeler({:?})", path.display().to_string()),
            None => "chaff.Labeler()".to_string(),
        }
    }
}

/// A stream, gunzipped when it starts with gzip's magic bytes (every member in turn).
fn decompressed(mut reader: Box<dyn BufRead + Send>) -> io::Result<Box<dyn BufRead + Send>> {
    let head = reader.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        let gunzip = flate2::bufread::MultiGzDecoder::new(reader);
        return Ok(Box::new(BufReader::new(gunzip)));
    }
    Ok(reader)
}

#[pymodule]
fn _chaff(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Labeler>()?;
    m.add("ChaffError", m.py().get_type::<ChaffError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("MODEL_FORMAT_VERSION", chaff::FORMAT_VERSION)?;
    m.add("FEATURE_VERSION", chaff::FEATURE_VERSION)?;
    Ok(())
}
