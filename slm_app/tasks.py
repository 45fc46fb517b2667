"""Scheduler entry points: thin functions, the rules live in slm_app.core."""

import frappe
from frappe import _
from frappe.utils import getdate, nowdate

from slm_app import agreements as adapter
from slm_app.core import lifecycle as lc


def expire_agreements(today: str | None = None) -> list[str]:
	"""Daily: an active agreement whose validity has ended becomes Expired (its months stay monitored)."""
	today = getdate(today or nowdate())
	names = frappe.get_all(
		"SLM Agreement",
		filters={"workflow_state": lc.ACTIVE, "valid_to": ["<", today]},
		fields=["name", "valid_to"],
		order_by="name",
	)
	for row in names:
		adapter.system_transition(
			row.name,
			lc.EXPIRED,
			_("Expired: valid until {0}").format(frappe.format(row.valid_to, {"fieldtype": "Date"})),
			{"ended_on": row.valid_to},
		)
	return [row.name for row in names]
