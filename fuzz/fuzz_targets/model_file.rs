//! Arbitrary bytes as a model file: if `Model::from_json` accepts it, labeling a small page
//! returns one label per line with every probability finite and in [0, 1].
#![no_main]

use chaff::{Labeler, Model};
use libfuzzer_sys::fuzz_target;

const PAGE: [&str; 6] = [
    "Seoul to expand late-night autonomous bus routes",
    "Seoul will expand its late-night autonomous bus service to three routes next year, the city government said Tuesday.",
    "이 글자크기로 변경됩니다.",
    "BY MICHAEL LEE [lee.junhyuk@joongang.co.kr]",
    "Copyright © 코리아중앙데일리. 무단전재 및 재배포 금지.",
    "- Halloween prep turns eerily quiet as Seoul remembers Itaewon crowd crush",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(model) = Model::from_json(text, "fuzz") else {
        return;
    };
    let labels = Labeler::new(model).label(&PAGE);
    assert_eq!(labels.len(), PAGE.len());
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
