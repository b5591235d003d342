"""Imports deferred until first use, for a library that pays at import for what a build never
uses.

``jsonschema`` (imported by ``nbformat``, so by papermill and nbconvert in every worker) loads
every format checker it can find when it is imported. Where the ``format-nongpl`` extra is
installed (``jupyter-events``, so JupyterLab, brings it), one of them, ``rfc3987_syntax``,
compiles 35 Earley parsers at import: about 1.2 s of CPU in each process, for the ``iri``
formats that no notebook schema uses (python-jsonschema/jsonschema#1428). :func:`defer` puts a
stand-in for such a module in ``sys.modules``: ``from rfc3987_syntax import is_valid_syntax``
then takes a function that imports the real module on its first call and hands the call on,
so a schema that does check an IRI is checked exactly as before. A module that is not
installed gets no stand-in: the import still fails, as the library expects.

The ``perfreport`` command calls :func:`defer` first; its workers are forks of it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any

SLOW_IMPORTS = {"rfc3987_syntax": ("is_valid_syntax",)}
"""Each module deferred, with the names a library takes from it at import."""


class Deferred(types.ModuleType):
    """A stand-in for a module not yet imported: its listed functions import it when called,
    any other name imports it at once (but the import system's own questions, such as
    whether it has a ``__path__``, which it asks of every ``from`` import)."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return getattr(load(self.__name__), name)


def defer(modules: Mapping[str, tuple[str, ...]] = SLOW_IMPORTS) -> None:
    """Stand in for each of ``modules`` that is installed and not yet imported."""
    for name, functions in modules.items():
        if name in sys.modules or importlib.util.find_spec(name) is None:
            continue
        stand_in = Deferred(name)
        for function in functions:
            setattr(stand_in, function, _on_first_call(name, function))
        sys.modules[name] = stand_in


def load(name: str) -> types.ModuleType:
    """The real module ``name``, imported now if only its stand-in is there."""
    if isinstance(sys.modules.get(name), Deferred):
        del sys.modules[name]
    return importlib.import_module(name)


def _on_first_call(module: str, function: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(load(module), function)(*args, **kwargs)

    call.__name__ = call.__qualname__ = function
    return call
