"""Adapter for monitoring (SL4.1, SL4.2): reads every input of a month in bulk, runs the core's month
pipeline (:func:`slm_app.core.month.compute_month`, the same one the offline command runs), then writes the
monitoring table and the breaches in bulk.

A fixed number of queries per run whatever the number of agreements, tickets or breaches: one per kind of
data, never a ``get_doc`` per row. The rules (which versions count and until when, what a record and a
breach hold, their names, the affected customer and users, underpinning attribution) are the core's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import frappe
import numpy as np
import pandas as pd
from frappe import _
from frappe.utils import get_system_timezone, now_datetime
from frappe.utils.caching import site_cache

from slm_app.core import breaches as core_breaches
from slm_app.core import calendar as cal
from slm_app.core import compliance
from slm_app.core import month as core_month
from slm_app.core import targets as tgt
from slm_app.core.agreements import IN_FORCE_STATES, MEASURABLE_STATES, VERSION_COLUMNS, in_force_frame
from slm_app.core.directory import Directory, build_directory
from slm_app.core.instants import OPEN_END
from slm_app.core.periods import next_month, period_key
from slm_app.locks import lock_agreement
from slm_app.utils import from_site_time, site_now, to_site_time

record_name = core_month.record_name  # the names are the core's; kept here for the callers
__all__ = ["IN_FORCE_STATES", "compute", "directory_for", "month_input", "period_key", "record_name", "recompute", "write_month"]

VERSION_FIELDS = [
	"name as agreement", "agreement_code", "version", "agreement_type", "party", "service_calendar as calendar",
	"valid_from", "valid_to", "ended_on", "workflow_state as state",
]


def _frame(rows, columns) -> pd.DataFrame:
	"""frappe._dict answers every attribute (numpy probes them), so hand pandas plain dicts."""
	return pd.DataFrame([dict(r) for r in rows], columns=columns)


def _in(values: Iterable) -> list:
	return sorted(set(values)) or [""]


def _sql(query: str, values: dict, columns: list[str]) -> pd.DataFrame:
	"""Rows of a parametrised query as a frame (the month's reads are a few plain queries: frappe.get_all's
	query building costs more than the query on a small agreement)."""
	return pd.DataFrame.from_records(list(frappe.db.sql(query, values)), columns=columns)


# ------------------------------------------------------------------------------------------ directory


def directory_for(agreements: list[str] | None = None, services: list[str] | None = None, naive_in_agreement_tz: bool = False) -> Directory:
	"""The core's directory (:mod:`slm_app.core.directory`) of the site: what measurement rows may refer
	to and the one rule that matches a ticket to an agreement. Timestamps Frappe stored are naive in the
	system time zone; rows from files and the REST API are read in the agreement's own zone instead
	(``naive_in_agreement_tz``). ``agreements`` limits it to those versions (any state, so a message can
	say why one is refused); ``services`` to those services. Every state is read: the core decides which
	versions rows may name, and says why the others are refused."""
	filters = {"name": ["in", agreements]} if agreements else {}
	versions = _frame(frappe.get_all("SLM Agreement", filters=filters, fields=VERSION_FIELDS), VERSION_COLUMNS)
	names = _in(versions.loc[versions["state"].isin(MEASURABLE_STATES), "agreement"])
	targets = _frame(
		frappe.get_all(
			"SLM Agreement Target",
			filters={"parent": ["in", names], "parenttype": "SLM Agreement", "parentfield": "targets"},
			fields=["parent as agreement", "target_code", "service"],
		),
		["agreement", "target_code", "service"],
	)
	listed = _frame(
		frappe.get_all("SLM Agreement Service", filters={"parent": ["in", names], "parenttype": "SLM Agreement"}, fields=["parent as agreement", "service"]),
		["agreement", "service"],
	)
	zones = dict(frappe.get_all("SLM Service Calendar", fields=["name", "timezone"], as_list=True))
	own = dict(frappe.get_all("SLM Service", filters={"name": ["in", services]} if services else {}, fields=["name", "service_calendar"], as_list=True))
	system = get_system_timezone()
	return build_directory(versions, targets, listed, zones, own, default_tz=system, naive_in=None if naive_in_agreement_tz else system)


# ------------------------------------------------------------------------------------------ reading a month


_CALENDARS: dict[str, tuple[object, cal.ServiceCalendar]] = {}  # name -> (modified, calendar), per process


def load_calendars(names: list[str]) -> dict[str, cal.ServiceCalendar]:
	"""The calendars, built by the core; a calendar already built in this process is reused while its
	document is unchanged (saving it, windows and exceptions included, changes its modified)."""
	if not names:
		return {}
	heads = frappe.db.sql("select name, timezone, modified from `tabSLM Service Calendar` where name in %(n)s", {"n": names})
	stale = [n for n, _tz, modified in heads if _CALENDARS.get(n, (None,))[0] != modified]
	if stale:
		windows: dict[str, list] = {n: [] for n in stale}
		exceptions: dict[str, list] = {n: [] for n in stale}
		for row in frappe.db.sql(
			"""select parent, idx, weekday, start_time, end_time from `tabSLM Calendar Window`
			where parent in %(n)s and parenttype = 'SLM Service Calendar'""",
			{"n": stale},
			as_dict=True,
		):
			windows[row.parent].append(row)
		for row in frappe.db.sql(
			"""select parent, idx, exception_date, exception_type, start_time, end_time from `tabSLM Calendar Exception`
			where parent in %(n)s and parenttype = 'SLM Service Calendar'""",
			{"n": stale},
			as_dict=True,
		):
			exceptions[row.parent].append(row)
		for n, tz, modified in heads:
			if n in windows:
				_CALENDARS[n] = (modified, cal.build_calendar(tz, windows[n], exceptions[n]))
	return {n: _CALENDARS[n][1] for n, _tz, _m in heads}


def _read_measurements(targets: pd.DataFrame, code_of: dict[str, str], lo: datetime, hi: datetime) -> compliance.Measurements:
	"""Tickets (with who raised them), their pauses, outages, coverage and metric values of the month's
	read window, one query each, and only the kinds the targets need. Times come back as text and are
	turned into instants by pandas in one go per kind: a datetime per value through Frappe's converters is
	most of the cost of a month with many tickets."""
	empty = compliance.Measurements.empty()
	kinds = set(targets["metric_kind"])
	tickets, pauses = empty.tickets, empty.pauses
	if kinds & set(tgt.TIME_KINDS):
		window = {"codes": _in(code_of.values()), "lo": lo, "hi": hi}
		rows = _sql(
			"""select name, agreement_code, priority, cast(created_at as char), cast(first_response_at as char),
				cast(resolved_at as char), raised_by
			from `tabSLM Ticket Event`
			where agreement_code in %(codes)s and created_at between %(lo)s and %(hi)s""",
			window,
			["ticket_id", "agreement_code", "priority", "created", "response", "resolved", "raised_by"],
		)
		paused = _sql(
			"""select p.parent, cast(p.pause_start as char), cast(p.pause_end as char)
			from `tabSLM Ticket Pause` p join `tabSLM Ticket Event` t on t.name = p.parent
			where p.parenttype = 'SLM Ticket Event' and t.agreement_code in %(codes)s and t.created_at between %(lo)s and %(hi)s""",
			window,
			["ticket_id", "start", "end"],
		)
		n, k = len(rows), len(paused)
		times = from_site_time(np.concatenate([rows[c].to_numpy(dtype=object) for c in ("created", "response", "resolved")] + [paused[c].to_numpy(dtype=object) for c in ("start", "end")]))
		end = times[3 * n + k :]
		tickets = pd.DataFrame(
			{
				"ticket_id": rows["ticket_id"].astype(str),
				"agreement_code": rows["agreement_code"],
				"priority": rows["priority"].fillna(""),
				"created_ns": times[:n],
				"response_ns": times[n : 2 * n],
				"resolved_ns": times[2 * n : 3 * n],
				"raised_by": rows["raised_by"].fillna(""),
			}
		)
		pauses = pd.DataFrame(
			{
				"ticket_id": paused["ticket_id"].astype(str),
				"start_ns": times[3 * n : 3 * n + k],
				"end_ns": np.where(end == compliance.NAT, OPEN_END, end),  # still paused
				"ticket_row": pd.Index(rows["ticket_id"]).get_indexer(paused["ticket_id"]) if k else np.zeros(0, dtype=np.int64),
			}
		)
	spans = {"outages": empty.outages, "coverage": empty.coverage}
	if tgt.AVAILABILITY in kinds:
		window = {"services": _in(targets.loc[targets["metric_kind"] == tgt.AVAILABILITY, "service"].dropna()), "lo": lo, "hi": hi}
		outages = _sql(
			"""select service, cast(outage_start as char), cast(outage_end as char), planned from `tabSLM Outage`
			where service in %(services)s and outage_start < %(hi)s and outage_end > %(lo)s""",
			window,
			["service", "start", "end", "planned"],
		)
		coverage = _sql(
			"""select service, cast(covered_from as char), cast(covered_to as char) from `tabSLM Monitoring Coverage`
			where service in %(services)s and covered_from < %(hi)s and covered_to > %(lo)s""",
			window,
			["service", "start", "end"],
		)
		a, b = len(outages), len(coverage)
		times = from_site_time(np.concatenate([f[c].to_numpy(dtype=object) for f in (outages, coverage) for c in ("start", "end")]))
		spans["outages"] = pd.DataFrame(
			{"service": outages["service"], "start_ns": times[:a], "end_ns": times[a : 2 * a], "planned": outages["planned"].astype(bool)}
		)
		spans["coverage"] = pd.DataFrame({"service": coverage["service"], "start_ns": times[2 * a : 2 * a + b], "end_ns": times[2 * a + b :]})
	metrics = empty.metrics
	if tgt.CUSTOM_METRIC in kinds:
		mv = _sql(
			"""select agreement, target_code, cast(measured_at as char), value from `tabSLM Metric Value`
			where agreement in %(names)s and measured_at between %(lo)s and %(hi)s""",
			{"names": _in(code_of), "lo": lo, "hi": hi},
			["agreement", "target_code", "measured_at", "value"],
		)
		metrics = pd.DataFrame(
			{
				"agreement_code": mv["agreement"].map(code_of),
				"target_code": mv["target_code"],
				"at_ns": from_site_time(mv["measured_at"]),
				"value": mv["value"].astype(float),
			}
		)
	return compliance.Measurements(tickets, pauses, spans["outages"], spans["coverage"], metrics)


@dataclass
class Computed:
	"""A computed month and what the site's write needs to know of the records and breaches it has."""

	month: core_month.Month
	drafts: set[str] = field(default_factory=set)  # draft records of the month the write replaces
	listed: dict[str, int] = field(default_factory=dict)  # breaches recorded earlier → underpinning rows they list

	@property
	def results(self) -> pd.DataFrame:
		return self.month.results

	def __getitem__(self, key: str):
		"""``data["results"]`` as callers wrote it when compute returned a dict."""
		return getattr(self.month, key)


