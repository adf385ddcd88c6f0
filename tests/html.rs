//! HTML input (issue 11): pages read as HTML, their blocks as lines; character sets; format
//! detection. The pages under `tests/data/html/` are written for these tests.

use std::fs;

use tempfile::TempDir;

mod common;
use common::{chaff, data, stdout_of, FailsSaying};

use chaff::html::Encoding;

/// The TEXT column of `label` output.
fn texts(label_output: &str) -> Vec<String> {
    label_output
        .lines()
        .map(|l| {
            let fields: Vec<&str> = l.splitn(3, '\t').collect();
            assert_eq!(fields.len(), 3, "{l}");
            fields[2].to_string()
        })
        .collect()
}

const NEWS_LINES: [&str; 15] = [
    "Home",
    "Politics",
    "Economy",
    "Seoul to expand late-night autonomous bus routes",
    "By Kim Min-ji",
    "Published 2024-11-05",
    "Seoul will expand its late-night autonomous bus service to three routes next year, the city government said Tuesday, citing strong demand from commuters.",
    "The buses run between midnight and 5\u{a0}a.m. & carry up to 40 passengers \u{2014} free of charge.",
    "The city first ran a single autonomous night bus route in Hapjeong and Dongdaemun last December, and ridership has grown every month since, officials said.",
    "Each bus carries a safety driver who can take over the wheel at any time, and the routes will be extended to the southern districts by the end of next year.",
    "\"We will keep safety first,\" an official said.",
    "Related articles",
    "Subway map gets first revamp in four decades",
    "City adds 200 electric buses",
    "Copyright \u{a9} The Example Times. All rights reserved.",
];

#[test]
fn a_news_page_becomes_its_block_lines() {
    for format in ["html", "auto"] {
        let out = stdout_of(
            chaff()
                .args(["label", "--format", format])
                .arg(data("html/news.html")),
        );
        assert_eq!(texts(&out), NEWS_LINES, "--format {format}");
    }
    // With no --format at all, and from standard input.
    let page = fs::read(data("html/news.html")).unwrap();
    let out = stdout_of(chaff().arg("label").write_stdin(page));
    assert_eq!(texts(&out), NEWS_LINES);
}

#[test]
fn clean_keeps_extracted_lines_in_order() {
    let out = stdout_of(chaff().arg("clean").arg(data("html/news.html")));
    let kept: Vec<&str> = out.lines().collect();
    assert!(
        kept.contains(&NEWS_LINES[6]),
        "the article's first paragraph is body: {kept:?}"
    );
    // Every kept line is one of the page's lines, in the page's order.
    let mut at = 0;
    for line in &kept {
        let found = NEWS_LINES[at..].iter().position(|l| l == line);
        assert!(
            found.is_some(),
            "{line:?} is not a page line, or out of order"
        );
        at += found.unwrap() + 1;
    }
}

#[test]
fn label_json_tells_the_structure() {
    let out = stdout_of(
        chaff()
            .args(["label", "--json"])
            .arg(data("html/news.html")),
    );
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), NEWS_LINES.len());
    assert_eq!(lines[0]["text"], "Home");
    assert_eq!(
        lines[0]["structure"]["tag_path"],
        "html>body>header>nav>ul>li>a"
    );
    assert_eq!(lines[0]["structure"]["link_share"], 1.0);
    assert_eq!(
        lines[6]["structure"]["tag_path"],
        "html>body>main>article>p"
    );
    assert_eq!(lines[6]["structure"]["link_share"], 0.0);
    // Text pages have no structure.
    let out = stdout_of(chaff().args(["label", "--json"]).arg(data("seed.txt")));
    assert!(!out.contains("\"structure\""));
}

#[test]
fn broken_markup_reads_as_a_browser_reads_it() {
    let out = stdout_of(chaff().arg("label").arg(data("html/broken.html")));
    assert_eq!(
        texts(&out),
        [
            "Broken markup",
            "still reads",
            "First paragraph",
            "Second paragraph, unclosed",
            "One",
            "Two",
            "Text with a link",
            "after it",
            "Cell one",
            "Cell two",
            "The end",
        ]
    );
}

