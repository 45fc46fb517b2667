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
	"""A filter naming a record: one the user may not read is answered like one that does not exist."""
	if value and not (isinstance(value, str) and frappe.get_list(doctype, filters={"name": value}, pluck="name", limit_page_length=1)):
		frappe.throw(_("Unknown {0}: {1}").format(label, value), title=_("Invalid filter"))


def refused_filters_stay_refusals(report_name: str):
	"""Decorator for a script report's ``execute``.

	Frappe 15 starts a timer with every script report run that turns the report into a "prepared
	report" after 15 s, and cancels it only when the report returns: a report that refuses its filters
	(raises) is turned into a prepared report 15 s later, for every user. On a refusal the timer of
	this run is cancelled, so a bad filter stays an error message."""
	import functools
	import threading

	def decorate(execute):
		@functools.wraps(execute)
		def wrapper(filters=None):
			try:
				return execute(filters)
			except Exception:
				from frappe.core.doctype.report.report import enable_prepared_report

				site = frappe.local.site
				for timer in threading.enumerate():
					if (
						isinstance(timer, threading.Timer)
						and getattr(timer, "function", None) is enable_prepared_report
						and (getattr(timer, "kwargs", None) or {}).get("report") == report_name
						and timer.kwargs.get("site") == site
					):
						timer.cancel()
				raise

		return wrapper

	return decorate
