"""A cycle's disclosure control rule, as ``params/cycles.yaml`` declares it::

    disclosure: {public: true, threshold: 5, round_to: 5}

What the rule does to figures is :mod:`perfreport.assess.disclosure`.
"""

from __future__ import annotations

import json
import math
from typing import Self

from pydantic import Field, model_validator

from perfreport.config.validation import Params

NOTE = (
    "[c] Suppressed to protect confidentiality: counts of 1 to {top}, and figures from which "
    "they could be worked out, are not shown."
)


class Disclosure(Params):
    """A cycle's disclosure control settings."""

    public: bool = False
    """Published to the public: control cannot be turned off."""
    control: bool = True
    threshold: int = Field(5, ge=1, le=100)
    """Counts from 1 to ``threshold - 1`` are suppressed."""
    round_to: int | None = Field(None, ge=2, le=100)
    """Round the counts that are shown to the nearest multiple (5 is common); None: do not."""

    @model_validator(mode="after")
    def _public_reports_are_controlled(self) -> Self:
        if self.public and not self.control:
            raise ValueError("a public report cannot turn disclosure control off (control: false)")
        return self

    @property
    def active(self) -> bool:
        return self.control and self.threshold > 1

    @property
    def note(self) -> str:
        return NOTE.format(top=self.threshold - 1)

    @property
    def key(self) -> str:
        """What the suppression pattern depends on: rules with the same key withhold the
        same figures (so every report of a site under one rule is consistent)."""
        return json.dumps({"threshold": self.threshold, "round_to": self.round_to})

    def is_small(self, count: float | None) -> bool:
        """Whether ``count`` is a count that must be suppressed (0 is not)."""
        return (
            self.active
            and count is not None
            and not math.isnan(count)
            and 0 < count < self.threshold
        )
