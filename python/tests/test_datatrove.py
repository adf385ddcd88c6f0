"""chaff.datatrove.ChaffExtractor in a real datatrove pipeline, on a WARC file written here.

The WARC file is gzipped a member per record, as Common Crawl ships them, and holds what a crawl
holds besides articles: a warcinfo record, a request, an image, a JSON API answer, an error page
that is all chrome, and a Korean page in EUC-KR declared only by its HTTP header and meta tag.
"""

from __future__ import annotations

import copy
import gzip
import io
import json
import pickle
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import WarcReader
from datatrove.pipeline.writers import JsonlWriter
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from chaff.datatrove import ChaffExtractor

# --- pages -------------------------------------------------------------------------------------

ARTICLE_URL = "https://www.calder-post.example/news/2024/03/05/grain-pier-repairs"
ARTICLE_TITLE = "Old grain pier to close for eighteen months of repairs"
ARTICLE_PARAS = [
    "The harbour authority of Port Calder said on Tuesday that it would close the old grain pier "
    "for eighteen months while engineers replace the timber piles that have held it up since 1931.",
    "Divers found last spring that more than a third of the piles had rotted below the waterline, "
    "according to an inspection report the authority published alongside its decision.",
    "Fishing crews who unload at the pier will move to a temporary berth on the north quay, which "
    "the authority expects to finish dredging by the end of March.",
    "Marta Ilves, who has skippered a trawler out of the harbour for twenty years, said the move "
    "would add almost an hour to each landing because lorries must cross the town centre to reach "
    "the north quay.",
    "The council has promised to open a second road to the quay before the summer season, but "
    "residents of Mill Lane have objected to the plan at two public meetings this winter.",
    "The repairs are expected to cost 41 million pounds, of which the national ports fund will pay "
    "roughly half under a scheme announced last year.",
]
ARTICLE_NAV = ["Home", "News", "Sport", "Business", "Weather", "Subscribe"]
ARTICLE_FOOTER = "Terms of use | Privacy policy | Cookie settings | Contact us"
ARTICLE_COPYRIGHT = "Copyright 2024 Calder Evening Post Ltd. All rights reserved."


def article_html() -> str:
    nav = "".join(f'<li><a href="/{n.lower()}">{n}</a></li>' for n in ARTICLE_NAV)
    paras = "\n".join(f"<p>{p}</p>" for p in ARTICLE_PARAS)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{ARTICLE_TITLE} | Calder Evening Post</title></head>
<body>
<header><nav><ul class="menu">{nav}</ul></nav></header>
<main><article>
<h1>{ARTICLE_TITLE}</h1>
{paras}
</article></main>
<footer><p>{ARTICLE_FOOTER}</p><p>{ARTICLE_COPYRIGHT}</p></footer>
</body></html>"""


KOREAN_URL = "http://news.hanbit.example/article.php?id=20240311001"
KOREAN_PARAS = [
    "서울시는 다음 달부터 심야 시간대 버스 노선 세 개를 새로 운행한다고 월요일 밝혔다.",
    "새 노선은 강남역과 신촌, 그리고 노원구 상계동을 잇는 구간으로, 자정부터 새벽 네 시까지 "
    "이십 분 간격으로 다닌다.",
    "시 관계자는 지난해 심야 택시 승차난이 이어지면서 시민들의 요청이 크게 늘어났다고 설명했다.",
    "요금은 기존 심야 버스와 같은 수준으로 책정되며, 교통카드로 환승 할인도 받을 수 있다.",
    "시는 석 달 동안 이용객 수를 조사한 뒤 노선을 늘릴지 결정할 계획이라고 덧붙였다.",
    "일부 자치구는 주택가 소음 문제를 우려하며 정류장 위치를 다시 검토해 달라고 요청했다.",
]
KOREAN_NAV = ["홈", "정치", "경제", "사회", "국제", "스포츠"]
KOREAN_COPYRIGHT = "Copyright ⓒ 한빛일보. 무단 전재 및 재배포 금지."


def korean_html() -> str:
    nav = " | ".join(f'<a href="/section/{i}">{n}</a>' for i, n in enumerate(KOREAN_NAV))
    paras = "\n".join(f"<p>{p}</p>" for p in KOREAN_PARAS)
    return f"""<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">
