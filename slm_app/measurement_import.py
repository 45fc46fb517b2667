"""Writing measurement rows in bulk, after the core has checked every row."""

from __future__ import annotations

import frappe
import pandas as pd
from frappe import _
from frappe.utils import now_datetime

from slm_app import monitoring
from slm_app.core import measurements as ms
from slm_app.utils import clean_text, to_site_time, translate_problem

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
	if kind == "tickets":
		ids = checked.frames["tickets"].ticket_id.tolist()
		taken = set(frappe.get_all("SLM Ticket Event", filters={"name": ["in", ids or [""]]}, pluck="name"))
		if taken:
			bad = checked.frames["tickets"][checked.frames["tickets"].ticket_id.isin(taken)]
			rownum = {str(r.get("ticket_id")).strip(): n for n, r in enumerate(rows, first_row)}
			for tid in bad.ticket_id:
				problems.append({"row": rownum.get(tid), "message": _("Row {0}: ticket {1} is already recorded").format(rownum.get(tid), tid)})
			checked.frames["tickets"] = checked.frames["tickets"][~checked.frames["tickets"].ticket_id.isin(taken)]
			checked.frames["pauses"] = checked.frames["pauses"][~checked.frames["pauses"].ticket_id.isin(taken)]
	problems.sort(key=lambda p: p["row"] or 0)
	if problems and keep == "none":
		return {"written": 0, "kept": "none", "rows": len(rows), "problems": problems}
	written = _write(kind, checked.frames)
	return {"written": written, "kept": "valid" if problems else "all", "rows": len(rows), "problems": problems}


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
		p = frames["pauses"]
		idx: dict[str, int] = {}
		pv = []
		for r in p.itertuples(index=False):
			idx[r.ticket_id] = idx.get(r.ticket_id, 0) + 1
			pv.append((frappe.generate_hash(length=10), *base, r.ticket_id, "SLM Ticket Event", "pauses", idx[r.ticket_id], _local(r.start_ns), _local(r.end_ns)))
		if pv:
			frappe.db.bulk_insert("SLM Ticket Pause", ["name", *meta, "parent", "parenttype", "parentfield", "idx", "pause_start", "pause_end"], pv)
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