def month_input(
	year: int, month: int, codes: list[str] | None = None, as_of: datetime | None = None, closed: bool = True, lock: bool = False
) -> tuple[core_month.MonthInput, dict]:
	"""Every input of the month, read up front in bulk; and what the write needs (drafts, listed rows).

	``closed``: records of the month already submitted or cancelled stay as they are (the monthly job);
	without it every result is written again (a recorded recompute)."""
	first, after = date(year, month, 1), date(*next_month(year, month), 1)
	key = period_key(year, month)
	by_code = "and agreement_code in %(codes)s" if codes is not None else ""
	versions = _sql(
		f"""select name, agreement_code, version, agreement_type, party, service_calendar, valid_from, valid_to, ended_on,
			workflow_state
		from `tabSLM Agreement` where workflow_state in %(states)s and valid_from < %(after)s {by_code}""",
		{"states": list(IN_FORCE_STATES), "after": after, "codes": codes or [""]},
		VERSION_COLUMNS,
	)
	versions = in_force_frame(versions, first, after)
	names = _in(versions["agreement"])
	code_of = dict(zip(versions["agreement"], versions["agreement_code"], strict=True))
	targets = _sql(
		f"""select parent, target_code, service, {", ".join(tgt.VALUE_FIELDS)} from `tabSLM Agreement Target`
		where parent in %(names)s and parenttype = 'SLM Agreement' and parentfield = 'targets'""",
		{"names": names},
		core_month.TARGET_ROW_COLUMNS,
	)
	lo = datetime.combine(first - timedelta(days=2), datetime.min.time())
	hi = datetime.combine(after + timedelta(days=2), datetime.min.time())
	measurements = _read_measurements(targets, code_of, lo, hi)

	# the links that touch these versions, from either end, and the SLAs' customers
	links = _sql(
		"""select parent, sla_target, underpinning_agreement, underpinning_target from `tabSLM Underpinning`
		where parenttype = 'SLM Agreement' and (parent in %(names)s or underpinning_agreement in %(names)s)""",
		{"names": names},
		["sla_agreement", "sla_target", "underpinning_agreement", "underpinning_target"],
	)
	sla_parties, earlier = {}, pd.DataFrame(columns=core_month.EARLIER_COLUMNS)
	if len(links):
		heads = frappe.db.sql(
			"select name, agreement_code, agreement_type, party from `tabSLM Agreement` where name in %(n)s",
			{"n": _in(set(links["underpinning_agreement"]) | set(links["sla_agreement"]))},
		)
		links["underpinning_code"] = links["underpinning_agreement"].map({h[0]: h[1] for h in heads})
		sla_parties = {h[0]: h[3] for h in heads if h[2] == "SLA"}
		earlier = _sql(
			"""select agreement, agreement_code, agreement_type, target_code, measured_value from `tabSLM Monitoring Record`
			where agreement_code in %(codes)s and period = %(key)s and docstatus = 1 and result = %(breached)s""",
			{"codes": _in(links["underpinning_code"].dropna()), "key": key, "breached": compliance.BREACHED},
			core_month.EARLIER_COLUMNS,
		)
	# what the month has already: its records, and its breaches with the underpinning rows they list
	# to write the month, locking reads: they see what a run of the same month that held the agreements'
	# lock (locks.lock_agreement) committed meanwhile, where a plain read sees an older snapshot
	locking = " for update" if lock else ""
	records = frappe.db.sql(
		"select name, docstatus from `tabSLM Monitoring Record` where agreement in %(names)s and period = %(key)s" + locking,
		{"names": names, "key": key},
	)
	breach_of = set(versions["agreement"]) | (set(links["sla_agreement"]) if len(links) else set())
	recorded = _sql(
		"select name from `tabSLM Breach` where agreement in %(a)s and period = %(key)s" + locking, {"a": _in(breach_of), "key": key}, ["breach"]
	)
	listed = {}
	if len(recorded) and len(links) and (versions["agreement_type"] != "SLA").any():
		rows = _sql(
			"""select parent, underpinning_agreement, target_code from `tabSLM Breach Underpinning`
			where parent in %(b)s and parenttype = 'SLM Breach'""",
			{"b": _in(recorded["breach"])},
			core_month.RECORDED_COLUMNS,
		)
		listed = rows["breach"].value_counts().to_dict()
		recorded = pd.concat([recorded.reindex(columns=core_month.RECORDED_COLUMNS), rows], ignore_index=True)

	inp = core_month.MonthInput(
		year,
		month,
		versions,
		targets,
		load_calendars(sorted(set(versions["calendar"]))),
		measurements,
		links=links.reindex(columns=[*core_breaches.LINK_COLUMNS, "underpinning_agreement"]),
		sla_parties=sla_parties,
		earlier=earlier,
		recorded=recorded.reindex(columns=core_month.RECORDED_COLUMNS),
		closed=frozenset(name for name, status in records if status in (1, 2)) if closed else frozenset(),
		as_of=as_of,
		now=site_now(),
	)
	return inp, {"drafts": {name for name, status in records if status == 0}, "listed": listed}


