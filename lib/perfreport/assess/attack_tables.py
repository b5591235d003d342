"""A web page's own tables attacked: a column or row whose shown cells add up to a shown total,
with one ``[c]`` among them, gives the withheld cell away."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from perfreport.assess.attack import EXACT, Recovery
from perfreport.methods.suppressed import SYMBOL


class _Tables(HTMLParser):
    """The tables of a page: each a list of rows of cell texts (header cells included)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self._depth = 0
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs) -> None:  # type: ignore[no-untyped-def]
        if tag == "table":
            self._depth += 1
            self.tables.append([])
        elif tag == "tr" and self._depth:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self._depth and self.tables[-1]:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table" and self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


NUMBER = re.compile(r"^[£]?(-?\d[\d,]*(?:\.\d+)?)")
"""A cell's leading figure: ``1,352``, ``41 (44%)``, ``5,809 hours``, ``90.3%``."""


def _number(text: str) -> float | None:
    match = NUMBER.match(text.strip())
    return float(match.group(1).replace(",", "")) if match else None


def _whole(x: float) -> bool:
    return abs(x - round(x)) < EXACT


def _adds_up(cells: dict[int, float], total: int) -> bool:
    parts = [v for k, v in cells.items() if k != total]
    return (
        cells[total] > 0
        and sum(1 for v in parts if v != 0) >= 2
        and abs(cells[total] - sum(parts)) < EXACT * max(1.0, cells[total])
    )


def attack_tables(source: str, page: str) -> list[Recovery]:
    """Suppressed cells of a page's tables that the table's own totals give away.

    In a table whose rows (or columns) add up (a shown cell is the sum of the other shown cells
    of the same line wherever a line has no ``[c]``), a line with exactly one ``[c]`` gives it
    back as its total less its other cells.
    """
    parser = _Tables()
    parser.feed(page)
    found = []
    for n, table in enumerate(parser.tables, start=1):
        width = max((len(r) for r in table), default=0)
        grid = [r + [""] * (width - len(r)) for r in table]
        for kind, lines in (("row", grid), ("column", [list(c) for c in zip(*grid, strict=True)])):
            numbers = [
                {k: v for k, c in enumerate(line) if (v := _number(c)) is not None}
                for line in lines
            ]
            gaps = [[k for k, c in enumerate(line) if c.strip() == SYMBOL] for line in lines]
            totals = {
                total
                for cells, gap in zip(numbers, gaps, strict=True)
                if not gap and len(cells) >= 3
                for total in cells
                if _adds_up(cells, total)
            }
            for at, (line, cells, gap) in enumerate(zip(lines, numbers, gaps, strict=True)):
                if len(gap) != 1:
                    continue
                for total in sorted(totals & set(cells)):
                    missing = cells[total] - sum(v for k, v in cells.items() if k != total)
                    if missing >= 0 and _whole(missing):
                        found.append(
                            Recovery(
                                source, f"table {n}", f"{kind} {at + 1}", line[0], SYMBOL,
                                missing, f"the table's total less its other cells ({kind})",
                            )
                        )  # fmt: skip
                        break
    return found
