# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt
"""Unmatched Tickets: every ticket from Helpdesk or ERPNext (or a team's share of one) that the sync could not
give to exactly one agreement, with the reason, so none is dropped silently. Internal roles only."""

import frappe
from frappe import _

SOURCES = ("Helpdesk", "ERPNext")


def execute(filters=None):
	filters = frappe._dict(filters or {})
	conditions = {}
	if filters.source:
		if filters.source not in SOURCES:
			frappe.throw(_("Source must be one of {0}, not {1}").format(", ".join(SOURCES), filters.source), title=_("Invalid filter"))
		conditions["source"] = filters.source
	rows = frappe.get_list(
		"SLM Unmatched Ticket",
		filters=conditions,
		fields=["source", "ticket", "team", "customer", "ticket_type", "opened_at", "reason", "seen_at", "name"],
		order_by="opened_at desc",
		limit_page_length=0,
	)
	columns = [
		{"fieldname": "source", "label": _("Source"), "fieldtype": "Data", "width": 90},
		{"fieldname": "ticket", "label": _("Ticket"), "fieldtype": "Data", "width": 90},
		{"fieldname": "team", "label": _("Team (OLA share)"), "fieldtype": "Data", "width": 110},
		{"fieldname": "customer", "label": _("Customer"), "fieldtype": "Data", "width": 140},
		{"fieldname": "ticket_type", "label": _("Ticket Type"), "fieldtype": "Data", "width": 110},
		{"fieldname": "opened_at", "label": _("Opened"), "fieldtype": "Datetime", "width": 150},
		{"fieldname": "reason", "label": _("Reason"), "fieldtype": "Data", "width": 480},
		{"fieldname": "seen_at", "label": _("Last Seen by the Sync"), "fieldtype": "Datetime", "width": 150},
	]
	summary = [{"label": _("Unmatched Tickets"), "value": len({(r.source, r.ticket) for r in rows}), "datatype": "Int", "indicator": "Red" if rows else "Green"}]
	return columns, rows, None, None, summary
