"""Ingesting extracts: source specs, readers, row checks, the transactional load and unload."""

from perfreport.store.ingest.load import LoadSummary, check_file, ingest_file, quarantine_rows
from perfreport.store.ingest.spec import SourceSpec, load_spec
from perfreport.store.ingest.unload import Unloaded, list_loads, unload

__all__ = [
    "LoadSummary",
    "SourceSpec",
    "Unloaded",
    "check_file",
    "ingest_file",
    "list_loads",
    "load_spec",
    "quarantine_rows",
    "unload",
]
