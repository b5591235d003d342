"""Exports of warehouse tables to CSV or Excel, safe to open in a spreadsheet.

Text that leaves the warehouse may have come from an untrusted extract. A cell starting with
``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is a formula to Excel and
LibreOffice, so text cells starting that way are prefixed with an apostrophe, as OWASP's CSV
injection guidance advises. Numbers are left alone: ``-5`` in a numeric column stays a number.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from perfreport.errors import PerfreportError

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TABLES = ("observations", "quarantine", "loads", "revisions", "areas", "results")


def safe_text(value: object) -> object:
    """``'=SUM(A1)'`` -> ``"'=SUM(A1)"``; other values unchanged.

    >>> safe_text("=HYPERLINK(1)"), safe_text("Rural Stirling"), safe_text(-5)
    ("'=HYPERLINK(1)", 'Rural Stirling', -5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as formulas."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe_text)
    return out


def write_table(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` as CSV (UTF-8) or Excel (``.xlsx``), by the file's suffix."""
    safe = neutralise(frame)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        safe.to_excel(path, index=False)
    elif path.suffix.lower() == ".csv":
        safe.to_csv(path, index=False)
    else:
        raise PerfreportError(f"parameter '--out': {path} must end in .csv or .xlsx")
    return path
