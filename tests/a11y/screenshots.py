"""Pictures of what will be published, for a person to look at first (``nox -s screenshots``).

For each report type, the first page of one report's PDF (its cover; pdftoppm), and the pages
of the site (Chromium): ``python -m tests.a11y.screenshots [OUTPUTS] [--to FOLDER]``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tests.a11y.browser import first_page, screenshot

SITE_PAGES = ("index.html", "accessibility.html")


def take(outputs: Path, folder: Path) -> list[Path]:
    """One PNG per report type (``<cycle>.png``, of its latest report)
    and one per site page; returns their paths."""
    manifest = json.loads((outputs / "manifest.json").read_text(encoding="utf-8"))["reports"]
    chosen: dict[str, dict] = {}
    for entry in manifest.values():
        best = chosen.get(entry["cycle"])
        if best is None or (entry["period"], entry["area"]) > (best["period"], best["area"]):
            chosen[entry["cycle"]] = entry
    made = [
        first_page(outputs / entry["outputs"]["report.pdf"], folder / f"{cycle}.png")
        for cycle, entry in sorted(chosen.items())
    ]
    made += [
        screenshot(outputs / page, folder / f"site-{Path(page).stem}.png") for page in SITE_PAGES
    ]
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outputs", nargs="?", default="outputs", type=Path)
    parser.add_argument("--to", default=Path("screenshots"), type=Path)
    args = parser.parse_args()
    for path in take(args.outputs, args.to):
        print(path)


if __name__ == "__main__":
    main()
