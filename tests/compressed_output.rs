//! Compressed outputs: `--out FILE.gz|.zst`, `--out-dir` keeping the input's compression, and
//! `--compress`; every compressed file decompresses to what standard output would have held.

mod common;

use std::fs;
use std::io::Read;
use std::path::Path;

use tempfile::TempDir;

use common::{chaff, data, gzip, stdout_of, zstd, FailsSaying};

/// The bytes of a gzip file, decompressed; a file without its trailer fails here.
fn gunzip_file(path: &Path) -> Vec<u8> {
    let bytes = fs::read(path).unwrap();
    assert!(
        bytes.starts_with(&[0x1f, 0x8b]),
        "{}: not gzip",
        path.display()
    );
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_end(&mut out)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    out
}

/// The bytes of a zstd file, decompressed; a frame without its end fails here.
fn unzstd_file(path: &Path) -> Vec<u8> {
    let bytes = fs::read(path).unwrap();
    assert!(
        bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]),
        "{}: not zstd",
        path.display()
    );
    zstd::stream::decode_all(&bytes[..]).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn out_writes_standard_output_s_bytes_compressed_as_the_file_s_name_says() {
    let dir = TempDir::new().unwrap();
    let page = data("seed.txt");
    let html = data("html").join("news.html");
    for command in [
        vec!["clean"],
        vec!["label"],
        vec!["label", "--json"],
        vec!["clean", "--format", "html"],
    ] {
        let input = if command.contains(&"html") {
            &html
        } else {
            &page
        };
        // One page (written as it is labeled) and two (labeled in a batch, then written).
        for inputs in [vec![input], vec![input, input]] {
            let plain = stdout_of(chaff().args(&command).args(&inputs));
            assert!(!plain.is_empty());
            let what = format!("{command:?} on {} page(s)", inputs.len());
            let gz = dir.path().join("out.gz");
            let zst = dir.path().join("out.zst");
            let txt = dir.path().join("out.txt");
            for out in [&gz, &zst, &txt] {
                let assert = chaff()
                    .args(&command)
                    .args(&inputs)
                    .arg("--out")
                    .arg(out)
                    .assert()
                    .success();
                assert!(assert.get_output().stdout.is_empty(), "{what}");
            }
            assert_eq!(gunzip_file(&gz), plain.as_bytes(), "{what}");
            assert_eq!(unzstd_file(&zst), plain.as_bytes(), "{what}");
            assert_eq!(fs::read(&txt).unwrap(), plain.as_bytes(), "{what}");
            // `--out -` is standard output.
            let dash = stdout_of(chaff().args(&command).args(&inputs).args(["--out", "-"]));
            assert_eq!(dash, plain, "{what}");
        }
    }
}

#[test]
fn out_takes_jsonl_streams_and_their_compressed_input() {
    let dir = TempDir::new().unwrap();
    let text = fs::read_to_string(data("seed.txt")).unwrap();
    let record = serde_json::json!({"url": "https://news.example/a", "text": text}).to_string();
    let stream = format!("{record}\n{record}\n");
    let input = dir.path().join("pages.jsonl.zst");
    fs::write(&input, zstd(stream.as_bytes())).unwrap();
    for command in ["clean", "label"] {
        let plain = stdout_of(chaff().args([command, "--jsonl"]).arg(&input));
        assert_eq!(plain.lines().count(), 2);
        let gz = dir.path().join("out.jsonl.gz");
        let zst = dir.path().join("out.jsonl.zst");
        for out in [&gz, &zst] {
            chaff()
                .args([command, "--jsonl"])
                .arg(&input)
                .arg("--out")
                .arg(out)
                .assert()
                .success();
        }
        assert_eq!(gunzip_file(&gz), plain.as_bytes(), "{command}");
        assert_eq!(unzstd_file(&zst), plain.as_bytes(), "{command}");
    }
}

