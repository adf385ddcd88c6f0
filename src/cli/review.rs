//! `chaff review`: walk the lines of labeled pages the model is least sure of, one group of
//! identical lines at a time, and write the corrections back into the pages.
//!
//! A line's confidence is the model's highest per-line class probability (before decoding);
//! a group's is the lowest of its lines'. The highest probability rather than the margin
//! between the two highest: it is the figure `label --json` shows (`probs`), it reads the same
//! whatever the other four classes share, and on five classes both orders nearly agree (a low
//! top probability leaves little room for a wide margin).
//!
//! Pages are rewritten in place, atomically, with only the CLASS field of corrected lines
//! changed: languages, texts, blank lines, a byte-order mark and CRLF endings stay byte for byte.

use std::collections::HashMap;
use std::fs;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};

use chaff::html::read_html;
use chaff::labeled::{parse_page, read_page, LabeledPage};
use chaff::site::{path_keys, SiteCounter, SiteCounts, SiteProfile};
use chaff::train::eval::same_lines;
use chaff::train::page_site;
use chaff::{input, Class, Labeler, LineLabel};

use super::args::ReviewArgs;
use super::{load_labeler, note, stdout};

/// One labeled line under review.
struct Line {
    /// The class in the file (the user's, once answered).
    class: Class,
    /// The model's label: decoded class and per-line probabilities.
    model: LineLabel,
    /// The line's number in the file, 1-based, blank lines counted.
    file_line: usize,
}

/// One labeled page under review.
struct Page {
    path: PathBuf,
    /// The file as read, byte-order mark and all.
    bytes: Vec<u8>,
    labeled: LabeledPage,
    lines: Vec<Line>,
}

/// Lines of the same text (trimmed), across all pages.
struct Group {
    text: String,
    /// (page, line) of every member, in page and line order.
    members: Vec<(usize, usize)>,
    /// The lowest of its lines' highest class probability.
    confidence: f32,
}

pub(crate) fn review(args: ReviewArgs) -> Result<()> {
    let labeler = load_labeler(&args.model)?;
    let (sites, names) = count_review_sites(&args.pages)?;
    let mut pages = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (path, site) in args.pages.iter().zip(&names) {
        let site = site.as_deref().and_then(|s| sites.site(s));
        let page = read_review_page(path, &labeler, site)?;
        // A page named twice is reviewed (and written) once.
        if seen.insert(fs::canonicalize(path).unwrap_or_else(|_| path.clone())) {
            pages.push(page);
        }
    }
    let mut groups = group_lines(&pages);
    if let Some(limit) = args.limit {
        groups.truncate(limit);
    }
    if args.list {
        return list(&pages, &groups);
    }
    let stdin = io::stdin();
    let mut answers = stdin.lock();
    let mut out = stdout()?;
    // Answers piped in are echoed after their prompt, so the transcript reads as a dialogue.
    let echo = !stdin.is_terminal();
    let summary = ask(&mut pages, &groups, &mut answers, &mut out, echo)?;
    out.flush()?;
    let changed: Vec<&Page> = pages
        .iter()
        .filter(|page| {
            page.lines
                .iter()
                .zip(&page.labeled.lines)
                .any(|(l, o)| l.class != o.class)
        })
        .collect();
    // An edit made in the meantime (in an editor) is not overwritten; and then no page is
    // written, so the answers stay all or nothing.
    for page in &changed {
        if fs::read(&page.path).ok().as_ref() != Some(&page.bytes) {
            bail!(
                "{}: the file changed during the review; no corrections were written",
                page.path.display()
            );
        }
    }
    let rewritten: Vec<Vec<u8>> = changed.iter().map(|p| rewrite(p)).collect::<Result<_>>()?;
    for (page, bytes) in changed.iter().zip(&rewritten) {
        write_atomically(&page.path, bytes)?;
    }
    let written = changed.len();
    note(format_args!(
        "review: {} of {} groups shown, {} corrections, {} lines changed, {} pages written",
        summary.shown,
        groups.len(),
        summary.corrections,
        summary.lines_changed,
        written
    ));
    Ok(())
}

