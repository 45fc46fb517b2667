// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.query_reports["SLM Agreement Register"] = {
	filters: [
		{ fieldname: "agreement_type", label: __("Agreement Type"), fieldtype: "Select", options: "\nSLA\nOLA\nUC" },
		{ fieldname: "party", label: __("Counterparty"), fieldtype: "Link", options: "SLM Party" },
		{
			fieldname: "workflow_state",
			label: __("Status"),
			fieldtype: "Select",
			options: "\nDraft\nNegotiating\nAgreed\nSigned\nActive",
		},
		{ fieldname: "expiring_within_days", label: __("Expiring Within (days)"), fieldtype: "Int", default: 90 },
		{ fieldname: "only_attention", label: __("Only Those Needing Attention"), fieldtype: "Check" },
	],
};
