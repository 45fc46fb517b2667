// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

frappe.ui.form.on("SLM Party", {
	refresh(frm) {
		if (!frm.is_new()) {
			frm.add_custom_button(__("Agreements"), () =>
				frappe.set_route("List", "SLM Agreement", { party: frm.doc.name })
			);
		}
	},
});
