"""The marker of a figure withheld by disclosure control, and the symbol tables show for it."""

from __future__ import annotations

SYMBOL = "[c]"
"""The ONS and GSS symbol for a figure withheld as confidential."""


class Suppressed(float):
    """A figure withheld by disclosure control: a NaN that knows why it is missing.

    Arithmetic on it gives a plain NaN, so anything worked out from it is missing too; display
    code shows it as ``[c]`` rather than "no data".
    """

    def __new__(cls) -> Suppressed:
        return super().__new__(cls, "nan")

    def __repr__(self) -> str:
        return "SUPPRESSED"


SUPPRESSED = Suppressed()
