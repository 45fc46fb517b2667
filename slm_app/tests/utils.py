"""Factories for the Frappe integration tests: real users with real roles, and the records they work on."""

from __future__ import annotations

import frappe
from frappe.model.workflow import apply_workflow

from slm_app.core.roles import MANAGER, MONITOR, PROCESS_OWNER
from slm_app.install import business_week_windows

OWNER = "slm.owner@example.com"
MANAGER_USER = "slm.manager@example.com"
MONITOR_USER = "slm.monitor@example.com"
CUSTOMER_A_USER = "slm.customer.a@example.com"
CUSTOMER_B_USER = "slm.customer.b@example.com"
TEAM_USER = "slm.team@example.com"

CALENDAR = "_Test SLM Hours"
CUSTOMER_A, CUSTOMER_B = "_Test SLM Customer A", "_Test SLM Customer B"
TEAM, SUPPLIER = "_Test SLM Team", "_Test SLM Supplier"
NETWORK, HOSTING, BANKING = "_Test SLM Network", "_Test SLM Hosting", "_Test SLM Banking"


def make_user(email: str, roles: list[str]) -> str:
	if not frappe.db.exists("User", email):
		user = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": email.split("@")[0],
				"send_welcome_email": 0,
				"user_type": "System User",
			}
		)
		user.flags.ignore_permissions = True
		user.insert()
	user = frappe.get_doc("User", email)
	missing = [r for r in roles if r not in frappe.get_roles(email)]
	if missing:
		user.flags.ignore_permissions = True
		user.add_roles(*missing)
	return email


def make_party(name: str, party_type: str, members: list[str] | None = None) -> str:
	if not frappe.db.exists("SLM Party", name):
		frappe.get_doc(
			{
				"doctype": "SLM Party",
				"party_name": name,
				"party_type": party_type,
				"members": [{"user": u} for u in members or []],
			}
		).insert(ignore_permissions=True)
	return name


def make_calendar(name: str = CALENDAR, timezone: str = "Asia/Shanghai") -> str:
	if not frappe.db.exists("SLM Service Calendar", name):
		frappe.get_doc(
			{
				"doctype": "SLM Service Calendar",
				"calendar_name": name,
				"timezone": timezone,
				"windows": business_week_windows(),
				"exceptions": [{"exception_date": "2026-10-01", "exception_type": "Holiday", "description": "National Day"}],
			}
		).insert(ignore_permissions=True)
	return name


def levels(availability=99.9, response_h=1, resolution_h=8, share=95):
	return [
		{"level_name": "Gold", "metric_kind": "Availability", "target_value": availability},
		{
			"level_name": "Gold",
			"metric_kind": "Response Time",
			"priority": "High",
			"target_value": response_h,
			"time_unit": "Hours",
			"compliance_share": share,
		},
		{
			"level_name": "Gold",
			"metric_kind": "Resolution Time",
			"priority": "High",
			"target_value": resolution_h,
			"time_unit": "Hours",
			"compliance_share": share,
		},
	]


def as_user(user: str):
	frappe.set_user(user)


def act(doctype: str, name: str, action: str, user: str):
	"""Apply a workflow action as the given user, through the call the desk's action menu makes."""
	frappe.set_user(user)
	try:
		doc = frappe.get_doc(doctype, name)
		return apply_workflow(doc.as_dict(), action)
	finally:
		frappe.set_user("Administrator")


def make_service(name: str, kind: str = "Technical Service", depends_on=(), supplier=None, publish=True) -> str:
	if not frappe.db.exists("SLM Service", name):
		frappe.get_doc(
			{
				"doctype": "SLM Service",
				"service_name": name,
				"service_kind": kind,
				"service_owner": OWNER,
				"support_team": TEAM,
				"supplier": supplier,
				"service_calendar": CALENDAR,
				"depends_on": [{"service": s} for s in depends_on],
				"service_levels": levels(),
			}
		).insert(ignore_permissions=True)
	if publish and frappe.db.get_value("SLM Service", name, "workflow_state") != "Published":
		act("SLM Service", name, "Publish", OWNER)
	return name


