//! JSONL page streams: one page per input line as a JSON object, one JSON object per page out.
//!
//! A record holds the page text in one string field (`text` unless configured), lines separated
//! by `\n`. The output object is the input object exactly as it came, byte for byte (its fields,
//! their order, spacing, escapes and repeated keys), with the result fields added at its end:
//! `clean`, and with `label` also `lines`. An input field with the name of a result field is an
//! error naming it, since the output would hold that key twice.

use std::fmt;
use std::io::{self, Write};
use std::ops::Range;

use serde::de::{self, DeserializeSeed, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::clean::CleanOptions;
use crate::input;
use crate::labeler::{Labeler, LineLabel, LineReport};
use crate::language::PageLanguage;
use crate::site::SiteCounts;

/// A checked record: the object's own text and the page it holds.
#[derive(Debug)]
pub struct Record<'a> {
    /// The object, without surrounding white space.
    object: &'a str,
    /// Whether the object has no fields (the output then needs no comma before its own).
    is_empty: bool,
    text: String,
    /// The page's address, when the record's URL field holds a string.
    pub url: Option<String>,
}

impl Record<'_> {
    /// The page's text (or HTML) as the record holds it.
    pub fn page(&self) -> &str {
        self.text.strip_prefix('\u{feff}').unwrap_or(&self.text)
    }
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
    /// Whether the page field holds HTML (`--html-field`): its blocks become the lines.
    pub html: bool,
    /// Field holding the page's address, whose host is its site for site memory.
    pub url: String,
}

impl Default for Fields {
    fn default() -> Self {
        Fields {
            text: "text".into(),
            clean: "clean".into(),
            lines: "lines".into(),
            html: false,
            url: "url".into(),
        }
    }
}

/// What a scan of an object's members found.
#[derive(Default)]
struct Members<'a> {
    count: usize,
    text: Option<&'a RawValue>,
    url: Option<&'a RawValue>,
    text_repeated: bool,
    clashes_with: Option<String>,
}

/// Scans an object's members without building it: keys are compared decoded (`"te\u0078t"` is
/// the field `text`), values are only checked to be JSON.
struct ScanMembers<'f> {
    fields: &'f Fields,
    with_lines: bool,
}

impl<'de> DeserializeSeed<'de> for ScanMembers<'_> {
    type Value = Members<'de>;

    fn deserialize<D: de::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ScanMembers<'_> {
    type Value = Members<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Members::default();
        while let Some(key) = map.next_key::<String>()? {
            let value: &'de RawValue = map.next_value()?;
            members.count += 1;
            if key == self.fields.text {
                members.text_repeated |= members.text.is_some();
                members.text = Some(value);
            } else if key == self.fields.url {
                members.url.get_or_insert(value);
            } else if key == self.fields.clean || (self.with_lines && key == self.fields.lines) {
                members.clashes_with.get_or_insert(key);
            }
        }
        Ok(members)
    }
}

/// Checks one JSONL record (one line, without its line ending) and reads its page; the error
/// says what is wrong (the caller adds the record number). `with_lines`: the output will also
/// get the `lines` field, so an input field of that name is an error too.
pub fn parse_record<'a>(
    line: &'a str,
    fields: &Fields,
    with_lines: bool,
) -> Result<Record<'a>, String> {
    let object = line.trim_matches([' ', '\t', '\r', '\n']);
    let mut de = serde_json::Deserializer::from_str(object);
    let scan = ScanMembers { fields, with_lines };
    let members = scan
        .deserialize(&mut de)
        .and_then(|m| de.end().map(|()| m))
        .map_err(|e| format!("not a JSON object: {e}"))?;
    if let Some(name) = members.clashes_with {
        let flag = if name == fields.clean {
            "--clean-field"
        } else {
            "--lines-field"
        };
        return Err(format!(
            "the record has a field {name:?}, which is where chaff writes its output; \
             choose another output field with {flag}"
        ));
    }
    if members.text_repeated {
        return Err(format!("field {:?} appears more than once", fields.text));
    }
    let raw = members
        .text
        .ok_or_else(|| format!("no {:?} field", fields.text))?;
    if !raw.get().starts_with('"') {
        return Err(format!(
            "field {:?} is not a string but {}",
            fields.text,
            json_kind(raw.get())
        ));
    }
    // The object was checked whole, so the only way its string can fail is an escape that
    // names no character: a UTF-16 surrogate (\ud800-\udfff) without its pair.
    let text: String = serde_json::from_str(raw.get()).map_err(|e| {
        format!(
            "field {:?} is not valid text: it holds a \\u escape of an unpaired UTF-16 \
             surrogate (\\ud800-\\udfff), which is no character ({})",
            fields.text,
            e.to_string().split(" at line ").next().unwrap_or_default()
        )
    })?;
    let url = members
        .url
        .filter(|raw| raw.get().starts_with('"'))
        .and_then(|raw| serde_json::from_str(raw.get()).ok());
    Ok(Record {
        object,
        is_empty: members.count == 0,
        text,
        url,
    })
}

