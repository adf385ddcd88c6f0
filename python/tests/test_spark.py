"""The Spark job of examples/spark_clean.py on local[2]: every input record comes back as a
page or a skipped count, and the pages are cleaned."""

from __future__ import annotations

import collections
import gzip
import html
import importlib.util
import json
import os
import random
import sys
import uuid
from pathlib import Path

import pytest

import chaff

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "spark_clean.py"


def _load_example():
    spec = importlib.util.spec_from_file_location("spark_clean", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules["spark_clean"] = module
    spec.loader.exec_module(module)
    return module


spark_clean = _load_example()


# --- Pages: small news sites' articles, in HTML or as text lines, written for these tests ---

CITIES = ["Harbourton", "Millbrook", "Eastvale", "Port Ansel", "Greywater", "Linden Falls", "Carrow"]
AGENCIES = [
    "the transport authority",
    "the city council",
    "the regional health board",
    "the port operator",
    "the state water utility",
    "the education department",
    "the housing agency",
]
PEOPLE = ["Mara Okafor", "Tomas Lindqvist", "Priya Raman", "Daniel Achterberg", "Sun-hee Park"]
MONTHS = ["January", "March", "April", "June", "September", "October", "November"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
SITES = ["The Harbourton Herald", "Valley Daily", "Northern Courier", "The Evening Ledger"]
SECTIONS = ["Home", "News", "Politics", "Business", "Sport", "Culture", "Opinion", "Weather"]
RELATED = [
    "Council approves new cycle lanes on the ring road",
    "Weekend rail works: what you need to know",
    "Library opening hours extended over winter",
    "Five things to do in the city this weekend",
    "Local bakery wins regional award",
    "Storm warning issued for the coast",
]
SENTENCES = [
    "{Agency} in {city} will add {n} late-night bus routes from {month}, officials said on {day}, "
    "after ridership on the existing lines rose for {m} consecutive months.",
    "Each new route will run every {k} minutes between midnight and five in the morning, and fares "
    "will stay at the daytime price, according to a statement released by {agency}.",
    "Engineers in {city} began replacing {n} kilometres of cast-iron water mains this week, a project "
    "{agency} expects to finish before the end of {month} next year.",
    "Residents on the affected streets were told to expect short interruptions to their supply, and "
    "{agency} said it would deliver bottled water to anyone who asked for it.",
    "Enrolment at primary schools in {city} fell by {n} pupils this autumn, the {m}th annual decline "
    "in a row, figures published by {agency} on {day} showed.",
    "Head teachers have warned that smaller classes do not mean smaller costs, because buildings "
    "still have to be heated and maintained whatever the number of pupils.",
    "Container traffic through the harbour at {city} rose {m} percent in the third quarter, helped by "
    "a new crane that can unload a mid-sized ship in under {k} hours.",
    "Dock workers said the faster turnaround had come with longer shifts, and their union asked "
    "{agency} to publish the rota before any further expansion is approved.",
    "Rents in central {city} have climbed {m} percent since last spring, pushing more young families "
    "towards the suburbs, a survey commissioned by {agency} found.",
    "{person}, who has lived in the same flat for {m} years, said the rent had gone up twice in twelve "
    "months and that the family was now looking for a place further out.",
    '"We are not going to pretend this will be easy," said {person}, who leads the project for '
    '{agency}. "But the numbers tell us people want this, and we intend to deliver it."',
    "Opposition councillors questioned the cost of the plan, which they put at about {n} million, and "
    "asked for an independent review before the next budget is set in {month}.",
    "A public meeting on the proposals will be held at the {city} library on {day} evening, and "
    "written comments can be sent to {agency} until the end of {month}.",
    "The decision follows a consultation in which more than {n} residents took part, most of them "
    "saying the changes were overdue and should have come years earlier.",
]


def sentence(rng: random.Random, i: int) -> str:
    agency = rng.choice(AGENCIES)
    return SENTENCES[i % len(SENTENCES)].format(
        agency=agency,
        Agency=agency[0].upper() + agency[1:],
        city=rng.choice(CITIES),
        n=rng.randint(2, 900),
        m=rng.randint(2, 14),
        k=rng.choice([10, 15, 20, 30]),
        month=rng.choice(MONTHS),
        day=rng.choice(DAYS),
        person=rng.choice(PEOPLE),
    )


def paragraphs(rng: random.Random, n: int):
    start = rng.randrange(len(SENTENCES))
    return [sentence(rng, start + i) + " " + sentence(rng, start + i + 5) for i in range(n)]


def html_page(rng: random.Random, headline: str, paras) -> str:
    site = rng.choice(SITES)
    nav = "".join(f'<li><a href="/{s.lower()}">{s}</a></li>' for s in rng.sample(SECTIONS, 6))
    related = "".join(f'<li><a href="/r{j}">{t}</a></li>' for j, t in enumerate(rng.sample(RELATED, 3)))
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paras)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(headline)} | {site}</title></head>\n"
        f"<body><header><nav><ul>{nav}</ul></nav></header>\n<main><article>\n"
        f"<h1>{html.escape(headline)}</h1>\n"
        f'<p class="byline">By {rng.choice(PEOPLE)} | {rng.choice(DAYS)} {rng.randint(1, 28)} '
        f"{rng.choice(MONTHS)} 2026</p>\n{body}\n</article>\n"
        f"<aside><h2>Related articles</h2><ul>{related}</ul></aside></main>\n"
        f"<footer><p>Copyright &copy; 2026 {site}. All rights reserved.</p></footer></body></html>\n"
    )


