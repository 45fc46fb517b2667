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

__all__ = ["BadValue", "Directory", "check_tickets", "check_outages", "check_coverage", "check_metrics", "parse_instant", "upsert_tickets"]

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
	# the row number of each valid row, per frame (tickets), for problems found after the check (an upsert)
	row_numbers: dict[str, list[int]] = field(default_factory=dict)

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


class _Row:
	"""The problems of one row, all of them: each check runs on its own, and a check that needs a value an
	earlier one refused (the agreement's time zone, a time to compare with) is left out, not guessed."""

	__slots__ = ("problems",)

	def __init__(self):
		self.problems: list[Problem] = []

	def add(self, problem: Problem) -> None:
		if problem not in self.problems:  # one reason found twice (the creation time read for the agreement)
			self.problems.append(problem)

	def check(self, fn, *args, **kwargs):
		try:
			return fn(*args, **kwargs)
		except BadValue as e:
			self.add(e.problem)
			return None


# the zone naive times are read in, only to say whether they are dates at all, when the row's own zone is
# unknown because its agreement or service was refused; no comparison is made with times read so
_ANY_ZONE = "UTC"


def check_tickets(rows: list[dict], d: Directory, first_row: int = 1) -> Checked:
	"""Ticket events: ticket_id, agreement (or service + customer), priority, created, first_response,
	resolved, pauses (a list of {start, end}, or "start/end;start/end" text), raised_by (who is affected).
	Every problem of a row is named, not only its first."""
	out, pauses, problems, seen, numbers = [], [], [], {}, []
	for n, r in enumerate(rows, first_row):
		row = _Row()
		tid = r.get("ticket_id")
		if _blank(tid):
			row.add(Problem(_("Row {0}: Ticket ID is required"), (n,), "ticket_id", n))
			tid = None
		else:
			tid = row.check(_text, tid, "ticket_id", n, name=True)
			if tid is not None and tid in seen:
				row.add(Problem(_("Row {0}: ticket {1} is already in row {2}"), (n, tid, seen[tid]), "ticket_id", n))
		ref = r.get("agreement")
		if not _blank(ref):
			found = row.check(d.agreement, ref, n)
		else:
			found = row.check(
				d.ticket_agreement, r.get("service"), r.get("customer"), r.get("created"), n, lambda value, zone: _created(value, zone, n)
			)
		code, tz = found if found else (None, _ANY_ZONE)
		priority = "" if _blank(r.get("priority")) else str(r.get("priority")).strip()
		if priority and priority not in PRIORITIES:
			row.add(Problem(_("Row {0}: Priority must be one of {1}, not {2}"), (n, ", ".join(PRIORITIES), priority), "priority", n))
		created = row.check(_created, r.get("created"), tz, n)
		response = row.check(_optional_instant, r.get("first_response"), tz, "first_response", n)
		resolved = row.check(_optional_instant, r.get("resolved"), tz, "resolved", n)
		compare = found is not None and created is not None
		if compare and response not in (None, NAT) and response < created:
			row.add(Problem(_("Row {0}: first response is before the ticket was created"), (n,), "first_response", n))
		if compare and resolved not in (None, NAT) and resolved < created:
			row.add(Problem(_("Row {0}: resolved is before the ticket was created"), (n,), "resolved", n))
		row_pauses = []
		raw = r.get("pauses") or []
		if isinstance(raw, str):
			raw = [dict(zip(("start", "end"), part.split("/"), strict=False)) for part in raw.split(";") if part.strip()]
		if not isinstance(raw, list | tuple) or not all(isinstance(p, dict) for p in raw):
			row.add(
				Problem(
					_("Row {0}: pauses must be a list of {{start, end}} objects or text like start/end;start/end"),
					(n,),
					"pauses",
					n,
				)
			)
			raw = []
		for p in raw:
			if _blank(p.get("start")):
				row.add(Problem(_("Row {0}: a pause has no start"), (n,), "pauses", n))
				ps = None
			else:
				ps = row.check(parse_instant, p.get("start"), tz, "pause start", n)
			pe = row.check(parse_instant, p.get("end"), tz, "pause end", n) if not _blank(p.get("end")) else NAT
			if found is not None and ps is not None and pe not in (None, NAT) and pe < ps:
				row.add(Problem(_("Row {0}: a pause ends before it starts"), (n,), "pauses", n))
			if ps is not None and pe is not None and resolved is not None and created is not None:
				row_pauses.append((tid, ps, pe if pe != NAT else max(resolved, created) if resolved != NAT else OPEN_END))
		raised_by = "" if _blank(r.get("raised_by")) else row.check(_text, r.get("raised_by"), "raised_by", n)
		if row.problems:
			problems.extend(row.problems)
			continue
		seen[tid] = n
		numbers.append(n)
		out.append((tid, code, priority, created, response, resolved, raised_by))
		pauses.extend((*p, len(out) - 1) for p in row_pauses)
	return Checked(
		{
			"tickets": pd.DataFrame(out, columns=TICKET_COLUMNS).astype({"created_ns": "int64", "response_ns": "int64", "resolved_ns": "int64"}),
			"pauses": pd.DataFrame(pauses, columns=PAUSE_COLUMNS).astype({"start_ns": "int64", "end_ns": "int64", "ticket_row": "int64"}),
		},
		problems,
		len(rows),
		{"tickets": numbers},
	)