fn json_kind(raw: &str) -> &'static str {
    match raw.as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

/// Labels and cleans one record and renders the output object (without a line ending).
pub fn process(
    record: Record,
    labeler: &Labeler,
    opts: &CleanOptions,
    fields: &Fields,
    with_lines: bool,
) -> String {
    let mut out = Vec::with_capacity(record.object.len() + record.text.len() / 2 + 64);
    process_into(record, labeler, None, opts, fields, with_lines, &mut out)
        .expect("writing to memory does not fail");
    String::from_utf8(out).expect("JSON output is UTF-8")
}

/// [`process`], writing the output object (without a line ending) to `out` as it is made:
/// the record's own bytes first, then its cleaned text and labels window by window, so a huge
/// record's output is never held whole. Fails only when `out` does.
pub fn process_into(
    record: Record,
    labeler: &Labeler,
    site: Option<&SiteCounts>,
    opts: &CleanOptions,
    fields: &Fields,
    with_lines: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let text = record.text.strip_prefix('\u{feff}').unwrap_or(&record.text);
    #[cfg(feature = "html")]
    let html = fields.html.then(|| crate::html::HtmlPage::parse(text));
    #[cfg(feature = "html")]
    let lines = match &html {
        Some(page) => page.texts(),
        None => input::page_lines(text),
    };
    #[cfg(not(feature = "html"))]
    let lines = input::page_lines(text);
    let body = record
        .object
        .strip_suffix('}')
        .expect("a checked record is an object");
    out.write_all(body.as_bytes())?;
    let mut first_field = record.is_empty;
    let mut field_name = |out: &mut dyn Write, name: &str| -> io::Result<()> {
        if !first_field {
            out.write_all(b",")?;
        }
        first_field = false;
        serde_json::to_writer(&mut *out, name)?;
        out.write_all(b":")
    };
    field_name(out, &fields.clean)?;
    out.write_all(b"\"")?;
    let mut scratch = Vec::new();
    let mut any_kept = false;
    // The cleaned text: the kept lines joined by `\n`, as one JSON string.
    let mut write_kept =
        |out: &mut dyn Write, lines: &[&str], labels: &[LineLabel]| -> io::Result<()> {
            for (line, _) in lines.iter().zip(labels).filter(|(_, l)| opts.keeps(l)) {
                if any_kept {
                    out.write_all(b"\\n")?;
                }
                any_kept = true;
                write_string_contents(out, line, &mut scratch)?;
            }
            Ok(())
        };
    if !with_lines {
        // Only the cleaned text: it is written window by window as the page is labeled.
        let mut emit = |window: Range<usize>, labels: &[LineLabel], _: &PageLanguage| {
            write_kept(out, &lines[window], labels)
        };
        #[cfg(feature = "html")]
        match &html {
            Some(page) => labeler.label_html_windows_on_site(page, site, &mut emit)?,
            None => labeler.label_windows_on_site(&lines, site, &mut emit)?,
        };
        #[cfg(not(feature = "html"))]
        labeler.label_windows_on_site(&lines, site, &mut emit)?;
        return out.write_all(b"\"}");
    }
    // The labels come after the cleaned text: they are kept until it is written.
    #[cfg(feature = "html")]
    let (labels, language) = match &html {
        Some(page) => labeler.label_html_on_site(page, site),
        None => labeler.label_on_site(&lines, site),
    };
    #[cfg(not(feature = "html"))]
    let (labels, language) = labeler.label_on_site(&lines, site);
    write_kept(out, &lines, &labels)?;
    out.write_all(b"\"")?;
    field_name(out, &fields.lines)?;
    out.write_all(b"[")?;
    for (i, (line, label)) in lines.iter().zip(&labels).enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut *out, &LineReport::new(line, label, &language))?;
    }
    out.write_all(b"]}")
}

