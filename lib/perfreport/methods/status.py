"""The RAG vocabulary every layer speaks: a status and the plain-English reason for it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NO_TARGET = "no_target"
    NO_DATA = "no_data"

    @property
    def label(self) -> str:
        return {"no_target": "No target", "no_data": "No data"}.get(self.value, self.value.title())


@dataclass(frozen=True)
class Rag:
    """A RAG status and the plain-English reason for it."""

    status: Status
    reason: str

    def __str__(self) -> str:
        return f"{self.status.label}: {self.reason}"
