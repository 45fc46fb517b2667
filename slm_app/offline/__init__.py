"""Offline monitoring (SL4.1, SL4.2): the site's month pipeline on a folder of CSV or Parquet files.

    python -m slm_app.offline DIR --month 2026-03 [--as-of ISO] [--out OUTDIR] [--format csv|parquet] [--strict]
    python -m slm_app.offline DIR --months 2026-01..2026-06

A monitor can compute months anywhere, without a Frappe site: agreements and targets, calendars and
measurements in; the monitoring table, the breach list, the tickets that missed and the underpinning
consistency conflicts out, as files and as a readable table. The folder format is described in
docs/offline.md; the site's exporter writes exactly it.

The package: :mod:`~slm_app.offline.reading` (the tables and files), :mod:`~slm_app.offline.checks` (the
core's checks into a :class:`Bundle`, the consistency check), :mod:`~slm_app.offline.output` (files and the
readable table) and :mod:`~slm_app.offline.cli` (the command). The numbers come from the same core path
as the site's monthly job: :func:`slm_app.core.month.compute_month`, with the measurement rows matched to
agreements by :mod:`slm_app.core.directory` and checked by :mod:`slm_app.core.measurements`.
"""

from __future__ import annotations

from datetime import datetime

from slm_app.core.month import Month, MonthInput, compute_month
from slm_app.offline.checks import Bundle, RowProblem, load_folder, load_tables, located  # noqa: F401
from slm_app.offline.output import (  # noqa: F401
	BREACH_FILE_COLUMNS,
	CONSISTENCY_COLUMNS,
	MISSED_COLUMNS,
	MONITORING_COLUMNS,
)
from slm_app.offline.reading import MEASUREMENT_TABLES, TABLES, FolderError  # noqa: F401


def month_input(bundle: Bundle, year: int, month: int, as_of: datetime | None = None) -> MonthInput:
	"""The core's input for one month of the folder: nothing was computed or recorded before, so every
	result is written and every breach is new."""
	return MonthInput(
		year,
		month,
		bundle.versions,
		bundle.target_rows,
		bundle.calendars,
		bundle.measurements,
		links=bundle.links,
		sla_parties=bundle.sla_parties,
		as_of=as_of,
	)


def compute(bundle: Bundle, year: int, month: int, as_of: datetime | None = None) -> Month:
	"""One month of the folder through the core's month pipeline. Without ``as_of`` each agreement's open
	tickets are judged at the end of the month in its own time zone, exactly as the site's monthly job
	judges them."""
	return compute_month(month_input(bundle, year, month, as_of))


def run(bundle: Bundle, year: int, month: int, as_of: datetime | None = None):
	"""The month's results (compliance.RESULT_COLUMNS + record, write), breaches (breaches.BREACH_COLUMNS,
	name, record, affected customer and users, underpinning_breached), attribution and missed tickets."""
	m = compute(bundle, year, month, as_of)
	return m.results, m.breaches, m.attribution, m.missed


def main(argv=None, stdout=None, stderr=None) -> int:
	from slm_app.offline.cli import main as command

	return command(argv, stdout, stderr)
