//! Real-world input that once hung, crashed or lost data (issue 9): each test names the defect it
//! keeps fixed.

use std::fs;
use std::path::Path;
use std::process::Stdio;

use predicates::prelude::*;
use tempfile::TempDir;

mod common;
use common::{chaff, data, stdout_of, FailsSaying};

fn seed_text() -> String {
    fs::read_to_string(data("seed.txt")).unwrap()
}

#[test]
fn non_ascii_spaces_do_not_hang() {
    for space in ['\u{a0}', '\u{3000}', '\u{2007}', '\u{2028}'] {
        let page = format!("Seoul{space}bus\n서울{space}버스\n");
        for cmd in ["label", "clean"] {
            chaff()
                .arg(cmd)
                .write_stdin(page.clone())
                .timeout(std::time::Duration::from_secs(20))
                .assert()
                .success();
        }
        let labeled = stdout_of(chaff().arg("label").write_stdin(page.clone()));
        assert_eq!(labeled.lines().count(), 2, "U+{:04X}", space as u32);
    }
}

#[test]
fn two_inputs_never_share_an_output_file() {
    let dir = TempDir::new().unwrap();
    let (a, b, out) = (
        dir.path().join("a"),
        dir.path().join("b"),
        dir.path().join("o"),
    );
    for d in [&a, &b] {
        fs::create_dir(d).unwrap();
        fs::copy(data("seed.txt"), d.join("page.txt")).unwrap();
    }
    fs::copy(data("seed.txt"), a.join("page.md")).unwrap();
    chaff()
        .arg("clean")
        .args([a.join("page.txt"), b.join("page.txt")])
        .arg("--out-dir")
        .arg(&out)
        .fails_saying("would both be written to");
    chaff()
        .arg("label")
        .args([a.join("page.txt"), a.join("page.md")])
        .arg("--out-dir")
        .arg(&out)
        .fails_saying("page.tsv");
    // Nothing was written before the clash was found.
    assert_eq!(fs::read_dir(&out).unwrap().count(), 0);
}

#[cfg(unix)]
#[test]
fn names_that_are_not_utf8_keep_their_bytes() {
    use std::os::unix::ffi::OsStrExt;
    let dir = TempDir::new().unwrap();
    let names = [&b"p\xff.txt"[..], &b"p\xfe.txt"[..]];
    let files: Vec<_> = names
        .iter()
        .map(|n| dir.path().join(std::ffi::OsStr::from_bytes(n)))
        .collect();
    for f in &files {
        fs::copy(data("seed.txt"), f).unwrap();
    }
    let out = dir.path().join("o");
    chaff()
        .args(["clean", "--split-languages", "--out-dir"])
        .arg(&out)
        .args(&files)
        .assert()
        .success();
    let mut written: Vec<Vec<u8>> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().as_bytes().to_vec())
        .collect();
    written.sort();
    assert_eq!(
        written,
        vec![b"p\xfe.eng.txt".to_vec(), b"p\xff.eng.txt".to_vec()]
    );
}

#[test]
fn out_dir_never_overwrites_an_input() {
    let dir = TempDir::new().unwrap();
    let page = dir.path().join("p.txt");
    fs::copy(data("seed.txt"), &page).unwrap();
    chaff()
        .arg("clean")
        .arg(&page)
        .arg("--out-dir")
        .arg(dir.path())
        .fails_saying("would overwrite the input");
    assert_eq!(fs::read_to_string(&page).unwrap(), seed_text());
}

