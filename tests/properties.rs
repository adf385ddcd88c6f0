//! Property tests (issue 9): nothing may hang, crash or lose data on real input.
//!
//! Pages are generated from arbitrary Unicode with every `char::is_whitespace` code point,
//! control characters (`\r`, `\0`, U+FEFF, U+200B, ...), Hangul, Latin, digits, punctuation and
//! address-like pieces (`@`, `:`, `/`, `www.`) weighted in. The library is checked on 256 cases
//! per property, the binary on 32.

use std::path::Path;
use std::sync::mpsc;
use std::sync::OnceLock;
use std::thread;
use std::time::Duration;

use assert_cmd::Command;
use chaff::clean::{kept_lines, CleanOptions};
use chaff::input::page_lines;
use chaff::labeled::{is_lang_code, parse_page, write_line};
use chaff::Labeler;
use chaff::PageLanguage;
use proptest::prelude::*;

mod common;
use common::expected_lines;

/// Every code point `char::is_whitespace` accepts.
const WHITESPACE: &[char] = &[
    '\u{0009}', '\u{000A}', '\u{000B}', '\u{000C}', '\u{000D}', '\u{0020}', '\u{0085}', '\u{00A0}',
    '\u{1680}', '\u{2000}', '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}',
    '\u{2007}', '\u{2008}', '\u{2009}', '\u{200A}', '\u{2028}', '\u{2029}', '\u{202F}', '\u{205F}',
    '\u{3000}',
];

/// Control and invisible characters that scraped pages carry.
const CONTROLS: &[char] = &[
    '\r', '\0', '\u{1}', '\u{7}', '\u{8}', '\u{1b}', '\u{7f}', '\u{80}', '\u{9f}', '\u{ad}',
    '\u{feff}', '\u{200b}', '\u{200c}', '\u{200d}', '\u{200e}', '\u{200f}', '\u{202e}', '\u{2060}',
    '\u{fffd}', '\u{fff9}',
];

/// Pieces of real pages: address parts, names, boilerplate words.
const PIECES: &[&str] = &[
    "www.",
    "http://",
    "https://",
    ".com",
    ".co.kr",
    "@",
    ":",
    "/",
    "\t",
    "\r\n",
    "기자",
    "Copyright ©",
    "무단전재 및 재배포 금지",
    "All rights reserved.",
    "lee@joongang.co.kr",
    "[",
    "]",
    "- ",
    "BY ",
    "the ",
    " and ",
    "뉴스",
    "Seoul",
    "ひらがな",
    "漢字",
    "Москва",
    "العربية",
    "ไทย",
    "😀",
    "e\u{301}",
];

fn one_of_chars(chars: &'static [char]) -> impl Strategy<Value = String> {
    prop::sample::select(chars).prop_map(String::from)
}

fn char_range(lo: char, hi: char) -> impl Strategy<Value = String> {
    prop::char::range(lo, hi).prop_map(String::from)
}

/// One piece of a page.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => one_of_chars(WHITESPACE),
        4 => one_of_chars(CONTROLS),
        4 => Just("\n".to_string()),
        8 => char_range('\u{AC00}', '\u{D7A3}'),
        3 => char_range('\u{1100}', '\u{11FF}'),
        8 => "[a-zA-Z]{1,8}",
        3 => char_range('0', '9'),
        3 => one_of_chars(&['.', ',', '!', '?', '\'', '"', '-', '(', ')', '©', '·', '…', '“', '”', '’', '|', '#', '%', '&']),
        4 => prop::sample::select(PIECES).prop_map(String::from),
        2 => any::<char>().prop_map(String::from),
    ]
}

/// A page: up to 300 pieces.
fn page() -> impl Strategy<Value = String> {
    prop::collection::vec(token(), 0..300).prop_map(|t| t.concat())
}

/// A page made of lines that each end with one of the whitespace or control characters
/// (`a\r\r\n`, `x\u{2028}\n`, ...): line ends are where text gets lost.
fn page_of_odd_line_ends() -> impl Strategy<Value = String> {
    let line = (
        prop::collection::vec(token(), 0..12),
        prop::collection::vec(
            prop_oneof![one_of_chars(WHITESPACE), one_of_chars(CONTROLS)],
            0..4,
        ),
        prop::sample::select(&["\n", "\r\n", ""][..]),
    )
        .prop_map(|(body, tail, end)| format!("{}{}{}", body.concat(), tail.concat(), end));
    prop::collection::vec(line, 0..20).prop_map(|l| l.concat())
}

