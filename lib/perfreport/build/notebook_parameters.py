"""A report notebook's parameters: what its ``parameters`` cell declares, and checking a job's
values against it before anything runs (unknown names, wrong types, invalid identifiers).

What happens after the notebook ran is elsewhere: whether it is a whole report
(:mod:`perfreport.build.completeness`, :mod:`perfreport.build.hidden_errors`) and the notebook
made fit to publish (:mod:`perfreport.build.scrub`); their names were in this module up to 0.7
and are re-exported here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from perfreport.build.completeness import SKIP_TAG, KernelReplies, incomplete, strip_colour
from perfreport.build.hidden_errors import HIDDEN_OUTPUT_LINES, hidden_error
from perfreport.build.scrub import PLACEHOLDERS, for_publication, machine_folders
from perfreport.errors import PerfreportError

if TYPE_CHECKING:
    from perfreport.build.jobs import Job

__all__ = [
    "HIDDEN_OUTPUT_LINES",
    "PLACEHOLDERS",
    "PYTHON_TYPES",
    "SKIP_TAG",
    "KernelReplies",
    "declared_parameters",
    "for_publication",
    "hidden_error",
    "incomplete",
    "machine_folders",
    "strip_colour",
    "validate_parameters",
]

PYTHON_TYPES: dict[str, type | tuple[type, ...]] = {
    "str": str,
    "int": int,
    "float": (int, float),
    "bool": bool,
}


def validate_parameters(job: Job, seen: dict[str, dict] | None = None) -> None:
    """Refuse parameters the notebook's parameters cell does not declare, or of the wrong type.

    ``seen`` caches each notebook's declared parameters across the jobs of a run.
    """
    seen = {} if seen is None else seen
    notebook = job.project.root / job.cycle.notebook
    if str(notebook) not in seen:
        seen[str(notebook)] = declared_parameters(notebook)
    declared = seen[str(notebook)]
    for name, value in job.parameters.items():
        if not name.isidentifier():
            raise PerfreportError(
                f"{job.cycle.notebook}: parameter {name!r} is not a valid identifier"
            )
        if name not in declared:
            raise PerfreportError(
                f"{job.cycle.notebook}: parameter {name!r} is not in the notebook's parameters "
                f"cell (it declares {', '.join(declared) or 'none'})"
            )
        wanted = PYTHON_TYPES.get(declared[name])
        if wanted is not None and not isinstance(value, wanted):
            raise PerfreportError(
                f"{job.cycle.notebook}: parameter {name!r} must be "
                f"{declared[name]}, not {type(value).__name__}"
            )


def declared_parameters(notebook: Path) -> dict[str, str]:
    """The names and type names in a notebook's ``parameters`` cell, as papermill reads them
    (``name: type = value`` or ``name = value``, whose type is the value's).

    Read with :mod:`ast` rather than ``papermill.inspect_notebook``: importing papermill takes
    over a second, and a run whose reports are all cached should not pay it.
    """
    import ast
    import json

    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    source = next(
        (
            "".join(c["source"])
            for c in cells
            if "parameters" in c.get("metadata", {}).get("tags", [])
        ),
        "",
    )
    declared = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            declared[node.target.id] = ast.unparse(node.annotation)
        elif isinstance(node, ast.Assign):
            kind = (
                type(node.value.value).__name__ if isinstance(node.value, ast.Constant) else "None"
            )
            for target in node.targets:
                if isinstance(target, ast.Name):
                    declared[target.id] = kind
    return declared