#[test]
fn jsonl_input_objects_come_back_byte_for_byte() {
    let page = serde_json::to_string(&seed_text()).unwrap();
    let record = format!(r#"{{"id":1,"id":2, "te\u0078t" :{page}, "x":"\u00e9"}}"#);
    let out = stdout_of(
        chaff()
            .args(["clean", "--jsonl"])
            .write_stdin(format!("{record}\n")),
    );
    assert!(out.starts_with(&record[..record.len() - 1]), "{out}");
    chaff()
        .args(["label", "--jsonl"])
        .write_stdin(format!("{{\"lines\":1,\"text\":{page}}}\n"))
        .fails_saying("record 1: the record has a field \"lines\"");
    let renamed = stdout_of(
        chaff()
            .args(["label", "--jsonl", "--lines-field", "labels"])
            .write_stdin(format!("{{\"lines\":1,\"text\":{page}}}\n")),
    );
    let row: serde_json::Value = serde_json::from_str(&renamed).unwrap();
    assert_eq!(row["lines"], 1);
    let seed_lines = chaff::input::page_lines(&seed_text()).len();
    assert_eq!(row["labels"].as_array().unwrap().len(), seed_lines);
}

#[test]
fn a_bom_before_the_first_jsonl_record_is_not_an_error() {
    let page = serde_json::to_string(&seed_text()).unwrap();
    let input = format!("\u{feff}{{\"id\":1,\"text\":{page}}}\n{{\"id\":2,\"text\":{page}}}\n");
    let out = stdout_of(chaff().args(["clean", "--jsonl"]).write_stdin(input));
    assert_eq!(out.lines().count(), 2);
    assert!(out.starts_with("{\"id\":1,"), "{out}");
}

#[test]
fn a_line_ending_in_cr_keeps_it_through_label_and_back() {
    let page = "Seoul expands its late-night bus routes to three lines\r\r\nA second line\n";
    let labeled = stdout_of(chaff().arg("label").write_stdin(page));
    let parsed = chaff::labeled::parse_page(&labeled, Path::new("p.tsv")).unwrap();
    assert_eq!(
        parsed.texts(),
        chaff::input::page_lines(page),
        "label output must read back as the lines it labeled"
    );
}

/// Runs chaff with standard output a pipe that is closed before it writes.
fn with_closed_pipe(args: &[&str]) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_chaff"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let seed = data("seed.txt").display().to_string();
    let tsv = data("seed.tsv").display().to_string();
    for args in [
        vec!["eval", "--pages", tsv.as_str()],
        vec!["label", seed.as_str()],
        vec!["clean", seed.as_str()],
    ] {
        let out = with_closed_pipe(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {:?} {stderr}", out.status);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn write_errors_fail_naming_standard_output() {
    for args in [
        vec!["eval".to_string(), data("seed.tsv").display().to_string()],
        vec!["clean".to_string(), data("seed.txt").display().to_string()],
        vec!["--help".to_string()],
    ] {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_chaff"))
            .args(&args)
            .stdout(full)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr.contains("No space left on device"),
            "{args:?}: {stderr}"
        );
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_closed_standard_output_is_an_error() {
    let bin = env!("CARGO_BIN_EXE_chaff");
    let seed = data("seed.txt");
    let closed = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#""$0" clean "$1" >&-"#)
        .arg(bin)
        .arg(&seed)
        .output()
        .unwrap();
    assert!(!closed.status.success());
    assert!(String::from_utf8_lossy(&closed.stderr).contains("standard output is closed"));
    // `> /dev/null` is a choice, not a closed output.
    let null = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#""$0" clean "$1" > /dev/null"#)
        .arg(bin)
        .arg(&seed)
        .status()
        .unwrap();
    assert!(null.success());
}

#[test]
fn out_of_range_options_are_refused() {
    let seed = data("seed.txt");
    chaff()
        .args(["clean", "--threads", "100000"])
        .arg(&seed)
        .fails_saying("not in 1..=256");
    chaff()
        .args(["train", "--focus-weight", "1000000000", "-o", "m.json"])
        .arg(data("seed.tsv"))
        .fails_saying("not in 1..=1000");
    chaff()
        .args(["clean", "--text-field", "body"])
        .arg(&seed)
        .fails_saying("--jsonl");
}

#[test]
fn pages_over_the_size_cap_are_named_not_read_whole() {
    let seed = data("seed.txt");
    chaff()
        .args(["clean", "--max-page-bytes", "100"])
        .arg(&seed)
        .fails_saying("larger than --max-page-bytes (100 bytes)");
    let page = serde_json::to_string(&seed_text()).unwrap();
    let input = format!(
        "{{\"id\":1,\"text\":{page}}}\n{{\"id\":2,\"text\":\"{}\"}}\n{{\"id\":3,\"text\":{page}}}\n",
        "x".repeat(20_000)
    );
    let out = chaff()
        .args([
            "clean",
            "--jsonl",
            "--on-error",
            "skip",
            "--max-page-bytes",
            "10000",
        ])
        .write_stdin(input)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "record 2: the record is 20018 bytes, larger than --max-page-bytes (10000)",
        ))
        .get_output()
        .stdout
        .clone();
    let ids: Vec<i64> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(ids, vec![1, 3]);
}

#[test]
fn messages_say_what_is_wrong_once() {
    let out = chaff()
        .args(["clean", "no/such/page.txt"])
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let message = String::from_utf8(out).unwrap();
    assert_eq!(message.matches("os error 2").count(), 1, "{message}");
    let dir = TempDir::new().unwrap();
    chaff()
        .arg("clean")
        .arg(dir.path())
        .fails_saying("is a folder; give the page files in it");
    chaff()
        .args(["label", "..", "--out-dir"])
        .arg(dir.path().join("o"))
        .fails_saying("..: has no file name");
    chaff()
        .args(["clean", "--jsonl"])
        .write_stdin("{\"text\":\"\\ud800\"}\n")
        .fails_saying("unpaired UTF-16 surrogate");
}

#[test]
fn text_that_is_not_utf8_names_the_likely_cause() {
    // "서울 버스" in EUC-KR, as Korean sites still serve it.
    chaff()
        .arg("clean")
        .write_stdin(&b"\xbc\xad\xbf\xef \xb9\xf6\xbd\xba\n"[..])
        .fails_saying("EUC-KR");
    // Gzip input is read decompressed (tests/compressed_input.rs); a gzip stream cut short
    // (here without its checksum trailer) says so.
    let gzip = &b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03+N\xcd\xcf)\x01\x00"[..];
    chaff()
        .arg("clean")
        .write_stdin(gzip)
        .fails_saying("-: gzip input: unexpected end of file");
    chaff()
        .args(["clean", "--jsonl"])
        .write_stdin(gzip)
        .fails_saying("-: gzip input: unexpected end of file");
}

