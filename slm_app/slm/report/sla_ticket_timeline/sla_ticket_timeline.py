# Copyright (c) 2026, slm_app developers and contributors
# License: MIT. See license.txt
"""A ticket's SLA timeline, to check its result by hand: every stretch of time from its creation — working
windows, time outside the service hours, holidays, extra working days, pauses, priority and team changes —
the business minutes each one added to each target's clock, the agreement version in force, and the
deadlines. For whoever may read the agreement the ticket is measured against; printable."""

import frappe
from frappe import _
from frappe.utils import escape_html

from slm_app import watch
from slm_app.reports import refused_filters_stay_refusals

RESULTS = {"Met": "green", "Missed": "red", "Pending": "orange"}


@refused_filters_stay_refusals("SLA Ticket Timeline")
def execute(filters=None):
	filters = frappe._dict(filters or {})
	if not filters.ticket:
		return columns([]), [], _("Give a ticket to see its SLA timeline"), None, None
	t = watch.timeline(filters.ticket)
	rows = []
	for s in t["segments"]:
		row = {k: s[k] for k in ("start", "end", "minutes", "priority", "team", "status", "detail")}
		row["kind"] = _(s["kind"])
		for code in s["counted"]:
			row[f"{code}_counted"] = s["counted"][code]
			row[f"{code}_total"] = s["total"][code]
		rows.append(row)
	return columns(t["clocks"]), rows, header(t), None, summary(t)


def columns(clocks):
	out = [
		{"fieldname": "start", "label": _("From"), "fieldtype": "Data", "width": 190},
		{"fieldname": "end", "label": _("To"), "fieldtype": "Data", "width": 190},
		{"fieldname": "kind", "label": _("What"), "fieldtype": "Data", "width": 150},
		{"fieldname": "detail", "label": _("Holidays Crossed"), "fieldtype": "Data", "width": 160},
		{"fieldname": "minutes", "label": _("Minutes"), "fieldtype": "Float", "precision": 1, "width": 85},
	]
	for c in clocks:
		out += [
			{"fieldname": f"{c['target_code']}_counted", "label": _("{0} counted").format(c["target_code"]), "fieldtype": "Float", "precision": 1, "width": 95},
			{"fieldname": f"{c['target_code']}_total", "label": _("{0} so far").format(c["target_code"]), "fieldtype": "Float", "precision": 1, "width": 95},
		]
	out += [
		{"fieldname": "priority", "label": _("Priority"), "fieldtype": "Select", "width": 80},
		{"fieldname": "team", "label": _("Team"), "fieldtype": "Data", "width": 120},
		{"fieldname": "status", "label": _("Status"), "fieldtype": "Select", "width": 90},
	]
	return out


def header(t: dict) -> str:
	e = lambda v: escape_html(str(v if v is not None else ""))  # noqa: E731
	facts = [
		(_("Ticket"), t["ticket"]),
		(_("Agreement version in force"), f"{t['agreement']} ({t['agreement_type']}, {t['party']})"),
		(_("Service calendar"), f"{t['calendar']} ({t['timezone']})"),
		(_("Priority"), _(t["priority"]) if t["priority"] else "-"),
		(_("Created"), t["created"]),
		(_("First response"), t["first_response"] or _("not yet")),
		(_("Resolved"), t["resolved"] or _("not yet")),
		(_("As of"), t["as_of"]),
		(_("Pauses"), "; ".join(f"{p['start']} – {p['end'] or _('still paused')}" + (f" ({p['reason']})" if p["reason"] else "") for p in t["pauses"]) or "-"),
	]
	head = "".join(f"<tr><th style='width: 220px'>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in facts)
	clocks = "".join(
		f"<tr><td>{e(c['target_code'])}</td><td>{e(c['target'])}</td><td style='text-align:right'>{c['limit_minutes']:g}</td>"
		f"<td style='text-align:right'>{c['elapsed_minutes']:g}</td><td style='text-align:right'>{c['left_minutes']:g}</td>"
		f"<td>{e(c['deadline'] or _('not within a year'))}</td><td>{e(c['stopped_at'])}</td>"
		f"<td><span class='indicator-pill {RESULTS.get(c['result'], 'gray')}'>{e(_(c['result']))}</span></td></tr>"
		for c in t["clocks"]
	)
	note = _("Times are local to the service calendar, with their UTC offset. A clock counts working time outside pauses from creation to the first response (response targets) or the resolution (resolution targets), or to now while there is none.")
	return (
		f"<table class='table table-bordered table-condensed'>{head}</table>"
		f"<table class='table table-bordered table-condensed'><thead><tr><th>{e(_('Target'))}</th><th>{e(_('Promise'))}</th>"
		f"<th>{e(_('Limit (min)'))}</th><th>{e(_('Counted (min)'))}</th><th>{e(_('Left (min)'))}</th><th>{e(_('Deadline'))}</th>"
		f"<th>{e(_('Clock stopped'))}</th><th>{e(_('Result'))}</th></tr></thead><tbody>{clocks}</tbody></table>"
		f"<p class='text-muted small'>{e(note)}</p>"
	)


def summary(t: dict):
	colors = {"Met": "Green", "Missed": "Red", "Pending": "Orange"}
	return [
		{"label": f"{c['target_code']} · {_(c['metric_kind'])}", "value": f"{c['elapsed_minutes']:g} / {c['limit_minutes']:g} min", "datatype": "Data", "indicator": colors.get(c["result"], "Grey")}
		for c in t["clocks"]
	]
