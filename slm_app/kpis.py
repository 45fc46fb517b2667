"""Adapter for the KPIs of the SLM process (core.kpis): the monitoring records the user may read and the
SLAs in force, read in bulk, for the SLM KPIs report and the workspace's number card."""

from __future__ import annotations

from datetime import date, timedelta

import frappe
import pandas as pd
from frappe.utils import getdate, nowdate

from slm_app.core import agreements, kpis, periods

RECORD_FIELDS = ["agreement", "agreement_code", "agreement_type", "target_code", "period", "result", "docstatus", "monitored_on"]


def compute(year: int, due_day: int, today: date | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
	"""Monthly and yearly KPIs from the monitoring records the user may read and the SLAs in force, as
	judged on ``today`` (default: today)."""
	recs = frappe.get_list(
		"SLM Monitoring Record",
		filters=[["period", ">=", periods.period_key(year, 1)], ["period", "<=", periods.period_key(year, 12)], ["agreement_type", "=", "SLA"]],
		fields=RECORD_FIELDS,
		limit_page_length=0,
	)
	records = pd.DataFrame([dict(r) for r in recs], columns=RECORD_FIELDS)
	months = [periods.parse_month(p) for p in records["period"]]
	records["year"] = [y for y, _m in months]
	records["month"] = [m for _y, m in months]
	slas = frappe.get_list(
		"SLM Agreement",
		filters=[["agreement_type", "=", "SLA"], ["workflow_state", "in", list(agreements.IN_FORCE_STATES)]],
		fields=["name", "agreement_code", "valid_from", "valid_to", "ended_on", "workflow_state"],
		limit_page_length=0,
	)
	codes: dict[str, list[str]] = {}
	for t in frappe.get_all(
		"SLM Agreement Target",
		filters={"parent": ["in", [s.name for s in slas] or [""]], "parenttype": "SLM Agreement", "parentfield": "targets"},
		fields=["parent", "target_code"],
	):
		codes.setdefault(t.parent, []).append(t.target_code)
	# months whose monitoring is not due yet are pending: neither on time nor late
	judged_year, judged_month = kpis.last_judged_month(getdate(today or nowdate()), due_day)
	last_judged = date(*periods.next_month(judged_year, judged_month), 1) - timedelta(days=1)
	until = min(date(year, 12, 31), last_judged)
	in_force = [
		{"agreement_code": s.agreement_code, "year": y, "month": m, "target_code": code}
		for s in slas
		for y, m in agreements.months_in_force(s.valid_from, s.valid_to, s.ended_on, until)
		if y == year
		for code in codes.get(s.name, [])
	]
	slas_in_force = pd.DataFrame(in_force, columns=["agreement_code", "year", "month", "target_code"])
	monthly = kpis.monthly_kpis(records, slas_in_force, due_day, months=kpis.year_months(year))
	return monthly, kpis.yearly_from_monthly(monthly)
