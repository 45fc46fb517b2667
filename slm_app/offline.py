"""Offline monitoring (SL4.1, SL4.2): the site's compliance engine on a folder of CSV or Parquet files.

    python -m slm_app.offline DIR --month 2026-03 [--as-of ISO] [--out OUTDIR] [--format csv|parquet] [--strict]

A monitor can compute a month anywhere, without a Frappe site: agreements and targets, calendars and
measurements in; the monitoring table, the breach list and the tickets that missed out, as files and as a
readable table. The folder format is described in docs/offline.md; the site's exporter writes exactly it.

The numbers come from the same core as on the site: calendars from :func:`slm_app.core.calendar.build_calendar`,
measurement rows checked by :mod:`slm_app.core.measurements`, results from
:func:`slm_app.core.compliance.evaluate`, breaches and underpinning attribution from
:mod:`slm_app.core.breaches`. The site can call :func:`load_tables` (or :func:`load_folder`) and :func:`run`
to take the very same path.

Exit codes: 0 when the month was computed (breaches or not), 2 when the input is unusable (a bad calendar,
agreement or target; a missing table or column; with ``--strict``, any bad measurement row).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from dateutil import parser as dateparser

from slm_app.core import breaches as core_breaches
from slm_app.core import calendar as cal
from slm_app.core import compliance, lifecycle
from slm_app.core import measurements as ms
from slm_app.core import targets as tgt
from slm_app.core.errors import Problem
from slm_app.core.periods import month_bounds

# agreements signed and in force at some time; only these are monitored (as on the site)
IN_FORCE_STATES = (lifecycle.ACTIVE, lifecycle.EXPIRED, lifecycle.TERMINATED, lifecycle.SUPERSEDED)


@dataclass(frozen=True)
class Table:
	required: tuple[str, ...]
	optional: tuple[str, ...] = ()
	needed: bool = False  # the folder must have this table


TABLES: dict[str, Table] = {
	"calendars": Table(("calendar", "timezone"), needed=True),
	"calendar_windows": Table(("calendar", "weekday", "start_time", "end_time"), needed=True),
	"calendar_exceptions": Table(
		("calendar", "exception_date", "exception_type"), ("start_time", "end_time")
	),
	"agreements": Table(
		("agreement", "agreement_code", "version", "agreement_type", "party", "calendar"),
		("valid_from", "valid_to", "state"),
		needed=True,
	),
	"targets": Table(
		("agreement", "target_code", "service", "metric_kind", "target_value"),
		("metric_name", "unit", "direction", "priority", "time_unit", "compliance_share"),
		needed=True,
	),
	"underpinning": Table(("sla_agreement", "sla_target", "underpinning_code", "underpinning_target")),
	"tickets": Table(
		("ticket_id", "created"),
		("agreement", "service", "customer", "priority", "first_response", "resolved"),
	),
	"pauses": Table(("ticket_id", "start"), ("end",)),
	"outages": Table(("service", "start", "end"), ("planned",)),
	"coverage": Table(("service", "start", "end")),
	"metrics": Table(("agreement", "value"), ("target", "target_code", "at", "period")),
}
MEASUREMENT_TABLES = ("tickets", "pauses", "outages", "coverage", "metrics")

MONITORING_COLUMNS = ["occurred" if c == "occurred_ns" else c for c in compliance.RESULT_COLUMNS]
BREACH_FILE_COLUMNS = [
	"name",
	*("occurred" if c == "occurred_ns" else c for c in core_breaches.BREACH_COLUMNS),
	"underpinning_breached",
]
MISSED_COLUMNS = ["agreement", "target_code", "ticket_id", "elapsed_minutes", "target_minutes", "deadline"]


class FolderError(Exception):
	"""The folder cannot be computed: every reason found, each a line a user can act on."""

	def __init__(self, messages: Iterable[str]):
		self.messages = list(messages)
		super().__init__("\n".join(self.messages))


@dataclass(frozen=True)
class RowProblem:
	"""A bad measurement row: its table and the core's problem (row numbers as in the file)."""

	table: str
	problem: Problem

	@property
	def row(self) -> int | None:
		return self.problem.row

	def format(self, translate=lambda s: s) -> str:
		return located(self.table, self.problem, translate)


