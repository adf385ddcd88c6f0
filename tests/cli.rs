//! Integration tests: run the `chaff` binary the way users do.

use std::fs;
use std::path::Path;

use predicates::prelude::*;
use tempfile::TempDir;

mod common;
use common::{chaff, data, stdout_of, FailsSaying};

fn seed_gold() -> Vec<(String, String)> {
    fs::read_to_string(data("seed.tsv"))
        .unwrap()
        .lines()
        .map(|l| {
            let mut f = l.splitn(3, '\t');
            let class = f.next().unwrap().to_string();
            let _lang = f.next();
            (class, f.next().unwrap().to_string())
        })
        .collect()
}

#[test]
fn clean_keeps_exactly_the_seed_body_lines() {
    let gold: Vec<String> = seed_gold()
        .into_iter()
        .filter(|(c, _)| c == "body")
        .map(|(_, t)| t)
        .collect();
    assert!(!gold.is_empty());
    let out = stdout_of(chaff().arg("clean").arg(data("seed.txt")));
    let kept: Vec<&str> = out.lines().collect();
    assert_eq!(kept, gold);
}

#[test]
fn label_accounts_for_every_line_in_order() {
    let input = fs::read_to_string(data("seed.txt")).unwrap();
    let out = stdout_of(chaff().arg("label").arg(data("seed.txt")));
    let lines: Vec<&str> = out.lines().collect();
    let inputs: Vec<&str> = input.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), inputs.len());
    for (o, i) in lines.iter().zip(&inputs) {
        let fields: Vec<&str> = o.splitn(3, '\t').collect();
        assert_eq!(fields.len(), 3, "{o}");
        assert!(
            ["body", "chrome", "copyright", "byline", "related"].contains(&fields[0]),
            "{o}"
        );
        assert_eq!(fields[2], *i);
    }
    // The seed's copyright line and byline get their classes.
    assert!(out.contains("copyright\tkor\tCopyright © 코리아중앙데일리."));
    assert!(out.contains("byline\teng\tBY MICHAEL LEE"));
}

#[test]
fn label_output_is_training_input() {
    let dir = TempDir::new().unwrap();
    chaff()
        .args(["label", "--out-dir"])
        .arg(dir.path())
        .arg(data("seed.txt"))
        .assert()
        .success();
    // `label --out-dir` names its pages .tsv, so the folder is a corpus as it stands.
    let labeled = dir.path().join("seed.tsv");
    assert!(labeled.is_file());
    chaff()
        .arg("eval")
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("accuracy        1.000"));
}

#[test]
fn label_json_has_probabilities_and_segments() {
    let out = stdout_of(chaff().args(["label", "--json"]).arg(data("seed.txt")));
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let gold = seed_gold();
    assert_eq!(rows.len(), gold.len());
    let at = gold.iter().position(|(c, _)| c == "copyright").unwrap();
    let copyright = &rows[at];
    assert_eq!(copyright["class"], "copyright");
    let probs = copyright["probs"].as_object().unwrap();
    let total: f64 = probs.values().map(|v| v.as_f64().unwrap()).sum();
    assert!((total - 1.0).abs() < 0.01, "{total}");
    let segs = copyright["segments"].as_array().unwrap();
    assert_eq!(segs[0]["lang"], "eng");
    assert_eq!(segs[1]["lang"], "kor");
}

#[test]
fn every_dev_page_gets_one_label_per_line() {
    let dev = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/realpages/dev");
    if !dev.is_dir() {
        // The real pages sit beside the repository, not in it; a run without them must say so
        // rather than pass unseen.
        assert!(
            std::env::var_os("CHAFF_WITHOUT_DEV_PAGES").is_some(),
            "{} is missing: put the shared pages beside the repository, or set \
             CHAFF_WITHOUT_DEV_PAGES=1 to run the other tests without them",
            dev.display()
        );
        return;
    }
    let mut pages = 0;
    for entry in fs::read_dir(&dev).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "tsv") {
            continue;
        }
        let text: String = fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|l| l.splitn(3, '\t').nth(2).unwrap().to_string() + "\n")
            .collect();
        let out = stdout_of(chaff().arg("label").write_stdin(text.clone()));
        let texts: Vec<&str> = out
            .lines()
            .map(|l| l.splitn(3, '\t').nth(2).unwrap())
            .collect();
        let inputs: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(texts, inputs, "{}", path.display());
        pages += 1;
    }
    let labeled_pages = fs::read_dir(&dev)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|e| e == "tsv")
        })
        .count();
    assert!(pages > 0 && pages == labeled_pages);
}

#[test]
fn several_files_keep_their_order_and_out_dir_writes_one_file_each() {
    let dir = TempDir::new().unwrap();
    let a = dir.path().join("a.txt");
    let b = dir.path().join("b.txt");
    fs::copy(data("seed.txt"), &a).unwrap();
    fs::copy(data("seed.txt"), &b).unwrap();
    let single = stdout_of(chaff().arg("clean").arg(&a));
    let both = stdout_of(chaff().arg("clean").arg(&a).arg(&b));
    assert_eq!(both, format!("{single}{single}"));
    let out = dir.path().join("out");
    chaff()
        .args(["clean", "--out-dir"])
        .arg(&out)
        .arg(&a)
        .arg(&b)
        .assert()
        .success()
        .stdout("");
    assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), single);
    assert_eq!(fs::read_to_string(out.join("b.txt")).unwrap(), single);
}

#[test]
fn reads_standard_input() {
    let input = fs::read_to_string(data("seed.txt")).unwrap();
    let from_file = stdout_of(chaff().arg("clean").arg(data("seed.txt")));
    let from_stdin = stdout_of(chaff().arg("clean").write_stdin(input.clone()));
    let from_dash = stdout_of(chaff().args(["clean", "-"]).write_stdin(input));
    assert_eq!(from_file, from_stdin);
    assert_eq!(from_file, from_dash);
}