def text_page(rng: random.Random, headline: str, paras) -> str:
    site = rng.choice(SITES)
    lines = [
        " | ".join(rng.sample(SECTIONS, 6)),
        headline,
        f"By {rng.choice(PEOPLE)}",
        *paras,
        "Related articles",
        *rng.sample(RELATED, 2),
        f"Copyright 2026 {site}. All rights reserved.",
    ]
    return "\n".join(lines) + "\n"


def random_page(rng: random.Random, html_only: bool = False) -> str:
    headline = f"{rng.choice(CITIES)}: {rng.choice(RELATED)}"
    paras = paragraphs(rng, rng.randint(1, 6))
    as_html = html_only or rng.random() < 0.7
    return (html_page if as_html else text_page)(rng, headline, paras)


KNOWN_HEADLINE = "Night buses to run on three new routes"
KNOWN_PARAS = [
    "Harbourton will run late-night buses on three new routes from March, the transport authority "
    "said on Tuesday, after a year in which night ridership grew faster than any other service.",
    "The buses will leave the central station every twenty minutes between midnight and five in the "
    "morning, and a single fare will cover any journey on the night network.",
    "Drivers' representatives said they welcomed the extra shifts but wanted better lighting at the "
    "depot and a quiet room where staff on split duties could rest between runs.",
    "The authority said the three routes would be reviewed after six months, and that a fourth, to the "
    "hospital on the eastern edge of the city, could follow if demand held up.",
]
KNOWN_CHROME = ["Politics", "Related articles", "All rights reserved", "Weekend rail works"]


def known_article() -> str:
    rng = random.Random(7)
    page = html_page(rng, KNOWN_HEADLINE, KNOWN_PARAS)
    # Every section in the nav and the related list, so the chrome is there to be dropped.
    return page.replace("<header><nav><ul>", "<header><nav><ul><li><a href=/politics>Politics</a></li>", 1).replace(
        "</ul></aside>", "<li><a href=/w>Weekend rail works: what you need to know</a></li></ul></aside>", 1
    )


# --- WARC, written by hand: a gzip member per record ---


def warc_record(kind: str, uri: str, block: bytes, content_type: str, *, cut: int = 0):
    record_id = f"<urn:uuid:{uuid.uuid4()}>"
    head = (
        "WARC/1.0\r\n"
        f"WARC-Type: {kind}\r\n"
        f"WARC-Record-ID: {record_id}\r\n"
        f"WARC-Target-URI: {uri}\r\n"
        "WARC-Date: 2026-11-05T08:30:00Z\r\n"
        f"Content-Type: {content_type}\r\n"
        f"Content-Length: {len(block)}\r\n"
        "\r\n"
    ).encode()
    data = head + block + b"\r\n\r\n"
    return record_id, gzip.compress(data[: len(data) - cut] if cut else data)


