//! chaff separates the editorial text of scraped news pages from their chaff.
//!
//! A scraped page is text, one block per line. chaff labels every line with a [`Class`]
//! (`body`, `chrome`, `copyright`, `byline`, `related`) and a language, using a model trained
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
//! Where things live: [`text`] (input bytes to lines), [`labeled`] (the labeled-page format),
//! [`language`] (line language and segments), [`features`] (per-line features), [`model`]
//! (scores and the model file), [`decode`] (Viterbi), [`labeler`] (all of it for one page),
//! [`clean`] (keeping body lines), [`train`], [`eval`], [`compose`] (the corpus generator).

pub mod class;
pub mod clean;
pub mod compose;
pub mod crossval;

pub mod decode;
pub mod error;
pub mod eval;
pub mod features;
pub mod jsonl;
pub mod labeled;
pub mod labeler;
pub mod language;
pub mod model;
pub mod text;
pub mod train;

pub use class::Class;
pub use error::{Error, Result};
pub use labeler::{Labeler, LineLabel};
pub use model::Model;
