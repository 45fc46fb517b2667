// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.query_reports["SLA Monitoring Table"] = {
	filters: [
		{ fieldname: "from_month", label: __("From Month"), fieldtype: "Data", description: "YYYY-MM" },
		{ fieldname: "to_month", label: __("To Month"), fieldtype: "Data", description: "YYYY-MM" },
		{ fieldname: "agreement_type", label: __("Agreement Type"), fieldtype: "Select", options: "\nSLA\nOLA\nUC" },
		{ fieldname: "agreement", label: __("Agreement"), fieldtype: "Link", options: "SLM Agreement" },
		{ fieldname: "party", label: __("Counterparty"), fieldtype: "Link", options: "SLM Party" },
		{ fieldname: "service", label: __("Service"), fieldtype: "Link", options: "SLM Service" },
		{ fieldname: "result", label: __("Result"), fieldtype: "Select", options: "\nMet\nBreached\nNo Data" },
	],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "result" && data) {
			const color = { Met: "green", Breached: "red", "No Data": "gray" }[data.result] || "gray";
			value = `<span class="indicator-pill ${color}">${value}</span>`;
		}
		return value;
	},
};
