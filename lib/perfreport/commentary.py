"""Analyst commentary: markdown files under ``params/commentary/<period>/``.

``<indicator>.md`` is about the partnership; ``<indicator>@<area>.md`` about one area and
preferred for it. Files are read as written; reports sanitise the HTML they render from them.
"""

from __future__ import annotations

from pathlib import Path

from perfreport.periods import Period


def commentary_for(
    folder: Path, period: Period, indicator: str, area: str | None = None
) -> str | None:
    """The commentary for an indicator in a period (an area's own first), or None."""
    base = folder / period.id
    for name in ([f"{indicator}@{area}.md"] if area else []) + [f"{indicator}.md"]:
        path = base / name
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
    return None


def commentary_in(folder: Path, period: Period) -> dict[str, str]:
    """Every commentary file of a period, keyed by its file name without ``.md``."""
    base = folder / period.id
    if not base.is_dir():
        return {}
    return {p.stem: p.read_text(encoding="utf-8").strip() for p in sorted(base.glob("*.md"))}
