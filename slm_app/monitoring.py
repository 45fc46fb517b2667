"""Adapter for monitoring (SL4.1, SL4.2): reads agreements and measurements in bulk, runs the core engine,
writes the monthly monitoring table and breach records in bulk.

A few queries per run whatever the number of tickets: one per kind of data, never a get_doc per row.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import frappe
import numpy as np
import pandas as pd
from frappe import _
from frappe.utils import get_system_timezone, now_datetime

from slm_app.core import breaches as core_breaches
from slm_app.core import calendar as cal
from slm_app.core import compliance, lifecycle
from slm_app.core import measurements as ms
from slm_app.core import targets as tgt

IN_FORCE_STATES = [lifecycle.ACTIVE, lifecycle.EXPIRED, lifecycle.TERMINATED, lifecycle.SUPERSEDED]
MEASURABLE_STATES = [lifecycle.SIGNED, *IN_FORCE_STATES]


def period_key(year: int, month: int) -> str:
	return f"{year:04d}-{month:02d}"


def record_name(agreement: str, target_code: str, year: int, month: int) -> str:
	return f"MON-{agreement}-{target_code}-{year:04d}-{month:02d}"


# ------------------------------------------------------------------------------------------ directory


def directory_for(agreements: list[str] | None = None, services: list[str] | None = None, naive_in_agreement_tz: bool = False) -> ms.Directory:
	"""What measurement rows may refer to. Timestamps stored by Frappe are naive in the system time zone;
	rows from files and the REST API may be read in the agreement's own zone instead."""
	filters = {"workflow_state": ["in", MEASURABLE_STATES]}
	if agreements:
		filters = {"name": ["in", agreements]}
	heads = frappe.get_all(
		"SLM Agreement",
		filters=filters,
		fields=["name", "agreement_code", "agreement_type", "party", "service_calendar", "workflow_state", "version"],
		order_by="version asc",
	)
	zones = dict(frappe.get_all("SLM Service Calendar", fields=["name", "timezone"], as_list=True))
	system = get_system_timezone()
	by_ref: dict[str, tuple[str, str | None]] = {}
	for h in heads:
		tz = zones.get(h.service_calendar) if naive_in_agreement_tz else None
		by_ref[h.name] = (h.agreement_code, tz)
		by_ref[h.agreement_code] = (h.agreement_code, tz)
	names = [h.name for h in heads]
	by_sc: dict[tuple[str, str], str] = {}
	svc_tz: dict[str, str | None] = {}
	if names:
		party = {h.name: h for h in heads}
		for row in frappe.get_all(
			"SLM Agreement Service", filters={"parent": ["in", names], "parenttype": "SLM Agreement"}, fields=["parent", "service"]
		):
			h = party[row.parent]
			if h.agreement_type == "SLA" and h.workflow_state in (lifecycle.ACTIVE, lifecycle.SIGNED):
				by_sc[(row.service, h.party)] = h.agreement_code
	svc_filter = {"name": ["in", services]} if services else {}
	for s in frappe.get_all("SLM Service", filters=svc_filter, fields=["name", "service_calendar"]):
		svc_tz[s.name] = zones.get(s.service_calendar) if naive_in_agreement_tz else None
	codes: dict[str, set[str]] = {}
	if names:
		for row in frappe.get_all(
			"SLM Agreement Target", filters={"parent": ["in", names], "parenttype": "SLM Agreement"}, fields=["parent", "target_code"]
		):
			codes.setdefault(by_ref[row.parent][0], set()).add(row.target_code)
	return ms.Directory(by_ref, by_sc, svc_tz, codes, default_tz=system)


# ------------------------------------------------------------------------------------------ bulk reads


def _frame(rows, columns) -> pd.DataFrame:
	"""frappe._dict answers every attribute (numpy probes them), so hand pandas plain dicts."""
	return pd.DataFrame([dict(r) for r in rows], columns=columns)


