"""Demo data: `bench --site <site> execute slm_app.demo.make_demo`.

Creates people for every role (password "slm-demo"), counterparties, a calendar, a small catalogue,
a service level requirement and agreements acted through their workflows by the right people:
one SLA with its OLA and UC active, one amended, one still in negotiation. Idempotent.
"""

import frappe
from frappe.model.workflow import apply_workflow
from frappe.utils import add_months, get_first_day, nowdate

from slm_app.core.periods import parse_month
from slm_app.core.roles import MANAGER, MONITOR, PROCESS_OWNER

PASSWORD = "slm-demo"
USERS = {
	"owner@slm.demo": ("Olivia Owner", [PROCESS_OWNER]),
	"manager@slm.demo": ("Max Manager", [MANAGER]),
	"monitor@slm.demo": ("Mona Monitor", [MONITOR]),
	"contact@acme.demo": ("Alice Acme", []),
	"contact@globex.demo": ("Greg Globex", []),
	"lead@infra.demo": ("Ian Infra", []),
	"account@cloudco.demo": ("Cora Cloud", []),
}


def _user(email, full_name, roles):
	if not frappe.db.exists("User", email):
		first, _, last = full_name.partition(" ")
		doc = frappe.get_doc(
			{
				"doctype": "User",
				"email": email,
				"first_name": first,
				"last_name": last,
				"send_welcome_email": 0,
				"new_password": PASSWORD,
			}
		)
		doc.flags.ignore_permissions = True
		doc.flags.ignore_password_policy = True
		doc.insert()
	if roles:
		doc = frappe.get_doc("User", email)
		doc.flags.ignore_permissions = True
		doc.add_roles(*roles)


def _as(user, fn, *args):
	frappe.set_user(user)
	try:
		return fn(*args)
	finally:
		frappe.set_user("Administrator")


def _act(doctype, name, action, user):
	return _as(user, lambda: apply_workflow(frappe.get_doc(doctype, name).as_dict(), action))


def _insert(doc, user="manager@slm.demo"):
	return _as(user, lambda: frappe.get_doc(doc).insert())


def _party(name, kind, members):
	if not frappe.db.exists("SLM Party", name):
		_insert({"doctype": "SLM Party", "party_name": name, "party_type": kind, "members": [{"user": m, "is_primary": 1} for m in members]})


def _levels(avail, resp_h, resol_h):
	return [
		{"level_name": "Standard", "metric_kind": "Availability", "target_value": avail},
		{"level_name": "Standard", "metric_kind": "Response Time", "priority": "High", "target_value": resp_h, "time_unit": "Hours", "compliance_share": 95},
		{"level_name": "Standard", "metric_kind": "Resolution Time", "priority": "High", "target_value": resol_h, "time_unit": "Hours", "compliance_share": 90},
		{"level_name": "Standard", "metric_kind": "Custom Metric", "metric_name": "Customer satisfaction", "unit": "points", "direction": "Higher is better", "target_value": 4.5},
	]


def _service(name, kind, team, supplier=None, depends_on=(), levels=None):
	if not frappe.db.exists("SLM Service", name):
		_insert(
			{
				"doctype": "SLM Service",
				"service_name": name,
				"service_kind": kind,
				"service_owner": "owner@slm.demo",
				"support_team": team,
				"supplier": supplier,
				"service_calendar": "Standard Business Hours",
				"description": f"{name} ({kind.lower()})",
				"depends_on": [{"service": s} for s in depends_on],
				"service_levels": levels or _levels(99.9, 1, 8),
			}
		)
	if frappe.db.get_value("SLM Service", name, "workflow_state") != "Published":
		_act("SLM Service", name, "Publish", "owner@slm.demo")


def _note(name, field, value, user):
	from slm_app.slm.doctype.slm_agreement.slm_agreement import set_action_note

	_as(user, set_action_note, name, field, value)


