"""Rounding for display as official statistics do it: half away from zero.

Python's :func:`round` rounds half to even (``round(2.5) == 2``), which official statistics
practice does not use (GSS guidance on rounding; ONS, PHS publications). Values are rounded
from their decimal representation so that ``0.285`` rounds to ``0.29`` as a reader expects.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from perfreport.methods.suppressed import SUPPRESSED, SYMBOL, Suppressed  # noqa: F401 (doctest


def round_half_up(x: float | None, digits: int = 0) -> float | None:
    """Round ``x`` to ``digits`` decimal places, halves away from zero.

    Missing values (``None`` or NaN) stay missing.

    >>> round_half_up(2.5), round_half_up(-2.5), round_half_up(0.285, 2)
    (3.0, -3.0, 0.29)
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP))


def format_number(x: float | None, digits: int = 1, *, missing: str = "no data") -> str:
    """Format ``x`` with thousands separators after rounding half away from zero.

    A figure withheld by disclosure control shows as ``[c]``.

    >>> format_number(12345.25, 1), format_number(None), format_number(SUPPRESSED)
    ('12,345.3', 'no data', '[c]')
    """
    if isinstance(x, Suppressed):
        return SYMBOL
    rounded = round_half_up(x, digits)
    if rounded is None:
        return missing
    return f"{rounded:,.{digits}f}"


def counted(n: int, thing: str) -> str:
    """``n`` things, in words: ``'1 cycle'``, ``'6 cycles'``.

    >>> counted(1, "indicator"), counted(0, "area")
    ('1 indicator', '0 areas')
    """
    return f"{n:,} {thing}" if n == 1 else f"{n:,} {thing}s"