const KOREAN_HEADLINE: &str = "서울시, 내년 심야 자율주행버스 세 개 노선으로 확대";
const KOREAN_PARAGRAPH: &str =
    "서울시는 시민들의 수요가 많아 내년부터 심야 자율주행버스를 세 개 노선으로 늘린다고 밝혔다.";

/// A Korean page in EUC-KR (CP949), as Korean sites still serve them, with `head` in its
/// `<head>`.
fn euc_kr_page(head: &str) -> Vec<u8> {
    let html = format!(
        "<!DOCTYPE html><html><head>{head}<title>뉴스</title></head><body>\
         <h1>{KOREAN_HEADLINE}</h1><p>{KOREAN_PARAGRAPH}</p><p>{KOREAN_PARAGRAPH}</p></body></html>"
    );
    let euc_kr = Encoding::for_label(b"euc-kr").unwrap();
    let (bytes, _, unmappable) = euc_kr.encode(&html);
    assert!(!unmappable);
    bytes.into_owned()
}

#[test]
fn euc_kr_pages_come_out_as_hangul() {
    let expected = [KOREAN_HEADLINE, KOREAN_PARAGRAPH, KOREAN_PARAGRAPH];
    for head in [
        "<meta charset=\"euc-kr\">",
        "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ks_c_5601-1987\">",
        // Nothing declared: the sniffer finds it.
        "",
    ] {
        let out = stdout_of(chaff().arg("label").write_stdin(euc_kr_page(head)));
        assert_eq!(texts(&out), expected, "head {head:?}");
        assert!(out.lines().all(|l| l.split('\t').nth(1) == Some("kor")));
    }
    // A wrong declaration is overridden with --encoding.
    let wrong = euc_kr_page("<meta charset=\"windows-1252\">");
    let out = stdout_of(
        chaff()
            .args(["label", "--encoding", "cp949"])
            .write_stdin(wrong),
    );
    assert_eq!(texts(&out), expected);
}

#[test]
fn text_in_a_legacy_encoding_needs_encoding() {
    let euc_kr = Encoding::for_label(b"euc-kr").unwrap();
    let text = format!("{KOREAN_HEADLINE}\n{KOREAN_PARAGRAPH}\n");
    let bytes = euc_kr.encode(&text).0.into_owned();
    chaff()
        .arg("clean")
        .write_stdin(bytes.clone())
        .fails_saying("--encoding cp949");
    let out = stdout_of(
        chaff()
            .args(["label", "--encoding", "euc-kr"])
            .write_stdin(bytes),
    );
    assert_eq!(texts(&out), [KOREAN_HEADLINE, KOREAN_PARAGRAPH]);
    chaff()
        .args(["label", "--encoding", "klingon"])
        .write_stdin("text\n")
        .fails_saying("unknown encoding \"klingon\"");
}

#[test]
fn format_detection() {
    // A BOM, white space and a comment before the doctype: HTML.
    let page = "\u{feff}\n  <!-- saved from a crawler -->\n<!DOCTYPE html><p>One</p><p>Two</p>";
    let out = stdout_of(chaff().arg("label").write_stdin(page));
    assert_eq!(texts(&out), ["One", "Two"]);
    // Text that starts with a tag, but not a page's: text, markup and all.
    let text = "<b>Seoul</b> buses run all night\nSecond line\n";
    let out = stdout_of(chaff().arg("label").write_stdin(text));
    assert_eq!(
        texts(&out),
        ["<b>Seoul</b> buses run all night", "Second line"]
    );
    // --format html reads it as HTML all the same.
    let out = stdout_of(
        chaff()
            .args(["label", "--format", "html"])
            .write_stdin(text),
    );
    assert_eq!(texts(&out), ["Seoul buses run all night Second line"]);
}