@dataclass
class Bundle:
	"""Everything the engine needs for a month, read from a folder (or from frames the site passes)."""

	targets: pd.DataFrame  # compliance.TARGET_COLUMNS, in-force agreements only
	calendars: dict[str, cal.ServiceCalendar]
	measurements: compliance.Measurements
	links: pd.DataFrame  # breaches.LINK_COLUMNS
	problems: list[RowProblem] = field(default_factory=list)
	directory: ms.Directory | None = None
	rows: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> (rows read, rows kept)
	not_counted: list[tuple[str, str]] = field(default_factory=list)  # (agreement, state) left out

	def time_zones(self) -> list[str]:
		"""The time zones of the calendars the targets use."""
		names = self.targets["calendar"].dropna().unique() if len(self.targets) else []
		return sorted({self.calendars[n].timezone for n in names})


# ------------------------------------------------------------------------------------------ messages


def located(table: str, problem: Problem, translate=lambda s: s) -> str:
	"""'<table> row N: reason' from a core problem whose message starts with 'Row N: '."""
	text = problem.format(translate)
	prefix = f"Row {problem.row}: "
	if problem.row is not None and text.startswith(prefix):
		return f"{table} row {problem.row}: {text[len(prefix) :]}"
	if text.startswith("Rows "):
		return f"{table} rows {text[5:]}"
	if problem.row is not None:
		return f"{table} row {problem.row}: {text}"
	return f"{table}: {text}"


# ------------------------------------------------------------------------------------------ reading


def _need_pyarrow(action: str) -> None:
	if importlib.util.find_spec("pyarrow") is None:
		raise FolderError([f"install pyarrow to {action} Parquet (pip install pyarrow), or use CSV"])


def read_table(path: Path) -> pd.DataFrame:
	"""One table; CSV is read as text (UTF-8, a byte-order mark is fine), Parquet with its own types."""
	try:
		if path.suffix == ".parquet":
			_need_pyarrow("read")
			frame = pd.read_parquet(path, engine="pyarrow")
		else:
			frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
	except FolderError:
		raise
	except (ValueError, OSError, UnicodeDecodeError) as e:
		raise FolderError([f"{path.name}: cannot be read: {e}"]) from None
	frame.columns = [str(c).strip().lower() for c in frame.columns]
	return frame


def _clean(value):
	"""Blank text, None, NaN and NaT become None; text is stripped; numpy scalars become Python values."""
	if isinstance(value, str):
		value = value.strip()
		return value or None
	if value is None or value is pd.NaT or value is pd.NA:
		return None
	if isinstance(value, float) and math.isnan(value):
		return None
	if isinstance(value, np.generic):
		value = value.item()
		if isinstance(value, float) and math.isnan(value):
			return None
	return value


def records(frame: pd.DataFrame | None) -> list[dict]:
	if frame is None or frame.empty:
		return []
	return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def load_folder(path) -> Bundle:
	"""Read ``<name>.csv`` or ``<name>.parquet`` for every table of the folder format and check them.

	CSV rows are numbered as in the file (the header is row 1, the first data row row 2); Parquet rows from 1.
	Raises FolderError when the folder cannot be computed; bad measurement rows are in ``Bundle.problems``.
	"""
	folder = Path(path)
	if not folder.is_dir():
		raise FolderError([f"{folder} is not a folder"])
	tables: dict[str, pd.DataFrame] = {}
	first_rows: dict[str, int] = {}
	errors = []
	for name in TABLES:
		csv_path, parquet_path = folder / f"{name}.csv", folder / f"{name}.parquet"
		if csv_path.exists() and parquet_path.exists():
			errors.append(f"{name}: both {name}.csv and {name}.parquet are in the folder; keep one")
		elif csv_path.exists() or parquet_path.exists():
			try:
				tables[name] = read_table(csv_path if csv_path.exists() else parquet_path)
			except FolderError as e:
				errors.extend(e.messages)
			first_rows[name] = 2 if csv_path.exists() else 1
	if errors:
		raise FolderError(errors)
	return load_tables(tables, first_rows)


