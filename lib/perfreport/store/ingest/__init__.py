"""Ingesting extracts: source specs, readers, row checks and the transactional load."""

from perfreport.store.ingest.load import LoadSummary, check_file, ingest_file, quarantine_rows
from perfreport.store.ingest.spec import SourceSpec, load_spec

__all__ = ["LoadSummary", "SourceSpec", "check_file", "ingest_file", "load_spec", "quarantine_rows"]