def compute(
	year: int, month: int, codes: list[str] | None = None, as_of: datetime | None = None, closed: bool = True, lock: bool = False
) -> Computed:
	"""The month through the core's pipeline. Open tickets are judged at the end of the month in each
	agreement's own zone (or now, while it runs), unless ``as_of`` says otherwise. ``lock``: the month is
	computed to be written — the agreements are locked first, so two runs of one month never overlap."""
	if lock:
		for code in codes or []:
			lock_agreement(code)
	inp, known = month_input(year, month, codes, as_of, closed, lock)
	return Computed(core_month.compute_month(inp), known["drafts"], known["listed"])


def month_closed(year: int, month: int, today: date | None = None) -> bool:
	today = today or frappe.utils.getdate()
	return (year, month) < (today.year, today.month)


# ------------------------------------------------------------------------------------------ writing a month

_META = ["name", "owner", "modified_by", "creation", "modified", "docstatus"]
_CHILD = ["parent", "parenttype", "parentfield", "idx"]
_RECORD = [k for k in core_month.RECORD_FIELDS if k != "name"]


def _insert(doctype: str, rows: list[dict], fields: list[str], docstatus: int = 0) -> None:
	"""Rows with the given fields (plus owner, times and docstatus) in one statement."""
	if not rows:
		return
	now, user = now_datetime(), frappe.session.user
	frappe.db.bulk_insert(
		doctype,
		[*_META, *fields],
		[(r.get("name") or frappe.generate_hash(length=12), user, user, now, now, docstatus, *(r.get(f) for f in fields)) for r in rows],
	)


