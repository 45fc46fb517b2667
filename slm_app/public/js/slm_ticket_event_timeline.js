// Copyright (c) 2026, slm_app developers and contributors
// License: MIT. See license.txt

// A ticket opens its SLA timeline (issue 12; loaded beside the form's own script).
frappe.ui.form.on("SLM Ticket Event", {
	refresh(frm) {
		if (frm.is_new()) return;
		frm.add_custom_button(__("SLA Timeline"), () =>
			frappe.set_route("query-report", "SLA Ticket Timeline", { ticket: frm.doc.name })
		);
	},
});
