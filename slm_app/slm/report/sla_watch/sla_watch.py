# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt
"""SLA Watch: every target's budget this month — how much room it has left, its projection, why it is at
risk — or the open tickets near their deadline, ranked by business time left; with the budget burn over
the month. Only what the user may read (its own party's agreements, for a counterparty)."""

import frappe
import numpy as np
import pandas as pd
from frappe import _
from frappe.utils import get_system_timezone

from slm_app import watch
from slm_app.core import budget as core_budget
from slm_app.core import targets as tgt
from slm_app.core.budget import STATUSES
from slm_app.core.instants import OPEN_END
from slm_app.core.periods import period_key
from slm_app.reports import check_link, refused_filters_stay_refusals
from slm_app.utils import site_now

TARGETS, TICKETS = "Targets", "At-Risk Tickets"
STATUS_FIELDS = [
	"name", "agreement", "agreement_type", "party", "service", "target_code", "metric_kind", "priority", "status",
	"budget_text", "basis_text", "used_pct", "burn_rate", "budget_left", "budget_total", "budget_unit", "measured_value",
	"projected_value", "breach_chance", "projected_result", "sample_count", "missed_count", "pending_count",
	"expected_count", "elapsed_pct", "as_of", "day", "budget_used", "target_value", "time_unit", "metric_name", "unit",
	"compliance_share",
]
# the budget sentence is worded again in the reader's language from the stored figures (the hourly run
# stored it in the site's language); a custom metric's keeps the stored wording (its direction is not stored)
REWORDED_KINDS = (*tgt.TIME_KINDS, tgt.AVAILABILITY)
BUDGET_FIGURES = ("budget_left", "budget_total", "budget_used", "target_value", "sample_count", "pending_count", "expected_count")


@refused_filters_stay_refusals("SLA Watch")
def execute(filters=None):
	filters = frappe._dict(filters or {})
	check_link("SLM Agreement", filters.agreement, _("Agreement"))
	check_link("SLM Party", filters.party, _("Counterparty"))
	check_link("SLM Party", filters.team, _("Team"))
	check_link("SLM Service", filters.service, _("Service"))
	if filters.agreement_type and filters.agreement_type not in ("SLA", "OLA", "UC"):
		frappe.throw(_("Agreement Type must be SLA, OLA or UC, not {0}").format(filters.agreement_type), title=_("Invalid filter"))
	view = filters.view or TARGETS
	if view not in (TARGETS, TICKETS):
		frappe.throw(_("View must be {0} or {1}, not {2}").format(_(TARGETS), _(TICKETS), view), title=_("Invalid filter"))
	if view == TICKETS:
		return tickets(filters)
	return targets(filters)


def _conditions(filters) -> list:
	conditions = []
	for key in ("agreement", "agreement_type", "party", "service"):
		if filters.get(key):
			conditions.append([key, "=", filters[key]])
	if filters.team:
		conditions += [["party", "=", filters.team], ["agreement_type", "=", "OLA"]]
	if filters.status:
		if filters.status not in STATUSES:
			frappe.throw(_("Status must be one of {0}, not {1}").format(", ".join(_(s) for s in STATUSES), filters.status), title=_("Invalid filter"))
		conditions.append(["status", "=", filters.status])
	return conditions


def _rows(filters, year: int, month: int) -> list:
	"""The month's latest statuses: the running month's latest run, or a past month's last day."""
	period = period_key(year, month)
	conditions = [*_conditions(filters), ["period", "=", period]]
	if (year, month) == watch.watched_month(site_now()):
		conditions.append(["is_latest", "=", 1])
	else:
		last = frappe.get_list("SLM Budget Status", filters=[["period", "=", period]], fields=["max(day) as day"], limit_page_length=1)
		if not last or not last[0].day:
			return []
		conditions.append(["day", "=", last[0].day])
	return frappe.get_list("SLM Budget Status", filters=conditions, fields=STATUS_FIELDS, limit_page_length=0)


