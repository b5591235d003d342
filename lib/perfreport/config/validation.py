"""Validating a params file's entries with pydantic models: one line naming file, line, entry
and field for the first problem, and the base class every params model shares."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from perfreport.errors import PerfreportError, located

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

    from perfreport.config.located import Located

M = TypeVar("M", bound=BaseModel)


class Params(BaseModel):
    """A params entry: unknown fields are refused (a misspelt key is an error, not ignored),
    and the value is frozen once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def exactly_one(self, first: str, second: str, message: str) -> None:
        """Refuse with ``message`` unless exactly one of fields ``first`` and ``second`` is given."""
        if (getattr(self, first) is None) == (getattr(self, second) is None):
            raise ValueError(message)


def field_name(loc: tuple[str | int, ...]) -> str:
    """``('target', 'unit')`` -> ``'target.unit'``; list positions as ``[i]``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validate(model: type[M], item: Located, *, entry: str | None = None) -> M:
    """Validate ``item`` with ``model``; the first problem becomes a one-line user error.

    ``entry`` names the entry (for example ``"entry 'NI-2'"``) in the message.
    """
    if not isinstance(item.value, dict):
        raise PerfreportError(located(item.path, "expected a mapping of fields", line=item.line))
    try:
        return model.model_validate(item.value)
    except ValidationError as exc:
        raise PerfreportError(describe(exc, item, entry=entry)) from None


def describe(exc: ValidationError, item: Located, *, entry: str | None = None) -> str:
    """One line for the first error of ``exc``, with a count of any others."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    loc = item.present(tuple(p for p in first["loc"] if not _is_union_tag(p)))
    message = _message(first)
    prefix = f"{entry}: " if entry else ""
    where = f"field '{field_name(loc)}': " if loc else ""
    more = (
        f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
        if len(errors) > 1
        else ""
    )
    return located(item.path, f"{prefix}{where}{message}{more}", line=item.line_of(loc))


def _is_union_tag(part: str | int) -> bool:
    return isinstance(part, str) and ("[" in part or part in {"list", "dict"})


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a known field (check the spelling)"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{error['input']!r} is not allowed; expected {expected}"
    message = str(error["msg"])
    return message.removeprefix("Value error, ")
