"""Small whitelisted helpers used by the forms."""

from zoneinfo import available_timezones

import frappe


@frappe.whitelist()
def timezones() -> list[str]:
	return sorted(available_timezones())


# ------------------------------------------------------------------------------------------ monitoring

from frappe import _  # noqa: E402

from slm_app.core.errors import RuleError  # noqa: E402
from slm_app.core.periods import parse_month  # noqa: E402
from slm_app.core.roles import MANAGER, MONITOR  # noqa: E402
from slm_app.utils import clean_text, throw_problems  # noqa: E402


def _require(roles: set[str]) -> None:
	if not roles & set(frappe.get_roles()):
		frappe.throw(_("Only {0} may do this").format(" / ".join(sorted(roles))), frappe.PermissionError)


def _month(value: str) -> tuple[int, int]:
	try:
		return parse_month(value)
	except RuleError as e:
		throw_problems(e.problems, title=_("Invalid month"))


def _readable_agreement(name) -> None:
	if not isinstance(name, str) or not frappe.db.exists("SLM Agreement", name):
		frappe.throw(_("Agreement {0} not found").format(name), frappe.DoesNotExistError)
	frappe.get_doc("SLM Agreement", name).check_permission("read")


@frappe.whitelist(methods=["POST"])
def compute_month(agreement: str, month: str) -> dict:
	"""Compute one agreement and month now (the monitor's or manager's on-demand run). A closed month that
	is not yet in the table is closed (submitted); an open month is written as draft rows."""
	from slm_app import monitoring

	_require({MONITOR, MANAGER})
	_readable_agreement(agreement)
	year, mon = _month(month)
	code = frappe.db.get_value("SLM Agreement", agreement, "agreement_code")
	data = monitoring.compute(year, mon, [code], lock=True)
	if data["results"].empty:
		frappe.throw(_("{0} was not in force in {1}").format(agreement, month), title=_("Nothing to compute"))
	return monitoring.write_month(data, submit=monitoring.month_closed(year, mon))


@frappe.whitelist(methods=["POST"])
def recompute_month(agreement: str, month: str, reason: str) -> dict:
	"""Recompute a closed month: an explicit, recorded amendment of its monitoring records."""
	from slm_app import monitoring

	_require({MONITOR, MANAGER})
	_readable_agreement(agreement)
	if not isinstance(reason, str) or not reason.strip():
		frappe.throw(_("Give the reason for recomputing a closed month"), title=_("Reason required"))
	year, mon = _month(month)
	if not monitoring.month_closed(year, mon):
		frappe.throw(_("{0} is not closed yet; use Compute Month").format(month))
	return monitoring.recompute(agreement, year, mon, clean_text(reason))


@frappe.whitelist(methods=["POST"])
def import_measurements(kind: str, rows: str | list, keep: str = "none") -> dict:
	"""Bulk measurements in (thousands of rows a call). kind: tickets | outages | coverage | metrics.
	Each bad row is reported with its row number and reason. keep="none" (default) writes nothing when any
	row is bad; keep="valid" writes the valid rows. Naive timestamps are read in the agreement's (or the
	service's calendar's) time zone."""
	from slm_app import measurement_import

	return measurement_import.import_rows(kind, frappe.parse_json(rows) if isinstance(rows, str) else rows, keep)
