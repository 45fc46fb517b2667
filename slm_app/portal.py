"""The counterparties' portal (/slm): what a customer's or supplier's contact reads, and their answer to a
draft agreement put to them for negotiation (SL3.5 online).

Contacts are Website Users (their roles have no desk access). Every read here goes through the access
model: lists through frappe.get_list (slm_app.permissions.query_conditions limits them to the contact's
own parties), documents through frappe.get_doc + check_permission (has_permission), and every page and
method first checks that the record's party is one of the logged-in contact's parties.
"""

from __future__ import annotations

from urllib.parse import urlencode

import frappe
from frappe import _
from frappe.utils import escape_html, get_url, getdate

from slm_app import agreements as adapter
from slm_app.core import lifecycle as lc
from slm_app.core import portal as core_portal
from slm_app.core.errors import RuleError
from slm_app.core.roles import CUSTOMER_CONTACT, MANAGER, PROCESS_OWNER, SUPPLIER_CONTACT
from slm_app.core.targets import describe
from slm_app.permissions import parties_of
from slm_app.utils import clean_text, throw_problems

PORTAL_PARTY_TYPES = {"Customer": CUSTOMER_CONTACT, "Supplier": SUPPLIER_CONTACT}
PORTAL_AGREEMENT_TYPES = {"Customer": "SLA", "Supplier": "UC"}
ROUTE = "/slm"
IN_PREPARATION = (lc.NEGOTIATING, lc.AGREED)
IN_FORCE = (lc.SIGNED, lc.ACTIVE)
AGREEMENT_FIELDS = [
	"name", "title", "agreement_type", "agreement_code", "version", "party", "workflow_state",
	"valid_from", "valid_to", "review_cycle", "service_calendar", "signed_on", "change_reference", "modified",
]


# ------------------------------------------------------------------------------------------ who is asking
def contact_parties() -> dict[str, str]:
	"""The customers and suppliers the logged-in user is a contact of (party -> party type); a guest or a
	user who is no such contact is refused."""
	user = frappe.session.user
	if user == "Guest":
		raise frappe.PermissionError(_("Log in to see your service levels"))
	roles = set(frappe.get_roles(user))
	parties = {
		name: kind
		for name, kind in parties_of(user).items()
		if kind in PORTAL_PARTY_TYPES and PORTAL_PARTY_TYPES[kind] in roles
	}
	if not parties:
		raise frappe.PermissionError(_("You are not a contact of a customer or supplier of this service provider"))
	return parties


def require_login_page(context, path: str) -> None:
	"""A page of the portal: a guest is sent to the login page and comes back here."""
	if frappe.session.user == "Guest":
		frappe.local.flags.redirect_location = "/login?" + urlencode({"redirect-to": path})
		raise frappe.Redirect
	context.no_cache = 1
	context.show_sidebar = True


def _agreement_of_contact(name, parties: dict[str, str], for_update: bool = False):
	"""The agreement ``name`` when it is one of the contact's parties' and readable to them; otherwise
	the same answer as for an agreement that does not exist (nothing tells another party's names).
	``for_update`` reads it with a locking read (an answer changes it), checked after that read."""
	if not isinstance(name, str) or not name.strip():
		raise frappe.DoesNotExistError(_("Give the agreement to open"))
	rows = frappe.get_list(
		"SLM Agreement",
		filters={"name": name, "party": ["in", list(parties)]},
		fields=["name"],
		limit_page_length=1,
	)
	if not rows:
		raise frappe.DoesNotExistError(_("No agreement of yours has this name"))
	doc = frappe.get_doc("SLM Agreement", rows[0].name, for_update=for_update)
	doc.check_permission("read")
	if doc.party not in parties or doc.agreement_type != PORTAL_AGREEMENT_TYPES[parties[doc.party]]:
		raise frappe.DoesNotExistError(_("No agreement of yours has this name"))
	return doc


