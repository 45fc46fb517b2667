"""Glue between the framework-free core and Frappe: translation of problems, role look-ups."""

from __future__ import annotations

import frappe
from frappe import _

from slm_app.core.errors import Problem


def translate_problem(problem: Problem) -> str:
	return problem.format(_)


def throw_problems(problems: list[Problem], title: str | None = None) -> None:
	"""Raise one ValidationError that lists every problem, translated into the user's language."""
	problems = list(problems)
	if not problems:
		return
	if len(problems) == 1:
		message = translate_problem(problems[0])
	else:
		message = "<ul>" + "".join(f"<li>{frappe.utils.escape_html(translate_problem(p))}</li>" for p in problems) + "</ul>"
	frappe.throw(message, frappe.ValidationError, title=title or _("Invalid entry"))


def user_roles(user: str | None = None) -> set[str]:
	return set(frappe.get_roles(user or frappe.session.user))


def rows(doc, table: str) -> list[dict]:
	return [row.as_dict() for row in doc.get(table) or []]


def clean_text(value) -> str:
	"""Text as Frappe stores it when a document is saved: trimmed, and with any markup sanitised (no
	script, no event handler), for values written around a document's save (db_set, bulk insert)."""
	from frappe.utils.html_utils import sanitize_html

	value = str(value or "").strip()
	if "<" in value or ">" in value:
		value = sanitize_html(value)
	return value