# ------------------------------------------------------------------------------------------ checking


def _text(value) -> str:
	return "" if value is None else str(value).strip()


def _date(value, label: str, where: str, errors: list[str]) -> date | None:
	try:
		return cal.parse_date(value)
	except ValueError:
		errors.append(f"{where}: {label} {value} is not a date; use YYYY-MM-DD")
		return None


def _calendars(tables, first_rows, errors) -> dict[str, cal.ServiceCalendar]:
	zones: dict[str, tuple[object, int]] = {}
	for n, r in enumerate(records(tables["calendars"]), first_rows["calendars"]):
		name = _text(r.get("calendar"))
		if not name:
			errors.append(f"calendars row {n}: calendar (its name) is required")
		elif name in zones:
			errors.append(f"calendars row {n}: calendar {name} is already in row {zones[name][1]}")
		else:
			zones[name] = (r.get("timezone"), n)
	rows: dict[str, dict[str, list[dict]]] = {name: {"windows": [], "exceptions": []} for name in zones}
	for table, key in (("calendar_windows", "windows"), ("calendar_exceptions", "exceptions")):
		for n, r in enumerate(records(tables.get(table)), first_rows.get(table, 2)):
			name = _text(r.get("calendar"))
			if name not in rows:
				errors.append(f"{table} row {n}: unknown calendar {name or '-'}; list it in calendars")
				continue
			rows[name][key].append({**r, "idx": n})
	calendars = {}
	for name, (tz, n) in zones.items():
		problems = cal.validate_calendar(tz, rows[name]["windows"], rows[name]["exceptions"])
		for p in problems:
			table = {"windows": "calendar_windows", "exceptions": "calendar_exceptions"}.get(p.field)
			text = located(table, p) if table else f"calendars row {n}: {p.format()}"
			errors.append(f"calendar {name}: {text}")
		if not problems:
			calendars[name] = cal.build_calendar(
				str(tz).strip(), rows[name]["windows"], rows[name]["exceptions"]
			)
	return calendars


def _agreements(
	tables, first_rows, zones: dict[str, str], errors
) -> tuple[dict[str, dict], list[tuple[str, str]]]:
	"""Agreements in force, by name; and those left out with their state."""
	has_state = "state" in tables["agreements"].columns
	counted, seen, left_out = {}, {}, []
	for n, r in enumerate(records(tables["agreements"]), first_rows["agreements"]):
		where = f"agreements row {n}"
		name = _text(r.get("agreement"))
		if not name:
			errors.append(f"{where}: agreement (its name, e.g. SLA-2026-0001-V1) is required")
			continue
		if name in seen:
			errors.append(f"{where}: agreement {name} is already in row {seen[name]}")
			continue
		seen[name] = n
		state = _text(r.get("state"))
		if has_state and state not in IN_FORCE_STATES:
			left_out.append((name, state))
			continue
		code = _text(r.get("agreement_code"))
		if not code:
			errors.append(f"{where}: agreement_code is required")
		kind = _text(r.get("agreement_type"))
		if kind not in lifecycle.AGREEMENT_TYPES:
			errors.append(
				f"{where}: agreement_type {kind or '-'} is not one of {', '.join(lifecycle.AGREEMENT_TYPES)}"
			)
		try:
			version = int(float(_text(r.get("version"))))
		except ValueError:
			errors.append(f"{where}: version {r.get('version')} is not a whole number")
			version = None
		calendar = _text(r.get("calendar"))
		if calendar not in zones:
			errors.append(f"{where}: unknown calendar {calendar or '-'}; list it in calendars")
		valid_from = _date(r.get("valid_from"), "valid_from", where, errors)
		valid_to = _date(r.get("valid_to"), "valid_to", where, errors)
		if valid_from and valid_to and valid_to < valid_from:
			errors.append(f"{where}: valid_to {valid_to} is before valid_from {valid_from}")
		counted[name] = {
			"agreement": name,
			"agreement_code": code,
			"version": version,
			"agreement_type": kind,
			"party": _text(r.get("party")),
			"calendar": calendar,
			"valid_from": valid_from,
			"valid_to": valid_to,
			"tz": zones.get(calendar),
		}
	return counted, left_out