# ------------------------------------------------------------------------------------------ reads
def agreements_of(parties: dict[str, str]) -> dict[str, list[dict]]:
	"""The contact's agreements, grouped: awaiting their answer, agreed (awaiting signature), in force, history."""
	rows = frappe.get_list(
		"SLM Agreement",
		filters={"party": ["in", list(parties)], "agreement_type": ["in", sorted(set(PORTAL_AGREEMENT_TYPES.values()))]},
		fields=AGREEMENT_FIELDS,
		order_by="agreement_code asc, version desc",
		limit_page_length=0,
	)
	groups = {"awaiting": [], "agreed": [], "in_force": [], "history": []}
	for row in rows:
		if PORTAL_AGREEMENT_TYPES.get(parties.get(row.party)) != row.agreement_type:
			continue
		row["url"] = agreement_url(row.name)
		if lc.awaits_counterparty(row.agreement_type, row.workflow_state):
			groups["awaiting"].append(row)
		elif row.workflow_state == lc.AGREED:
			groups["agreed"].append(row)
		elif row.workflow_state in IN_FORCE:
			groups["in_force"].append(row)
		else:
			groups["history"].append(row)
	return groups


def agreement_url(name: str) -> str:
	return f"{ROUTE}/agreement?" + urlencode({"name": name})


def pdf_url(doctype: str, name: str, print_format: str, language: str | None = None) -> str:
	params = {"doctype": doctype, "name": name, "format": print_format}
	if language:
		params["language"] = language
	return "/api/method/frappe.utils.print_format.download_pdf?" + urlencode(params)


def party_language(party: str) -> str:
	return frappe.db.get_value("SLM Party", party, "report_language") or frappe.local.lang or "en"


def month_to_date(parties: dict[str, str], agreement: str | None = None) -> list[dict]:
	filters = {"party": ["in", list(parties)], "is_latest": 1}
	if agreement:
		filters["agreement"] = agreement
	rows = frappe.get_list(
		"SLM Budget Status",
		filters=filters,
		fields=[
			"agreement", "period", "as_of", "target_code", "service", "metric_kind", "metric_name", "priority",
			"target_value", "time_unit", "unit", "compliance_share", "status", "budget_text", "elapsed_pct",
			"measured_value", "result_so_far", "projected_result",
		],
		order_by="agreement asc, target_code asc",
		limit_page_length=0,
	)
	for row in rows:
		row["description"] = describe(row)
	return rows


def breaches_of(parties: dict[str, str], agreement_code: str | None = None, limit: int = 20) -> list[dict]:
	filters = {"party": ["in", list(parties)]}
	if agreement_code:
		filters["agreement_code"] = agreement_code
	rows = frappe.get_list(
		"SLM Breach",
		filters=filters,
		fields=[
			"name", "agreement", "period", "service", "target_code", "metric_kind", "priority", "workflow_state",
			"measured_value", "target_value", "compliance_share", "missed_count", "handling_note", "cause", "occurred_at",
		],
		order_by="period desc, name desc",
		limit_page_length=limit,
	)
	for row in rows:
		doc = frappe.get_doc("SLM Breach", row.name)
		doc.check_permission("read")
		row["actions"] = [
			{"on": a.action_on, "action": a.action, "note": a.note} for a in doc.actions if (a.action or a.note)
		]
	return rows


def reports_of(parties: dict[str, str]) -> list[dict]:
	"""Approved service reports (customers only), with their PDF in the report's language."""
	if not frappe.has_permission("SLM Service Report", "read"):
		return []
	rows = frappe.get_list(
		"SLM Service Report",
		filters={"party": ["in", list(parties)], "docstatus": 1},
		fields=["name", "report_scope", "party", "agreement", "year", "quarter", "period_from", "period_to", "language", "compliance_pct", "approved_on"],
		order_by="period_from desc",
		limit_page_length=0,
	)
	for row in rows:
		row["pdf"] = pdf_url("SLM Service Report", row.name, "SLM Service Report", row.language)
	return rows


