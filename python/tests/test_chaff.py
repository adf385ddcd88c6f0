"""The Python package on the inputs users hand it: the seed page, HTML, raw bytes in other
encodings, white space as scrapers leave it, bad input, batches and WARC files; checked
against the command line on the same pages."""

import gzip
import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

import chaff

REPO = Path(__file__).resolve().parents[2]
SEED_TXT = REPO / "tests" / "data" / "seed.txt"
SEED_TSV = REPO / "tests" / "data" / "seed.tsv"
NEWS_HTML = REPO / "tests" / "data" / "html" / "news.html"


def cli(*args, stdin=None):
    """The chaff binary's standard output; `cargo test` builds it before these tests run."""
    binary = Path(os.environ.get("CHAFF_BIN", REPO / "target" / "debug" / "chaff"))
    assert binary.exists(), f"{binary} is missing: build it (cargo build) or set CHAFF_BIN"
    done = subprocess.run(
        [str(binary), *args], input=stdin, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def seed_gold():
    rows = [line.split("\t", 2) for line in SEED_TSV.read_text("utf-8").splitlines()]
    return [(cls, text) for cls, _lang, text in rows]


ARTICLE = [
    "Seoul will expand its late-night autonomous bus service to three routes next year, the city government said Tuesday.",
    "The buses will run between midnight and five in the morning on weekdays, and riders will pay the regular night fare, officials said.",
    "The city first tested the service in Gangnam last December with two vehicles and a safety driver on board at all times.",
    "Ridership rose steadily through the spring as shift workers and late-night restaurant staff began to rely on the route.",
    "Officials said the new routes would connect Hongdae, Yeouido and Jongno, areas with heavy demand after the subway closes.",
]


def news_page(paragraphs=ARTICLE, charset="utf-8", footer="Copyright © The Example Times. All rights reserved."):
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><meta charset={charset}><title>Night buses</title></head><body>"
        "<header><nav><a href=/>Home</a> <a href=/world>World</a> <a href=/sports>Sports</a></nav></header>"
        f"<main><article><h1>Seoul expands late-night bus routes</h1>{body}</article></main>"
        f"<footer><p>{footer}</p></footer></body></html>"
    )


def test_seed_page_clean_keeps_the_article_and_drops_the_portal_chrome():
    seed = SEED_TXT.read_text("utf-8")
    kept = chaff.clean(seed).split("\n")
    gold = seed_gold()
    body = [text for cls, text in gold if cls == "body"]
    not_body = [text for cls, text in gold if cls != "body"]
    # Kept lines are input lines, in input order.
    lines = seed.splitlines()
    positions = [lines.index(k) for k in kept]
    assert positions == sorted(positions)
    assert len(set(kept) & set(body)) >= 0.9 * len(body)
    assert len(set(kept) & set(not_body)) <= 0.1 * len(not_body)


def test_python_and_the_command_line_agree_on_text_and_html():
    seed = SEED_TXT.read_text("utf-8")
    assert chaff.clean(seed) + "\n" == cli("clean", str(SEED_TXT))
    assert chaff.clean(NEWS_HTML.read_bytes()) + "\n" == cli("clean", str(NEWS_HTML))
    for path, page in [(SEED_TXT, seed), (NEWS_HTML, NEWS_HTML.read_bytes())]:
        expected = [json.loads(l) for l in cli("label", "--json", str(path)).splitlines()]
        got = chaff.label(page)
        assert [(r["class"], r["lang"], r["text"]) for r in got] == [
            (r["class"], r["lang"], r["text"]) for r in expected
        ]
        for g, e in zip(got, expected):
            for cls, p in e["probs"].items():
                assert abs(g["probs"][cls] - p) < 1e-3


def test_label_accounts_for_every_line_with_its_number_and_character_segments():
    page = "Seoul\u00a0opened three night bus routes on Monday.\r\n\r\n  \r\n서울시는\u3000월요일 밝혔다. kim@example.com\r\n무단전재 및 재배포 금지"
    records = chaff.label(page)
    assert [r["line"] for r in records] == [1, 4, 5]
    assert [r["text"] for r in records] == [page.split("\r\n")[i] for i in (0, 3, 4)]
    for r in records:
        assert r["class"] in {"body", "chrome", "copyright", "byline", "related"}
        assert abs(sum(r["probs"].values()) - 1.0) < 1e-3
        # Segments cover the line in order, in characters: Python slices give their text.
        spans = [(s["start"], s["end"]) for s in r["segments"]]
        assert spans[0][0] == 0 and spans[-1][1] == len(r["text"])
        assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
    korean = records[1]
    address = [s for s in korean["segments"] if s["is_address"]]
    assert [korean["text"][s["start"] : s["end"]] for s in address] == ["kim@example.com"]
    assert korean["lang"] == "kor" and records[2]["class"] == "copyright"


