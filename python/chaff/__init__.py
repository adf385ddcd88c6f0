"""chaff separates the editorial text of scraped news pages from their chaff.

Every line of a page (a text line, or a block of an HTML page) gets a class (``body``,
``chrome``, ``copyright``, ``byline``, ``related``) and a language (ISO 639-3); cleaning keeps
the ``body`` lines, in order and as given.

>>> import chaff
>>> page = '''<html><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
... <h1>Seoul expands late-night bus routes</h1>
... <p>Seoul will expand its late-night bus service to three routes next year, the city said Tuesday.</p>
... <p>The buses will run between midnight and five in the morning on weekdays, officials said.</p>
... <footer>Copyright © The Example Times. All rights reserved.</footer></body></html>'''
>>> print(chaff.clean(page))
Seoul expands late-night bus routes
Seoul will expand its late-night bus service to three routes next year, the city said Tuesday.
The buses will run between midnight and five in the morning on weekdays, officials said.
>>> [line["class"] for line in chaff.label(page)]
['chrome', 'body', 'body', 'body', 'copyright']

The functions here use the model compiled into chaff; `Labeler` loads another (a model file
of `chaff train`) and takes options. Batch calls (`clean_batch`, `label_batch`) label on every
core without holding the interpreter lock.
"""

from __future__ import annotations

import os
from typing import Iterable, List, Optional, Union

from ._chaff import FEATURE_VERSION, MODEL_FORMAT_VERSION, ChaffError, Labeler, __version__
from ._types import Line, Page, Segment, WarcPage, WarcResult

__all__ = [
    "ChaffError",
    "FEATURE_VERSION",
    "Labeler",
    "Line",
    "MODEL_FORMAT_VERSION",
    "Page",
    "Segment",
    "WarcPage",
    "WarcResult",
    "__version__",
    "clean",
    "clean_batch",
    "clean_warc",
    "default_labeler",
    "label",
    "label_batch",
]

_default: Optional[Labeler] = None


def default_labeler() -> Labeler:
    """The labeler with the model compiled into chaff, made on first use and then shared."""
    global _default
    if _default is None:
        _default = Labeler()
    return _default


def clean(
    page: Page, format: str = "auto", *, lang: Optional[str] = None, encoding: Optional[str] = None
) -> str:
    """The page's editorial lines joined by newlines; see `Labeler.clean`."""
    return default_labeler().clean(page, format, lang=lang, encoding=encoding)


def label(page: Page, format: str = "auto", *, encoding: Optional[str] = None) -> List[Line]:
    """A record for every line chaff labels; see `Labeler.label`."""
    return default_labeler().label(page, format, encoding=encoding)


def clean_batch(
    pages: Iterable[Page],
    format: str = "auto",
    *,
    lang: Optional[str] = None,
    encoding: Optional[str] = None,
) -> List[str]:
    """`clean` of each page, on every core; see `Labeler.clean_batch`."""
    return default_labeler().clean_batch(pages, format, lang=lang, encoding=encoding)


def label_batch(
    pages: Iterable[Page], format: str = "auto", *, encoding: Optional[str] = None
) -> List[List[Line]]:
    """`label` of each page, on every core; see `Labeler.label_batch`."""
    return default_labeler().label_batch(pages, format, encoding=encoding)


def clean_warc(
    source: Union[str, "os.PathLike[str]", bytes], *, lang: Optional[str] = None, label: bool = False
) -> WarcResult:
    """The HTML pages of a WARC file, cleaned; see `Labeler.clean_warc`."""
    return default_labeler().clean_warc(source, lang=lang, label=label)
