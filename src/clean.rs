//! Cleaning: keeping a page's editorial lines, byte for byte and in order.

use crate::class::Class;
use crate::labeler::LineLabel;

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
