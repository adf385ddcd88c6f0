//! WARC files, as crawls store pages: records read one at a time from a stream (a gzip member
//! per record, as Common Crawl ships them, is decompressed before it gets here), and the HTTP
//! response a `response` record holds.
//!
//! ```
//! use chaff::input::warc::{http_response, WarcReader};
//! let body = "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hi</p>";
//! let warc = format!(
//!     "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.com/a\r\n\
//!      Content-Length: {}\r\n\r\n{body}\r\n\r\n",
//!     body.len()
//! );
//! let mut reader = WarcReader::new(warc.as_bytes());
//! let record = reader.next_record().unwrap().unwrap();
//! assert_eq!(record.header("warc-target-uri"), Some("https://example.com/a"));
//! let response = http_response(&record.block).unwrap();
//! assert_eq!((response.status, response.charset()), (200, Some("utf-8")));
//! assert_eq!(&response.body[..], b"<p>Hi</p>");
//! ```

use std::io::{self, BufRead, Read};

/// One WARC record: its named fields and its block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcRecord {
    /// The header fields in order, names as written.
    pub headers: Vec<(String, String)>,
    /// The record's content block (`Content-Length` bytes).
    pub block: Vec<u8>,
    /// Where the record starts in the (decompressed) stream.
    pub offset: u64,
}

impl WarcRecord {
    /// A header field's value, by name in any case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The HTML page a `response` record holds, as a cleaner wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcPage<'a> {
    /// `WARC-Target-URI`, or empty.
    pub url: &'a str,
    /// The HTML as sent, de-chunked.
    pub html: std::borrow::Cow<'a, [u8]>,
    /// The charset the HTTP `Content-Type` header declares; it goes before the page's own
    /// declaration.
    pub charset: Option<String>,
}

#[cfg(feature = "html")]
impl WarcPage<'_> {
    /// The page's lines and structure; the HTTP header's charset goes before the page's own
    /// declaration, as browsers read it.
    pub fn parse(&self) -> crate::html::HtmlPage {
        let encoding = self
            .charset
            .as_deref()
            .and_then(|c| crate::html::encoding_for_label(c).ok());
        crate::html::read_html(&self.html, encoding)
    }
}

impl WarcRecord {
    /// The HTML page this record holds, or why it holds none: not a `response` record, not an
    /// HTTP response, a status other than 200, or a body that is not HTML.
    ///
    /// ```
    /// use chaff::input::warc::{WarcReader, Skipped};
    /// let warc = b"WARC/1.0\r\nWARC-Type: request\r\nContent-Length: 0\r\n\r\n\r\n\r\n";
    /// let record = WarcReader::new(&warc[..]).next_record().unwrap().unwrap();
    /// let reason = record.html_page().unwrap_err();
    /// assert_eq!(reason, Skipped::NotResponse("request".into()));
    /// assert_eq!(reason.to_string(), "request records");
    /// ```
    pub fn html_page(&self) -> Result<WarcPage<'_>, Skipped> {
        let kind = self.header("WARC-Type").unwrap_or("");
        if !kind.eq_ignore_ascii_case("response") {
            let kind = if kind.is_empty() { "untyped" } else { kind };
            return Err(Skipped::NotResponse(kind.to_string()));
        }
        let response = http_response(&self.block).ok_or(Skipped::NotHttp)?;
        if response.status != 200 {
            return Err(Skipped::Status(response.status));
        }
        if !response.is_html() {
            return Err(Skipped::NotHtml);
        }
        let charset = response.charset().map(str::to_string);
        Ok(WarcPage {
            url: self.header("WARC-Target-URI").unwrap_or(""),
            html: response.body,
            charset,
        })
    }
}

