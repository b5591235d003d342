"""The key reference (``docs/reference.md``), generated from the pydantic models that validate
every params file, so the documentation cannot drift from what is accepted.

Run ``python -m perfreport.build.reference > docs/reference.md`` after changing a model;
``tests/unit/test_reference.py`` fails while the file differs from what this writes. Each
section documents every model defined in its modules (in source order) and every model their
fields hold, so a model added to one of those modules appears without a change here. A field's
description is its attribute docstring (the string literal under it) or its
``Field(description=...)``; failing both, :data:`NOTES` gives one.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import itertools
import sys
import types
import typing
from dataclasses import dataclass
from datetime import date
from enum import Enum

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from perfreport.build.reference_notes import NOTES


@dataclass(frozen=True)
class Section:
    """One params file (or folder of files) and the modules whose models validate it."""

    title: str
    where: str
    modules: tuple[str, ...]
    intro: str


SECTIONS = (
    Section(
        "Source specs",
        "params/sources/NAME.yaml",
        ("perfreport.store.ingest.spec",),
        "How `perfreport ingest NAME FILE` reads one shape of extract (`SourceSpec` is the file).",
    ),
    Section(
        "Catalogue entries",
        "params/catalogue/*.yaml, each item of `indicators:`",
        ("perfreport.config.catalogue",),
        "One indicator each (`Indicator`), with its targets and scorecard place.",
    ),
    Section(
        "Framework",
        "params/framework.yaml",
        ("perfreport.config.framework",),
        "The vocabulary catalogue entries are checked against (`Framework` is the file).",
    ),
    Section(
        "Areas",
        "params/areas.yaml",
        ("perfreport.config.areas",),
        "The areas reported on, each item of `areas:` (`Area`), and their types.",
    ),
    Section(
        "Cycles",
        "params/cycles.yaml",
        ("perfreport.config.cycles", "perfreport.config.disclosure"),
        "The reports: each item of `cycles:` (`Cycle`), and `accessibility:`. The file also "
        "needs `organisation:`, the name reports and the site print.",
    ),
    Section(
        "RAG settings",
        "params/rag.yaml",
        ("perfreport.config.rag_settings",),
        "The framework RAG's thresholds and the SPC rule set.",
    ),
    Section(
        "Wording",
        "params/wording.yaml",
        ("perfreport.config.wording",),
        "The words reports print that depend on the kind of organisation (optional file).",
    ),
    Section(
        "Demo settings",
        "params/demo.yaml",
        ("perfreport.config.demo",),
        "Optional, read only by `perfreport demo` and `generate-demo` (`DemoSettings` is the "
        "file).",
    ),
)
SCALARS = {
    str: "text",
    int: "whole number",
    float: "number",
    bool: "true or false",
    date: "date (YYYY-MM-DD)",
    type(None): "null",
}


def reference() -> str:
    """The whole of ``docs/reference.md``."""
    parts = [
        "# Key reference\n\n"
        "Every key of every params file, generated from the models that validate them "
        "(`python -m perfreport.build.reference > docs/reference.md`; a test fails while this "
        "file is out of date). A key not listed is refused, naming the file and line.\n"
    ]
    seen: set[type[BaseModel]] = set()
    for section in SECTIONS:
        parts.append(f"\n## {section.title}\n\n`{section.where}`. {section.intro}\n")
        for model in _models(section.modules, seen):
            parts.append(_model_table(model))
    return "".join(parts)


def _models(modules: tuple[str, ...], seen: set[type[BaseModel]]) -> list[type[BaseModel]]:
    """The models defined in ``modules`` and those their fields hold (not already documented
    in an earlier section): the outermost first, each followed by the models it holds."""
    found: list[type[BaseModel]] = []
    for name in modules:
        module = importlib.import_module(name)
        defined = [
            value
            for value in vars(module).values()
            if inspect.isclass(value) and issubclass(value, BaseModel) and value.__module__ == name
        ]
        defined.sort(key=lambda model: inspect.getsourcelines(model)[1])
        found += defined
    held = {
        m for model in found for i in model.model_fields.values() for m in _nested(i.annotation)
    }
    # the files' own models first (those no other model holds), each followed by what it holds
    queue, out = [m for m in found if m not in held] + found, []
    while queue:
        model = queue.pop(0)
        if model in seen:
            continue
        seen.add(model)
        out.append(model)
        inner = [m for i in model.model_fields.values() for m in _nested(i.annotation)]
        queue = [m for m in inner if m not in seen] + queue
    return out


def _nested(annotation: object) -> list[type[BaseModel]]:
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _nested(arg)]


def _model_table(model: type[BaseModel]) -> str:
    own = model.__dict__.get("__doc__")  # not a docstring inherited from Params
    summary = inspect.cleandoc(own).split("\n\n")[0] if own else ""
    head = f"\n### {model.__name__}\n\n" + (f"{_plain(summary)}\n\n" if summary else "")
    rows = ["| key | type | default | description |", "|---|---|---|---|"]
    docs = _attribute_docs(model)
    for name, info in model.model_fields.items():
        description = info.description or docs.get(name) or NOTES.get(f"{model.__name__}.{name}")
        rows.append(
            f"| `{info.alias or name}` | {readable(info.annotation)}{_limits(info)} | "
            f"{_default(info)} | {_plain(description or '')} |"
        )
    return head + "\n".join(rows) + "\n"


def _attribute_docs(model: type[BaseModel]) -> dict[str, str]:
    """Each field's attribute docstring: the string literal right under it in the class."""
    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (inspect.isclass(cls) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        body = ast.parse(inspect.getsource(cls)).body[0].body  # type: ignore[attr-defined]
        for node, after in itertools.pairwise(body):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                docs[node.target.id] = inspect.cleandoc(after.value.value)
    return docs


def readable(annotation: object) -> str:
    """A type as a reader of the reference needs it: ``one of: sum, mean``, ``list of text``.

    >>> readable(typing.Literal["sum", "mean"])
    'one of: `sum`, `mean`'
    >>> readable(tuple[str, ...] | None)
    'list of text'
    """
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Literal:
        return "one of: " + ", ".join(f"`{value}`" for value in args)
    if origin in (typing.Union, types.UnionType):
        kept = [arg for arg in args if arg is not type(None)]
        return " or ".join(readable(arg) for arg in kept)
    if origin in (tuple, list):
        return f"list of {readable(args[0])}" if args else "list"
    if origin is dict:
        return f"mapping of {readable(args[0])} to {readable(args[1])}"
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
    if inspect.isclass(annotation) and issubclass(annotation, Enum):
        return "one of: " + ", ".join(f"`{member.value}`" for member in annotation)
    return SCALARS.get(annotation, getattr(annotation, "__name__", str(annotation)))  # type: ignore[call-overload]


def _limits(info: FieldInfo) -> str:
    """The field's bounds and pattern, in words."""
    words = []
    for item in info.metadata:
        for attr, word in (
            ("ge", "at least"),
            ("gt", "above"),
            ("le", "at most"),
            ("lt", "below"),
            ("min_length", "at least"),
            ("max_length", "at most"),
            ("pattern", "matching"),
        ):
            value = getattr(item, attr, None)
            if value is not None:
                suffix = " long" if attr.endswith("length") else ""
                shown = f"`{value}`" if attr == "pattern" else f"{value:,}"
                words.append(f"{word} {shown}{suffix}")
    return f", {', '.join(words)}" if words else ""


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    value = info.get_default(call_default_factory=True, validated_data={})
    if value is None:
        return "none"
    if isinstance(value, BaseModel):
        return "its defaults"
    if isinstance(value, tuple | list | dict) and not value:
        return "empty"
    if value == "":
        return "empty text"
    if isinstance(value, tuple):
        return ", ".join(f"`{v}`" if v else '`""`' for v in value)
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def _plain(text: str) -> str:
    """One table cell: reStructuredText roles and double backquotes as Markdown, no newlines
    or pipes."""
    for role in (":data:", ":class:", ":func:", ":mod:", ":meth:"):
        text = text.replace(role, "")
    text = text.replace("`~", "`")
    return " ".join(text.replace("``", "`").replace("|", "\\|").split())


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(reference())
