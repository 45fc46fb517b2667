// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.query_reports["SLM Breach Register"] = {
	filters: [
		{ fieldname: "from_month", label: __("From Month"), fieldtype: "Data", description: "YYYY-MM" },
		{ fieldname: "to_month", label: __("To Month"), fieldtype: "Data", description: "YYYY-MM" },
		{ fieldname: "service", label: __("Service"), fieldtype: "Link", options: "SLM Service" },
		{ fieldname: "agreement_type", label: __("Agreement Type"), fieldtype: "Select", options: "\nSLA\nOLA\nUC" },
		{
			fieldname: "status",
			label: __("Status"),
			fieldtype: "Select",
			options: "\nOpen\nNotified\nHandling\nResolved\nClosed",
		},
		{ fieldname: "party", label: __("Counterparty"), fieldtype: "Link", options: "SLM Party" },
	],
};