def make_demo():
	frappe.flags.mute_emails = True
	from slm_app.desk_setup import complete_setup_wizard

	# demo users go straight to the SLM workspace, never to Frappe's setup wizard
	complete_setup_wizard()
	for email, (full_name, roles) in USERS.items():
		_user(email, full_name, roles)
	settings = frappe.get_single("SLM Settings")
	settings.company_name = settings.company_name or "Demo IT Services"
	settings.flags.ignore_permissions = True
	settings.save()
	_party("ACME Bank", "Customer", ["contact@acme.demo"])
	_party("Globex Retail", "Customer", ["contact@globex.demo"])
	_party("Infrastructure Team", "Support Team", ["lead@infra.demo"])
	_party("CloudCo Hosting", "Supplier", ["account@cloudco.demo"])
	_service("Data Centre Network", "Technical Service", "Infrastructure Team", levels=_levels(99.95, 0.5, 4))
	_service("Cloud Hosting", "Technical Service", "Infrastructure Team", "CloudCo Hosting", levels=_levels(99.95, 0.5, 4))
	_service("Online Banking", "Business Service", "Infrastructure Team", depends_on=("Data Centre Network", "Cloud Hosting"))
	_service("E-commerce Platform", "Business Service", "Infrastructure Team", depends_on=("Cloud Hosting",))

	if frappe.db.exists("SLM Service Level Requirement", {"title": "Online banking for ACME"}):
		make_monitoring_demo()
		make_breach_handling_demo()
		make_review_demo()
		make_service_report_demo()
		make_watch_demo()
		make_portal_demo()
		frappe.db.commit()
		return
	start = str(get_first_day(add_months(nowdate(), -11)))
	req = _insert(
		{
			"doctype": "SLM Service Level Requirement",
			"title": "Online banking for ACME",
			"customer": "ACME Bank",
			"service_contract": "ACME-MSA-2026",
			"requested_on": start,
			"description": "ACME needs online banking available around the clock in business hours with fast fixes.",
			"items": [
				{"service": "Online Banking", "metric_kind": "Availability", "target_value": 99.5},
				{"service": "Online Banking", "metric_kind": "Response Time", "priority": "High", "target_value": 2, "time_unit": "Hours", "compliance_share": 90},
				{"service": "Online Banking", "metric_kind": "Resolution Time", "priority": "High", "target_value": 8, "time_unit": "Hours", "compliance_share": 90},
			],
		}
	)
	_as("manager@slm.demo", lambda: frappe.get_doc("SLM Service Level Requirement", req.name).compare_with_catalogue())
	made = _as("manager@slm.demo", lambda: frappe.get_doc("SLM Service Level Requirement", req.name).make_agreements())
	sla, under = made["sla"], made["underpinning"]
	for name in under:
		_act("SLM Agreement", name, "Start Negotiation", "manager@slm.demo")
		_act("SLM Agreement", name, "Agree", "manager@slm.demo")
	_act("SLM Agreement", sla, "Submit for Negotiation", "manager@slm.demo")
	_note(sla, "negotiation_note", "ACME asked for a faster response time than first offered", "owner@slm.demo")
	_act("SLM Agreement", sla, "Not Agreed", "owner@slm.demo")
	for name in under:
		if frappe.db.get_value("SLM Agreement", name, "workflow_state") == "Negotiating":
			_act("SLM Agreement", name, "Agree", "manager@slm.demo")
	_act("SLM Agreement", sla, "Submit for Negotiation", "manager@slm.demo")
	_act("SLM Agreement", sla, "Agree", "owner@slm.demo")
	_act("SLM Agreement", sla, "Sign", "owner@slm.demo")
	for name in under:
		_act("SLM Agreement", name, "Sign", "manager@slm.demo")
	_note(sla, "change_reference", "CHG-2026-001", "manager@slm.demo")
	_act("SLM Agreement", sla, "Activate", "manager@slm.demo")

	# an SLA for Globex still in negotiation, with a conflict the consistency check shows
	globex = _insert(
		{
			"doctype": "SLM Agreement",
			"agreement_type": "SLA",
			"title": "E-commerce for Globex",
			"party": "Globex Retail",
			"valid_from": start,
			"review_cycle": "Half-yearly",
			"service_calendar": "Standard Business Hours",
			"services": [{"service": "E-commerce Platform"}],
			"targets": [
				{"service": "E-commerce Platform", "metric_kind": "Availability", "target_value": 99.99},
				{"service": "E-commerce Platform", "metric_kind": "Resolution Time", "priority": "Critical", "target_value": 2, "time_unit": "Hours", "compliance_share": 95},
			],
			"underpinning": [
				{"sla_target": "T1", "underpinning_agreement": u, "underpinning_target": "T1"}
				for u in under
				if frappe.db.get_value("SLM Agreement", u, "agreement_type") == "UC"
			],
		}
	)
	_act("SLM Agreement", globex.name, "Submit for Negotiation", "manager@slm.demo")
	make_monitoring_demo()
	make_breach_handling_demo()
	make_review_demo()
	make_service_report_demo()
	make_watch_demo()
	make_portal_demo()
	frappe.db.commit()
	print(f"Demo ready: active {sla} with {', '.join(under)}; in negotiation {globex.name}. Log in as owner@slm.demo / {PASSWORD}")


