"""Number cards and charts of the SLM workspace that need more than a count or a group-by."""

import frappe
from frappe.utils import add_days, add_months, getdate, nowdate

from slm_app import kpis as kpi_data


@frappe.whitelist()
def monitored_on_time(filters: str | dict | None = None) -> dict:
	"""KPI 1 for the latest month whose monitoring due day is over, over the SLAs the user can see:
	SLAs monitored on time, in %."""
	from slm_app.core import kpis

	due_day = int(frappe.db.get_single_value("SLM Settings", "monitoring_due_day") or 5)
	year, month = kpis.last_judged_month(getdate(nowdate()), due_day)
	monthly, _yearly = kpi_data.compute(year, due_day)
	row = monthly[monthly["month"] == month]
	value = None if row.empty else row.iloc[0]["on_time_pct"]
	return {"value": 0 if value is None else round(float(value), 2), "fieldtype": "Percent"}


@frappe.whitelist()
def reviews_due(filters: str | dict | None = None) -> int:
	"""Scheduled service reviews due within 30 days, or overdue."""
	return len(
		frappe.get_list(
			"SLM Service Review",
			filters={"status": "Scheduled", "review_date": ["<=", add_days(getdate(nowdate()), 30)]},
			pluck="name",
			limit_page_length=0,
		)
	)


@frappe.whitelist()
def compliance_by_service(
	chart_name: str | None = None, chart: str | dict | None = None, no_cache: int | str | None = None, filters: str | dict | None = None, **_kwargs
) -> dict:
	"""Dashboard chart: target-months met (%) per service over the last closed months, for SLAs by
	default; only the monitoring records the user may read count, so a customer sees its own."""
	from frappe import _

	from slm_app.core import kpis

	filters = frappe.parse_json(filters) or {}
	if chart_name and not filters:
		filters = frappe.parse_json(frappe.db.get_value("Dashboard Chart", chart_name, "filters_json")) or {}
	try:
		months = int(3 if filters.get("months") in (None, "") else filters.get("months"))
	except (TypeError, ValueError):
		frappe.throw(_("Closed Months must be a whole number, not {0}").format(filters.get("months")))
	if not 1 <= months <= 36:
		frappe.throw(_("Closed Months must be between 1 and 36, not {0}").format(months))
	kind = filters.get("agreement_type") or "SLA"
	if kind not in ("SLA", "OLA", "UC"):
		frappe.throw(_("Agreement Type must be SLA, OLA or UC, not {0}").format(kind))
	today = getdate(nowdate())
	last = add_months(today.replace(day=1), -1)
	first = add_months(last, -(months - 1))
	records = frappe.get_list(
		"SLM Monitoring Record",
		filters=[
			["agreement_type", "=", kind],
			["docstatus", "=", 1],
			["period", ">=", first.strftime("%Y-%m")],
			["period", "<=", last.strftime("%Y-%m")],
		],
		fields=["service", "result", "docstatus"],
		limit_page_length=0,
	)
	frame = kpis.compliance_by([dict(r) for r in records], "service")
	return {
		"labels": frame["group"].tolist(),
		"datasets": [{"name": _("Target-Months Met (%)"), "values": [round(float(v), 1) for v in frame["compliance_pct"]]}],
		"type": "bar",
	}


@frappe.whitelist()
def unmatched_tickets(filters: str | dict | None = None) -> int:
	"""Tickets from Helpdesk / ERPNext that no agreement or more than one would take (internal roles only;
	0 for whoever may not read them)."""
	if not frappe.has_permission("SLM Unmatched Ticket", "read"):
		return 0
	return frappe.get_list("SLM Unmatched Ticket", fields=["count(name) as n"], limit_page_length=1)[0].n