def setup_world():
	"""Users for every role, parties, a calendar and a small published catalogue."""
	make_user(OWNER, [PROCESS_OWNER])
	make_user(MANAGER_USER, [MANAGER])
	make_user(MONITOR_USER, [MONITOR])
	make_user(CUSTOMER_A_USER, [])
	make_user(CUSTOMER_B_USER, [])
	make_user(TEAM_USER, [])
	make_party(CUSTOMER_A, "Customer", [CUSTOMER_A_USER])
	make_party(CUSTOMER_B, "Customer", [CUSTOMER_B_USER])
	make_party(TEAM, "Support Team", [TEAM_USER])
	make_party(SUPPLIER, "Supplier")
	make_calendar()
	make_service(NETWORK)
	make_service(HOSTING, supplier=SUPPLIER)
	make_service(BANKING, "Business Service", depends_on=(NETWORK, HOSTING))


def target(service, kind, value, priority=None, unit=None, share=None):
	row = {"service": service, "metric_kind": kind, "target_value": value}
	if kind in ("Response Time", "Resolution Time"):
		row.update({"time_unit": unit or "Hours", "priority": priority or "High", "compliance_share": share or 95})
	return row


def make_agreement(kind: str, party: str, targets: list[dict], services=None, underpinning=(), user=MANAGER_USER, **kw):
	"""Insert a draft agreement as the manager, the way the desk's form does."""
	services = services or sorted({t["service"] for t in targets})
	frappe.set_user(user)
	try:
		doc = frappe.get_doc(
			{
				"doctype": "SLM Agreement",
				"agreement_type": kind,
				"title": kw.pop("title", f"_Test {kind} for {party}"),
				"party": party,
				"valid_from": kw.pop("valid_from", "2026-01-01"),
				"valid_to": kw.pop("valid_to", "2026-12-31"),
				"review_cycle": kw.pop("review_cycle", "Quarterly"),
				"service_calendar": CALENDAR,
				"services": [{"service": s} for s in services],
				"targets": targets,
				"underpinning": list(underpinning),
				**kw,
			}
		).insert()
		return doc
	finally:
		frappe.set_user("Administrator")


def set_note(name: str, fieldname: str, value: str, user: str):
	from slm_app.slm.doctype.slm_agreement.slm_agreement import set_action_note

	frappe.set_user(user)
	try:
		set_action_note(name, fieldname, value)
	finally:
		frappe.set_user("Administrator")


def state(name: str) -> str:
	return frappe.db.get_value("SLM Agreement", name, "workflow_state")


def act_all(steps):
	for doctype, name, action, user in steps:
		act(doctype, name, action, user)


def make_active_set(ola_resolution=4, sla_resolution=8, valid_from="2026-01-01", valid_to="2026-12-31", change="CHG-M1"):
	"""An active SLA for customer A on Banking, with an OLA (team, Network) and a UC (supplier, Hosting) under it."""
	ola = make_agreement(
		"OLA",
		TEAM,
		[target(NETWORK, "Resolution Time", ola_resolution), target(NETWORK, "Availability", 99.95)],
		valid_from=valid_from,
		valid_to=valid_to,
	)
	uc = make_agreement("UC", SUPPLIER, [target(HOSTING, "Availability", 99.95)], valid_from=valid_from, valid_to=valid_to)
	sla = make_agreement(
		"SLA",
		CUSTOMER_A,
		[target(BANKING, "Resolution Time", sla_resolution), target(BANKING, "Availability", 99.9)],
		services=[BANKING],
		underpinning=[
			{"sla_target": "T1", "underpinning_agreement": ola.name, "underpinning_target": "T1"},
			{"sla_target": "T2", "underpinning_agreement": ola.name, "underpinning_target": "T2"},
			{"sla_target": "T2", "underpinning_agreement": uc.name, "underpinning_target": "T1"},
		],
		valid_from=valid_from,
		valid_to=valid_to,
	)
	act_all(
		[
			("SLM Agreement", ola.name, "Start Negotiation", MANAGER_USER),
			("SLM Agreement", ola.name, "Agree", MANAGER_USER),
			("SLM Agreement", uc.name, "Start Negotiation", MANAGER_USER),
			("SLM Agreement", uc.name, "Agree", MANAGER_USER),
			("SLM Agreement", sla.name, "Submit for Negotiation", MANAGER_USER),
			("SLM Agreement", sla.name, "Agree", OWNER),
			("SLM Agreement", sla.name, "Sign", OWNER),
			("SLM Agreement", ola.name, "Sign", MANAGER_USER),
			("SLM Agreement", uc.name, "Sign", MANAGER_USER),
		]
	)
	set_note(sla.name, "change_reference", change, MANAGER_USER)
	act("SLM Agreement", sla.name, "Activate", MANAGER_USER)
	return frappe.get_doc("SLM Agreement", sla.name), frappe.get_doc("SLM Agreement", ola.name), frappe.get_doc("SLM Agreement", uc.name)