def _targets(tables, first_rows, agreements: dict[str, dict], known: set[str], errors) -> pd.DataFrame:
	out, seen = [], {}
	for n, r in enumerate(records(tables["targets"]), first_rows["targets"]):
		name = _text(r.get("agreement"))
		if name not in known:
			errors.append(f"targets row {n}: unknown agreement {name or '-'}; list it in agreements")
			continue
		if name not in agreements:
			continue  # not in force: not monitored
		code = _text(r.get("target_code"))
		if not code:
			errors.append(f"targets row {n}: target_code is required")
			continue
		if (name, code) in seen:
			errors.append(
				f"targets row {n}: agreement {name} already has target {code} (row {seen[name, code]})"
			)
			continue
		seen[name, code] = n
		problems = tgt.validate_target_row({**r, "idx": n})
		errors.extend(f"{located('targets', p)} (agreement {name}, target {code})" for p in problems)
		if problems:
			continue
		a = agreements[name]
		out.append(
			{
				**{k: a[k] for k in compliance.AGREEMENT_COLUMNS},
				"target_code": code,
				"service": _text(r.get("service")),
				"metric_kind": _text(r.get("metric_kind")),
				"metric_name": _text(r.get("metric_name")),
				"unit": _text(r.get("unit")),
				"direction": _text(r.get("direction")),
				"priority": _text(r.get("priority")),
				"target_value": tgt.to_number(r.get("target_value")),
				"time_unit": _text(r.get("time_unit")),
				"compliance_share": tgt.to_number(r.get("compliance_share")),
			}
		)
	return pd.DataFrame(out, columns=compliance.TARGET_COLUMNS)


def _links(tables, first_rows, agreements: dict[str, dict], errors) -> pd.DataFrame:
	"""Underpinning links; an SLA given by its code stands for each of its versions, an OLA / UC given by
	name stands for its code."""
	frame = tables.get("underpinning")
	versions: dict[str, list[str]] = {}
	for a in agreements.values():
		versions.setdefault(a["agreement_code"], []).append(a["agreement"])
	out = []
	for n, r in enumerate(records(frame), first_rows.get("underpinning", 2)):
		values = [_text(r.get(c)) for c in core_breaches.LINK_COLUMNS]
		if not all(values):
			missing = [c for c, v in zip(core_breaches.LINK_COLUMNS, values, strict=True) if not v]
			errors.append(f"underpinning row {n}: {', '.join(missing)} required")
			continue
		sla, sla_target, under, under_target = values
		under = agreements[under]["agreement_code"] if under in agreements else under
		for name in [sla] if sla in agreements or sla not in versions else versions[sla]:
			out.append((name, sla_target, under, under_target))
	return pd.DataFrame(out, columns=core_breaches.LINK_COLUMNS).drop_duplicates().reset_index(drop=True)


def directory(agreements: dict[str, dict], targets: pd.DataFrame) -> ms.Directory:
	"""What measurement rows may refer to: agreements by name and by code → (code, time zone of its
	calendar, the latest version's when versions differ); (service, customer) → the code of the SLA of that
	customer with a target on the service (left out when two SLAs claim it: such rows must name the
	agreement); services → the time zone of an agreement with a target on them; codes → target codes."""
	refs: dict[str, tuple[str, str]] = {}
	for a in sorted(agreements.values(), key=lambda a: (a["version"] or 0, a["agreement"])):
		refs[a["agreement"]] = (a["agreement_code"], a["tz"])
		refs[a["agreement_code"]] = (a["agreement_code"], a["tz"])
	claims: dict[tuple[str, str], set[str]] = {}
	services: dict[str, str | None] = {}
	codes: dict[str, set[str]] = {}
	for t in targets.itertuples(index=False):
		a = agreements[t.agreement]
		services.setdefault(t.service, a["tz"])
		codes.setdefault(t.agreement_code, set()).add(t.target_code)
		if t.agreement_type == "SLA":
			claims.setdefault((t.service, t.party), set()).add(t.agreement_code)
	by_sc = {key: next(iter(c)) for key, c in claims.items() if len(c) == 1}
	return ms.Directory(refs, by_sc, services, codes)