#[cfg(unix)]
#[test]
fn corpus_links_back_up_the_tree_count_pages_once() {
    let dir = TempDir::new().unwrap();
    let site = dir.path().join("site");
    fs::create_dir(&site).unwrap();
    fs::copy(data("seed.tsv"), site.join("p.tsv")).unwrap();
    std::os::unix::fs::symlink(".", site.join("self")).unwrap();
    let out = stdout_of(chaff().arg("eval").arg(dir.path()));
    assert!(out.contains("exact pages     1/1"), "{out}");
}

#[test]
fn cross_validation_on_too_small_a_corpus_says_why() {
    let dir = TempDir::new().unwrap();
    for (layout, pages) in [("one", 1), ("two", 2)] {
        fs::create_dir(dir.path().join(layout)).unwrap();
        for i in 0..pages {
            fs::copy(
                data("seed.tsv"),
                dir.path().join(layout).join(format!("p{i}.tsv")),
            )
            .unwrap();
        }
    }
    chaff()
        .args(["eval", "--few-shot", "3"])
        .arg(dir.path())
        .fails_saying("no layout has the 4 pages it needs");
    chaff()
        .args(["eval", "--few-shot", "3", "--few-shot-layout", "two"])
        .arg(dir.path())
        .fails_saying("layout \"two\" has 2 pages");
    chaff()
        .args(["eval", "--cv", "layout"])
        .arg(dir.path().join("one"))
        .fails_saying("needs at least two layouts");
}