/// Writes `text` as the inside of a JSON string, escaped exactly as `serde_json` escapes it.
fn write_string_contents(out: &mut dyn Write, text: &str, scratch: &mut Vec<u8>) -> io::Result<()> {
    scratch.clear();
    serde_json::to_writer(&mut *scratch, text)?;
    out.write_all(&scratch[1..scratch.len() - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#""Seoul expands late-night bus routes\nSeoul will expand its late-night autonomous bus service to three routes next year, the city government said Tuesday, citing strong demand.\nCopyright © Example Times. All rights reserved.""#;

    fn run(line: &str, with_lines: bool) -> Result<String, String> {
        let fields = Fields::default();
        let record = parse_record(line, &fields, with_lines)?;
        Ok(process(
            record,
            &Labeler::builtin(),
            &CleanOptions::new(),
            &fields,
            with_lines,
        ))
    }

    #[test]
    fn passes_fields_through_and_adds_clean_text() {
        let line = format!(r#"{{"id": 7, "meta": {{"b": [1, 2.50]}}, "text": {PAGE}}}"#);
        let out = run(&line, false).unwrap();
        let input_part = line.strip_suffix('}').unwrap();
        assert!(out.starts_with(input_part), "{out}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let clean = v["clean"].as_str().unwrap();
        assert!(clean.contains("three routes next year"));
        assert!(!clean.contains("All rights reserved"));
    }

    #[cfg(feature = "html")]
    #[test]
    fn html_field_pages_are_read_as_html() {
        let fields = Fields {
            text: "html".into(),
            html: true,
            ..Fields::default()
        };
        let line = r#"{"html":"<html><body><h1>Seoul expands late-night bus routes</h1><p>Seoul will expand its late-night autonomous bus service to three routes next year, the city government said Tuesday.</p><script>x()</script></body></html>"}"#;
        let record = parse_record(line, &fields, true).unwrap();
        let out = process(
            record,
            &Labeler::builtin(),
            &CleanOptions::new(),
            &fields,
            true,
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let lines = v["lines"].as_array().unwrap();
        assert_eq!(lines.len(), 2, "{out}");
        assert_eq!(lines[0]["text"], "Seoul expands late-night bus routes");
        assert!(
            v["clean"].as_str().unwrap().contains("three routes"),
            "{out}"
        );
        assert!(lines
            .iter()
            .all(|l| !l["text"].as_str().unwrap().contains("x()")));
    }

    #[test]
    fn input_fields_come_out_exactly_as_they_came_in() {
        // Repeated keys, escaped keys and odd spacing are the input's business, not chaff's.
        let line = format!(r#"{{"id":1,"id":2, "te\u0078t" : {PAGE} ,"x":"\u00e9"}}"#);
        let out = run(&line, true).unwrap();
        assert!(out.starts_with(line.strip_suffix('}').unwrap()), "{out}");
        assert!(out.ends_with("]}"), "{out}");
        let empty_ok = run(r#"{"text":""}"#, false).unwrap();
        assert_eq!(empty_ok, r#"{"text":"","clean":""}"#);
    }

    #[test]
    fn an_input_field_named_like_an_output_field_is_an_error() {
        let line = format!(r#"{{"lines": 3, "text": {PAGE}}}"#);
        let err = run(&line, true).unwrap_err();
        assert!(
            err.contains(r#""lines""#) && err.contains("--lines-field"),
            "{err}"
        );
        // Without label's `lines` output the field is just passed through.
        assert!(run(&line, false).is_ok());
        let err = run(&format!(r#"{{"clean": 1, "text": {PAGE}}}"#), false).unwrap_err();
        assert!(err.contains("--clean-field"), "{err}");
    }

    #[test]
    fn malformed_records_say_what_is_wrong() {
        let err = |line: &str| run(line, false).unwrap_err();
        assert!(err("{oops").starts_with("not a JSON object"));
        assert!(err("[1]").starts_with("not a JSON object"));
        assert!(err(r#"{"text":"a"} x"#).starts_with("not a JSON object"));
        assert_eq!(err(r#"{"id": 1}"#), "no \"text\" field");
        assert_eq!(
            err(r#"{"text": 3}"#),
            "field \"text\" is not a string but a number"
        );
        assert_eq!(
            err(r#"{"text":"a","text":"b"}"#),
            "field \"text\" appears more than once"
        );
        let surrogate = err(r#"{"text":"\ud800"}"#);
        assert!(
            surrogate.contains("not valid text") && surrogate.contains("surrogate"),
            "{surrogate}"
        );
    }
}