#[test]
fn clean_by_language() {
    let eng = stdout_of(
        chaff()
            .args(["clean", "--lang", "eng"])
            .arg(data("seed.txt")),
    );
    let gold_english_body = fs::read_to_string(data("seed.tsv"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("body\teng\t"))
        .count();
    assert_eq!(eng.lines().count(), gold_english_body);
    let kor = stdout_of(
        chaff()
            .args(["clean", "--lang", "kor"])
            .arg(data("seed.txt")),
    );
    assert_eq!(kor, "");
    chaff()
        .args(["clean", "--lang", "English"])
        .arg(data("seed.txt"))
        .fails_saying("ISO 639-3");
}

#[test]
fn invalid_utf8_names_file_and_byte() {
    let dir = TempDir::new().unwrap();
    let bad = dir.path().join("bad.txt");
    fs::write(&bad, b"Headline\nA line with \xC3\x28 a broken byte\n").unwrap();
    for cmd in ["label", "clean"] {
        chaff()
            .arg(cmd)
            .arg(&bad)
            .fails_saying("bad.txt: invalid UTF-8 at byte 21 (line 2)");
    }
}

#[test]
fn missing_file_is_named() {
    chaff()
        .args(["clean", "no/such/page.txt"])
        .fails_saying("no/such/page.txt");
}

#[test]
fn empty_input_gives_empty_output() {
    chaff()
        .arg("label")
        .write_stdin("")
        .assert()
        .success()
        .stdout("");
    chaff()
        .arg("clean")
        .write_stdin("\n\n  \n")
        .assert()
        .success()
        .stdout("");
}

#[test]
fn crlf_and_bom_do_not_leak_into_text() {
    let input = fs::read_to_string(data("seed.txt")).unwrap();
    let crlf = format!("\u{feff}{}", input.replace('\n', "\r\n"));
    let plain = stdout_of(chaff().arg("label").write_stdin(input));
    let windows = stdout_of(chaff().arg("label").write_stdin(crlf));
    assert_eq!(plain, windows);
    assert!(!windows.contains('\r') && !windows.contains('\u{feff}'));
}

#[test]
fn malformed_labeled_files_name_file_and_line() {
    let dir = TempDir::new().unwrap();
    let page = dir.path().join("p.tsv");
    fs::write(&page, "body\teng\tFine line\nchrome eng no tabs here\n").unwrap();
    for cmd in ["eval", "train"] {
        let mut c = chaff();
        c.arg(cmd).arg(&page);
        if cmd == "train" {
            c.arg("-o").arg(dir.path().join("m.json"));
        }
        c.fails_saying("p.tsv:2: expected CLASS<TAB>LANG<TAB>TEXT");
    }
    fs::write(&page, "body\teng\tFine line\nadvert\teng\tBuy now\n").unwrap();
    chaff()
        .arg("eval")
        .arg(&page)
        .fails_saying("p.tsv:2: unknown class \"advert\"");
}

#[test]
fn corrupt_and_mismatched_models_are_refused() {
    let dir = TempDir::new().unwrap();
    let model = dir.path().join("model.json");
    fs::write(
        &model,
        "{\"format\": \"chaff-model\", \"format_version\": 1",
    )
    .unwrap();
    chaff()
        .args(["clean", "--model"])
        .arg(&model)
        .arg(data("seed.txt"))
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("model.json")
                .and(predicate::str::contains("not a chaff model file")),
        );
    let good =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default.json"))
            .unwrap();
    let v: serde_json::Value = serde_json::from_str(&good).unwrap();
    let mut old = v.clone();
    old["feature_version"] = serde_json::json!(0);
    fs::write(&model, old.to_string()).unwrap();
    chaff()
        .args(["label", "--model"])
        .arg(&model)
        .arg(data("seed.txt"))
        .fails_saying("feature layout version 0");
}

#[test]
fn training_is_reproducible_and_its_model_is_usable() {
    let dir = TempDir::new().unwrap();
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("training/handmade");
    let pages = chaff::labeled::read_corpus(&[&corpus]).unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    for out in [&a, &b] {
        chaff()
            .arg("train")
            .arg(&corpus)
            .args(["--seed", "3", "--max-iterations", "30", "-o"])
            .arg(out)
            .assert()
            .success()
            .stderr(predicate::str::contains(format!(
                "trained on {} pages",
                pages.len()
            )));
    }
    assert_eq!(fs::read(&a).unwrap(), fs::read(&b).unwrap());
    let out = stdout_of(
        chaff()
            .args(["eval", "--json", "--model"])
            .arg(&a)
            .arg(data("seed.tsv")),
    );
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["lines"], seed_gold().len());
    assert!(report["accuracy"].as_f64().unwrap() > 0.5);
}

#[test]
fn eval_prints_the_figures() {
    let out = stdout_of(chaff().arg("eval").arg(data("seed.tsv")));
    for needle in [
        "precision",
        "macro-F1",
        "body keep",
        "exact pages",
        "language acc.",
        "confusion",
    ] {
        assert!(out.contains(needle), "{needle} missing in\n{out}");
    }
    // The built-in model cleans the seed page exactly: one of one page.
    let exact = out.lines().find(|l| l.starts_with("exact pages")).unwrap();
    assert_eq!(exact.split_whitespace().nth(2), Some("1/1"), "{exact}");
}