/// Why a WARC record holds no page to clean. Its text names a group of records, for counts
/// such as "3 request records, 1 with status 404".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Skipped {
    /// A record of another type (`request`, `metadata`, `warcinfo`...), or `untyped`.
    NotResponse(String),
    /// A `response` record whose block is not an HTTP response.
    NotHttp,
    /// An HTTP response with a status other than 200.
    Status(u16),
    /// A response whose `Content-Type` is not HTML.
    NotHtml,
    /// The last record of a stream cut short.
    Truncated,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skipped::NotResponse(kind) => write!(f, "{kind} records"),
            Skipped::NotHttp => f.write_str("not HTTP responses"),
            Skipped::Status(status) => write!(f, "with status {status}"),
            Skipped::NotHtml => f.write_str("not HTML"),
            Skipped::Truncated => f.write_str("truncated"),
        }
    }
}

/// What is wrong with a WARC stream, with the byte where it was found.
#[derive(Debug)]
pub enum WarcError {
    /// The stream could not be read (a corrupt gzip member, say).
    Io(io::Error),
    /// The bytes at `offset` are not a WARC record (`what` says why).
    Malformed {
        /// Where the record starts.
        offset: u64,
        /// What is wrong.
        what: String,
    },
    /// The record at `offset` ends before its `Content-Length` bytes.
    Truncated {
        /// Where the record starts.
        offset: u64,
        /// Its `Content-Length`.
        expected: u64,
        /// The bytes there were.
        got: u64,
    },
}

impl std::fmt::Display for WarcError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            WarcError::Io(e) => write!(f, "{e}"),
            WarcError::Malformed { offset, what } => {
                write!(f, "byte {offset}: not a WARC record: {what}")
            }
            WarcError::Truncated {
                offset,
                expected,
                got,
            } => write!(
                f,
                "byte {offset}: the record is truncated: {got} of its {expected} bytes"
            ),
        }
    }
}

impl std::error::Error for WarcError {}

/// The most bytes of header a record may have: more is not a WARC file.
const MAX_HEADER_BYTES: u64 = 1 << 20;

/// Records read by [`WarcReader::next_batch`].
#[derive(Debug)]
pub struct RecordBatch {
    /// The records, in stream order.
    pub records: Vec<WarcRecord>,
    /// The record the stream ended inside of ([`WarcError::Truncated`]), after `records`.
    pub truncated: Option<WarcError>,
    /// Whether the stream may hold more records.
    pub more: bool,
}

/// Reads WARC records one after the other from a stream.
pub struct WarcReader<R> {
    input: R,
    offset: u64,
}

impl<R: BufRead> WarcReader<R> {
    /// A reader of the records of `input` (already decompressed).
    pub fn new(input: R) -> WarcReader<R> {
        WarcReader { input, offset: 0 }
    }

    /// Up to `max` records, for cleaning a batch at a time. The end of the stream, or a
    /// truncated last record (returned in the batch, not as an error), ends the batch and the
    /// stream; any other error is returned.
    pub fn next_batch(&mut self, max: usize) -> Result<RecordBatch, WarcError> {
        let mut batch = RecordBatch {
            records: Vec::with_capacity(max.min(1024)),
            truncated: None,
            more: true,
        };
        while batch.records.len() < max {
            match self.next_record() {
                None => {
                    batch.more = false;
                    break;
                }
                Some(Ok(record)) => batch.records.push(record),
                Some(Err(e @ WarcError::Truncated { .. })) => {
                    batch.truncated = Some(e);
                    batch.more = false;
                    break;
                }
                Some(Err(e)) => return Err(e),
            }
        }
        Ok(batch)
    }

    /// The next record, `None` at the end of the stream. After an error the stream cannot be
    /// read further: a truncated record is the stream's last.
    pub fn next_record(&mut self) -> Option<Result<WarcRecord, WarcError>> {
        // Blank lines between records (each ends with two CRLFs) are skipped.
        let mut line = Vec::new();
        loop {
            line.clear();
            match (&mut self.input)
                .take(MAX_HEADER_BYTES)
                .read_until(b'\n', &mut line)
            {
                Ok(0) => return None,
                Ok(n) => {
                    if line.iter().all(u8::is_ascii_whitespace) {
                        self.offset += n as u64;
                        continue;
                    }
                    break;
                }
                Err(e) => return Some(Err(WarcError::Io(e))),
            }
        }
        let start = self.offset;
        Some(self.read_record(start, line))
    }

