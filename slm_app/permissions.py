"""Row-level access for counterparties (the model is core/access.py; README, Security).

The process roles see every SLM record. A customer's contacts, a support team's members and a
supplier's contacts see only their own party's records, through every path Frappe offers: the same
SQL condition limits lists, counts, group-bys, searches, reports and link look-ups
(``query_conditions``), and ``has_permission`` limits single documents, prints and files.
Child rows are limited through their parent's condition, and internal tables (level 1) not at all.
"""

from __future__ import annotations

import weakref

import frappe

from slm_app.core import access
from slm_app.core.roles import COUNTERPARTY_ROLES, PROCESS_ROLES

UNRESTRICTED = set(PROCESS_ROLES) | {"System Manager", "Administrator"}
NOTHING = "1=0"


def is_restricted(user: str | None = None) -> bool:
	"""A counterparty's person: holds a counterparty role and no process role."""
	user = user or frappe.session.user
	if user == "Administrator":
		return False
	roles = set(frappe.get_roles(user))
	return not (roles & UNRESTRICTED) and bool(roles & set(COUNTERPARTY_ROLES))


def parties_of(user: str) -> dict[str, str]:
	"""The parties the user is a member of, with their party type."""
	member = frappe.qb.DocType("SLM Party Member")
	party = frappe.qb.DocType("SLM Party")
	rows = (
		frappe.qb.from_(member)
		.join(party)
		.on(party.name == member.parent)
		.select(party.name, party.party_type)
		.where((member.user == user) & (member.parenttype == "SLM Party"))
		.run()
	)
	return dict(rows)


def _in(values) -> str:
	return "(" + ", ".join(frappe.db.escape(v) for v in values) + ")" if values else "('')"


# ------------------------------------------------------------------------------------------ conditions
def query_conditions(user: str | None = None, doctype: str | None = None) -> str:
	"""permission_query_conditions for every SLM doctype, parent or child: '' for the process roles."""
	user = user or frappe.session.user
	if not doctype or not is_restricted(user):
		return ""
	return condition_for(doctype, user, parties_of(user))


def condition_for(doctype: str, user: str, parties: dict[str, str]) -> str:
	if doctype in access.INTERNAL_DOCTYPES or not parties:
		return NOTHING
	table = f"`tab{doctype}`"
	if doctype in access.PARTY_SCOPED:
		cond = f"{table}.`{access.PARTY_SCOPED[doctype]}` in {_in(parties)}"
		if doctype in access.SUBMITTED_ONLY:
			cond = f"({cond} and {table}.`docstatus` = 1)"
		if doctype in access.HIDDEN_STATES:
			cond = f"({cond} and ifnull({table}.`workflow_state`, '') not in {_in(access.HIDDEN_STATES[doctype])})"
		return cond
	if doctype == access.SERVICE:
		return _service_condition(parties)
	if doctype == access.CALENDAR:
		return (
			f"({table}.`name` in (select `service_calendar` from `tabSLM Agreement` where `party` in {_in(parties)})"
			f" or {table}.`name` in (select `service_calendar` from `tabSLM Service` where {_service_condition(parties)}))"
		)
	if frappe.get_meta(doctype).istable:
		return _child_condition(doctype, user, parties)
	return NOTHING


def _service_condition(parties: dict[str, str]) -> str:
	table = "`tabSLM Service`"
	of_type = lambda t: [p for p, kind in parties.items() if kind == t]  # noqa: E731
	parts = [
		f"{table}.`name` in (select s.`service` from `tabSLM Agreement Service` s join `tabSLM Agreement` a"
		f" on a.`name` = s.`parent` where s.`parenttype` = 'SLM Agreement' and a.`party` in {_in(parties)})"
	]
	if of_type("Customer"):
		parts.append(f"({table}.`service_kind` = 'Business Service' and {table}.`workflow_state` = 'Published')")
	if of_type("Support Team"):
		parts.append(f"{table}.`support_team` in {_in(of_type('Support Team'))}")
	if of_type("Supplier"):
		parts.append(f"{table}.`supplier` in {_in(of_type('Supplier'))}")
	return "(" + " or ".join(parts) + ")"


def table_fields_readable(parent: str, child: str, user: str) -> list[str]:
	"""The parent's table fields holding ``child`` rows that the user may read (role and level)."""
	meta = frappe.get_meta(parent)
	levels = meta.get_permlevel_access("read", user=user)
	return [df.fieldname for df in meta.get_table_fields() if df.options == child and (df.permlevel or 0) in levels]


def parents_of(child: str) -> list[str]:
	return frappe.get_all(
		"DocField", filters={"options": child, "fieldtype": ["in", ["Table", "Table MultiSelect"]]}, pluck="parent", distinct=True
	)


def _child_condition(doctype: str, user: str, parties: dict[str, str]) -> str:
	table = f"`tab{doctype}`"
	parts = []
	for parent in parents_of(doctype):
		fields = table_fields_readable(parent, doctype, user)
		if not fields or not frappe.has_permission(parent, "read", user=user):
			continue
		parent_cond = condition_for(parent, user, parties)
		if parent_cond == NOTHING:
			continue
		parts.append(
			f"({table}.`parenttype` = {frappe.db.escape(parent)} and {table}.`parentfield` in {_in(fields)}"
			f" and {table}.`parent` in (select `name` from `tab{parent}` where {parent_cond}))"
		)
	return "(" + " or ".join(parts) + ")" if parts else NOTHING


