// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.listview_settings["SLM Budget Warning"] = {
	add_fields: ["kind"],
	get_indicator(doc) {
		return [__(doc.kind), doc.kind === "Ticket" ? "red" : "orange", `kind,=,${doc.kind}`];
	},
};
