"""``params/rag.yaml``: the framework RAG's thresholds and the SPC rule set it applies."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from perfreport.config.catalogue import Frequency
from perfreport.config.validation import Params, validate
from perfreport.config.yamlfile import read_yaml

SpcRuleSet = Literal["mdc", "nhsi2017"]
"""The SPC rule sets :mod:`perfreport.methods.spc` knows (``RULE_SETS``): Making Data Count, NHSI 2017."""


class RagSettings(Params):
    """``params/rag.yaml``: the framework RAG's thresholds and the SPC rule set it applies."""

    staleness_months: dict[Frequency, int]
    trend_alpha: float = Field(0.05, gt=0, lt=1)
    trend_minimum_months: int = Field(12, ge=3)
    special_cause_months: int = Field(3, ge=1)
    spc_rules: SpcRuleSet = "mdc"
    spc_minimum_points: int = Field(12, ge=4)
    short_term_months: int = Field(3, ge=1)


def load_rag_settings(path: Path) -> RagSettings:
    return validate(RagSettings, read_yaml(path))
