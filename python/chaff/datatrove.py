"""chaff as a datatrove pipeline step, in the place of datatrove's `Trafilatura` extractor.

>>> from datatrove.executor import LocalPipelineExecutor
>>> from datatrove.pipeline.readers import WarcReader
>>> from datatrove.pipeline.writers import JsonlWriter
>>> from chaff.datatrove import ChaffExtractor
>>> LocalPipelineExecutor(pipeline=[
...     WarcReader("crawl/", glob_pattern="*.warc.gz"),
...     ChaffExtractor(),
...     JsonlWriter("clean/"),
... ], tasks=4).run()  # doctest: +SKIP

This module imports datatrove; ``import chaff`` does not import this module, so chaff works
without datatrove installed.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterator, List, Optional, Union

try:
    from datatrove.pipeline.extractors.base import BaseExtractor
    from datatrove.utils.logging import logger
    from datatrove.utils.typeshelper import StatHints
except ImportError as e:  # pragma: no cover - exercised only without datatrove
    raise ImportError("chaff.datatrove needs datatrove: pip install datatrove (or ./python[datatrove] from chaff's repository)") from e

from ._chaff import Labeler

if TYPE_CHECKING:
    from datatrove.data import Document, DocumentsPipeline

__all__ = ["ChaffExtractor"]


class ChaffExtractor(BaseExtractor):
    """Keeps the editorial (``body``) lines of each HTML document and drops documents left empty.

    Args:
        model_path: a model file of ``chaff train``; None for the model compiled into chaff.
        lang: an ISO 639-3 code (e.g. ``"eng"``); keeps only body lines in that language.
        batch_size: documents cleaned together; a batch runs on every core (or ``threads``)
            without the interpreter lock, so larger batches keep the cores busier.
        timeout: unused. Kept so that ``ChaffExtractor`` takes the arguments of datatrove's
            extractors; datatrove needs a timeout because its extractors may hang on a page and
            run in a sandbox process, but chaff is linear in the page and runs in process.
        threads: threads of each batch; None for every core. With several datatrove workers
            on one machine, set it to about cores / workers so they do not fight for cores.
    """

    name = "🌾 chaff"

    def __init__(
        self,
        model_path: Optional[Union[str, "os.PathLike[str]"]] = None,
        lang: Optional[str] = None,
        batch_size: int = 64,
        timeout: float = 1,
        threads: Optional[int] = None,
    ):
        super().__init__(timeout)
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        self.model_path = None if model_path is None else os.fspath(model_path)
        self.lang = lang
        self.batch_size = batch_size
        self.threads = threads
        # Made on first use: a Labeler does not pickle, and datatrove copies (LocalPipelineExecutor
        # deep-copies the pipeline per task) or pickles (to worker processes) its steps.
        self._labeler: Optional[Labeler] = None

    @property
    def labeler(self) -> Labeler:
        if self._labeler is None:
            self._labeler = Labeler(self.model_path, threads=self.threads)
        return self._labeler

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_labeler"] = None
        return state

    def extract(self, text: str) -> str:
        """The body lines of one HTML page; `run` cleans whole batches instead."""
        return self.labeler.clean(text, "html", lang=self.lang)

    def run(
        self, data: "DocumentsPipeline", rank: int = 0, world_size: int = 1
    ) -> "DocumentsPipeline":
        """Cleans documents a batch at a time, with the stats of datatrove's extractors."""
        if data is None:
            return
        # A bad model path or language code fails here, before any input is read, rather
        # than as an error on every page.
        self.labeler.clean("", "text", lang=self.lang)
        batch: List["Document"] = []
        for doc in data:
            self.stat_update(StatHints.total)
            batch.append(doc)
            if len(batch) >= self.batch_size:
                yield from self._clean(batch)
                batch = []
        if batch:
            yield from self._clean(batch)

    def _clean(self, batch: List["Document"]) -> Iterator["Document"]:
        with self.track_time(unit="batch"):
            try:
                texts: List[Optional[str]] = list(
                    self.labeler.clean_batch([doc.text for doc in batch], "html", lang=self.lang)
                )
            except Exception:
                # One page spoils the whole batch call: clean one at a time to lose only it.
                texts = [self._clean_one(doc.text) for doc in batch]
        for doc, text in zip(batch, texts):
            if text is None:
                continue
            self.stat_update("extracted")
            doc.text = text
            if text:
                self.stat_update(StatHints.forwarded)
                self.update_doc_stats(doc)
                yield doc
            else:
                self.stat_update(StatHints.dropped)

    def _clean_one(self, page: str) -> Optional[str]:
        try:
            return self.labeler.clean(page, "html", lang=self.lang)
        except Exception as e:
            self.stat_update("clean_error")
            if not self._warned_error:
                logger.warning(
                    f'❌ Error "{e}" while cleaning record text. Skipping record. '
                    "This message will only appear once."
                )
                self._warned_error = True
            return None
