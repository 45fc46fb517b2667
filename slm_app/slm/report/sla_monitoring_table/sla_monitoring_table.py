# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt
"""The SLA monitoring table (服务级别监控表): month × agreement × target, met / breached / no data."""

import frappe
from frappe import _

from slm_app.core.compliance import BREACHED, MET, NO_DATA
from slm_app.reports import check_link, month_conditions, refused_filters_stay_refusals

RESULTS = (MET, BREACHED, NO_DATA)


@refused_filters_stay_refusals("SLA Monitoring Table")
def execute(filters=None):
	filters = frappe._dict(filters or {})
	check_link("SLM Agreement", filters.agreement, _("Agreement"))
	check_link("SLM Service", filters.service, _("Service"))
	check_link("SLM Party", filters.party, _("Counterparty"))
	# cancelled records were amended: show the amendment only
	conditions = month_conditions(filters, [["docstatus", "!=", 2]])
	for field in ("agreement", "agreement_type", "party", "service", "result"):
		if filters.get(field):
			conditions.append([field, "=", filters.get(field)])
	rows = frappe.get_list(
		"SLM Monitoring Record",
		filters=conditions,
		fields=[
			"name", "period", "agreement", "agreement_type", "party", "service", "target_code", "metric_kind",
			"priority", "target_value", "unit", "compliance_share", "measured_value", "sample_count", "result",
			"docstatus", "monitored_on",
		],
		order_by="period desc, agreement asc, target_code asc",
		limit_page_length=0,
	)
	for r in rows:
		if r.result == "No Data":
			r.measured_value = None  # never shown as a value: there was nothing to measure
		r.closed = 1 if r.docstatus == 1 else 0
	return columns(), rows, None, chart(rows), summary(rows)


def columns():
	return [
		{"fieldname": "period", "label": _("Month"), "fieldtype": "Data", "width": 90},
		{"fieldname": "agreement", "label": _("Agreement"), "fieldtype": "Link", "options": "SLM Agreement", "width": 170},
		{"fieldname": "agreement_type", "label": _("Type"), "fieldtype": "Select", "width": 60},
		{"fieldname": "party", "label": _("Counterparty"), "fieldtype": "Link", "options": "SLM Party", "width": 140},
		{"fieldname": "service", "label": _("Service"), "fieldtype": "Link", "options": "SLM Service", "width": 140},
		{"fieldname": "target_code", "label": _("Target"), "fieldtype": "Data", "width": 60},
		{"fieldname": "metric_kind", "label": _("Metric"), "fieldtype": "Select", "width": 120},
		{"fieldname": "priority", "label": _("Priority"), "fieldtype": "Select", "width": 80},
		{"fieldname": "target_value", "label": _("Target Value"), "fieldtype": "Float", "width": 100},
		{"fieldname": "compliance_share", "label": _("Share That Must Meet (%)"), "fieldtype": "Percent", "width": 100},
		{"fieldname": "measured_value", "label": _("Measured Value"), "fieldtype": "Float", "precision": 3, "width": 120},
		{"fieldname": "sample_count", "label": _("Sample Count"), "fieldtype": "Int", "width": 90},
		{"fieldname": "result", "label": _("Result"), "fieldtype": "Select", "width": 90},
		{"fieldname": "closed", "label": _("Month Closed"), "fieldtype": "Check", "width": 80},
		{"fieldname": "name", "label": _("Monitoring Record"), "fieldtype": "Link", "options": "SLM Monitoring Record", "width": 200},
	]


def chart(rows):
	months = sorted({r.period for r in rows})
	if not months:
		return None
	counts = {res: [sum(1 for r in rows if r.period == m and r.result == res) for m in months] for res in RESULTS}
	return {
		"data": {"labels": months, "datasets": [{"name": _(res), "values": counts[res]} for res in RESULTS]},
		"type": "bar",
		"barOptions": {"stacked": 1},
		"colors": ["#29cd42", "#e24c4c", "#a6b1b9"],
	}


def summary(rows):
	total = len(rows)
	met = sum(1 for r in rows if r.result == "Met")
	breached = sum(1 for r in rows if r.result == "Breached")
	nodata = sum(1 for r in rows if r.result == "No Data")
	measured = met + breached
	return [
		{"label": _("Targets Monitored"), "value": total, "datatype": "Int"},
		{"label": _("Met"), "value": met, "datatype": "Int", "indicator": "Green"},
		{"label": _("Breached"), "value": breached, "datatype": "Int", "indicator": "Red"},
		{"label": _("No Data"), "value": nodata, "datatype": "Int", "indicator": "Grey"},
		{
			"label": _("Met Among Measured"),
			"value": round(met / measured * 100, 2) if measured else None,
			"datatype": "Percent",
			"indicator": "Blue",
		},
	]