def targets(filters):
	year, month = watch.months_of(filters)
	rows = _rows(filters, year, month)
	rows.sort(key=lambda r: (watch.SEVERITY.get(r.status, 9), -(r.used_pct or 0), r.agreement, r.target_code))
	for r in rows:
		r.metric = _(r.metric_kind) + (f" · {_(r.priority)}" if r.priority else "")
		r.status_label = _(r.status)
		if r.metric_kind in REWORDED_KINDS and all(r.get(k) is not None for k in BUDGET_FIGURES):
			r.budget_text = core_budget.budget_text(r, _)
	return target_columns(), rows, None, burn_chart(rows, filters, year, month), target_summary(rows)


def target_columns():
	return [
		{"fieldname": "agreement", "label": _("Agreement"), "fieldtype": "Link", "options": "SLM Agreement", "width": 150},
		{"fieldname": "agreement_type", "label": _("Type"), "fieldtype": "Select", "width": 55},
		{"fieldname": "party", "label": _("Counterparty"), "fieldtype": "Link", "options": "SLM Party", "width": 130},
		{"fieldname": "service", "label": _("Service"), "fieldtype": "Link", "options": "SLM Service", "width": 130},
		{"fieldname": "target_code", "label": _("Target"), "fieldtype": "Data", "width": 55},
		{"fieldname": "metric", "label": _("Metric"), "fieldtype": "Data", "width": 140},
		{"fieldname": "status_label", "label": _("Status"), "fieldtype": "Data", "width": 90},
		{"fieldname": "budget_text", "label": _("Budget"), "fieldtype": "Data", "width": 380},
		{"fieldname": "used_pct", "label": _("Budget Used"), "fieldtype": "Percent", "width": 95},
		{"fieldname": "burn_rate", "label": _("Burn Rate"), "fieldtype": "Float", "precision": 2, "width": 80},
		{"fieldname": "breach_chance", "label": _("Chance of a Breach"), "fieldtype": "Percent", "width": 100},
		{"fieldname": "measured_value", "label": _("Measured So Far"), "fieldtype": "Float", "precision": 2, "width": 95},
		{"fieldname": "projected_value", "label": _("Projected"), "fieldtype": "Float", "precision": 2, "width": 85},
		{"fieldname": "basis_text", "label": _("Projection and Basis"), "fieldtype": "Data", "width": 380},
		{"fieldname": "sample_count", "label": _("Counted"), "fieldtype": "Int", "width": 70},
		{"fieldname": "missed_count", "label": _("Missed"), "fieldtype": "Int", "width": 65},
		{"fieldname": "pending_count", "label": _("Open, Not Yet Late"), "fieldtype": "Int", "width": 80},
		{"fieldname": "expected_count", "label": _("Expected This Month"), "fieldtype": "Float", "precision": 1, "width": 90},
		{"fieldname": "elapsed_pct", "label": _("Month Gone"), "fieldtype": "Percent", "width": 85},
		{"fieldname": "name", "label": _("Budget Status"), "fieldtype": "Link", "options": "SLM Budget Status", "width": 120},
	]


def burn_chart(rows, filters, year: int, month: int, top: int = 5):
	"""Budget used (%) by day for the targets most at risk, beside the share of the month gone."""
	chosen = [r for r in rows if r.used_pct is not None][:top]
	if not chosen:
		return None
	period = period_key(year, month)
	history = frappe.get_list(
		"SLM Budget Status",
		filters=[["period", "=", period], ["agreement", "in", sorted({r.agreement for r in chosen})]],
		fields=["agreement", "target_code", "day", "used_pct", "elapsed_pct"],
		order_by="day asc",
		limit_page_length=0,
	)
	days = sorted({h.day for h in history})
	if not days:
		return None
	by = {(h.agreement, h.target_code, h.day): h for h in history}
	gone = {h.day: h.elapsed_pct for h in history}
	datasets = [
		{"name": f"{r.agreement} {r.target_code}", "values": [round(float(by[(r.agreement, r.target_code, d)].used_pct or 0), 1) if (r.agreement, r.target_code, d) in by else None for d in days]}
		for r in chosen
	]
	datasets.append({"name": _("Month Gone (business time)"), "values": [round(float(gone.get(d) or 0), 1) for d in days]})
	return {
		"data": {"labels": [str(d.day) for d in days], "datasets": datasets},
		"type": "line",
		"lineOptions": {"regionFill": 0, "hideDots": 0},
		"axisOptions": {"xIsSeries": 1},
		"title": _("Budget used (%) over the month"),
	}