def _to_ns(series: pd.Series, tz: str) -> np.ndarray:
	"""Naive system-time datetimes or their text (None for missing) to UTC ns, NAT where missing."""
	s = pd.to_datetime(series, errors="coerce", format="ISO8601") if series.dtype == object else pd.to_datetime(series, errors="coerce")
	s = s.dt.tz_localize(tz, ambiguous="NaT", nonexistent="shift_forward")
	out = s.astype("int64").to_numpy() if len(s) else np.array([], dtype=np.int64)
	return np.where(s.isna().to_numpy(), compliance.NAT, out) if len(s) else out


def load_month(year: int, month: int, codes: list[str] | None = None) -> dict:
	"""Everything the engine needs for one month, read with one query per kind of data."""
	first = date(year, month, 1)
	after = date(year + (month == 12), month % 12 + 1, 1)
	filters = {"workflow_state": ["in", IN_FORCE_STATES], "valid_from": ["<", after]}
	if codes is not None:
		filters["agreement_code"] = ["in", codes or [""]]
	heads = [
		h
		for h in frappe.get_all(
			"SLM Agreement",
			filters=filters,
			fields=["name", "agreement_code", "version", "agreement_type", "party", "service_calendar", "valid_from", "valid_to", "ended_on", "workflow_state"],
		)
		if (not h.valid_to or h.valid_to >= first) and (not h.ended_on or h.ended_on >= first)
	]
	names = [h.name for h in heads]
	head = {h.name: h for h in heads}
	trows = frappe.get_all(
		"SLM Agreement Target",
		filters={"parent": ["in", names or [""]], "parenttype": "SLM Agreement", "parentfield": "targets"},
		fields=["parent", "target_code", "service", *tgt.VALUE_FIELDS],
	)
	targets = pd.DataFrame(
		[
			{
				"agreement": t.parent,
				"agreement_code": head[t.parent].agreement_code,
				"version": head[t.parent].version,
				"agreement_type": head[t.parent].agreement_type,
				"party": head[t.parent].party,
				"calendar": head[t.parent].service_calendar,
				"valid_from": head[t.parent].valid_from,
				# a terminated agreement is in force until the day it ended
				"valid_to": min(d for d in (head[t.parent].valid_to, head[t.parent].ended_on if head[t.parent].workflow_state == lifecycle.TERMINATED else None) if d) if (head[t.parent].valid_to or head[t.parent].ended_on) else None,
				**{k: t[k] for k in ("target_code", "service", *tgt.VALUE_FIELDS)},
			}
			for t in trows
		],
		columns=compliance.TARGET_COLUMNS,
	)
	calendars = load_calendars(sorted({h.service_calendar for h in heads}))
	tz = get_system_timezone()
	lo, hi = datetime.combine(first - timedelta(days=2), datetime.min.time()), datetime.combine(after + timedelta(days=2), datetime.min.time())
	codes_here = sorted({h.agreement_code for h in heads})
	# times come back as text and are parsed by pandas in one go: a datetime per value through Frappe's
	# converters is most of the cost of a month with many tickets
	tickets = pd.DataFrame(
		frappe.db.sql(
			"""select name, ticket_id, agreement_code, priority, cast(created_at as char), cast(first_response_at as char),
				cast(resolved_at as char)
			from `tabSLM Ticket Event`
			where agreement_code in %(codes)s and created_at between %(lo)s and %(hi)s""",
			{"codes": codes_here or [""], "lo": lo, "hi": hi},
		),
		columns=["name", "ticket_id", "agreement_code", "priority", "created_at", "first_response_at", "resolved_at"],
	)
	tickets_frame = pd.DataFrame(
		{
			"ticket_id": tickets["ticket_id"].astype(str),
			"agreement_code": tickets["agreement_code"],
			"priority": tickets["priority"].fillna(""),
			"created_ns": _to_ns(tickets["created_at"], tz),
			"response_ns": _to_ns(tickets["first_response_at"], tz),
			"resolved_ns": _to_ns(tickets["resolved_at"], tz),
		}
	)
	pauses = pd.DataFrame(
		frappe.db.sql(
			"""select p.parent, cast(p.pause_start as char), cast(p.pause_end as char)
			from `tabSLM Ticket Pause` p join `tabSLM Ticket Event` t on t.name = p.parent
			where p.parenttype = 'SLM Ticket Event' and t.agreement_code in %(codes)s and t.created_at between %(lo)s and %(hi)s""",
			{"codes": codes_here or [""], "lo": lo, "hi": hi},
		),
		columns=["parent", "pause_start", "pause_end"],
	)
	pauses_frame = pd.DataFrame(
		{
			"ticket_id": pauses["parent"].astype(str),
			"start_ns": _to_ns(pauses["pause_start"], tz),
			"end_ns": _to_ns(pauses["pause_end"].fillna("2200-01-01 00:00:00"), tz),  # still paused
		}
	)
	services = sorted(set(targets["service"].dropna()))
	spans = {}
	for doctype, a, b, extra in (
		("SLM Outage", "outage_start", "outage_end", ["planned"]),
		("SLM Monitoring Coverage", "covered_from", "covered_to", []),
	):
		rows = _frame(
			frappe.get_all(doctype, filters={"service": ["in", services or [""]], a: ["<", hi], b: [">", lo]}, fields=["service", a, b, *extra]),
			columns=["service", a, b, *extra],
		)
		frame = pd.DataFrame({"service": rows["service"], "start_ns": _to_ns(rows[a], tz), "end_ns": _to_ns(rows[b], tz)})
		if extra:
			frame["planned"] = rows["planned"].astype(bool)
		spans[doctype] = frame
	mv = _frame(
		frappe.get_all(
			"SLM Metric Value",
			filters={"agreement": ["in", names or [""]], "measured_at": ["between", [lo, hi]]},
			fields=["agreement", "target_code", "measured_at", "value"],
		),
		columns=["agreement", "target_code", "measured_at", "value"],
	)
	metrics = pd.DataFrame(
		{
			"agreement_code": mv["agreement"].map(lambda n: head[n].agreement_code),  # read for `names` only
			"target_code": mv["target_code"],
			"at_ns": _to_ns(mv["measured_at"], tz),
			"value": mv["value"].astype(float),
		}
	)
	links = _frame(
		frappe.get_all(
			"SLM Underpinning",
			filters={"parent": ["in", names or [""]], "parenttype": "SLM Agreement"},
			fields=["parent as sla_agreement", "sla_target", "underpinning_agreement", "underpinning_target"],
		),
		columns=["sla_agreement", "sla_target", "underpinning_agreement", "underpinning_target"],
	)
	if len(links):
		code_of = dict(
			frappe.get_all(
				"SLM Agreement",
				filters={"name": ["in", links["underpinning_agreement"].unique().tolist()]},
				fields=["name", "agreement_code"],
				as_list=True,
			)
		)
		links["underpinning_code"] = links["underpinning_agreement"].map(code_of)
	links = links.reindex(columns=core_breaches.LINK_COLUMNS)
	return {
		"targets": targets,
		"calendars": calendars,
		"measurements": compliance.Measurements(tickets_frame, pauses_frame, spans["SLM Outage"], spans["SLM Monitoring Coverage"], metrics),
		"links": links,
		"ticket_names": dict(zip(tickets["ticket_id"].astype(str), tickets["name"], strict=True)),
	}


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


