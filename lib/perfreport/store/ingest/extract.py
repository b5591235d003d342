"""An extract read as text: the rows of a file, each cell as written, with their row numbers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from perfreport.errors import PerfreportError
from perfreport.store.ingest.limits import quoted


@dataclass(frozen=True)
class Extract:
    """The rows of a file as text, with the row number each had in the file."""

    frame: pd.DataFrame
    row_numbers: np.ndarray
    encoding: str | None
    blank_rows: int


def without_blank_rows(frame: pd.DataFrame, header_row: int, encoding: str | None) -> Extract:
    """``frame`` (read from below ``header_row``) without its rows of empty cells, numbered."""
    numbers = np.arange(len(frame)) + header_row + 1
    blank = (
        (frame == "").all(axis=1).to_numpy() if len(frame.columns) else np.zeros(len(frame), bool)
    )
    if not blank.any():  # no copy of the whole extract when there is nothing to drop
        return Extract(frame, numbers, encoding, 0)
    kept = frame.loc[~blank].reset_index(drop=True)
    return Extract(kept, numbers[~blank], encoding, int(blank.sum()))


def guarded(path: Path, what: str, call: Callable[[], Any]) -> Any:
    """``call()``, with anything a file library raises about ``path`` as one line naming it
    ("not a readable ``what``")."""
    try:
        return call()
    except PerfreportError:
        raise
    except Exception as exc:  # pyarrow and openpyxl raise many kinds for a broken file
        text = str(exc).strip()
        detail = text.splitlines()[0] if text else ""
        raise PerfreportError(
            f"{path}: not a readable {what} ({type(exc).__name__}: {quoted(detail)})"
        ) from None


def streamed(path: Path, what: str, start: Callable[[], Iterator[Any]]) -> Iterator[Any]:
    """The items of the iterator ``start()`` makes, each step :func:`guarded` (a parse error
    part-way through is one line naming the file)."""
    items = guarded(path, what, start)
    while True:
        item = guarded(path, what, lambda: next(items, None))
        if item is None:
            return
        yield item
