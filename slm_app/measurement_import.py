"""Writing measurement rows in bulk, after the core has checked every row."""

from __future__ import annotations

import frappe
import pandas as pd
from frappe import _
from frappe.utils import now_datetime

from slm_app import monitoring
from slm_app.core import measurements as ms
from slm_app.locks import lock_agreement
from slm_app.utils import clean_text, from_site_time, to_site_time, translate_problem

DOCTYPES = {"tickets": "SLM Ticket Event", "outages": "SLM Outage", "coverage": "SLM Monitoring Coverage", "metrics": "SLM Metric Value"}
MAX_ROWS = 50_000


def reserve_names(series: str, count: int) -> list[str]:
	"""``count`` names of a naming series in one statement, instead of one query per row."""
	from frappe.model.naming import parse_naming_series

	prefix = parse_naming_series(series)
	if not count:
		return []
	current = frappe.db.sql("select `current` from `tabSeries` where `name`=%s for update", prefix)
	start = int(current[0][0]) if current else 0
	if current:
		frappe.db.sql("update `tabSeries` set `current`=%s where `name`=%s", (start + count, prefix))
	else:
		frappe.db.sql("insert into `tabSeries` (`name`, `current`) values (%s, %s)", (prefix, count))
	return [f"{prefix}{n:05d}" for n in range(start + 1, start + count + 1)]


_local = to_site_time  # UTC instants as the site stores them (one conversion, slm_app.utils)


def import_rows(kind: str, rows: list[dict], keep: str = "none", first_row: int = 1) -> dict:
	if not isinstance(kind, str) or kind not in DOCTYPES:
		frappe.throw(_("Kind must be one of {0}, not {1}").format(", ".join(DOCTYPES), kind), title=_("Invalid kind"))
	if not isinstance(keep, str) or keep not in ("none", "valid"):
		frappe.throw(_("Keep must be none (all rows or nothing) or valid (the valid rows), not {0}").format(keep))
	doctype = DOCTYPES[kind]
	if not frappe.has_permission(doctype, "create"):
		frappe.throw(_("You are not allowed to create {0}").format(_(doctype)), frappe.PermissionError)
	if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
		frappe.throw(_("Rows must be a list of objects"))
	if len(rows) > MAX_ROWS:
		frappe.throw(_("At most {0} rows a call; split the file").format(MAX_ROWS))
	directory = monitoring.directory_for(naive_in_agreement_tz=True)
	checked = ms.CHECKERS[kind](rows, directory, first_row)
	problems = [{"row": p.row, "message": translate_problem(p)} for p in checked.problems]
	upsert = None
	if kind == "tickets":
		upsert = _split_recorded(checked, directory)
		problems += [{"row": p.row, "message": translate_problem(p)} for p in upsert.problems]
		if len(upsert.update) and not frappe.has_permission("SLM Ticket Event", "write"):
			numbers = dict(zip(checked.frames["tickets"].ticket_id, checked.row_numbers["tickets"], strict=True))
			problems += [
				{"row": numbers[t], "message": _("Row {0}: ticket {1} is recorded already and you are not allowed to change it").format(numbers[t], t)}
				for t in upsert.updated
			]
			upsert.update, upsert.update_pauses = upsert.update.iloc[0:0], upsert.update_pauses.iloc[0:0]
	problems.sort(key=lambda p: p["row"] or 0)
	result = {"rows": len(rows), "problems": problems, "inserted": 0, "updated": [], "unchanged": upsert.unchanged if upsert else []}
	if problems and keep == "none":
		return {**result, "written": 0, "kept": "none"}
	# every row is checked above; only now is anything written, in the caller's transaction
	if upsert is not None:
		result["inserted"] = _write(kind, {"tickets": upsert.insert, "pauses": upsert.insert_pauses})
		result["updated"] = _update_tickets(upsert.update, upsert.update_pauses)
		written = result["inserted"] + len(result["updated"])
	else:
		written = result["inserted"] = _write(kind, checked.frames)
	return {**result, "written": written, "kept": "valid" if problems else "all"}


def _split_recorded(checked: ms.Checked, directory) -> ms.TicketUpsert:
	"""The checked tickets against those recorded under the same ids (locked until the transaction ends),
	and the closed months of their agreements: a ticket recorded already is updated by its id, unless it
	may not change (core.measurements.upsert_tickets)."""
	tickets = checked.frames["tickets"]
	ids = tickets.ticket_id.tolist() or [""]
	codes = sorted(set(tickets.agreement_code))
	# the agreements' lock first, as a month being computed holds it: a month cannot close between the
	# check below and the write (locks.lock_agreement)
	for code in codes:
		lock_agreement(code)
	recorded = frappe.db.sql(
		"""select name, agreement_code, ifnull(priority, ''), cast(created_at as char), cast(first_response_at as char),
			cast(resolved_at as char), ifnull(raised_by, ''), ifnull(source, '')
		from `tabSLM Ticket Event` where name in %(ids)s for update""",
		{"ids": ids},
	)
	paused = frappe.db.sql(
		"""select parent, cast(pause_start as char), cast(pause_end as char) from `tabSLM Ticket Pause`
		where parenttype = 'SLM Ticket Event' and parent in %(ids)s""",
		{"ids": [r[0] for r in recorded] or [""]},
	)
	n, k = len(recorded), len(paused)
	times = from_site_time([r[i] for i in (3, 4, 5) for r in recorded] + [p[i] for i in (1, 2) for p in paused])
	existing = pd.DataFrame(
		{
			"ticket_id": [r[0] for r in recorded],
			"agreement_code": [r[1] for r in recorded],
			"priority": [r[2] for r in recorded],
			"created_ns": times[:n],
			"response_ns": times[n : 2 * n],
			"resolved_ns": times[2 * n : 3 * n],
			"raised_by": [r[6] for r in recorded],
			"source": [r[7] for r in recorded],
		},
		columns=ms.EXISTING_COLUMNS,
	)
	existing_pauses = pd.DataFrame(
		{"ticket_id": [p[0] for p in paused], "start_ns": times[3 * n : 3 * n + k], "end_ns": times[3 * n + k :]},
		columns=ms.EXISTING_PAUSE_COLUMNS,
	)
	recorded_codes = sorted(set(existing.agreement_code) | set(codes)) or [""]
	closed = {
		(code, period)
		for code, period in frappe.db.sql(
			"""select distinct agreement_code, period from `tabSLM Monitoring Record`
			where agreement_code in %(codes)s and docstatus in (1, 2)""",
			{"codes": recorded_codes},
		)
	}
	zones = {code: directory.agreements.get(code, (code, None))[1] or directory.default_tz for code in recorded_codes}
	return ms.upsert_tickets(checked, existing, existing_pauses, closed, zones)


