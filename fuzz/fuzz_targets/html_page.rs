//! Arbitrary bytes as an HTML page: decoding never fails, every extracted line is non-blank
//! text without tabs or line breaks, and labeling with the structure features returns one label
//! per line with probabilities in [0, 1].
#![no_main]

use std::sync::OnceLock;

use chaff::html::read_html;
use chaff::Labeler;
use libfuzzer_sys::fuzz_target;

fn labeler() -> &'static Labeler {
    static LABELER: OnceLock<Labeler> = OnceLock::new();
    LABELER.get_or_init(Labeler::builtin)
}

fuzz_target!(|data: &[u8]| {
    let page = read_html(data, None);
    for line in &page.lines {
        assert!(!line.text.trim().is_empty(), "blank line");
        assert!(
            !line.text.contains(['\t', '\n']),
            "separator in {:?}",
            line.text
        );
        assert!(line.link_chars <= line.chars);
        assert!((line.element as usize) < page.elements.len());
        assert!((line.block as usize) < page.elements.len());
    }
    let (labels, _) = labeler().label_html(&page);
    assert_eq!(labels.len(), page.lines.len(), "one label per line");
    for label in &labels {
        assert!(
            label
                .probs
                .iter()
                .all(|p| p.is_finite() && (0.0..=1.0).contains(p)),
            "probabilities {:?}",
            label.probs
        );
    }
});
