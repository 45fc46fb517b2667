"""Shared filter checks and helpers for the SLM script reports (permission-aware reads only)."""

from __future__ import annotations

import frappe
from frappe import _


def month_range(filters: dict) -> tuple[str, str]:
	"""From and to months (YYYY-MM) from the filters, checked."""
	start, end = (filters.get("from_month") or "").strip(), (filters.get("to_month") or "").strip()
	for label, value in ((_("From Month"), start), (_("To Month"), end)):
		if value and not _is_month(value):
			frappe.throw(_("{0} must look like 2026-03, not {1}").format(label, value), title=_("Invalid filter"))
	if start and end and end < start:
		frappe.throw(_("To Month {0} is before From Month {1}").format(end, start), title=_("Invalid filter"))
	return start, end


def _is_month(value: str) -> bool:
	parts = value.split("-")
	return len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit() and len(parts[0]) == 4 and 1 <= int(parts[1]) <= 12


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
