//! The seed page with its ASCII spaces replaced by each other white-space character in turn
//! (issue 9): `chaff label` and `chaff clean` return, keep every line byte for byte and in
//! order, and real-text spaces (U+00A0, U+3000) do not change what `clean` keeps.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

mod common;
use common::expected_lines;

/// Every code point `char::is_whitespace` accepts except `\n` (and the ASCII space itself).
const SPACES: &[char] = &[
    '\u{0009}', '\u{000B}', '\u{000C}', '\u{000D}', '\u{0085}', '\u{00A0}', '\u{1680}', '\u{2000}',
    '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}', '\u{2008}',
    '\u{2009}', '\u{200A}', '\u{2028}', '\u{2029}', '\u{202F}', '\u{205F}', '\u{3000}',
];

fn seed() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/seed.txt");
    std::fs::read_to_string(path).unwrap()
}

/// Runs `chaff ARGS` on `input` from standard input, with a timeout; the output or what went
/// wrong.
fn run(args: &[&str], input: &str) -> Result<String, String> {
    let out = Command::cargo_bin("chaff")
        .unwrap()
        .args(args)
        .write_stdin(input.as_bytes())
        .timeout(Duration::from_secs(20))
        .output()
        .map_err(|e| format!("chaff {args:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "chaff {args:?} exited with {:?}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("chaff {args:?}: output is not UTF-8"))
}

/// Output lines, split at `\n` only.
fn output_lines(out: &str) -> Vec<&str> {
    match out.strip_suffix('\n') {
        Some(body) => body.split('\n').collect(),
        None if out.is_empty() => Vec::new(),
        None => vec![out],
    }
}

fn is_subsequence(sub: &[&str], all: &[&str]) -> bool {
    let mut it = all.iter();
    sub.iter().all(|s| it.any(|a| a == s))
}

/// What is wrong with `label` and `clean` on `page`, if anything; the clean line count.
fn check(page: &str) -> Result<usize, String> {
    let expected = expected_lines(page);
    let labeled = run(&["label"], page)?;
    let labeled = output_lines(&labeled);
    if labeled.len() != expected.len() {
        return Err(format!(
            "label: {} lines out for {} non-blank lines in",
            labeled.len(),
            expected.len()
        ));
    }
    for (i, (out, line)) in labeled.iter().zip(&expected).enumerate() {
        // write_line ends a text ending in `\r` with `\r\n`.
        let out = out.strip_suffix('\r').unwrap_or(out);
        let text = out.splitn(3, '\t').nth(2);
        if text != Some(*line) {
            return Err(format!("label: line {}: {out:?} for {line:?}", i + 1));
        }
    }
    let clean = run(&["clean"], page)?;
    let clean = output_lines(&clean);
    if !is_subsequence(&clean, &expected) {
        return Err(format!(
            "clean: output is not a subsequence of the input lines: {clean:?}"
        ));
    }
    Ok(clean.len())
}

#[test]
fn every_white_space_character_keeps_every_line() {
    let seed = seed();
    check(&seed).expect("the seed page itself");
    let failures: Vec<String> = SPACES
        .iter()
        .filter_map(|&c| {
            let page = seed.replace(' ', &c.to_string());
            check(&page)
                .err()
                .map(|e| format!("U+{:04X}: {e}", c as u32))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn real_text_spaces_keep_the_same_lines() {
    let seed = seed();
    let kept = check(&seed).expect("the seed page itself");
    for c in ['\u{00A0}', '\u{3000}'] {
        let page = seed.replace(' ', &c.to_string());
        let kept_here = check(&page).unwrap();
        assert_eq!(
            kept_here, kept,
            "U+{:04X} instead of spaces: clean keeps {kept_here} lines, {kept} with spaces",
            c as u32
        );
    }
}