def _ticket_zone(r: dict, d: ms.Directory) -> str | None:
	"""The time zone check_tickets reads a ticket's naive timestamps in; None when its agreement is unknown."""
	ref = _text(r.get("agreement"))
	if ref:
		return d.agreements[ref][1] if ref in d.agreements else None
	code = d.by_service_customer.get((_text(r.get("service")), _text(r.get("customer"))))
	return d.agreements.get(code, (code, None))[1] if code else None


def _measurements(
	tables, first_rows, d: ms.Directory, problems: list[RowProblem], rows: dict
) -> compliance.Measurements:
	def first(name):
		return first_rows.get(name, 2)

	# pauses are checked here with their own row numbers, then handed to check_tickets with their ticket
	ticket_rows = records(tables.get("tickets"))
	by_id: dict[str, list[dict]] = {}
	for r in ticket_rows:
		by_id.setdefault(_text(r.get("ticket_id")), []).append(r)
		r["pauses"] = []
	pause_rows = records(tables.get("pauses"))
	attached: list[tuple[int, str]] = []
	for n, r in enumerate(pause_rows, first("pauses")):
		tid = _text(r.get("ticket_id"))
		try:
			if not tid:
				raise ms.BadValue(Problem("Row {0}: ticket_id is required", (n,), "ticket_id", n))
			if tid not in by_id:
				raise ms.BadValue(Problem("Row {0}: ticket {1} is not in tickets", (n, tid), "ticket_id", n))
			if r.get("start") is None:
				raise ms.BadValue(Problem("Row {0}: start is required", (n,), "start", n))
			tz = _ticket_zone(by_id[tid][0], d)
			if tz:
				start = ms.parse_instant(r.get("start"), tz, "start", n)
				end = ms.parse_instant(r.get("end"), tz, "end", n) if r.get("end") is not None else None
				if end is not None and end < start:
					raise ms.BadValue(Problem("Row {0}: the pause ends before it starts", (n,), "end", n))
		except ms.BadValue as e:
			problems.append(RowProblem("pauses", e.problem))
			continue
		for ticket in by_id[tid]:
			ticket["pauses"].append({"start": r.get("start"), "end": r.get("end")})
		attached.append((n, tid))

	checked = ms.check_tickets(ticket_rows, d, first_row=first("tickets"))
	problems.extend(RowProblem("tickets", p) for p in checked.problems)
	tickets, pauses = checked.frames["tickets"], checked.frames["pauses"]
	kept = set(tickets["ticket_id"])
	for n, tid in attached:
		if tid not in kept:
			problems.append(
				RowProblem("pauses", Problem("Row {0}: its ticket {1} was skipped", (n, tid), "ticket_id", n))
			)
	if "tickets" in tables:
		rows["tickets"] = (len(ticket_rows), len(tickets))
	if "pauses" in tables:
		rows["pauses"] = (len(pause_rows), sum(tid in kept for _n, tid in attached))

	frames = {}
	for name, check in (
		("outages", ms.check_outages),
		("coverage", ms.check_coverage),
		("metrics", ms.check_metrics),
	):
		rs = records(tables.get(name))
		c = check(rs, d, first_row=first(name))
		problems.extend(RowProblem(name, p) for p in c.problems)
		frames[name] = c.frames[name]
		if name in tables:
			rows[name] = (len(rs), len(frames[name]))
	return compliance.Measurements(tickets, pauses, frames["outages"], frames["coverage"], frames["metrics"])


