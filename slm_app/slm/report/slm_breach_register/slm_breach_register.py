# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt
"""The breach register (违例): by period, service, agreement kind, status and counterparty."""

import frappe
from frappe import _

from slm_app.core.breaches import BREACH_STATES as STATES
from slm_app.reports import check_link, month_conditions, refused_filters_stay_refusals


@refused_filters_stay_refusals("SLM Breach Register")
def execute(filters=None):
	filters = frappe._dict(filters or {})
	check_link("SLM Service", filters.service, _("Service"))
	check_link("SLM Party", filters.party, _("Counterparty"))
	conditions = month_conditions(filters)
	for field, key in (("service", "service"), ("agreement_type", "agreement_type"), ("party", "party"), ("workflow_state", "status")):
		if filters.get(key):
			conditions.append([field, "=", filters.get(key)])
	rows = frappe.get_list(
		"SLM Breach",
		filters=conditions,
		fields=[
			"name", "period", "agreement", "agreement_type", "party", "service", "target_code", "metric_kind",
			"priority", "measured_value", "target_value", "missed_count", "affected_users_count", "occurred_at",
			"workflow_state", "affected_customer",
		],
		order_by="period desc, agreement asc",
		limit_page_length=0,
	)
	return columns(), rows, None, chart(rows), summary(rows)


def columns():
	return [
		{"fieldname": "name", "label": _("Breach"), "fieldtype": "Link", "options": "SLM Breach", "width": 230},
		{"fieldname": "period", "label": _("Month"), "fieldtype": "Data", "width": 80},
		{"fieldname": "agreement", "label": _("Agreement"), "fieldtype": "Link", "options": "SLM Agreement", "width": 160},
		{"fieldname": "agreement_type", "label": _("Type"), "fieldtype": "Select", "width": 60},
		{"fieldname": "party", "label": _("Counterparty"), "fieldtype": "Link", "options": "SLM Party", "width": 130},
		{"fieldname": "service", "label": _("Service"), "fieldtype": "Link", "options": "SLM Service", "width": 130},
		{"fieldname": "target_code", "label": _("Target"), "fieldtype": "Data", "width": 60},
		{"fieldname": "metric_kind", "label": _("Metric"), "fieldtype": "Select", "width": 110},
		{"fieldname": "measured_value", "label": _("Measured"), "fieldtype": "Float", "precision": 3, "width": 100},
		{"fieldname": "target_value", "label": _("Target Value"), "fieldtype": "Float", "width": 90},
		{"fieldname": "missed_count", "label": _("Missed Count"), "fieldtype": "Int", "width": 80},
		{"fieldname": "affected_users_count", "label": _("Affected Users"), "fieldtype": "Int", "width": 80},
		{"fieldname": "affected_customer", "label": _("Affected Customer"), "fieldtype": "Link", "options": "SLM Party", "width": 130},
		{"fieldname": "occurred_at", "label": _("Occurred At (first miss)"), "fieldtype": "Datetime", "width": 150},
		{"fieldname": "workflow_state", "label": _("Status"), "fieldtype": "Select", "width": 90},
	]


def chart(rows):
	months = sorted({r.period for r in rows})
	if not months:
		return None
	return {
		"data": {
			"labels": months,
			"datasets": [{"name": _(t), "values": [sum(1 for r in rows if r.period == m and r.agreement_type == t) for m in months]} for t in ("SLA", "OLA", "UC")],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
	}


def summary(rows):
	out = [{"label": _("Breaches"), "value": len(rows), "datatype": "Int", "indicator": "Red"}]
	for state, color in zip(STATES, ("Red", "Orange", "Blue", "Green", "Grey"), strict=True):
		out.append({"label": _(state), "value": sum(1 for r in rows if r.workflow_state == state), "datatype": "Int", "indicator": color})
	return out