    fn read_record(&mut self, start: u64, first: Vec<u8>) -> Result<WarcRecord, WarcError> {
        let malformed = |what: String| WarcError::Malformed {
            offset: start,
            what,
        };
        self.offset += first.len() as u64;
        if !first.starts_with(b"WARC/") {
            let shown = String::from_utf8_lossy(&first[..first.len().min(40)]).into_owned();
            return Err(malformed(format!("it starts {shown:?}, not WARC/")));
        }
        let mut headers = Vec::new();
        let mut line = Vec::new();
        loop {
            line.clear();
            let n = (&mut self.input)
                .take(MAX_HEADER_BYTES)
                .read_until(b'\n', &mut line)
                .map_err(WarcError::Io)?;
            self.offset += n as u64;
            if n == 0 {
                return Err(WarcError::Truncated {
                    offset: start,
                    expected: 0,
                    got: 0,
                });
            }
            let text = String::from_utf8_lossy(&line);
            let text = text.trim_end_matches(['\r', '\n']);
            if text.is_empty() {
                break;
            }
            match text.split_once(':') {
                Some((name, value)) => {
                    headers.push((name.trim().to_string(), value.trim().to_string()))
                }
                None => {
                    return Err(malformed(format!(
                        "a header line without a colon: {text:?}"
                    )))
                }
            }
        }
        let length: u64 = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .ok_or_else(|| malformed("no Content-Length".into()))?
            .1
            .parse()
            .map_err(|_| malformed("a Content-Length that is not a number".into()))?;
        let mut block = Vec::with_capacity(length.min(64 << 20) as usize);
        let got = (&mut self.input)
            .take(length)
            .read_to_end(&mut block)
            .map_err(WarcError::Io)? as u64;
        self.offset += got;
        if got < length {
            return Err(WarcError::Truncated {
                offset: start,
                expected: length,
                got,
            });
        }
        Ok(WarcRecord {
            headers,
            block,
            offset: start,
        })
    }
}

/// An HTTP response as a `response` record holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse<'a> {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// The body, de-chunked when it was sent in chunks.
    pub body: std::borrow::Cow<'a, [u8]>,
}

impl HttpResponse<'_> {
    /// The `charset` parameter of the `Content-Type` header.
    pub fn charset(&self) -> Option<&str> {
        let content_type = self.content_type.as_deref()?;
        content_type.split(';').skip(1).find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim()
                .eq_ignore_ascii_case("charset")
                .then(|| v.trim().trim_matches('"'))
        })
    }

    /// Whether the body is HTML by its `Content-Type` (`text/html`, `application/xhtml+xml`);
    /// a response without one is taken to be HTML when it starts like HTML.
    pub fn is_html(&self) -> bool {
        match self.content_type.as_deref() {
            Some(t) => {
                let mime = t.split(';').next().unwrap_or("").trim();
                mime.eq_ignore_ascii_case("text/html")
                    || mime.eq_ignore_ascii_case("application/xhtml+xml")
            }
            None => false,
        }
    }
}

/// Splits a `response` record's block into its HTTP status, headers and body; `None` when it
/// is not an HTTP response.
pub fn http_response(block: &[u8]) -> Option<HttpResponse<'_>> {
    let end = block
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| {
            block
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|i| (i, i + 2))
        })?;
    let head = std::str::from_utf8(&block[..end.0]).ok()?;
    let mut lines = head.lines();
    let status_line = lines.next()?;
    if !status_line.starts_with("HTTP/") {
        return None;
    }
    let status = status_line.split_whitespace().nth(1)?.parse().ok()?;
    let mut content_type = None;
    let mut chunked = false;
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            let name = name.trim();
            if name.eq_ignore_ascii_case("content-type") && content_type.is_none() {
                content_type = Some(value.trim().to_string());
            } else if name.eq_ignore_ascii_case("transfer-encoding")
                && value.to_ascii_lowercase().contains("chunked")
            {
                chunked = true;
            }
        }
    }
    let body = &block[end.1..];
    let body = match chunked.then(|| dechunk(body)).flatten() {
        Some(whole) => std::borrow::Cow::Owned(whole),
        None => std::borrow::Cow::Borrowed(body),
    };
    Some(HttpResponse {
        status,
        content_type,
        body,
    })
}