def load_tables(tables: dict[str, pd.DataFrame], first_rows: dict[str, int] | int = 2) -> Bundle:
	"""A Bundle from the folder's tables as frames (column names as in docs/offline.md).

	Calendars, agreements, targets and links must all be right (FolderError lists everything wrong); bad
	measurement rows are left out and named in ``Bundle.problems``.
	"""
	if isinstance(first_rows, int):
		first_rows = dict.fromkeys(TABLES, first_rows)
	else:
		first_rows = {name: first_rows.get(name, 2) for name in TABLES}
	tables = {
		k: v.rename(columns=lambda c: str(c).strip().lower()) for k, v in tables.items() if v is not None
	}
	errors = []
	for name, spec in TABLES.items():
		if name not in tables:
			if spec.needed:
				errors.append(f"{name}: the table is missing; add {name}.csv or {name}.parquet")
			continue
		missing = [c for c in spec.required if c not in tables[name].columns]
		if missing:
			errors.append(f"{name}: missing column(s) {', '.join(missing)}")
	if "metrics" in tables and not {"target", "target_code"} & set(tables["metrics"].columns):
		errors.append("metrics: missing column target")
	if "metrics" in tables and not {"at", "period"} & set(tables["metrics"].columns):
		errors.append("metrics: missing column at or period")
	if errors:
		raise FolderError(errors)

	calendars = _calendars(tables, first_rows, errors)
	zones = {name: c.timezone for name, c in calendars.items()}
	# a calendar with problems is reported once, not again for every agreement on it
	known_calendars = (set(zones) | {_text(r.get("calendar")) for r in records(tables["calendars"])}) - {""}
	agreements, left_out = _agreements(tables, first_rows, {n: zones.get(n) for n in known_calendars}, errors)
	known = {_text(r.get("agreement")) for r in records(tables["agreements"])}
	targets = _targets(tables, first_rows, agreements, known, errors)
	links = _links(tables, first_rows, agreements, errors)
	if errors:
		raise FolderError(errors)

	d = directory(agreements, targets)
	problems: list[RowProblem] = []
	rows: dict[str, tuple[int, int]] = {}
	measurements = _measurements(tables, first_rows, d, problems, rows)
	order = {name: i for i, name in enumerate(MEASUREMENT_TABLES)}
	problems.sort(key=lambda p: (order.get(p.table, 99), p.row or 0))
	return Bundle(targets, calendars, measurements, links, problems, d, rows, left_out)


# ------------------------------------------------------------------------------------------ computing


def default_as_of(bundle: Bundle, year: int, month: int) -> datetime:
	"""The end of the month: local midnight on the first of the next month in the agreements' time zone
	(with several, the latest of these instants, so the month is over for every agreement)."""
	zones = bundle.time_zones() or ["UTC"]
	return max(month_bounds(year, month, z)[1] for z in zones)


def run(bundle: Bundle, year: int, month: int, as_of: datetime | None = None):
	"""The month's results (compliance.RESULT_COLUMNS), breaches (breaches.BREACH_COLUMNS, name and
	underpinning_breached), underpinning attribution (breaches.ATTRIBUTION_COLUMNS) and missed tickets."""
	# without --as-of, each agreement's open tickets are judged at the end of the month in its own zone,
	# exactly as the site's monthly job does
	results, missed = compliance.evaluate(
		bundle.targets, bundle.calendars, bundle.measurements, year, month, as_of
	)
	breaches = core_breaches.find_breaches(results)
	attribution = core_breaches.attribute(breaches, results, bundle.links)
	named = {}
	for a in attribution.itertuples(index=False):
		named.setdefault((a.agreement, a.target_code), []).append(
			f"{a.underpinning_agreement}:{a.underpinning_target}"
		)
	breaches["underpinning_breached"] = [
		"; ".join(named.get((a, t), []))
		for a, t in zip(breaches["agreement"], breaches["target_code"], strict=True)
	]
	return results, breaches, attribution, missed


# ------------------------------------------------------------------------------------------ output


def iso_utc(ns) -> str:
	"""UTC nanoseconds as ISO 8601 text (2026-03-09T01:30:00Z); empty for none."""
	if ns is None or pd.isna(ns) or int(ns) == compliance.NAT:
		return ""
	return pd.Timestamp(int(ns), tz="UTC").isoformat().replace("+00:00", "Z")


