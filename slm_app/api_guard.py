"""Frappe read paths that bypass the permission model, closed for the users of slm_app.

Frappe 15 has read paths that check no row-level permission, or none at all: ``frappe.client.get_count``
(no check), ``frappe.client.validate_link`` (tells whether any name exists), the linked documents of a
record before cancelling, and the form's timeline (every change to every field, every comment).
Its list queries also accept filters and sort keys on fields the user may not read, so a value can be
recovered by filtered counting. These replacements (``override_whitelisted_methods``) and the query
guard (installed before each request) apply the same model as everything else: a counterparty learns
nothing it may not read.
"""

from __future__ import annotations

import json
import re

import frappe
from frappe import _
from frappe.model import child_table_fields, default_fields, optional_fields
from frappe.utils import get_safe_filters

from slm_app.permissions import is_restricted

ALWAYS = set(default_fields) | set(child_table_fields) | set(optional_fields) | {"name"}


# ------------------------------------------------------------------------------------------ counts
@frappe.whitelist()
def get_count(
	doctype: str, filters: str | dict | list | None = None, debug: bool | int | str = False, cache: bool | int | str = False, parent: str | None = None
) -> int:
	"""``frappe.client.get_count``, counted over the records the user may read (Frappe 15's own checks
	no permission at all)."""
	from frappe.model.db_query import check_parent_permission

	if frappe.is_table(doctype):
		check_parent_permission(parent, doctype)
	rows = frappe.get_list(
		doctype,
		filters=get_safe_filters(filters),
		fields=["count(*) as total_count"],
		parent_doctype=parent,
		order_by=None,
		limit_page_length=None,
	)
	return int(rows[0].total_count) if rows else 0


# ------------------------------------------------------------------------------------------ links
def _guarded(doctype: str) -> bool:
	return isinstance(doctype, str) and (doctype.startswith("SLM ") or doctype == "User") and is_restricted()


def _can_read(doctype: str, name: str) -> bool:
	return bool(frappe.get_list(doctype, filters={"name": name}, pluck="name", limit_page_length=1))


@frappe.whitelist()
def validate_link(doctype: str, docname: str, fields: str | list | None = None) -> dict:
	"""``frappe.client.validate_link``: a record the user may not read is answered like one that does
	not exist, so its name cannot be probed."""
	from frappe.client import validate_link as frappe_validate_link

	if _guarded(doctype) and isinstance(docname, str) and not _can_read(doctype, docname):
		return frappe._dict()
	return frappe_validate_link(doctype, docname, fields)


def _check_doctype(doctype) -> None:
	if not isinstance(doctype, str) or not doctype or not frappe.db.exists("DocType", doctype):
		frappe.throw(_("Unknown document type {0}").format(doctype or "-"), frappe.DoesNotExistError)


def _json_arg(value, label: str, default=None):
	"""A JSON argument (or its decoded value), or a clear error naming it."""
	if value in (None, ""):
		return default
	if not isinstance(value, str):
		return value
	try:
		return json.loads(value)
	except ValueError:
		frappe.throw(_("{0} must be JSON, not {1}").format(label, value[:60]), frappe.ValidationError)


def _check_names(doctype, name) -> None:
	"""A doctype and a name, or a clear error (never an exception from deep inside Frappe)."""
	_check_doctype(doctype)
	if not isinstance(name, str) or not name:
		frappe.throw(_("Give the name of the {0}").format(_(doctype)), frappe.ValidationError)


@frappe.whitelist()
def get_submitted_linked_docs(doctype: str, name: str, ignore_doctypes_on_cancel_all: str | list | None = None) -> dict:
	"""The submitted records linked to one the user may read, limited to those the user may read too."""
	from frappe.desk.form.linked_with import get_submitted_linked_docs as frappe_linked

	_check_names(doctype, name)
	if not frappe.has_permission(doctype, "read", doc=name):
		raise frappe.PermissionError(_("You may not read {0} {1}").format(_(doctype), name))
	result = frappe_linked(doctype, name, ignore_doctypes_on_cancel_all)
	if not is_restricted():
		return result
	docs = [d for d in result.get("docs", []) if frappe.has_permission(d["doctype"], "read", doc=d["name"])]
	return {"docs": docs, "count": len(docs)}


# ------------------------------------------------------------------------------------------ form timeline
@frappe.whitelist()
def getdoc(doctype: str, name: str, user: str | None = None) -> None:
	"""The desk's form load; a counterparty's timeline shows no internal change and no internal comment."""
	from frappe.desk.form import load

	_check_names(doctype, name)
	load.getdoc(doctype, name, user)
	_filter_docinfo(doctype)


