//! Arbitrary bytes as a page: if they are UTF-8, labeling returns one label per non-blank line,
//! with probabilities in [0, 1], and language segments cover every line.
#![no_main]

use std::sync::OnceLock;

use chaff::clean::{kept_lines, CleanOptions};
use chaff::PageLanguage;
use chaff::input::page_lines;
use chaff::Labeler;
use libfuzzer_sys::fuzz_target;

fn labeler() -> &'static Labeler {
    static LABELER: OnceLock<Labeler> = OnceLock::new();
    LABELER.get_or_init(Labeler::builtin)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines = page_lines(text);
    let (labels, page) = labeler().label_with_language(&lines);
    assert_eq!(labels.len(), lines.len(), "one label per line");
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
    let kept = kept_lines(&lines, &labels, &CleanOptions::new());
    let mut rest = lines.iter();
    assert!(
        kept.iter().all(|k| rest.any(|l| l == k)),
        "kept lines in order"
    );
    let estimate = PageLanguage::estimate(&lines);
    for line in &lines {
        for segments in [page.segments(line), estimate.segments(line)] {
            let mut at = 0;
            for s in &segments {
                assert_eq!(s.start, at, "segments of {line:?}: {segments:?}");
                assert!(s.start < s.end && line.is_char_boundary(s.end));
                at = s.end;
            }
            assert_eq!(at, line.len(), "segments of {line:?}: {segments:?}");
        }
    }
});
