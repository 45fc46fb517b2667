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

from slm_app.core import breaches as core_breaches
from slm_app.core import calendar as cal
from slm_app.core import compliance
from slm_app.core import month as core_month
from slm_app.core import targets as tgt
from slm_app.core.agreements import IN_FORCE_STATES, MEASURABLE_STATES, VERSION_COLUMNS, in_force_frame
from slm_app.core.directory import Directory, build_directory
from slm_app.core.instants import OPEN_END
from slm_app.core.periods import next_month, period_key
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


def load_calendars(names: list[str]) -> dict[str, cal.ServiceCalendar]:
	if not names:
		return {}
	zones = dict(frappe.get_all("SLM Service Calendar", filters={"name": ["in", names]}, fields=["name", "timezone"], as_list=True))
	windows: dict[str, list] = {n: [] for n in names}
	exceptions: dict[str, list] = {n: [] for n in names}
	for row in frappe.get_all(
		"SLM Calendar Window", filters={"parent": ["in", names], "parenttype": "SLM Service Calendar"}, fields=["parent", "idx", "weekday", "start_time", "end_time"]
	):
		windows[row.parent].append(row)
	for row in frappe.get_all(
		"SLM Calendar Exception",
		filters={"parent": ["in", names], "parenttype": "SLM Service Calendar"},
		fields=["parent", "idx", "exception_date", "exception_type", "start_time", "end_time"],
	):
		exceptions[row.parent].append(row)
	return {n: cal.build_calendar(zones[n], windows[n], exceptions[n]) for n in names}