def test_html_is_read_as_html_and_text_as_text():
    html = news_page()
    kept = chaff.clean(html)
    for paragraph in ARTICLE:
        assert paragraph in kept
    assert "Copyright" not in kept and "Sports" not in kept
    # The same page forced to be text lines: its one line of markup is not an article.
    assert chaff.clean(html, "text") != kept
    assert chaff.clean(html.encode("utf-8")) == kept
    assert chaff.clean(bytearray(html.encode("utf-8")), "html") == kept


def test_bytes_in_other_encodings_are_decoded_and_str_is_taken_as_decoded():
    korean = [
        "서울시가 내년부터 심야 자율주행 버스 노선을 기존 1곳에서 3곳으로 늘린다고 2일 밝혔다.",
        "시는 이날 새 노선이 강남과 홍대, 여의도를 잇는다고 설명했다.",
        "심야 버스는 평일 자정부터 오전 5시까지 운행하며 요금은 기존 심야버스와 같다.",
        "시 관계자는 시민들의 이용 편의를 위해 노선을 계속 늘려갈 계획이라고 말했다.",
    ]
    page = news_page(korean, charset="euc-kr", footer="ⓒ 예시일보 무단전재 및 재배포 금지")
    from_bytes = chaff.clean(page.encode("euc-kr"))
    assert korean[0] in from_bytes
    # A str is text Python decoded already: its <meta charset=euc-kr> must not re-decode it.
    assert chaff.clean(page) == from_bytes
    text = "\n".join(korean).encode("cp949")
    assert chaff.clean(text, "text", encoding="cp949") == chaff.clean("\n".join(korean), "text")


def test_bad_input_raises_with_the_command_lines_messages():
    with pytest.raises(chaff.ChaffError, match=r"^page: invalid UTF-8 at byte 1 \(line 1\): this is gzip-compressed"):
        chaff.clean(gzip.compress(b"hello"), "text")
    with pytest.raises(chaff.ChaffError, match=r"invalid UTF-8 at byte 6 \(line 2\)"):
        chaff.label(b"fine\r\n\xff bad", "text")
    with pytest.raises(TypeError, match="str or bytes, not int"):
        chaff.clean(42)
    with pytest.raises(ValueError, match='not "pdf"'):
        chaff.clean("text", "pdf")
    with pytest.raises(ValueError, match="klingon"):
        chaff.clean(b"text", encoding="klingon")
    # A language filter no line can pass would silently empty every page.
    with pytest.raises(ValueError, match='unknown language "english"'):
        chaff.clean("text", lang="english")
    with pytest.raises(TypeError, match="not one page"):
        chaff.clean_batch("one page")
    with pytest.raises(chaff.ChaffError, match=r"^pages\[2\]: invalid UTF-8"):
        chaff.clean_batch(["a", "b", b"\xc3\x28", "d"], "text")
    # Empty and blank pages are pages with nothing to keep, not errors.
    assert chaff.clean("") == "" and chaff.label(" \n\u00a0\n") == []


def test_model_files_are_loaded_and_refused_when_they_do_not_match(tmp_path):
    default = chaff.Labeler(REPO / "models" / "default.json")
    seed = SEED_TXT.read_text("utf-8")
    assert default.clean(seed) == chaff.clean(seed)
    assert default.model_info["format_version"] == chaff.MODEL_FORMAT_VERSION
    with pytest.raises(FileNotFoundError, match="nowhere.json"):
        chaff.Labeler(tmp_path / "nowhere.json")
    old = json.loads((REPO / "models" / "default.json").read_text("utf-8"))
    old["format_version"] = chaff.MODEL_FORMAT_VERSION - 1
    (tmp_path / "old.json").write_text(json.dumps(old), "utf-8")
    with pytest.raises(chaff.ChaffError, match="format version"):
        chaff.Labeler(tmp_path / "old.json")
    (tmp_path / "torn.json").write_text('{"format": "chaff-mo', "utf-8")
    with pytest.raises(chaff.ChaffError, match="torn.json"):
        chaff.Labeler(str(tmp_path / "torn.json"))


def test_batches_give_what_single_calls_give_in_order():
    seed = SEED_TXT.read_text("utf-8")
    pages = [seed, news_page(), "", news_page(ARTICLE[:2]), seed.encode("utf-8")] * 20
    assert chaff.clean_batch(pages) == [chaff.clean(p) for p in pages]
    assert chaff.clean_batch(iter(pages), lang="eng") == [chaff.clean(p, lang="eng") for p in pages]
    assert chaff.label_batch(pages[:5]) == [chaff.label(p) for p in pages[:5]]
    assert chaff.Labeler(threads=1).clean_batch(pages) == chaff.clean_batch(pages)
    with pytest.raises(ValueError):
        chaff.Labeler(threads=0)


def test_batch_calls_let_other_python_threads_run():
    pages = [SEED_TXT.read_text("utf-8")] * 3000
    ticks = []
    worker = threading.Thread(target=chaff.clean_batch, args=(pages,))
    start = time.perf_counter()
    worker.start()
    while worker.is_alive():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    took = time.perf_counter() - start
    # Holding the interpreter lock for the whole batch would stop this loop for all of it.
    gaps = [b - a for a, b in zip([start] + ticks, ticks)]
    assert len(ticks) > 10 and max(gaps) < took / 2, (len(ticks), max(gaps), took)