fn seed_jsonl(records: &[(&str, bool)]) -> String {
    let text = fs::read_to_string(data("seed.txt")).unwrap();
    records
        .iter()
        .map(|(id, ok)| {
            if *ok {
                serde_json::json!({ "id": id, "source": { "site": "daum" }, "body": text })
                    .to_string()
            } else {
                format!("{{\"id\": \"{id}\", broken")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn jsonl_streams_pages_in_order_with_fields_passed_through() {
    let input = seed_jsonl(&[("a", true), ("b", true), ("c", true)]);
    let out = stdout_of(
        chaff()
            .args(["clean", "--jsonl", "--text-field", "body", "--threads", "2"])
            .write_stdin(input.clone()),
    );
    let plain = stdout_of(chaff().arg("clean").arg(data("seed.txt")));
    let rows: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3);
    for (row, id) in rows.iter().zip(["a", "b", "c"]) {
        assert_eq!(row["id"], id);
        assert_eq!(row["source"]["site"], "daum");
        assert_eq!(format!("{}\n", row["clean"].as_str().unwrap()), plain);
    }
    // Input fields come back byte for byte and in order, the result after them.
    let first_in = input.lines().next().unwrap();
    let first_out = out.lines().next().unwrap();
    assert!(first_out.starts_with(&first_in[..first_in.len() - 1]));
}

#[test]
fn jsonl_label_adds_per_line_labels() {
    let out = stdout_of(
        chaff()
            .args(["label", "--jsonl", "--text-field", "body"])
            .write_stdin(seed_jsonl(&[("a", true)])),
    );
    let row: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let lines = row["lines"].as_array().unwrap();
    let gold = seed_gold();
    assert_eq!(lines.len(), gold.len());
    let at = gold.iter().position(|(c, _)| c == "copyright").unwrap();
    assert_eq!(lines[at]["class"], "copyright");
    assert_eq!(lines[at]["lang"], "kor");
    // One shape for a labeled line: the same object `label --json` prints for that line.
    let json = stdout_of(chaff().args(["label", "--json"]).arg(data("seed.txt")));
    let same: serde_json::Value = serde_json::from_str(json.lines().nth(at).unwrap()).unwrap();
    assert_eq!(lines[at], same);
}

#[test]
fn jsonl_malformed_records_stop_or_are_skipped_and_counted() {
    let input = seed_jsonl(&[("a", true), ("b", false), ("c", true)]);
    chaff()
        .args(["clean", "--jsonl", "--text-field", "body"])
        .write_stdin(input.clone())
        .fails_saying("-: record 2: not a JSON object");
    let assert = chaff()
        .args([
            "clean",
            "--jsonl",
            "--text-field",
            "body",
            "--on-error",
            "skip",
        ])
        .write_stdin(input)
        .assert()
        .success()
        .stderr(predicate::str::contains("skipped 1 malformed record"));
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let ids: Vec<String> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
        .collect();
    assert_eq!(ids, vec!["\"a\"", "\"c\""]);
    chaff()
        .args(["clean", "--jsonl"])
        .write_stdin("{\"id\": 1}\n")
        .fails_saying("record 1: no \"text\" field");
}

#[test]
fn one_thread_and_many_give_the_same_output() {
    let dir = TempDir::new().unwrap();
    let mut files = Vec::new();
    for i in 0..5 {
        let f = dir.path().join(format!("p{i}.txt"));
        fs::copy(data("seed.txt"), &f).unwrap();
        files.push(f);
    }
    let one = stdout_of(chaff().args(["label", "--threads", "1"]).args(&files));
    let two = stdout_of(chaff().args(["label", "--threads", "2"]).args(&files));
    assert_eq!(one, two);
    assert_eq!(one.lines().count(), 150);
}

#[test]
fn split_languages_writes_one_file_per_language() {
    let dir = TempDir::new().unwrap();
    chaff()
        .args(["clean", "--split-languages", "--out-dir"])
        .arg(dir.path())
        .arg(data("bilingual.txt"))
        .assert()
        .success();
    let input = fs::read_to_string(data("bilingual.txt")).unwrap();
    let eng = fs::read_to_string(dir.path().join("bilingual.eng.txt")).unwrap();
    let kor = fs::read_to_string(dir.path().join("bilingual.kor.txt")).unwrap();
    // Alternating paragraphs: the English ones in one file, the Korean ones in the other,
    // each line as given and in page order.
    assert!(eng.lines().count() >= 4, "{eng}");
    assert!(kor.lines().count() >= 4, "{kor}");
    for (text, hangul) in [(&eng, false), (&kor, true)] {
        let mut last = 0;
        for line in text.lines() {
            let at = input.find(line).expect("line comes from the input");
            assert!(at >= last, "order kept");
            last = at;
            assert_eq!(
                line.chars().any(|c| ('가'..='힣').contains(&c)),
                hangul,
                "{line}"
            );
        }
    }
    chaff()
        .args(["clean", "--split-languages"])
        .arg(data("bilingual.txt"))
        .fails_saying("--out-dir");
}

/// `chaff train` on the first hand-labeled folder with the seed page as `--focus`, plus `args`.
fn train_with_seed_focus(model: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("training/handmade");
    chaff()
        .arg("train")
        .arg(&corpus)
        .arg("--focus")
        .arg(data("seed.tsv"))
        .args(args)
        .arg("-o")
        .arg(model)
        .assert()
}

#[test]
fn a_focus_without_labeled_pages_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let focus = dir.path().join("new-site");
    std::fs::create_dir(&focus).unwrap();
    // Pages as text, not yet labeled: nothing to focus on.
    std::fs::write(focus.join("page.txt"), "Home\nA paragraph.\n").unwrap();
    let model = dir.path().join("model.json");
    chaff()
        .arg("train")
        .arg(data("seed.tsv"))
        .arg("--focus")
        .arg(&focus)
        .arg("-o")
        .arg(&model)
        .assert()
        .failure()
        .stderr(predicates::str::contains("--focus"))
        .stderr(predicates::str::contains("new-site"))
        .stderr(predicates::str::contains("no labeled pages"));
    assert!(!model.exists(), "no model is written");
}

#[test]
fn focus_pages_are_weighed_more() {
    let dir = TempDir::new().unwrap();
    let model = dir.path().join("m.json");
    train_with_seed_focus(&model, &["--focus-weight", "3", "--max-iterations", "30"])
        .success()
        // 24 corpus pages and the focus page three times.
        .stderr(predicate::str::contains("trained on 27 pages"));
}

#[test]
fn warm_start_retrains_from_an_existing_model() {
    let dir = TempDir::new().unwrap();
    let model = dir.path().join("warm.json");
    train_with_seed_focus(&model, &["--warm-start", "builtin"]).success();
    // Started from the built-in model and weighed towards the seed page, the retrained model
    // still cleans the seed page exactly.
    let expected: Vec<String> = seed_gold()
        .into_iter()
        .filter(|(c, _)| c == "body")
        .map(|(_, t)| t)
        .collect();
    let out = stdout_of(
        chaff()
            .arg("clean")
            .arg("--model")
            .arg(&model)
            .arg(data("seed.txt")),
    );
    assert_eq!(out.lines().collect::<Vec<_>>(), expected);
    let missing = dir.path().join("missing.json");
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("training/handmade");
    chaff()
        .arg("train")
        .arg(&corpus)
        .arg("--warm-start")
        .arg(&missing)
        .arg("-o")
        .arg(&model)
        .fails_saying("missing.json");
}

#[test]
fn few_shot_names_an_unknown_layout() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("training/handmade");
    chaff()
        .arg("eval")
        .arg(&corpus)
        .args(["--few-shot", "1", "--few-shot-layout", "no-such-site"])
        .fails_saying("no-such-site");
}

#[test]
fn jsonl_other_fields_come_out_byte_for_byte() {
    let text = serde_json::to_string(&fs::read_to_string(data("seed.txt")).unwrap()).unwrap();
    // Numbers as written, escapes left escaped, nested objects, repeated keys, fields after
    // the text: none of it is parsed into values and written again.
    let small = format!(
        r#"{{"b":1e5,"text":{text},"a":"\u00e9","n":{{"x":[1.0,-0,2E+3,{{"y":null}}]}} ,"id":1,"id":2}}"#
    );
    // A record of more than 8 MB is labeled alone and written as it is labeled.
    let pad = "x".repeat(9 << 20);
    let large = format!(r#"{{"pad":"{pad}","text":{text},"a":"\u00e9"}}"#);
    let input = format!("{small}\n{large}\n");
    let plain = stdout_of(chaff().arg("clean").arg(data("seed.txt")));
    let clean = serde_json::to_string(plain.strip_suffix('\n').unwrap()).unwrap();
    let out = stdout_of(
        chaff()
            .args(["clean", "--jsonl"])
            .write_stdin(input.clone()),
    );
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0],
        format!("{},\"clean\":{clean}}}", small.strip_suffix('}').unwrap())
    );
    assert_eq!(
        rows[1],
        format!("{},\"clean\":{clean}}}", large.strip_suffix('}').unwrap())
    );
    let labeled = stdout_of(chaff().args(["label", "--jsonl"]).write_stdin(input));
    let rows: Vec<&str> = labeled.lines().collect();
    assert_eq!(rows.len(), 2);
    let lines = stdout_of(chaff().args(["label", "--json"]).arg(data("seed.txt")));
    let lines = lines.lines().collect::<Vec<_>>().join(",");
    for (row, record) in rows.iter().zip([&small, &large]) {
        assert_eq!(
            *row,
            format!(
                "{},\"clean\":{clean},\"lines\":[{lines}]}}",
                record.strip_suffix('}').unwrap()
            )
        );
    }
}

