app_name = "slm_app"
app_title = "Service Level Management"
app_publisher = "slm_app developers"
app_description = "IT Service Level Management: catalogue, SLA / OLA / UC lifecycle, monitoring, breaches, reviews"
app_email = "slm@example.com"
app_license = "mit"

export_python_type_annotations = True

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
}

# A counterparty's people see only their own party's records.
permission_query_conditions = {
	"SLM Agreement": "slm_app.permissions.agreement_query",
	"SLM Party": "slm_app.permissions.party_query",
	"SLM Service Level Requirement": "slm_app.permissions.requirement_query",
	"SLM Monitoring Record": "slm_app.permissions.monitoring_query",
	"SLM Breach": "slm_app.permissions.breach_query",
	"SLM Service Review": "slm_app.permissions.review_query",
	"SLM Improvement Plan": "slm_app.permissions.plan_query",
	"SLM Service Report": "slm_app.permissions.service_report_query",
}

has_permission = {
	"SLM Agreement": "slm_app.permissions.agreement_has_permission",
	"SLM Party": "slm_app.permissions.party_has_permission",
	"SLM Service Level Requirement": "slm_app.permissions.requirement_has_permission",
	"SLM Monitoring Record": "slm_app.permissions.monitoring_has_permission",
	"SLM Breach": "slm_app.permissions.breach_has_permission",
	"SLM Service Review": "slm_app.permissions.review_has_permission",
	"SLM Improvement Plan": "slm_app.permissions.plan_has_permission",
	"SLM Service Report": "slm_app.permissions.service_report_has_permission",
}

jinja = {
	"methods": ["slm_app.printing.render_agreement_text"],
}
