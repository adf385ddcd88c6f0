//! chaff separates the editorial text of scraped news pages from their chaff.
//!
//! A scraped page is text, one block per line. chaff labels every line with a [`Class`]
//! (`body`, `chrome`, `copyright`, `byline`, `related`) and a [`Lang`], using a model trained
//! with linfa, and its cleaner keeps the `body` lines byte for byte.
//!
//! ```
//! use chaff::{Class, Labeler};
//! let page = [
//!     "Seoul to expand late-night autonomous bus routes",
//!     "Seoul will expand its late-night autonomous bus service to three routes next year, the city government said Tuesday, citing strong demand from commuters.",
//!     "Copyright © The Example Times. All rights reserved.",
//! ];
//! let labels = Labeler::builtin().label(&page);
//! assert_eq!(labels.len(), 3);
//! assert_eq!(labels[1].class, Class::Body);
//! assert_eq!(labels[2].class, Class::Copyright);
//! ```
//!
//! The data flows through these modules, each in its own folder or file:
//! `input` (bytes to page lines, JSONL records), `language` (line language and segments),
//! `features` (per-line features, one registry), `model` (the stacked scorers, decoding and the
//! model file), [`labeler`] (all of it for one page), [`clean`] (keeping body lines), `corpus`
//! (the labeled-page format and the corpus composer), `train` (training, evaluation and
//! cross-validation) and, in the binary, `cli`.
//!
//! Cargo features: `train` (training and evaluation, with linfa), `compose` (the corpus
//! composer) and `cli` (the command line) are on by default; with
//! `default-features = false` the crate is the labeler alone.

mod class;
mod corpus;
mod error;
mod features;
mod language;
mod model;

pub mod clean;
#[cfg(feature = "html")]
pub mod html;
pub mod input;
pub mod labeler;
pub mod site;
#[cfg(feature = "train")]
pub mod train;

pub use class::{Class, UnknownClass};
pub use clean::CleanOptions;
pub use error::{Error, Result};
pub use features::FEATURE_VERSION;
pub use labeler::{Labeler, LineLabel, LineReport};
pub use language::{Lang, PageLanguage, Script, Segment, UnknownLanguage};
pub use model::provenance;
pub use model::{Model, ModelInfo, StagesInfo, FORMAT_VERSION};

/// The labeled-page format (`CLASS<TAB>LANG<TAB>TEXT`): what `label` writes and training reads.
pub mod labeled {
    pub use crate::corpus::labeled::{
        corpus_files, is_lang_code, parse_page, read_corpus, read_page, write_line, LabeledLine,
        LabeledPage,
    };
}

/// The corpus composer: labeled training pages from site layouts and articles.
#[cfg(feature = "compose")]
pub mod compose {
    pub use crate::corpus::compose::{
        compose, read_articles, read_layouts, write_pages, ComposeParams, ComposedPage, LineRole,
    };
    pub use crate::corpus::render_html;
}

/// The labeling stages one by one, for the benches; not a stable API.
#[doc(hidden)]
pub mod stages {
    pub use crate::features::PageFeatures;
    use crate::{Class, Model, PageLanguage};

    /// The page's language estimate and each line's language.
    pub fn languages<S: AsRef<str>>(lines: &[S]) -> (PageLanguage, Vec<&'static str>) {
        let (page, counts) = PageLanguage::analyze(lines);
        let langs = lines
            .iter()
            .zip(&counts)
            .map(|(l, c)| page.language_of(c, l.as_ref()))
            .collect();
        (page, langs)
    }

    /// The features of every line.
    pub fn features<S: AsRef<str>>(
        lines: &[S],
        page: &PageLanguage,
        langs: &[&str],
    ) -> PageFeatures {
        crate::features::extract(lines, page, langs)
    }

    /// The stacked model's per-line class log-probabilities.
    pub fn scores(model: &Model, features: &PageFeatures) -> Vec<[f32; Class::COUNT]> {
        model.log_probs(features)
    }

    /// Viterbi decoding of the scores.
    pub fn decode(model: &Model, scores: &[[f32; Class::COUNT]]) -> Vec<Class> {
        model.text.transitions.viterbi(scores)
    }
}
