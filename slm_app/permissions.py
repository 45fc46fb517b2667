"""Counterparty access: a customer's contacts, a support team's members and a supplier's contacts
see only the records of the parties they belong to. Process roles see everything."""

from __future__ import annotations

import frappe

from slm_app.core.roles import COUNTERPARTY_ROLES, PROCESS_ROLES

UNRESTRICTED = set(PROCESS_ROLES) | {"System Manager", "Administrator"}


def is_restricted(user: str | None = None) -> bool:
	user = user or frappe.session.user
	if user == "Administrator":
		return False
	roles = set(frappe.get_roles(user))
	return not (roles & UNRESTRICTED) and bool(roles & set(COUNTERPARTY_ROLES))


def parties_of(user: str) -> list[str]:
	return frappe.get_all("SLM Party Member", filters={"user": user, "parenttype": "SLM Party"}, pluck="parent")


def _condition(field: str, user: str | None) -> str:
	user = user or frappe.session.user
	if not is_restricted(user):
		return ""
	parties = parties_of(user)
	if not parties:
		return "1=0"
	return f"{field} in ({', '.join(frappe.db.escape(p) for p in parties)})"


def agreement_query(user: str | None = None) -> str:
	return _condition("`tabSLM Agreement`.`party`", user)


def party_query(user: str | None = None) -> str:
	return _condition("`tabSLM Party`.`name`", user)


def requirement_query(user: str | None = None) -> str:
	return _condition("`tabSLM Service Level Requirement`.`customer`", user)


def _allowed(party: str | None, user: str | None) -> bool | None:
	user = user or frappe.session.user
	if not is_restricted(user):
		return None  # defer to role permissions
	return bool(party) and party in parties_of(user)


def agreement_has_permission(doc, ptype=None, user=None):
	return _allowed(doc.party, user)


def party_has_permission(doc, ptype=None, user=None):
	return _allowed(doc.name, user)


def requirement_has_permission(doc, ptype=None, user=None):
	return _allowed(doc.customer, user)


def monitoring_query(user: str | None = None) -> str:
	return _condition("`tabSLM Monitoring Record`.`party`", user)


def breach_query(user: str | None = None) -> str:
	return _condition("`tabSLM Breach`.`party`", user)


def monitoring_has_permission(doc, ptype=None, user=None):
	return _allowed(doc.party, user)


def breach_has_permission(doc, ptype=None, user=None):
	return _allowed(doc.party, user)


def review_query(user: str | None = None) -> str:
	return _condition("`tabSLM Service Review`.`party`", user)


def plan_query(user: str | None = None) -> str:
	return _condition("`tabSLM Improvement Plan`.`party`", user)


def review_has_permission(doc, ptype=None, user=None):
	return _allowed(doc.party, user)


def plan_has_permission(doc, ptype=None, user=None):
	return _allowed(doc.party, user)


def service_report_query(user: str | None = None) -> str:
	"""A customer's contacts see their customer's approved reports, never drafts."""
	condition = _condition("`tabSLM Service Report`.`party`", user)
	return f"({condition}) and `tabSLM Service Report`.`docstatus` = 1" if condition else ""


def service_report_has_permission(doc, ptype=None, user=None):
	allowed = _allowed(doc.party, user)
	if allowed is None:
		return None
	return allowed and doc.docstatus == 1