# ------------------------------------------------------------------------------------------ compute and write


def month_closed(year: int, month: int, today: date | None = None) -> bool:
	today = today or frappe.utils.getdate()
	return (year, month) < (today.year, today.month)


def compute(year: int, month: int, codes: list[str] | None = None, as_of: datetime | None = None) -> dict:
	data = load_month(year, month, codes)
	now = pd.Timestamp(now_datetime()).tz_localize(get_system_timezone()).to_pydatetime()
	# open tickets are judged at the end of the month in each agreement's own zone (or now, while it runs)
	results, missed = compliance.evaluate(data["targets"], data["calendars"], data["measurements"], year, month, as_of, now=now)
	data.update(results=results, missed=missed, year=year, month=month)
	return data


def _ns_to_system(value) -> datetime | None:
	if value is None or int(value) == compliance.NAT:
		return None
	return pd.Timestamp(int(value), tz="UTC").tz_convert(get_system_timezone()).tz_localize(None).to_pydatetime()


def write_month(data: dict, submit: bool, reason: str | None = None) -> dict:
	"""Insert the month's records in bulk. Existing submitted records stay as they are (a second run
	changes nothing); drafts of an open month are replaced. Returns counts and the breach names created."""
	results: pd.DataFrame = data["results"]
	year, month = data["year"], data["month"]
	key = period_key(year, month)
	if results.empty:
		return {"created": 0, "unchanged": 0, "breaches": []}
	names = [record_name(a, t, year, month) for a, t in zip(results.agreement, results.target_code, strict=True)]
	# a locking read: it sees what a concurrent run of the same month committed while this one waited
	# for the agreement's lock (locks.lock_agreement), where a plain read would see the older snapshot
	rec = frappe.qb.DocType("SLM Monitoring Record")
	existing = dict(frappe.qb.from_(rec).select(rec.name, rec.docstatus).where(rec.name.isin(names)).for_update().run())
	drafts = [n for n, s in existing.items() if s == 0]
	if drafts:
		frappe.db.delete("SLM Monitoring Record", {"name": ["in", drafts]})
	now, user = now_datetime(), frappe.session.user
	fields = [
		"name", "owner", "modified_by", "creation", "modified", "docstatus", "agreement", "agreement_code", "version",
		"agreement_type", "party", "period", "period_start", "period_end", "target_code", "service", "metric_kind",
		"metric_name", "priority", "target_value", "unit", "compliance_share", "result", "measured_value",
		"sample_count", "met_count", "occurred_at", "method", "monitored_on", "monitored_by",
	]
	values, written = [], []
	for name, r in zip(names, results.itertuples(index=False), strict=True):
		if existing.get(name) in (1, 2):
			continue
		# Frappe stores Float as NOT NULL: "No Data" keeps 0 here and is told apart by its result and sample count
		measured = 0.0 if pd.isna(r.measured_value) else float(r.measured_value)
		values.append(
			(
				name, user, user, now, now, 1 if submit else 0, r.agreement, r.agreement_code, int(r.version),
				r.agreement_type, r.party, key, r.period_start, r.period_end, r.target_code, r.service, r.metric_kind,
				r.metric_name or "", r.priority or "", float(r.target_value), r.unit or "", float(r.compliance_share),
				r.result, measured, int(r.sample_count), int(r.met_count), _ns_to_system(r.occurred_ns),
				_(r.method) if r.method else "", now, user,
			)
		)
		written.append(name)
	if values:
		frappe.db.bulk_insert("SLM Monitoring Record", fields, values)
	created = []
	if submit and written:
		created = write_breaches(data, set(written))
	return {"created": len(written), "unchanged": len(names) - len(written), "breaches": created}


