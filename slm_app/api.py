"""Small whitelisted helpers used by the forms."""

from zoneinfo import available_timezones

import frappe


@frappe.whitelist()
def timezones() -> list[str]:
	return sorted(available_timezones())