def target_summary(rows):
	colors = {"Breached": "Red", "At Risk": "Orange", "On Track": "Green", "No Data": "Grey"}
	return [{"label": _(s), "value": sum(1 for r in rows if r.status == s), "datatype": "Int", "indicator": colors[s]} for s in STATUSES]


def tickets(filters):
	frame = watch.at_risk_list(filters)
	data = []
	if len(frame):
		# one conversion and one translation per kind of value, not per row
		deadline = frame["deadline_ns"].to_numpy(dtype="int64")
		within = deadline < OPEN_END
		local = pd.to_datetime(np.where(within, deadline, 0), utc=True).tz_convert(get_system_timezone()).strftime("%Y-%m-%d %H:%M:%S")
		metric = {k: _(k) for k in set(frame["metric_kind"])}
		priority = {k: _(k) for k in set(frame["priority"].fillna("")) if k}
		late, paused, near, yes = _("Late"), _("Paused"), _("Near"), _("Yes")
		state = np.where(frame["late"].to_numpy(dtype=bool), late, np.where(frame["paused"].to_numpy(dtype=bool), paused, near))
		out = pd.DataFrame(
			{
				"ticket": frame["ticket_id"].to_numpy(),
				"agreement": frame["agreement"].to_numpy(),
				"agreement_type": frame["agreement_type"].to_numpy(),
				"party": frame["party"].to_numpy(),
				"service": frame["service"].to_numpy(),
				"target_code": frame["target_code"].to_numpy(),
				"metric": [metric[m] + (f" · {priority[p]}" if p else "") for m, p in zip(frame["metric_kind"], frame["priority"].fillna(""), strict=True)],
				"deadline": np.where(within, np.asarray(local, dtype=object), None),
				"left_hours": np.round(frame["left_s"].to_numpy(dtype=float) / 3600.0, 2),
				"used_pct": np.round(frame["used_pct"].to_numpy(dtype=float), 1),
				"state": state,
				"budget_left": pd.to_numeric(frame["budget_left"], errors="coerce").to_numpy(),
				"alone": np.where(frame["alone"].to_numpy(dtype=bool), yes, ""),
			}
		)
		data = out.astype(object).where(out.notna(), None).to_dict("records")
	columns = [
		{"fieldname": "ticket", "label": _("Ticket"), "fieldtype": "Data", "width": 130},
		{"fieldname": "agreement", "label": _("Agreement"), "fieldtype": "Link", "options": "SLM Agreement", "width": 150},
		{"fieldname": "agreement_type", "label": _("Type"), "fieldtype": "Select", "width": 55},
		{"fieldname": "party", "label": _("Counterparty"), "fieldtype": "Link", "options": "SLM Party", "width": 130},
		{"fieldname": "service", "label": _("Service"), "fieldtype": "Link", "options": "SLM Service", "width": 130},
		{"fieldname": "target_code", "label": _("Target"), "fieldtype": "Data", "width": 55},
		{"fieldname": "metric", "label": _("Metric"), "fieldtype": "Data", "width": 140},
		{"fieldname": "deadline", "label": _("Deadline"), "fieldtype": "Datetime", "width": 150},
		{"fieldname": "left_hours", "label": _("Business Hours Left"), "fieldtype": "Float", "precision": 2, "width": 100},
		{"fieldname": "used_pct", "label": _("Target Time Used"), "fieldtype": "Percent", "width": 95},
		{"fieldname": "state", "label": _("State"), "fieldtype": "Data", "width": 70},
		{"fieldname": "budget_left", "label": _("Budget Left"), "fieldtype": "Float", "precision": 1, "width": 90},
		{"fieldname": "alone", "label": _("Its Miss Alone Breaches"), "fieldtype": "Data", "width": 110},
	]
	summary = [
		{"label": _("At-Risk Tickets"), "value": len(data), "datatype": "Int", "indicator": "Orange"},
		{"label": _("Late"), "value": int(frame["late"].sum()) if len(frame) else 0, "datatype": "Int", "indicator": "Red"},
		{"label": _("Its Miss Alone Breaches"), "value": int(frame["alone"].sum()) if len(frame) else 0, "datatype": "Int", "indicator": "Red"},
	]
	return columns, data, None, None, summary