@frappe.whitelist()
def get_docinfo(doc: object = None, doctype: str | None = None, name: str | None = None) -> None:
	from frappe.desk.form import load

	if not doc:
		_check_names(doctype, name)
	load.get_docinfo(doc, doctype, name)
	_filter_docinfo(doctype or getattr(doc, "doctype", None))


def _filter_docinfo(doctype: str | None) -> None:
	docinfo = frappe.response.get("docinfo")
	if not docinfo or not doctype or not doctype.startswith("SLM ") or not is_restricted():
		return
	# comments, notes and mails on an SLM record are the provider's internal discussion
	for key in ("comments", "communications", "automated_messages", "info_logs", "workflow_logs",
		"assignment_logs", "attachment_logs", "like_logs", "shared", "energy_point_logs", "views"):
		if key in docinfo:
			docinfo[key] = []
	docinfo["versions"] = [v for v in (_visible_version(doctype, v) for v in docinfo.get("versions") or []) if v]


def _visible_version(doctype: str, version: dict) -> dict | None:
	"""A Version entry with only the fields the user may read; None when nothing is left."""
	meta = frappe.get_meta(doctype)
	readable = set(meta.get_permitted_fieldnames(user=frappe.session.user)) | ALWAYS
	try:
		data = json.loads(version.get("data") or "{}")
	except ValueError:
		return None
	out = {
		"changed": [c for c in data.get("changed") or [] if c and c[0] in readable],
		"added": [r for r in data.get("added") or [] if r and r[0] in readable],
		"removed": [r for r in data.get("removed") or [] if r and r[0] in readable],
		"row_changed": [r for r in data.get("row_changed") or [] if r and r[0] in readable],
	}
	if not any(out.values()):
		return None
	return {**version, "data": json.dumps(out)}


# ------------------------------------------------------------------------------------------ query guard
def install() -> None:
	"""before_request: make list queries refuse filters and sort keys on fields the user may not read
	(Frappe 15 removes such fields from the selected columns, but still filters and sorts by them), and
	remove every field the user may not read from the selected columns."""
	from frappe.model.db_query import DatabaseQuery

	if getattr(DatabaseQuery.build_conditions, "_slm_guard", False):
		return
	original = DatabaseQuery.build_conditions

	def build_conditions(self):
		if not self.flags.ignore_permissions:
			check_query(self)
		return original(self)

	build_conditions._slm_guard = True
	DatabaseQuery.build_conditions = build_conditions

	# Frappe 15 removes the fields a user may not read while it walks the list, so of two such fields in a
	# row the second stays ("support_team", "supplier": the supplier is returned). Walking again until
	# nothing more is removed gives what Frappe means to do.
	apply_levels = DatabaseQuery.apply_fieldlevel_read_permissions

	def apply_fieldlevel_read_permissions(self):
		while True:
			before = list(self.fields)
			apply_levels(self)
			if self.fields == before:
				return

	DatabaseQuery.apply_fieldlevel_read_permissions = apply_fieldlevel_read_permissions


def check_query(query) -> None:
	"""Every field a counterparty's query filters or sorts by must be one it may read."""
	doctype = query.doctype
	if not (isinstance(doctype, str) and doctype.startswith("SLM ")) or not is_restricted(query.user):
		return
	from frappe.model.db_query import get_filter

	for f in list(query.filters or []) + list(query.or_filters or []):
		try:
			flt = get_filter(doctype, f)
		except Exception:
			continue  # Frappe reports the malformed filter itself
		_check_field(query, flt.doctype or doctype, flt.fieldname)
	for clause in (query.order_by, query.group_by):
		for table, field in _clause_fields(doctype, clause):
			_check_field(query, table, field)


QUALIFIED = re.compile(r"`tab([^`]+)`\s*\.\s*`?([A-Za-z0-9_]+)`?")
WORD = re.compile(r"`?\b([A-Za-z_][A-Za-z0-9_]*)\b`?")


def _clause_fields(doctype: str, clause) -> list[tuple[str, str]]:
	"""The (doctype, field) pairs an ORDER BY / GROUP BY clause uses: qualified columns, and bare words
	that are fields of the doctype (everything else is SQL: keywords, functions, literals)."""
	if not clause or not isinstance(clause, str):
		return []
	out = [(table, field) for table, field in QUALIFIED.findall(clause)]
	bare = QUALIFIED.sub(" ", clause)
	bare = re.sub(r"'[^']*'|\"[^\"]*\"", " ", bare)
	fields = {df.fieldname for df in frappe.get_meta(doctype).fields}
	out += [(doctype, w) for w in WORD.findall(bare) if w in fields]
	return out


