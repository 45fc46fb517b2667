"""Idempotent set-up on install and migrate, and clean-up on uninstall."""

import frappe

from slm_app.core.roles import ALL_ROLES

DEFAULT_CALENDAR = "Standard Business Hours"

SLA_BODY_EN = """<h3>{{ agreement_type }} {{ agreement_name }} (version {{ version }})</h3>
<p>This agreement is made between <b>{{ company_name }}</b> (the provider) and <b>{{ counterparty }}</b>.</p>
<p>It is valid from {{ valid_from }} to {{ valid_to }}, covers the services {{ services }},
and is measured in the service hours of {{ service_calendar }}. It is reviewed {{ review_cycle }}.</p>
<h4>Service level targets</h4>
{{ targets_table }}
<p>Change reference: {{ change_reference }}. Signed by {{ signed_by }} on {{ signed_on }}.</p>"""

SLA_BODY_ZH = """<h3>{{ agreement_type }} {{ agreement_name }}（版本 {{ version }}）</h3>
<p>本协议由 <b>{{ company_name }}</b>（服务提供方）与 <b>{{ counterparty }}</b> 签订。</p>
<p>有效期自 {{ valid_from }} 至 {{ valid_to }}，涵盖服务：{{ services }}，
按 {{ service_calendar }} 的服务时间计量，评审周期：{{ review_cycle }}。</p>
<h4>服务级别指标</h4>
{{ targets_table }}
<p>变更编号：{{ change_reference }}。签署人 {{ signed_by }}，签署时间 {{ signed_on }}。</p>"""


def business_week_windows() -> list[dict]:
	"""Monday to Friday, 09:00–12:00 and 13:00–18:00: the windows of the default service calendar."""
	return [
		{"weekday": day, "start_time": start, "end_time": end}
		for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
		for start, end in (("09:00:00", "12:00:00"), ("13:00:00", "18:00:00"))
	]


def after_install():
	make_defaults()
	from slm_app.desk_setup import backfill_default_workspace

	backfill_default_workspace()


def after_migrate():
	make_defaults()
	from slm_app.desk_setup import backfill_default_workspace

	backfill_default_workspace()
	# slm_app's reports run in seconds: a "prepared report" flag on them is left over from a run that
	# Frappe 15 timed out (or from a refused filter before reports.refused_filters_stay_refusals)
	frappe.db.set_value("Report", {"module": "SLM", "is_standard": "Yes", "prepared_report": 1}, "prepared_report", 0)


def make_defaults():
	if not frappe.db.exists("SLM Service Calendar", DEFAULT_CALENDAR):
		frappe.get_doc(
			{
				"doctype": "SLM Service Calendar",
				"calendar_name": DEFAULT_CALENDAR,
				"timezone": frappe.db.get_single_value("System Settings", "time_zone") or "Asia/Shanghai",
				"description": "Monday to Friday, 09:00–18:00 with a lunch break",
				"windows": business_week_windows(),
			}
		).insert(ignore_permissions=True)
	settings = frappe.get_single("SLM Settings")
	if not settings.default_service_calendar or not settings.monitoring_due_day:
		settings.default_service_calendar = settings.default_service_calendar or DEFAULT_CALENDAR
		settings.monitoring_due_day = settings.monitoring_due_day or 5
		settings.flags.ignore_permissions = True
		settings.save()
	for kind in ("SLA", "OLA", "UC"):
		for lang, body in (("en", SLA_BODY_EN), ("zh", SLA_BODY_ZH)):
			name = f"Standard {kind} ({lang})"
			if frappe.db.exists("SLM Agreement Template", name) or not frappe.db.exists("Language", lang):
				continue
			frappe.get_doc(
				{
					"doctype": "SLM Agreement Template",
					"template_name": name,
					"agreement_type": kind,
					"language": lang,
					"is_default": 0 if frappe.db.exists(
						"SLM Agreement Template", {"agreement_type": kind, "language": lang, "is_default": 1}
					) else 1,
					"body": body,
				}
			).insert(ignore_permissions=True)


def before_uninstall():
	"""Remove what the fixtures put outside our own doctypes: the workflows and the SLM roles."""
	for name in frappe.get_all("Workflow", filters={"document_type": ["like", "SLM %"]}, pluck="name"):
		frappe.delete_doc("Workflow", name, ignore_permissions=True, force=True)
	for role in ALL_ROLES:
		if frappe.db.exists("Role", role):
			frappe.db.delete("Has Role", {"role": role})
			frappe.delete_doc("Role", role, ignore_permissions=True, force=True)
	frappe.clear_cache()
