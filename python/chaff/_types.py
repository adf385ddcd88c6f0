"""The shapes of what chaff returns: plain dicts, typed for readers and type checkers."""

from __future__ import annotations

import sys
from typing import Dict, List, Union

if sys.version_info >= (3, 11):
    from typing import NotRequired, TypedDict
else:  # pragma: no cover - older interpreters
    from typing_extensions import NotRequired, TypedDict

#: A page: decoded text, or raw bytes that chaff decodes as it decodes files.
Page = Union[str, bytes, bytearray]

#: A run of one script and language inside a line; offsets are characters into the line.
Segment = TypedDict(
    "Segment",
    {"start": int, "end": int, "script": str, "lang": str, "is_address": bool},
)

#: One labeled line, as `chaff label --json` prints it (segments in characters, not bytes),
#: with its 1-based number: the input line of a text page, the block of an HTML page.
Line = TypedDict(
    "Line",
    {
        "class": str,
        "lang": str,
        "probs": Dict[str, float],
        "segments": List[Segment],
        "text": str,
        "line": int,
    },
)


class WarcPage(TypedDict):
    """A cleaned HTML page of a WARC `response` record."""

    url: str
    warc_record_id: str
    date: str
    lang: str
    clean: str
    lines: NotRequired[List[Line]]


class WarcResult(TypedDict):
    """What `clean_warc` makes of a WARC file: every record is a page or a skipped count."""

    records: int
    pages: List[WarcPage]
    skipped: Dict[str, int]
