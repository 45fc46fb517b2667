"""Agreement text for print formats: the chosen template, filled from the agreement (SL1.3)."""

from __future__ import annotations

import frappe
from frappe import _
from frappe.utils import format_date, format_datetime

from slm_app.core import templates


def pick_template(doc) -> str | None:
	"""The agreement's template, or the default for its type in the print language, or any for its type."""
	lang = frappe.local.lang or "en"
	if doc.template:
		tpl = frappe.db.get_value("SLM Agreement Template", doc.template, ["name", "language"], as_dict=True)
		if tpl and (tpl.language or lang) == lang:
			return tpl.name
	for filters in (
		{"agreement_type": doc.agreement_type, "language": lang, "is_default": 1},
		{"agreement_type": doc.agreement_type, "language": lang},
		{"agreement_type": doc.agreement_type, "language": lang.split("-")[0]},
	):
		name = frappe.db.get_value("SLM Agreement Template", filters, "name")
		if name:
			return name
	return doc.template


def placeholder_values(doc) -> dict[str, str]:
	labels = {
		"service": _("Service"),
		"metric": _("Metric"),
		"priority": _("Priority"),
		"target": _("Target"),
		"share": _("Share That Must Meet (%)"),
		"period": _("Measurement Period"),
	}
	targets = []
	for row in doc.targets:
		d = row.as_dict()
		if d.get("metric_kind") == "Availability":
			d["display_unit"] = "%"
		d["metric_kind"] = _(d.get("metric_kind") or "")
		d["priority"] = _(d.get("priority") or "")
		d["time_unit"] = _(d.get("time_unit") or "")
		d["measurement_period"] = _(d.get("measurement_period") or "")
		targets.append(d)
	return {
		"agreement_name": doc.name,
		"agreement_type": doc.agreement_type,
		"version": str(doc.version or 1),
		"counterparty": doc.party,
		"counterparty_type": _(doc.party_type or ""),
		"valid_from": format_date(doc.valid_from) if doc.valid_from else "",
		"valid_to": format_date(doc.valid_to) if doc.valid_to else _("open-ended"),
		"review_cycle": _(doc.review_cycle or ""),
		"service_calendar": doc.service_calendar or "",
		"services": ", ".join(r.service for r in doc.services),
		"targets_table": templates.render_targets_table(targets, labels),
		"change_reference": doc.change_reference or "",
		"signed_by": frappe.utils.get_fullname(doc.signed_by) if doc.signed_by else "",
		"signed_on": format_datetime(doc.signed_on) if doc.signed_on else "",
		"company_name": frappe.db.get_single_value("SLM Settings", "company_name") or "",
		"today": format_date(frappe.utils.nowdate()),
	}


def render_agreement_text(doc) -> str:
	"""Jinja method for the print format: the filled template, or the targets table alone."""
	name = pick_template(doc)
	values = placeholder_values(doc)
	if not name:
		return values["targets_table"]
	body = frappe.db.get_value("SLM Agreement Template", name, "body") or ""
	return templates.fill_template(body, values)
