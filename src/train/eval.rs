//! Evaluation: per-class precision, recall and F1, body keeping, exact pages and language.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::class::Class;
use crate::corpus::labeled::LabeledPage;
use crate::labeler::{Labeler, LineLabel};
use crate::site::SiteProfile;

const K: usize = Class::COUNT;

/// Counts gathered over labeled pages, from which a [`Report`] is computed.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    /// `confusion[gold][predicted]` line counts.
    pub confusion: [[u64; K]; K],
    /// Pages seen, with their own figures.
    pub pages: Vec<PageResult>,
    /// Per language: (gold count, predicted count, both).
    languages: BTreeMap<String, (u64, u64, u64)>,
    lang_correct: u64,
    lang_total: u64,
}

/// Figures for one page.
#[derive(Debug, Clone, Serialize)]
pub struct PageResult {
    /// The page's file.
    pub page: String,
    /// Its layout (folder).
    pub layout: String,
    /// Lines on the page.
    pub lines: usize,
    /// Lines whose class was wrong.
    pub class_errors: usize,
    /// Whether the predicted body lines are exactly the gold body lines.
    pub exact: bool,
    /// The page's dominant gold language.
    pub language: String,
    /// Line-language accuracy on the page (gold `und` lines left out).
    pub language_accuracy: f64,
}

impl Evaluation {
    /// Adds one page's gold labels and predictions.
    pub fn add(&mut self, gold: &LabeledPage, predicted: &[LineLabel]) {
        assert_eq!(gold.lines.len(), predicted.len(), "one prediction per line");
        let mut errors = 0;
        let mut exact = true;
        let mut page_lang: BTreeMap<&str, usize> = BTreeMap::new();
        let (mut lc, mut lt) = (0u64, 0u64);
        for (g, p) in gold.lines.iter().zip(predicted) {
            self.confusion[g.class.index()][p.class.index()] += 1;
            if g.class != p.class {
                errors += 1;
            }
            if (g.class == Class::Body) != (p.class == Class::Body) {
                exact = false;
            }
            *page_lang.entry(g.lang.as_str()).or_default() += 1;
            let gold_lang = g.lang.as_str();
            self.languages.entry(gold_lang.to_string()).or_default().0 += 1;
            self.languages.entry(p.lang.to_string()).or_default().1 += 1;
            if p.lang == gold_lang {
                self.languages.entry(gold_lang.to_string()).or_default().2 += 1;
            }
            if gold_lang != "und" {
                lt += 1;
                lc += u64::from(p.lang == gold_lang);
            }
        }
        self.lang_correct += lc;
        self.lang_total += lt;
        let language = page_lang
            .iter()
            .filter(|(l, _)| **l != "und")
            .max_by_key(|(_, n)| **n)
            .map_or("und", |(l, _)| l)
            .to_string();
        self.pages.push(PageResult {
            page: gold.path.display().to_string(),
            layout: gold.layout.clone(),
            lines: gold.lines.len(),
            class_errors: errors,
            exact,
            language,
            language_accuracy: ratio(lc, lt),
        });
    }

    /// Adds another evaluation's counts to this one.
    pub fn merge(&mut self, other: Evaluation) {
        for g in 0..K {
            for p in 0..K {
                self.confusion[g][p] += other.confusion[g][p];
            }
        }
        self.pages.extend(other.pages);
        for (lang, (a, b, c)) in other.languages {
            let e = self.languages.entry(lang).or_default();
            e.0 += a;
            e.1 += b;
            e.2 += c;
        }
        self.lang_correct += other.lang_correct;
        self.lang_total += other.lang_total;
    }

