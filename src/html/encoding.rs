//! HTML bytes to text: the character set is taken from, in this order, an override
//! (`--encoding NAME`), a byte-order mark, a `<meta charset>` / `<meta http-equiv="Content-Type">`
//! declaration in the first 1,024 bytes (found by the HTML standard's prescan, a byte scan), and
//! otherwise UTF-8 when the bytes are valid UTF-8, else a guess by `chardetng`.
//!
//! A byte-order mark wins even over an override, as in browsers: a file that starts with one
//! says what it is. Bytes that are invalid in the chosen encoding become U+FFFD.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252, X_USER_DEFINED};

/// An encoding name that is no WHATWG label.
#[derive(Debug, Clone, thiserror::Error)]
#[error("unknown encoding {name:?}: expected a name such as utf-8, euc-kr, cp949, shift_jis, gb18030, windows-1252 or iso-8859-1")]
pub struct UnknownEncoding {
    /// The name as given.
    pub name: String,
}

/// How many bytes the `<meta>` prescan reads, as in the HTML standard.
pub const PRESCAN_BYTES: usize = 1024;

/// How many bytes `chardetng` is shown when nothing is declared: enough text for a sure guess,
/// bounded time on a huge page.
const SNIFF_BYTES: usize = 256 * 1024;

/// Where a page's encoding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodingSource {
    /// A byte-order mark.
    Bom,
    /// The caller's override (`--encoding NAME`).
    Override,
    /// A `<meta>` declaration in the first 1,024 bytes.
    Meta,
    /// Nothing declared and the bytes are valid UTF-8.
    Utf8,
    /// Nothing declared; `chardetng` guessed it.
    Sniffed,
}

/// A decoded page.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// The page as text, without its byte-order mark.
    pub text: Cow<'a, str>,
    /// The encoding it was decoded from.
    pub encoding: &'static Encoding,
    /// Where that encoding came from.
    pub source: EncodingSource,
    /// Whether some bytes were invalid in that encoding (they became U+FFFD).
    pub had_errors: bool,
}

/// The encoding named `label` (a WHATWG label: `utf-8`, `euc-kr`, `cp949`, `shift_jis`,
/// `windows-1252`, `latin1`, ...; case and surrounding white space do not matter), or an error
/// naming it.
pub fn encoding_for_label(label: &str) -> Result<&'static Encoding, UnknownEncoding> {
    lookup(label.as_bytes()).ok_or_else(|| UnknownEncoding {
        name: label.to_string(),
    })
}

/// A WHATWG label, or one of the Windows code page names that pages and people use besides
/// them (`cp949`, `ms949`, `uhc`, `cp932`, `cp936`), as `encoding_rs` decodes those.
fn lookup(label: &[u8]) -> Option<&'static Encoding> {
    let label = label.trim_ascii();
    Encoding::for_label(label).or_else(|| {
        const ALIASES: [(&str, &str); 5] = [
            ("cp949", "euc-kr"),
            ("ms949", "euc-kr"),
            ("uhc", "euc-kr"),
            ("cp932", "shift_jis"),
            ("cp936", "gbk"),
        ];
        ALIASES
            .iter()
            .find(|(alias, _)| label.eq_ignore_ascii_case(alias.as_bytes()))
            .and_then(|(_, name)| Encoding::for_label(name.as_bytes()))
    })
}

/// Decodes an HTML page: override, BOM, `<meta>` prescan, UTF-8 check, `chardetng`, in that
/// order (see the module documentation).
pub fn decode_html<'a>(
    bytes: &'a [u8],
    override_encoding: Option<&'static Encoding>,
) -> Decoded<'a> {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        return decode_as(&bytes[bom..], encoding, EncodingSource::Bom);
    }
    if let Some(encoding) = override_encoding {
        return decode_as(bytes, encoding, EncodingSource::Override);
    }
    let declared = prescan(&bytes[..bytes.len().min(PRESCAN_BYTES)]);
    if let Some(encoding) = declared.filter(|&e| e == UTF_8 || bytes.is_ascii()) {
        return decode_as(bytes, encoding, EncodingSource::Meta);
    }
    // Non-ASCII bytes that are valid UTF-8 are UTF-8 whatever the page declares: crawlers
    // store pages re-encoded to UTF-8 with their old <meta charset>, and legacy encodings'
    // text is practically never valid UTF-8.
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: Cow::Borrowed(text),
            encoding: UTF_8,
            source: EncodingSource::Utf8,
            had_errors: false,
        };
    }
    match declared {
        Some(encoding) => decode_as(bytes, encoding, EncodingSource::Meta),
        None => decode_as(bytes, sniff(bytes), EncodingSource::Sniffed),
    }
}

