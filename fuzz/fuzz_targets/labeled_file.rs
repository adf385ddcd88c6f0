//! Arbitrary bytes as a labeled `.tsv` page: if it parses, writing every line back with
//! `write_line` and parsing again gives the same lines (class, language and text).
#![no_main]

use std::path::Path;

use chaff::labeled::{parse_page, write_line};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz/page.tsv");
    let Ok(page) = parse_page(text, path) else {
        return;
    };
    let mut out = Vec::new();
    for line in &page.lines {
        write_line(&mut out, line.class, &line.lang, &line.text).unwrap();
    }
    let written = std::str::from_utf8(&out).expect("written page is UTF-8");
    let again = parse_page(written, path)
        .unwrap_or_else(|e| panic!("written page does not parse: {e}\n{written:?}"));
    assert_eq!(again.lines, page.lines, "written: {written:?}");
});
