//! Labeling a page: language, features, per-line scores and decoding in one call.

use serde::ser::{Serialize, SerializeMap, Serializer};

use std::ops::Range;

use crate::class::Class;
use crate::features::{self, PageFeatures, StructureRows};
#[cfg(feature = "html")]
use crate::html::HtmlPage;
use crate::language::{Lang, LetterCounts, PageLanguage, Segment};
use crate::model::Model;
use crate::site::SiteCounts;

/// The label of one line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineLabel {
    /// The decoded class.
    pub class: Class,
    /// The line's dominant language, or `und`.
    pub lang: Lang,
    /// The per-line class probabilities before decoding, in [`Class::ALL`] order.
    pub probs: [f32; Class::COUNT],
}

#[cfg(test)]
impl LineLabel {
    /// A label of `class` and `lang` with equal probabilities, for tests of what reads labels.
    pub(crate) fn uniform(class: Class, lang: &'static str) -> LineLabel {
        LineLabel {
            class,
            lang: Lang::from_code(lang),
            probs: [1.0 / Class::COUNT as f32; Class::COUNT],
        }
    }
}

/// One labeled line as chaff writes it in JSON, the same in `label --json` and in the `lines` of
/// `label --jsonl`:
/// `{"class":"byline","lang":"eng","probs":{"body":0.01,...},"segments":[...],"text":"..."}`.
///
/// ```
/// use chaff::{Labeler, LineReport};
/// let page = ["Copyright © The Example Times. All rights reserved."];
/// let (labels, language) = Labeler::builtin().label_with_language(&page);
/// let json = serde_json::to_value(LineReport::new(page[0], &labels[0], &language)).unwrap();
/// assert_eq!(json["class"], "copyright");
/// assert_eq!(json["lang"], "eng");
/// assert!(json["probs"]["copyright"].as_f64().unwrap() > 0.5);
/// assert_eq!(json["segments"][0]["end"], page[0].len());
/// ```
#[derive(Debug, Clone, serde::Serialize)]
pub struct LineReport<'a> {
    /// The decoded class.
    pub class: Class,
    /// The line's dominant language.
    pub lang: Lang,
    /// Per-class probabilities before decoding, by class name, rounded to 4 decimals.
    pub probs: ClassProbabilities,
    /// The line's script and language runs, as byte spans.
    pub segments: Vec<Segment>,
    /// The line, as given.
    pub text: &'a str,
}

impl<'a> LineReport<'a> {
    /// The report of `line`, labeled `label` on a page whose language estimate is `page`.
    pub fn new(line: &'a str, label: &LineLabel, page: &PageLanguage) -> LineReport<'a> {
        LineReport {
            class: label.class,
            lang: label.lang,
            probs: ClassProbabilities(label.probs),
            segments: page.segments(line),
            text: line,
        }
    }
}

/// Class probabilities, written as an object keyed by class name.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassProbabilities(pub [f32; Class::COUNT]);

impl Serialize for ClassProbabilities {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(Class::COUNT))?;
        for class in Class::ALL {
            let p = self.0[class.index()];
            map.serialize_entry(class.as_str(), &((p * 10000.0).round() / 10000.0))?;
        }
        map.end()
    }
}

/// Labels pages with a model.
///
/// ```
/// use chaff::{Class, Labeler};
/// let labeler = Labeler::builtin();
/// let page = ["Copyright © The Example Times. All rights reserved."];
/// let labels = labeler.label(&page);
/// assert_eq!(labels.len(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct Labeler {
    model: Model,
}

impl Labeler {
    /// A labeler using `model`.
    pub fn new(model: Model) -> Labeler {
        Labeler { model }
    }

    /// A labeler using the model compiled into chaff.
    pub fn builtin() -> Labeler {
        Labeler::new(Model::builtin())
    }

    /// The model in use.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Labels every line of a page; one label per line, in order.
    pub fn label<S: AsRef<str>>(&self, lines: &[S]) -> Vec<LineLabel> {
        self.label_with_language(lines).0
    }

