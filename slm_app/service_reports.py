"""Quarterly service reports: collecting a quarter's content in bulk, drafting the reports after each
quarter, and sending an approved report (PDF in the report's language) to the customer's contacts."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import escape_html, get_url_to_form, getdate, now_datetime, nowdate

from slm_app.core import service_reports as sr
from slm_app.core.agreements import IN_FORCE_STATES
from slm_app.core.roles import MANAGER
from slm_app.core.targets import metric_label
from slm_app.notifications import outgoing_email_configured, users_with_role
from slm_app.plans import recovery_by_plan
from slm_app.utils import throw_problems

PRINT_FORMAT = "SLM Service Report"


def slas_of(doc) -> list[dict]:
	"""The SLA versions the report covers that were in force during its quarter."""
	filters = {"agreement_type": "SLA", "workflow_state": ["in", list(IN_FORCE_STATES)]}
	if doc.report_scope == sr.SLA_SCOPE:
		filters["agreement_code"] = doc.agreement_code
	else:
		filters["party"] = doc.party
	rows = frappe.get_all("SLM Agreement", filters=filters, fields=["name", "agreement_code", "party", "valid_from", "valid_to", "ended_on", "workflow_state", "version"])
	first, last = sr.quarter_bounds(doc.year, doc.quarter)
	return [dict(r) for r in rows if sr.in_force(dict(r), first, last)]


def collect(doc) -> None:
	"""Fill the report from the quarter's submitted monitoring records, breaches, reviews and plans; the
	texts the report composes (findings, recovery) are written in the report's language."""
	from frappe.translate import print_language

	with print_language(doc.language or "en"):
		_collect(doc)