    /// The figures.
    pub fn report(&self) -> Report {
        let mut classes = Vec::new();
        let mut f1_sum = 0.0;
        let mut present = 0;
        let mut correct = 0;
        let mut total = 0;
        for c in Class::ALL {
            let i = c.index();
            let tp = self.confusion[i][i];
            let gold: u64 = self.confusion[i].iter().sum();
            let pred: u64 = (0..K).map(|g| self.confusion[g][i]).sum();
            let s = Scores::new(tp, pred, gold);
            // A class neither in the gold labels nor predicted says nothing about the model.
            if gold + pred > 0 {
                f1_sum += s.f1;
                present += 1;
            }
            correct += tp;
            total += gold;
            classes.push(ClassScores {
                class: c,
                scores: s,
            });
        }
        let body = classes[Class::Body.index()].scores.clone();
        let languages = self
            .languages
            .iter()
            .map(|(lang, &(gold, pred, both))| LanguageScores {
                lang: lang.clone(),
                scores: Scores::new(both, pred, gold),
            })
            .collect();
        let exact = self.pages.iter().filter(|p| p.exact).count();
        Report {
            lines: total,
            pages: self.pages.len(),
            classes,
            macro_f1: if present == 0 {
                0.0
            } else {
                f1_sum / present as f64
            },
            accuracy: ratio(correct, total),
            body_keep: body,
            exact_pages: exact,
            exact_page_share: ratio(exact as u64, self.pages.len() as u64),
            language_accuracy: ratio(self.lang_correct, self.lang_total),
            languages,
            confusion: self.confusion,
            per_page: self.pages.clone(),
        }
    }
}

/// Evaluates a labeler on labeled pages, with site memory: pages are grouped by site as
/// [`super::page_site`] says (the host of the address of the HTML page beside a `.tsv`, else
/// its folder).
pub fn evaluate(labeler: &Labeler, pages: &[LabeledPage]) -> Evaluation {
    evaluate_with(labeler, pages, SiteMemory::On)
}

/// Whether evaluation labels pages with site memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteMemory {
    /// Every page is labeled alone.
    Off,
    /// Pages of one site (layout) are counted together.
    On,
}

/// [`evaluate`], with site memory on or off.
pub fn evaluate_with(labeler: &Labeler, pages: &[LabeledPage], memory: SiteMemory) -> Evaluation {
    let texts: Vec<Vec<&str>> = pages.iter().map(LabeledPage::texts).collect();
    let names: Vec<String> = pages
        .iter()
        .map(|p| super::page_site(p, page_url(p).as_deref()))
        .collect();
    let sites = match memory {
        SiteMemory::On => super::count_sites(&names, &texts, None),
        SiteMemory::Off => SiteProfile::default(),
    };
    let mut eval = Evaluation::default();
    for ((page, lines), site) in pages.iter().zip(&texts).zip(&names) {
        let (predicted, _) = labeler.label_on_site(lines, sites.site(site));
        eval.add(page, &predicted);
    }
    eval
}

/// The address the HTML page beside a labeled page gives for itself, if any.
fn page_url(page: &LabeledPage) -> Option<String> {
    #[cfg(feature = "html")]
    {
        let bytes = std::fs::read(page.html.as_ref()?).ok()?;
        crate::html::read_html(&bytes, None).meta.url
    }
    #[cfg(not(feature = "html"))]
    {
        let _ = page;
        None
    }
}

/// Evaluates a labeler on labeled HTML pages in HTML mode: each page's `.html` is read and
/// labeled with its structure, and the labels are scored against the `.tsv`, whose lines must
/// be the ones chaff extracts from the `.html` (as `chaff label --format html --out-dir` writes
/// them; pages labeled from another extractor's lines are scored by `chaff eval --format html`,
/// which aligns them by text).
#[cfg(feature = "html")]
pub fn evaluate_html(labeler: &Labeler, pages: &[LabeledPage]) -> crate::Result<Evaluation> {
    evaluate_html_with(labeler, pages, SiteMemory::On)
}

/// [`evaluate_html`], with site memory on or off: the pages of one layout (folder) are one
/// site, their lines and structure paths counted together.
#[cfg(feature = "html")]
pub fn evaluate_html_with(
    labeler: &Labeler,
    pages: &[LabeledPage],
    memory: SiteMemory,
) -> crate::Result<Evaluation> {
    let htmls = pages
        .iter()
        .map(read_labeled_html)
        .collect::<crate::Result<Vec<_>>>()?;
    let names: Vec<String> = pages
        .iter()
        .zip(&htmls)
        .map(|(p, h)| super::page_site(p, h.meta.url.as_deref()))
        .collect();
    let sites = match memory {
        SiteMemory::On => {
            let texts: Vec<Vec<&str>> = htmls.iter().map(|h| h.texts()).collect();
            let paths: Vec<Vec<u64>> = htmls.iter().map(crate::features::path_keys).collect();
            super::count_sites(&names, &texts, Some(&paths))
        }
        SiteMemory::Off => SiteProfile::default(),
    };
    let mut eval = Evaluation::default();
    for ((page, html), site) in pages.iter().zip(&htmls).zip(&names) {
        let (predicted, _) = labeler.label_html_on_site(html, sites.site(site));
        eval.add(page, &predicted);
    }
    Ok(eval)
}