#[test]
fn format_text_labels_the_markup_lines() {
    let raw = fs::read_to_string(data("html/news.html")).unwrap();
    let out = stdout_of(
        chaff()
            .args(["label", "--format", "text"])
            .arg(data("html/news.html")),
    );
    let raw_lines: Vec<&str> = raw.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(texts(&out), raw_lines);
}

#[test]
fn jsonl_records_with_an_html_field() {
    let page = fs::read_to_string(data("html/news.html")).unwrap();
    let record = serde_json::json!({"url": "https://example.com/a", "html": page});
    let out = stdout_of(
        chaff()
            .args(["label", "--jsonl", "--html-field", "html"])
            .write_stdin(format!("{record}\n")),
    );
    let v: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
    let lines: Vec<&str> = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    assert_eq!(lines, NEWS_LINES);
    chaff()
        .args(["clean", "--html-field", "html"])
        .write_stdin("x")
        .fails_saying("--jsonl");
    // JSONL is UTF-8 JSON: --encoding and --format do not apply, and say so.
    for flag in [["--encoding", "euc-kr"], ["--format", "html"]] {
        chaff()
            .args(["clean", "--jsonl"])
            .args(flag)
            .write_stdin("{}")
            .fails_saying("cannot be used with");
    }
}

#[test]
fn clean_out_dir_names_html_pages_txt() {
    let dir = TempDir::new().unwrap();
    chaff()
        .args(["clean", "--out-dir"])
        .arg(dir.path())
        .arg(data("html/news.html"))
        .assert()
        .success();
    let kept = fs::read_to_string(dir.path().join("news.txt")).unwrap();
    assert!(kept.contains(NEWS_LINES[6]));
    assert!(!kept.contains('<'));
    chaff()
        .args(["label", "--out-dir"])
        .arg(dir.path())
        .arg(data("html/news.html"))
        .assert()
        .success();
    let labeled = fs::read_to_string(dir.path().join("news.tsv")).unwrap();
    assert_eq!(texts(&labeled), NEWS_LINES);
    // Labeled where the page already is: the page stays as it was, its labels beside it.
    let page = dir.path().join("page.html");
    fs::copy(data("html/news.html"), &page).unwrap();
    chaff()
        .args(["label", "--out-dir"])
        .arg(dir.path())
        .arg(&page)
        .assert()
        .success();
    assert!(dir.path().join("page.tsv").is_file());
    assert_eq!(
        fs::read(&page).unwrap(),
        fs::read(data("html/news.html")).unwrap()
    );
}

#[test]
fn bad_html_gives_a_result_not_a_crash() {
    // 10,000 nested divs: no stack overflow.
    let deep = format!(
        "<html><body>{}deep{}",
        "<div>".repeat(10_000),
        "</div>".repeat(10_000)
    );
    let out = stdout_of(chaff().arg("label").write_stdin(deep));
    assert_eq!(texts(&out), ["deep"]);
    // A page cut off in the middle of a tag, and one cut off in a comment.
    let page = fs::read_to_string(data("html/news.html")).unwrap();
    let cut = &page[..page.find("<li><a href=\"/a2\"").unwrap() + 8];
    let out = stdout_of(chaff().arg("label").write_stdin(cut));
    assert_eq!(texts(&out), NEWS_LINES[..13]);
    let out = stdout_of(
        chaff()
            .arg("label")
            .write_stdin("<html><body><p>Kept<!-- cut"),
    );
    assert_eq!(texts(&out), ["Kept"]);
    // Binary junk read as HTML: some lines of replacement characters, or none; never a panic.
    let junk: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    chaff()
        .args(["label", "--format", "html"])
        .write_stdin(junk)
        .assert()
        .success();
}

