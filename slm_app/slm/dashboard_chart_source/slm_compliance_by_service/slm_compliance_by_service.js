frappe.provide("frappe.dashboards.chart_sources");

frappe.dashboards.chart_sources["SLM Compliance by Service"] = {
	method: "slm_app.dashboard.compliance_by_service",
	filters: [
		{
			fieldname: "months",
			label: __("Closed Months"),
			fieldtype: "Int",
			default: 3,
		},
		{
			fieldname: "agreement_type",
			label: __("Agreement Type"),
			fieldtype: "Select",
			options: "SLA\nOLA\nUC",
			default: "SLA",
		},
	],
};
