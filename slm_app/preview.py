"""Adapter for the what-if preview of a draft agreement or an amendment (issue 12): its targets against the
last closed months of the same counterparty's measurements (:mod:`slm_app.core.preview`). Nothing is
written.

Whose measurements: an amendment's are those of the agreement it amends (the same agreement code). A new
draft's are those of the counterparty's agreements of the same type, signed or in force, that cover one
of the draft's services (their tickets and named metric values taken as the draft's), and the outages and
coverage of the draft's services.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import frappe
import pandas as pd
from frappe import _
from frappe.utils import getdate, nowdate

from slm_app import monitoring
from slm_app.core import preview as core_preview
from slm_app.core import targets as tgt
from slm_app.core.agreements import MEASURABLE_STATES
from slm_app.core.month import TARGET_ROW_COLUMNS
from slm_app.core.periods import next_month, period_key, previous_month
from slm_app.core.roles import MANAGER, MONITOR, PROCESS_OWNER

MAX_MONTHS = 24


def _months(count: int, today: date) -> list[tuple[int, int]]:
	"""The last ``count`` closed months, oldest first."""
	out, month = [], previous_month(today)
	for _i in range(count):
		out.append(month)
		month = previous_month(date(month[0], month[1], 1))
	return out[::-1]


@frappe.whitelist()
def preview_agreement(name: str, months: int | str = 6) -> dict:
	"""The draft's (or amendment's) targets applied to the last ``months`` closed months: per target and
	month what would have been Met or Breached, next to what was. For the service level manager, the
	process owner and the monitor, on an agreement they may read."""
	if not {MANAGER, PROCESS_OWNER, MONITOR} & set(frappe.get_roles()):
		frappe.throw(_("Only {0} may do this").format(" / ".join(sorted({MANAGER, PROCESS_OWNER, MONITOR}))), frappe.PermissionError)
	try:
		count = int(months)
	except (TypeError, ValueError):
		frappe.throw(_("Months must be a whole number from 1 to {0}, not {1}").format(MAX_MONTHS, months), title=_("Invalid months"))
	if not 1 <= count <= MAX_MONTHS:
		frappe.throw(_("Months must be a whole number from 1 to {0}, not {1}").format(MAX_MONTHS, months), title=_("Invalid months"))
	heads = frappe.get_list(
		"SLM Agreement",
		filters={"name": name if isinstance(name, str) else ""},
		fields=["name", "agreement_code", "version", "agreement_type", "party", "service_calendar", "previous_version", "workflow_state"],
		limit_page_length=1,
	)
	if not heads:
		frappe.throw(_("Agreement {0} not found").format(name), frappe.DoesNotExistError)
	draft = heads[0]
	if not draft.service_calendar:
		frappe.throw(_("Give the agreement a service calendar first: the preview measures business time on it"), title=_("No calendar"))
	rows = frappe.get_list(
		"SLM Agreement Target",
		parent_doctype="SLM Agreement",
		filters={"parent": draft.name, "parenttype": "SLM Agreement", "parentfield": "targets"},
		fields=["parent as agreement", "target_code", "service", *tgt.VALUE_FIELDS],
		order_by="idx asc",
		limit_page_length=0,
	)
	targets = pd.DataFrame([dict(r) for r in rows], columns=TARGET_ROW_COLUMNS)
	if targets.empty:
		frappe.throw(_("{0} has no targets to preview").format(draft.name), title=_("Nothing to preview"))
	month_list = _months(count, getdate(nowdate()))
	sources = _sources(draft, sorted(set(targets["service"].dropna())))
	code_of = dict(zip(sources["agreement"], sources["agreement_code"], strict=True))
	first = date(*month_list[0], 1)
	after = date(*next_month(*month_list[-1]), 1)
	lo = datetime.combine(first - timedelta(days=2), datetime.min.time())
	hi = datetime.combine(after + timedelta(days=2), datetime.min.time())
	measured = monitoring._read_measurements(targets, code_of, lo, hi)
	measured = core_preview.rekey(measured, {c: draft.agreement_code for c in set(code_of.values())})
	calendars = monitoring.load_calendars([draft.service_calendar])
	actual, actual_targets = _actual(sorted(set(code_of.values())), [period_key(*m) for m in month_list])
	out = core_preview.preview(
		{
			"agreement": draft.name,
			"agreement_code": draft.agreement_code,
			"version": int(draft.version or 1),
			"agreement_type": draft.agreement_type,
			"party": draft.party,
			"calendar": draft.service_calendar,
		},
		targets,
		calendars,
		measured,
		month_list,
		actual,
		actual_targets,
	)
	records = []
	for r in out.to_dict("records"):
		records.append({k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in r.items()})
	return {
		"agreement": draft.name,
		"months": [period_key(*m) for m in month_list],
		"sources": sorted(set(code_of.values())),
		"rows": records,
		"changed": sum(1 for r in records if r["changed"]),
		"would_breach": sum(1 for r in records if r["would_result"] == "Breached"),
		"was_breached": sum(1 for r in records if r["was_result"] == "Breached"),
	}


def _sources(draft, services: list[str]) -> pd.DataFrame:
	"""The agreement versions whose measurements stand for the draft's (see the module's docstring)."""
	fields = ["name as agreement", "agreement_code"]
	if draft.previous_version:
		code = frappe.db.get_value("SLM Agreement", draft.previous_version, "agreement_code")
		rows = frappe.get_list("SLM Agreement", filters={"agreement_code": code, "workflow_state": ["in", list(MEASURABLE_STATES)]}, fields=fields, limit_page_length=0)
	else:
		covering = frappe.get_list(
			"SLM Agreement Service",
			parent_doctype="SLM Agreement",
			filters={"service": ["in", services or [""]], "parenttype": "SLM Agreement"},
			fields=["parent"],
			limit_page_length=0,
		)
		rows = frappe.get_list(
			"SLM Agreement",
			filters={
				"name": ["in", sorted({c.parent for c in covering}) or [""]],
				"party": draft.party,
				"agreement_type": draft.agreement_type,
				"workflow_state": ["in", list(MEASURABLE_STATES)],
			},
			fields=fields,
			limit_page_length=0,
		)
	return pd.DataFrame([dict(r) for r in rows], columns=["agreement", "agreement_code"])


def _actual(codes: list[str], periods: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
	"""The closed records of those months for the codes, and the targets of their versions."""
	records = frappe.get_list(
		"SLM Monitoring Record",
		filters={"agreement_code": ["in", codes or [""]], "period": ["in", periods], "docstatus": 1},
		fields=core_preview.ACTUAL_COLUMNS,
		limit_page_length=0,
	)
	actual = pd.DataFrame([dict(r) for r in records], columns=core_preview.ACTUAL_COLUMNS)
	names = sorted(set(actual["agreement"]))
	rows = frappe.get_list(
		"SLM Agreement Target",
		parent_doctype="SLM Agreement",
		filters={"parent": ["in", names or [""]], "parenttype": "SLM Agreement", "parentfield": "targets"},
		fields=["parent as agreement", "target_code", "service", *tgt.VALUE_FIELDS],
		limit_page_length=0,
	)
	return actual, pd.DataFrame([dict(r) for r in rows], columns=TARGET_ROW_COLUMNS)
