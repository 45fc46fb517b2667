# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt
"""The service catalogue (SL1.2): business and technical services, what they are built on, and the
agreements on each."""

import frappe
from frappe import _

from slm_app.core.lifecycle import SUPERSEDED
from slm_app.reports import refused_filters_stay_refusals



@refused_filters_stay_refusals("SLM Service Catalogue")
def execute(filters=None):
	filters = frappe._dict(filters or {})
	conditions = []
	for field in ("service_kind", "workflow_state"):
		if filters.get(field):
			conditions.append([field, "=", filters.get(field)])
	services = frappe.get_list(
		"SLM Service",
		filters=conditions,
		fields=["name", "service_kind", "workflow_state", "service_owner", "support_team", "supplier", "service_calendar"],
		order_by="service_kind asc, name asc",
		limit_page_length=0,
	)
	names = [s.name for s in services] or [""]
	built_on: dict[str, list[str]] = {}
	# what a service is built on is internal: get_list gives it only to those who may read it
	for d in frappe.get_list(
		"SLM Service Dependency", parent_doctype="SLM Service", filters={"parent": ["in", names], "parenttype": "SLM Service"}, fields=["parent", "service"], limit_page_length=0
	):
		built_on.setdefault(d.parent, []).append(d.service)
	visible = set(frappe.get_list("SLM Agreement", filters={"workflow_state": ["not in", [SUPERSEDED]]}, pluck="name", limit_page_length=0))
	agreements: dict[str, list[tuple[str, str]]] = {}
	if visible:
		kinds = dict(frappe.get_list("SLM Agreement", filters={"name": ["in", list(visible)]}, fields=["name", "agreement_type"], as_list=True, limit_page_length=0))
		for row in frappe.get_list(
			"SLM Agreement Service", parent_doctype="SLM Agreement", filters={"parent": ["in", list(visible)], "parenttype": "SLM Agreement"}, fields=["parent", "service"], limit_page_length=0
		):
			agreements.setdefault(row.service, []).append((kinds[row.parent], row.parent))
	for s in services:
		mine = sorted(agreements.get(s.name, []))
		s.built_on = ", ".join(built_on.get(s.name, []))
		for kind in ("SLA", "OLA", "UC"):
			s[kind.lower() + "s"] = sum(1 for k, _n in mine if k == kind)
		s.agreements = ", ".join(n for _k, n in mine)
	internal = 1 in frappe.get_meta("SLM Service").get_permlevel_access("read")
	return columns(internal), services, None, chart(services), summary(services)


INTERNAL_COLUMNS = ("built_on", "service_owner", "support_team", "supplier")


def columns(internal: bool = True):
	cols = [
		{"fieldname": "name", "label": _("Service"), "fieldtype": "Link", "options": "SLM Service", "width": 180},
		{"fieldname": "service_kind", "label": _("Kind"), "fieldtype": "Select", "width": 130},
		{"fieldname": "workflow_state", "label": _("Status"), "fieldtype": "Select", "width": 90},
		{"fieldname": "built_on", "label": _("Built On"), "fieldtype": "Data", "width": 200},
		{"fieldname": "service_owner", "label": _("Service Owner"), "fieldtype": "Link", "options": "User", "width": 140},
		{"fieldname": "support_team", "label": _("Support Team"), "fieldtype": "Link", "options": "SLM Party", "width": 140},
		{"fieldname": "supplier", "label": _("Supplier"), "fieldtype": "Link", "options": "SLM Party", "width": 140},
		{"fieldname": "slas", "label": _("SLAs"), "fieldtype": "Int", "width": 60},
		{"fieldname": "olas", "label": _("OLAs"), "fieldtype": "Int", "width": 60},
		{"fieldname": "ucs", "label": _("UCs"), "fieldtype": "Int", "width": 60},
		{"fieldname": "agreements", "label": _("Agreements"), "fieldtype": "Data", "width": 300},
	]
	return cols if internal else [c for c in cols if c["fieldname"] not in INTERNAL_COLUMNS]


def chart(services):
	if not services:
		return None
	return {
		"data": {
			"labels": [s.name for s in services],
			"datasets": [{"name": _(k.upper()[:-1] + "s"), "values": [s[k] for s in services]} for k in ("slas", "olas", "ucs")],
		},
		"type": "bar",
		"barOptions": {"stacked": 1},
	}


def summary(services):
	return [
		{"label": _("Business Services"), "value": sum(1 for s in services if s.service_kind == "Business Service"), "datatype": "Int"},
		{"label": _("Technical Services"), "value": sum(1 for s in services if s.service_kind == "Technical Service"), "datatype": "Int"},
		{"label": _("Published"), "value": sum(1 for s in services if s.workflow_state == "Published"), "datatype": "Int", "indicator": "Green"},
		{"label": _("Without Any Agreement"), "value": sum(1 for s in services if not s.agreements), "datatype": "Int", "indicator": "Orange"},
	]
