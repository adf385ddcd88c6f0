//! Cleaning: keeping a page's editorial lines, byte for byte and in order.

use crate::class::Class;
use crate::labeler::LineLabel;
use crate::language::Lang;

/// Which lines the cleaner keeps.
///
/// ```
/// use chaff::clean::CleanOptions;
/// let opts = CleanOptions::new().lang("eng");
/// assert_eq!(opts.language(), Some("eng"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanOptions {
    lang: Option<String>,
}

impl CleanOptions {
    /// Keep every body line.
    pub fn new() -> CleanOptions {
        CleanOptions::default()
    }

    /// Keep only body lines whose language is `lang` (ISO 639-3).
    pub fn lang(mut self, lang: impl Into<String>) -> CleanOptions {
        self.lang = Some(lang.into());
        self
    }

    /// The language filter, if any.
    pub fn language(&self) -> Option<&str> {
        self.lang.as_deref()
    }

    /// Whether a line with this label is kept.
    pub fn keeps(&self, label: &LineLabel) -> bool {
        label.class == Class::Body && self.lang.as_deref().is_none_or(|l| label.lang == l)
    }
}

/// The lines of a page that `opts` keeps, in order, as given.
pub fn kept_lines<'a, S: AsRef<str>>(
    lines: &'a [S],
    labels: &[LineLabel],
    opts: &CleanOptions,
) -> Vec<&'a str> {
    lines
        .iter()
        .zip(labels)
        .filter(|(_, label)| opts.keeps(label))
        .map(|(line, _)| line.as_ref())
        .collect()
}

/// A page's kept lines joined by `\n`, and the language most of their letters are in.
///
/// ```
/// use chaff::{clean::{clean_text, CleanOptions}, Labeler};
/// let page = ["Seoul opened three night bus routes on Monday, the city said.", "Copyright © Example News."];
/// let labels = Labeler::builtin().label(&page);
/// let clean = clean_text(&page, &labels, &CleanOptions::new());
/// assert_eq!(clean.text, page[0]);
/// assert_eq!(clean.lang, "eng");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CleanText {
    /// The kept lines, in order, each as given, joined by `\n`.
    pub text: String,
    /// The language of most of the kept characters (`und` lines aside), or `und`.
    pub lang: Lang,
}

/// The [`CleanText`] of a page's lines and their labels.
pub fn clean_text<S: AsRef<str>>(
    lines: &[S],
    labels: &[LineLabel],
    opts: &CleanOptions,
) -> CleanText {
    let mut chars: Vec<(Lang, usize)> = Vec::new();
    let mut text = String::new();
    for (line, label) in lines.iter().zip(labels).filter(|(_, l)| opts.keeps(l)) {
        let line = line.as_ref();
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(line);
        let n = line.chars().count();
        match chars.iter_mut().find(|(lang, _)| *lang == label.lang) {
            Some((_, count)) => *count += n,
            None => chars.push((label.lang, n)),
        }
    }
    // Ties go to the code first in alphabetical order, so the result does not depend on the
    // order of the lines.
    let lang = chars
        .iter()
        .filter(|(lang, _)| *lang != Lang::UNDETERMINED)
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
        .map_or(Lang::UNDETERMINED, |(lang, _)| *lang);
    CleanText { text, lang }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_body_in_order_and_filters_language() {
        let lines = ["Title", "메뉴", "Para one.", "한국어 문단입니다.", "© X"];
        let labels = [
            LineLabel::uniform(Class::Body, "eng"),
            LineLabel::uniform(Class::Chrome, "kor"),
            LineLabel::uniform(Class::Body, "eng"),
            LineLabel::uniform(Class::Body, "kor"),
            LineLabel::uniform(Class::Copyright, "und"),
        ];
        assert_eq!(
            kept_lines(&lines, &labels, &CleanOptions::new()),
            vec!["Title", "Para one.", "한국어 문단입니다."]
        );
        assert_eq!(
            kept_lines(&lines, &labels, &CleanOptions::new().lang("kor")),
            vec!["한국어 문단입니다."]
        );
    }
}
