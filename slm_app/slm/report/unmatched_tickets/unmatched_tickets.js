// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.query_reports["Unmatched Tickets"] = {
	filters: [
		{ fieldname: "source", label: __("Source"), fieldtype: "Select", options: ["", "Helpdesk", "ERPNext"] },
	],
};
