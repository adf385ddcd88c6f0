//! JSONL page streams: one page per input line as a JSON object, one JSON object per page out.
//!
//! A record holds the page text in one string field (`text` unless configured), lines separated
//! by `\n`. The output object is the input object, every field passed through byte for byte and
//! in order, plus the result fields (`clean`, and with `label` also `lines`).

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::value::RawValue;

use crate::class::Class;
use crate::clean::{kept_lines, CleanOptions};
use crate::labeler::Labeler;
use crate::text;

/// A parsed record: its fields, raw, in input order.
#[derive(Debug)]
pub struct Record {
    fields: IndexMap<String, Box<RawValue>>,
    text: String,
}

/// Names of the fields chaff reads and writes.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Field holding the page text.
    pub text: String,
    /// Field the cleaned text is written to.
    pub clean: String,
    /// Field the per-line labels are written to (with `label`).
    pub lines: String,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            text: "text".into(),
            clean: "clean".into(),
            lines: "lines".into(),
        }
    }
}

/// Parses one JSONL record; the error says what is wrong (the caller adds the record number).
pub fn parse_record(line: &str, fields: &Fields) -> Result<Record, String> {
    let map: IndexMap<String, Box<RawValue>> =
        serde_json::from_str(line).map_err(|e| format!("not a JSON object: {e}"))?;
    let raw = map
        .get(&fields.text)
        .ok_or_else(|| format!("no {:?} field", fields.text))?;
    let text: String = serde_json::from_str(raw.get())
        .map_err(|_| format!("field {:?} is not a string", fields.text))?;
    Ok(Record { fields: map, text })
}

#[derive(Serialize)]
struct LineOut<'a> {
    class: Class,
    lang: &'a str,
    probs: [f32; 5],
    text: &'a str,
}

/// Labels and cleans one record and renders the output object (without a line ending).
pub fn process(
    record: Record,
    labeler: &Labeler,
    opts: &CleanOptions,
    fields: &Fields,
    with_lines: bool,
) -> String {
    let text = record.text.strip_prefix('\u{feff}').unwrap_or(&record.text);
    let lines = text::page_lines(text);
    let labels = labeler.label(&lines);
    let clean = kept_lines(&lines, &labels, opts).join("\n");
    let mut fields_out = record.fields;
    let clean_raw =
        RawValue::from_string(serde_json::to_string(&clean).expect("strings serialize"))
            .expect("valid JSON");
    fields_out.insert(fields.clean.clone(), clean_raw);
    if with_lines {
        let out: Vec<LineOut> = lines
            .iter()
            .zip(&labels)
            .map(|(t, l)| LineOut {
                class: l.class,
                lang: l.lang,
                probs: l.probs.map(|p| (p * 10000.0).round() / 10000.0),
                text: t,
            })
            .collect();
        let raw = RawValue::from_string(serde_json::to_string(&out).expect("labels serialize"))
            .expect("valid JSON");
        fields_out.insert(fields.lines.clone(), raw);
    }
    serde_json::to_string(&fields_out).expect("raw values serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_fields_through_and_adds_clean_text() {
        let labeler = Labeler::builtin();
        let fields = Fields::default();
        let line = r#"{"id": 7, "meta": {"b": [1, 2.50]}, "text": "Seoul expands late-night bus routes\nSeoul will expand its late-night autonomous bus service to three routes next year, the city government said Tuesday, citing strong demand.\nCopyright © Example Times. All rights reserved."}"#;
        let record = parse_record(line, &fields).unwrap();
        let out = process(record, &labeler, &CleanOptions::new(), &fields, false);
        assert!(
            out.starts_with(r#"{"id":7,"meta":{"b": [1, 2.50]},"text":"#),
            "{out}"
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let clean = v["clean"].as_str().unwrap();
        assert!(clean.contains("three routes next year"));
        assert!(!clean.contains("All rights reserved"));
    }

    #[test]
    fn malformed_records_say_what_is_wrong() {
        let f = Fields::default();
        assert!(parse_record("{oops", &f)
            .unwrap_err()
            .starts_with("not a JSON object"));
        assert_eq!(
            parse_record(r#"{"id": 1}"#, &f).unwrap_err(),
            "no \"text\" field"
        );
        assert_eq!(
            parse_record(r#"{"text": 3}"#, &f).unwrap_err(),
            "field \"text\" is not a string"
        );
    }
}
