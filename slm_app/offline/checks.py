"""Checking the folder's tables with the core's rules: calendars, agreement versions, targets, links and
measurement rows, into a :class:`Bundle` the month pipeline takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from slm_app.core import breaches as core_breaches
from slm_app.core import calendar as cal
from slm_app.core import compliance, lifecycle
from slm_app.core import measurements as ms
from slm_app.core import targets as tgt
from slm_app.core.agreements import IN_FORCE_STATES, MEASURABLE_STATES, VERSION_COLUMNS, in_force_frame
from slm_app.core.consistency import Conflict, check_underpinning
from slm_app.core.directory import Directory, build_directory
from slm_app.core.errors import Problem
from slm_app.core.month import TARGET_ROW_COLUMNS
from slm_app.offline.reading import MEASUREMENT_TABLES, TABLES, FolderError, read_folder, records, text


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
	"""Everything the month pipeline needs, read from a folder (or from frames the caller passes)."""

	versions: pd.DataFrame  # core.agreements.VERSION_COLUMNS: the versions measurements may name
	target_rows: pd.DataFrame  # core.month.TARGET_ROW_COLUMNS: their targets
	calendars: dict[str, cal.ServiceCalendar]
	measurements: compliance.Measurements
	links: pd.DataFrame  # breaches.LINK_COLUMNS (+ underpinning_agreement when the file names the version)
	sla_parties: dict[str, str] = field(default_factory=dict)
	problems: list[RowProblem] = field(default_factory=list)
	directory: Directory | None = None
	rows: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> (rows read, rows kept)
	not_counted: list[tuple[str, str]] = field(default_factory=list)  # (agreement, state) not monitored

	@property
	def targets(self) -> pd.DataFrame:
		"""The targets of the versions in force, each until its last day in force (compliance.TARGET_COLUMNS)."""
		v = in_force_frame(self.versions)
		t = self.target_rows.merge(v[compliance.AGREEMENT_COLUMNS], on="agreement")
		return t.reindex(columns=compliance.TARGET_COLUMNS).reset_index(drop=True)

	def time_zones(self) -> list[str]:
		"""The time zones of the calendars of the versions in force."""
		names = in_force_frame(self.versions)["calendar"].dropna().unique() if len(self.versions) else []
		return sorted({self.calendars[n].timezone for n in names if n in self.calendars})

	def skipped(self) -> dict[str, tuple[int, int]]:
		"""Tables with bad rows: (rows skipped, rows read)."""
		return {name: (total - kept, total) for name, (total, kept) in self.rows.items() if kept < total}

	def all_bad(self) -> list[str]:
		"""Tables that had rows, none of them good."""
		return [name for name, (total, kept) in self.rows.items() if total and not kept]


# ------------------------------------------------------------------------------------------ messages


def located(table: str, problem: Problem, translate=lambda s: s) -> str:
	"""'<table> row N: reason' from a core problem whose message starts with 'Row N: '."""
	message = problem.format(translate)
	prefix = f"Row {problem.row}: "
	if problem.row is not None and message.startswith(prefix):
		return f"{table} row {problem.row}: {message[len(prefix) :]}"
	if message.startswith("Rows "):
		return f"{table} rows {message[5:]}"
	if problem.row is not None:
		return f"{table} row {problem.row}: {message}"
	return f"{table}: {message}"


# ------------------------------------------------------------------------------------------ configuration


def _date(value, label: str, where: str, errors: list[str]) -> date | None:
	try:
		return cal.parse_date(value)
	except ValueError:
		errors.append(f"{where}: {label} {value} is not a date; use YYYY-MM-DD")
		return None


def _calendars(tables, first_rows, errors) -> dict[str, cal.ServiceCalendar]:
	zones: dict[str, tuple[object, int]] = {}
	for n, r in enumerate(records(tables["calendars"]), first_rows["calendars"]):
		name = text(r.get("calendar"))
		if not name:
			errors.append(f"calendars row {n}: calendar (its name) is required")
		elif name in zones:
			errors.append(f"calendars row {n}: calendar {name} is already in row {zones[name][1]}")
		else:
			zones[name] = (r.get("timezone"), n)
	rows: dict[str, dict[str, list[dict]]] = {name: {"windows": [], "exceptions": []} for name in zones}
	for table, key in (("calendar_windows", "windows"), ("calendar_exceptions", "exceptions")):
		for n, r in enumerate(records(tables.get(table)), first_rows.get(table, 2)):
			name = text(r.get("calendar"))
			if name not in rows:
				errors.append(f"{table} row {n}: unknown calendar {name or '-'}; list it in calendars")
				continue
			rows[name][key].append({**r, "idx": n})
	calendars = {}
	for name, (tz, n) in zones.items():
		problems = cal.validate_calendar(tz, rows[name]["windows"], rows[name]["exceptions"])
		for p in problems:
			table = {"windows": "calendar_windows", "exceptions": "calendar_exceptions"}.get(p.field)
			message = located(table, p) if table else f"calendars row {n}: {p.format()}"
			errors.append(f"calendar {name}: {message}")
		if not problems:
			calendars[name] = cal.build_calendar(str(tz).strip(), rows[name]["windows"], rows[name]["exceptions"])
	return calendars


def _versions(tables, first_rows, known_calendars: set[str], errors) -> tuple[pd.DataFrame, list[tuple[str, str]], pd.DataFrame]:
	"""The versions measurements may name (signed or in force; all of them without a state column), those
	not monitored with their state, and every version (name, code, version, state) for the directory."""
	has_state = "state" in tables["agreements"].columns
	kept, seen, left_out, every = [], {}, [], []
	for n, r in enumerate(records(tables["agreements"]), first_rows["agreements"]):
		where = f"agreements row {n}"
		name = text(r.get("agreement"))
		if not name:
			errors.append(f"{where}: agreement (its name, e.g. SLA-2026-0001-V1) is required")
			continue
		if name in seen:
			errors.append(f"{where}: agreement {name} is already in row {seen[name]}")
			continue
		seen[name] = n
		state = text(r.get("state")) if has_state else lifecycle.ACTIVE
		if state not in IN_FORCE_STATES:
			left_out.append((name, state))
		if state not in MEASURABLE_STATES:
			every.append((name, text(r.get("agreement_code")), 0, state))
			continue
		code = text(r.get("agreement_code"))
		if not code:
			errors.append(f"{where}: agreement_code is required")
		kind = text(r.get("agreement_type"))
		if kind not in lifecycle.AGREEMENT_TYPES:
			errors.append(f"{where}: agreement_type {kind or '-'} is not one of {', '.join(lifecycle.AGREEMENT_TYPES)}")
		try:
			version = int(float(text(r.get("version"))))
		except ValueError:
			errors.append(f"{where}: version {r.get('version')} is not a whole number")
			version = None
		calendar = text(r.get("calendar"))
		if calendar not in known_calendars:
			errors.append(f"{where}: unknown calendar {calendar or '-'}; list it in calendars")
		valid_from = _date(r.get("valid_from"), "valid_from", where, errors)
		valid_to = _date(r.get("valid_to"), "valid_to", where, errors)
		ended_on = _date(r.get("ended_on"), "ended_on", where, errors)
		if valid_from and valid_to and valid_to < valid_from:
			errors.append(f"{where}: valid_to {valid_to} is before valid_from {valid_from}")
		kept.append((name, code, version, kind, text(r.get("party")), calendar, valid_from, valid_to, ended_on, state))
		every.append((name, code, version or 0, state))
	every = pd.DataFrame(every, columns=["agreement", "agreement_code", "version", "state"])
	return pd.DataFrame(kept, columns=VERSION_COLUMNS), left_out, every


def _targets(tables, first_rows, versions: pd.DataFrame, known: set[str], errors) -> pd.DataFrame:
	names = set(versions["agreement"])
	out, seen = [], {}
	for n, r in enumerate(records(tables["targets"]), first_rows["targets"]):
		name = text(r.get("agreement"))
		if name not in known:
			errors.append(f"targets row {n}: unknown agreement {name or '-'}; list it in agreements")
			continue
		if name not in names:
			continue  # neither signed nor in force: never measured
		code = text(r.get("target_code"))
		if not code:
			errors.append(f"targets row {n}: target_code is required")
			continue
		if (name, code) in seen:
			errors.append(f"targets row {n}: agreement {name} already has target {code} (row {seen[name, code]})")
			continue
		seen[name, code] = n
		problems = tgt.validate_target_row({**r, "idx": n})
		errors.extend(f"{located('targets', p)} (agreement {name}, target {code})" for p in problems)
		if problems:
			continue
		out.append(
			{
				"agreement": name,
				"target_code": code,
				"service": text(r.get("service")),
				"metric_kind": text(r.get("metric_kind")),
				"metric_name": text(r.get("metric_name")),
				"priority": text(r.get("priority")),
				"target_value": tgt.to_number(r.get("target_value")),
				"time_unit": text(r.get("time_unit")),
				"unit": text(r.get("unit")),
				"direction": text(r.get("direction")),
				"compliance_share": tgt.to_number(r.get("compliance_share")),
			}
		)
	return pd.DataFrame(out, columns=TARGET_ROW_COLUMNS)


def _links(tables, first_rows, versions: pd.DataFrame, errors) -> pd.DataFrame:
	"""Underpinning links; an SLA given by its code stands for each of its versions, an OLA / UC given by
	version name stands for its code (and names the version the consistency check reads)."""
	code_of = dict(zip(versions["agreement"], versions["agreement_code"], strict=True))
	of_code: dict[str, list[str]] = {}
	for name, code in code_of.items():
		of_code.setdefault(code, []).append(name)
	out = []
	for n, r in enumerate(records(tables.get("underpinning")), first_rows.get("underpinning", 2)):
		values = [text(r.get(c)) for c in core_breaches.LINK_COLUMNS]
		if not all(values):
			missing = [c for c, v in zip(core_breaches.LINK_COLUMNS, values, strict=True) if not v]
			errors.append(f"underpinning row {n}: {', '.join(missing)} required")
			continue
		sla, sla_target, under, under_target = values
		version = text(r.get("underpinning_agreement")) or (under if under in code_of else "")
		under = code_of.get(under, under)
		for name in [sla] if sla in code_of or sla not in of_code else of_code[sla]:
			out.append((name, sla_target, under, under_target, version))
	frame = pd.DataFrame(out, columns=[*core_breaches.LINK_COLUMNS, "underpinning_agreement"])
	return frame.drop_duplicates().reset_index(drop=True)


# ------------------------------------------------------------------------------------------ measurements


def directory(tables, versions: pd.DataFrame, every: pd.DataFrame, target_rows: pd.DataFrame, calendars) -> Directory:
	"""The core's directory of the folder (its one rule for matching tickets to agreements); ``every``
	version is in it so a row naming one that is not signed or in force is told why."""
	services = tables.get("agreement_services")
	services = pd.DataFrame(records(services), columns=["agreement", "service"]) if services is not None else None
	zones = {name: c.timezone for name, c in calendars.items()}
	others = every[~every["agreement"].isin(versions["agreement"])].reindex(columns=VERSION_COLUMNS)
	return build_directory(pd.concat([versions, others], ignore_index=True) if len(others) else versions, target_rows, services, zones)


def _ticket_zone(r: dict, d: Directory, n: int) -> str | None:
	"""The zone check_tickets reads a ticket's naive times in; None when the ticket has no agreement."""
	try:
		if text(r.get("agreement")):
			return d.agreement(r.get("agreement"), n)[1]
		return d.ticket_agreement(r.get("service"), r.get("customer"), r.get("created"), n, lambda v, z: ms.parse_instant(v, z, "created", n))[1]
	except ms.BadValue:
		return None