#[test]
fn out_takes_the_jsonl_of_warc_pages() {
    let dir = TempDir::new().unwrap();
    let html = fs::read(data("html").join("news.html")).unwrap();
    let mut block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n".to_vec();
    block.extend_from_slice(&html);
    let mut record = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Date: 2026-12-01T00:00:01Z\r\n\
         WARC-Record-ID: <urn:uuid:0000-1>\r\nWARC-Target-URI: https://news.example/a\r\n\
         Content-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    record.extend_from_slice(&block);
    record.extend_from_slice(b"\r\n\r\n");
    let warc = dir.path().join("crawl.warc.gz");
    fs::write(&warc, [gzip(&record), gzip(&record)].concat()).unwrap();
    let plain = stdout_of(chaff().args(["clean", "--warc"]).arg(&warc));
    assert_eq!(plain.lines().count(), 2, "{plain}");
    let out = dir.path().join("out.jsonl.gz");
    let assert = chaff()
        .args(["clean", "--warc"])
        .arg(&warc)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    assert!(assert.get_output().stdout.is_empty());
    // The records are still accounted for on standard error.
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(err.contains("2 HTML pages cleaned"), "{err}");
    assert_eq!(gunzip_file(&out), plain.as_bytes());
}

#[test]
fn an_out_file_that_cannot_be_written_is_an_error_naming_it() {
    chaff()
        .arg("clean")
        .arg(data("seed.txt"))
        .args(["--out", "/nonexistent/dir/x.gz"])
        .fails_saying("/nonexistent/dir/x.gz");
    chaff()
        .args(["clean", "--jsonl", "--out", "/nonexistent/dir/x.zst"])
        .write_stdin("{\"text\": \"a page\"}\n")
        .fails_saying("/nonexistent/dir/x.zst");
    // A full disk, found when the compressed stream is written or finished.
    if Path::new("/dev/full").exists() {
        chaff()
            .arg("clean")
            .arg(data("seed.txt"))
            .args(["--out", "/dev/full"])
            .fails_saying("/dev/full");
    }
    // With --out-dir, --out has nowhere to go; --compress is for --out-dir's files.
    chaff()
        .arg("clean")
        .arg(data("seed.txt"))
        .args(["--out", "x.gz", "--out-dir", "out"])
        .fails_saying("--out-dir");
    chaff()
        .arg("clean")
        .arg(data("seed.txt"))
        .args(["--compress", "gz"])
        .fails_saying("--out-dir");
}

#[test]
fn an_out_file_that_is_an_input_is_refused_before_it_is_emptied() {
    let dir = TempDir::new().unwrap();
    let page = dir.path().join("page.txt");
    fs::copy(data("seed.txt"), &page).unwrap();
    let before = fs::read(&page).unwrap();
    chaff()
        .arg("clean")
        .arg(&page)
        .arg("--out")
        .arg(&page)
        .fails_saying("would overwrite the input");
    assert_eq!(fs::read(&page).unwrap(), before);
}

#[test]
fn out_dir_outputs_keep_their_input_s_compression() {
    let dir = TempDir::new().unwrap();
    let text = fs::read(data("seed.txt")).unwrap();
    let html = fs::read(data("html").join("news.html")).unwrap();
    fs::write(dir.path().join("a.html.gz"), gzip(&html)).unwrap();
    fs::write(dir.path().join("b.txt.zst"), zstd(&text)).unwrap();
    fs::write(dir.path().join("c.txt"), &text).unwrap();
    let inputs = ["a.html.gz", "b.txt.zst", "c.txt"].map(|n| dir.path().join(n));
    let clean_html = stdout_of(chaff().arg("clean").arg(data("html").join("news.html")));
    let clean_text = stdout_of(chaff().arg("clean").arg(data("seed.txt")));
    // Several pages (labeled in a batch) and one alone (written as it is labeled).
    for (out, inputs) in [("several", &inputs[..]), ("one", &inputs[..1])] {
        let out = dir.path().join(out);
        chaff()
            .arg("clean")
            .args(["--no-site-memory", "--out-dir"])
            .arg(&out)
            .args(inputs)
            .assert()
            .success();
        assert_eq!(gunzip_file(&out.join("a.txt.gz")), clean_html.as_bytes());
        assert!(!out.join("a.txt").exists());
        if inputs.len() > 1 {
            assert_eq!(unzstd_file(&out.join("b.txt.zst")), clean_text.as_bytes());
            assert_eq!(fs::read(out.join("c.txt")).unwrap(), clean_text.as_bytes());
        }
    }

    // `label` puts the HTML page beside its labels, compressed as they are.
    let labeled = dir.path().join("labeled");
    chaff()
        .args(["label", "--out-dir"])
        .arg(&labeled)
        .arg(&inputs[0])
        .assert()
        .success();
    let expected = stdout_of(chaff().arg("label").arg(data("html").join("news.html")));
    assert_eq!(gunzip_file(&labeled.join("a.tsv.gz")), expected.as_bytes());
    assert_eq!(gunzip_file(&labeled.join("a.html.gz")), html);

    // The outputs in the inputs' own folder: the compressed page is where its copy would go,
    // so no copy is written; its labels do not overwrite it.
    chaff()
        .args(["label", "--out-dir"])
        .arg(dir.path())
        .arg(&inputs[0])
        .assert()
        .success();
    assert_eq!(fs::read(&inputs[0]).unwrap(), gzip(&html));
    assert_eq!(
        gunzip_file(&dir.path().join("a.tsv.gz")),
        expected.as_bytes()
    );
    // `clean` would write b.txt.zst over its input.
    chaff()
        .arg("clean")
        .arg("--out-dir")
        .arg(dir.path())
        .arg(&inputs[1])
        .fails_saying("would overwrite the input");
}

