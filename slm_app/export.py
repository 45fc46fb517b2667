"""Export the site's agreements, calendars and measurements as the offline command's folder format, so a
monitor can compute months anywhere (``python -m slm_app.offline DIR --month YYYY-MM``) and get the same
numbers as the site.

    bench --site <site> execute slm_app.export.export_folder --kwargs "{'path': '/tmp/slm-export'}"
"""

from __future__ import annotations

import os

import frappe
import pandas as pd

from slm_app.utils import site_iso_utc as _iso


def _hms(series: pd.Series) -> pd.Series:
	"""Time fields come back from the database as timedelta: write them as HH:MM:SS."""

	def one(v):
		if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NaT:
			return ""
		if isinstance(v, pd.Timedelta) or hasattr(v, "total_seconds"):
			secs = int(v.total_seconds())
			return f"{secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"
		return str(v)

	return series.map(one)


def _all(doctype, fields, filters=None):
	return pd.DataFrame([dict(r) for r in frappe.get_all(doctype, filters=filters or {}, fields=fields, limit_page_length=0)], columns=[f.split(" as ")[-1] for f in fields])


def export_folder(path: str, codes: list[str] | None = None) -> list[str]:
	"""Write the tables of docs/offline.md into ``path``; timestamps as UTC so nothing depends on zones."""
	if not frappe.has_permission("SLM Agreement", "read") or not frappe.has_permission("SLM Ticket Event", "read"):
		frappe.throw(frappe._("You are not allowed to export monitoring data"), frappe.PermissionError)
	os.makedirs(path, exist_ok=True)
	# every version with its state and Ended On: the offline command applies the core's rules for which
	# versions count and for the days each one is in force (core.agreements), as the site does
	filters = {"agreement_code": ["in", codes]} if codes else {}
	heads = _all(
		"SLM Agreement",
		["name as agreement", "agreement_code", "version", "agreement_type", "party", "service_calendar as calendar", "valid_from", "valid_to", "ended_on", "workflow_state as state"],
		filters,
	)
	names = heads["agreement"].tolist() or [""]
	cals = sorted(set(heads["calendar"]))
	tables = {
		"agreements": heads,
		"agreement_services": _all("SLM Agreement Service", ["parent as agreement", "service"], {"parent": ["in", names], "parenttype": "SLM Agreement"}),
		"calendars": _all("SLM Service Calendar", ["name as calendar", "timezone"], {"name": ["in", cals or [""]]}),
		"calendar_windows": _all("SLM Calendar Window", ["parent as calendar", "weekday", "start_time", "end_time"], {"parent": ["in", cals or [""]], "parenttype": "SLM Service Calendar"}),
		"calendar_exceptions": _all(
			"SLM Calendar Exception", ["parent as calendar", "exception_date", "exception_type", "start_time", "end_time"], {"parent": ["in", cals or [""]], "parenttype": "SLM Service Calendar"}
		),
		"targets": _all(
			"SLM Agreement Target",
			["parent as agreement", "target_code", "service", "metric_kind", "metric_name", "unit", "direction", "priority", "target_value", "time_unit", "compliance_share"],
			{"parent": ["in", names], "parenttype": "SLM Agreement", "parentfield": "targets"},
		),
	}
	links = _all("SLM Underpinning", ["parent as sla_agreement", "sla_target", "underpinning_agreement", "underpinning_target"], {"parent": ["in", names], "parenttype": "SLM Agreement"})
	code_of = dict(frappe.get_all("SLM Agreement", fields=["name", "agreement_code"], as_list=True))
	links["underpinning_code"] = links["underpinning_agreement"].map(code_of)
	tables["underpinning"] = links[["sla_agreement", "sla_target", "underpinning_code", "underpinning_target", "underpinning_agreement"]]
	all_codes = sorted(set(heads["agreement_code"])) or [""]
	t = _all("SLM Ticket Event", ["name", "ticket_id", "agreement_code as agreement", "priority", "created_at", "first_response_at", "resolved_at", "raised_by"], {"agreement_code": ["in", all_codes]})
	tables["tickets"] = pd.DataFrame(
		{
			"ticket_id": t["ticket_id"],
			"agreement": t["agreement"],
			"priority": t["priority"],
			"created": _iso(t["created_at"]),
			"first_response": _iso(t["first_response_at"]),
			"resolved": _iso(t["resolved_at"]),
			"raised_by": t["raised_by"],
		}
	)
	p = _all("SLM Ticket Pause", ["parent as ticket_id", "pause_start", "pause_end"], {"parent": ["in", t["name"].tolist() or [""]], "parenttype": "SLM Ticket Event"})
	tables["pauses"] = pd.DataFrame({"ticket_id": p["ticket_id"], "start": _iso(p["pause_start"]), "end": _iso(p["pause_end"])})
	services = sorted(set(tables["targets"]["service"].dropna())) or [""]
	o = _all("SLM Outage", ["service", "outage_start", "outage_end", "planned"], {"service": ["in", services]})
	tables["outages"] = pd.DataFrame({"service": o["service"], "start": _iso(o["outage_start"]), "end": _iso(o["outage_end"]), "planned": o["planned"].map(lambda v: "yes" if v else "no")})
	c = _all("SLM Monitoring Coverage", ["service", "covered_from", "covered_to"], {"service": ["in", services]})
	tables["coverage"] = pd.DataFrame({"service": c["service"], "start": _iso(c["covered_from"]), "end": _iso(c["covered_to"])})
	m = _all("SLM Metric Value", ["agreement", "target_code as target", "measured_at", "value"], {"agreement": ["in", names]})
	tables["metrics"] = pd.DataFrame({"agreement": m["agreement"], "target": m["target"], "at": _iso(m["measured_at"]), "value": m["value"]})
	for name in ("calendar_windows", "calendar_exceptions"):
		for col in ("start_time", "end_time"):
			tables[name][col] = _hms(tables[name][col])
	written = []
	for name, frame in tables.items():
		file = os.path.join(path, f"{name}.csv")
		frame.to_csv(file, index=False)
		written.append(file)
	return written