/// Decodes text input with an override: a byte-order mark still wins, then `encoding`.
pub fn decode_text<'a>(bytes: &'a [u8], encoding: &'static Encoding) -> Decoded<'a> {
    match Encoding::for_bom(bytes) {
        Some((bom_encoding, bom)) => decode_as(&bytes[bom..], bom_encoding, EncodingSource::Bom),
        None => decode_as(bytes, encoding, EncodingSource::Override),
    }
}

fn decode_as<'a>(
    bytes: &'a [u8],
    encoding: &'static Encoding,
    source: EncodingSource,
) -> Decoded<'a> {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    Decoded {
        text,
        encoding,
        source,
        had_errors,
    }
}

/// `chardetng`'s guess for bytes that declare nothing and are not UTF-8.
fn sniff(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new();
    let sample = &bytes[..bytes.len().min(SNIFF_BYTES)];
    detector.feed(sample, sample.len() == bytes.len());
    detector.guess(None, true)
}

/// The HTML standard's prescan for a character encoding declaration
/// (<https://html.spec.whatwg.org/multipage/parsing.html#prescan-a-byte-stream-to-determine-its-encoding>),
/// over `head` (the first 1,024 bytes): comments and other tags are skipped, the first `<meta>`
/// with a usable `charset` attribute or `http-equiv="content-type"` and a `charset=` in its
/// `content` decides. UTF-16 declarations mean UTF-8 and `x-user-defined` means Windows-1252,
/// as the standard says (a page that can be prescanned is not UTF-16).
pub fn prescan(head: &[u8]) -> Option<&'static Encoding> {
    let mut pos = 0;
    while pos < head.len() {
        let rest = &head[pos..];
        if rest.starts_with(b"<!--") {
            // Comment: skip to the "-->" that ends it (which may share its dashes with "<!--").
            pos = match find(&head[pos + 2..], b"-->") {
                Some(at) => pos + 2 + at + 3,
                None => return None,
            };
        } else if starts_with_ignore_case(rest, b"<meta")
            && rest.get(5).is_some_and(|&b| is_space(b) || b == b'/')
        {
            pos += 5;
            if let Some(encoding) = meta(head, &mut pos) {
                return Some(encoding);
            }
        } else if rest.len() >= 2
            && rest[0] == b'<'
            && (rest[1].is_ascii_alphabetic()
                || (rest[1] == b'/' && rest.get(2).is_some_and(u8::is_ascii_alphabetic)))
        {
            // Another tag: skip its name, then its attributes.
            pos += 2;
            while pos < head.len() && !is_space(head[pos]) && head[pos] != b'>' {
                pos += 1;
            }
            while attribute(head, &mut pos).is_some() {}
            pos += 1;
        } else if rest.starts_with(b"<!") || rest.starts_with(b"</") || rest.starts_with(b"<?") {
            pos = match head[pos..].iter().position(|&b| b == b'>') {
                Some(at) => pos + at + 1,
                None => return None,
            };
        } else {
            pos += 1;
        }
    }
    None
}

/// The attributes of one `<meta>` tag (from just after its name): its encoding, if it
/// declares a usable one.
fn meta(head: &[u8], pos: &mut usize) -> Option<&'static Encoding> {
    let (mut seen_charset, mut seen_http_equiv, mut seen_content) = (false, false, false);
    let mut got_pragma = false;
    let mut need_pragma: Option<bool> = None;
    let mut charset: Option<&'static Encoding> = None;
    let mut names: Vec<Vec<u8>> = Vec::new();
    while let Some((name, value)) = attribute(head, pos) {
        if names.contains(&name) {
            continue;
        }
        names.push(name.clone());
        match name.as_slice() {
            b"http-equiv" if !seen_http_equiv => {
                seen_http_equiv = true;
                got_pragma |= value == b"content-type";
            }
            b"content" if !seen_content => {
                seen_content = true;
                if charset.is_none() {
                    if let Some(found) = charset_from_content(&value) {
                        charset = lookup(found);
                        need_pragma = Some(true);
                    }
                }
            }
            b"charset" if !seen_charset => {
                seen_charset = true;
                charset = lookup(&value);
                need_pragma = Some(false);
            }
            _ => {}
        }
    }
    let charset = match need_pragma? {
        true if !got_pragma => return None,
        _ => charset?,
    };
    Some(if charset == UTF_16BE || charset == UTF_16LE {
        UTF_8
    } else if charset == X_USER_DEFINED {
        WINDOWS_1252
    } else {
        charset
    })
}