#[test]
fn a_page_over_a_window_is_labeled_in_order_with_one_label_per_line() {
    let seed = fs::read_to_string(data("seed.txt")).unwrap();
    let seed_lines: Vec<&str> = seed.lines().filter(|l| !l.trim().is_empty()).collect();
    // Over 20,000 lines (the labeler's window), each one numbered so that order shows.
    let inputs: Vec<String> = (0..20_000 / seed_lines.len() + 2)
        .flat_map(|copy| seed_lines.iter().map(move |l| format!("{l} #{copy}")))
        .collect();
    assert!(inputs.len() > 20_000);
    let dir = TempDir::new().unwrap();
    let page = dir.path().join("long.txt");
    fs::write(&page, inputs.join("\n") + "\n").unwrap();
    let out = stdout_of(chaff().arg("label").arg(&page));
    let labeled: Vec<&str> = out.lines().collect();
    assert_eq!(labeled.len(), inputs.len());
    let mut kept = Vec::new();
    for (o, i) in labeled.iter().zip(&inputs) {
        let fields: Vec<&str> = o.splitn(3, '\t').collect();
        assert_eq!(fields.len(), 3, "{o}");
        assert_eq!(fields[2], i);
        if fields[0] == "body" {
            kept.push(fields[2]);
        }
    }
    let clean = stdout_of(chaff().arg("clean").arg(&page));
    assert_eq!(clean.lines().collect::<Vec<_>>(), kept);
    // The page alone is written window by window; given twice, its copies are labeled side by
    // side and written whole: the same labels.
    let twice = stdout_of(chaff().arg("label").arg(&page).arg(&page));
    assert_eq!(twice, format!("{out}{out}"));
    let json = stdout_of(chaff().args(["label", "--json"]).arg(&page));
    assert_eq!(json.lines().count(), inputs.len());
}

/// Two labeled pages in `dir` made from the seed page: `a.tsv` as it is but with a no-break
/// space (U+00A0) in its byline, `b.tsv` the same lines with a BOM, CRLF endings and a blank
/// line, so that every text is in both pages. Returns the pages and the byline's text.
fn review_pages(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, String) {
    let seed = fs::read_to_string(data("seed.tsv")).unwrap();
    let seed = seed.replace("BY MICHAEL LEE", "BY MICHAEL\u{a0}LEE");
    assert!(seed.contains('\u{a0}'));
    let a = dir.join("a.tsv");
    let b = dir.join("b.tsv");
    fs::write(&a, &seed).unwrap();
    let crlf = seed.replacen('\n', "\n\n", 1).replace('\n', "\r\n");
    fs::write(&b, format!("\u{feff}{crlf}")).unwrap();
    let byline = seed
        .lines()
        .find(|l| l.contains('\u{a0}'))
        .unwrap()
        .splitn(3, '\t')
        .nth(2)
        .unwrap()
        .to_string();
    (a, b, byline)
}

