// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.query_reports["SLA Watch"] = {
	filters: [
		{
			fieldname: "view",
			label: __("View"),
			fieldtype: "Select",
			options: [
				{ value: "Targets", label: __("Targets") },
				{ value: "At-Risk Tickets", label: __("At-Risk Tickets") },
			],
			default: "Targets",
			reqd: 1,
		},
		{ fieldname: "month", label: __("Month"), fieldtype: "Data", description: __("YYYY-MM; empty: this month") },
		{ fieldname: "agreement_type", label: __("Agreement Type"), fieldtype: "Select", options: "\nSLA\nOLA\nUC" },
		{ fieldname: "party", label: __("Counterparty"), fieldtype: "Link", options: "SLM Party" },
		{ fieldname: "service", label: __("Service"), fieldtype: "Link", options: "SLM Service" },
		{
			fieldname: "team",
			label: __("Team"),
			fieldtype: "Link",
			options: "SLM Party",
			get_query: () => ({ filters: { party_type: "Support Team" } }),
		},
		{ fieldname: "agreement", label: __("Agreement"), fieldtype: "Link", options: "SLM Agreement" },
		{ fieldname: "status", label: __("Status"), fieldtype: "Select", options: "\nOn Track\nAt Risk\nBreached\nNo Data" },
	],
	formatter(value, row, column, data, default_formatter) {
		let out = default_formatter(value, row, column, data);
		if (!data) return out;
		if (column.fieldname === "ticket" && data.ticket) {
			const url = `/app/query-report/SLA Ticket Timeline?ticket=${encodeURIComponent(data.ticket)}`;
			return `<a href="${url}">${frappe.utils.escape_html(data.ticket)}</a>`;
		}
		if (column.fieldname === "status_label") {
			const color = { Breached: "red", "At Risk": "orange", "On Track": "green" }[data.status] || "gray";
			return `<span class="indicator-pill ${color}">${out}</span>`;
		}
		return out;
	},
	onload(report) {
		const roles = ["SLM Service Level Manager", "SLM Service Level Monitor", "SLM Process Owner"];
		if (roles.some((r) => frappe.user_roles.includes(r))) {
			report.page.add_inner_button(__("Refresh Now"), () =>
				frappe
					.xcall("slm_app.watch.refresh")
					.then((r) =>
						frappe.show_alert({
							message: r.skipped
								? r.skipped
								: __("{0} targets computed as of {1}; {2} new warning(s)", [r.targets, r.as_of, r.warnings]),
							indicator: r.skipped ? "orange" : "green",
						})
					)
					.then(() => report.refresh())
			);
		}
	},
};
