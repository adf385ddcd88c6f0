//! Page input: raw bytes to page lines (UTF-8 checks, BOM, CRLF, blank lines), and JSONL page
//! streams ([`jsonl`]).

pub mod jsonl;
pub mod warc;

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
            hint: not_utf8_hint(bytes),
        }
    })
}

/// What bytes that are not UTF-8 most likely are, as a hint to append to the error message.
/// Compressed files and legacy encodings are the usual causes with scraped pages.
pub fn not_utf8_hint(bytes: &[u8]) -> &'static str {
    hints(bytes).0
}

/// The hint of [`not_utf8_hint`], and the same hint for input that `--encoding NAME` could
/// read (a file or standard input; not a JSONL record, which JSON makes UTF-8).
fn hints(bytes: &[u8]) -> (&'static str, &'static str) {
    let hint = cause(bytes);
    let with_encoding = match hint {
        EUC_KR_HINT => ": this looks like Korean in EUC-KR/CP949; read it with --encoding cp949 (or convert it: iconv -f CP949 -t UTF-8)",
        LEGACY_HINT => ": the text may be in a legacy encoding such as Windows-1252; name it with --encoding NAME (for example --encoding windows-1252), or convert it to UTF-8 (iconv)",
        UTF16_HINT => ": this looks like UTF-16 text; read it with --encoding utf-16le (or convert it: iconv -f UTF-16 -t UTF-8)",
        other => other,
    };
    (hint, with_encoding)
}

const EUC_KR_HINT: &str =
    ": this looks like Korean in EUC-KR/CP949; convert it (iconv -f CP949 -t UTF-8)";
const LEGACY_HINT: &str =
    ": the text may be in a legacy encoding such as Windows-1252; convert it to UTF-8 (iconv)";
const UTF16_HINT: &str = ": this looks like UTF-16 text; convert it (iconv -f UTF-16 -t UTF-8)";

fn cause(bytes: &[u8]) -> &'static str {
    const MAGIC: [(&[u8], &str); 8] = [
        (
            b"\x1f\x8b",
            ": this is gzip-compressed data; decompress it first (zcat FILE | chaff ...)",
        ),
        (
            b"\x28\xb5\x2f\xfd",
            ": this is zstd-compressed data; decompress it first (zstdcat FILE | chaff ...)",
        ),
        (
            b"BZh",
            ": this is bzip2-compressed data; decompress it first (bzcat FILE | chaff ...)",
        ),
        (
            b"\xfd7zXZ\x00",
            ": this is xz-compressed data; decompress it first (xzcat FILE | chaff ...)",
        ),
        (
            b"PK\x03\x04",
            ": this is a zip archive; extract the pages first",
        ),
        (b"%PDF-", ": this is a PDF file, not text"),
        (b"\xff\xfe", UTF16_HINT),
        (b"\xfe\xff", UTF16_HINT),
    ];
    if let Some((_, hint)) = MAGIC.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return hint;
    }
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    if sample.iter().filter(|&&b| b == 0).count() * 100 > sample.len() {
        return ": this looks like binary data (NUL bytes), not text";
    }
    if looks_like_euc_kr(sample) {
        return EUC_KR_HINT;
    }
    LEGACY_HINT
}

/// Decodes a page file's text: from `encoding` when one is given (a byte-order mark still
/// wins; bytes invalid in it become U+FFFD), else as UTF-8 with [`decode`], whose error then
/// also suggests `--encoding NAME` where that would read the input.
#[cfg(feature = "html")]
pub fn decode_with<'a>(
    bytes: &'a [u8],
    source_name: &str,
    encoding: Option<&'static crate::html::Encoding>,
) -> Result<std::borrow::Cow<'a, str>> {
    match encoding {
        Some(encoding) => Ok(crate::html::encoding::decode_text(bytes, encoding).text),
        None => match decode(bytes, source_name) {
            Ok(text) => Ok(std::borrow::Cow::Borrowed(text)),
            Err(Error::InvalidUtf8 {
                source_name,
                offset,
                line,
                ..
            }) => Err(Error::InvalidUtf8 {
                source_name,
                offset,
                line,
                hint: hints(bytes).1,
            }),
            Err(other) => Err(other),
        },
    }
}

/// Whether the non-ASCII bytes of `bytes` read as EUC-KR/CP949 double-byte characters: a
/// lead byte 0x81..=0xFE followed by a trail byte, and most leads in the Hangul rows.
fn looks_like_euc_kr(bytes: &[u8]) -> bool {
    let (mut pairs, mut hangul, mut stray) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
        } else if (0x81..=0xFE).contains(&b) && bytes.get(i + 1).is_some_and(|&t| t >= 0x41) {
            pairs += 1;
            hangul += usize::from((0xB0..=0xC8).contains(&b));
            i += 2;
        } else {
            stray += 1;
            i += 1;
        }
    }
    pairs >= 2 && stray * 10 <= pairs && hangul * 2 >= pairs
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
    fn invalid_utf8_names_the_likely_cause() {
        let hint = |bytes: &[u8]| decode(bytes, "p").unwrap_err().to_string();
        assert!(hint(b"\x1f\x8b\x08\x00rest").contains("gzip"));
        // "서울 버스" in EUC-KR.
        let euc_kr = b"\xbc\xad\xbf\xef \xb9\xf6\xbd\xba\n";
        assert!(hint(euc_kr).contains("EUC-KR"), "{}", hint(euc_kr));
        assert!(hint(b"caf\xe9 cr\xe8me").contains("Windows-1252"));
        assert!(hint(b"\xff\xfeS\x00").contains("UTF-16"));
    }

    #[cfg(feature = "html")]
    #[test]
    fn page_files_can_name_their_encoding() {
        let euc_kr = b"\xbc\xad\xbf\xef \xb9\xf6\xbd\xba\n";
        let err = decode_with(euc_kr, "p", None).unwrap_err().to_string();
        assert!(err.contains("--encoding cp949"), "{err}");
        let cp949 = crate::html::encoding_for_label("cp949").unwrap();
        assert_eq!(
            decode_with(euc_kr, "p", Some(cp949)).unwrap(),
            "서울 버스\n"
        );
        let err = decode_with(b"caf\xe9", "p", None).unwrap_err().to_string();
        assert!(err.contains("--encoding NAME"), "{err}");
        // Compressed data gets no encoding hint: no encoding reads it.
        let err = decode_with(b"\x1f\x8b\x08\x00", "p", None)
            .unwrap_err()
            .to_string();
        assert!(!err.contains("--encoding"), "{err}");
        assert_eq!(decode_with(b"ok", "p", None).unwrap(), "ok");
    }

    #[test]
    fn whitespace_only_lines_are_blank() {
        assert_eq!(page_lines("a\n \t \nb"), vec!["a", "b"]);
    }
}