/// Site memory for the pages under review, as `eval` groups labeled pages (the address of the
/// HTML page beside a `.tsv`, else its folder): the pages of a new site, reviewed together,
/// tell the model which of their lines are the site's furniture. Pages that cannot be read
/// are passed over here; reading them for review reports them.
fn count_review_sites(paths: &[PathBuf]) -> Result<(SiteProfile, Vec<Option<String>>)> {
    let mut counter = SiteCounter::default();
    let mut names = Vec::with_capacity(paths.len());
    for path in paths {
        let Ok(page) = read_page(path) else {
            names.push(None);
            continue;
        };
        let texts = page.texts();
        let html = page
            .html
            .as_ref()
            .and_then(|h| fs::read(h).ok())
            .map(|bytes| read_html(&bytes, None))
            .filter(|html| same_lines(&html.texts(), &texts));
        let name = page_site(&page, html.as_ref().and_then(|h| h.meta.url.as_deref()));
        match &html {
            Some(html) => counter.add_page(&name, &html.texts(), Some(&path_keys(html))),
            None => counter.add_page(&name, &texts, None),
        }
        names.push(Some(name));
    }
    Ok((counter.finish(), names))
}

/// Reads a labeled page and labels its lines with the model: from its HTML when a `NAME.html`
/// beside it holds the same lines, else as a text page.
fn read_review_page(path: &Path, labeler: &Labeler, site: Option<&SiteCounts>) -> Result<Page> {
    let name = path.display().to_string();
    if path.extension().is_none_or(|e| e != "tsv") {
        bail!("{name}: not a labeled page (NAME.tsv, as `chaff label --out-dir` writes them)");
    }
    if fs::metadata(path).is_ok_and(|m| m.is_dir()) {
        bail!("{name}: is a folder; give the labeled pages in it (for example {name}/*.tsv)");
    }
    let bytes = fs::read(path).map_err(|e| chaff::Error::io(&name, e))?;
    let text = input::decode(&bytes, &name)?;
    let labeled = parse_page(text, path)?;
    let file_lines: Vec<usize> = raw_lines(text)
        .enumerate()
        .filter(|(_, (content, _))| !input::is_blank(content))
        .map(|(i, _)| i + 1)
        .collect();
    if file_lines.len() != labeled.lines.len() {
        bail!("{name}: could not match the file's lines to its labeled lines");
    }
    let texts = labeled.texts();
    let html_path = path.with_extension("html");
    let mut labels = None;
    if html_path.is_file() {
        let html_bytes = fs::read(&html_path)
            .map_err(|e| chaff::Error::io(html_path.display().to_string(), e))?;
        let html = read_html(&html_bytes, None);
        if same_lines(&html.texts(), &texts) {
            labels = Some(labeler.label_html_on_site(&html, site).0);
        } else {
            note(format_args!(
                "{name}: its lines are not those chaff extracts from {}; labeled as a text page",
                html_path.display()
            ));
        }
    }
    let labels = labels.unwrap_or_else(|| labeler.label_on_site(&texts, site).0);
    let lines = labeled
        .lines
        .iter()
        .zip(labels)
        .zip(file_lines)
        .map(|((l, model), file_line)| Line {
            class: l.class,
            model,
            file_line,
        })
        .collect();
    Ok(Page {
        path: path.to_path_buf(),
        bytes,
        labeled,
        lines,
    })
}

/// The lines of a file's text as `str::lines` splits them, each with its ending (`\n`,
/// `\r\n` or none).
fn raw_lines(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.split_inclusive('\n').map(|piece| {
        let content = match piece.strip_suffix('\n') {
            Some(rest) => rest.strip_suffix('\r').unwrap_or(rest),
            None => piece,
        };
        (content, &piece[content.len()..])
    })
}

/// The groups of identical (trimmed) lines, least confident first; ties keep page order.
fn group_lines(pages: &[Page]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (p, page) in pages.iter().enumerate() {
        for (i, (line, labeled)) in page.lines.iter().zip(&page.labeled.lines).enumerate() {
            let text = labeled.text.trim();
            let confidence = line.model.probs.iter().copied().fold(0.0, f32::max);
            let g = *index.entry(text).or_insert_with(|| {
                groups.push(Group {
                    text: text.to_string(),
                    members: Vec::new(),
                    confidence,
                });
                groups.len() - 1
            });
            let group = &mut groups[g];
            group.members.push((p, i));
            group.confidence = group.confidence.min(confidence);
        }
    }
    groups.sort_by(|a, b| a.confidence.total_cmp(&b.confidence));
    groups
}

/// The classes of a group's lines: `chrome`, or `chrome+body` when they differ (most frequent
/// first).
fn classes_of(classes: impl Iterator<Item = Class>) -> String {
    let mut counts = [0usize; Class::COUNT];
    for c in classes {
        counts[c.index()] += 1;
    }
    let mut present: Vec<Class> = Class::ALL
        .into_iter()
        .filter(|c| counts[c.index()] > 0)
        .collect();
    present.sort_by_key(|c| std::cmp::Reverse(counts[c.index()]));
    present
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join("+")
}

