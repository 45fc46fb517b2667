app_name = "slm_app"
app_title = "Service Level Management"
app_publisher = "slm_app developers"
app_description = "IT Service Level Management: catalogue, SLA / OLA / UC lifecycle, monitoring, breaches, reviews"
app_email = "slm@example.com"
app_license = "mit"

export_python_type_annotations = True

# Every whitelisted method declares its argument and result types (Frappe 15 checks the arguments
# against them on each call; Frappe 16 refuses an unannotated method with this hook; a core test
# holds the app to it on 15 too).
require_type_annotated_api_methods = True

app_include_js = []

after_install = "slm_app.install.after_install"
after_migrate = "slm_app.install.after_migrate"
before_uninstall = "slm_app.install.before_uninstall"

# Roles, workflows and their states and actions ship as fixtures, filtered by name so that an
# administrator's own records of those doctypes are never touched.
fixtures = [
	{"dt": "Role", "filters": [["name", "like", "SLM %"]]},
	{"dt": "Workflow State", "filters": [["name", "in", [
		"Draft", "Negotiating", "Agreed", "Signed", "Active", "Expired", "Terminated", "Superseded",
		"Published", "Retired", "Open", "Notified", "Handling", "Resolved", "Closed", "Approved", "Withdrawn",
	]]]},
	{"dt": "Workflow Action Master", "filters": [["name", "in", [
		"Submit for Negotiation", "Start Negotiation", "Agree", "Not Agreed", "Reopen Negotiation", "Sign",
		"Activate", "Expire", "Terminate", "Publish", "Retire", "Revise",
		"Notify", "Start Handling", "Resolve", "Reopen", "Close", "Approve", "Withdraw",
	]]]},
	{"dt": "Workflow", "filters": [["name", "in", ["SLM Agreement Lifecycle", "SLM Service Lifecycle", "SLM Breach Handling", "SLM Service Report Approval"]]]},
]

scheduler_events = {
	"daily": [
		"slm_app.tasks.expire_agreements",
		"slm_app.tasks.schedule_monitoring",
		"slm_app.tasks.schedule_reviews",
		"slm_app.tasks.remind_reviews",
		"slm_app.tasks.schedule_service_reports",
	],
	"hourly": ["slm_app.tasks.sync_tickets", "slm_app.tasks.send_breach_digests"],
	"hourly_long": ["slm_app.tasks.watch_month_to_date"],
}

# the what-if preview and the ticket timelines: small form additions of their own, beside the forms' scripts
doctype_js = {
	"SLM Agreement": "public/js/slm_agreement_preview.js",
	"SLM Breach": "public/js/slm_breach_timeline.js",
	"SLM Monitoring Record": "public/js/slm_monitoring_record_timeline.js",
	"SLM Ticket Event": "public/js/slm_ticket_event_timeline.js",
}

# Access (core/access.py, README "Security"): a counterparty's people see only their own party's records,
# through every path: one SQL condition for lists, counts, searches and reports, one document check for
# forms, prints and files; child rows through their parent.
def _slm_doctypes() -> dict[str, dict]:
	import json
	import os

	folder = os.path.join(os.path.dirname(__file__), "slm", "doctype")
	out = {}
	for name in sorted(os.listdir(folder)):
		path = os.path.join(folder, name, f"{name}.json")
		if os.path.exists(path):
			with open(path) as f:
				meta = json.load(f)
			out[meta["name"]] = meta
	return out


_DOCTYPES = _slm_doctypes()

permission_query_conditions = {
	**{dt: "slm_app.permissions.query_conditions" for dt, m in _DOCTYPES.items() if not m.get("issingle")},
	"File": "slm_app.permissions.file_query",
	"User": "slm_app.permissions.user_query",
}

has_permission = {
	**{dt: "slm_app.permissions.has_permission" for dt, m in _DOCTYPES.items() if not m.get("istable")},
	"File": "slm_app.permissions.file_has_permission",
	"User": "slm_app.permissions.user_has_permission",
}

# Frappe 15 read paths that check no row-level permission (or none at all), answered by the same model.
override_whitelisted_methods = {
	"frappe.client.get_count": "slm_app.api_guard.get_count",
	"frappe.client.validate_link": "slm_app.api_guard.validate_link",
	"frappe.desk.form.linked_with.get_submitted_linked_docs": "slm_app.api_guard.get_submitted_linked_docs",
	"frappe.desk.form.load.getdoc": "slm_app.api_guard.getdoc",
	"frappe.desk.form.load.get_docinfo": "slm_app.api_guard.get_docinfo",
	"frappe.desk.form.load.get_communications": "slm_app.api_guard.get_communications",
	"frappe.desk.form.load.get_user_info_for_viewers": "slm_app.api_guard.get_user_info_for_viewers",
	"frappe.desk.form.utils.add_comment": "slm_app.api_guard.add_comment",
	"frappe.desk.listview.get_group_by_count": "slm_app.api_guard.get_group_by_count",
	"frappe.desk.search.get_names_for_mentions": "slm_app.api_guard.get_names_for_mentions",
	"frappe.client.is_document_amended": "slm_app.api_guard.is_document_amended",
	"frappe.desk.doctype.tag.tag.get_tagged_docs": "slm_app.api_guard.get_tagged_docs",
	"frappe.desk.doctype.tag.tag.get_documents_for_tag": "slm_app.api_guard.get_documents_for_tag",
	"frappe.desk.doctype.tag.tag.add_tag": "slm_app.api_guard.add_tag",
	"frappe.desk.doctype.tag.tag.add_tags": "slm_app.api_guard.add_tags",
	"frappe.desk.doctype.tag.tag.remove_tag": "slm_app.api_guard.remove_tag",
	"frappe.desk.form.assign_to.add": "slm_app.api_guard.assign_to",
	"frappe.desk.form.assign_to.add_multiple": "slm_app.api_guard.assign_to_multiple",
}

# list queries refuse filters and sort keys on fields the user may not read
before_request = ["slm_app.api_guard.install"]

# everyone holding an SLM role lands on the SLM workspace
doc_events = {"User": {"before_save": "slm_app.desk_setup.set_default_workspace"}}

jinja = {
	"methods": ["slm_app.printing.render_agreement_text"],
}

# Customer and supplier contacts are Website Users (their roles have no desk access): they land on the
# portal (www/slm, slm_app.portal), which shows them their own party's agreements, results, breaches and
# reports, and where they answer a draft agreement put to them.
role_home_page = {"SLM Customer Contact": "slm", "SLM Supplier Contact": "slm"}
portal_menu_items = [
	{"title": "Service Levels", "route": "/slm", "role": "SLM Customer Contact"},
	{"title": "Service Levels", "route": "/slm", "role": "SLM Supplier Contact"},
]