def readable_names(doctype: str, names: list[str], user: str | None = None) -> set[str]:
	"""Which of ``names`` the user may read (one permission-aware query)."""
	names = [n for n in names if n]
	if not names:
		return set()
	return set(frappe.get_list(doctype, filters={"name": ["in", names]}, pluck="name", limit_page_length=0, user=user))


# ------------------------------------------------------------------------------------------ documents
def has_permission(doc, ptype=None, user=None, debug=False):
	"""has_permission for every SLM parent doctype: a counterparty reads only its party's records.
	Returns False to deny, None to leave the decision to the role permissions."""
	user = user or frappe.session.user
	if not is_restricted(user):
		return None
	doctype = doc.doctype
	if doctype in access.INTERNAL_DOCTYPES:
		return False
	parties = parties_of(user)
	if doctype in access.PARTY_SCOPED:
		if doc.get(access.PARTY_SCOPED[doctype]) not in parties:
			return False
		if doctype in access.SUBMITTED_ONLY and doc.docstatus != 1:
			return False
		if (doc.get("workflow_state") or "") in access.HIDDEN_STATES.get(doctype, ()):
			return False
		return None
	if doctype in (access.SERVICE, access.CALENDAR):
		if doc.is_new() or not _row_matches(doctype, doc.name, condition_for(doctype, user, parties)):
			return False
		return None
	return False


def _row_matches(doctype: str, name: str, condition: str) -> bool:
	if condition == NOTHING:
		return False
	return bool(frappe.db.sql(f"select 1 from `tab{doctype}` where `tab{doctype}`.`name` = %s and {condition} limit 1", name))


# ------------------------------------------------------------------------------------------ files and users
def file_query(user: str | None = None, doctype: str | None = None) -> str:
	"""A counterparty sees no file attached to an SLM record it may not read."""
	user = user or frappe.session.user
	if not is_restricted(user):
		return ""
	parties = parties_of(user)
	allowed = []
	for parent in frappe.get_all("DocType", filters={"module": "SLM", "istable": 0, "issingle": 0}, pluck="name"):
		cond = condition_for(parent, user, parties)
		if cond != NOTHING and frappe.has_permission(parent, "read", user=user):
			allowed.append(
				f"(`tabFile`.`attached_to_doctype` = {frappe.db.escape(parent)}"
				f" and `tabFile`.`attached_to_name` in (select `name` from `tab{parent}` where {cond}))"
			)
	own = "ifnull(`tabFile`.`attached_to_doctype`, '') not like 'SLM %%'"
	return "(" + " or ".join([own, *allowed]) + ")"


def file_has_permission(doc, ptype=None, user=None, debug=False):
	"""A counterparty reads the files of SLM records it may read, and attaches none."""
	user = user or frappe.session.user
	attached = doc.get("attached_to_doctype") or ""
	if not attached.startswith("SLM ") or not is_restricted(user):
		return None
	if ptype not in (None, "read", "select", "print", "email", "share"):
		return False
	name = doc.get("attached_to_name")
	if not name or not frappe.db.exists(attached, name):
		return False
	return None if frappe.has_permission(attached, "read", doc=name, user=user) else False


def user_query(user: str | None = None, doctype: str | None = None) -> str:
	"""A counterparty sees itself and the people of its own parties, not every user of the site."""
	user = user or frappe.session.user
	if not is_restricted(user):
		return ""
	return f"`tabUser`.`name` in {_in(sorted(visible_users(user)))}"


def user_has_permission(doc, ptype=None, user=None, debug=False):
	user = user or frappe.session.user
	if not is_restricted(user):
		return None
	return None if doc.name in visible_users(user) else False


def visible_users(user: str) -> set[str]:
	parties = list(parties_of(user))
	members = frappe.get_all(
		"SLM Party Member", filters={"parent": ["in", parties or [""]], "parenttype": "SLM Party"}, pluck="user"
	)
	return {user, *[m for m in members if m]}


# ------------------------------------------------------------------------------------------ child rows
from frappe.model.document import Document  # noqa: E402


class ChildRow(Document):
	"""Base of every SLM child doctype's controller.

	Frappe 15 checks a child row read on its own (REST, ``frappe.client.get``, the form loader, print)
	against its parent *doctype* only, because such a row has no parent document attached: any reader of
	one SLM Agreement could read every agreement's rows by name. Here the row fetches its parent, so the
	parent's own permission (its party, its state) decides."""

	@property
	def parent_doc(self):
		ref = getattr(self, "_parent_doc", None)
		if isinstance(ref, weakref.ReferenceType):
			ref = ref()
		if ref is None and self.get("parent") and self.get("parenttype") and not self.get("__islocal"):
			try:
				ref = frappe.get_doc(self.parenttype, self.parent)
			except frappe.DoesNotExistError:
				frappe.clear_last_message()
				return None
			self._parent_doc = ref
		return ref

	@parent_doc.setter
	def parent_doc(self, value):
		self._parent_doc = value

	@parent_doc.deleter
	def parent_doc(self):
		self._parent_doc = None
