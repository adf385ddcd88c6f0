//! HTML input: bytes to text ([`encoding`]), text to a document (html5ever's HTML5 tree
//! builder into a small arena DOM), the document to page lines with their structure
//! ([`HtmlPage`], [`HtmlLine`]). The rules are in `docs/html.md`.
//!
//! ```
//! use chaff::html::{read_html, looks_like_html};
//! let page = b"<!DOCTYPE html><title>T</title><h1>Seoul buses</h1><p>Night&nbsp;routes <a href=x>grow</a>.</p>";
//! assert!(looks_like_html(page));
//! let page = read_html(page, None);
//! assert_eq!(page.texts(), ["Seoul buses", "Night\u{a0}routes grow."]);
//! assert_eq!(page.tag_path(page.lines[1].element), "html>body>p");
//! ```

mod blocks;
mod dom;
pub mod encoding;
mod meta;

pub use blocks::{is_block, is_dropped, ElementId, HtmlElement, HtmlLine, HtmlPage};
pub use encoding::{decode_html, encoding_for_label, Decoded, EncodingSource, UnknownEncoding};
pub use encoding_rs::Encoding;
pub use meta::PageMeta;

/// Decodes HTML bytes (see [`decode_html`]) and extracts their lines.
pub fn read_html(bytes: &[u8], encoding: Option<&'static Encoding>) -> HtmlPage {
    HtmlPage::parse(&decode_html(bytes, encoding).text)
}

/// Whether input is HTML rather than text lines: after white space, a byte-order mark,
/// `<!-- comments -->` and `<?xml ...?>` declarations, it starts (in any case) with
/// `<!doctype html`, `<html`, `<head` or `<body`, each followed by white space, `>` or `/`
/// (or the end). UTF-16 input (with its BOM) is looked at decoded.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        if encoding != encoding_rs::UTF_8 {
            let head = &bytes[bom..bytes.len().min(bom + 4096)];
            let (text, _) = encoding.decode_without_bom_handling(head);
            return starts_like_html(text.as_bytes());
        }
        return starts_like_html(&bytes[bom..]);
    }
    starts_like_html(bytes)
}

fn starts_like_html(bytes: &[u8]) -> bool {
    let mut rest = bytes;
    loop {
        rest = rest.trim_ascii_start();
        if let Some(comment) = rest.strip_prefix(b"<!--") {
            match comment.windows(3).position(|w| w == b"-->") {
                Some(end) => rest = &comment[end + 3..],
                None => return false,
            }
        } else if let Some(declaration) = rest.strip_prefix(b"<?") {
            match declaration.iter().position(|&b| b == b'>') {
                Some(end) => rest = &declaration[end + 1..],
                None => return false,
            }
        } else {
            break;
        }
    }
    ["<!doctype html", "<html", "<head", "<body"]
        .iter()
        .any(|start| {
            rest.len() >= start.len()
                && rest[..start.len()].eq_ignore_ascii_case(start.as_bytes())
                && rest
                    .get(start.len())
                    .is_none_or(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_html() {
        assert!(looks_like_html(b"<!DOCTYPE html><p>x"));
        assert!(looks_like_html(
            b"\xEF\xBB\xBF  <!-- saved --> \n<!doctype HTML>"
        ));
        assert!(looks_like_html(b"<HTML lang=ko>"));
        assert!(looks_like_html(b"\n<head>"));
        assert!(looks_like_html(b"<body>"));
        assert!(looks_like_html(
            b"<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0\">"
        ));
        assert!(looks_like_html(b"\xFF\xFE<\x00h\x00t\x00m\x00l\x00>\x00"));
        assert!(!looks_like_html(b"<b>bold</b> is not a page"));
        assert!(!looks_like_html(b"<htmlish>"));
        assert!(!looks_like_html(b"Plain text\n<html> later"));
        assert!(!looks_like_html(b"<!-- never closed <html>"));
        assert!(!looks_like_html(b""));
    }
}
