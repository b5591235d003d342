"""Checking commentary files: each in a period folder, named after a catalogue indicator (and
an area), in UTF-8, so that a report finds every one it should (``perfreport check`` runs it)."""

from __future__ import annotations

from collections.abc import Container
from pathlib import Path

from perfreport.errors import PerfreportError, located
from perfreport.methods.periods import parse_period

COMMENTARY_NAMES = "<indicator id>.md or <indicator id>@<area code>.md"


def check_commentary(folder: Path, indicators: Container[str], areas: Container[str]) -> int:
    """Check that every commentary file sits where a report will find it; returns how many.

    Each folder under ``folder`` must be named by a period id (``2024-25-Q4``, as
    :attr:`Period.id` writes it), and each file in it ``<indicator>.md`` or
    ``<indicator>@<area>.md`` with an indicator in the catalogue and an area in
    ``params/areas.yaml``, in UTF-8. ``README.md`` at the top is for people; dotfiles are ignored.

    Raises
    ------
    PerfreportError
        Naming the file (line 1, or the line of a byte that is not UTF-8) and what is wrong.
    """
    if not folder.is_dir():
        return 0
    count = 0
    for place in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        if place.is_file():
            if place.suffix == ".md" and place.name != "README.md":
                raise PerfreportError(
                    located(
                        place,
                        f"commentary must be in a period folder: {folder / '<period id>' / place.name}",
                        line=1,
                    )
                )
            continue
        _check_period_folder(place)
        for path in sorted(p for p in place.iterdir() if not p.name.startswith(".")):
            _check_commentary_file(path, indicators, areas)
            count += 1
    return count


def _check_period_folder(place: Path) -> None:
    try:
        period = parse_period(place.name, what="folder name")
    except PerfreportError:
        period = None
    if period is None or period.id != place.name:
        hint = f"; {period.label} is written {period.id}" if period else ""
        raise PerfreportError(
            located(
                place,
                f"folder name {place.name!r} is not a period id such as 2024-25-Q4 (a quarter) "
                f"or FY2024-25 (a financial year){hint}",
            )
        )


def _check_commentary_file(path: Path, indicators: Container[str], areas: Container[str]) -> None:
    if not path.is_file() or path.suffix != ".md":
        raise PerfreportError(
            located(path, f"not a commentary file; name it {COMMENTARY_NAMES}", line=1)
        )
    indicator, _, area = path.stem.partition("@")
    if indicator not in indicators:
        raise PerfreportError(
            located(
                path,
                f"commentary for {indicator!r}, which is not in the indicator catalogue; "
                f"name the file {COMMENTARY_NAMES}",
                line=1,
            )
        )
    if area and area not in areas:
        raise PerfreportError(
            located(
                path,
                f"commentary for area {area!r}, which is not in params/areas.yaml; "
                f"name the file {COMMENTARY_NAMES}",
                line=1,
            )
        )
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PerfreportError(
            located(path, "is not UTF-8 text; save it as UTF-8", line=line)
        ) from None
