"""Measurement rows in (SL4.1): ticket events, outages, coverage and metric values.

Rows come from Data Import, the bulk REST endpoint, the desk and the offline command as plain dicts of
strings or values. Each bad row is named with its row number and reason; the caller decides whether
to keep the valid rows or none. Instants become int64 UTC nanoseconds; a timestamp without a zone is
read as :mod:`slm_app.core.directory` says (the agreement's or the service's zone), else refused.
Which agreement a ticket belongs to is the directory's rule too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
from dateutil import parser as dateparser

from slm_app.core.directory import BadValue, Directory
from slm_app.core.errors import Problem, RuleError, _
from slm_app.core.instants import NAT, OPEN_END
from slm_app.core.periods import parse_month
from slm_app.core.targets import PRIORITIES

__all__ = ["BadValue", "Directory", "check_tickets", "check_outages", "check_coverage", "check_metrics", "parse_instant"]

TICKET_COLUMNS = ["ticket_id", "agreement_code", "priority", "created_ns", "response_ns", "resolved_ns", "raised_by"]
PAUSE_COLUMNS = ["ticket_id", "start_ns", "end_ns", "ticket_row"]  # ticket_row: the row of its ticket in tickets
OUTAGE_COLUMNS = ["service", "start_ns", "end_ns", "planned"]
COVERAGE_COLUMNS = ["service", "start_ns", "end_ns"]
METRIC_COLUMNS = ["agreement_code", "target_code", "at_ns", "value"]


# Measurements are instants between these years: what pandas (1677–2262) and the database can both hold,
# with room for any real ticket or outage. Anything outside is a typing error, answered per row.
EARLIEST = datetime(1900, 1, 1)
LATEST = datetime(2199, 12, 31, 23, 59, 59)

# the longest text a Data field holds, and what a record's name may not contain (Frappe's naming rules)
MAX_TEXT = 140
NAME_FORBIDDEN = ("<", ">", "\n", "\r", "\t")


@dataclass
class Checked:
	"""The valid rows as frames, and a problem per bad row."""

	frames: dict[str, pd.DataFrame]
	problems: list[Problem] = field(default_factory=list)
	rows_total: int = 0

	@property
	def bad_rows(self) -> list[int]:
		return sorted({p.row for p in self.problems if p.row is not None})


def _blank(value) -> bool:
	return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip())


def parse_instant(value, tz: str | None, label: str, row: int) -> int:
	"""An instant as UTC ns from an ISO string, datetime or pandas Timestamp; naive values are read in ``tz``."""
	if isinstance(value, pd.Timestamp):
		value = value.to_pydatetime()
	if isinstance(value, datetime):
		dt = value
	elif isinstance(value, date):
		dt = datetime(value.year, value.month, value.day)
	else:
		try:
			dt = dateparser.isoparse(str(value).strip())
		except (ValueError, OverflowError):
			raise BadValue(Problem(_("Row {0}: {1} is not a date and time: {2}"), (row, label, value), label, row)) from None
	if not EARLIEST.year <= dt.year <= LATEST.year:
		raise BadValue(
			Problem(
				_("Row {0}: {1} {2} is outside the dates a measurement can have ({3} to {4})"),
				(row, label, value, EARLIEST.date(), LATEST.date()),
				label,
				row,
			)
		)
	if dt.tzinfo is None or dt.utcoffset() is None:
		if not tz:
			raise BadValue(
				Problem(
					_("Row {0}: {1} {2} has no time zone and none can be inferred; add an offset such as +08:00"),
					(row, label, value),
					label,
					row,
				)
			)
		dt = dt.replace(tzinfo=ZoneInfo(tz))
	return int(pd.Timestamp(dt).value)


def _text(value, label: str, row: int, *, name: bool = False) -> str:
	"""A short text value (an id, a person): at most MAX_TEXT characters; a name without markup or breaks."""
	if not isinstance(value, str | int | float):
		raise BadValue(Problem(_("Row {0}: {1} must be text, not {2}"), (row, label, type(value).__name__), label, row))
	text = str(value).strip()
	if len(text) > MAX_TEXT:
		raise BadValue(Problem(_("Row {0}: {1} is longer than {2} characters"), (row, label, MAX_TEXT), label, row))
	if name and any(c in text for c in NAME_FORBIDDEN):
		raise BadValue(
			Problem(_("Row {0}: {1} {2} may not contain <, > or line breaks"), (row, label, text.replace("<", "‹").replace(">", "›")), label, row)
		)
	return text


def _optional_instant(value, tz, label, row) -> int:
	return NAT if _blank(value) else parse_instant(value, tz, label, row)


def _number(value, label, row) -> float:
	try:
		f = float(value)
	except (TypeError, ValueError):
		raise BadValue(Problem(_("Row {0}: {1} must be a number, not {2}"), (row, label, value), label, row)) from None
	if math.isnan(f) or math.isinf(f):
		raise BadValue(Problem(_("Row {0}: {1} must be a number, not {2}"), (row, label, value), label, row))
	return f


def _flag(value) -> bool:
	if isinstance(value, str):
		return value.strip().lower() in ("1", "yes", "true", "y", "planned", "x")
	return bool(value) and not (isinstance(value, float) and math.isnan(value))


def _created(value, tz, n) -> int:
	if _blank(value):
		raise BadValue(Problem(_("Row {0}: Created is required"), (n,), "created", n))
	return parse_instant(value, tz, "created", n)


def check_tickets(rows: list[dict], d: Directory, first_row: int = 1) -> Checked:
	"""Ticket events: ticket_id, agreement (or service + customer), priority, created, first_response,
	resolved, pauses (a list of {start, end}, or "start/end;start/end" text), raised_by (who is affected)."""
	out, pauses, problems, seen = [], [], [], {}
	for n, r in enumerate(rows, first_row):
		try:
			tid = r.get("ticket_id")
			if _blank(tid):
				raise BadValue(Problem(_("Row {0}: Ticket ID is required"), (n,), "ticket_id", n))
			tid = _text(tid, "ticket_id", n, name=True)
			if tid in seen:
				raise BadValue(Problem(_("Row {0}: ticket {1} is already in row {2}"), (n, tid, seen[tid]), "ticket_id", n))
			ref = r.get("agreement")
			if not _blank(ref):
				code, tz = d.agreement(ref, n)
			else:
				code, tz = d.ticket_agreement(
					r.get("service"), r.get("customer"), r.get("created"), n, lambda value, zone: _created(value, zone, n)
				)
			priority = "" if _blank(r.get("priority")) else str(r.get("priority")).strip()
			if priority and priority not in PRIORITIES:
				raise BadValue(Problem(_("Row {0}: Priority must be one of {1}, not {2}"), (n, ", ".join(PRIORITIES), priority), "priority", n))
			if _blank(r.get("created")):
				raise BadValue(Problem(_("Row {0}: Created is required"), (n,), "created", n))
			created = parse_instant(r.get("created"), tz, "created", n)
			response = _optional_instant(r.get("first_response"), tz, "first_response", n)
			resolved = _optional_instant(r.get("resolved"), tz, "resolved", n)
			if response != NAT and response < created:
				raise BadValue(Problem(_("Row {0}: first response is before the ticket was created"), (n,), "first_response", n))
			if resolved != NAT and resolved < created:
				raise BadValue(Problem(_("Row {0}: resolved is before the ticket was created"), (n,), "resolved", n))
			row_pauses = []
			raw = r.get("pauses") or []
			if isinstance(raw, str):
				raw = [dict(zip(("start", "end"), part.split("/"), strict=False)) for part in raw.split(";") if part.strip()]
			if not isinstance(raw, list | tuple) or not all(isinstance(p, dict) for p in raw):
				raise BadValue(
					Problem(
						_("Row {0}: pauses must be a list of {{start, end}} objects or text like start/end;start/end"),
						(n,),
						"pauses",
						n,
					)
				)
			for p in raw:
				if _blank(p.get("start")):
					raise BadValue(Problem(_("Row {0}: a pause has no start"), (n,), "pauses", n))
				ps = parse_instant(p.get("start"), tz, "pause start", n)
				pe = parse_instant(p.get("end"), tz, "pause end", n) if not _blank(p.get("end")) else NAT
				if pe != NAT and pe < ps:
					raise BadValue(Problem(_("Row {0}: a pause ends before it starts"), (n,), "pauses", n))
				row_pauses.append((tid, ps, pe if pe != NAT else max(resolved, created) if resolved != NAT else OPEN_END))
			raised_by = "" if _blank(r.get("raised_by")) else _text(r.get("raised_by"), "raised_by", n)
		except BadValue as e:
			problems.append(e.problem)
			continue
		seen[tid] = n
		out.append((tid, code, priority, created, response, resolved, raised_by))
		pauses.extend((*p, len(out) - 1) for p in row_pauses)
	return Checked(
		{
			"tickets": pd.DataFrame(out, columns=TICKET_COLUMNS).astype({"created_ns": "int64", "response_ns": "int64", "resolved_ns": "int64"}),
			"pauses": pd.DataFrame(pauses, columns=PAUSE_COLUMNS).astype({"start_ns": "int64", "end_ns": "int64", "ticket_row": "int64"}),
		},
		problems,
		len(rows),
	)


def _check_spans(rows, d: Directory, first_row: int, planned_column: bool) -> tuple[list, list[Problem]]:
	out, problems = [], []
	for n, r in enumerate(rows, first_row):
		try:
			service = str(r.get("service") or "").strip()
			if not service:
				raise BadValue(Problem(_("Row {0}: Service is required"), (n,), "service", n))
			if d.services and service not in d.services:
				raise BadValue(Problem(_("Row {0}: unknown service {1}"), (n, service), "service", n))
			tz = d.service_zone(service)
			if _blank(r.get("start")) or _blank(r.get("end")):
				raise BadValue(Problem(_("Row {0}: Start and End are required"), (n,), "start", n))
			start = parse_instant(r.get("start"), tz, "start", n)
			end = parse_instant(r.get("end"), tz, "end", n)
			if end < start:
				raise BadValue(Problem(_("Row {0}: the end is before the start"), (n,), "end", n))
		except BadValue as e:
			problems.append(e.problem)
			continue
		out.append((service, start, end, _flag(r.get("planned"))) if planned_column else (service, start, end))
	return out, problems


def check_outages(rows: list[dict], d: Directory, first_row: int = 1) -> Checked:
	"""Outages: service, start, end, planned (inside an agreed maintenance window)."""
	out, problems = _check_spans(rows, d, first_row, True)
	frame = pd.DataFrame(out, columns=OUTAGE_COLUMNS).astype({"start_ns": "int64", "end_ns": "int64", "planned": "bool"})
	return Checked({"outages": frame}, problems, len(rows))


def check_coverage(rows: list[dict], d: Directory, first_row: int = 1) -> Checked:
	"""Monitoring coverage: service, start, end — when availability of the service was being measured."""
	out, problems = _check_spans(rows, d, first_row, False)
	frame = pd.DataFrame(out, columns=COVERAGE_COLUMNS).astype({"start_ns": "int64", "end_ns": "int64"})
	return Checked({"coverage": frame}, problems, len(rows))


def check_metrics(rows: list[dict], d: Directory, first_row: int = 1) -> Checked:
	"""Metric values: agreement, target (code), at (timestamp) or period (YYYY-MM), value. A second value
	for the same agreement, target and instant is refused, as a second row of the same ticket is."""
	out, problems, seen = [], [], {}
	for n, r in enumerate(rows, first_row):
		try:
			ref = str(r.get("agreement") or "").strip()
			code, tz = d.agreement(ref, n)
			target = str(r.get("target") or r.get("target_code") or "").strip()
			if d.target_codes and target not in d.target_codes.get(code, set()):
				raise BadValue(Problem(_("Row {0}: agreement {1} has no target {2}"), (n, ref, target or "-"), "target", n))
			if not _blank(r.get("at")):
				at = parse_instant(r.get("at"), tz, "at", n)
			elif not _blank(r.get("period")):
				try:
					y, m = parse_month(str(r.get("period")))
				except RuleError:
					raise BadValue(Problem(_("Row {0}: Period must look like 2026-03, not {1}"), (n, r.get("period")), "period", n)) from None
				at = parse_instant(datetime(y, m, 1, 12), tz, "period", n)
			else:
				raise BadValue(Problem(_("Row {0}: give the time (at) or the month (period) of the value"), (n,), "at", n))
			value = _number(r.get("value"), "value", n)
			if (code, target, at) in seen:
				raise BadValue(
					Problem(
						_("Row {0}: agreement {1} already has a value of target {2} at that time, in row {3}"),
						(n, ref, target, seen[code, target, at]),
						"at",
						n,
					)
				)
		except BadValue as e:
			problems.append(e.problem)
			continue
		seen[code, target, at] = n
		out.append((code, target, at, value))
	frame = pd.DataFrame(out, columns=METRIC_COLUMNS).astype({"at_ns": "int64", "value": "float64"})
	return Checked({"metrics": frame}, problems, len(rows))


CHECKERS = {"tickets": check_tickets, "outages": check_outages, "coverage": check_coverage, "metrics": check_metrics}