def http_response(status: str, content_type: str, body: bytes) -> bytes:
    return (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        "Server: test\r\n\r\n"
    ).encode() + body


def http_request(uri: str) -> bytes:
    path = uri.split("/", 3)[3]
    return f"GET /{path} HTTP/1.1\r\nHost: news.example\r\nUser-Agent: test\r\n\r\n".encode()


def write_warc_folder(folder: Path, rng: random.Random):
    """Two WARC files; returns ({record id: page html} of the HTML 200 responses, the skipped
    counts by chaff's reasons)."""
    folder.mkdir()
    pages = {}
    skipped = collections.Counter()
    for f in range(2):
        members = []
        _, m = warc_record("warcinfo", "", b"software: test\r\nformat: WARC 1.0\r\n", "application/warc-fields")
        members.append(m)
        skipped["warcinfo records"] += 1
        for i in range(6):
            uri = f"https://news.example/{f}/article-{i}.html"
            _, m = warc_record("request", uri, http_request(uri), "application/http; msgtype=request")
            members.append(m)
            skipped["request records"] += 1
            page = known_article() if (f, i) == (0, 0) else random_page(rng, html_only=True)
            block = http_response("200 OK", "text/html; charset=utf-8", page.encode())
            record_id, m = warc_record("response", uri, block, "application/http; msgtype=response")
            members.append(m)
            pages[record_id] = page
        uri = f"https://news.example/{f}/photo.jpg"
        block = http_response("200 OK", "image/jpeg", b"\xff\xd8\xff\xe0" + bytes(range(256)))
        members.append(warc_record("response", uri, block, "application/http; msgtype=response")[1])
        skipped["not HTML"] += 1
        uri = f"https://news.example/{f}/gone.html"
        block = http_response("404 Not Found", "text/html", b"<html><body><p>Not found</p></body></html>")
        members.append(warc_record("response", uri, block, "application/http; msgtype=response")[1])
        skipped["with status 404"] += 1
        members.append(warc_record("metadata", uri, b"fetchTimeMs: 41\r\n", "application/warc-fields")[1])
        skipped["metadata records"] += 1
        if f == 1:
            # The crawl was cut off in the middle of its last record.
            page = random_page(rng, html_only=True).encode()
            block = http_response("200 OK", "text/html", page)
            uri = "https://news.example/1/cut.html"
            members.append(warc_record("response", uri, block, "application/http; msgtype=response", cut=len(page) // 2)[1])
            skipped["truncated"] += 1
        (folder / f"crawl-{f}.warc.gz").write_bytes(b"".join(members))
    return pages, dict(skipped)


def write_jsonl_folder(folder: Path, rng: random.Random, n: int = 200):
    """`n` records with unique ids over three files, one gzip-compressed; returns {id: record}."""
    folder.mkdir()
    records = {}
    for i in range(n):
        record = {"id": f"doc-{i:04d}", "text": known_article() if i == 7 else random_page(rng)}
        if i % 3 == 0:
            record["url"] = f"https://news.example/jsonl/{i}.html"
        if i % 5 == 0:
            record["crawl"] = "2026-48"  # not carried
        records[record["id"]] = record
    ids = list(records)
    rng.shuffle(ids)
    splits = [("part-a.jsonl", ids[:80]), ("part-b.jsonl.gz", ids[80:150]), ("part-c.jsonl", ids[150:])]
    for name, chunk in splits:
        data = "".join(json.dumps(records[i]) + "\n" for i in chunk).encode()
        (folder / name).write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return records


def read_output(folder: Path):
    assert (folder / "_SUCCESS").exists()
    out = []
    for part in sorted(folder.glob("part-*")):
        data = part.read_bytes()
        if part.name.endswith(".gz"):
            data = gzip.decompress(data)
        out.extend(json.loads(line) for line in data.decode().splitlines() if line.strip())
    return out


# --- The session: one for the module ---


@pytest.fixture(scope="module")
def spark():
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers run this venv, with chaff
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("chaff test_spark")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_jsonl_every_record_once(spark, tmp_path):
    records = write_jsonl_folder(tmp_path / "in", random.Random(14))
    summary = spark_clean.clean_folder(spark, str(tmp_path / "in"), str(tmp_path / "out"), partitions=3)
    assert summary == {
        "format": "jsonl",
        "files": 3,
        "records": 200,
        "pages": 200,
        "skipped": {},
        "files_failed": 0,
    }
    out = read_output(tmp_path / "out")
    assert collections.Counter(o["id"] for o in out) == collections.Counter(list(records))
    by_id = {o["id"]: o for o in out}
    for id, record in records.items():
        expected = {k: record[k] for k in ("id", "url") if k in record}
        expected["clean"] = chaff.clean(record["text"])
        assert by_id[id] == expected
    known = by_id["doc-0007"]["clean"]
    for para in KNOWN_PARAS:
        assert para in known
    for chrome in KNOWN_CHROME:
        assert chrome not in known
    # Most pages keep text: the generator writes articles chaff reads as articles.
    assert sum(1 for o in out if o["clean"]) >= 190


def test_jsonl_text_field_and_bad_lines(spark, tmp_path):
    rng = random.Random(3)
    folder = tmp_path / "in"
    folder.mkdir()
    lines = [json.dumps({"url": f"u{i}", "content": random_page(rng)}) for i in range(12)]
    lines += ["{not json", json.dumps({"url": "no-content", "text": "wrong field"}), "[1, 2]", ""]
    (folder / "pages.jsonl").write_text("\n".join(lines) + "\n")
    summary = spark_clean.clean_folder(
        spark, str(folder), str(tmp_path / "out"), text_field="content", batch=5, compress=True
    )
    assert summary["records"] == 15  # the blank line is no record
    assert summary["pages"] == 12
    assert summary["skipped"] == {"not JSON": 1, "no content string": 1, "not a JSON object": 1}
    out = read_output(tmp_path / "out")
    assert sorted(o["url"] for o in out) == sorted(f"u{i}" for i in range(12))
    assert all(set(o) == {"url", "clean"} for o in out)


# Local files are streamed from disk by chaff; other file systems' files come as Spark's bytes.
@pytest.mark.parametrize("stream_local_files", [True, False])
def test_warc_every_record_accounted_for(spark, tmp_path, stream_local_files):
    pages, skipped = write_warc_folder(tmp_path / "warc", random.Random(42))
    summary = spark_clean.clean_folder(
        spark, str(tmp_path / "warc"), str(tmp_path / "out"), stream_local_files=stream_local_files
    )
    assert summary["format"] == "warc"
    assert summary["files"] == 2
    assert summary["files_failed"] == 0
    assert summary["pages"] == len(pages) == 12
    assert summary["skipped"] == skipped
    assert summary["records"] == len(pages) + sum(skipped.values()) == 33
    # The same counts as chaff.clean_warc file by file.
    direct = collections.Counter()
    for path in sorted((tmp_path / "warc").iterdir()):
        result = chaff.clean_warc(str(path))
        direct.update(result["skipped"])
        direct["pages"] += len(result["pages"])
    assert dict(direct) == {**skipped, "pages": 12}

    out = read_output(tmp_path / "out")
    assert collections.Counter(o["warc_record_id"] for o in out) == collections.Counter(list(pages))
    for o in out:
        assert set(o) == {"url", "warc_record_id", "date", "lang", "clean"}
        assert o["url"].startswith("https://news.example/")
        assert o["date"] == "2026-11-05T08:30:00Z"
        assert o["clean"] == chaff.clean(pages[o["warc_record_id"]], "html")
    known = next(o for o in out if o["url"] == "https://news.example/0/article-0.html")
    assert known["lang"] == "eng"
    for para in KNOWN_PARAS:
        assert para in known["clean"]
    for chrome in KNOWN_CHROME:
        assert chrome not in known["clean"]


def test_cli_arguments():
    args = spark_clean._parser().parse_args(
        ["in", "out", "--master", "local[2]", "--format", "warc", "--partitions", "4", "--text-field", "body"]
    )
    assert (args.input_dir, args.output_dir, args.master, args.fmt, args.partitions, args.text_field) == (
        "in",
        "out",
        "local[2]",
        "warc",
        4,
        "body",
    )
