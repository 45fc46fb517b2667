"""Number cards of the SLM workspace that need more than a count."""

import frappe
from frappe.utils import add_days, getdate, nowdate

from slm_app.slm.report.slm_kpis import slm_kpis


@frappe.whitelist()
def monitored_on_time(filters=None) -> dict:
	"""KPI 1 for the last closed month the user can see: SLAs monitored on time, in %."""
	today = getdate(nowdate())
	year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
	due_day = int(frappe.db.get_single_value("SLM Settings", "monitoring_due_day") or 5)
	monthly, _yearly = slm_kpis.compute(year, due_day)
	row = monthly[monthly["month"] == month]
	value = None if row.empty else row.iloc[0]["on_time_pct"]
	return {"value": 0 if value is None else round(float(value), 2), "fieldtype": "Percent"}


@frappe.whitelist()
def reviews_due(filters=None) -> int:
	"""Scheduled service reviews due within 30 days, or overdue."""
	return len(
		frappe.get_list(
			"SLM Service Review",
			filters={"status": "Scheduled", "review_date": ["<=", add_days(getdate(nowdate()), 30)]},
			pluck="name",
			limit_page_length=0,
		)
	)
