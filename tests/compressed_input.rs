//! Compressed pages and streams, as crawls store them: gzip and zstd, by their first bytes.

mod common;

use std::fs;
use std::path::Path;

use tempfile::TempDir;

use common::{chaff, data, gzip, stdout_of, zstd, FailsSaying};

#[test]
fn gzip_and_zstd_pages_read_as_what_they_hold() {
    let dir = TempDir::new().unwrap();
    let page = fs::read(data("seed.txt")).unwrap();
    let plain = stdout_of(chaff().arg("clean").arg(data("seed.txt")));
    assert!(!plain.is_empty());
    for (name, bytes) in [
        ("seed.txt.gz", gzip(&page)),
        ("seed.txt.zst", zstd(&page)),
        // Whatever the name says: the first bytes decide.
        ("seed.txt", gzip(&page)),
    ] {
        let file = dir.path().join(name);
        fs::write(&file, &bytes).unwrap();
        assert_eq!(stdout_of(chaff().arg("clean").arg(&file)), plain, "{name}");
    }
    // Standard input, and a gzip file of two members (as concatenated .gz files are).
    let mut two = gzip(&page[..page.len() / 2]);
    two.extend(gzip(&page[page.len() / 2..]));
    assert_eq!(
        stdout_of(chaff().arg("clean").write_stdin(two)),
        plain,
        "two gzip members on standard input"
    );
}

#[test]
fn compressed_jsonl_streams_give_the_plain_stream_s_output() {
    let dir = TempDir::new().unwrap();
    let text = fs::read_to_string(data("seed.txt")).unwrap();
    let record = serde_json::json!({"id": 1, "text": text}).to_string();
    let stream = format!("{record}\n{record}\n");
    let plain = dir.path().join("pages.jsonl");
    fs::write(&plain, &stream).unwrap();
    let expected = stdout_of(chaff().args(["clean", "--jsonl"]).arg(&plain));
    assert_eq!(expected.lines().count(), 2);
    let gz = dir.path().join("pages.jsonl.gz");
    fs::write(&gz, gzip(stream.as_bytes())).unwrap();
    let zst = dir.path().join("pages.jsonl.zst");
    fs::write(&zst, zstd(stream.as_bytes())).unwrap();
    for file in [&gz, &zst] {
        assert_eq!(
            stdout_of(chaff().args(["clean", "--jsonl"]).arg(file)),
            expected
        );
    }
    assert_eq!(
        stdout_of(
            chaff()
                .args(["clean", "--jsonl"])
                .write_stdin(gzip(stream.as_bytes()))
        ),
        expected
    );
}

#[test]
fn a_truncated_or_corrupt_compressed_input_is_an_error_naming_it() {
    let dir = TempDir::new().unwrap();
    let page = fs::read(data("seed.txt")).unwrap();
    let gz = gzip(&page);
    let truncated = dir.path().join("cut.txt.gz");
    fs::write(&truncated, &gz[..gz.len() / 2]).unwrap();
    chaff()
        .arg("clean")
        .arg(&truncated)
        .fails_saying("cut.txt.gz: gzip input");
    let zst = zstd(&page);
    let corrupt = dir.path().join("bad.jsonl.zst");
    let mut bytes = zst.clone();
    let middle = bytes.len() / 2;
    bytes[middle..].iter_mut().for_each(|b| *b ^= 0x5a);
    fs::write(&corrupt, &bytes).unwrap();
    chaff()
        .args(["clean", "--jsonl"])
        .arg(&corrupt)
        .fails_saying("bad.jsonl.zst: zstd input");
    // The page size cap counts what the input holds, not its compressed bytes.
    let small = dir.path().join("big.txt.gz");
    fs::write(&small, gzip(&vec![b'a'; 1 << 20])).unwrap();
    assert!(fs::metadata(&small).unwrap().len() < 1 << 16);
    chaff()
        .args(["clean", "--max-page-bytes", "100000"])
        .arg(&small)
        .fails_saying("larger than --max-page-bytes");
}

#[test]
fn out_dir_names_a_compressed_page_s_outputs_after_what_it_holds() {
    let dir = TempDir::new().unwrap();
    let html = &data("html").join("news.html");
    let stem = html.file_stem().unwrap().to_str().unwrap();
    let bytes = fs::read(html).unwrap();
    let gz = dir.path().join(format!("{stem}.html.gz"));
    fs::write(&gz, gzip(&bytes)).unwrap();
    let out = dir.path().join("out");
    // Plain outputs (`--compress none`; by default they keep the input's compression, see
    // tests/compressed_output.rs), as a labeled HTML page to correct needs them.
    chaff()
        .args(["label", "--compress", "none", "--out-dir"])
        .arg(&out)
        .arg(&gz)
        .assert()
        .success();
    let expected = stdout_of(chaff().arg("label").arg(html));
    let tsv = out.join(format!("{stem}.tsv"));
    assert_eq!(fs::read_to_string(&tsv).unwrap(), expected);
    // The page beside its labels is the HTML itself, as a labeled HTML page needs it.
    assert_eq!(fs::read(out.join(format!("{stem}.html"))).unwrap(), bytes);
    assert!(!Path::new(&out.join(format!("{stem}.html.gz"))).exists());
}
