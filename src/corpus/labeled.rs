//! The labeled-page format: one page per `.tsv` file, one `CLASS<TAB>LANG<TAB>TEXT` line per page
//! line. `chaff label` prints it, `chaff train` and `chaff eval` read it.
//!
//! TEXT is everything after the second tab, so a page line that itself holds a tab survives a
//! round trip unchanged. Blank lines carry no label and are skipped.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::class::Class;
use crate::error::{Error, Result};
use crate::input;

/// One labeled line of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabeledLine {
    /// What the line is for.
    pub class: Class,
    /// ISO 639-3 code of the line's dominant language, or `und`.
    pub lang: String,
    /// The page line, as scraped.
    pub text: String,
}

/// A labeled page, as read from one `.tsv` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabeledPage {
    /// Where the page was read from.
    pub path: PathBuf,
    /// The site layout the page belongs to: the name of its folder.
    pub layout: String,
    /// The page's labeled lines, in order.
    pub lines: Vec<LabeledLine>,
    /// The page's HTML, when a file of the same name ending in `.html` stands beside the
    /// `.tsv` (a labeled HTML page: its lines are the ones chaff extracts from it).
    pub html: Option<PathBuf>,
    /// The page teaches only a model's HTML stages (`chaff train --html-only`).
    pub html_only: bool,
}

impl LabeledPage {
    /// The page's lines, without labels.
    pub fn texts(&self) -> Vec<&str> {
        self.lines.iter().map(|l| l.text.as_str()).collect()
    }

    /// The gold classes, in line order.
    pub fn classes(&self) -> Vec<Class> {
        self.lines.iter().map(|l| l.class).collect()
    }
}

/// Whether `lang` is a well-formed language code: three lowercase ASCII letters.
pub fn is_lang_code(lang: &str) -> bool {
    lang.len() == 3 && lang.bytes().all(|b| b.is_ascii_lowercase())
}

/// Parses one labeled page from its text; `path` names it in errors.
pub fn parse_page(text: &str, path: &Path) -> Result<LabeledPage> {
    let name = path.display().to_string();
    let mut lines = Vec::new();
    for (i, line) in input::lines(text).enumerate() {
        if input::is_blank(line) {
            continue;
        }
        let err = |message: String| Error::Parse {
            path: name.clone(),
            line: i + 1,
            message,
        };
        let mut fields = line.splitn(3, '\t');
        let (class, lang, body) = match (fields.next(), fields.next(), fields.next()) {
            (Some(c), Some(l), Some(t)) => (c, l, t),
            _ => {
                return Err(err(
                    "expected CLASS<TAB>LANG<TAB>TEXT (fewer than three tab-separated fields)"
                        .to_string(),
                ))
            }
        };
        let class: Class = class.parse().map_err(|e| err(format!("{e}")))?;
        if !is_lang_code(lang) {
            return Err(err(format!(
                "language {lang:?} is not an ISO 639-3 code (three lowercase letters, or und)"
            )));
        }
        lines.push(LabeledLine {
            class,
            lang: lang.to_string(),
            text: body.to_string(),
        });
    }
    Ok(LabeledPage {
        path: path.to_path_buf(),
        layout: layout_of(path),
        lines,
        html: None,
        html_only: false,
    })
}

/// Reads one labeled page from a file.
pub fn read_page(path: &Path) -> Result<LabeledPage> {
    let bytes = fs::read(path).map_err(|e| Error::io(path.display().to_string(), e))?;
    let text = input::decode(&bytes, &path.display().to_string())?;
    let mut page = parse_page(text, path)?;
    let html = path.with_extension("html");
    page.html = html.is_file().then_some(html);
    Ok(page)
}

/// Reads a labeled corpus: each argument is a `.tsv` file or a folder searched recursively for
/// them. Pages come back in a stable order (arguments in order, files sorted by path), each
/// file once however many ways it can be reached.
pub fn read_corpus<P: AsRef<Path>>(paths: &[P]) -> Result<Vec<LabeledPage>> {
    let mut pages = Vec::new();
    let mut seen = HashSet::new();
    for path in paths {
        for file in corpus_files(path.as_ref())? {
            if seen.insert(identity(&file)?) {
                pages.push(read_page(&file)?);
            }
        }
    }
    Ok(pages)
}

