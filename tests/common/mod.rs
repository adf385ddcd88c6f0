//! What the integration tests share: running the binary, the test pages, failure checks.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

/// `bytes` gzip-compressed, one member.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// `bytes` zstd-compressed.
pub fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(bytes, 3).unwrap()
}

/// The `chaff` binary, as users run it.
pub fn chaff() -> Command {
    Command::cargo_bin("chaff").unwrap()
}

/// A file under `tests/data`.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The labeled pages (`.tsv`) of one composed layout of the training corpus, sorted.
pub fn layout_pages(layout: &str) -> Vec<PathBuf> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("training/pages")
        .join(layout);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
        .collect();
    files.sort();
    files
}

/// Failing commands: a non-zero exit and a message that says what is wrong.
pub trait FailsSaying {
    fn fails_saying(&mut self, message: &str);
}

impl FailsSaying for Command {
    fn fails_saying(&mut self, message: &str) {
        self.assert()
            .failure()
            .stderr(predicate::str::contains(message));
    }
}

/// Standard output of a command that must succeed.
pub fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

/// The lines chaff labels in a text page: split at `\n` or `\r\n` (a `\r` ends a line only
/// before `\n`), without the blank ones. Written apart from chaff's own splitting, to check it.
pub fn expected_lines(text: &str) -> Vec<&str> {
    let pieces: Vec<&str> = text.split('\n').collect();
    let last = pieces.len() - 1;
    pieces
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            if i < last {
                l.strip_suffix('\r').unwrap_or(l)
            } else {
                l
            }
        })
        .filter(|l| !l.chars().all(char::is_whitespace))
        .collect()
}