/// The standard's "get an attribute" step: the next attribute's lower-cased name and value
/// (the value lower-cased too), advancing `pos`; `None` at the tag's end or the input's end.
fn attribute(head: &[u8], pos: &mut usize) -> Option<(Vec<u8>, Vec<u8>)> {
    let at = |p: usize| head.get(p).copied();
    while at(*pos).is_some_and(|b| is_space(b) || b == b'/') {
        *pos += 1;
    }
    match at(*pos) {
        None | Some(b'>') => return None,
        _ => {}
    }
    let mut name = Vec::new();
    let mut value = Vec::new();
    // The name.
    loop {
        let b = at(*pos)?;
        if b == b'=' && !name.is_empty() {
            *pos += 1;
            break;
        }
        if is_space(b) {
            while at(*pos).is_some_and(is_space) {
                *pos += 1;
            }
            if at(*pos)? != b'=' {
                return Some((name, value));
            }
            *pos += 1;
            break;
        }
        if b == b'/' || b == b'>' {
            return Some((name, value));
        }
        name.push(b.to_ascii_lowercase());
        *pos += 1;
    }
    // The value.
    while at(*pos).is_some_and(is_space) {
        *pos += 1;
    }
    match at(*pos)? {
        quote @ (b'"' | b'\'') => {
            *pos += 1;
            loop {
                let b = at(*pos)?;
                *pos += 1;
                if b == quote {
                    return Some((name, value));
                }
                value.push(b.to_ascii_lowercase());
            }
        }
        b'>' => Some((name, value)),
        _ => loop {
            let b = at(*pos)?;
            if is_space(b) || b == b'>' {
                return Some((name, value));
            }
            value.push(b.to_ascii_lowercase());
            *pos += 1;
        },
    }
}