def make_monitoring_demo(seed: int = 7):
	"""A year of measurements for the active agreements, then the monthly job and the breach digests."""
	import random
	from datetime import datetime, timedelta

	from slm_app import measurement_import, tasks

	if frappe.db.exists("SLM Ticket Event", {"ticket_id": ["like", "DEMO-%"]}):
		return
	rng = random.Random(seed)
	active = frappe.get_all(
		"SLM Agreement",
		filters={"workflow_state": "Active"},
		fields=["name", "agreement_code", "agreement_type", "valid_from"],
	)
	if not active:
		return
	start = min(a.valid_from for a in active)
	today = frappe.utils.getdate()
	tickets, n = [], 0
	day = start
	while day < today.replace(day=1):
		if day.weekday() < 5:
			for a in active:
				for _ in range(rng.choice((0, 1, 1, 2))):
					n += 1
					created = datetime(day.year, day.month, day.day, rng.choice((9, 10, 11, 13, 14, 15, 16)), rng.choice((0, 15, 30, 45)))
					hours = rng.choice((0.5, 1, 2, 3, 4, 6, 7, 9, 12, 20))
					row = {
						"ticket_id": f"DEMO-{n:05d}",
						"agreement": a.agreement_code,
						"priority": rng.choice(("High", "High", "Medium", "Critical")),
						"created": created.isoformat(sep=" "),
						"first_response": (created + timedelta(minutes=rng.choice((5, 15, 30, 45, 90, 150)))).isoformat(sep=" "),
						"resolved": (created + timedelta(hours=hours)).isoformat(sep=" "),
					}
					if rng.random() < 0.2:
						p0 = created + timedelta(minutes=20)
						row["pauses"] = [{"start": p0.isoformat(sep=" "), "end": (p0 + timedelta(hours=rng.choice((1, 3, 48)))).isoformat(sep=" ")}]
					tickets.append(row)
		day += timedelta(days=1)
	services = sorted(
		set(frappe.get_all("SLM Agreement Service", filters={"parent": ["in", [a.name for a in active]]}, pluck="service"))
		| {"Data Centre Network", "Cloud Hosting"}
	)
	coverage = [{"service": s, "start": f"{start} 00:00", "end": f"{today} 00:00"} for s in services]
	outages = []
	month = start.replace(day=1)
	while month < today.replace(day=1):
		for s in services:
			if rng.random() < 0.5:
				o = datetime(month.year, month.month, rng.randint(2, 27), rng.choice((10, 14)))
				outages.append({"service": s, "start": o.isoformat(sep=" "), "end": (o + timedelta(minutes=rng.choice((20, 45, 120, 240)))).isoformat(sep=" "), "planned": rng.random() < 0.3})
		month = (month + timedelta(days=32)).replace(day=1)
	frappe.set_user("monitor@slm.demo")
	try:
		for kind, rows in (("tickets", tickets), ("coverage", coverage), ("outages", outages)):
			measurement_import.import_rows(kind, rows, keep="valid")
	finally:
		frappe.set_user("Administrator")
	for code, months in tasks.months_to_compute().items():
		tasks.monitor_agreement(code, months)
	_date_monitoring_as_history()
	tasks.send_breach_digests()