/// `review --list`: rank, confidence, current class, model's class, count, text.
fn review_list(pages: &[&Path]) -> Vec<Vec<String>> {
    let out = stdout_of(chaff().args(["review", "--list"]).args(pages));
    out.lines()
        .map(|l| l.splitn(6, '\t').map(str::to_string).collect())
        .collect()
}

/// `bytes` with the CLASS field of every labeled line whose text is `text` set to `class`.
fn with_class(bytes: &[u8], text: &str, class: &str) -> Vec<u8> {
    let s = std::str::from_utf8(bytes).unwrap();
    let mut out = String::new();
    for piece in s.split_inclusive('\n') {
        let content = piece.trim_end_matches(['\r', '\n']);
        let fields: Vec<&str> = content.splitn(3, '\t').collect();
        if fields.len() == 3 && fields[2] == text {
            let rest = &piece[piece.find('\t').unwrap()..];
            let bom = if fields[0].starts_with('\u{feff}') {
                "\u{feff}"
            } else {
                ""
            };
            out.push_str(&format!("{bom}{class}{rest}"));
        } else {
            out.push_str(piece);
        }
    }
    out.into_bytes()
}

#[test]
fn review_list_orders_groups_least_confident_first() {
    let dir = TempDir::new().unwrap();
    let (a, b, _) = review_pages(dir.path());
    let rows = review_list(&[&a, &b]);
    assert_eq!(rows.len(), seed_gold().len(), "one group per distinct text");
    let confidences: Vec<f64> = rows.iter().map(|r| r[1].parse().unwrap()).collect();
    assert!(
        confidences.windows(2).all(|w| w[0] <= w[1]),
        "{confidences:?}"
    );
    assert!(confidences.iter().all(|c| (0.2..=1.0).contains(c)));
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row[0], (i + 1).to_string());
        assert_eq!(row[4], "2", "each text is in both pages: {row:?}");
        assert!(["body", "chrome", "copyright", "byline", "related"].contains(&row[2].as_str()));
    }
    let limited = stdout_of(chaff().args(["review", "--list", "--limit", "3"]).arg(&a));
    assert_eq!(limited.lines().count(), 3);
}

#[test]
fn review_answers_change_every_line_of_a_group_and_keep_the_rest_byte_for_byte() {
    let dir = TempDir::new().unwrap();
    let (a, b, byline) = review_pages(dir.path());
    let (a0, b0) = (fs::read(&a).unwrap(), fs::read(&b).unwrap());
    let rows = review_list(&[&a, &b]);
    // Keep every group up to the byline's, which becomes `related`; a wrong answer first is
    // asked again; then quit.
    let mut answers = String::new();
    for row in &rows {
        if row[5] == byline {
            answers.push_str("c\nxyz\nr\nq\n");
            break;
        }
        answers.push('\n');
    }
    let assert = chaff()
        .arg("review")
        .arg(&a)
        .arg(&b)
        .write_stdin(answers)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "1 corrections, 2 lines changed, 2 pages written",
        ));
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert!(out.contains("could be chrome or copyright"), "{out}");
    assert!(out.contains("\"xyz\" is no class"), "{out}");
    assert!(
        out.contains(&format!("byline ×2 (a.tsv:19, b.tsv:20)  {byline}")),
        "{out}"
    );
    assert_eq!(fs::read(&a).unwrap(), with_class(&a0, &byline, "related"));
    assert_eq!(fs::read(&b).unwrap(), with_class(&b0, &byline, "related"));
    assert_ne!(fs::read(&a).unwrap(), a0);
    // Only the pages remain in the folder: the temporary files were renamed over them.
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn review_saves_at_end_of_input_and_a_keep_changes_nothing() {
    let dir = TempDir::new().unwrap();
    let (a, b, _) = review_pages(dir.path());
    let (a0, b0) = (fs::read(&a).unwrap(), fs::read(&b).unwrap());
    let rows = review_list(&[&a, &b]);
    // Enter and the current class itself both keep: nothing is written.
    chaff()
        .arg("review")
        .arg(&a)
        .arg(&b)
        .write_stdin(format!("\n{}\n", rows[1][2]))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "3 of 30 groups shown, 0 corrections, 0 lines changed, 0 pages written",
        ));
    assert_eq!(fs::read(&a).unwrap(), a0);
    assert_eq!(fs::read(&b).unwrap(), b0);
    // Input ends right after an answer: it is saved as with `q`.
    let other = if rows[0][2] == "chrome" {
        "body"
    } else {
        "chrome"
    };
    chaff()
        .arg("review")
        .arg(&a)
        .arg(&b)
        .write_stdin(format!("{other}\n"))
        .assert()
        .success()
        .stderr(predicate::str::contains("2 lines changed, 2 pages written"));
    assert_eq!(fs::read(&a).unwrap(), with_class(&a0, &rows[0][5], other));
    assert_eq!(fs::read(&b).unwrap(), with_class(&b0, &rows[0][5], other));
}