/// The standard's "extract a character encoding from a meta element": the label after
/// `charset=` in a `content` value (already lower-cased).
fn charset_from_content(content: &[u8]) -> Option<&[u8]> {
    let mut pos = 0;
    loop {
        let at = find(&content[pos..], b"charset")?;
        pos += at + 7;
        let mut p = pos;
        while content.get(p).copied().is_some_and(is_space) {
            p += 1;
        }
        if content.get(p) != Some(&b'=') {
            continue;
        }
        p += 1;
        while content.get(p).copied().is_some_and(is_space) {
            p += 1;
        }
        return match content.get(p)? {
            &quote @ (b'"' | b'\'') => {
                let rest = &content[p + 1..];
                let end = rest.iter().position(|&b| b == quote)?;
                Some(&rest[..end])
            }
            _ => {
                let rest = &content[p..];
                let end = rest
                    .iter()
                    .position(|&b| is_space(b) || b == b';')
                    .unwrap_or(rest.len());
                Some(&rest[..end])
            }
        };
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

fn starts_with_ignore_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes.len() >= prefix.len() && bytes[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::{EUC_KR, SHIFT_JIS};

    const KOREAN: &str = "서울시는 내년부터 심야 자율주행 버스를 세 개 노선으로 늘린다.";

    fn euc_kr(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = EUC_KR.encode(text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    #[test]
    fn euc_kr_label_is_windows_949() {
        assert_eq!(encoding_for_label("euc-kr").unwrap(), EUC_KR);
        assert_eq!(encoding_for_label(" CP949 ").unwrap(), EUC_KR);
        assert_eq!(encoding_for_label("ks_c_5601-1987").unwrap(), EUC_KR);
        assert_eq!(prescan(b"<meta charset=cp949>"), Some(EUC_KR));
        let err = encoding_for_label("klingon").unwrap_err().to_string();
        assert!(err.contains("klingon"), "{err}");
    }

    #[test]
    fn euc_kr_page_with_meta_charset() {
        let mut page =
            b"<!DOCTYPE html><html><head><meta charset=\"euc-kr\"><title>t</title></head><body><p>"
                .to_vec();
        page.extend(euc_kr(KOREAN));
        page.extend(b"</p></body></html>");
        let decoded = decode_html(&page, None);
        assert_eq!(decoded.encoding, EUC_KR);
        assert_eq!(decoded.source, EncodingSource::Meta);
        assert!(decoded.text.contains(KOREAN), "{}", decoded.text);
        assert!(!decoded.had_errors);
    }

    #[test]
    fn euc_kr_page_with_http_equiv() {
        let mut page = b"<html><head>\n<!-- <meta charset=utf-8> in a comment does not count -->\n<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=ks_c_5601-1987'>\n</head><body><p>".to_vec();
        page.extend(euc_kr(KOREAN));
        let decoded = decode_html(&page, None);
        assert_eq!(decoded.encoding, EUC_KR);
        assert_eq!(decoded.source, EncodingSource::Meta);
        assert!(decoded.text.contains(KOREAN));
    }

    #[test]
    fn euc_kr_page_without_declaration_is_sniffed() {
        let mut page = b"<html><head><title>news</title></head><body>".to_vec();
        for _ in 0..3 {
            page.extend(b"<p>");
            page.extend(euc_kr(KOREAN));
            page.extend(b"</p>\n");
        }
        let decoded = decode_html(&page, None);
        assert_eq!(decoded.source, EncodingSource::Sniffed);
        assert_eq!(decoded.encoding, EUC_KR);
        assert!(decoded.text.contains(KOREAN), "{}", decoded.text);
    }

    #[test]
    fn override_beats_meta_and_bom_beats_override() {
        let mut page = b"<meta charset=utf-8><p>".to_vec();
        page.extend(euc_kr(KOREAN));
        let decoded = decode_html(&page, Some(EUC_KR));
        assert_eq!(decoded.source, EncodingSource::Override);
        assert!(decoded.text.contains(KOREAN));
        let mut bom = b"\xEF\xBB\xBF<p>".to_vec();
        bom.extend(KOREAN.as_bytes());
        let decoded = decode_html(&bom, Some(EUC_KR));
        assert_eq!(decoded.source, EncodingSource::Bom);
        assert_eq!(decoded.text, format!("<p>{KOREAN}"));
    }

    #[test]
    fn valid_utf8_beats_a_stale_declaration() {
        let page = format!("<meta charset=gb2312><p>{KOREAN}</p>");
        let decoded = decode_html(page.as_bytes(), None);
        assert_eq!(decoded.source, EncodingSource::Utf8);
        assert!(decoded.text.contains(KOREAN));
        // ASCII pages follow their declaration.
        let decoded = decode_html(b"<meta charset=gb2312><p>x</p>", None);
        assert_eq!(decoded.source, EncodingSource::Meta);
    }

    #[test]
    fn utf8_without_declaration() {
        let page = format!("<p>{KOREAN}</p>");
        let decoded = decode_html(page.as_bytes(), None);
        assert_eq!(decoded.source, EncodingSource::Utf8);
        assert!(matches!(decoded.text, Cow::Borrowed(_)));
    }

    #[test]
    fn prescan_follows_the_standard() {
        let enc = |s: &[u8]| prescan(s);
        assert_eq!(enc(b"<meta charset=shift_jis>"), Some(SHIFT_JIS));
        assert_eq!(enc(b"<meta charset='EUC-KR'/>"), Some(EUC_KR));
        assert_eq!(enc(b"<meta/charset=euc-kr>"), Some(EUC_KR));
        // Content without http-equiv is no declaration.
        assert_eq!(enc(b"<meta content='text/html; charset=euc-kr'>"), None);
        assert_eq!(
            enc(b"<meta content=\"text/html;charset = 'euc-kr'\" http-equiv=content-type>"),
            Some(EUC_KR)
        );
        // UTF-16 declared in markup means UTF-8.
        assert_eq!(enc(b"<meta charset=utf-16le>"), Some(UTF_8));
        // Inside another tag's attribute value, or a comment, it is no declaration.
        assert_eq!(enc(b"<div title='<meta charset=euc-kr>'>"), None);
        assert_eq!(enc(b"<!-- <meta charset=euc-kr> -->"), None);
        // An unknown label is skipped; a later meta still counts.
        assert_eq!(
            enc(b"<meta charset=nonsense><meta charset=euc-kr>"),
            Some(EUC_KR)
        );
        // Truncated input ends the scan quietly.
        assert_eq!(enc(b"<meta charset=\"euc"), None);
        assert_eq!(enc(b"<!-- never closed"), None);
    }

    #[test]
    fn text_override() {
        let bytes = euc_kr(KOREAN);
        let decoded = decode_text(&bytes, EUC_KR);
        assert_eq!(decoded.text, KOREAN);
    }
}