    /// Labels every line of a page and returns the page's language estimate too.
    pub fn label_with_language<S: AsRef<str>>(
        &self,
        lines: &[S],
    ) -> (Vec<LineLabel>, PageLanguage) {
        collect_labels(lines.len(), |emit| self.label_windows(lines, emit))
    }

    /// Labels a page window by window ([`WINDOW_LINES`] lines at a time), handing each
    /// window's line range and labels to `emit` in order before the next window is labeled,
    /// so that a caller can write a huge page's output without holding all its labels. The
    /// labels are those of [`label_with_language`](Self::label_with_language); the first error
    /// of `emit` stops labeling and is returned.
    ///
    /// ```
    /// use chaff::Labeler;
    /// let page = ["Home", "Copyright © The Example Times. All rights reserved."];
    /// let mut seen = Vec::new();
    /// Labeler::builtin()
    ///     .label_windows(&page, |range, labels, _| {
    ///         seen.extend(range.zip(labels.iter().map(|l| l.class)));
    ///         Ok::<(), ()>(())
    ///     })
    ///     .unwrap();
    /// assert_eq!(seen.len(), page.len());
    /// ```
    pub fn label_windows<S: AsRef<str>, E>(
        &self,
        lines: &[S],
        emit: impl FnMut(Range<usize>, &[LineLabel], &PageLanguage) -> Result<(), E>,
    ) -> Result<PageLanguage, E> {
        self.label_lines(lines, None, |_, _| None, emit)
    }

    /// Labels every line of a page of a site whose pages were counted (see [`crate::site`]):
    /// the lines the site's other pages share tell the model what is the site's furniture.
    /// Without counts (`None`), or when the site has no other page, the labels are those of
    /// [`label_with_language`](Self::label_with_language).
    ///
    /// ```
    /// use chaff::{site::SiteCounter, Labeler};
    /// let pages = [
    ///     ["Seoul opens a new night bus line.", "Most viewed", "Photo gallery view"],
    ///     ["Rain is expected across the country.", "Most viewed", "Photo gallery view"],
    /// ];
    /// let mut counter = SiteCounter::default();
    /// for page in &pages {
    ///     counter.add_page("example.com", page, None);
    /// }
    /// let profile = counter.finish();
    /// let (labels, _) = Labeler::builtin().label_on_site(&pages[0], profile.site("example.com"));
    /// assert_eq!(labels.len(), 3);
    /// ```
    pub fn label_on_site<S: AsRef<str>>(
        &self,
        lines: &[S],
        site: Option<&SiteCounts>,
    ) -> (Vec<LineLabel>, PageLanguage) {
        collect_labels(lines.len(), |emit| {
            self.label_windows_on_site(lines, site, emit)
        })
    }

    /// [`label_windows`](Self::label_windows) with the counts of the page's site, as
    /// [`label_on_site`](Self::label_on_site).
    pub fn label_windows_on_site<S: AsRef<str>, E>(
        &self,
        lines: &[S],
        site: Option<&SiteCounts>,
        emit: impl FnMut(Range<usize>, &[LineLabel], &PageLanguage) -> Result<(), E>,
    ) -> Result<PageLanguage, E> {
        self.label_lines(lines, site, |_, _| None, emit)
    }

    /// Labels every line of a page read from HTML ([`HtmlPage::lines`], in order), reading its
    /// structure as well when the model has HTML stages; returns the page's language estimate
    /// too.
    ///
    /// ```
    /// use chaff::{html::read_html, Class, Labeler};
    /// let page = read_html(b"<!doctype html><nav><a href=/>Home</a></nav><p>Copyright \xc2\xa9 The Example Times.</p>", None);
    /// let (labels, _) = Labeler::builtin().label_html(&page);
    /// assert_eq!(labels.len(), page.lines.len());
    /// assert_eq!(labels[1].class, Class::Copyright);
    /// ```
    #[cfg(feature = "html")]
    pub fn label_html(&self, html: &HtmlPage) -> (Vec<LineLabel>, PageLanguage) {
        self.label_html_on_site(html, None)
    }