def _collect(doc) -> None:
	year, quarter = int(doc.year), int(doc.quarter)
	first, last = sr.quarter_bounds(year, quarter)
	months = sr.quarter_months(year, quarter)
	slas = slas_of(doc)
	codes = sorted({s["agreement_code"] for s in slas})
	versions = [s["name"] for s in slas]
	records, targets = [], []
	if codes:
		records = frappe.get_all(
			"SLM Monitoring Record",
			filters=[["agreement_code", "in", codes], ["docstatus", "=", 1], ["period", "in", months]],
			fields=[
				"agreement", "agreement_code", "version", "period", "target_code", "service", "metric_kind", "metric_name",
				"priority", "target_value", "unit", "compliance_share", "result", "measured_value",
			],
		)
		version_of = {s["name"]: s for s in slas}
		targets = [
			dict(t, agreement=t.parent, agreement_code=version_of[t.parent]["agreement_code"], version=version_of[t.parent]["version"])
			for t in frappe.get_all(
				"SLM Agreement Target",
				filters={"parent": ["in", versions], "parenttype": "SLM Agreement", "parentfield": "targets"},
				fields=["parent", "target_code", "service", "metric_kind", "metric_name", "priority", "target_value", "time_unit", "unit", "direction", "compliance_share"],
			)
		]
		# the time unit and direction of each record's target, for its promise text
		extra = {(t["agreement"], t["target_code"]): t for t in targets}
		for r in records:
			t = extra.get((r.agreement, r.target_code))
			r.time_unit = t["time_unit"] if t else None
			r.direction = t["direction"] if t else None
	rows = sr.compliance_rows([dict(r) for r in records], months, targets)
	doc.flags.slas_in_force = len(slas)

	breaches = []
	if codes:
		breaches = frappe.get_all(
			"SLM Breach",
			filters=[["agreement_code", "in", codes], ["agreement_type", "=", "SLA"], ["period", "in", months]],
			fields=["name", "agreement_code", "period", "service", "target_code", "metric_kind", "measured_value", "target_value", "compliance_share", "workflow_state", "cause", "handling_note"],
			order_by="period asc, agreement_code asc, target_code asc",
		)
	resolved = {}
	if breaches:
		for a in frappe.get_all(
			"SLM Breach Action",
			filters={"parent": ["in", [b.name for b in breaches]], "parenttype": "SLM Breach", "action": "Resolved"},
			fields=["parent", "action_on"],
		):
			resolved[a.parent] = max(getdate(a.action_on), resolved.get(a.parent) or getdate(a.action_on))
	promises = {(r["agreement_code"], r["target_code"]): r["target_text"] for r in rows}

	reviews = []
	if versions:
		reviews = frappe.get_all(
			"SLM Service Review",
			filters=[["agreement", "in", versions], ["review_date", "between", [first, last]]],
			fields=["name", "agreement", "review_date", "status", "held_on"],
			order_by="review_date asc",
		)
	findings = {}
	if reviews:
		for f in frappe.get_all(
			"SLM Review Item",
			filters={"parent": ["in", [r.name for r in reviews]], "parenttype": "SLM Service Review"},
			fields=["parent", "item_type", "description", "status"],
			order_by="idx asc",
		):
			findings.setdefault(f.parent, []).append(f"{_(f.item_type or '')}: {f.description} ({_(f.status or '')})")

	plans = []
	if versions:
		plans = frappe.get_all(
			"SLM Improvement Plan",
			filters=[["agreement", "in", versions], ["start_date", "<=", last], ["status", "!=", "Closed"]],
			fields=["name", "title", "status", "start_date", "agreement"],
		) + frappe.get_all(
			"SLM Improvement Plan",
			filters=[["agreement", "in", versions], ["start_date", "<=", last], ["status", "=", "Closed"], ["modified", ">=", first]],
			fields=["name", "title", "status", "start_date", "agreement"],
		)
	actions, addressed, recovery = {}, {}, {}
	if plans:
		names = [p.name for p in plans]
		for a in frappe.get_all("SLM Plan Action", filters={"parent": ["in", names], "parenttype": "SLM Improvement Plan"}, fields=["parent", "status"]):
			actions.setdefault(a.parent, []).append(a.status)
		for t in frappe.get_all("SLM Plan Target", filters={"parent": ["in", names], "parenttype": "SLM Improvement Plan"}, fields=["parent", "agreement", "target_code"], order_by="idx asc"):
			addressed.setdefault(t.parent, []).append((t.agreement, t.target_code))
		recovery = recovery_by_plan([(p.name, p.start_date, addressed.get(p.name, [])) for p in plans])

	doc.period_from, doc.period_to = first, last
	doc.set("compliance", [])
	for r in rows:
		doc.append("compliance", {**{k: r[k] for k in (
			"agreement_code", "agreement", "target_code", "service", "priority", "target_text",
			"result_1", "value_1", "result_2", "value_2", "result_3", "value_3",
			"months_met", "months_breached", "months_no_data", "quarter_result")}, "metric": metric_label(r)})
	doc.set("breaches", [])
	for b in breaches:
		doc.append(
			"breaches",
			{
				"breach": b.name, "agreement_code": b.agreement_code, "period": b.period, "service": b.service,
				"target_code": b.target_code, "metric": b.metric_kind,
				"measured_text": sr.measured_text({"result": "Breached", **b}),
				"target_text": promises.get((b.agreement_code, b.target_code), ""),
				"status": b.workflow_state, "cause": b.cause, "handling_note": b.handling_note,
				"resolved_on": resolved.get(b.name),
			},
		)
	doc.set("reviews", [])
	for r in reviews:
		doc.append("reviews", {"review": r.name, "agreement": r.agreement, "review_date": r.review_date, "status": r.status, "held_on": r.held_on, "decisions": "\n".join(findings.get(r.name, []))})
	doc.set("plans", [])
	for p in sorted(plans, key=lambda p: (str(p.start_date), p.name)):
		statuses = actions.get(p.name, [])
		doc.append(
			"plans",
			{"plan": p.name, "title": p.title, "status": p.status, "actions_done": statuses.count("Done"), "actions_total": len(statuses), "recovery": _recovery_text(recovery[p.name])},
		)
	figures = sr.summary(rows, [{"status": b.workflow_state} for b in breaches], [dict(r) for r in reviews], [dict(p) for p in plans])
	for key, value in figures.items():
		doc.set(key, value)
	doc.generated_on = now_datetime()


def _recovery_text(rows: list[dict]) -> str:
	"""Whether the targets a plan addresses recovered, in a word or three."""
	if not rows:
		return ""
	values = [r.get("recovered") for r in rows]
	if all(v is True for v in values):
		return _("Recovered")
	if any(v is False for v in values):
		return _("Not recovered")
	return _("Too early to say")


# ---------------------------------------------------------------------------------------------------
# Scheduler


def generate_quarter(year: int, quarter: int) -> list[str]:
	"""Draft the quarter's reports that do not exist yet (per customer and/or per SLA, as set in SLM
	Settings), each in its customer's report language."""
	throw_problems(sr.check_quarter(year, quarter))
	setting = frappe.db.get_single_value("SLM Settings", "service_report_scope") or sr.BOTH
	scopes = sr.SCOPE_SETTINGS.get(setting, sr.SCOPES)
	slas = [dict(a) for a in frappe.get_all("SLM Agreement", filters={"agreement_type": "SLA"}, fields=["name", "agreement_code", "party", "valid_from", "valid_to", "ended_on", "workflow_state", "agreement_type", "version"])]
	existing = [
		sr.report_key(r.report_scope, r.party, r.agreement_code)
		for r in frappe.get_all("SLM Service Report", filters={"year": year, "quarter": str(quarter), "docstatus": ["<", 2]}, fields=["report_scope", "party", "agreement_code"])
	]
	first, last = sr.quarter_bounds(year, quarter)
	latest = {}
	for a in slas:
		if sr.in_force(a, first, last) and int(a["version"] or 0) >= int(latest.get(a["agreement_code"], {}).get("version") or 0):
			latest[a["agreement_code"]] = a
	created = []
	for item in sr.reports_to_create(slas, year, quarter, existing, scopes):
		doc = frappe.get_doc(
			{
				"doctype": "SLM Service Report",
				"report_scope": item["scope"],
				"party": item["party"],
				"agreement": latest[item["agreement_code"]]["name"] if item["agreement_code"] else None,
				"year": year,
				"quarter": str(quarter),
			}
		)
		doc.flags.ignore_permissions = True
		frappe.db.savepoint("slm_service_report")
		try:
			doc.insert()
		except frappe.ValidationError:
			# one report that cannot be made must not stop the others; the error log names it
			frappe.db.rollback(save_point="slm_service_report")
			frappe.log_error(title=_("SLM service report not drafted: {0} Q{1} {2}").format(item["agreement_code"] or item["party"], quarter, year))
			continue
		created.append(doc.name)
	return created