/// The `.tsv` files under `path` (or `path` itself when it is not a folder), sorted.
///
/// Symbolic links are followed, but every folder and file is visited once: a link back up the
/// tree (`ln -s . self`) neither repeats pages nor loops. Inside folders only regular files
/// count, so a FIFO or device named `*.tsv` cannot block the walk; named explicitly, any
/// readable file is read.
pub fn corpus_files(path: &Path) -> Result<Vec<PathBuf>> {
    let meta = fs::metadata(path).map_err(|e| Error::io(path.display().to_string(), e))?;
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut seen = HashSet::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        if !seen.insert(identity(&dir)?) {
            continue;
        }
        let entries = fs::read_dir(&dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(dir.display().to_string(), e))?;
            let p = entry.path();
            // `fs::metadata` follows links; a dangling link is an error worth naming.
            let meta = fs::metadata(&p).map_err(|e| Error::io(p.display().to_string(), e))?;
            if meta.is_dir() {
                stack.push(p);
            } else if meta.is_file()
                && p.extension().is_some_and(|e| e == "tsv")
                && seen.insert(identity(&p)?)
            {
                files.push(p);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// What a path resolves to, so that links to one file or folder count once.
fn identity(path: &Path) -> Result<PathBuf> {
    fs::canonicalize(path).map_err(|e| Error::io(path.display().to_string(), e))
}

fn layout_of(path: &Path) -> String {
    path.parent()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| ".".to_string())
}

/// Writes one line of the labeled-page format.
///
/// A text ending in `\r` (a page line that ended in `\r\r\n`) is ended with `\r\n`, so that
/// reading the line back, which drops one `\r\n`, gives the text byte for byte.
pub fn write_line<W: Write + ?Sized>(
    out: &mut W,
    class: Class,
    lang: &str,
    text: &str,
) -> io::Result<()> {
    out.write_all(class.as_str().as_bytes())?;
    out.write_all(b"\t")?;
    out.write_all(lang.as_bytes())?;
    out.write_all(b"\t")?;
    out.write_all(text.as_bytes())?;
    out.write_all(if text.ends_with('\r') { b"\r\n" } else { b"\n" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_keeps_tabs_in_text() {
        let page = parse_page(
            "body\teng\tHello\tworld\n\nchrome\tund\t|\n",
            Path::new("x/site/p.tsv"),
        )
        .unwrap();
        assert_eq!(page.layout, "site");
        assert_eq!(page.lines.len(), 2);
        assert_eq!(page.lines[0].text, "Hello\tworld");
        assert_eq!(page.lines[1].class, Class::Chrome);
    }

    #[test]
    fn errors_name_file_and_line() {
        let err = parse_page("body\teng\tok\nbogus\teng\tx\n", Path::new("p.tsv")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "p.tsv:2: unknown class \"bogus\" (expected one of body, chrome, copyright, byline, related)"
        );
        let err = parse_page("body eng no tabs\n", Path::new("p.tsv")).unwrap_err();
        assert!(err.to_string().starts_with("p.tsv:1: expected"));
        let err = parse_page("body\tEnglish\tx\n", Path::new("p.tsv")).unwrap_err();
        assert!(err.to_string().contains("ISO 639-3"));
    }

    #[test]
    fn a_text_ending_in_cr_round_trips() {
        for text in ["ends in CR\r", "two\r\r", "mid\rdle"] {
            let mut out = Vec::new();
            write_line(&mut out, Class::Body, "eng", text).unwrap();
            write_line(&mut out, Class::Chrome, "eng", "next").unwrap();
            let page = parse_page(std::str::from_utf8(&out).unwrap(), Path::new("p.tsv")).unwrap();
            assert_eq!(page.texts(), vec![text, "next"]);
        }
    }

    #[cfg(unix)]
    #[test]
    fn corpus_walks_count_each_page_once_and_skip_special_files() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        fs::create_dir(&site).unwrap();
        fs::write(site.join("p.tsv"), "body\teng\tHello\n").unwrap();
        std::os::unix::fs::symlink(".", site.join("self")).unwrap();
        std::os::unix::fs::symlink("..", site.join("up")).unwrap();
        std::os::unix::fs::symlink("p.tsv", site.join("alias.tsv")).unwrap();
        let fifo = site.join("pipe.tsv");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        let pages = read_corpus(&[dir.path(), &site]).unwrap();
        assert_eq!(
            pages.len(),
            1,
            "{:?}",
            pages.iter().map(|p| &p.path).collect::<Vec<_>>()
        );
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    }

    #[test]
    fn write_then_parse_round_trips() {
        let mut out = Vec::new();
        write_line(&mut out, Class::Byline, "kor", "홍길동 기자").unwrap();
        let page = parse_page(std::str::from_utf8(&out).unwrap(), Path::new("p.tsv")).unwrap();
        assert_eq!(page.lines[0].class, Class::Byline);
        assert_eq!(page.lines[0].text, "홍길동 기자");
    }
}