/// The seed page (a real article on a portal) with pieces inserted and spaces replaced: long
/// lines of running text, bylines and copyright lines with odd characters in them.
fn seed_page_mutated() -> impl Strategy<Value = String> {
    static SEED: &str = include_str!("data/seed.txt");
    let space = prop_oneof![one_of_chars(WHITESPACE), one_of_chars(CONTROLS)];
    (
        prop::collection::vec((any::<prop::sample::Index>(), token()), 0..40),
        prop::collection::vec((any::<prop::sample::Index>(), space), 0..40),
        0..SEED.len(),
    )
        .prop_map(|(inserts, spaces, cut)| {
            let mut text: Vec<String> = SEED.chars().map(String::from).collect();
            let cut = SEED.char_indices().filter(|&(i, _)| i < cut).count();
            text.truncate(cut.max(1));
            for (at, space) in spaces {
                let at = at.index(text.len());
                if text[at] == " " {
                    text[at] = space;
                }
            }
            for (at, piece) in inserts {
                let at = at.index(text.len() + 1);
                text.insert(at, piece);
            }
            text.concat()
        })
}

fn any_page() -> impl Strategy<Value = String> {
    prop_oneof![page(), page_of_odd_line_ends(), seed_page_mutated()]
}

fn labeler() -> &'static Labeler {
    static LABELER: OnceLock<Labeler> = OnceLock::new();
    LABELER.get_or_init(Labeler::builtin)
}

/// Runs `f` on another thread and fails if it panics or takes longer than `secs`.
fn within<T: Send + 'static>(secs: u64, what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: no answer after {secs} s (hang)"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

/// Whether `sub` is a subsequence of `all`.
fn is_subsequence<T: PartialEq>(sub: &[T], all: &[T]) -> bool {
    let mut it = all.iter();
    sub.iter().all(|s| it.any(|a| a == s))
}

/// Checks that `segments` cover `line` without gaps or overlaps, on char boundaries.
fn check_segments(line: &str, spans: &[(usize, usize)]) -> Result<(), TestCaseError> {
    if line.is_empty() {
        prop_assert!(spans.is_empty(), "segments of an empty line: {spans:?}");
        return Ok(());
    }
    prop_assert!(!spans.is_empty(), "no segments for {line:?}");
    let mut at = 0;
    for &(start, end) in spans {
        prop_assert_eq!(start, at, "gap or overlap in {:?}: {:?}", line, spans);
        prop_assert!(start < end, "empty segment in {line:?}: {spans:?}");
        prop_assert!(
            line.is_char_boundary(start) && line.is_char_boundary(end),
            "segment off a char boundary in {line:?}: {spans:?}"
        );
        at = end;
    }
    prop_assert_eq!(
        at,
        line.len(),
        "segments stop short in {:?}: {:?}",
        line,
        spans
    );
    Ok(())
}

/// `cases` cases, or `PROPTEST_CASES` when set (for longer runs).
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(cases),
        max_shrink_iters: 4096,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// Labeling returns, one label per non-blank line, with a well-formed language and
    /// probabilities in [0, 1]; the cleaner keeps a subsequence of the lines.
    #[test]
    fn labels_every_non_blank_line_once(text in any_page()) {
        let lines: Vec<String> = page_lines(&text).into_iter().map(String::from).collect();
        prop_assert_eq!(&lines, &expected_lines(&text));
        let (labels, lines) = within(20, "label", move || {
            let labels = labeler().label(&lines);
            (labels, lines)
        });
        prop_assert_eq!(labels.len(), lines.len());
        for label in &labels {
            prop_assert!(is_lang_code(label.lang.as_str()), "language {:?}", label.lang);
            for p in label.probs {
                prop_assert!(p.is_finite() && (0.0..=1.0).contains(&p), "probability {p}");
            }
        }
        let kept = kept_lines(&lines, &labels, &CleanOptions::new());
        let all: Vec<&str> = lines.iter().map(String::as_str).collect();
        prop_assert!(is_subsequence(&kept, &all));
    }

    /// The labeled format round-trips: every labeled line parses back to the same text.
    #[test]
    fn labeled_lines_parse_back_to_the_same_text(text in any_page()) {
        let lines = page_lines(&text);
        let labels = labeler().label(&lines);
        let mut out = Vec::new();
        for (line, label) in lines.iter().zip(&labels) {
            write_line(&mut out, label.class, label.lang.as_str(), line).unwrap();
        }
        let written = String::from_utf8(out).unwrap();
        let page = parse_page(&written, Path::new("prop/page.tsv"));
        prop_assert!(page.is_ok(), "{:?}", page.err().map(|e| e.to_string()));
        let page = page.unwrap();
        prop_assert_eq!(page.texts(), lines);
        let classes: Vec<_> = labels.iter().map(|l| l.class).collect();
        prop_assert_eq!(page.classes(), classes);
    }

    /// Language segments cover each line without gaps or overlaps, on char boundaries.
    #[test]
    fn segments_cover_each_line(text in any_page()) {
        let lines: Vec<String> = page_lines(&text).into_iter().map(String::from).collect();
        let (lines, spans) = within(20, "segments", move || {
            let page = PageLanguage::estimate(&lines);
            let spans: Vec<Vec<(usize, usize, &'static str)>> = lines
                .iter()
                .map(|l| page.segments(l).iter().map(|s| (s.start, s.end, s.lang.as_str())).collect())
                .collect();
            (lines, spans)
        });
        for (line, spans) in lines.iter().zip(&spans) {
            for &(_, _, lang) in spans {
                prop_assert!(is_lang_code(lang), "segment language {lang:?} in {line:?}");
            }
            let ranges: Vec<(usize, usize)> = spans.iter().map(|&(s, e, _)| (s, e)).collect();
            check_segments(line, &ranges)?;
        }
    }
}