def write_breaches(data: dict, written: set[str]) -> list[str]:
	year, month = data["year"], data["month"]
	results = data["results"]
	br = core_breaches.find_breaches(results)
	if br.empty:
		return []
	br = br[[record_name(a, t, year, month) in written for a, t in zip(br.agreement, br.target_code, strict=True)]]
	# underpinning targets breached in the same month, whether computed in this run or an earlier one
	links = data["links"]
	earlier = _breached_records(sorted(set(links["underpinning_code"].dropna())), year, month)
	known = results if earlier.empty else pd.concat([results, earlier[~earlier.agreement.isin(results.agreement)]], ignore_index=True)
	attribution = core_breaches.attribute(br, known, links)
	missed = data["missed"]
	exists = set(frappe.get_all("SLM Breach", filters={"name": ["in", br["name"].tolist() or [""]]}, pluck="name"))
	ticket_names = data.get("ticket_names", {})
	created = []
	customers = _sla_customers(br)
	raised = dict(
		frappe.get_all(
			"SLM Ticket Event",
			filters={"name": ["in", [ticket_names.get(str(t)) for t in missed["ticket_id"]] if len(missed) else [""]], "raised_by": ["is", "set"]},
			fields=["name", "raised_by"],
			as_list=True,
		)
	)
	for b in br.itertuples(index=False):
		if b.name in exists:
			continue
		mine = missed[(missed.agreement == b.agreement) & (missed.target_code == b.target_code)] if len(missed) else missed
		att = attribution[(attribution.agreement == b.agreement) & (attribution.target_code == b.target_code)]
		doc = frappe.get_doc(
			{
				"doctype": "SLM Breach",
				"agreement": b.agreement,
				"agreement_type": b.agreement_type,
				"agreement_code": b.agreement_code,
				"version": int(b.version),
				"party": b.party,
				"period": period_key(year, month),
				"occurred_at": _ns_to_system(b.occurred_ns),
				"detected_on": now_datetime(),
				"monitoring_record": record_name(b.agreement, b.target_code, year, month),
				"service": b.service,
				"target_code": b.target_code,
				"metric_kind": b.metric_kind,
				"priority": b.priority or "",
				"measured_value": None if pd.isna(b.measured_value) else float(b.measured_value),
				"target_value": float(b.target_value),
				"compliance_share": float(b.compliance_share),
				"sample_count": int(b.sample_count),
				"missed_count": int(b.missed_count),
				"affected_customer": customers.get(b.agreement),
				**_affected(mine, ticket_names, raised),
				"underpinning": [
					{
						"underpinning_agreement": a.underpinning_agreement,
						"agreement_type": a.underpinning_type,
						"target_code": a.underpinning_target,
						"measured_value": None if pd.isna(a.underpinning_measured) else float(a.underpinning_measured),
						"monitoring_record": record_name(a.underpinning_agreement, a.underpinning_target, year, month),
					}
					for a in att.itertuples(index=False)
				],
				"actions": [{"action_on": now_datetime(), "action_by": frappe.session.user, "action": "Recorded", "note": _("Detected by monitoring of {0}").format(period_key(year, month))}],
			}
		)
		doc.flags.ignore_permissions = True
		doc.insert()
		created.append(doc.name)
		_bulk_breach_tickets(doc.name, mine, ticket_names)
	_attribute_to_earlier_sla_breaches(br, year, month)
	return created