def _check_spans(rows, d: Directory, first_row: int, planned_column: bool) -> tuple[list, list[Problem]]:
	out, problems = [], []
	for n, r in enumerate(rows, first_row):
		row = _Row()
		service = str(r.get("service") or "").strip()
		known = False
		if not service:
			row.add(Problem(_("Row {0}: Service is required"), (n,), "service", n))
		elif d.services and service not in d.services:
			row.add(Problem(_("Row {0}: unknown service {1}"), (n, service), "service", n))
		else:
			known = True
		tz = d.service_zone(service) if known else _ANY_ZONE
		if _blank(r.get("start")) or _blank(r.get("end")):
			row.add(Problem(_("Row {0}: Start and End are required"), (n,), "start", n))
		start = None if _blank(r.get("start")) else row.check(parse_instant, r.get("start"), tz, "start", n)
		end = None if _blank(r.get("end")) else row.check(parse_instant, r.get("end"), tz, "end", n)
		if known and start is not None and end is not None and end < start:
			row.add(Problem(_("Row {0}: the end is before the start"), (n,), "end", n))
		if row.problems:
			problems.extend(row.problems)
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
		row = _Row()
		ref = str(r.get("agreement") or "").strip()
		found = row.check(d.agreement, ref, n)
		code, tz = found if found else (None, _ANY_ZONE)
		target = str(r.get("target") or r.get("target_code") or "").strip()
		if found and d.target_codes and target not in d.target_codes.get(code, set()):
			row.add(Problem(_("Row {0}: agreement {1} has no target {2}"), (n, ref, target or "-"), "target", n))
		at = None
		if not _blank(r.get("at")):
			at = row.check(parse_instant, r.get("at"), tz, "at", n)
		elif not _blank(r.get("period")):
			try:
				y, m = parse_month(str(r.get("period")))
			except RuleError:
				row.add(Problem(_("Row {0}: Period must look like 2026-03, not {1}"), (n, r.get("period")), "period", n))
			else:
				at = row.check(parse_instant, datetime(y, m, 1, 12), tz, "period", n)
		else:
			row.add(Problem(_("Row {0}: give the time (at) or the month (period) of the value"), (n,), "at", n))
		value = row.check(_number, r.get("value"), "value", n)
		if found and at is not None and (code, target, at) in seen:
			row.add(
				Problem(
					_("Row {0}: agreement {1} already has a value of target {2} at that time, in row {3}"),
					(n, ref, target, seen[code, target, at]),
					"at",
					n,
				)
			)
		if row.problems:
			problems.extend(row.problems)
			continue
		seen[code, target, at] = n
		out.append((code, target, at, value))
	frame = pd.DataFrame(out, columns=METRIC_COLUMNS).astype({"at_ns": "int64", "value": "float64"})
	return Checked({"metrics": frame}, problems, len(rows))


CHECKERS = {"tickets": check_tickets, "outages": check_outages, "coverage": check_coverage, "metrics": check_metrics}


# ------------------------------------------------------------------------------------------ updating tickets

# a ticket already recorded, as the adapter reads it back (times as UTC ns, NAT for none)
EXISTING_COLUMNS = [*TICKET_COLUMNS, "source"]
EXISTING_PAUSE_COLUMNS = ["ticket_id", "start_ns", "end_ns"]
# the sources whose tickets an import may update: its own, and tickets typed in the desk
IMPORTABLE_SOURCES = ("Import", "")


@dataclass
class TicketUpsert:
	"""Checked ticket rows split by what is recorded already: new tickets to insert, recorded ones whose
	first response, resolution, pauses, priority or affected person changed (to update), recorded ones that
	are the same (nothing to do), and the rows that may not change their ticket, each with its reason."""

	insert: pd.DataFrame
	insert_pauses: pd.DataFrame
	update: pd.DataFrame
	update_pauses: pd.DataFrame
	unchanged: list[str] = field(default_factory=list)
	problems: list[Problem] = field(default_factory=list)

	@property
	def updated(self) -> list[str]:
		return self.update["ticket_id"].tolist()


def _usec(ns: int) -> int:
	"""An instant as the database keeps it (microseconds); none and the open end stay themselves."""
	return ns if ns in (NAT, OPEN_END) else int(ns) // 1000