#[test]
fn review_errors_name_the_file_and_line() {
    let dir = TempDir::new().unwrap();
    let good = dir.path().join("good.tsv");
    fs::write(&good, "body\teng\tFine line\n").unwrap();
    let bad = dir.path().join("bad.tsv");
    fs::write(&bad, "body\teng\tFine line\n\nchrome eng no tabs\n").unwrap();
    chaff()
        .arg("review")
        .arg(&good)
        .arg(&bad)
        .write_stdin("chrome\n")
        .fails_saying("bad.tsv:3: expected CLASS<TAB>LANG<TAB>TEXT");
    assert_eq!(fs::read_to_string(&good).unwrap(), "body\teng\tFine line\n");
    fs::write(&bad, "body\teng\tFine line\nadvert\teng\tBuy now\n").unwrap();
    chaff()
        .args(["review", "--list"])
        .arg(&bad)
        .fails_saying("bad.tsv:2: unknown class \"advert\"");
    chaff()
        .arg("review")
        .arg(data("seed.txt"))
        .fails_saying("seed.txt: not a labeled page");
    chaff()
        .arg("review")
        .arg(dir.path().join("missing.tsv"))
        .fails_saying("missing.tsv");
}

#[test]
fn review_labels_a_labeled_html_page_from_its_html() {
    let dir = TempDir::new().unwrap();
    chaff()
        .args(["label", "--out-dir"])
        .arg(dir.path())
        .arg(data("html/news.html"))
        .assert()
        .success();
    let tsv = dir.path().join("news.tsv");
    let out = chaff()
        .args(["review", "--list"])
        .arg(&tsv)
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
    let listed = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    // Read from its HTML, the model labels the lines as `label` did: the current classes are
    // the model's.
    for row in listed.lines() {
        let fields: Vec<&str> = row.splitn(6, '\t').collect();
        assert_eq!(fields[2], fields[3], "{row}");
    }
    // Lines that are not the HTML's: labeled as text, with a note.
    let page = fs::read_to_string(&tsv).unwrap();
    fs::write(&tsv, page.replacen('\n', "\nbody\teng\tAn extra line\n", 1)).unwrap();
    chaff()
        .args(["review", "--list"])
        .arg(&tsv)
        .assert()
        .success()
        .stderr(predicate::str::contains("labeled as a text page"));
}

#[test]
fn diff_prints_exactly_the_lines_two_models_label_differently() {
    let dir = TempDir::new().unwrap();
    let model = dir.path().join("tiny.json");
    chaff()
        .arg("train")
        .arg(data("seed.tsv"))
        .args(["--max-iterations", "5", "-o"])
        .arg(&model)
        .assert()
        .success();
    let pages = [data("seed.txt"), data("bilingual.txt")];
    let label = |m: &Path, page: &Path| -> Vec<(String, String)> {
        stdout_of(chaff().arg("label").arg("--model").arg(m).arg(page))
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.splitn(3, '\t').collect();
                (f[0].to_string(), f[2].to_string())
            })
            .collect()
    };
    // `builtin` is the compiled-in model: the same labels as `label` without --model.
    let builtin_labels = |page: &Path| -> Vec<(String, String)> {
        stdout_of(chaff().arg("label").arg(page))
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.splitn(3, '\t').collect();
                (f[0].to_string(), f[2].to_string())
            })
            .collect()
    };
    let mut expected = String::new();
    for page in &pages {
        let (a, b) = (builtin_labels(page), label(&model, page));
        assert_eq!(a.len(), b.len());
        for (i, ((ca, text), (cb, _))) in a.iter().zip(&b).enumerate() {
            if ca != cb {
                expected.push_str(&format!(
                    "{}:{}\t{ca}\t{cb}\t{text}\n",
                    page.display(),
                    i + 1
                ));
            }
        }
    }
    assert!(
        !expected.is_empty(),
        "the tiny model labels some lines otherwise"
    );
    let assert = chaff()
        .args(["diff", "--model", "builtin", "--model"])
        .arg(&model)
        .args(&pages)
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "labeled differently (A builtin, B {})",
            model.display()
        )));
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert_eq!(out, expected);
    let changed = expected.lines().count();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        stderr.contains(&format!(", {changed} labeled differently")),
        "{stderr}"
    );
    // A labeled page gives its TEXT column: the same lines as the text page.
    let tsv = stdout_of(
        chaff()
            .args(["diff", "--model", "builtin", "--model"])
            .arg(&model)
            .arg(data("seed.tsv")),
    );
    let txt: String = expected
        .lines()
        .filter(|l| l.starts_with(&data("seed.txt").display().to_string()))
        .map(|l| l.replacen("seed.txt:", "seed.tsv:", 1) + "\n")
        .collect();
    assert_eq!(tsv, txt);
    let json = stdout_of(
        chaff()
            .args(["diff", "--json", "--model", "builtin", "--model"])
            .arg(&model)
            .args(&pages),
    );
    assert_eq!(json.lines().count(), changed);
    let first: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    assert!(first["line"].as_u64().is_some() && first["a"].is_string());
    // The same model twice: nothing differs.
    let same = stdout_of(
        chaff()
            .args(["diff", "--model", "builtin", "--model", "builtin"])
            .args(&pages),
    );
    assert!(same.is_empty());
    chaff()
        .args(["diff", "--model", "builtin"])
        .args(&pages)
        .fails_saying("give --model twice");
}

/// A folder `name` in `dir` holding one labeled page of `lines` (`CLASS<TAB>LANG<TAB>TEXT`).
fn one_page_corpus(dir: &Path, name: &str, lines: &str) -> std::path::PathBuf {
    let folder = dir.join(name);
    fs::create_dir_all(&folder).unwrap();
    fs::write(folder.join("page.tsv"), lines).unwrap();
    folder
}