fn current_classes(pages: &[Page], group: &Group) -> String {
    classes_of(group.members.iter().map(|&(p, i)| pages[p].lines[i].class))
}

fn model_classes(pages: &[Page], group: &Group) -> String {
    classes_of(
        group
            .members
            .iter()
            .map(|&(p, i)| pages[p].lines[i].model.class),
    )
}

/// `--list`: one line per group, `RANK<TAB>CONFIDENCE<TAB>CURRENT<TAB>MODEL<TAB>COUNT<TAB>TEXT`.
fn list(pages: &[Page], groups: &[Group]) -> Result<()> {
    let mut out = stdout()?;
    for (rank, group) in groups.iter().enumerate() {
        writeln!(
            out,
            "{}\t{:.3}\t{}\t{}\t{}\t{}",
            rank + 1,
            group.confidence,
            current_classes(pages, group),
            model_classes(pages, group),
            group.members.len(),
            group.text
        )?;
    }
    out.flush()?;
    Ok(())
}

/// What the user did.
#[derive(Default)]
struct Summary {
    shown: usize,
    corrections: usize,
    lines_changed: usize,
}

/// An answer to a group's question.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    Keep,
    Set(Class),
    Quit,
}

const HELP: &str = "answer: Enter keeps the class; b(ody), ch(rome), co(pyright), by(line) or \
                    r(elated) sets it for every line of the group; q saves and quits";

/// Reads one answer: empty keeps, `q` quits, a class name or an unambiguous prefix of one sets
/// it (`b` is body: byline needs `by`).
fn parse_answer(answer: &str) -> Result<Answer, String> {
    let answer = answer.trim().to_ascii_lowercase();
    match answer.as_str() {
        "" => return Ok(Answer::Keep),
        "q" | "quit" => return Ok(Answer::Quit),
        "b" => return Ok(Answer::Set(Class::Body)),
        _ => {}
    }
    let matches: Vec<Class> = Class::ALL
        .into_iter()
        .filter(|c| c.as_str().starts_with(&answer))
        .collect();
    match matches.as_slice() {
        [class] => Ok(Answer::Set(*class)),
        [] => Err(format!("{answer:?} is no class")),
        several => Err(format!(
            "{answer:?} could be {}",
            several
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        )),
    }
}

/// Where a group's lines are: `mk-01.tsv:12, mk-02.tsv:9, …` (the first three).
fn locations(pages: &[Page], group: &Group) -> String {
    let mut shown: Vec<String> = group
        .members
        .iter()
        .take(3)
        .map(|&(p, i)| {
            let page = &pages[p];
            let name = page.path.file_name().map_or_else(
                || page.path.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            format!("{name}:{}", page.lines[i].file_line)
        })
        .collect();
    if group.members.len() > 3 {
        shown.push("…".to_string());
    }
    shown.join(", ")
}

/// Asks about each group in turn, applying the answers to the pages' lines.
fn ask(
    pages: &mut [Page],
    groups: &[Group],
    answers: &mut dyn BufRead,
    out: &mut dyn Write,
    echo: bool,
) -> Result<Summary> {
    let mut summary = Summary::default();
    if !groups.is_empty() {
        writeln!(out, "{HELP}")?;
    }
    'groups: for (rank, group) in groups.iter().enumerate() {
        let model = model_classes(pages, group);
        let current = current_classes(pages, group);
        let model_note = if model == current {
            String::new()
        } else {
            format!("  (model: {model})")
        };
        writeln!(
            out,
            "[{}/{}] {:.2}  {current} ×{} ({}){model_note}  {}",
            rank + 1,
            groups.len(),
            group.confidence,
            group.members.len(),
            locations(pages, group),
            group.text
        )?;
        summary.shown += 1;
        loop {
            write!(out, "> ")?;
            out.flush()?;
            let mut line = String::new();
            let read = answers
                .read_line(&mut line)
                .map_err(|e| anyhow!("standard input: {e}"))?;
            if read == 0 {
                writeln!(out)?;
                break 'groups;
            }
            if echo {
                writeln!(out, "{}", line.trim_end_matches(['\r', '\n']))?;
            }
            match parse_answer(&line) {
                Ok(Answer::Keep) => break,
                Ok(Answer::Quit) => break 'groups,
                Ok(Answer::Set(class)) => {
                    let mut changed = 0;
                    for &(p, i) in &group.members {
                        let line = &mut pages[p].lines[i];
                        if line.class != class {
                            line.class = class;
                            changed += 1;
                        }
                    }
                    if changed > 0 {
                        summary.corrections += 1;
                        summary.lines_changed += changed;
                    }
                    break;
                }
                Err(why) => writeln!(out, "{why}; {HELP}")?,
            }
        }
    }
    Ok(summary)
}