def _pause_set(frame: pd.DataFrame) -> list[tuple[int, int]]:
	return sorted((_usec(s), _usec(OPEN_END if e == NAT else e)) for s, e in zip(frame["start_ns"], frame["end_ns"], strict=True))


def month_of(ns: int, tz: str | None) -> str:
	"""The month (YYYY-MM, as the monitoring table keys it) an instant falls in, in the agreement's zone."""
	return pd.Timestamp(int(ns), tz="UTC").tz_convert(tz or "UTC").strftime("%Y-%m")


def _local_text(ns: int, tz: str | None) -> str:
	return pd.Timestamp(int(ns), tz="UTC").tz_convert(tz or "UTC").strftime("%Y-%m-%d %H:%M:%S %z")


def upsert_tickets(
	checked: Checked,
	existing: pd.DataFrame,
	existing_pauses: pd.DataFrame,
	closed: set[tuple[str, str]],
	zones: dict[str, str | None],
) -> TicketUpsert:
	"""Split checked ticket rows (check_tickets) against the tickets recorded under the same ids.

	A recorded ticket is updated by id — its first response, resolution, pauses, priority and affected
	person — when it came from an import or the desk, stays under the same agreement and creation time,
	and its month (the month of its creation in its agreement's zone) is not closed: ``closed`` holds the
	(agreement code, YYYY-MM) pairs with submitted monitoring records, which an import never changes
	(a closed month changes only through the recorded recompute). Each refusal is a problem of its row."""
	tickets, pauses = checked.frames["tickets"], checked.frames["pauses"]
	numbers = checked.row_numbers.get("tickets") or list(range(1, len(tickets) + 1))
	known = {r.ticket_id: r for r in existing.itertuples(index=False)}
	known_pauses = {tid: _pause_set(g) for tid, g in existing_pauses.groupby("ticket_id")} if len(existing_pauses) else {}
	row_pauses = {tid: g for tid, g in pauses.groupby("ticket_id")} if len(pauses) else {}
	empty = pauses.iloc[0:0]
	inserts, updates, unchanged, problems = [], [], [], []
	for i, (r, n) in enumerate(zip(tickets.itertuples(index=False), numbers, strict=True)):
		old = known.get(r.ticket_id)
		if old is None:
			inserts.append(i)
			continue
		tz = zones.get(old.agreement_code)
		if (old.source or "") not in IMPORTABLE_SOURCES:
			problems.append(
				Problem(
					_("Row {0}: ticket {1} comes from {2}; it is updated by that source's sync, not by an import"),
					(n, r.ticket_id, old.source),
					"ticket_id",
					n,
				)
			)
			continue
		if r.agreement_code != old.agreement_code:
			problems.append(
				Problem(
					_("Row {0}: ticket {1} is recorded for agreement {2}, not {3}; an import does not move a ticket to another agreement"),
					(n, r.ticket_id, old.agreement_code, r.agreement_code),
					"agreement",
					n,
				)
			)
			continue
		if _usec(r.created_ns) != _usec(old.created_ns):
			problems.append(
				Problem(
					_("Row {0}: ticket {1} is recorded as created at {2}; an import updates its first response, resolution, pauses and priority, not when it was created"),
					(n, r.ticket_id, _local_text(old.created_ns, tz)),
					"created",
					n,
				)
			)
			continue
		new_pauses = _pause_set(row_pauses.get(r.ticket_id, empty))
		same = (
			(r.priority or "") == (old.priority or "")
			and _usec(r.response_ns) == _usec(old.response_ns)
			and _usec(r.resolved_ns) == _usec(old.resolved_ns)
			and (r.raised_by or "") == (old.raised_by or "")
			and new_pauses == known_pauses.get(r.ticket_id, [])
		)
		if same:
			unchanged.append(r.ticket_id)
			continue
		month = month_of(old.created_ns, tz)
		if (old.agreement_code, month) in closed:
			problems.append(
				Problem(
					_("Row {0}: ticket {1} belongs to {2}, a closed month of agreement {3} (its monitoring records are submitted); an import does not change a closed month"),
					(n, r.ticket_id, month, old.agreement_code),
					"ticket_id",
					n,
				)
			)
			continue
		updates.append(i)

	def part(rows: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
		t = tickets.iloc[rows].reset_index(drop=True)
		p = pauses[pauses["ticket_id"].isin(set(t["ticket_id"]))].copy()
		p["ticket_row"] = pd.Index(t["ticket_id"]).get_indexer(p["ticket_id"]).astype("int64")
		return t, p.reset_index(drop=True)

	insert, insert_pauses = part(inserts)
	update, update_pauses = part(updates)
	return TicketUpsert(insert, insert_pauses, update, update_pauses, unchanged, problems)
