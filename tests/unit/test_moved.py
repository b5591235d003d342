"""Modules moved into the layer folders in 0.8 still import by their 0.7 names."""

from __future__ import annotations

import subprocess
import sys

from perfreport.moved import MOVED, new_name


def test_every_old_name_gives_the_moved_module_itself_with_a_warning():
    code = (
        "import importlib, sys, warnings\n"
        "from perfreport.moved import MOVED\n"
        "for old, new in sorted(MOVED.items()):\n"
        "    module = importlib.import_module(new)\n"
        "    with warnings.catch_warnings(record=True) as caught:\n"
        "        warnings.simplefilter('always')\n"
        "        same = importlib.import_module(old) is module\n"
        "    print(old, same, module.__spec__.name, [str(w.message) for w in caught])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out == [
        f"{old} True {new} {[f'{old} moved to {new} in perfreport 0.8; import it from there']}"
        for old, new in sorted(MOVED.items())
    ]


def test_submodules_of_a_moved_package_are_the_same_objects_not_copies():
    code = (
        "import warnings; warnings.simplefilter('ignore')\n"
        "from perfreport.store.ingest.spec import SourceSpec as new\n"
        "from perfreport.ingest.spec import SourceSpec as old\n"
        "from perfreport.demo import load_demo_settings, write_demo\n"
        "print(old is new)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"


def test_names_that_did_not_move_are_left_to_the_import_system():
    assert new_name("perfreport.methods.stats") is None
    assert new_name("perfreport.reports.locality") is None
    assert new_name("perfreport.ingest.load") == "perfreport.store.ingest.load"