/// The page's file with each labeled line's CLASS replaced by its current class; every other
/// byte (BOM, languages, texts, blank lines, line endings) as read.
fn rewrite(page: &Page) -> Result<Vec<u8>> {
    let name = page.path.display().to_string();
    let bom: &[u8] = if page.bytes.starts_with(b"\xEF\xBB\xBF") {
        b"\xEF\xBB\xBF"
    } else {
        b""
    };
    let text = input::decode(&page.bytes, &name)?;
    let mut out = Vec::with_capacity(page.bytes.len() + 64);
    out.extend_from_slice(bom);
    let mut labeled = page.lines.iter().zip(&page.labeled.lines);
    for (i, (content, ending)) in raw_lines(text).enumerate() {
        if input::is_blank(content) {
            out.extend_from_slice(content.as_bytes());
        } else {
            let (line, original) = labeled
                .next()
                .ok_or_else(|| anyhow!("{name}:{}: more lines than when read", i + 1))?;
            let rest = content
                .strip_prefix(original.class.as_str())
                .and_then(|r| r.strip_prefix('\t'))
                .filter(|r| {
                    line.file_line == i + 1
                        && r.strip_prefix(original.lang.as_str())
                            .and_then(|t| t.strip_prefix('\t'))
                            == Some(original.text.as_str())
                })
                .ok_or_else(|| anyhow!("{name}:{}: the line changed since it was read", i + 1))?;
            out.extend_from_slice(line.class.as_str().as_bytes());
            out.push(b'\t');
            out.extend_from_slice(rest.as_bytes());
        }
        out.extend_from_slice(ending.as_bytes());
    }
    Ok(out)
}

/// Replaces `path`'s content with `bytes`: written to a new file in the same folder, then
/// renamed over it, so the page is never left half written. A link is followed to its file.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.display().to_string();
    let target = fs::canonicalize(path).map_err(|e| chaff::Error::io(&name, e))?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let file_name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{file_name}.chaff-review-{}", std::process::id()));
    let write = || -> io::Result<()> {
        let mut file = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        if let Ok(meta) = fs::metadata(&target) {
            file.set_permissions(meta.permissions())?;
        }
        file.sync_all()?;
        fs::rename(&temp, &target)
    };
    write()
        .inspect_err(|_| {
            let _ = fs::remove_file(&temp);
        })
        .with_context(|| format!("{name}: cannot write the corrected page"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_take_class_prefixes() {
        assert_eq!(parse_answer(""), Ok(Answer::Keep));
        assert_eq!(parse_answer("  \n"), Ok(Answer::Keep));
        assert_eq!(parse_answer("q\n"), Ok(Answer::Quit));
        assert_eq!(parse_answer("b"), Ok(Answer::Set(Class::Body)));
        assert_eq!(parse_answer("bo"), Ok(Answer::Set(Class::Body)));
        assert_eq!(parse_answer("by"), Ok(Answer::Set(Class::Byline)));
        assert_eq!(parse_answer("ch"), Ok(Answer::Set(Class::Chrome)));
        assert_eq!(parse_answer("co"), Ok(Answer::Set(Class::Copyright)));
        assert_eq!(parse_answer("r"), Ok(Answer::Set(Class::Related)));
        assert_eq!(parse_answer("Related"), Ok(Answer::Set(Class::Related)));
        assert!(parse_answer("c")
            .unwrap_err()
            .contains("chrome or copyright"));
        assert!(parse_answer("x").is_err());
        assert!(parse_answer("bodyx").is_err());
    }

    #[test]
    fn raw_lines_split_as_str_lines_does() {
        let text = "a\r\nb\n\n c\r\r\nd\re";
        let contents: Vec<&str> = raw_lines(text).map(|(c, _)| c).collect();
        assert_eq!(contents, text.lines().collect::<Vec<_>>());
        let joined: String = raw_lines(text).map(|(c, e)| format!("{c}{e}")).collect();
        assert_eq!(joined, text);
    }
}