def _affected(missed: pd.DataFrame, ticket_names: dict[str, str], raised: dict[str, str]) -> dict:
	"""Who a breach affected: the people who raised the tickets that missed, when the tickets say; else
	the number of those tickets."""
	people = sorted({raised[n] for n in (ticket_names.get(str(t)) for t in missed["ticket_id"]) if n in raised}) if len(missed) else []
	if people:
		return {"affected_users_count": len(people), "affected_users": ", ".join(people)}
	return {"affected_users_count": len(missed)}


def _bulk_breach_tickets(breach: str, missed: pd.DataFrame, ticket_names: dict[str, str]) -> None:
	"""The tickets that missed, written in one statement (they were all just read, nothing to validate)."""
	if missed.empty:
		return
	now, user = now_datetime(), frappe.session.user
	values = [
		(
			frappe.generate_hash(length=12), user, user, now, now, 0, breach, "SLM Breach", "tickets", i,
			ticket_names.get(str(m.ticket_id)), float(m.elapsed_minutes), float(m.target_minutes), _ns_to_system(m.deadline_ns),
		)
		for i, m in enumerate(missed.itertuples(index=False), 1)
	]
	frappe.db.bulk_insert(
		"SLM Breach Ticket",
		["name", "owner", "modified_by", "creation", "modified", "docstatus", "parent", "parenttype", "parentfield", "idx", "ticket", "elapsed_minutes", "target_minutes", "deadline"],
		values,
	)


def _breached_records(codes: list[str], year: int, month: int) -> pd.DataFrame:
	cols = ["agreement", "agreement_code", "agreement_type", "target_code", "measured_value", "result"]
	rows = _frame(
		frappe.get_all(
			"SLM Monitoring Record",
			filters={"agreement_code": ["in", codes or [""]], "period": period_key(year, month), "docstatus": 1, "result": compliance.BREACHED},
			fields=cols,
		),
		cols,
	)
	return rows.assign(year=year, month=month)