def make_review_demo():
	"""Reviews from the agreements' cycles — the past ones held and closed with minutes and findings — and
	an improvement plan raised from the latest SLA breach."""
	from frappe.utils import add_days, getdate, nowdate

	from slm_app import tasks

	if frappe.db.exists("SLM Improvement Plan", {"title": ["like", "Demo:%"]}):
		return
	frappe.set_user("Administrator")
	tasks.schedule_reviews(nowdate(), horizon_days=45)
	today = getdate(nowdate())
	for r in frappe.get_all("SLM Service Review", filters={"status": "Scheduled", "review_date": ["<", today]}, fields=["name"]):
		doc = frappe.get_doc("SLM Service Review", r.name)
		doc.update(
			{
				"status": "Closed",
				"held_on": doc.review_date,
				"agenda": "<p>Service levels of the period; breaches and their handling; next period.</p>",
				"minutes": "<p>The period's monitoring table was reviewed with the counterparty.</p>",
				"findings": [
					{"item_type": "Finding", "description": "Resolution misses cluster on Friday afternoons", "owner_user": "manager@slm.demo", "status": "Done"},
					{"item_type": "Decision", "description": "Add a Friday on-call rota", "owner_user": "manager@slm.demo", "status": "Done"},
				],
			}
		)
		if "owner@slm.demo" not in {a.user for a in doc.attendees}:
			doc.append("attendees", {"user": "owner@slm.demo", "attendee_name": "Olivia Owner", "organisation": "Demo IT Services"})
		_as("manager@slm.demo", doc.save)
	breach = frappe.get_all(
		"SLM Breach", filters={"agreement_type": "SLA"}, fields=["name", "agreement", "target_code", "period"], order_by="period desc", limit=1
	)
	if breach:
		b = breach[0]
		plan = {
			"doctype": "SLM Improvement Plan",
			"title": f"Demo: recover {b.agreement} {b.target_code}",
			"agreement": b.agreement,
			"source_breach": b.name,
			"start_date": add_days(today, -60),
			"status": "In Progress",
			"actions": [
				{"action": "Friday on-call rota", "owner_user": "manager@slm.demo", "due_date": add_days(today, -30), "status": "Done"},
				{"action": "Runbook for the top three incident types", "owner_user": "manager@slm.demo", "due_date": add_days(today, 30), "status": "In Progress"},
			],
			"targets": [{"agreement": b.agreement, "target_code": b.target_code}],
		}
		_insert(plan)


def make_breach_handling_demo():
	"""SLA breaches older than two months handled to the end (resolved with a note, closed with a cause);
	the latest stay with the manager."""
	cutoff = str(add_months(nowdate(), -2))[:7]
	for b in frappe.get_all("SLM Breach", filters={"agreement_type": "SLA", "period": ["<", cutoff], "workflow_state": "Notified"}, pluck="name", order_by="period asc"):
		_act("SLM Breach", b, "Start Handling", "manager@slm.demo")
		doc = frappe.get_doc("SLM Breach", b)
		doc.handling_note = "Restored service; tickets of the month re-prioritised with the support team"
		_as("manager@slm.demo", doc.save)
		_act("SLM Breach", b, "Resolve", "manager@slm.demo")
		doc = frappe.get_doc("SLM Breach", b)
		doc.cause = "Under-staffed Friday shift; change CHG-2026-014 added an on-call rota"
		_as("owner@slm.demo", doc.save)
		_act("SLM Breach", b, "Close", "owner@slm.demo")


def make_service_report_demo():
	"""The quarterly service reports of every closed quarter since the SLA started: approved and sent,
	except the latest quarter's, left for the manager to approve."""
	from frappe.utils import getdate

	from slm_app import service_reports
	from slm_app.core import service_reports as sr

	last = sr.previous_quarter(*sr.quarter_of(getdate(nowdate())))
	start = min(getdate(d) for d in frappe.get_all("SLM Agreement", filters={"agreement_type": "SLA", "workflow_state": "Active"}, pluck="valid_from") or [nowdate()])
	quarter = sr.quarter_of(start)
	while quarter <= last:
		for name in service_reports.generate_quarter(*quarter):
			if quarter < last:
				_as("manager@slm.demo", lambda n=name: apply_workflow(frappe.get_doc("SLM Service Report", n).as_dict(), "Approve"))
		quarter = (quarter[0] + 1, 1) if quarter[1] == 4 else (quarter[0], quarter[1] + 1)


