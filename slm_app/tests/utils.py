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


# ------------------------------------------------------------------------------------------ two of everything
# A world with two customers, two support teams and two suppliers, each with its people, agreements,
# measurements, monitoring, breaches, reviews, plans, reports, files and comments: side "A" and side "B".
# Values of internal fields carry INTERNAL, so that a leak of one shows in any response.
MX = "_MX"
INTERNAL = "ZZINT"
MX_SIDES = ("A", "B")
MX_TAG = "mx-tag"


def mx_user(kind: str, side: str) -> str:
	return f"mx.{kind}.{side.lower()}@example.com"


def mx_party(kind: str, side: str) -> str:
	return f"{MX} {kind} {side}"


def make_matrix_world() -> dict:
	"""Build (or find) the two-sided world through the paths users take; returns its names. Commits.
	Mails are not sent (the site's test email account may have no reachable host to render PDFs)."""
	from unittest.mock import patch

	with patch("slm_app.notifications.outgoing_email_configured", return_value=False), patch(
		"slm_app.service_reports.outgoing_email_configured", return_value=False
	):
		return _make_matrix_world()


def _make_matrix_world() -> dict:
	from slm_app import api, notifications, tasks
	from slm_app.core.roles import CUSTOMER_CONTACT, SUPPLIER_CONTACT, TEAM_MEMBER

	make_user(OWNER, [PROCESS_OWNER])
	make_user(MANAGER_USER, [MANAGER])
	make_user(MONITOR_USER, [MONITOR])
	world = {"sides": {}}
	for side in MX_SIDES:
		users = {
			"Customer": make_user(mx_user("customer", side), [CUSTOMER_CONTACT]),
			"Support Team": make_user(mx_user("team", side), [TEAM_MEMBER]),
			"Supplier": make_user(mx_user("supplier", side), [SUPPLIER_CONTACT]),
		}
		parties = {}
		for kind in ("Customer", "Support Team", "Supplier"):
			name = mx_party(kind, side)
			if not frappe.db.exists("SLM Party", name):
				frappe.get_doc(
					{
						"doctype": "SLM Party",
						"party_name": name,
						"party_type": kind,
						"email": f"{kind.lower().replace(' ', '')}.{side.lower()}@mx.example.com",
						"notes": f"{INTERNAL} notes on {name}",
						"external_customer": f"{INTERNAL}-ext-{side}" if kind == "Customer" else None,
						"members": [{"user": users[kind], "position": "Contact"}],
					}
				).insert(ignore_permissions=True)
			parties[kind] = name
		world["sides"][side] = {"users": users, "parties": parties}
	if frappe.db.exists("SLM Agreement", {"party": mx_party("Customer", "A"), "workflow_state": "Active"}):
		return _matrix_names(world)

	for side in MX_SIDES:
		parties = world["sides"][side]["parties"]
		calendar = make_calendar(f"{MX} Hours {side}")
		tech, biz = f"{MX} Network {side}", f"{MX} Banking {side}"
		for name, kind, deps in ((tech, "Technical Service", ()), (biz, "Business Service", (tech,))):
			frappe.get_doc(
				{
					"doctype": "SLM Service",
					"service_name": name,
					"service_kind": kind,
					"service_owner": OWNER,
					"support_team": parties["Support Team"],
					"supplier": parties["Supplier"],
					"service_calendar": calendar,
					"depends_on": [{"service": s} for s in deps],
					"service_levels": levels(),
				}
			).insert(ignore_permissions=True)
			act("SLM Service", name, "Publish", OWNER)
		ola = _mx_agreement("OLA", parties["Support Team"], calendar, [tech], [target(tech, "Resolution Time", 4), target(tech, "Availability", 99.95)])
		uc = _mx_agreement(
			"UC",
			parties["Supplier"],
			calendar,
			[tech],
			[
				target(tech, "Availability", 99.0),  # weaker than the SLA's: a conflict the owner overrides
				{"service": tech, "metric_kind": "Custom Metric", "metric_name": "Backup success", "target_value": 99, "unit": "%", "direction": "Higher is better"},
			],
		)
		sla = _mx_agreement(
			"SLA",
			parties["Customer"],
			calendar,
			[biz],
			[target(biz, "Resolution Time", 8), target(biz, "Availability", 99.9)],
			underpinning=[
				{"sla_target": "T1", "underpinning_agreement": ola, "underpinning_target": "T1"},
				{"sla_target": "T2", "underpinning_agreement": ola, "underpinning_target": "T2"},
				{"sla_target": "T2", "underpinning_agreement": uc, "underpinning_target": "T1"},
			],
		)
		for name in (ola, uc):
			act("SLM Agreement", name, "Start Negotiation", MANAGER_USER)
			set_note(name, "negotiation_note", f"{INTERNAL} agreed with the counterparty", MANAGER_USER)
			act("SLM Agreement", name, "Agree", MANAGER_USER)
		act("SLM Agreement", sla, "Submit for Negotiation", MANAGER_USER)
		set_note(sla, "negotiation_note", f"{INTERNAL} customer wants 6 h", OWNER)
		act("SLM Agreement", sla, "Not Agreed", OWNER)
		act("SLM Agreement", ola, "Start Negotiation", MANAGER_USER) if state(ola) == "Draft" else None
		if state(ola) == "Negotiating":
			act("SLM Agreement", ola, "Agree", MANAGER_USER)
		act("SLM Agreement", sla, "Submit for Negotiation", MANAGER_USER)
		act("SLM Agreement", sla, "Agree", OWNER)
		act("SLM Agreement", sla, "Sign", OWNER)
		for name in (ola, uc):
			act("SLM Agreement", name, "Sign", MANAGER_USER)
		from slm_app.slm.doctype.slm_agreement.slm_agreement import override_consistency

		frappe.set_user(OWNER)
		try:
			override_consistency(sla, f"{INTERNAL} accepted risk on the UC availability")
		finally:
			frappe.set_user("Administrator")
		set_note(sla, "change_reference", f"CHG-MX-{side}", MANAGER_USER)
		act("SLM Agreement", sla, "Activate", MANAGER_USER)
		world["sides"][side].update(
			{"sla": sla, "ola": ola, "uc": uc, "calendar": calendar, "business": biz, "technical": tech}
		)

		# measurements, March 2026: the SLA and OLA resolution targets and the UC availability are missed
		frappe.set_user(MONITOR_USER)
		try:
			codes = {k: frappe.db.get_value("SLM Agreement", world["sides"][side][k], "agreement_code") for k in ("sla", "ola", "uc")}
			api.import_measurements(
				"tickets",
				[
					{"ticket_id": f"{MX}-{side}-1", "agreement": codes["sla"], "priority": "High", "created": "2026-03-06 17:00", "resolved": "2026-03-10 10:00", "raised_by": f"user.{side.lower()}@customer.example"},
					{"ticket_id": f"{MX}-{side}-2", "agreement": codes["ola"], "priority": "High", "created": "2026-03-02 09:00", "resolved": "2026-03-02 17:00", "pauses": [{"start": "2026-03-02 10:00", "end": "2026-03-02 11:00"}]},
				],
			)
			api.import_measurements("coverage", [{"service": s, "start": "2026-01-01 00:00", "end": "2027-01-01 00:00"} for s in (biz, tech)])
			api.import_measurements("outages", [{"service": tech, "start": "2026-03-12 09:00", "end": "2026-03-12 18:00"}])
			api.import_measurements("metrics", [{"agreement": codes["uc"], "target": "T2", "period": "2026-03", "value": 95}])
		finally:
			frappe.set_user("Administrator")
		for code in codes.values():
			tasks.monitor_agreement(code, [(2026, 1), (2026, 2), (2026, 3)], commit=False)
	notifications.send_digests()
	# the month-to-date watch of March as it stood on the 20th (working hours in Shanghai): budgets,
	# warnings and their digests for both sides
	from datetime import datetime
	from zoneinfo import ZoneInfo

	from slm_app import watch

	codes = [frappe.db.get_value("SLM Agreement", world["sides"][side][k], "agreement_code") for side in MX_SIDES for k in ("sla", "ola", "uc")]
	watch.run(now=datetime(2026, 3, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), codes=codes)

	for side in MX_SIDES:
		s = world["sides"][side]
		review = frappe.get_doc(
			{"doctype": "SLM Service Review", "agreement": s["sla"], "review_date": "2026-03-31", "period_from": "2026-01-01", "period_to": "2026-03-31"}
		)
		review.append("findings", {"item_type": "Finding", "description": f"Resolution missed in March ({side})", "status": "Open"})
		review.insert(ignore_permissions=True)
		breach = frappe.get_all("SLM Breach", filters={"agreement": s["sla"]}, pluck="name", limit=1)
		frappe.get_doc(
			{
				"doctype": "SLM Improvement Plan",
				"title": f"{MX} plan {side}",
				"agreement": s["sla"],
				"start_date": "2026-04-01",
				"source_review": review.name,
				"source_breach": breach[0] if breach else None,
				"actions": [{"action": f"Add a night shift ({side})", "owner_user": MANAGER_USER, "due_date": "2026-05-01", "status": "Open"}],
				"targets": [{"agreement": s["sla"], "target_code": "T1"}],
			}
		).insert(ignore_permissions=True)
		frappe.get_doc(
			{
				"doctype": "SLM Service Level Requirement",
				"title": f"{MX} requirement {side}",
				"customer": s["parties"]["Customer"],
				"requested_on": "2025-12-01",
				"items": [{"service": s["business"], "metric_kind": "Availability", "target_value": 99.9}],
			}
		).insert(ignore_permissions=True)
		frappe.set_user(MANAGER_USER)
		try:
			approved = frappe.get_doc({"doctype": "SLM Service Report", "report_scope": "Customer", "party": s["parties"]["Customer"], "year": 2026, "quarter": "1"}).insert()
			frappe.get_doc({"doctype": "SLM Service Report", "report_scope": "SLA", "agreement": s["sla"], "year": 2026, "quarter": "1"}).insert()
		finally:
			frappe.set_user("Administrator")
		act("SLM Service Report", approved.name, "Approve", MANAGER_USER)
		for doctype, name in (("SLM Agreement", s["sla"]), ("SLM Agreement", s["ola"]), ("SLM Breach", breach[0] if breach else None)):
			if not name:
				continue
			frappe.get_doc(
				{"doctype": "File", "file_name": f"mx-{side.lower()}-{frappe.scrub(doctype)}.txt", "content": f"file of {side}", "attached_to_doctype": doctype, "attached_to_name": name, "is_private": 1}
			).insert(ignore_permissions=True)
			frappe.get_doc(doctype, name).add_comment("Comment", f"{INTERNAL} internal remark on {name}")
			from frappe.desk.doctype.tag.tag import DocTags
			from frappe.desk.form.assign_to import add as assign

			DocTags(doctype).add(name, MX_TAG)
			assign({"assign_to": [MANAGER_USER], "doctype": doctype, "name": name, "description": f"handle {name}"})
	upload = frappe.get_doc(
		{"doctype": "File", "file_name": "mx-import.csv", "content": "ticket_id,agreement,created\n", "is_private": 1}
	).insert(ignore_permissions=True)
	imp = frappe.get_doc(
		{"doctype": "SLM Measurement Import", "kind": "Ticket Events", "keep": "Import nothing", "import_file": upload.file_url}
	).insert(ignore_permissions=True)
	frappe.db.set_value("File", upload.name, {"attached_to_doctype": "SLM Measurement Import", "attached_to_name": imp.name})
	frappe.db.commit()
	return _matrix_names(world)