def schedule_service_reports(today=None) -> list[str]:
	"""Daily: once the last closed quarter's monitoring is due, draft its reports (idempotent) and tell the
	service level managers there are reports to approve."""
	due_day = int(frappe.db.get_single_value("SLM Settings", "monitoring_due_day") or 5)
	quarter = sr.quarter_due(getdate(today or nowdate()), due_day)
	if not quarter:
		return []
	created = generate_quarter(*quarter)
	if created:
		for user in users_with_role(MANAGER):
			frappe.get_doc(
				{
					"doctype": "Notification Log",
					"for_user": user,
					"type": "Alert",
					"document_type": "SLM Service Report",
					"document_name": created[0],
					"subject": _("{0} quarterly service report(s) for {1} Q{2} are ready for your approval").format(len(created), quarter[0], quarter[1]),
				}
			).insert(ignore_permissions=True)
	return created


# ---------------------------------------------------------------------------------------------------
# Sending


def recipients_of(party: str) -> list[tuple[str, str | None]]:
	"""(email, user) of the customer's contacts: the party's own address and its members' enabled users."""
	out: dict[str, str | None] = {}
	email = frappe.db.get_value("SLM Party", party, "email")
	if email:
		out[email.strip().lower()] = None
	users = frappe.get_all("SLM Party Member", filters={"parent": party, "parenttype": "SLM Party", "user": ["is", "set"]}, pluck="user")
	for u in frappe.get_all("User", filters={"name": ["in", users or [""]], "enabled": 1}, fields=["name", "email"]):
		if u.email:
			out[u.email.strip().lower()] = u.name
	return list(out.items())


def check_can_send(doc) -> None:
	throw_problems(sr.check_recipients([e for e, _u in recipients_of(doc.party)]))


def report_title(doc) -> str:
	scope = doc.agreement_code if doc.report_scope == sr.SLA_SCOPE else doc.party
	return _("Service report {0}, Q{1} {2}").format(scope, doc.quarter, doc.year)


def render_pdf(doc) -> bytes:
	from frappe.translate import print_language

	with print_language(doc.language or "en"):
		return frappe.get_print(doc.doctype, doc.name, PRINT_FORMAT, doc=doc, as_pdf=True, no_letterhead=1)


def send(doc) -> list[dict]:
	"""Email the PDF to every contact (when an outgoing account exists) and notify the contacts' users in
	the desk; returns the recipient rows written on the report."""
	contacts = recipients_of(doc.party)
	now = now_datetime()
	rows = []
	from frappe.translate import print_language

	with print_language(doc.language or "en"):
		subject = report_title(doc)
		body = "<p>{}</p><p><a href='{}'>{}</a></p>".format(
			escape_html(_("Please find attached the quarterly service report for {0}, Q{1} {2}.").format(doc.party, doc.quarter, doc.year)),
			get_url_to_form(doc.doctype, doc.name),
			escape_html(_("Open the report")),
		)
	if outgoing_email_configured():
		pdf = render_pdf(doc)
		frappe.sendmail(
			recipients=[e for e, _u in contacts],
			subject=subject,
			message=body,
			attachments=[{"fname": f"{doc.name}.pdf", "fcontent": pdf}],
			reference_doctype=doc.doctype,
			reference_name=doc.name,
		)
		rows += [{"recipient": e, "channel": "Email", "sent_on": now} for e, _u in contacts]
	else:
		frappe.log_error(
			title=_("SLM service report: no outgoing email account"),
			message=_("Service report {0} was shared in the desk only; set up a default outgoing Email Account to email it too.").format(doc.name),
		)
	for _e, user in contacts:
		if not user:
			continue
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": user,
				"type": "Alert",
				"document_type": doc.doctype,
				"document_name": doc.name,
				"subject": subject,
				"email_content": body,
			}
		).insert(ignore_permissions=True)
		rows.append({"recipient": user, "channel": "System Notification", "sent_on": now})
	return rows