<title>서울시, 심야 버스 노선 세 개 신설 - 한빛일보</title></head>
<body><div id="gnb">{nav}</div>
<div id="article"><h2>서울시, 심야 버스 노선 세 개 신설</h2>
{paras}
</div>
<div id="footer">{KOREAN_COPYRIGHT}</div></body></html>"""


NOT_FOUND_URL = "https://www.calder-post.example/news/2019/old-story"


def not_found_html() -> str:
    """An error page: chrome and a copyright line, nothing to keep."""
    return (
        '<html><body><nav><a href="/">Home</a> | <a href="/news">News</a></nav>'
        "<p>Page not found</p><footer>Copyright 2024 Calder Evening Post Ltd.</footer></body></html>"
    )


PNG_URL = "https://www.calder-post.example/img/pier.png"
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
JSON_URL = "https://www.calder-post.example/api/weather?town=port-calder"
JSON_BYTES = json.dumps(
    {"town": "Port Calder", "forecast": "Rain in the afternoon, clearing by evening.", "high": 11}
).encode()


# --- the WARC file -----------------------------------------------------------------------------


def write_warc(path: Path) -> dict:
    """Writes the crawl to `path`; returns each record's WARC-Record-ID by name."""
    ids = {}
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)  # a gzip member per record

        def add(record, name):
            writer.write_record(record)
            ids[name] = record.rec_headers.get_header("WARC-Record-ID")

        add(
            writer.create_warcinfo_record(
                path.name, {"software": "chaff tests", "format": "WARC File Format 1.1"}
            ),
            "warcinfo",
        )

        def response(url, body, content_type, payload_type=None):
            http = StatusAndHeaders(
                "200 OK",
                [("Content-Type", content_type), ("Content-Length", str(len(body)))],
                protocol="HTTP/1.1",
            )
            warc_headers = {"WARC-Date": "2024-03-11T08:15:00Z"}
            if payload_type is not None:  # Common Crawl's sniffed type; older crawls lack it
                warc_headers["WARC-Identified-Payload-Type"] = payload_type
            return writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                http_headers=http,
                warc_headers_dict=warc_headers,
            )

        request = StatusAndHeaders(
            "GET /news/2024/03/05/grain-pier-repairs HTTP/1.1",
            [("Host", "www.calder-post.example"), ("User-Agent", "chaff-test/1.0")],
            is_http_request=True,
        )
        add(
            writer.create_warc_record(ARTICLE_URL, "request", payload=io.BytesIO(b""), http_headers=request),
            "request",
        )
        add(
            response(ARTICLE_URL, article_html().encode("utf-8"), "text/html; charset=utf-8", "text/html"),
            "article",
        )
        add(response(PNG_URL, PNG_BYTES, "image/png", "image/png"), "png")
        # No WARC-Identified-Payload-Type on these two: WarcReader sniffs them with libmagic.
        add(response(JSON_URL, JSON_BYTES, "application/json"), "json")
        add(response(KOREAN_URL, korean_html().encode("euc-kr"), "text/html; charset=euc-kr"), "korean")
        add(
            response(NOT_FOUND_URL, not_found_html().encode("utf-8"), "text/html; charset=utf-8", "text/html"),
            "not_found",
        )
    return ids


@pytest.fixture
def crawl(tmp_path):
    folder = tmp_path / "crawl"
    folder.mkdir()
    path = folder / "CC-TEST-20240311081500-00000.warc.gz"
    ids = write_warc(path)
    return folder, path, ids


def read_jsonl_gz(folder: Path) -> list:
    docs = []
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            docs.extend(json.loads(line) for line in f)
    return docs


def lines_of(text: str) -> list:
    return [line.strip() for line in text.split("\n")]


# --- tests -------------------------------------------------------------------------------------


