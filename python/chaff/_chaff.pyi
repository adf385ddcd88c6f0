"""Types of the extension module chaff._chaff (built from python/src/lib.rs)."""

import os
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Union

from ._types import Line, Page, WarcResult

__version__: str
#: The model file format this build reads; other versions are refused.
MODEL_FORMAT_VERSION: int
#: The feature layout this build's models are trained on.
FEATURE_VERSION: int

class ChaffError(ValueError):
    """Input or a model file chaff cannot read; the message names where and what."""

class Labeler:
    """Labels pages with a chaff model: the built-in one, or a model file."""

    def __init__(
        self,
        model_path: Optional[Union[str, "os.PathLike[str]"]] = None,
        *,
        threads: Optional[int] = None,
    ) -> None: ...
    @property
    def model_path(self) -> Optional[Path]: ...
    @property
    def model_info(self) -> Dict[str, Union[int, bool]]: ...
    def clean(
        self,
        page: Page,
        format: str = "auto",
        *,
        lang: Optional[str] = None,
        encoding: Optional[str] = None,
    ) -> str: ...
    def label(
        self, page: Page, format: str = "auto", *, encoding: Optional[str] = None
    ) -> List[Line]: ...
    def clean_batch(
        self,
        pages: Iterable[Page],
        format: str = "auto",
        *,
        lang: Optional[str] = None,
        encoding: Optional[str] = None,
    ) -> List[str]: ...
    def label_batch(
        self, pages: Iterable[Page], format: str = "auto", *, encoding: Optional[str] = None
    ) -> List[List[Line]]: ...
    def clean_warc(
        self,
        source: Union[str, "os.PathLike[str]", bytes],
        *,
        lang: Optional[str] = None,
        label: bool = False,
    ) -> WarcResult: ...