def _check_field(query, doctype: str, fieldname: str) -> None:
	fieldname = (fieldname or "").replace("`", "")
	if "." in fieldname:
		table, fieldname = fieldname.split(".", 1)
		doctype = table[3:] if table.startswith("tab") else table
	if "(" in fieldname or fieldname in ALWAYS:
		return
	main = query.doctype
	user = query.user
	if doctype == main or not frappe.db.exists("DocType", doctype):
		allowed = frappe.get_meta(main).get_permitted_fieldnames(user=user, parenttype=query.parent_doctype)
	else:
		from slm_app.permissions import table_fields_readable

		if frappe.get_meta(main).istable or not table_fields_readable(main, doctype, user):
			_refuse(doctype, fieldname)
		allowed = frappe.get_meta(doctype).get_permitted_fieldnames(user=user, parenttype=main)
	if fieldname not in allowed:
		_refuse(doctype, fieldname)


def _refuse(doctype: str, fieldname: str) -> None:
	frappe.throw(
		_("You may not filter or sort {0} by {1}").format(_(doctype), fieldname),
		frappe.PermissionError,
		title=_("Not permitted"),
	)


# ------------------------------------------------------------------------------------------ more Frappe 15 paths
def _readable(doctype: str, names) -> set[str]:
	from slm_app.permissions import readable_names

	return readable_names(doctype, list(names))


@frappe.whitelist()
def get_group_by_count(doctype: str, current_filters: str, field: str) -> list[dict]:
	"""The list sidebar's group-by counts. Frappe 15 counts "Assigned To" over every record that matches
	the filters, readable or not (and filters by any field); here only over the records the user may read."""
	from frappe.desk.listview import get_group_by_count as frappe_group_by_count

	_check_doctype(doctype)
	filters = _json_arg(current_filters, _("Filters"), default=[])
	if field != "assigned_to":
		return frappe_group_by_count(doctype, json.dumps(filters), field)
	names = frappe.get_list(doctype, filters=filters, pluck="name", limit_page_length=0)
	if not names:
		return []
	todo = frappe.qb.DocType("ToDo")
	user = frappe.qb.DocType("User")
	from frappe.query_builder.functions import Count

	count = Count("*").as_("count")
	return (
		frappe.qb.from_(todo)
		.from_(user)
		.select(todo.allocated_to.as_("name"), count)
		.where(
			(todo.status != "Cancelled")
			& (todo.allocated_to == user.name)
			& (user.user_type == "System User")
			& (todo.reference_type == doctype)
			& (todo.reference_name.isin(names))
		)
		.groupby(todo.allocated_to)
		.orderby(count, order=frappe.qb.desc)
		.limit(50)
		.run(as_dict=True)
	)


@frappe.whitelist()
def is_document_amended(doctype: str, docname: str) -> bool:
	"""Whether a record was amended: only for a record the user may read."""
	_check_names(doctype, docname)
	if not frappe.has_permission(doctype, "read", doc=docname):
		return False
	return bool(frappe.db.exists(doctype, {"amended_from": docname}))


@frappe.whitelist()
def get_tagged_docs(doctype: str, tag: str) -> list[tuple]:
	"""Records of a doctype with a tag: those the user may read (Frappe 15 lists every one)."""
	frappe.has_permission(doctype, throw=True)
	return [(n,) for n in frappe.get_list(doctype, filters=[["_user_tags", "like", tag]], pluck="name", limit_page_length=0)]


@frappe.whitelist()
def get_documents_for_tag(tag: str) -> list[dict]:
	"""The tag search of the awesome bar, limited to records the user may read."""
	from frappe.desk.doctype.tag.tag import get_documents_for_tag as frappe_documents_for_tag

	out = []
	by_doctype: dict[str, list[dict]] = {}
	for row in frappe_documents_for_tag(tag):
		by_doctype.setdefault(row["doctype"], []).append(row)
	for doctype, rows in by_doctype.items():
		try:
			readable = _readable(doctype, [r["name"] for r in rows])
		except frappe.PermissionError:
			frappe.clear_last_message()
			continue
		out += [r for r in rows if r["name"] in readable]
	return out


def _check_write(doctype: str, name: str) -> None:
	_check_names(doctype, name)
	if not frappe.has_permission(doctype, "write", doc=name):
		raise frappe.PermissionError(_("You may not change {0} {1}").format(_(doctype), name))