def test_warc_file_is_a_gzip_member_per_record(crawl):
    _, path, ids = crawl
    data = path.read_bytes()
    # Each member starts with the gzip magic and a WARC/1.x header once inflated.
    members = 0
    while data:
        assert data[:2] == b"\x1f\x8b"
        d = zlib.decompressobj(31)
        head = d.decompress(data)
        assert head.startswith(b"WARC/1.")
        data = d.unused_data
        members += 1
    assert members == len(ids) == 7


def test_warc_reader_gives_decoded_html_of_html_responses_only(crawl):
    """What ChaffExtractor receives: datatrove decodes bytes itself (UTF-8, else cchardet's guess)."""
    folder, _, ids = crawl
    docs = list(WarcReader(str(folder), glob_pattern="*.warc.gz")())
    by_id = {d.id: d for d in docs}
    # request, warcinfo, the PNG (by its payload type) and the JSON (sniffed) never reach the step.
    assert set(by_id) == {ids["article"], ids["korean"], ids["not_found"]}
    assert all(isinstance(d.text, str) for d in docs)
    assert by_id[ids["article"]].text == article_html()
    # The EUC-KR page arrives as str, decoded right: cchardet's guess, not the HTTP charset.
    assert by_id[ids["korean"]].text == korean_html()
    assert by_id[ids["korean"]].metadata["url"] == KOREAN_URL


def test_pipeline_warc_to_jsonl(crawl, tmp_path):
    folder, _, ids = crawl
    out = tmp_path / "out"
    logs = tmp_path / "logs"
    executor = LocalPipelineExecutor(
        pipeline=[
            WarcReader(str(folder), glob_pattern="*.warc.gz"),
            ChaffExtractor(),
            JsonlWriter(str(out)),
        ],
        tasks=1,
        workers=1,
        logging_dir=str(logs),
    )
    executor.run()

    docs = read_jsonl_gz(out)
    by_id = {d["id"]: d for d in docs}
    assert len(docs) == len(by_id) == 2
    assert set(by_id) == {ids["article"], ids["korean"]}
    # Nothing from the records that are not HTML pages, nor the error page that is all chrome.
    for name in ("warcinfo", "request", "png", "json", "not_found"):
        assert ids[name] not in by_id

    article = by_id[ids["article"]]
    assert article["metadata"]["url"] == ARTICLE_URL
    assert article["metadata"]["date"] == "2024-03-11T08:15:00Z"
    lines = lines_of(article["text"])
    for para in ARTICLE_PARAS:
        assert para in lines
    assert ARTICLE_TITLE in lines
    for chrome in ARTICLE_NAV + [ARTICLE_FOOTER, ARTICLE_COPYRIGHT]:
        assert chrome not in lines
    assert "Copyright" not in article["text"]
    assert "<p>" not in article["text"]

    korean = by_id[ids["korean"]]
    assert korean["metadata"]["url"] == KOREAN_URL
    lines = lines_of(korean["text"])
    for para in KOREAN_PARAS:
        assert para in lines
    for chrome in KOREAN_NAV + [KOREAN_COPYRIGHT]:
        assert chrome not in lines
    assert "무단 전재" not in korean["text"]

    # The step's stats, as datatrove's extractors keep them.
    stats = json.loads((logs / "stats.json").read_text())
    step = next(s for s in stats if s["name"] == str(ChaffExtractor()))
    counts = {k: v["total"] if isinstance(v, dict) else v for k, v in step["stats"].items()}
    assert counts["total"] == 3
    assert counts["extracted"] == 3
    assert counts["forwarded"] == 2
    assert counts["dropped"] == 1
    assert counts["doc_len"] == len(article["text"]) + len(korean["text"])


def test_extract_one_page():
    text = ChaffExtractor().extract(article_html())
    lines = lines_of(text)
    assert lines == [ARTICLE_TITLE] + ARTICLE_PARAS
    assert ChaffExtractor().extract(not_found_html()) == ""