def _mx_agreement(kind, party, calendar, services, targets, underpinning=()) -> str:
	frappe.set_user(MANAGER_USER)
	try:
		return (
			frappe.get_doc(
				{
					"doctype": "SLM Agreement",
					"agreement_type": kind,
					"title": f"{MX} {kind} for {party}",
					"party": party,
					"valid_from": "2026-01-01",
					"valid_to": "2026-12-31",
					"review_cycle": "Quarterly",
					"service_calendar": calendar,
					"services": [{"service": s} for s in services],
					"targets": targets,
					"underpinning": list(underpinning),
				}
			)
			.insert()
			.name
		)
	finally:
		frappe.set_user("Administrator")


def _matrix_names(world: dict) -> dict:
	for side in MX_SIDES:
		s = world["sides"][side]
		for kind, key in (("SLA", "sla"), ("OLA", "ola"), ("UC", "uc")):
			s[key] = frappe.db.get_value("SLM Agreement", {"party": s["parties"][{"SLA": "Customer", "OLA": "Support Team", "UC": "Supplier"}[kind]], "agreement_type": kind}, "name")
	return world


def matrix_parties() -> list[str]:
	return [mx_party(k, s) for s in MX_SIDES for k in ("Customer", "Support Team", "Supplier")]


def remove_matrix_world() -> None:
	"""Delete everything make_matrix_world made (it commits, so it cleans up after itself). Commits."""
	parties = matrix_parties()
	agreements = frappe.get_all("SLM Agreement", filters={"party": ["in", parties]}, pluck="name")
	codes = list({c for c in frappe.get_all("SLM Agreement", filters={"party": ["in", parties]}, pluck="agreement_code")})
	services = frappe.get_all("SLM Service", filters={"name": ["like", f"{MX} %"]}, pluck="name")
	names: dict[str, list[str]] = {
		"SLM Agreement": agreements,
		"SLM Monitoring Record": frappe.get_all("SLM Monitoring Record", filters={"party": ["in", parties]}, pluck="name"),
		"SLM Breach": frappe.get_all("SLM Breach", filters={"party": ["in", parties]}, pluck="name"),
		"SLM Service Review": frappe.get_all("SLM Service Review", filters={"party": ["in", parties]}, pluck="name"),
		"SLM Improvement Plan": frappe.get_all("SLM Improvement Plan", filters={"party": ["in", parties]}, pluck="name"),
		"SLM Service Report": frappe.get_all("SLM Service Report", filters={"party": ["in", parties]}, pluck="name"),
		"SLM Budget Status": frappe.get_all("SLM Budget Status", filters={"party": ["in", parties]}, pluck="name"),
		"SLM Budget Warning": frappe.get_all("SLM Budget Warning", filters={"party": ["in", parties]}, pluck="name"),
		"SLM Service Level Requirement": frappe.get_all("SLM Service Level Requirement", filters={"customer": ["in", parties]}, pluck="name"),
		"SLM Ticket Event": frappe.get_all("SLM Ticket Event", filters={"agreement_code": ["in", codes or [""]]}, pluck="name"),
		"SLM Outage": frappe.get_all("SLM Outage", filters={"service": ["in", services or [""]]}, pluck="name"),
		"SLM Monitoring Coverage": frappe.get_all("SLM Monitoring Coverage", filters={"service": ["in", services or [""]]}, pluck="name"),
		"SLM Metric Value": frappe.get_all("SLM Metric Value", filters={"agreement": ["in", agreements or [""]]}, pluck="name"),
		"SLM Measurement Import": frappe.get_all("SLM Measurement Import", filters={"import_file": ["like", "%mx-import%"]}, pluck="name"),
		"SLM Service": services,
		"SLM Service Calendar": frappe.get_all("SLM Service Calendar", filters={"name": ["like", f"{MX} %"]}, pluck="name"),
		"SLM Party": parties,
	}
	everything = [n for ns in names.values() for n in ns]
	for doctype, ns in names.items():
		if not ns:
			continue
		for child in {df.options for df in frappe.get_meta(doctype).get_table_fields()}:
			frappe.db.delete(child, {"parent": ["in", ns], "parenttype": doctype})
		frappe.db.delete(doctype, {"name": ["in", ns]})
	if everything:
		frappe.db.delete("File", {"attached_to_name": ["in", everything]})
		frappe.db.delete("File", {"file_name": ["like", "mx-import%"]})
		frappe.db.delete("Comment", {"reference_name": ["in", everything]})
		frappe.db.delete("Version", {"docname": ["in", everything]})
		frappe.db.delete("Notification Log", {"document_name": ["in", everything]})
		frappe.db.delete("Email Queue", {"reference_name": ["in", everything]})
		frappe.db.delete("ToDo", {"reference_name": ["in", everything]})
		frappe.db.delete("Tag Link", {"document_name": ["in", everything]})
		frappe.db.delete("View Log", {"reference_name": ["in", everything]})
	users = [mx_user(k, s) for s in MX_SIDES for k in ("customer", "team", "supplier")]
	frappe.db.delete("Has Role", {"parent": ["in", users]})
	frappe.db.delete("User", {"name": ["in", users]})
	frappe.db.commit()