def _measurements(tables, first_rows, d: Directory, problems: list[RowProblem], rows: dict) -> compliance.Measurements:
	def first(name):
		return first_rows.get(name, 2)

	# pauses are checked here with their own row numbers, then handed to check_tickets with their ticket
	ticket_rows = records(tables.get("tickets"))
	by_id: dict[str, list[tuple[int, dict]]] = {}
	for n, r in enumerate(ticket_rows, first("tickets")):
		by_id.setdefault(text(r.get("ticket_id")), []).append((n, r))
		r["pauses"] = []
	pause_rows = records(tables.get("pauses"))
	attached: list[tuple[int, str]] = []
	for n, r in enumerate(pause_rows, first("pauses")):
		tid = text(r.get("ticket_id"))
		try:
			if not tid:
				raise ms.BadValue(Problem("Row {0}: ticket_id is required", (n,), "ticket_id", n))
			if tid not in by_id:
				raise ms.BadValue(Problem("Row {0}: ticket {1} is not in tickets", (n, tid), "ticket_id", n))
			if r.get("start") is None:
				raise ms.BadValue(Problem("Row {0}: start is required", (n,), "start", n))
			tn, ticket = by_id[tid][0]
			tz = _ticket_zone(ticket, d, tn)
			if tz:
				start = ms.parse_instant(r.get("start"), tz, "start", n)
				end = ms.parse_instant(r.get("end"), tz, "end", n) if r.get("end") is not None else None
				if end is not None and end < start:
					raise ms.BadValue(Problem("Row {0}: the pause ends before it starts", (n,), "end", n))
		except ms.BadValue as e:
			problems.append(RowProblem("pauses", e.problem))
			continue
		for _tn, ticket in by_id[tid]:
			ticket["pauses"].append({"start": r.get("start"), "end": r.get("end")})
		attached.append((n, tid))

	checked = ms.check_tickets(ticket_rows, d, first_row=first("tickets"))
	problems.extend(RowProblem("tickets", p) for p in checked.problems)
	tickets, pauses = checked.frames["tickets"], checked.frames["pauses"]
	kept = set(tickets["ticket_id"])
	for n, tid in attached:
		if tid not in kept:
			problems.append(RowProblem("pauses", Problem("Row {0}: its ticket {1} was skipped", (n, tid), "ticket_id", n)))
	if "tickets" in tables:
		rows["tickets"] = (len(ticket_rows), len(tickets))
	if "pauses" in tables:
		rows["pauses"] = (len(pause_rows), sum(tid in kept for _n, tid in attached))

	frames = {}
	for name, check in (("outages", ms.check_outages), ("coverage", ms.check_coverage), ("metrics", ms.check_metrics)):
		rs = records(tables.get(name))
		c = check(rs, d, first_row=first(name))
		problems.extend(RowProblem(name, p) for p in c.problems)
		frames[name] = c.frames[name]
		if name in tables:
			rows[name] = (len(rs), len(frames[name]))
	return compliance.Measurements(tickets, pauses, frames["outages"], frames["coverage"], frames["metrics"])