def _attribute_to_earlier_sla_breaches(br: pd.DataFrame, year: int, month: int) -> None:
	"""An OLA / UC month computed after its SLA's: add it to the SLA breaches of that month it underpins."""
	under = br[br.agreement_type != "SLA"]
	if under.empty:
		return
	links = frappe.get_all(
		"SLM Underpinning",
		filters={"parenttype": "SLM Agreement", "underpinning_agreement": ["in", under.agreement.unique().tolist()]},
		fields=["parent", "sla_target", "underpinning_agreement", "underpinning_target"],
	)
	for link in links:
		hit = under[(under.agreement == link.underpinning_agreement) & (under.target_code == link.underpinning_target)]
		name = core_breaches.breach_key(link.parent, link.sla_target, year, month)
		if hit.empty or not frappe.db.exists("SLM Breach", name):
			continue
		doc = frappe.get_doc("SLM Breach", name)
		if any(r.underpinning_agreement == link.underpinning_agreement and r.target_code == link.underpinning_target for r in doc.underpinning):
			continue
		h = hit.iloc[0]
		doc.append(
			"underpinning",
			{
				"underpinning_agreement": h.agreement,
				"agreement_type": h.agreement_type,
				"target_code": h.target_code,
				"measured_value": None if pd.isna(h.measured_value) else float(h.measured_value),
				"monitoring_record": record_name(h.agreement, h.target_code, year, month),
			},
		)
		doc.flags.ignore_permissions = True
		doc.save()


def _sla_customers(br: pd.DataFrame) -> dict[str, str]:
	"""The customer a breach affects: the SLA's own party, or for an OLA / UC the customers of the SLAs it underpins."""
	out = {}
	for b in br.itertuples(index=False):
		if b.agreement_type == "SLA":
			out[b.agreement] = b.party
	under = [b.agreement for b in br.itertuples(index=False) if b.agreement_type != "SLA"]
	if under:
		links = frappe.get_all(
			"SLM Underpinning",
			filters={"underpinning_agreement": ["in", under], "parenttype": "SLM Agreement"},
			fields=["parent", "underpinning_agreement"],
			order_by="parent",
		)
		party = dict(
			frappe.get_all(
				"SLM Agreement", filters={"name": ["in", sorted({r.parent for r in links}) or [""]]}, fields=["name", "party"], as_list=True
			)
		)
		for row in links:
			out.setdefault(row.underpinning_agreement, party.get(row.parent))
	return out


def recompute(agreement: str, year: int, month: int, reason: str) -> dict:
	"""A closed month computed again: each submitted record is cancelled and amended (name -1, -2, ...)
	with the reason; breaches of targets that newly breach are added."""
	code = frappe.db.get_value("SLM Agreement", agreement, "agreement_code")
	data = compute(year, month, [code])
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
	for r in data["results"].itertuples(index=False):
		previous = old.get((r.agreement, r.target_code))
		doc = frappe.get_doc(
			{
				"doctype": "SLM Monitoring Record",
				"agreement": r.agreement,
				"agreement_code": r.agreement_code,
				"version": int(r.version),
				"agreement_type": r.agreement_type,
				"party": r.party,
				"period": key,
				"period_start": r.period_start,
				"period_end": r.period_end,
				"target_code": r.target_code,
				"service": r.service,
				"metric_kind": r.metric_kind,
				"metric_name": r.metric_name or "",
				"priority": r.priority or "",
				"target_value": float(r.target_value),
				"unit": r.unit or "",
				"compliance_share": float(r.compliance_share),
				"result": r.result,
				"measured_value": 0.0 if pd.isna(r.measured_value) else float(r.measured_value),
				"sample_count": int(r.sample_count),
				"met_count": int(r.met_count),
				"occurred_at": _ns_to_system(r.occurred_ns),
				"method": _(r.method) if r.method else "",
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
	written = {record_name(a, t, year, month) for a, t in zip(data["results"].agreement, data["results"].target_code, strict=True)}
	return {"recomputed": changed, "breaches": write_breaches(data, written)}
