//! WARC input as Common Crawl ships it: a gzip member per record, HTML and other records
//! mixed, pages in UTF-8 and EUC-KR, the last record cut short.

mod common;

use std::fs;

use tempfile::TempDir;

use common::{chaff, gzip, stdout_of};

/// One WARC record of `kind` for `uri`, with `block` as its content.
fn record(kind: &str, uri: &str, id: u32, block: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Date: 2026-12-01T00:00:{id:02}Z\r\n\
         WARC-Record-ID: <urn:uuid:0000-{id}>\r\nWARC-Target-URI: {uri}\r\n\
         Content-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    out.extend_from_slice(block);
    out.extend_from_slice(b"\r\n\r\n");
    out
}

fn http(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut out =
        format!("HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nServer: test\r\n\r\n")
            .into_bytes();
    out.extend_from_slice(body);
    out
}

const ENGLISH: &str = "<!doctype html><html><head><title>Night buses</title></head><body>\
    <nav><a href=/>Home</a> <a href=/news>News</a></nav>\
    <h1>Seoul expands late-night bus routes</h1>\
    <p>Seoul will expand its late-night autonomous bus service to three routes next year, the city government said Tuesday.</p>\
    <p>The buses will run between midnight and five in the morning on weekdays, officials said.</p>\
    <footer>Copyright © The Example Times. All rights reserved.</footer></body></html>";

const KOREAN: &str =
    "<!doctype html><html><head><meta charset=utf-8><title>버스</title></head><body>\
    <h1>서울시, 심야 자율주행 버스 노선 확대</h1>\
    <p>서울시가 내년부터 심야 자율주행 버스 노선을 기존 1곳에서 3곳으로 늘린다고 2일 밝혔다.</p>\
    <p>시는 이날 새 노선이 강남과 홍대, 여의도를 잇는다고 설명했다.</p>\
    <p>무단전재 및 재배포 금지</p></body></html>";

#[test]
fn every_record_of_a_common_crawl_shaped_warc_is_accounted_for() {
    let dir = TempDir::new().unwrap();
    // The Korean page in EUC-KR, its charset in the HTTP header only (its own <meta> says
    // utf-8, wrongly, as served pages sometimes do: the header wins).
    let (euc_kr, _, _) = encoding_rs::EUC_KR.encode(KOREAN);
    let records = [
        record("warcinfo", "", 1, b"software: test\r\n"),
        record(
            "request",
            "https://news.example/a",
            2,
            b"GET /a HTTP/1.1\r\n\r\n",
        ),
        record(
            "response",
            "https://news.example/a",
            3,
            &http("200 OK", "text/html; charset=utf-8", ENGLISH.as_bytes()),
        ),
        record(
            "response",
            "https://news.example.kr/b",
            4,
            &http("200 OK", "text/html; charset=euc-kr", &euc_kr),
        ),
        record(
            "response",
            "https://news.example/c.pdf",
            5,
            &http("200 OK", "application/pdf", b"%PDF-1.4"),
        ),
        record(
            "response",
            "https://news.example/gone",
            6,
            &http("404 Not Found", "text/html", b"<p>gone</p>"),
        ),
    ];
    let mut warc = Vec::new();
    for r in &records {
        warc.extend(gzip(r));
    }
    // The last record cut short, as a crawl interrupted mid-write leaves it.
    let last = record(
        "response",
        "https://news.example/cut",
        7,
        &http("200 OK", "text/html", ENGLISH.as_bytes()),
    );
    warc.extend(gzip(&last[..last.len() - 200]));
    let file = dir.path().join("crawl.warc.gz");
    fs::write(&file, &warc).unwrap();

    let assert = chaff()
        .args(["clean", "--warc"])
        .arg(&file)
        .assert()
        .success();
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    let pages: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(pages.len(), 2, "the two HTML pages of status 200: {out}");
    assert_eq!(pages[0]["url"], "https://news.example/a");
    assert_eq!(pages[0]["warc_record_id"], "<urn:uuid:0000-3>");
    assert_eq!(pages[0]["date"], "2026-12-01T00:00:03Z");
    assert_eq!(pages[0]["lang"], "eng");
    let clean = pages[0]["clean"].as_str().unwrap();
    assert!(clean.contains("three routes next year"), "{clean}");
    assert!(!clean.contains("All rights reserved"));
    assert_eq!(pages[1]["lang"], "kor");
    let korean = pages[1]["clean"].as_str().unwrap();
    assert!(
        korean.contains("심야 자율주행 버스 노선을"),
        "decoded from EUC-KR: {korean}"
    );
    assert!(!korean.contains("무단전재"));
    // Every record accounted for: 7 in all, 2 cleaned, 5 skipped with their reasons.
    assert!(err.contains("byte "), "{err}");
    assert!(
        err.contains("7 records: 2 HTML pages cleaned, 5 skipped"),
        "{err}"
    );
    for reason in [
        "1 warcinfo records",
        "1 request records",
        "1 not HTML",
        "1 with status 404",
        "1 truncated",
    ] {
        assert!(err.contains(reason), "{reason}: {err}");
    }

    // `label --warc` adds the lines; the same pages from an uncompressed WARC.
    let plain = dir.path().join("crawl.warc");
    fs::write(&plain, records.concat()).unwrap();
    let labeled = stdout_of(chaff().args(["label", "--warc"]).arg(&plain));
    let first: serde_json::Value = serde_json::from_str(labeled.lines().next().unwrap()).unwrap();
    assert_eq!(first["clean"], pages[0]["clean"]);
    assert!(first["lines"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["class"] == "body"));
}

#[test]
fn a_file_that_is_not_warc_is_an_error_naming_it_and_the_byte() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("pages.jsonl");
    fs::write(&file, "{\"text\": \"a page\"}\n").unwrap();
    chaff()
        .args(["clean", "--warc"])
        .arg(&file)
        .assert()
        .failure()
        .stderr(predicates::str::contains(
            "pages.jsonl: byte 0: not a WARC record",
        ));
}