def _date_monitoring_as_history():
	"""The demo computes a year of months in one go; date each month's records and breaches as a site
	running the scheduler would have (the 2nd of the following month), except one month five months ago
	that was monitored late (the 9th), so the on-time KPI has history to show."""
	from frappe.utils import add_months, getdate

	today = getdate(nowdate())
	late = str(add_months(today, -5))[:7]
	for period in frappe.get_all("SLM Monitoring Record", filters={"docstatus": 1}, pluck="period", distinct=True):
		year, month = parse_month(period)
		following = add_months(getdate(f"{year}-{month:02d}-01"), 1)
		day = 9 if period == late else 2
		when = f"{following.year}-{following.month:02d}-{day:02d} 08:30:00"
		if getdate(when) < today:
			frappe.db.sql("update `tabSLM Monitoring Record` set monitored_on=%s where period=%s and docstatus=1", (when, period))
			frappe.db.sql("update `tabSLM Breach` set detected_on=%s where period=%s", (when, period))


def make_watch_demo():
	"""The month so far, watched (issue 12): the previous month's forecast history (one month-to-date run a
	day, statuses only), then tickets of the running month up to now — ACME's SLA has missed a response
	already (its budget of response misses is used up: the 50, 75 and 100 % thresholds pass), a High ticket
	unanswered near its deadline (its miss alone would breach the target), others near their resolution
	deadline, one paused — and the month-to-date run replayed at three instants of the month's working time
	and once now. The warnings reach the manager (and, for the OLA's miss, the infrastructure team) as one
	digest each, in working hours. Needs three business hours of the month gone; idempotent."""
	from datetime import timedelta

	import pandas as pd

	from slm_app import measurement_import, watch
	from slm_app.core import instants
	from slm_app.core.business_time import index_for
	from slm_app.core.periods import month_bounds, previous_month
	from slm_app.monitoring import load_calendars
	from slm_app.utils import site_now

	if frappe.db.exists("SLM Ticket Event", {"ticket_id": ["like", "DEMO-W-%"]}):
		return
	active = frappe.get_all("SLM Agreement", filters={"workflow_state": "Active"}, fields=["name", "agreement_code", "agreement_type", "service_calendar"], order_by="name")
	if not active:
		return
	now = site_now()
	tz = frappe.utils.get_system_timezone()
	# the previous month's forecast, as the hourly run would have left it at the end of each day
	year, month = watch.watched_month(now)
	last = previous_month(now.date().replace(day=1))
	day, end = month_bounds(*last, tz)
	while day < end:
		watch.run(now=day + timedelta(hours=18), notify=False, warn=False)
		day += timedelta(days=1)
	# the running month's tickets, placed in its working time so far
	sla = next(a for a in active if a.agreement_type == "SLA")
	ola = next((a for a in active if a.agreement_type == "OLA"), None)
	calendar = load_calendars([sla.service_calendar])[sla.service_calendar]
	start, _after = month_bounds(year, month, tz)
	index = index_for(calendar, start - timedelta(days=1), now + timedelta(days=1))
	origin = int(index.positions_ns([int(pd.Timestamp(start).value)])[0])
	gone = int(index.positions_ns([int(pd.Timestamp(now).value)])[0]) - origin
	minute = 60_000_000_000
	if gone < 180 * minute:
		print("Watch demo: less than three business hours of this month are gone; run it later for the running month's tickets")
		watch.run()
		return

	def at(position_minutes: float) -> str:
		"""The instant a number of business minutes into the month, as ISO UTC text."""
		return instants.iso_utc(int(index.instants_ns([origin + int(position_minutes * minute)])[0]))

	b = gone / minute
	rows = []
	n = 0
	for a in active:
		step = 75
		for k, position in enumerate(range(20, int(b) - 30, step)):
			n += 1
			response = position + (10, 25, 40)[k % 3]
			resolution = position + (60, 150, 240, 300)[k % 4]
			rows.append(
				{
					"ticket_id": f"DEMO-W-{n:04d}",
					"agreement": a.agreement_code,
					"priority": ("High", "Medium", "High", "Critical")[k % 4],
					"created": at(position),
					"first_response": at(response) if response < b else "",
					"resolved": at(resolution) if resolution < b else "",
				}
			)
	scenario = [
		# ACME's SLA misses a High response (2 h): the month's budget of misses is used up
		{"ticket_id": "DEMO-W-MISS", "agreement": sla.agreement_code, "priority": "High", "created": at(5), "first_response": at(155), "resolved": at(240) if b > 240 else ""},
		# unanswered for 100 business minutes of 120: its miss alone would breach the response target
		{"ticket_id": "DEMO-W-NEAR", "agreement": sla.agreement_code, "priority": "High", "created": at(b - 100)},
		# answered, but near its 8-hour resolution deadline
		{"ticket_id": "DEMO-W-SLOW", "agreement": sla.agreement_code, "priority": "High", "created": at(max(b - 390, 1)), "first_response": at(max(b - 380, 2))},
		# waiting on the customer since an hour ago: its clock is held
		{"ticket_id": "DEMO-W-PAUSED", "agreement": sla.agreement_code, "priority": "High", "created": at(b - 170), "first_response": at(b - 160), "pauses": [{"start": at(b - 60)}]},
	]
	if ola:
		scenario.append({"ticket_id": "DEMO-W-OLA-MISS", "agreement": ola.agreement_code, "priority": "High", "created": at(10), "first_response": at(150), "resolved": at(200) if b > 200 else ""})
	# an amendment of ACME's SLA in draft: answer High tickets in 1 hour instead of 2 (to preview)
	if not frappe.db.exists("SLM Agreement", {"previous_version": sla.name}):
		from slm_app.slm.doctype.slm_agreement.slm_agreement import make_amendment

		effective = str(frappe.utils.add_months(frappe.utils.get_first_day(frappe.utils.nowdate()), 1))
		draft = _as("manager@slm.demo", make_amendment, sla.name, "CHG-2026-031", effective, "ACME asks for High tickets answered within the hour")
		doc = frappe.get_doc("SLM Agreement", draft)
		for t in doc.targets:
			if t.metric_kind == "Response Time" and t.priority == "High":
				t.target_value = 1
		_as("manager@slm.demo", doc.save)
	frappe.set_user("monitor@slm.demo")
	try:
		out = measurement_import.import_rows("tickets", [{k: v for k, v in r.items() if v != ""} for r in rows + scenario], keep="valid")
	finally:
		frappe.set_user("Administrator")
	if out.get("problems"):
		print("Watch demo: some tickets were refused:", out["problems"][:3])
	# the hourly run, as it ran during the month's working time so far, and now
	for share in (0.45, 0.8):
		instant = pd.Timestamp(int(index.instants_ns([origin + int(gone * share)])[0]), tz="UTC").to_pydatetime()
		watch.run(now=instant)
	result = watch.run()
	print(f"Watch demo: {len(rows) + len(scenario)} tickets this month; now {result['statuses']}, {result['warnings']} new warning(s)")


def make_portal_demo():
	"""The customers' and suppliers' contacts are Website Users who use the portal (/slm): ACME's
	amendment (High tickets answered within the hour, at ACME's request) is put to ACME for negotiation,
	so that contact@acme.demo finds it awaiting an answer there."""
	sla = frappe.db.get_value("SLM Agreement", {"party": "ACME Bank", "agreement_type": "SLA", "workflow_state": "Active"}, "name")
	draft = sla and frappe.db.get_value("SLM Agreement", {"previous_version": sla, "workflow_state": "Draft"}, "name")
	if draft and not frappe.db.count("SLM Negotiation Round", {"parent": draft}):
		_act("SLM Agreement", draft, "Submit for Negotiation", "manager@slm.demo")
	print(f"Portal demo: log in as contact@acme.demo / {PASSWORD} at /slm" + (f"; {draft} awaits ACME's answer" if draft else ""))
