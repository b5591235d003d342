"""The reasons each row of an extract is refused, gathered by vectorised checks."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


class Reasons:
    """Reasons per row position, gathered rule by rule."""

    def __init__(self, n: int) -> None:
        self.n = n
        self._positions: list[np.ndarray] = []
        self._messages: list[np.ndarray] = []

    def add(
        self, mask: np.ndarray | pd.Series, message: Callable[[np.ndarray], list[str]] | str
    ) -> None:
        where = np.flatnonzero(np.asarray(mask, dtype=bool))
        if where.size == 0:
            return
        texts = [message] * where.size if isinstance(message, str) else message(where)
        self._positions.append(where)
        self._messages.append(np.asarray(texts, dtype=object))

    def bad(self) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        for where in self._positions:
            out[where] = True
        return out

    def joined(self) -> dict[int, str]:
        if not self._positions:
            return {}
        positions = np.concatenate(self._positions)
        messages = np.concatenate(self._messages)
        order = np.argsort(positions, kind="stable")
        out: dict[int, list[str]] = {}
        for pos, msg in zip(positions[order], messages[order], strict=True):
            out.setdefault(int(pos), []).append(str(msg))
        return {pos: "; ".join(dict.fromkeys(msgs)) for pos, msgs in out.items()}