def results_of(doc, months: int = 12) -> dict:
	"""The agreement's closed months (submitted monitoring records of all its versions) per target, with the trend."""
	records = frappe.get_list(
		"SLM Monitoring Record",
		filters={"agreement_code": doc.agreement_code, "party": doc.party, "docstatus": 1},
		fields=["agreement", "period", "target_code", "metric_kind", "unit", "result", "measured_value", "target_value", "compliance_share"],
		order_by="period asc",
		limit_page_length=0,
	)
	if not records:
		return {"months": [], "rows": []}
	last = max(r.period for r in records)
	year, month = int(last[:4]), int(last[5:7])
	shown = core_portal.last_months(year, month, months)
	# the agreement's months on record (all its versions: an amendment shows the months of the one before)
	first = min(r.period for r in records)
	shown = [m for m in shown if m >= first]
	rows = core_portal.results_by_target([t.as_dict() for t in doc.targets], records, shown)
	for row in rows:
		row["trend"] = _(row["trend"])
		row["spark"] = sparkline(row["values"])
	return {"months": shown, "rows": rows}


def sparkline(values: list[float | None], width: int = 120, height: int = 28) -> str:
	"""A small SVG polyline of the measured values (gaps where a month had no data)."""
	seen = [v for v in values if v is not None]
	if len(seen) < 2:
		return ""
	low, high = min(seen), max(seen)
	span = (high - low) or 1.0
	step = width / max(1, len(values) - 1)
	points = " ".join(
		f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}" for i, v in enumerate(values) if v is not None
	)
	return (
		f'<svg class="slm-spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">'
		f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{points}"/></svg>'
	)


def calendar_of(doc) -> dict | None:
	if not doc.service_calendar:
		return None
	cal = frappe.get_doc("SLM Service Calendar", doc.service_calendar)
	cal.check_permission("read")
	return {
		"name": cal.name,
		"timezone": cal.timezone,
		"windows": [{"weekday": w.weekday, "start": _hhmm(w.start_time), "end": _hhmm(w.end_time)} for w in cal.windows],
		"exceptions": [
			{"date": e.exception_date, "type": e.exception_type, "description": e.description}
			for e in cal.exceptions
			if str(e.exception_date) >= str(getdate(doc.valid_from))
		],
	}


def _hhmm(value) -> str:
	"""A Time value (a timedelta or text such as "9:00:00") as HH:MM."""
	parts = str(value or "").split(":")
	return f"{int(parts[0]):02d}:{parts[1][:2]}" if len(parts) >= 2 and parts[0].isdigit() else str(value or "")


def agreement_page(name) -> dict:
	"""Everything the agreement's page shows, for the logged-in contact."""
	parties = contact_parties()
	doc = _agreement_of_contact(name, parties)
	versions = frappe.get_list(
		"SLM Agreement",
		filters={"agreement_code": doc.agreement_code, "party": doc.party},
		fields=["name", "version", "workflow_state", "valid_from", "valid_to"],
		order_by="version desc",
		limit_page_length=0,
	)
	for v in versions:
		v["url"] = agreement_url(v.name)
	signed = doc.workflow_state in lc.SIGNED_STATES or doc.workflow_state in lc.ENDED_STATES
	return {
		"doc": doc,
		"services": [r.service for r in doc.services],
		"targets": [{"code": t.target_code, "service": t.service, "description": describe(t.as_dict())} for t in doc.targets],
		"calendar": calendar_of(doc),
		"versions": versions,
		"awaiting": lc.awaits_counterparty(doc.agreement_type, doc.workflow_state),
		"answers": list(lc.ANSWERS),
		"pdf": pdf_url("SLM Agreement", doc.name, "SLM Agreement", party_language(doc.party)) if signed else None,
		"results": results_of(doc),
		"breaches": breaches_of(parties, doc.agreement_code),
		"month_to_date": month_to_date(parties, doc.name),
	}


def home_page() -> dict:
	parties = contact_parties()
	return {
		"parties": sorted(parties),
		"agreements": agreements_of(parties),
		"month_to_date": month_to_date(parties),
		"breaches": breaches_of(parties, limit=10),
		"reports": reports_of(parties),
	}


