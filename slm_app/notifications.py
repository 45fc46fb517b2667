"""Breach notifications (SL4.2): the service level manager, and for OLAs and UCs the support team or
supplier, get one digest per run listing their breaches, by email and as a system notification."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import get_url_to_form, now_datetime

from slm_app.core.roles import MANAGER


def users_with_role(role: str) -> list[str]:
	"""Enabled users holding ``role`` (never Administrator or Guest), in two queries."""
	holders = frappe.get_all("Has Role", filters={"role": role, "parenttype": "User"}, pluck="parent", distinct=True)
	holders = [u for u in holders if u not in ("Administrator", "Guest")]
	return frappe.get_all("User", filters={"name": ["in", holders or [""]], "enabled": 1}, pluck="name", order_by="name asc")


def recipients_for(breaches: list[dict]) -> dict[str, list[dict]]:
	managers = users_with_role(MANAGER)
	members: dict[str, list[str]] = {}
	parties = sorted({b["party"] for b in breaches if b["agreement_type"] in ("OLA", "UC")})
	for row in frappe.get_all("SLM Party Member", filters={"parent": ["in", parties or [""]], "parenttype": "SLM Party"}, fields=["parent", "user"]):
		members.setdefault(row.parent, []).append(row.user)
	out: dict[str, list[dict]] = {}
	for b in breaches:
		to = list(managers)
		if b["agreement_type"] in ("OLA", "UC"):
			to += members.get(b["party"], [])
		for user in dict.fromkeys(to):
			out.setdefault(user, []).append(b)
	return out


DIGEST_TEMPLATE = "slm_app/templates/emails/slm_breach_digest.html"


def _digest(breaches: list[dict]) -> str:
	"""The digest's HTML, from the template file (templates/emails/slm_breach_digest.html)."""
	rows = [{**b, "url": get_url_to_form("SLM Breach", b["name"])} for b in breaches]
	return frappe.render_template(DIGEST_TEMPLATE, {"breaches": rows})


def outgoing_email_configured() -> bool:
	from frappe.email.doctype.email_account.email_account import EmailAccount

	try:
		account = EmailAccount.find_outgoing(_raise_error=False)
	except Exception:
		return False
	return bool(account and account.get("email_id"))


def send_digests() -> dict[str, list[str]]:
	breaches = frappe.get_all(
		"SLM Breach",
		filters={"workflow_state": "Open"},
		fields=["name", "agreement", "agreement_type", "party", "service", "target_code", "metric_kind", "period", "measured_value"],
		order_by="period, name",
	)
	if not breaches:
		return {}
	plan = recipients_for(breaches)
	can_email = outgoing_email_configured()
	if not can_email:
		frappe.log_error(
			title=_("SLM breach digests: no outgoing email account"),
			message=_("Breach digests were sent as system notifications only; set up a default outgoing Email Account to email them too."),
		)
	sent: dict[str, list[str]] = {}
	log: dict[str, list[tuple[str, str]]] = {}
	for user, items in sorted(plan.items()):
		subject = _("{0} service level breach(es) to handle").format(len(items))
		body = _digest(items)
		email = frappe.db.get_value("User", user, "email")
		if email and can_email:
			frappe.sendmail(recipients=[email], subject=subject, message=body, reference_doctype="SLM Breach", reference_name=items[0]["name"])
			for b in items:
				log.setdefault(b["name"], []).append((user, "Email"))
		frappe.get_doc(
			{
				"doctype": "Notification Log",
				"for_user": user,
				"type": "Alert",
				"document_type": "SLM Breach",
				"document_name": items[0]["name"],
				"subject": subject,
				"email_content": body,
			}
		).insert(ignore_permissions=True)
		for b in items:
			log.setdefault(b["name"], []).append((user, "System Notification"))
		sent[user] = [b["name"] for b in items]
	now = now_datetime()
	for name, rows in log.items():
		doc = frappe.get_doc("SLM Breach", name)
		for user, channel in rows:
			doc.append("notifications", {"recipient": user, "channel": channel, "sent_on": now})
		doc.workflow_state = "Notified"
		doc.flags.ignore_permissions = True
		doc.flags.slm_system = True
		# logged as the action's note; the handling note is the people's, never overwritten
		doc.flags.action_note = _("Notified {0} recipient(s)").format(len({u for u, _c in rows}))
		doc.save()
	return sent
