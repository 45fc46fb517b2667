// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.listview_settings["SLM Budget Status"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		const color = { Breached: "red", "At Risk": "orange", "On Track": "green", "No Data": "gray" }[doc.status] || "gray";
		return [__(doc.status), color, `status,=,${doc.status}`];
	},
};
