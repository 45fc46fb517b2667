// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.query_reports["SLM KPIs"] = {
	filters: [
		{
			fieldname: "year",
			label: __("Year"),
			fieldtype: "Int",
			default: new Date().getFullYear(),
			reqd: 1,
		},
		{
			fieldname: "due_day",
			label: __("Monitoring Due Day"),
			fieldtype: "Int",
			description: __("Empty: the day set in SLM Settings"),
		},
	],
};
