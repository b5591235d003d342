"""Confidence levels as the statistics functions accept them: 0.95 or 95."""

from __future__ import annotations

CONFIDENCE_RANGE = (0.9, 1.0)


def confidence_level(confidence: float) -> float:
    """0.95 or 95 -> 0.95; outside 0.9 to 1 is an error naming the argument.

    >>> confidence_level(95)
    0.95
    """
    c = float(confidence)
    if c > 1:
        c /= 100
    if not CONFIDENCE_RANGE[0] <= c <= CONFIDENCE_RANGE[1]:
        raise ValueError(f"confidence must be between 0.9 and 1 (or 90 and 100), not {confidence}")
    return c
