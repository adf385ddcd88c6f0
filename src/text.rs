//! Turning raw input bytes into page lines: UTF-8 checking, BOM, CRLF and blank lines.

use crate::error::{Error, Result};

/// Decodes `bytes` as UTF-8, naming `source_name` and the byte offset when it is not.
/// A leading UTF-8 byte-order mark is removed.
pub fn decode<'a>(bytes: &'a [u8], source_name: &str) -> Result<&'a str> {
    let (bom, text) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (3, rest),
        None => (0, bytes),
    };
    std::str::from_utf8(text).map_err(|e| {
        let offset = e.valid_up_to();
        let line = 1 + text[..offset].iter().filter(|&&b| b == b'\n').count();
        // Offsets count from the start of the input as given, BOM included.
        Error::InvalidUtf8 {
            source_name: source_name.to_string(),
            offset: offset + bom,
            line,
        }
    })
}

/// Whether a line carries no label: empty or only white space.
pub fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// Splits text into lines, without their `\n` or `\r\n` endings.
pub fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
}

/// The non-blank lines of a page, in order. These are the lines chaff labels.
pub fn page_lines(text: &str) -> Vec<&str> {
    lines(text).filter(|l| !is_blank(l)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_bom_and_crlf() {
        let text = decode(b"\xEF\xBB\xBFfirst\r\n\r\nsecond\r\n", "t").unwrap();
        assert_eq!(page_lines(text), vec!["first", "second"]);
    }

    #[test]
    fn invalid_utf8_names_offset_and_line() {
        let err = decode(b"ok\nbad \xFF here", "page.txt").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("page.txt"), "{msg}");
        assert!(msg.contains("byte 7"), "{msg}");
        assert!(msg.contains("line 2"), "{msg}");
    }

    #[test]
    fn whitespace_only_lines_are_blank() {
        assert_eq!(page_lines("a\n \t \nb"), vec!["a", "b"]);
    }
}
