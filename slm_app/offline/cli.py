"""The command line: ``python -m slm_app.offline DIR --month 2026-03`` (see docs/offline.md).

Exit codes: 0 when the months were computed; 2 when the input is unusable (a bad calendar, agreement or
target; a missing table or column; a bad month or --as-of; with ``--strict``, any bad measurement row) and
nothing was written; 3 when the months were computed and written but every row of some measurement table
was bad, so the results count none of it.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

from slm_app.core.errors import RuleError
from slm_app.core.periods import next_month, parse_months, period_key
from slm_app.offline import compute
from slm_app.offline.checks import Bundle, consistency, load_folder
from slm_app.offline.output import consistency_table, readable_table, summary, write_outputs, write_tables
from slm_app.offline.reading import FolderError, need_pyarrow

ALL_BAD = 3


def parse_as_of(value: str, bundle: Bundle) -> datetime:
	"""--as-of as an aware instant; without an offset it is read in the agreements' time zone when they
	share one."""
	try:
		dt = dateparser.isoparse(value.strip())
	except (ValueError, OverflowError):
		raise FolderError([f"--as-of {value} is not an ISO date and time, e.g. 2026-04-02T09:00:00+08:00"]) from None
	if dt.tzinfo is None or dt.utcoffset() is None:
		zones = bundle.time_zones()
		if len(zones) > 1:
			raise FolderError([f"--as-of {value} has no offset and the agreements use {', '.join(zones)}; add one such as +08:00"])
		dt = dt.replace(tzinfo=ZoneInfo(zones[0] if zones else "UTC"))
	return dt.astimezone(timezone.utc)


def parser() -> argparse.ArgumentParser:
	p = argparse.ArgumentParser(
		prog="python -m slm_app.offline",
		description="Compute months of SLA / OLA / UC monitoring from a folder of CSV or Parquet files "
		"(format: docs/offline.md), without a Frappe site.",
	)
	p.add_argument("dir", metavar="DIR", help="folder with calendars, agreements, targets and measurements")
	which = p.add_mutually_exclusive_group(required=True)
	which.add_argument("--month", help="the month to compute, e.g. 2026-03")
	which.add_argument("--months", help="the months to compute, e.g. 2026-01..2026-06 (both included), or one month")
	p.add_argument(
		"--as-of",
		help="the instant open tickets are judged at (ISO, e.g. 2026-04-02T09:00:00+08:00); default: the end of "
		"the month in each agreement's own time zone",
	)
	p.add_argument("--out", help="output folder (default: DIR/out/YYYY-MM, or DIR/out with one folder per month)")
	p.add_argument("--format", choices=("csv", "parquet"), default="csv", help="output files (default: csv)")
	p.add_argument("--strict", action="store_true", help="stop at any bad measurement row and write nothing")
	return p


def main(argv: list[str] | None = None, stdout=None, stderr=None) -> int:
	stdout = stdout or sys.stdout
	stderr = stderr or sys.stderr

	def err(line: str) -> None:
		print(line, file=stderr)

	def out(line: str = "") -> None:
		print(line, file=stdout)

	try:
		args = parser().parse_args(argv)
	except SystemExit as e:
		return e.code if isinstance(e.code, int) else 2
	try:
		months = parse_months(args.months or args.month, field="months" if args.months else "month")
	except RuleError as e:
		err(f"--{'months' if args.months else 'month'}: {e.format()}")
		return 2
	try:
		if args.format == "parquet":
			need_pyarrow("write")
		bundle = load_folder(args.dir)
		as_of = parse_as_of(args.as_of, bundle) if args.as_of else None
	except FolderError as e:
		for line in e.messages:
			err(line)
		err("Nothing was computed.")
		return 2
	if bundle.not_counted:
		err(
			"agreements not monitored (not signed and in force): "
			+ ", ".join(f"{name} ({state or 'no state'})" for name, state in bundle.not_counted)
		)
	for p in bundle.problems:
		err(p.format())
	skipped = bundle.skipped()
	if bundle.problems and args.strict:
		bad = len({(p.table, p.row) for p in bundle.problems})
		err(f"--strict: {len(bundle.problems)} problem(s) in {bad} bad row(s); nothing was computed or written.")
		return 2
	for table, (bad, total) in skipped.items():
		err(f"{table}: {bad} of {total} row(s) skipped, {total - bad} kept")

	# one month: its files in --out (default DIR/out/YYYY-MM); several: a folder per month in --out (DIR/out)
	one = len(months) == 1 and not args.months
	root = Path(args.out) if args.out else Path(args.dir) / "out"
	written = []
	for year, month in months:
		folder = (Path(args.out) if args.out else root / period_key(year, month)) if one else root / period_key(year, month)
		m = compute(bundle, year, month, as_of)
		written += write_outputs(folder, args.format, m.results, m.breaches, m.missed)
		if not one:
			out(f"== {period_key(year, month)}")
		out(readable_table(m.results, m.targets))
		out()
		out(summary(m.results, year, month))
	last = date(*next_month(*months[-1]), 1) - timedelta(days=1)
	conflicts = consistency(bundle, date(*months[0], 1), last)
	written += write_tables(folder if one else root, args.format, {"consistency": consistency_table(conflicts)})

	if as_of:
		when = "as of " + as_of.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
	else:
		when = "open tickets judged at the end of the month in each agreement's time zone"
	out(f"{when}; wrote {', '.join(str(p) for p in written)}")
	if skipped:
		out("skipped rows (named on standard error): " + ", ".join(f"{t} {bad} of {total}" for t, (bad, total) in skipped.items()))
	slas = len({sla for sla, _c in conflicts})
	out(f"underpinning consistency: {len(conflicts)} conflict(s) in {slas} SLA version(s)" if conflicts else "underpinning consistency: no conflicts")
	for sla, c in conflicts:
		err(f"consistency {sla}: {c.format()}")
	all_bad = bundle.all_bad()
	if all_bad:
		for table in all_bad:
			err(f"{table}: every row was bad; the results count none of them")
		return ALL_BAD
	return 0