def write_month(data: Computed, submit: bool, reason: str | None = None) -> dict:
	"""Insert the month's records in bulk. Submitted records stay as they are (a second run changes
	nothing); drafts of an open month are replaced. Returns counts and the names of the breaches created."""
	m = data.month
	if m.results.empty:
		return {"created": 0, "unchanged": 0, "breaches": []}
	writing = m.results[m.results["write"].to_numpy(dtype=bool)]
	replaced = sorted(data.drafts & set(writing["record"]))
	if replaced:
		frappe.db.delete("SLM Monitoring Record", {"name": ["in", replaced]})
	now, user = now_datetime(), frappe.session.user
	rows = core_month.record_values(m, to_site_time, writing)
	for r in rows:
		r.update(method=_(r["method"]) if r["method"] else "", monitored_on=now, monitored_by=user)
	_insert("SLM Monitoring Record", rows, [*_RECORD, "monitored_on", "monitored_by"], docstatus=1 if submit else 0)
	created = write_breaches(data) if submit and rows else []
	return {"created": len(rows), "unchanged": len(m.results) - len(rows), "breaches": created}


def write_breaches(data: Computed) -> list[str]:
	"""The month's new breaches with their tickets, underpinning rows and the Recorded action, in one
	statement per table; and the rows an OLA / UC breach adds to SLA breaches recorded earlier."""
	m = data.month
	breaches = core_month.breach_values(m, to_site_time)
	now, user = now_datetime(), frappe.session.user
	fields = [f for f in core_month.BREACH_FIELDS if f != "name"]
	for b in breaches:
		b.update(workflow_state=core_breaches.OPEN, detected_on=now)
	_insert("SLM Breach", breaches, [*fields, "workflow_state", "detected_on"])
	note = _("Detected by monitoring of {0}").format(m.period)
	children = {"actions": [], "tickets": [], "underpinning": []}
	for b in breaches:
		children["actions"].append({"parent": b["name"], "idx": 1, "action_on": now, "action_by": user, "action": core_breaches.RECORDED, "note": note})
		for table in ("tickets", "underpinning"):
			children[table] += [{**row, "parent": b["name"], "idx": i} for i, row in enumerate(b[table], 1)]
	for row, idx in _late_rows(m, data.listed):
		children["underpinning"].append({**row, "parent": row["breach"], "idx": idx})
	for table, doctype in (("actions", "SLM Breach Action"), ("tickets", "SLM Breach Ticket"), ("underpinning", "SLM Breach Underpinning")):
		rows = [{**r, "parenttype": "SLM Breach", "parentfield": table} for r in children[table]]
		_insert(doctype, rows, [*_CHILD, *core_month.BREACH_CHILD_FIELDS[table]])
	_open_workflow_actions([b["name"] for b in breaches])
	later = sorted({r["breach"] for r in core_month.late_values(m)})
	if later:
		frappe.db.sql("update `tabSLM Breach` set modified=%s, modified_by=%s where name in %s", (now, user, later))
	return [b["name"] for b in breaches]