def test_run_batches_keep_order_and_drop_empty_pages():
    docs = [
        Document(text=article_html(), id="a"),
        Document(text="", id="empty"),
        Document(text=not_found_html(), id="chrome"),
        Document(text=korean_html(), id="k"),
        Document(text="<html><body><p>" + ARTICLE_PARAS[0] + "</p></body></html>", id="short"),
    ]
    step = ChaffExtractor(batch_size=2)  # three batches, the last one short
    result = list(step.run(iter(docs)))
    assert [d.id for d in result][:2] == ["a", "k"]
    assert "empty" not in [d.id for d in result]
    assert "chrome" not in [d.id for d in result]
    assert lines_of(result[0].text) == [ARTICLE_TITLE] + ARTICLE_PARAS
    assert lines_of(result[1].text)[1:] == KOREAN_PARAS
    forwarded = len(result)
    assert step.stats["total"].total == 5
    assert step.stats["extracted"].total == 5
    assert step.stats["forwarded"].total == forwarded
    assert step.stats["dropped"].total == 5 - forwarded
    assert step.stats["doc_len"].total == sum(len(d.text) for d in result)
    # Timed once per batch, not per document.
    assert step.stats.time_stats.unit == "batch"
    assert step.stats.time_stats.n == 3


def test_run_keeps_only_the_asked_language():
    docs = [Document(text=article_html(), id="a"), Document(text=korean_html(), id="k")]
    result = list(ChaffExtractor(lang="kor").run(iter(docs)))
    assert [d.id for d in result] == ["k"]
    assert lines_of(result[0].text)[1:] == KOREAN_PARAS
    result = list(ChaffExtractor(lang="eng").run(iter([Document(text=korean_html(), id="k")])))
    assert result == []


def test_a_page_chaff_refuses_costs_only_that_page():
    # Not a page at all: the batch call fails, and the step retries its pages one by one.
    docs = [
        Document(text=article_html(), id="a"),
        Document(text=None, id="bad"),
        Document(text=korean_html(), id="k"),
    ]
    step = ChaffExtractor()
    result = list(step.run(iter(docs)))
    assert [d.id for d in result] == ["a", "k"]
    assert step.stats["clean_error"].total == 1
    assert step.stats["extracted"].total == 2
    assert step.stats["total"].total == 3


def test_step_copies_and_pickles_after_use():
    # LocalPipelineExecutor deep-copies the pipeline per task; workers > 1 pickle it.
    step = ChaffExtractor(batch_size=8)
    assert step.extract(article_html())
    for clone in (copy.deepcopy(step), pickle.loads(pickle.dumps(step))):
        assert clone.batch_size == 8
        assert lines_of(clone.extract(article_html())) == [ARTICLE_TITLE] + ARTICLE_PARAS


def test_missing_model_file_fails_before_reading_input(tmp_path):
    read = []

    def pages():
        read.append(1)
        yield Document(text=article_html(), id="a")

    with pytest.raises(FileNotFoundError):
        list(ChaffExtractor(model_path=tmp_path / "no-such-model.json").run(pages()))
    assert read == []


def test_unknown_language_fails_before_reading_input():
    read = []

    def pages():
        read.append(1)
        yield Document(text=article_html(), id="a")

    with pytest.raises(ValueError, match='unknown language "english"'):
        list(ChaffExtractor(lang="english").run(pages()))
    assert read == []


def test_batch_size_must_be_positive():
    with pytest.raises(ValueError, match="batch_size"):
        ChaffExtractor(batch_size=0)


def test_import_chaff_without_datatrove():
    # `import chaff` must not need datatrove; `import chaff.datatrove` says how to get it.
    code = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "datatrove" or name.startswith("datatrove."):
            raise ImportError("No module named " + repr(name))
sys.meta_path.insert(0, Block())
import chaff
assert chaff.clean("<p>x</p>", "html") is not None
assert not any(m == "datatrove" or m.startswith("datatrove.") for m in sys.modules), "datatrove imported"
try:
    import chaff.datatrove
except ImportError as e:
    print(e)
else:
    raise SystemExit("chaff.datatrove imported without datatrove")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "pip install datatrove" in done.stdout
