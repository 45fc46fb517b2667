"""The desk the SLM roles land on: Frappe's setup wizard completed for a site that only needs it for
Frappe itself, and the SLM workspace as the default workspace of everyone holding an SLM role."""

from __future__ import annotations

import frappe
from frappe import _

from slm_app.core.roles import ALL_ROLES

WORKSPACE = "Service Level Management"


# ------------------------------------------------------------------------------------------ workspace
def set_default_workspace(doc, method=None) -> None:
	"""User.before_save: a user given an SLM role lands on the SLM workspace (unless they chose another)."""
	if doc.get("default_workspace") or not frappe.db.exists("Workspace", WORKSPACE):
		return
	roles = {r.role for r in doc.get("roles") or []}
	if roles & set(ALL_ROLES):
		doc.default_workspace = WORKSPACE


def backfill_default_workspace() -> int:
	"""The same for users who held an SLM role before slm_app set it (install, migrate)."""
	if not frappe.db.exists("Workspace", WORKSPACE):
		return 0
	holders = set(frappe.get_all("Has Role", filters={"role": ["in", list(ALL_ROLES)], "parenttype": "User"}, pluck="parent"))
	users = frappe.get_all(
		"User",
		filters={"name": ["in", list(holders) or [""]], "default_workspace": ["is", "not set"], "user_type": "System User"},
		pluck="name",
	)
	for user in users:
		frappe.db.set_value("User", user, "default_workspace", WORKSPACE, update_modified=False)
	return len(users)


# ------------------------------------------------------------------------------------------ setup wizard
def complete_setup_wizard() -> str:
	"""Complete Frappe's setup wizard with the site's own settings, so that users are not sent to it.

	Only when no installed app asks the wizard for more (ERPNext asks for a company, its fiscal year,
	...): then an administrator completes it in the desk, and this says so."""
	if frappe.db.get_single_value("System Settings", "setup_complete"):
		return "already complete"
	other_stages = [h for h in frappe.get_hooks("setup_wizard_stages") if not h.startswith("slm_app.")]
	if other_stages:
		message = _("The setup wizard asks for more than slm_app can answer ({0}): log in as Administrator and complete it").format(
			", ".join(other_stages)
		)
		print(message)
		return message
	from frappe.desk.page.setup_wizard.setup_wizard import setup_complete

	timezone = frappe.db.get_single_value("System Settings", "time_zone") or "Asia/Shanghai"
	country = frappe.db.get_single_value("System Settings", "country") or _country_of(timezone)
	currency = frappe.db.get_single_value("System Settings", "currency") or _currency_of(country)
	setup_complete({"language": "English", "country": country, "timezone": timezone, "currency": currency})
	return "completed"


def _country_of(timezone: str) -> str:
	import pytz

	for code, zones in pytz.country_timezones.items():
		if timezone in zones:
			name = frappe.db.get_value("Country", {"code": code.lower()}, "name")
			if name:
				return name
	return "China"


def _currency_of(country: str) -> str:
	from frappe.geo.country_info import get_country_info

	return (get_country_info(country) or {}).get("currency") or "CNY"
