// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.query_reports["SLM Service Catalogue"] = {
	filters: [
		{
			fieldname: "service_kind",
			label: __("Kind"),
			fieldtype: "Select",
			options: "\nBusiness Service\nTechnical Service",
		},
		{ fieldname: "workflow_state", label: __("Status"), fieldtype: "Select", options: "\nDraft\nPublished\nRetired" },
	],
};