    /// [`label_html`](Self::label_html) for a page of a site whose pages were counted, with
    /// its lines' and blocks' standing among the site's other pages (see
    /// [`label_on_site`](Self::label_on_site)).
    #[cfg(feature = "html")]
    pub fn label_html_on_site(
        &self,
        html: &HtmlPage,
        site: Option<&SiteCounts>,
    ) -> (Vec<LineLabel>, PageLanguage) {
        collect_labels(html.lines.len(), |emit| {
            self.label_html_windows_on_site(html, site, emit)
        })
    }

    /// [`label_windows`](Self::label_windows) for a page read from HTML: the labels of
    /// [`label_html`](Self::label_html), window by window.
    #[cfg(feature = "html")]
    pub fn label_html_windows<E>(
        &self,
        html: &HtmlPage,
        emit: impl FnMut(Range<usize>, &[LineLabel], &PageLanguage) -> Result<(), E>,
    ) -> Result<PageLanguage, E> {
        self.label_html_windows_on_site(html, None, emit)
    }

    /// [`label_html_windows`](Self::label_html_windows) with the counts of the page's site.
    #[cfg(feature = "html")]
    pub fn label_html_windows_on_site<E>(
        &self,
        html: &HtmlPage,
        site: Option<&SiteCounts>,
        emit: impl FnMut(Range<usize>, &[LineLabel], &PageLanguage) -> Result<(), E>,
    ) -> Result<PageLanguage, E> {
        let lines = html.texts();
        if !self.model.reads_structure() {
            return self.label_lines(&lines, site, |_, _| None, emit);
        }
        // A page of more lines than a window gets its structure from the whole page at once.
        let whole = (lines.len() > WINDOW_LINES).then(|| {
            let prose: Vec<bool> = lines.iter().map(|l| features::is_prose(l)).collect();
            features::structure_rows(html, &prose)
        });
        // Path keys only for a site with other pages: alone, a page's memory says nothing.
        let site = site.filter(|s| s.pages() >= 2);
        let paths = site.map(|_| features::path_keys(html));
        self.label_lines(
            &lines,
            site,
            |window, feats| {
                let mut rows = match &whole {
                    Some(rows) => rows.window(window.clone()),
                    None => features::structure_rows(html, &features::prose_flags(feats)),
                };
                if let Some(paths) = &paths {
                    features::apply_path_memory(&mut rows, &paths[window], site);
                }
                Some(rows)
            },
            emit,
        )
    }

    /// Labels lines in windows of [`WINDOW_LINES`]; `structure` gives a window's structure
    /// features (from its range and text features), if the page has any; `emit` gets each
    /// window's labels in turn.
    fn label_lines<S: AsRef<str>, E>(
        &self,
        lines: &[S],
        site: Option<&SiteCounts>,
        structure: impl Fn(Range<usize>, &PageFeatures) -> Option<StructureRows>,
        mut emit: impl FnMut(Range<usize>, &[LineLabel], &PageLanguage) -> Result<(), E>,
    ) -> Result<PageLanguage, E> {
        let (page, counts) = PageLanguage::analyze(lines);
        // Features take about 1 KB a line: a page of millions of short lines (a log or a table
        // dump scraped as a page) is scored in windows so memory stays bounded; only the
        // letter counts are kept page-wide. Real pages have a few thousand lines at most and
        // are scored whole.
        let mut labels = Vec::with_capacity(lines.len().min(WINDOW_LINES));
        for start in (0..lines.len()).step_by(WINDOW_LINES) {
            let window = start..lines.len().min(start + WINDOW_LINES);
            let langs = line_languages(&page, &lines[window.clone()], &counts[window.clone()]);
            let mut feats = features::extract_with_counts(
                &lines[window.clone()],
                &page,
                &langs,
                &counts[window.clone()],
            );
            features::apply_site_memory(&mut feats, &lines[window.clone()], site);
            feats.structure = structure(window.clone(), &feats);
            let stages = self.model.stages_for(&feats);
            let log_probs = stages.log_probs(&feats);
            let classes = stages.transitions.viterbi(&log_probs);
            drop(feats);
            labels.clear();
            labels.extend(classes.into_iter().zip(&langs).zip(&log_probs).map(
                |((class, &lang), lp)| LineLabel {
                    class,
                    lang: Lang::from_code(lang),
                    probs: lp.map(f32::exp),
                },
            ));
            emit(window, &labels, &page)?;
        }
        Ok(page)
    }
}

