// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.query_reports["SLA Ticket Timeline"] = {
	filters: [{ fieldname: "ticket", label: __("Ticket"), fieldtype: "Data", reqd: 1 }],
	formatter(value, row, column, data, default_formatter) {
		let out = default_formatter(value, row, column, data);
		if (data && column.fieldname && column.fieldname.endsWith("_counted") && value > 0) return `<b>${out}</b>`;
		return out;
	},
};