def warc_record(kind, uri, number, block):
    head = (
        f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Date: 2026-12-01T00:00:{number:02d}Z\r\n"
        f"WARC-Record-ID: <urn:uuid:test-{number}>\r\nWARC-Target-URI: {uri}\r\n"
        f"Content-Length: {len(block)}\r\n\r\n"
    ).encode()
    return gzip.compress(head + block + b"\r\n\r\n")


def http(status, content_type, body):
    return f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n\r\n".encode() + body


def test_a_common_crawl_shaped_warc_is_cleaned_with_every_record_accounted_for(tmp_path):
    korean = news_page(
        [
            "서울시가 내년부터 심야 자율주행 버스 노선을 기존 1곳에서 3곳으로 늘린다고 2일 밝혔다.",
            "시는 이날 새 노선이 강남과 홍대, 여의도를 잇는다고 설명했다.",
            "심야 버스는 평일 자정부터 오전 5시까지 운행하며 요금은 기존 심야버스와 같다.",
        ],
        charset="utf-8",  # wrong on purpose: the HTTP header's euc-kr wins
        footer="무단전재 및 재배포 금지",
    )
    records = [
        warc_record("warcinfo", "", 1, b"software: test\r\n"),
        warc_record("request", "https://news.example/a", 2, b"GET /a HTTP/1.1\r\n\r\n"),
        warc_record("response", "https://news.example/a", 3, http("200 OK", "text/html; charset=utf-8", news_page().encode())),
        warc_record("response", "https://news.example.kr/b", 4, http("200 OK", "text/html; charset=euc-kr", korean.encode("euc-kr"))),
        warc_record("response", "https://news.example/logo.png", 5, http("200 OK", "image/png", b"\x89PNG\r\n")),
        warc_record("response", "https://news.example/gone", 6, http("404 Not Found", "text/html", b"<html>gone</html>")),
    ]
    whole = b"".join(records)
    # The last record cut short, as an interrupted crawl leaves it.
    cut = whole + gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 500\r\n\r\nHTTP/1.1 200")
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(cut)
    result = chaff.clean_warc(path)
    assert result == chaff.clean_warc(str(path)) == chaff.clean_warc(cut)
    assert result["records"] == 7
    assert result["skipped"] == {
        "warcinfo records": 1,
        "request records": 1,
        "not HTML": 1,
        "with status 404": 1,
        "truncated": 1,
    }
    assert result["records"] == len(result["pages"]) + sum(result["skipped"].values())
    english, hangul = result["pages"]
    assert english["url"] == "https://news.example/a"
    assert english["warc_record_id"] == "<urn:uuid:test-3>"
    assert english["date"] == "2026-12-01T00:00:03Z"
    assert english["lang"] == "eng" and ARTICLE[0] in english["clean"]
    assert hangul["lang"] == "kor" and "심야 자율주행 버스" in hangul["clean"]
    labeled = chaff.clean_warc(gzip.decompress(whole), label=True)
    assert labeled["records"] == 6
    lines = labeled["pages"][0]["lines"]
    assert "\n".join(r["text"] for r in lines if r["class"] == "body") == english["clean"]


def test_a_malformed_warc_raises_naming_the_file_and_byte(tmp_path):
    path = tmp_path / "bad.warc"
    path.write_bytes(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: banana\r\n\r\n")
    with pytest.raises(chaff.ChaffError, match="bad.warc"):
        chaff.clean_warc(path)
    with pytest.raises(FileNotFoundError, match="missing.warc"):
        chaff.clean_warc(tmp_path / "missing.warc")


def test_the_package_docstring_examples_hold():
    import doctest

    failures, tried = doctest.testmod(chaff)
    assert tried >= 3 and failures == 0


def test_the_stubs_name_the_parameters_the_module_takes():
    import ast
    import inspect

    stub = ast.parse((Path(chaff.__file__).parent / "_chaff.pyi").read_text("utf-8"))
    labeler = next(n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == "Labeler")
    checked = 0
    for node in labeler.body:
        if not isinstance(node, ast.FunctionDef) or any(
            isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list
        ):
            continue
        params = node.args
        stub_names = [a.arg for a in params.posonlyargs + params.args + params.kwonlyargs]
        stub_keyword_only = [a.arg for a in params.kwonlyargs]
        runtime = chaff.Labeler if node.name == "__init__" else getattr(chaff.Labeler, node.name)
        signature = inspect.signature(runtime)
        names = [p for p in signature.parameters]
        keyword_only = [p.name for p in signature.parameters.values() if p.kind is p.KEYWORD_ONLY]
        if node.name == "__init__":
            stub_names = stub_names[1:]
        assert (node.name, stub_names) == (node.name, names)
        assert (node.name, stub_keyword_only) == (node.name, keyword_only)
        checked += 1
    assert checked == 6
    assert chaff.default_labeler().model_path is None
    assert set(chaff.default_labeler().model_info) == {
        "format_version", "feature_version", "weights", "reads_html"
    }