def _texts(values) -> list[str]:
	return ["" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in values]


def monitoring_table(results: pd.DataFrame) -> pd.DataFrame:
	out = results.copy()
	out["occurred"] = [iso_utc(v) for v in out["occurred_ns"]]
	for col in ("period_start", "period_end"):
		out[col] = _texts(out[col])
	return out.reindex(columns=MONITORING_COLUMNS)


def breach_table(breaches: pd.DataFrame) -> pd.DataFrame:
	out = breaches.copy()
	out["occurred"] = [iso_utc(v) for v in out["occurred_ns"]]
	if "underpinning_breached" not in out.columns:
		out["underpinning_breached"] = ""
	return out.reindex(columns=BREACH_FILE_COLUMNS)


def missed_table(missed: pd.DataFrame) -> pd.DataFrame:
	out = missed.copy()
	out["deadline"] = [iso_utc(v) for v in out["deadline_ns"]] if "deadline_ns" in out.columns else []
	return out.reindex(columns=MISSED_COLUMNS)


def write_outputs(out_dir: Path, fmt: str, results, breaches, missed) -> list[Path]:
	out_dir.mkdir(parents=True, exist_ok=True)
	written = []
	for name, frame in (
		("monitoring", monitoring_table(results)),
		("breaches", breach_table(breaches)),
		("missed_tickets", missed_table(missed)),
	):
		path = out_dir / f"{name}.{fmt}"
		if fmt == "parquet":
			frame.to_parquet(path, index=False, engine="pyarrow")
		else:
			frame.to_csv(path, index=False, encoding="utf-8")
		written.append(path)
	return written


def _width(text: str) -> int:
	return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
	fill = " " * (width - _width(text))
	return fill + text if right else text + fill


def _num(value) -> str:
	return tgt.format_number(value)


def readable_table(results: pd.DataFrame, targets: pd.DataFrame) -> str:
	"""A fixed-width table: agreement, target, metric, priority, measured, target, sample, result."""
	extra = {
		(t.agreement, t.target_code): (t.time_unit, t.direction) for t in targets.itertuples(index=False)
	}
	header = ("agreement", "target", "metric", "priority", "measured", "target", "sample", "result")
	lines = []
	for r in results.itertuples(index=False):
		time_unit, direction = extra.get((r.agreement, r.target_code), ("", ""))
		kind = r.metric_kind
		unit = _text(r.unit)
		if kind in tgt.TIME_KINDS:
			limit = f"{_num(r.target_value)} {'h' if time_unit == 'Hours' else 'min'}"
			target = f"{_num(r.compliance_share)} % <= {limit}"
			measured = f"{r.measured_value:.1f} %"
			metric = kind
		elif kind == tgt.AVAILABILITY:
			target = f">= {_num(r.target_value)} %"
			measured = f"{r.measured_value:.3f} %"
			metric = kind
		else:
			sign = "<=" if direction == tgt.LOWER_IS_BETTER else ">="
			target = f"{sign} {_num(r.target_value)} {unit}".strip()
			measured = f"{_num(r.measured_value)} {unit}".strip() if not pd.isna(r.measured_value) else ""
			metric = _text(r.metric_name) or kind
		if int(r.sample_count) == 0 or pd.isna(r.measured_value):
			measured = "-"
		lines.append(
			(
				r.agreement,
				r.target_code,
				metric,
				_text(r.priority),
				measured,
				target,
				str(int(r.sample_count)),
				r.result,
			)
		)
	widths = [max([_width(h)] + [_width(line[i]) for line in lines]) for i, h in enumerate(header)]
	right = (False, False, False, False, True, True, True, False)
	rows = [header, tuple("-" * w for w in widths), *lines]
	return "\n".join(
		"  ".join(_pad(c, w, r) for c, w, r in zip(row, widths, right, strict=True)).rstrip() for row in rows
	)