# ------------------------------------------------------------------------------------------ the answer
@frappe.whitelist(methods=["POST"])
def answer_agreement(name: str, answer: str, comment: str | None = None) -> dict:
	"""The counterparty's contact answers a draft agreement put to them: "Agree" or "Not agreed" with comments.

	Recorded as the agreement's next negotiation round (who, when, the comments) and taken through the
	workflow as the process owner's SL3.5 decision is: Agreed (to be signed by the provider), or back to
	Draft for the manager (an SLA not agreed also reopens its agreed OLAs)."""
	parties = contact_parties()
	note = clean_text(comment) if isinstance(comment, str) else ""
	if len(note) > 2000:
		frappe.throw(_("The comments are too long: at most {0} characters").format(2000), title=_("Invalid entry"))
	# one answer per round: the agreement is read with a locking read, through the contact's permission,
	# and its state judged on that read
	doc = _agreement_of_contact(name, parties, for_update=True)
	try:
		outcome = lc.counterparty_answer(doc.agreement_type, doc.workflow_state, answer, note)
	except RuleError as e:
		throw_problems(e.problems, title=_("Cannot record the answer"))
	user_name = frappe.utils.get_fullname(frappe.session.user)
	adapter.add_round(doc.name, outcome.outcome, note or None)
	if outcome.next_state == lc.AGREED:
		comment_text = _("{0} agreed on behalf of {1}").format(user_name, doc.party)
	else:
		comment_text = _("{0} did not agree on behalf of {1}: {2}").format(user_name, doc.party, note)
	adapter.system_transition(doc.name, outcome.next_state, comment_text)
	if outcome.reopens_underpinning:
		frappe.get_doc("SLM Agreement", doc.name).reopen_olas(note, tell_user=False)
	notify_answer(doc, outcome.outcome, note)
	return {"name": doc.name, "state": outcome.next_state, "outcome": outcome.outcome}


# ------------------------------------------------------------------------------------------ notifications
def _enabled_members(party: str) -> list[str]:
	members = frappe.get_all("SLM Party Member", filters={"parent": party, "parenttype": "SLM Party"}, pluck="user")
	return frappe.get_all("User", filters={"name": ["in", members or [""]], "enabled": 1}, pluck="name", order_by="name asc")


def _notify(users: list[str], subject: str, body: str, doc, link: str | None = None) -> list[str]:
	from slm_app.notifications import outgoing_email_configured

	can_email = outgoing_email_configured()
	for user in dict.fromkeys(users):
		entry = {
			"doctype": "Notification Log",
			"for_user": user,
			"type": "Alert",
			"document_type": "SLM Agreement",
			"document_name": doc.name,
			"subject": subject,
			"email_content": body,
		}
		if link:
			entry["link"] = link
		frappe.get_doc(entry).insert(ignore_permissions=True)
		email = frappe.db.get_value("User", user, "email")
		if can_email and email:
			frappe.sendmail(recipients=[email], subject=subject, message=body, reference_doctype="SLM Agreement", reference_name=doc.name)
	return list(dict.fromkeys(users))


def notify_awaiting(doc) -> list[str]:
	"""The counterparty's contacts are told that a draft agreement awaits their answer in the portal."""
	if not lc.awaits_counterparty(doc.agreement_type, doc.workflow_state):
		return []
	users = _enabled_members(doc.party)
	if not users:
		return []
	link = get_url(agreement_url(doc.name))
	subject = _("{0} {1} awaits your answer").format(doc.agreement_type, doc.name)
	body = "<p>{0}</p><p><a href=\"{1}\">{2}</a></p>".format(
		escape_html(_("The draft agreement \"{0}\" is put to you for negotiation: read it and answer Agree or Not agreed in the portal.").format(doc.title)),
		escape_html(link),
		escape_html(_("Open the agreement")),
	)
	return _notify(users, subject, body, doc, link)


def notify_answer(doc, outcome: str, note: str) -> list[str]:
	"""The provider's people who act next are told of the answer: the process owner signs an agreed SLA,
	the manager revises what was not agreed and signs an agreed UC."""
	from slm_app.notifications import users_with_role

	users = users_with_role(MANAGER)
	if doc.agreement_type == "SLA":
		users = users_with_role(PROCESS_OWNER) + users
	subject = _("{0} answered {1}: {2}").format(doc.party, doc.name, _(outcome))
	body = "<p>{0}</p>".format(escape_html(note)) if note else ""
	return _notify(users, subject, body, doc)



def state_label(state: str | None) -> str:
	"""An agreement's or breach's state as the contact reads it, in their language."""
	if state == lc.NEGOTIATING:
		return _("Awaiting your answer")
	if state == lc.AGREED:
		return _("Agreed, to be signed")
	return _(state or "")
