//! Arbitrary bytes as one JSONL record: if `parse_record` accepts it, `process` returns a JSON
//! object that starts with the input object byte for byte, whose `clean` field holds a
//! subsequence of the page's lines and whose `lines` field (with `label`) one entry per line.
#![no_main]

use std::sync::OnceLock;

use chaff::clean::CleanOptions;
use chaff::input::jsonl::{parse_record, process, Fields};
use chaff::input::page_lines;
use chaff::Labeler;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn labeler() -> &'static Labeler {
    static LABELER: OnceLock<Labeler> = OnceLock::new();
    LABELER.get_or_init(Labeler::builtin)
}

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    let fields = Fields::default();
    for with_lines in [false, true] {
        let Ok(record) = parse_record(line, &fields, with_lines) else {
            continue;
        };
        let out = process(record, labeler(), &CleanOptions::new(), &fields, with_lines);
        let object = line.trim_matches([' ', '\t', '\r', '\n']);
        let head = object
            .strip_suffix('}')
            .expect("an accepted record is an object");
        assert!(out.starts_with(head), "input not passed through: {out:?}");
        let input: Value = serde_json::from_str(object).expect("accepted input is JSON");
        let output: Value = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("output is not JSON ({e}): {out:?}"));
        let text = input[&fields.text]
            .as_str()
            .expect("text field is a string");
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lines = page_lines(text);
        let clean = output[&fields.clean]
            .as_str()
            .expect("clean field is a string");
        if !clean.is_empty() {
            let mut rest = lines.iter();
            assert!(
                clean.split('\n').all(|k| rest.any(|l| *l == k)),
                "clean {clean:?} is not a subsequence of {lines:?}"
            );
        }
        if with_lines {
            let labeled = output[&fields.lines].as_array().expect("lines is an array");
            assert_eq!(labeled.len(), lines.len());
            for (l, line) in labeled.iter().zip(&lines) {
                assert_eq!(l["text"].as_str(), Some(*line));
            }
        }
    }
});