# ------------------------------------------------------------------------------------------ the folder


def load_tables(tables: dict[str, pd.DataFrame], first_rows: dict[str, int] | int = 2) -> Bundle:
	"""A Bundle from the folder's tables as frames (column names as in docs/offline.md).

	Calendars, agreements, targets and links must all be right (FolderError lists everything wrong); bad
	measurement rows are left out and named in ``Bundle.problems``.
	"""
	if isinstance(first_rows, int):
		first_rows = dict.fromkeys(TABLES, first_rows)
	else:
		first_rows = {name: first_rows.get(name, 2) for name in TABLES}
	tables = {k: v.rename(columns=lambda c: str(c).strip().lower()) for k, v in tables.items() if v is not None}
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
	# a calendar with problems is reported once, not again for every agreement on it
	known_calendars = (set(calendars) | {text(r.get("calendar")) for r in records(tables["calendars"])}) - {""}
	versions, left_out, every = _versions(tables, first_rows, known_calendars, errors)
	known = {text(r.get("agreement")) for r in records(tables["agreements"])}
	target_rows = _targets(tables, first_rows, versions, known, errors)
	links = _links(tables, first_rows, versions, errors)
	if errors:
		raise FolderError(errors)

	d = directory(tables, versions, every, target_rows, calendars)
	problems: list[RowProblem] = []
	rows: dict[str, tuple[int, int]] = {}
	measurements = _measurements(tables, first_rows, d, problems, rows)
	order = {name: i for i, name in enumerate(MEASUREMENT_TABLES)}
	problems.sort(key=lambda p: (order.get(p.table, 99), p.row or 0))
	sla_parties = {a: p for a, p, k in zip(versions["agreement"], versions["party"], versions["agreement_type"], strict=True) if k == "SLA"}
	return Bundle(versions, target_rows, calendars, measurements, links, sla_parties, problems, d, rows, left_out)