def _read_measurements(targets: pd.DataFrame, code_of: dict[str, str], lo: datetime, hi: datetime) -> compliance.Measurements:
	"""Tickets (with who raised them), their pauses, outages, coverage and metric values of the month's
	read window, one query each, and only the kinds the targets need. Times come back as text and are
	parsed by pandas in one go: a datetime per value through Frappe's converters is most of the cost of a
	month with many tickets."""
	empty = compliance.Measurements.empty()
	kinds = set(targets["metric_kind"])
	tickets, pauses = empty.tickets, empty.pauses
	if kinds & set(tgt.TIME_KINDS):
		window = {"codes": sorted(set(code_of.values())) or [""], "lo": lo, "hi": hi}
		rows = pd.DataFrame(
			frappe.db.sql(
				"""select name, agreement_code, priority, cast(created_at as char), cast(first_response_at as char),
					cast(resolved_at as char), raised_by
				from `tabSLM Ticket Event`
				where agreement_code in %(codes)s and created_at between %(lo)s and %(hi)s""",
				window,
			),
			columns=["ticket_id", "agreement_code", "priority", "created", "response", "resolved", "raised_by"],
		)
		paused = pd.DataFrame(
			frappe.db.sql(
				"""select p.parent, cast(p.pause_start as char), cast(p.pause_end as char)
				from `tabSLM Ticket Pause` p join `tabSLM Ticket Event` t on t.name = p.parent
				where p.parenttype = 'SLM Ticket Event' and t.agreement_code in %(codes)s and t.created_at between %(lo)s and %(hi)s""",
				window,
			),
			columns=["ticket_id", "start", "end"],
		)
		tickets = pd.DataFrame(
			{
				"ticket_id": rows["ticket_id"].astype(str),
				"agreement_code": rows["agreement_code"],
				"priority": rows["priority"].fillna(""),
				"created_ns": from_site_time(rows["created"]),
				"response_ns": from_site_time(rows["response"]),
				"resolved_ns": from_site_time(rows["resolved"]),
				"raised_by": rows["raised_by"].fillna(""),
			}
		)
		end = from_site_time(paused["end"])
		pauses = pd.DataFrame(
			{
				"ticket_id": paused["ticket_id"].astype(str),
				"start_ns": from_site_time(paused["start"]),
				"end_ns": np.where(end == compliance.NAT, OPEN_END, end),  # still paused
				"ticket_row": pd.Index(rows["ticket_id"]).get_indexer(paused["ticket_id"]) if len(paused) else np.zeros(0, dtype=np.int64),
			}
		)
	spans = {"SLM Outage": empty.outages, "SLM Monitoring Coverage": empty.coverage}
	if tgt.AVAILABILITY in kinds:
		services = _in(targets.loc[targets["metric_kind"] == tgt.AVAILABILITY, "service"].dropna())
		for doctype, a, b, extra in (("SLM Outage", "outage_start", "outage_end", ["planned"]), ("SLM Monitoring Coverage", "covered_from", "covered_to", [])):
			rows = _frame(
				frappe.get_all(doctype, filters={"service": ["in", services], a: ["<", hi], b: [">", lo]}, fields=["service", a, b, *extra]),
				["service", a, b, *extra],
			)
			frame = pd.DataFrame({"service": rows["service"], "start_ns": from_site_time(rows[a]), "end_ns": from_site_time(rows[b])})
			if extra:
				frame["planned"] = rows["planned"].astype(bool)
			spans[doctype] = frame
	metrics = empty.metrics
	if tgt.CUSTOM_METRIC in kinds:
		mv = _frame(
			frappe.get_all(
				"SLM Metric Value",
				filters={"agreement": ["in", _in(code_of)], "measured_at": ["between", [lo, hi]]},
				fields=["agreement", "target_code", "measured_at", "value"],
			),
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
	return compliance.Measurements(tickets, pauses, spans["SLM Outage"], spans["SLM Monitoring Coverage"], metrics)


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


def month_input(year: int, month: int, codes: list[str] | None = None, as_of: datetime | None = None, closed: bool = True) -> tuple[core_month.MonthInput, dict]:
	"""Every input of the month, read up front in bulk; and what the write needs (drafts, listed rows).

	``closed``: records of the month already submitted or cancelled stay as they are (the monthly job);
	without it every result is written again (a recorded recompute)."""
	first, after = date(year, month, 1), date(*next_month(year, month), 1)
	filters = {"workflow_state": ["in", list(IN_FORCE_STATES)], "valid_from": ["<", after]}
	if codes is not None:
		filters["agreement_code"] = ["in", codes or [""]]
	versions = _frame(frappe.get_all("SLM Agreement", filters=filters, fields=VERSION_FIELDS), VERSION_COLUMNS)
	versions = in_force_frame(versions, first, after) if len(versions) else versions
	names = versions["agreement"].tolist()
	code_of = dict(zip(versions["agreement"], versions["agreement_code"], strict=True))
	targets = _frame(
		frappe.get_all(
			"SLM Agreement Target",
			filters={"parent": ["in", _in(names)], "parenttype": "SLM Agreement", "parentfield": "targets"},
			fields=["parent as agreement", "target_code", "service", *tgt.VALUE_FIELDS],
		),
		core_month.TARGET_ROW_COLUMNS,
	)
	lo = datetime.combine(first - timedelta(days=2), datetime.min.time())
	hi = datetime.combine(after + timedelta(days=2), datetime.min.time())
	measurements = _read_measurements(targets, code_of, lo, hi)

	# the links that touch these versions, from either end, and the SLAs' customers
	links = _frame(
		frappe.get_all(
			"SLM Underpinning",
			filters={"parenttype": "SLM Agreement"},
			or_filters={"parent": ["in", _in(names)], "underpinning_agreement": ["in", _in(names)]},
			fields=["parent as sla_agreement", "sla_target", "underpinning_agreement", "underpinning_target"],
		),
		["sla_agreement", "sla_target", "underpinning_agreement", "underpinning_target"],
	)
	sla_parties, earlier = {}, pd.DataFrame(columns=core_month.EARLIER_COLUMNS)
	if len(links):
		heads = frappe.get_all(
			"SLM Agreement",
			filters={"name": ["in", _in(set(links["underpinning_agreement"]) | set(links["sla_agreement"]))]},
			fields=["name", "agreement_code", "agreement_type", "party"],
		)
		links["underpinning_code"] = links["underpinning_agreement"].map({h.name: h.agreement_code for h in heads})
		sla_parties = {h.name: h.party for h in heads if h.agreement_type == "SLA"}
		earlier = _frame(
			frappe.get_all(
				"SLM Monitoring Record",
				filters={"agreement_code": ["in", _in(links["underpinning_code"].dropna())], "period": period_key(year, month), "docstatus": 1, "result": compliance.BREACHED},
				fields=core_month.EARLIER_COLUMNS,
			),
			core_month.EARLIER_COLUMNS,
		)
	# what the month has already: its records, and its breaches with the underpinning rows they list
	records = frappe.get_all("SLM Monitoring Record", filters={"agreement": ["in", _in(names)], "period": period_key(year, month)}, fields=["name", "docstatus"])
	breach_of = set(names) | (set(links["sla_agreement"]) if len(links) else set())
	recorded = _frame(
		frappe.get_all("SLM Breach", filters={"agreement": ["in", _in(breach_of)], "period": period_key(year, month)}, fields=["name as breach"]),
		["breach"],
	)
	listed = {}
	if len(recorded) and len(links) and (versions["agreement_type"] != "SLA").any():
		rows = _frame(
			frappe.get_all(
				"SLM Breach Underpinning",
				filters={"parent": ["in", _in(recorded["breach"])], "parenttype": "SLM Breach"},
				fields=["parent as breach", "underpinning_agreement", "target_code as underpinning_target"],
			),
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
		closed=frozenset(r.name for r in records if r.docstatus in (1, 2)) if closed else frozenset(),
		as_of=as_of,
		now=site_now(),
	)
	return inp, {"drafts": {r.name for r in records if r.docstatus == 0}, "listed": listed}


def compute(year: int, month: int, codes: list[str] | None = None, as_of: datetime | None = None, closed: bool = True) -> Computed:
	"""The month through the core's pipeline. Open tickets are judged at the end of the month in each
	agreement's own zone (or now, while it runs), unless ``as_of`` says otherwise."""
	inp, known = month_input(year, month, codes, as_of, closed)
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


def _open_workflow_actions(breaches: list[str]) -> None:
	"""What Frappe makes when it inserts a document under a workflow, for all new breaches at once: an open
	Workflow Action for the roles that may take the breach's next step (the desk's list of pending
	actions). The workflow sends no email alerts, so there is nothing else to do."""
	from frappe.model.workflow import get_workflow_name
	from frappe.workflow.doctype.workflow_action.workflow_action import get_next_possible_transitions

	workflow = get_workflow_name("SLM Breach")
	roles = sorted({t.allowed for t in get_next_possible_transitions(workflow, core_breaches.OPEN)}) if workflow and breaches else []
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
	data = compute(year, month, [code], closed=False)
	key = period_key(year, month)
	old = {
		(r.agreement, r.target_code): r.name
		for r in frappe.get_all(
			"SLM Monitoring Record",
			filters={"agreement_code": code, "period": key, "docstatus": 1},
			fields=["name", "agreement", "target_code"],
		)
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