#[test]
fn base_builtin_trains_on_the_built_in_corpus_and_one_user_page() {
    let dir = TempDir::new().unwrap();
    let model = dir.path().join("m.json");
    chaff()
        .arg("train")
        .arg(data("seed.tsv"))
        .args(["--base", "builtin", "--warm-start", "builtin"])
        .args(["--max-iterations", "1", "-o"])
        .arg(&model)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "base: the built-in corpus, 1052 pages",
        ))
        .stderr(predicate::str::contains("the 1 given page is the focus"))
        .stderr(predicate::str::contains("warning").not());
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(chaff().args(["info", "--json"]).arg(&model))).unwrap();
    let p = &json["provenance"];
    assert_eq!(p["corpus"]["base"], "builtin");
    assert_eq!(p["corpus"]["pages"], 1053);
    assert_eq!(p["focus"]["pages"], serde_json::json!(["seed.tsv"]));
    assert_eq!(p["focus"]["weight"], 10);
    assert_eq!(p["warm_start"]["source"], "builtin");
    // The model labels pages.
    chaff()
        .args(["label", "--model"])
        .arg(&model)
        .arg(data("seed.txt"))
        .assert()
        .success();
}

#[test]
fn a_corpus_lacking_a_class_or_with_few_pages_is_warned_about() {
    let dir = TempDir::new().unwrap();
    let corpus = one_page_corpus(
        dir.path(),
        "site",
        "chrome\teng\tHome\nbody\teng\tThe city said on Tuesday that night buses will run.\n\
         chrome\teng\tShare\n",
    );
    let model = dir.path().join("m.json");
    chaff()
        .arg("train")
        .arg(&corpus)
        .args(["--max-iterations", "5", "-o"])
        .arg(&model)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: the corpus has no copyright lines",
        ))
        .stderr(predicate::str::contains("no byline lines"))
        .stderr(predicate::str::contains("no related lines"))
        .stderr(predicate::str::contains("no body lines").not())
        .stderr(predicate::str::contains("warning: only 1 page:"))
        .stderr(predicate::str::contains("--base builtin"));
    // Few corpus pages against the focus.
    chaff()
        .arg("train")
        .arg(&corpus)
        .arg("--focus")
        .arg(data("seed.tsv"))
        .args(["--max-iterations", "5", "-o"])
        .arg(&model)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: only 1 corpus page besides 1 focus page",
        ))
        .stderr(predicate::str::contains("--base builtin"));
}

#[test]
fn a_corpus_folder_without_labeled_pages_is_an_error_naming_it() {
    let dir = TempDir::new().unwrap();
    let empty = dir.path().join("unlabeled-site");
    fs::create_dir(&empty).unwrap();
    fs::write(empty.join("page.txt"), "Home\nA paragraph.\n").unwrap();
    let model = dir.path().join("m.json");
    chaff()
        .arg("train")
        .arg(data("seed.tsv"))
        .arg(&empty)
        .arg("-o")
        .arg(&model)
        .assert()
        .failure()
        .stderr(predicate::str::contains("unlabeled-site"))
        .stderr(predicate::str::contains("no labeled pages (*.tsv)"));
    assert!(!model.exists(), "no model is written");
}