def summary(results: pd.DataFrame, year: int, month: int) -> str:
	counts = results["result"].value_counts() if len(results) else {}
	n = {k: int(counts.get(k, 0)) for k in (compliance.MET, compliance.BREACHED, compliance.NO_DATA)}
	return (
		f"{year:04d}-{month:02d}: {n[compliance.MET]} met, {n[compliance.BREACHED]} breached, "
		f"{n[compliance.NO_DATA]} no data ({len(results)} targets)"
	)


# ------------------------------------------------------------------------------------------ command


def _month(text: str) -> tuple[int, int]:
	m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", text or "")
	if not m or not 1 <= int(m[2]) <= 12:
		raise argparse.ArgumentTypeError(f"month must look like 2026-03, not {text!r}")
	return int(m[1]), int(m[2])


def parse_as_of(text: str, bundle: Bundle) -> datetime:
	"""--as-of as an aware instant; without an offset it is read in the agreements' time zone when they
	share one."""
	try:
		dt = dateparser.isoparse(text.strip())
	except (ValueError, OverflowError):
		raise FolderError(
			[f"--as-of {text} is not an ISO date and time, e.g. 2026-04-02T09:00:00+08:00"]
		) from None
	if dt.tzinfo is None or dt.utcoffset() is None:
		zones = bundle.time_zones()
		if len(zones) > 1:
			raise FolderError(
				[
					f"--as-of {text} has no offset and the agreements use {', '.join(zones)}; add one such as +08:00"
				]
			)
		dt = dt.replace(tzinfo=ZoneInfo(zones[0] if zones else "UTC"))
	return dt.astimezone(timezone.utc)


def parser() -> argparse.ArgumentParser:
	p = argparse.ArgumentParser(
		prog="python -m slm_app.offline",
		description="Compute one month of SLA / OLA / UC monitoring from a folder of CSV or Parquet files "
		"(format: docs/offline.md), without a Frappe site.",
	)
	p.add_argument("dir", metavar="DIR", help="folder with calendars, agreements, targets and measurements")
	p.add_argument("--month", required=True, type=_month, help="the month to compute, e.g. 2026-03")
	p.add_argument(
		"--as-of",
		help="the instant open tickets are judged at (ISO, e.g. 2026-04-02T09:00:00+08:00); "
		"default: the end of the month in the agreements' time zone",
	)
	p.add_argument("--out", help="output folder (default: DIR/out/YYYY-MM)")
	p.add_argument("--format", choices=("csv", "parquet"), default="csv", help="output files (default: csv)")
	p.add_argument("--strict", action="store_true", help="stop at any bad measurement row and write nothing")
	return p


def main(argv: list[str] | None = None, stdout=None, stderr=None) -> int:
	stdout = stdout or sys.stdout
	stderr = stderr or sys.stderr

	def err(line: str) -> None:
		print(line, file=stderr)

	try:
		args = parser().parse_args(argv)
	except SystemExit as e:
		return e.code if isinstance(e.code, int) else 2
	year, month = args.month
	try:
		if args.format == "parquet":
			_need_pyarrow("write")
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
	if bundle.problems:
		if args.strict:
			err(f"--strict: {len(bundle.problems)} bad row(s); nothing was computed or written.")
			return 2
		for table, (total, kept) in bundle.rows.items():
			if kept < total:
				err(f"{table}: {total - kept} of {total} row(s) skipped, {kept} kept")

	results, breaches, _attribution, missed = run(bundle, year, month, as_of)
	out_dir = Path(args.out) if args.out else Path(args.dir) / "out" / f"{year:04d}-{month:02d}"
	written = write_outputs(out_dir, args.format, results, breaches, missed)

	print(readable_table(results, bundle.targets), file=stdout)
	print("", file=stdout)
	print(summary(results, year, month), file=stdout)
	if as_of:
		when = "as of " + as_of.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
	else:
		when = "open tickets judged at the end of the month in each agreement's time zone"
	print(f"{when}; wrote {', '.join(str(p) for p in written)}", file=stdout)
	return 0


if __name__ == "__main__":
	sys.exit(main())