@site_cache(ttl=300)
def _breach_action_roles() -> list[str]:
	"""The roles that may take a new (Open) breach's next step, read from its workflow."""
	from frappe.model.workflow import get_workflow_name
	from frappe.workflow.doctype.workflow_action.workflow_action import get_next_possible_transitions

	workflow = get_workflow_name("SLM Breach")
	return sorted({t.allowed for t in get_next_possible_transitions(workflow, core_breaches.OPEN)}) if workflow else []


def _open_workflow_actions(breaches: list[str]) -> None:
	"""What Frappe makes when it inserts a document under a workflow, for all new breaches at once: an open
	Workflow Action for the roles that may take the breach's next step (the desk's list of pending
	actions). The workflow sends no email alerts, so there is nothing else to do."""
	roles = _breach_action_roles() if breaches else []
	if not roles:
		return
	actions = [
		{"name": frappe.generate_hash(length=10), "reference_doctype": "SLM Breach", "reference_name": b, "workflow_state": core_breaches.OPEN, "status": "Open"}
		for b in breaches
	]
	_insert("Workflow Action", actions, ["reference_doctype", "reference_name", "workflow_state", "status"])
	_insert(
		"Workflow Action Permitted Role",
		[{"parent": a["name"], "parenttype": "Workflow Action", "parentfield": "permitted_roles", "idx": i, "role": r} for a in actions for i, r in enumerate(roles, 1)],
		[*_CHILD, "role"],
	)