/// The HTML page beside a labeled page, refused unless its lines are the labeled lines.
#[cfg(feature = "html")]
pub fn read_labeled_html(page: &LabeledPage) -> crate::Result<crate::html::HtmlPage> {
    let error = |message: String| crate::Error::Corpus {
        path: page.path.display().to_string(),
        message,
    };
    let path = page
        .html
        .as_ref()
        .ok_or_else(|| error("no page of the same name ending in .html beside it".into()))?;
    let bytes = std::fs::read(path).map_err(|e| crate::Error::io(path.display().to_string(), e))?;
    let html = crate::html::read_html(&bytes, None);
    let texts = html.texts();
    if !same_lines(&texts, &page.texts()) {
        let line = texts
            .iter()
            .zip(page.texts())
            .position(|(a, b)| !same_line(a, b))
            .unwrap_or(texts.len().min(page.lines.len()));
        return Err(error(format!(
            "line {} is not the line chaff extracts from {} ({} lines there, {} here); \
             relabel it with `chaff label --format html --out-dir`, or score it with `chaff eval --format html`, which aligns by text",
            line + 1,
            path.display(),
            texts.len(),
            page.lines.len()
        )));
    }
    Ok(html)
}

/// Whether the lines chaff extracts from a page are the labeled lines: the same number, each
/// the same text up to ASCII white space, which HTML collapses (a labeled line `a  b` is the
/// extracted `a b`).
pub fn same_lines(extracted: &[&str], labeled: &[&str]) -> bool {
    extracted.len() == labeled.len() && extracted.iter().zip(labeled).all(|(a, b)| same_line(a, b))
}

