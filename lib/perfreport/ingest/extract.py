"""An extract read as text: the rows of a file, each cell as written, with their row numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


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