def load_folder(path) -> Bundle:
	"""Read and check a folder (docs/offline.md). CSV rows are numbered as in the file (the header is row 1,
	the first data row row 2); Parquet rows from 1. Raises FolderError when the folder cannot be computed;
	bad measurement rows are in ``Bundle.problems``."""
	return load_tables(*read_folder(path))


# ------------------------------------------------------------------------------------------ consistency


def consistency(bundle: Bundle, first: date, last: date) -> list[tuple[str, Conflict]]:
	"""The underpinning consistency check (the one the site runs before activation) of every SLA version
	in force on some day of [first, last]: (SLA version, conflict). An OLA / UC named by its code is read
	as its latest version in the folder."""
	v = bundle.versions
	by_name = {r["agreement"]: r for r in v.to_dict("records")}
	latest = {}
	for r in sorted(by_name.values(), key=lambda r: r["version"] or 0):
		latest[r["agreement_code"]] = r["agreement"]
	targets: dict[str, list[dict]] = {}
	for r in bundle.target_rows.to_dict("records"):
		targets.setdefault(r["agreement"], []).append(r)
	out = []
	slas = in_force_frame(v[v["agreement_type"] == "SLA"], first, last + timedelta(days=1))
	for sla in slas.to_dict("records"):
		links = [
			{"idx": i, "sla_target": link.sla_target, "underpinning_agreement": link.underpinning_agreement or latest.get(link.underpinning_code, link.underpinning_code), "underpinning_target": link.underpinning_target}
			for i, link in enumerate(bundle.links[bundle.links["sla_agreement"] == sla["agreement"]].itertuples(index=False), 1)
		]
		under = {}
		for link in links:
			u = by_name.get(link["underpinning_agreement"])
			if u:
				under[u["agreement"]] = {**u, "workflow_state": u["state"], "targets": targets.get(u["agreement"], [])}
		record = {"name": sla["agreement"], "valid_from": sla["valid_from"], "valid_to": sla["valid_to"], "targets": targets.get(sla["agreement"], [])}
		out.extend((sla["agreement"], c) for c in check_underpinning(record, links, under))
	return out
