// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.ui.form.on("SLM Service Calendar", {
	setup(frm) {
		frappe.xcall("slm_app.api.timezones").then((zones) => {
			frm.set_df_property("timezone", "options", zones);
		});
	},
	onload(frm) {
		if (frm.is_new() && !frm.doc.timezone) {
			frm.set_value("timezone", frappe.boot.time_zone?.system || "");
		}
	},
});