def _late_rows(m: core_month.Month, listed: dict[str, int]):
	"""The late underpinning rows, each with its idx after the rows its breach lists already."""
	count = dict(listed)
	for row in core_month.late_values(m):
		count[row["breach"]] = count.get(row["breach"], 0) + 1
		yield row, count[row["breach"]]


# ------------------------------------------------------------------------------------------ recompute


def recompute(agreement: str, year: int, month: int, reason: str) -> dict:
	"""A closed month computed again: each submitted record is cancelled and amended (name -1, -2, ...)
	with the reason; breaches of targets that newly breach are added."""
	code = frappe.db.get_value("SLM Agreement", agreement, "agreement_code")
	data = compute(year, month, [code], closed=False, lock=True)
	key = period_key(year, month)
	rec = frappe.qb.DocType("SLM Monitoring Record")
	old = {
		(a, t): n
		for n, a, t in frappe.qb.from_(rec)
		.select(rec.name, rec.agreement, rec.target_code)
		.where((rec.agreement_code == code) & (rec.period == key) & (rec.docstatus == 1))
		.for_update()
		.run()
	}
	changed = 0
	for values in core_month.record_values(data.month, to_site_time):
		previous = old.get((values["agreement"], values["target_code"]))
		values.pop("name")
		doc = frappe.get_doc(
			{
				"doctype": "SLM Monitoring Record",
				**values,
				"method": _(values["method"]) if values["method"] else "",
				"monitored_on": now_datetime(),
				"monitored_by": frappe.session.user,
				"amended_from": previous,
				"amendment_reason": reason if previous else None,
			}
		)
		if previous:
			prev = frappe.get_doc("SLM Monitoring Record", previous)
			prev.flags.slm_engine = True
			prev.flags.ignore_permissions = True
			prev.cancel()
		doc.flags.slm_engine = True
		doc.flags.ignore_permissions = True
		doc.insert()
		doc.submit()
		changed += 1
	return {"recomputed": changed, "breaches": write_breaches(data)}