@frappe.whitelist()
def add_tag(tag: str, dt: str, dn: str, color: str | None = None) -> str:
	"""Tagging changes a record: it needs write permission on it (Frappe 15 checks none)."""
	from frappe.desk.doctype.tag.tag import add_tag as frappe_add_tag

	_check_write(dt, dn)
	return frappe_add_tag(tag, dt, dn, color)


@frappe.whitelist()
def add_tags(tags: str | list, dt: str, docs: str | list, color: str | None = None) -> None:
	from frappe.desk.doctype.tag.tag import add_tags as frappe_add_tags

	names = _json_arg(docs, _("Documents"), default=[])
	if not isinstance(_json_arg(tags, _("Tags"), default=None), list) or not isinstance(names, list):
		frappe.throw(_("Give the tags and the documents as lists"), frappe.ValidationError)
	for dn in names:
		_check_write(dt, dn)
	return frappe_add_tags(tags, dt, docs, color)


@frappe.whitelist()
def remove_tag(tag: str, dt: str, dn: str) -> None:
	from frappe.desk.doctype.tag.tag import remove_tag as frappe_remove_tag

	_check_write(dt, dn)
	return frappe_remove_tag(tag, dt, dn)


@frappe.whitelist(methods=["POST", "PUT"])
def add_comment(reference_doctype: str, reference_name: str, content: str, comment_email: str, comment_by: str) -> object:
	"""A counterparty does not comment on SLM records in the desk: comments there are the provider's
	internal discussion, which counterparties do not see."""
	from frappe.desk.form.utils import add_comment as frappe_add_comment

	_check_names(reference_doctype, reference_name)
	if reference_doctype.startswith("SLM ") and is_restricted():
		raise frappe.PermissionError(_("Comments on {0} are internal to the provider").format(_(reference_doctype)))
	return frappe_add_comment(reference_doctype, reference_name, content, comment_email, comment_by)


@frappe.whitelist()
def get_communications(doctype: str, name: str, start: int | str = 0, limit: int | str = 20) -> list:
	from frappe.desk.form.load import get_communications as frappe_communications

	_check_names(doctype, name)
	result = frappe_communications(doctype, name, start, limit)
	return [] if doctype.startswith("SLM ") and is_restricted() else result


@frappe.whitelist()
def get_names_for_mentions(search_term: str) -> list:
	"""@-mentions: a counterparty finds only the people it may see."""
	from frappe.desk.search import get_names_for_mentions as frappe_mentions

	result = frappe_mentions(search_term)
	if not is_restricted():
		return result
	from slm_app.permissions import visible_users

	mine = visible_users(frappe.session.user)
	return [m for m in result if not m.get("is_group") and m.get("id") in mine]


@frappe.whitelist()
def get_user_info_for_viewers(users: str | list) -> dict:
	from frappe.desk.form.load import get_user_info_for_viewers as frappe_viewers

	users = [u for u in _json_arg(users, _("Users"), default=[]) if isinstance(u, str)]
	if is_restricted():
		from slm_app.permissions import visible_users

		mine = visible_users(frappe.session.user)
		users = [u for u in users if u in mine]
	return frappe_viewers(json.dumps(users))


def _check_assignable(args, multiple: bool = False) -> frappe._dict:
	args = frappe._dict(_json_arg(args, _("Assignment"), default={}) if args else frappe.local.form_dict)
	names = _json_arg(args.get("name"), _("Documents"), default=[]) if multiple else [args.get("name")]
	_check_doctype(args.get("doctype"))
	if not names or not isinstance(names, list):
		frappe.throw(_("Give the name of the {0}").format(_(args.doctype)), frappe.ValidationError)
	for name in names:
		_check_names(args.doctype, name)
	if not isinstance(_json_arg(args.get("assign_to"), _("Users"), default=None), list):
		frappe.throw(_("Give the users to assign to"), frappe.ValidationError)
	if args.doctype.startswith("SLM ") and is_restricted():
		raise frappe.PermissionError(_("You may not assign {0}").format(_(args.doctype)))
	return args


@frappe.whitelist()
def assign_to(args: str | dict | None = None) -> list:
	"""Assigning shares the record with the assignee: a counterparty does not assign SLM records."""
	from frappe.desk.form.assign_to import add as frappe_assign

	return frappe_assign(_check_assignable(args))


@frappe.whitelist()
def assign_to_multiple(args: str | dict | None = None) -> None:
	from frappe.desk.form.assign_to import add_multiple as frappe_assign_multiple

	return frappe_assign_multiple(_check_assignable(args, multiple=True))
