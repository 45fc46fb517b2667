"""Glue between the framework-free core and Frappe: translation of problems, role look-ups."""

from __future__ import annotations

from datetime import datetime

import frappe
import numpy as np
from frappe import _
from frappe.utils import get_system_timezone

from slm_app.core import instants
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


# ------------------------------------------------------------------------------------------ site time
# Frappe stores naive datetimes in the system time zone; the core works in UTC instants (core.instants).


def to_site_time(ns) -> datetime | None:
	"""A UTC instant (int ns) as the naive system-time datetime a Datetime field stores; None for none."""
	return instants.ns_to_naive(ns, get_system_timezone())


def from_site_time(values) -> np.ndarray:
	"""Naive system-time datetimes (or their text; None for none) as UTC instants (int64 ns, NAT for none)."""
	return instants.naive_to_ns(values, get_system_timezone())


def site_now() -> datetime:
	"""Now, as an aware instant (the site's clock in the system time zone)."""
	return instants.naive_to_aware(frappe.utils.now_datetime(), get_system_timezone())


def site_iso_utc(values) -> np.ndarray:
	"""Naive system-time datetimes as ISO 8601 UTC text, as files write instants."""
	return instants.naive_to_iso_utc(values, get_system_timezone())


def site_offset(value) -> str:
	"""The UTC offset (+HH:MM) of a naive system-time datetime."""
	return instants.utc_offset(frappe.utils.get_datetime(value), get_system_timezone())
