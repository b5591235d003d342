"""A report's open data: ``data.csv``, the tidy figures behind its tables and charts, as its
cycle's disclosure control lets it publish them (read through the one results reader,
:func:`perfreport.assess.results.read_results`; written formula-safe by
:func:`perfreport.store.exports.write_table`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from perfreport.assess.results import OPEN_DATA_COLUMNS, read_results
from perfreport.store.warehouse import connect

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

    from perfreport.build.jobs import Job

DATA_COLUMNS = OPEN_DATA_COLUMNS
"""What the open data publish of each prepared total (the name before
:data:`perfreport.assess.results.OPEN_DATA_COLUMNS`)."""


def open_data(job: Job, con: duckdb.DuckDBPyConnection | None = None) -> pd.DataFrame:
    """The prepared figures a report reads: its areas' observed totals up to its period, after
    its cycle's disclosure control (``suppressed`` says which figures were withheld)."""
    if con is None:
        with connect(job.project.warehouse, read_only=True) as own:
            return open_data(job, own)
    return read_results(
        con,
        job.cycle.disclosure,
        job.areas,
        job.reads,
        columns=OPEN_DATA_COLUMNS,
        until=job.period.end,
        observed_only=True,
    )
