//! Labeling a page: language, features, per-line scores and decoding in one call.

use serde::Serialize;

use crate::class::Class;
use crate::features;
use crate::language::PageLanguage;
use crate::model::Model;

/// The label of one line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LineLabel {
    /// The decoded class.
    pub class: Class,
    /// ISO 639-3 code of the line's dominant language, or `und`.
    pub lang: &'static str,
    /// The per-line class probabilities before decoding, in [`Class::ALL`] order.
    pub probs: [f32; Class::COUNT],
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
        let (page, langs, feats) = analyze_page(lines);
        let log_probs = self.model.log_probs(&feats);
        let classes = self.model.transitions.viterbi(&log_probs);
        let labels = classes
            .into_iter()
            .zip(langs)
            .zip(&log_probs)
            .map(|((class, lang), lp)| LineLabel {
                class,
                lang,
                probs: lp.map(f32::exp),
            })
            .collect();
        (labels, page)
    }
}

/// Everything labeling computes before scoring, the same at training and labeling time: the
/// page's language estimate, each line's language, and the line features.
pub fn analyze_page<S: AsRef<str>>(
    lines: &[S],
) -> (PageLanguage, Vec<&'static str>, features::PageFeatures) {
    let (page, counts) = PageLanguage::analyze(lines);
    let langs: Vec<&'static str> = lines
        .iter()
        .zip(&counts)
        .map(|(l, c)| page.language_of(c, l.as_ref()))
        .collect();
    let feats = features::extract_with_counts(lines, &page, &langs, &counts);
    (page, langs, feats)
}