fn chaff() -> Command {
    let mut cmd = Command::cargo_bin("chaff").unwrap();
    cmd.timeout(Duration::from_secs(20));
    cmd
}

/// Runs `chaff ARGS` on `input` from standard input; exit 0 expected.
fn run(args: &[&str], input: &[u8]) -> Result<Vec<u8>, TestCaseError> {
    let out = chaff().args(args).write_stdin(input).output().unwrap();
    prop_assert!(
        out.status.success(),
        "chaff {:?} failed ({:?}): {}",
        args,
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(out.stdout)
}

/// Output lines: the output split at `\n`, `\r` kept.
fn output_lines(out: &[u8]) -> Result<Vec<&str>, TestCaseError> {
    let text = std::str::from_utf8(out);
    prop_assert!(text.is_ok(), "output is not UTF-8");
    let text = text.unwrap();
    if text.is_empty() {
        return Ok(Vec::new());
    }
    prop_assert!(text.ends_with('\n'), "output does not end with a newline");
    Ok(text[..text.len() - 1].split('\n').collect())
}

proptest! {
    #![proptest_config(config(32))]

    /// `chaff label`, `chaff label --json` and `chaff clean` return, exit 0, keep every line's
    /// bytes, and `clean` prints a subsequence of the input lines.
    #[test]
    fn binary_keeps_every_line(text in any_page(), bom in any::<bool>()) {
        let input = if bom { format!("\u{feff}{text}") } else { text.clone() };
        // The binary drops one leading byte-order mark, whatever follows it.
        let expected = expected_lines(input.strip_prefix('\u{feff}').unwrap_or(&input));

        let labeled = run(&["label"], input.as_bytes())?;
        let page = parse_page(std::str::from_utf8(&labeled).unwrap(), Path::new("p.tsv"));
        prop_assert!(page.is_ok(), "{:?}", page.err().map(|e| e.to_string()));
        let page = page.unwrap();
        prop_assert_eq!(page.texts(), expected.clone());
        let labeled = output_lines(&labeled)?;
        prop_assert_eq!(labeled.len(), expected.len());
        for (out, line) in labeled.iter().zip(&expected) {
            // A line ends with `\n` or `\r\n` (write_line ends a text ending in `\r` with
            // `\r\n`); what is before that is CLASS, LANG and the text, byte for byte.
            let out = out.strip_suffix('\r').unwrap_or(out);
            let mut f = out.splitn(3, '\t');
            let (class, lang, body) = (f.next(), f.next(), f.next());
            prop_assert!(class.is_some_and(|c| c.parse::<chaff::Class>().is_ok()), "{out:?}");
            prop_assert!(lang.is_some_and(is_lang_code), "{out:?}");
            prop_assert_eq!(body, Some(*line));
        }

        let json = run(&["label", "--json"], input.as_bytes())?;
        let json = output_lines(&json)?;
        prop_assert_eq!(json.len(), expected.len());
        for (out, line) in json.iter().zip(&expected) {
            let v: serde_json::Value = serde_json::from_str(out).unwrap();
            prop_assert_eq!(v["text"].as_str(), Some(*line));
            let spans: Vec<(usize, usize)> = v["segments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| (s["start"].as_u64().unwrap() as usize, s["end"].as_u64().unwrap() as usize))
                .collect();
            check_segments(line, &spans)?;
        }

        let clean = run(&["clean"], input.as_bytes())?;
        let clean = output_lines(&clean)?;
        prop_assert!(is_subsequence(&clean, &expected), "clean output {:?} not a subsequence of {:?}", clean, expected);
    }
}

/// The known CR case (`a\r\r\n`): the line is `a\r`; labeling keeps it, and it must parse back.
#[test]
fn line_ending_in_cr_round_trips() {
    let lines = page_lines("a\r\r\n");
    assert_eq!(lines, vec!["a\r"]);
    let labels = labeler().label(&lines);
    let mut out = Vec::new();
    write_line(&mut out, labels[0].class, labels[0].lang.as_str(), lines[0]).unwrap();
    let page = parse_page(std::str::from_utf8(&out).unwrap(), Path::new("p.tsv")).unwrap();
    assert_eq!(page.texts(), lines);
}
