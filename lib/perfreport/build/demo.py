"""``perfreport demo``: load a project's demo data into a warehouse that holds nothing else.

The demo data are the generator's invented series (``params/demo.yaml`` ``indicators``, read by
source spec :data:`DEMO_SPEC`) and files shipped with the project (``extracts``), ingested as
they are. A warehouse holding loads of any other source is refused before anything is written,
so the demo never overwrites a real figure.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from perfreport.errors import PerfreportError

if TYPE_CHECKING:
    from perfreport.config.context import Setup
    from perfreport.config.demo import DemoSettings
    from perfreport.store.ingest import LoadSummary

DEMO_SPEC = "demo_observations"
"""The source spec that reads the generator's CSV (``params/sources/demo_observations.yaml``)."""
INIT_DEMO = "make a demo project with `perfreport init DIR --template hscp`"


def demo_settings(setup: Setup) -> DemoSettings:
    """``params/demo.yaml``, checked; a project without one is refused in one line."""
    from perfreport.config.demo import load_demo_settings

    return load_demo_settings(setup.project.demo_file, setup.catalogue, setup.areas)


def generate_demo(setup: Setup, folder: Path | None = None) -> Path:
    """Write the generator's CSV of invented series; returns its path."""
    return _generate(setup, demo_settings(setup), folder or setup.project.demo_data)


def _generate(setup: Setup, settings: DemoSettings, folder: Path) -> Path:
    from perfreport.store.demo import write_demo

    if not settings.indicators:
        raise PerfreportError(
            f"{setup.project.demo_file}: field 'indicators': no invented series, so there is "
            "nothing to generate (the demo's files are listed under 'extracts')"
        )
    return write_demo(settings, setup.catalogue, setup.areas, folder)


def refuse_real_loads(setup: Setup, files: list[tuple[Path, Path]]) -> None:
    """Refuse, in one line, a warehouse holding observations of any load that is not one of the
    demo's ``files`` (spec, file) as they are now: same spec, same bytes (a real file of the
    same name, or real data loaded with the demo's spec, is not the demo's)."""
    from perfreport.store.ingest import load_spec
    from perfreport.store.warehouse import connect, file_sha256

    warehouse = setup.project.warehouse
    if not warehouse.is_file():
        return
    demo = {
        (load_spec(spec).name, file_sha256(path))
        for spec, path in files
        if spec.is_file() and path.is_file()
    }
    with connect(warehouse, read_only=True) as con:
        loads = con.execute(
            "SELECT load_id, spec, source_file, sha256 FROM loads l WHERE EXISTS "
            "(SELECT 1 FROM observations o WHERE o.load_id = l.load_id) ORDER BY load_id"
        ).fetchall()
    for load_id, spec, source_file, sha in loads:
        if (spec, sha) not in demo:
            raise PerfreportError(
                f"{setup.project.relative(warehouse)}: the warehouse holds load {load_id} "
                f"({source_file}, spec {spec}), which is not one of the demo's files as they are "
                f"now; the demo never touches real data: {INIT_DEMO}"
            )


def load_demo(setup: Setup) -> list[tuple[Path, LoadSummary]]:
    """Generate the invented series (if any), then, after :func:`refuse_real_loads`, ingest
    them and the shipped files; returns each file loaded with what its load did."""
    from perfreport.store.ingest import ingest_file, load_spec

    settings = demo_settings(setup)
    if not settings.indicators and not settings.extracts:
        raise PerfreportError(
            f"{setup.project.demo_file}: no 'indicators' and no 'extracts': the demo has "
            "nothing to load"
        )
    root, sources = setup.project.root, setup.project.sources
    files = [(sources / f"{e.spec}.yaml", root / e.file) for e in settings.extracts]
    with tempfile.TemporaryDirectory() as scratch:  # nothing is written before the check
        if settings.indicators:
            drawn = _generate(setup, settings, Path(scratch))
            files.insert(0, (sources / f"{DEMO_SPEC}.yaml", drawn))
        refuse_real_loads(setup, files)
        if settings.indicators:
            setup.project.demo_data.mkdir(parents=True, exist_ok=True)
            generated = Path(shutil.copy(drawn, setup.project.demo_data / drawn.name))
            files[0] = (files[0][0], generated)
    loaded = []
    for spec, path in files:
        if not spec.is_file():
            raise PerfreportError(f"{spec}: the demo's source spec is missing")
        summary = ingest_file(
            setup.project.warehouse, path, load_spec(spec), setup.catalogue, setup.areas
        )
        loaded.append((path, summary))
    return loaded
