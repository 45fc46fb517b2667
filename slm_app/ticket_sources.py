"""Ticket events read from Helpdesk (HD Ticket) or ERPNext (Issue) when they are installed on the site.

slm_app works without them; when present, an hourly job copies new and changed tickets into SLM Ticket
Event (source Helpdesk / ERPNext): opening date and time, first response, resolution, priority, and the
hold that is open now as a pause. Neither app keeps the intervals of past holds (only their total), so
earlier holds cannot be placed in business time and are not counted as pauses — record them by hand or
import them when they matter.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import frappe
from frappe import _

from slm_app import measurement_import
from slm_app.utils import site_offset

SOURCES = {
	"Helpdesk": "HD Ticket",
	"ERPNext": "Issue",
}
PRIORITY_MAP = {"urgent": "Critical", "critical": "Critical", "high": "High", "medium": "Medium", "low": "Low"}
FIELDS = ["name", "opening_date", "opening_time", "first_responded_on", "resolution_date", "priority", "customer", "on_hold_since", "modified"]


def installed_sources() -> dict[str, str]:
	return {source: doctype for source, doctype in SOURCES.items() if frappe.db.exists("DocType", doctype)}


def _customer_parties() -> dict[str, str]:
	"""The SLM customer party of a source's customer: by the party's External Customer name, or its own.
	Which agreement a ticket of that customer belongs to is the core directory's rule (the import applies
	it: one SLA, or the one in force when the ticket was opened; ambiguous tickets are reported)."""
	out = {}
	for p in frappe.get_all("SLM Party", filters={"party_type": "Customer"}, fields=["name", "external_customer"]):
		out[p.name] = p.name
		if p.external_customer:
			out[p.external_customer] = p.name
	return out


def _opened(row) -> datetime | None:
	if not row.opening_date:
		return None
	t = row.opening_time or timedelta(0)
	if not isinstance(t, timedelta):
		h, m, *s = str(t).split(":")
		t = timedelta(hours=int(h), minutes=int(m), seconds=float(s[0]) if s else 0)
	return datetime.combine(frappe.utils.getdate(row.opening_date), datetime.min.time()) + t


def _fmt(value) -> str | None:
	return frappe.utils.get_datetime(value).isoformat(sep=" ") if value else None


def sync_tickets() -> dict[str, dict]:
	"""Copy new tickets and update changed ones from every installed source."""
	summary = {}
	for source, doctype in installed_sources().items():
		key = f"slm_ticket_sync_{source}"
		since = frappe.db.get_default(key)
		filters = {"modified": [">", since]} if since else {}
		rows = frappe.get_all(doctype, filters=filters, fields=FIELDS, order_by="modified asc", limit_page_length=0)
		party_of = _customer_parties()
		new, updated, skipped = [], 0, 0
		existing = {
			r.name: r
			for r in frappe.get_all(
				"SLM Ticket Event",
				filters={"name": ["in", [f"{source}-{r.name}" for r in rows] or [""]]},
				fields=["name", "first_response_at", "resolved_at"],
			)
		}
		for r in rows:
			tid = f"{source}-{r.name}"
			party = party_of.get(r.customer or "")
			opened = _opened(r)
			if not party or not opened:
				skipped += 1
				continue
			if tid in existing:
				old = existing[tid]
				values = {}
				if r.first_responded_on and str(old.first_response_at) != str(r.first_responded_on):
					values["first_response_at"] = r.first_responded_on
				if r.resolution_date and str(old.resolved_at) != str(r.resolution_date):
					values["resolved_at"] = r.resolution_date
				if values:
					frappe.db.set_value("SLM Ticket Event", tid, values)
					updated += 1
				continue
			row = {
				"ticket_id": tid,
				"customer": party,
				"priority": PRIORITY_MAP.get(str(r.priority or "").strip().lower(), ""),
				# Frappe datetimes are in the site's zone: say so, so nothing is read in another zone
				"created": f"{opened.isoformat(sep=' ')}",
				"first_response": _fmt(r.first_responded_on),
				"resolved": _fmt(r.resolution_date),
			}
			if r.on_hold_since and not r.resolution_date:
				row["pauses"] = [{"start": _fmt(r.on_hold_since), "end": None}]
			new.append(row)
		for row in new:
			for k in ("created", "first_response", "resolved"):
				if row.get(k):
					row[k] = frappe.utils.get_datetime(row[k]).replace(tzinfo=None).isoformat() + site_offset(row[k])
			for p in row.get("pauses", []):
				p["start"] = frappe.utils.get_datetime(p["start"]).isoformat() + site_offset(p["start"])
		result = measurement_import.import_rows("tickets", new, keep="valid") if new else {"written": 0, "problems": []}
		if result["problems"]:
			frappe.log_error(
				title=_("SLM ticket sync from {0}: {1} ticket(s) not copied").format(source, len(result["problems"])),
				message="\n".join(p["message"] for p in result["problems"]),
			)
		if rows:
			frappe.db.set_default(key, str(rows[-1].modified))
		summary[source] = {"new": result["written"], "updated": updated, "no_agreement": skipped, "problems": len(result["problems"])}
	return summary
