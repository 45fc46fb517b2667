# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt
"""The agreement register: expiring agreements, reviews due, SLA targets without underpinning."""

import frappe
from frappe import _
from frappe.utils import add_days, date_diff, getdate, nowdate

from slm_app.core import reviews
from slm_app.reports import check_link, refused_filters_stay_refusals

OPEN_STATES = ("Draft", "Negotiating", "Agreed", "Signed", "Active")


@refused_filters_stay_refusals("SLM Agreement Register")
def execute(filters=None):
	filters = frappe._dict(filters or {})
	check_link("SLM Party", filters.party, _("Counterparty"))
	days = int(filters.expiring_within_days or 90)
	if days < 0:
		frappe.throw(_("Expiring Within (days) must not be negative"), title=_("Invalid filter"))
	today = getdate(filters.as_of or nowdate())
	conditions = [["workflow_state", "in", list(OPEN_STATES)]]
	for field in ("agreement_type", "party", "workflow_state"):
		if filters.get(field):
			conditions.append([field, "=", filters.get(field)])
	rows = frappe.get_list(
		"SLM Agreement",
		filters=conditions,
		fields=["name", "agreement_type", "party", "workflow_state", "valid_from", "valid_to", "review_cycle", "title"],
		order_by="valid_to asc",
		limit_page_length=0,
	)
	without = _targets_without_underpinning([r.name for r in rows if r.agreement_type == "SLA"])
	for r in rows:
		r.days_to_expiry = date_diff(r.valid_to, today) if r.valid_to else None
		r.expiring = 1 if r.valid_to and 0 <= r.days_to_expiry <= days else 0
		due = [d for d in reviews.review_dates(getdate(r.valid_from), getdate(r.valid_to) if r.valid_to else None, r.review_cycle, add_days(today, 400)) if d >= today]
		r.next_review = due[0] if due else None
		r.targets_without_underpinning = without.get(r.name, 0) if r.agreement_type == "SLA" else None
	if filters.only_attention:
		rows = [r for r in rows if r.expiring or r.targets_without_underpinning or (r.next_review and date_diff(r.next_review, today) <= 30)]
	internal = 1 in frappe.get_meta("SLM Agreement").get_permlevel_access("read")
	return columns(internal), rows, None, chart(rows), summary(rows, today, internal)


def _targets_without_underpinning(slas: list[str]) -> dict[str, int]:
	"""The underpinning is internal: counted only for users who may read it (never a counterparty)."""
	if not slas or 1 not in frappe.get_meta("SLM Agreement").get_permlevel_access("read"):
		return {}
	linked = {
		(r.parent, r.sla_target)
		for r in frappe.get_list(
			"SLM Underpinning", parent_doctype="SLM Agreement", filters={"parent": ["in", slas], "parenttype": "SLM Agreement"}, fields=["parent", "sla_target"], limit_page_length=0
		)
	}
	out: dict[str, int] = {}
	for t in frappe.get_list(
		"SLM Agreement Target", parent_doctype="SLM Agreement", filters={"parent": ["in", slas], "parenttype": "SLM Agreement", "parentfield": "targets"}, fields=["parent", "target_code"], limit_page_length=0
	):
		if (t.parent, t.target_code) not in linked:
			out[t.parent] = out.get(t.parent, 0) + 1
	return out


def columns(internal: bool = True):
	cols = [
		{"fieldname": "name", "label": _("Agreement"), "fieldtype": "Link", "options": "SLM Agreement", "width": 170},
		{"fieldname": "title", "label": _("Title"), "fieldtype": "Data", "width": 180},
		{"fieldname": "agreement_type", "label": _("Type"), "fieldtype": "Select", "width": 60},
		{"fieldname": "party", "label": _("Counterparty"), "fieldtype": "Link", "options": "SLM Party", "width": 140},
		{"fieldname": "workflow_state", "label": _("Status"), "fieldtype": "Select", "width": 100},
		{"fieldname": "valid_from", "label": _("Valid From"), "fieldtype": "Date", "width": 100},
		{"fieldname": "valid_to", "label": _("Valid To"), "fieldtype": "Date", "width": 100},
		{"fieldname": "days_to_expiry", "label": _("Days to Expiry"), "fieldtype": "Int", "width": 100},
		{"fieldname": "expiring", "label": _("Expiring"), "fieldtype": "Check", "width": 80},
		{"fieldname": "review_cycle", "label": _("Review Cycle"), "fieldtype": "Select", "width": 100},
		{"fieldname": "next_review", "label": _("Next Review Due"), "fieldtype": "Date", "width": 120},
		{"fieldname": "targets_without_underpinning", "label": _("SLA Targets Without Underpinning"), "fieldtype": "Int", "width": 150},
	]
	return cols if internal else cols[:-1]


def chart(rows):
	if not rows:
		return None
	labels = [_("SLA"), _("OLA"), _("UC")]
	return {
		"data": {
			"labels": labels,
			"datasets": [
				{"name": _("Expiring"), "values": [sum(1 for r in rows if r.agreement_type == t and r.expiring) for t in ("SLA", "OLA", "UC")]},
				{"name": _("Not Expiring"), "values": [sum(1 for r in rows if r.agreement_type == t and not r.expiring) for t in ("SLA", "OLA", "UC")]},
			],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
	}


def summary(rows, today, internal: bool = True):
	out = [
		{"label": _("Agreements"), "value": len(rows), "datatype": "Int"},
		{"label": _("Expiring"), "value": sum(r.expiring for r in rows), "datatype": "Int", "indicator": "Orange"},
		{"label": _("Reviews Due in 30 Days"), "value": sum(1 for r in rows if r.next_review and date_diff(r.next_review, today) <= 30), "datatype": "Int", "indicator": "Blue"},
		{"label": _("SLA Targets Without Underpinning"), "value": sum(r.targets_without_underpinning or 0 for r in rows), "datatype": "Int", "indicator": "Red"},
	]
	return out if internal else out[:-1]