def _update_tickets(t: pd.DataFrame, pauses: pd.DataFrame) -> list[str]:
	"""Recorded tickets' first response, resolution, priority, affected person and pauses, as checked."""
	if t.empty:
		return []
	now, user = now_datetime(), frappe.session.user
	for r in t.itertuples(index=False):
		frappe.db.sql(
			"""update `tabSLM Ticket Event` set priority=%s, first_response_at=%s, resolved_at=%s, raised_by=%s,
				source='Import', modified=%s, modified_by=%s where name=%s""",
			(r.priority or "", _local(r.response_ns), _local(r.resolved_ns), clean_text(r.raised_by), now, user, r.ticket_id),
		)
	ids = t.ticket_id.tolist()
	frappe.db.sql("delete from `tabSLM Ticket Pause` where parenttype = 'SLM Ticket Event' and parent in %(ids)s", {"ids": ids})
	_write_pauses(pauses, now, user)
	return ids




def _write_pauses(p: pd.DataFrame, now, user) -> None:
	meta = ["owner", "modified_by", "creation", "modified", "docstatus"]
	base = (user, user, now, now, 0)
	idx: dict[str, int] = {}
	pv = []
	for r in p.itertuples(index=False):
		idx[r.ticket_id] = idx.get(r.ticket_id, 0) + 1
		pv.append((frappe.generate_hash(length=10), *base, r.ticket_id, "SLM Ticket Event", "pauses", idx[r.ticket_id], _local(r.start_ns), _local(r.end_ns)))
	if pv:
		frappe.db.bulk_insert("SLM Ticket Pause", ["name", *meta, "parent", "parenttype", "parentfield", "idx", "pause_start", "pause_end"], pv)


def _write(kind: str, frames: dict[str, pd.DataFrame]) -> int:
	now, user = now_datetime(), frappe.session.user
	meta = ["owner", "modified_by", "creation", "modified", "docstatus"]
	base = (user, user, now, now, 0)
	if kind == "tickets":
		t = frames["tickets"]
		values = [
			(r.ticket_id, *base, r.ticket_id, "Import", r.agreement_code, r.priority or "", _local(r.created_ns), _local(r.response_ns), _local(r.resolved_ns), clean_text(r.raised_by))
			for r in t.itertuples(index=False)
		]
		frappe.db.bulk_insert(
			"SLM Ticket Event",
			["name", *meta, "ticket_id", "source", "agreement_code", "priority", "created_at", "first_response_at", "resolved_at", "raised_by"],
			values,
		)
		_write_pauses(frames["pauses"], now, user)
		return len(values)
	if kind in ("outages", "coverage"):
		f = frames[kind]
		doctype = DOCTYPES[kind]
		series = "SLM-OUT-.YYYY.-" if kind == "outages" else "SLM-COV-.YYYY.-"
		a, b = ("outage_start", "outage_end") if kind == "outages" else ("covered_from", "covered_to")
		extra = ["planned"] if kind == "outages" else []
		names = reserve_names(series, len(f))
		values = [
			(name, *base, series, r.service, _local(r.start_ns), _local(r.end_ns), *([int(r.planned)] if extra else []))
			for name, r in zip(names, f.itertuples(index=False), strict=True)
		]
		frappe.db.bulk_insert(doctype, ["name", *meta, "naming_series", "service", a, b, *extra], values)
		return len(values)
	f = frames["metrics"]
	names = dict(
		frappe.get_all("SLM Agreement", filters={"agreement_code": ["in", f.agreement_code.unique().tolist() or [""]]}, fields=["agreement_code", "name"], order_by="version asc", as_list=True)
	)
	ids = reserve_names("SLM-MV-.YYYY.-", len(f))
	values = [
		(i, *base, "SLM-MV-.YYYY.-", names.get(r.agreement_code), r.target_code, _local(r.at_ns), float(r.value))
		for i, r in zip(ids, f.itertuples(index=False), strict=True)
	]
	frappe.db.bulk_insert("SLM Metric Value", ["name", *meta, "naming_series", "agreement", "target_code", "measured_at", "value"], values)
	return len(values)
