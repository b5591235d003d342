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
from types import CodeType, ModuleType

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
        warnings.warn(  # stacklevel 2: the import statement (the import system's frames are skipped)
            f"{spec.name} moved to {target} in perfreport 0.8; import it from there",
            DeprecationWarning,
            stacklevel=2,
        )
        module = importlib.import_module(target)
        spec.loader_state = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        # the import system stamped the old name's spec on the module: give it back its own
        assert module.__spec__ is not None
        module.__spec__ = module.__spec__.loader_state

    def get_code(self, fullname: str) -> CodeType | None:
        """The moved module's code, so that ``python -m perfreport.<old name>`` runs it."""
        target = new_name(fullname)
        assert target is not None
        found = importlib.util.find_spec(target)
        loader = found.loader if found is not None else None
        return loader.get_code(target) if isinstance(loader, importlib.abc.InspectLoader) else None


def install() -> None:
    """Let the old module names import (once per interpreter)."""
    if not any(isinstance(finder, OldNames) for finder in sys.meta_path):
        sys.meta_path.insert(0, OldNames())  # before the path finder, which would load copies
