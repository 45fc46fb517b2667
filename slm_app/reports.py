"""Shared filter checks and helpers for the SLM script reports (permission-aware reads only)."""

from __future__ import annotations

import frappe
from frappe import _

from slm_app.core.errors import RuleError
from slm_app.core.periods import parse_month, period_key
from slm_app.utils import throw_problems


def month_range(filters: dict) -> tuple[str, str]:
	"""From and to months (YYYY-MM) from the filters, checked and written as the records write them."""
	months = []
	for label, key in ((_("From Month"), "from_month"), (_("To Month"), "to_month")):
		value = (filters.get(key) or "").strip()
		try:
			months.append(period_key(*parse_month(value, label, key)) if value else "")
		except RuleError as e:
			throw_problems(e.problems, title=_("Invalid filter"))
	start, end = months
	if start and end and end < start:
		frappe.throw(_("To Month {0} is before From Month {1}").format(end, start), title=_("Invalid filter"))
	return start, end


def month_conditions(filters: dict, conditions: list | None = None) -> list:
	"""List filters for the checked From / To Month (months are text, YYYY-MM, compared as text:
	Frappe's "between" would read them as dates)."""
	start, end = month_range(filters)
	conditions = list(conditions or [])
	if start:
		conditions.append(["period", ">=", start])
	if end:
		conditions.append(["period", "<=", end])
	return conditions


def check_link(doctype: str, value: str | None, label: str) -> None:
	if value and not frappe.db.exists(doctype, value):
		frappe.throw(_("Unknown {0}: {1}").format(label, value), title=_("Invalid filter"))