/// A chunked body put back together; `None` when it is not chunked after all (crawlers often
/// store the body de-chunked but keep the header).
fn dechunk(mut body: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len());
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&body[..line_end]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(body.get(..size)?);
        body = body
            .get(size..)?
            .strip_prefix(b"\r\n")
            .unwrap_or(&body[size..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, uri: &str, block: &str) -> String {
        format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Record-ID: <urn:uuid:{kind}>\r\nContent-Length: {}\r\n\r\n{block}\r\n\r\n",
            block.len()
        )
    }

    #[test]
    fn batches_end_at_the_stream_end_or_a_truncated_record() {
        let a = record("warcinfo", "", "software: test");
        let b = record("request", "https://x.org/", "GET / HTTP/1.1");
        let c = record(
            "response",
            "https://x.org/",
            "HTTP/1.1 200 OK\r\n\r\n<p>x</p>",
        );
        let whole = format!("{a}{b}{c}");
        let mut reader = WarcReader::new(whole.as_bytes());
        let first = reader.next_batch(2).unwrap();
        assert_eq!((first.records.len(), first.more), (2, true));
        let second = reader.next_batch(2).unwrap();
        assert_eq!((second.records.len(), second.more), (1, false));
        assert!(second.truncated.is_none());
        let cut = &whole[..whole.len() - 5];
        let batch = WarcReader::new(cut.as_bytes()).next_batch(10).unwrap();
        assert_eq!((batch.records.len(), batch.more), (2, false));
        assert!(matches!(batch.truncated, Some(WarcError::Truncated { .. })));
        let bad = WarcReader::new(&b"not a warc file"[..]).next_batch(10);
        assert!(matches!(bad, Err(WarcError::Malformed { .. })));
    }

    #[test]
    fn reads_records_in_order_and_reports_a_truncated_last_one() {
        let a = record("warcinfo", "", "software: test");
        let b = record(
            "response",
            "https://x.org/",
            "HTTP/1.1 404 Not Found\r\n\r\nno",
        );
        let mut stream = format!("{a}{b}");
        let c = record(
            "response",
            "https://x.org/c",
            "HTTP/1.1 200 OK\r\n\r\n<p>long body</p>",
        );
        stream.push_str(&c[..c.len() - 10]);
        let mut reader = WarcReader::new(stream.as_bytes());
        let first = reader.next_record().unwrap().unwrap();
        assert_eq!(first.header("WARC-TYPE"), Some("warcinfo"));
        let second = reader.next_record().unwrap().unwrap();
        assert_eq!(second.offset, a.len() as u64);
        assert_eq!(http_response(&second.block).unwrap().status, 404);
        match reader.next_record().unwrap() {
            Err(WarcError::Truncated { offset, .. }) => {
                assert_eq!(offset, (a.len() + b.len()) as u64)
            }
            other => panic!("{other:?}"),
        }
        assert!(reader.next_record().is_none());
    }

    #[test]
    fn a_stream_that_is_not_warc_is_refused_with_its_byte() {
        let mut reader = WarcReader::new(&b"{\"json\": 1}\n"[..]);
        let err = reader.next_record().unwrap().unwrap_err();
        assert!(
            err.to_string().starts_with("byte 0: not a WARC record"),
            "{err}"
        );
    }

    #[test]
    fn http_bodies_charsets_and_chunks() {
        let block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=\"EUC-KR\"\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n<p>a\r\n5\r\nb</p>\r\n0\r\n\r\n";
        let r = http_response(block).unwrap();
        assert_eq!(r.charset(), Some("EUC-KR"));
        assert!(r.is_html());
        assert_eq!(&r.body[..], b"<p>ab</p>");
        let pdf =
            http_response(b"HTTP/1.0 200 OK\r\nContent-Type: application/pdf\r\n\r\n%PDF").unwrap();
        assert!(!pdf.is_html());
        assert!(http_response(b"not http").is_none());
    }
}
