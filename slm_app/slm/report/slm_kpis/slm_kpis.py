# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt
"""The two KPIs of the SLM process, per month and for the year: SLAs monitored on time, and SLA breaches."""

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from slm_app.core import kpis
from slm_app.kpis import compute
from slm_app.reports import refused_filters_stay_refusals
from slm_app.utils import throw_problems


@refused_filters_stay_refusals("SLM KPIs")
def execute(filters=None):
	filters = frappe._dict(filters or {})
	try:
		year = int(filters.year or getdate(nowdate()).year)
	except (TypeError, ValueError):
		frappe.throw(_("Year must be a number, not {0}").format(filters.year), title=_("Invalid filter"))
	if not 2000 <= year <= 2100:
		frappe.throw(_("Year must be a number, not {0}").format(year), title=_("Invalid filter"))
	due_day = int(filters.due_day or frappe.db.get_single_value("SLM Settings", "monitoring_due_day") or 5)
	throw_problems(kpis.validate_due_day(due_day))
	monthly, yearly = compute(year, due_day, getdate(nowdate()))
	rows = [_row(r, f"{year}-{int(r['month']):02d}") for r in monthly.to_dict("records")]
	total = yearly.to_dict("records")[0] if len(yearly) else None
	if total:
		rows.append({**_row(total, _("Year {0}").format(year)), "bold": 1})
	return columns(), rows, None, chart(rows[:-1] if total else rows), summary(total)


def _row(r: dict, label: str) -> dict:
	return {
		"period": label,
		"slas": int(r["slas"]),
		"slas_on_time": int(r["slas_on_time"]),
		"on_time_pct": None if r["on_time_pct"] is None else round(float(r["on_time_pct"]), 2),
		"sla_items": int(r["sla_items"]),
		"breached_items": int(r["breached_items"]),
		"breached_pct": None if r["breached_pct"] is None else round(float(r["breached_pct"]), 2),
	}


def columns():
	return [
		{"fieldname": "period", "label": _("Period"), "fieldtype": "Data", "width": 110},
		{"fieldname": "slas", "label": _("SLAs in Force"), "fieldtype": "Int", "width": 110},
		{"fieldname": "slas_on_time", "label": _("SLAs Monitored on Time"), "fieldtype": "Int", "width": 170},
		{"fieldname": "on_time_pct", "label": _("Monitored on Time (%)"), "fieldtype": "Percent", "width": 160},
		{"fieldname": "sla_items", "label": _("SLA Items"), "fieldtype": "Int", "width": 100},
		{"fieldname": "breached_items", "label": _("Breached SLA Items"), "fieldtype": "Int", "width": 150},
		{"fieldname": "breached_pct", "label": _("Breached (%)"), "fieldtype": "Percent", "width": 120},
	]


def chart(rows):
	# a month whose monitoring is not yet due (pending: neither on time nor late) or without SLAs has no
	# figure: it is left out of the chart rather than drawn as 0 %
	rows = [r for r in rows if r["on_time_pct"] is not None]
	if not rows:
		return None
	return {
		"data": {
			"labels": [r["period"] for r in rows],
			"datasets": [
				{"name": _("Monitored on Time (%)"), "values": [r["on_time_pct"] or 0 for r in rows]},
				{"name": _("Breached (%)"), "values": [r["breached_pct"] or 0 for r in rows]},
			],
		},
		"type": "line",
		"colors": ["#2490ef", "#e24c4c"],
	}


def summary(total):
	if not total:
		return []
	return [
		{"label": _("SLAs Monitored on Time (%)"), "value": None if total["on_time_pct"] is None else round(float(total["on_time_pct"]), 2), "datatype": "Percent", "indicator": "Blue"},
		{"label": _("Breached SLA Items"), "value": int(total["breached_items"]), "datatype": "Int", "indicator": "Red"},
		{"label": _("Breached (%)"), "value": None if total["breached_pct"] is None else round(float(total["breached_pct"]), 2), "datatype": "Percent", "indicator": "Red"},
	]
