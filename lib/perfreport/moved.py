"""Modules of perfreport 0.7 that moved into the layer folders in 0.8, still importable by
their old names (with a ``DeprecationWarning`` naming the new place) so an analyst's notebook
written against 0.7 keeps working: ``import perfreport.stats`` gives
:mod:`perfreport.methods.stats` itself."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from types import ModuleType

LAYERS = {
    "methods": "stats funnels spc run_chart rounding periods recovery",
    "config": "yamlfile areas catalogue framework cycles plans activities strategy project",
    "store": "warehouse exports ingest",
    "assess": "prepare rag framework_rag scorecard disclosure series",
    "present": "charts spc_chart tables commentary",
    "build": "runner kernels render notebook_parameters site publish pipeline audit project_check",
}
MOVED = {
    f"perfreport.{name}": f"perfreport.{layer}.{name}"
    for layer, names in LAYERS.items()
    for name in names.split()
} | {
    "perfreport.demo": "perfreport.store.demo",
    "perfreport.console": "perfreport.cli.console",
}
"""Old module name -> where it lives now."""


def new_name(old: str) -> str | None:
    """Where ``old`` lives now (``perfreport.ingest.spec`` -> ``perfreport.store.ingest.spec``).

    >>> new_name("perfreport.ingest.spec")
    'perfreport.store.ingest.spec'
    >>> new_name("perfreport.methods.stats") is None
    True
    """
    prefix = ".".join(old.split(".")[:2])
    return MOVED[prefix] + old[len(prefix) :] if prefix in MOVED else None


class OldNames(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds an old module name and loads the module it became (one module object, not a copy)."""

    def find_spec(
        self, fullname: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if not fullname.startswith("perfreport.") or new_name(fullname) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        target = new_name(spec.name)
        assert target is not None
        warnings.warn(
            f"{spec.name} moved to {target} in perfreport 0.8; import it from there",
            DeprecationWarning,
            stacklevel=4,
        )
        module = importlib.import_module(target)
        self._spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__ = self._spec  # the import system stamped the old name's spec on it


def install() -> None:
    """Let the old module names import (once per interpreter)."""
    if not any(isinstance(finder, OldNames) for finder in sys.meta_path):
        sys.meta_path.insert(0, OldNames())  # before the path finder, which would load copies