fn same_line(a: &str, b: &str) -> bool {
    a == b || a.split_ascii_whitespace().eq(b.split_ascii_whitespace())
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Precision, recall, F1 and support.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Scores {
    /// Share of predicted lines that are right.
    pub precision: f64,
    /// Share of gold lines found.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Gold lines.
    pub support: u64,
}

impl Scores {
    /// The scores of `tp` right lines among `predicted` lines given the class and `gold` lines
    /// that have it.
    pub fn new(tp: u64, predicted: u64, gold: u64) -> Scores {
        let precision = ratio(tp, predicted);
        let recall = ratio(tp, gold);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Scores {
            precision,
            recall,
            f1,
            support: gold,
        }
    }
}

/// Scores of one class.
#[derive(Debug, Clone, Serialize)]
pub struct ClassScores {
    /// The class.
    pub class: Class,
    /// Its scores.
    #[serde(flatten)]
    pub scores: Scores,
}

/// Scores of one language (line level).
#[derive(Debug, Clone, Serialize)]
pub struct LanguageScores {
    /// ISO 639-3 code.
    pub lang: String,
    /// Its scores.
    #[serde(flatten)]
    pub scores: Scores,
}

/// All figures of an evaluation; prints as a table, serializes as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Labeled lines.
    pub lines: u64,
    /// Pages.
    pub pages: usize,
    /// Per-class scores.
    pub classes: Vec<ClassScores>,
    /// Mean F1 over the classes that occur in the gold labels or the predictions.
    pub macro_f1: f64,
    /// Share of lines with the right class.
    pub accuracy: f64,
    /// Keeping body lines (what `clean` does): body as the positive class.
    pub body_keep: Scores,
    /// Pages whose cleaned lines are exactly the gold body lines.
    pub exact_pages: usize,
    /// Their share.
    pub exact_page_share: f64,
    /// Line-language accuracy, gold `und` lines left out.
    pub language_accuracy: f64,
    /// Per-language precision and recall.
    pub languages: Vec<LanguageScores>,
    /// `confusion[gold][predicted]`, classes in body, chrome, copyright, byline, related order.
    pub confusion: [[u64; K]; K],
    /// Per-page figures.
    pub per_page: Vec<PageResult>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "pages {}  lines {}", self.pages, self.lines)?;
        writeln!(f)?;
        writeln!(f, "class        precision  recall     F1  support")?;
        for c in &self.classes {
            let s = &c.scores;
            writeln!(
                f,
                "{:<12} {:>9.3} {:>7.3} {:>6.3} {:>8}",
                c.class.as_str(),
                s.precision,
                s.recall,
                s.f1,
                s.support
            )?;
        }
        writeln!(f)?;
        writeln!(f, "macro-F1        {:.3}", self.macro_f1)?;
        writeln!(f, "accuracy        {:.3}", self.accuracy)?;
        let b = &self.body_keep;
        writeln!(
            f,
            "body keep       P {:.3}  R {:.3}  F1 {:.3}",
            b.precision, b.recall, b.f1
        )?;
        writeln!(
            f,
            "exact pages     {}/{} ({:.1}%)",
            self.exact_pages,
            self.pages,
            100.0 * self.exact_page_share
        )?;
        writeln!(f, "language acc.   {:.3}", self.language_accuracy)?;
        writeln!(f)?;
        write!(f, "confusion (rows gold, columns predicted)\n{:<12}", "")?;
        for c in Class::ALL {
            write!(f, "{:>10}", c.as_str())?;
        }
        writeln!(f)?;
        for g in Class::ALL {
            write!(f, "{:<12}", g.as_str())?;
            for p in Class::ALL {
                write!(f, "{:>10}", self.confusion[g.index()][p.index()])?;
            }
            writeln!(f)?;
        }
        writeln!(f)?;
        writeln!(f, "language  precision  recall  support")?;
        for l in &self.languages {
            if l.scores.support == 0 {
                continue;
            }
            writeln!(
                f,
                "{:<9} {:>9.3} {:>7.3} {:>8}",
                l.lang, l.scores.precision, l.scores.recall, l.scores.support
            )?;
        }
        Ok(())
    }
}

impl Report {
    /// One line per page: errors, exactness and language.
    pub fn pages_table(&self) -> String {
        let mut s = String::from(
            "page                                      lines errors exact lang  lang-acc\n",
        );
        for p in &self.per_page {
            let name = std::path::Path::new(&p.page)
                .file_name()
                .map_or(p.page.clone(), |n| n.to_string_lossy().into_owned());
            s.push_str(&format!(
                "{:<42} {:>5} {:>6} {:>5} {:<5} {:>8.3}\n",
                name,
                p.lines,
                p.class_errors,
                if p.exact { "yes" } else { "no" },
                p.language,
                p.language_accuracy
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::labeled::parse_page;
    use std::path::Path;

    #[test]
    fn figures_from_a_known_confusion() {
        let gold = parse_page(
            "body\teng\tA\nbody\teng\tB\nchrome\teng\tC\nrelated\tund\t1\n",
            Path::new("s/p.tsv"),
        )
        .unwrap();
        let pred = [
            LineLabel::uniform(Class::Body, "eng"),
            LineLabel::uniform(Class::Chrome, "eng"),
            LineLabel::uniform(Class::Chrome, "kor"),
            LineLabel::uniform(Class::Related, "und"),
        ];
        let mut e = Evaluation::default();
        e.add(&gold, &pred);
        let r = e.report();
        let body = &r.classes[0].scores;
        assert_eq!((body.precision, body.recall), (1.0, 0.5));
        let chrome = &r.classes[1].scores;
        assert_eq!((chrome.precision, chrome.recall), (0.5, 1.0));
        assert_eq!(r.accuracy, 0.75);
        assert_eq!(r.exact_pages, 0);
        // Gold und lines are left out of language accuracy: 2 of 3 right.
        assert!((r.language_accuracy - 2.0 / 3.0).abs() < 1e-9);
        assert!(r.to_string().contains("macro-F1"));
    }
}