#[test]
fn compress_decides_every_out_dir_output_s_compression() {
    let dir = TempDir::new().unwrap();
    let text = fs::read(data("seed.txt")).unwrap();
    fs::write(dir.path().join("a.txt.gz"), gzip(&text)).unwrap();
    fs::write(dir.path().join("b.txt"), &text).unwrap();
    let inputs = ["a.txt.gz", "b.txt"].map(|n| dir.path().join(n));
    let expected = stdout_of(chaff().arg("label").arg(data("seed.txt")));
    let run = |compress: &str| {
        let out = dir.path().join(compress);
        chaff()
            .args([
                "label",
                "--no-site-memory",
                "--compress",
                compress,
                "--out-dir",
            ])
            .arg(&out)
            .args(&inputs)
            .assert()
            .success();
        out
    };
    let zst = run("zst");
    for name in ["a.tsv.zst", "b.tsv.zst"] {
        assert_eq!(unzstd_file(&zst.join(name)), expected.as_bytes(), "{name}");
    }
    let gz = run("gz");
    for name in ["a.tsv.gz", "b.tsv.gz"] {
        assert_eq!(gunzip_file(&gz.join(name)), expected.as_bytes(), "{name}");
    }
    // `none`: plain files, named after what the input holds, as a corpus to correct needs them.
    let none = run("none");
    for name in ["a.tsv", "b.tsv"] {
        assert_eq!(
            fs::read_to_string(none.join(name)).unwrap(),
            expected,
            "{name}"
        );
    }
    // Two inputs that one compression names alike still collide.
    fs::write(dir.path().join("b.txt.gz"), gzip(&text)).unwrap();
    chaff()
        .args(["clean", "--compress", "none", "--out-dir"])
        .arg(dir.path().join("collide"))
        .arg(dir.path().join("b.txt"))
        .arg(dir.path().join("b.txt.gz"))
        .fails_saying("would both be written to");
    // Kept as they are, they do not.
    chaff()
        .args(["clean", "--out-dir"])
        .arg(dir.path().join("apart"))
        .arg(dir.path().join("b.txt"))
        .arg(dir.path().join("b.txt.gz"))
        .assert()
        .success();
}

#[test]
fn split_languages_files_keep_the_input_s_compression() {
    let dir = TempDir::new().unwrap();
    let page = dir.path().join("bilingual.txt.zst");
    fs::write(&page, zstd(&fs::read(data("bilingual.txt")).unwrap())).unwrap();
    let plain = dir.path().join("plain");
    chaff()
        .args(["clean", "--split-languages", "--out-dir"])
        .arg(&plain)
        .arg(data("bilingual.txt"))
        .assert()
        .success();
    let out = dir.path().join("out");
    chaff()
        .args(["clean", "--split-languages", "--out-dir"])
        .arg(&out)
        .arg(&page)
        .assert()
        .success();
    for lang in ["eng", "kor"] {
        assert_eq!(
            unzstd_file(&out.join(format!("bilingual.{lang}.txt.zst"))),
            fs::read(plain.join(format!("bilingual.{lang}.txt"))).unwrap(),
            "{lang}"
        );
    }
}
