//! Corpora: the labeled-page format training and evaluation read, and the composer that writes
//! training pages from site layouts and articles, and renders them as HTML pages.

#[cfg(feature = "compose")]
pub mod compose;
pub mod labeled;
#[cfg(feature = "compose")]
pub mod render_html;