/// All the labels of a page labeled window by window by `label`.
fn collect_labels(
    n: usize,
    label: impl FnOnce(
        &mut dyn FnMut(Range<usize>, &[LineLabel], &PageLanguage) -> Result<(), Never>,
    ) -> Result<PageLanguage, Never>,
) -> (Vec<LineLabel>, PageLanguage) {
    let mut all = Vec::with_capacity(n);
    let page = label(&mut |_, labels, _| {
        all.extend_from_slice(labels);
        Ok(())
    });
    match page {
        Ok(page) => (all, page),
        Err(never) => match never {},
    }
}

/// No error: what collecting labels returns.
enum Never {}

/// The most lines scored together; longer pages are scored in windows of this many lines.
pub const WINDOW_LINES: usize = 20_000;

fn line_languages<S: AsRef<str>>(
    page: &PageLanguage,
    lines: &[S],
    counts: &[LetterCounts],
) -> Vec<&'static str> {
    lines
        .iter()
        .zip(counts)
        .map(|(l, c)| page.language_of(c, l.as_ref()))
        .collect()
}

/// Everything labeling computes before scoring, the same at training and labeling time: the
/// page's language estimate, each line's language, and the line features.
pub fn analyze_page<S: AsRef<str>>(
    lines: &[S],
) -> (PageLanguage, Vec<&'static str>, features::PageFeatures) {
    analyze_page_on_site(lines, None)
}

/// [`analyze_page`] for a page of a site whose pages were counted: with its site features.
pub fn analyze_page_on_site<S: AsRef<str>>(
    lines: &[S],
    site: Option<&SiteCounts>,
) -> (PageLanguage, Vec<&'static str>, features::PageFeatures) {
    let (page, counts) = PageLanguage::analyze(lines);
    let langs = line_languages(&page, lines, &counts);
    let mut feats = features::extract_with_counts(lines, &page, &langs, &counts);
    features::apply_site_memory(&mut feats, lines, site);
    (page, langs, feats)
}

/// [`analyze_page`] for a page read from HTML: its features include its structure's.
#[cfg(feature = "html")]
pub fn analyze_html_page(
    html: &HtmlPage,
) -> (PageLanguage, Vec<&'static str>, features::PageFeatures) {
    analyze_html_page_on_site(html, None)
}

/// [`analyze_html_page`] for a page of a site whose pages were counted.
#[cfg(feature = "html")]
pub fn analyze_html_page_on_site(
    html: &HtmlPage,
    site: Option<&SiteCounts>,
) -> (PageLanguage, Vec<&'static str>, features::PageFeatures) {
    let (page, langs, mut feats) = analyze_page_on_site(&html.texts(), site);
    let mut rows = features::structure_rows(html, &features::prose_flags(&feats));
    if site.is_some_and(|s| s.pages() >= 2) {
        features::apply_path_memory(&mut rows, &features::path_keys(html), site);
    }
    feats.structure = Some(rows);
    (page, langs, feats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_longer_than_a_window_gets_one_label_per_line() {
        let para = "Seoul will expand its late-night autonomous bus service to three routes next year, the city said.";
        let mut lines = vec!["Menu"; WINDOW_LINES + 5];
        lines[WINDOW_LINES + 1] = para;
        lines[3] = para;
        let labels = Labeler::builtin().label(&lines);
        assert_eq!(labels.len(), lines.len());
        // The line after the window boundary is labeled in its own window's context, as the
        // same line is in the first window.
        assert_eq!(labels[WINDOW_LINES + 1].lang, "eng");
        assert!(labels.iter().all(|l| l.probs.iter().all(|p| p.is_finite())));
    }
}