#[test]
fn info_shows_the_provenance_of_a_trained_model_and_training_twice_gives_the_same_bytes() {
    let dir = TempDir::new().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    for out in [&a, &b] {
        train_with_seed_focus(out, &["--max-iterations", "5", "--seed", "4"]).success();
    }
    assert_eq!(fs::read(&a).unwrap(), fs::read(&b).unwrap());
    let text = stdout_of(chaff().arg("info").arg(&a));
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(chaff().args(["info", "--json"]).arg(&a))).unwrap();
    let p = &json["provenance"];
    assert_eq!(p["chaff_version"], env!("CARGO_PKG_VERSION"));
    let digest = p["corpus"]["digest"].as_str().unwrap();
    assert!(
        digest.starts_with("fnv1a64:") && digest.len() == 24,
        "{digest}"
    );
    assert_eq!(p["corpus"]["pages"], 25);
    assert_eq!(p["corpus"]["base"], serde_json::Value::Null);
    assert_eq!(p["hyper_parameters"]["seed"], 4);
    assert_eq!(p["hyper_parameters"]["max_iterations"], 5);
    assert_eq!(json["format_version"], chaff::FORMAT_VERSION);
    for needle in [
        &format!("trained by chaff {}", env!("CARGO_PKG_VERSION")),
        digest,
        "seed.tsv",
        "each counting 10 times",
        "warm start       none",
    ] {
        assert!(text.contains(needle), "{needle:?} not in\n{text}");
    }
    // Another focus page changes the digest.
    let other = one_page_corpus(
        dir.path(),
        "other",
        "body\teng\tThe city said on Tuesday that night buses will run.\n",
    );
    let other = other.to_str().unwrap();
    train_with_seed_focus(&b, &["--max-iterations", "5", "--focus", other]).success();
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(chaff().args(["info", "--json"]).arg(&b))).unwrap();
    assert_ne!(json["provenance"]["corpus"]["digest"], digest);
    assert_eq!(
        json["provenance"]["focus"]["pages"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn info_describes_the_built_in_model() {
    let out = stdout_of(chaff().arg("info"));
    assert!(out.contains("model            builtin"), "{out}");
    assert!(out.contains("base builtin"), "{out}");
    assert!(
        out.contains(&format!("model format {}", chaff::FORMAT_VERSION)),
        "{out}"
    );
    assert!(out.contains("HTML stages      2 line scorers"), "{out}");
}

#[test]
fn a_model_of_the_format_before_provenance_is_refused_with_a_message() {
    let dir = TempDir::new().unwrap();
    let good =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("models/default.json"))
            .unwrap();
    let mut old: serde_json::Value = serde_json::from_str(&good).unwrap();
    old["format_version"] = serde_json::json!(3);
    old.as_object_mut().unwrap().remove("provenance");
    let model = dir.path().join("old.json");
    fs::write(&model, old.to_string()).unwrap();
    chaff().arg("info").arg(&model).fails_saying(&format!(
        "model format version 3 but this chaff reads version {}; retrain",
        chaff::FORMAT_VERSION
    ));
    // A current model without its provenance is corrupt.
    old["format_version"] = serde_json::json!(chaff::FORMAT_VERSION);
    fs::write(&model, old.to_string()).unwrap();
    chaff()
        .arg("info")
        .arg(&model)
        .fails_saying("missing field `provenance`");
}

#[test]
fn where_the_corpus_sits_changes_no_byte_and_no_absolute_path_is_recorded() {
    let dir = TempDir::new().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let relative = dir.path().join("relative.json");
    let absolute = dir.path().join("absolute.json");
    for (corpus, out) in [
        (Path::new("training/handmade").to_path_buf(), &relative),
        (root.join("training/handmade"), &absolute),
    ] {
        chaff()
            .current_dir(root)
            .arg("train")
            .arg(&corpus)
            .arg("--focus")
            .arg(data("seed.tsv"))
            .args(["--max-iterations", "3", "-o"])
            .arg(out)
            .assert()
            .success();
    }
    let bytes = fs::read(&relative).unwrap();
    assert_eq!(bytes, fs::read(&absolute).unwrap());
    let text = String::from_utf8(bytes).unwrap();
    assert!(!text.contains(root.to_str().unwrap()), "an absolute path");
    assert!(text.contains("\"focus\":{\"pages\":[\"seed.tsv\"],\"weight\":10}"));
}

/// Copies the labeled lines (not the HTML) of the first `n` pages of a training layout into
/// `dir/<layout>/`; returns the copies' paths, sorted.
fn copy_layout_pages(dir: &Path, layout: &str, n: usize) -> Vec<std::path::PathBuf> {
    let files = common::layout_pages(layout);
    let to = dir.join(layout);
    fs::create_dir_all(&to).unwrap();
    files
        .iter()
        .take(n)
        .map(|f| {
            let copy = to.join(f.file_name().unwrap());
            fs::copy(f, &copy).unwrap();
            copy
        })
        .collect()
}

/// `chaff eval --json --model MODEL PAGE`.
fn eval_json(model: &Path, page: &Path) -> serde_json::Value {
    let out = stdout_of(
        chaff()
            .args(["eval", "--json", "--model"])
            .arg(model)
            .arg(page),
    );
    serde_json::from_str(&out).unwrap()
}

#[test]
fn leave_one_page_out_scores_each_focus_page_with_a_model_retrained_without_it() {
    let dir = TempDir::new().unwrap();
    let base = dir.path().join("base");
    copy_layout_pages(&base, "edaily", 2);
    copy_layout_pages(&base, "kenyan-daily", 2);
    let site = copy_layout_pages(dir.path(), "african-wire", 3);
    let focus = dir.path().join("african-wire");
    let out = stdout_of(
        chaff()
            .args(["eval", "--cv", "page", "--json", "--threads", "2"])
            .args(["--warm-start", "builtin", "--focus-weight", "3"])
            .arg(&base)
            .arg("--focus")
            .arg(&focus),
    );
    let cv: serde_json::Value = serde_json::from_str(&out).unwrap();
    let folds = cv["folds"].as_array().unwrap();
    // Only the focus pages are held out, each once, in order.
    assert_eq!(folds.len(), site.len());
    for (held_out, fold) in site.iter().zip(folds) {
        assert_eq!(fold["page"], held_out.display().to_string());
        // What `chaff train` makes of the same pages without this one, scored by `chaff eval`.
        let model = dir.path().join("without.json");
        let mut train = chaff();
        train
            .arg("train")
            .arg(&base)
            .args(["--warm-start", "builtin", "--focus-weight", "3"]);
        for other in site.iter().filter(|p| *p != held_out) {
            train.arg("--focus").arg(other);
        }
        train.arg("-o").arg(&model).assert().success();
        assert_eq!(fold["report"], eval_json(&model, held_out));
    }
    // The pooled figures are over the held-out pages.
    assert_eq!(cv["pooled"]["pages"], site.len());
    let lines: u64 = folds
        .iter()
        .map(|f| f["report"]["lines"].as_u64().unwrap())
        .sum();
    assert_eq!(cv["pooled"]["lines"], lines);

    // Without --focus, every corpus page is held out in turn and the others trained on.
    let out = stdout_of(
        chaff()
            .args(["eval", "--cv", "page", "--json", "--threads", "1"])
            .arg(&focus),
    );
    let cv: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(cv["folds"].as_array().unwrap().len(), site.len());
    let model = dir.path().join("without-first.json");
    chaff()
        .arg("train")
        .args(&site[1..])
        .arg("-o")
        .arg(&model)
        .assert()
        .success();
    assert_eq!(cv["folds"][0]["report"], eval_json(&model, &site[0]));
    // The text output names the protocol and prints the usual figures, per page with --pages.
    let out = stdout_of(
        chaff()
            .args(["eval", "--cv", "page", "--pages", "--threads", "2"])
            .arg(&focus),
    );
    assert!(out.contains("leave-one-page-out: 3 corpus pages"), "{out}");
    assert!(out.contains("macro-F1"), "{out}");
    assert!(
        out.contains("01-011-webtoon-piracy-sites-crackdown.tsv"),
        "{out}"
    );
}

#[test]
fn leave_one_page_out_refuses_what_it_cannot_do() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("training/handmade");
    chaff()
        .arg("eval")
        .arg(&corpus)
        .args(["--cv", "page", "--warm-start"])
        .fails_saying("--warm-start needs the model");
    chaff()
        .args(["eval", "--cv", "page", "--model"])
        .arg(data("seed.tsv"))
        .arg(&corpus)
        .fails_saying("takes no --model");
    chaff()
        .args(["eval", "--few-shot", "1", "--warm-start", "builtin"])
        .arg(&corpus)
        .fails_saying("--warm-start MODEL goes with --cv page");
    chaff()
        .arg("eval")
        .arg(&corpus)
        .arg("--focus")
        .arg(data("seed.tsv"))
        .fails_saying("--focus goes with --cv page");
    chaff()
        .args(["eval", "--cv", "page", "--json"])
        .arg(data("seed.tsv"))
        .fails_saying("at least two pages");
}