#[test]
fn eval_scores_labeled_pages_on_their_html() {
    let dir = TempDir::new().unwrap();
    chaff()
        .args(["label", "--out-dir"])
        .arg(dir.path())
        .arg(data("html/news.html"))
        .assert()
        .success();
    // `label --out-dir` leaves the page beside its labels, ready to correct and score.
    assert_eq!(
        fs::read(dir.path().join("news.html")).unwrap(),
        fs::read(data("html/news.html")).unwrap()
    );
    // Its own labels, re-extracted and aligned: every line agrees.
    let out = stdout_of(chaff().args(["eval", "--format", "html"]).arg(dir.path()));
    assert!(
        out.contains("pages 1  lines 15  extra body lines 0  dropped 0"),
        "{out}"
    );
    assert!(out.contains("exact-clean pages 1.000"), "{out}");
    // Gold lines split differently (two lines joined) still align.
    let tsv = dir.path().join("news.tsv");
    let labeled = fs::read_to_string(&tsv).unwrap();
    let joined = labeled.replacen("\nchrome\teng\tPolitics", " Politics", 1);
    assert_ne!(joined, labeled);
    fs::write(&tsv, joined).unwrap();
    let out = stdout_of(chaff().args(["eval", "--format", "html"]).arg(dir.path()));
    assert!(
        out.contains("lines 14  extra body lines 0  dropped 0"),
        "{out}"
    );
    chaff()
        .args(["eval", "--format", "html"])
        .arg(data("seed.tsv"))
        .fails_saying("with their HTML page");
}

#[test]
fn labeled_html_pages_train_the_html_stages() {
    let dir = TempDir::new().unwrap();
    let corpus = dir.path().join("corpus");
    for site in ["site-a", "site-b"] {
        chaff()
            .args(["label", "--format", "html", "--out-dir"])
            .arg(corpus.join(site))
            .arg(data("html/news.html"))
            .assert()
            .success();
    }
    let model = dir.path().join("m.json");
    // What `chaff train CORPUS [ARGS] -o MODEL` says on standard error; it must succeed.
    let train = |args: &[&std::path::Path]| -> String {
        let out = chaff()
            .arg("train")
            .arg(&corpus)
            .args(args)
            .arg("-o")
            .arg(&model)
            .output()
            .unwrap();
        let note = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "{note}");
        note
    };
    let note = train(&[]);
    assert!(
        note.contains("HTML stages: trained on 2 labeled HTML pages"),
        "{note}"
    );
    let json: serde_json::Value = serde_json::from_slice(&fs::read(&model).unwrap()).unwrap();
    assert!(
        json["html"]["line_scorers"].is_array(),
        "the model has HTML stages"
    );
    // The model labels the HTML page with them, one label per line.
    let out = stdout_of(
        chaff()
            .args(["label", "--format", "html", "--model"])
            .arg(&model)
            .arg(data("html/news.html")),
    );
    assert_eq!(texts(&out), NEWS_LINES);

    // A page whose labeled lines are not chaff's (joined here) teaches the text stages only.
    let tsv = corpus.join("site-b/news.tsv");
    let labeled = fs::read_to_string(&tsv).unwrap();
    fs::write(
        &tsv,
        labeled.replacen("\nchrome\teng\tPolitics", " Politics", 1),
    )
    .unwrap();
    let note = train(&[]);
    assert!(
        note.contains(
            "trained on 1 labeled HTML pages; 1 pages with an .html beside them hold other lines"
        ),
        "{note}"
    );
    fs::write(&tsv, labeled).unwrap();

    // --html-only pages teach only the HTML stages; they need their HTML.
    let note = train(&["--html-only".as_ref(), &corpus.join("site-a")]);
    assert!(note.contains("trained on 1 pages"), "{note}");
    assert!(
        note.contains("HTML stages: trained on 2 labeled HTML pages"),
        "{note}"
    );
    chaff()
        .arg("train")
        .arg(&corpus)
        .arg("--html-only")
        .arg(data("seed.tsv"))
        .arg("-o")
        .arg(&model)
        .fails_saying("--html-only pages need their HTML page beside them");

    // Cross-validation in HTML mode holds out each layout and labels its HTML.
    let out = stdout_of(
        chaff()
            .args([
                "eval",
                "--format",
                "html",
                "--cv",
                "layout",
                "--threads",
                "1",
            ])
            .arg(&corpus),
    );
    assert!(out.contains("site-a") && out.contains("site-b"), "{out}");
}
